"""The generalisation benchmark's final table: every answer trained, held out and in sample, against the baselines.

Stages (each cached under ``results/gen/``; re-running only does what is missing):

1. ``cv``: leave-one-family-out choice of the policy (``gen_cv.py``) for the two calls that
   are judged: the default call ``find_lr(model, optimizer, loss_fn, train_loader)`` and the
   call with a validation loader and ``budget_steps``. Each task's held-out answer comes
   from the policy chosen without its family (``cv.json``).
2. ``library``: the real ``lrscope.find_lr`` (its shipped ``DEFAULT_POLICY``, chosen on all
   families: the in-sample figure) for both calls, on every task and seed; its answers,
   verdicts and cost (``library.json``).
3. ``train``: every answer trained for the task's budget with seeds 0 and 1 (the oracle's
   own runs are reused for an LR it already ran): lrscope held out and in sample, the
   baselines of ``gen_baselines.py`` and Prodigy (``lr=1``) (``runs_<task>.json``).
4. ``report``: the tables of ``docs/benchmarks/generalization.md`` (``final.json``).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_final.py --stage all
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_cv import CALLS  # noqa: E402
from gen_oracle import RESULTS, SEEDS, _clean, grid_index, grid_lr, load_oracle  # noqa: E402

USES = {"lr": "constant", "one_cycle_max_lr": "one_cycle", "clr_max": "clr"}
BASELINE_USES = ("lr", "one_cycle_max_lr")
TRIVIAL = 0.9          # regret above this: trained to (near) the untrained level


def _write(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)


def _read(path: Path, default):
    return json.loads(path.read_text()) if path.exists() else default


# --------------------------------------------------------------------------- stage 1: cv
def stage_cv(tasks) -> dict:
    import gen_cv
    from suite import SUITE

    families = {}
    for t in tasks:
        families.setdefault(SUITE[t].family, []).append(t)
    res = gen_cv.lofo(tasks, families)
    out = {}
    for call, (val, budget) in CALLS.items():
        gen_cv.report(call, res[call], tasks)
        budget_of = (lambda t: SUITE[t].budget) if budget else (lambda t: None)
        held = {}
        for t in tasks:
            h = res[call]["held"][t]
            per_seed = {}
            for sd in SEEDS:
                choice, cost = gen_cv.replay(gen_cv.evidence(t, sd), h["cfg"], budget_of(t), val)
                per_seed[str(sd)] = {
                    "status": None if choice is None else choice.status, "cost": cost,
                    **{use: gen_cv.k_of(choice, h["offs"][u], h["slow"]) for use, u in USES.items()}}
            held[t] = {"policy": gen_cv.policy_dict(h["cfg"], h["offsets"]), "seeds": per_seed}
        cfg, offsets = res[call]["chosen"]
        out[call] = {"held": held, "chosen_on_all": gen_cv.policy_dict(cfg, offsets),
                     "insample_regret": res[call]["insample"]}
    out["policy_literal"] = gen_cv.policy_literal(res)
    print("\nDEFAULT_POLICY =", out["policy_literal"])
    _write(RESULTS / "cv.json", out)
    return out


# --------------------------------------------------------------------------- stage 2: library
def stage_library(tasks, path: Path = RESULTS / "library.json") -> dict:
    """The real ``find_lr``'s answers for both calls, every task and seed, cached in `path`."""
    import torch

    import lrscope
    from suite import bench as lookup

    from lrscope.analysis._policy import DEFAULT_POLICY

    torch.set_num_threads(1)
    data = _read(path, {})
    if data.get("policy") != repr(DEFAULT_POLICY):      # answers of another policy: start again
        data = {"policy": repr(DEFAULT_POLICY)}
    for t in tasks:
        bench = lookup(t)
        for call, (val, budget) in CALLS.items():
            for sd in SEEDS:
                key = f"{t}|{call}|{sd}"
                if key in data:
                    continue
                task = bench.make_task(sd)
                t0 = time.perf_counter()
                res = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader,
                                      val_loader=task.val_loader if val else None,
                                      budget_steps=bench.budget if budget else None, progress=False)
                clr = res.clr
                data[key] = {
                    "lr": res.lr, "one_cycle_max_lr": res.one_cycle_max_lr,
                    "clr_max": None if clr is None else clr["max_lr"],
                    "clr_base": None if clr is None else clr["base_lr"],
                    "levels": {u: c.level for u, c in res.verdicts.items()},
                    "reasons": {u: list(c.reasons) for u, c in res.verdicts.items()},
                    "cost_steps": res.cost_steps, "seconds": round(time.perf_counter() - t0, 2),
                    "extended": res.extended, "stop_reason": res.stop_reason,
                }
                print(f"library {key}: lr={res.lr} 1c={res.one_cycle_max_lr} cost={res.cost_steps}", flush=True)
                _write(path, data)
    return data


