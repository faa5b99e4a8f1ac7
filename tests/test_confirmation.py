"""The answer policy: sweep extension, confirmation runs, per-use answers and their verdicts.

Synthetic curves with a known shape are fed to ``lrscope.analysis._policy`` directly (a fake
``run`` callback stands in for the torch runs); a few tiny real networks check the whole of
``find_lr``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from lrscope.analysis import RangeTestResult, synthetic_result
from lrscope.analysis import _policy as P
from lrscope.analysis.probe import ProbeResult
from lrscope.runner import EXTEND_DECADES, extended_lrs, sweep_lrs


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def run_from(curve_of, steps):
    """A ``run(lrs)`` callback whose run at LR ``lr`` has the loss curve ``curve_of(log10(lr), steps)``."""
    lrs, curves = [], []

    def run(new):
        for lr in new:
            lrs.append(lr)
            curves.append(np.asarray(curve_of(math.log10(lr), steps), dtype=float))
        return ProbeResult(lrs=np.array(lrs), curves=tuple(curves), steps=steps)

    return run


def bowl(best_u, width=1.0, explode_u=None, fall=0.5):
    """Runs that fall most at log10(lr) = best_u (a parabola in u) and explode from explode_u up."""

    def curve(u, steps):
        t = np.arange(steps) / steps
        if explode_u is not None and u >= explode_u:
            return 2.0 * np.exp(8 * t)          # rises far above 4x its start
        gain = max(0.0, fall * (1.0 - ((u - best_u) / (3 * width)) ** 2))
        return 2.0 - gain * (1 - np.exp(-5 * t))

    return curve


def clean_sweep(rise_u=-1.0):
    """A sweep that falls around 1e-4, bottoms out and turns up at about 10**rise_u."""
    return synthetic_result(lambda u: 3.0 - 2.0 * logistic((u + 4.0) / 0.5) + 0.5 * np.exp(3.0 * (u - rise_u)),
                            num_steps=100, iterations_per_epoch=50, stop_above=10 ** (rise_u + 0.7))


# --------------------------------------------------------------------------- the grid and the sweep
def test_grid_is_six_per_decade():
    assert P.grid_lr(0) == 1.0 and P.grid_lr(-6) == pytest.approx(0.1) and P.grid_lr(3) == pytest.approx(10 ** 0.5)
    for lr in (3e-4, 0.02, 7.0):
        k = P.grid_index(lr)
        assert abs(math.log10(P.grid_lr(k) / lr)) <= 1 / 12 + 1e-12


def test_extension_keeps_the_sweep_rate_and_stops_at_the_cap():
    planned = sweep_lrs(1e-7, 10, 100)
    lrs = extended_lrs(1e-7, 10, 100)
    np.testing.assert_array_equal(lrs[:100], planned)
    ratio = lrs[1:] / lrs[:-1]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)          # one rate all the way
    assert lrs[-1] <= 10 * 10 ** EXTEND_DECADES * (1 + 1e-9)
    assert lrs[-1] * ratio[0] > 10 * 10 ** EXTEND_DECADES            # the next step would pass the cap
    np.testing.assert_array_equal(extended_lrs(1e-7, 10, 100, extend_decades=0), planned)
    np.testing.assert_array_equal(extended_lrs(0.01, 0.1, 10, mode="linear"), sweep_lrs(0.01, 0.1, 10, "linear"))


# --------------------------------------------------------------------------- the rounds
def test_the_best_run_is_found_and_refined_below_the_rise():
    sweep = clean_sweep(rise_u=-1.0)
    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(bowl(best_u=-2.0, explode_u=-0.5), 40))
    choice = P.choose(P.DEFAULT_POLICY, probe)
    assert choice.status == "ok"
    assert abs(P.grid_lr(choice.k) / 1e-2) <= 10 ** (P.DEFAULT_POLICY.spacing / 12 + 1e-9)   # within half a spacing
    ks = sorted(P.grid_index(x) for x in probe.lrs)
    assert max(ks) <= P.anchor_index(P.DEFAULT_POLICY, sweep)          # all below the anchor
    assert len(ks) == len(set(ks))                                      # no LR run twice


def test_when_every_run_explodes_the_candidates_move_down():
    sweep = clean_sweep(rise_u=-1.0)
    # the sweep says the rise is at 0.1, but short runs explode from 1e-4 up: the optimum is near 1e-5
    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(bowl(best_u=-5.0, explode_u=-4.0), 40))
    choice = P.choose(P.DEFAULT_POLICY, probe)
    assert choice.status == "ok" and P.grid_lr(choice.k) < 1e-4
    assert min(probe.lrs) < 1e-4 <= max(probe.lrs)


def test_one_stable_run_next_to_the_explosion_is_not_taken_for_a_slow_learner():
    # the sweep stopped far above where the runs explode (a lagging stop): three of the first four
    # runs explode and the fourth, just below them, barely moves; the optimum is two decades lower
    sweep = clean_sweep(rise_u=1.0)

    def curve(u, steps):
        if u >= -0.6:
            return 2.0 * np.exp(8 * np.arange(steps) / steps)
        if u >= -1.0:
            return np.full(steps, 2.0)                       # on the edge: neither falls nor explodes
        return bowl(best_u=-2.5)(u, steps)

    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(curve, 40))
    choice = P.choose(P.DEFAULT_POLICY, probe)
    assert choice.status == "ok" and abs(P.grid_lr(choice.k) / 10 ** -2.5) <= 10 ** (P.DEFAULT_POLICY.spacing / 12)


def test_a_slow_learner_answers_near_and_below_the_explosion():
    sweep = clean_sweep(rise_u=-1.0)

    def slow(u, steps):   # nothing falls within a short run; from 0.05 up the runs explode
        return 2.0 * np.exp(8 * np.arange(steps) / steps) if u >= math.log10(0.05) else np.full(steps, 2.0)

    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(slow, 40))
    choice = P.choose(P.DEFAULT_POLICY, probe)
    assert choice.status == "slow"
    ans = P.answers(P.DEFAULT_POLICY, probe, None)
    lowest_bad = min(lr for lr, v in zip(probe.lrs, choice.verdicts) if v == "explodes")
    for use in ("lr", "one_cycle_max_lr", "clr_max"):
        assert ans[use] < lowest_bad                       # safely below the explosion
        assert ans[use] > lowest_bad / 10 ** 1.5           # but near it, not deep in the flat region


def test_flat_runs_give_no_answer():
    sweep = synthetic_result(lambda u: 2.0 + 0.0 * u, num_steps=100, noise=0.001)
    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(lambda u, s: np.full(s, 2.0), 40))
    assert P.choose(P.DEFAULT_POLICY, probe).status == "flat"
    assert P.answers(P.DEFAULT_POLICY, probe, None) == {"lr": None, "one_cycle_max_lr": None, "clr_max": None}
    r = sweep.with_confirmation(probe)
    assert r.lr is None and r.one_cycle_max_lr is None and r.clr is None
    assert r.verdicts["lr"].level == "low" and "flat" in r.verdicts["lr"].reasons


def test_validation_loss_ranks_the_runs_when_recorded():
    lrs = np.array([0.1, 0.01, 0.001])
    curves = tuple(np.linspace(2.0, end, 30) for end in (1.0, 1.4, 1.8))     # training: 0.1 falls most
    no_val = ProbeResult(lrs=lrs, curves=curves, steps=30)
    with_val = ProbeResult(lrs=lrs, curves=curves, steps=30, val_losses=np.array([1.9, 1.2, 1.7]))
    assert P.choose(P.DEFAULT_POLICY, no_val).k == P.grid_index(0.1)
    c = P.choose(P.DEFAULT_POLICY, with_val)
    assert c.by == "val" and c.k == P.grid_index(0.01)


def test_run_length_follows_the_budget():
    pol = P.DEFAULT_POLICY
    assert P.run_steps(pol, None) == pol.steps
    assert P.run_steps(pol, 1200) == round(pol.budget_fraction * 1200)
    assert P.run_steps(pol, 10) == P.MIN_RUN_STEPS
    assert P.run_steps(pol, 10 ** 9) == min(P.MAX_RUN_STEPS, pol.max_run_steps)
    uncapped = P.Policy(max_run_steps=P.MAX_RUN_STEPS)
    assert P.run_steps(uncapped, 4000) == round(uncapped.budget_fraction * 4000)
    capped = P.Policy(max_run_steps=300)
    assert P.run_steps(capped, 1200) == 200 and P.long_run_steps(capped, 1200) == 240      # a sixth, a fifth
    assert P.run_steps(capped, 6000) == 300 and P.long_run_steps(capped, 6000) == 300      # both capped
    assert P.slow_run_steps(capped, 6000) == 300 and P.slow_run_steps(capped, None) == P.SLOW_LENGTH * capped.steps
    assert P.run_steps(P.Policy(max_run_steps=10 ** 6), 10 ** 9) == P.MAX_RUN_STEPS


# --------------------------------------------------------------------------- answers and verdicts
def _confirmed(sweep, curve, steps=40, budget=None):
    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(curve, steps))
    r = sweep.with_confirmation(probe)
    if budget is not None:
        r = RangeTestResult.from_dict({**r.to_dict(), "budget_steps": budget})
    return r


def test_each_use_gets_the_offset_of_its_own_and_the_clr_band_is_a_quarter():
    r = _confirmed(clean_sweep(-1.0), bowl(best_u=-2.0, explode_u=-0.5))
    k = r._choice.k
    off = P.DEFAULT_POLICY.offsets_for(False)
    assert P.grid_index(r.lr) == k + off.lr
    assert P.grid_index(r.one_cycle_max_lr) == k + off.one_cycle_max_lr
    assert r.clr["max_lr"] == pytest.approx(P.grid_lr(k + off.clr_max))
    assert r.clr["base_lr"] == pytest.approx(r.clr["max_lr"] / 4)
    assert r.clr["step_size"] == 4 * 50                     # four epochs without a budget
    with_budget = _confirmed(clean_sweep(-1.0), bowl(best_u=-2.0, explode_u=-0.5), budget=1000)
    assert with_budget.clr["step_size"] == 250              # two whole cycles over the budget


def test_a_clear_optimum_well_inside_the_runs_is_high_confidence():
    r = _confirmed(clean_sweep(-1.0), bowl(best_u=-2.0, explode_u=-0.5))
    for use in ("lr", "one_cycle_max_lr"):
        assert r.verdicts[use].level == "high", r.verdicts[use]


@pytest.mark.parametrize("fall, flagged", [(0.05, True), (0.15, False), (0.5, False)])
def test_an_answer_from_a_run_that_barely_fell_is_flagged_small_fall(fall, flagged):
    # the same clear bowl, but its best run lowers the loss by about `fall` of its start
    r = _confirmed(clean_sweep(-1.0), bowl(best_u=-2.0, explode_u=-0.5, fall=2.0 * fall))
    from lrscope.analysis.confidence import SMALL_FALL, _deciding_fall
    assert (_deciding_fall(r) < SMALL_FALL) == flagged
    for use in ("lr", "one_cycle_max_lr"):
        v = r.verdicts[use]
        assert ("small_fall" in v.reasons) == flagged, v
        assert v.level == ("medium" if flagged else "high"), v
    if flagged:
        assert "barely moved" in r.verdicts["lr"].message


@pytest.mark.parametrize("stop_u, short", [(-6.5, True), (-1.0, False)])
def test_a_sweep_that_diverges_near_its_start_says_the_runs_alone_answer(stop_u, short):
    # the sweep (1e-7 .. 10 in 100 steps) stops when the LR passes 10**stop_u: after about 8 steps
    # (a model whose usable LRs lie below start_lr) or after about 70; the runs have a clear optimum
    # a decade and a half below the stop either way
    sweep = synthetic_result(lambda u: 3.0 - 0.01 * (u + 7.0), num_steps=100, stop_above=10 ** stop_u)
    r = _confirmed(sweep, bowl(best_u=stop_u - 1.5, explode_u=stop_u - 0.2))
    assert (len(r._curve) < 20) == short
    for use in ("lr", "one_cycle_max_lr"):
        v = r.verdicts[use]
        assert ("short_sweep" in v.reasons) == short, v
        assert v.level == "high", v                                  # information only
    if short:
        assert "start_lr=1e-10" in r.verdicts["lr"].message and "confirmation runs alone" in r.verdicts["lr"].message


def test_an_optimum_at_the_lowest_run_is_flagged_edge():
    sweep = clean_sweep(-1.0)
    # the runs' loss keeps improving towards smaller LRs all the way down (nothing explodes)
    r = _confirmed(sweep, lambda u, s: 2.0 - 0.1 * (1 - np.exp(-5 * np.arange(s) / s)) * max(0.1, -u))
    assert "edge" in r.verdicts["lr"].reasons and r.verdicts["lr"].level == "medium"
    assert "lower LR" in r.verdicts["lr"].message


@pytest.mark.parametrize("momentum, steps, flagged", [
    (0.99, 40, True),       # 100 steps of averaging, runs of 40 (and no longer runs): flagged
    (0.99, 300, False),     # runs of 3 x 100 steps: the buffer holds 95% of its steady-state weight
    (0.9, 40, False),       # 10 steps of averaging: 40-step runs see it whole
    (None, 40, False),      # no momentum (plain SGD, Adagrad)
])
def test_runs_shorter_than_the_momentum_horizon_are_flagged(momentum, steps, flagged):
    sweep = RangeTestResult.from_dict({**clean_sweep(-1.0).to_dict(), "momentum": momentum})
    r = _confirmed(sweep, bowl(best_u=-2.0, explode_u=-0.5), steps=steps)
    assert r.momentum == momentum and r._decision.status == "ok"
    for use in ("lr", "one_cycle_max_lr"):
        v = r.verdicts[use]
        assert ("momentum_horizon" in v.reasons) == flagged, v
        assert v.level == ("medium" if flagged else "high"), v
    if flagged:
        assert "100 steps" in r.verdicts["lr"].message and "budget_steps" in r.verdicts["lr"].message


@pytest.mark.parametrize("optimizer, best_u, flagged", [
    ("AdamW", 0.5, True),        # an Adam step of ~3 per weight
    ("Adam", -2.0, False),       # 0.01: an ordinary Adam LR
    ("SGD", 0.5, False),         # an SGD step scales with the gradient: LR 3 can be right
    (None, 0.5, False),          # optimizer unknown
])
def test_an_adam_type_answer_of_one_or_more_is_flagged(optimizer, best_u, flagged):
    sweep = RangeTestResult.from_dict({**clean_sweep(best_u + 1.0).to_dict(), "optimizer": optimizer})
    r = _confirmed(sweep, bowl(best_u=best_u, explode_u=best_u + 1.5))
    assert r._decision.status == "ok" and abs(r._decision.k - P.grid_index(10 ** best_u)) <= 1
    for use in ("lr", "one_cycle_max_lr"):
        assert ("adam_step" in r.verdicts[use].reasons) == flagged, r.verdicts[use]
    if flagged:
        assert r.verdicts["lr"].level == "medium" and "100x lower" in r.verdicts["lr"].message


@pytest.mark.parametrize("name, kwargs, expected", [
    ("SGD", {"lr": 0.1, "momentum": 0.99, "nesterov": True}, 0.99),
    ("AdamW", {"betas": (0.95, 0.999)}, 0.95),
    ("SGD", {"lr": 0.1}, None),
    ("Adagrad", {}, None),
])
def test_find_lr_records_the_optimizers_momentum(name, kwargs, expected):
    import torch

    import lrscope

    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 4, generator=g)
    data = [(x[i:i + 16], (x[i:i + 16, 0] > 0).long()) for i in range(0, 64, 16)]
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    optimizer = getattr(torch.optim, name)(model.parameters(), **kwargs)
    res = lrscope.find_lr(model, optimizer, torch.nn.functional.cross_entropy, data, num_steps=20,
                          confirm=False, progress=False)
    assert res.momentum == expected
    assert RangeTestResult.from_dict(res.to_dict()).momentum == expected


def test_slow_learner_verdict_names_the_shape_and_the_fix():
    sweep = clean_sweep(-1.0)
    r = _confirmed(sweep, lambda u, s: 2.0 * np.exp(8 * np.arange(s) / s) if u >= -1.5 else np.full(s, 2.0))
    v = r.verdicts["lr"]
    assert "slow_learner" in v.reasons and "budget_steps" in v.message
    assert "diverged_at_once" not in v.reasons and "flat" not in v.reasons
    # no run fell (here without a second round; with one, below): no run confirms the answer
    assert r._decision.status == "slow"
    assert "no_run_learned" in v.reasons and v.level == "low"
    assert "warm-up" in v.message and "Adam" in v.message


def test_runs_that_all_fell_alike_are_a_tie_and_the_verdict_says_they_fell():
    """The tie rule: every stable run fell by about as much (here 26-28%: all of them learnt only
    the quick part, as on the adding problem), the higher ones exploded. The answer sits below the
    explosion as for a slow learner, but the verdict must not claim that nothing fell."""
    sweep = clean_sweep(-1.0)
    fall = lambda u: 0.26 + 0.006 * (u + 4)     # noqa: E731  (0.26 at 1e-4, a little more higher up)
    r = _confirmed(sweep, lambda u, s: (2.0 * np.exp(8 * np.arange(s) / s) if u >= -1.0 else
                                        2.0 - 2.0 * fall(u) * (1 - np.exp(-20 * np.arange(s) / s))))
    assert r._choice.status == "slow"
    v = r.verdicts["lr"]
    assert "runs_tie" in v.reasons and "slow_learner" not in v.reasons and v.level == "medium"
    assert "no_run_learned" not in v.reasons        # they fell: something was learnt
    assert "no run's loss fell" not in v.message and "fell by about as much" in v.message
    falls = [d for d, said in zip(r.confirm.drops, r._choice.verdicts) if said != "explodes"]
    assert f"{min(falls):.1%} to {max(falls):.1%}" in v.message
    # and a true slow learner (nothing fell) is not called a tie
    slow = _confirmed(sweep, lambda u, s: 2.0 * np.exp(8 * np.arange(s) / s) if u >= -1.5 else np.full(s, 2.0))
    assert "slow_learner" in slow.verdicts["lr"].reasons and "runs_tie" not in slow.verdicts["lr"].reasons


def test_falls_alike_that_leave_very_different_losses_are_ranked_not_tied():
    """A multi-step forecast under RAdam (a fresh benchmark task): every stable run fell by 77-85%,
    within 10% of each other, but what is left of their losses differs 1.5x (0.23 at the highest
    LR, 0.15 a decade lower). That is not a tie: the runs are ranked, and the answer is the best
    run's, far below the explosion, not half a decade under it (before, regret 0.68)."""
    sweep = clean_sweep(-1.0)
    # the loss falls to a remainder that is smallest at 10**-2.5 and grows towards the explosion
    rest = lambda u: 0.15 + 0.04 * (u + 2.5) ** 2     # noqa: E731  (0.15 at 10**-2.5, 0.24 at 10**-1)
    curve = lambda u, s: (2.0 * np.exp(8 * np.arange(s) / s) if u >= -1.0 else     # noqa: E731
                          2.0 - 2.0 * (1 - rest(u)) * (1 - np.exp(-20 * np.arange(s) / s)))
    r = _confirmed(sweep, curve)
    falls = [d for d, said in zip(r.confirm.drops, r._choice.verdicts) if said != "explodes"]
    assert min(falls) >= 0.9 * max(falls)             # the falls alone would call it a tie
    assert r._choice.status == "ok" and "runs_tie" not in r.verdicts["lr"].reasons
    best = r.confirm.lrs[int(np.argmax(r.confirm.drops))]
    assert r._choice.k == P.grid_index(best) and P.grid_index(r.lr) == r._choice.k
    assert r.lr < 10 ** -1.5                          # not half a decade below the explosion at 0.1


