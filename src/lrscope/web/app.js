// The explorer page: wires the controls to the math modules and the canvas views.
// The whole set-up lives in the URL hash, so a copied link reproduces it.

import { SURFACE_NAMES, makeSurface } from "./surfaces.js";
import { OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, makeOptimizer, runOptimizer, fmt } from "./optimizers.js";
import { fromSpec } from "./schedules.js";
import { rangeTest } from "./rangetest.js";
import { parseLandscape, validateLandscape } from "./landscape.js";
import { COLORS, contourImage, drawColorBar, drawMap, drawChart, mapTransform, logHeight, logicalSize } from "./render.js";
import { View3D } from "./view3d.js";

const $ = (id) => document.getElementById(id);

const SCHED_PARAMS = {
  constant: [],
  step: [["drop_every", "Drop every (steps)", 50], ["gamma", "Gamma", 0.5]],
  cosine: [["min_lr", "Min LR", 0]],
  cyclic: [["policy", "Policy", "triangular", ["triangular", "triangular2", "exp_range"]], ["window", "Window", "triangular", ["triangular", "welch", "hann"]],
    ["step_size", "Step size (half cycle)", 25], ["div", "max/base", 10], ["gamma", "Gamma (exp_range)", 0.99]],
  one_cycle: [["pct_start", "pct_start", 0.3], ["div_factor", "div_factor", 25], ["final_div_factor", "final_div_factor", 1e4], ["anneal", "Anneal", "cos", ["cos", "linear"]]],
};
const OPT_LABELS = { momentum: "Momentum μ", alpha: "α", eps: "ε", beta1: "β1", beta2: "β2" };

function defaultState() {
  return {
    surface: "bowl", kappa: 10, start: [-1.6, 1.2], opt: "sgd", optParams: {}, lr: 0.05, steps: 200, noise: 0, seed: 1,
    sched: "constant", schedParams: {}, warmup: false, warmupSteps: 20, speed: 2, kept: [],
  };
}

const app = {
  state: defaultState(), land: null, surface: null, image: null, view3d: null,
  current: null, runs: [], frame: 0, playing: false, frames: 0, rt: null, lesson: null, rafId: 0,
};
window.explorer = app; // for tests, benchmarks and the curious
app.exportCanvas = () => exportCanvas();
app.redraw = () => draw();

// ---- URL hash <-> state ---------------------------------------------------------------

function encodeState(s) {
  const q = new URLSearchParams();
  q.set("s", s.surface); if (s.surface === "bowl") q.set("k", s.kappa);
  q.set("x", +s.start[0].toPrecision(6)); q.set("y", +s.start[1].toPrecision(6));
  q.set("opt", s.opt); for (const [k, v] of Object.entries(s.optParams)) q.set(`o.${k}`, v);
  q.set("lr", s.lr); q.set("n", s.steps);
  if (s.noise) { q.set("noise", s.noise); q.set("seed", s.seed); }
  q.set("sched", s.sched); for (const [k, v] of Object.entries(s.schedParams)) q.set(`p.${k}`, v);
  if (s.warmup) q.set("wu", s.warmupSteps);
  q.set("speed", s.speed);
  if (s.kept.length) q.set("keep", JSON.stringify(s.kept));
  return q.toString();
}

function decodeState(hash) {
  const s = defaultState();
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  if (![...q.keys()].length) return s;
  const num = (k, d) => (q.has(k) && Number.isFinite(Number(q.get(k))) ? Number(q.get(k)) : d);
  s.surface = q.get("s") || s.surface; s.kappa = num("k", s.kappa);
  s.start = [num("x", s.start[0]), num("y", s.start[1])];
  s.opt = q.get("opt") || s.opt; s.lr = num("lr", s.lr); s.steps = Math.round(num("n", s.steps));
  s.noise = num("noise", 0); s.seed = Math.round(num("seed", 1));
  s.sched = q.get("sched") || s.sched; s.speed = num("speed", s.speed);
  if (q.has("wu")) { s.warmup = true; s.warmupSteps = Math.round(num("wu", 20)); }
  for (const [k, v] of q.entries()) {
    if (k.startsWith("o.")) s.optParams[k.slice(2)] = Number(v);
    if (k.startsWith("p.")) s.schedParams[k.slice(2)] = Number.isFinite(Number(v)) && v !== "" ? Number(v) : v;
  }
  if (q.has("keep")) { try { s.kept = JSON.parse(q.get("keep")); } catch (_) { throw new Error("the link's kept runs are not valid JSON"); } }
  if (!(s.surface in SURFACE_NAMES)) throw new Error(`the link names an unknown surface "${s.surface}"`);
  if (!(s.opt in OPTIMIZER_DEFAULTS)) throw new Error(`the link names an unknown optimizer "${s.opt}"`);
  if (!(s.sched in SCHED_PARAMS)) throw new Error(`the link names an unknown schedule "${s.sched}"`);
  return s;
}

// ---- schedule spec from the controls ---------------------------------------------------

