// Axis ticks of the explorer's charts: every label names the value at its own position.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axisTicks, tickText } from "../../src/lrscope/web/render.js";

test("linear ticks are nice values labelled exactly (no '230' drawn at 225)", () => {
  for (const [lo, hi] of [[0, 300], [0, 299], [-0.66, 0.064], [0, 1e-3], [1, 2.5e6]]) {
    const t = axisTicks(lo, hi, false);
    assert.ok(t.length >= 2, `${lo}..${hi}: ${JSON.stringify(t)}`);
    for (const [pos, text] of t) {
      assert.ok(pos >= lo - 1e-9 * Math.abs(hi - lo) && pos <= hi + 1e-9 * Math.abs(hi - lo));
      assert.ok(Math.abs(Number(text) - pos) <= 1e-9 * Math.max(1, Math.abs(pos)), `${text} drawn at ${pos}`);
    }
  }
  assert.deepEqual(axisTicks(0, 300, false).map((t) => t[1]), ["0", "100", "200", "300"]);
});

test("log ticks: whole decades, thinned when there are many; within a decade, nice values", () => {
  assert.deepEqual(axisTicks(-12.3, 1.2, true).map((t) => t[0]), [-12, -9, -6, -3, 0]);
  assert.deepEqual(axisTicks(-2.5, 0.5, true).map((t) => t[1]), ["0.01", "0.1", "1"]);
  for (const [pos, text] of axisTicks(-2.2, -1.9, true)) assert.ok(Math.abs(Math.log10(Number(text)) - pos) < 1e-12);
  assert.equal(tickText(0.0005), "5e-4");
  assert.equal(tickText(225), "225");
});
