"""Which rule answers which question, and how far to trust the answer.

``DEFAULT_RULES`` maps each use to the rule (or the ordered rules, first answer wins)
that gives it; the benchmark (``benchmarks/``) chooses them, so change them here and
only here. ``AGREEMENT`` lists, per use, the rules whose answers should lie within
``DISAGREE_DECADES`` decades of the answer given (``max |log10(x / answer)|``) for a
confident answer.

Curve-level checks (reason codes, each with its fix in the message):

- ``flat``: the smoothed loss moves less than ``FLAT_NOISE_RATIO`` x the per-step noise
  (or less than ``FLAT_RELATIVE`` of its level) over the whole sweep.
- ``diverged_at_once``: the loss never fell before it blew up (or only rose).
- ``too_short``: fewer than ``MIN_CURVE_POINTS`` usable steps.
- ``never_diverged``: the loss never rose after its minimum; max_lr is unknown.

Per-use reasons: ``suggesters_disagree``, ``repeats_disagree`` (the repeats' answers
span more than ``DISAGREE_DECADES``), ``no_answer`` (the rule returned None) and, for
the cyclic spec, ``unknown_epoch_length``.

With confirmation runs (``find_lr(confirm=True)``, the default) the answers come from them
(``lrscope.analysis._policy``) and the reasons are:

- ``flat`` (low): no run fell and none exploded; no answer.
- ``diverged_at_once`` (low): every run exploded, even after moving down; no answer.
- ``slow_learner`` (medium): no run fell, the higher ones exploded; longer runs below the
  explosion decide when one of them fell, else the answer sits below the lowest LR that exploded.
- ``no_run_learned`` (low): a slow learner in which the longer runs did not fall either: no
  run confirms the answer (on the fresh benchmark tasks such answers trained worst: a GRU under
  plain SGD learnt nothing at any constant LR).
- ``runs_tie`` (medium): every run that did not explode fell by about as much and kept about
  as much of its loss (the policy's ``tie`` rule), the higher ones exploded; the runs cannot
  rank the LRs and the answer sits below the lowest LR that exploded, as for a slow learner.
- ``edge`` (medium): the best run was the lowest LR tried, or the highest and nothing
  exploded: the optimum may lie beyond what was tried.
- ``never_diverged`` (medium): the sweep carried on past ``end_lr`` to its cap without
  diverging (then runs a decade apart locate the region first: ``_policy.locate``).
- ``extended`` (information only): the sweep carried on past ``end_lr`` and diverged there.
- ``lr_ignored`` (information only): good runs at different LRs gave the same losses to the last
  digit: above some LR the optimizer does not use it (torch's Adafactor caps its step at
  ``1 / sqrt(step)``); of runs that score the same, the lowest LR is taken.
- ``short_sweep`` (information only): the sweep diverged within ``MIN_CURVE_POINTS`` usable steps
  of its start, so its curve says little (no curve rule may answer) and the answers rest on the
  confirmation runs alone; lowering ``start_lr`` shows the whole curve.
- ``sweep_disagrees`` (medium): the sweep's curve alone (``DEFAULT_RULES``) puts this use
  more than ``DISAGREE_DECADES`` from the confirmed answer.
- ``adam_step`` (medium): an Adam-type optimizer (its step moves each weight by up to about
  the LR) was answered an LR of at least ``ADAM_STEP_LR``: only a network whose output ignores
  the scale of its weights trains there, and its short runs favour LRs that long training does not.
- ``early_spikes`` (information only): the optimizer accumulates squared gradients (Adagrad), so
  its first step moves every weight by about the LR and the loss of a good LR may jump far above
  the limit for a few steps before it falls; a run exploded only when its loss stayed above the
  limit ``probe.ACCUMULATOR_SPIKE_STEPS`` steps in a row.
- ``spiky_loss`` (medium): every run of a first look exploded, so the runs were made again, each
  exploding only when its loss stayed above the limit ``probe.SPIKE_STEPS`` steps in a row: the
  batch losses are heavy-tailed (gross outliers among the targets under MSE do this).
- ``small_fall`` (medium): the run the answers come from lowered the training loss by less than
  ``SMALL_FALL`` of its start: the runs barely moved, so they rank the LRs on small differences,
  and a network that learns late (flat for hundreds of steps, then a drop) can rank them very
  differently over a whole training.
- ``momentum_horizon`` (medium): the optimizer's momentum averages its updates over about
  ``1 / (1 - momentum)`` steps, and the longest runs were shorter than ``MOMENTUM_HORIZONS``
  times that (SGD with momentum 0.99 and the default runs of 50 and 100 steps): the runs cannot
  show what that momentum does over a long training, so the answers may be too high.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import _policy as P
from .probe import ACCUMULATOR_SPIKE_STEPS, EXPLODES, GOOD, SPIKE_STEPS
from .suggesters import loss_rise

#: the rule(s) behind each use when there are no confirmation runs (``find_lr(confirm=False)``,
#: or a result built from a curve alone); a tuple is tried in order and the first answer wins.
# loss_rise / 3 was chosen on six tasks (regret 0.034 there); on networks it was not chosen on it
# scored 0.52 (issue 9), which is why find_lr confirms by default (lrscope.analysis._policy and
# docs/benchmarks/generalization.md). A constant LR falls back to min_div10 when the loss never rose.
DEFAULT_RULES: dict[str, str | tuple[str, ...]] = {
    "lr": ("loss_rise_div3", "min_div10"),
    "one_cycle_max_lr": "loss_rise_div3",
    "clr_base": "loss_fall",
    "clr_max": "loss_rise",
}
#: rules whose answers are compared for each use
AGREEMENT: dict[str, tuple[str, ...]] = {
    # the answer is loss_rise / 3, so the independent check is the metric's plateau (the
    # LR where accuracy stops improving); steepest and min_div10 sit 1-3 decades lower by
    # construction on wide valleys, which is no sign of doubt
    "lr": ("loss_rise", "acc_plateau"),
    "one_cycle_max_lr": ("loss_rise", "acc_plateau"),
    "clr_base": ("loss_fall", "acc_rise"),
    "clr_max": ("loss_rise", "acc_plateau"),
}
#: a rule further than this many decades from the answer given (|log10(x/answer)|) disagrees
DISAGREE_DECADES = 1.0
#: flat: total movement of the smoothed loss below this multiple of the per-step noise
FLAT_NOISE_RATIO = 3.0
#: flat: ... or below this fraction of the loss level |s_0|
FLAT_RELATIVE = 1e-3
#: too_short: fewer usable (analysed) steps than this
MIN_CURVE_POINTS = 20
#: clr step_size when iterations_per_epoch is unknown (Smith 2017, CIFAR-10: 4 epochs of 500)
CLR_FALLBACK_STEP_SIZE = 2000
#: clr step_size in epochs: default and allowed range (Smith 2017: 2-10 epochs)
CLR_STEP_EPOCHS = 4
CLR_STEP_EPOCHS_RANGE = (2, 10)

#: momentum_horizon: the longest confirmation runs should last at least this many times the
#: momentum's averaging length ``1 / (1 - momentum)`` (after 3 of them the momentum buffer holds
#: 1 - e**-3 = 95% of its steady-state weight); a prior, not fitted: no suite task uses a
#: momentum above 0.9 (whose 30 steps every run exceeds)
MOMENTUM_HORIZONS = 3
#: adam_step: the optimizers whose step moves each weight by up to about the LR (``lr * m / sqrt(v)``,
#: or its sign), by class name (torch and Keras spellings)
ADAM_TYPE = frozenset({"Adam", "AdamW", "NAdam", "Nadam", "RAdam", "Adamax", "SparseAdam", "Lion"})
#: adam_step: a deciding run at or above this LR is flagged (a step of 1 per weight rewrites weights
#: initialised at ~1/sqrt(fan_in)); a prior, not fitted: no suite task's answer comes near it
ADAM_STEP_LR = 1.0
#: small_fall: the run the answers come from lowered the training loss by less than this fraction of
#: its start; a prior, not fitted: no answer on the suite rated "high" came from a run that fell
#: less than 10% (the smallest fell 10-20%, on 2 of 42 default calls)
SMALL_FALL = 0.1
#: the cyclic base_lr with confirmation runs: max_lr / 4 (Smith 2017: a third to a quarter of max_lr)
CLR_BASE_DIVISOR = 4.0
#: the rule name of an answer from the confirmation runs' best run (``lrscope.analysis._policy``)
CONFIRMED_RULE = "confirmed"
#: the rule name of a slow learner's answer (below the lowest LR whose run exploded)
SLOW_RULE = "below_explosion"

LEVELS = ("high", "medium", "low")
LOW_REASONS = frozenset({"flat", "diverged_at_once", "no_answer", "suggesters_disagree", "repeats_disagree",
                         "no_run_learned"})
#: reasons that inform without lowering the level
INFO_REASONS = frozenset({"extended", "lr_ignored", "short_sweep", "early_spikes"})
USES = ("lr", "one_cycle_max_lr", "clr_base", "clr_max")


@dataclasses.dataclass(frozen=True)
class Confidence:
    """A verdict: ``level`` ("high" | "medium" | "low"), reason codes and words with the fix."""

    level: str
    reasons: tuple[str, ...] = ()
    message: str = ""

    def to_dict(self) -> dict:
        return {"level": self.level, "reasons": list(self.reasons), "message": self.message}

    @classmethod
    def from_dict(cls, d: dict) -> "Confidence":
        return cls(d["level"], tuple(d.get("reasons", ())), d.get("message", ""))


def level_of(reasons) -> str:
    """"low" if any reason is in LOW_REASONS, "medium" if any other reason, else "high"."""
    reasons = tuple(r for r in reasons if r not in INFO_REASONS)
    if any(r in LOW_REASONS for r in reasons):
        return "low"
    return "medium" if reasons else "high"


def decades(values) -> float:
    """``log10(max/min)`` of the positive values given (0 for fewer than two)."""
    vals = [float(x) for x in values if x is not None and x > 0 and math.isfinite(x)]
    if len(vals) < 2:
        return 0.0
    return math.log10(max(vals) / min(vals))


def distance(answer, values) -> float:
    """How far, in decades, the values lie from the answer: ``max |log10(x / answer)|``.

    Without an answer, the span of the values (``decades``).
    """
    if answer is None or not answer > 0:
        return decades(values)
    vals = [float(x) for x in values if x is not None and x > 0 and math.isfinite(x)]
    return max((abs(math.log10(x / answer)) for x in vals), default=0.0)


def merge(verdicts) -> Confidence:
    """One verdict from several: the worst level, the reasons in order, the messages joined."""
    reasons: list[str] = []
    messages: list[str] = []
    level = "high"
    for c in verdicts:
        if LEVELS.index(c.level) > LEVELS.index(level):
            level = c.level
        for r in c.reasons:
            if r not in reasons:
                reasons.append(r)
        for part in c.message.split("\n"):
            if part and part not in messages and c.reasons:
                messages.append(part)
    if not reasons:
        messages = ["The loss falls, bottoms out and rises again, and the rules agree."]
    return Confidence(level, tuple(reasons), "\n".join(messages))



#: linear warm-up as a fraction of the run for adaptive optimizers (docs/benchmarks/warmup.md)
WARMUP_FRACTION = 0.05


def warmup_suggestion(optimizer: str | None, beta2: float | None, budget_steps: int | None) -> dict | None:
    """The warm-up to put before the constant LR (and, unchanged, before nothing else).

    Measured on four Adam-family tasks (``benchmarks/warmup.py``): at the best constant LR no
    warm-up length helped (5% of the run: within seed noise); at 3.2x that LR a warm-up of 5%
    of the run recovered about 0.01 of quality on average, and the untuned rule of
    ``2 / (1 - beta2)`` steps (Ma & Yarats, 2019), 2,000 steps for beta2 = 0.999, was longer
    than these runs and cost up to 0.08 at the best LR. So: 5% of the run, at most
    ``2 / (1 - beta2)`` steps, as cheap insurance; none for RAdam (it rectifies its early steps
    itself); no suggestion for optimizers without ``betas`` (not measured).

    Returns ``{"steps", "fraction", "max_steps", "rule", "one_cycle_steps", "one_cycle_rule"}``
    (``steps`` None when the run's length is unknown; ``one_cycle_steps`` is 0: a one-cycle
    schedule's first 30% already rises from ``max_lr / 25``, its own warm-up), or None.

    >>> warmup_suggestion("AdamW", 0.999, 1000)["steps"], warmup_suggestion("AdamW", 0.999, 10**6)["steps"]
    (50, 2000)
    >>> warmup_suggestion("Adam", 0.99, None)["max_steps"], warmup_suggestion("SGD", None, 1000)
    (200, None)
    """
    if beta2 is None:
        return None
    one_cycle = {"one_cycle_steps": 0,
                 "one_cycle_rule": "none extra: the first 30% of one-cycle rises from max_lr/25 (its own warm-up)"}
    if optimizer == "RAdam":
        return {"steps": 0, "fraction": 0.0, "max_steps": 0,
                "rule": "none: RAdam rectifies the variance of its early steps itself", **one_cycle}
    cap = int(round(2.0 / (1.0 - float(beta2)))) if float(beta2) < 1.0 else None
    steps = None
    if budget_steps is not None:
        steps = int(round(WARMUP_FRACTION * budget_steps))
        if cap is not None:
            steps = min(steps, cap)
    rule = (f"linear warm-up over {WARMUP_FRACTION:.0%} of the run" +
            (f", at most 2/(1-beta2) = {cap} steps" if cap is not None else "") +
            " (measured: no loss at the suggested LR, a gain at a higher one; docs/benchmarks/warmup.md)")
    return {"steps": steps, "fraction": WARMUP_FRACTION, "max_steps": cap, "rule": rule, **one_cycle}


USE_LABEL = {"lr": "the constant lr", "one_cycle_max_lr": "the one-cycle max_lr",
             "clr_base": "the cyclic base_lr", "clr_max": "the cyclic max_lr"}


# --------------------------------------------------------------------------- the verdict policy
# Functions of a RangeTestResult ``r`` (its record, curve, confirmation choice and answers).


def curve_checks(r) -> list[tuple[str, str]]:
    """Reason codes and messages from the sweep's curve (the checks listed above)."""
    curve = r._curve
    out: list[tuple[str, str]] = []
    stopped = r.stop_reason != "completed"
    k = len(curve)
    if k >= 3:
        tol = max(FLAT_NOISE_RATIO * curve.noise, FLAT_RELATIVE * abs(curve.start_loss), 1e-12)
        fell = curve.drop > tol
        rose = curve.max_loss > curve.start_loss + tol
    else:
        fell = rose = False
    if not fell:
        if stopped or rose:
            out.append(("diverged_at_once",
                        f"The loss never fell before it rose ({r.stop_message or r.stop_reason}): "
                        f"lower the start, e.g. start_lr={r.start_lr / 100:.3g}."))
        else:
            out.append(("flat",
                        f"The loss barely moves between lr={r.start_lr:.3g} and lr={r.end_lr:.3g} "
                        f"(fall {curve.drop:.3g}, noise {curve.noise:.3g} per step): check that the model can "
                        f"learn (labels, loss, frozen layers), or widen the range, e.g. end_lr={r.end_lr * 100:.3g}."))
    if k < MIN_CURVE_POINTS:
        out.append(("too_short",
                    f"Only {k} usable steps (fewer than {MIN_CURVE_POINTS}): raise num_steps, "
                    f"e.g. num_steps={max(2 * int(r.num_steps), 100)}"
                    + (", or lower start_lr if it stopped early." if stopped else ".")))
    if fell and loss_rise(curve) is None:
        out.append(("never_diverged",
                    "The loss never rose after its minimum, so the largest usable LR is unknown: "
                    f"widen the range, e.g. end_lr={r.end_lr * 100:.3g}."))
    return out


def identical_runs(*probes) -> list[float]:
    """The LRs of the largest group (at least 2) of good runs (they fell, neither too slowly nor
    exploding: runs that could decide), at different LRs, whose losses were the same to the last
    digit (an optimizer that does not use the LR there), lowest first; [] when none.

    >>> from lrscope.analysis.probe import ProbeResult
    >>> same, other = np.array([1.0, 0.5, 0.25]), np.array([1.0, 0.6, 0.4])
    >>> identical_runs(ProbeResult(lrs=np.array([10.0, 1.0, 0.1]), curves=(same, same, other), steps=3))
    [1.0, 10.0]
    """
    groups: list[tuple[np.ndarray, set[float]]] = []
    for probe in probes:
        if probe is None:
            continue
        # the verdicts and drops the ProbeResult worked out when it was made
        for lr, curve, verdict, drop in zip(probe.lrs, probe.curves, probe.verdicts.values(), probe.drops):
            if verdict != GOOD or not drop > P.FLAT_DROP:
                continue
            curve = np.asarray(curve, dtype=float)
            for seen, lrs in groups:
                if seen.shape == curve.shape and np.array_equal(seen, curve):
                    lrs.add(float(lr))
                    break
            else:
                groups.append((curve, {float(lr)}))
    best = max((lrs for _, lrs in groups), key=len, default=set())
    return sorted(best) if len(best) >= 2 else []


def _deciding_fall(r) -> float | None:
    """The training-loss fall (a fraction of its start) of the run the answers come from: the longer
    run at the decided LR, else the first-round run there; None when no run was at that LR."""
    for rnd in (r.confirm_long, r.confirm):
        if rnd is None:
            continue
        for lr, drop in zip(rnd.lrs, rnd.drops):
            if P.grid_index(lr) == r._decision.k and math.isfinite(float(drop)):
                return float(drop)
    return None


def confirm_checks(r) -> list[tuple[str, str]]:
    """Reason codes and messages from the confirmation runs (see ``confidence``)."""
    runs, ch = r.confirm, r._choice
    out: list[tuple[str, str]] = []
    ks = [P.grid_index(x) for x in runs.lrs]
    tried = (f"{len(runs.lrs)} confirmation runs of {runs.steps} steps at LRs from {min(runs.lrs):.3g} "
             f"to {max(runs.lrs):.3g}")
    exploded = [lr for lr, said in zip(runs.lrs, ch.verdicts) if said == EXPLODES]
    if ch.status == "flat":
        out.append(("flat", f"Neither the sweep nor {tried} moved the loss (no run fell by more than "
                            f"{P.FLAT_DROP:.0%} of its start, none exploded): check that the model can learn "
                            "(labels, loss, frozen layers, a detached loss)."))
    elif ch.status == "exploded":
        out.append(("diverged_at_once", f"All {tried} exploded: even {min(runs.lrs):.3g} is too large for this "
                                        "model, or the loss is unstable from the start. Check the data and the "
                                        f"loss, or lower the range, e.g. start_lr={r.start_lr / 1000:.3g}."))
    elif ch.status == "slow":
        low = min(exploded)
        where = (f"so the answer sits {-r._offsets.slow / P.GRID_PER_DECADE:.1f} decades below the lowest LR that "
                 "exploded. Pass budget_steps= (longer runs) to rank them.")
        falls = [float(d) for d, said in zip(runs.drops, ch.verdicts) if said != EXPLODES]
        long = r.confirm_long
        if ch.tie:    # the tie rule: they all fell, by about as much
            out.append(("runs_tie", f"The runs cannot rank the LRs: every run that did not explode fell by about "
                                    f"as much ({min(falls):.1%} to {max(falls):.1%} of its start in {runs.steps} "
                                    f"steps) and kept about as much of it ({1 - max(falls):.1%} to "
                                    f"{1 - min(falls):.1%}), while the runs from lr={low:.3g} up exploded; {where}"))
        elif long is not None and r._decision.status == "ok":
            out.append(("slow_learner", f"A slow learner: no run's loss fell by more than {P.FLAT_DROP:.0%} in "
                                        f"{runs.steps} steps, while the runs from lr={low:.3g} up exploded. Of "
                                        f"{len(long.lrs)} longer runs ({long.steps} steps) below the explosion, "
                                        f"lr={P.grid_lr(r._decision.k):.3g} fell most: the answers come from it."))
        else:
            longer = ("" if long is None else
                      f" (nor did any of {len(long.lrs)} longer runs of {long.steps} steps below the explosion)")
            out.append(("slow_learner", f"A slow learner: no run's loss fell by more than {P.FLAT_DROP:.0%} in "
                                        f"{runs.steps} steps{longer}, while the runs from lr={low:.3g} up exploded. "
                                        f"Short runs cannot rank the LRs, {where}"))
            longest = runs.steps if long is None else max(runs.steps, long.steps)
            out.append(("no_run_learned", f"No run learned anything: the answer is not confirmed by any run, only "
                                          f"placed below the explosion. This network may not learn at a constant LR "
                                          f"in {longest} steps: check with a short training run at the answer before "
                                          "a long one, and if the loss stays put try a warm-up or a one-cycle "
                                          "schedule, or an adaptive optimizer (e.g. Adam)."))
    else:
        good = [k for k, said in zip(ks, ch.verdicts) if said != EXPLODES]
        long, n_before = r.confirm_long, len(out)
        if long is not None:
            low = min(P.grid_index(x) for x in long.lrs)
            k = r._decision.k
            if k <= low:
                out.append(("edge", f"Of the {len(long.lrs)} longer runs ({long.steps} steps) below the best short "
                                    f"run, the lowest LR ({P.grid_lr(low):.3g}) did best"
                                    + ("" if k == low else " or all exploded")
                                    + ": a lower LR may be better still, so the answers may be too high."))
        elif ch.k == min(ks):
            out.append(("edge", f"The best of {tried} was the lowest LR tried ({P.grid_lr(ch.k):.3g}): a lower LR "
                                "may be better still, so the answers may be too high."))
        if len(out) == n_before and ch.k == max(good) and not exploded:
            out.append(("edge", f"The best of {tried} was the highest LR tried ({P.grid_lr(ch.k):.3g}) and none "
                                "exploded: a higher LR may be better still, so the answers may be too low."))
    spikes = getattr(runs, "spike_steps", 1)
    if spikes == ACCUMULATOR_SPIKE_STEPS:
        out.append(("early_spikes", "The optimizer accumulates squared gradients (Adagrad): its first step moves every "
                                    "weight by about the LR, so at a good LR the loss can jump far above the rest for "
                                    "a few steps and then fall below where lower LRs get. A confirmation run counted "
                                    f"as exploded only when its loss stayed above the limit {spikes} steps in a row."))
    elif spikes == SPIKE_STEPS:
        out.append(("spiky_loss", "Every confirmation run of a first look exploded, down to the lowest LR tried, as "
                                  "happens when single batches' losses lie far above the rest. "
                                  f"The runs were made again, each exploding only when its loss stayed above the limit "
                                  f"{runs.spike_steps} steps in a row. Heavy-tailed batch losses (gross outliers among "
                                  "the targets under MSE do this) make every LR look worse than it is: a robust loss "
                                  "(e.g. torch.nn.HuberLoss) or cleaned targets make the test, and the training, more "
                                  "reliable."))
    decided = r._decision
    fall = _deciding_fall(r) if ch.status == "ok" and decided.status == "ok" else None
    if fall is not None and fall < SMALL_FALL:
        moved = (f"lowered the training loss by only {fall:.1%} of its start" if fall > 0 else
                 f"did not lower the training loss (it ended {-fall:.1%} above its start)")
        out.append(("small_fall", f"The run the answers come from (lr={P.grid_lr(decided.k):.3g}) {moved}: the runs "
                                  "barely moved, so they rank the LRs on small differences, and a network that learns "
                                  "late (flat for hundreds of steps, then a drop) can rank them very differently over "
                                  "a whole training. Check a short training at the answer, or pass budget_steps= for "
                                  "runs fitted to the plan."))
    if r.optimizer in ADAM_TYPE and decided.status == "ok" and P.grid_lr(decided.k) >= ADAM_STEP_LR:
        out.append(("adam_step",
                    f"An {r.optimizer} step moves each weight by up to about the LR, here "
                    f"{P.grid_lr(decided.k):.3g}, more than the size of typical weights: only a network whose output "
                    "ignores the scale of its weights (normalised features or class weights, as in a cosine or "
                    "CosFace classifier) trains there, and its short runs favour huge LRs that a long training does "
                    "not (on a benchmark CosFace network under AdamW the runs chose 5 to 15, while every LR from "
                    "3e-4 to 0.3 trained well and those from 3 up did not). Check a short training at a 100x lower "
                    "LR."))
    if ch.status in ("ok", "slow") and r.momentum is not None:
        longest = max(runs.steps, 0 if r.confirm_long is None else r.confirm_long.steps)
        horizon = 1.0 / (1.0 - r.momentum)
        if longest < MOMENTUM_HORIZONS * horizon:
            out.append(("momentum_horizon",
                        f"The optimizer's momentum ({r.momentum:g}) averages its updates over about {horizon:.0f} "
                        f"steps, and the longest runs lasted {longest} steps, less than {MOMENTUM_HORIZONS} times "
                        "that: they cannot show what this momentum does over a long training at these LRs (on a "
                        "benchmark network under SGD with momentum 0.99, one seed's answer from 50- and 100-step "
                        "runs was 3x the best constant LR). The answers may be too high: pass budget_steps= for "
                        "longer runs, or compare with a short training at a third of the LR."))
    same = identical_runs(runs, r.confirm_long)
    if same:
        out.append(("lr_ignored", f"The runs at LRs from {same[0]:.3g} to {same[-1]:.3g} gave the same losses to the "
                                  "last digit: there the optimizer does not use the LR (torch's Adafactor, for one, "
                                  "caps its step at 1/sqrt(step)), so a higher LR changes nothing there; of runs that "
                                  "score the same, the lowest LR is taken."))
    k = len(r._curve)
    if r.stop_reason != "completed" and k < MIN_CURVE_POINTS:
        lowest = min(float(np.min(p.lrs)) for p in (runs, r.confirm_long) if p is not None)
        out.append(("short_sweep", f"The sweep stopped after {k} usable steps ({r.stop_reason} at "
                                   f"lr={r.lrs[-1]:.3g}), so close to its start (start_lr={r.start_lr:.3g}) that its "
                                   "curve says little: the answers rest on the confirmation runs alone, which looked "
                                   f"down to lr={lowest:.3g}. To see the whole curve, lower the start, e.g. "
                                   f"start_lr={r.start_lr / 1000:.3g}."))
    if r.extended:
        if r.stop_reason == "completed":
            out.append(("never_diverged", f"The loss had not diverged by end_lr={r.end_lr:.3g}; the sweep carried "
                                          f"on to {r.lrs[-1]:.3g} (end_lr x 10**{r.extend_decades:g}) and still "
                                          "did not, so the top of the usable range is unknown. Runs a decade apart, "
                                          "from there down, located the LRs whose loss falls most, and the answers "
                                          "come from runs there. A loss that never diverges is often bounded (e.g. "
                                          "a contrastive or cosine loss on normalised outputs): check a short "
                                          "training at the answer."))
        else:
            out.append(("extended", f"The loss had not diverged by end_lr={r.end_lr:.3g}, so the sweep carried "
                                    f"on at the same rate and stopped at lr={r.lrs[-1]:.3g} "
                                    f"({r.stop_reason})."))
    return out


def _confirmed_verdict(r, use: str) -> Confidence:
    value, used, _ = r._pick(use)
    reasons = [code for code, _ in r._confirm_checks]
    msgs = [msg for _, msg in r._confirm_checks]
    if value is None and "no_answer" not in reasons:
        reasons.append("no_answer")
        msgs.append(f"No answer for {USE_LABEL[use]}.")
    if value is not None and r._decision.status == "ok":
        sweep_only = r.suggest_for(use, DEFAULT_RULES[use])
        d = distance(value, [sweep_only])
        if sweep_only is not None and d > DISAGREE_DECADES:
            reasons.append("sweep_disagrees")
            msgs.append(f"For {USE_LABEL[use]} the sweep's curve alone says {sweep_only:.2g} "
                        f"({'/'.join(DEFAULT_RULES[use]) if isinstance(DEFAULT_RULES[use], tuple) else DEFAULT_RULES[use]}), "
                        f"{d:.1f} decades from the confirmed {value:.2g}: read the plot.")
    return Confidence(level_of(reasons), tuple(reasons), "\n".join(msgs))


def verdict(r, use: str) -> Confidence:
    """The verdict on one use's answer ("lr", "one_cycle_max_lr", "clr_base", "clr_max") of a result."""
    if r.confirm is not None:
        return _confirmed_verdict(r, use)
    value, used, rules = r._pick(use)
    reasons: list[str] = []
    msgs: list[str] = []
    relevant = {"flat", "diverged_at_once", "too_short"}
    if use != "lr":
        relevant.add("never_diverged")
    for code, msg in r._curve_checks:
        if code in relevant:
            reasons.append(code)
            msgs.append(msg)
    if value is None:
        reasons.append("no_answer")
        why = " (no metric was recorded)" if all(name.startswith("acc_") for name in rules) and r._curve.metric is None else ""
        msgs.append(f"No rule answered for {USE_LABEL[use]} ({', '.join(rules)}){why}.")
    sugg = r.suggestions
    group = {name: sugg[name] for name in AGREEMENT[use] if sugg.get(name) is not None}
    d = distance(value, group.values())
    if d > DISAGREE_DECADES:
        reasons.append("suggesters_disagree")
        listed = ", ".join(f"{n}={x:.2g}" for n, x in group.items())
        msgs.append(f"For {USE_LABEL[use]} the rules lie up to {d:.1f} decades from the answer ({listed}): the curve has no "
                    "clear shape; " + ("use more steps or a larger batch" if r.repeats else
                                       "run with repeats=3 or more steps") + " and read the plot.")
    if r.repeats and used is not None:
        sp = r.spread.get(used)
        if sp is not None and decades(sp) > DISAGREE_DECADES:
            reasons.append("repeats_disagree")
            msgs.append(f"The {len(r.repeats)} repeats put {USE_LABEL[use]} ({used}) between {sp[0]:.2g} "
                        f"and {sp[1]:.2g}: the curve is noisy; use more steps or a larger batch.")
    return Confidence(level_of(reasons), tuple(reasons), "\n".join(msgs))


def verdicts(r) -> dict[str, Confidence]:
    """Per-use verdicts of a RangeTestResult: "lr", "one_cycle_max_lr" and "clr" (base and max together)."""
    out = {"lr": verdict(r, "lr"), "one_cycle_max_lr": verdict(r, "one_cycle_max_lr")}
    clr = merge([verdict(r, "clr_base"), verdict(r, "clr_max")])
    reasons, msgs = list(clr.reasons), [m for m in clr.message.split("\n") if m and clr.reasons]
    base, peak = r.suggest_for("clr_base"), r.suggest_for("clr_max")
    if base is not None and peak is not None and not peak > base:
        reasons.append("no_answer")
        msgs.append(f"The cyclic base_lr ({base:.2g}) is not below its max_lr ({peak:.2g}).")
    if r.iterations_per_epoch is None and r.budget_steps is None:
        reasons.append("unknown_epoch_length")
        msgs.append(f"The epoch length is unknown, so step_size is {CLR_FALLBACK_STEP_SIZE} steps: pass "
                    "iterations_per_epoch (or use result.clr_spec(iterations_per_epoch=...)) for 4 epochs.")
    out["clr"] = Confidence(level_of(reasons), tuple(reasons), "\n".join(msgs))
    return out
