// Optimizer update rules on a 2-D point, written as torch.optim writes them (weight decay 0).
// Pure functions, no DOM. Each optimizer: {init() -> state, step(p, g, lr, state) -> new p}.
//
//   sgd:       p <- p - lr g
//   momentum:  v <- mu v + g (v_1 = g);            p <- p - lr v            (torch SGD momentum)
//   nesterov:  v <- mu v + g;                      p <- p - lr (g + mu v)   (torch SGD nesterov)
//   rmsprop:   s <- a s + (1 - a) g^2;             p <- p - lr g / (sqrt(s) + eps)
//   adam:      m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
//              p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)   (Kingma & Ba, 2015)

export const OPTIMIZER_DEFAULTS = {
  sgd: {},
  momentum: { momentum: 0.9 },
  nesterov: { momentum: 0.9 },
  rmsprop: { alpha: 0.99, eps: 1e-8 },
  adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
};
export const OPTIMIZER_NAMES = { sgd: "SGD", momentum: "Momentum", nesterov: "Nesterov", rmsprop: "RMSProp", adam: "Adam" };

/** Build optimizer `id` with `params` (missing ones take OPTIMIZER_DEFAULTS). */
export function makeOptimizer(id, params = {}) {
  const defaults = OPTIMIZER_DEFAULTS[id];
  if (!defaults) throw new Error(`unknown optimizer "${id}"; known: ${Object.keys(OPTIMIZER_DEFAULTS).join(", ")}`);
  const h = { ...defaults };
  for (const k of Object.keys(defaults)) if (params[k] !== undefined) h[k] = Number(params[k]);
  const n = 2;
  const zeros = () => new Array(n).fill(0);
  switch (id) {
    case "sgd":
      return { id, h, init: () => ({}), step: (p, g, lr) => p.map((pi, i) => pi - lr * g[i]) };
    case "momentum":
    case "nesterov":
      return {
        id, h, init: () => ({ v: null }),
        step(p, g, lr, s) {
          s.v = s.v === null ? g.slice() : s.v.map((vi, i) => h.momentum * vi + g[i]);
          const d = id === "nesterov" ? g.map((gi, i) => gi + h.momentum * s.v[i]) : s.v;
          return p.map((pi, i) => pi - lr * d[i]);
        },
      };
    case "rmsprop":
      return {
        id, h, init: () => ({ s: zeros() }),
        step(p, g, lr, st) {
          st.s = st.s.map((si, i) => h.alpha * si + (1 - h.alpha) * g[i] * g[i]);
          return p.map((pi, i) => pi - (lr * g[i]) / (Math.sqrt(st.s[i]) + h.eps));
        },
      };
    case "adam":
      return {
        id, h, init: () => ({ m: zeros(), v: zeros(), t: 0 }),
        step(p, g, lr, st) {
          st.t += 1;
          st.m = st.m.map((mi, i) => h.beta1 * mi + (1 - h.beta1) * g[i]);
          st.v = st.v.map((vi, i) => h.beta2 * vi + (1 - h.beta2) * g[i] * g[i]);
          const c1 = 1 - h.beta1 ** st.t, c2 = 1 - h.beta2 ** st.t;
          return p.map((pi, i) => pi - (lr * (st.m[i] / c1)) / (Math.sqrt(st.v[i] / c2) + h.eps));
        },
      };
    default:
      throw new Error(`unknown optimizer "${id}"`);
  }
}

/** Small seeded PRNG (mulberry32) so a shared URL replays the same noisy run. */
export function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(uniform(), 1e-12), v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

const DIVERGE_RADIUS = 1e3; // domain half-widths

/**
 * Run `steps` optimizer steps from `start` on `surface`; lr(step) gives the LR of step t (from 0).
 * Gradient noise: g + noise * N(0, 1) per coordinate (mimics minibatch SGD).
 * Returns {xs, ys, losses, lrs, diverged: null | {step, message}}. Divergence: a non-finite loss
 * or position, or a position more than 1000 domain half-widths from the domain centre.
 */
export function runOptimizer(surface, optimizer, start, steps, lr, { noise = 0, seed = 1 } = {}) {
  const r = rng(seed);
  const state = optimizer.init();
  let p = start.slice();
  const [x0, x1, y0, y1] = surface.domain;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, half = Math.max(x1 - x0, y1 - y0) / 2;
  const xs = [p[0]], ys = [p[1]], losses = [surface.f(p[0], p[1])], lrs = [];
  let diverged = null;
  for (let t = 0; t < steps; t++) {
    const eta = lr(t);
    let g = surface.grad(p[0], p[1]);
    if (noise > 0) g = g.map((gi) => gi + noise * r.normal());
    p = optimizer.step(p, g, eta, state);
    const loss = surface.f(p[0], p[1]);
    lrs.push(eta);
    const far = Math.hypot(p[0] - cx, p[1] - cy) > DIVERGE_RADIUS * half;
    if (!Number.isFinite(loss) || !Number.isFinite(p[0]) || !Number.isFinite(p[1]) || far) {
      diverged = { step: t + 1, message: divergenceMessage(surface, start, t + 1, eta, optimizer.id) };
      break;
    }
    xs.push(p[0]); ys.push(p[1]); losses.push(loss);
  }
  return { xs, ys, losses, lrs, diverged };
}

/** "diverged at step N: the learning rate is too large for this curvature (...)". */
export function divergenceMessage(surface, start, step, lr, optimizerId) {
  let extra = "";
  try {
    const [sx, sy] = start;
    // the curvature where the run began; for plain SGD the stable LR is below 2 / lambda_max
    const h = 1e-4, gp = surface.grad(sx + h, sy), gm = surface.grad(sx - h, sy);
    const gq = surface.grad(sx, sy + h), gr = surface.grad(sx, sy - h);
    const a = (gp[0] - gm[0]) / (2 * h), d = (gq[1] - gr[1]) / (2 * h), b = (gp[1] - gm[1]) / (2 * h);
    const lam = (a + d) / 2 + Math.sqrt(Math.max(0, ((a - d) / 2) ** 2 + b * b));
    if (lam > 0 && optimizerId === "sgd") extra = `; at the start the largest curvature is ${fmt(lam)}, so SGD needs lr < 2/${fmt(lam)} = ${fmt(2 / lam)}`;
  } catch (_) { /* a curvature hint is optional */ }
  return `diverged at step ${step}: the learning rate is too large for this curvature (lr=${fmt(lr)}${extra})`;
}

export function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}
