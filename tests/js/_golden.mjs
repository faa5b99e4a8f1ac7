// Golden vectors written by tests/test_web_js.py (env LRSCOPE_GOLDEN = path of a JSON file).
import { readFileSync } from "node:fs";

export function golden() {
  const path = process.env.LRSCOPE_GOLDEN;
  if (!path) return null;
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Relative closeness |a - b| <= rtol * max(|a|, |b|) + atol. */
export function close(a, b, rtol = 1e-9, atol = 1e-12) {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}
