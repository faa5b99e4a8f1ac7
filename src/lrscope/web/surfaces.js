// Loss surfaces f(x, y) with analytic gradients, for the explorer page.
// Pure functions, no DOM: the same file runs in the browser and under `node --test`.
//
// Each surface: {id, name, f(x, y), grad(x, y) -> [gx, gy], domain: [xmin, xmax, ymin, ymax],
// minima: [[x, y], ...], start: [x, y], params: {...}}.

const TAU = 2 * Math.PI;

/** Quadratic bowl f = (x^2 + kappa*y^2) / 2; condition number kappa (Hessian diag(1, kappa)). */
export function bowl(kappa = 10) {
  if (!(kappa >= 1 && Number.isFinite(kappa))) throw new Error(`bowl: condition number must be >= 1, got ${kappa}`);
  return {
    id: "bowl", name: `Quadratic bowl (condition ${kappa})`, params: { kappa },
    f: (x, y) => 0.5 * (x * x + kappa * y * y),
    grad: (x, y) => [x, kappa * y],
    domain: [-2, 2, -2, 2], minima: [[0, 0]], start: [-1.6, 1.2], fmin: 0,
    lrHint: 1 / kappa,
  };
}

/** Rosenbrock f = (1 - x)^2 + 100 (y - x^2)^2; minimum at (1, 1). */
export function rosenbrock() {
  return {
    id: "rosenbrock", name: "Rosenbrock", params: {},
    f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    grad: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    domain: [-2, 2, -1, 3], minima: [[1, 1]], start: [-1.5, 2.0], fmin: 0, lrHint: 1e-3,
  };
}

/** Himmelblau f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2; four minima with f = 0. */
export function himmelblau() {
  return {
    id: "himmelblau", name: "Himmelblau", params: {},
    f: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
    grad: (x, y) => {
      const a = x * x + y - 11, b = x + y * y - 7;
      return [4 * x * a + 2 * b, 2 * a + 4 * y * b];
    },
    domain: [-5, 5, -5, 5],
    minima: [[3, 2], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]],
    start: [0, 0], fmin: 0, lrHint: 1e-2,
  };
}

/** Rastrigin f = 20 + sum(x^2 - 10 cos(2 pi x)); many local minima, global at 0. */
export function rastrigin() {
  return {
    id: "rastrigin", name: "Rastrigin", params: {},
    f: (x, y) => 20 + x * x - 10 * Math.cos(TAU * x) + y * y - 10 * Math.cos(TAU * y),
    grad: (x, y) => [2 * x + 10 * TAU * Math.sin(TAU * x), 2 * y + 10 * TAU * Math.sin(TAU * y)],
    domain: [-5.12, 5.12, -5.12, 5.12], minima: [[0, 0]], start: [-3.3, 2.6], fmin: 0, lrHint: 1e-3,
  };
}

/** Beale f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; minimum at (3, 0.5). */
export function beale() {
  return {
    id: "beale", name: "Beale", params: {},
    f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    grad: (x, y) => {
      const a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y ** 3;
      return [2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
        2 * a * x + 4 * b * x * y + 6 * c * x * y * y];
    },
    domain: [-4.5, 4.5, -4.5, 4.5], minima: [[3, 0.5]], start: [-1, 1.5], fmin: 0, lrHint: 1e-3,
  };
}

/** Saddle f = x^2/2 - y^2/2 + y^4/4: a saddle at the origin, minima at (0, +-1) with f = -1/4. */
export function saddle() {
  return {
    id: "saddle", name: "Saddle", params: {},
    f: (x, y) => 0.5 * x * x - 0.5 * y * y + 0.25 * y ** 4,
    grad: (x, y) => [x, -y + y ** 3],
    domain: [-2, 2, -2, 2], minima: [[0, 1], [0, -1]], start: [-1.5, 0.01], fmin: -0.25, lrHint: 0.1,
  };
}

const W1 = [1.0, 1.0, 0.5, 1.0], W2 = [-1.2, -0.8, 0.8, 0.6]; // [cx, cy, sigma, depth]
function well(x, y, w) {
  const [cx, cy, s, d] = w;
  const e = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));
  return [-d * e, (d * e * (x - cx)) / (s * s), (d * e * (y - cy)) / (s * s)];
}

/** Two Gaussian wells plus a weak bowl: f = 0.05 |p|^2 - sum_i d_i exp(-|p - c_i|^2 / (2 s_i^2)). */
export function wells() {
  return {
    id: "wells", name: "Two Gaussian wells", params: {},
    f: (x, y) => 0.05 * (x * x + y * y) + well(x, y, W1)[0] + well(x, y, W2)[0],
    grad: (x, y) => {
      const a = well(x, y, W1), b = well(x, y, W2);
      return [0.1 * x + a[1] + b[1], 0.1 * y + a[2] + b[2]];
    },
    domain: [-3, 3, -3, 3], minima: [[0.9745, 0.9747], [-1.0827, -0.7218]], start: [2.5, -2.5], fmin: -0.9037, lrHint: 0.1,
  };
}

