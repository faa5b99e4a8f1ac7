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

__all__ = ["CONFIG_KEYS", "TrainingDiverged", "apply_config", "train_trial", "evaluate"]

CONFIG_KEYS = ("lr", "momentum", "weight_decay", "batch_size", "schedule", "clr_policy", "clr_window", "clr_div",
               "clr_cycles", "pct_start", "warmup_steps")
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


def _to(batch: Any, device) -> Any:
    if device is None:
        return batch
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: _to(b, device) for k, b in batch.items()}
    return batch


def _loss(task, batch):
    if task.train_step is not None:
        return task.train_step(task.model, batch)
    x, y = batch[0], batch[1]
    return task.loss_fn(task.model(x), y)


@torch.no_grad()
def evaluate(task, device=None) -> tuple[float, float | None]:
    """(mean validation loss, mean validation metric or None), weighted by batch size."""
    task.model.eval()
    total, loss_sum, metric_sum = 0, 0.0, 0.0
    try:
        for batch in task.val_loader:
            batch = _to(batch, device)
            x, y = batch[0], batch[1]
            out = task.model(x)
            n = len(y)
            total += n
            if task.loss_fn is not None:
                loss_sum += float(task.loss_fn(out, y)) * n
            if task.metric is not None:
                metric_sum += float(task.metric(out, y)) * n
    finally:
        task.model.train()
    if total == 0:
        raise InvalidArgumentError("val_loader", "empty", "yielded no batches", "give a validation loader with data.")
    return loss_sum / total, (metric_sum / total if task.metric is not None else None)


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
    has_val = task.val_loader is not None
    direction_metric = has_val and task.metric is not None
    task.model.train()
    ema, best_ema, first_ema, tail = 0.0, math.inf, math.nan, []
    step = 0
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        while step < steps:
            got = False
            for batch in task.train_loader:
                got = True
                loss = _loss(task, _to(batch, device))
                value = float(loss.detach())
                if not math.isfinite(value):
                    reporter.spend(1)
                    raise TrainingDiverged(f"diverged: training loss became {value} at step {step}")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if scheduler is not None:
                    scheduler.step()
                step += 1
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
                    if has_val:
                        vl, vm = evaluate(task, device)
                        reporter.report(vm if direction_metric else vl)
                    else:
                        reporter.report(sum(tail) / len(tail) if tail else smooth)
                    if reporter.should_prune():
                        reporter.prune()
                if step >= steps:
                    break
            if not got:
                raise InvalidArgumentError("train_loader", "empty", "yielded no batches", "give a loader with data.")
    if has_val:
        vl, vm = evaluate(task, device)
        final = vm if direction_metric else vl
    else:
        final = sum(tail) / len(tail)
    reporter.report(final)
    return final
