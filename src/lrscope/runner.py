"""The framework-neutral LR range-test loop (numpy only).

The loop knows nothing about torch: it walks an exactly geometric (or linear) sequence of
learning rates, calls ``step_fn(lr)`` once per optimizer step, keeps a debiased EMA of the
loss, and stops on divergence or on the first non-finite loss. The torch adapter
(:mod:`lrscope.adapters.torch_range_test`) supplies ``step_fn``; a Keras or JAX adapter could
supply its own.

The sweep (Smith, 2017, "Cyclical Learning Rates for Training Neural Networks", section 3.3;
the geometric variant of fastai / torch-lr-finder)::

    exp:    lr_i = start_lr * (end_lr / start_lr) ** (i / (n - 1)),   i = 0 .. n-1
    linear: lr_i = start_lr + (end_lr - start_lr) * i / (n - 1)

so ``lr_0 == start_lr`` and ``lr_{n-1} == end_lr`` exactly.

Divergence rule (works for losses of any sign): with ``best`` the lowest smoothed loss so far
and ``scale = max(|best|, 0.01 * |smoothed_0|)``, the sweep stops after the step where::

    smoothed - best > (diverge_factor - 1) * scale

For a positive loss whose best stays above 1% of the first value this is exactly the
classic ``smoothed > diverge_factor * best`` (fastai, torch-lr-finder); for a negative loss it
still means "rose far above its best" instead of triggering at once.

The sweep neither takes its best nor checks the rule before step ``SETTLE_STEPS`` (10): the
debiased EMA is then a mean of at least that many losses. Earlier, one easy batch (at a batch
size of 16, a first loss a quarter of the model's mean loss is not rare) would be the "best",
and the next ordinary batches would look like divergence at 1e-7. A NaN/inf loss stops the
sweep at any step.

A training run at a fixed LR (a search trial) uses the same rule with the whole starting
loss in the scale, ``scale = max(|best|, |smoothed_0|)`` (``first_weight=1``,
:data:`TRAINING_FIRST_WEIGHT`): there the loss may fall to ~0, and batch noise of a few
times a near-zero best is not divergence.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from . import _validate as v
from .analysis.probe import SPIKE_STEPS, explodes_at, explosion_limit
from .analysis.smoothing import DebiasedEMA
from .errors import InvalidArgumentError, RangeTestError

__all__ = ["MIN_STEPS", "MAX_STEPS", "TRAINING_FIRST_WEIGHT", "EXTEND_DECADES", "SETTLE_STEPS", "sweep_lrs", "extended_lrs", "is_diverged",
           "SweepLog", "run_sweep",
           "Trainee", "Plan", "plan_range_test", "range_test", "short_runs"]

MIN_STEPS = 10
#: the longest sweep (or probe run) accepted, in optimizer steps: a typo such as 10**12 would
#: otherwise try to allocate terabytes before the first step
MAX_STEPS = 1_000_000
"""The fewest steps a sweep may plan (fewer cannot show a curve)."""

TRAINING_FIRST_WEIGHT = 1.0
"""``first_weight`` of :func:`is_diverged` for a training run at a fixed LR (a search trial):
the scale of "far above its best" is ``max(|best|, |first|)``, the loss's starting scale."""


def sweep_lrs(start_lr: float, end_lr: float, num_steps: int, mode: str = "exp") -> np.ndarray:
    """The planned LRs of a sweep, both ends included exactly.

    Args:
        start_lr: first LR (> 0).
        end_lr: last LR (> start_lr).
        num_steps: number of optimizer steps (10 to ``MAX_STEPS``, 1,000,000).
        mode: "exp" (geometric) or "linear".

    Returns:
        (num_steps,) float array.

    >>> sweep_lrs(1e-3, 10.0, 10).round(12).tolist()[:3]
    [0.001, 0.002782559402, 0.007742636827]
    >>> float(sweep_lrs(1e-3, 10.0, 10)[-1])
    10.0
    """
    start_lr = v.positive("start_lr", start_lr)
    end_lr = v.positive("end_lr", end_lr)
    if not end_lr > start_lr:
        raise InvalidArgumentError(
            "start_lr", f"start_lr={start_lr!r}, end_lr={end_lr!r}", "must be smaller than `end_lr`",
            "sweep upwards, e.g. start_lr=1e-7, end_lr=10.")
    num_steps = v.integer("num_steps", num_steps, minimum=MIN_STEPS, maximum=MAX_STEPS)
    mode = _mode(mode)
    i = np.arange(num_steps, dtype=float) / (num_steps - 1)
    if mode == "exp":
        lrs = start_lr * (end_lr / start_lr) ** i
    else:
        lrs = start_lr + (end_lr - start_lr) * i
    lrs[0], lrs[-1] = start_lr, end_lr
    return lrs


