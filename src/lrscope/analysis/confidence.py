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
- ``slow_learner`` (medium): no run fell, the higher ones exploded; the answer sits below
  the lowest LR that exploded.
- ``edge`` (medium): the best run was the lowest LR tried, or the highest and nothing
  exploded: the optimum may lie beyond what was tried.
- ``never_diverged`` (medium): the sweep carried on past ``end_lr`` to its cap without
  diverging.
- ``extended`` (information only): the sweep carried on past ``end_lr`` and diverged there.
- ``sweep_disagrees`` (medium): the sweep's curve alone (``DEFAULT_RULES``) puts this use
  more than ``DISAGREE_DECADES`` from the confirmed answer.
"""

from __future__ import annotations

import dataclasses
import math

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

#: the cyclic base_lr with confirmation runs: max_lr / 4 (Smith 2017: a third to a quarter of max_lr)
CLR_BASE_DIVISOR = 4.0
#: the rule name of an answer from the confirmation runs' best run (``lrscope.analysis._policy``)
CONFIRMED_RULE = "confirmed"
#: the rule name of a slow learner's answer (below the lowest LR whose run exploded)
SLOW_RULE = "below_explosion"

LEVELS = ("high", "medium", "low")
LOW_REASONS = frozenset({"flat", "diverged_at_once", "no_answer", "suggesters_disagree", "repeats_disagree"})
#: reasons that inform without lowering the level
INFO_REASONS = frozenset({"extended"})
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