# --------------------------------------------------------------------------- stage 3: train
def _runs_path(task: str) -> Path:
    return RESULTS / f"runs_{task}.json"


def quality(task: str, use: str, lr: float | None, method: str = "lr") -> float | None:
    """Seed-mean final quality of training at ``lr`` for ``use`` (None: no answer; NaN: diverged).

    ``method="prodigy"`` trains Prodigy (lr=1) with the use's schedule instead of the task's optimizer.
    Trains (and caches) what neither the oracle nor the cache holds.
    """
    from suite import bench
    from tasks import train

    if lr is None:
        return None
    schedule = USES[use]
    oracle = load_oracle(task)
    k = grid_index(lr)
    if method == "lr" and abs(grid_lr(k) / lr - 1) < 1e-9 and str(k) in oracle["runs"][schedule]:
        runs = oracle["runs"][schedule][str(k)]
    else:
        cache = _read(_runs_path(task), {})
        key = f"{method}|{schedule}|{lr:.9g}"
        if key not in cache:
            opt = _prodigy(bench(task)) if method == "prodigy" else None
            cache[key] = [_clean(train(bench(task), sd, schedule, lr, optimizer=opt)) for sd in SEEDS]
            _write(_runs_path(task), cache)
        runs = cache[key]
    if any(r["diverged"] or r["quality"] is None for r in runs):
        return math.nan
    return float(np.mean([r["quality"] for r in runs]))


def _prodigy(bench):
    def make(model):
        from prodigyopt import Prodigy

        wd = 0.01 if "AdamW" in bench.optimizer and "0.01" in bench.optimizer else (
            0.05 if "AdamW" in bench.optimizer else 0.0)
        return Prodigy(model.parameters(), lr=1.0, weight_decay=wd)

    return make


def answers(tasks, cv, lib, baselines) -> dict:
    """{task: {method: {use: [lr per finder seed]}}} of every method scored."""
    from suite import SUITE

    out = {}
    for t in tasks:
        m = {}
        for call in CALLS:
            held = cv[call]["held"][t]["seeds"]
            m[f"lrscope {call} (held out)"] = {
                u: [None if held[str(sd)][u] is None else grid_lr(held[str(sd)][u]) for sd in SEEDS] for u in USES}
            m[f"lrscope {call} (in sample)"] = {u: [lib[f"{t}|{call}|{sd}"][u] for sd in SEEDS] for u in USES}
        m["lrscope curve only (confirm=False)"] = {u: [_curve_only(t, sd, u) for sd in SEEDS] for u in BASELINE_USES}
        for b in ("torch_lr_finder", "lightning", "fastai"):
            m[b] = {u: [baselines.get(t, {}).get(str(sd), {}).get(b) for sd in SEEDS] for u in BASELINE_USES}
        m["framework default"] = {u: [SUITE[t].blind_default for _ in SEEDS] for u in BASELINE_USES}
        m["prodigy (lr=1)"] = {u: [1.0 for _ in SEEDS] for u in BASELINE_USES}
        out[t] = m
    return out


def _train_task(job) -> str:
    import torch

    torch.set_num_threads(1)
    t, per_method = job
    for method, per_use in per_method.items():
        for use, lrs in per_use.items():
            for lr in dict.fromkeys(lrs):
                quality(t, use, lr, "prodigy" if method.startswith("prodigy") else "lr")
    return t


def _curve_only(task: str, seed: int, use: str) -> float | None:
    """The answer of ``find_lr(confirm=False)``: the sweep's curve read by ``DEFAULT_RULES`` (the rule
    that was the default before issue 9), from the recorded sweep."""
    from gen_data import evidence
    from lrscope.analysis import DEFAULT_RULES

    sweep = evidence(task, seed).sweep_result()
    return sweep.suggest_for(use, DEFAULT_RULES[use])


