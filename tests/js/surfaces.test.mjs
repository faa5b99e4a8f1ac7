import { test } from "node:test";
import assert from "node:assert/strict";
import { SURFACES, makeSurface, gridSurface, maxCurvature } from "../../src/lrscope/web/surfaces.js";

const ids = Object.keys(SURFACES);

function fdGrad(s, x, y, h = 1e-6) {
  return [(s.f(x + h, y) - s.f(x - h, y)) / (2 * h), (s.f(x, y + h) - s.f(x, y - h)) / (2 * h)];
}

test("every surface's gradient matches central finite differences at many points", () => {
  for (const id of ids) {
    const s = makeSurface(id, { kappa: 7 });
    const [x0, x1, y0, y1] = s.domain;
    for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) {
      const x = x0 + ((i + 0.37) / 7) * (x1 - x0), y = y0 + ((j + 0.61) / 7) * (y1 - y0);
      const g = s.grad(x, y), d = fdGrad(s, x, y);
      for (let k = 0; k < 2; k++) {
        assert.ok(Math.abs(g[k] - d[k]) <= 1e-5 * Math.max(1, Math.abs(d[k])), `${id} at (${x}, ${y}): grad ${g} vs finite differences ${d}`);
      }
    }
  }
});

test("the listed minima are stationary points with the textbook values", () => {
  const known = { bowl: 0, rosenbrock: 0, himmelblau: 0, rastrigin: 0, beale: 0, saddle: -0.25 };
  for (const [id, fmin] of Object.entries(known)) {
    const s = makeSurface(id);
    for (const [x, y] of s.minima) {
      assert.ok(Math.abs(s.f(x, y) - fmin) < 1e-9 + 1e-4, `${id} f at minimum`);
      const g = s.grad(x, y);
      assert.ok(Math.hypot(g[0], g[1]) < 1e-3, `${id} gradient at minimum ${g}`);
    }
  }
  // Two wells: the listed points are near stationary points (found by descent here)
  const w = makeSurface("wells");
  for (const [x, y] of w.minima) {
    let p = [x, y];
    for (let i = 0; i < 5000; i++) { const g = w.grad(p[0], p[1]); p = [p[0] - 0.05 * g[0], p[1] - 0.05 * g[1]]; }
    assert.ok(Math.hypot(p[0] - x, p[1] - y) < 1e-3, `wells minimum ${[x, y]} vs descent ${p}`);
  }
});

test("bowl: curvature along y is the condition number", () => {
  for (const kappa of [1, 10, 100]) {
    const s = makeSurface("bowl", { kappa });
    assert.ok(Math.abs(maxCurvature(s, 0.3, -0.2) - kappa) < 1e-4 * kappa);
    // f = (x^2 + kappa y^2) / 2 written out
    assert.equal(s.f(1, 2), 0.5 * (1 + kappa * 4));
  }
  assert.throws(() => makeSurface("bowl", { kappa: 0.5 }), /condition number/);
  assert.throws(() => makeSurface("nope"), /unknown surface/);
});

test("grid surface: the bicubic interpolant reproduces a bilinear function exactly, with its gradient", () => {
  // z = 1 + 2x - 3y + 0.5xy is bilinear; Catmull-Rom with linearly extrapolated ghost points is exact on it
  const fz = (x, y) => 1 + 2 * x - 3 * y + 0.5 * x * y;
  const xs = [-1, -0.5, 0, 0.5, 1], ys = [-2, -1, 0, 1, 2];
  const land = { x: xs, y: ys, loss: ys.map((y) => xs.map((x) => fz(x, y))) };
  const s = gridSurface(land);
  for (const [x, y] of [[0.1, 0.2], [-0.77, 1.3], [0.99, -1.99], [0.25, 0.5]]) {
    assert.ok(Math.abs(s.f(x, y) - fz(x, y)) < 1e-12);
    const g = s.grad(x, y);
    assert.ok(Math.abs(g[0] - (2 + 0.5 * y)) < 1e-9 && Math.abs(g[1] - (-3 + 0.5 * x)) < 1e-9, `grad ${g}`);
  }
  // outside: the edge value plus a quadratic wall that pushes back in
  const out = s.f(1.5, 0), edge = fz(1, 0);
  assert.ok(Math.abs(out - (edge + 0.5 * 10 * 0.25)) < 1e-12);
  assert.ok(s.grad(1.5, 0)[0] > 0);
  // gradient matches finite differences off the grid lines on a curved grid
  const fc = (x, y) => x * x + Math.sin(3 * y);
  const xs2 = Array.from({ length: 41 }, (_, i) => -1 + i / 20), ys2 = xs2;
  const s2 = gridSurface({ x: xs2, y: ys2, loss: ys2.map((y) => xs2.map((x) => fc(x, y))) });
  const [x, y] = [0.3123, -0.4177];
  const d = [(s2.f(x + 1e-7, y) - s2.f(x - 1e-7, y)) / 2e-7, (s2.f(x, y + 1e-7) - s2.f(x, y - 1e-7)) / 2e-7];
  const g = s2.grad(x, y);
  assert.ok(Math.abs(g[0] - d[0]) < 1e-6 && Math.abs(g[1] - d[1]) < 1e-6);
});

test("grid surface: curvature is the interpolant's, not a kink at a grid node", () => {
  // z = x^2 + 3 y^2: Hessian diag(2, 6), so the largest curvature is 6 everywhere. Bilinear
  // interpolation read about 115 at a node and ~0 a hair away (issue 12); the bicubic
  // interpolant reproduces quadratics inside the grid, so 6 at the node and beside it.
  const xs = Array.from({ length: 21 }, (_, i) => -1 + i / 10), ys = xs;
  const s = gridSurface({ x: xs, y: ys, loss: ys.map((y) => xs.map((x) => x * x + 3 * y * y)) });
  for (const [x, y] of [[0.2, 0.3], [0.2 + 1e-6, 0.3], [0.2537, -0.4411], [0, 0]]) {
    const k = maxCurvature(s, x, y);
    assert.ok(Math.abs(k - 6) < 1e-3, `curvature ${k} at (${x}, ${y})`);
    assert.ok(Math.abs(s.f(x, y) - (x * x + 3 * y * y)) < 1e-9);
  }
});
