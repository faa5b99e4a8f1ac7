"""Search strategies compared by cost: training steps until the best-so-far metric is within 1% of the oracle.

For each task of the range-test suite (benchmarks/tasks.py) and each strategy (grid, random,
tpe, gp, cmaes, nsga2, anneal, aco, finder), run ``lrscope.search`` on the LR (log scale,
1e-5..1) with the task's fixed training budget per trial, over several seeds. The oracle
is the best validation quality of a dense log grid of LRs (``--oracle-points``) trained with
the same objective and seed. Reported: cumulative optimizer steps (range test included for
``finder``) until the best-so-far metric first reaches ``oracle - 1% * |oracle|``, averaged
over seeds (a run that never reaches the band counts its total steps and is flagged), and a
plot of best-so-far against cumulative steps.

    python benchmarks/search_strategies.py                       # full run (long on 2 cores)
    python benchmarks/search_strategies.py --tasks digits-cnn --seeds 1 --trials 6 --quick

Writes benchmarks/results/search_strategies.json and .png, and prints a markdown table.
Goal (issue 4): ``finder`` reaches the 1% band with >= 5x fewer steps than the best other.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

from tasks import TASKS  # noqa: E402

from lrscope.hpsearch import search, task_objective  # noqa: E402

STRATEGIES = ("grid", "random", "tpe", "gp", "cmaes", "nsga2", "anneal", "aco", "finder")
DEFAULT_TASKS = ("mnist1d-mlp", "digits-cnn", "cancer-mlp")
SPACE = {"lr": {"type": "float", "low": 1e-5, "high": 1.0, "log": True}}


def oracle(name: str, seed: int, steps: int, points: int) -> float:
    r = search(task_objective(TASKS[name].make_task, steps=steps, seed=seed), space=SPACE, strategy="grid",
               budget=points, seed=seed, progress=False)
    return float(r.best_metric)


def run_one(name: str, strategy: str, seed: int, steps: int, trials: int) -> dict:
    obj = task_objective(TASKS[name].make_task, steps=steps, seed=seed)
    t0 = time.perf_counter()
    r = search(obj, space=SPACE, strategy=strategy, budget=trials, seed=seed, progress=False)
    cum, best = r.curve()
    return {"task": name, "strategy": strategy, "seed": seed, "seconds": time.perf_counter() - t0,
            "steps": cum.tolist(), "best": best.tolist(), "extra_steps": r.extra_steps,
            "total_steps": r.cumulative_steps, "best_metric": r.best_metric, "direction": r.direction}


def steps_to_band(run: dict, target: float) -> tuple[int, bool]:
    for s, b in zip(run["steps"], run["best"]):
        if b is not None and math.isfinite(b) and b >= target:
            return int(s), True
    return int(run["total_steps"]), False


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="+", default=list(DEFAULT_TASKS), choices=sorted(TASKS))
    p.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=STRATEGIES)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--oracle-points", type=int, default=25)
    p.add_argument("--quick", action="store_true", help="a quarter of each task's step budget (smoke run)")
    p.add_argument("--out", type=Path, default=HERE / "results" / "search_strategies.json")
    args = p.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)

    runs, oracles = [], {}
    for name in args.tasks:
        steps = TASKS[name].budget // (4 if args.quick else 1)
        for seed in range(args.seeds):
            oracles[f"{name}/{seed}"] = oracle(name, seed, steps, args.oracle_points)
            for strategy in args.strategies:
                run = run_one(name, strategy, seed, steps, args.trials)
                target = oracles[f"{name}/{seed}"] - 0.01 * abs(oracles[f"{name}/{seed}"])
                run["steps_to_band"], run["reached"] = steps_to_band(run, target)
                runs.append(run)
                print(f"{name} seed={seed} {strategy:7s} steps_to_1%={run['steps_to_band']:7d} "
                      f"reached={run['reached']} best={run['best_metric']} ({run['seconds']:.0f} s)", flush=True)
    args.out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "oracles": oracles,
                                    "runs": runs}, indent=1))

    print("\n| task | " + " | ".join(args.strategies) + " |")
    print("|---|" + "---|" * len(args.strategies))
    for name in args.tasks:
        cells = []
        for s in args.strategies:
            rs = [r for r in runs if r["task"] == name and r["strategy"] == s]
            mean = np.mean([r["steps_to_band"] for r in rs])
            miss = sum(not r["reached"] for r in rs)
            cells.append(f"{mean:.0f}" + (f" ({miss} missed)" if miss else ""))
        print(f"| {name} | " + " | ".join(cells) + " |")
    for name in args.tasks:
        means = {s: np.mean([r["steps_to_band"] for r in runs if r["task"] == name and r["strategy"] == s])
                 for s in args.strategies}
        if "finder" in means and len(means) > 1:
            best_other = min(v for s, v in means.items() if s != "finder")
            print(f"{name}: best other / finder = {best_other / means['finder']:.2f}x (goal >= 5x)")

    from matplotlib.figure import Figure

    fig = Figure(figsize=(5 * len(args.tasks), 4))
    axes = np.atleast_1d(fig.subplots(1, len(args.tasks)))
    for ax, name in zip(axes, args.tasks):
        for s in args.strategies:
            for i, r in enumerate(r for r in runs if r["task"] == name and r["strategy"] == s):
                ax.step(r["steps"], r["best"], where="post", color=f"C{args.strategies.index(s)}", alpha=0.7,
                        label=s if i == 0 else None)
        ax.set_title(name)
        ax.set_xlabel("cumulative training steps")
        ax.set_ylabel("best validation quality so far")
        ax.set_xscale("log")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.out.with_suffix(".png"), dpi=100)
    print(f"wrote {args.out} and {args.out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