/** The lrscope.schedules spec for a set-up (the same dict `lrscope schedule --spec` takes). */
export function scheduleSpec(s) {
  const p = (k) => {
    const d = SCHED_PARAMS[s.sched].find((e) => e[0] === k);
    return s.schedParams[k] ?? d[2];
  };
  let spec;
  // with a warmup, a schedule with a length gets the steps left after it
  const total = s.warmup ? Math.max(2, s.steps - Math.max(1, s.warmupSteps)) : Math.max(2, s.steps);
  switch (s.sched) {
    case "constant": spec = { kind: "constant", lr: s.lr }; break;
    case "step": spec = { kind: "step", lr: s.lr, drop_every: Math.max(1, Math.round(p("drop_every"))), gamma: p("gamma") }; break;
    case "cosine": spec = { kind: "cosine", lr: s.lr, total_steps: total, min_lr: p("min_lr") }; break;
    case "cyclic": spec = { kind: "cyclic", base_lr: s.lr / p("div"), max_lr: s.lr, step_size: Math.max(1, Math.round(p("step_size"))), policy: p("policy"), window: p("window"), gamma: p("gamma") }; break;
    case "one_cycle": spec = { kind: "one_cycle", max_lr: s.lr, total_steps: total, pct_start: p("pct_start"), div_factor: p("div_factor"), final_div_factor: p("final_div_factor"), anneal: p("anneal") }; break;
    default: throw new Error(`unknown schedule ${s.sched}`);
  }
  if (s.warmup) spec = { kind: "warmup", schedule: spec, warmup_steps: Math.max(1, s.warmupSteps) };
  return spec;
}

// ---- building controls ---------------------------------------------------------------

function fillSelect(sel, entries) {
  sel.innerHTML = "";
  for (const [value, label] of entries) sel.add(new Option(label, value));
}

function paramInputs(container, defs, values, prefix) {
  // the same fields as now: only update their values (never the one being typed in), so that
  // focus and the caret stay where the user put them
  const keys = defs.map((d) => d[0]).join(",");
  if (container.dataset.keys === keys && container.children.length === defs.length) {
    for (const [key, , dflt] of defs) {
      const el = container.querySelector(`[data-key="${key}"]`);
      if (el && el !== document.activeElement) el.value = values[key] ?? dflt;
    }
    return;
  }
  container.dataset.keys = keys;
  container.innerHTML = "";
  for (const [key, label, dflt, options] of defs) {
    const lab = document.createElement("label");
    lab.textContent = label;
    let input;
    if (options) {
      input = document.createElement("select");
      for (const o of options) input.add(new Option(o, o));
    } else {
      input = document.createElement("input"); input.type = "number"; input.step = "any";
    }
    input.id = `${prefix}-${key}`; input.dataset.key = key;
    input.value = values[key] ?? dflt;
    lab.appendChild(input); container.appendChild(lab);
  }
}

function renderControls() {
  // a re-render must not lose the focus: when the focused field is rebuilt, focus its successor
  const focusedId = document.activeElement && document.activeElement.id;
  renderControlValues();
  if (focusedId && document.activeElement !== document.getElementById(focusedId)) {
    const again = document.getElementById(focusedId);
    if (again) again.focus();
  }
}

function renderControlValues() {
  const s = app.state;
  $("surface").value = s.surface; $("kappa").value = s.kappa;
  $("kappa-row").hidden = s.surface !== "bowl";
  $("start-x").value = +s.start[0].toPrecision(6); $("start-y").value = +s.start[1].toPrecision(6);
  $("optimizer").value = s.opt;
  const od = Object.entries(OPTIMIZER_DEFAULTS[s.opt]).map(([k, v]) => [k, OPT_LABELS[k] || k, v]);
  paramInputs($("opt-params"), od, s.optParams, "opt");
  $("lr").value = s.lr; $("lr-slider").value = Math.log10(s.lr);
  $("steps").value = s.steps; $("noise").value = s.noise; $("seed").value = s.seed;
  $("schedule").value = s.sched;
  paramInputs($("sched-params"), SCHED_PARAMS[s.sched], s.schedParams, "sched");
  $("warmup").checked = s.warmup; $("warmup-steps").value = s.warmupSteps;
  $("speed").value = s.speed;
}

function readControls() {
  // an empty field is not 0: it reads as NaN, which check() names
  const s = app.state, num = (id) => ($(id).value.trim() === "" ? NaN : Number($(id).value));
  s.surface = $("surface").value; s.kappa = num("kappa");
  s.start = [num("start-x"), num("start-y")];
  s.opt = $("optimizer").value;
  s.optParams = {};
  for (const el of $("opt-params").querySelectorAll("[data-key]")) if (el.dataset.key in OPTIMIZER_DEFAULTS[s.opt] && Number(el.value) !== OPTIMIZER_DEFAULTS[s.opt][el.dataset.key]) s.optParams[el.dataset.key] = Number(el.value);
  s.lr = num("lr"); s.steps = Math.round(num("steps")); s.noise = num("noise"); s.seed = Math.round(num("seed"));
  s.sched = $("schedule").value;
  s.schedParams = {};
  for (const el of $("sched-params").querySelectorAll("[data-key]")) {
    const def = SCHED_PARAMS[s.sched].find((e) => e[0] === el.dataset.key);
    if (!def) continue; // the inputs of the schedule just switched away from
    const v = def[3] ? el.value : Number(el.value);
    if (v !== def[2]) s.schedParams[el.dataset.key] = v;
  }
  s.warmup = $("warmup").checked; s.warmupSteps = Math.round(num("warmup-steps"));
  s.speed = num("speed");
}