/**
 * A real network's loss slice: bicubic (Catmull-Rom, Keys' a = -1/2) interpolation of
 * `z[j][i]` on the grid (xs[i], ys[j]), with ghost points beyond the edges extrapolated
 * linearly. It passes through every grid value, its gradient is continuous (so curvature
 * hints read the interpolant, not a kink at a grid node, as bilinear interpolation did), and it
 * reproduces bilinear functions exactly and quadratics inside the grid. Outside the grid the
 * loss is the edge value plus a quadratic wall (w/2) * dist^2, so a trajectory that leaves the
 * loaded region is pushed back instead of reading garbage.
 */
export function gridSurface(land, wall = 10) {
  const xs = land.x, ys = land.y, z = land.loss;
  const nx = xs.length, ny = ys.length;
  const x0 = xs[0], x1 = xs[nx - 1], y0 = ys[0], y1 = ys[ny - 1];
  const dx = (x1 - x0) / (nx - 1), dy = (y1 - y0) / (ny - 1);
  // z with one ghost row/column on each side, extrapolated linearly (exact for linear data)
  const at = (j, i) => {
    if (i < 0) return 2 * at(j, 0) - at(j, 1);
    if (i > nx - 1) return 2 * at(j, nx - 1) - at(j, nx - 2);
    if (j < 0) return 2 * at(0, i) - at(1, i);
    if (j > ny - 1) return 2 * at(ny - 1, i) - at(ny - 2, i);
    return z[j][i];
  };
  const w = (t) => [(-t * t * t + 2 * t * t - t) / 2, (3 * t * t * t - 5 * t * t + 2) / 2,
                    (-3 * t * t * t + 4 * t * t + t) / 2, (t * t * t - t * t) / 2];
  const dw = (t) => [(-3 * t * t + 4 * t - 1) / 2, (9 * t * t - 10 * t) / 2, (-9 * t * t + 8 * t + 1) / 2,
                     (3 * t * t - 2 * t) / 2];
  function cell(x, y) {
    const cx = Math.min(Math.max(x, x0), x1), cy = Math.min(Math.max(y, y0), y1);
    let i = Math.floor((cx - x0) / dx), j = Math.floor((cy - y0) / dy);
    i = Math.min(Math.max(i, 0), nx - 2); j = Math.min(Math.max(j, 0), ny - 2);
    const u = (cx - xs[i]) / dx, v = (cy - ys[j]) / dy;
    return { cx, cy, i, j, u, v };
  }
  function mix(i, j, wu, wv) {
    let out = 0;
    for (let n = 0; n < 4; n++) {
      let row = 0;
      for (let m = 0; m < 4; m++) row += wu[m] * at(j + n - 1, i + m - 1);
      out += wv[n] * row;
    }
    return out;
  }
  function f(x, y) {
    const { cx, cy, i, j, u, v } = cell(x, y);
    return mix(i, j, w(u), w(v)) + 0.5 * wall * ((x - cx) ** 2 + (y - cy) ** 2);
  }
  function grad(x, y) {
    const { cx, cy, i, j, u, v } = cell(x, y);
    const inX = x > x0 && x < x1, inY = y > y0 && y < y1;
    const gx = inX ? mix(i, j, dw(u), w(v)) / dx : 0;
    const gy = inY ? mix(i, j, w(u), dw(v)) / dy : 0;
    return [gx + wall * (x - cx), gy + wall * (y - cy)];
  }
  let best = [0, 0], fbest = Infinity;
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) if (z[j][i] < fbest) { fbest = z[j][i]; best = [xs[i], ys[j]]; }
  return {
    id: "landscape", name: land.name ? `Loaded: ${land.name}` : "Loaded network slice", params: {},
    f, grad, domain: [x0, x1, y0, y1], minima: [best], start: [x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0)],
    fmin: fbest, lrHint: 1e-2,
  };
}

export const SURFACES = { bowl, rosenbrock, himmelblau, rastrigin, beale, saddle, wells };
export const SURFACE_NAMES = {
  bowl: "Quadratic bowl", rosenbrock: "Rosenbrock", himmelblau: "Himmelblau", rastrigin: "Rastrigin",
  beale: "Beale", saddle: "Saddle", wells: "Two Gaussian wells", landscape: "Loaded network slice",
};

/** Build a surface by id; `params.kappa` for the bowl, `land` (validated) for "landscape". */
export function makeSurface(id, params = {}, land = null) {
  if (id === "landscape") {
    if (!land) throw new Error("no landscape file is loaded: load one first");
    return gridSurface(land);
  }
  const make = SURFACES[id];
  if (!make) throw new Error(`unknown surface "${id}"; known: ${Object.keys(SURFACES).join(", ")}`);
  return id === "bowl" ? make(params.kappa ?? 10) : make();
}

/** Largest Hessian eigenvalue at (x, y) by central differences of the gradient. */
export function maxCurvature(surface, x, y, h = 1e-4) {
  const gxp = surface.grad(x + h, y), gxm = surface.grad(x - h, y);
  const gyp = surface.grad(x, y + h), gym = surface.grad(x, y - h);
  const a = (gxp[0] - gxm[0]) / (2 * h), d = (gyp[1] - gym[1]) / (2 * h);
  const b = 0.5 * ((gxp[1] - gxm[1]) / (2 * h) + (gyp[0] - gym[0]) / (2 * h));
  const tr = a + d, det = a * d - b * b;
  const disc = Math.sqrt(Math.max(0, tr * tr / 4 - det));
  return tr / 2 + disc;
}
