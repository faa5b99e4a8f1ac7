// Canvas drawing for the explorer: contour map, rotatable 3-D wireframe (the fallback of view3d.js), line charts.
// No libraries; every function takes a canvas (or its 2-D context) and plain data.

// ten hues far apart (Tableau 10 after our blue): two kept runs never get near-identical colours
export const COLORS = ["#2b59c3", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#333333"];

/**
 * A 2-D canvas drawn in its own (CSS-like) units, sharp at any device pixel ratio: the drawing
 * code works in `logicalSize(canvas)` (the width/height the page gave it, kept in data-w/data-h),
 * the backing store holds that times devicePixelRatio, and the context is scaled to match.
 */
export function logicalSize(canvas) {
  return { w: Number(canvas.dataset.w) || canvas.width, h: Number(canvas.dataset.h) || canvas.height };
}

export function sharpContext(canvas) {
  const { w, h } = logicalSize(canvas);
  canvas.dataset.w = String(w); canvas.dataset.h = String(h);
  const dpr = Math.max(1, Math.min(4, (typeof window !== "undefined" && window.devicePixelRatio) || 1));
  const W = Math.round(w * dpr), H = Math.round(h * dpr);
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(W / w, 0, 0, H / h, 0, 0);
  return { ctx, w, h };
}

/** Height used for colouring and the 3-D mesh: log10 of the loss above the surface minimum. */
export function logHeight(f, fmin) { return Math.log10(Math.max(f - fmin, 0) + 1e-3); }

/** The colour ramp of the map, the colour bar and the 3-D surface: t in [0, 1] -> [r, g, b] (0-255). */
export function viridisish(t) {
  // a perceptual blue -> green -> yellow ramp, t in [0, 1]
  t = Math.min(1, Math.max(0, t));
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = t * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2), u = x - i;
  return stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * u));
}

/** Sample log heights on an n x n grid over the domain: {h, lo, hi, n}. */
export function sampleSurface(surface, n) {
  const [x0, x1, y0, y1] = surface.domain;
  const h = new Float64Array(n * n);
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const v = logHeight(surface.f(x0 + (i / (n - 1)) * (x1 - x0), y0 + (j / (n - 1)) * (y1 - y0)), surface.fmin);
    h[j * n + i] = v; if (v < lo) lo = v; if (v > hi) hi = v;
  }
  return { h, lo, hi, n };
}

/** Draw the banded contour image (computed once per surface) into an offscreen canvas. */
export function contourImage(surface, size) {
  const s = sampleSurface(surface, size);
  const off = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(size, size) : Object.assign(document.createElement("canvas"), { width: size, height: size });
  const ctx = off.getContext("2d");
  const img = ctx.createImageData(size, size);
  const bands = 18, band = (v) => Math.floor(((v - s.lo) / (s.hi - s.lo || 1)) * bands);
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
    const v = s.h[j * size + i], b = band(v);
    const edge = (i > 0 && band(s.h[j * size + i - 1]) !== b) || (j > 0 && band(s.h[(j - 1) * size + i]) !== b);
    const [r, g, bl] = viridisish(((v - s.lo) / (s.hi - s.lo || 1)) * 0.85 + 0.1);
    const k = ((size - 1 - j) * size + i) * 4; // y grows upwards
    const dim = edge ? 0.72 : 1;
    img.data[k] = r * dim; img.data[k + 1] = g * dim; img.data[k + 2] = bl * dim; img.data[k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  off.range = { lo: s.lo, hi: s.hi };     // the log heights the colours span (for the colour bar)
  return off;
}

/** A "nice" tick step (1, 2 or 5 times a power of ten) for about `count` ticks over `span`. */
export function niceStep(span, count = 4) {
  const raw = span / count, mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** Tick values from lo to hi, on multiples of niceStep. */
export function ticks(lo, hi, count = 4) {
  const step = niceStep(hi - lo, count), out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push(+v.toPrecision(12));
  return out;
}

function label(ctx, text, x, y, align, baseline) {
  ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = align; ctx.textBaseline = baseline;
  ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.85)"; ctx.strokeText(text, x, y);
  ctx.fillStyle = "#1d2330"; ctx.fillText(text, x, y);
}

/** Tick marks and labels of the map's axes, inside its edges; returns the values drawn. */
function drawMapAxes(ctx, surface, w, h, names) {
  const [x0, x1, y0, y1] = surface.domain, T = mapTransform(surface, w, h);
  const xs = ticks(x0, x1), ys = ticks(y0, y1);
  ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.lineWidth = 1;
  for (const x of xs) {
    const [px] = T.toPx(x, y0);
    ctx.beginPath(); ctx.moveTo(px, h); ctx.lineTo(px, h - 6); ctx.stroke();
    if (px > 14 && px < w - 14) label(ctx, String(x), px, h - 8, "center", "bottom");
  }
  for (const y of ys) {
    const [, py] = T.toPx(x0, y);
    ctx.beginPath(); ctx.moveTo(0, py); ctx.lineTo(6, py); ctx.stroke();
    if (py > 14 && py < h - 24) label(ctx, String(y), 8, py, "left", "middle");
  }
  label(ctx, names[0], w - 6, h - 8, "right", "bottom");
  label(ctx, names[1], 8, 8, "left", "top");
  return { xs, ys };
}

/** The colour scale of the map: the ramp, with the losses at its ends and in its middle. */
export function drawColorBar(canvas, surface, range) {
  const { ctx, w, h } = sharpContext(canvas);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
  const L = 10, R = 10, barH = 12;
  for (let i = 0; i < w - L - R; i++) {
    const [r, g, b] = viridisish((i / (w - L - R - 1)) * 0.85 + 0.1);
    ctx.fillStyle = `rgb(${r},${g},${b})`; ctx.fillRect(L + i, 2, 1, barH);
  }
  const loss = (v) => surface.fmin + 10 ** v - 1e-3;      // the inverse of logHeight
  const at = [range.lo, (range.lo + range.hi) / 2, range.hi].map(loss);
  const fmtv = (x) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(1) : +x.toPrecision(3)).toString();
  label(ctx, fmtv(at[0]), L, barH + 4, "left", "top");
  label(ctx, `loss (log scale) ${fmtv(at[1])}`, w / 2, barH + 4, "center", "top");
  label(ctx, fmtv(at[2]), w - R, barH + 4, "right", "top");
  canvas.dataset.lo = String(at[0]); canvas.dataset.hi = String(at[2]);
}