function check(s) {
  const bad = (field, what, fix) => { throw new FieldError(`${what}; ${fix}`, field); };
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) bad("lr", `the learning rate must be a positive number, got ${s.lr}`, "type e.g. 0.01");
  if (!(s.steps >= 1 && s.steps <= 100000)) bad("steps", `steps must be between 1 and 100000, got ${s.steps}`, "type e.g. 200");
  if (!(s.noise >= 0)) bad("noise", `gradient noise must be >= 0, got ${s.noise}`, "use 0 for exact gradients");
  if (s.surface === "bowl" && !(s.kappa >= 1 && s.kappa <= 1e6)) bad("kappa", `the condition number must be between 1 and 1e6, got ${s.kappa}`, "type e.g. 10");
  if (!Number.isFinite(s.start[0])) bad("start-x", "the start point's x must be a number", "type one, or click the map");
  if (!Number.isFinite(s.start[1])) bad("start-y", "the start point's y must be a number", "type one, or click the map");
}

// ---- runs --------------------------------------------------------------------------------

function computeRun(cfg, color, label) {
  const opt = makeOptimizer(cfg.opt, cfg.optParams);
  const spec = scheduleSpec(cfg), lrf = fromSpec(spec);
  const r = runOptimizer(app.surface, opt, cfg.start, cfg.steps, lrf, { noise: cfg.noise, seed: cfg.seed });
  return { ...r, cfg: structuredClone(cfg), spec, color, label, visible: true };
}

function runLabel(cfg) {
  const o = OPTIMIZER_NAMES[cfg.opt];
  const sched = cfg.sched === "constant" ? "" : ` ${cfg.sched.replace("_", "-")}`;
  return `${o} lr=${fmt(cfg.lr)}${sched}${cfg.warmup ? "+warmup" : ""}${cfg.noise ? ` σ=${fmt(cfg.noise)}` : ""}`;
}

function keptConfig(s) {
  const { kept, speed, ...cfg } = s;
  return cfg;
}

function recompute({ keepFrame = false } = {}) {
  const s = app.state;
  check(s);
  const kept = s.kept.map((k, i) => {
    const cfg = { ...keptConfig(s), ...k, start: k.start ?? s.start };
    const run = computeRun(cfg, COLORS[(i + 1) % COLORS.length], runLabel(cfg));
    run.visible = k.visible !== false;
    return run;
  });
  app.current = computeRun(keptConfig(s), COLORS[0], `current: ${runLabel(s)}`);
  app.runs = [app.current, ...kept];
  // live: a change draws the new paths whole at once (dragging the LR slider re-draws as you
  // drag); Play replays them from step 0
  if (!keepFrame) { setPlaying(false); app.frame = maxLen(); }
  $("spec").textContent = JSON.stringify(scheduleSpec(s), null, 1);
  renderRunsList();
  renderRealRuns();
  renderLesson();
  draw();
}

function renderRunsList() {
  const ul = $("runs"); ul.innerHTML = "";
  app.runs.forEach((run, i) => {
    const li = document.createElement("li");
    const box = document.createElement("input"); box.type = "checkbox"; box.checked = run.visible;
    box.addEventListener("change", () => {
      run.visible = box.checked;
      if (i > 0) { app.state.kept[i - 1].visible = box.checked; if (box.checked) delete app.state.kept[i - 1].visible; writeHash(); }
      draw();
    });
    const lab = document.createElement("label");
    const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = run.color;
    lab.append(box, sw, document.createTextNode(run.label)); li.appendChild(lab);
    const note = document.createElement("span"); note.className = "note";
    note.textContent = run.diverged ? `diverged at step ${run.diverged.step}` : `final loss ${fmt(run.losses.at(-1))}`;
    li.appendChild(note);
    if (i > 0) {
      const rm = document.createElement("button"); rm.type = "button"; rm.textContent = "Remove";
      rm.setAttribute("aria-label", `Remove run ${run.label}`);
      rm.addEventListener("click", () => { app.state.kept.splice(i - 1, 1); writeHash(); recompute({ keepFrame: true }); });
      li.appendChild(rm);
    }
    ul.appendChild(li);
  });
}

// ---- drawing ---------------------------------------------------------------------------------

function setSurface() {
  const s = app.state;
  // a range test belongs to the surface it ran on: a new surface hides the old result
  app.rt = null; $("rt-panel").hidden = true;
  app.surface = makeSurface(s.surface, { kappa: s.kappa }, app.land);
  app.image = contourImage(app.surface, 240);
  app.view3d.setSurface(app.surface, app.image.range);   // the 3-D colours span the map's
}

function status() {
  const run = app.current, el = $("status");
  const t = Math.min(app.frame, run.xs.length - 1);
  if (run.diverged && app.frame >= run.xs.length - 1) {
    el.className = "diverged"; el.textContent = run.diverged.message;
  } else {
    el.className = "";
    const dist = Math.min(...app.surface.minima.map(([mx, my]) => Math.hypot(run.xs[t] - mx, run.ys[t] - my)));
    el.textContent = `step ${t} of ${app.state.steps}: loss ${fmt(run.losses[t])}, lr ${fmt(run.lrs[Math.max(0, t - 1)] ?? app.state.lr)}, distance to the nearest minimum ${fmt(dist)}`;
  }
  el.dataset.step = String(t);
  el.dataset.loss = String(run.losses[t]);
}

/**
 * The real training runs of a landscape file (`lrscope landscape --trajectories`), as far as step
 * `upto`: each {label, xs, ys, losses, steps, color, dash, visible}, drawn dashed at the network's
 * real losses (not the surface's value under the projection).
 */
