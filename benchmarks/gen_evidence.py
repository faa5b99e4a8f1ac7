"""What a finder could see, recorded once per task and seed, so that rules are compared offline.

Every rule of the generalisation benchmark reads two kinds of evidence, both recorded here
with lrscope's own engine (``Snapshot`` and the training stepper of
``lrscope.adapters.torch_range_test``), from the task's fresh model of that seed:

* **the sweep**: one geometric range test from 1e-7 at 12.375 steps per decade (the default
  ``1e-7 .. 10`` in 100 steps) carried on at the same rate up to 1e9, or until the loss is
  non-finite or 1000x its best; the training loss and metric at every step, the validation
  loss and metric every 5 steps. A rule that stops earlier (the default divergence stop, the
  default ``end_lr``) reads a prefix of it: a sweep's steps do not depend on where it stops.
* **probes**: short constant-LR runs on the LR grid ``10 ** (k / 6)``, each from the same
  saved state (weights, optimizer, RNG and batch order restored, exactly as ``find_lr``
  restores them), for every k from half a decade above the LR where the default stop rule
  (smoothed loss 4x its best) ends the sweep down to 6 decades below that; ``max(300, budget // 5)`` steps each (fewer when the loss turns
  non-finite or exceeds 100x its first value + 10); the training loss of every step and the
  validation loss and metric every 25 steps.

A rule whose candidate LRs lie on the grid therefore reads exactly what ``find_lr`` would
have measured. Files: ``results/gen/evidence_<task>_s<seed>.json`` (resumable).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_evidence.py --jobs 1
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
from gen_oracle import RESULTS, SEEDS, grid_index, grid_lr  # noqa: E402

SWEEP_START = 1e-7
SWEEP_STEPS_PER_DECADE = 99 / 8      # the default sweep: 1e-7 .. 10 in 100 steps
SWEEP_DECADES = 16                   # carried on up to 1e9
PROBE_EVERY = 25                     # validation checkpoints of a probe
PROBE_DECADES = 6


def evidence_path(name: str, seed: int) -> Path:
    return RESULTS / f"evidence_{name}_s{seed}.json"


def probe_steps(budget: int) -> int:
    return min(budget, max(300, budget // 5))


def _r(x, digits=6):
    if x is None:
        return None
    x = float(x)
    return float(f"{x:.{digits}g}") if math.isfinite(x) else None


def collect(name: str, seed: int) -> None:
    import numpy as np
    import torch

    import lrscope
    from lrscope.adapters.torch_range_test import Snapshot, _Stepper
    from suite import SUITE

    torch.set_num_threads(1)
    path = evidence_path(name, seed)
    if path.exists():
        return
    bench = SUITE[name]
    task = bench.make_task(seed)
    t0 = time.perf_counter()
    num = int(round(SWEEP_DECADES * SWEEP_STEPS_PER_DECADE)) + 1
    res = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader,
                          start_lr=SWEEP_START, end_lr=SWEEP_START * 10 ** SWEEP_DECADES, num_steps=num,
                          diverge_factor=1000.0, metric=task.metric, val_loader=task.val_loader, val_every=5,
                          progress=False)
    sweep = {"lrs": [_r(x, 9) for x in res.lrs], "loss": [_r(x) for x in res.losses],
             "metric": None if res.metric is None else [_r(x) for x in res.metric],
             "val_steps": None if res.val_steps is None else [int(x) for x in res.val_steps],
             "val_loss": None if res.val_losses is None else [_r(x) for x in res.val_losses],
             "val_metric": None if res.val_metric is None else [_r(x) for x in res.val_metric],
             "stop_reason": res.stop_reason}
    t_sweep = time.perf_counter() - t0

    k_hi = min(grid_index(default_stop_lr(res.lrs, res.losses)) + 3, 18)
    steps = probe_steps(bench.budget)
    stepper = _Stepper(task.model, task.optimizer, task.loss_fn, task.train_loader, train_step=None,
                       accumulation_steps=1, grad_scaler=None, device=torch.device("cpu"), metric=None)
    snap = Snapshot(task.model, task.optimizer, [task.train_loader])
    probes = {}
    try:
        for k in range(k_hi, max(k_hi - 6 * PROBE_DECADES, -42) - 1, -1):
            snap.restore()
            stepper.reset_data()
            task.model.train()
            lr = grid_lr(k)
            losses, vsteps, vloss, vmetric = [], [], [], []
            first = None
            for i in range(steps):
                loss, _ = stepper.step(lr)
                losses.append(_r(loss))
                if first is None:
                    first = abs(loss) + 1e-12
                if not math.isfinite(loss) or abs(loss) > 100 * first + 10:
                    break
                if (i + 1) % PROBE_EVERY == 0:
                    vl, vm = stepper.evaluate(task.val_loader)
                    vsteps.append(i)
                    vloss.append(_r(vl))
                    vmetric.append(_r(vm))
            probes[str(k)] = {"loss": losses, "val_steps": vsteps, "val_loss": vloss, "val_metric": vmetric}
    finally:
        snap.restore(last=True)
        snap.close()
    out = {"task": name, "seed": seed, "budget": bench.budget, "probe_steps": steps, "sweep": sweep,
           "probes": probes, "seconds": {"sweep": round(t_sweep, 2), "all": round(time.perf_counter() - t0, 2)}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, separators=(",", ":")))
    os.replace(tmp, path)
    print(f"{name} s{seed}: sweep {len(sweep['lrs'])} steps to lr={res.lrs[-1]:.3g} ({res.stop_reason}), "
          f"{len(probes)} probes x {steps} steps, {time.perf_counter() - t0:.0f}s", flush=True)
    del np


def default_stop_lr(lrs, losses, smoothing: float = 0.98, diverge_factor: float = 4.0) -> float:
    """The LR at which a sweep with the default stop rule (``lrscope.runner``) would have stopped."""
    from lrscope.analysis.smoothing import DebiasedEMA
    from lrscope.runner import is_diverged

    ema, best, first = DebiasedEMA(smoothing), math.inf, None
    for lr, loss in zip(lrs, losses):
        if loss is None or not math.isfinite(loss):
            return float(lr)
        s = ema.update(float(loss))
        first = s if first is None else first
        best = min(best, s)
        if is_diverged(s, best, first, diverge_factor):
            return float(lr)
    return float(lrs[-1])


def load_evidence(name: str, seed: int) -> dict:
    return json.loads(evidence_path(name, seed).read_text())


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="*")
    p.add_argument("--jobs", type=int, default=1)
    args = p.parse_args(argv)
    from suite import SUITE

    jobs = [(n, s) for n in (args.tasks or list(SUITE)) for s in SEEDS]
    if args.jobs <= 1:
        for job in jobs:
            collect(*job)
        return
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(args.jobs, maxtasksperchild=4) as pool:
        list(pool.starmap(collect, jobs))


if __name__ == "__main__":
    main()
