"""Join schedules at step boundaries (each later schedule counts steps from its boundary)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import integer
from ..errors import InvalidArgumentError
from ._base import Schedule, _from_spec


@dataclass(frozen=True)
class Join(Schedule):
    r"""Run ``schedules[0]`` until ``boundaries[0]``, then ``schedules[1]``, and so on.

    With boundaries ``b_1 < b_2 < ...`` (and ``b_0 = 0``), for ``b_i <= t < b_{i+1}``::

        lr(t) = schedules[i](t - b_i)

    Args:
        schedules: two or more schedules.
        boundaries: ``len(schedules) - 1`` strictly increasing optimizer steps (integers >= 1).

    Returns:
        Calling the schedule returns the LR at a step.

    >>> from lrscope.schedules import Constant, LinearDecay
    >>> s = Join([Constant(0.1), LinearDecay(0.1, 10)], boundaries=[5])
    >>> s(4), s(5), round(s(10), 6)
    (0.1, 0.1, 0.05)

    Reference: the same composition as optax's ``join_schedules``.
    """

    kind = "join"

    schedules: tuple[Schedule, ...]
    boundaries: tuple[int, ...]

    def __post_init__(self):
        scheds = self.schedules
        if isinstance(scheds, (str, bytes, dict)) or not hasattr(scheds, "__iter__"):
            raise InvalidArgumentError("schedules", scheds, "must be a list of schedules", "e.g. [Constant(0.1), CosineDecay(0.1, 1000)].")
        scheds = tuple(scheds)
        if len(scheds) < 2:
            raise InvalidArgumentError("schedules", len(scheds), "must hold at least two schedules",
                                       "use the schedule itself when there is only one.")
        for i, s in enumerate(scheds):
            if not isinstance(s, Schedule):
                raise InvalidArgumentError(f"schedules[{i}]", s, "must be a Schedule", "build it from lrscope.schedules.")
        bounds = self.boundaries
        if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__iter__"):
            raise InvalidArgumentError("boundaries", bounds, "must be a list of steps", "e.g. boundaries=[1000].")
        bounds = tuple(integer("boundaries", b, minimum=1) for b in bounds)
        if len(bounds) != len(scheds) - 1:
            raise InvalidArgumentError("boundaries", list(bounds), f"must hold len(schedules) - 1 = {len(scheds) - 1} steps",
                                       "give one boundary between each pair of schedules.")
        if any(b <= a for a, b in zip(bounds, bounds[1:])):
            raise InvalidArgumentError("boundaries", list(bounds), "must be strictly increasing", "sort them, without repeats.")
        object.__setattr__(self, "schedules", scheds)
        object.__setattr__(self, "boundaries", bounds)

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> Schedule:
        fields = dict(fields)
        if isinstance(fields.get("schedules"), (list, tuple)):
            # same checks as the outer spec, each named by its place
            fields["schedules"] = [_from_spec(s, f"schedules[{i}]") for i, s in enumerate(fields["schedules"])]
        return cls(**fields)

    @property
    def has_momentum(self) -> bool:  # type: ignore[override]
        return all(s.has_momentum for s in self.schedules)

    def _natural_length(self) -> int:
        return self.boundaries[-1] + self.schedules[-1]._natural_length()

    def _pieces(self, t, xp, method: str):
        offsets = (0,) + self.boundaries
        if xp is not np:
            i = xp.searchsorted(self.boundaries, t, side="right")
            return getattr(self.schedules[i], method)(t - offsets[i], xp)
        idx = np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), t, side="right")
        out = np.empty(np.shape(t), dtype=np.float64)
        for i, sched in enumerate(self.schedules):
            mask = idx == i
            if np.any(mask):
                sub = t[mask] - offsets[i]
                out[mask] = np.broadcast_to(getattr(sched, method)(sub, np), sub.shape)
        return out

    def _eval(self, t, xp):
        return self._pieces(t, xp, "_eval")

    def _eval_momentum(self, t, xp):
        return self._pieces(t, xp, "_eval_momentum")
