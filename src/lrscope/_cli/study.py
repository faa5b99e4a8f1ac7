"""`lrscope study create|show|report`: a shared study, created once, read from any storage."""

from __future__ import annotations

import argparse

from ._common import check_writable, print_json, print_table


def add_parser(subparsers) -> None:
    from .search import STRATEGIES

    p = subparsers.add_parser("study", help="create a shared search study once; show or report a study")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    c = sub.add_parser("create", help="create a study (once) before starting workers")
    c.add_argument("--storage", required=True, help="journal file or database URL")
    c.add_argument("--study", required=True, help="study name")
    c.add_argument("--space", default=None, help="lr (default), schedule, full, JSON or a .json file")
    c.add_argument("--strategy", choices=STRATEGIES, default="tpe")
    c.add_argument("--direction", choices=("maximize", "minimize"), default=None,
                   help="maximize a metric or minimize a loss (default: from --task, else required)")
    c.add_argument("--task", default=None, help="a task spec, used only to infer --direction")
    c.add_argument("--pruner", choices=("none", "median", "sha", "asha", "hyperband"), default=None)
    c.add_argument("--trials", type=int, default=None, help="target finished trials; workers stop there")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=run)

    s = sub.add_parser("show", help="list the studies of a storage, or show one study's trials")
    s.add_argument("--storage", required=True)
    s.add_argument("--study", default=None)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=run)

    r = sub.add_parser("report", help="write an offline HTML report (and a plot) of a study")
    r.add_argument("--storage", required=True)
    r.add_argument("--study", required=True)
    r.add_argument("--html", metavar="OUT.html", default=None)
    r.add_argument("--plot", metavar="OUT.png", default=None)
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InvalidArgumentError
    from ..hpsearch import create_study, load_search

    if args.action == "create":
        direction = args.direction
        if direction is None:
            if args.task is None:
                raise InvalidArgumentError("direction", None, "is required without --task",
                                           "give --direction maximize (a metric) or minimize (a loss), or --task.")
            from ..hpsearch import task_objective

            direction = task_objective(args.task).direction
        meta = create_study(args.storage, args.study, space=args.space, strategy=args.strategy, direction=direction,
                            pruner=args.pruner, trials=args.trials)
        if args.json:
            print_json({"study": args.study, **meta})
        else:
            print(f"created study {args.study!r}: strategy={meta['strategy']}, direction={meta['direction']}, "
                  f"trials={meta['trials']}, space={list(meta['space'])}")
        return 0
    if args.action == "show" and args.study is None:
        from ..hpsearch import list_studies

        rows = [[s["study"], s["trials"], s["best"]] for s in list_studies(args.storage)]
        if args.json:
            print_json([dict(zip(("study", "trials", "best"), r)) for r in rows])
        else:
            print_table(["study", "trials", "best"], rows)
        return 0
    if args.action == "report":
        check_writable("--html", args.html, "html")
        check_writable("--plot", args.plot, "plot")
        if not args.html and not args.plot and not args.json:
            raise InvalidArgumentError("--html", None, "or --plot or --json is required", "e.g. --html out.html")
    result = load_search(args.storage, args.study)
    from .search import emit

    return emit(result, args)