def _mode(mode: str) -> str:
    """The sweep's mode, "exp" or "linear" ("exponential", the old spelling, is "exp")."""
    from .schedules._base import renamed_value

    return v.choice("mode", renamed_value("find_lr", "mode", mode, {"exponential": "exp"}), ("exp", "linear"))


EXTEND_DECADES = 4.0
"""How far past ``end_lr`` an exponential sweep carries on, at the same rate, when the loss has
not diverged by then (``end_lr * 10**EXTEND_DECADES``): a sweep that never diverged cannot
say where the usable range ends."""


def extended_lrs(start_lr: float, end_lr: float, num_steps: int, mode: str = "exp",
                 extend_decades: float = EXTEND_DECADES) -> np.ndarray:
    """The planned LRs of a sweep followed by its continuation past ``end_lr``.

    The continuation keeps the sweep's own ratio between steps,
    ``lr_i = start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))`` for ``i >= num_steps``,
    up to ``end_lr * 10**extend_decades`` (the last LR may fall a fraction of a step short of
    it). A linear sweep is never extended (its step would take thousands of steps to cover a
    decade). The sweep stops at divergence as usual, so the continuation only runs when the
    loss has not diverged by ``end_lr``.

    Args:
        start_lr, end_lr, num_steps, mode: as for :func:`sweep_lrs`.
        extend_decades: decades past ``end_lr`` (>= 0; 0 gives :func:`sweep_lrs` itself).

    Returns:
        (num_steps + extra,) float array whose first ``num_steps`` entries are
        ``sweep_lrs(start_lr, end_lr, num_steps, mode)``.

    >>> lrs = extended_lrs(1e-9, 1.0, 10, extend_decades=2)
    >>> lrs.round(9).tolist()[-4:]
    [0.1, 1.0, 10.0, 100.0]
    """
    mode = _mode(mode)
    planned = sweep_lrs(start_lr, end_lr, num_steps, mode)
    extend_decades = v.positive("extend_decades", extend_decades, allow_zero=True)
    if mode != "exp" or extend_decades == 0:
        return planned
    per_step = math.log10(end_lr / start_lr) / (num_steps - 1)
    extra = int(math.floor(extend_decades / per_step + 1e-9))
    i = np.arange(num_steps, num_steps + extra, dtype=float)
    more = start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))
    return np.concatenate([planned, more])


#: the sweep takes its best smoothed loss, and checks the divergence rule, from this step on
#: (1-based; see the module docstring)
SETTLE_STEPS = 10


def is_diverged(smoothed: float, best: float, first: float, diverge_factor: float, *,
                first_weight: float = 0.01) -> bool:
    """The divergence rule above: ``smoothed - best > (diverge_factor - 1) * max(|best|, first_weight*|first|)``.

    ``first_weight=0.01`` (the default) is the range-test sweep's rule: there the loss is
    *expected* to blow up, so the sweep stops as soon as it rises well above its best.
    A training run at a fixed LR uses ``first_weight=1.0`` (see :data:`TRAINING_FIRST_WEIGHT`):
    it has diverged only when the loss climbed far above the scale it *started* from, so a
    loss that fell to 1% of its start is not declared diverged by batch noise of a few
    times its (tiny) best.

    Args:
        smoothed: the current smoothed loss.
        best: the lowest smoothed loss so far.
        first: the first smoothed loss of the run.
        diverge_factor: threshold (> 1); 4 reproduces the classic ``smoothed > 4 * best``.
        first_weight: weight of ``|first|`` in the scale (>= 0).

    Returns:
        True when the run has diverged.

    >>> is_diverged(4.1, 1.0, 2.3, 4.0), is_diverged(3.9, 1.0, 2.3, 4.0)
    (True, False)
    >>> is_diverged(-4.0, -5.0, -1.0, 4.0), is_diverged(11.0, -5.0, -1.0, 4.0)
    (False, True)
    >>> is_diverged(0.05, 0.01, 0.69, 4.0), is_diverged(0.05, 0.01, 0.69, 4.0, first_weight=1.0)
    (True, False)
    >>> is_diverged(2.2, 0.01, 0.69, 4.0, first_weight=1.0)
    True
    """
    scale = max(abs(best), first_weight * abs(first))
    if scale == 0.0:
        return smoothed > best
    return smoothed - best > (diverge_factor - 1.0) * scale