def dead_zone(short_steps):
    """A deep ReLU net trained with SGD: from 10**-0.5 up the runs explode; between 10**-1.5 and
    there the net dies (the loss stays put, it never explodes); below, it learns, but too slowly
    for a run of ``short_steps`` to show it: the loss starts falling only after 60 steps, the
    more the higher the LR."""

    def curve(u, steps):
        t = np.arange(steps)
        if u >= -0.5:
            return 2.0 * np.exp(8 * t / steps)
        if u >= -1.5 or steps <= short_steps:
            return np.full(steps, 2.3)
        rate = 10 ** (u + 1.5)                       # 1 at the top of the learning band
        return 2.3 - 1.5 * rate * np.clip((t - 60) / 40, 0, 1)

    return curve


def test_a_slow_learner_is_given_longer_runs_below_the_explosion_and_their_best_decides():
    sweep = clean_sweep(-1.0)
    curve = dead_zone(40)
    probe, long = P.confirm(LONG, sweep, run_from(curve, 40), run_from(curve, 100))
    first = P.choose(LONG, probe)
    assert first.status == "slow" and not first.tie
    assert [P.grid_index(x) for x in long.lrs] == P.slow_candidates(LONG, first.k)
    final = P.decide(LONG, probe, long)
    learn = [P.grid_index(x) for x in long.lrs if math.log10(x) < -1.5]
    assert final.status == "ok" and final.k == max(learn)       # the highest LR below the dead zone
    r = sweep.with_confirmation(probe, long)
    assert P.grid_index(r.lr) == final.k + P.DEFAULT_POLICY.offsets_for(False).lr
    v = r.verdicts["lr"]
    assert "slow_learner" in v.reasons and f"lr={P.grid_lr(final.k):.3g} fell most" in v.message
    assert "no_run_learned" not in v.reasons and v.level == "medium"      # a longer run learnt
    # longer runs in which nothing falls either: the slow learner's answer below the explosion, as before
    flat = lambda u, s: curve(u, s) if u >= -1.5 else np.full(s, 2.3)      # noqa: E731
    probe, long = P.confirm(LONG, sweep, run_from(flat, 40), run_from(flat, 100))
    final = P.decide(LONG, probe, long)
    assert long is not None and final.status == "slow" and final.k == first.k
    r = sweep.with_confirmation(probe, long)
    assert "nor did any of 4 longer runs" in r.verdicts["lr"].message
    assert "no_run_learned" in r.verdicts["lr"].reasons and r.verdicts["lr"].level == "low"
    assert "in 100 steps" in r.verdicts["lr"].message           # the longest run tried