function realRuns(upto) {
  const paths = app.state.surface === "landscape" && app.land && app.land.paths;
  if (!paths) return [];
  return paths.map((p, k) => {
    let n = 0;
    while (n < p.step.length && p.step[n] <= upto) n++;
    return { label: p.label, xs: p.x.slice(0, n), ys: p.y.slice(0, n), losses: p.loss.slice(0, n), steps: p.step.slice(0, n),
             color: COLORS[(COLORS.length - 1 - k) % COLORS.length], dash: [6, 4], visible: true, path: p };
  });
}

function renderRealRuns() {
  const paths = app.state.surface === "landscape" && app.land && app.land.paths;
  $("real-panel").hidden = !paths;
  if (!paths) return;
  const ul = $("real-runs"); ul.innerHTML = "";
  for (const r of realRuns(Infinity)) {
    const li = document.createElement("li"), p = r.path;
    const sw = document.createElement("span"); sw.className = "swatch dashed"; sw.style.borderColor = r.color;
    const end = p.diverged ? `diverged by step ${p.step.at(-1)}` : `loss ${fmt(p.loss[0])} → ${fmt(p.loss.at(-1))} in ${p.step.at(-1)} steps`;
    li.append(sw, document.createTextNode(` ${p.label}: ${end}`));
    ul.appendChild(li);
  }
  const plane = app.land.plane;
  $("real-hint").textContent = plane && plane.method === "pca"
    ? `The map is the plane of these runs' weights (PCA, ${(100 * (plane.explained_variance || []).slice(0, 2).reduce((a, b) => a + b, 0)).toFixed(0)}% of their movement), centred on ${plane.center}. Their losses are the network's own; the simulated runs roll on the picture.`
    : "Their losses are the network's own; the simulated runs roll on the picture.";
}

function draw() {
  if (!app.current) return;
  const upto = app.frame;
  const real = realRuns(upto);
  drawMap($("map"), app.surface, app.image, app.runs.concat(real), app.state.start, upto,
          app.state.surface === "landscape" ? ["α", "β"] : ["x", "y"]);
  drawColorBar($("map-colorbar"), app.surface, app.image.range);
  app.view3d.draw(app.runs, upto);
  const vis = app.runs.filter((r) => r.visible);
  const fmin = app.surface.fmin;
  // the real loss (a network's landscape sits at ~1.7, not at 0); "above the minimum" on request
  const aboveMin = $("above-min").checked;
  const lossYs = vis.map((r) => (aboveMin ? r.losses.map((l) => Math.max(l - fmin, 1e-12)) : r.losses));
  const positive = lossYs.every((ys) => ys.every((l) => !Number.isFinite(l) || l > 0));
  const logLoss = aboveMin || positive;
  const realYs = real.map((r) => (aboveMin ? r.losses.map((l) => Math.max(l - fmin, 1e-12)) : r.losses));
  const realSeries = real.map((r, i) => ({ xs: r.steps, ys: realYs[i], color: r.color, dash: r.dash }));
  drawChart($("loss-chart"), vis.map((r, i) => ({ ys: lossYs[i], color: r.color })).concat(realSeries),
            { logY: logLoss && realYs.every((ys) => ys.every((l) => l > 0)), upto,
              xMax: Math.max(...vis.map((r) => r.cfg.steps), ...real.map((r) => r.path.step.at(-1)), 1),
              // a real run that exploded would squash the others: the axis stops at 10x the highest start
              yMax: real.length ? 10 * Math.max(...lossYs.concat(realYs).filter((ys) => ys.length).map((ys) => ys[0])) : null });
  $("loss-chart").dataset.first = String(lossYs.length ? lossYs[0][0] : NaN);   // for tests: what is plotted
  $("loss-chart").dataset.real = JSON.stringify(realSeries.map((r) => ({ steps: r.xs, losses: r.ys })));
  $("loss-caption").textContent = aboveMin ? "Loss above the surface minimum (log) against step"
    : `Loss against step${logLoss ? " (log)" : ""}`;
  // LR chart: the whole schedule of every visible run
  const lrSeries = vis.map((r) => ({ ys: Array.from({ length: r.cfg.steps }, (_, t) => fromSpec(r.spec)(t)), color: r.color }));
  const cur = lrSeries.length && app.current.visible ? lrSeries[0].ys : Array.from({ length: app.state.steps }, (_, t) => fromSpec(app.current.spec)(t));
  const lo = Math.min(...cur), hi = Math.max(...cur);
  drawChart($("lr-chart"), lrSeries, { logY: hi / Math.max(lo, 1e-300) > 20 });
  const cap = $("lr-caption");
  cap.textContent = `Learning rate against step (${app.current.spec.kind}): first ${fmt(cur[0])}, max ${fmt(hi)}, last ${fmt(cur.at(-1))}`;
  cap.dataset.first = String(cur[0]); cap.dataset.max = String(hi); cap.dataset.last = String(cur.at(-1)); cap.dataset.kind = app.current.spec.kind;
  status();
  app.frames++;
}

// ---- animation ----------------------------------------------------------------------------

function maxLen() {
  const real = realRuns(Infinity).map((r) => r.steps.at(-1) ?? 0);   // a real run may be longer than the simulated ones
  return Math.max(...app.runs.map((r) => r.xs.length - 1), ...real);
}

