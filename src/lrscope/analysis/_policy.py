"""How ``find_lr`` turns what it measured into one LR per use (numpy only).

One rule read off one training-loss curve cannot be right on every network: on the
benchmark's 21 tasks the best constant LR lay between 0.003x and 3x the LR at the minimum of
the sweep's loss. So the answer draws on three kinds of evidence:

1. **The sweep** (``lrscope.runner``): one geometric ramp from ``start_lr``. It bounds the
   range: the LR where the loss turns up (``loss_rise``) or, failing that, where the sweep
   stopped. A sweep that reaches ``end_lr`` without diverging carries on at the same rate
   (up to ``end_lr * 10**EXTEND_DECADES``), so the bound always exists unless the loss never
   moves.
2. **Confirmation runs**: short runs at a constant LR, each from the user's saved state
   (weights, optimizer, RNG, batch order), on the grid ``10**(k/6)`` (6 LRs per decade),
   ``count`` of them ``spacing`` grid steps apart below the bound, then the two half-way
   neighbours of the best one. A run "explodes", is "too slow" or is "good" by the probe's
   rules (``lrscope.analysis.probe``), measured from the larger of its first loss and the
   starting model's mean loss (``start_loss``); the best run is the good run whose loss fell most
   (over the last fifth of its steps), or, when a validation loader was given, the good
   run with the lowest validation loss at its end (of runs that score the same, the lowest LR). Every run sees the same batches, so the
   comparison is paired.
3. **Longer runs** (``long_count`` of them, ``long_steps`` each, or ``long_fraction`` of
   ``budget_steps``): when the first round found a best run, a second round trains a few LRs
   further below it (``long_spacing`` grid steps apart, the first ``long_skip`` spacings
   down) for longer. A short run rewards the LR that makes the quickest early progress; over
   a longer run a lower LR often catches up (small transformers with Adam-type optimizers
   are the clearest case: their best constant LR is 10-100x below the best 50-step run). The
   longer runs are ranked like the first round's; their best replaces the first round's.
   If every longer run exploded, the answer moves one spacing below the lowest of them; if
   none of them fell, the highest of them that did not explode is kept.

The answer of each use is the deciding run's grid index plus a per-use offset (in grid
steps): the constant LR is the longer runs' best itself (offset 0), while a one-cycle peak,
which is reached after a warm-up and then annealed, tolerates more (+2, 1.5x higher). The
offsets, the spacings, the counts and the run lengths were chosen by leave-one-family-out
cross-validation on the benchmark (``benchmarks/gen_cv.py``; ``docs/benchmarks/generalization.md``).

Special shapes:

* **all runs exploded** (or all but one, which did not fall): the next ``count`` candidates
  below are tried (at most ``MAX_SHIFTS`` times);
* **slow learner** (no run fell more than ``FLAT_DROP`` of its start, or, with ``tie``, all
  of them fell about as much and kept about as much of their loss, yet some exploded): the
  loss moves too slowly for short runs to rank the LRs. When none fell, the longer runs
  (``slow_candidates``) go below the lowest LR that exploded, and their best, if one fell,
  decides as usual. Otherwise the answer sits ``Offsets.slow`` grid steps below the lowest LR
  that exploded;
* **never diverged** (the sweep reached its cap, ``end_lr * 10**EXTEND_DECADES``, without its
  loss turning up: a bounded loss, e.g. a contrastive loss on normalised embeddings, or a
  network whose output does not grow with its weights): the stop is no explosion, so runs a
  decade apart, from the stop down, first locate the LRs whose runs fall most (``locate``),
  and the first round is centred on the best of them;
* **flat** (nothing fell and nothing exploded): no answer (``None``), reason ``flat``.

When ``budget_steps`` (the planned training length) is known, each first-round run lasts
``budget_fraction`` of it and each longer run ``long_fraction`` of it (within
``[MIN_RUN_STEPS, max_run_steps]``), and the budget's own offsets apply.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .probe import EXPLODES, GOOD, probe_verdicts

__all__ = ["GRID_PER_DECADE", "Offsets", "Policy", "DEFAULT_POLICY", "grid_index", "grid_lr", "run_steps",
           "long_run_steps", "slow_run_steps", "long_candidates", "slow_candidates", "confirm", "Choice", "choose",
           "decide", "answers", "start_loss", "START_BATCHES", "locate", "LOCATE_SPACING"]

#: confirmation LRs lie on the grid 10**(k / GRID_PER_DECADE)
GRID_PER_DECADE = 6
#: a run "fell" when its loss dropped by more than this fraction of its start
FLAT_DROP = 0.02
#: shortest and longest confirmation run (optimizer steps) when the budget sets the length; a
#: policy may cap the runs lower (``Policy.max_run_steps``)
MIN_RUN_STEPS, MAX_RUN_STEPS = 20, 2000
#: at most this many extra rounds below when too few runs stayed stable
MAX_SHIFTS = 2
#: a slow learner's longer runs are this many times as long as a first-round run (budget unknown);
#: a prior, not fitted: no task of the benchmark's suite is a slow learner in which nothing fell
SLOW_LENGTH = 4
#: a run's fall and its divergence are measured from the larger of its first loss and the
#: starting model's mean loss over the runs' first ``START_BATCHES`` batches (one batch's loss
#: can be far below the mean at small batch sizes: on a 16-sample regression batch the first
#: loss was a quarter of the mean, so every run that did not learn at once "exploded";
#: probe.probe_verdicts)
START_BATCHES = 20
#: the sweep's first losses stand for the starting model's when its LR there was at most this
#: fraction of the LR where it stopped; otherwise find_lr measures them (runs at LR 0)
NEGLIGIBLE_LR = 1e-3
#: a sweep that never diverged: runs this many grid steps apart (a decade) locate the region first
LOCATE_SPACING = GRID_PER_DECADE
#: a slow learner needs at least this many runs that did not explode; with fewer, none of which
#: fell, the candidates move down instead (the runs sat too close to the explosion to say anything)
MIN_STABLE = 2


def grid_index(lr: float) -> int:
    """The nearest grid index k of an LR: ``round(6 * log10(lr))``.

    >>> grid_index(0.01), grid_index(0.02)
    (-12, -10)
    """
    return int(round(GRID_PER_DECADE * math.log10(float(lr))))


def grid_lr(k: int) -> float:
    """The LR of grid index k: ``10 ** (k / 6)``.

    >>> round(grid_lr(-12), 12), round(grid_lr(-10), 6)
    (0.01, 0.021544)
    """
    return float(10.0 ** (int(k) / GRID_PER_DECADE))


@dataclasses.dataclass(frozen=True)
class Offsets:
    """Grid steps (1/6 decade each) from the best confirmation run to each use's answer.

    ``slow`` is the slow learner's: grid steps from the lowest LR whose run exploded.
    """

    lr: int
    one_cycle_max_lr: int
    clr_max: int
    slow: int = -3


@dataclasses.dataclass(frozen=True)
class Policy:
    """The constants of the answer rule (see the module docstring).

    Args:
        anchor: where the candidates start below: "rise" (``loss_rise``, at most the LR
            where the sweep stopped), "rise3" (half a decade above it) or "stop".
        spacing: grid steps between first-round candidates.
        count: first-round candidates.
        steps: optimizer steps per run when the budget is unknown.
        budget_fraction: run length as a fraction of ``budget_steps`` when it is known.
        refine: probe the two half-way neighbours of the first round's best.
        offsets: the per-use offsets when the budget is unknown.
        budget_offsets: the per-use offsets when ``budget_steps`` is given.
        tie: when every run that did not explode fell by at least ``(1 - tie)`` times the
            largest fall, and what is left of each one's loss (``1 - fall``) is also at least
            ``(1 - tie)`` times the largest remainder, the runs cannot rank the LRs (they all
            learnt only what is quick to learn) and the answer is a slow learner's; None turns
            the rule off.
        long_count: runs in the second round of longer runs (0: no second round).
        long_spacing: grid steps between the longer runs.
        long_skip: the first longer run is ``long_skip * long_spacing`` grid steps below the
            first round's best (0: the best itself is run again, for longer).
        long_steps: optimizer steps per longer run when the budget is unknown.
        long_fraction: longer-run length as a fraction of ``budget_steps`` when it is known.
        max_run_steps: the longest run (optimizer steps) when the budget sets the length: on a
            long budget the runs stop growing here (at most ``MAX_RUN_STEPS``).
    """

    anchor: str = "stop"
    spacing: int = 3
    count: int = 4
    steps: int = 50
    budget_fraction: float = 1 / 6
    refine: bool = False
    offsets: Offsets = Offsets(0, 2, 1, -2)
    budget_offsets: Offsets = Offsets(0, 2, 2, -3)
    tie: float | None = 0.1
    long_count: int = 2
    long_spacing: int = 3
    long_skip: int = 1
    long_steps: int = 100
    long_fraction: float = 0.2
    max_run_steps: int = 300

    def offsets_for(self, budget_known: bool) -> Offsets:
        """The offsets without (False) or with (True) a known budget."""
        return self.budget_offsets if budget_known else self.offsets


#: chosen on all 21 tasks of the generalisation benchmark by ``benchmarks/gen_cv.py`` (the same
#: choice as in most of its leave-one-family-out folds; docs/benchmarks/generalization.md)
DEFAULT_POLICY = Policy()


def run_steps(policy: Policy, budget_steps: int | None) -> int:
    """Optimizer steps of each confirmation run."""
    if budget_steps is None:
        return int(policy.steps)
    return _clamp(policy, policy.budget_fraction * budget_steps)


def _clamp(policy: Policy, steps: float) -> int:
    """A budget-set run length within ``[MIN_RUN_STEPS, policy.max_run_steps]`` (at most ``MAX_RUN_STEPS``)."""
    return int(min(MAX_RUN_STEPS, policy.max_run_steps, max(MIN_RUN_STEPS, round(steps))))


def long_run_steps(policy: Policy, budget_steps: int | None) -> int:
    """Optimizer steps of each run of the second round (longer runs)."""
    if budget_steps is None:
        return int(policy.long_steps)
    return _clamp(policy, policy.long_fraction * budget_steps)


def slow_run_steps(policy: Policy, budget_steps: int | None) -> int:
    """Optimizer steps of each longer run below a slow learner's explosion: ``SLOW_LENGTH`` times
    a first-round run when the budget is unknown (nothing moved in those, so much longer runs are
    needed to see a slow learner learn), else the second round's length (a fifth of the budget)."""
    if budget_steps is None:
        return int(min(MAX_RUN_STEPS, SLOW_LENGTH * policy.steps))
    return long_run_steps(policy, budget_steps)


