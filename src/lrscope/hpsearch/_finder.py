"""strategy="finder": one LR range test, then short confirmation runs around its suggestion.

1. Run the range test (``objective.range_test()``, i.e. ``lrscope.find_lr``) and read its
   suggestion ``lr*`` and its range ``[lo, hi]`` = [where the loss starts to fall, where it
   starts to rise] (``loss_fall`` / ``loss_rise``; ``lr*/10 .. lr*x3`` when a rule cannot answer).
2. Enqueue the confirmation LRs ``lr* x {1, 1/2, 2, 1/4, 4}`` that lie inside ``[lo, hi]``
   (``lr*`` first) and run them under successive halving: every trial reports its metric at
   rungs of growing step counts, and one that is in the worse part of its rung stops there.
3. If the budget allows more trials, TPE continues inside ``[lo, hi]``.

The range test's steps are counted in the search's cost (``SearchResult.extra_steps``).
"""

from __future__ import annotations

import math

import optuna

from ._engine import META_KEY, _meta, _result, resolve_pruner, run_trials
from ._samplers import make_sampler
from ._space import Float

MULTIPLES = (1.0, 0.5, 2.0, 0.25, 4.0)


def finder_range(result, space_lr: Float) -> tuple[float, float, float]:
    """(suggestion, low, high) of the search, clipped to the space's LR bounds."""
    sug = result.suggestions
    lr = result.lr or sug.get("valley") or sug.get("steepest") or sug.get("min_div10")
    if lr is None or not math.isfinite(lr):
        lr = math.sqrt(space_lr.low * space_lr.high)
    lo = sug.get("loss_fall") or lr / 10
    hi = sug.get("loss_rise") or lr * 3
    lo, hi = min(lo, lr / 2), max(hi, lr * 2)
    clip = lambda x: min(space_lr.high, max(space_lr.low, x))  # noqa: E731
    lr, lo, hi = clip(lr), clip(lo), clip(hi)
    if not hi > lo:
        lo, hi = space_lr.low, space_lr.high
    return lr, lo, hi


def run_finder(objective, space, *, budget, storage, study, exists, seed, pruner, progress, direction, max_steps):
    lr_param = space.get("lr")
    if not isinstance(lr_param, Float):
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError("space", sorted(space), "needs a float 'lr' parameter for strategy='finder'",
                                   'add "lr": {"type": "float", "low": 1e-5, "high": 1, "log": true}.')
    rt, rt_steps = objective.range_test()
    lr, lo, hi = finder_range(rt, lr_param)
    narrowed = dict(space)
    narrowed["lr"] = Float(lo, hi, log=True)
    candidates = []
    for m in MULTIPLES:
        x = lr * m
        if lo <= x <= hi and all(abs(math.log(x / c)) > 1e-9 for c in candidates):
            candidates.append(x)
    candidates = candidates[:budget]
    sampler = make_sampler("tpe", narrowed, seed=seed, budget=budget)
    if pruner is None:
        pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=max(1, getattr(objective, "steps", 100) // 4),
                                                        reduction_factor=2)
    st = optuna.create_study(study_name=study, storage=storage, sampler=sampler, pruner=resolve_pruner(pruner),
                             direction=direction, load_if_exists=True)
    if not exists:
        st.set_user_attr(META_KEY, _meta(space, "finder", direction, pruner if isinstance(pruner, str) else None, None))
    st.set_user_attr("finder_steps", int(st.user_attrs.get("finder_steps", 0)) + int(rt_steps))
    st.set_user_attr("finder", {"suggestion": lr, "low": lo, "high": hi, "candidates": candidates})
    for x in candidates:
        st.enqueue_trial({"lr": x}, skip_if_exists=True)
    run_trials(st, objective, narrowed, budget=budget, progress=progress, direction=direction, max_steps=max_steps,
               start_steps=int(rt_steps))
    return _result(st)
