"""Flags and output helpers shared by several subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .._json import strict
from ..errors import InvalidArgumentError


def add_task_argument(parser: argparse.ArgumentParser) -> None:
    """`lrscope X file.py:make_task` or `lrscope X --task demo:mnist1d-mlp`."""
    parser.add_argument("task_spec", nargs="?", metavar="TASK",
                        help="file.py:make_task, package.module:make_task or demo:NAME")
    parser.add_argument("--task", dest="task_opt", metavar="TASK", help="same as the positional TASK")
    parser.add_argument("--seed", type=int, default=0, help="seed passed to make_task and the run (default 0)")


def task_spec(args: argparse.Namespace) -> str:
    spec = args.task_opt or args.task_spec
    if args.task_opt and args.task_spec and args.task_opt != args.task_spec:
        raise InvalidArgumentError("task", f"{args.task_spec!r} and --task {args.task_opt!r}",
                                   "was given twice with different values", "give TASK once.")
    if not spec:
        raise InvalidArgumentError("task", None, "is required", "e.g. `--task demo:mnist1d-mlp` or `my_task.py:make_task`.")
    return spec


def add_output_flags(parser: argparse.ArgumentParser, *, plot: bool = True, report: bool = True) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON document instead of a table")
    if plot:
        parser.add_argument("--plot", metavar="OUT.png", help="write a plot (png, svg or pdf)")
    if report:
        parser.add_argument("--report", metavar="OUT.html", help="write an offline HTML report")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


#: file types a --plot may have (matplotlib's raster and vector writers that need nothing else)
PLOT_FORMATS = ("png", "svg", "svgz", "pdf", "jpg", "jpeg", "webp", "tif", "tiff", "eps", "ps")
#: what each kind of output path must end in
_SUFFIXES = {"plot": PLOT_FORMATS, "html": ("html", "htm"), "json": ("json",)}


def check_writable(name: str, path: str | None, kind: str | None = None) -> Path | None:
    """Fail early (exit 2) when an output path cannot be written, before any long work.

    ``kind`` ("plot", "html" or "json") also checks the file type. The folder is checked by
    really creating (and removing) the file, or opening an existing one for appending, since
    ``os.access`` alone approves paths that cannot be written (as root, ``/proc/x.png``).
    """
    if path is None:
        return None
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InvalidArgumentError(name, path, "is a directory", "give a file name.")
    if kind is not None:
        suffix = p.suffix.lower().lstrip(".")
        allowed = _SUFFIXES[kind]
        if suffix not in allowed:
            raise InvalidArgumentError(name, path, f"must end in one of {', '.join('.' + a for a in allowed)}",
                                       f"e.g. {p.with_suffix('.' + allowed[0]).name}.")
    if not parent.is_dir():
        raise InvalidArgumentError(name, path, f"is in a folder that does not exist ({parent})",
                                   "create the folder first or choose another path.")
    try:
        if p.exists():
            with open(p, "ab"):
                pass
        else:
            with open(p, "xb"):
                pass
            p.unlink()
    except OSError as exc:
        raise InvalidArgumentError(name, path, f"cannot be written ({exc.strerror or exc})",
                                   "choose a path you may write to.") from None
    return p


def write_outputs(command: str, jobs, *, quiet: bool = False) -> int:
    """Write each output after the results were printed: ``jobs`` is a list of
    ``(flag, path, write)``. A failed write names the file and is reported on stderr; the others
    are still written. Returns the exit code (0, or 1 when a write failed)."""
    rc = 0
    sys.stdout.flush()   # the results reach the terminal or the pipe before any write is tried
    for flag, path, write in jobs:
        if path is None:
            continue
        try:
            write()
        except (OSError, ValueError, RuntimeError) as exc:
            print(f"lrscope {command}: failed: could not write {flag} {path} ({type(exc).__name__}: {exc}). "
                  "The results above are complete. Fix: choose another path.", file=sys.stderr)
            rc = 1
            continue
        print(f"wrote {path}", file=sys.stderr if quiet else sys.stdout)
    return rc


def print_json(payload: Any) -> None:
    """Print strict JSON (NaN/inf become null) to stdout."""
    json.dump(strict(payload), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[Any]], file=None) -> None:
    """A plain aligned text table."""
    file = file or sys.stdout
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=file)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=file)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)
