"""Learning-rate schedules as pure, closed-form functions of the optimizer step (numpy only).

Every schedule is a frozen dataclass: ``lr = schedule(step)`` for an int or a numpy array
of steps (optimizer steps counted from 0). Schedules pickle, compare equal by value and
round-trip through JSON: ``schedule.to_dict()`` is ``{"kind": KIND, **constructor keyword
arguments}`` and :func:`from_spec` (or ``Schedule.from_dict``) rebuilds it.

>>> import numpy as np
>>> from lrscope.schedules import CyclicLR, from_spec
>>> s = CyclicLR(base_lr=1e-3, max_lr=6e-3, step_size=2000, window="hann")
>>> from_spec(s.to_dict()) == s
True
>>> s(np.array([0, 2000, 4000])).round(6).tolist()
[0.001, 0.006, 0.001]

The PyTorch adapter is :class:`lrscope.torch.ScheduleLR`.
"""

from ._base import KINDS, Schedule, from_spec
from ._cyclic import CyclicLR
from ._decay import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    LinearDecay,
    MultiStepDecay,
    PolynomialDecay,
    StepDecay,
)
from ._join import Join
from ._onecycle import OneCycle
from ._warmup import Warmup

__all__ = [
    "KINDS",
    "Constant",
    "CosineDecay",
    "CyclicLR",
    "ExponentialDecay",
    "Join",
    "LinearDecay",
    "MultiStepDecay",
    "OneCycle",
    "PolynomialDecay",
    "Schedule",
    "StepDecay",
    "Warmup",
    "from_spec",
]