function tick() {
  if (!app.playing) return;
  app.frame = Math.min(app.frame + app.state.speed, maxLen());
  draw();
  if (app.frame >= maxLen()) { setPlaying(false); return; }
  app.rafId = requestAnimationFrame(tick);
}

function setPlaying(on) {
  app.playing = on;
  $("play").textContent = on ? "Pause" : "Play";
  // one animation loop at a time: pausing and playing within one frame must not start a second
  if (app.rafId) { cancelAnimationFrame(app.rafId); app.rafId = 0; }
  if (on) {
    if (app.frame >= maxLen()) app.frame = 0;
    app.rafId = requestAnimationFrame(tick);
  }
}

// ---- range test ---------------------------------------------------------------------------

const SUGGEST_COLORS = { steepest: "#d1495b", valley: "#00a37a", min_div10: "#8e44ad", loss_fall: "#1b998b", loss_rise: "#edae49", loss_rise_div3: "#2e86de" };

function runRangeTest() {
  const s = app.state;
  const a = Number($("rt-start").value), b = Number($("rt-end").value), n = Math.round(Number($("rt-steps").value));
  if (!(a > 0 && b > a)) throw new Error(`the range test needs 0 < from < to, got from=${a}, to=${b}; e.g. from 1e-5 to 10`);
  if (!(n >= 5 && n <= 100000)) throw new Error(`the range test needs 5 to 100000 steps, got ${n}`);
  const r = rangeTest(app.surface, makeOptimizer(s.opt, s.optParams), s.start, { startLr: a, endLr: b, numSteps: n });
  app.rt = r;
  $("rt-panel").hidden = false;
  const marks = Object.entries(r.suggestions).filter(([, v]) => v !== null).map(([k, v], i) => ({ x: v, color: SUGGEST_COLORS[k] || "#333", label: k, row: i }));
  const lift = (l) => Math.max(l - app.surface.fmin, 1e-12);
  drawChart($("rt-chart"), [{ xs: r.lrs, ys: r.losses.map(lift), color: "#b8c4e6" }, { xs: r.curve.lrs, ys: r.curve.loss.map(lift), color: "#2b59c3" }],
    { logX: true, logY: true, xLabel: "learning rate", marks });
  const ul = $("rt-suggestions"); ul.innerHTML = "";
  const head = document.createElement("li");
  head.textContent = `${OPTIMIZER_NAMES[s.opt]} from (${fmt(s.start[0])}, ${fmt(s.start[1])}): ${r.lrs.length} steps, stopped: ${r.stop_reason}`;
  ul.appendChild(head);
  for (const [name, lr] of Object.entries(r.suggestions)) {
    const li = document.createElement("li"); li.dataset.suggester = name; li.dataset.lr = String(lr);
    const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = SUGGEST_COLORS[name] || "#333";
    li.append(sw, document.createTextNode(`${name}: ${lr === null ? "no suggestion" : fmt(lr)}`));
    if (lr !== null) {
      const use = document.createElement("button"); use.type = "button"; use.textContent = "Use";
      use.setAttribute("aria-label", `Use ${name} learning rate ${fmt(lr)}`);
      use.addEventListener("click", guard(() => { app.state.lr = Number(lr.toPrecision(3)); renderControls(); commit(); }));
      li.appendChild(use);
    }
    ul.appendChild(li);
  }
}

// ---- landscape files ------------------------------------------------------------------------

function loadLandscape(doc, name) {
  app.land = validateLandscape(doc);
  if (name && !app.land.name) app.land.name = name;
  if (!$("surface").querySelector('option[value="landscape"]')) $("surface").add(new Option(SURFACE_NAMES.landscape, "landscape"));
}

function useLandscape() {
  const s = app.state;
  s.surface = "landscape";
  const sf = makeSurface("landscape", {}, app.land);
  const real = app.land.paths && app.land.paths[0];
  // with real training paths, the simulated run starts where the network did (inside the map)
  const [x0, x1, y0, y1] = sf.domain;
  s.start = real && real.x[0] >= x0 && real.x[0] <= x1 && real.y[0] >= y0 && real.y[0] <= y1 ? [real.x[0], real.y[0]] : sf.start.slice();
  s.lr = 0.01; s.kept = [];
  renderControls(); setSurface(); writeHash(); recompute();
}

// ---- lessons --------------------------------------------------------------------------------
// Three set-ups, each with two sentences. The numbers in the text are read from the runs the page
// has just computed, and each lesson's `holds` checks its claim on them: when the user changes the
// set-up so that the claim no longer holds, the page says so instead of asserting it.

const lastLoss = (r) => r.losses.at(-1);
const nearest = (r, [mx, my]) => Math.hypot(r.xs.at(-1) - mx, r.ys.at(-1) - my);

