"""The analysed curve (smoothing, skip, trim), JSON round-trip, summary and input checks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lrscope.analysis import RangeTestResult, debiased_ema, noise_level, prepare_curve, synthetic_result, zero_lag_smooth
from lrscope.errors import InvalidArgumentError


def clean(u):
    return 3.0 - 2.0 / (1.0 + np.exp(-(u + 4.0) / 0.5)) + 0.5 * np.exp(3.0 * (u + 1.0))


def test_debiased_smoothing_of_a_constant_loss_stays_constant():
    const = np.full(50, 2.5)
    assert np.allclose(debiased_ema(const, 0.98), 2.5, rtol=0, atol=1e-12)
    assert np.allclose(zero_lag_smooth(const, 6.0), 2.5, rtol=0, atol=1e-12)
    r = synthetic_result(lambda u: 2.5 + 0.0 * u, num_steps=50)
    assert np.allclose(r.smoothed, 2.5, atol=1e-12) and np.allclose(r.curve().loss, 2.5, atol=1e-12)


def test_zero_lag_smoothing_does_not_lag_a_ramp():
    ramp = np.arange(300, dtype=float)
    tau = 5.0
    causal = debiased_ema(ramp, 1 - 1 / tau)
    both = zero_lag_smooth(ramp, tau)
    inner = slice(100, 200)
    # a causal EMA trails a unit ramp by beta/(1-beta) = tau - 1 steps; forward-backward does not
    assert np.allclose(ramp[inner] - causal[inner], tau - 1, atol=1e-6)
    assert np.allclose(both[inner], ramp[inner], atol=1e-6)


def test_noise_level_estimates_the_standard_deviation():
    rng = np.random.default_rng(3)
    x = np.linspace(0, 1, 4000) ** 2 + 0.3 * rng.standard_normal(4000)
    assert noise_level(x) == pytest.approx(0.3, rel=0.1)


def test_curve_skips_the_first_steps_and_trims_the_diverged_tail():
    r = synthetic_result(clean, num_steps=100, stop_above=5.0)
    c = prepare_curve(r, smooth_fraction=0.0)               # no smoothing: the rules below are exact
    assert c.first == math.ceil(0.03 * 100)
    raw = r.losses
    i_min = c.first + int(np.argmin(raw[c.first:]))
    # the first step after the minimum whose loss is back above the starting loss is cut, and all after it
    expected_stop = i_min + int(np.argmax(raw[i_min:] > raw[c.first]))
    assert c.stop == expected_stop
    assert np.array_equal(c.lrs, r.lrs[c.first:expected_stop])
    assert np.allclose(c.x, np.log10(c.lrs))


def test_curve_stops_at_the_first_non_finite_loss():
    r = synthetic_result(lambda u: np.where(u > -2, np.inf, clean(u)), num_steps=100)
    assert r.stop_reason == "non-finite" and not np.isfinite(r.losses[-1])
    c = r.curve()
    assert c.finite_stop == r.lrs.size - 1 and c.stop <= c.finite_stop
    assert all(v is None or v > 0 for v in r.suggestions.values())


def test_json_round_trip_is_strict_and_exact():
    r = synthetic_result(lambda u: np.where(u > 0.5, np.nan, clean(u)), num_steps=100, iterations_per_epoch=20,
                         metric=lambda u: 1.0 / (1.0 + np.exp(-(u + 4.0))))
    d = r.to_dict()
    text = json.dumps(d, allow_nan=False)                  # NaN became null
    back = RangeTestResult.from_dict(json.loads(text))
    assert np.array_equal(back.lrs, r.lrs)
    assert np.array_equal(back.losses, r.losses, equal_nan=True)
    assert back.suggestions == r.suggestions and back.clr == r.clr
    assert back.confidence == r.confidence
    for key in ("suggestions", "spread", "lr", "one_cycle_max_lr", "clr", "confidence", "verdicts", "curve"):
        assert key in d
    assert d["lr"] == r.lr and d["verdicts"]["lr"]["level"] == r.verdicts["lr"].level


def test_json_round_trip_keeps_repeats():
    runs = [synthetic_result(clean, num_steps=60, noise=0.02, seed=s) for s in range(3)]
    comb = RangeTestResult.from_repeats(runs)
    back = RangeTestResult.from_dict(json.loads(json.dumps(comb.to_dict(), allow_nan=False)))
    assert len(back.repeats) == 3
    assert back.suggestions == comb.suggestions and back.spread == comb.spread
    assert comb.to_dict()["spread"]["steepest"] == list(comb.spread["steepest"])


def test_from_dict_refuses_unknown_keys():
    d = synthetic_result(clean, num_steps=30).to_dict()
    d["learning_rate"] = 1
    with pytest.raises(InvalidArgumentError, match="learning_rate"):
        RangeTestResult.from_dict(d)


def test_summary_shows_the_numbers_and_the_verdicts():
    r = synthetic_result(clean, num_steps=100, iterations_per_epoch=50)
    text = r.summary()
    assert f"{r.lr:.3g}" in text and f"{r.one_cycle_max_lr:.3g}" in text
    assert f"step_size {4 * 50}" in text
    for name in r.suggestions:
        assert name in text
    assert "confidence: high" in text


def test_repr_is_one_line_with_each_answer_and_its_verdict():
    """What a notebook shows for ``result``: the per-use answers as ``result.lr`` etc. give them,
    each with its verdict's level, and how the sweep ended, not hundreds of array elements."""
    r = synthetic_result(clean, num_steps=100, iterations_per_epoch=50)
    text = repr(r)
    assert "\n" not in text and "array(" not in text and len(text) < 300
    assert f"lr={r.lr:.3g} ({r.verdicts['lr'].level})" in text
    assert f"one_cycle_max_lr={r.one_cycle_max_lr:.3g} ({r.verdicts['one_cycle_max_lr'].level})" in text
    assert f"clr={r.clr['base_lr']:.3g}..{r.clr['max_lr']:.3g}" in text
    assert f"{r.stop_reason} at lr={r.lrs[-1]:.3g}" in text and f"{r.lrs.size}/{r.num_steps} steps" in text
    flat = synthetic_result(lambda u: 2.5 + 0.0 * u, num_steps=50)   # a weak answer says so
    assert flat.verdicts["lr"].level == "low" and f"lr={flat.lr:.3g} (low)" in repr(flat)
    assert "completed at lr=10" in repr(flat)


