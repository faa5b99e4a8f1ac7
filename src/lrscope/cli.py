"""The `lrscope` command line: one module per subcommand in lrscope._cli.

Each module ``lrscope/_cli/<name>.py`` defines ``add_parser(subparsers)``, which
registers its subparser and sets ``func=run`` with ``run(args) -> int``. Heavy
imports (torch, optuna, matplotlib) happen inside ``run`` only.

Exit codes: 0 ok, 2 bad usage or input, 1 failure, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import InvalidArgumentError, LRScopeError, MissingDependencyError

SUBCOMMANDS = ("schedule", "find", "probe", "search", "study", "landscape", "explore")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lrscope",
        description="Choose a learning rate by measurement: range test, probe, schedules, search, explorer.",
    )
    parser.add_argument("--version", action="version", version=f"lrscope {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"lrscope._cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"lrscope._cli.{name}":
                continue  # subcommand not built yet
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (InvalidArgumentError, MissingDependencyError) as exc:
        print(f"lrscope {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except LRScopeError as exc:
        print(f"lrscope {args.command}: failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"lrscope {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
