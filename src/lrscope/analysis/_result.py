"""RangeTestResult: the plain record of one LR range test (numpy only).

The runner (lrscope.runner / adapters.torch_range_test) fills the fields;
everything derived (suggestions, confidence, schedule specs, plots, JSON) is
computed from them, lazily, and cached: treat a result as read-only.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np

from .._json import strict

from .. import _validate as v
from ..errors import InvalidArgumentError
from . import _policy as P
from . import confidence as C
from ._curve import SMOOTH_FRACTION, Curve, prepare_curve
from .probe import ProbeResult
from .suggesters import SUGGESTERS

FORMAT = "lrscope.range_test/1"
#: (accepts(optimizer), apply(optimizer, spec)) pairs registered by the framework adapters
#: (``lrscope.adapters.torch_scheduler``), so that ``RangeTestResult.apply`` needs no framework
APPLIERS: list[tuple[Any, Any]] = []



@dataclasses.dataclass(frozen=True)
class Answer:
    """One use's answer, with the rule that gave it and the verdict on it.

    Args:
        use: "lr" (a constant LR), "one_cycle_max_lr" (the peak of one-cycle) or "clr"
            (the cyclical band).
        value: the LR (a float), the cyclical spec (a dict, for "clr"), or None when no
            rule could answer (the verdict says why).
        rule: the rule that gave it: "confirmed" (the confirmation runs), "below_explosion"
            (a slow learner), or a suggester's name; for "clr" "base_rule/max_rule".
        verdict: the :class:`~lrscope.analysis.Confidence` (level, reasons, fixes).
    """

    use: str
    value: float | dict | None
    rule: str | None
    verdict: "C.Confidence"


@dataclasses.dataclass(eq=False, repr=False)
class RangeTestResult:
    """What one range-test sweep recorded.

    Args:
        lrs: (n,) LR of the first parameter group at each step taken.
        losses: (n,) raw training loss of each step.
        smoothed: (n,) debiased exponential moving average of ``losses``.
        group_lrs: (n, groups) LR of every parameter group at each step.
        mode: "exp" (geometric sweep) or "linear".
        start_lr, end_lr: the planned ends of the sweep (first group's LR).
        num_steps: the planned number of steps (n <= num_steps when stopped early).
        stop_reason: "completed", "diverged" or "non-finite".
        stop_message: the reason in words, e.g. "smoothed loss 4.1x above its best at lr=3.2".
        smoothing: the EMA factor used (0 means no smoothing).
        diverge_factor: the divergence threshold used.
        metric: (n,) optional per-step training metric (higher is better), else None.
        metric_name: its label, e.g. "accuracy".
        val_steps: (m,) step indices at which validation ran, else None.
        val_losses: (m,) validation loss at those steps, else None.
        val_metric: (m,) validation metric at those steps, else None.
        iterations_per_epoch: batches per epoch of the train loader, if known.
        repeats: the individual sweeps when the test was repeated (repeats > 1).
        task_name: a label for reports.
        budget_steps: the planned training length in optimizer steps, if the user gave it.
        extend_decades: how far past ``end_lr`` the sweep was allowed to carry on (decades).
        confirm: the confirmation runs (a ProbeResult), or None when there were none.
        confirm_long: the second round's longer runs (a ProbeResult), or None when there
            were none.
        cost_steps: every optimizer step the test took (sweeps and confirmation runs), or
            None when unknown (then ``len(lrs)``).
        optimizer: the optimizer's class name (e.g. "AdamW"), for reports.
        beta2: the optimizer's second-moment decay (Adam's ``betas[1]``), or None.
        momentum: the optimizer's first-moment decay (SGD's ``momentum``, Adam's ``betas[0]``),
            or None when it has none: a run much shorter than ``1 / (1 - momentum)`` steps cannot
            show what that momentum does at an LR (the verdict's ``momentum_horizon``).
        world_size: the number of processes the test ran across (``torch.distributed``: the
            loss of every step is their mean), 1 for one process.
        batch_size: examples per optimizer step over all processes (the global batch), if
            known: an LR found at one batch size does not carry over to another.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    group_lrs: np.ndarray
    mode: str
    start_lr: float
    end_lr: float
    num_steps: int
    stop_reason: str
    stop_message: str
    smoothing: float
    diverge_factor: float
    metric: np.ndarray | None = None
    metric_name: str | None = None
    val_steps: np.ndarray | None = None
    val_losses: np.ndarray | None = None
    val_metric: np.ndarray | None = None
    iterations_per_epoch: int | None = None
    repeats: tuple["RangeTestResult", ...] = ()
    task_name: str | None = None
    budget_steps: int | None = None
    extend_decades: float = 0.0
    confirm: ProbeResult | None = None
    confirm_long: ProbeResult | None = None
    cost_steps: int | None = None
    optimizer: str | None = None
    beta2: float | None = None
    momentum: float | None = None
    world_size: int = 1
    batch_size: int | None = None

    # ------------------------------------------------------------------ checks
    def __post_init__(self):
        self.lrs = np.asarray(self.lrs, dtype=float).ravel()
        self.losses = np.asarray(self.losses, dtype=float).ravel()
        self.smoothed = np.asarray(self.smoothed, dtype=float).ravel()
        self.group_lrs = np.asarray(self.group_lrs, dtype=float)
        if self.group_lrs.ndim == 1:
            self.group_lrs = self.group_lrs.reshape(-1, 1)
        n = self.lrs.size
        for name in ("losses", "smoothed"):
            if getattr(self, name).size != n:
                raise InvalidArgumentError(name, f"len({name})={getattr(self, name).size}, len(lrs)={n}",
                                           "must have one value per step, like `lrs`", "pass arrays of equal length.")
        if self.group_lrs.shape[0] != n:
            raise InvalidArgumentError("group_lrs", f"shape={self.group_lrs.shape}, len(lrs)={n}",
                                       "must have one row per step", "pass an (n, groups) array.")
        v.choice("mode", self.mode, ("exp", "linear"))
        for name in ("metric",):
            arr = getattr(self, name)
            if arr is not None:
                arr = np.asarray(arr, dtype=float).ravel()
                if arr.size != n:
                    raise InvalidArgumentError(name, f"len({name})={arr.size}, len(lrs)={n}",
                                               "must have one value per step, like `lrs`", "pass arrays of equal length.")
                setattr(self, name, arr)
        for name in ("val_steps", "val_losses", "val_metric"):
            arr = getattr(self, name)
            if arr is not None:
                setattr(self, name, np.asarray(arr, dtype=int if name == "val_steps" else float).ravel())
        self.repeats = tuple(self.repeats)
        if self.budget_steps is not None:
            self.budget_steps = v.integer("budget_steps", self.budget_steps, minimum=2)
        for name in ("confirm", "confirm_long"):
            runs = getattr(self, name)
            if runs is not None and not isinstance(runs, ProbeResult):
                raise InvalidArgumentError(name, type(runs).__name__, "must be a ProbeResult or None",
                                           "pass the confirmation runs' ProbeResult.")
        if self.confirm_long is not None and self.confirm is None:
            raise InvalidArgumentError("confirm_long", "a ProbeResult", "needs the first round's runs in `confirm`",
                                       "pass confirm= as well, or leave confirm_long None.")
        if self.cost_steps is None:
            self.cost_steps = int(self.lrs.size)
        self.world_size = v.integer("world_size", self.world_size, minimum=1)
        if self.batch_size is not None:
            self.batch_size = v.integer("batch_size", self.batch_size, minimum=1)

    def with_confirmation(self, runs: ProbeResult, long_runs: ProbeResult | None = None) -> "RangeTestResult":
        """A copy of this sweep's result that answers from the confirmation runs ``runs`` (and
        the second round's longer runs ``long_runs``, if any)."""
        return dataclasses.replace(self, confirm=runs, confirm_long=long_runs, cost_steps=None)

    @property
    def extended(self) -> bool:
        """True when the sweep carried on past ``end_lr`` (it had not diverged by then)."""
        return bool(self.lrs.size) and float(self.lrs[-1]) > self.end_lr * (1.0 + 1e-9)

    @functools.cached_property
    def _choice(self) -> "P.Choice | None":
        return None if self.confirm is None else P.choose(P.DEFAULT_POLICY, self.confirm)

    @functools.cached_property
    def _long_choice(self) -> "P.Choice | None":
        return None if self.confirm_long is None else P.choose(P.DEFAULT_POLICY, self.confirm_long, tie=False)

    @functools.cached_property
    def _run_rows(self) -> list[tuple[int, float, str, float, str, bool]]:
        """Every confirmation run for display: ``(steps, lr, verdict, score, ranked by, best)``, the
        first rounds' runs then the longer ones, each by falling LR; ``best`` marks the run the
        answers come from."""
        rows = []
        dec = self._decision
        rounds = [(self.confirm, self._choice), (self.confirm_long, self._long_choice)]
        deciding = self.confirm_long if self.confirm_long is not None else self.confirm
        for runs, ch in rounds:
            if runs is None:
                continue
            for i in np.argsort(runs.lrs)[::-1]:
                lr = float(runs.lrs[i])
                best = runs is deciding and dec.status == "ok" and P.grid_index(lr) == dec.k
                rows.append((int(runs.steps), lr, ch.verdicts[i], float(ch.scores[i]), ch.by, best))
        return rows

    @property
    def warmup(self) -> dict | None:
        """The warm-up to put before the constant LR, for Adam-family optimizers
        (``confidence.warmup_suggestion``: ``{"steps", "fraction", "max_steps", "rule"}``), or
        None. One-cycle needs none extra: its first 30% rises from ``max_lr / 25``."""
        return C.warmup_suggestion(self.optimizer, self.beta2, self.budget_steps)

    @property
    def _group_note(self) -> str | None:
        """With several parameter groups: which group the LRs shown are, and the others' ratios."""
        if self.group_lrs.ndim != 2 or self.group_lrs.shape[1] < 2 or not self.group_lrs.size:
            return None
        ratios = ", ".join(f"{x:.3g}" for x in self.group_lrs[0] / self.group_lrs[0, 0])
        return (f"parameter groups: {self.group_lrs.shape[1]}; every LR shown is group 0's, the groups keep their "
                f"ratios {ratios} (result.apply and ScheduleLR keep them too)")

    def _runs_said(self) -> str:
        """The confirmation runs in words, e.g. "4 runs of 50 steps, then 2 of 100 steps"."""
        said = f"{len(self.confirm.lrs)} runs of {self.confirm.steps} steps"
        if self.confirm_long is not None:
            said += f", then {len(self.confirm_long.lrs)} of {self.confirm_long.steps} steps"
        return said

    @functools.cached_property
    def _decision(self) -> "P.Choice | None":
        """The choice the answers come from (the longer runs' when there were any)."""
        return None if self.confirm is None else P.decide(P.DEFAULT_POLICY, self.confirm, self.confirm_long)

    @property
    def _offsets(self) -> "P.Offsets":
        return P.DEFAULT_POLICY.offsets_for(self.budget_steps is not None)

    @functools.cached_property
    def _confirmed(self) -> dict[str, float | None] | None:
        if self.confirm is None:
            return None
        ans = P.answers(P.DEFAULT_POLICY, self.confirm, self.budget_steps, self.confirm_long)
        peak = ans["clr_max"]
        ans["clr_base"] = None if peak is None else peak / C.CLR_BASE_DIVISOR
        return ans

    # ------------------------------------------------------------ the analysis
    def curve(self, *, skip_start: int | None = None, smooth_fraction: float | None = SMOOTH_FRACTION) -> Curve:
        """The analysed curve the rules read (see ``lrscope.analysis.prepare_curve``)."""
        if skip_start is None and smooth_fraction == SMOOTH_FRACTION:
            return self._curve
        return prepare_curve(self, skip_start=skip_start, smooth_fraction=smooth_fraction)

    @functools.cached_property
    def _curve(self) -> Curve:
        return prepare_curve(self)

    @functools.cached_property
    def _own_suggestions(self) -> dict[str, float | None]:
        curve = self._curve
        return {name: rule(curve) for name, rule in SUGGESTERS.items()}

    @property
    def suggestions(self) -> dict[str, float | None]:
        """Every registered suggester's LR (None where a rule cannot answer).

        For a combined result (``from_repeats``) each value is the median over the
        repeats that answered (in log space), None when fewer than half answered.
        """
        if not self.repeats:
            return dict(self._own_suggestions)
        out = {}
        for name in SUGGESTERS:
            vals = [r.suggestions.get(name) for r in self.repeats]
            got = [x for x in vals if x is not None]
            out[name] = float(10 ** np.median(np.log10(got))) if got and 2 * len(got) >= len(vals) else None
        return out

    @property
    def spread(self) -> dict[str, tuple[float, float] | None]:
        """(lowest, highest) answer of each suggester over the repeats; None without repeats."""
        out: dict[str, tuple[float, float] | None] = {}
        for name in SUGGESTERS:
            got = [r.suggestions.get(name) for r in self.repeats]
            got = [x for x in got if x is not None]
            out[name] = (min(got), max(got)) if got else None
        return out

    def suggest(self, rule: str) -> float | None:
        """One suggester's LR by name (``lrscope.analysis.SUGGESTERS``)."""
        v.choice("rule", rule, SUGGESTERS)
        return self.suggestions[rule]

    def _pick(self, use: str, rule=None) -> tuple[float | None, str | None, tuple[str, ...]]:
        v.choice("use", use, C.USES)
        if rule is None and self._confirmed is not None:
            name = C.CONFIRMED_RULE if self._decision.status == "ok" else C.SLOW_RULE
            value = self._confirmed[use]
            return value, (name if value is not None else None), (name,)
        rules = C.DEFAULT_RULES[use] if rule is None else rule
        rules = (rules,) if isinstance(rules, str) else tuple(rules)
        if not rules:
            raise InvalidArgumentError("rule", rule, "must name at least one suggester", f"pick from {list(SUGGESTERS)}.")
        for name in rules:
            v.choice("rule", name, SUGGESTERS)
        sugg = self.suggestions
        for name in rules:
            if sugg[name] is not None:
                return sugg[name], name, rules
        return None, None, rules

    def suggest_for(self, use: str, rule: str | tuple[str, ...] | None = None) -> float | None:
        """The LR for one use: "lr", "one_cycle_max_lr", "clr_base" or "clr_max".

        Args:
            use: the question.
            rule: a suggester name or an ordered tuple of names (first answer wins);
                None uses ``lrscope.analysis.DEFAULT_RULES[use]``.
        """
        return self._pick(use, rule)[0]

    @property
    def answers(self) -> dict[str, Answer]:
        """The answer per use ("lr", "one_cycle_max_lr", "clr"), each with its rule and verdict."""
        verdicts = self.verdicts
        clr_rules = (self._pick("clr_base")[1], self._pick("clr_max")[1])
        return {
            "lr": Answer("lr", self.lr, self._pick("lr")[1], verdicts["lr"]),
            "one_cycle_max_lr": Answer("one_cycle_max_lr", self.one_cycle_max_lr, self._pick("one_cycle_max_lr")[1],
                                       verdicts["one_cycle_max_lr"]),
            "clr": Answer("clr", self.clr, None if None in clr_rules else "/".join(clr_rules), verdicts["clr"]),
        }

    @property
    def lr(self) -> float | None:
        """A safe constant LR (rule ``DEFAULT_RULES["lr"]``); see ``verdicts["lr"]``."""
        return self.suggest_for("lr")

    @property
    def one_cycle_max_lr(self) -> float | None:
        """The peak LR for one-cycle or warmup-then-decay (``DEFAULT_RULES["one_cycle_max_lr"]``)."""
        return self.suggest_for("one_cycle_max_lr")

    @property
    def clr(self) -> dict | None:
        """A cyclical schedule spec ``{"kind": "cyclic", "base_lr", "max_lr", "step_size"}`` or None.

        step_size is 4 epochs (``CLR_STEP_EPOCHS`` x ``iterations_per_epoch``); when the
        epoch length is unknown it is ``CLR_FALLBACK_STEP_SIZE`` steps (verdict reason
        ``unknown_epoch_length``).
        """
        return self.clr_spec()

    def clr_spec(self, step_size_epochs: float = C.CLR_STEP_EPOCHS, *, iterations_per_epoch: int | None = None,
                 base_rule=None, max_rule=None) -> dict | None:
        """The cyclic spec with a chosen half-cycle length and rules.

        ``step_size = round(step_size_epochs * iterations_per_epoch)`` (at least 1); with the
        defaults and a known ``budget_steps``, ``budget_steps // 4`` (two whole cycles, the
        shape the benchmark scores). With confirmation runs, ``base_lr = max_lr / 4``
        (Smith 2017: a third to a quarter of max_lr).

        Args:
            step_size_epochs: half a cycle in epochs, within [2, 10] (Smith 2017).
            iterations_per_epoch: batches per epoch; None uses the recorded one, else
                the fallback of ``CLR_FALLBACK_STEP_SIZE`` steps.
            base_rule, max_rule: rules for base_lr and max_lr (default ``DEFAULT_RULES``).

        Returns:
            ``{"kind": "cyclic", "base_lr", "max_lr", "step_size"}`` or None when either
            bound is missing or ``max_lr <= base_lr``.
        """
        lo, hi = C.CLR_STEP_EPOCHS_RANGE
        epochs = v.finite("step_size_epochs", step_size_epochs)
        if not lo <= epochs <= hi:
            raise InvalidArgumentError("step_size_epochs", epochs, f"must lie in [{lo}, {hi}] (epochs per half cycle)",
                                       "Smith (2017) recommends 2 to 10 epochs; the default is 4.")
        ipe = iterations_per_epoch if iterations_per_epoch is not None else self.iterations_per_epoch
        if iterations_per_epoch is None and self.budget_steps is not None and step_size_epochs == C.CLR_STEP_EPOCHS:
            step_size = max(1, self.budget_steps // 4)   # two whole cycles over the planned budget
        elif ipe is not None:
            ipe = v.integer("iterations_per_epoch", ipe, minimum=1)
            step_size = max(1, int(round(epochs * ipe)))
        else:
            step_size = C.CLR_FALLBACK_STEP_SIZE
        base = self.suggest_for("clr_base", base_rule)
        peak = self.suggest_for("clr_max", max_rule)
        if base is None or peak is None or not peak > base:
            return None
        return {"kind": "cyclic", "base_lr": base, "max_lr": peak, "step_size": step_size}

    def constant_spec(self, rule=None) -> dict | None:
        """``{"kind": "constant", "lr": ...}`` from the "lr" rule, or None."""
        lr = self.suggest_for("lr", rule)
        return None if lr is None else {"kind": "constant", "lr": lr}

    def one_cycle_spec(self, total_steps: int, rule=None) -> dict | None:
        """``{"kind": "one_cycle", "max_lr": ..., "total_steps": total_steps}``, or None.

        Args:
            total_steps: optimizer steps of the whole training run (epochs x iterations per epoch).
        """
        total_steps = v.integer("total_steps", total_steps, minimum=2)
        peak = self.suggest_for("one_cycle_max_lr", rule)
        return None if peak is None else {"kind": "one_cycle", "max_lr": peak, "total_steps": total_steps}

    def spec(self, use: str = "constant", *, total_steps: int | None = None) -> dict:
        """The schedule spec one use puts to work (what :meth:`apply` installs, for any framework).

        Args:
            use: "constant" (``{"kind": "constant", "lr": result.lr}``), "one_cycle" (a one-cycle
                schedule peaking at ``one_cycle_max_lr`` over ``total_steps``) or "clr"
                (``result.clr``).
            total_steps: the training length for "one_cycle" (default: ``budget_steps``).

        Returns:
            A spec dict for ``lrscope.schedules.from_spec``.

        Raises:
            InvalidArgumentError: when this use has no answer (the verdict says why), or
                "one_cycle" without a training length.
        """
        v.choice("use", use, ("constant", "one_cycle", "clr"))
        key = {"constant": "lr", "one_cycle": "one_cycle_max_lr", "clr": "clr"}[use]
        if getattr(self, key) is None:
            raise InvalidArgumentError("use", use, f"has no answer: {self.verdicts[key].message or 'see the verdict'}",
                                       "read result.summary(), or choose another use.")
        if use == "constant":
            return self.constant_spec()
        if use == "clr":
            return self.clr
        total = total_steps if total_steps is not None else self.budget_steps
        if total is None:
            raise InvalidArgumentError("total_steps", None, "is needed for a one-cycle schedule",
                                       "pass total_steps= (epochs x batches per epoch), or budget_steps to find_lr.")
        return self.one_cycle_spec(total)

    def apply(self, optimizer, use: str = "constant", *, total_steps: int | None = None):
        """Put this answer to work on an optimizer, every parameter group at its ratio.

        The answers are group 0's LR (the range test kept the other groups at their ratio to
        it), so each group gets the answer times its current ratio to group 0.

        Args:
            optimizer: the optimizer to train with (the one the test ran with, or a fresh one
                with the same groups).
            use: "constant" (sets the LRs, returns None), "one_cycle" or "clr" (returns a
                scheduler, e.g. ``lrscope.torch.ScheduleLR``: call ``scheduler.step()`` after
                each ``optimizer.step()``).
            total_steps: the training length for "one_cycle" (default: ``budget_steps``).

        Returns:
            None for "constant", else the scheduler.

        Raises:
            InvalidArgumentError: when this use has no answer (the verdict says why).
        """
        schedule = self.spec(use, total_steps=total_steps)
        for accepts, applier in APPLIERS:
            if accepts(optimizer):
                return applier(optimizer, schedule)
        raise InvalidArgumentError("optimizer", type(optimizer).__name__,
                                   "must be an optimizer of a framework lrscope adapts (torch)",
                                   "pass a torch.optim optimizer (import lrscope.torch first if you built it yourself), "
                                   "or use result.spec(use) with your own scheduler.")

    # -------------------------------------------------------------- confidence
    @functools.cached_property
    def _curve_checks(self) -> list[tuple[str, str]]:
        return C.curve_checks(self)

    @functools.cached_property
    def _confirm_checks(self) -> list[tuple[str, str]]:
        return C.confirm_checks(self)

    @functools.cached_property
    def verdicts(self) -> dict[str, "C.Confidence"]:
        """Per-use verdicts: "lr", "one_cycle_max_lr" and "clr" (base and max together); the
        policy is :func:`lrscope.analysis.confidence.verdicts`."""
        return C.verdicts(self)

    @property
    def confidence(self) -> "C.Confidence":
        """The overall verdict: the worst level of the per-use verdicts, all reasons, all fixes."""
        return C.merge(self.verdicts.values())

    # -------------------------------------------------------------- rendering
    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON payload (NaN/inf -> None): the record plus every derived answer."""
        d: dict[str, Any] = {"format": FORMAT}
        for f in dataclasses.fields(self):
            val = getattr(self, f.name)
            if f.name == "repeats":
                d["repeats"] = [r.to_dict() for r in val]
            elif f.name in ("confirm", "confirm_long"):
                d[f.name] = None if val is None else val.to_dict()
            else:
                d[f.name] = strict(val)
        d["extended"] = self.extended
        d["warmup"] = self.warmup
        curve = self._curve
        d["curve"] = {"first": curve.first, "stop": curve.stop, "loss": strict(curve.loss),
                      "metric_source": curve.metric_source, "noise": strict(curve.noise)}
        d["suggestions"] = strict(self.suggestions)
        d["spread"] = {k: (None if s is None else [float(s[0]), float(s[1])]) for k, s in self.spread.items()}
        d["rules"] = {use: self._pick(use)[1] for use in C.USES}
        d["default_rules"] = {k: (list(r) if isinstance(r, tuple) else r) for k, r in C.DEFAULT_RULES.items()}
        d["lr"] = strict(self.lr)
        d["one_cycle_max_lr"] = strict(self.one_cycle_max_lr)
        d["clr"] = strict(self.clr)
        d["confidence"] = self.confidence.to_dict()
        d["verdicts"] = {k: c.to_dict() for k, c in self.verdicts.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RangeTestResult":
        """Rebuild a result from ``to_dict()`` output (derived keys are recomputed, not read)."""
        if not isinstance(d, dict):
            raise InvalidArgumentError("d", type(d).__name__, "must be a dict made by RangeTestResult.to_dict()",
                                       "pass the parsed JSON object.")
        names = [f.name for f in dataclasses.fields(cls)]
        derived = ["format", "curve", "suggestions", "spread", "rules", "default_rules", "lr", "one_cycle_max_lr",
                   "clr", "confidence", "verdicts", "extended", "warmup"]
        v.known_keys("range-test dict", d, names + derived)
        if d.get("format", FORMAT) != FORMAT:
            raise InvalidArgumentError("format", d.get("format"), f"must be {FORMAT!r}", "use a dict from this version.")
        missing = [n for n in names[:12] if n not in d]
        if missing:
            raise InvalidArgumentError("range-test dict", f"missing keys {missing}", "lacks required keys",
                                       "pass the full output of to_dict().")
        try:
            return cls._from_checked_dict(d, names)
        except InvalidArgumentError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise InvalidArgumentError("range-test dict", f"a value that does not fit ({type(exc).__name__}: {exc})",
                                       "must hold the types to_dict() writes (numbers, lists of numbers)",
                                       "pass the unmodified output of to_dict() / lrscope find --json.") from None

    @classmethod
    def _from_checked_dict(cls, d: dict[str, Any], names: list[str]) -> "RangeTestResult":
        kw: dict[str, Any] = {}
        for name in names:
            if name not in d:
                continue
            val = d[name]
            if name == "repeats":
                if not isinstance(val, (list, tuple)):
                    raise InvalidArgumentError("repeats", type(val).__name__, "must be a list of range-test dicts",
                                               "pass the unmodified output of to_dict().")
                val = tuple(cls.from_dict(r) for r in val)
            elif name in ("confirm", "confirm_long") and val is not None:
                val = ProbeResult.from_dict(val)
            elif name in ("lrs", "losses", "smoothed", "group_lrs", "metric", "val_losses", "val_metric") and val is not None:
                val = _unnull(val)
            elif name in ("start_lr", "end_lr", "smoothing", "diverge_factor"):
                val = math.nan if val is None else float(val)
            kw[name] = val
        return cls(**kw)

    def summary(self) -> str:
        """A terminal table: what was swept, the answer per use with its verdict, every rule
        (rendered by :func:`lrscope.analysis._text.summary`)."""
        from ._text import summary

        return summary(self)

    def __repr__(self) -> str:
        """One line: each use's answer with its verdict, the sweep's end and the cost (the arrays
        stay in their fields; ``summary()`` has the table)."""
        from ._text import short

        return short(self)

    def plot(self, ax=None, **kwargs):
        """Loss against LR (log axis), suggestions marked, base..max band; metric panel if recorded.

        Returns the matplotlib Figure; never opens a window. See
        ``lrscope.analysis.plot_range_test`` for the options.
        """
        from ._plot import plot_range_test

        return plot_range_test(self, ax=ax, **kwargs)

    @classmethod
    def from_repeats(cls, results) -> "RangeTestResult":
        """Combine several sweeps of one LR range into one result.

        The curves are the point-wise medians (cut to the shortest sweep); every
        suggestion is the median of the repeats' suggestions, with ``spread[name] =
        (lowest, highest)``.

        Args:
            results: RangeTestResults of the same sweep (mode, start_lr, end_lr, num_steps).
        """
        results = list(results) if not isinstance(results, RangeTestResult) else [results]
        if not results or not all(isinstance(r, RangeTestResult) for r in results):
            raise InvalidArgumentError("results", results, "must be a non-empty list of RangeTestResult",
                                       "pass the results of several find_lr runs.")
        first = results[0]
        for r in results[1:]:
            same = (r.mode == first.mode and r.num_steps == first.num_steps
                    and math.isclose(r.start_lr, first.start_lr, rel_tol=1e-9)
                    and math.isclose(r.end_lr, first.end_lr, rel_tol=1e-9))
            if not same:
                raise InvalidArgumentError(
                    "results", f"{r.mode} {r.start_lr:g}..{r.end_lr:g} in {r.num_steps} steps vs "
                    f"{first.mode} {first.start_lr:g}..{first.end_lr:g} in {first.num_steps} steps",
                    "must all sweep the same range", "repeat the test with the same start_lr, end_lr, num_steps, mode.")
        n = min(r.lrs.size for r in results)

        def med(name):
            arrs = [getattr(r, name) for r in results]
            if any(a is None for a in arrs):
                return None
            return np.median(np.stack([np.asarray(a, dtype=float)[:n] for a in arrs]), axis=0)

        reasons = [r.stop_reason for r in results]
        stop_reason = "completed" if all(s == "completed" for s in reasons) else max(
            (s for s in reasons if s != "completed"), key=reasons.count)
        counts = ", ".join(f"{reasons.count(s)} {s}" for s in dict.fromkeys(reasons))
        same_val = all(r.val_steps is not None and first.val_steps is not None
                       and np.array_equal(r.val_steps, first.val_steps) for r in results)
        return cls(
            lrs=first.lrs[:n].copy(), losses=med("losses"), smoothed=med("smoothed"),
            group_lrs=first.group_lrs[:n].copy(), mode=first.mode, start_lr=first.start_lr, end_lr=first.end_lr,
            num_steps=first.num_steps, stop_reason=stop_reason,
            stop_message=f"median of {len(results)} repeats ({counts})",
            smoothing=first.smoothing, diverge_factor=first.diverge_factor, metric=med("metric"),
            metric_name=first.metric_name,
            val_steps=first.val_steps if same_val else None,
            val_losses=np.median(np.stack([r.val_losses for r in results]), axis=0)
            if same_val and all(r.val_losses is not None for r in results) else None,
            val_metric=np.median(np.stack([r.val_metric for r in results]), axis=0)
            if same_val and all(r.val_metric is not None for r in results) else None,
            iterations_per_epoch=first.iterations_per_epoch, repeats=tuple(results), task_name=first.task_name,
            budget_steps=first.budget_steps, extend_decades=first.extend_decades, optimizer=first.optimizer,
            beta2=first.beta2, momentum=first.momentum, cost_steps=sum(int(r.cost_steps) for r in results),
            world_size=first.world_size, batch_size=first.batch_size,
        )


def _unnull(val):
    if isinstance(val, list):
        return [_unnull(x) for x in val]
    return math.nan if val is None else val
