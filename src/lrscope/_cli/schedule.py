"""`lrscope schedule`: build a schedule from flags or a JSON/TOML spec; print, --json or --plot it."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError
from ._common import add_output_flags, check_writable, print_json, print_table, write_outputs

# flag -> (keyword argument, type)
_FLAGS: dict[str, tuple[str, Any]] = {
    "--lr": ("lr", float),
    "--base-lr": ("base_lr", float),
    "--max-lr": ("max_lr", float),
    "--min-lr": ("min_lr", float),
    "--end-lr": ("end_lr", float),        # the old name of --min-lr for linear/polynomial (deprecated)
    "--step-size": ("step_size", int),    # cyclic: half a cycle (for step: the old name of --drop-every)
    "--drop-every": ("drop_every", int),
    "--step-size-down": ("step_size_down", int),
    "--total-steps": ("total_steps", int),
    "--policy": ("policy", str),
    "--window": ("window", str),
    "--gamma": ("gamma", float),
    "--scale-mode": ("scale_mode", str),
    "--pct-start": ("pct_start", float),
    "--div-factor": ("div_factor", float),
    "--final-div-factor": ("final_div_factor", float),
    "--anneal": ("anneal", str),
    "--power": ("power", float),
    "--base-momentum": ("base_momentum", float),
    "--max-momentum": ("max_momentum", float),
}
_FLAT_KINDS = ("cyclic", "one_cycle", "constant", "linear", "cosine", "exponential", "step", "multistep", "polynomial")
_MAX_PLOT_POINTS = 20_000
#: the most optimizer steps `lrscope schedule` evaluates (--steps, --every, and the default length);
#: the table evaluates every step, so 10 million steps is about 80 MB of float64
MAX_STEPS = 10_000_000


def _milestones(text: str) -> list[int]:
    try:
        return [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated steps such as 3000,6000, got {text!r}") from exc


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "schedule",
        help="print or plot a learning-rate schedule",
        description="Build a schedule from flags (e.g. --kind cyclic --base-lr 1e-3 --max-lr 6e-3 --step-size 2000 "
                    "--policy triangular2 --window hann) or from --spec file.json|file.toml, and print a table of "
                    "steps and LRs (and momentum), a JSON document (--json) or a plot (--plot out.png).",
    )
    src = p.add_argument_group("schedule")
    src.add_argument("--spec", metavar="FILE", help="a JSON or TOML file holding the schedule's spec (to_dict format)")
    src.add_argument("--kind", choices=_FLAT_KINDS, help="schedule kind (warmup: add --warmup-steps; join: use --spec)")
    for flag, (dest, typ) in _FLAGS.items():
        src.add_argument(flag, dest=dest, type=typ, default=argparse.SUPPRESS, metavar=dest.upper())
    src.add_argument("--three-phase", dest="three_phase", action="store_true", default=argparse.SUPPRESS,
                     help="one_cycle: three phases")
    src.add_argument("--milestones", dest="milestones", type=_milestones, default=argparse.SUPPRESS,
                     metavar="S1,S2,...", help="multistep: comma-separated steps")
    warm = p.add_argument_group("warmup (wraps the schedule)")
    warm.add_argument("--warmup-steps", type=int, help="linear or exp warmup over this many steps")
    warm.add_argument("--warmup-start-factor", type=float, help="start LR as a fraction of the first LR (default 0)")
    warm.add_argument("--warmup-mode", help="linear (default) or exp (geometric)")
    out = p.add_argument_group("output")
    out.add_argument("--steps", type=int,
                     help=f"number of optimizer steps to show, 1 to {MAX_STEPS:,} (default: the whole shape, "
                          f"at most {MAX_STEPS:,})")
    out.add_argument("--every", type=int,
                     help=f"table/JSON: show every Nth step, 1 to {MAX_STEPS:,} (default: about 20 rows)")
    add_output_flags(out, plot=True, report=False)
    p.set_defaults(func=run)


def _load_spec_file(path: str) -> dict:
    p = Path(path)
    if not p.is_file():
        what = "is a directory" if p.is_dir() else "is not a file" if p.exists() else "does not exist"
        raise InvalidArgumentError("--spec", path, what, "give the path of a .json or .toml spec.")
    suffix = p.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise InvalidArgumentError("--spec", path, "must end in .json or .toml", "rename the file or convert it.")
    try:
        text = p.read_text(encoding="utf-8-sig")  # a leading byte-order mark is allowed
    except UnicodeDecodeError as exc:
        raise InvalidArgumentError("--spec", path, f"is not UTF-8 text (byte {exc.start}: {exc.reason})",
                                   "save the spec file as UTF-8.") from None
    except OSError as exc:
        raise InvalidArgumentError("--spec", path, f"cannot be read ({exc.strerror or exc})",
                                   "check the path and its permissions.") from None
    if suffix == ".json":
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidArgumentError("--spec", path, f"is not valid JSON ({exc.msg} at line {exc.lineno})",
                                       "fix the file; see `lrscope schedule ... --json` for the format.") from exc
        except RecursionError:
            raise InvalidArgumentError("--spec", path, "is nested too deeply to read",
                                       "a spec nests one level per warmup/join.") from None
    elif suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            from .._validate import require

            tomllib = require("tomli", "Reading a TOML spec on Python 3.10", "test")
        try:
            spec = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidArgumentError("--spec", path, f"is not valid TOML ({exc})", "fix the file.") from exc
    if not isinstance(spec, dict):
        raise InvalidArgumentError("--spec", path, f"must hold an object with a \"kind\" key, not a {_json_type(spec)}",
                                   'write e.g. {"kind": "cosine", "lr": 0.1, "total_steps": 1000} '
                                   "(see `lrscope schedule ... --json` for the format).")
    if isinstance(spec, dict) and isinstance(spec.get("schedule"), dict) and "kind" not in spec:
        spec = spec["schedule"]  # a [schedule] table in a larger config
    return spec


def _json_type(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", type(None): "null", int: "number",
            float: "number"}.get(type(value), type(value).__name__)


def build_schedule(args: argparse.Namespace):
    """The schedule described by the parsed flags (or --spec file)."""
    from ..schedules import KINDS, Warmup, from_spec
    from ..schedules._base import missing_fields

    given = {dest: getattr(args, dest) for dest, _ in list(_FLAGS.values()) + [("three_phase", 0), ("milestones", 0)]
             if hasattr(args, dest)}
    flag_of = {dest: flag for flag, (dest, _) in _FLAGS.items()} | {"three_phase": "--three-phase",
                                                                     "milestones": "--milestones"}
    if args.spec:
        if args.kind or given:
            extra = ["--kind"] if args.kind else []
            raise InvalidArgumentError("--spec", args.spec, f"cannot be combined with {extra + [flag_of[k] for k in given]}",
                                       "put every setting in the spec file, or use flags only.")
        schedule = from_spec(_load_spec_file(args.spec))
    else:
        if not args.kind:
            raise InvalidArgumentError("--kind", None, "is required (or --spec)",
                                       "e.g. `lrscope schedule --kind cyclic --base-lr 1e-3 --max-lr 6e-3 --step-size 2000`.")
        import dataclasses

        fields = {f.name for f in dataclasses.fields(KINDS[args.kind])}
        wrong = [flag_of[k] for k in given if k not in fields]
        if wrong:
            allowed = sorted(flag_of[k] for k in fields if k in flag_of)
            raise InvalidArgumentError("--kind", args.kind, f"takes no {', '.join(wrong)}",
                                       f"the flags of --kind {args.kind} are {allowed}.")
        missing = missing_fields(KINDS[args.kind], given)
        if missing:
            flags = [flag_of.get(k, k) for k in missing]
            with_ = f" with {', '.join(flag_of[k] for k in given)}" if given else " and no other flag"
            raise InvalidArgumentError(
                "--kind", f"--kind={args.kind!r}{with_}", f"{args.kind} needs {', '.join(flags)}",
                "add " + " ".join(f"{f} {k.upper()}" for f, k in zip(flags, missing))
                + " (see `lrscope schedule --help`).")
        schedule = from_spec({"kind": args.kind, **given})
    warm = {"warmup_steps": args.warmup_steps, "start_factor": args.warmup_start_factor, "mode": args.warmup_mode}
    if any(v is not None for v in warm.values()):
        if args.warmup_steps is None:
            raise InvalidArgumentError("--warmup-steps", None, "is required with --warmup-start-factor/--warmup-mode",
                                       "add e.g. --warmup-steps 500.")
        schedule = Warmup(schedule, **{k: v for k, v in warm.items() if v is not None})
    return schedule


def _nice_every(n: int, rows: int = 20) -> int:
    raw = max(1, n / rows)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * mag >= raw:
            return int(m * mag)
    return int(10 * mag)  # pragma: no cover


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from .._validate import integer

    plot_path = check_writable("--plot", getattr(args, "plot", None), "plot")
    schedule = build_schedule(args)
    if args.steps is not None:
        n = integer("--steps", args.steps, minimum=1, maximum=MAX_STEPS)
    else:
        n = schedule._natural_length()
        if n > MAX_STEPS:
            print(f"lrscope schedule: the whole shape spans {n:,} steps; showing the first {MAX_STEPS:,} "
                  f"(--steps {MAX_STEPS:,} is the most)", file=sys.stderr)
            n = MAX_STEPS
    every = integer("--every", args.every, minimum=1, maximum=MAX_STEPS) if args.every is not None else _nice_every(n)
    shown = np.arange(0, n, every)
    if shown[-1] != n - 1:
        shown = np.append(shown, n - 1)
    lr = schedule(shown)
    mom = schedule.momentum(shown) if schedule.has_momentum else None

    if args.json:
        payload: dict[str, Any] = {"spec": schedule.to_dict() if _jsonable(schedule) else None,
                                   "num_steps": int(n), "step": shown.tolist(), "lr": lr.tolist()}
        if mom is not None:
            payload["momentum"] = mom.tolist()
        print_json(payload)
    else:
        print(_describe(schedule))
        headers = ["step", "lr"] + (["momentum"] if mom is not None else [])
        rows = [[int(t), float(v)] + ([float(mom[i])] if mom is not None else []) for i, (t, v) in enumerate(zip(shown, lr))]
        print_table(headers, rows)
        full = schedule(np.arange(n))
        print(f"over {n} steps: min lr {full.min():.4g} at step {int(full.argmin())}, "
              f"max lr {full.max():.4g} at step {int(full.argmax())}")
    return write_outputs("schedule", [("--plot", plot_path, lambda: _plot(schedule, n, plot_path))], quiet=args.json)


def _jsonable(schedule) -> bool:
    try:
        schedule.to_dict()
    except InvalidArgumentError:
        return False
    return True


def _describe(schedule) -> str:
    d = schedule.to_dict()

    def flat(spec: dict) -> str:
        parts = []
        for k, v in spec.items():
            if k == "kind":
                continue
            if isinstance(v, dict):
                v = "(" + flat(v) + ")"
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                v = "[" + "; ".join(flat(x) for x in v) + "]"
            parts.append(f"{k}={v}")
        return f"{spec['kind']}: " + " ".join(parts)

    return flat(d)


def _plot(schedule, n: int, path: Path) -> None:
    """LR (top) and momentum (bottom panel, when the schedule has one) against step."""
    import numpy as np

    from .._validate import require

    require("matplotlib", "--plot", "plot")
    from matplotlib.figure import Figure

    steps = np.arange(n) if n <= _MAX_PLOT_POINTS else np.unique(np.linspace(0, n - 1, _MAX_PLOT_POINTS).round())
    panels = 2 if schedule.has_momentum else 1
    fig = Figure(figsize=(8, 3.2 * panels), layout="constrained")
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    axes[0].plot(steps, schedule(steps), color="tab:blue")
    axes[0].set_ylabel("learning rate")
    axes[0].set_title(f"{schedule.kind} schedule")
    axes[0].grid(alpha=0.3)
    if panels == 2:
        axes[1].plot(steps, schedule.momentum(steps), color="tab:orange")
        axes[1].set_ylabel("momentum / beta1")
        axes[1].grid(alpha=0.3)
    axes[-1].set_xlabel("optimizer step")
    fig.savefig(path)