def stage_train(tasks, table, jobs: int = 2) -> None:
    """Train every answer not yet trained (one process per task, ``jobs`` at a time)."""
    work = [(t, table[t]) for t in tasks]
    if jobs <= 1:
        for job in work:
            print("trained", _train_task(job), flush=True)
        return
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(jobs, maxtasksperchild=1) as pool:
        for t in pool.imap_unordered(_train_task, work):
            print("trained", t, flush=True)


# --------------------------------------------------------------------------- stage 4: report
def score(tasks, table) -> tuple[dict, dict]:
    """Per-task scores and their summary, ``(rows, summary)``, of every method and use of `table`
    (``{task: {method: {use: [lr per finder seed]}}}``) against the oracle."""
    from gen_data import oracle

    rows = {}
    for t in tasks:
        for method, per_use in table[t].items():
            for use, lrs in per_use.items():
                o = oracle(t, USES[use])
                regs, within, missing, trivial = [], [], 0, 0
                for lr in lrs:
                    q = quality(t, use, lr, "prodigy" if method.startswith("prodigy") else "lr")
                    if q is None:
                        missing += 1
                        regs.append(1.0)
                        within.append(False)
                        continue
                    r = 1.0 if not math.isfinite(q) else min(1.0, max(0.0, (o.q_best - q) / (o.q_best - o.q_init)))
                    regs.append(r)
                    within.append(math.isfinite(q) and o.q_best - q <= 0.01 * abs(o.q_best))
                    trivial += r > TRIVIAL
                rows.setdefault(method, {}).setdefault(use, {})[t] = {
                    "regret": float(np.mean(regs)), "within_1pct": float(np.mean(within)), "missing": missing,
                    "trivial": trivial, "lrs": lrs}
    summary = {}
    for method, per_use in rows.items():
        summary[method] = {}
        for use, per_task in per_use.items():
            vals = list(per_task.values())
            summary[method][use] = {
                "mean_regret": float(np.mean([x["regret"] for x in vals])),
                "median_regret": float(np.median([x["regret"] for x in vals])),
                "within_1pct": float(np.mean([x["within_1pct"] for x in vals])),
                "tasks_within_1pct": int(sum(x["within_1pct"] >= 0.5 for x in vals)),
                "trivial_runs": int(sum(x["trivial"] for x in vals)),
                "missing_answers": int(sum(x["missing"] for x in vals)),
                "tasks": len(vals)}
    return rows, summary


def stage_report(tasks, table, lib) -> dict:
    rows, summary = score(tasks, table)
    conf = confidence_table(tasks, rows, lib)
    cost = cost_table(tasks, lib)
    out = {"per_task": rows, "summary": summary, "confidence": conf, "cost": cost}
    _write(RESULTS / "final.json", out)
    print_report(out)
    print("\n" + markdown(out, tasks))
    return out


def confidence_table(tasks, rows, lib) -> dict:
    """Mean regret of the in-sample answers by verdict level (does "high" mean something?)."""
    out = {}
    for call in CALLS:
        method = f"lrscope {call} (in sample)"
        for use, vkey in (("lr", "lr"), ("one_cycle_max_lr", "one_cycle_max_lr")):
            by = {}
            for t in tasks:
                reg = rows[method][use][t]["regret"]
                for sd in SEEDS:
                    lvl = lib[f"{t}|{call}|{sd}"]["levels"][vkey]
                    by.setdefault(lvl, []).append(reg)
            out[f"{call}|{use}"] = {lvl: {"n": len(v), "mean_regret": float(np.mean(v))} for lvl, v in by.items()}
    return out


def cost_table(tasks, lib) -> dict:
    """Cost of the library's calls, in optimizer steps, against the task budget and the grid."""
    from gen_data import oracle
    from suite import bench

    out = {}
    for call in CALLS:
        per = {}
        for t in tasks:
            b = bench(t).budget
            cost = max(lib[f"{t}|{call}|{sd}"]["cost_steps"] for sd in SEEDS)
            n_grid = len(oracle(t, "constant").means)
            per[t] = {"cost": cost, "budget": b, "cost_over_budget": cost / b,
                      "grid_runs": 2 * n_grid, "cost_over_grid": cost / (2 * n_grid * b)}
        out[call] = per
    return out