def long_candidates(policy: Policy, k_best: int) -> list[int]:
    """Grid indices of the second round's runs below the first round's best ``k_best``."""
    return [k_best - policy.long_spacing * j for j in range(policy.long_skip, policy.long_skip + policy.long_count)]


def slow_candidates(policy: Policy, k_bad: int) -> list[int]:
    """Grid indices of the longer runs below a slow learner's lowest explosion ``k_bad``: the
    first round's pattern (``count`` runs ``spacing`` grid steps apart), for longer."""
    return [k_bad - policy.spacing * (j + 1) for j in range(policy.count)]


def anchor_index(policy: Policy, sweep) -> int:
    """The grid index the first-round candidates start below (see ``Policy.anchor``)."""
    from .suggesters import loss_rise

    k_stop = grid_index(float(sweep.lrs[-1]))
    rise = loss_rise(sweep.curve()) if len(sweep.lrs) else None
    k_rise = k_stop if rise is None else min(k_stop, grid_index(rise))
    if policy.anchor == "stop":
        return k_stop
    if policy.anchor == "rise":
        return k_rise
    if policy.anchor == "rise3":
        return min(k_stop, k_rise + 3)
    raise ValueError(f"unknown anchor {policy.anchor!r}")


def start_loss(sweep, n: int = START_BATCHES) -> float | None:
    """The starting model's mean loss over the first ``n`` batches, read off the sweep (which sees
    the same batches as every confirmation run, from the same state) when its LR over those steps
    was negligible (at most ``NEGLIGIBLE_LR`` times the LR where it stopped); None when it was not
    (then the caller measures it) or the sweep is shorter than ``n`` steps or not finite there."""
    losses = np.asarray(sweep.losses, dtype=float)[:n]
    lrs = np.asarray(sweep.lrs, dtype=float)
    if losses.size < n or not np.all(np.isfinite(losses)) or not lrs[n - 1] <= NEGLIGIBLE_LR * lrs[-1]:
        return None
    return float(np.mean(losses))


