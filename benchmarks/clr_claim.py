"""The seed article's CLR claims, measured (issue 14, part 1).

Smith (2017) reports that CLR reached, on CIFAR-10, in 25k iterations the accuracy a fixed-LR
schedule reached in 70k (2.8x fewer), and that the triangular, Welch and Hann windows give
similar results. This measures both on three offline tasks (a residual CNN with BatchNorm
among them), 3 seeds, every schedule for the task's whole budget, the quality recorded every
25 steps:

* **fixed**: the oracle grid's best constant LR (``results/gen/oracle_<task>.json``);
* **step**: that LR, divided by 10 at 50% and 75% of the run (the paper's step baseline);
* **CLR triangular / triangular2**: ``base_lr .. max_lr`` from lrscope's range test (the
  default call with ``budget_steps``, seed 0's answer: ``result.clr``), two whole cycles;
* **CLR with the Welch and Hann windows**: the triangular policy, the same band and cycles;
* **one-cycle**: the oracle grid's best one-cycle peak (torch's ``OneCycleLR``).

Reported per schedule: the final quality (mean and range over seeds), the steps it needed to
reach the fixed LR's final quality (per seed, against the same seed's fixed run), and the
speed-up ``budget / steps`` against the paper's 2.8x; for the windows, paired differences of
the final quality across tasks and seeds with a paired t-test. Results: ``results/clr_claim.json``;
write-up: ``docs/benchmarks/clr_claim.md``.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/clr_claim.py --jobs 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "results" / "clr_claim.json"
TASKS = ("resnet-digits-sgdm", "cnn-digits-sgd", "mlp-mnist1d-sgdm")
SEEDS = (0, 1, 2)
EVERY = 25
SCHEDULES = ("fixed", "step", "clr triangular", "clr triangular2", "clr welch", "clr hann", "one-cycle")


def _band(task_name: str) -> dict:
    """lrscope's CLR answer for the task (default call with budget_steps, seed 0)."""
    import torch

    import lrscope
    from suite import SUITE

    torch.set_num_threads(1)
    bench = SUITE[task_name]
    task = bench.make_task(0)
    res = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader,
                          budget_steps=bench.budget, seed=0, progress=False)
    return dict(res.clr)


def _spec(schedule: str, d: dict) -> tuple[str, float, dict | None]:
    budget, fixed, band = d["budget"], d["fixed_lr"], d["clr"]
    if schedule == "fixed":
        return "constant", fixed, None
    if schedule == "step":
        return "spec", fixed, {"kind": "multistep", "lr": fixed, "milestones": [budget // 2, (3 * budget) // 4],
                               "gamma": 0.1}
    if schedule == "one-cycle":
        return "one_cycle", d["one_cycle_lr"], None
    policy, window = {"clr triangular": ("triangular", "triangular"), "clr triangular2": ("triangular2", "triangular"),
                      "clr welch": ("triangular", "welch"), "clr hann": ("triangular", "hann")}[schedule]
    return "spec", band["max_lr"], {"kind": "cyclic", "base_lr": band["base_lr"], "max_lr": band["max_lr"],
                                    "step_size": max(1, budget // 4), "policy": policy, "window": window}


def _job(job):
    task_name, schedule, seed, d = job
    import torch

    from suite import SUITE
    from tasks import train

    torch.set_num_threads(1)
    kind, lr, spec = _spec(schedule, d)
    r = train(SUITE[task_name], seed, kind, lr, spec=spec, curve_every=EVERY)
    return task_name, schedule, seed, {"quality": r["quality"], "diverged": r["diverged"], "curve": r.get("curve", [])}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    from gen_data import oracle
    from suite import SUITE

    data = json.loads(OUT.read_text()) if OUT.exists() else {}
    for t in TASKS:
        if t not in data:
            data[t] = {"budget": SUITE[t].budget, "fixed_lr": 10 ** (oracle(t, "constant").k_best / 6),
                       "one_cycle_lr": 10 ** (oracle(t, "one_cycle").k_best / 6), "clr": _band(t), "runs": {}}
            print(t, {k: v for k, v in data[t].items() if k != "runs"}, flush=True)
    jobs = [(t, s, seed, {k: v for k, v in data[t].items() if k != "runs"}) for t in TASKS for s in SCHEDULES
            for seed in SEEDS if f"{s}|{seed}" not in data[t]["runs"]]
    print(f"{len(jobs)} runs to do", flush=True)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for t, s, seed, r in pool.map(_job, jobs):
            data[t]["runs"][f"{s}|{seed}"] = r
            tmp = OUT.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
            os.replace(tmp, OUT)
            print(t, s, seed, r["quality"], flush=True)
    report(data)


def steps_to_reach(curve, target: float) -> int | None:
    """The first recorded step whose quality is at least ``target`` (None: never)."""
    for step, q in curve:
        if q is not None and math.isfinite(q) and q >= target - 1e-12:
            return int(step)
    return None


def report(data) -> dict:
    import numpy as np
    from scipy import stats

    out = {"schedules": {}, "windows": {}}
    print("| task | schedule | final quality (mean, range) | steps to the fixed LR's final quality | "
          "speed-up over the fixed LR |")
    print("|---|---|---|---|---:|")
    for t, d in data.items():
        for s in SCHEDULES:
            qs, reach, speed = [], [], []
            for seed in SEEDS:
                r = d["runs"][f"{s}|{seed}"]
                qs.append(r["quality"] if r["quality"] is not None else float("nan"))
                fixed = d["runs"][f"fixed|{seed}"]
                target = fixed["quality"]
                mine = steps_to_reach(r["curve"], target) if target is not None else None
                theirs = steps_to_reach(fixed["curve"], target) if target is not None else None
                reach.append(mine)
                if mine is not None and theirs is not None:
                    speed.append(theirs / mine)     # the paper's measure: the fixed LR's steps over this one's
            got = [x for x in reach if x is not None]
            out["schedules"][f"{t}|{s}"] = {"quality": qs, "reach": reach, "speedup": speed}
            reach_txt = (f"{np.mean(got):.0f} ({min(got)}-{max(got)})" if got else "never") + \
                (f", {len(reach) - len(got)} of {len(reach)} never" if got and len(got) < len(reach) else "")
            print(f"| {t} | {s} | {np.mean(qs):.4f} ({min(qs):.4f}-{max(qs):.4f}) | {reach_txt} | "
                  f"{(f'{np.mean(speed):.2f}x' if speed else '-')} |")
    for a, b in (("clr welch", "clr triangular"), ("clr hann", "clr triangular"), ("clr hann", "clr welch")):
        diffs = [data[t]["runs"][f"{a}|{s}"]["quality"] - data[t]["runs"][f"{b}|{s}"]["quality"]
                 for t in data for s in SEEDS]
        test = stats.ttest_rel([data[t]["runs"][f"{a}|{s}"]["quality"] for t in data for s in SEEDS],
                               [data[t]["runs"][f"{b}|{s}"]["quality"] for t in data for s in SEEDS])
        out["windows"][f"{a} - {b}"] = {"mean": float(np.mean(diffs)), "pos": int(sum(x > 0 for x in diffs)),
                                        "neg": int(sum(x < 0 for x in diffs)), "p": float(test.pvalue)}
        print(f"{a} - {b}: mean {np.mean(diffs):+.4f}, {sum(x > 0 for x in diffs)} higher / "
              f"{sum(x < 0 for x in diffs)} lower of {len(diffs)}, paired t-test p = {test.pvalue:.2f}")
    return out


if __name__ == "__main__":
    main()
