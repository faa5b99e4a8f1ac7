"""CyclicLR against the paper's formula written out literally (arXiv 1506.01186, bckenstler/CLR)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrscope.schedules import CyclicLR


def paper_clr(t, base_lr, max_lr, s, policy="triangular", window="triangular", gamma=1.0):
    """Smith's rule, one step at a time, exactly as printed in the paper and reference code."""
    cycle = math.floor(1 + t / (2 * s))
    x = abs(t / s - 2 * cycle + 1)
    w = max(0.0, 1 - x)
    if window == "welch":  # parabolic: 1 - (distance from the peak)^2
        w = 1 - x * x if x <= 1 else 0.0
    elif window == "hann":  # raised cosine
        w = 0.5 * (1 - math.cos(math.pi * max(0.0, 1 - x)))
    if policy == "triangular":
        scale = 1.0
    elif policy == "triangular2":
        scale = 1 / (2 ** (cycle - 1))
    else:
        scale = gamma ** t
    return base_lr + (max_lr - base_lr) * w * scale


def torch_style_asymmetric(t, base_lr, max_lr, up, down):
    """torch's CyclicLR rule with step_ratio for an asymmetric cycle (triangular policy)."""
    total = up + down
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    ratio = up / total
    w = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    return base_lr + (max_lr - base_lr) * w


@pytest.mark.parametrize("policy", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("window", ["triangular", "welch", "hann"])
def test_golden_values_from_the_paper_formula(policy, window):
    s = CyclicLR(base_lr=0.001, max_lr=0.006, step_size=7, policy=policy, window=window, gamma=0.99)
    steps = np.arange(0, 70)
    expected = np.array([paper_clr(int(t), 0.001, 0.006, 7, policy, window, 0.99) for t in steps])
    np.testing.assert_allclose(s(steps), expected, rtol=1e-12, atol=0)
    for t in (0, 3, 7, 13, 14, 50):
        assert s(t) == pytest.approx(expected[t], rel=1e-12)


def test_paper_example_values():
    # the paper's running example: base 0.001, max 0.006, step_size 2000
    s = CyclicLR(0.001, 0.006, 2000)
    assert s(0) == pytest.approx(0.001, rel=1e-12)
    assert s(1000) == pytest.approx(0.0035, rel=1e-12)
    assert s(2000) == pytest.approx(0.006, rel=1e-12)
    assert s(4000) == pytest.approx(0.001, rel=1e-12)
    s2 = CyclicLR(0.001, 0.006, 2000, policy="triangular2")
    assert s2(6000) == pytest.approx(0.001 + 0.005 / 2, rel=1e-12)  # second peak: half the amplitude
    assert s2(10000) == pytest.approx(0.001 + 0.005 / 4, rel=1e-12)


def test_windows_reach_both_bounds_and_differ_in_between():
    vals = {w: CyclicLR(1.0, 2.0, 100, window=w) for w in ("triangular", "welch", "hann")}
    for s in vals.values():
        assert s(0) == 1.0 and s(100) == 2.0 and s(200) == 1.0
    # at a quarter cycle: triangular 0.5, welch 1 - 0.5^2 = 0.75, hann (1 - cos(pi/2))/2 = 0.5
    assert vals["triangular"](50) == pytest.approx(1.5)
    assert vals["welch"](50) == pytest.approx(1.75)
    assert vals["hann"](50) == pytest.approx(1.5)
    # at 1/4 of the rise: hann (1 - cos(pi/4))/2
    assert vals["hann"](25) == pytest.approx(1 + (1 - math.cos(math.pi / 4)) / 2)


def test_asymmetric_step_size_down_matches_torch_rule():
    s = CyclicLR(0.01, 0.1, step_size=3, step_size_down=7)
    for t in range(40):
        assert s(t) == pytest.approx(torch_style_asymmetric(t, 0.01, 0.1, 3, 7), rel=1e-12)
    assert s(3) == pytest.approx(0.1) and s(10) == pytest.approx(0.01)


def test_user_scale_fn_by_cycle_and_by_iteration():
    by_cycle = CyclicLR(0.1, 1.1, 5, scale_fn=lambda c: 1.0 / c, scale_mode="cycle")
    # peak of cycle c is at t = 5 + 10 (c - 1): lr = 0.1 + 1.0 / c
    for c in (1, 2, 3):
        assert by_cycle(5 + 10 * (c - 1)) == pytest.approx(0.1 + 1.0 / c)
    by_iter = CyclicLR(0.1, 1.1, 5, scale_fn=lambda t: 0.5 ** (t / 10), scale_mode="iterations")
    steps = np.arange(40)
    expected = [0.1 + 1.0 * max(0.0, 1 - abs(t / 5 - 2 * math.floor(1 + t / 10) + 1)) * 0.5 ** (t / 10) for t in steps]
    np.testing.assert_allclose(by_iter(steps), expected, rtol=1e-12)


def test_momentum_moves_opposite_to_lr():
    s = CyclicLR(0.001, 0.006, 10, base_momentum=0.8, max_momentum=0.9, window="hann", policy="triangular2")
    steps = np.arange(60)
    lr, mom = s(steps), s.momentum(steps)
    # momentum = max_m - (max_m - base_m) * (lr - base_lr) / (max_lr - base_lr)
    np.testing.assert_allclose(mom, 0.9 - 0.1 * (lr - 0.001) / 0.005, rtol=1e-12)
    assert s.momentum(0) == pytest.approx(0.9) and s.momentum(10) == pytest.approx(0.8)


def test_scale_fn_schedule_cannot_go_to_json():
    s = CyclicLR(0.1, 1.0, 5, scale_fn=math.exp)
    from lrscope.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="scale_fn"):
        s.to_dict()
