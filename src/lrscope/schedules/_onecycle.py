"""The one-cycle policy (Smith & Topin 2019), step for step as torch's OneCycleLR."""

from __future__ import annotations

from dataclasses import dataclass

from .._validate import choice, finite, fraction, integer, positive
from ..errors import InvalidArgumentError
from ._base import Schedule
from ._cyclic import _momentum_pair

ANNEALS = ("cos", "linear")


@dataclass(frozen=True)
class OneCycle(Schedule):
    r"""One cycle: warm up to ``max_lr``, then anneal far below the start, over ``total_steps``.

    With ``initial_lr = max_lr / div_factor``, ``min_lr = initial_lr / final_div_factor``,
    ``T = total_steps`` and phase ends (in steps, as in torch)
    ``e1 = pct_start*T - 1``, ``e2 = T - 1`` (two phases) or
    ``e1 = pct_start*T - 1``, ``e2 = 2*pct_start*T - 2``, ``e3 = T - 1`` (three phases)::

        phase 1 (t <= e1): initial_lr -> max_lr
        phase 2          : max_lr -> min_lr            (three_phase: max_lr -> initial_lr)
        phase 3          :                              initial_lr -> min_lr
        within a phase from step a to b: pct = (t - a) / (b - a)
        cos:    lr = end + (start - end) / 2 * (cos(pi * pct) + 1)
        linear: lr = (end - start) * pct + start

    Momentum runs the other way: ``max_momentum -> base_momentum`` in phase 1, back to
    ``max_momentum`` in phase 2 (and stays there in phase 3).
    Past ``T - 1`` the schedule holds the final LR ``min_lr`` (torch's OneCycleLR raises instead).

    Args:
        max_lr: peak LR, > 0.
        total_steps: optimizer steps in the cycle, integer >= 2.
        pct_start: fraction of ``total_steps`` spent rising, in (0, 1).
        div_factor: ``initial_lr = max_lr / div_factor``, > 1.
        final_div_factor: ``min_lr = initial_lr / final_div_factor``, >= 1.
        three_phase: add a symmetric descent back to ``initial_lr`` before the final anneal.
        anneal: "cos" or "linear".
        base_momentum: momentum at the LR peak, in [0, 1).
        max_momentum: momentum at the start and end, in [base_momentum, 1).

    Returns:
        Calling the schedule returns the LR at a step (float, or array for an array of steps).

    >>> s = OneCycle(max_lr=0.1, total_steps=100)
    >>> round(s(0), 6), round(s(29), 6), s(99) == s(500) == 0.1 / 25 / 1e4
    (0.004, 0.1, True)

    Reference: L. N. Smith and N. Topin, "Super-Convergence: Very Fast Training of Neural
    Networks Using Large Learning Rates", arXiv:1708.07120; L. N. Smith, arXiv:1803.09820.
    """

    kind = "one_cycle"
    has_momentum = True

    max_lr: float
    total_steps: int
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    anneal: str = "cos"
    base_momentum: float = 0.85
    max_momentum: float = 0.95

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "max_lr", positive("max_lr", self.max_lr))
        set_(self, "total_steps", integer("total_steps", self.total_steps, minimum=2))
        set_(self, "pct_start", fraction("pct_start", self.pct_start))
        div = finite("div_factor", self.div_factor)
        if not div > 1:
            raise InvalidArgumentError("div_factor", div, "must be > 1",
                                       "the cycle starts at max_lr / div_factor; the usual value is 25.")
        set_(self, "div_factor", div)
        fdiv = finite("final_div_factor", self.final_div_factor)
        if not fdiv >= 1:
            raise InvalidArgumentError("final_div_factor", fdiv, "must be >= 1",
                                       "the cycle ends at max_lr / div_factor / final_div_factor; the usual value is 1e4.")
        set_(self, "final_div_factor", fdiv)
        if not isinstance(self.three_phase, bool):
            raise InvalidArgumentError("three_phase", self.three_phase, "must be True or False", "pass a bool.")
        choice("anneal", self.anneal, ANNEALS)
        _momentum_pair(self)
        ends = self._ends()
        starts = (0.0,) + ends[:-1]
        for i, (a, b) in enumerate(zip(starts, ends)):
            if not b > a:
                raise InvalidArgumentError(
                    "pct_start", f"pct_start={self.pct_start!r}, total_steps={self.total_steps!r}",
                    f"leaves phase {i + 1} of the cycle without steps",
                    "use more total_steps or a pct_start nearer the middle "
                    + ("(three_phase needs pct_start*total_steps > 1 and pct_start < 0.5)."
                       if self.three_phase else "(pct_start*total_steps must be > 1)."))

    def _ends(self) -> tuple[float, ...]:
        T = self.total_steps
        if self.three_phase:
            return (float(self.pct_start * T) - 1, float(2 * self.pct_start * T) - 2, T - 1)
        return (float(self.pct_start * T) - 1, T - 1)

    def _natural_length(self) -> int:
        return self.total_steps

    def _anneal(self, start, end, pct, xp):
        if self.anneal == "cos":
            return end + (start - end) / 2.0 * (xp.cos(xp.pi * pct) + 1)
        return (end - start) * pct + start

    def _piecewise(self, t, xp, values):
        """values: one (start, end) pair per phase; returns the annealed value at t."""
        t = xp.minimum(t, self.total_steps - 1)
        ends = self._ends()
        out = None
        for i in range(len(ends) - 1, -1, -1):
            a = 0.0 if i == 0 else ends[i - 1]
            b = ends[i]
            val = self._anneal(values[i][0], values[i][1], (t - a) / (b - a), xp)
            out = val if out is None else xp.where(t <= b, val, out)
        return out

    def _eval(self, t, xp):
        initial = self.max_lr / self.div_factor
        low = initial / self.final_div_factor
        if self.three_phase:
            phases = ((initial, self.max_lr), (self.max_lr, initial), (initial, low))
        else:
            phases = ((initial, self.max_lr), (self.max_lr, low))
        return self._piecewise(t, xp, phases)

    def _eval_momentum(self, t, xp):
        lo, hi = self.base_momentum, self.max_momentum
        phases = ((hi, lo), (lo, hi), (hi, hi)) if self.three_phase else ((hi, lo), (lo, hi))
        return self._piecewise(t, xp, phases)
