"""Warmup that wraps any schedule (linear or exp, i.e. geometric), and the 'untuned' rule for Adam."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._validate import choice, finite, fraction, integer
from ..errors import InvalidArgumentError
from ._base import Schedule, _from_spec, renamed_value

MODES = ("linear", "exp")
#: old spellings of a mode, accepted with a DeprecationWarning
MODE_ALIASES = {"exponential": "exp"}


@dataclass(frozen=True)
class Warmup(Schedule):
    r"""Warm up to a schedule's first LR over ``warmup_steps``, then run the schedule.

    With ``W = warmup_steps``, ``f0 = start_factor`` and ``target = schedule(0)``::

        t <  W, linear:      lr = target * (f0 + (1 - f0) * t / W)
        t <  W, exp:         lr = target * f0 ** (1 - t / W)
        t >= W:              lr = schedule(t - W)

    The wrapped schedule starts after the warmup, so there is no jump at the seam
    (``lr(W) = schedule(0) = target``). A wrapped momentum rule holds its step-0 value
    during the warmup.

    Args:
        schedule: the schedule to run after the warmup (any Schedule).
        warmup_steps: optimizer steps ``W`` of warmup, integer >= 1.
        start_factor: LR at step 0 as a fraction of ``target``, in [0, 1)
            ("exp" needs it > 0).
        mode: "linear" or "exp" (geometric; the same word as the range test's sweep mode;
            the old spelling "exponential" is accepted with a DeprecationWarning).

    Returns:
        Calling the schedule returns the LR at a step.

    >>> from lrscope.schedules import Constant
    >>> s = Warmup(Constant(0.1), warmup_steps=10)
    >>> round(s(0), 6), round(s(5), 6), s(10), s(99)
    (0.0, 0.05, 0.1, 0.1)

    Reference: P. Goyal et al., "Accurate, Large Minibatch SGD", arXiv:1706.02677 (linear
    warmup); J. Ma and D. Yarats, "On the adequacy of untuned warmup for adaptive
    optimization", AAAI 2021, arXiv:1910.04209 (``Warmup.untuned``).
    """

    kind = "warmup"

    schedule: Schedule
    warmup_steps: int
    start_factor: float = 0.0
    mode: str = "linear"

    def __post_init__(self):
        if not isinstance(self.schedule, Schedule):
            raise InvalidArgumentError("schedule", self.schedule, "must be a Schedule",
                                       "wrap e.g. CosineDecay(...); a dict goes through lrscope.schedules.from_spec.")
        object.__setattr__(self, "warmup_steps", integer("warmup_steps", self.warmup_steps, minimum=1))
        object.__setattr__(self, "mode", renamed_value("Warmup", "mode", self.mode, MODE_ALIASES))
        choice("mode", self.mode, MODES)
        f0 = finite("start_factor", self.start_factor)
        if self.mode == "exp":
            if not 0 < f0 < 1:
                raise InvalidArgumentError("start_factor", f0, "must lie in (0, 1) for mode='exp'",
                                           "a geometric ramp cannot start at 0; use e.g. start_factor=0.01.")
        elif not 0 <= f0 < 1:
            raise InvalidArgumentError("start_factor", f0, "must lie in [0, 1)", "use e.g. start_factor=0.0.")
        object.__setattr__(self, "start_factor", f0)

    @classmethod
    def untuned(cls, schedule: Schedule, beta2: float = 0.999) -> Warmup:
        """The untuned linear warmup for Adam-family optimizers: over ``round(2 / (1 - beta2))`` steps.

        Args:
            schedule: the schedule to run after the warmup.
            beta2: Adam's second-moment decay, in (0, 1) (0.999 gives 2000 steps).

        Returns:
            ``Warmup(schedule, round(2 / (1 - beta2)), start_factor=0.0, mode="linear")``.

        >>> from lrscope.schedules import Constant
        >>> Warmup.untuned(Constant(1e-3)).warmup_steps
        2000

        Reference: Ma and Yarats, arXiv:1910.04209.
        """
        beta2 = fraction("beta2", beta2)
        return cls(schedule, max(1, round(2.0 / (1.0 - beta2))), start_factor=0.0, mode="linear")

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> Schedule:
        fields = dict(fields)
        if "schedule" in fields:
            fields["schedule"] = _from_spec(fields["schedule"], "schedule")  # same checks as the outer spec
        return cls(**fields)

    @property
    def has_momentum(self) -> bool:  # type: ignore[override]
        return self.schedule.has_momentum

    def _natural_length(self) -> int:
        return self.warmup_steps + self.schedule._natural_length()

    def _ramp(self, t, xp):
        frac = xp.minimum(t, self.warmup_steps) / self.warmup_steps
        if self.mode == "linear":
            return self.start_factor + (1 - self.start_factor) * frac
        return self.start_factor ** (1 - frac)

    def _eval(self, t, xp):
        W = self.warmup_steps
        target = self.schedule._eval(0.0, _scalar())
        after = self.schedule._eval(xp.maximum(t - W, 0.0), xp)
        return xp.where(t < W, target * self._ramp(t, xp), after)

    def _eval_momentum(self, t, xp):
        return self.schedule._eval_momentum(xp.maximum(t - self.warmup_steps, 0.0), xp)


def _scalar():
    from ._base import _ScalarOps

    return _ScalarOps
