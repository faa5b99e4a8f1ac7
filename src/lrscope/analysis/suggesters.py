"""Suggesters: plain functions ``rule(curve: Curve) -> float | None``, registered by name.

Every rule reads the analysed curve of ``lrscope.analysis.prepare_curve`` (zero-lag
smoothed loss, first steps skipped, diverged tail trimmed) and returns one learning
rate, or None when the curve cannot answer (no metric, no fall, no rise). Rules are
short and deterministic; their thresholds are the module constants below, so the
explorer's JavaScript can reproduce them exactly.

=============  ==================================================================
name           rule
=============  ==================================================================
steepest       LR of the most negative slope d loss / d log10(lr) (d loss / d lr on a
               linear sweep), central differences (``numpy.gradient`` with the
               abscissa). Slopes against the step index are wrong on a log sweep
               (Lightning issue #14248). None if the loss never decreases.
valley         fastai's idea: the longest strictly decreasing subsequence of the
               smoothed loss spans a "valley" [a, b]; answer the LR at index
               ``a + floor(VALLEY_FRACTION * (b - a))``.
min_div10      LR at the minimum of the smoothed loss, divided by 10.
loss_fall      base_lr (Smith 2017): first LR where the smoothed loss has fallen by
               ``LOSS_FALL_FRACTION`` of its total fall ``s_0 - s_min``.
loss_rise      max_lr: first LR after the minimum where the smoothed loss has risen
               by ``LOSS_RISE_FRACTION`` of the fall above ``s_min``. None if it never does.
loss_rise_div3 ``loss_rise / RISE_DIVISOR``: a safe distance below the point where the
               loss turns up; the curve-only default for a constant LR and for the
               one-cycle peak (``find_lr(confirm=False)``).
acc_rise       base_lr on the metric (validation metric when recorded): the LR from
               which the metric stays at or above ``m_0 + ACC_RISE_FRACTION (m_max - m_0)``
               up to its maximum (noise spikes on the plateau before the rise do not count).
acc_plateau    max_lr on the metric: likewise with ``ACC_PLATEAU_FRACTION`` of the total
               rise (it flattens there).
=============  ==================================================================

References: L. N. Smith, "Cyclical Learning Rates for Training Neural Networks",
WACV 2017 (the range test, base_lr/max_lr); fastai's ``lr_find`` suggestion methods
(valley, minimum/10, steep), written here from their published description.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._curve import Curve

#: valley: position of the answer inside the longest descending run (0 = its start, 1 = its end)
VALLEY_FRACTION = 2.0 / 3.0
#: loss_fall: fraction of the total fall after which the loss "has started to fall"
LOSS_FALL_FRACTION = 0.10
#: loss_rise: rise above the minimum, as a fraction of the total fall, that counts as rising
LOSS_RISE_FRACTION = 0.05
#: acc_rise: fraction of the metric's total rise after which it "has started to rise"
ACC_RISE_FRACTION = 0.10
#: acc_plateau: fraction of the metric's total rise at which it is taken as flat
ACC_PLATEAU_FRACTION = 0.90
#: loss_rise_div3: how far below the rise point the safe LR sits (a factor)
RISE_DIVISOR = 3.0
#: fewest analysed points a rule needs
MIN_POINTS = 3

Suggester = Callable[[Curve], "float | None"]


def _ok(curve: Curve) -> bool:
    return len(curve) >= MIN_POINTS


def steepest(curve: Curve) -> float | None:
    """LR of the steepest descent of the smoothed loss.

    ``g = gradient(loss, x)`` with ``x = log10(lr)`` (exp sweep) or ``x = lr`` (linear
    sweep), central differences inside, one-sided at the ends; answer ``lr[argmin g]``
    when ``min g < 0``, else None.

    >>> from lrscope.analysis import synthetic_result
    >>> r = synthetic_result(lambda u: -u, start_lr=1e-3, end_lr=1.0, num_steps=31)
    >>> steepest(r.curve()) is not None
    True
    """
    if not _ok(curve):
        return None
    g = np.gradient(curve.loss, curve.x)
    i = int(np.argmin(g))
    return float(curve.lrs[i]) if g[i] < 0 else None


def _longest_descent(loss: np.ndarray) -> tuple[int, int]:
    """First and last index of the longest strictly decreasing subsequence.

    ``length[i]`` = longest strictly decreasing subsequence ending at i; its start is
    inherited from the predecessor j < i (loss[j] > loss[i]) of greatest length, the
    smallest such j on ties. The end is the first i of greatest length.
    """
    n = loss.size
    length = np.ones(n, dtype=int)
    start = np.arange(n)
    for i in range(1, n):
        higher = np.nonzero(loss[:i] > loss[i])[0]
        if higher.size:
            best = int(length[higher].max())
            j = int(higher[np.argmax(length[higher] == best)])
            length[i] = best + 1
            start[i] = start[j]
    end = int(np.argmax(length))
    return int(start[end]), end


def valley(curve: Curve) -> float | None:
    """LR ``VALLEY_FRACTION`` of the way into the longest descending valley.

    The valley [a, b] is the span of the longest strictly decreasing subsequence of
    the smoothed loss; answer ``lr[a + floor(VALLEY_FRACTION * (b - a))]``. None if the
    loss never decreases.
    """
    if not _ok(curve):
        return None
    a, b = _longest_descent(curve.loss)
    if b == a:
        return None
    return float(curve.lrs[a + int(np.floor(VALLEY_FRACTION * (b - a)))])


def min_div10(curve: Curve) -> float | None:
    """LR at the minimum of the smoothed loss, divided by 10 (None if the minimum is the first point)."""
    if not _ok(curve):
        return None
    i = int(np.argmin(curve.loss))
    return float(curve.lrs[i]) / 10.0 if i > 0 else None


def loss_fall(curve: Curve) -> float | None:
    """base_lr: first LR where ``loss <= s_0 - LOSS_FALL_FRACTION * (s_0 - s_min)``.

    None if the loss never falls (``s_min >= s_0``).
    """
    if not _ok(curve) or not curve.drop > 0:
        return None
    level = curve.start_loss - LOSS_FALL_FRACTION * curve.drop
    i = int(np.argmax(curve.loss <= level))
    return float(curve.lrs[i])


def loss_rise(curve: Curve) -> float | None:
    """max_lr: first LR after the minimum where ``loss > s_min + LOSS_RISE_FRACTION * (s_0 - s_min)``.

    None if the loss never falls, or never rises that far before the sweep ends.
    """
    if not _ok(curve) or not curve.drop > 0:
        return None
    i_min = int(np.argmin(curve.loss))
    above = np.nonzero(curve.loss[i_min:] > curve.min_loss + LOSS_RISE_FRACTION * curve.drop)[0]
    return float(curve.lrs[i_min + int(above[0])]) if above.size else None


def loss_rise_div3(curve: Curve) -> float | None:
    """A safe LR: ``loss_rise(curve) / RISE_DIVISOR`` (None when loss_rise is None).

    It had the lowest regret of the curve rules on the six tasks it was chosen on; on the
    generalisation benchmark's 21 tasks no curve rule comes close to the confirmation runs
    (docs/benchmarks/generalization.md).
    """
    rise = loss_rise(curve)
    return None if rise is None else rise / RISE_DIVISOR


def _metric_level(curve: Curve, fraction: float) -> float | None:
    if curve.metric is None or curve.metric.size < MIN_POINTS:
        return None
    m0 = float(curve.metric[0])
    rise = float(curve.metric.max()) - m0
    if not rise > 0:
        return None
    i_max = int(np.argmax(curve.metric))
    below = np.nonzero(curve.metric[: i_max + 1] < m0 + fraction * rise)[0]
    i = int(below[-1]) + 1 if below.size else 0   # from here on it stays above the level up to the maximum
    return float(curve.metric_lrs[i])


def acc_rise(curve: Curve) -> float | None:
    """base_lr: the LR from which the metric stays >= ``m_0 + ACC_RISE_FRACTION * (m_max - m_0)`` up to its maximum.

    That is one past the last point before the maximum that is below the level (the
    first point when none is).

    The metric is the smoothed validation metric when the test recorded one, else the
    training metric (higher is better). None without a metric or when it never rises.
    """
    return _metric_level(curve, ACC_RISE_FRACTION)


def acc_plateau(curve: Curve) -> float | None:
    """max_lr: the LR from which the metric stays >= ``m_0 + ACC_PLATEAU_FRACTION * (m_max - m_0)`` up to its maximum.

    Past that point the metric gains little: it has flattened (Smith's "max_lr where the
    accuracy slows, becomes ragged or starts to fall"). None without a rising metric.
    """
    return _metric_level(curve, ACC_PLATEAU_FRACTION)


#: every suggester by name; all share the signature ``rule(curve) -> float | None``
SUGGESTERS: dict[str, Suggester] = {
    "steepest": steepest,
    "valley": valley,
    "min_div10": min_div10,
    "loss_fall": loss_fall,
    "loss_rise": loss_rise,
    "loss_rise_div3": loss_rise_div3,
    "acc_rise": acc_rise,
    "acc_plateau": acc_plateau,
}
