"""Cyclical learning rates (Smith 2017) with triangular, Welch and Hann windows."""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import choice, finite, greater, integer, positive
from ..errors import InvalidArgumentError
from ._base import Schedule

POLICIES = ("triangular", "triangular2", "exp_range")
WINDOWS = ("triangular", "welch", "hann")
SCALE_MODES = ("cycle", "iterations")
#: the largest step_size / step_size_down: 2**53 - 1, the largest step count a float64 holds exactly
#: (larger ones would also overflow the float arithmetic of the formula)
MAX_STEP_SIZE = 2**53 - 1


@dataclass(frozen=True)
class CyclicLR(Schedule):
    r"""Cyclical learning rate: the LR goes from ``base_lr`` up to ``max_lr`` and back, every cycle.

    With ``s_up = step_size`` and ``s_down = step_size_down or step_size`` (a cycle lasts
    ``s_up + s_down`` steps)::

        cycle = floor(1 + t / (s_up + s_down))                # 1, 2, 3, ...
        p     = t - (cycle - 1) * (s_up + s_down)             # steps into the cycle
        w     = p / s_up  if p <= s_up  else (s_up + s_down - p) / s_down   # in [0, 1]
        lr    = base_lr + (max_lr - base_lr) * window(w) * scale

    For ``s_down == s_up`` this is exactly the paper's rule ``x = |t/s - 2 cycle + 1|``,
    ``w = max(0, 1 - x)``. Windows: ``triangular`` ``window(w) = w``; ``welch`` (parabolic)
    ``window(w) = 1 - (1 - w)**2``; ``hann`` (sinusoidal) ``window(w) = (1 - cos(pi w)) / 2``.
    Each is 0 at the cycle ends, 1 in the middle and symmetric about the middle.
    Policies: ``triangular`` ``scale = 1``; ``triangular2`` ``scale = 1 / 2**(cycle - 1)``;
    ``exp_range`` ``scale = gamma**t``. A user ``scale_fn`` replaces the policy and is called
    with ``cycle`` (``scale_mode="cycle"``) or ``t`` (``scale_mode="iterations"``); like
    torch, ``scale_mode`` only matters with ``scale_fn``.

    Momentum moves opposite to the LR:
    ``momentum = max_momentum - (max_momentum - base_momentum) * window(w) * scale``
    (torch's ``CyclicLR`` with ``cycle_momentum=True``).

    Args:
        base_lr: lowest LR (at cycle ends), > 0.
        max_lr: highest LR (mid-cycle, before scaling), > base_lr.
        step_size: optimizer steps from base_lr up to max_lr (half a cycle), integer in
            [1, 2**53 - 1].
        step_size_down: optimizer steps from max_lr back down (same range); None means ``step_size``.
        policy: "triangular", "triangular2" or "exp_range".
        window: "triangular", "welch" or "hann".
        gamma: exp_range decay per step, in (0, 1].
        scale_fn: optional callable ``scale_fn(x) -> [0, 1]``; not JSON-serialisable. It is
            called when the schedule is evaluated, and a result that is not a finite number
            raises :class:`~lrscope.errors.InvalidArgumentError` naming ``scale_fn``.
        scale_mode: "cycle" or "iterations" (argument passed to ``scale_fn``).
        base_momentum: momentum at the LR peak, in [0, 1).
        max_momentum: momentum at the cycle ends, in [base_momentum, 1).

    Returns:
        Calling the schedule returns the LR at a step (float, or array for an array of steps).

    >>> s = CyclicLR(base_lr=0.001, max_lr=0.006, step_size=2000)
    >>> [round(s(t), 6) for t in (0, 1000, 2000, 3000, 4000)]
    [0.001, 0.0035, 0.006, 0.0035, 0.001]

    Reference: L. N. Smith, "Cyclical Learning Rates for Training Neural Networks",
    WACV 2017, arXiv:1506.01186; reference code github.com/bckenstler/CLR.
    """

    kind = "cyclic"
    has_momentum = True

    base_lr: float
    max_lr: float
    step_size: int
    step_size_down: int | None = None
    policy: str = "triangular"
    window: str = "triangular"
    gamma: float = 1.0
    scale_fn: Callable[[float], float] | None = None
    scale_mode: str = "cycle"
    base_momentum: float = 0.8
    max_momentum: float = 0.9

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "base_lr", positive("base_lr", self.base_lr))
        set_(self, "max_lr", positive("max_lr", self.max_lr))
        greater("max_lr", self.max_lr, "base_lr", self.base_lr)
        set_(self, "step_size", integer("step_size", self.step_size, minimum=1, maximum=MAX_STEP_SIZE))
        if self.step_size_down is not None:
            set_(self, "step_size_down", integer("step_size_down", self.step_size_down, minimum=1, maximum=MAX_STEP_SIZE))
        choice("policy", self.policy, POLICIES)
        choice("window", self.window, WINDOWS)
        gamma = positive("gamma", self.gamma)
        if gamma > 1:
            raise InvalidArgumentError("gamma", gamma, "must lie in (0, 1]",
                                       "use a per-step decay such as gamma=0.9999 (1.0 means no decay).")
        set_(self, "gamma", gamma)
        if self.scale_fn is not None and not callable(self.scale_fn):
            raise InvalidArgumentError("scale_fn", self.scale_fn, "must be callable or None",
                                       "pass a function x -> [0, 1], or use policy=.")
        choice("scale_mode", self.scale_mode, SCALE_MODES)
        _momentum_pair(self)

    # the spec cannot carry a Python callable
    @classmethod
    def _not_in_spec(cls) -> tuple[str, ...]:
        return ("scale_fn",)

    def to_dict(self) -> dict[str, Any]:
        if self.scale_fn is not None:
            raise InvalidArgumentError("scale_fn", self.scale_fn, "cannot be written to JSON",
                                       "use policy='triangular2' or 'exp_range', or keep the schedule as a Python object.")
        out = super().to_dict()
        out.pop("scale_fn")
        return out

    def _natural_length(self) -> int:
        return 2 * (self.step_size + (self.step_size_down or self.step_size))

    def _shape(self, t, xp):
        """(window value in [0, 1], scale) at step t."""
        up = self.step_size
        down = self.step_size_down or up
        total = up + down
        cycle = xp.floor(1 + t / total)
        p = t - (cycle - 1) * total
        w = xp.where(p <= up, p / up, (total - p) / down)
        if self.window == "welch":
            w = 1 - (1 - w) ** 2
        elif self.window == "hann":
            w = 0.5 * (1 - xp.cos(xp.pi * w))
        if self.scale_fn is not None:
            arg = cycle if self.scale_mode == "cycle" else t
            if xp is np:
                vals = np.asarray(arg).tolist()
                scale = np.array([self._scale(v) for v in vals], dtype=np.float64)
            else:
                scale = self._scale(arg)
        elif self.policy == "triangular":
            scale = 1.0
        elif self.policy == "triangular2":
            scale = 0.5 ** (cycle - 1)
        else:  # exp_range
            scale = self.gamma ** t
        return w, scale

    def _scale(self, x: float) -> float:
        """The user's ``scale_fn`` at x (the cycle number as an int, or the step), checked to be a finite number."""
        if self.scale_mode == "cycle":
            x = int(x)
        value = self.scale_fn(x)  # type: ignore[misc]
        number = math.nan
        if not isinstance(value, (bool, np.bool_, str, bytes)):
            try:
                number = float(value)  # a Python or numpy number, a 0-d array or tensor
            except (TypeError, ValueError, ArithmeticError, RuntimeError):
                pass
        if not math.isfinite(number):
            raise InvalidArgumentError(
                "scale_fn", f"scale_fn({x!r})={reprlib.repr(value)}", "must return a finite real number",
                "make scale_fn return a float (usually in [0, 1]) for every "
                + ("cycle number c >= 1." if self.scale_mode == "cycle" else "step t >= 0."))
        return number

    def _eval(self, t, xp):
        w, scale = self._shape(t, xp)
        return self.base_lr + (self.max_lr - self.base_lr) * w * scale

    def _eval_momentum(self, t, xp):
        w, scale = self._shape(t, xp)
        return self.max_momentum - (self.max_momentum - self.base_momentum) * w * scale


def _momentum_pair(obj) -> None:
    """Check base_momentum <= max_momentum, both in [0, 1)."""
    set_ = object.__setattr__
    for name in ("base_momentum", "max_momentum"):
        value = finite(name, getattr(obj, name))
        if not 0 <= value < 1:
            raise InvalidArgumentError(name, value, "must lie in [0, 1)", f"pass e.g. {name}=0.9.")
        set_(obj, name, value)
    if obj.base_momentum > obj.max_momentum:
        raise InvalidArgumentError(
            "max_momentum", f"max_momentum={obj.max_momentum!r}, base_momentum={obj.base_momentum!r}",
            "must be >= `base_momentum`", "momentum is highest where the LR is lowest; swap the two values.")
