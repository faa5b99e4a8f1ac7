import { test } from "node:test";
import assert from "node:assert/strict";
import { makeOptimizer, runOptimizer } from "../../src/lrscope/web/optimizers.js";
import { makeSurface } from "../../src/lrscope/web/surfaces.js";

const near = (a, b, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

// Two steps with gradients g1, g2 from p0; expected values are the update rules worked by hand.
const p0 = [1.0, -2.0], g1 = [0.5, -1.0], g2 = [0.25, 2.0], lr = 0.1;

test("SGD: p - lr g", () => {
  const o = makeOptimizer("sgd"), s = o.init();
  const p1 = o.step(p0, g1, lr, s);
  near(p1[0], 1.0 - 0.05); near(p1[1], -2.0 + 0.1);
});

test("momentum (torch form): v1 = g1, v2 = mu v1 + g2", () => {
  const o = makeOptimizer("momentum", { momentum: 0.9 }), s = o.init();
  const p1 = o.step(p0, g1, lr, s), p2 = o.step(p1, g2, lr, s);
  near(p1[0], 0.95); near(p1[1], -1.9);
  // v2 = (0.9*0.5 + 0.25, 0.9*-1 + 2) = (0.7, 1.1)
  near(p2[0], 0.95 - 0.07); near(p2[1], -1.9 - 0.11);
});

test("Nesterov (torch form): step along g + mu v", () => {
  const o = makeOptimizer("nesterov", { momentum: 0.5 }), s = o.init();
  const p1 = o.step(p0, g1, lr, s), p2 = o.step(p1, g2, lr, s);
  // v1 = g1; d1 = g1 + 0.5 g1 = (0.75, -1.5)
  near(p1[0], 1 - 0.075); near(p1[1], -2 + 0.15);
  // v2 = 0.5 v1 + g2 = (0.5, 1.5); d2 = g2 + 0.5 v2 = (0.5, 2.75)
  near(p2[0], 0.925 - 0.05); near(p2[1], -1.85 - 0.275);
});

test("RMSProp: s = a s + (1 - a) g^2; p - lr g / (sqrt(s) + eps)", () => {
  const o = makeOptimizer("rmsprop", { alpha: 0.9, eps: 1e-8 }), st = o.init();
  const p1 = o.step(p0, g1, lr, st), p2 = o.step(p1, g2, lr, st);
  const s1 = [0.1 * 0.25, 0.1 * 1.0];
  near(p1[0], 1 - (0.1 * 0.5) / (Math.sqrt(s1[0]) + 1e-8));
  near(p1[1], -2 - (0.1 * -1) / (Math.sqrt(s1[1]) + 1e-8));
  const s2 = [0.9 * s1[0] + 0.1 * 0.0625, 0.9 * s1[1] + 0.1 * 4];
  near(p2[0], p1[0] - (0.1 * 0.25) / (Math.sqrt(s2[0]) + 1e-8));
  near(p2[1], p1[1] - (0.1 * 2) / (Math.sqrt(s2[1]) + 1e-8));
});

test("Adam: the first step moves every coordinate by about lr (bias-corrected)", () => {
  const o = makeOptimizer("adam"), st = o.init();
  const p1 = o.step(p0, g1, lr, st);
  near(p1[0], 1 - 0.1 * 0.5 / (0.5 + 1e-8)); near(p1[1], -2 + 0.1 * 1 / (1 + 1e-8));
  const p2 = o.step(p1, g2, lr, st);
  const m = [0.9 * 0.05 + 0.1 * 0.25, 0.9 * -0.1 + 0.1 * 2];
  const v = [0.999 * 0.00025 + 0.001 * 0.0625, 0.999 * 0.001 + 0.001 * 4];
  const c1 = 1 - 0.81, c2 = 1 - 0.999 ** 2;
  near(p2[0], p1[0] - (0.1 * m[0] / c1) / (Math.sqrt(v[0] / c2) + 1e-8), 1e-10);
  near(p2[1], p1[1] - (0.1 * m[1] / c1) / (Math.sqrt(v[1] / c2) + 1e-8), 1e-10);
});

test("unknown optimizer is an error", () => {
  assert.throws(() => makeOptimizer("lion"), /unknown optimizer "lion"/);
});

test("SGD on a bowl: converges for lr < 2/kappa, diverges above, with the step in words", () => {
  const s = makeSurface("bowl", { kappa: 10 });
  const ok = runOptimizer(s, makeOptimizer("sgd"), [-1.5, 1.0], 200, () => 0.15);
  assert.equal(ok.diverged, null);
  assert.ok(ok.losses.at(-1) < 1e-8);
  // y_t = (1 - lr*kappa)^t y_0 exactly
  near(ok.ys[5], 1.0 * (1 - 0.15 * 10) ** 5);
  const bad = runOptimizer(s, makeOptimizer("sgd"), [-1.5, 1.0], 2000, () => 0.25);
  assert.ok(bad.diverged !== null);
  // |1 - 2.5|^t > 1000 domain half-widths (2e3 from the centre) first at t = ceil(log(2000)/log(1.5))
  assert.equal(bad.diverged.step, Math.ceil(Math.log(2000) / Math.log(1.5)));
  assert.match(bad.diverged.message, /^diverged at step \d+: the learning rate is too large for this curvature/);
  assert.match(bad.diverged.message, /lr < 2\/10 = 0.2/);
});

test("gradient noise is seeded: same seed, same run; another seed, another run", () => {
  const s = makeSurface("rosenbrock"), o = () => makeOptimizer("adam");
  const a = runOptimizer(s, o(), [-1, 1], 50, () => 0.01, { noise: 1, seed: 3 });
  const b = runOptimizer(s, o(), [-1, 1], 50, () => 0.01, { noise: 1, seed: 3 });
  const c = runOptimizer(s, o(), [-1, 1], 50, () => 0.01, { noise: 1, seed: 4 });
  assert.deepEqual(a.xs, b.xs);
  assert.notDeepEqual(a.xs, c.xs);
});
