"""strategy="finder": one LR range test, then a short line search in log(lr) that starts from its suggestion.

1. Run the range test (``objective.range_test()``, i.e. ``lrscope.find_lr``) and read where
   the loss starts to rise, ``r`` (``loss_rise``; fall-backs: ``one_cycle_max_lr``, then
   ``10 x result.lr``). The first confirmation run trains at ``anchor = ANCHOR_FRACTION x r``:
   for a constant LR and a short, fixed budget the best LR lies a little below the point
   where the sweep's loss turns up (measured on the range-test benchmark tasks, seeds 0-1:
   best/r had a geometric mean of about 0.5). The search range is
   ``[min(loss_fall, anchor/16), 2 r]``, clipped to the space.
2. Every next LR comes from :func:`next_lr`, a bracketing line search in ``log(lr)`` over the
   finished trials: extend by ``x FACTOR`` above, then below, the best LR until it has a
   neighbour on each side; then bisect (geometric mean) the wider of the two gaps next to
   the best LR (of two equal gaps, the one next to the better neighbour). A failed
   (diverged) or pruned trial counts as worse than any finished one.
3. No pruning by default: on the tuning seeds, successive halving (rungs at steps/4, steps/2,
   reduction factor 2) and a "trails the best by > 3% / 10%" rule both stopped runs at small LRs
   that learn slower early but end best (e.g. diabetes-mlp). ``pruner=`` still applies one.
4. When the bracket is narrower than ``MIN_RATIO`` (or the budget remains after it), TPE
   samples inside the range.

The range test's steps are counted in the search's cost (``SearchResult.extra_steps``). A
stored study keeps the range test's result, so a resumed search (after Ctrl-C) or another
worker goes on with the line search without testing again.
Tuned on seeds 0 and 1 of the benchmark tasks; see docs/benchmarks/search.md.

Reference: Smith (2017), "Cyclical learning rates for training neural networks" (the range test).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import optuna
from optuna.trial import TrialState

from ._engine import META_KEY, STRATEGY_RUNNERS, _meta, _Progress, _result, resolve_pruner, run_trials
from ._samplers import make_sampler
from ._space import Float

#: first confirmation LR as a fraction of the range test's loss_rise
ANCHOR_FRACTION = 0.5
#: ratio between the first neighbours of the line search
FACTOR = 2.0
#: the line search stops bisecting gaps narrower than this ratio
MIN_RATIO = 1.05


def finder_range(result, space_lr: Float, anchor_fraction: float = ANCHOR_FRACTION) -> tuple[float, float, float]:
    """(anchor, low, high) of the line search from a range test, clipped to the space's LR bounds.

    anchor = ``anchor_fraction`` x loss_rise (fall-backs: one_cycle_max_lr, 10 x result.lr,
    the geometric middle of the space); low = min(loss_fall, anchor / 16); high = 2 x loss_rise.
    """
    sug = result.suggestions
    rise = sug.get("loss_rise") or result.one_cycle_max_lr
    if (rise is None or not math.isfinite(rise)) and result.lr:
        rise = 10.0 * result.lr
    if rise is None or not math.isfinite(rise) or rise <= 0:
        rise = math.sqrt(space_lr.low * space_lr.high) / anchor_fraction
    anchor = anchor_fraction * rise
    fall = sug.get("loss_fall")
    lo = min(fall, anchor / 16) if fall else anchor / 16
    hi = 2.0 * rise
    clip = lambda x: min(space_lr.high, max(space_lr.low, x))  # noqa: E731
    anchor, lo, hi = clip(anchor), clip(lo), clip(hi)
    if not hi > lo:
        lo, hi = space_lr.low, space_lr.high
    return anchor, lo, hi


def next_lr(tried: Sequence[tuple[float, float | None]], anchor: float, low: float, high: float, *,
            factor: float = FACTOR, min_ratio: float = MIN_RATIO) -> float | None:
    """The next LR of the bracketing line search, or None when the bracket is resolved.

    Args:
        tried: (lr, score) of every trial so far; score is higher-is-better, None for a
            failed or pruned trial (worse than any score).
        anchor: the first LR to try.
        low, high: the range (LRs outside it are never proposed).
        factor: ratio of the extension steps (lr x factor above, lr / factor below the best).
        min_ratio: gaps whose end points are closer than this ratio are not bisected.

    Returns:
        The next LR, or None when every gap next to the best LR is narrower than ``min_ratio``.

    >>> round(next_lr([], 0.1, 1e-3, 1.0), 6)
    0.1
    >>> round(next_lr([(0.1, 0.8)], 0.1, 1e-3, 1.0), 6)      # extend upwards first
    0.2
    >>> round(next_lr([(0.1, 0.8), (0.2, None)], 0.1, 1e-3, 1.0), 6)  # then downwards
    0.05
    """
    if not tried:
        return anchor
    pts = sorted((float(x), s) for x, s in tried)
    scored = [i for i, (_, s) in enumerate(pts) if s is not None and math.isfinite(s)]
    if not scored:  # everything failed: go below the smallest LR tried
        x = pts[0][0] / factor
        return x if x >= low * (1 - 1e-9) else None
    b = max(scored, key=lambda i: pts[i][1])
    best = pts[b][0]
    right = pts[b + 1] if b + 1 < len(pts) else None
    left = pts[b - 1] if b > 0 else None
    if right is None and best * factor <= high * (1 + 1e-9):
        return best * factor
    if left is None and best / factor >= low * (1 - 1e-9):
        return best / factor
    gaps = []
    for nb in (left, right):
        if nb is not None and max(nb[0], best) / min(nb[0], best) > min_ratio ** 2:
            width = round(abs(math.log(nb[0] / best)), 9)
            score = nb[1] if nb[1] is not None and math.isfinite(nb[1]) else -math.inf
            gaps.append((width, score, math.sqrt(nb[0] * best)))
    if not gaps:
        return None
    return max(gaps)[2]  # the wider gap; of two equal ones, the one next to the better neighbour


def _tried(study, direction: str) -> list[tuple[float, float | None]]:
    sign = 1.0 if direction == "maximize" else -1.0
    out = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)):
        if "lr" not in t.params:
            continue
        ok = t.state == TrialState.COMPLETE and t.value is not None and math.isfinite(t.value)
        out.append((float(t.params["lr"]), sign * t.value if ok else None))
    return out


def _stored_range(storage, study: str) -> dict | None:
    """The range-test result a finder study stored (anchor, low, high), or None."""
    if storage is None:
        return None
    info = optuna.load_study(study_name=study, storage=storage).user_attrs.get("finder")
    if isinstance(info, dict) and all(isinstance(info.get(k), (int, float)) for k in ("suggestion", "low", "high")):
        return info
    return None


def run_finder(objective, space, *, budget, storage, study, exists, seed, pruner, progress, direction, max_steps):
    lr_param = space.get("lr")
    if not isinstance(lr_param, Float):
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError("space", sorted(space), "needs a float 'lr' parameter for strategy='finder'",
                                   'add "lr": {"type": "float", "low": 1e-5, "high": 1, "log": true}.')
    stored = _stored_range(storage, study) if exists else None
    if stored is None:
        rt, rt_steps = objective.range_test()
        anchor, lo, hi = finder_range(rt, lr_param, ANCHOR_FRACTION)
        info = {"suggestion": anchor, "low": lo, "high": hi,
                "range_test": {k: rt.suggestions.get(k) for k in ("loss_fall", "loss_rise")}}
    else:  # a resumed or joined study: its range test is done and paid for; go on with its line search
        info, rt_steps = stored, 0
        anchor, lo, hi = stored["suggestion"], stored["low"], stored["high"]
    narrowed = dict(space)
    narrowed["lr"] = Float(lo, hi, log=True)
    sampler = make_sampler("tpe", narrowed, seed=seed, budget=budget)
    if pruner is None:
        pruner = "none"  # measured: early metrics favour large LRs, so pruning cut the best runs (docs)
    st = optuna.create_study(study_name=study, storage=storage, sampler=sampler, pruner=resolve_pruner(pruner),
                             direction=direction, load_if_exists=True)
    if not exists:
        st.set_user_attr(META_KEY, _meta(space, "finder", direction, pruner if isinstance(pruner, str) else None, None))
    if stored is None:  # a stored result is already in the study, with its steps counted
        st.set_user_attr("finder_steps", int(st.user_attrs.get("finder_steps", 0)) + int(rt_steps))
        st.set_user_attr("finder", info)
    spent = int(rt_steps)
    line_search = True
    bar = _Progress(budget, progress, direction)  # one bar for the whole search, not one per trial
    try:
        for _ in range(budget):
            if line_search:
                x = next_lr(_tried(st, direction), anchor, lo, hi, factor=FACTOR, min_ratio=MIN_RATIO)
                if x is None:
                    line_search = False
                else:
                    st.enqueue_trial({"lr": min(hi, max(lo, x))})
            before = {t.number for t in st.get_trials(deepcopy=False)}
            run_trials(st, objective, narrowed, budget=1, progress=False, direction=direction)
            new = [t for t in st.get_trials(deepcopy=False) if t.number not in before]
            spent += sum(int(t.user_attrs.get("steps", 0)) for t in new)
            for t in new:
                bar(st, t)
            if max_steps is not None and spent >= max_steps:
                break
    finally:
        bar.close()
    return _result(st)


STRATEGY_RUNNERS["finder"] = run_finder
