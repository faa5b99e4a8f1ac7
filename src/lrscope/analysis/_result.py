"""RangeTestResult: the plain record of one LR range test (numpy only).

The runner (lrscope.runner / adapters.torch_range_test) fills the fields;
everything derived (suggestions, confidence, schedule specs, plots, JSON) is
computed from them.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(eq=False)
class RangeTestResult:
    """What one range-test sweep recorded.

    Args:
        lrs: (n,) LR of the first parameter group at each step taken.
        losses: (n,) raw training loss of each step.
        smoothed: (n,) debiased exponential moving average of ``losses``.
        group_lrs: (n, groups) LR of every parameter group at each step.
        mode: "exp" (geometric sweep) or "linear".
        start_lr, end_lr: the planned ends of the sweep (first group's LR).
        num_steps: the planned number of steps (n <= num_steps when stopped early).
        stop_reason: "completed", "diverged" or "non-finite".
        stop_message: the reason in words, e.g. "smoothed loss 4.1x above its best at lr=3.2".
        smoothing: the EMA factor used (0 means no smoothing).
        diverge_factor: the divergence threshold used.
        metric: (n,) optional per-step training metric (higher is better), else None.
        metric_name: its label, e.g. "accuracy".
        val_steps: (m,) step indices at which validation ran, else None.
        val_losses: (m,) validation loss at those steps, else None.
        val_metric: (m,) validation metric at those steps, else None.
        iterations_per_epoch: batches per epoch of the train loader, if known.
        repeats: the individual sweeps when the test was repeated (repeats > 1).
        task_name: a label for reports.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    group_lrs: np.ndarray
    mode: str
    start_lr: float
    end_lr: float
    num_steps: int
    stop_reason: str
    stop_message: str
    smoothing: float
    diverge_factor: float
    metric: np.ndarray | None = None
    metric_name: str | None = None
    val_steps: np.ndarray | None = None
    val_losses: np.ndarray | None = None
    val_metric: np.ndarray | None = None
    iterations_per_epoch: int | None = None
    repeats: tuple["RangeTestResult", ...] = ()
    task_name: str | None = None