def test_every_run_exploding_is_no_answer_with_a_fix():
    r = _confirmed(clean_sweep(-1.0), lambda u, s: 2.0 * np.exp(8 * np.arange(s) / s))
    assert r.lr is None and r.verdicts["lr"].level == "low"
    assert "diverged_at_once" in r.verdicts["lr"].reasons and "start_lr=" in r.verdicts["lr"].message


def test_extended_and_never_diverged_are_told_apart():
    base = dict(num_steps=100, end_lr=10.0)
    fell = lambda u: 3.0 - 2.0 * logistic((u + 4.0) / 0.5)    # noqa: E731
    grid = extended_lrs(1e-7, 10.0, 100)
    # a sweep that ran past end_lr and then diverged
    extended = synthetic_result(lambda u: fell(u) + np.exp(3.0 * (u - 2.0)), **base)
    ext = RangeTestResult.from_dict({**extended.to_dict(), "extend_decades": EXTEND_DECADES})
    assert not ext.extended
    n = int(np.searchsorted(grid, 300.0))
    rec = RangeTestResult(lrs=grid[:n], losses=fell(np.log10(grid[:n])) + np.exp(3.0 * (np.log10(grid[:n]) - 2.0)),
                          smoothed=np.zeros(n), group_lrs=grid[:n, None], mode="exp", start_lr=1e-7, end_lr=10.0,
                          num_steps=100, stop_reason="diverged", stop_message="", smoothing=0.98, diverge_factor=4.0,
                          extend_decades=EXTEND_DECADES)
    assert rec.extended
    r = rec.with_confirmation(*P.confirm(P.DEFAULT_POLICY, rec, run_from(bowl(1.0, explode_u=1.5), 40)))
    assert r.verdicts["lr"].reasons == ("extended",) and r.verdicts["lr"].level == "high"   # information only
    never = RangeTestResult(lrs=grid, losses=fell(np.log10(grid)), smoothed=np.zeros(len(grid)),
                            group_lrs=grid[:, None], mode="exp", start_lr=1e-7, end_lr=10.0, num_steps=100,
                            stop_reason="completed", stop_message="", smoothing=0.98, diverge_factor=4.0,
                            extend_decades=EXTEND_DECADES)
    r2 = never.with_confirmation(*P.confirm(P.DEFAULT_POLICY, never, run_from(bowl(2.0), 40)))
    assert "never_diverged" in r2.verdicts["lr"].reasons and r2.verdicts["lr"].level == "medium"
    assert r2.lr is not None and r2.one_cycle_max_lr is not None and r2.clr is not None


