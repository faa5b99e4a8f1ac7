"""One search trial on a torch task: apply a configuration, train a fixed budget, return the metric.

Used by :func:`lrscope.hpsearch.task_objective`; the search package itself never imports torch.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .. import _validate as v
from ..errors import InvalidArgumentError, LRScopeError
from ..runner import TRAINING_FIRST_WEIGHT, is_diverged
from ..task import CONFIG_KEYS
from .torch_core import Stepper

__all__ = ["TrainingDiverged", "apply_config", "train_trial", "evaluate"]

SCHEDULES = ("constant", "one_cycle", "cyclic")


class TrainingDiverged(LRScopeError):
    """The training loss became non-finite or grew far above its best (the trial fails with this reason)."""


def apply_config(optimizer: torch.optim.Optimizer, config: dict[str, Any]) -> list[float]:
    """Set lr (keeping per-group ratios), momentum (or Adam's beta1) and weight decay; return the group scales."""
    groups = optimizer.param_groups
    ref = float(groups[0]["lr"]) or 1.0
    scales = [float(g["lr"]) / ref if ref else 1.0 for g in groups]
    lr = v.positive("lr", config["lr"])
    for g, s in zip(groups, scales):
        g["lr"] = lr * s
        if "momentum" in config:
            m = v.fraction("momentum", config["momentum"], low_open=False)
            if "betas" in g:
                g["betas"] = (m, g["betas"][1])
            elif "momentum" in g:
                g["momentum"] = m
            else:
                raise InvalidArgumentError("momentum", m, f"is not a setting of {type(optimizer).__name__}",
                                           "remove momentum from the space or use SGD/Adam.")
        if "weight_decay" in config:
            g["weight_decay"] = v.positive("weight_decay", config["weight_decay"], allow_zero=True)
    return scales


def _schedule(config: dict[str, Any], steps: int):
    from .. import schedules as S

    lr = float(config["lr"])
    kind = v.choice("schedule", config.get("schedule", "constant"), SCHEDULES)
    if kind == "constant":
        sched = S.Constant(lr)
    elif kind == "one_cycle":
        sched = S.OneCycle(max_lr=lr, total_steps=steps, pct_start=float(config.get("pct_start", 0.3)))
    else:
        div = v.positive("clr_div", config.get("clr_div", 4.0))
        cycles = v.integer("clr_cycles", config.get("clr_cycles", 2), minimum=1)
        sched = S.CyclicLR(base_lr=lr / div, max_lr=lr, step_size=max(1, steps // (2 * cycles)),
                           policy=config.get("clr_policy", "triangular"), window=config.get("clr_window", "triangular"))
    warm = v.integer("warmup_steps", config.get("warmup_steps", 0), minimum=0)
    if warm > 0:
        sched = S.Warmup(sched, warmup_steps=warm)
    return sched


def validation_scores_metric(task) -> bool:
    """Whether a task's validation gives a metric (higher is better), so that a search maximises it:
    a ``metric`` with a validation loader, or an ``eval_step`` whose first batch returns a "metric"."""
    if task.val_loader is None:
        return False
    if task.metric is not None:
        return True
    if getattr(task, "eval_step", None) is None:
        return False
    return _stepper(task, None).evaluate(task.val_loader)[1] is not None


def _stepper(task, device) -> Stepper:
    """The training core (``lrscope.adapters.torch_core``) over a task: the same step and evaluation
    as ``find_lr`` and ``probe`` (dict batches, ``train_step``, ``eval_step``)."""
    if device is None:
        first = next(task.model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
    return Stepper(task.model, task.optimizer, task.loss_fn, task.train_loader, train_step=task.train_step,
                   device=torch.device(device), metric=task.metric, eval_step=getattr(task, "eval_step", None))


def evaluate(task, device=None) -> tuple[float | None, float | None]:
    """(mean validation loss, mean validation metric), either None when nothing computes it;
    weighted by batch size."""
    return _stepper(task, device).evaluate(task.val_loader)


def train_trial(task, config: dict[str, Any], *, steps: int, reporter, eval_every: int | None = None,
                diverge_factor: float = 4.0, device=None, seed: int = 0) -> float:
    """Train ``task`` for ``steps`` optimizer steps with ``config`` and return the final metric.

    The metric is the validation metric (higher is better) when the task has one, else the
    validation loss, else the mean training loss of the last 10% of steps. Every
    ``eval_every`` steps it is reported through ``reporter`` (pruning may stop the trial).
    The trial fails with :class:`TrainingDiverged` when the loss becomes NaN/inf, or when its
    debiased EMA ``s`` (beta 0.9) climbs far above the scale the run started from
    (:func:`lrscope.runner.is_diverged` with ``first_weight=1``, after step 10)::

        s - best > (diverge_factor - 1) * max(|best|, |s_1|)

    where ``best`` is the lowest EMA so far and ``s_1`` the first loss. A loss that fell to
    ~0 is therefore not declared diverged by batch noise of a few times its tiny best (the
    range test's own rule, scale ``max(|best|, 0.01 |s_1|)``, would).

    Args:
        task: a lrscope.Task whose optimizer is a torch optimizer.
        config: lr and optionally momentum, weight_decay, schedule, clr_*, pct_start, warmup_steps
            (batch_size is applied when the task is built).
        steps: optimizer steps to train.
        reporter: the search's reporter (``spend``, ``report``, ``should_prune``, ``prune``).
        eval_every: steps between intermediate reports (default steps // 4).
        diverge_factor: divergence threshold on the smoothed loss (> 1; see above).
        device: torch device or None (leave the model where it is).
        seed: seed of the global torch RNG during training (dropout etc.).

    Returns:
        The final metric (float).
    """
    from .torch_scheduler import ScheduleLR

    unknown = sorted(set(config) - set(CONFIG_KEYS))
    if unknown:
        raise InvalidArgumentError("config", f"unknown keys {unknown}", "has keys a task objective cannot apply",
                                   f"use only {list(CONFIG_KEYS)}.")
    eval_every = max(1, steps // 4) if eval_every is None else eval_every
    if device is not None:
        task.model.to(device)
    opt = task.optimizer
    scales = apply_config(opt, config)
    scheduler = None
    if config.get("schedule", "constant") != "constant" or config.get("warmup_steps", 0):
        scheduler = ScheduleLR(opt, _schedule(config, steps), group_scales=scales)
    stepper = _stepper(task, device)
    has_val = task.val_loader is not None and stepper.can_evaluate

    def val_score():
        vl, vm = stepper.evaluate(task.val_loader)
        return vm if vm is not None else vl

    task.model.train()
    ema, best_ema, first_ema, tail = 0.0, math.inf, math.nan, []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for step in range(1, steps + 1):
            value, _ = stepper.step(None)        # the LR is the config's (and the scheduler's)
            if not math.isfinite(value):
                reporter.spend(1)
                raise TrainingDiverged(f"diverged: training loss became {value} at step {step - 1}")
            if scheduler is not None:
                scheduler.step()
            reporter.spend(1)
            ema = 0.9 * ema + 0.1 * value
            smooth = ema / (1 - 0.9 ** step)
            if step == 1:
                first_ema = smooth
            best_ema = min(best_ema, smooth)
            if step > 10 and is_diverged(smooth, best_ema, first_ema, diverge_factor,
                                         first_weight=TRAINING_FIRST_WEIGHT):
                raise TrainingDiverged(
                    f"diverged: smoothed loss {smooth:.3g} rose more than {diverge_factor - 1:g} x "
                    f"max(|best| {abs(best_ema):.3g}, |first| {abs(first_ema):.3g}) above its best at step {step}")
            if step > steps - max(1, steps // 10):
                tail.append(value)
            if step % eval_every == 0 and step < steps:
                reporter.report(val_score() if has_val else (sum(tail) / len(tail) if tail else smooth))
                if reporter.should_prune():
                    reporter.prune()
    final = val_score() if has_val else sum(tail) / len(tail)
    reporter.report(final)
    return final
