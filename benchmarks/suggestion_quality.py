"""Suggestion quality: does a range-test suggestion train as well as the best LR of an exhaustive grid?

Pipeline (every stage caches its results in ``benchmarks/results/``, so later stages can be
re-run without retraining; ``--stage all`` runs them in order):

1. ``rangetest``: for every task of ``benchmarks/tasks.py`` and every seed in
   ``oracle.SEEDS``, run ``lrscope.find_lr`` with its defaults (start_lr=1e-7, end_lr=10,
   num_steps=100, smoothing=0.98, diverge_factor=4) on a fresh model, passing the task's
   training metric (accuracy / R^2) when it has one. The recorded curve (the
   ``RangeTestResult`` constructor fields) goes to ``results/range_tests.json``.
2. ``train``: rebuild each result (so the current suggesters and default rules of
   ``lrscope.analysis`` are used), compute every candidate LR for each use, and train a
   fresh model (same seed) for the task's budget: with a constant LR for the use "lr",
   with torch's OneCycleLR (max_lr = the suggestion) for "one_cycle_max_lr". Runs are
   cached in ``results/suggested_runs.json`` by (task, schedule, seed, lr).
3. ``report``: compare with the oracle grid (``benchmarks/oracle.py``) and write
   ``results/suggestion_quality.json`` plus a Markdown table on stdout.

Candidates for each use: every registered suggester (``lrscope.analysis.SUGGESTERS``), the
package default (``result.lr`` / ``result.one_cycle_max_lr``), and three baselines written
here from their published descriptions: ``blind`` (SGD 0.1, Adam/AdamW 1e-3), ``tlf_steepest``
(torch-lr-finder: steepest gradient of its own EMA-smoothed loss, skip_start=10, skip_end=5)
and ``fastai_valley`` (fastai's ``valley``: the longest decreasing subsequence of the
smoothed loss, the LR about halfway into it).

Scores (q = final quality on held-out data, higher is better: accuracy, -NLL or R^2;
q_best = best seed-mean q over the grid, q_init = the untrained model's q):

- normalised regret ``(q_best - q) / (q_best - q_init)``: the fraction of the achievable
  improvement that the suggestion lost (0 = as good as the grid's best, 1 = no better than not
  training). Capped at 1; a diverged run or a missing answer scores 1.
- the issue's variant ``(q_best - q) / (q_best - q_median)`` (q_median over the grid).
- failure: diverged, no answer, regret > 0.5, or the LR more than a decade outside the
  oracle band (grid LRs whose seed-mean regret is <= 0.2).
- cost: range-test steps against the grid's (37 LRs x budget x 2 seeds) for one schedule.

``--repeats 3`` runs ``find_lr(..., repeats=3)`` instead (three sweeps, median suggestions) and
writes ``range_tests_r3.json`` / ``suggestion_quality_r3.json``. Candidates named ``prop:...``
are simple combinations of registered rules chosen after seeing the single rules' scores
(post-hoc, so optimistic).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/suggestion_quality.py --stage all
    OMP_NUM_THREADS=1 python benchmarks/suggestion_quality.py --stage all --repeats 3
    python benchmarks/suggestion_quality.py --stage report     # no training
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from itertools import cycle
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import oracle  # noqa: E402

RESULTS = HERE / "results"
RUNS_PATH = RESULTS / "suggested_runs.json"


def range_path(repeats: int) -> Path:
    """Cache of the range tests (one sweep, or ``repeats`` sweeps combined by ``from_repeats``)."""
    return RESULTS / ("range_tests.json" if repeats == 1 else f"range_tests_r{repeats}.json")


def summary_path(repeats: int) -> Path:
    return RESULTS / ("suggestion_quality.json" if repeats == 1 else f"suggestion_quality_r{repeats}.json")
USES = {"lr": "constant", "one_cycle_max_lr": "one_cycle"}
BASELINES = ("blind", "tlf_steepest", "fastai_valley")
BAND_REGRET = 0.2
FAIL_REGRET = 0.5
RANGE_TEST = dict(start_lr=1e-7, end_lr=10.0, num_steps=100, smoothing=0.98, diverge_factor=4.0)


# --------------------------------------------------------------------------- json cache
def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=0, sort_keys=True, allow_nan=False))
    os.replace(tmp, path)


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    return x


# --------------------------------------------------------------------------- stage 1: range tests
def _fallback_find_lr(task: Any, metric: Any) -> Any:
    """The range test through ``lrscope.runner.run_sweep`` (used until ``lrscope.find_lr`` exists)."""
    import torch

    from lrscope.analysis import RangeTestResult
    from lrscope.runner import run_sweep, sweep_lrs

    model, opt, loss_fn = task.model, task.optimizer, task.loss_fn
    ref = opt.param_groups[0]["lr"]
    ratios = [g["lr"] / ref for g in opt.param_groups]
    batches = cycle(task.train_loader)
    group_lrs: list[list[float]] = []

    def step_fn(lr: float):
        for g, r in zip(opt.param_groups, ratios):
            g["lr"] = lr * r
        group_lrs.append([g["lr"] for g in opt.param_groups])
        x, y = next(batches)
        opt.zero_grad(set_to_none=True)
        out = model(x)
        loss = loss_fn(out, y)
        value = float(loss.detach())
        if math.isfinite(value):
            loss.backward()
            opt.step()
        with torch.no_grad():
            m = metric(out.detach(), y) if metric is not None and math.isfinite(value) else None
        return value, m

    lrs = sweep_lrs(RANGE_TEST["start_lr"], RANGE_TEST["end_lr"], RANGE_TEST["num_steps"])
    log = run_sweep(step_fn, lrs, smoothing=RANGE_TEST["smoothing"], diverge_factor=RANGE_TEST["diverge_factor"])
    n = len(log.lrs)
    return RangeTestResult(
        lrs=log.lrs, losses=log.losses, smoothed=log.smoothed, group_lrs=np.asarray(group_lrs[:n]), mode="exp",
        start_lr=RANGE_TEST["start_lr"], end_lr=RANGE_TEST["end_lr"], num_steps=RANGE_TEST["num_steps"],
        stop_reason=log.stop_reason, stop_message=log.stop_message, smoothing=RANGE_TEST["smoothing"],
        diverge_factor=RANGE_TEST["diverge_factor"], metric=log.metric,
        metric_name=None if metric is None else "metric", iterations_per_epoch=len(task.train_loader),
        task_name=task.name)


def run_range_test(bench: Any, seed: int, repeats: int = 1) -> tuple[Any, str]:
    """One range test on a fresh model of `bench`; returns (result, which implementation).

    With ``repeats > 1``: ``find_lr(..., repeats=repeats, seed=100 * seed)`` (sweeps on
    different batch orders, suggestions are medians).
    """
    task = bench.make_task(seed)
    try:
        from lrscope.adapters import torch_range_test  # noqa: F401
        import lrscope
    except ImportError:
        if repeats != 1:
            raise
        return _fallback_find_lr(task, task.metric), "lrscope.runner.run_sweep (find_lr not yet available)"
    extra = {} if repeats == 1 else {"repeats": repeats, "seed": 100 * seed}
    result = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader, metric=task.metric,
                             progress=False, **RANGE_TEST, **extra)
    return result, "lrscope.find_lr"


def _result_fields(result: Any) -> dict[str, Any]:
    from lrscope.analysis import RangeTestResult

    names = [f.name for f in dataclasses.fields(RangeTestResult) if f.name != "repeats"]
    return {name: _jsonable(getattr(result, name)) for name in names}


def _rebuild_entry(entry: dict[str, Any]) -> Any:
    """The RangeTestResult of a cache entry (combined with ``from_repeats`` for repeated sweeps)."""
    from lrscope.analysis import RangeTestResult

    if entry.get("repeats"):
        return RangeTestResult.from_repeats([_rebuild(f) for f in entry["repeats"]])
    return _rebuild(entry["fields"])


def _rebuild(fields: dict[str, Any]) -> Any:
    from lrscope.analysis import RangeTestResult

    data = dict(fields)
    for name in ("lrs", "losses", "smoothed", "group_lrs", "metric", "val_losses", "val_metric"):
        if data.get(name) is not None:
            data[name] = np.asarray([np.nan if v is None else v for v in np.ravel(data[name])] if name != "group_lrs"
                                    else data[name], dtype=float)
    return RangeTestResult(**data)


def stage_rangetest(names: list[str], force: bool = False, repeats: int = 1) -> None:
    import tasks as bench_tasks

    path = range_path(repeats)
    cache = _load(path)
    for name in names:
        for seed in oracle.SEEDS:
            k = f"{name}|{seed}"
            if k in cache and not force:
                continue
            t0 = time.perf_counter()
            result, impl = run_range_test(bench_tasks.TASKS[name], seed, repeats)
            parts = result.repeats or (result,)
            cache[k] = {"fields": _result_fields(result), "impl": impl,
                        "steps": int(sum(len(r.lrs) for r in parts)), "seconds": time.perf_counter() - t0}
            if result.repeats:
                cache[k]["repeats"] = [_result_fields(r) for r in result.repeats]
            print(f"range test {k}: {cache[k]['steps']} steps, {result.stop_reason}", flush=True)
            _save(path, cache)


# --------------------------------------------------------------------------- candidates
def tlf_steepest(lrs: np.ndarray, losses: np.ndarray, skip_start: int = 10, skip_end: int = 5,
                 smooth_f: float = 0.05, diverge_th: float = 5.0) -> float | None:
    """torch-lr-finder's suggestion, from its documented behaviour.

    ``range_test`` smooths ``s_i = smooth_f * loss_i + (1 - smooth_f) * s_{i-1}`` (s_0 = loss_0)
    and stops after the first step with ``s_i > diverge_th * min(s)``; ``plot(suggest_lr=True)``
    drops ``skip_start`` points at the start and ``skip_end`` at the end and answers the LR at
    ``argmin(numpy.gradient(s))`` (gradient against the step index).
    """
    s: list[float] = []
    best = math.inf
    for loss in losses:
        if not math.isfinite(loss):
            break
        s.append(float(loss) if not s else smooth_f * float(loss) + (1 - smooth_f) * s[-1])
        best = min(best, s[-1])
        if s[-1] > diverge_th * best:
            break
    s_arr = np.asarray(s)[skip_start:len(s) - skip_end]
    if s_arr.size < 2:
        return None
    return float(lrs[skip_start + int(np.argmin(np.gradient(s_arr)))])


def fastai_valley(lrs: np.ndarray, smoothed: np.ndarray, num_steps: int) -> float | None:
    """fastai's ``valley`` suggestion, from its documented behaviour.

    fastai's ``lr_find`` drops the first ``num_steps // 10`` and the last 5 recorded points of
    its debiased-EMA (beta 0.98) smoothed loss, finds the longest decreasing subsequence by
    dynamic programming (``lds[i]``: its length ending at i; ``end`` = first i of maximal
    length; ``start = end - lds[end]``), and answers the LR at
    ``start + int(sections) + int(sections / 2)`` with ``sections = (end - start) / 3``.
    """
    lo, hi = num_steps // 10, len(smoothed) - 5
    lrs_, loss = np.asarray(lrs)[lo:hi], np.asarray(smoothed)[lo:hi]
    n = loss.size
    if n < 2:
        return None
    lds = [1] * n
    end = 0
    for i in range(1, n):
        for j in range(i):
            if loss[i] < loss[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
        if lds[end] < lds[i]:
            end = i
    start = max(0, end - lds[end])
    sections = (end - start) / 3
    idx = min(n - 1, start + int(sections) + int(sections / 2))
    return float(lrs_[idx])


def _gmean(*values: float | None) -> float | None:
    got = [v for v in values if v is not None]
    return float(np.exp(np.mean(np.log(got)))) if len(got) == len(values) else None


def _div(value: float | None, by: float) -> float | None:
    return None if value is None else value / by


def proposals(sugg: dict[str, float | None]) -> dict[str, float | None]:
    """Simple combinations of registered rules, chosen AFTER looking at the single rules' results.

    They are post-hoc (so their scores are optimistic) and are listed to guide the choice of
    default rules, not as evidence on their own.
    """
    st, md, lr_ = sugg.get("steepest"), sugg.get("min_div10"), sugg.get("loss_rise")
    return {
        "prop:gmean(steepest,min_div10)": _gmean(st, md),
        "prop:loss_rise/2": _div(lr_, 2.0),
        "prop:loss_rise/3": _div(lr_, 3.0),
        "prop:loss_rise/5": _div(lr_, 5.0),
        "prop:loss_rise/10": _div(lr_, 10.0),
        "prop:gmean(steepest,loss_rise/3)": _gmean(st, _div(lr_, 3.0)),
        "prop:min(steepest,loss_rise/3)": None if st is None or lr_ is None else min(st, lr_ / 3.0),
    }


def candidates(result: Any, blind: float) -> dict[str, dict[str, float | None]]:
    """{use: {candidate name: lr or None}} for one range-test result."""
    from lrscope.analysis import SUGGESTERS

    out: dict[str, dict[str, float | None]] = {}
    sugg = result.suggestions
    for use in USES:
        c: dict[str, float | None] = {f"rule:{name}": result.suggest_for(use, name) for name in SUGGESTERS}
        c["default"] = result.suggest_for(use)
        c["blind"] = blind
        c["tlf_steepest"] = tlf_steepest(result.lrs, result.losses)
        c["fastai_valley"] = fastai_valley(result.lrs, result.smoothed, result.num_steps)
        c.update(proposals(sugg))
        out[use] = c
    return out


# --------------------------------------------------------------------------- stage 2: train
def stage_train(names: list[str], repeats: int = 1) -> None:
    import torch

    import tasks as bench_tasks

    torch.set_num_threads(1)
    ranges = _load(range_path(repeats))
    runs = _load(RUNS_PATH)
    for name in names:
        bench = bench_tasks.TASKS[name]
        for seed in oracle.SEEDS:
            entry = ranges.get(f"{name}|{seed}")
            if entry is None:
                continue
            cands = candidates(_rebuild_entry(entry), bench.blind_default)
            for use, schedule in USES.items():
                for lr in sorted({v for v in cands[use].values() if v is not None}):
                    k = oracle.key(name, schedule, seed, lr)
                    if k in runs:
                        continue
                    t0 = time.perf_counter()
                    res = bench_tasks.train(bench, seed, schedule, lr)
                    res["seconds"] = time.perf_counter() - t0
                    runs[k] = {kk: _jsonable(vv) for kk, vv in res.items()}
                    print(f"train {k}: q={res['quality']:.4f} diverged={res['diverged']}", flush=True)
                _save(RUNS_PATH, runs)


# --------------------------------------------------------------------------- stage 3: report
def _q(run: dict[str, Any] | None, q_init: float) -> float:
    """Quality of a run; a diverged run counts as no better than the untrained model."""
    if run is None:
        return float("nan")
    if run.get("diverged") or run.get("quality") is None:
        return q_init
    return float(run["quality"])


def oracle_curve(data: dict[str, Any], name: str, schedule: str) -> tuple[np.ndarray, np.ndarray, float]:
    """(grid LRs, seed-mean quality, seed-mean q_init) for one task and schedule."""
    q_init = float(np.mean([data["init"][f"{name}|{s}"]["quality"] for s in data["seeds"]]))
    grid = np.asarray(data["grid"])
    q = []
    for lr in grid:
        vals = [_q(data["runs"].get(oracle.key(name, schedule, s, lr)), q_init) for s in data["seeds"]]
        q.append(float(np.mean(vals)))
    return grid, np.asarray(q), q_init


def score(q_got: float, q_best: float, q_init: float, q_median: float) -> tuple[float, float]:
    """(normalised regret capped at 1, the issue's median-normalised regret)."""
    r = (q_best - q_got) / (q_best - q_init)
    rm = (q_best - q_got) / (q_best - q_median) if q_best > q_median else float("inf")
    return min(1.0, r), rm


def stage_report(names: list[str], repeats: int = 1) -> dict[str, Any]:
    import tasks as bench_tasks

    data = oracle.load()
    ranges = _load(range_path(repeats))
    runs = _load(RUNS_PATH)
    per_task: dict[str, Any] = {}
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for name in names:
        bench = bench_tasks.TASKS[name]
        n_grid = len(data["grid"])
        grid_steps = n_grid * bench.budget * len(data["seeds"])
        per_task[name] = {}
        for use, schedule in USES.items():
            have = all(oracle.key(name, schedule, s, lr) in data["runs"] for s in data["seeds"] for lr in data["grid"])
            if not have:
                continue
            grid, q, q_init = oracle_curve(data, name, schedule)
            i_best = int(np.argmax(q))
            q_best, q_median = float(q[i_best]), float(np.median(q))
            regret_grid = (q_best - q) / (q_best - q_init)
            band = grid[regret_grid <= BAND_REGRET]
            per_task[name][use] = {"best_lr": float(grid[i_best]), "q_best": q_best, "q_init": q_init,
                                   "q_median": q_median, "band": [float(band.min()), float(band.max())],
                                   "grid_steps": grid_steps, "candidates": {}}
            for seed in data["seeds"]:
                entry = ranges.get(f"{name}|{seed}")
                if entry is None:
                    continue
                cands = candidates(_rebuild_entry(entry), bench.blind_default)[use]
                for cand, lr in cands.items():
                    run = None if lr is None else runs.get(oracle.key(name, schedule, seed, lr))
                    if lr is not None and run is None:
                        continue  # not trained yet
                    q_got = q_init if lr is None else _q(run, q_init)
                    r, rm = score(q_got, q_best, q_init, q_median)
                    diverged = bool(run and run.get("diverged"))
                    far = lr is not None and (lr < band.min() / 10 or lr > band.max() * 10)
                    fail = lr is None or diverged or r > FAIL_REGRET or far
                    cost = 0 if cand == "blind" else entry["steps"]
                    row = {"task": name, "seed": seed, "lr": lr, "quality": q_got, "regret": r, "regret_median": rm,
                           "diverged": diverged, "no_answer": lr is None, "far_off": bool(far), "failure": bool(fail),
                           "cost_steps": cost, "cost_fraction": cost / grid_steps}
                    rows.setdefault((use, cand), []).append(row)
                    per_task[name][use]["candidates"].setdefault(cand, []).append(row)
    holdout = {n for n in names if bench_tasks.TASKS[n].holdout}

    def summarise(keep) -> dict[str, Any]:
        summary: dict[str, Any] = {}
        for (use, cand), all_rs in sorted(rows.items()):
            rs = [r for r in all_rs if keep(r["task"])]
            if not rs:
                continue
            summary.setdefault(use, {})[cand] = {
                "n": len(rs), "mean_regret": float(np.mean([r["regret"] for r in rs])),
                "median_regret": float(np.median([r["regret"] for r in rs])),
                "mean_regret_median_norm": float(np.mean([min(r["regret_median"], 10.0) for r in rs])),
                "failures": int(sum(r["failure"] for r in rs)),
                "tasks": sorted({r["task"] for r in rs}),
                "max_cost_fraction": float(max(r["cost_fraction"] for r in rs)),
            }
        return summary

    summary = summarise(lambda t: t not in holdout)
    summary_holdout = summarise(lambda t: t in holdout)
    from lrscope.analysis import confidence

    out = {"range_test": dict(RANGE_TEST, repeats=repeats), "band_regret": BAND_REGRET, "fail_regret": FAIL_REGRET,
           "default_rules": {k: v for k, v in confidence.DEFAULT_RULES.items()},
           "summary": summary, "summary_holdout": summary_holdout, "per_task": per_task,
           "impl": sorted({e["impl"] for e in ranges.values()})}
    _save(summary_path(repeats), out)
    print_tables(out)
    return out


def print_tables(out: dict[str, Any], key: str = "summary") -> None:
    if key == "summary" and out.get("summary_holdout"):
        print_tables(out, "summary_holdout")
    title = "held-out tasks" if key == "summary_holdout" else "the six suite tasks"
    for use, cands in out[key].items():
        print(f"\n### use: {use} (trained with {USES[use]}), {title}\n")
        print("| candidate | runs | mean regret | median regret | mean (best-q)/(best-median) | failures | "
              "range-test cost / grid |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for cand, s in sorted(cands.items(), key=lambda kv: kv[1]["mean_regret"]):
            print(f"| {cand} | {s['n']} | {s['mean_regret']:.3f} | {s['median_regret']:.3f} | "
                  f"{s['mean_regret_median_norm']:.2f} | {s['failures']} | {100 * s['max_cost_fraction']:.2f}% |")


def print_per_task(out: dict[str, Any], cands: tuple[str, ...] = ("default", "blind", "tlf_steepest",
                                                                  "fastai_valley")) -> None:
    """Per task and use: the grid's best LR and band, and each listed candidate's LR and regret (seed 0 / 1)."""
    for use in USES:
        print(f"\n#### {use}\n")
        print("| task | grid best | band (regret <= 0.2) | " + " | ".join(cands) + " |")
        print("|---|---:|---|" + "---|" * len(cands))
        for name, uses in out["per_task"].items():
            if use not in uses:
                continue
            u = uses[use]
            cells = []
            for c in cands:
                rows = u["candidates"].get(c, [])
                cells.append(", ".join("none" if r["lr"] is None else f"{r['lr']:.2g} ({r['regret']:.2f})"
                                       for r in rows))
            print(f"| {name} | {u['best_lr']:.2g} | {u['band'][0]:.2g}..{u['band'][1]:.2g} | " + " | ".join(cells) + " |")


def stage_plot(names: list[str], repeats: int = 1, out_dir: Path = HERE.parent / "docs" / "benchmarks" / "img") -> None:
    """Oracle curves with the suggestions marked (one panel per task), and the regret per candidate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = oracle.load()
    summary = _load(summary_path(repeats))
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [n for n in names if n in summary["per_task"]]
    cols = 3
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows), squeeze=False)
    marks = {"default": ("k", "o"), "blind": ("tab:gray", "s"), "tlf_steepest": ("tab:red", "v"),
             "fastai_valley": ("tab:purple", "^"), "prop:loss_rise/3": ("tab:green", "*")}
    for ax, name in zip(axes.flat, names):
        for use, schedule in USES.items():
            if use not in summary["per_task"][name]:
                continue
            grid, q, q_init = oracle_curve(data, name, schedule)
            colour = "tab:blue" if use == "lr" else "tab:orange"
            ax.plot(grid, q, "-", color=colour, label=f"grid, {schedule}")
            ax.axhline(q_init, color="0.8", lw=0.8)
            cands = summary["per_task"][name][use]["candidates"]
            for cand, (c, m) in marks.items():
                for row in cands.get(cand, []):
                    if row["lr"] is not None:
                        ax.plot(row["lr"], row["quality"], m, color=c, mfc="none" if use == "lr" else c, ms=6,
                                label=f"{cand} ({schedule})" if row["seed"] == 0 else None)
        ax.set_xscale("log")
        ax.set_title(name)
        ax.set_xlabel("LR (constant) / max_lr (one-cycle)")
        ax.set_ylabel(data["meta"][name]["quality"])
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(out_dir / "range_test_oracle.png", dpi=90)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, use in zip(axes, USES):
        cands = summary["summary"].get(use, {})
        order = sorted(cands, key=lambda c: cands[c]["mean_regret"])
        vals = [cands[c]["mean_regret"] for c in order]
        colours = ["tab:green" if c == "default" else "tab:gray" if c in BASELINES else
                   "tab:olive" if c.startswith("prop:") else "tab:blue" for c in order]
        ax.barh(range(len(order)), vals, color=colours)
        ax.set_yticks(range(len(order)), [f"{c} ({cands[c]['failures']} fail)" for c in order], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("mean normalised regret (0 = grid best)")
        ax.set_title(f"{use} ({USES[use]})")
    fig.tight_layout()
    fig.savefig(out_dir / "range_test_regret.png", dpi=90)
    plt.close(fig)
    print(f"wrote {out_dir / 'range_test_oracle.png'} and {out_dir / 'range_test_regret.png'}")


def main(argv: list[str] | None = None) -> int:
    import tasks as bench_tasks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=("rangetest", "train", "report", "plot", "tables", "all"), default="all")
    parser.add_argument("--tasks", nargs="*", default=None)
    parser.add_argument("--force", action="store_true", help="re-run the range tests even when cached")
    parser.add_argument("--repeats", type=int, default=1, help="sweeps per range test (find_lr repeats=)")
    parser.add_argument("--cands", nargs="*", default=None, help="candidates of the per-task table (--stage tables)")
    args = parser.parse_args(argv)
    names = args.tasks or list(bench_tasks.TASKS)
    import torch

    torch.set_num_threads(1)
    if args.stage in ("rangetest", "all"):
        stage_rangetest(names, args.force, args.repeats)
    if args.stage in ("train", "all"):
        stage_train(names, args.repeats)
    if args.stage in ("report", "all"):
        stage_report(names, args.repeats)
    if args.stage == "plot":
        stage_plot(names, args.repeats)
    if args.stage == "tables":
        out = _load(summary_path(args.repeats))
        print_tables(out)
        print_per_task(out, tuple(args.cands) if args.cands else ("default", "blind", "tlf_steepest", "fastai_valley"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