export const LESSONS = {
  lr: {
    state: { surface: "bowl", kappa: 10, start: [-1.6, 1.2], opt: "sgd", lr: 0.18, steps: 200, sched: "constant",
             kept: [{ lr: 0.005 }, { lr: 0.21 }] },
    holds: ([right, small, big]) => !right.diverged && lastLoss(right) < 1e-10 && !small.diverged && lastLoss(small) > 1e-2 && !!big.diverged,
    text: ([right, small, big]) => "On this bowl (condition number 10) plain SGD is stable only below lr = 2/κ = 0.2. " +
      `At lr 0.005 it crawls (loss ${fmt(lastLoss(small))} after 200 steps), at 0.18 it converges (loss ${fmt(lastLoss(right))}), ` +
      `and at 0.21 it explodes (step ${big.diverged.step}).`,
  },
  warmup: {
    state: { surface: "rosenbrock", start: [-1.5, 2], opt: "momentum", lr: 0.003, steps: 300, sched: "constant",
             warmup: true, warmupSteps: 50, kept: [{ warmup: false }] },
    holds: ([warm, cold]) => !!cold.diverged && cold.diverged.step <= 20 && !warm.diverged && lastLoss(warm) < 1e-3,
    text: ([warm, cold]) => "Momentum at lr 0.003 starts on Rosenbrock's steep wall, where the curvature is far higher than " +
      `in the valley: at a constant LR it explodes at step ${cold.diverged.step}. A linear warmup over 50 steps reaches the ` +
      `full LR only once the path is down in the flatter valley, and it converges (loss ${fmt(lastLoss(warm))} after 300 steps).`,
  },
  cyclic: {
    state: { surface: "wells", start: [-2, -1.5], opt: "momentum", lr: 0.5, steps: 300, sched: "cyclic",
             schedParams: { policy: "triangular2", div: 10, step_size: 20 },
             kept: [{ sched: "constant", schedParams: {}, lr: 0.05 }, { sched: "constant", schedParams: {}, lr: 0.5 }] },
    holds: (runs) => {
      const [clr, ...flat] = runs, [deep, shallow] = app.surface.minima;
      return !clr.diverged && nearest(clr, deep) < 0.1 && flat.every((r) => !r.diverged && nearest(r, shallow) < 0.1);
    },
    text: ([clr, low, high]) => "From (−2, −1.5) momentum settles in the shallow well at a constant LR of 0.05 or 0.5 " +
      `(loss ${fmt(lastLoss(low))} and ${fmt(lastLoss(high))}). A cyclical LR between the same two values (triangular2, ` +
      `half a cycle 20 steps) is kicked out of it by its peaks and ends in the deep well (loss ${fmt(lastLoss(clr))}).`,
  },
};

function applyLesson(name) {
  const lesson = LESSONS[name];
  app.state = { ...defaultState(), ...structuredClone(lesson.state), speed: app.state.speed };
  app.lesson = name;
  renderControls(); setSurface(); writeHash(); recompute();
}

function renderLesson() {
  const el = $("lesson-text");
  for (const b of document.querySelectorAll("[data-lesson]")) b.setAttribute("aria-pressed", String(b.dataset.lesson === app.lesson));
  if (!app.lesson) { el.textContent = ""; el.dataset.holds = ""; return; }
  const lesson = LESSONS[app.lesson];
  const holds = app.runs.length === lesson.state.kept.length + 1 && lesson.holds(app.runs);
  el.dataset.holds = String(holds);
  el.textContent = holds ? lesson.text(app.runs)
    : "The set-up has changed, so the runs no longer show this lesson's claim; press the lesson again to restore it.";
}

// ---- export ---------------------------------------------------------------------------------

function download(name, url) {
  const a = document.createElement("a"); a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
}

/**
 * One PNG of the whole view: a title (surface, optimizer, LR, schedule), the map and the 3-D view
 * side by side at one size (the 3-D canvas is device-pixel sized), the loss and LR charts under
 * them, and a legend of the runs with their final losses.
 */
function exportCanvas() {
  draw();
  const m = $("map"), d = $("surf3d"), lc = $("loss-chart"), rc = $("lr-chart");
  const W = logicalSize(m).w, pad = 12, titleH = 30, lineH = 18;
  const runs = app.runs.filter((r) => r.visible).concat(realRuns(Infinity));
  const chartH = Math.round(W * logicalSize(lc).h / logicalSize(lc).w);
  const c = document.createElement("canvas");
  c.width = 2 * W + 3 * pad;
  c.height = titleH + W + chartH + 2 * pad + 22 + lineH * runs.length + pad;
  const ctx = c.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, c.width, c.height);
  ctx.fillStyle = "#1f2430"; ctx.font = "bold 15px system-ui, sans-serif"; ctx.textBaseline = "middle";
  const s = app.state;
  ctx.fillText(`lrscope explorer: ${app.surface.name}, ${OPTIMIZER_NAMES[s.opt]}, lr ${fmt(s.lr)}, ${s.sched}${s.warmup ? " + warmup" : ""}, ${s.steps} steps`, pad, titleH / 2 + 2);
  const y0 = titleH;
  ctx.drawImage(m, pad, y0, W, W);
  ctx.drawImage(d, 2 * pad + W, y0, W, W);    // scaled to the map's size whatever the device pixel ratio
  const y1 = y0 + W + pad;
  ctx.drawImage(lc, pad, y1, W, chartH);
  ctx.drawImage(rc, 2 * pad + W, y1, W, chartH);
  ctx.font = "12px system-ui, sans-serif"; ctx.fillStyle = "#5b6475";
  ctx.fillText($("loss-caption").textContent, pad, y1 + chartH + 11);
  ctx.fillText($("lr-caption").textContent, 2 * pad + W, y1 + chartH + 11);
  let y = y1 + chartH + 22 + lineH / 2;
  for (const r of runs) {
    ctx.strokeStyle = r.color; ctx.lineWidth = 3; ctx.setLineDash(r.dash || []);
    ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(pad + 22, y); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = "#1f2430";
    const end = r.path ? (r.path.diverged ? "diverged" : `real run: loss ${fmt(r.path.loss.at(-1))}`)
      : (r.diverged ? `diverged at step ${r.diverged.step}` : `final loss ${fmt(r.losses.at(-1))}`);
    ctx.fillText(`${r.label}: ${end}`, pad + 30, y);
    y += lineH;
  }
  c.dataset.runs = String(runs.length);
  return c;
}