/** World (x, y) -> map pixel, and back. */
export function mapTransform(surface, w, h) {
  const [x0, x1, y0, y1] = surface.domain;
  return {
    toPx: (x, y) => [((x - x0) / (x1 - x0)) * w, h - ((y - y0) / (y1 - y0)) * h],
    toWorld: (px, py) => [x0 + (px / w) * (x1 - x0), y0 + ((h - py) / h) * (y1 - y0)],
  };
}

/** Contour map with minima, start point and trajectories (each drawn up to `upto` steps). */
export function drawMap(canvas, surface, image, runs, start, upto, names = ["x", "y"]) {
  const { ctx, w, h } = sharpContext(canvas);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(image, 0, 0, w, h);
  const T = mapTransform(surface, w, h);
  ctx.fillStyle = "#fff"; ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
  for (const [mx, my] of surface.minima) {
    const [px, py] = T.toPx(mx, my);
    ctx.beginPath(); ctx.moveTo(px - 5, py); ctx.lineTo(px + 5, py); ctx.moveTo(px, py - 5); ctx.lineTo(px, py + 5);
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 2; ctx.stroke();
  }
  for (const run of runs) {
    if (!run.visible) continue;
    const n = Math.min(run.xs.length, upto + 1);
    if (!n) continue;
    ctx.strokeStyle = run.color; ctx.lineWidth = 2; ctx.setLineDash(run.dash || []); ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const [px, py] = T.toPx(run.xs[i], run.ys[i]);
      const cx = Math.max(-1e4, Math.min(1e4, px)), cy = Math.max(-1e4, Math.min(1e4, py));
      if (i === 0) ctx.moveTo(cx, cy); else ctx.lineTo(cx, cy);
    }
    ctx.stroke(); ctx.setLineDash([]);
    const [ex, ey] = T.toPx(run.xs[n - 1], run.ys[n - 1]);
    ctx.fillStyle = run.color; ctx.beginPath(); ctx.arc(ex, ey, 5, 0, 2 * Math.PI); ctx.fill();
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.stroke();
  }
  const [sx, sy] = T.toPx(start[0], start[1]);
  ctx.strokeStyle = "#fff"; ctx.lineWidth = 2.5; ctx.beginPath(); ctx.arc(sx, sy, 7, 0, 2 * Math.PI); ctx.stroke();
  ctx.strokeStyle = "#000"; ctx.lineWidth = 1; ctx.beginPath(); ctx.arc(sx, sy, 8.5, 0, 2 * Math.PI); ctx.stroke();
  const axes = drawMapAxes(ctx, surface, w, h, names);
  canvas.dataset.xticks = axes.xs.join(","); canvas.dataset.yticks = axes.ys.join(",");
}

/** A 3-D wireframe of the log height, rotated by yaw/pitch, plus trajectories: the fallback of
 * view3d.js's shaded View3D where the browser has no WebGL 2. */
export class Wireframe3D {
  constructor(canvas) { this.canvas = canvas; this.yaw = -0.6; this.pitch = 0.9; this.cache = null; this.key = ""; }

