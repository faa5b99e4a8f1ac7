// LR range test on a 2-D surface (Smith, 2017, "Cyclical Learning Rates for Training Neural
// Networks", section 3.3) and the loss rules of lrscope.analysis.SUGGESTERS, on the same analysed
// curve (lrscope.analysis.prepare_curve: zero-lag smoothing, skipped start, trimmed tail).
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

// The constants of lrscope.analysis (_curve.py and suggesters.py); golden tests keep them equal.
export const SMOOTH_FRACTION = 0.025, SKIP_START_FRACTION = 0.03, TAIL_LIMIT = 1.0;
export const VALLEY_FRACTION = 2.0 / 3.0, LOSS_FALL_FRACTION = 0.10, LOSS_RISE_FRACTION = 0.05, MIN_POINTS = 3;
export const RISE_DIVISOR = 3.0;

/** Forward-backward debiased EMA with time constant tau steps (lrscope.analysis.zero_lag_smooth). */
export function zeroLagSmooth(values, tau) {
  if (tau <= 1 || values.length < 2) return values.slice();
  const beta = 1 - 1 / tau;
  const forward = debiasedEma(values, beta);
  return debiasedEma(forward.slice().reverse(), beta).reverse();
}

/**
 * The analysed curve of a range test (lrscope.analysis.prepare_curve, loss part): cut at the first
 * non-finite loss, zero-lag smoothing with tau = SMOOTH_FRACTION * num_steps, skip the first
 * ceil(SKIP_START_FRACTION * num_steps) steps, trim the tail after the minimum where the loss has
 * regained TAIL_LIMIT of its fall. Input {lrs, losses, num_steps, mode}.
 */
export function prepareCurve({ lrs, losses, num_steps: numSteps, mode = "exp" }) {
  let finiteStop = losses.length;
  for (let i = 0; i < losses.length; i++) {
    if (!Number.isFinite(losses[i]) || !Number.isFinite(lrs[i]) || (mode === "exp" && !(lrs[i] > 0))) { finiteStop = i; break; }
  }
  const planned = Math.max(Math.round(numSteps ?? lrs.length), finiteStop, 1);
  let skip = Math.ceil(SKIP_START_FRACTION * planned);
  skip = Math.max(0, Math.min(skip, finiteStop - 3));
  const smoothAll = zeroLagSmooth(losses.slice(0, finiteStop), SMOOTH_FRACTION * planned);
  const body = smoothAll.slice(skip);
  let stop = finiteStop, startLoss = NaN, minLoss = NaN;
  if (body.length) {
    startLoss = body[0];
    const iMin = argmin(body);
    minLoss = body[iMin];
    const fall = startLoss - minLoss;
    if (fall > 0) {
      for (let k = iMin; k < body.length; k++) if (body[k] > minLoss + TAIL_LIMIT * fall) { stop = skip + k; break; }
    }
  }
  const cl = lrs.slice(skip, stop);
  return {
    lrs: cl, x: mode === "exp" ? cl.map(Math.log10) : cl.slice(), loss: smoothAll.slice(skip, stop), mode,
    first: skip, stop, start_loss: startLoss, min_loss: minLoss, drop: Math.max(0, startLoss - minLoss),
  };
}

/** Longest strictly decreasing subsequence: [first index, last index] (ties as in Python). */
function longestDescent(loss) {
  const n = loss.length, length = new Array(n).fill(1), start = Array.from({ length: n }, (_, i) => i);
  for (let i = 1; i < n; i++) {
    let best = 0, j = -1;
    for (let k = 0; k < i; k++) if (loss[k] > loss[i] && length[k] > best) { best = length[k]; j = k; }
    if (j >= 0) { length[i] = best + 1; start[i] = start[j]; }
  }
  let end = 0;
  for (let i = 1; i < n; i++) if (length[i] > length[end]) end = i;
  return [start[end], end];
}

/** The loss rules of lrscope.analysis.SUGGESTERS; each reads a prepared curve, returns an LR or null. */
export const SUGGESTERS = {
  /** LR of the most negative slope d loss / d log10(lr) (numpy.gradient). */
  steepest(c) {
    if (c.lrs.length < MIN_POINTS) return null;
    const g = gradient(c.loss, c.x), i = argmin(g);
    return g[i] < 0 ? c.lrs[i] : null;
  },
  /** VALLEY_FRACTION of the way into the longest strictly decreasing subsequence. */
  valley(c) {
    if (c.lrs.length < MIN_POINTS) return null;
    const [a, b] = longestDescent(c.loss);
    return b === a ? null : c.lrs[a + Math.floor(VALLEY_FRACTION * (b - a))];
  },
  /** LR at the minimum of the smoothed loss / 10 (null if the minimum is the first point). */
  min_div10(c) {
    if (c.lrs.length < MIN_POINTS) return null;
    const i = argmin(c.loss);
    return i > 0 ? c.lrs[i] / 10 : null;
  },
  /** base_lr: first LR where loss <= s0 - LOSS_FALL_FRACTION (s0 - smin). */
  loss_fall(c) {
    if (c.lrs.length < MIN_POINTS || !(c.drop > 0)) return null;
    const level = c.start_loss - LOSS_FALL_FRACTION * c.drop;
    const i = c.loss.findIndex((v) => v <= level);
    return c.lrs[Math.max(i, 0)];
  },
  /** max_lr: first LR after the minimum where loss > smin + LOSS_RISE_FRACTION (s0 - smin). */
  loss_rise(c) {
    if (c.lrs.length < MIN_POINTS || !(c.drop > 0)) return null;
    const iMin = argmin(c.loss);
    for (let k = iMin; k < c.loss.length; k++) if (c.loss[k] > c.min_loss + LOSS_RISE_FRACTION * c.drop) return c.lrs[k];
    return null;
  },
  /** a safe LR: loss_rise / RISE_DIVISOR (the library's default constant LR and one-cycle peak). */
  loss_rise_div3(c) {
    const rise = SUGGESTERS.loss_rise(c);
    return rise === null ? null : rise / RISE_DIVISOR;
  },
};

/** Every loss rule on a raw record {lrs, losses, num_steps, mode} (what result.suggestions gives). */
export function suggest(record) {
  const curve = prepareCurve(record);
  const out = {};
  for (const [name, rule] of Object.entries(SUGGESTERS)) out[name] = rule(curve);
  return out;
}

/**
 * Run an LR range test of optimizer `opt` on `surface` from `start`: step t uses lr_t of an
 * exponential sweep start_lr..end_lr; stop when the smoothed loss exceeds diverge_factor x its best
 * (or the loss is not finite). Returns {lrs, losses, smoothed, mode, stop_reason, suggestions}.
 */
export function rangeTest(surface, opt, start, { startLr = 1e-5, endLr = 10, numSteps = 100, smoothing = 0.98, divergeFactor = 4, noise = 0, rngNormal = null } = {}) {
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
  const record = { lrs, losses, smoothed, mode: "exp", num_steps: numSteps };
  return { ...record, stop_reason: stop, curve: prepareCurve(record), suggestions: suggest(record) };
}
