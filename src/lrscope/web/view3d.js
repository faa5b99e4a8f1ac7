// The explorer's 3-D view: a lit, shaded surface of the log loss with the runs drawn on it,
// built on three.js (bundled in vendor/three/, no CDN). Orbit with the mouse or a finger, zoom
// with the wheel or a pinch, rotate with the arrow keys (+/- zoom). It renders only when
// something changed. Without WebGL 2 it falls back to the old canvas wireframe (Wireframe3D).

import { logHeight, sampleSurface, tickText, ticks, viridisish, Wireframe3D } from "./render.js";

/** Samples along each side of the surface (2^8 + 1): the mesh keeps those it needs (`rtin`). */
export const GRID = 257;
/** Largest height error of the adaptive mesh, as a fraction of the height range (~0.5 px at 500 px). */
export const MESH_ERROR = 0.002;
/** At most this many triangles (a bumpy surface, Rastrigin, gets a coarser error instead): software GL. */
export const MAX_TRIANGLES = 24000;
const HEIGHT = 1.0;        // world height of the colour range (the domain is [-1, 1] x [-1, 1])
const LIFT = 0.012;        // the paths float this far above the surface
const MAX_SUBSTEP = 0.0125; // a longer path segment is draped over the surface
const PATH_WIDTH = 2.5;     // CSS px
const MIN_GAP = 0.004;      // path vertices closer than this merge (about a pixel at 500 px)
const HOME = { x: -1.8, y: -3.05, z: 4.1 };    // the camera's first place, from the point it looks at (about 50 degrees up, so pits show)
const CAPTION_GL = "3-D surface (log loss, colours as the map): drag to orbit, wheel/pinch to zoom, arrow keys rotate";
const CAPTION_2D = "3-D wireframe: drag or arrow keys to rotate";

/**
 * The surface's light: a sky/ground hemisphere light and a sun, fixed in the scene. Lambert
 * shading does not depend on where the camera is, so it is computed once per vertex and baked
 * into the colours (three.js's own Lambert terms: albedo / pi x (sun x max(0, n.l) + hemisphere)).
 */
const LIGHT = { hemisphere: 1.1, ground: 0x6b6f7a, sun: 1.9, sunFrom: [-1.5, -2.5, 4] };
const SUN = (() => { const [x, y, z] = LIGHT.sunFrom, l = Math.hypot(x, y, z); return [x / l, y / l, z / l]; })();

/** The light a unit normal (nx, ny, nz) receives, per linear RGB channel, times 1/pi. */
function lambert(nx, ny, nz, ground) {
  const sun = LIGHT.sun * Math.max(0, nx * SUN[0] + ny * SUN[1] + nz * SUN[2]);
  const w = 0.5 * nz + 0.5;                        // the hemisphere: sky (white) above, ground below
  const hemi = (g) => LIGHT.hemisphere * (g + (1 - g) * w);
  return [(sun + hemi(ground.r)) / Math.PI, (sun + hemi(ground.g)) / Math.PI, (sun + hemi(ground.b)) / Math.PI];
}

/**
 * Whether this browser gives a canvas a WebGL 2 context (tried on a scratch canvas): null, or
 * `{renderer, software}`, software when the renderer is a CPU one (SwiftShader, llvmpipe...).
 */
export function probeWebGL2() {
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return null;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    const lose = gl.getExtension("WEBGL_lose_context");
    if (lose) lose.loseContext();
    return { renderer, software: /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer) };
  } catch (_) { return null; }
}

/**
 * An adaptive triangle mesh of a height grid: a right-triangulated irregular network (RTIN; the
 * idea of Evans, Kirkpatrick and Townsend, as in Mapbox's "martini"). The square splits into right
 * triangles, halved along their hypotenuse while the height at its midpoint differs from the
 * hypotenuse's mean by more than `maxError` (errors pushed up to the coarser triangles first, so
 * that neighbours split alike and the mesh has no cracks). Flat parts get a few big triangles,
 * valleys and needles many small ones.
 *
 * @param {ArrayLike<number>} z heights, row-major, n * n with n = 2^k + 1
 * @returns {Uint32Array} triangles as grid indices, counter-clockwise seen from above (+z)
 */