  setSurface(surface, n = 36) {
    this.surface = surface; this.mesh = sampleSurface(surface, n); this.key = "";
  }

  project(u, v, z) {
    // u, v in [-1, 1] (domain), z in [0, 1] (height); returns canvas pixels
    const { width: w, height: h } = this.canvas;
    const cy = Math.cos(this.yaw), sy = Math.sin(this.yaw), cp = Math.cos(this.pitch), sp = Math.sin(this.pitch);
    const x1 = u * cy - v * sy, y1 = u * sy + v * cy;
    const zz = (z - 0.5) * 1.1;
    const sx = x1, syy = y1 * cp + zz * sp; // screen y up
    const scale = Math.min(w, h) * 0.36;
    return [w / 2 + sx * scale, h / 2 - syy * scale + h * 0.04];
  }

  heightOf(x, y) {
    const s = this.surface, m = this.mesh;
    return Math.min(1.05, Math.max(0, (logHeight(s.f(x, y), s.fmin) - m.lo) / (m.hi - m.lo || 1)));
  }

  uv(x, y) {
    const [x0, x1, y0, y1] = this.surface.domain;
    return [((x - x0) / (x1 - x0)) * 2 - 1, ((y - y0) / (y1 - y0)) * 2 - 1];
  }

  drawMesh() {
    const key = `${this.yaw.toFixed(4)},${this.pitch.toFixed(4)},${this.canvas.width}`;
    if (this.cache && this.key === key) return this.cache;
    const { width: w, height: h } = this.canvas;
    const off = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(w, h) : Object.assign(document.createElement("canvas"), { width: w, height: h });
    const ctx = off.getContext("2d"), m = this.mesh, n = m.n;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
    const P = new Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const z = (m.h[j * n + i] - m.lo) / (m.hi - m.lo || 1);
      P[j * n + i] = [this.project((i / (n - 1)) * 2 - 1, (j / (n - 1)) * 2 - 1, z), z];
    }
    ctx.lineWidth = 1;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const [a, za] = P[j * n + i];
      for (const [di, dj] of [[1, 0], [0, 1]]) {
        if (i + di >= n || j + dj >= n) continue;
        const [b, zb] = P[(j + dj) * n + i + di];
        const [r, g, bl] = viridisish(0.1 + 0.85 * (za + zb) / 2);
        ctx.strokeStyle = `rgb(${r},${g},${bl})`;
        ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
      }
    }
    this.cache = off; this.key = key;
    return off;
  }

  draw(runs, upto) {
    const ctx = this.canvas.getContext("2d");
    ctx.drawImage(this.drawMesh(), 0, 0);
    for (const run of runs) {
      if (!run.visible) continue;
      const n = Math.min(run.xs.length, upto + 1);
      ctx.strokeStyle = run.color; ctx.lineWidth = 2.5; ctx.beginPath();
      let last = null;
      for (let i = 0; i < n; i++) {
        const [u, v] = this.uv(run.xs[i], run.ys[i]);
        if (Math.abs(u) > 1.5 || Math.abs(v) > 1.5) break;
        const p = this.project(u, v, this.heightOf(run.xs[i], run.ys[i]) + 0.01);
        if (i === 0) ctx.moveTo(p[0], p[1]); else ctx.lineTo(p[0], p[1]);
        last = p;
      }
      ctx.stroke();
      if (last) { ctx.fillStyle = run.color; ctx.beginPath(); ctx.arc(last[0], last[1], 5, 0, 2 * Math.PI); ctx.fill(); }
    }
  }
}

/** A tick value written exactly (ticks are nice numbers): 0.05, 225, 1e-4, 2.5e+6. */
export function tickText(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential().replace(/\.?0+e/, "e");
  return String(+v.toPrecision(10));
}

/**
 * [position, label] ticks of an axis over [lo, hi] in its own units (log10 of the value on a log
 * axis): a label always names the value at its position. Linear: nice multiples (1, 2, 5 x 10^k).
 * Log: whole decades (every 2nd, 3rd... when there are many), or, within less than a decade,
 * nice values of the quantity itself.
 */
export function axisTicks(lo, hi, log) {
  if (!log) return ticks(lo, hi, 4).map((v) => [v, tickText(v)]);
  const d0 = Math.ceil(lo - 1e-9), d1 = Math.floor(hi + 1e-9);
  if (d1 - d0 >= 1) {
    const every = Math.max(1, Math.ceil((d1 - d0 + 1) / 6));
    const out = [];
    for (let d = d0; d <= d1; d += every) out.push([d, Math.abs(d) >= 3 ? `1e${d}` : tickText(+(10 ** d).toPrecision(12))]);
    return out;
  }
  return ticks(10 ** lo, 10 ** hi, 4).filter((v) => v > 0).map((v) => [Math.log10(v), tickText(v)]);
}