function exportPng() {
  download("lrscope-explorer.png", exportCanvas().toDataURL("image/png"));
}

/** The runs as a JSON document (format "lrscope-explorer-runs", version 1). */
function runsDocument() {
  return {
    format: "lrscope-explorer-runs", version: 1, url: location.href,
    surface: { id: app.surface.id, name: app.surface.name, params: app.surface.params, domain: app.surface.domain },
    runs: app.runs.map((r) => ({ label: r.label, optimizer: r.cfg.opt, optimizer_params: makeOptimizer(r.cfg.opt, r.cfg.optParams).h, schedule: r.spec, start: r.cfg.start, steps: r.cfg.steps, noise: r.cfg.noise, seed: r.cfg.seed, x: r.xs, y: r.ys, loss: r.losses, lr: r.lrs, diverged: r.diverged })),
  };
}

function exportJson() {
  const blob = new Blob([JSON.stringify(runsDocument(), null, 1)], { type: "application/json" });
  download("lrscope-explorer-runs.json", URL.createObjectURL(blob));
}

// ---- events ------------------------------------------------------------------------------------

/** An error of one field: shown beside it (and announced), the field marked invalid. */
class FieldError extends Error {
  constructor(message, field) { super(message); this.field = field; }
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll("[aria-invalid='true']")) {
    el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
  }
  for (const el of document.querySelectorAll(".field-error")) el.remove();
}

function showFieldError(id, msg) {
  const field = $(id);
  if (!field) return;
  field.setAttribute("aria-invalid", "true");
  const note = document.createElement("span");
  note.className = "field-error"; note.id = `err-${id}`; note.setAttribute("role", "alert"); note.textContent = msg;
  field.setAttribute("aria-describedby", note.id);
  (field.closest("label") || field).insertAdjacentElement("afterend", note);
  if (note.scrollIntoView) note.scrollIntoView({ block: "nearest" });
}

/** ``msg`` in the banner ("" clears it); ``sticky`` ones (a bad link, a load error) stay until dismissed. */
function showAlert(msg, { sticky = false, field = null } = {}) {
  if (sticky) {
    $("alert-sticky-text").textContent = msg; $("alert-sticky").hidden = !msg;
    return;
  }
  const el = $("alert");
  clearFieldErrors();
  if (msg) { el.textContent = msg; el.hidden = false; } else { el.textContent = ""; el.hidden = true; }
  if (msg && field) showFieldError(field, msg);
}

function guard(fn) {
  return (...args) => {
    try { showAlert(""); return fn(...args); } catch (e) { showAlert(e.message, { field: e.field || null }); return undefined; }
  };
}

function writeHash() { history.replaceState(null, "", `#${encodeState(app.state)}`); }

function commit(opts) { writeHash(); recompute(opts); }

function moveStart(x, y) {
  app.state.start = [x, y];
  $("start-x").value = +x.toPrecision(6); $("start-y").value = +y.toPrecision(6);
  commit();
}

