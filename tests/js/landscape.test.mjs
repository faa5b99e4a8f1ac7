import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLandscape, validateLandscape } from "../../src/lrscope/web/landscape.js";

const good = () => ({ format: "lrscope-landscape", version: 1, x: [-1, 0, 1], y: [-1, 1], loss: [[1, 2, 3], [4, 5, 6]] });

test("a well-formed landscape passes", () => {
  assert.deepEqual(validateLandscape(good()).loss[1], [4, 5, 6]);
});

test("malformed or foreign files get a message that says what is wrong and the fix", () => {
  assert.throws(() => parseLandscape("{not json", "a.json"), /a\.json: not valid JSON.*lrscope landscape/);
  assert.throws(() => parseLandscape("[1,2]"), /must be an object/);
  assert.throws(() => validateLandscape({ format: "optuna-study" }), /"format" is "optuna-study", expected "lrscope-landscape"/);
  assert.throws(() => validateLandscape({ ...good(), version: 9 }), /unsupported landscape version 9/);
  assert.throws(() => validateLandscape({ ...good(), x: [0, 1, 0.5] }), /"x" must be increasing/);
  assert.throws(() => validateLandscape({ ...good(), x: [0, 1, 3] }), /evenly spaced/);
  assert.throws(() => validateLandscape({ ...good(), loss: [[1, 2, 3]] }), /one row per y value/);
  assert.throws(() => validateLandscape({ ...good(), loss: [[1, 2], [3, 4]] }), /row 0 of "loss" must have 3 values/);
  assert.throws(() => validateLandscape({ ...good(), loss: [[1, 2, null], [4, 5, 6]] }), /not a finite number/);
});
