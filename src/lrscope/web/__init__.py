"""The loss-landscape explorer page: static files shipped inside the package (no build step).

``lrscope explore`` serves :func:`web_dir`; ``lrscope explore --export page.html`` writes
:func:`build_export`, one self-contained file (CSS and the ES modules inlined) that works
offline from ``file://`` (the bundled three.js files of ``vendor/three/`` ride along as data the
3-D view turns into ``blob:`` modules). :func:`validate_landscape` checks a ``lrscope landscape`` file with
the same rules as the page's ``landscape.js``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError

__all__ = ["web_dir", "MODULES", "build_export", "validate_landscape", "load_landscape",
           "LANDSCAPE_FORMAT", "LANDSCAPE_VERSION"]

LANDSCAPE_FORMAT = "lrscope-landscape"
LANDSCAPE_VERSION = 1

# The page's ES modules in dependency order (each imports only earlier ones); app.js is the entry.
MODULES = ("surfaces.js", "optimizers.js", "schedules.js", "rangetest.js", "landscape.js", "render.js", "view3d.js",
           "app.js")

# The bundled three.js files the 3-D view loads (vendor/three/, see its README.md), each after the
# files it imports: view3d.js turns them into blob: modules in this order in an exported page.
VENDOR_THREE = ("three.core.min.js", "three.module.min.js", "OrbitControls.js")

_IMPORT = re.compile(r"^import\s+\{[^}]*\}\s+from\s+\"\./[a-z0-9_]+\.js\";\s*$", re.M)
_EXPORT = re.compile(r"^export\s+(?=(async\s+)?(function|const|let|class)\b)", re.M)


def web_dir() -> Path:
    """The folder holding index.html, style.css and the modules."""
    return Path(__file__).resolve().parent


def _bundle() -> str:
    parts = []
    for name in MODULES:
        text = (web_dir() / name).read_text(encoding="utf-8")
        text = _IMPORT.sub("", text)
        text = _EXPORT.sub("", text)
        if re.search(r"^\s*(import|export)\b", text, re.M):
            raise RuntimeError(f"{name}: an import/export the exporter cannot inline (use one-line named imports)")
        parts.append(f"// ---- {name} ----\n{text}")
    return "\n".join(parts)


def build_export(landscape: dict[str, Any] | None = None) -> str:
    """One self-contained HTML page (CSS and JavaScript inlined, optional landscape inlined).

    Args:
        landscape: a validated landscape document to open on load, or None.

    Returns:
        The HTML text; it needs no server and no network.
    """
    html = (web_dir() / "index.html").read_text(encoding="utf-8")
    css = (web_dir() / "style.css").read_text(encoding="utf-8")
    js = _bundle().replace("</script", "<\\/script")
    link = '<link rel="stylesheet" href="style.css">'
    script = '<script type="module" src="app.js"></script>'
    if link not in html or script not in html:
        raise RuntimeError("index.html lost its stylesheet link or module script tag")
    html = html.replace(link, f"<style>\n{css}</style>")
    vendor = [[name, (web_dir() / "vendor" / "three" / name).read_text(encoding="utf-8")] for name in VENDOR_THREE]
    # inert JSON: "<" escaped so no "</script" or "<!--" ends it, "://" so that the page holds no
    # address (three.js names the XHTML namespace; nothing is fetched)
    vendor_json = json.dumps(vendor).replace("<", "\\u003c").replace("://", ":\\/\\/")
    html = html.replace(script, f'<script type="application/json" id="lrscope-vendor-three">{vendor_json}</script>\n{script}')
    pre = ""
    if landscape is not None:
        data = json.dumps(landscape, allow_nan=False).replace("</", "<\\/")
        pre = f'<script type="application/json" id="preloaded-landscape">{data}</script>\n'
    return html.replace(script, pre + f'<script type="module">\n{js}\n</script>')


_FIX = "write the file with `lrscope landscape --task ... --out land.json`."


def validate_landscape(doc: Any, *, name: str = "landscape") -> dict[str, Any]:
    """Check a parsed landscape document (the rules of the page's landscape.js).

    ``{"format": "lrscope-landscape", "version": 1, "x": [nx], "y": [ny], "loss": [ny][nx], ...}``
    with x and y increasing and evenly spaced and every loss finite.

    Raises:
        InvalidArgumentError: naming what is wrong, e.g. a foreign ``format``.
    """
    if not isinstance(doc, dict):
        raise InvalidArgumentError(name, type(doc).__name__, "must hold a JSON object", _FIX)
    if doc.get("format") != LANDSCAPE_FORMAT:
        raise InvalidArgumentError(name, f"format={doc.get('format')!r}",
                                   f"is not a landscape file (\"format\" must be {LANDSCAPE_FORMAT!r})", _FIX)
    if doc.get("version") != LANDSCAPE_VERSION:
        raise InvalidArgumentError(name, f"version={doc.get('version')!r}",
                                   f"has an unsupported version (this lrscope reads version {LANDSCAPE_VERSION})", _FIX)
    for axis in ("x", "y"):
        a = doc.get(axis)
        if not isinstance(a, list) or len(a) < 2 or not all(_finite(v) for v in a):
            raise InvalidArgumentError(name, f"{axis}={str(a)[:60]}", f"needs \"{axis}\": a list of at least 2 finite numbers", _FIX)
        steps = [b - c for c, b in zip(a, a[1:])]
        if not all(s > 0 for s in steps):
            raise InvalidArgumentError(name, f"{axis}={str(a)[:60]}", f"needs \"{axis}\" increasing", _FIX)
        d = (a[-1] - a[0]) / (len(a) - 1)
        if any(abs(s - d) > 1e-6 * abs(d) + 1e-12 for s in steps):
            raise InvalidArgumentError(name, f"{axis}={str(a)[:60]}", f"needs \"{axis}\" evenly spaced", _FIX)
    z = doc.get("loss")
    if not isinstance(z, list) or len(z) != len(doc["y"]):
        raise InvalidArgumentError(name, f"{len(z) if isinstance(z, list) else type(z).__name__} rows",
                                   f"needs \"loss\" with one row per y value ({len(doc['y'])})", _FIX)
    for j, row in enumerate(z):
        if not isinstance(row, list) or len(row) != len(doc["x"]):
            raise InvalidArgumentError(name, f"row {j}", f"needs every row of \"loss\" to have {len(doc['x'])} values", _FIX)
        if not all(_finite(v) for v in row):
            raise InvalidArgumentError(name, f"row {j}", "needs every loss to be a finite number", _FIX)
    _validate_paths(doc.get("paths"), name)
    return doc


def _validate_paths(paths: Any, name: str) -> None:
    """Optional real training paths (``lrscope landscape --trajectories``): a list of
    ``{"label", "lr", "step": [n], "x": [n], "y": [n], "loss": [n], "diverged"}``, steps
    increasing, every number finite (the page draws them at these coordinates and losses)."""
    if paths is None:
        return
    if not isinstance(paths, list):
        raise InvalidArgumentError(name, f"paths={str(paths)[:60]}", "needs \"paths\" to be a list of paths", _FIX)
    for k, path in enumerate(paths):
        if not isinstance(path, dict):
            raise InvalidArgumentError(name, f"paths[{k}]", "needs every path to be an object", _FIX)
        n = None
        for key in ("step", "x", "y", "loss"):
            a = path.get(key)
            if not isinstance(a, list) or not a or not all(_finite(v) for v in a):
                raise InvalidArgumentError(name, f"paths[{k}].{key}", f"needs \"{key}\": a non-empty list of finite numbers", _FIX)
            if n is not None and len(a) != n:
                raise InvalidArgumentError(name, f"paths[{k}].{key} has {len(a)} values",
                                           f"needs \"step\", \"x\", \"y\" and \"loss\" of one length ({n})", _FIX)
            n = len(a)
        if any(b <= c for c, b in zip(path["step"], path["step"][1:])):
            raise InvalidArgumentError(name, f"paths[{k}].step", "needs \"step\" increasing", _FIX)


def load_landscape(path: str | Path) -> dict[str, Any]:
    """Read and validate a landscape file; errors name the file (InvalidArgumentError)."""
    p = Path(path)
    if not p.is_file():
        raise InvalidArgumentError("landscape", str(p), "is not a file", "give the path of a file written by `lrscope landscape`.")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidArgumentError("landscape", str(p), f"is not valid JSON ({exc})", _FIX) from exc
    except RecursionError:
        raise InvalidArgumentError("landscape", str(p), "is nested too deeply to be a landscape file", _FIX) from None
    except OSError as exc:
        raise InvalidArgumentError("landscape", str(p), f"cannot be read ({exc.strerror or exc})",
                                   "check the path and its permissions.") from None
    return validate_landscape(doc, name=f"landscape {p.name}")


def _finite(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:   # an integer with hundreds of digits
        return False
