"""The analysed curve: what every suggester and confidence check reads (numpy only).

A range test records ``n`` steps. Before any rule looks at them, ``prepare_curve``

1. cuts the record at the first non-finite loss (the runner stops there);
2. smooths the raw loss with a *zero-lag* filter: a debiased EMA run forward, then
   the same EMA run backward over the result. The time constant is
   ``SMOOTH_FRACTION * num_steps`` steps (``beta = 1 - 1/tau``; no smoothing when
   ``tau <= 1``). A causal EMA (what the runner records in ``result.smoothed`` for
   its stop rule) lags the curve by about ``beta/(1-beta)`` steps - 49 steps for
   beta=0.98, several decades of LR on a 100-step sweep - and every rule read
   from it would be biased towards larger LRs. A constant loss stays constant;
3. drops the first ``skip_start`` steps (default ``SKIP_START_FRACTION * num_steps``,
   at least 1 when the curve is long enough): the first mini-batches are noisy and
   the LR there is too small to matter;
4. trims the diverged tail: after the minimum of the smoothed loss, the first step
   whose smoothed loss has climbed back by ``TAIL_LIMIT`` of the fall
   (``s > s_min + TAIL_LIMIT * (s_0 - s_min)``; with TAIL_LIMIT=1 that is "back above
   the starting loss") and everything after it are dropped. The rule uses only
   differences, so it also works for negative losses.

The metric curve (validation metric when there is one, else the training metric)
gets the same smoothing (on its own number of points) and is cut at the same LR.

All thresholds are module constants so that other implementations (the explorer's
JavaScript) can reproduce the numbers exactly.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import _validate as v
from .smoothing import debiased_ema

#: time constant of the zero-lag smoother, as a fraction of the planned number of steps
SMOOTH_FRACTION = 0.025
#: steps skipped at the start, as a fraction of the planned number of steps (rounded up)
SKIP_START_FRACTION = 0.03
#: after the minimum, the tail is cut where the smoothed loss regains this fraction of its fall
TAIL_LIMIT = 1.0


@dataclasses.dataclass(frozen=True, eq=False)
class Curve:
    """The part of a range test the rules read.

    Attributes:
        lrs: (k,) LRs of the analysed steps (first parameter group).
        x: (k,) the abscissa slopes are taken against: ``log10(lrs)`` for an
            exponential sweep, ``lrs`` for a linear one.
        loss: (k,) zero-lag smoothed loss.
        raw: (k,) raw loss of the same steps.
        mode: "exp" or "linear".
        first: index in the result's arrays of the first analysed step.
        stop: index one past the last analysed step (``result.lrs[first:stop]``).
        finite_stop: number of leading steps with a finite loss.
        noise: robust estimate of the per-step noise of the raw loss (standard deviation).
        start_loss: smoothed loss at the first analysed step.
        min_loss: minimum of the smoothed loss (analysed part).
        max_loss: maximum of the smoothed loss over all finite steps after the skip
            (including the trimmed tail).
        metric_lrs, metric: (m,) the smoothed metric curve and its LRs, or None.
        metric_source: "val", "train" or None.
    """

    lrs: np.ndarray
    x: np.ndarray
    loss: np.ndarray
    raw: np.ndarray
    mode: str
    first: int
    stop: int
    finite_stop: int
    noise: float
    start_loss: float
    min_loss: float
    max_loss: float
    metric_lrs: np.ndarray | None = None
    metric: np.ndarray | None = None
    metric_source: str | None = None

    def __len__(self) -> int:
        return int(self.lrs.size)

    @property
    def drop(self) -> float:
        """How far the smoothed loss fell: ``start_loss - min_loss`` (>= 0)."""
        return max(0.0, self.start_loss - self.min_loss)


def zero_lag_smooth(values, tau: float) -> np.ndarray:
    """Forward-backward debiased EMA with time constant ``tau`` steps (no phase lag).

    ``beta = 1 - 1/tau``; ``f = ema(values)``, ``out = reverse(ema(reverse(f)))`` with the
    debiased EMA of ``lrscope.analysis.smoothing``. ``tau <= 1`` returns the values unchanged.

    Args:
        values: the curve, one value per step.
        tau: time constant in steps.

    Returns:
        The smoothed curve (same length).

    >>> zero_lag_smooth([2.0, 2.0, 2.0, 2.0], 3.0).round(12).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    values = np.asarray(values, dtype=float).ravel()
    if tau <= 1 or values.size < 2:
        return values.copy()
    beta = 1.0 - 1.0 / tau
    forward = debiased_ema(values, beta)
    return debiased_ema(forward[::-1], beta)[::-1].copy()


