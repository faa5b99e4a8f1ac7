"""`lrscope probe`: short constant-LR runs from one starting state, each with a verdict.

    lrscope probe --task demo:mnist1d-mlp --lrs 1,0.1,0.01,0.001 --steps 50 --plot probe.png
"""

from __future__ import annotations

import argparse

from ._common import add_output_flags, add_task_argument, check_writable, print_json, task_spec, write_outputs
from .find import add_threads_flag, set_threads

_FLAGS = {
    "--steps": ("steps", int, "optimizer steps per LR, 2 to 1,000,000 (default 30)"),
    "--diverge-factor": ("diverge_factor", float, "a run explodes above start + (factor-1)*|start| (default 4)"),
    "--slow-ratio": ("slow_ratio", float, "too slow below this fraction of the best run's drop (default 0.5)"),
    "--accumulation-steps": ("accumulation_steps", int, "micro-batches per optimizer step (default 1)"),
    "--snapshot": ("snapshot", str, "where the saved state lives: memory (default), disk, or a folder"),
    "--device": ("device", str, "device for the batches (default: the model's)"),
}


def _lrs(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated LRs such as 0.1,0.01,0.001, got {text!r}") from exc
    if not values:
        raise argparse.ArgumentTypeError("expected at least one LR")
    return values


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "probe",
        help="short runs at a few constant LRs, each judged explodes / too slow / good",
        description="Train a task for a few steps at each of a few LRs, always from the same starting state, and "
                    "judge each run: explodes, too slow or good (rules in lrscope.analysis.probe). The task's "
                    "model and optimizer are restored afterwards. Exit codes: 0 ok, 2 bad usage or input, 1 failure.",
    )
    add_task_argument(p)
    g = p.add_argument_group("probe")
    g.add_argument("--lrs", type=_lrs, default=None, metavar="LR1,LR2,...",
                   help="LRs to try (default 0.1,0.01,0.001,0.0001)")
    for flag, (dest, typ, help_) in _FLAGS.items():
        g.add_argument(flag, dest=dest, type=typ, default=None, help=help_)
    add_threads_flag(p)
    add_output_flags(p, plot=True, report=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = task_spec(args)
    plot_path = check_writable("--plot", getattr(args, "plot", None), "plot")
    from .._validate import require

    if plot_path is not None:
        require("matplotlib", "--plot", "plot")
    kwargs = {dest: getattr(args, dest) for dest, _, _ in _FLAGS.values() if getattr(args, dest) is not None}
    if args.lrs is not None:
        kwargs["lrs"] = args.lrs

    require("torch", "lrscope probe", "torch")
    from .. import load_task, probe

    set_threads(args.threads, spec)
    task = load_task(spec, seed=args.seed)
    set_threads(args.threads, spec, task)
    result = probe(task, seed=args.seed, progress=not args.no_progress, **kwargs)
    result.task_name = task.name
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.summary())
    return write_outputs("probe", [("--plot", plot_path,
                                    lambda: result.plot().savefig(plot_path, dpi=120, bbox_inches="tight"))],
                         quiet=args.json)