def _never_diverged_sweep():
    """A sweep that fell near 1e-4 and then only crept down up to its cap (1e5): a bounded loss."""
    grid = extended_lrs(1e-7, 10.0, 100)
    u = np.log10(grid)
    return RangeTestResult(lrs=grid, losses=3.0 - 0.5 * logistic((u + 4.0) / 0.5) - 0.01 * (u + 7),
                           smoothed=np.zeros(len(grid)), group_lrs=grid[:, None], mode="exp", start_lr=1e-7,
                           end_lr=10.0, num_steps=100, stop_reason="completed", stop_message="", smoothing=0.98,
                           diverge_factor=4.0, extend_decades=EXTEND_DECADES)


@pytest.mark.parametrize("best_u", [-3.0, 4.0])
def test_a_sweep_that_never_diverged_locates_the_region_a_decade_at_a_time(best_u):
    sweep = _never_diverged_sweep()
    assert P.grid_index(sweep.lrs[-1]) == 30                 # the cap: 1e5
    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(bowl(best_u, width=1.5), 40))
    ks = [P.grid_index(x) for x in probe.lrs]
    # the first runs go down from the cap a decade apart, four at a time, until the best is not the lowest
    assert ks[:4] == [30, 24, 18, 12]
    decades = [k for k in ks if (30 - k) % 6 == 0]
    assert decades == list(range(30, 30 - 6 * len(decades), -6)) and len(decades) % 4 == 0
    # then the first round, centred on the best of them, at half a decade apart (none run twice)
    assert len(ks) == len(set(ks))
    choice = P.choose(P.DEFAULT_POLICY, probe)
    assert choice.status == "ok" and choice.k == P.grid_index(10 ** best_u)   # the bowl's bottom, exactly
    # before, the runs sat 0.5-2 decades below the cap, whatever the bowl
    assert min(ks) <= P.grid_index(10 ** best_u)
    r = sweep.with_confirmation(probe)
    assert "never_diverged" in r.verdicts["lr"].reasons and "located" in r.verdicts["lr"].message
    assert r.lr == pytest.approx(P.grid_lr(choice.k + P.DEFAULT_POLICY.offsets.lr))