export function rtin(z, n, maxError) {
  const errors = new Float32Array(n * n);
  const split = (ax, ay, cx, cy) => Math.abs(ax - cx) + Math.abs(ay - cy) > 1;
  // every triangle by level, coarsest first: ax, ay, bx, by, cx, cy (hypotenuse a-b, right angle at c)
  const levels = [Int32Array.of(0, 0, n - 1, n - 1, n - 1, 0, n - 1, n - 1, 0, 0, 0, n - 1)];
  for (;;) {
    const L = levels[levels.length - 1], next = [];
    for (let t = 0; t < L.length; t += 6) {
      const ax = L[t], ay = L[t + 1], bx = L[t + 2], by = L[t + 3], cx = L[t + 4], cy = L[t + 5];
      if (!split(ax, ay, cx, cy)) continue;
      const mx = (ax + bx) >> 1, my = (ay + by) >> 1;
      next.push(cx, cy, ax, ay, mx, my, bx, by, cx, cy, mx, my);
    }
    if (!next.length) break;
    levels.push(Int32Array.from(next));
  }
  for (let l = levels.length - 1; l >= 0; l--) {        // finest first
    const L = levels[l];
    for (let t = 0; t < L.length; t += 6) {
      const ax = L[t], ay = L[t + 1], bx = L[t + 2], by = L[t + 3], cx = L[t + 4], cy = L[t + 5];
      if (!split(ax, ay, cx, cy)) continue;
      const mx = (ax + bx) >> 1, my = (ay + by) >> 1, m = my * n + mx;
      let e = Math.abs(z[m] - (z[ay * n + ax] + z[by * n + bx]) / 2);
      if (split(cx, cy, mx, my)) {
        e = Math.max(e, errors[((cy + ay) >> 1) * n + ((cx + ax) >> 1)], errors[((by + cy) >> 1) * n + ((bx + cx) >> 1)]);
      }
      if (!(e <= errors[m])) errors[m] = Number.isFinite(e) ? e : Infinity;
    }
  }
  const out = [];
  const emit = (ax, ay, bx, by, cx, cy) => {
    const mx = (ax + bx) >> 1, my = (ay + by) >> 1;
    if (split(ax, ay, cx, cy) && errors[my * n + mx] > maxError) {
      emit(cx, cy, ax, ay, mx, my); emit(bx, by, cx, cy, mx, my);
    } else if ((bx - ax) * (cy - ay) - (cx - ax) * (by - ay) > 0) out.push(ay * n + ax, by * n + bx, cy * n + cx);
    else out.push(ay * n + ax, cy * n + cx, by * n + bx);
  };
  emit(0, 0, n - 1, n - 1, n - 1, 0); emit(n - 1, n - 1, 0, 0, 0, n - 1);
  return Uint32Array.from(out);
}

/**
 * Quads along a polyline for the path shader: four vertices a segment (its two ends, each on both
 * sides; `other` is the segment's far end, `side` +-1, negated at the far end so that both ends
 * push the same way), six indices a segment, so that a draw range of 6k indices draws k segments.
 */
function stripGeometry(T, pts) {
  const segs = Math.max(1, pts.length / 3 - 1);
  const pos = new Float32Array(segs * 12), other = new Float32Array(segs * 12), side = new Float32Array(segs * 4);
  const idx = new Uint32Array(segs * 6);
  for (let s = 0; s < segs; s++) {
    const a = 3 * Math.min(s, pts.length / 3 - 1), b = 3 * Math.min(s + 1, pts.length / 3 - 1);
    for (let v = 0; v < 4; v++) {
      const [p, q] = v < 2 ? [a, b] : [b, a];
      for (let c = 0; c < 3; c++) { pos[12 * s + 3 * v + c] = pts[p + c]; other[12 * s + 3 * v + c] = pts[q + c]; }
      side[4 * s + v] = (v % 2 ? 1 : -1) * (v < 2 ? 1 : -1);
    }
    idx.set([4 * s, 4 * s + 1, 4 * s + 2, 4 * s + 2, 4 * s + 1, 4 * s + 3], 6 * s);
  }
  const g = new T.BufferGeometry();
  g.setAttribute("position", new T.BufferAttribute(pos, 3));
  g.setAttribute("other", new T.BufferAttribute(other, 3));
  g.setAttribute("side", new T.BufferAttribute(side, 1));
  g.setIndex(new T.BufferAttribute(idx, 1));
  return g;
}

// three.js files in dependency order; an exported page inlines them (id="lrscope-vendor-three")
const ENTRY = ["three.module.min.js", "OrbitControls.js"];

