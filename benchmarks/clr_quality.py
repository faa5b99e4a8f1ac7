"""CLR quality: which range-test rules give a good (base_lr, max_lr) for a cyclical schedule?

The suggestion-quality benchmark (``suggestion_quality.py``) scores the uses ``lr`` (constant)
and ``one_cycle_max_lr``; this one scores the third use, ``result.clr``: a triangular
cyclical schedule ``{"kind": "cyclic", "base_lr", "max_lr", "step_size"}`` (Smith 2017,
``lrscope.schedules.CyclicLR`` driven by ``lrscope.torch.ScheduleLR``, LR only, no momentum
cycling).

Schedule. Every run trains a fresh model of a task of ``benchmarks/tasks.py`` (the six suite
tasks and the four held-out ones) for the task's fixed budget with
``step_size = budget // 4`` optimizer steps (half a cycle), so two full cycles fit the budget
(budget 200: steps 0..200, ending at base_lr; budget 150: step_size 37, two cycles in 148
steps and two steps into a third). ``result.clr`` itself answers 4 epochs per half cycle,
far longer than these budgets; the benchmark scores the (base_lr, max_lr) pair, which is
what the rules choose.

Stages (each caches its results in ``benchmarks/results/``; ``--stage all`` runs them in order):

1. ``oracle``: max_lr on the oracle grid of ``oracle.py`` (``10**(k/6)``, 1e-5..10, 37 LRs),
   ``base_lr = max_lr / 4``, seeds 0 and 1; ``results/clr_oracle.json``.
2. ``train``: the candidate pairs from the cached range-test curves
   (``results/range_tests.json``, written by ``suggestion_quality.py --stage rangetest``;
   the current suggesters are applied to them); ``results/clr_runs.json``.
3. ``report``: regret against the oracle; ``results/clr_quality.json`` and Markdown tables.

Scores are those of ``suggestion_quality.py``: with q the final quality (higher is better),
q_best the best seed-mean q of the CLR grid and q_init the untrained model's q, normalised
regret ``(q_best - q) / (q_best - q_init)`` capped at 1 (diverged or no answer: 1); failure =
no answer (missing rule or ``max_lr <= base_lr``), diverged, or regret > 0.5; ``far`` = the
max_lr more than a decade outside the oracle band (grid max_lrs with seed-mean regret
<= 0.2), reported separately; cost = range-test steps / (37 x budget x 2 seeds).

Runs use 1 torch thread each in a pool of ``--jobs`` processes (default 2).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/clr_quality.py --stage all
    python benchmarks/clr_quality.py --stage report       # no training
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import oracle
import suggestion_quality as sq

RESULTS = HERE / "results"
ORACLE_PATH = RESULTS / "clr_oracle.json"
RUNS_PATH = RESULTS / "clr_runs.json"
SUMMARY_PATH = RESULTS / "clr_quality.json"
ORACLE_RATIO = 4.0  # base_lr = max_lr / 4 on the oracle grid (Smith: max/base of 3-4)
BASELINES = ("blind", "tlf_steepest", "fastai_valley")


def step_size(budget: int) -> int:
    """Half a cycle: a quarter of the budget, so two full cycles fit."""
    return max(1, int(budget) // 4)


def key(task: str, seed: int, base: float, peak: float) -> str:
    return f"{task}|{seed}|{base:.6g}|{peak:.6g}"


def spec(base: float, peak: float, budget: int) -> dict[str, Any]:
    return {"kind": "cyclic", "base_lr": float(base), "max_lr": float(peak), "step_size": step_size(budget)}


# --------------------------------------------------------------------------- candidates
def _div(x: float | None, by: float) -> float | None:
    return None if x is None else x / by


def candidates(result: Any, blind: float) -> dict[str, tuple[float | None, float | None]]:
    """{name: (base_lr, max_lr)} for one range-test result (None where a rule has no answer)."""
    s = result.suggestions
    rise, st, fall = s.get("loss_rise"), s.get("steepest"), s.get("loss_fall")
    tlf = sq.tlf_steepest(result.lrs, result.losses)
    fav = sq.fastai_valley(result.lrs, result.smoothed, result.num_steps)
    return {
        # the package default (DEFAULT_RULES["clr_base"], ["clr_max"]): loss_fall .. loss_rise
        "default": (result.suggest_for("clr_base"), result.suggest_for("clr_max")),
        "rule:steepest..loss_rise": (st, rise),
        "rule:min_div10..loss_rise": (s.get("min_div10"), rise),
        "rule:acc_rise..acc_plateau": (s.get("acc_rise"), s.get("acc_plateau")),
        "rule:loss_fall..loss_rise_div3": (fall, s.get("loss_rise_div3")),
        "rule:steepest..loss_rise_div3": (st, s.get("loss_rise_div3")),
        "rule:min_div10..loss_rise_div3": (s.get("min_div10"), s.get("loss_rise_div3")),
        "prop:loss_rise/4..loss_rise": (_div(rise, 4), rise),
        "prop:loss_rise/8..loss_rise/2": (_div(rise, 8), _div(rise, 2)),
        "prop:loss_rise/6..loss_rise/2": (_div(rise, 6), _div(rise, 2)),
        "prop:loss_rise/12..loss_rise/3": (_div(rise, 12), _div(rise, 3)),
        "prop:loss_rise/10..loss_rise/3": (_div(rise, 10), _div(rise, 3)),
        "prop:loss_rise/30..loss_rise/3": (_div(rise, 30), _div(rise, 3)),
        "prop:loss_rise/20..loss_rise/5": (_div(rise, 20), _div(rise, 5)),
        "blind": (blind / 4, blind),
        "tlf_steepest": (_div(tlf, 4), tlf),
        "fastai_valley": (_div(fav, 4), fav),
    }


def _valid(base: float | None, peak: float | None) -> bool:
    return base is not None and peak is not None and peak > base > 0


# --------------------------------------------------------------------------- running
def _work(job: tuple[str, int, float, float]) -> tuple[str, dict[str, Any]]:
    import tasks as bench_tasks
    import torch

    torch.set_num_threads(1)
    name, seed, base, peak = job
    bench = bench_tasks.TASKS[name]
    t0 = time.perf_counter()
    res = bench_tasks.train(bench, seed, "spec", peak, spec=spec(base, peak, bench.budget))
    res["seconds"] = time.perf_counter() - t0
    return key(name, seed, base, peak), {k: sq._jsonable(v) for k, v in res.items()}


def run_jobs(jobs: list[tuple[str, int, float, float]], path: Path, n_proc: int, log: Any = sys.stdout) -> None:
    """Train every job not yet in the cache at `path`, in a pool of `n_proc` processes."""
    cache = sq._load(path)
    cache.setdefault("runs", {})
    todo = [j for j in dict.fromkeys(jobs) if key(*j) not in cache["runs"]]
    print(f"{len(todo)} runs to do ({len(jobs) - len(todo)} cached) -> {path.name}", file=log, flush=True)
    if not todo:
        return
    t0 = time.perf_counter()
    if n_proc > 1:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        with ctx.Pool(n_proc) as pool:
            for i, (k, res) in enumerate(pool.imap_unordered(_work, todo), 1):
                cache["runs"][k] = res
                print(f"{i}/{len(todo)} {time.perf_counter() - t0:.0f}s {k} q={res['quality']} "
                      f"div={res['diverged']}", file=log, flush=True)
                if i % 20 == 0:
                    sq._save(path, cache)
    else:
        for i, job in enumerate(todo, 1):
            k, res = _work(job)
            cache["runs"][k] = res
            print(f"{i}/{len(todo)} {k} q={res['quality']} div={res['diverged']}", file=log, flush=True)
    sq._save(path, cache)


def oracle_jobs(names: list[str]) -> list[tuple[str, int, float, float]]:
    return [(n, s, lr / ORACLE_RATIO, lr) for n in names for lr in oracle.GRID for s in oracle.SEEDS]


def candidate_jobs(names: list[str]) -> list[tuple[str, int, float, float]]:
    import tasks as bench_tasks

    ranges = sq._load(sq.range_path(1))
    jobs = []
    for n in names:
        for s in oracle.SEEDS:
            entry = ranges.get(f"{n}|{s}")
            if entry is None:
                continue
            for base, peak in candidates(sq._rebuild_entry(entry), bench_tasks.TASKS[n].blind_default).values():
                if _valid(base, peak):
                    jobs.append((n, s, base, peak))
    return jobs


# --------------------------------------------------------------------------- report
_q = sq._q   # the same quality rule as the suggestion benchmark (diverged = untrained)


def stage_report(names: list[str]) -> dict[str, Any]:
    import tasks as bench_tasks

    init = oracle.load()["init"]  # the untrained model's quality, seed by seed
    orc = sq._load(ORACLE_PATH).get("runs", {})
    runs = sq._load(RUNS_PATH).get("runs", {})
    ranges = sq._load(sq.range_path(1))
    grid = np.asarray(oracle.GRID)
    per_task: dict[str, Any] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        bench = bench_tasks.TASKS[name]
        if not all(key(name, s, lr / ORACLE_RATIO, lr) in orc for s in oracle.SEEDS for lr in grid):
            print(f"skip {name}: oracle incomplete")
            continue
        q_init = float(np.mean([init[f"{name}|{s}"]["quality"] for s in oracle.SEEDS]))
        q = np.asarray([np.mean([_q(orc[key(name, s, lr / ORACLE_RATIO, lr)], q_init) for s in oracle.SEEDS])
                        for lr in grid])
        i_best = int(np.argmax(q))
        q_best = float(q[i_best])
        band = grid[(q_best - q) / (q_best - q_init) <= sq.BAND_REGRET]
        grid_steps = len(grid) * bench.budget * len(oracle.SEEDS)
        per_task[name] = {"best_max_lr": float(grid[i_best]), "q_best": q_best, "q_init": q_init,
                          "band": [float(band.min()), float(band.max())], "grid_steps": grid_steps,
                          "step_size": step_size(bench.budget), "oracle_q": [float(v) for v in q],
                          "holdout": bench.holdout, "candidates": {}}
        for seed in oracle.SEEDS:
            entry = ranges.get(f"{name}|{seed}")
            if entry is None:
                continue
            for cand, (base, peak) in candidates(sq._rebuild_entry(entry), bench.blind_default).items():
                valid = _valid(base, peak)
                run = runs.get(key(name, seed, base, peak)) if valid else None
                if valid and run is None:
                    continue  # not trained yet
                q_got = _q(run, q_init) if valid else q_init
                r = min(1.0, (q_best - q_got) / (q_best - q_init))
                diverged = bool(run and run.get("diverged"))
                far = valid and (peak < band.min() / 10 or peak > band.max() * 10)
                cost = 0 if cand == "blind" else entry["steps"]
                row = {"task": name, "seed": seed, "base_lr": base, "max_lr": peak, "quality": q_got, "regret": r,
                       "diverged": diverged, "no_answer": not valid, "far_off": bool(far),
                       "failure": bool(not valid or diverged or r > sq.FAIL_REGRET),
                       "cost_fraction": cost / grid_steps}
                rows.setdefault(cand, []).append(row)
                per_task[name]["candidates"].setdefault(cand, []).append(row)

    def summarise(holdout: bool) -> dict[str, Any]:
        out = {}
        for cand, all_rs in rows.items():
            rs = [r for r in all_rs if per_task[r["task"]]["holdout"] == holdout]
            if rs:
                out[cand] = {"n": len(rs), "mean_regret": float(np.mean([r["regret"] for r in rs])),
                             "median_regret": float(np.median([r["regret"] for r in rs])),
                             "max_regret": float(np.max([r["regret"] for r in rs])),
                             "failures": int(sum(r["failure"] for r in rs)),
                             "diverged": int(sum(r["diverged"] for r in rs)),
                             "no_answer": int(sum(r["no_answer"] for r in rs)),
                             "far_off": int(sum(r["far_off"] for r in rs)),
                             "max_cost_fraction": float(max(r["cost_fraction"] for r in rs))}
        return out

    from lrscope.analysis import confidence

    out = {"schedule": "cyclic, triangular, LR only; step_size = budget // 4 (two cycles)",
           "oracle": f"max_lr on oracle.GRID (37 LRs, 1e-5..10), base_lr = max_lr / {ORACLE_RATIO:g}, seeds 0 and 1",
           "grid": list(oracle.GRID), "band_regret": sq.BAND_REGRET, "fail_regret": sq.FAIL_REGRET,
           "default_rules": {k: v for k, v in confidence.DEFAULT_RULES.items() if k.startswith("clr")},
           "summary": summarise(False), "summary_holdout": summarise(True), "per_task": per_task}
    sq._save(SUMMARY_PATH, out)
    print_tables(out)
    return out


def print_tables(out: dict[str, Any]) -> None:
    for k, title in (("summary", "the six suite tasks"), ("summary_holdout", "the four held-out tasks")):
        print(f"\n### clr, {title}\n")
        print("| candidate (base..max) | runs | mean regret | median | worst | failures | diverged | no answer | "
              "far off | cost / grid |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for cand, s in sorted(out[k].items(), key=lambda kv: kv[1]["mean_regret"]):
            print(f"| {cand} | {s['n']} | {s['mean_regret']:.3f} | {s['median_regret']:.3f} | {s['max_regret']:.2f} | "
                  f"{s['failures']} | {s['diverged']} | {s['no_answer']} | {s['far_off']} | "
                  f"{100 * s['max_cost_fraction']:.2f}% |")


def print_per_task(out: dict[str, Any], cands: tuple[str, ...]) -> None:
    print("\n| task | best max_lr (base = max/4) | band | " + " | ".join(cands) + " |")
    print("|---|---:|---|" + "---|" * len(cands))
    for name, t in out["per_task"].items():
        cells = []
        for c in cands:
            cells.append(", ".join("none" if r["no_answer"] else
                                   f"{r['base_lr']:.2g}..{r['max_lr']:.2g} ({r['regret']:.2f})"
                                   for r in t["candidates"].get(c, [])))
        print(f"| {name} | {t['best_max_lr']:.2g} | {t['band'][0]:.2g}..{t['band'][1]:.2g} | " + " | ".join(cells)
              + " |")


def main(argv: list[str] | None = None) -> int:
    import tasks as bench_tasks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=("oracle", "train", "report", "tables", "all"), default="all")
    parser.add_argument("--tasks", nargs="*", default=None, help="task names (default: all ten)")
    parser.add_argument("--jobs", type=int, default=2, help="training processes (1 torch thread each)")
    parser.add_argument("--cands", nargs="*", default=None, help="candidates of the per-task table (--stage tables)")
    args = parser.parse_args(argv)
    names = args.tasks or list(bench_tasks.TASKS)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.stage in ("oracle", "all"):
        run_jobs(oracle_jobs(names), ORACLE_PATH, args.jobs)
    if args.stage in ("train", "all"):
        run_jobs(candidate_jobs(names), RUNS_PATH, args.jobs)
    if args.stage in ("report", "all"):
        out = stage_report(names)
        print_per_task(out, tuple(args.cands) if args.cands else ("default", "blind", "tlf_steepest",
                                                                   "fastai_valley", "prop:loss_rise/12..loss_rise/3"))
    if args.stage == "tables":
        out = sq._load(SUMMARY_PATH)
        print_tables(out)
        print_per_task(out, tuple(args.cands) if args.cands else ("default", "blind", "tlf_steepest", "fastai_valley"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
