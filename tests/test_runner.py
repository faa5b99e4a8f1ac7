"""The framework-neutral sweep loop, on synthetic curves with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrscope.errors import InvalidArgumentError, RangeTestError
from lrscope.runner import SETTLE_STEPS, is_diverged, run_sweep, sweep_lrs


def _ema_by_hand(xs, beta):
    """Adam's bias-corrected EMA written out: a_t = b a_{t-1} + (1-b) x_t, report a_t / (1 - b^t)."""
    out, a = [], 0.0
    for t, x in enumerate(xs, start=1):
        a = beta * a + (1 - beta) * x
        out.append(a / (1 - beta**t) if beta > 0 else a)
    return np.array(out)


@pytest.mark.parametrize("start, end, n", [(1e-7, 10.0, 100), (1e-3, 1.0, 10), (0.5, 3.0, 37)])
def test_exp_sweep_is_exactly_geometric_with_both_ends(start, end, n):
    lrs = sweep_lrs(start, end, n, "exp")
    assert len(lrs) == n
    assert lrs[0] == start and lrs[-1] == end
    expected = [start * (end / start) ** (i / (n - 1)) for i in range(n)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    ratios = lrs[1:] / lrs[:-1]
    np.testing.assert_allclose(ratios, (end / start) ** (1 / (n - 1)), rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(log_start=st.floats(-9, 1), decades=st.floats(0.01, 10), n=st.integers(10, 400),
       mode=st.sampled_from(["exp", "linear"]))
def test_sweep_properties(log_start, decades, n, mode):
    start, end = 10.0**log_start, 10.0 ** (log_start + decades)
    lrs = sweep_lrs(start, end, n, mode)
    assert len(lrs) == n and lrs[0] == start and lrs[-1] == end
    assert np.all(np.diff(lrs) > 0)
    steps = np.log(lrs[1:] / lrs[:-1]) if mode == "exp" else np.diff(lrs)
    np.testing.assert_allclose(steps, steps.mean(), rtol=1e-6, atol=1e-12 * end)


def test_linear_sweep_has_equal_steps_and_both_ends():
    lrs = sweep_lrs(0.01, 1.0, 12, "linear")
    assert lrs[0] == 0.01 and lrs[-1] == 1.0
    np.testing.assert_allclose(np.diff(lrs), (1.0 - 0.01) / 11, rtol=1e-9)


@pytest.mark.parametrize("kwargs, name", [
    ({"start_lr": 1.0, "end_lr": 1.0}, "start_lr"),
    ({"start_lr": 2.0, "end_lr": 1.0}, "start_lr"),
    ({"start_lr": 0.0}, "start_lr"),
    ({"end_lr": math.inf}, "end_lr"),
    ({"num_steps": 9}, "num_steps"),
    ({"num_steps": 20.5}, "num_steps"),
    ({"mode": "log"}, "mode"),
])
def test_bad_sweep_arguments_name_the_argument(kwargs, name):
    args = {"start_lr": 1e-5, "end_lr": 1.0, "num_steps": 20, "mode": "exp", **kwargs}
    with pytest.raises(InvalidArgumentError) as info:
        sweep_lrs(**args)
    assert info.value.name == name
    assert "Fix:" in str(info.value)


def test_constant_loss_stays_constant_after_debiasing():
    log = run_sweep(lambda lr: 2.5, sweep_lrs(1e-4, 1.0, 50), smoothing=0.98)
    np.testing.assert_allclose(log.smoothed, 2.5, rtol=1e-12)
    assert log.stop_reason == "completed" and len(log.losses) == 50


@pytest.mark.parametrize("beta", [0.0, 0.6, 0.98])
def test_smoothed_curve_is_the_debiased_ema(beta):
    rng = np.random.default_rng(0)
    noise = iter(rng.normal(size=30))
    log = run_sweep(lambda lr: 3.0 - 0.1 * math.log10(lr) + next(noise) * 0.01,
                    sweep_lrs(1e-3, 1e-1, 30), smoothing=beta)
    np.testing.assert_allclose(log.smoothed, _ema_by_hand(log.losses, beta), rtol=1e-12)


def test_stops_when_the_loss_blows_up_at_the_predicted_step():
    # loss 1 below lr=0.1, then 10 (10x): with no smoothing the first lr >= 0.1 must stop it.
    lrs = sweep_lrs(1e-4, 10.0, 51)
    log = run_sweep(lambda lr: 1.0 if lr < 0.1 else 10.0, lrs, smoothing=0.0, diverge_factor=4.0)
    first_bad = int(np.argmax(lrs >= 0.1))
    assert log.stop_reason == "diverged"
    assert len(log.losses) == first_bad + 1
    assert log.lrs[-1] == lrs[first_bad]
    assert f"{lrs[first_bad]:.4g}" in log.stop_message


def test_an_easy_first_batch_is_not_taken_for_the_best_loss():
    """One batch far below the model's usual loss (0.04 against 0.8, as a 16-sample regression
    batch of small targets gives) must not make the ordinary batches after it look like
    divergence: the sweep takes its best and checks the rule from step SETTLE_STEPS on, and then
    stops where the loss really blows up."""
    lrs = sweep_lrs(1e-7, 10.0, 100)
    calls = []

    def step(lr):
        calls.append(lr)
        return 0.04 if len(calls) == 1 else (0.8 if lr < 0.1 else 50.0)

    log = run_sweep(step, lrs, smoothing=0.98, diverge_factor=4.0)
    assert log.stop_reason == "diverged" and log.lrs[-1] >= 0.1 and len(log.losses) > SETTLE_STEPS
    # the same curve with the rule checked from the first step stops at once (what it replaces)
    smoothed = np.asarray(log.smoothed)
    assert is_diverged(smoothed[1], min(smoothed[:2]), smoothed[0], 4.0)
    # a NaN still stops the sweep at once, settled or not
    nan = run_sweep(lambda lr: 1.0 if lr < 2e-7 else math.nan, lrs, smoothing=0.98)
    assert nan.stop_reason == "non-finite" and len(nan.losses) < SETTLE_STEPS


def test_divergence_rule_works_for_negative_losses():
    # loss falls from -1 to -5, holds, then rises: best -5, scale 5, limit -5 + 3*5 = 10.
    def curve(lr):
        x = math.log10(lr)
        return -1.0 - 4.0 * min(1.0, (x + 4) / 2) + (0.0 if x < 0 else 20.0 * x + 0.5)

    lrs = sweep_lrs(1e-4, 10.0, 101)
    log = run_sweep(curve, lrs, smoothing=0.0, diverge_factor=4.0)
    values = np.array([curve(lr) for lr in lrs])
    expected_stop = int(np.argmax(values - values.min() > 3 * 5.0))
    assert log.stop_reason == "diverged"
    assert len(log.losses) == expected_stop + 1
    assert log.lrs[-1] > 1.0  # did not stop while the loss was still falling below zero


def test_is_diverged_matches_the_classic_rule_for_positive_losses():
    for best in (0.5, 1.0, 2.0):
        for s in np.linspace(best, 5 * best, 17):
            assert is_diverged(s, best, 2.3, 4.0) == (s > 4.0 * best)


def test_first_non_finite_loss_stops_and_is_not_kept():
    lrs = sweep_lrs(1e-4, 1.0, 20)
    log = run_sweep(lambda lr: math.nan if lr > 0.01 else 1.0, lrs, smoothing=0.9)
    n_ok = int(np.sum(lrs <= 0.01))
    assert log.stop_reason == "non-finite"
    assert len(log.losses) == n_ok and np.all(np.isfinite(log.losses))
    assert "nan" in log.stop_message


def test_nan_at_the_very_first_step_is_an_error():
    with pytest.raises(RangeTestError, match="very first step"):
        run_sweep(lambda lr: math.inf, sweep_lrs(1e-4, 1.0, 20))


def test_metric_and_validation_are_recorded_at_the_right_steps():
    calls = []

    def val_fn():
        calls.append(len(calls))
        return 1.0 / len(calls), 0.1 * len(calls)

    lrs = sweep_lrs(1e-4, 1.0, 23)
    log = run_sweep(lambda lr: (1.0, lr * 2), lrs, val_fn=val_fn, val_every=5)
    np.testing.assert_allclose(log.metric, lrs * 2)
    assert log.val_steps.tolist() == [4, 9, 14, 19]
    np.testing.assert_allclose(log.val_losses, [1.0, 0.5, 1 / 3, 0.25])
    np.testing.assert_allclose(log.val_metric, [0.1, 0.2, 0.3, 0.4])


def test_no_metric_no_validation_means_none():
    log = run_sweep(lambda lr: 1.0, sweep_lrs(1e-4, 1.0, 10))
    assert log.metric is None and log.val_steps is None and log.val_losses is None


@pytest.mark.parametrize("kwargs, name", [({"smoothing": 1.0}, "smoothing"), ({"diverge_factor": 1.0}, "diverge_factor"),
                                          ({"val_fn": lambda: (1.0, None)}, "val_every")])
def test_bad_loop_arguments(kwargs, name):
    with pytest.raises(InvalidArgumentError) as info:
        run_sweep(lambda lr: 1.0, sweep_lrs(1e-4, 1.0, 10), **kwargs)
    assert info.value.name == name


def test_progress_bar_goes_to_stderr(capsys):
    pytest.importorskip("tqdm")
    run_sweep(lambda lr: 1.0, sweep_lrs(1e-4, 1.0, 10), progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "lrscope range test" in captured.err