/**
 * Line chart: series [{ys, xs?, color, dash?}], x linear (or log10 when logX), y log10 when logY.
 * marks: [{x, color, label}] vertical lines (range-test suggestions). yMax: the top of the y axis at most
 * (a series above it leaves through the top).
 */
export function drawChart(canvas, series, { logY = false, logX = false, upto = Infinity, xLabel = "step", marks = [], xMax = null, yMax = null } = {}) {
  const { ctx, w, h } = sharpContext(canvas);
  const L = 52, R = 10, T = 10, B = 28;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
  // on a log axis a value <= 0 (a warmup from LR 0) is left out, not floored at some tiny number
  const tx = (x) => (logX ? (x > 0 ? Math.log10(x) : NaN) : x), ty = (y) => (logY ? (y > 0 ? Math.log10(y) : NaN) : y);
  let xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
  for (const s of series) {
    const n = Math.min(s.ys.length, upto + 1);
    for (let i = 0; i < n; i++) {
      const x = tx(s.xs ? s.xs[i] : i), y = ty(s.ys[i]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xlo = Math.min(xlo, x); xhi = Math.max(xhi, x); ylo = Math.min(ylo, y); yhi = Math.max(yhi, y);
    }
  }
  ctx.strokeStyle = "#c9ced8"; ctx.lineWidth = 1; ctx.strokeRect(L, T, w - L - R, h - T - B);
  if (!Number.isFinite(xlo)) return null;
  if (xMax !== null && xMax > xhi) xhi = xMax;
  if (yMax !== null && Number.isFinite(ty(yMax)) && ty(yMax) > ylo) yhi = Math.min(yhi, ty(yMax));   // an exploding run leaves the top
  if (xhi === xlo) xhi = xlo + 1;
  if (yhi - ylo < 1e-12 * Math.max(1, Math.abs(yhi))) { ylo -= 0.5 * (Math.abs(ylo) || 1); yhi += 0.5 * (Math.abs(yhi) || 1); }
  canvas.dataset.ylo = String(logY ? 10 ** ylo : ylo); canvas.dataset.yhi = String(logY ? 10 ** yhi : yhi);   // for tests: the axis
  const px = (x) => L + ((x - xlo) / (xhi - xlo)) * (w - L - R);
  const py = (y) => T + (1 - (y - ylo) / (yhi - ylo)) * (h - T - B);
  ctx.fillStyle = "#5b6475"; ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const yt = axisTicks(ylo, yhi, logY);
  for (const [y, text] of yt) {
    ctx.fillText(text, L - 4, py(y));
    ctx.strokeStyle = "#eef0f4"; ctx.beginPath(); ctx.moveTo(L, py(y)); ctx.lineTo(w - R, py(y)); ctx.stroke();
  }
  ctx.textBaseline = "top";
  const xt = axisTicks(xlo, xhi, logX);
  for (const [x, text] of xt) {
    const at = px(x), half = ctx.measureText(text).width / 2;
    // a label at an end of the axis is aligned inside the canvas, never clipped
    ctx.textAlign = at + half > w - 1 ? "right" : at - half < 1 ? "left" : "center";
    ctx.fillText(text, at, h - B + 4);
  }
  ctx.textAlign = "center";
  canvas.dataset.xticks = xt.map(([x, t]) => `${t}@${px(x).toFixed(1)}`).join(" ");   // for tests: label@pixel
  canvas.dataset.yticks = yt.map(([y, t]) => `${t}@${py(y).toFixed(1)}`).join(" ");
  ctx.fillText(xLabel, (L + w - R) / 2, h - 13);
  ctx.save(); ctx.beginPath(); ctx.rect(L, T, w - L - R, h - T - B); ctx.clip();
  for (const s of series) {
    const n = Math.min(s.ys.length, upto + 1);
    ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.setLineDash(s.dash || []); ctx.beginPath();
    let started = false;
    for (let i = 0; i < n; i++) {
      const x = tx(s.xs ? s.xs[i] : i), y = ty(s.ys[i]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (!started) { ctx.moveTo(px(x), py(y)); started = true; } else ctx.lineTo(px(x), py(y));
    }
    ctx.stroke(); ctx.setLineDash([]);
  }
  ctx.restore();
  for (const m of marks) {
    const x = px(tx(m.x));
    ctx.strokeStyle = m.color; ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, h - B); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = m.color; ctx.textAlign = "left"; ctx.textBaseline = "top"; ctx.fillText(m.label, x + 3, T + 2 + 12 * (m.row || 0));
  }
  return { xlo, xhi, ylo, yhi };
}
