"""Time to compute a loss-landscape slice of the demo MLP (MNIST-1D), 51x51 and 21x21.

    .venv/bin/python benchmarks/landscape_time.py [--grids 21 51] [--threads 1]

Each grid is timed on a fresh task (same seed): training (200 steps) and the plane
(grid^2 forward passes over 1024 training samples) are reported separately.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from lrscope import load_task
from lrscope.adapters.torch_landscape import compute_landscape


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grids", type=int, nargs="+", default=[21, 51])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--task", default="demo:mnist1d-mlp")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows = []
    for grid in a.grids:
        task = load_task(a.task, seed=0)
        t0 = time.perf_counter()
        compute_landscape(task, grid=3, extent=1.0, train_steps=200, eval_samples=1024, progress=False)
        t_train = time.perf_counter() - t0  # training + a 3x3 plane (9 points)
        task = load_task(a.task, seed=0)
        t0 = time.perf_counter()
        doc = compute_landscape(task, grid=grid, extent=1.0, train_steps=200, eval_samples=1024, progress=False)
        total = time.perf_counter() - t0
        rows.append({"task": a.task, "grid": grid, "points": grid * grid, "params": doc["params"], "seconds_total": round(total, 2),
                     "seconds_train_plus_9pts": round(t_train, 2),
                     "ms_per_point": round(1000 * (total - t_train) / (grid * grid - 9), 3), "threads": a.threads})
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
