import { test } from "node:test";
import assert from "node:assert/strict";
import { expSweep, debiasedEma, gradient, zeroLagSmooth, prepareCurve, suggest, rangeTest } from "../../src/lrscope/web/rangetest.js";
import { makeSurface } from "../../src/lrscope/web/surfaces.js";
import { makeOptimizer } from "../../src/lrscope/web/optimizers.js";
import { golden, close } from "./_golden.mjs";

test("exponential sweep: geometric, both ends exact", () => {
  const s = expSweep(1e-5, 10, 61);
  assert.equal(s[0], 1e-5); assert.equal(s[60], 10);
  for (let i = 1; i < 61; i++) assert.ok(close(s[i] / s[i - 1], 10 ** 0.1, 1e-9));
});

test("debiased EMA of a constant is that constant from the first step", () => {
  debiasedEma([3, 3, 3, 3], 0.98).forEach((v) => assert.ok(close(v, 3, 1e-12)));
});

test("gradient equals numpy.gradient's formula on an uneven grid (exact for a quadratic)", () => {
  const x = [0, 0.5, 2, 2.2, 4], y = x.map((v) => v * v);
  const g = gradient(y, x);
  // second-order central differences are exact for x^2 inside: 2x
  for (let i = 1; i < 4; i++) assert.ok(close(g[i], 2 * x[i], 1e-12));
  assert.ok(close(g[0], (y[1] - y[0]) / 0.5));
});

test("zero-lag smoothing keeps a constant and has no lag on a symmetric bump", () => {
  zeroLagSmooth([2, 2, 2, 2, 2], 3).forEach((v) => assert.ok(close(v, 2, 1e-12)));
  const bump = Array.from({ length: 41 }, (_, i) => Math.exp(-(((i - 20) / 4) ** 2)));
  const sm = zeroLagSmooth(bump, 3);
  assert.equal(sm.indexOf(Math.max(...sm)), 20);
});

test("prepared curve: skips ceil(0.03 n) steps and trims the tail once the loss is back above its start", () => {
  // a V in log10(lr): falls 1 -> 0 over 50 steps, rises to 2 over the next 50
  const n = 100, lrs = expSweep(1e-6, 1, n);
  const losses = lrs.map((_, i) => (i < 50 ? 1 - i / 50 : (i - 50) / 25));
  const c = prepareCurve({ lrs, losses, num_steps: n, mode: "exp" });
  assert.equal(c.first, 3);
  // the trimmed tail starts where the smoothed loss first exceeds start + 0 (it is back at the start)
  assert.ok(c.stop > 60 && c.stop < 80, `stop ${c.stop}`);
  assert.equal(c.loss.length, c.stop - c.first);
});

test("range test on a bowl: the loss falls, then diverges past lr = 2/kappa", () => {
  const s = makeSurface("bowl", { kappa: 10 });
  const r = rangeTest(s, makeOptimizer("sgd"), [-1.5, 1], { startLr: 1e-4, endLr: 10, numSteps: 100 });
  assert.equal(r.stop_reason, "diverged");
  assert.ok(r.lrs.at(-1) > 0.2, `stopped at ${r.lrs.at(-1)}`);
  assert.ok(Math.min(...r.smoothed) < r.smoothed[0]);
  for (const [name, lr] of Object.entries(r.suggestions)) if (lr !== null) assert.ok(lr > 0 && lr <= r.lrs.at(-1), name);
  // every suggestion stays below the stability limit 2/kappa of SGD
  assert.ok(r.suggestions.min_div10 < 0.2);
});

test("suggesters equal lrscope.analysis.SUGGESTERS on the golden curves", (t) => {
  const g = golden();
  if (!g || !g.suggesters) { t.skip("no suggester golden vectors (lrscope.analysis.SUGGESTERS missing)"); return; }
  let checked = 0;
  for (const c of g.suggesters) {
    const js = suggest(c.curve);
    for (const [name, expected] of Object.entries(c.expected)) {
      const got = js[name];
      assert.ok(close(got, expected, 1e-9, 1e-15), `${c.name}/${name}: js ${got} vs python ${expected}`);
      checked++;
    }
  }
  assert.ok(checked > 0);
});
