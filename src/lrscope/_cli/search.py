"""`lrscope search`: search the learning rate (and more) with one strategy, on one machine or as one worker."""

from __future__ import annotations

import argparse
import sys

from ._common import add_output_flags, add_task_argument, check_writable, print_json, task_spec, write_outputs

STRATEGIES = ("grid", "random", "qmc", "tpe", "gp", "cmaes", "nsga2", "anneal", "aco", "finder")


def add_storage_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--storage", metavar="URL|FILE.log",
                   help="journal file (one machine) or database URL such as postgresql+psycopg2://user:pw@host/db")
    p.add_argument("--study", metavar="NAME", help="study name (with --storage it must exist: `lrscope study create`)")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "search", help="search the LR (and schedule, momentum, ...) with grid/random/tpe/gp/cmaes/anneal/aco/finder",
        description="Run a search, or one worker of a shared study (--storage URL --study NAME).")
    add_task_argument(p)
    p.add_argument("--strategy", choices=STRATEGIES, default=None, help="default tpe, or the stored study's")
    p.add_argument("--trials", type=int, default=20, help="trials this process runs (default 20)")
    p.add_argument("--space", default=None, help="lr (default), schedule, full, a JSON object or a .json file")
    p.add_argument("--steps", type=int, default=300, help="optimizer steps per trial (default 300)")
    p.add_argument("--eval-every", type=int, default=None, help="steps between intermediate reports")
    p.add_argument("--pruner", choices=("none", "median", "sha", "asha", "hyperband"), default=None)
    p.add_argument("--max-steps", type=int, default=None, help="stop once all trials spent this many steps")
    p.add_argument("--sampler-seed", type=int, default=None,
                   help="sampler seed, 0 to 2**32-1 (default: --seed alone, random for a shared study's worker)")
    p.add_argument("--device", default=None, help="torch device, e.g. cuda:0")
    add_storage_flags(p)
    p.add_argument("--heartbeat", type=int, default=10, help="seconds between heartbeats (journal or database storage)")
    p.add_argument("--grace", type=int, default=None, help="seconds without heartbeat before a trial is retried")
    from .find import add_threads_flag

    add_threads_flag(p)
    add_output_flags(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = task_spec(args)
    check_writable("--plot", args.plot, "plot")
    check_writable("--report", args.report, "html")
    from ..hpsearch import SearchInterrupted, search, task_objective
    from ..hpsearch._samplers import check_seed

    shared = args.storage is not None
    # the sampler's seed, named by the flag it came from, checked before the task is loaded
    if args.sampler_seed is not None:
        sampler_seed = check_seed("--sampler-seed", args.sampler_seed)
    else:
        sampler_seed = None if shared else check_seed("--seed", args.seed)
    from .find import set_threads

    set_threads(args.threads, spec)
    objective = task_objective(spec, steps=args.steps, eval_every=args.eval_every, seed=args.seed, device=args.device)
    if args.threads is None and not spec.startswith("demo:"):
        set_threads(None, spec, objective.build())      # one thread for a small model, else the idle cores
    try:
        result = search(objective, space=args.space, strategy=args.strategy, budget=args.trials, storage=args.storage,
                        study=args.study, seed=sampler_seed, pruner=args.pruner, progress=not args.no_progress,
                        max_steps=args.max_steps, must_exist=shared and args.study is not None,
                        heartbeat_interval=args.heartbeat, grace_period=args.grace)
    except SearchInterrupted as stop:
        # Ctrl-C (or SIGTERM/SIGHUP): show what was done, and say where it is kept, then exit 128 + the signal.
        emit(stop.result, args)  # a failed write is reported; the interrupt decides the exit code
        kept = (f"they are kept in {args.storage}; run the same command to go on" if shared else
                "they were in memory only; give --storage study.log --study NAME to keep a search")
        n = len(stop.result.trials)
        print(f"lrscope search: interrupted after {n} trial{'s' * (n != 1)}; {kept}", file=sys.stderr)
        return 128 + stop.signum
    code = emit(result, args)
    if not any(t.state == "COMPLETE" for t in result.trials):
        failed = [t for t in result.trials if t.state == "FAIL"]
        why = (f"the first failure (trial {failed[0].number}): {failed[0].reason}" if failed else
               "no trial ran (every one was pruned, or the budget was spent)")
        print(f"lrscope search: failed: no trial finished; {why}. Fix: run `lrscope find` or `lrscope probe` "
              "on the same task to see the error, and check the task against the search space.", file=sys.stderr)
        return 1
    return code


def emit(result, args) -> int:
    """Print the table or JSON, then write --plot / --report (shared with `lrscope study`);
    returns the exit code (1 when a file could not be written)."""
    quiet = getattr(args, "json", False)
    if quiet:
        print_json(result.to_dict())
    else:
        print(result.summary())
    plot = getattr(args, "plot", None)
    flag, report = ("--report", args.report) if getattr(args, "report", None) else ("--html", getattr(args, "html", None))

    def write_report():
        from ..hpsearch._report import write_search_html

        write_search_html(result, report)

    return write_outputs(args.command, [("--plot", plot, lambda: result.plot().savefig(plot)),
                                        (flag, report, write_report)], quiet=quiet)
