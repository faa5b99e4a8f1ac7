// LR range test on a 2-D surface (Smith, 2017, "Cyclical Learning Rates for Training Neural
// Networks", section 3.3) and the suggestion rules of lrscope.analysis.SUGGESTERS.
// Pure functions, no DOM. tests/test_web_js.py writes the Python suggesters' answers on a few
// curves and tests/js/rangetest.test.mjs checks these functions against them.

/** Geometric sweep start*(end/start)^(i/(n-1)), i = 0..n-1 (both ends exact). */
export function expSweep(start, end, n) {
  if (n === 1) return [start];
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? end : start * (end / start) ** (i / (n - 1))));
}

/** Debiased EMA: avg_t = b avg_{t-1} + (1 - b) x_t, reported as avg_t / (1 - b^t). */
export function debiasedEma(values, beta) {
  let avg = 0;
  return values.map((x, i) => {
    avg = beta * avg + (1 - beta) * x;
    return beta === 0 ? avg : avg / (1 - beta ** (i + 1));
  });
}

/** numpy.gradient(y, x): central differences inside, one-sided at the ends (uneven spacing). */
export function gradient(y, x) {
  const n = y.length;
  if (n < 2) return y.map(() => 0);
  const g = new Array(n);
  g[0] = (y[1] - y[0]) / (x[1] - x[0]);
  g[n - 1] = (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]);
  for (let i = 1; i < n - 1; i++) {
    const h1 = x[i] - x[i - 1], h2 = x[i + 1] - x[i];
    g[i] = (-h2 / (h1 * (h1 + h2))) * y[i - 1] + ((h2 - h1) / (h1 * h2)) * y[i] + (h1 / (h2 * (h1 + h2))) * y[i + 1];
  }
  return g;
}

function argmin(a) { let k = 0; for (let i = 1; i < a.length; i++) if (a[i] < a[k]) k = i; return k; }

/** The curve a suggester sees: {lrs, losses, smoothed, mode}. */
export const SUGGESTERS = {
  /** Steepest descent of the smoothed loss, slope against log10(lr), before the minimum. */
  steepest(c) {
    if (c.lrs.length < 3) return null;
    const x = c.mode === "exp" ? c.lrs.map(Math.log10) : c.lrs;
    const kmin = argmin(c.smoothed);
    if (kmin < 2) return null;
    const g = gradient(c.smoothed.slice(0, kmin + 1), x.slice(0, kmin + 1));
    const k = argmin(g);
    return g[k] < 0 ? c.lrs[k] : null;
  },
  /** LR at the smoothed-loss minimum divided by 10. */
  min_div10(c) {
    if (c.lrs.length < 2) return null;
    return c.lrs[argmin(c.smoothed)] / 10;
  },
  /** fastai's valley: the longest descending run of the loss, 2/3 down it. */
  valley(c) {
    const y = c.smoothed, n = y.length;
    if (n < 5) return null;
    const len = new Array(n).fill(1), prev = new Array(n).fill(-1);
    let bestEnd = 0;
    for (let i = 1; i < n; i++) {
      for (let j = 0; j < i; j++) if (y[i] < y[j] && len[j] + 1 > len[i]) { len[i] = len[j] + 1; prev[i] = j; }
      if (len[i] > len[bestEnd]) bestEnd = i;
    }
    let start = bestEnd;
    while (prev[start] !== -1) start = prev[start];
    const sections = (bestEnd - start) / 3;
    const idx = start + Math.floor(sections) + Math.floor(sections / 2);
    return c.lrs[Math.min(idx, n - 1)];
  },
  /** base_lr: the first LR where the smoothed loss has fallen 1% of its total drop. */
  loss_fall(c) {
    const y = c.smoothed, n = y.length;
    if (n < 3) return null;
    const kmin = argmin(y), drop = y[0] - y[kmin];
    if (!(drop > 0)) return null;
    for (let i = 0; i <= kmin; i++) if (y[0] - y[i] >= 0.01 * drop) return c.lrs[i];
    return null;
  },
  /** max_lr: the LR after the minimum where the smoothed loss is back 10% of the drop above it. */
  loss_rise(c) {
    const y = c.smoothed, n = y.length;
    if (n < 3) return null;
    const kmin = argmin(y), drop = y[0] - y[kmin];
    if (!(drop > 0)) return null;
    for (let i = kmin; i < n; i++) if (y[i] - y[kmin] >= 0.1 * drop) return c.lrs[i];
    return null;
  },
};

/**
 * Run an LR range test of optimizer `opt` on `surface` from `start`: step t uses lr_t of an
 * exponential sweep start_lr..end_lr; stop when the smoothed loss exceeds diverge_factor x its best
 * (or the loss is not finite). Returns {lrs, losses, smoothed, mode, stop_reason, suggestions}.
 */
export function rangeTest(surface, opt, start, { startLr = 1e-5, endLr = 10, numSteps = 100, smoothing = 0.9, divergeFactor = 4, noise = 0, rngNormal = null } = {}) {
  const sweep = expSweep(startLr, endLr, numSteps);
  const state = opt.init();
  let p = start.slice();
  const lrs = [], losses = [], smoothed = [];
  let avg = 0, best = Infinity, stop = "completed";
  for (let t = 0; t < numSteps; t++) {
    let g = surface.grad(p[0], p[1]);
    if (noise > 0 && rngNormal) g = g.map((gi) => gi + noise * rngNormal());
    p = opt.step(p, g, sweep[t], state);
    const loss = surface.f(p[0], p[1]);
    if (!Number.isFinite(loss)) { stop = "non-finite"; break; }
    avg = smoothing * avg + (1 - smoothing) * loss;
    const sm = smoothing === 0 ? avg : avg / (1 - smoothing ** (t + 1));
    lrs.push(sweep[t]); losses.push(loss); smoothed.push(sm);
    best = Math.min(best, sm);
    // losses can be negative on some surfaces: measure from the surface's floor when known
    const floor = Number.isFinite(surface.fmin) ? surface.fmin : 0;
    if (t > 0 && sm - floor > divergeFactor * (best - floor)) { stop = "diverged"; break; }
  }
  const curve = { lrs, losses, smoothed, mode: "exp" };
  const suggestions = {};
  for (const [name, rule] of Object.entries(SUGGESTERS)) suggestions[name] = rule(curve);
  return { ...curve, stop_reason: stop, suggestions };
}