@dataclasses.dataclass
class SweepLog:
    """What :func:`run_sweep` recorded (n = steps kept; a non-finite step is not kept).

    Args:
        lrs, losses, smoothed: (n,) arrays.
        metric: (n,) training metric per step, or None when step_fn returned none.
        val_steps, val_losses, val_metric: (m,) validation records, or None.
        stop_reason: "completed", "diverged" or "non-finite".
        stop_message: the reason in words.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    metric: np.ndarray | None
    val_steps: np.ndarray | None
    val_losses: np.ndarray | None
    val_metric: np.ndarray | None
    stop_reason: str
    stop_message: str


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    tqdm = v.require("tqdm.auto", "the range test's progress bar", "torch")  # a widget in a notebook
    return tqdm.tqdm(total=total, desc="lrscope range test", unit="step", file=sys.stderr, leave=False)


def _split(out) -> tuple[float, float | None]:
    if isinstance(out, tuple):
        loss, metric = out
        return float(loss), (None if metric is None else float(metric))
    return float(out), None


def run_sweep(
    step_fn: Callable[[float], float | tuple[float, float | None]],
    lrs: Sequence[float],
    *,
    smoothing: float = 0.98,
    diverge_factor: float = 4.0,
    val_fn: Callable[[], tuple[float, float | None]] | None = None,
    val_every: int | None = None,
    progress: bool = False,
) -> SweepLog:
    """Run one range-test sweep: one ``step_fn(lr)`` per LR until done, diverged or non-finite.

    Args:
        step_fn: ``step_fn(lr) -> loss`` or ``-> (loss, metric)``: one optimizer step at
            learning rate ``lr`` (the first parameter group's LR), returning the step's loss.
        lrs: the planned LRs, e.g. :func:`sweep_lrs`.
        smoothing: EMA factor beta in [0, 1) of the debiased EMA (0: no smoothing).
        diverge_factor: threshold (> 1) of the divergence rule in the module docstring.
        val_fn: ``val_fn() -> (val_loss, val_metric or None)``, run after every
            ``val_every``-th step (after steps val_every-1, 2*val_every-1, ...).
        val_every: steps between validations (>= 1); required with ``val_fn``.
        progress: show a tqdm bar on stderr.

    Returns:
        A :class:`SweepLog`.

    Raises:
        RangeTestError: the loss was NaN/inf at the very first step.
    """
    lrs = np.asarray(lrs, dtype=float)
    smoothing = v.fraction("smoothing", smoothing, low_open=False, high_open=True)
    diverge_factor = v.finite("diverge_factor", diverge_factor)
    if not diverge_factor > 1.0:
        raise InvalidArgumentError("diverge_factor", diverge_factor, "must be > 1",
                                   "use e.g. diverge_factor=4 (stop at 4x the best loss).")
    if val_fn is not None:
        if val_every is None:
            raise InvalidArgumentError("val_every", None, "is required when validating",
                                       "pass val_every, e.g. val_every=10.")
        val_every = v.integer("val_every", val_every, minimum=1)

    ema = DebiasedEMA(smoothing)
    kept_lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    metrics: list[float | None] = []
    val_steps: list[int] = []
    val_losses: list[float] = []
    val_metric: list[float | None] = []
    best = math.inf
    first = None
    stop_reason, stop_message = "completed", f"completed all {len(lrs)} steps up to lr={lrs[-1]:.4g}"
    bar = _progress_bar(len(lrs), progress)
    try:
        for i, lr in enumerate(lrs):
            loss, metric = _split(step_fn(float(lr)))
            if not math.isfinite(loss):
                if i == 0:
                    raise RangeTestError(
                        f"the loss was {loss} at the very first step (lr={lr:.4g}), before the LR could "
                        "matter. Fix: check the data for NaN/inf, the loss function and the model's "
                        "initialisation; if they are fine, lower start_lr.")
                stop_reason = "non-finite"
                stop_message = f"loss became {loss} at step {i} (lr={lr:.4g}); the sweep stopped there"
                break
            s = ema.update(loss)
            kept_lrs.append(float(lr))
            losses.append(loss)
            smoothed.append(s)
            metrics.append(metric)
            if first is None:
                first = s
            if i >= SETTLE_STEPS - 1:
                best = min(best, s)
            if val_fn is not None and (i + 1) % val_every == 0:
                vl, vm = val_fn()
                val_steps.append(i)
                val_losses.append(math.nan if vl is None else float(vl))
                val_metric.append(None if vm is None else float(vm))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(lr=f"{lr:.2e}", loss=f"{s:.4g}", refresh=False)
            if i >= SETTLE_STEPS - 1 and is_diverged(s, best, first, diverge_factor):
                ratio = "" if best <= 0 else f" ({s / best:.2g}x)"
                stop_reason = "diverged"
                stop_message = (f"smoothed loss {s:.4g} rose far above its best {best:.4g}{ratio} "
                                f"at step {i} (lr={lr:.4g})")
                break
    finally:
        if bar is not None:
            bar.close()

    def _opt(values):
        if not values or any(m is None for m in values):
            return None
        return np.asarray(values, dtype=float)

    return SweepLog(
        lrs=np.asarray(kept_lrs, dtype=float),
        losses=np.asarray(losses, dtype=float),
        smoothed=np.asarray(smoothed, dtype=float),
        metric=_opt(metrics),
        val_steps=np.asarray(val_steps, dtype=int) if val_steps else None,
        val_losses=np.asarray(val_losses, dtype=float) if val_steps else None,
        val_metric=_opt(val_metric) if val_steps else None,
        stop_reason=stop_reason,
        stop_message=stop_message,
    )


# --------------------------------------------------------------------------- the engine


class Trainee(Protocol):
    """What a framework adapter hands the engine: the user's training, one step at a time.

    The adapter takes its snapshot before :func:`range_test` and restores it in a ``finally``
    after; between runs the engine asks for restores through :meth:`begin`.

    Attributes:
        ratios: each parameter group's LR divided by group 0's (kept during the test).
        can_evaluate: whether :meth:`evaluate` scores a validation set.
        spike_steps: how many steps in a row above the limit make a confirmation run explode.
    """

    ratios: Sequence[float]
    can_evaluate: bool
    #: the confirmation runs explode only when the loss stays above the limit this many steps in a
    #: row (1: at once; ``probe.ACCUMULATOR_SPIKE_STEPS`` under torch's Adagrad)
    spike_steps: int

    def begin(self, seed: int | None, restore: str) -> None:
        """Start a run: ``restore`` is "none" (the first sweep: nothing changed yet), "weights"
        (weights and optimizer back; the RNG streams move on) or "all" (weights, optimizer, RNG
        and batch order back); then seed the RNGs with ``seed`` when it is not None, start the
        data from its beginning and put the model in training mode."""

    def step(self, lr: float) -> tuple[float, float | None]:
        """One optimizer step with group 0 at ``lr`` (the others at their ratios): (loss, metric or None)."""

    def evaluate(self) -> tuple[float | None, float | None]:
        """(validation loss, validation metric); either may be None."""


@dataclasses.dataclass(frozen=True)
class Plan:
    """The checked settings of one range test (see :func:`plan_range_test`); ``lrs`` are the planned LRs."""

    lrs: np.ndarray
    start_lr: float
    end_lr: float
    num_steps: int
    mode: str
    smoothing: float
    diverge_factor: float
    extend_decades: float
    confirm: bool
    budget_steps: int | None
    repeats: int
    seed: int | None
    val_every: int | None


def plan_range_test(*, start_lr: float = 1e-7, end_lr: float = 10, num_steps: int = 100, mode: str = "exp",
                    smoothing: float = 0.98, diverge_factor: float = 4.0, extend_decades: float = EXTEND_DECADES,
                    confirm: bool = True, budget_steps: int | None = None, repeats: int = 1,
                    seed: int | None = None, val_every: int | None = None) -> Plan:
    """Check a range test's settings (each error names the argument and the fix) before anything
    of the user's is touched; the arguments are those of ``lrscope.find_lr``.

    >>> plan_range_test(num_steps=10, extend_decades=0).lrs[[0, -1]].tolist()
    [1e-07, 10.0]
    """
    mode = _mode(mode)
    lrs = extended_lrs(start_lr, end_lr, num_steps, mode, extend_decades)
    smoothing = v.fraction("smoothing", smoothing, low_open=False, high_open=True)
    diverge_factor = v.finite("diverge_factor", diverge_factor)
    if not diverge_factor > 1.0:
        raise InvalidArgumentError("diverge_factor", diverge_factor, "must be > 1",
                                   "use e.g. diverge_factor=4 (stop at 4x the best loss).")
    repeats = v.integer("repeats", repeats, minimum=1, maximum=100)
    if not isinstance(confirm, bool):
        raise InvalidArgumentError("confirm", confirm, "must be True or False",
                                   "pass confirm=False to skip the confirmation runs.")
    if budget_steps is not None:
        budget_steps = v.integer("budget_steps", budget_steps, minimum=2)
    if seed is not None:
        seed = v.integer("seed", seed, minimum=0)
    if val_every is not None:
        val_every = v.integer("val_every", val_every, minimum=1)
    return Plan(lrs=lrs, start_lr=float(lrs[0]), end_lr=float(end_lr), num_steps=int(num_steps), mode=mode,
                smoothing=smoothing, diverge_factor=diverge_factor,
                extend_decades=float(extend_decades) if mode == "exp" else 0.0, confirm=confirm,
                budget_steps=budget_steps, repeats=repeats, seed=seed, val_every=val_every)


def range_test(trainee: Trainee, plan: Plan, *, progress: bool = True, **fields: Any):
    """The whole range test on one trainee: ``plan.repeats`` sweeps, then the confirmation stage.

    Every framework (torch, Keras, and through torch Lightning and Hugging Face) runs this one
    function; the adapter owns the snapshot and the final restore.

    Args:
        trainee: see :class:`Trainee`.
        plan: from :func:`plan_range_test`.
        progress: show progress bars on stderr.
        **fields: further :class:`~lrscope.analysis.RangeTestResult` fields
            (``metric_name``, ``iterations_per_epoch``, ``optimizer``, ``beta2``, ...).

    Returns:
        The :class:`~lrscope.analysis.RangeTestResult`, with ``cost_steps`` counting every
        optimizer step taken.
    """
    from .analysis import RangeTestResult

    results = []
    cost = 0
    ratios = np.asarray(trainee.ratios, dtype=float)
    for k in range(plan.repeats):
        trainee.begin(None if plan.seed is None else plan.seed + k, "none" if k == 0 else "weights")
        log = run_sweep(trainee.step, plan.lrs, smoothing=plan.smoothing, diverge_factor=plan.diverge_factor,
                        val_fn=trainee.evaluate if plan.val_every is not None else None, val_every=plan.val_every,
                        progress=progress)
        cost += len(log.lrs) + (log.stop_reason == "non-finite")
        results.append(RangeTestResult(
            lrs=log.lrs, losses=log.losses, smoothed=log.smoothed, group_lrs=np.outer(log.lrs, ratios),
            mode=plan.mode, start_lr=plan.start_lr, end_lr=plan.end_lr, num_steps=plan.num_steps,
            stop_reason=log.stop_reason, stop_message=log.stop_message, smoothing=plan.smoothing,
            diverge_factor=plan.diverge_factor, metric=log.metric, val_steps=log.val_steps,
            val_losses=log.val_losses, val_metric=log.val_metric, budget_steps=plan.budget_steps,
            extend_decades=plan.extend_decades, **fields))
    result = results[0] if plan.repeats == 1 else RangeTestResult.from_repeats(results)
    if plan.confirm and len(result.lrs):
        result, measured = _confirm(result, trainee, seed=plan.seed, diverge_factor=plan.diverge_factor,
                                    progress=progress)
        cost += measured + int(sum(len(c) for runs in (result.confirm, result.confirm_long) if runs is not None
                                   for c in runs.curves))
    result.cost_steps = int(cost)
    return result


def short_runs(trainee: Trainee, lrs: Sequence[float], steps: int, *, seed: int | None, bar=None,
               diverge_factor: float | None = None, validate: bool = False,
               start: float | None = None, spike_steps: int = 1) -> tuple[list[np.ndarray], list[float]]:
    """Constant-LR runs of ``steps`` optimizer steps, each from the saved start (restored first).

    A run stops at its first non-finite loss and, with ``diverge_factor``, at the first loss
    above ``ref + (diverge_factor - 1) * |ref|`` (the probe's "explodes" rule: nothing after it
    can change that verdict), where ``ref`` is the run's first loss or, when larger, ``start``
    (the starting model's mean loss, ``lrscope.analysis.probe.probe_verdicts``); with
    ``spike_steps`` > 1, only once its loss has been above that limit so many steps in a row. With
    ``validate`` the run is then evaluated (NaN for a run that stopped early). Returns the loss
    curves and validation losses.
    """
    curves: list[np.ndarray] = []
    vals: list[float] = []
    for lr in lrs:
        trainee.begin(seed, "all")
        losses: list[float] = []
        limit = math.inf
        stopped = False
        for i in range(steps):
            loss, _ = trainee.step(float(lr))
            if bar is not None:
                bar.update(1)
            losses.append(loss)
            if not math.isfinite(loss):
                if i == 0:  # measured before any update: the data or the model, not the LR
                    raise RangeTestError(
                        f"the loss was {loss} at the very first step (lr={lr:.4g}), before the LR could "
                        "matter. Fix: check the data for NaN/inf, the loss function and the model's "
                        "initialisation.")
                stopped = True
            elif diverge_factor is not None:
                if i == 0:
                    limit = explosion_limit(loss, start, diverge_factor)
                else:   # the probe's rule on the latest losses (the first one lies below the limit)
                    stopped = explodes_at(losses[-spike_steps:], limit, spike_steps) is not None
            if stopped:
                if bar is not None:
                    bar.update(steps - i - 1)
                break
        curves.append(np.asarray(losses, dtype=float))
        if validate:
            vloss = None if stopped else trainee.evaluate()[0]
            vals.append(math.nan if vloss is None else vloss)
    return curves, vals


def _confirm(sweep, trainee: Trainee, *, seed: int | None, diverge_factor: float, progress: bool):
    """The confirmation stage: rounds of short runs chosen by the policy, then the longer runs
    (ranked by the validation loss when the trainee can evaluate); returns the result with them
    and the optimizer steps spent outside them: measuring the starting loss (0 when the sweep gave
    it) and, when every run exploded, the first look's runs (then the runs are made again, each
    exploding only when its loss stays above the limit ``SPIKE_STEPS`` steps in a row: one batch
    far above the rest is the data, not the LR; ``lrscope.analysis.probe.SPIKE_STEPS``)."""
    from .analysis import _policy as P
    from .analysis.probe import ProbeResult

    policy = P.DEFAULT_POLICY
    validate = bool(trainee.can_evaluate)
    bar = None
    start, measured = P.start_loss(sweep), 0
    if start is None:
        # the sweep's first steps were not at a negligible LR: the starting model's loss on the
        # runs' first batches, measured with steps at LR 0 (the weights do not move)
        (first,), _ = short_runs(trainee, [0.0], P.START_BATCHES, seed=seed)
        measured = len(first)
        finite = first[np.isfinite(first)]
        start = float(np.mean(finite)) if finite.size else None

    def runner(steps: int, spike_steps: int = 1):
        """A ``run(lrs)`` callback for one round length: trains the runs, returns all of its runs so far."""
        lrs: list[float] = []
        curves: list[np.ndarray] = []
        vals: list[float] = []

        def run(new_lrs):
            nonlocal bar
            if progress and bar is None:
                bar = _progress_bar(len(new_lrs) * steps, True)
                bar.set_description("lrscope confirmation runs")
            elif bar is not None:
                bar.total += len(new_lrs) * steps
                bar.refresh()
            c, vl = short_runs(trainee, new_lrs, steps, seed=seed, bar=bar, diverge_factor=diverge_factor,
                               validate=validate, start=start, spike_steps=spike_steps)
            lrs.extend(float(x) for x in new_lrs)
            curves.extend(c)
            vals.extend(vl)
            return ProbeResult(lrs=np.asarray(lrs), curves=tuple(curves), steps=steps, diverge_factor=diverge_factor,
                               val_losses=np.asarray(vals) if validate else None, start_loss=start,
                               spike_steps=spike_steps)

        return run

    def look(spike_steps: int):
        return P.confirm(policy, sweep, runner(P.run_steps(policy, sweep.budget_steps), spike_steps),
                         runner(P.long_run_steps(policy, sweep.budget_steps), spike_steps),
                         runner(P.slow_run_steps(policy, sweep.budget_steps), spike_steps))

    try:
        first = max(1, int(trainee.spike_steps))
        runs, long_runs = look(first)
        if first < SPIKE_STEPS and P.decide(policy, runs, long_runs).status == "exploded":
            measured += int(sum(len(c) for rnd in (runs, long_runs) if rnd is not None for c in rnd.curves))
            runs, long_runs = look(SPIKE_STEPS)
    finally:
        if bar is not None:
            bar.close()
    return sweep.with_confirmation(runs, long_runs), measured