def _tried(probe) -> dict[int, int]:
    """{grid index: position in the probe record} of the runs so far."""
    return {} if probe is None else {grid_index(lr): i for i, lr in enumerate(probe.lrs)}


def _run_new(run, probe, ks: list[int]):
    """The record after running the grid indices ``ks`` not run yet (``probe`` itself when all were)."""
    tried = _tried(probe)
    new = [k for k in ks if k not in tried]
    return run([grid_lr(k) for k in new]) if new or probe is None else probe


def locate(policy: Policy, sweep, run):
    """A sweep that never diverged has no explosion to start below: runs a decade apart
    (``LOCATE_SPACING``), ``count`` at a time from where the sweep stopped down to where it began,
    find the region first. They go on down while the best of them (the one whose loss fell most,
    ``choose``) is the lowest tried or none fell; then the first round is centred on that best:
    the anchor is one decade above it. Returns ``(runs, anchor grid index)``; the anchor is where
    the sweep stopped when no run fell at all."""
    k_stop, k_floor = grid_index(float(sweep.lrs[-1])), grid_index(float(sweep.lrs[0]))
    probe = choice = None
    top = k_stop
    while True:
        ks = [k for k in (top - LOCATE_SPACING * j for j in range(policy.count)) if k >= k_floor]
        if not ks:
            break
        probe = run([grid_lr(k) for k in ks])
        choice = choose(policy, probe, tie=False)
        low = min(grid_index(lr) for lr in probe.lrs)
        if choice.status == "ok" and choice.k > low:
            break
        top = low - LOCATE_SPACING
    if choice is not None and choice.status == "ok":
        return probe, choice.k + LOCATE_SPACING
    return probe, k_stop