async function loadThree() {
  let url = (name) => `./vendor/three/${name}`;            // relative to this module when served
  const inline = document.getElementById("lrscope-vendor-three");
  if (inline) {
    // the self-contained page: each file becomes a blob: module whose relative imports name the
    // blobs of the files it imports (they come first in the list)
    const urls = {};
    for (const [name, text] of JSON.parse(inline.textContent)) {
      let src = text;
      for (const [dep, u] of Object.entries(urls)) {
        src = src.split(`"./${dep}"`).join(JSON.stringify(u)).split(`'./${dep}'`).join(JSON.stringify(u));
      }
      urls[name] = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    }
    url = (name) => urls[name];
  }
  const mods = await Promise.all(ENTRY.map((name) => import(url(name))));
  return { ...mods[0], OrbitControls: mods[1].OrbitControls };
}

/**
 * The 3-D view of the app: `new View3D(canvas)`, then `setSurface(surface, range)` and
 * `draw(runs, upto)` as the map gets them. `mode` is "loading", "webgl" or "canvas" (the
 * wireframe fallback); `ready` resolves once it is known.
 */
export class View3D {
  /**
   * @param {HTMLCanvasElement} canvas the view's canvas (its figure's caption says which view runs)
   * @param {{webgl?: object|null, antialias?: boolean|null, xray?: boolean|null}} options `webgl`:
   *   probeWebGL2()'s answer (null forces the wireframe); `antialias`: multisampling, by default on
   *   where it is cheap: a hardware GL (in software it costs 2.5x the frame) below 2 device pixels
   *   per CSS pixel; `xray`: draw the parts of the paths that the surface hides, faintly (by
   *   default with a hardware GL: in software it costs a third of the frame)
   */
  constructor(canvas, { webgl = probeWebGL2(), antialias = null, xray = null } = {}) {
    this.canvas = canvas;
    this.gl = webgl;
    this.antialias = antialias ?? (!!webgl && !webgl.software && (window.devicePixelRatio || 1) < 2);
    this.xray = xray ?? (!!webgl && !webgl.software);
    this.mode = "loading";
    this.surface = null; this.range = null; this.runs = []; this.upto = 0;
    this.renders = 0;              // frames rendered (for tests and the benchmark)
    this.paths = new Map();        // run -> {line, dot, stepAt, at, empty}
    this.pending = 0; this.dirty = false;
    this.caption = canvas.closest("figure")?.querySelector("figcaption") || null;
    this._bindKeys();
    this.ready = (webgl ? loadThree().then((T) => this._initGL(T)) : Promise.reject(new Error("no WebGL 2")))
      .catch((e) => this._initWireframe(webgl ? `the shaded view could not start (${e.message})`
        : "the shaded view needs WebGL 2, which this browser does not offer"))
      .then(() => this.mode);
  }

  // ---- the app's interface ------------------------------------------------------------------

  setSurface(surface, range = null) {
    this.surface = surface; this.range = range;
    if (this.mode === "webgl") { this._buildSurface(); this._buildAxes(); this._clearPaths(); }
    else if (this.mode === "canvas") this.wire.setSurface(surface);
  }

  draw(runs, upto) {
    this.runs = runs; this.upto = upto;
    if (this.mode === "canvas") { if (this.surface) this.wire.draw(runs, upto); return; }
    if (this.mode !== "webgl" || !this.surface) return;    // still loading: drawn when ready
    this._syncRuns();
    this.renderNow();
  }

  /** Turn the view: `yaw` about the vertical axis, `pitch` up (towards a view from above), radians. */
  rotate(yaw, pitch) {
    if (this.mode === "webgl") { this.controls.rotateLeft(yaw); this.controls.rotateUp(pitch); }
    else if (this.mode === "canvas") {
      this.wire.yaw += yaw; this.wire.pitch = Math.min(1.5, Math.max(0.05, this.wire.pitch - pitch)); this._redraw2d();
    }
  }

  /** Zoom in by `factor` (> 1) or out (< 1); WebGL view only. */
  zoom(factor) {
    if (this.mode !== "webgl") return;
    if (factor > 1) this.controls.dollyIn(factor); else this.controls.dollyOut(1 / factor);
  }

