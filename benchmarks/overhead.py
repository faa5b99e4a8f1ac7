"""Overhead: wall time of ``lrscope.find_lr`` against a bare training loop and torch-lr-finder.

All three do the same 100 optimizer steps over the same pre-built batches (one DataLoader handing them out unchanged) on the same model,
at the same geometric LR sweep (1e-5 -> 1e-2 for SGD with momentum, low enough that no
method stops early: the script checks that each took all 100 steps):

- ``bare``: ``for lr in lrs: set lr; zero_grad; loss = loss_fn(model(x), y); backward; step;
  loss.item()`` (the minimum a range test must do, with nothing saved or restored);
- ``lrscope``: ``lrscope.find_lr(..., progress=False)`` (snapshot, sweep, restore);
- ``torch-lr-finder``: ``LRFinder(model, opt, loss_fn)`` + ``range_test(...)`` + ``reset()``
  (it caches the model/optimizer state at construction and restores it in ``reset``).

The methods run interleaved (the order rotates every round) in one process with one torch
thread, so machine load affects them alike; each round starts from the same weights (restored
outside the timed region). Reported for wall time and for the process's CPU time (``time.process_time``; with one torch
thread it is far less sensitive to other processes on a shared machine): the median per method,
the ratio of medians, and the median of the per-round ratios to the bare loop (paired).
Two model sizes: an MLP 40-256-256-10 (~79k parameters, the mnist1d-mlp task) and an MLP
256-1024-1024-10 (~1.3M parameters), batch 100.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/overhead.py --rounds 7
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STEPS = 100
START_LR, END_LR = 1e-5, 1e-2


def _model(size: str):
    import torch
    from torch import nn

    if size == "small":
        dims = [40, 256, 256, 10]
    else:
        dims = [256, 1024, 1024, 10]
    layers: list[Any] = []
    for a, b in zip(dims[:-1], dims[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    gen = torch.Generator().manual_seed(0)
    batches = [(torch.randn(100, dims[0], generator=gen), torch.randint(0, 10, (100,), generator=gen))
               for _ in range(STEPS)]
    # torch-lr-finder accepts only a DataLoader: all three methods read this one, which hands
    # out the pre-built batches unchanged (batch_size=None: no collation, no workers)
    return model, torch.utils.data.DataLoader(batches, batch_size=None, shuffle=False)


def run_bare(model, opt, loss_fn, batches, lrs) -> int:
    steps = 0
    for lr, (x, y) in zip(lrs, batches):
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        steps += 1
    return steps


def run_lrscope(model, opt, loss_fn, batches, lrs) -> int:
    import lrscope

    # the sweep alone (no extension, no confirmation runs): the same steps as the bare loop
    res = lrscope.find_lr(model, opt, loss_fn, batches, start_lr=START_LR, end_lr=END_LR, num_steps=STEPS,
                          confirm=False, extend_decades=0, progress=False)
    return len(res.lrs)


def run_tlf(model, opt, loss_fn, batches, lrs) -> int:
    from torch_lr_finder import LRFinder

    for g in opt.param_groups:
        g["lr"] = START_LR
    finder = LRFinder(model, opt, loss_fn)
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        finder.range_test(batches, end_lr=END_LR, num_iter=STEPS, step_mode="exp", diverge_th=1e9)
    n = len(finder.history["lr"])
    finder.reset()
    return n


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", nargs="*", default=["small", "large"])
    parser.add_argument("--out", default=str(HERE / "results" / "overhead.json"))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    methods = {"bare": run_bare, "lrscope": run_lrscope}
    try:
        import torch_lr_finder  # noqa: F401

        methods["torch-lr-finder"] = run_tlf
    except ImportError:
        print("torch-lr-finder not installed: skipped (pip install -c constraints.txt torch-lr-finder)")
    lrs = START_LR * (END_LR / START_LR) ** (np.arange(STEPS) / (STEPS - 1))
    out: dict[str, Any] = {"steps": STEPS, "rounds": args.rounds, "python": platform.python_version(),
                           "torch": torch.__version__, "threads": torch.get_num_threads(), "sizes": {}}
    names = list(methods)
    for size in args.sizes:
        torch.manual_seed(0)
        model, batches = _model(size)
        n_params = sum(p.numel() for p in model.parameters())
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        run_bare(model, opt, loss_fn, batches, lrs[:2])  # warm up allocator and momentum buffers
        init_model, init_opt = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
        times: dict[str, list[float]] = {m: [] for m in names}
        cpu: dict[str, list[float]] = {m: [] for m in names}
        for r in range(args.rounds + 1):  # round 0 is a discarded warm-up
            order = names[r % len(names):] + names[:r % len(names)]
            for m in order:
                model.load_state_dict(init_model)
                opt.load_state_dict(init_opt)
                c0, t0 = time.process_time(), time.perf_counter()
                steps = methods[m](model, opt, loss_fn, batches, lrs)
                dt, dc = time.perf_counter() - t0, time.process_time() - c0
                if steps != STEPS:
                    raise RuntimeError(f"{m} took {steps} steps, not {STEPS}")
                if r > 0:
                    times[m].append(dt)
                    cpu[m].append(dc)
        entry: dict[str, Any] = {"params": n_params, "wall_seconds": times, "cpu_seconds": cpu}
        for label, series in (("wall", times), ("cpu", cpu)):
            med = {m: statistics.median(t) for m, t in series.items()}
            entry[f"{label}_median"] = med
            entry[f"{label}_ratio_of_medians"] = {m: med[m] / med["bare"] for m in names}
            entry[f"{label}_ratio_paired_median"] = {
                m: statistics.median(a / b for a, b in zip(series[m], series["bare"])) for m in names}
        out["sizes"][size] = entry
        print(f"{size}: {n_params} params; " + ", ".join(
            f"{m} wall {1e3 * entry['wall_median'][m]:.0f} ms (paired {entry['wall_ratio_paired_median'][m]:.3f}x "
            f"bare), cpu {1e3 * entry['cpu_median'][m]:.0f} ms (paired {entry['cpu_ratio_paired_median'][m]:.3f}x)"
            for m in names), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
