"""Verdicts: flat, too short, never diverged, diverged at once, disagreement, repeats, clr specs."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lrscope.analysis import AGREEMENT, DEFAULT_RULES, RangeTestResult, synthetic_result
from lrscope.errors import InvalidArgumentError


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def clean(u):
    """Falls by 2 around 1e-4 (width 0.5 decade), bottoms out near 1e-2, rises steeply after."""
    return 3.0 - 2.0 * logistic((u + 4.0) / 0.5) + 0.5 * np.exp(3.0 * (u + 1.0))


def test_a_clean_curve_gets_high_confidence_for_every_use():
    r = synthetic_result(clean, num_steps=100, iterations_per_epoch=50)
    assert set(r.verdicts) == {"lr", "one_cycle_max_lr", "clr"}
    for use, verdict in r.verdicts.items():
        assert verdict.level == "high" and verdict.reasons == (), (use, verdict)
    assert r.confidence.level == "high"


def test_a_flat_curve_is_flagged_low_with_a_fix():
    r = synthetic_result(lambda u: 2.0 + 0.0 * u, num_steps=100, noise=0.01, seed=1)
    c = r.confidence
    assert "flat" in c.reasons and c.level == "low"
    assert "check that the model can learn" in c.message
    assert r.verdicts["lr"].level == "low"


def test_too_short_suggests_more_steps():
    r = synthetic_result(clean, num_steps=15)
    assert "too_short" in r.confidence.reasons
    assert re.search(r"num_steps=\d+", r.confidence.message)


def test_never_diverged_suggests_a_wider_range():
    r = synthetic_result(lambda u: 3.0 - 2.0 * logistic((u + 4.0) / 0.5), num_steps=100, end_lr=10.0)
    assert r.stop_reason == "completed"
    c = r.verdicts["one_cycle_max_lr"]
    assert "never_diverged" in c.reasons and c.level == "low"   # no max_lr at all: no_answer too
    assert r.one_cycle_max_lr is None
    m = re.search(r"end_lr=(\d[\d.]*(?:e[+-]?\d+)?)", r.confidence.message)
    assert m and float(m.group(1)) == pytest.approx(10.0 * 100)
    assert "never_diverged" not in r.verdicts["lr"].reasons and r.lr is not None


def test_diverged_at_once_suggests_a_lower_start():
    r = synthetic_result(lambda u: 1.0 + np.exp(2.0 * (u + 7.0)), num_steps=100, stop_above=1e-6)
    c = r.confidence
    assert "diverged_at_once" in c.reasons and c.level == "low"
    m = re.search(r"start_lr=(\d[\d.]*(?:e[+-]?\d+)?)", c.message)
    assert m and float(m.group(1)) == pytest.approx(1e-7 / 100)


def test_disagreeing_rules_lower_the_lr_verdict():
    # the loss turns up near 0.1 (so lr = loss_rise / 3 is about 0.03), but the accuracy has already
    # flattened by about 1e-4: the metric's plateau lies > 1 decade from the answer
    def metric(u):
        return 0.1 + 0.8 * logistic((u + 5.0) / 0.2)

    r = synthetic_result(clean, num_steps=200, metric=metric)
    s = r.suggestions
    assert math.log10(r.lr / s["acc_plateau"]) > 1.0
    v = r.verdicts["lr"]
    assert "suggesters_disagree" in v.reasons and v.level == "low"
    assert "acc_plateau=" in v.message


def test_clr_step_size_is_four_epochs_and_says_when_the_epoch_is_unknown():
    known = synthetic_result(clean, num_steps=100, iterations_per_epoch=50)
    assert known.clr == {"kind": "cyclic", "base_lr": known.suggestions["loss_fall"],
                         "max_lr": known.suggestions["loss_rise"], "step_size": 4 * 50}
    assert known.clr_spec(2) ["step_size"] == 2 * 50
    assert known.clr_spec(10, iterations_per_epoch=30)["step_size"] == 10 * 30
    unknown = synthetic_result(clean, num_steps=100)
    assert unknown.clr["step_size"] == 2000
    assert "unknown_epoch_length" in unknown.verdicts["clr"].reasons
    assert unknown.verdicts["clr"].level == "medium"
    for bad in (1, 11, float("nan")):
        with pytest.raises(InvalidArgumentError, match="step_size_epochs"):
            known.clr_spec(bad)


def test_clr_bounds_follow_the_rules_passed_in():
    r = synthetic_result(clean, num_steps=100, iterations_per_epoch=10,
                         metric=lambda u: 0.1 + 0.8 * logistic((u + 4.0) / 0.4))
    s = r.suggestions
    assert r.clr["base_lr"] == s["loss_fall"] and r.clr["max_lr"] == s["loss_rise"]   # the defaults
    spec = r.clr_spec(base_rule=("acc_rise", "loss_fall"), max_rule="acc_plateau")
    assert spec["base_lr"] == s["acc_rise"] and spec["max_lr"] == s["acc_plateau"]


def test_acc_rise_ignores_noise_spikes_before_the_real_rise():
    # a flat metric at 0.1 with one spike to 0.5 at u=-6, then the real rise around u=-3
    def metric(u):
        return 0.1 + 0.4 * (np.abs(u + 6.0) < 0.05) + 0.8 * logistic((u + 3.0) / 0.3)

    r = synthetic_result(clean, num_steps=241, metric=metric)
    c = r.curve(smooth_fraction=0.0)
    from lrscope.analysis.suggesters import acc_rise

    # the metric stays above 10% of its rise from u = -3 + 0.3 ln(1/9) on (closed form of the logistic)
    assert abs(math.log10(acc_rise(c)) - (-3.0 + 0.3 * math.log(1 / 9))) <= 2 * 8 / 240


def test_the_rule_for_each_use_can_be_passed_in_or_changed_in_one_place(monkeypatch):
    r = synthetic_result(clean, num_steps=100)
    s = r.suggestions
    assert r.suggest_for("lr", rule="steepest") == s["steepest"]
    assert r.suggest_for("lr", rule=("acc_rise", "min_div10")) == s["min_div10"]   # first rule that answers
    with pytest.raises(InvalidArgumentError, match="rule"):
        r.suggest_for("lr", rule="nope")
    with pytest.raises(InvalidArgumentError, match="use"):
        r.suggest_for("constant")
    monkeypatch.setitem(DEFAULT_RULES, "lr", "steepest")
    assert synthetic_result(clean, num_steps=100).lr == s["steepest"]


def test_repeats_give_medians_and_spreads():
    # the same curve shifted by 0, +0.3 and +0.6 decades: every answer shifts by the same amount
    shifts = [0.0, 0.3, 0.6]
    runs = [synthetic_result(lambda u, d=d: clean(u - d), num_steps=100) for d in shifts]
    comb = RangeTestResult.from_repeats(runs)
    for name in ("steepest", "min_div10", "loss_fall", "loss_rise"):
        vals = sorted(r.suggestions[name] for r in runs)
        assert comb.suggestions[name] == pytest.approx(vals[1], rel=1e-12)
        assert comb.spread[name] == pytest.approx((vals[0], vals[2]), rel=1e-12)
    two = RangeTestResult.from_repeats(runs[:2])           # even count: geometric mean of the middle two
    a, b = (r.suggestions["steepest"] for r in runs[:2])
    assert two.suggestions["steepest"] == pytest.approx(math.sqrt(a * b), rel=1e-12)
    assert len(comb.repeats) == 3 and "repeats_disagree" not in comb.confidence.reasons


def test_repeats_far_apart_are_flagged():
    runs = [synthetic_result(lambda u, d=d: clean(u - d), num_steps=100) for d in (-1.0, 0.0, 1.2)]
    v = RangeTestResult.from_repeats(runs).verdicts["lr"]
    assert "repeats_disagree" in v.reasons and v.level == "low"


def test_repeats_must_sweep_the_same_range():
    a = synthetic_result(clean, num_steps=100)
    b = synthetic_result(clean, num_steps=100, end_lr=1.0)
    with pytest.raises(InvalidArgumentError, match="results"):
        RangeTestResult.from_repeats([a, b])
    with pytest.raises(InvalidArgumentError, match="results"):
        RangeTestResult.from_repeats([])


@pytest.mark.parametrize("seed,centre", [(0, -1.5), (1, -2.5), (2, -3.5), (3, -4.5)])
def test_disagreement_is_measured_from_the_answer_given(seed, centre):
    # the accuracy rises around 10**centre: its plateau moves from near the answer to far below it
    r = synthetic_result(clean, num_steps=100, noise=0.05, seed=seed, stop_above=1.0,
                         metric=lambda u: 0.1 + 0.8 * logistic((u - centre) / 0.3))
    s = r.suggestions
    far = max(abs(math.log10(s[n] / r.lr)) for n in AGREEMENT["lr"] if s[n] is not None)
    assert ("suggesters_disagree" in r.verdicts["lr"].reasons) == (far > 1.0)
