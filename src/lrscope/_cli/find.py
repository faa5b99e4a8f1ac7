"""`lrscope find`: run the LR range test on a task; print the suggestions, write a plot and a report.

    lrscope find --task demo:mnist1d-mlp --plot lrscope-out/range_test.png --report lrscope-out/range_test.html
    lrscope find examples/custom_task.py:make_task --num-steps 200 --json
"""

from __future__ import annotations

import argparse

from ..errors import InvalidArgumentError
from ._common import (add_output_flags, add_task_argument, check_writable, print_json, print_table, task_spec,
                      write_outputs)


def add_threads_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="torch CPU threads (default: 1 for models under 50k parameters and the demo: tasks, "
                             "else the idle cores)")


def set_threads(threads: int | None, spec: str, task=None) -> None:
    """Set torch's intra-op threads for this CLI process (never done by the library itself).

    Called before the task is built (``task=None``: an explicit ``--threads``, or one thread
    for the demo tasks) and again after (``auto_threads``: one thread for a small model, else
    the idle cores); see ``lrscope.adapters.torch_env.auto_threads`` for the measurement.
    """
    from .._validate import integer
    from ..adapters.torch_env import auto_threads, set_num_threads

    if threads is not None:
        set_num_threads(integer("--threads", threads, minimum=1))
    elif spec.startswith("demo:"):
        set_num_threads(1)
    elif task is not None:
        set_num_threads(auto_threads(task.model))

# flag -> (find_lr keyword, type, help); None defaults mean "find_lr's own default"
_SWEEP_FLAGS = {
    "--start-lr": ("start_lr", float, "first LR of the sweep (default 1e-7)"),
    "--end-lr": ("end_lr", float, "last LR of the sweep (default 10)"),
    "--num-steps": ("num_steps", int, "optimizer steps of the sweep, 10 to 1,000,000 (default 100)"),
    "--mode": ("mode", str, "exp (geometric, default) or linear"),
    "--smoothing": ("smoothing", float, "debiased-EMA factor in [0, 1) (default 0.98)"),
    "--diverge-factor": ("diverge_factor", float, "stop when the smoothed loss exceeds its best by this factor (default 4)"),
    "--extend-decades": ("extend_decades", float, "a sweep that has not diverged by --end-lr carries on this many "
                                                  "decades further at the same rate (default 4; 0: never)"),
    "--budget-steps": ("budget_steps", int, "the planned training length in optimizer steps, if known: the "
                                            "confirmation runs and the answers are tuned to it"),
    "--repeats": ("repeats", int, "sweeps with different batch orders, 1 to 100; suggestions are medians (default 1)"),
    "--val-every": ("val_every", int, "evaluate the task's validation set every N steps (default: never)"),
    "--accumulation-steps": ("accumulation_steps", int, "micro-batches per optimizer step (default 1)"),
    "--snapshot": ("snapshot", str, "where the saved state lives: memory (default), disk, or a folder"),
    "--device": ("device", str, "device for the batches (default: the model's)"),
}


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated suggester names such as valley,steepest")
    return names


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "find",
        help="run the LR range test and suggest learning rates",
        description="Run Smith's LR range test on a task (demo:NAME, file.py:make_task or package.module:make_task): "
                    "one short sweep from --start-lr to --end-lr (carried on past it when the loss has not "
                    "diverged), a few short confirmation runs below the point where the loss turned up, then the "
                    "LR per use (constant, one-cycle peak, cyclic range) with a confidence verdict and the cost in "
                    "optimizer steps. The task's model and optimizer are restored afterwards. Exit codes: 0 ok, 2 bad usage or input, 1 failure.",
    )
    add_task_argument(p)
    sweep = p.add_argument_group("sweep")
    for flag, (dest, typ, help_) in _SWEEP_FLAGS.items():
        sweep.add_argument(flag, dest=dest, type=typ, default=None, help=help_,
                           choices=("exp", "linear") if dest == "mode" else None)
    sweep.add_argument("--no-confirm", dest="confirm", action="store_false",
                       help="skip the confirmation runs: answer from the sweep's curve alone (cheaper, less reliable)")
    sweep.add_argument("--suggest", type=_names, metavar="NAMES",
                       help="comma-separated suggesters, first answer wins, for the constant LR "
                            "(e.g. valley,steepest; see lrscope.analysis.SUGGESTERS)")
    add_threads_flag(p)
    add_output_flags(p, plot=True, report=True)
    p.set_defaults(func=run)


def _check_suggest(names: list[str] | None) -> list[str] | None:
    if names is None:
        return None
    from ..analysis import SUGGESTERS

    unknown = [n for n in names if n not in SUGGESTERS]
    if unknown:
        raise InvalidArgumentError("--suggest", ",".join(names), f"names unknown suggesters {unknown}",
                                   f"pick from {sorted(SUGGESTERS)}.")
    return names


def _save_plot(result, path) -> None:
    fig = result.plot()
    fig.savefig(path, dpi=120, bbox_inches="tight")


def run(args: argparse.Namespace) -> int:
    spec = task_spec(args)
    plot_path = check_writable("--plot", getattr(args, "plot", None), "plot")  # fail before the sweep
    report_path = check_writable("--report", getattr(args, "report", None), "html")
    suggest = _check_suggest(args.suggest)
    from .._validate import require

    if plot_path is not None or report_path is not None:
        require("matplotlib", "--plot and --report", "plot")
    kwargs = {dest: getattr(args, dest) for dest, _, _ in _SWEEP_FLAGS.values() if getattr(args, dest) is not None}

    from .. import find_lr, load_task

    require("torch", "lrscope find", "torch")
    set_threads(args.threads, spec)
    task = load_task(spec, seed=args.seed)
    set_threads(args.threads, spec, task)
    result = find_lr(task, seed=args.seed, confirm=args.confirm, progress=not args.no_progress, **kwargs)
    for r in (result, *result.repeats):
        r.task_name = task.name

    chosen = None
    if suggest is not None:
        chosen = {"rules": suggest, "lr": result.suggest_for("lr", tuple(suggest)),
                  "values": {n: result.suggestions.get(n) for n in suggest}}
    if args.json:
        payload = result.to_dict()
        if chosen is not None:
            payload["suggest"] = chosen
        print_json(payload)
    else:
        print(result.summary())
        if chosen is not None:
            print()
            print_table(["suggester", "lr"], [[n, chosen["values"][n]] for n in suggest])
            lr = chosen["lr"]
            print(f"\nlr by --suggest {','.join(suggest)}: " + ("none answered" if lr is None else f"{lr:.4g}"))

    def write_report():
        from ..report import write_html

        write_html(result, report_path, title=f"lrscope range test: {task.name}")

    # the answer is printed first, so a failed write never loses it
    return write_outputs("find", [("--plot", plot_path, lambda: _save_plot(result, plot_path)),
                                  ("--report", report_path, write_report)], quiet=args.json)