def noise_level(raw) -> float:
    """Robust per-step noise of a curve from its second differences.

    For white noise of standard deviation sigma, ``d2 = x[i+1] - 2 x[i] + x[i-1]`` has
    standard deviation ``sqrt(6) sigma``; the median absolute value gives
    ``sigma = 1.4826 * median(|d2|) / sqrt(6)``, which a smooth trend hardly moves.
    """
    raw = np.asarray(raw, dtype=float)
    if raw.size < 3:
        return 0.0
    d2 = raw[2:] - 2.0 * raw[1:-1] + raw[:-2]
    return float(1.4826 * np.median(np.abs(d2)) / math.sqrt(6.0))


def default_skip_start(num_steps: int) -> int:
    """``ceil(SKIP_START_FRACTION * num_steps)``: 3 steps of a 100-step sweep."""
    return int(math.ceil(SKIP_START_FRACTION * num_steps))


def prepare_curve(result, *, skip_start: int | None = None, smooth_fraction: float | None = SMOOTH_FRACTION,
                  tail_limit: float = TAIL_LIMIT) -> Curve:
    """Build the analysed curve of a RangeTestResult (see the module docstring).

    Args:
        result: a RangeTestResult.
        skip_start: steps to ignore at the start; None means ``ceil(0.03 * num_steps)``.
            It is reduced when the record is too short to keep at least 3 points.
        smooth_fraction: time constant of the zero-lag smoother as a fraction of
            ``num_steps``; None uses the runner's recorded causal EMA (``result.smoothed``).
        tail_limit: fraction of the fall the loss must regain after its minimum to be
            cut as diverged (> 0).

    Returns:
        A Curve.
    """
    tail_limit = v.positive("tail_limit", tail_limit)
    lrs_all = np.asarray(result.lrs, dtype=float)
    raw_all = np.asarray(result.losses, dtype=float)
    bad = ~np.isfinite(raw_all) | ~np.isfinite(lrs_all) | (lrs_all <= 0 if result.mode == "exp" else False)
    finite_stop = int(np.argmax(bad)) if bad.any() else int(raw_all.size)
    planned = max(int(result.num_steps), finite_stop, 1)
    if skip_start is None:
        skip = default_skip_start(planned)
    else:
        skip = v.integer("skip_start", skip_start, minimum=0)
    skip = max(0, min(skip, finite_stop - 3))

    if smooth_fraction is None:
        smooth_all = np.asarray(result.smoothed, dtype=float)[:finite_stop]
    else:
        smooth_fraction = v.positive("smooth_fraction", smooth_fraction, allow_zero=True)
        smooth_all = zero_lag_smooth(raw_all[:finite_stop], smooth_fraction * planned)

    body = smooth_all[skip:]
    stop = finite_stop
    if body.size:
        start_loss = float(body[0])
        i_min = int(np.argmin(body))
        min_loss = float(body[i_min])
        fall = start_loss - min_loss
        if fall > 0:
            above = np.nonzero(body[i_min:] > min_loss + tail_limit * fall)[0]
            if above.size:
                stop = skip + i_min + int(above[0])
        max_loss = float(body.max())
    else:
        start_loss = min_loss = max_loss = math.nan

    lrs = lrs_all[skip:stop]
    x = np.log10(lrs) if result.mode == "exp" else lrs.copy()
    loss = smooth_all[skip:stop]
    raw = raw_all[skip:stop]

    metric_lrs = metric = source = None
    if result.val_metric is not None and result.val_steps is not None and len(result.val_steps):
        steps = np.asarray(result.val_steps, dtype=int)
        vals = np.asarray(result.val_metric, dtype=float)
        keep = (steps >= skip) & (steps < stop) & (steps < lrs_all.size) & np.isfinite(vals)
        if keep.sum() >= 3:
            metric_lrs = lrs_all[steps[keep]]
            metric = zero_lag_smooth(vals[keep], (smooth_fraction or 0.0) * keep.sum())
            source = "val"
    if metric is None and result.metric is not None:
        vals = np.asarray(result.metric, dtype=float)[skip:stop]
        good = np.isfinite(vals)
        if good.sum() >= 3:
            metric_lrs = lrs[good]
            if smooth_fraction is None:
                metric = debiased_ema(vals[good], result.smoothing) if result.smoothing > 0 else vals[good]
            else:
                metric = zero_lag_smooth(vals[good], smooth_fraction * planned)
            source = "train"

    return Curve(
        lrs=lrs, x=x, loss=loss, raw=raw, mode=result.mode, first=skip, stop=stop, finite_stop=finite_stop,
        noise=noise_level(raw_all[skip:finite_stop]), start_loss=start_loss, min_loss=min_loss,
        max_loss=max_loss, metric_lrs=metric_lrs, metric=metric, metric_source=source,
    )