def markdown(out, tasks) -> str:
    """The write-up's tables (docs/benchmarks/generalization.md) from ``final.json``."""
    order = ["lrscope default (held out)", "lrscope default (in sample)", "lrscope val+budget (held out)",
             "lrscope val+budget (in sample)", "lrscope curve only (confirm=False)", "torch_lr_finder",
             "lightning", "fastai", "framework default", "prodigy (lr=1)"]
    names = {"lrscope default (held out)": "**lrscope, default call, held out**",
             "lrscope default (in sample)": "lrscope, default call, in sample",
             "lrscope val+budget (held out)": "**lrscope, val loader + budget_steps, held out**",
             "lrscope val+budget (in sample)": "lrscope, val loader + budget_steps, in sample",
             "lrscope curve only (confirm=False)": "lrscope, curve only (`confirm=False`, the old default rule)",
             "torch_lr_finder": "torch-lr-finder (steepest)", "lightning": "Lightning `Tuner.lr_find`",
             "fastai": "fastai `lr_find` (valley)", "framework default": "framework default LR",
             "prodigy (lr=1)": "Prodigy (lr=1)"}
    lines = []
    for use, label in (("lr", "Constant LR (`result.lr`)"), ("one_cycle_max_lr", "One-cycle peak (`result.one_cycle_max_lr`)"),
                       ("clr_max", "Cyclical band (`result.clr`, triangular, max_lr / 4 .. max_lr)")):
        lines += [f"### {label}", "", "| method | mean regret | median | tasks within 1% | trivial runs | missing answers |",
                  "|---|---:|---:|---:|---:|---:|"]
        for m in order:
            sm = out["summary"].get(m, {}).get(use)
            if sm is None:
                continue
            lines.append(f"| {names[m]} | {sm['mean_regret']:.3f} | {sm['median_regret']:.3f} | "
                         f"{sm['tasks_within_1pct']} of {sm['tasks']} | {sm['trivial_runs']} | {sm['missing_answers']} |")
        lines.append("")
    lines += ["### Per task (held out; regret of seed 0's and seed 1's answer averaged)", "",
              "| task | default: constant | default: one-cycle | val+budget: constant | val+budget: one-cycle | "
              "torch-lr-finder: constant | fastai: constant |", "|---|---:|---:|---:|---:|---:|---:|"]
    pt = out["per_task"]
    for t in tasks:
        cells = [pt["lrscope default (held out)"]["lr"][t], pt["lrscope default (held out)"]["one_cycle_max_lr"][t],
                 pt["lrscope val+budget (held out)"]["lr"][t], pt["lrscope val+budget (held out)"]["one_cycle_max_lr"][t],
                 pt["torch_lr_finder"]["lr"][t], pt["fastai"]["lr"][t]]
        lines.append(f"| {t} | " + " | ".join(f"{c['regret']:.3f}" for c in cells) + " |")
    return "\n".join(lines)


def print_report(out) -> None:
    for use in USES:
        print(f"\n== {use}")
        for method, per_use in out["summary"].items():
            if use in per_use:
                s = per_use[use]
                print(f"{method:32s} regret {s['mean_regret']:.3f} (median {s['median_regret']:.3f})  within 1%: "
                      f"{s['tasks_within_1pct']}/{s['tasks']}  trivial runs {s['trivial_runs']}  missing "
                      f"{s['missing_answers']}")
    print("\nconfidence:", json.dumps(out["confidence"], indent=1))
    for call, per in out["cost"].items():
        worst = max(per.values(), key=lambda x: x["cost_over_grid"])
        print(f"cost {call}: max {max(x['cost'] for x in per.values())} steps, max cost/grid "
              f"{100 * worst['cost_over_grid']:.2f}%")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stage", choices=("cv", "library", "train", "report", "all"), default="all")
    p.add_argument("--tasks", nargs="*")
    p.add_argument("--jobs", type=int, default=2, help="training processes (one torch thread each)")
    args = p.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    from gen_data import ready_tasks

    tasks = args.tasks or ready_tasks()
    stages = ("cv", "library", "train", "report") if args.stage == "all" else (args.stage,)
    cv = _read(RESULTS / "cv.json", None)
    if "cv" in stages:
        cv = stage_cv(tasks)
    lib = _read(RESULTS / "library.json", {})
    if "library" in stages:
        lib = stage_library(tasks)
    if not {"train", "report"} & set(stages):
        return
    import gen_baselines

    table = answers(tasks, cv, lib, gen_baselines.load())
    if "train" in stages:
        stage_train(tasks, table, args.jobs)
    if "report" in stages:
        stage_report(tasks, table, lib)


if __name__ == "__main__":
    main()
