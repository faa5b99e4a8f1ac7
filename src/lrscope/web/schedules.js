// Learning-rate schedules: the same spec dicts and the same numbers as lrscope.schedules (Python).
// A spec is {kind, ...constructor keyword arguments}; fromSpec(spec) returns lr(step), step counted
// from 0 in optimizer steps. tests/test_web_js.py writes golden vectors from the Python library and
// tests/js/schedules.test.mjs checks this file against them.

const KINDS = {
  constant: { lr: null },
  linear: { lr: null, total_steps: null, min_lr: 0.0 },
  cosine: { lr: null, total_steps: null, min_lr: 0.0 },
  exponential: { lr: null, gamma: null },
  step: { lr: null, drop_every: null, gamma: 0.1 },
  multistep: { lr: null, milestones: null, gamma: 0.1 },
  polynomial: { lr: null, total_steps: null, power: 1.0, min_lr: 0.0 },
  cyclic: {
    base_lr: null, max_lr: null, step_size: null, step_size_down: undefined, policy: "triangular",
    window: "triangular", gamma: 1.0, scale_fn: undefined, scale_mode: "cycle", base_momentum: 0.8, max_momentum: 0.9,
  },
  one_cycle: {
    max_lr: null, total_steps: null, pct_start: 0.3, div_factor: 25.0, final_div_factor: 1e4, three_phase: false,
    anneal: "cos", base_momentum: 0.85, max_momentum: 0.95,
  },
  warmup: { schedule: null, warmup_steps: null, start_factor: 0.0, mode: "linear" },
  join: { schedules: null, boundaries: null },
};
export const SCHEDULE_KINDS = Object.keys(KINDS);
// old parameter names, still read (as lrscope.schedules reads them, with a DeprecationWarning there)
const RENAMED = { linear: { end_lr: "min_lr" }, polynomial: { end_lr: "min_lr" }, step: { step_size: "drop_every" } };
const MODE_ALIASES = { exponential: "exp" };

function complete(spec) {
  if (!spec || typeof spec !== "object") throw new Error(`a schedule spec must be an object, got ${JSON.stringify(spec)}`);
  const renamed = RENAMED[spec.kind];
  if (renamed) {
    spec = { ...spec };
    for (const [old, now] of Object.entries(renamed)) {
      if (old in spec) {
        if (now in spec) throw new Error(`schedule "${spec.kind}": "${old}" is the old name of "${now}"; give only "${now}"`);
        spec[now] = spec[old];
        delete spec[old];
      }
    }
  }
  if (spec.kind === "warmup" && spec.mode in MODE_ALIASES) spec = { ...spec, mode: MODE_ALIASES[spec.mode] };
  const defaults = KINDS[spec.kind];
  if (!defaults) throw new Error(`unknown schedule kind "${spec.kind}"; known: ${SCHEDULE_KINDS.join(", ")}`);
  const out = { kind: spec.kind };
  for (const key of Object.keys(spec)) {
    if (key !== "kind" && !(key in defaults)) throw new Error(`schedule "${spec.kind}" has no parameter "${key}"; known: ${Object.keys(defaults).join(", ")}`);
  }
  for (const [key, dflt] of Object.entries(defaults)) {
    const value = spec[key] === undefined || spec[key] === null ? dflt : spec[key];
    if (value === null) throw new Error(`schedule "${spec.kind}" needs "${key}"`);
    out[key] = value;
  }
  return out;
}

function annealCos(start, end, pct) { return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1); }
function annealLinear(start, end, pct) { return (end - start) * pct + start; }

/** Window of a cyclical schedule: u in [0, 1] (0 at base_lr, 1 at max_lr) -> height in [0, 1]. */
export function cyclicWindow(window, u) {
  if (window === "triangular") return u;
  if (window === "welch") return 1 - (1 - u) ** 2;
  if (window === "hann") return 0.5 * (1 - Math.cos(Math.PI * u));
  throw new Error(`unknown window "${window}"; known: triangular, welch, hann`);
}

