"""Curve analysis (numpy only): the range-test result, smoothing, suggesters and verdicts.

>>> from lrscope.analysis import synthetic_result
>>> r = synthetic_result(lambda u: 2.0 - 0.5 * (u > -3) + 8.0 * (u > -1), start_lr=1e-6, end_lr=1.0, num_steps=60)
>>> sorted(r.suggestions)[:3]
['acc_plateau', 'acc_rise', 'loss_fall']
"""

from ._curve import SKIP_START_FRACTION, SMOOTH_FRACTION, TAIL_LIMIT, Curve, noise_level, prepare_curve, zero_lag_smooth
from ._result import Answer, RangeTestResult
from ._synthetic import synthetic_result
from .confidence import AGREEMENT, DEFAULT_RULES, DISAGREE_DECADES, Confidence
from .smoothing import DebiasedEMA, debiased_ema
from .suggesters import SUGGESTERS


def plot_range_test(result, ax=None, **kwargs):
    """Draw a range test (see ``lrscope.analysis._plot.plot_range_test``); returns the Figure."""
    from ._plot import plot_range_test as _plot

    return _plot(result, ax=ax, **kwargs)


__all__ = [
    "AGREEMENT",
    "Answer",
    "Confidence",
    "Curve",
    "DEFAULT_RULES",
    "DISAGREE_DECADES",
    "DebiasedEMA",
    "RangeTestResult",
    "SKIP_START_FRACTION",
    "SMOOTH_FRACTION",
    "SUGGESTERS",
    "TAIL_LIMIT",
    "debiased_ema",
    "noise_level",
    "plot_range_test",
    "prepare_curve",
    "synthetic_result",
    "zero_lag_smooth",
]