def test_runs_an_optimizer_gave_the_same_losses_go_to_the_lowest_lr_and_the_verdict_says_so():
    # an optimizer that stops using the LR above 1 (torch's Adafactor caps its step): every run from
    # there up is the same run, and the bowl's bottom would lie beyond the cap
    sweep = _never_diverged_sweep()
    capped = bowl(1.0, width=1.5)
    probe, long = P.confirm(P.DEFAULT_POLICY, sweep, run_from(lambda u, s: capped(min(u, 0.0), s), 40))
    choice = P.choose(P.DEFAULT_POLICY, probe)
    # not the cap of the sweep (1e5, the highest of equal runs), but the lowest LR of them
    assert choice.status == "ok" and choice.k == 0
    r = sweep.with_confirmation(probe)
    v = r.verdicts["lr"]
    assert "lr_ignored" in v.reasons and "same losses" in v.message
    assert "edge" not in v.reasons           # not "a higher LR may be better still"
    # information only: the level is what the other reasons make it
    from lrscope.analysis.confidence import level_of
    assert v.level == level_of(tuple(x for x in v.reasons if x != "lr_ignored"))
    # runs that differ are not reported (the bowl tilted a little: it is symmetric about its bottom, so
    # LRs equally far above and below it would give the same curves)
    tilted = lambda u, s: bowl(-3.0, width=1.5)(u, s) + 1e-3 * u   # noqa: E731
    plain = sweep.with_confirmation(P.confirm(P.DEFAULT_POLICY, sweep, run_from(tilted, 40))[0])
    assert "lr_ignored" not in plain.verdicts["lr"].reasons


def test_a_sweep_that_never_diverged_with_no_run_falling_has_no_answer():
    sweep = _never_diverged_sweep()
    probe, _ = P.confirm(P.DEFAULT_POLICY, sweep, run_from(lambda u, s: np.full(s, 2.0), 40))
    # every decade from the cap down to the sweep's start was tried, then the first round below the cap
    assert {P.grid_index(x) for x in probe.lrs} >= set(range(30, -43, -6))
    r = sweep.with_confirmation(probe)
    assert r.lr is None and "flat" in r.verdicts["lr"].reasons and r.verdicts["lr"].level == "low"


def test_json_round_trip_keeps_the_confirmation_and_the_answers():
    r = _confirmed(clean_sweep(-1.0), bowl(best_u=-2.0, explode_u=-0.5))
    back = RangeTestResult.from_dict(r.to_dict())
    assert back.confirm is not None and np.array_equal(back.confirm.lrs, r.confirm.lrs)
    assert (back.lr, back.one_cycle_max_lr, back.clr) == (r.lr, r.one_cycle_max_lr, r.clr)
    assert back.verdicts == r.verdicts and back.cost_steps == r.cost_steps
    assert "confirmation: " in r.summary() and "<- best" in r.summary()


# --------------------------------------------------------------------------- the longer runs
LONG = dataclasses.replace(P.DEFAULT_POLICY, long_count=2, long_spacing=3, long_skip=1, long_steps=100)


def quick_then_slow(u, steps):
    """Runs whose early progress is fastest at high LRs but whose level is lowest at low LRs:
    ``2 - gain(u) (1 - exp(-rate(u) t))`` with the rate rising and the gain falling with the LR;
    from 10**-0.5 up they explode."""
    t = np.arange(steps)
    if u >= -0.5:
        return 2.0 * np.exp(8 * t / steps)
    rate, gain = 0.02 * 10 ** (u + 2), min(1.0, 1.0 - 0.25 * (u + 3))
    return 2.0 - gain * (1 - np.exp(-rate * t))


