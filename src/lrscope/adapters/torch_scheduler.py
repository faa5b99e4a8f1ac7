"""PyTorch adapter: an LRScheduler whose whole state is the step counter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

from .._validate import integer, known_keys, positive
from ..errors import InvalidArgumentError
from ..schedules import Schedule, from_spec
from ..schedules._base import _ScalarOps

__all__ = ["ScheduleLR"]


def current_ratios(optimizer) -> tuple[float, ...]:
    """Each parameter group's LR over group 0's (1.0 for every group when group 0's LR is 0)."""
    lrs = [float(g["lr"]) for g in optimizer.param_groups]
    if not lrs[0] > 0:
        return (1.0,) * len(lrs)
    return tuple(lr / lrs[0] if lr > 0 else 1.0 for lr in lrs)


def set_group_value(group: dict, key: str, value: float) -> None:
    """Set a parameter group's hyperparameter (``lr``, ``momentum``): in place when the optimizer
    holds it as a tensor (``lr=torch.tensor(...)``, as for a compiled or capturable step), so the
    tensor the optimizer was built with keeps driving it."""
    current = group[key]
    if isinstance(current, torch.Tensor):
        current.fill_(value)
    else:
        group[key] = value


class ScheduleLR(LRScheduler):
    r"""Drive a torch optimizer's learning rate (and momentum) from an lrscope schedule.

    After ``n`` calls of :meth:`step` (one per optimizer step), every parameter group ``g``
    has ``lr = group_scales[g] * schedule(n)``, computed from the closed form (never by
    multiplying the previous LR). With momentum cycling, SGD's ``momentum`` (or ``beta1``
    in ``betas`` for Adam-family optimizers) is set to ``momentum_schedule(n)``. The only
    state is the step counter ``last_epoch``: ``state_dict()`` is ``{"last_epoch": n}``,
    ``load_state_dict`` resumes exactly, and the scheduler pickles.

    Args:
        optimizer: the torch optimizer.
        schedule: an lrscope schedule (or its ``to_dict()`` spec); steps are optimizer steps.
        momentum: None (leave momentum alone), True (use ``schedule.momentum``, for
            CyclicLR and OneCycle) or any schedule giving the momentum per step.
        group_scales: one positive multiplier per parameter group (e.g. 0.1 for a
            pretrained backbone); None keeps the ratios the optimizer's groups have now
            (each group's LR over group 0's, as the range test measured with them), so a
            head at 10x the backbone stays at 10x. ``[1.0] * n`` gives every group the same LR.

    Returns:
        The scheduler; call ``scheduler.step()`` after each ``optimizer.step()``.

    >>> import torch
    >>> from lrscope.schedules import OneCycle
    >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    >>> sched = ScheduleLR(opt, OneCycle(max_lr=0.1, total_steps=100), momentum=True)
    >>> round(opt.param_groups[0]["lr"], 9), opt.param_groups[0]["momentum"]
    (0.004, 0.95)

    Reference: timm's ``scheduler.py`` (the step counter as the only state); Smith,
    arXiv:1506.01186 and arXiv:1708.07120 for the schedules themselves.
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedule: Schedule | dict,
        momentum: bool | Schedule | dict | None = None,
        group_scales: Sequence[float] | None = None,
    ) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise InvalidArgumentError("optimizer", type(optimizer).__name__, "must be a torch.optim.Optimizer",
                                       "pass the optimizer whose LR should follow the schedule.")
        if isinstance(schedule, dict):
            schedule = from_spec(schedule)
        if not isinstance(schedule, Schedule):
            raise InvalidArgumentError("schedule", schedule, "must be an lrscope schedule or its spec dict",
                                       "e.g. lrscope.schedules.CyclicLR(base_lr=1e-3, max_lr=6e-3, step_size=2000).")
        self.schedule = schedule
        self._momentum_source, self._momentum_method, self._momentum_key = self._momentum_rule(
            optimizer, schedule, momentum)
        self.group_scales = self._scales(optimizer, group_scales)
        lr0 = schedule(0)
        for group, scale in zip(optimizer.param_groups, self.group_scales):
            group["initial_lr"] = scale * lr0
        super().__init__(optimizer, last_epoch=-1)

    # -- arguments ----------------------------------------------------------
    @staticmethod
    def _momentum_rule(optimizer, schedule, momentum):
        if momentum is None or momentum is False:
            return None, None, None
        if momentum is True:
            if not schedule.has_momentum:
                raise InvalidArgumentError(
                    "momentum", True, f"needs a schedule with a momentum rule; {type(schedule).__name__} has none",
                    "use CyclicLR or OneCycle, or pass momentum=<a schedule of momentum values>.")
            source, method = schedule, "_eval_momentum"
        else:
            source = from_spec(momentum) if isinstance(momentum, dict) else momentum
            method = "_eval"
            if not isinstance(source, Schedule):
                raise InvalidArgumentError("momentum", momentum, "must be None, True or an lrscope schedule",
                                           "e.g. momentum=True with CyclicLR/OneCycle.")
        name = type(optimizer).__name__
        if "betas" in optimizer.defaults:
            key = "betas"
        elif "momentum" in optimizer.defaults:
            key = "momentum"
            for i, group in enumerate(optimizer.param_groups):
                if float(group.get("momentum", 0.0)) == 0.0:
                    raise InvalidArgumentError(
                        "momentum", True,
                        f"needs an optimizer built with momentum; {name} param group {i} has momentum=0",
                        f"build it with momentum > 0 (e.g. {name}(params, lr, momentum=0.9)) or pass momentum=None.")
        else:
            raise InvalidArgumentError(
                "momentum", True, f"needs an optimizer with momentum or betas; {name} has neither",
                "use SGD(momentum=0.9), RMSprop(momentum=...) or an Adam-family optimizer (beta1 is cycled), "
                "or pass momentum=None.")
        m0 = getattr(source, method)(0.0, _ScalarOps)
        if not 0 <= m0 < 1:
            raise InvalidArgumentError("momentum", m0, "must give values in [0, 1)", "check the momentum schedule.")
        return source, method, key

    @staticmethod
    def _scales(optimizer, group_scales):
        n = len(optimizer.param_groups)
        if group_scales is None:
            return current_ratios(optimizer)
        if isinstance(group_scales, (str, bytes)) or not hasattr(group_scales, "__len__"):
            raise InvalidArgumentError("group_scales", group_scales, "must be a list of numbers",
                                       f"give one multiplier per parameter group ({n}).")
        if len(group_scales) != n:
            raise InvalidArgumentError("group_scales", list(group_scales),
                                       f"must hold one multiplier per parameter group ({n})",
                                       f"give {n} numbers, e.g. 0.1 for a pretrained backbone and 1.0 for the head.")
        return tuple(positive("group_scales", s) for s in group_scales)

    # -- LRScheduler --------------------------------------------------------
    def _values(self, t: int) -> tuple[float, float | None]:
        """(LR, momentum or None) at step t, each computed once per step for all groups."""
        t = float(t)
        lr = self.schedule._eval(t, _ScalarOps)
        if self._momentum_key is None:
            return float(lr), None
        m = getattr(self._momentum_source, self._momentum_method)(t, _ScalarOps)
        return float(lr), float(m)

    def _set_momentum(self, m: float) -> None:
        if self._momentum_key == "betas":
            for group in self.optimizer.param_groups:
                betas = group["betas"]
                if isinstance(betas[0], torch.Tensor):
                    betas[0].fill_(m)
                else:
                    group["betas"] = (m, *betas[1:])
        else:
            for group in self.optimizer.param_groups:
                set_group_value(group, "momentum", m)

    def get_lr(self) -> list[float]:
        """The LR of each group at step ``last_epoch`` (sets the momentum too, like torch's CyclicLR)."""
        lr, m = self._values(self.last_epoch)
        if m is not None:
            self._set_momentum(m)
        return [scale * lr for scale in self.group_scales]

    def step(self, epoch: int | None = None) -> None:
        """Advance one optimizer step and set every group's LR (and momentum) from the closed form."""
        if epoch is not None or self._step_count <= 1:
            # torch's own path: keeps its call-order warning on the first step and the deprecated `epoch`
            super().step(epoch)
            return
        self._step_count += 1
        self.last_epoch += 1
        self._apply()

    def _apply(self) -> None:
        lr, m = self._values(self.last_epoch)
        last = []
        momentum_key = self._momentum_key
        for group, scale in zip(self.optimizer.param_groups, self.group_scales):
            value = scale * lr
            set_group_value(group, "lr", value)
            current = group["lr"]
            last.append(current.clone() if isinstance(current, torch.Tensor) else value)
            if momentum_key == "momentum":
                set_group_value(group, "momentum", m)
            elif momentum_key == "betas":
                betas = group["betas"]
                if isinstance(betas[0], torch.Tensor):
                    betas[0].fill_(m)
                else:
                    group["betas"] = (m, *betas[1:])
        self._last_lr = last

    _get_closed_form_lr = get_lr

    def state_dict(self) -> dict[str, Any]:
        """``{"last_epoch": n}``: the number of steps taken, the whole state."""
        return {"last_epoch": self.last_epoch}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume at ``state_dict["last_epoch"]``: sets every group's LR (and momentum) for that step."""
        if not isinstance(state_dict, dict):
            raise InvalidArgumentError("state_dict", state_dict, "must be a dict", "pass ScheduleLR.state_dict() output.")
        known_keys("state_dict", state_dict, ("last_epoch",))
        if "last_epoch" not in state_dict:
            raise InvalidArgumentError("state_dict", sorted(state_dict), "has no 'last_epoch'",
                                       "pass ScheduleLR.state_dict() output.")
        self.last_epoch = integer("last_epoch", state_dict["last_epoch"], minimum=0)
        self._apply()

    def __repr__(self) -> str:
        return f"ScheduleLR(schedule={self.schedule!r}, step={self.last_epoch})"


def apply_spec(optimizer, spec: dict):
    """``RangeTestResult.apply`` for torch: a constant spec sets every group's LR at its current
    ratio to group 0 (returns None); a one-cycle or cyclic spec returns a :class:`ScheduleLR`
    that keeps those ratios (and cycles the momentum with one-cycle when the optimizer has one)."""
    if spec["kind"] == "constant":
        for group, ratio in zip(optimizer.param_groups, current_ratios(optimizer)):
            set_group_value(group, "lr", spec["lr"] * ratio)
        return None
    cycles = spec["kind"] == "one_cycle" and ("betas" in optimizer.defaults or (
        "momentum" in optimizer.defaults and all(float(g.get("momentum", 0.0)) > 0 for g in optimizer.param_groups)))
    return ScheduleLR(optimizer, spec, momentum=True if cycles else None)


def _register() -> None:
    from ..analysis import _result

    entry = (lambda opt: isinstance(opt, torch.optim.Optimizer), apply_spec)
    if entry[1] not in [a for _, a in _result.APPLIERS]:
        _result.APPLIERS.append(entry)


_register()
