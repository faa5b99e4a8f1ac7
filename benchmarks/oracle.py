"""The oracle: an exhaustive log grid of LRs, trained for each task's fixed budget.

For every task in ``benchmarks/tasks.py``, every LR of the grid
``10 ** (k / PER_DECADE)`` for k covering 1e-5 .. 10 (6 per decade, 37 LRs), every
seed in SEEDS and both schedules ("constant": LR fixed; "one_cycle": torch's
OneCycleLR with max_lr = the grid LR), it trains a fresh model and records final
quality. Results are cached in ``benchmarks/results/oracle.json``, one entry per run,
written after every run: re-running skips what is there, so the job can be stopped
and resumed, and the analysis never retrains.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/oracle.py                  # everything
    OMP_NUM_THREADS=1 python benchmarks/oracle.py --tasks digits-cnn --log /tmp/oracle.log
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PER_DECADE = 6
LO_EXP, HI_EXP = -5, 1
GRID = [float(10.0 ** (k / PER_DECADE)) for k in range(LO_EXP * PER_DECADE, HI_EXP * PER_DECADE + 1)]
SEEDS = (0, 1)
SCHEDULES = ("constant", "one_cycle")
ORACLE_PATH = HERE / "results" / "oracle.json"


def key(task: str, schedule: str, seed: int, lr: float) -> str:
    return f"{task}|{schedule}|{seed}|{lr:.6g}"


def load(path: Path = ORACLE_PATH) -> dict[str, Any]:
    if path.exists():
        return json.loads(path.read_text())
    return {"grid": GRID, "seeds": list(SEEDS), "onecycle_impl": "torch.optim.lr_scheduler.OneCycleLR (defaults)",
            "runs": {}, "init": {}, "meta": {}}


def save(data: dict[str, Any], path: Path = ORACLE_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=0, sort_keys=True, allow_nan=False))
    os.replace(tmp, path)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """Round floats; NaN/inf become None (strict JSON)."""
    return {k: ((round(v, 6) if np.isfinite(v) else None) if isinstance(v, float) else v) for k, v in d.items()}


def main(argv: list[str] | None = None) -> int:
    import torch

    import tasks as bench_tasks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="*", default=None, help="task names (default: all)")
    parser.add_argument("--log", default=None, help="append progress lines to this file")
    parser.add_argument("--out", default=str(ORACLE_PATH))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    data = load(out)
    names = args.tasks or list(bench_tasks.TASKS)
    log = open(args.log, "a") if args.log else sys.stdout
    for name in names:
        bench = bench_tasks.TASKS[name]
        data["meta"][name] = {"budget": bench.budget, "quality": bench.quality, "optimizer": bench.optimizer,
                              "blind_default": bench.blind_default}
        for seed in SEEDS:
            k0 = f"{name}|{seed}"
            if k0 not in data["init"]:
                t = bench.make_task(seed)
                data["init"][k0] = _clean(bench_tasks.evaluate(bench, t))
        t_task = time.perf_counter()
        done = 0
        for schedule in SCHEDULES:
            for lr in GRID:
                for seed in SEEDS:
                    k = key(name, schedule, seed, lr)
                    if k in data["runs"]:
                        continue
                    t0 = time.perf_counter()
                    res = bench_tasks.train(bench, seed, schedule, lr)
                    res["seconds"] = time.perf_counter() - t0
                    data["runs"][k] = _clean(res)
                    done += 1
                    print(f"{time.strftime('%H:%M:%S')} {k} q={res['quality']:.4f} div={res['diverged']} "
                          f"{res['seconds']:.1f}s", file=log, flush=True)
                save(data, out)
        print(f"{time.strftime('%H:%M:%S')} task {name} done ({done} runs, {time.perf_counter() - t_task:.0f}s)",
              file=log, flush=True)
    save(data, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