def confirm(policy: Policy, sweep, run, run_long=None, run_slow=None):
    """Run the confirmation rounds; returns ``(runs, long_runs)``: the ProbeResult of the
    first rounds' runs, in run order, and that of the longer runs (None when there were none).

    Args:
        policy: the constants.
        sweep: the sweep's RangeTestResult.
        run: ``run(lrs) -> ProbeResult``: trains one run per LR from the saved state and
            returns the record of *all* runs so far (the torch adapter, or a replay of
            recorded runs in the benchmark), ``run_steps`` steps each.
        run_long: the same for the longer runs (``long_run_steps`` steps each); None: no
            second round.
        run_slow: the same for the longer runs below a slow learner's explosion
            (``slow_run_steps`` steps each); None: ``run_long``.

    Rounds: when the sweep never diverged, runs a decade apart locate the region first
    (``locate``) and set the anchor; then ``count`` candidates ``spacing`` grid steps apart below
    the anchor (those not run yet); while every run
    so far exploded (or all but fewer than ``MIN_STABLE``, none of which fell), the next
    ``count`` below (at most ``MAX_SHIFTS`` times); when no run
    fell and none exploded but the sweep did, up to ``count`` runs above them, up to where the
    sweep stopped (to find a slow learner's explosion); then, when a best run exists, its two
    half-way neighbours (those not tried and below the lowest LR that exploded); then, when a
    best run exists, the longer runs below it (``long_candidates``).
    """
    if sweep.stop_reason == "completed" and len(sweep.lrs):
        probe, k0 = locate(policy, sweep, run)
    else:
        probe, k0 = None, anchor_index(policy, sweep)
    probe = _run_new(run, probe, [k0 - policy.spacing * (j + 1) for j in range(policy.count)])
    for _ in range(MAX_SHIFTS):
        choice = choose(policy, probe)
        stable = sum(v != EXPLODES for v in choice.verdicts)
        if not (choice.status == "exploded" or (choice.status == "slow" and stable < MIN_STABLE)):
            break
        low = min(grid_index(lr) for lr in probe.lrs)
        probe = run([grid_lr(low - policy.spacing * (j + 1)) for j in range(policy.count)])
    choice = choose(policy, probe)
    if choice.status == "flat" and sweep.stop_reason != "completed":
        # nothing fell and nothing exploded below the anchor, yet the sweep blew up: a slow learner
        # whose explosion lies above the runs; find it with runs between them and the sweep's end
        top, k_end = max(grid_index(lr) for lr in probe.lrs), grid_index(float(sweep.lrs[-1]))
        up = [k for k in range(top + policy.spacing, k_end + 1, policy.spacing)][: policy.count]
        if up:
            probe = run([grid_lr(k) for k in up])
            choice = choose(policy, probe)
    if choice.status == "ok" and policy.refine:
        tried = {grid_index(lr) for lr in probe.lrs}
        lowest_bad = min((grid_index(lr) for lr, v in zip(probe.lrs, choice.verdicts) if v == EXPLODES),
                         default=math.inf)
        half = max(1, policy.spacing // 2)
        want = [k for k in (choice.k - half, choice.k + half) if k not in tried and k < lowest_bad]
        if want:
            probe = run([grid_lr(k) for k in want])
            choice = choose(policy, probe)
    long = None
    if run_long is not None and policy.long_count > 0:
        if choice.status == "ok":
            long = run_long([grid_lr(k) for k in long_candidates(policy, choice.k)])
        elif choice.status == "slow" and not choice.tie:
            # nothing fell in the short runs and the higher LRs exploded: below the explosion the
            # network may learn too slowly for a short run to show it (or not at all: a deep ReLU
            # net at a large LR dies without exploding), so the longer runs look there
            long = (run_slow or run_long)([grid_lr(k) for k in slow_candidates(policy, choice.k)])
    return probe, long


@dataclasses.dataclass(frozen=True)
class Choice:
    """What the confirmation runs say.

    Attributes:
        status: "ok" (a best run), "slow" (no run fell, some exploded), "flat" (no run fell,
            none exploded) or "exploded" (every run exploded).
        k: grid index of the best run ("ok"), of the lowest exploding run ("slow"), else None.
        verdicts: the probe verdict of every run, in run order.
        scores: the score of every run (lower is better; inf for an exploded run).
        by: "val" or "train": what ranked the runs.
        tie: "slow" by the tie rule (the runs all fell, by about as much), not because none fell.
    """

    status: str
    k: int | None
    verdicts: tuple[str, ...]
    scores: tuple[float, ...]
    by: str
    tie: bool = False


def _tied(falls: list[float], tie: float) -> bool:
    """The tie rule: the falls lie within a fraction ``tie`` of the largest, and so do what is left
    of the losses (``1 - fall``; near a fall of 100% equal-looking falls leave very different
    losses: falls of 77% and 85% leave 0.23 and 0.15 of the start).

    >>> _tied([0.22, 0.25, 0.29], 0.1), _tied([0.77, 0.83, 0.85], 0.1), _tied([0.05, 0.14], 0.1)
    (False, False, False)
    >>> _tied([0.26, 0.27, 0.28], 0.1)
    True
    """
    rest = [1.0 - f for f in falls]
    return min(falls) >= (1.0 - tie) * max(falls) and min(rest) > 0 and min(rest) >= (1.0 - tie) * max(rest)


def choose(policy: Policy, probe, *, tie: bool = True) -> Choice:
    """Rank the confirmation runs of one round (see the module docstring); ``tie=False`` turns
    the policy's tie rule off (the longer runs lie below a best run that fell, so they are ranked
    only)."""
    verdicts, drops, _ = probe_verdicts(probe.curves, probe.steps, probe.diverge_factor, probe.slow_ratio,
                                        getattr(probe, "start_loss", None), getattr(probe, "spike_steps", 1))
    ks = [grid_index(lr) for lr in probe.lrs]
    ok = [i for i, v in enumerate(verdicts) if v != EXPLODES]
    val = getattr(probe, "val_losses", None)
    use_val = val is not None and all(math.isfinite(float(val[i])) for i in ok) and ok
    if use_val:
        scores = [float(val[i]) if i in ok else math.inf for i in range(len(ks))]
    else:
        scores = [-float(drops[i]) if i in ok else math.inf for i in range(len(ks))]
    by = "val" if use_val else "train"
    if not ok:
        return Choice("exploded", None, verdicts, tuple(scores), by)
    fell = [i for i in ok if float(drops[i]) > FLAT_DROP]
    bad = [ks[i] for i, v in enumerate(verdicts) if v == EXPLODES]
    if not fell:
        if bad:
            return Choice("slow", min(bad), verdicts, tuple(scores), by)
        return Choice("flat", None, verdicts, tuple(scores), by)
    if tie and policy.tie is not None and bad and len(ok) >= 3 and _tied([float(drops[i]) for i in ok], policy.tie):
        return Choice("slow", min(bad), verdicts, tuple(scores), by, tie=True)
    # equal scores (runs that gave the same losses: an optimizer that stops using the LR above some
    # value, as torch's Adafactor caps its step at 1 / sqrt(step)) go to the lowest of those LRs
    best = min(fell, key=lambda i: (scores[i], ks[i]))
    return Choice("ok", ks[best], verdicts, tuple(scores), by)


def decide(policy: Policy, probe, long=None) -> Choice:
    """The choice the answers come from: the first rounds' (``choose``), or, when there were
    longer runs, theirs (see the module docstring for the cases where none of them is best).
    Its ``verdicts`` and ``scores`` are those of the round it comes from."""
    first = choose(policy, probe)
    if long is None or first.status not in ("ok", "slow"):
        return first
    second = choose(policy, long, tie=False)
    if first.status == "slow":     # the longer runs below a slow learner's explosion
        return second if second.status == "ok" else first
    if second.status == "ok":
        return second
    ks = [grid_index(lr) for lr in long.lrs]
    if second.status == "exploded":
        k = min(ks) - policy.long_spacing
    else:   # none of the longer runs fell: keep the highest that did not explode
        k = max(kk for kk, v in zip(ks, second.verdicts) if v != EXPLODES)
    return Choice("ok", k, second.verdicts, second.scores, second.by)


def answers(policy: Policy, probe, budget_steps: int | None, long=None) -> dict[str, float | None]:
    """The LR of each use ("lr", "one_cycle_max_lr", "clr_max") from the confirmation runs.

    Args:
        policy: the constants.
        probe: the first rounds' confirmation runs.
        budget_steps: the planned training length, or None.
        long: the longer runs, or None.
    """
    choice = decide(policy, probe, long)
    offs = policy.offsets_for(budget_steps is not None)
    if choice.status == "ok":
        k = choice.k
        return {"lr": grid_lr(k + offs.lr), "one_cycle_max_lr": grid_lr(k + offs.one_cycle_max_lr),
                "clr_max": grid_lr(k + offs.clr_max)}
    if choice.status == "slow":
        k = choice.k + offs.slow
        return {"lr": grid_lr(k), "one_cycle_max_lr": grid_lr(k), "clr_max": grid_lr(k)}
    return {"lr": None, "one_cycle_max_lr": None, "clr_max": None}
