"""Monotone schedules: constant, linear, cosine, exponential, step, multistep, polynomial."""

from __future__ import annotations

from dataclasses import dataclass

from .._validate import integer, positive
from ..errors import InvalidArgumentError
from ._base import Schedule, renamed


def _gamma(value: object) -> float:
    gamma = positive("gamma", value)
    if gamma > 1:
        raise InvalidArgumentError("gamma", gamma, "must lie in (0, 1]", "a decay multiplies the LR by gamma <= 1.")
    return gamma


def _floor_lr(name: str, value: object, lr: float) -> float:
    """min_lr (the final LR of a decay): finite, >= 0 and <= lr."""
    value = positive(name, value, allow_zero=True)
    if value > lr:
        raise InvalidArgumentError(name, f"{name}={value!r}, lr={lr!r}", "must be <= `lr`",
                                   f"a decay ends below where it starts; lower `{name}` or raise `lr`.")
    return value


@dataclass(frozen=True)
class Constant(Schedule):
    """A constant learning rate: ``lr(t) = lr``.

    Args:
        lr: the learning rate, > 0.

    Returns:
        Calling the schedule returns ``lr`` at every step.

    >>> Constant(0.1)(12345)
    0.1
    """

    kind = "constant"

    lr: float

    def __post_init__(self):
        object.__setattr__(self, "lr", positive("lr", self.lr))

    def _eval(self, t, xp):
        return self.lr


@renamed(end_lr="min_lr")
@dataclass(frozen=True)
class LinearDecay(Schedule):
    """Linear decay: ``lr(t) = lr + (min_lr - lr) * min(t, T) / T``, then holds ``min_lr``.

    Args:
        lr: LR at step 0, > 0.
        total_steps: optimizer steps ``T`` to reach ``min_lr``, integer >= 1.
        min_lr: final LR, in [0, lr] (formerly ``end_lr``, still accepted with a
            DeprecationWarning: ``end_lr`` is the range test's last LR).

    Returns:
        Calling the schedule returns the LR at a step.

    >>> LinearDecay(1.0, 10)(5)
    0.5
    """

    kind = "linear"

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", positive("lr", self.lr))
        object.__setattr__(self, "total_steps", integer("total_steps", self.total_steps, minimum=1))
        object.__setattr__(self, "min_lr", _floor_lr("min_lr", self.min_lr, self.lr))

    def _natural_length(self) -> int:
        return self.total_steps + 1

    def _eval(self, t, xp):
        return self.lr + (self.min_lr - self.lr) * (xp.minimum(t, self.total_steps) / self.total_steps)


@dataclass(frozen=True)
class CosineDecay(Schedule):
    """Cosine decay with a floor (SGDR without restarts), then holds ``min_lr``.

    ``lr(t) = min_lr + (lr - min_lr) * (1 + cos(pi * min(t, T) / T)) / 2``

    Args:
        lr: LR at step 0, > 0.
        total_steps: optimizer steps ``T`` to reach ``min_lr``, integer >= 1.
        min_lr: the floor, in [0, lr].

    Returns:
        Calling the schedule returns the LR at a step.

    >>> CosineDecay(1.0, 10, min_lr=0.1)(10)
    0.1

    Reference: I. Loshchilov and F. Hutter, "SGDR: Stochastic Gradient Descent with Warm
    Restarts", ICLR 2017, arXiv:1608.03983.
    """

    kind = "cosine"

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", positive("lr", self.lr))
        object.__setattr__(self, "total_steps", integer("total_steps", self.total_steps, minimum=1))
        object.__setattr__(self, "min_lr", _floor_lr("min_lr", self.min_lr, self.lr))

    def _natural_length(self) -> int:
        return self.total_steps + 1

    def _eval(self, t, xp):
        frac = xp.minimum(t, self.total_steps) / self.total_steps
        return self.min_lr + (self.lr - self.min_lr) * (1 + xp.cos(xp.pi * frac)) / 2


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """Exponential decay: ``lr(t) = lr * gamma**t``.

    Args:
        lr: LR at step 0, > 0.
        gamma: factor per optimizer step, in (0, 1].

    Returns:
        Calling the schedule returns the LR at a step.

    >>> ExponentialDecay(1.0, 0.5)(3)
    0.125
    """

    kind = "exponential"

    lr: float
    gamma: float

    def __post_init__(self):
        object.__setattr__(self, "lr", positive("lr", self.lr))
        object.__setattr__(self, "gamma", _gamma(self.gamma))

    def _eval(self, t, xp):
        return self.lr * self.gamma ** t