function bind() {
  const onChange = guard((e) => {
    const id = e.target.id;
    const before = app.state.surface, beforeKappa = app.state.kappa, beforeOpt = app.state.opt, beforeSched = app.state.sched;
    if (id === "lr-slider") $("lr").value = Number((10 ** Number($("lr-slider").value)).toPrecision(3));
    readControls();
    if (id === "lr") $("lr-slider").value = Math.log10(app.state.lr);
    if (app.state.opt !== beforeOpt) app.state.optParams = {};
    if (app.state.sched !== beforeSched) app.state.schedParams = {};
    if (app.state.surface !== before || app.state.kappa !== beforeKappa) {
      if (app.state.surface === "landscape" && !app.land) { app.state.surface = before; renderControls(); throw new Error("no landscape file is loaded: use “Load landscape…” first"); }
      if (app.state.surface !== before) {
        // kept runs belong to the old surface: ask before dropping them
        const n = app.state.kept.length;
        if (n && !window.confirm(`Switching the surface drops the ${n} kept run${n > 1 ? "s" : ""}. Switch?`)) {
          app.state.surface = before; renderControls(); return;
        }
        const next = makeSurface(app.state.surface, { kappa: app.state.kappa }, app.land);
        app.state.start = next.start.slice(); app.state.kept = [];
        app.state.lr = next.lrHint;                 // a learning rate that suits the new surface
      }
      setSurface();
    }
    renderControls(); setPlaying(false); commit();
  });
  $("controls").addEventListener("change", onChange);
  $("toolbar").addEventListener("change", onChange);     // the typed LR, above the map
  $("above-min").addEventListener("change", guard(() => draw()));
  $("lr-slider").addEventListener("input", onChange);
  for (const b of document.querySelectorAll("[data-lesson]")) b.addEventListener("click", guard(() => applyLesson(b.dataset.lesson)));
  $("play").addEventListener("click", guard(() => setPlaying(!app.playing)));
  $("step").addEventListener("click", guard(() => { setPlaying(false); app.frame = Math.min(app.frame + 1, maxLen()); draw(); }));
  $("reset").addEventListener("click", guard(() => { setPlaying(false); app.frame = 0; draw(); }));
  $("keep").addEventListener("click", guard(() => {
    const { kept, speed, ...cfg } = app.state;
    app.state.kept.push(structuredClone(cfg)); commit({ keepFrame: true });
  }));
  $("rangetest").addEventListener("click", guard(runRangeTest));
  $("share").addEventListener("click", guard(async () => {
    writeHash();
    try { await navigator.clipboard.writeText(location.href); $("share").textContent = "Link copied"; } catch (_) { $("share").textContent = "Link in address bar"; }
    setTimeout(() => { $("share").textContent = "Copy link"; }, 1500);
  }));
  $("export-png").addEventListener("click", guard(exportPng));
  $("export-json").addEventListener("click", guard(exportJson));
  $("land-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const text = await file.text();
    try {
      const doc = parseLandscape(text, file.name); loadLandscape(doc, file.name); useLandscape();
      showAlert("", { sticky: true });
    } catch (err) { showAlert(err.message, { sticky: true }); }   // stays until dismissed
    e.target.value = "";
  });
  const map = $("map");
  map.addEventListener("click", guard((e) => {
    const r = map.getBoundingClientRect();
    const { w: mw, h: mh } = logicalSize(map);
    const T = mapTransform(app.surface, mw, mh);
    const [x, y] = T.toWorld(((e.clientX - r.left) / r.width) * mw, ((e.clientY - r.top) / r.height) * mh);
    setPlaying(false); moveStart(x, y);
  }));
  map.addEventListener("mousemove", (e) => {
    // the readout under the pointer: the surface's coordinates (alpha, beta for a network) and loss
    const r = map.getBoundingClientRect();
    const { w: mw, h: mh } = logicalSize(map);
    const T = mapTransform(app.surface, mw, mh);
    const [x, y] = T.toWorld(((e.clientX - r.left) / r.width) * mw, ((e.clientY - r.top) / r.height) * mh);
    const names = app.state.surface === "landscape" ? ["α", "β"] : ["x", "y"];
    $("map-readout").textContent = `${names[0]}=${fmt(x)}, ${names[1]}=${fmt(y)}, loss ${fmt(app.surface.f(x, y))}`;
  });
  map.addEventListener("mouseleave", () => { $("map-readout").textContent = ""; });
  map.addEventListener("keydown", guard((e) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const [x0, x1, y0, y1] = app.surface.domain, k = e.shiftKey ? 0.1 : 0.02;
    moveStart(app.state.start[0] + d[0] * k * (x1 - x0), app.state.start[1] + d[1] * k * (y1 - y0));
  }));
  // the 3-D view (#surf3d) handles its own drag, wheel, pinch and arrow keys (view3d.js)
  document.addEventListener("keydown", guard((e) => {
    const tag = (e.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea", "button"].includes(tag) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === " ") { e.preventDefault(); setPlaying(!app.playing); }
    else if (e.key === ".") { setPlaying(false); app.frame = Math.min(app.frame + 1, maxLen()); draw(); }
    else if (e.key === "r" || e.key === "R") { setPlaying(false); app.frame = 0; draw(); }
    else if (e.key === "k" || e.key === "K") $("keep").click();
  }));
  window.addEventListener("hashchange", () => {
    if (location.hash.slice(1) === encodeState(app.state)) return;
    let state;
    try { state = decodeState(location.hash); } catch (e) { showAlert(e.message, { sticky: true }); return; }
    guard(() => { app.state = state; renderControls(); setSurface(); recompute(); })();
  });
}

// ---- start-up ------------------------------------------------------------------------------------

async function preloadLandscape() {
  // an exported page inlines the file; `lrscope explore --landscape` serves it and names it in ?landscape=
  const inline = document.getElementById("preloaded-landscape");
  if (inline) { loadLandscape(parseLandscape(inline.textContent, "the inlined landscape"), null); return true; }
  const name = new URLSearchParams(location.search).get("landscape");
  if (!name) return false;
  const resp = await fetch(name);
  if (!resp.ok) throw new Error(`could not read the landscape ${name} (HTTP ${resp.status})`);
  loadLandscape(parseLandscape(await resp.text(), name), null);
  return true;
}

async function main() {
  fillSelect($("surface"), Object.entries(SURFACE_NAMES).filter(([k]) => k !== "landscape"));
  fillSelect($("optimizer"), Object.entries(OPTIMIZER_NAMES));
  app.view3d = new View3D($("surf3d"));   // three.js; a canvas wireframe without WebGL 2
  bind();
  let loaded = false;
  $("alert-dismiss").addEventListener("click", () => showAlert("", { sticky: true }));
  try { loaded = await preloadLandscape(); } catch (e) { showAlert(e.message, { sticky: true }); }
  try {
    app.state = decodeState(location.hash);
  } catch (e) { showAlert(`${e.message}; showing the default set-up`, { sticky: true }); app.state = defaultState(); }
  if (app.state.surface === "landscape" && !app.land) {
    showAlert("this link uses a loaded landscape, which a reload cannot bring back: load the same file with " +
              "“Load landscape…”; showing the default set-up", { sticky: true });
    app.state = defaultState();
  }
  if (loaded && !location.hash) { renderControls(); useLandscape(); } else { renderControls(); setSurface(); guard(() => { writeHash(); recompute(); })(); }
  document.body.dataset.ready = "1";
}

main();