def test_constructor_checks_its_arrays():
    good = dict(lrs=[1e-3, 1e-2, 1e-1], losses=[1.0, 0.5, 2.0], smoothed=[1.0, 0.7, 1.2],
                group_lrs=[[1e-3], [1e-2], [1e-1]], mode="exp", start_lr=1e-3, end_lr=0.1, num_steps=3,
                stop_reason="completed", stop_message="", smoothing=0.98, diverge_factor=4.0)
    RangeTestResult(**good)
    with pytest.raises(InvalidArgumentError, match="losses"):
        RangeTestResult(**{**good, "losses": [1.0, 2.0]})
    with pytest.raises(InvalidArgumentError, match="mode"):
        RangeTestResult(**{**good, "mode": "log"})
    with pytest.raises(InvalidArgumentError, match="metric"):
        RangeTestResult(**{**good, "metric": [0.1]})


def test_schedule_specs_are_accepted_by_the_schedules_package():
    schedules = pytest.importorskip("lrscope.schedules")
    if not hasattr(schedules, "from_spec"):
        pytest.skip("lrscope.schedules.from_spec not built yet")
    r = synthetic_result(clean, num_steps=100, iterations_per_epoch=50)
    one = schedules.from_spec(r.one_cycle_spec(1000))
    assert max(one(np.arange(1000))) == pytest.approx(r.one_cycle_max_lr)
    cyc = schedules.from_spec(r.clr)
    assert cyc(0) == pytest.approx(r.clr["base_lr"]) and cyc(200) == pytest.approx(r.clr["max_lr"])
    assert schedules.from_spec(r.constant_spec())(123) == pytest.approx(r.lr)


def test_the_answers_per_use_carry_their_value_rule_and_verdict():
    """result.answers is the public per-use view: on a synthetic curve with a known shape, every
    use answers, each names its rule, and its verdict is the one in result.verdicts."""
    from lrscope.analysis import Answer, synthetic_result

    r = synthetic_result(clean, num_steps=100, stop_above=5.0, iterations_per_epoch=50)
    answers = r.answers
    assert set(answers) == {"lr", "one_cycle_max_lr", "clr"}
    assert all(isinstance(a, Answer) and a.use == use for use, a in answers.items())
    assert answers["lr"].value == r.lr and answers["one_cycle_max_lr"].value == r.one_cycle_max_lr
    assert answers["clr"].value == r.clr and answers["clr"].value["kind"] == "cyclic"
    assert answers["lr"].rule in r.suggestions            # a named suggester answered (no confirmation runs)
    assert all(answers[u].verdict == r.verdicts[u] for u in answers)


def test_spec_is_the_schedule_each_use_puts_to_work():
    """result.spec(use): the constant LR, a one-cycle peaking at one_cycle_max_lr over the given
    length (or budget_steps), the cyclical spec; refused with the fix when it cannot answer."""
    r = synthetic_result(clean, num_steps=100, stop_above=5.0, iterations_per_epoch=50)
    assert r.spec("constant") == {"kind": "constant", "lr": r.lr}
    assert r.spec("one_cycle", total_steps=500) == {"kind": "one_cycle", "max_lr": r.one_cycle_max_lr, "total_steps": 500}
    assert r.spec("clr") == r.clr
    with pytest.raises(InvalidArgumentError, match="total_steps"):
        r.spec("one_cycle")                                  # no budget_steps recorded: the length is needed
    with pytest.raises(InvalidArgumentError, match="use"):
        r.spec("cosine")