def _tail_level(u, steps):
    c = quick_then_slow(u, steps)
    return float(np.mean(c[-max(1, steps // 5):]))


def test_longer_runs_overrule_the_short_runs_preference_for_speed():
    sweep = clean_sweep(-1.0)
    probe, long = P.confirm(LONG, sweep, run_from(quick_then_slow, 40), run_from(quick_then_slow, 100))
    first = P.choose(LONG, probe)
    assert first.status == "ok"
    assert [P.grid_index(x) for x in long.lrs] == P.long_candidates(LONG, first.k)
    assert max(long.lrs) < P.grid_lr(first.k)                       # all below the short runs' best
    final = P.decide(LONG, probe, long)
    # the independent expectation: the longer candidate whose 100-step curve ends lowest
    expect = min(long.lrs, key=lambda lr: _tail_level(math.log10(lr), 100))
    assert final.status == "ok" and final.k == P.grid_index(expect) < first.k
    ans = P.answers(LONG, probe, None, long)
    assert P.grid_index(ans["lr"]) == final.k + LONG.offsets.lr
    assert P.grid_index(ans["one_cycle_max_lr"]) == final.k + LONG.offsets.one_cycle_max_lr


def test_longer_runs_that_all_explode_move_the_answer_below_them():
    sweep = clean_sweep(-1.0)
    # fine for 40 steps (the higher LRs falling a little further), but every run blows up later at these LRs
    late = lambda u, s: (2.0 - (0.3 + 0.01 * u) * (1 - np.exp(-np.arange(s) / 10)) if s <= 40 or u < -3  # noqa: E731
                         else 2.0 * np.exp(8 * np.arange(s) / s))
    probe, long = P.confirm(LONG, sweep, run_from(late, 40), run_from(late, 100))
    final = P.decide(LONG, probe, long)
    assert P.choose(LONG, long, tie=False).status == "exploded"
    assert final.status == "ok" and final.k == min(P.grid_index(x) for x in long.lrs) - LONG.long_spacing


def test_longer_runs_that_do_not_fall_keep_the_highest_of_them():
    sweep = clean_sweep(-1.0)
    # the short runs fall; at the lower LRs of the longer runs nothing moves
    probe, long = P.confirm(LONG, sweep, run_from(bowl(best_u=-1.5, explode_u=-0.5), 40),
                            run_from(lambda u, s: np.full(s, 2.0), 100))
    final = P.decide(LONG, probe, long)
    assert final.status == "ok" and final.k == max(P.grid_index(x) for x in long.lrs)


def test_no_longer_runs_after_a_tie_or_without_a_callback():
    sweep = clean_sweep(-1.0)
    tie = lambda u, s: (2.0 * np.exp(8 * np.arange(s) / s) if u >= -1.0 else      # noqa: E731
                        2.0 - 1.9 * (1 - np.exp(-20 * np.arange(s) / s)))
    _, long = P.confirm(LONG, sweep, run_from(tie, 40), run_from(tie, 100))
    assert long is None
    _, long = P.confirm(LONG, sweep, run_from(quick_then_slow, 40))
    assert long is None
    off = dataclasses.replace(LONG, long_count=0)
    _, long = P.confirm(off, sweep, run_from(quick_then_slow, 40), run_from(quick_then_slow, 100))
    assert long is None


def test_long_run_length_follows_the_budget():
    assert P.long_run_steps(LONG, None) == LONG.long_steps
    assert P.long_run_steps(LONG, 1000) == round(LONG.long_fraction * 1000)
    assert P.long_run_steps(LONG, 5000) == min(round(LONG.long_fraction * 5000), LONG.max_run_steps)
    assert P.long_run_steps(LONG, 10) == P.MIN_RUN_STEPS


def test_the_result_shows_both_rounds_and_answers_from_the_longer_runs(monkeypatch):
    monkeypatch.setattr(P, "DEFAULT_POLICY", LONG)
    sweep = clean_sweep(-1.0)
    probe, long = P.confirm(LONG, sweep, run_from(quick_then_slow, 40), run_from(quick_then_slow, 100))
    r = sweep.with_confirmation(probe, long)
    final = P.decide(LONG, probe, long)
    assert P.grid_index(r.lr) == final.k + LONG.offsets.lr
    text = r.summary()
    assert f"{len(probe.lrs)} runs of 40 steps, then 2 of 100 steps" in text
    best_rows = [row for row in r._run_rows if row[5]]
    assert len(best_rows) == 1 and best_rows[0][0] == 100 and P.grid_index(best_rows[0][1]) == final.k
    assert sum("<- best" in line for line in text.splitlines()) == 1
    back = RangeTestResult.from_dict(r.to_dict())
    assert back.confirm_long is not None and np.array_equal(back.confirm_long.lrs, long.lrs)
    assert (back.lr, back.one_cycle_max_lr, back.clr) == (r.lr, r.one_cycle_max_lr, r.clr)
    fig = r.plot()
    title = fig.axes[-1].get_title(loc="left")
    assert "then 2 of 100 steps" in title
    from lrscope.report import render_html

    html = render_html(r)
    assert "then 2 of 100 steps" in html and html.count("&larr; best") == 1


def test_longer_runs_without_the_first_round_are_refused():
    sweep = clean_sweep(-1.0)
    _, long = P.confirm(LONG, sweep, run_from(quick_then_slow, 40), run_from(quick_then_slow, 100))
    with pytest.raises(Exception, match="confirm_long"):
        RangeTestResult.from_dict({**sweep.to_dict(), "confirm_long": long.to_dict()})


# --------------------------------------------------------------------------- tiny real networks
torch = pytest.importorskip("torch")


def _linear_task(seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 4, generator=g) * scale
    y = x @ torch.tensor([1.0, -2.0, 0.5, 0.0]) + 0.1 * torch.randn(256, generator=g)
    data = [(x[i:i + 32], y[i:i + 32, None]) for i in range(0, 256, 32)]
    torch.manual_seed(seed)
    model = torch.nn.Linear(4, 1)
    return model, data


def test_a_sweep_that_never_diverges_still_answers_every_use():
    # a scale-free loss (cosine distance) never blows up, whatever the LR: the sweep runs to its cap
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def loss_fn(out, y):
        return 1.0 - torch.nn.functional.cosine_similarity(out.T, y.T).mean()

    res = lrscope.find_lr(model, opt, loss_fn, data, start_lr=1e-4, end_lr=1e-2, num_steps=20, progress=False)
    assert res.extended
    for value in (res.lr, res.one_cycle_max_lr, res.clr):
        assert value is not None


def test_adafactor_whose_lr_is_only_a_cap_is_answered_below_the_cap():
    # torch's Adafactor steps by min(lr, 1/sqrt(step)) times the weights' scale: above 1 the LR
    # changes nothing, the sweep never diverges, and the runs there are identical
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.Adafactor(model.parameters())
    res = lrscope.find_lr(model, opt, torch.nn.functional.mse_loss, data, progress=False)
    assert res.stop_reason == "completed"
    assert res.lr is not None and res.lr < 1.0          # was the top of the extended sweep, ~1e5
    assert "lr_ignored" in res.verdicts["lr"].reasons


def _outlier_batches(every=10, n=40):
    """A linear regression whose every ``every``-th batch carries targets 100 off: one batch's loss far above the rest."""
    g = torch.Generator().manual_seed(3)
    w = torch.tensor([[1.0], [-2.0], [0.5], [0.0]])
    batches = []
    for i in range(n):
        x = torch.randn(32, 4, generator=g)
        y = x @ w + 0.1 * torch.randn(32, 1, generator=g)
        if i % every == every - 1:
            y = y + 100.0
        batches.append((x, y))
    return batches


def test_runs_that_all_explode_on_single_outlier_batches_are_made_again_and_answer():
    # every 50-step run meets an outlier batch, whose loss lies far above the explosion limit at
    # any LR: counted at once, every run "explodes" and there is no answer
    import lrscope
    from lrscope.analysis.probe import SPIKE_STEPS, probe_verdicts

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    data = _outlier_batches()
    res = lrscope.find_lr(model, opt, torch.nn.functional.mse_loss, data, progress=False)
    runs = res.confirm
    assert runs.spike_steps == SPIKE_STEPS
    # the first look's rule would have called every one of these runs exploded
    first_rule, _, _ = probe_verdicts(runs.curves, runs.steps, runs.diverge_factor, runs.slow_ratio, runs.start_loss)
    assert any(v == "explodes" for v in first_rule)
    for value in (res.lr, res.one_cycle_max_lr):
        assert value is not None
    v = res.verdicts["lr"]
    assert "spiky_loss" in v.reasons and "HuberLoss" in v.message and v.level != "high"
    # the cost counts both looks: more than the sweep and the runs kept
    kept = sum(len(c) for rnd in (res.confirm, res.confirm_long) if rnd is not None for c in rnd.curves)
    assert res.cost_steps > len(res.lrs) + kept
    # and the JSON round trip keeps the rule the runs were judged by
    from lrscope.analysis import RangeTestResult
    back = RangeTestResult.from_dict(res.to_dict())
    assert back.confirm.spike_steps == SPIKE_STEPS and back.lr == res.lr


def test_runs_without_outliers_are_judged_once():
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    res = lrscope.find_lr(model, opt, torch.nn.functional.mse_loss, data, progress=False)
    assert res.confirm.spike_steps == 1 and "spiky_loss" not in res.verdicts["lr"].reasons


def test_cost_counts_every_optimizer_step():
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = []
    real_step = opt.step

    def counting_step(*a, **k):
        steps.append(1)
        return real_step(*a, **k)

    opt.step = counting_step
    mse = torch.nn.MSELoss()
    res = lrscope.find_lr(model, opt, mse, data, num_steps=30, progress=False)
    assert res.cost_steps == len(steps)
    runs = [res.confirm] + ([res.confirm_long] if res.confirm_long is not None else [])
    # the starting loss is read off the sweep when its first LRs were negligible, else measured
    measured = 0 if P.start_loss(res) is not None else P.START_BATCHES
    assert res.cost_steps == len(res.lrs) + measured + sum(len(c) for r in runs for c in r.curves)
    sweep_only = lrscope.find_lr(model, opt, mse, data, num_steps=30, confirm=False, extend_decades=0,
                                 progress=False)
    assert sweep_only.confirm is None and sweep_only.cost_steps == len(sweep_only.lrs) <= 30


def test_budget_sets_the_run_length_and_validation_ranks_the_runs():
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    res = lrscope.find_lr(model, opt, torch.nn.MSELoss(), data, budget_steps=800, val_loader=data[:2],
                          progress=False)
    assert res.confirm.steps == P.run_steps(P.DEFAULT_POLICY, 800) and res.budget_steps == 800
    if res.confirm_long is not None:
        assert res.confirm_long.steps == P.long_run_steps(P.DEFAULT_POLICY, 800)
    assert res.confirm.val_losses is not None and res._choice.by == "val"
    assert "planned training 800 steps" in res.summary()


def test_a_long_budget_caps_every_run_at_the_policys_longest():
    """A 100,000-step plan: the runs would be a sixth and a fifth of it; they stop at 300 steps."""
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    res = lrscope.find_lr(model, opt, torch.nn.MSELoss(), data, budget_steps=100_000, progress=False)
    assert P.DEFAULT_POLICY.max_run_steps == 300
    assert res.confirm.steps == 300 and all(len(c) <= 300 for c in res.confirm.curves)
    if res.confirm_long is not None:
        assert res.confirm_long.steps == 300
    runs = [res.confirm] + ([res.confirm_long] if res.confirm_long is not None else [])
    measured = 0 if P.start_loss(res) is not None else P.START_BATCHES
    assert res.cost_steps == len(res.lrs) + measured + sum(len(c) for r in runs for c in r.curves) < 100_000 / 20


def _regression_batches(easy_first: bool):
    """A 16-sample-batch regression whose first batch holds small targets (its loss at the start
    is about 1/20 of the model's mean loss), or the same batches with that one moved to the end."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(640, 8, generator=g)
    y = (x @ torch.randn(8, generator=g))[:, None] + 0.3 * torch.randn(640, 1, generator=g)
    y = (y - y.mean()) / y.std()
    order = torch.argsort(y[:, 0].abs())
    rest = torch.cat([order[:100], order[116:]])
    idx = torch.cat([order[100:116], rest[torch.randperm(624, generator=g)]])
    batches = [(x[idx[i:i + 16]], y[idx[i:i + 16]]) for i in range(0, 640, 16)]
    if not easy_first:
        batches = batches[1:] + batches[:1]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    return model, torch.optim.AdamW(model.parameters(), lr=1e-3), batches


def test_the_starting_loss_is_the_sweeps_first_losses_while_its_lr_was_negligible():
    sweep = clean_sweep(-1.0)          # from 1e-7, stopped near 0.5
    assert P.start_loss(sweep) == pytest.approx(float(np.mean(sweep.losses[:P.START_BATCHES])))
    fast = synthetic_result(lambda u: 3.0 - 0.1 * u, start_lr=1e-3, end_lr=1.0, num_steps=30)
    assert P.start_loss(fast) is None                       # 1e-3 .. is not negligible: find_lr measures


def test_an_easy_first_batch_does_not_change_the_answer():
    """With the first batch's loss 1/20 of the usual one, the old rules (the sweep's best taken
    from the first step, each run measured from its first loss) stopped the sweep at once and
    saw every run as flat: no answer. The answer must be the one the same batches give when
    an ordinary batch comes first."""
    import lrscope

    answers = {}
    for easy in (True, False):
        model, opt, batches = _regression_batches(easy)
        res = lrscope.find_lr(model, opt, torch.nn.MSELoss(), batches, progress=False)
        assert res.lr is not None and res.one_cycle_max_lr is not None
        answers[easy] = res
    easy, usual = answers[True], answers[False]
    assert float(easy.losses[0]) < 0.1 * easy.confirm.start_loss      # the shape this test is about
    assert easy.stop_reason == "diverged" and easy.lrs[-1] > 1e-3
    assert abs(P.grid_index(easy.lr) - P.grid_index(usual.lr)) <= P.DEFAULT_POLICY.spacing
    assert abs(P.grid_index(easy.one_cycle_max_lr) - P.grid_index(usual.one_cycle_max_lr)) <= P.DEFAULT_POLICY.spacing


def test_the_starting_loss_is_measured_at_lr_0_when_the_sweep_started_high():
    """A sweep from start_lr=1e-2 moves the weights from its first steps, so its first losses are
    not the starting model's: find_lr measures them with 20 steps at LR 0, which must equal the
    untouched model's mean loss over the first 20 batches (computed here with torch alone), and
    count in the cost."""
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    mse = torch.nn.MSELoss()
    with torch.no_grad():
        expected = float(np.mean([float(mse(model(x), y)) for x, y in (data * 3)[:P.START_BATCHES]]))
    res = lrscope.find_lr(model, opt, mse, data, start_lr=1e-2, end_lr=10.0, num_steps=30, progress=False)
    assert P.start_loss(res) is None
    assert res.confirm.start_loss == pytest.approx(expected, rel=1e-5)
    runs = [res.confirm] + ([res.confirm_long] if res.confirm_long is not None else [])
    assert res.cost_steps == len(res.lrs) + P.START_BATCHES + sum(len(c) for r in runs for c in r.curves)


def test_the_summary_gives_the_cost_against_the_planned_training():
    """With budget_steps the summary says what the test cost as a share of the plan, and, when the
    test took more steps than the whole plan, that the sweep alone is the cheaper choice."""
    import lrscope

    model, data = _linear_task()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    short = lrscope.find_lr(model, opt, torch.nn.MSELoss(), data, budget_steps=50, progress=False)
    assert short.cost_steps > 50
    text = short.summary()
    assert f"cost: {short.cost_steps} optimizer steps ({short.cost_steps / 50:.2f}x the planned 50-step training" in text
    assert "find_lr(confirm=False)" in text
    long = lrscope.find_lr(model, opt, torch.nn.MSELoss(), data, budget_steps=100_000, progress=False)
    assert f"({long.cost_steps / 100_000:.2f}x the planned 100000-step training)" in long.summary()
    assert "confirm=False" not in long.summary()


def _digits_batches(bs=64):
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits()
    x = torch.tensor(d.data[:1344], dtype=torch.float32) / 16.0
    y = torch.tensor(d.target[:1344])
    return [(x[i:i + bs], y[i:i + bs]) for i in range(0, len(x), bs)]


def _digits_mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def test_adagrad_runs_outlive_the_spike_of_its_first_steps():
    # Adagrad's first step is lr * sign(g) on every weight: at a good LR the loss jumps far above
    # the explosion limit for a few steps, then falls below where lower LRs get. Cut at once, the
    # run at the best LR "explodes" (a 1-D CNN was answered 30x below its best that way)
    import lrscope
    from lrscope.analysis.probe import ACCUMULATOR_SPIKE_STEPS, probe_verdicts

    data = _digits_batches()
    model = _digits_mlp()
    res = lrscope.find_lr(model, torch.optim.Adagrad(model.parameters(), lr=0.01), torch.nn.CrossEntropyLoss(), data,
                          progress=False)
    runs = res.confirm
    assert runs.spike_steps == ACCUMULATOR_SPIKE_STEPS
    cut_at_once, _, _ = probe_verdicts(runs.curves, runs.steps, runs.diverge_factor, runs.slow_ratio, runs.start_loss)
    kept = [lr for lr, a, b in zip(runs.lrs, cut_at_once, runs.verdicts.values()) if a == "explodes" and b != "explodes"]
    assert kept, (runs.lrs, runs.verdicts)
    v = res.verdicts["lr"]
    assert "early_spikes" in v.reasons and "spiky_loss" not in v.reasons
    # the independent expectation: plain torch, the same start and batches, at the highest LR kept
    lr = max(kept)
    model = _digits_mlp()
    opt = torch.optim.Adagrad(model.parameters(), lr=lr)
    losses = []
    for x, y in (data * 2)[:runs.steps]:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert max(losses[:5]) > 4 * losses[0]                 # above the limit, as the 1-step rule saw
    assert np.mean(losses[-10:]) < 0.5 * losses[0]         # and recovered: it trains


def test_other_optimizers_keep_the_one_step_rule():
    import lrscope

    data = _digits_batches()
    model = _digits_mlp()
    res = lrscope.find_lr(model, torch.optim.Adam(model.parameters()), torch.nn.CrossEntropyLoss(), data,
                          progress=False)
    assert res.confirm.spike_steps == 1 and "early_spikes" not in res.verdicts["lr"].reasons
