"""Warmup, measured (issue 14, part 2): no warmup against linear warmups of a few lengths and
the untuned rule ``2 / (1 - beta2)`` steps (Ma & Yarats, 2019), for adaptive optimizers, at the
task's best constant LR and half a decade above it (a high LR, where warmup should matter).

Tasks: four Adam-family tasks of the generalisation suite (two transformers). LRs: the
oracle's best constant LR (``results/gen/oracle_<task>.json``) and 10**0.5 x it. Every run is
the task's whole budget, seeds 0 and 1 (the suite's ``tasks.train``: the same batches, the
same quality measure as the oracle). Results: ``results/warmup.json``; the write-up is
``docs/benchmarks/warmup.md``.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/warmup.py --jobs 2
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
OUT = HERE / "results" / "warmup.json"
TASKS = ("gpt-char-adamw", "vit-digits-adamw", "cnn1d-mnist1d-adam", "lstm-char-adam")
FRACTIONS = (0.02, 0.05, 0.10, 0.25)     # linear warmup, as a fraction of the budget
SEEDS = (0, 1)


def variants(budget: int, beta2: float) -> dict[str, int]:
    """name -> warmup steps (0: none)."""
    out = {"none": 0}
    out.update({f"linear {int(f * 100)}%": max(1, round(f * budget)) for f in FRACTIONS})
    out["untuned 2/(1-b2)"] = int(round(2.0 / (1.0 - beta2)))
    return out


def _job(args):
    task_name, lr_name, lr, variant, steps, seed = args
    import torch

    from suite import SUITE
    from tasks import train

    torch.set_num_threads(1)
    bench = SUITE[task_name]
    if steps == 0:
        r = train(bench, seed, "constant", lr)
    else:
        spec = {"kind": "warmup", "schedule": {"kind": "constant", "lr": lr}, "warmup_steps": int(steps)}
        r = train(bench, seed, "spec", lr, spec=spec)
    q = r["quality"]
    return task_name, lr_name, variant, seed, (None if q is None or not math.isfinite(q) else float(q)), bool(r["diverged"])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    from gen_data import oracle
    from suite import SUITE

    data = json.loads(OUT.read_text()) if OUT.exists() else {}
    jobs = []
    for t in TASKS:
        bench = SUITE[t]
        beta2 = float(bench.make_task(0).optimizer.param_groups[0].get("betas", (0.9, 0.999))[1])
        k = oracle(t, "constant").k_best
        lrs = {"best": 10 ** (k / 6), "high (x3.2)": 10 ** ((k + 3) / 6)}
        data.setdefault(t, {"budget": bench.budget, "beta2": beta2, "lrs": lrs, "runs": {}})
        for lr_name, lr in lrs.items():
            for variant, steps in variants(bench.budget, beta2).items():
                for seed in SEEDS:
                    key = f"{lr_name}|{variant}|{seed}"
                    if key not in data[t]["runs"]:
                        jobs.append((t, lr_name, lr, variant, steps, seed))
    print(f"{len(jobs)} runs to do", flush=True)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for t, lr_name, variant, seed, q, div in pool.map(_job, jobs):
            data[t]["runs"][f"{lr_name}|{variant}|{seed}"] = {"quality": q, "diverged": div}
            tmp = OUT.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
            os.replace(tmp, OUT)
            print(t, lr_name, variant, seed, q, flush=True)
    report(data)


def report(data) -> None:
    """Per task and LR: seed-mean quality of each variant; and the mean gain over no warmup."""
    import numpy as np

    rows = {}
    for t, d in data.items():
        for lr_name in d["lrs"]:
            means = {}
            for variant in variants(d["budget"], d["beta2"]):
                qs = [d["runs"].get(f"{lr_name}|{variant}|{s}", {}).get("quality") for s in SEEDS]
                means[variant] = float(np.mean([q if q is not None else np.nan for q in qs]))
            rows[(t, lr_name)] = means
    names = list(next(iter(rows.values())))
    print("| task | LR | " + " | ".join(names) + " |")
    print("|---|---|" + "---:|" * len(names))
    for (t, lr_name), means in rows.items():
        print(f"| {t} | {lr_name} | " + " | ".join(f"{means[n]:.4f}" for n in names) + " |")


if __name__ == "__main__":
    main()
