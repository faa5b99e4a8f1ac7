import { test } from "node:test";
import assert from "node:assert/strict";
import { fromSpec, evaluate } from "../../src/lrscope/web/schedules.js";
import { golden, close } from "./_golden.mjs";

test("triangular CLR equals the paper's rule written literally", () => {
  // Smith (2017): cycle = floor(1 + t/(2s)), x = |t/s - 2 cycle + 1|, lr = base + (max - base) max(0, 1 - x)
  const base = 1e-3, max = 6e-3, s = 7;
  const f = fromSpec({ kind: "cyclic", base_lr: base, max_lr: max, step_size: s });
  for (let t = 0; t < 60; t++) {
    const cycle = Math.floor(1 + t / (2 * s)), x = Math.abs(t / s - 2 * cycle + 1);
    assert.ok(close(f(t), base + (max - base) * Math.max(0, 1 - x)), `t=${t}`);
  }
});

test("triangular2 halves the amplitude every cycle; exp_range scales by gamma^t", () => {
  const s = 5;
  const f2 = fromSpec({ kind: "cyclic", base_lr: 0, max_lr: 1, step_size: s, policy: "triangular2" });
  assert.ok(close(f2(s), 1)); assert.ok(close(f2(3 * s), 0.5)); assert.ok(close(f2(5 * s), 0.25));
  const fe = fromSpec({ kind: "cyclic", base_lr: 0.1, max_lr: 1, step_size: s, policy: "exp_range", gamma: 0.99 });
  assert.ok(close(fe(3 * s), 0.1 + 0.9 * 0.99 ** (3 * s)));
});

test("constant, step, multistep, exponential, cosine, linear, polynomial: closed forms", () => {
  const n = 40;
  const cases = [
    [{ kind: "constant", lr: 0.3 }, () => 0.3],
    [{ kind: "step", lr: 0.1, drop_every: 7, gamma: 0.5 }, (t) => 0.1 * 0.5 ** Math.floor(t / 7)],
    [{ kind: "multistep", lr: 0.1, milestones: [5, 20], gamma: 0.1 }, (t) => 0.1 * (t < 5 ? 1 : t < 20 ? 0.1 : 0.01)],
    [{ kind: "exponential", lr: 0.2, gamma: 0.9 }, (t) => 0.2 * 0.9 ** t],
    [{ kind: "cosine", lr: 0.1, total_steps: 30, min_lr: 0.01 }, (t) => 0.01 + 0.09 * (1 + Math.cos(Math.PI * Math.min(t, 30) / 30)) / 2],
    [{ kind: "linear", lr: 0.1, total_steps: 30 }, (t) => 0.1 * (1 - Math.min(t, 30) / 30)],
    [{ kind: "polynomial", lr: 0.1, total_steps: 30, power: 2 }, (t) => 0.1 * (1 - Math.min(t, 30) / 30) ** 2],
  ];
  for (const [spec, expect] of cases) {
    const got = evaluate(spec, n);
    got.forEach((v, t) => assert.ok(close(v, expect(t)), `${spec.kind} t=${t}: ${v} vs ${expect(t)}`));
  }
});

test("one-cycle: starts at max/div, peaks at max, ends at max/(div*final_div)", () => {
  const f = fromSpec({ kind: "one_cycle", max_lr: 0.1, total_steps: 100 });
  assert.ok(close(f(0), 0.1 / 25));
  assert.ok(close(f(29), 0.1));
  assert.ok(close(f(99), 0.1 / 25 / 1e4));
  assert.ok(close(f(500), 0.1 / 25 / 1e4));
});

test("bad specs are errors that name the key", () => {
  assert.throws(() => fromSpec({ kind: "cosine", lr: 0.1 }), /needs "total_steps"/);
  assert.throws(() => fromSpec({ kind: "constant", lr: 0.1, foo: 1 }), /no parameter "foo"/);
  assert.throws(() => fromSpec({ kind: "wavy" }), /unknown schedule kind/);
});

test("every schedule equals lrscope.schedules (golden vectors from Python)", (t) => {
  const g = golden();
  if (!g || !g.schedules) { t.skip("LRSCOPE_GOLDEN not set: run through tests/test_web_js.py"); return; }
  assert.ok(g.schedules.length >= 10);
  for (const { spec, lrs } of g.schedules) {
    const got = evaluate(spec, lrs.length);
    got.forEach((v, i) => assert.ok(close(v, lrs[i], 1e-9, 1e-15), `${JSON.stringify(spec)} step ${i}: js ${v} vs python ${lrs[i]}`));
  }
});

test("momentum of cyclic and one-cycle equals lrscope.schedules' .momentum (golden)", (t) => {
  const g = golden();
  if (!g || !g.momentum) { t.skip("no momentum golden vectors"); return; }
  for (const { spec, momentum } of g.momentum) {
    const f = fromSpec(spec);
    momentum.forEach((m, i) => assert.ok(close(f.momentum(i), m, 1e-9, 1e-15), `${JSON.stringify(spec)} momentum step ${i}: js ${f.momentum(i)} vs python ${m}`));
  }
});

test("old parameter names still read: end_lr -> min_lr, step's step_size -> drop_every, warmup mode exponential -> exp", () => {
  const pairs = [
    [{ kind: "linear", lr: 0.1, total_steps: 30, end_lr: 0.02 }, (t) => 0.1 + (0.02 - 0.1) * Math.min(t, 30) / 30],
    [{ kind: "polynomial", lr: 0.1, total_steps: 30, power: 2, end_lr: 0.01 }, (t) => 0.09 * (1 - Math.min(t, 30) / 30) ** 2 + 0.01],
    [{ kind: "step", lr: 0.1, step_size: 7, gamma: 0.5 }, (t) => 0.1 * 0.5 ** Math.floor(t / 7)],
    [{ kind: "warmup", schedule: { kind: "constant", lr: 0.1 }, warmup_steps: 10, start_factor: 0.01, mode: "exponential" },
      (t) => (t >= 10 ? 0.1 : 0.1 * 0.01 ** (1 - t / 10))],
  ];
  for (const [spec, expect] of pairs) {
    evaluate(spec, 40).forEach((v, t) => assert.ok(close(v, expect(t)), `${spec.kind} t=${t}: ${v} vs ${expect(t)}`));
  }
  assert.throws(() => evaluate({ kind: "linear", lr: 0.1, total_steps: 30, end_lr: 0.02, min_lr: 0.01 }, 5), /old name of "min_lr"/);
});