  /** Where each visible run's current point is drawn: [{color, x, y}] in backing-store pixels. */
  dotPositions() {
    if (this.mode !== "webgl") return [];
    const out = [], w = this.canvas.width, h = this.canvas.height;
    for (const [run, p] of this.paths) {
      if (!p.dot.visible) continue;
      const v = p.dot.position.clone().project(this.camera);
      out.push({ color: run.color, x: ((v.x + 1) / 2) * w, y: ((1 - v.y) / 2) * h });
    }
    return out;
  }

  /** Render now (the app's draw and the benchmark call this; input events go through `requestRender`). */
  renderNow() {
    if (this.mode !== "webgl") return;
    this._fitSize();
    this.renderer.render(this.scene, this.camera);
    this._placeLabels();
    this.renders++;
    this.dirty = false;
  }

  /** Render in the next frame, unless something renders before (the animation's own draw). */
  requestRender() {
    this.dirty = true;
    if (this.pending || this.mode !== "webgl") return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; if (this.dirty) this.renderNow(); });
  }

  // ---- set-up ---------------------------------------------------------------------------------

  _initGL(T) {
    this.T = T;
    const canvas = this.canvas;
    const r = new T.WebGLRenderer({ canvas, antialias: this.antialias, preserveDrawingBuffer: true, powerPreference: "high-performance" });
    r.setClearColor(0xffffff, 1);
    this.renderer = r;
    this.scene = new T.Scene();
    this.camera = new T.PerspectiveCamera(32, 1, 0.05, 60);
    this.camera.up.set(0, 0, 1);            // z is the loss
    this.camera.position.copy(HOME).setZ(HOME.z + 0.45 * HEIGHT);
    const c = new T.OrbitControls(this.camera, canvas);
    c.target.set(0, 0, 0.45 * HEIGHT);
    c.minDistance = 1.2; c.maxDistance = 14; c.maxPolarAngle = Math.PI * 0.5;
    c.addEventListener("change", () => this.requestRender());
    c.update(); c.saveState();                    // a double click goes back to this view
    this.controls = c;
    this.group = new T.Group(); this.scene.add(this.group);
    this.dotGeometry = new T.SphereGeometry(0.032, 12, 8);
    this.resolution = { value: new T.Vector2(1, 1) };      // the drawing buffer, device pixels
    this.lineWidth = { value: PATH_WIDTH };
    canvas.addEventListener("dblclick", () => this.controls.reset());
    new ResizeObserver(() => { if (this._fitSize()) this.renderNow(); }).observe(canvas);
    canvas.addEventListener("webglcontextrestored", () => this.requestRender());
    this.mode = "webgl";
    canvas.dataset.renderer = "webgl";
    if (this.caption) this.caption.textContent = CAPTION_GL;
    if (this.surface) { this._buildSurface(); this._buildAxes(); }
    this.draw(this.runs, this.upto);
  }

  _initWireframe(why) {
    this.wire = new Wireframe3D(this.canvas);
    this.mode = "canvas";
    this.canvas.dataset.renderer = "canvas";
    if (this.caption) this.caption.textContent = `${CAPTION_2D}. ${why}.`;
    let drag = null;
    this.canvas.addEventListener("pointerdown", (e) => { drag = [e.clientX, e.clientY]; this.canvas.setPointerCapture(e.pointerId); });
    this.canvas.addEventListener("pointermove", (e) => {
      if (!drag) return;
      this.wire.yaw += (e.clientX - drag[0]) * 0.01;
      this.wire.pitch = Math.min(1.5, Math.max(0.05, this.wire.pitch + (e.clientY - drag[1]) * 0.01));
      drag = [e.clientX, e.clientY]; this._redraw2d();
    });
    this.canvas.addEventListener("pointerup", () => { drag = null; });
    if (this.surface) { this.wire.setSurface(this.surface); this._redraw2d(); }
  }

  _redraw2d() { if (this.surface) this.wire.draw(this.runs, this.upto); }

  _bindKeys() {
    this.canvas.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const d = { ArrowLeft: [0.1, 0], ArrowRight: [-0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] }[e.key];
      if (d) { e.preventDefault(); this.rotate(d[0], d[1]); return; }
      if (e.key === "+" || e.key === "=") { e.preventDefault(); this.zoom(1.15); }
      else if (e.key === "-" || e.key === "_") { e.preventDefault(); this.zoom(1 / 1.15); }
    });
  }

  /** Match the backing store to the CSS size times the device pixel ratio; true if it changed. */
  _fitSize() {
    const c = this.canvas, dpr = window.devicePixelRatio || 1;
    const w = Math.round(c.clientWidth), h = Math.round(c.clientHeight);
    if (!w || !h) return false;                          // not laid out (hidden): keep what it has
    if (this.size && this.size[0] === w && this.size[1] === h && this.size[2] === dpr) return false;
    this.size = [w, h, dpr];
    this.renderer.setPixelRatio(dpr);
    this.renderer.setSize(w, h, false);     // the CSS keeps the layout; only the backing store changes
    this.camera.aspect = w / h; this.camera.updateProjectionMatrix();
    this.renderer.getDrawingBufferSize(this.resolution.value);
    this.lineWidth.value = PATH_WIDTH * dpr;
    return true;
  }

  // ---- the axes -------------------------------------------------------------------------------

  /**
   * The frame under the surface: x ticks along its front edge, y ticks along its left edge and
   * the loss at three heights up its back-left corner (the colour bar's values), as thin lines
   * in the scene and HTML labels placed over the canvas at every render (crisp at any zoom).
   */
  _buildAxes() {
    const T = this.T, [x0, x1, y0, y1] = this.surface.domain, { lo, span } = this._scale();
    const names = this.surface.id === "landscape" ? ["α", "β"] : ["x", "y"];
    const u = (x) => ((x - x0) / (x1 - x0)) * 2 - 1, v = (y) => ((y - y0) / (y1 - y0)) * 2 - 1;
    const seg = [], labels = [], t = 0.04;
    // the two edges facing the first view (front: x, left: y) and a post at their far corner (loss)
    seg.push(-1, -1, 0, 1, -1, 0, -1, -1, 0, -1, 1, 0, -1, 1, 0, -1, 1, HEIGHT);
    for (const x of ticks(x0, x1, 4)) {
      seg.push(u(x), -1, 0, u(x), -1 - t, 0);
      labels.push({ p: [u(x), -1 - 3 * t, 0], text: tickText(x), axis: "x", value: x });
    }
    for (const y of ticks(y0, y1, 4).filter((y) => v(y) < 0.95)) {     // the back corner is the loss post's
      seg.push(-1, v(y), 0, -1 - t, v(y), 0);
      labels.push({ p: [-1 - 3 * t, v(y), 0], text: tickText(y), axis: "y", value: y });
    }
    labels.push({ p: [0.15, -1 - 6 * t, 0], text: names[0], axis: "name" }, { p: [-1 - 6 * t, 0.15, 0], text: names[1], axis: "name" });
    for (const f of [0, 0.5, 1]) {               // the loss at three heights (the inverse of logHeight)
      const loss = this.surface.fmin + 10 ** (lo + f * span) - 1e-3;
      seg.push(-1, 1, f * HEIGHT, -1 - 0.7 * t, 1 + 0.7 * t, f * HEIGHT);
      labels.push({ p: [-1 - 2 * t, 1 + 2.5 * t, f * HEIGHT], text: tickText(+loss.toPrecision(2)), axis: "loss", value: loss });
    }
    labels.push({ p: [-1, 1, 1.12 * HEIGHT], text: "loss", axis: "name" });
    if (this.axes) { this.axes.geometry.dispose(); this.axes.material.dispose(); this.scene.remove(this.axes); }
    const geo = new T.BufferGeometry();
    geo.setAttribute("position", new T.BufferAttribute(new Float32Array(seg), 3));
    this.axes = new T.LineSegments(geo, new T.LineBasicMaterial({ color: 0x5b6475 }));
    this.scene.add(this.axes);
    if (!this.labelLayer) {
      const layer = document.createElement("div");
      layer.className = "axis3d"; layer.setAttribute("aria-hidden", "true");
      this.canvas.insertAdjacentElement("afterend", layer);
      this.labelLayer = layer;
    }
    this.labelLayer.replaceChildren(...labels.map((l) => {
      const el = document.createElement("span");
      el.textContent = l.text; el.dataset.axis = l.axis;
      if (l.value !== undefined) el.dataset.value = String(l.value);
      l.el = el;
      return el;
    }));
    this.axisLabels = labels;
  }

  /** Put every axis label over its point of the scene (CSS pixels of the canvas); hide those behind the camera. */
  _placeLabels() {
    if (!this.axisLabels) return;
    const T = this.T, c = this.canvas, w = c.clientWidth, h = c.clientHeight;
    const layer = this.labelLayer;
    layer.style.left = `${c.offsetLeft}px`; layer.style.top = `${c.offsetTop}px`;
    layer.style.width = `${w}px`; layer.style.height = `${h}px`;
    const q = new T.Vector3();
    for (const l of this.axisLabels) {
      q.set(l.p[0], l.p[1], l.p[2]).project(this.camera);
      const inside = q.z < 1 && Math.abs(q.x) <= 1.05 && Math.abs(q.y) <= 1.05;
      l.el.hidden = !inside;
      l.el.style.transform = `translate(${((q.x + 1) / 2) * w}px, ${((1 - q.y) / 2) * h}px) translate(-50%, -50%)`;
    }
  }

  // ---- the surface ----------------------------------------------------------------------------

  /** Heights map to z = (h - lo) / span, z >= floor (see _buildSurface). */
  _scale() {
    const lo = this.range ? this.range.lo : this.mesh.lo, hi = this.range ? this.range.hi : this.mesh.hi;
    return { lo, span: hi - lo || 1, floor: this.floor || 0 };
  }

  _buildSurface() {
    const T = this.T, n = GRID;
    this.mesh = sampleSurface(this.surface, n);
    this.floor = 0;
    const { lo, span } = this._scale();
    // a minimum with zero loss is a log-scale pit narrower than a grid cell: its depth in the
    // samples depends on how near one falls. Cut the pits flat at the grid's 0.5% quantile
    // (a crater a few cells wide, not a needle); the map's colours still span the full range.
    const sorted = Float64Array.from(this.mesh.h.filter(Number.isFinite)).sort();
    if (sorted.length) this.floor = Math.min(1, Math.max(0, (sorted[Math.floor(0.005 * (sorted.length - 1))] - lo) / span));
    const z = new Float32Array(n * n);
    for (let k = 0; k < n * n; k++) {
      const v = this.mesh.h[k];
      z[k] = (Number.isFinite(v) ? Math.min(1.05, Math.max(this.floor, (v - lo) / span)) : 1.05) * HEIGHT;
    }
    // an adaptive mesh over the grid (software GL draws ~10x fewer triangles), its vertices
    // coloured by the map's ramp, with smooth normals from the full grid
    let tris = rtin(z, n, MESH_ERROR * HEIGHT);
    for (let e = 2 * MESH_ERROR; tris.length / 3 > MAX_TRIANGLES && e < 0.1; e *= 1.5) tris = rtin(z, n, e * HEIGHT);
    const slot = new Int32Array(n * n).fill(-1);
    let count = 0;
    for (const k of tris) if (slot[k] < 0) slot[k] = count++;
    const pos = new Float32Array(count * 3), nor = new Float32Array(count * 3), col = new Float32Array(count * 3);
    const c = new T.Color(), step = 2 / (n - 1);
    const groundLinear = new T.Color().setHex(LIGHT.ground, T.SRGBColorSpace);   // the lights' colours, linear
    for (let k = 0; k < n * n; k++) {
      const q = slot[k];
      if (q < 0) continue;
      const i = k % n, j = (k - i) / n;
      pos[3 * q] = i * step - 1; pos[3 * q + 1] = j * step - 1; pos[3 * q + 2] = z[k];
      const dzdx = (z[j * n + Math.min(n - 1, i + 1)] - z[j * n + Math.max(0, i - 1)]) / (step * (Math.min(n - 1, i + 1) - Math.max(0, i - 1)));
      const dzdy = (z[Math.min(n - 1, j + 1) * n + i] - z[Math.max(0, j - 1) * n + i]) / (step * (Math.min(n - 1, j + 1) - Math.max(0, j - 1)));
      const len = Math.hypot(dzdx, dzdy, 1);
      nor[3 * q] = -dzdx / len; nor[3 * q + 1] = -dzdy / len; nor[3 * q + 2] = 1 / len;
      const [r, g, b] = viridisish(Math.min(1, z[k] / HEIGHT) * 0.85 + 0.1);       // the map's colour ramp
      c.setRGB(r / 255, g / 255, b / 255, T.SRGBColorSpace);
      const lit = lambert(nor[3 * q], nor[3 * q + 1], nor[3 * q + 2], groundLinear);
      col[3 * q] = c.r * lit[0]; col[3 * q + 1] = c.g * lit[1]; col[3 * q + 2] = c.b * lit[2];
    }
    const idx = new Uint32Array(tris.length);
    for (let t = 0; t < tris.length; t++) idx[t] = slot[tris[t]];
    const geo = new T.BufferGeometry();
    geo.setAttribute("position", new T.BufferAttribute(pos, 3));
    geo.setAttribute("normal", new T.BufferAttribute(nor, 3));
    geo.setAttribute("color", new T.BufferAttribute(col, 3));
    geo.setIndex(new T.BufferAttribute(idx, 1));
    this.meshZ = z;
    this.triangles = tris.length / 3;
    // look at the surface's mean height (most of a log surface lies high), keeping the direction
    let mean = 0;
    for (let k = 0; k < z.length; k++) mean += z[k] / z.length;
    const dz = mean - this.controls.target.z;
    this.controls.target.z += dz; this.camera.position.z += dz;
    this.controls.target0.set(0, 0, mean); this.controls.position0.copy(HOME).setZ(HOME.z + mean);
    this.controls.update();
    if (this.surfaceMesh) { this.surfaceMesh.geometry.dispose(); this.surfaceMesh.material.dispose(); this.scene.remove(this.surfaceMesh); }
    // the lighting is baked into the vertex colours (Lambert's is the same from every view), so the
    // surface is drawn unlit: the cheapest fragment shader, which software GL feels
    const mat = new T.MeshBasicMaterial({ vertexColors: true, side: T.DoubleSide, polygonOffset: true, polygonOffsetFactor: 1, polygonOffsetUnits: 1 });
    this.surfaceMesh = new T.Mesh(geo, mat);
    this.scene.add(this.surfaceMesh);
  }

  /** Height of the drawn mesh (its triangles) at (u, v) in [-1, 1]^2. */
  _meshHeight(u, v) {
    const n = GRID, z = this.meshZ;
    const fu = ((u + 1) / 2) * (n - 1), fv = ((v + 1) / 2) * (n - 1);
    const i = Math.min(n - 2, Math.max(0, Math.floor(fu))), j = Math.min(n - 2, Math.max(0, Math.floor(fv)));
    const a = fu - i, b = fv - j, k = j * n + i;
    const za = z[k], zb = z[k + 1], zd = z[k + n], ze = z[k + n + 1];
    return a >= b ? za + a * (zb - za) + b * (ze - zb) : za + b * (zd - za) + a * (ze - zd);
  }

  /** World position of a point of the domain, lifted above the surface, or null outside the view. */
  _world(x, y, lo, span, floor = this.floor) {
    const [x0, x1, y0, y1] = this.surface.domain;
    const u = ((x - x0) / (x1 - x0)) * 2 - 1, v = ((y - y0) / (y1 - y0)) * 2 - 1;
    if (!Number.isFinite(u) || !Number.isFinite(v) || Math.abs(u) > 1.5 || Math.abs(v) > 1.5) return null;
    const hgt = logHeight(this.surface.f(x, y), this.surface.fmin);
    let zz = (Number.isFinite(hgt) ? Math.min(1.1, Math.max(floor, (hgt - lo) / span)) : 1.1) * HEIGHT;
    // on the loss where it is above the drawn triangles, else on them (a narrow valley between
    // grid points would hide the path under the mesh)
    if (Math.abs(u) <= 1 && Math.abs(v) <= 1) zz = Math.max(zz, this._meshHeight(u, v));
    return [u, v, zz + LIFT];
  }

  // ---- the runs -------------------------------------------------------------------------------

  _clearPaths() {
    for (const p of this.paths.values()) this._dispose(p);
    this.paths.clear();
  }

  _dispose(p) {
    this.group.remove(p.line, p.hidden, p.dot);
    p.line.geometry.dispose(); p.line.material.dispose(); p.hidden.material.dispose(); p.dot.material.dispose();
  }

  /**
   * The whole path of a run, draped over the surface. Steps closer than MIN_GAP to the last vertex
   * kept add none (a converging run's last hundreds of steps are a pixel long): `stepAt[i]` is the
   * last vertex at or before step i (-1 past the view), `at` each step's own position (the dot).
   */
  _buildPath(run) {
    const T = this.T, { lo, span } = this._scale();
    const [x0, x1, y0, y1] = this.surface.domain;
    const pts = [], n = run.xs.length, stepAt = new Int32Array(n).fill(-1), at = new Float32Array(3 * n);
    let prev = null;                                          // the last vertex kept: [x, y, world]
    for (let i = 0; i < n; i++) {
      const x = run.xs[i], y = run.ys[i], w = this._world(x, y, lo, span);
      if (!w) break;                                          // left the view (a diverged run)
      at[3 * i] = w[0]; at[3 * i + 1] = w[1]; at[3 * i + 2] = w[2];
      const gap = prev ? Math.hypot(w[0] - prev[2][0], w[1] - prev[2][1], w[2] - prev[2][2]) : Infinity;
      if (prev && gap < MIN_GAP) { stepAt[i] = pts.length / 3 - 1; continue; }
      if (prev) {
        const k = Math.min(24, Math.ceil(Math.hypot(w[0] - prev[2][0], w[1] - prev[2][1]) / MAX_SUBSTEP));
        for (let s = 1; s < k; s++) {
          const a = s / k, m = this._world(prev[0] + (x - prev[0]) * a, prev[1] + (y - prev[1]) * a, lo, span);
          if (m) pts.push(m[0], m[1], m[2]);
        }
      }
      pts.push(w[0], w[1], w[2]);
      stepAt[i] = pts.length / 3 - 1;
      prev = [x, y, w];
    }
    const empty = !pts.length;                                // starts outside the view: nothing to draw
    if (empty) { pts.push(...this._world((x0 + x1) / 2, (y0 + y1) / 2, lo, span)); stepAt[0] = 0; }
    const line = new T.Mesh(stripGeometry(T, pts), this._pathMaterial(run.color));
    // where the surface hides the path (behind a hill, down a pit) it shows faintly (`xray`)
    const hidden = new T.Mesh(line.geometry, this._pathMaterial(run.color, 0.3));
    line.frustumCulled = hidden.frustumCulled = false;
    hidden.renderOrder = 1;
    // the current point: always in view, drawn over the surface
    const dot = new T.Mesh(this.dotGeometry, new T.MeshBasicMaterial({ color: new T.Color(run.color), depthTest: false }));
    dot.renderOrder = 2;
    this.group.add(line, hidden, dot);
    return { line, hidden, dot, stepAt, at, empty };
  }

  /**
   * A flat colour, thick line: each segment a quad turned to face the screen, PATH_WIDTH CSS px
   * wide. With `hidden` (an opacity) it draws only where the surface is in front of the path.
   */
  _pathMaterial(color, hidden = 0) {
    const T = this.T;
    return new T.ShaderMaterial({
      side: T.DoubleSide,                                  // a quad faces either way, by the segment's direction
      transparent: hidden > 0, depthWrite: !hidden, depthFunc: hidden ? T.GreaterDepth : T.LessEqualDepth,
      uniforms: { color: { value: new T.Color(color) }, opacity: { value: hidden || 1 }, resolution: this.resolution, width: this.lineWidth },
      vertexShader: `
        uniform vec2 resolution;
        uniform float width;
        attribute vec3 other;
        attribute float side;
        void main() {
          vec4 a = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
          vec4 b = projectionMatrix * modelViewMatrix * vec4(other, 1.0);
          vec2 d = (b.xy / b.w - a.xy / a.w) * resolution;
          vec2 n = length(d) > 1e-6 ? normalize(vec2(-d.y, d.x)) : vec2(0.0, 1.0);
          a.xy += n * side * width / resolution * a.w;
          gl_Position = a;
        }`,
      fragmentShader: `
        uniform vec3 color;
        uniform float opacity;
        void main() {
          gl_FragColor = vec4(color, opacity);
          #include <colorspace_fragment>
        }`,
    });
  }

  _syncRuns() {
    const live = new Set(this.runs);
    for (const [run, p] of this.paths) if (!live.has(run)) { this._dispose(p); this.paths.delete(run); }
    for (const run of this.runs) {
      let p = this.paths.get(run);
      if (!p && run.visible) { p = this._buildPath(run); this.paths.set(run, p); }
      if (!run.visible || p.empty) { if (p) p.line.visible = p.hidden.visible = p.dot.visible = false; continue; }
      // the last step drawn: `upto`, or the last one inside the view
      let last = Math.min(run.xs.length - 1, this.upto);
      while (last > 0 && p.stepAt[last] < 0) last--;
      const v = Math.max(0, p.stepAt[last]);
      p.line.geometry.setDrawRange(0, 6 * v);                // segments 0 .. v-1
      p.line.visible = v > 0; p.hidden.visible = this.xray && v > 0;
      p.dot.position.set(p.at[3 * last], p.at[3 * last + 1], p.at[3 * last + 2]);
      p.dot.visible = true;
    }
  }
}
