"""Decays, one-cycle, warmup and join against their formulas written out in the tests."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrscope.schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    Join,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PolynomialDecay,
    StepDecay,
    Warmup,
)

STEPS = np.arange(0, 60)


def check(schedule, formula, steps=STEPS):
    expected = np.array([formula(int(t)) for t in steps], dtype=float)
    np.testing.assert_allclose(schedule(steps), expected, rtol=1e-12, atol=1e-300)
    for t in steps[::7]:
        assert schedule(int(t)) == pytest.approx(expected[t], rel=1e-12)


def test_constant():
    check(Constant(0.3), lambda t: 0.3)


def test_linear_decay_then_holds():
    check(LinearDecay(0.5, 40, min_lr=0.1), lambda t: 0.5 + (0.1 - 0.5) * min(t, 40) / 40)


def test_cosine_decay_with_floor():
    check(CosineDecay(0.5, 40, min_lr=0.05), lambda t: 0.05 + 0.45 * (1 + math.cos(math.pi * min(t, 40) / 40)) / 2)


def test_exponential_decay():
    check(ExponentialDecay(0.5, 0.9), lambda t: 0.5 * 0.9 ** t)


def test_step_decay():
    check(StepDecay(0.5, 7, gamma=0.3), lambda t: 0.5 * 0.3 ** (t // 7))


def test_multistep_decay():
    check(MultiStepDecay(0.5, [5, 17, 30], gamma=0.5), lambda t: 0.5 * 0.5 ** sum(t >= m for m in (5, 17, 30)))


def test_polynomial_decay():
    check(PolynomialDecay(0.5, 40, power=2.0, min_lr=0.01),
          lambda t: (0.5 - 0.01) * (1 - min(t, 40) / 40) ** 2.0 + 0.01)


def one_cycle_formula(t, max_lr, T, pct, div, fdiv, three, anneal):
    """Smith & Topin's one cycle with torch's phase ends, written out for one step."""
    t = min(t, T - 1)
    init, low = max_lr / div, max_lr / div / fdiv
    e1 = pct * T - 1
    if three:
        e2 = 2 * pct * T - 2
        phases = [(0, e1, init, max_lr), (e1, e2, max_lr, init), (e2, T - 1, init, low)]
    else:
        phases = [(0, e1, init, max_lr), (e1, T - 1, max_lr, low)]
    for i, (a, b, start, end) in enumerate(phases):
        if t <= b or i == len(phases) - 1:
            p = (t - a) / (b - a)
            if anneal == "cos":
                return end + (start - end) / 2 * (math.cos(math.pi * p) + 1)
            return start + (end - start) * p


@pytest.mark.parametrize("three", [False, True])
@pytest.mark.parametrize("anneal", ["cos", "linear"])
def test_one_cycle_formula_and_hold_past_the_end(three, anneal):
    s = OneCycle(0.2, 50, pct_start=0.2, div_factor=20, final_div_factor=100, three_phase=three, anneal=anneal)
    check(s, lambda t: one_cycle_formula(t, 0.2, 50, 0.2, 20, 100, three, anneal), np.arange(0, 80))
    assert s(49) == pytest.approx(0.2 / 20 / 100, rel=1e-12)
    assert s(10**6) == s(49)
    assert max(s(np.arange(50))) == pytest.approx(0.2, rel=1e-12)


def test_one_cycle_momentum_runs_opposite():
    s = OneCycle(0.2, 50, anneal="linear", base_momentum=0.85, max_momentum=0.95)
    assert s.momentum(0) == pytest.approx(0.95)
    assert s.momentum(14) == pytest.approx(0.85)  # LR peak at pct_start*T - 1 = 14
    assert s.momentum(49) == pytest.approx(0.95)
    # linear: momentum is an affine function of the LR within phase 1
    t = np.arange(0, 15)
    lr, m = s(t), s.momentum(t)
    np.testing.assert_allclose(m, 0.95 - 0.1 * (lr - 0.2 / 25) / (0.2 - 0.2 / 25), rtol=1e-12)


@pytest.mark.parametrize("mode", ["linear", "exp"])
def test_warmup_formula_and_no_jump_at_the_seam(mode):
    inner = CosineDecay(0.4, 30, min_lr=0.04)
    f0 = 0.0 if mode == "linear" else 0.01
    s = Warmup(inner, 10, start_factor=f0, mode=mode)

    def formula(t):
        if t < 10:
            factor = f0 + (1 - f0) * t / 10 if mode == "linear" else f0 ** (1 - t / 10)
            return 0.4 * factor
        return 0.04 + 0.36 * (1 + math.cos(math.pi * min(t - 10, 30) / 30)) / 2

    check(s, formula)
    assert s(10) == pytest.approx(0.4, rel=1e-12)
    # the seam continues the ramp: equal differences (linear) or equal ratios (exp)
    if mode == "linear":
        assert s(10) - s(9) == pytest.approx(s(9) - s(8), rel=1e-9)
    else:
        assert s(10) / s(9) == pytest.approx(s(9) / s(8), rel=1e-9)


def test_untuned_warmup_is_two_over_one_minus_beta2():
    inner = Constant(1e-3)
    assert Warmup.untuned(inner).warmup_steps == 2000
    assert Warmup.untuned(inner, beta2=0.99).warmup_steps == 200
    s = Warmup.untuned(inner, beta2=0.98)  # 100 steps, linear from 0
    assert s(0) == 0.0 and s(50) == pytest.approx(0.5e-3) and s(100) == pytest.approx(1e-3)


def test_join_counts_later_steps_from_their_boundary():
    s = Join([LinearDecay(1.0, 10, min_lr=0.5), Constant(0.2), ExponentialDecay(0.1, 0.5)], [10, 25])

    def formula(t):
        if t < 10:
            return 1.0 - 0.5 * t / 10
        if t < 25:
            return 0.2
        return 0.1 * 0.5 ** (t - 25)

    check(s, formula)


def test_join_momentum_needs_every_part_to_have_one():
    from lrscope.errors import InvalidArgumentError

    a = Join([OneCycle(0.1, 20), OneCycle(0.05, 20)], [20])
    assert a.momentum(25) == pytest.approx(OneCycle(0.05, 20).momentum(5))
    with pytest.raises(InvalidArgumentError, match="momentum"):
        Join([OneCycle(0.1, 20), Constant(0.01)], [20]).momentum(3)
