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


def check_writable(name: str, path: str | None) -> Path | None:
    """Fail early (exit 2) when an output path cannot be written, before any long work."""
    if path is None:
        return None
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InvalidArgumentError(name, path, "is a directory", "give a file name.")
    if not parent.is_dir():
        raise InvalidArgumentError(name, path, f"is in a folder that does not exist ({parent})",
                                   "create the folder first or choose another path.")
    import os

    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise InvalidArgumentError(name, path, "cannot be written", "choose a path you may write to.")
    return p


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
