"""Synthetic range-test records with known answers (for tests, docs and golden files)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import _validate as v
from ..errors import InvalidArgumentError
from ._result import RangeTestResult
from .smoothing import debiased_ema


def synthetic_result(loss: Callable[[np.ndarray], np.ndarray], *, start_lr: float = 1e-7, end_lr: float = 10.0,
                     num_steps: int = 100, mode: str = "exp", noise: float = 0.0, seed: int = 0,
                     metric: Callable[[np.ndarray], np.ndarray] | None = None, metric_noise: float = 0.0,
                     stop_above: float | None = None, smoothing: float = 0.98,
                     iterations_per_epoch: int | None = None, task_name: str | None = "synthetic") -> RangeTestResult:
    """A RangeTestResult whose loss is a known function of the LR.

    The sweep is ``lr_i = start_lr * (end_lr/start_lr)**(i/(num_steps-1))`` (exp) or
    evenly spaced (linear); ``loss_i = loss(u_i) + noise * N(0, 1)`` with
    ``u = log10(lr)`` on an exp sweep and ``u = lr`` on a linear one.

    Args:
        loss: the noise-free loss as a function of u (vectorised).
        start_lr, end_lr: ends of the sweep.
        num_steps: planned steps.
        mode: "exp" or "linear".
        noise: standard deviation of Gaussian noise added to every loss value.
        seed: seed of the noise.
        metric: optional metric (higher is better) as a function of u; ``metric_noise`` likewise.
        stop_above: when given, the sweep "diverges" at the first lr above it: those
            steps are dropped and ``stop_reason="diverged"``. A non-finite loss value
            stops the sweep too (``"non-finite"``, that step kept).
        smoothing: beta of the recorded causal EMA.
        iterations_per_epoch: recorded epoch length.
        task_name: label.

    Returns:
        A RangeTestResult.

    >>> r = synthetic_result(lambda u: (u + 2.0) ** 2, start_lr=1e-4, end_lr=1.0, num_steps=41)
    >>> round(float(r.lrs[np.argmin(r.losses)]), 6)
    0.01
    """
    start_lr = v.positive("start_lr", start_lr)
    end_lr = v.positive("end_lr", end_lr)
    v.greater("end_lr", end_lr, "start_lr", start_lr)
    num_steps = v.integer("num_steps", num_steps, minimum=3)
    v.choice("mode", mode, ("exp", "linear"))
    noise = v.positive("noise", noise, allow_zero=True)
    frac = np.arange(num_steps) / (num_steps - 1)
    if mode == "exp":
        lrs = start_lr * (end_lr / start_lr) ** frac
        lrs[-1] = end_lr
        u = np.log10(lrs)
    else:
        lrs = start_lr + (end_lr - start_lr) * frac
        u = lrs
    rng = np.random.default_rng(seed)
    losses = np.asarray(loss(u), dtype=float) + noise * rng.standard_normal(num_steps)
    met = None
    if metric is not None:
        met = np.asarray(metric(u), dtype=float) + metric_noise * rng.standard_normal(num_steps)
    if losses.shape != (num_steps,):
        raise InvalidArgumentError("loss", losses.shape, "must return one value per step", "vectorise it over u.")
    stop_reason, message, n = "completed", "reached end_lr", num_steps
    if stop_above is not None:
        over = np.nonzero(lrs > stop_above)[0]
        if over.size:
            n = int(over[0])
            stop_reason, message = "diverged", f"stopped above lr={stop_above:.3g}"
    bad = np.nonzero(~np.isfinite(losses[:n]))[0]
    if bad.size:
        n = int(bad[0]) + 1
        stop_reason, message = "non-finite", f"loss was {losses[n - 1]} at lr={lrs[n - 1]:.3g}"
    smoothed = np.full(n, np.nan)
    k = n - 1 if stop_reason == "non-finite" else n
    if k:
        smoothed[:k] = debiased_ema(losses[:k], smoothing) if smoothing > 0 else losses[:k]
    return RangeTestResult(
        lrs=lrs[:n], losses=losses[:n], smoothed=smoothed, group_lrs=lrs[:n, None], mode=mode,
        start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, stop_reason=stop_reason, stop_message=message,
        smoothing=smoothing, diverge_factor=4.0, metric=None if met is None else met[:n],
        metric_name=None if met is None else "accuracy", iterations_per_epoch=iterations_per_epoch,
        task_name=task_name,
    )
