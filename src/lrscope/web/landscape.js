// Validation of a loss-landscape file written by `lrscope landscape` (format "lrscope-landscape",
// version 1). Pure functions, no DOM. The same rules as lrscope.web.validate_landscape (Python).

export const LANDSCAPE_FORMAT = "lrscope-landscape";
export const LANDSCAPE_VERSION = 1;

/**
 * Check a parsed landscape document and return it; throw an Error whose message says what is
 * wrong and how to fix it (the page shows it as is).
 *   {format: "lrscope-landscape", version: 1, x: [nx], y: [ny], loss: [ny][nx], name?, ...}
 */
export function validateLandscape(doc) {
  const fix = "write the file with `lrscope landscape --task ... --out land.json`";
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`not a landscape file: the JSON must be an object; ${fix}`);
  if (doc.format !== LANDSCAPE_FORMAT) {
    throw new Error(`not a landscape file: "format" is ${JSON.stringify(doc.format ?? null)}, expected "${LANDSCAPE_FORMAT}"; ${fix}`);
  }
  if (doc.version !== LANDSCAPE_VERSION) throw new Error(`unsupported landscape version ${JSON.stringify(doc.version ?? null)}: this page reads version ${LANDSCAPE_VERSION}; ${fix}`);
  for (const axis of ["x", "y"]) {
    const a = doc[axis];
    if (!Array.isArray(a) || a.length < 2 || !a.every(Number.isFinite)) throw new Error(`bad landscape file: "${axis}" must be a list of at least 2 finite numbers; ${fix}`);
    for (let i = 1; i < a.length; i++) if (!(a[i] > a[i - 1])) throw new Error(`bad landscape file: "${axis}" must be increasing; ${fix}`);
    const d = (a[a.length - 1] - a[0]) / (a.length - 1);
    for (let i = 1; i < a.length; i++) if (Math.abs(a[i] - a[i - 1] - d) > 1e-6 * Math.abs(d) + 1e-12) throw new Error(`bad landscape file: "${axis}" must be evenly spaced; ${fix}`);
  }
  const z = doc.loss;
  if (!Array.isArray(z) || z.length !== doc.y.length) throw new Error(`bad landscape file: "loss" must have one row per y value (${doc.y.length}), got ${Array.isArray(z) ? z.length : typeof z}; ${fix}`);
  z.forEach((row, j) => {
    if (!Array.isArray(row) || row.length !== doc.x.length) throw new Error(`bad landscape file: row ${j} of "loss" must have ${doc.x.length} values (one per x); ${fix}`);
    if (!row.every(Number.isFinite)) throw new Error(`bad landscape file: row ${j} of "loss" holds a value that is not a finite number; ${fix}`);
  });
  validatePaths(doc.paths, fix);
  return doc;
}

/** The optional real training paths of `lrscope landscape --trajectories` (rules of lrscope.web._validate_paths). */
function validatePaths(paths, fix) {
  if (paths === undefined || paths === null) return;
  if (!Array.isArray(paths)) throw new Error(`bad landscape file: "paths" must be a list of paths; ${fix}`);
  paths.forEach((p, k) => {
    if (p === null || typeof p !== "object" || Array.isArray(p)) throw new Error(`bad landscape file: paths[${k}] must be an object; ${fix}`);
    let n = null;
    for (const key of ["step", "x", "y", "loss"]) {
      const a = p[key];
      if (!Array.isArray(a) || !a.length || !a.every(Number.isFinite)) throw new Error(`bad landscape file: paths[${k}].${key} must be a non-empty list of finite numbers; ${fix}`);
      if (n !== null && a.length !== n) throw new Error(`bad landscape file: paths[${k}] needs "step", "x", "y" and "loss" of one length (${n}); ${fix}`);
      n = a.length;
    }
    for (let i = 1; i < n; i++) if (!(p.step[i] > p.step[i - 1])) throw new Error(`bad landscape file: paths[${k}].step must be increasing; ${fix}`);
  });
}

/** Parse text and validate; errors start with the file name when given. */
export function parseLandscape(text, fileName = "") {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName ? fileName + ": " : ""}not valid JSON (${e.message}); load a file written by \`lrscope landscape\``);
  }
  try {
    return validateLandscape(doc);
  } catch (e) {
    throw new Error(`${fileName ? fileName + ": " : ""}${e.message}`);
  }
}