@renamed(step_size="drop_every")
@dataclass(frozen=True)
class StepDecay(Schedule):
    """Step decay: ``lr(t) = lr * gamma**floor(t / drop_every)``.

    Args:
        lr: LR at step 0, > 0.
        drop_every: optimizer steps between decays, integer >= 1 (formerly ``step_size``,
            still accepted with a DeprecationWarning: ``step_size`` is CLR's half cycle).
        gamma: factor per decay, in (0, 1].

    Returns:
        Calling the schedule returns the LR at a step.

    >>> StepDecay(1.0, 10, gamma=0.5)(25)
    0.25
    """

    kind = "step"

    lr: float
    drop_every: int
    gamma: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "lr", positive("lr", self.lr))
        object.__setattr__(self, "drop_every", integer("drop_every", self.drop_every, minimum=1))
        object.__setattr__(self, "gamma", _gamma(self.gamma))

    def _natural_length(self) -> int:
        return 4 * self.drop_every

    def _eval(self, t, xp):
        return self.lr * self.gamma ** xp.floor(t / self.drop_every)


@dataclass(frozen=True)
class MultiStepDecay(Schedule):
    """Multi-step decay: ``lr(t) = lr * gamma**(number of milestones <= t)``.

    Args:
        lr: LR at step 0, > 0.
        milestones: strictly increasing optimizer steps (integers >= 1) where the LR drops.
        gamma: factor per milestone, in (0, 1].

    Returns:
        Calling the schedule returns the LR at a step.

    >>> MultiStepDecay(1.0, (10, 20), gamma=0.5)(20)
    0.25
    """

    kind = "multistep"

    lr: float
    milestones: tuple[int, ...]
    gamma: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "lr", positive("lr", self.lr))
        ms = self.milestones
        if isinstance(ms, (str, bytes)) or not hasattr(ms, "__iter__"):
            raise InvalidArgumentError("milestones", ms, "must be a list of increasing steps", "e.g. milestones=[3000, 6000].")
        ms = tuple(integer("milestones", m, minimum=1) for m in ms)
        if not ms or any(b <= a for a, b in zip(ms, ms[1:])):
            raise InvalidArgumentError("milestones", list(ms), "must be a non-empty, strictly increasing list of steps",
                                       "e.g. milestones=[3000, 6000].")
        object.__setattr__(self, "milestones", ms)
        object.__setattr__(self, "gamma", _gamma(self.gamma))

    def _natural_length(self) -> int:
        return int(self.milestones[-1] * 1.25) + 1

    def _eval(self, t, xp):
        return self.lr * self.gamma ** xp.searchsorted(self.milestones, t, side="right")


@renamed(end_lr="min_lr")
@dataclass(frozen=True)
class PolynomialDecay(Schedule):
    """Polynomial decay: ``lr(t) = (lr - min_lr) * (1 - min(t, T) / T)**power + min_lr``.

    Args:
        lr: LR at step 0, > 0.
        total_steps: optimizer steps ``T`` to reach ``min_lr``, integer >= 1.
        power: exponent, > 0 (1 is linear).
        min_lr: final LR, in [0, lr] (formerly ``end_lr``, still accepted with a
            DeprecationWarning).

    Returns:
        Calling the schedule returns the LR at a step.

    >>> PolynomialDecay(1.0, 10, power=2.0)(5)
    0.25
    """

    kind = "polynomial"

    lr: float
    total_steps: int
    power: float = 1.0
    min_lr: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", positive("lr", self.lr))
        object.__setattr__(self, "total_steps", integer("total_steps", self.total_steps, minimum=1))
        object.__setattr__(self, "power", positive("power", self.power))
        object.__setattr__(self, "min_lr", _floor_lr("min_lr", self.min_lr, self.lr))

    def _natural_length(self) -> int:
        return self.total_steps + 1

    def _eval(self, t, xp):
        return (self.lr - self.min_lr) * (1 - xp.minimum(t, self.total_steps) / self.total_steps) ** self.power + self.min_lr