/** Return lr(step) for a spec; also attaches .momentum(step) for cyclic and one_cycle. */
export function fromSpec(spec) {
  const s = complete(spec);
  switch (s.kind) {
    case "constant": return () => s.lr;
    case "linear": return (t) => s.lr + (s.min_lr - s.lr) * Math.min(Math.max(t, 0), s.total_steps) / s.total_steps;
    case "cosine": return (t) => s.min_lr + (s.lr - s.min_lr) * 0.5 * (1 + Math.cos(Math.PI * Math.min(Math.max(t, 0), s.total_steps) / s.total_steps));
    case "exponential": return (t) => s.lr * s.gamma ** t;
    case "step": return (t) => s.lr * s.gamma ** Math.floor(t / s.drop_every);
    case "multistep": return (t) => s.lr * s.gamma ** s.milestones.filter((m) => t >= m).length;
    case "polynomial": return (t) => (s.lr - s.min_lr) * (1 - Math.min(Math.max(t, 0), s.total_steps) / s.total_steps) ** s.power + s.min_lr;
    case "cyclic": return cyclic(s);
    case "one_cycle": return oneCycle(s);
    case "warmup": {
      // as lrscope.schedules.Warmup: ramp to target = schedule(0), then schedule(t - W)
      if (s.mode !== "linear" && s.mode !== "exp") throw new Error(`warmup mode must be "linear" or "exp", got "${s.mode}"`);
      if (s.mode === "exp" && !(s.start_factor > 0)) throw new Error("exp warmup needs start_factor > 0");
      const inner = fromSpec(s.schedule), W = s.warmup_steps, f0 = s.start_factor;
      const f = (t) => {
        if (t >= W) return inner(t - W);
        const ramp = s.mode === "exp" ? f0 ** (1 - t / W) : f0 + (1 - f0) * (t / W);
        return inner(0) * ramp;
      };
      if (inner.momentum) f.momentum = (t) => inner.momentum(Math.max(t - W, 0));
      return f;
    }
    case "join": {
      const parts = s.schedules.map(fromSpec);
      if (parts.length !== s.boundaries.length + 1) throw new Error("join needs one more schedule than boundaries");
      return (t) => {
        let k = 0;
        while (k < s.boundaries.length && t >= s.boundaries[k]) k++;
        return parts[k](k === 0 ? t : t - s.boundaries[k - 1]);
      };
    }
    default: throw new Error(`unknown schedule kind "${s.kind}"`);
  }
}

function cyclic(s) {
  // as lrscope.schedules.CyclicLR: w rises 0 -> 1 over step_size, falls back over step_size_down
  if (s.scale_fn !== undefined && s.scale_fn !== null) throw new Error("cyclic: a custom scale_fn cannot be given in a spec");
  const up = s.step_size, down = s.step_size_down === undefined || s.step_size_down === null ? up : s.step_size_down;
  const total = up + down;
  if (!["triangular", "triangular2", "exp_range"].includes(s.policy)) throw new Error(`cyclic: unknown policy "${s.policy}"`);
  const height = (t) => {
    const cycle = Math.floor(1 + t / total);
    const p = t - (cycle - 1) * total;
    const w = p <= up ? p / up : (total - p) / down;
    const scale = s.policy === "triangular" ? 1.0 : s.policy === "triangular2" ? 0.5 ** (cycle - 1) : s.gamma ** t;
    return cyclicWindow(s.window, w) * scale;
  };
  const f = (t) => s.base_lr + (s.max_lr - s.base_lr) * height(t);
  f.momentum = (t) => s.max_momentum - (s.max_momentum - s.base_momentum) * height(t);
  return f;
}

function oneCycle(s) {
  const initial = s.max_lr / s.div_factor, final = initial / s.final_div_factor;
  const T = s.total_steps, anneal = s.anneal === "cos" ? annealCos : annealLinear;
  const phases = s.three_phase
    ? [[s.pct_start * T - 1, initial, s.max_lr, s.max_momentum, s.base_momentum],
      [2 * s.pct_start * T - 2, s.max_lr, initial, s.base_momentum, s.max_momentum],
      [T - 1, initial, final, s.max_momentum, s.max_momentum]]
    : [[s.pct_start * T - 1, initial, s.max_lr, s.max_momentum, s.base_momentum],
      [T - 1, s.max_lr, final, s.base_momentum, s.max_momentum]];
  const at = (t, which) => {
    const step = Math.min(Math.max(t, 0), T - 1);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const [end, lr0, lr1, m0, m1] = phases[i];
      if (step <= end || i === phases.length - 1) {
        const pct = end > start ? (step - start) / (end - start) : 1;
        return which === "lr" ? anneal(lr0, lr1, pct) : anneal(m0, m1, pct);
      }
      start = end;
    }
    return NaN;
  };
  const f = (t) => at(t, "lr");
  f.momentum = (t) => at(t, "m");
  return f;
}

/** Evaluate a spec at steps 0..n-1. */
export function evaluate(spec, n) {
  const f = fromSpec(spec);
  return Array.from({ length: n }, (_, t) => f(t));
}
