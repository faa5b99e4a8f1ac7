"""Search strategies compared by cost: training steps until the best-so-far metric is within 1% of the oracle.

For each task of the range-test suite (``benchmarks/tasks.py``) and each strategy (grid,
random, tpe, gp, cmaes, nsga2, anneal, aco, finder), ``lrscope.search`` tunes the LR (log
scale, 1e-5..1) with ``task_objective(make_task, steps=<the task's budget>, seed=s)``: every
trial trains a fresh model for the task's fixed budget with a constant LR and returns the
validation metric (or the validation loss, minimised, for a task without one). The 1% band of
seed ``s`` is ``q >= oracle - 1% x |oracle|`` (``<= oracle + 1% x |oracle|`` for a loss) where the
oracle is the best result of a dense log grid of LRs (``--per-decade`` 6: 31 LRs over
1e-5..1) run through the *same* objective and seed (cached in
``results/search_oracle_<task>.json``).

Reported per task, strategy and seed: the cumulative optimizer steps (every trial's steps,
failed and pruned ones included, plus the range test for ``finder``) after the first trial
that reaches the band. A search stops once it reaches the band (the rest of its trials are
not run: they cannot change that number). A search that never reaches the band within
``--trials`` trials is a *miss*; it counts its total steps in the mean (an underestimate of
its true cost) and is listed in the miss count; the expected running time (all steps over the
seeds / seeds that reached the band; Hansen et al., BBOB) is reported beside the mean.

    OMP_NUM_THREADS=1 python benchmarks/search_strategies.py                  # everything (resumable), ~35 min
    OMP_NUM_THREADS=1 python benchmarks/search_strategies.py --tasks cancer-mlp --strategies finder --tag finder
    python benchmarks/search_strategies.py --report                              # table + plot from the caches
    python benchmarks/search_strategies.py --tasks cancer-mlp --seeds 0 --trials 4 --strategies random finder --quick

Writes ``results/search_runs_<task>.json`` (every run, resumable), ``results/search_strategies.json``
(the summary) and ``results/search_strategies.png`` (best-so-far against cumulative steps).
Goal (issue 4): ``finder`` reaches the 1% band with >= 5x fewer steps than the best other strategy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

STRATEGIES = ("grid", "random", "tpe", "gp", "cmaes", "nsga2", "anneal", "aco", "finder")
DEFAULT_TASKS = ("cancer-mlp", "diabetes-mlp", "digits-cnn", "mnist1d-mlp", "mnist1d-cnn", "stdlib-char-gpt",
                 "teacher-mlp", "stdlib-char-mlp", "demo:digits-mlp")  # the last three: held out of the tuning
TEST_SEEDS = (100, 101, 102)  # the finder was tuned on seeds 0 and 1 only
LOW, HIGH = 1e-5, 1.0
SPACE = {"lr": {"type": "float", "low": LOW, "high": HIGH, "log": True}}
RESULTS = HERE / "results"
STOP_REASON = "band reached"


class _Reporter:
    """The minimal reporter the objective needs outside a study (the oracle grid never prunes)."""

    def __init__(self) -> None:
        self.steps = 0

    def spend(self, steps: int) -> None:
        self.steps += steps

    def report(self, value: float, step: int | None = None) -> None:
        pass

    def should_prune(self) -> bool:
        return False

    def prune(self) -> None:  # pragma: no cover - never called
        raise RuntimeError("the oracle does not prune")

    def flush(self) -> None:
        pass


class BandReached(Exception):
    """Raised for the trials after the one that reached the band (they are dropped from the record)."""


class StopAtBand:
    """Wraps a task objective: once a trial reaches ``target``, later trials end at once (0 steps)."""

    def __init__(self, objective, target: float, direction: str):
        self.objective, self.target, self.sign, self.reached = objective, target, (1 if direction == "maximize" else -1), False
        self.direction, self.steps = direction, objective.steps

    def check_space(self, space) -> None:
        self.objective.check_space(space)

    def range_test(self):
        return self.objective.range_test()

    def __call__(self, config, reporter):
        if self.reached:
            raise BandReached(STOP_REASON)
        value = self.objective(config, reporter)
        if math.isfinite(value) and self.sign * value >= self.sign * self.target:
            self.reached = True
        return value


def _file_name(task: str) -> str:
    return task.replace(":", "_")


def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=0, sort_keys=True, allow_nan=False))
    os.replace(tmp, path)


def grid_lrs(per_decade: int) -> list[float]:
    n = int(round(math.log10(HIGH / LOW) * per_decade))
    return [float(10.0 ** (math.log10(LOW) + k / per_decade)) for k in range(n + 1)]


def oracle(name: str, seed: int, steps: int, per_decade: int, cache: dict, path: Path) -> tuple[float, str]:
    """(best metric, direction) of the dense log grid through the same objective (failed trials count as missing)."""
    from tasks import TASKS

    from lrscope.hpsearch import task_objective

    obj = task_objective(TASKS[name].make_task, steps=steps, seed=seed)
    values = []
    for lr in grid_lrs(per_decade):
        k = f"{name}|{seed}|{steps}|{lr:.6g}"
        if k not in cache:
            try:
                cache[k] = float(obj({"lr": lr}, _Reporter()))
            except Exception as exc:  # divergence: the trial fails, as in a search
                cache[k] = None
                print(f"  oracle {k}: failed ({type(exc).__name__})", flush=True)
            _save(path, cache)
        if cache[k] is not None and math.isfinite(cache[k]):
            values.append(cache[k])
    return (max(values) if obj.direction == "maximize" else min(values)), obj.direction


def run_one(name: str, strategy: str, seed: int, steps: int, trials: int, target: float, direction: str) -> dict:
    from tasks import TASKS

    from lrscope.hpsearch import search, task_objective

    obj = StopAtBand(task_objective(TASKS[name].make_task, steps=steps, seed=seed), target, direction)
    t0 = time.perf_counter()
    r = search(obj, space=SPACE, strategy=strategy, budget=trials, seed=seed, progress=False, direction=direction)
    kept = [t for t in r.trials if not (t.reason or "").endswith(STOP_REASON)]
    sign = 1.0 if direction == "maximize" else -1.0
    cum, best, total, cur = [], [], r.extra_steps, -math.inf
    for t in kept:
        total += t.steps
        if t.state == "COMPLETE" and t.metric is not None:
            cur = max(cur, sign * t.metric)
        cum.append(int(total))
        best.append(sign * cur if math.isfinite(cur) else None)
    hit = next((s for s, b in zip(cum, best) if b is not None and sign * b >= sign * target), None)
    return {"task": name, "strategy": strategy, "seed": seed, "direction": direction, "seconds": round(time.perf_counter() - t0, 2),
            "steps": cum, "best": best, "extra_steps": int(r.extra_steps), "total_steps": int(total),
            "reached": hit is not None, "steps_to_band": int(hit if hit is not None else total),
            "trials": [{"lr": t.config.get("lr"), "state": t.state, "metric": t.metric, "steps": t.steps} for t in kept],
            "info": {k: v for k, v in r.info.items() if k in ("suggestion", "low", "high")}}


def summarize(tasks: list[str], strategies: list[str], runs: dict, oracles: dict) -> dict:
    table = {}
    for name in tasks:
        row = {}
        for s in strategies:
            rs = [r for k, r in runs.items() if r["task"] == name and r["strategy"] == s]
            if rs:
                hits = sum(r["reached"] for r in rs)
                row[s] = {"mean_steps": float(np.mean([r["steps_to_band"] for r in rs])),
                          # expected running time (Hansen et al., BBOB): all steps spent / runs that reached the band
                          "ert": float(sum(r["steps_to_band"] for r in rs) / hits) if hits else None,
                          "misses": int(sum(not r["reached"] for r in rs)), "seeds": len(rs),
                          "per_seed": {str(r["seed"]): r["steps_to_band"] for r in rs}}
        if "finder" in row and len(row) > 1:
            others = {s: v["mean_steps"] for s, v in row.items() if s != "finder"}
            best_other = min(others, key=others.get)
            row["_ratio"] = {"best_other": best_other, "best_other_steps": others[best_other],
                             "finder_steps": row["finder"]["mean_steps"],
                             "ratio": others[best_other] / row["finder"]["mean_steps"]}
            erts = {s: v["ert"] for s, v in row.items() if s not in ("finder", "_ratio") and v["ert"] is not None}
            if erts and row["finder"]["ert"]:
                b = min(erts, key=erts.get)
                row["_ratio"].update(ert_best_other=b, ert_ratio=erts[b] / row["finder"]["ert"])
        table[name] = row
    return {"table": table, "oracles": oracles}


def finder_ceiling(tasks: list[str], runs: dict, trial_steps: dict[str, int]) -> dict | None:
    """The least any finder can spend: its range test plus one full trial, on every run.

    A finder must run the range test and then at least one full trial, since only a finished
    trial has a metric that can be in the band. So ``extra_steps + steps per trial`` of each
    finder run bounds its cost from below, and the best other strategy's cost over this sum
    bounds the ratio the benchmark can ever report from above.
    """
    per_task = {}
    for name in tasks:
        rs = [r for r in runs.values() if r["task"] == name and r["strategy"] == "finder"]
        if not rs or name not in trial_steps:
            return None
        per_task[name] = float(np.mean([r["extra_steps"] + trial_steps[name] for r in rs]))
    return {"per_task": per_task, "sum_steps": float(sum(per_task.values()))}


def report(tasks: list[str], strategies: list[str], out: Path) -> None:
    runs, oracles, trial_steps = {}, {}, {}
    for name in tasks:
        stem = _file_name(name)
        for path in [RESULTS / f"search_runs_{stem}.json", *sorted(RESULTS.glob(f"search_runs_{stem}-*.json"))]:
            data = _load(path)
            runs.update(data.get("runs", {}))
            oracles.update(data.get("oracles", {}))
            if "steps" in data:
                trial_steps[name] = int(data["steps"])
    tasks = [t for t in tasks if any(r["task"] == t for r in runs.values())]
    summary = summarize(tasks, strategies, runs, oracles)
    _save(out, summary)
    print("\n| task | " + " | ".join(strategies) + " | best other / finder |")
    print("|---|" + "---|" * (len(strategies) + 1))
    for name in tasks:
        row = summary["table"][name]
        cells = []
        for s in strategies:
            c = row.get(s)
            cells.append("-" if c is None else f"{c['mean_steps']:.0f}" + (f" ({c['misses']} miss)" if c["misses"] else ""))
        ratio = row.get("_ratio")
        rtxt = f"{ratio['ratio']:.2f}x ({ratio['best_other']})" if ratio else "-"
        print(f"| {name} | " + " | ".join(cells) + f" | {rtxt} |")
    totals = {s: sum(summary["table"][n][s]["mean_steps"] for n in tasks) for s in strategies
              if all(s in summary["table"][n] for n in tasks)}
    if "finder" in totals and len(totals) > 1:
        b = min((s for s in totals if s != "finder"), key=totals.get)
        summary["all_tasks"] = {"sum_mean_steps": totals, "best_other": b, "ratio": totals[b] / totals["finder"],
                                "geomean_task_ratio": float(np.exp(np.mean(
                                    [np.log(summary["table"][n]["_ratio"]["ratio"]) for n in tasks])))}
        _save(out, summary)
        print("| all tasks (sum of means) | " + " | ".join(f"{totals[s]:.0f}" for s in strategies)
              + f" | {totals[b] / totals['finder']:.2f}x ({b}); geometric mean of the task ratios "
              f"{summary['all_tasks']['geomean_task_ratio']:.2f}x |")
    print("\nExpected running time (all steps spent over the seeds / seeds that reached the band; inf: none did):\n")
    print("| task | " + " | ".join(strategies) + " | best other / finder |")
    print("|---|" + "---|" * (len(strategies) + 1))
    for name in tasks:
        row = summary["table"][name]
        cells = ["-" if s not in row else ("inf" if row[s]["ert"] is None else f"{row[s]['ert']:.0f}") for s in strategies]
        ratio = row.get("_ratio") or {}
        rtxt = f"{ratio['ert_ratio']:.2f}x ({ratio['ert_best_other']})" if "ert_ratio" in ratio else "-"
        print(f"| {name} | " + " | ".join(cells) + f" | {rtxt} |")
    ert_tot = {s: sum(summary["table"][n][s]["ert"] or math.inf for n in tasks) for s in strategies
               if all(s in summary["table"][n] for n in tasks)}
    if "finder" in ert_tot and len(ert_tot) > 1:
        b = min((s for s in ert_tot if s != "finder"), key=ert_tot.get)
        summary.setdefault("all_tasks", {}).update(sum_ert=ert_tot, ert_best_other=b,
                                                   ert_ratio=ert_tot[b] / ert_tot["finder"])
        _save(out, summary)
        print("| all tasks (sum) | " + " | ".join(f"{ert_tot[s]:.0f}" for s in strategies)
              + f" | {ert_tot[b] / ert_tot['finder']:.2f}x ({b}) |")

    ceiling = finder_ceiling(tasks, runs, trial_steps)
    if ceiling and "all_tasks" in summary:
        at = summary["all_tasks"]
        ceiling["ratio_mean"] = at["sum_mean_steps"][at["best_other"]] / ceiling["sum_steps"]
        if "ert_best_other" in at:
            ceiling["ratio_ert"] = at["sum_ert"][at["ert_best_other"]] / ceiling["sum_steps"]
        at["perfect_finder"] = ceiling
        _save(out, summary)
        print(f"\nA perfect finder (its range test, then one trial that lands in the band, on every run) would need "
              f"{ceiling['sum_steps']:.0f} steps summed over the tasks: at most {ceiling['ratio_mean']:.2f}x fewer than "
              f"{at['best_other']} by the mean" + (f", {ceiling['ratio_ert']:.2f}x by ERT ({at['ert_best_other']})"
                                                    if "ratio_ert" in ceiling else "") + ".")

    from matplotlib.figure import Figure

    ncols = min(3, len(tasks))
    nrows = -(-len(tasks) // ncols)
    fig = Figure(figsize=(4.8 * ncols, 3.4 * nrows + 0.4))
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    for ax in axes[len(tasks):]:
        ax.set_visible(False)
    for ax, name in zip(axes, tasks):
        for s in strategies:
            rs = [r for r in runs.values() if r["task"] == name and r["strategy"] == s]
            for i, r in enumerate(rs):
                o, sign = oracles[f"{name}|{r['seed']}"], (-1.0 if r.get("direction") == "minimize" else 1.0)
                xs = [x for x, b in zip(r["steps"], r["best"]) if b is not None]
                ys = [max(-0.3, sign * (b - o) / abs(o)) for b in r["best"] if b is not None]
                color, fin = f"C{strategies.index(s)}", s == "finder"
                ax.step(xs, ys, where="post", color=color, alpha=0.9 if fin else 0.6, lw=2.4 if fin else 0.9,
                        zorder=3 if fin else 2, label=s if i == 0 else None)
                if r["reached"]:
                    ax.plot([r["steps_to_band"]], [-0.01], marker="o", ms=7 if fin else 4, color=color, zorder=4)
        ax.axhline(-0.01, color="k", ls="--", lw=0.8)
        ax.set_title(name)
        ax.set_xlabel("cumulative training steps (dots: reached the band)", fontsize=8)
        ax.set_xlim(0, 4200)
        ax.set_ylim(-0.3, 0.03)
        ax.grid(alpha=0.3)
    for ax in axes[::ncols]:
        ax.set_ylabel("(best so far - oracle) / |oracle|\n(up is better)", fontsize=8)
    axes[0].legend(fontsize=7, loc="lower right", ncol=2)
    fig.suptitle("best-so-far against cumulative steps (dashed: the 1% band; each line one seed; "
                 "a search stops at the band)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out.with_suffix(".png"), dpi=90)
    print(f"wrote {out} and {out.with_suffix('.png')}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="+", default=list(DEFAULT_TASKS))
    p.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=STRATEGIES)
    p.add_argument("--seeds", nargs="+", type=int, default=list(TEST_SEEDS))
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--per-decade", type=int, default=6, help="oracle grid density (LRs per decade)")
    p.add_argument("--quick", action="store_true", help="a quarter of each task's step budget (smoke run)")
    p.add_argument("--report", action="store_true", help="only build the table and plot from the caches")
    p.add_argument("--out", type=Path, default=RESULTS / "search_strategies.json")
    p.add_argument("--tag", default="", help="runs go to results/search_runs_<task>-<tag>.json (for a second "
                   "process; run it only on tasks whose oracle is already cached, --report merges the files)")
    args = p.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.report:
        report(args.tasks, args.strategies, args.out)
        return 0

    import torch

    from tasks import TASKS

    torch.set_num_threads(1)
    for name in args.tasks:
        steps = TASKS[name].budget // (4 if args.quick else 1)
        runs_path = RESULTS / f"search_runs_{_file_name(name)}{'-' + args.tag if args.tag else ''}{'_quick' if args.quick else ''}.json"
        oracle_path = RESULTS / f"search_oracle_{_file_name(name)}.json"
        data = _load(runs_path) or {"runs": {}, "oracles": {}, "steps": steps, "trials": args.trials}
        cache = _load(oracle_path)
        for seed in args.seeds:
            t0 = time.perf_counter()
            o, direction = oracle(name, seed, steps, args.per_decade, cache, oracle_path)
            data["oracles"][f"{name}|{seed}"] = o
            target = o - 0.01 * abs(o) if direction == "maximize" else o + 0.01 * abs(o)
            print(f"{name} seed={seed} oracle={o:.4f} target={target:.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
            for strategy in args.strategies:
                k = f"{name}|{strategy}|{seed}|{args.trials}"
                if k in data["runs"]:
                    continue
                run = run_one(name, strategy, seed, steps, args.trials, target, direction)
                data["runs"][k] = run
                _save(runs_path, data)
                print(f"{name} seed={seed} {strategy:7s} steps_to_1%={run['steps_to_band']:6d} "
                      f"reached={run['reached']} trials={len(run['trials'])} ({run['seconds']:.0f} s)", flush=True)
    if not args.quick:
        report(args.tasks, args.strategies, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
