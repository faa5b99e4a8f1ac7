"""The `lrscope` command line: one module per subcommand in lrscope._cli.

Each module ``lrscope/_cli/<name>.py`` defines ``add_parser(subparsers)``, which
registers its subparser and sets ``func=run`` with ``run(args) -> int``. Heavy
imports (torch, optuna, matplotlib) happen inside ``run`` only.

Exit codes: 0 ok, 2 bad usage or input, 1 failure, 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM), 129 hung up (SIGHUP), 141 the output pipe was closed (``| head``). A signal unwinds the command like Ctrl-C does, so the
user's model and optimizer are restored and temporary files (``--snapshot disk``) removed; a
second signal during that clean-up is not allowed to cut it short.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys

from . import __version__
from .errors import InvalidArgumentError, LRScopeError, MissingDependencyError

SUBCOMMANDS = ("schedule", "find", "probe", "search", "study", "landscape", "explore")


class _Parser(argparse.ArgumentParser):
    """argparse with lrscope's error format: ``lrscope X: error: ... Fix: ...`` and exit 2 (the
    usage line first, as argparse prints it)."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}. Fix: see `{self.prog} --help` for the arguments.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the command is, so that it unwinds like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_unwind():
    """SIGINT, SIGTERM and SIGHUP raise in the main thread (the first one only: a second one while
    the command cleans up is noted and ignored). Signals the parent set to be ignored (``nohup``,
    a background job's SIGINT) stay ignored. Yields the list of signals received."""
    received: list[int] = []

    def handler(signum, frame):
        received.append(signum)
        if len(received) > 1:
            print(f"lrscope: {signal.Signals(signum).name} again; still cleaning up, please wait",
                  file=sys.stderr, flush=True)
            return
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)

    names = ("SIGINT", "SIGTERM", "SIGHUP")
    previous = {}
    for name in names:
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            if signal.getsignal(sig) is signal.SIG_IGN:
                continue
            previous[sig] = signal.signal(sig, handler)
        except ValueError:   # not the main thread: leave the signals alone
            break
    try:
        yield received
    finally:
        for sig, old in previous.items():
            # after a signal the process is on its way out: a late second one must not kill it
            # before it exits with its code
            signal.signal(sig, signal.SIG_IGN if received else old)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass   # not a real file descriptor (captured output)


def _exit_code(received: list[int]) -> int:
    """128 + the first signal's number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP)."""
    return 128 + int(received[0])


def main(argv: list[str] | None = None) -> int:
    command = ""
    with _signals_unwind() as received:
        try:
            parser = build_parser()
            args = parser.parse_args(argv)
            if not getattr(args, "func", None):
                parser.print_help()
                return 2
            command = args.command
            try:
                code = int(args.func(args) or 0)
            except (InvalidArgumentError, MissingDependencyError) as exc:
                print(f"lrscope {command}: error: {exc}", file=sys.stderr)
                return 2
            except LRScopeError as exc:
                print(f"lrscope {command}: failed: {exc}", file=sys.stderr)
                return 1
            except BrokenPipeError:
                # the reader went away (`lrscope find --json | head -2`): stop quietly, as `yes | head`
                # does; the rest of the output has nowhere to go
                _silence_stdout()
                return 128 + 13
            # a command that handles Ctrl-C itself (search) returns 130; a SIGTERM that reached it
            # still exits 143
            return _exit_code(received) if received else code
        except KeyboardInterrupt:
            if not received:   # raised without our handler (e.g. by a test, or a library's own)
                received.append(signal.SIGINT)
            first = received[0]
            what = "interrupted" if first == signal.SIGINT else f"stopped by {signal.Signals(first).name}"
            print(f"lrscope{' ' + command if command else ''}: {what}", file=sys.stderr)
            return _exit_code(received)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
