"""Debiased exponential moving average of a loss curve.

``avg_t = beta * avg_{t-1} + (1 - beta) * x_t`` with ``avg_0 = 0``, reported as
``avg_t / (1 - beta**t)`` (t counted from 1), the bias correction of Adam
(Kingma & Ba, 2015) that fastai's and torch-lr-finder's range tests use. A
constant input stays exactly that constant (up to rounding) from the first step.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v


class DebiasedEMA:
    """Online debiased EMA; ``update(x)`` returns the smoothed value so far.

    >>> ema = DebiasedEMA(0.9)
    >>> [round(ema.update(2.0), 12) for _ in range(3)]
    [2.0, 2.0, 2.0]
    """

    def __init__(self, beta: float):
        self.beta = v.fraction("smoothing", beta, low_open=False, high_open=True)
        self._avg = 0.0
        self._count = 0

    def update(self, value: float) -> float:
        self._count += 1
        self._avg = self.beta * self._avg + (1.0 - self.beta) * float(value)
        if self.beta == 0.0:
            return self._avg
        return self._avg / (1.0 - self.beta**self._count)


def debiased_ema(values, beta: float) -> np.ndarray:
    """Debiased EMA of a whole curve (the same numbers as feeding DebiasedEMA one by one).

    >>> debiased_ema([1.0, 1.0, 1.0], 0.98).round(12).tolist()
    [1.0, 1.0, 1.0]
    """
    ema = DebiasedEMA(beta)
    return np.array([ema.update(x) for x in np.asarray(values, dtype=float).ravel()], dtype=float)
