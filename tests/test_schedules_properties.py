"""Hypothesis properties of every schedule: bounds, endpoints, period, symmetry, vectorised == scalar, round-trips."""

from __future__ import annotations

import json
import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lrscope.schedules import (
    Constant,
    CosineDecay,
    CyclicLR,
    ExponentialDecay,
    Join,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PolynomialDecay,
    StepDecay,
    Warmup,
    from_spec,
)

FAST = settings(max_examples=60, deadline=None)

lrs = st.floats(1e-6, 1.0)
steps_n = st.integers(1, 200)


@st.composite
def cyclics(draw, policy=None):
    base = draw(lrs)
    mx = base * draw(st.floats(1.01, 100.0))
    return CyclicLR(
        base, mx, draw(steps_n),
        step_size_down=draw(st.one_of(st.none(), steps_n)),
        policy=policy or draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
        window=draw(st.sampled_from(["triangular", "welch", "hann"])),
        gamma=draw(st.floats(0.9, 1.0)),
        base_momentum=draw(st.floats(0.5, 0.85)), max_momentum=draw(st.floats(0.85, 0.99)),
    )


@st.composite
def one_cycles(draw):
    T = draw(st.integers(20, 2000))
    three = draw(st.booleans())
    pct = draw(st.floats(0.1, 0.45 if three else 0.9))
    return OneCycle(draw(lrs), T, pct_start=pct, div_factor=draw(st.floats(2, 100)),
                    final_div_factor=draw(st.floats(1, 1e4)), three_phase=three,
                    anneal=draw(st.sampled_from(["cos", "linear"])))


@st.composite
def decays(draw):
    lr = draw(lrs)
    T = draw(steps_n)
    return draw(st.sampled_from([
        Constant(lr), LinearDecay(lr, T, min_lr=lr / 10), CosineDecay(lr, T, min_lr=lr / 100),
        ExponentialDecay(lr, 0.99), StepDecay(lr, T, 0.5), MultiStepDecay(lr, [T, 2 * T]),
        PolynomialDecay(lr, T, power=2.0, min_lr=lr / 10),
    ]))


@st.composite
def any_schedule(draw):
    base = draw(st.one_of(cyclics(), one_cycles(), decays()))
    wrap = draw(st.sampled_from(["none", "warmup", "join"]))
    if wrap == "warmup":
        mode = draw(st.sampled_from(["linear", "exp"]))
        return Warmup(base, draw(steps_n), start_factor=0.1 if mode == "exp" else 0.0, mode=mode)
    if wrap == "join":
        return Join([base, draw(decays())], [draw(steps_n)])
    return base


@FAST
@given(cyclics())
def test_cyclic_stays_within_bounds_and_hits_both_ends(s):
    up, down = s.step_size, s.step_size_down or s.step_size
    t = np.arange(0, 3 * (up + down) + 1)
    lr = s(t)
    assert np.all(lr >= s.base_lr * (1 - 1e-12)) and np.all(lr <= s.max_lr * (1 + 1e-12))
    assert s(0) == s.base_lr and s(up + down) == s.base_lr
    scale = s.gamma ** up if s.policy == "exp_range" else 1.0  # the first peak is scaled only by exp_range
    assert abs(s(up) - (s.base_lr + (s.max_lr - s.base_lr) * scale)) <= 1e-12 * s.max_lr
    m = s.momentum(t)
    assert np.all(m >= s.base_momentum - 1e-12) and np.all(m <= s.max_momentum + 1e-12)


@FAST
@given(cyclics(policy="triangular"), st.integers(0, 10_000))
def test_triangular_period_is_one_cycle(s, t):
    period = s.step_size + (s.step_size_down or s.step_size)  # 2 * step_size when symmetric
    assert abs(s(t + period) - s(t)) <= 1e-12 * s.max_lr
    assert abs(s(t + 7 * period) - s(t)) <= 1e-12 * s.max_lr


@FAST
@given(st.sampled_from(["triangular", "triangular2"]), st.sampled_from(["triangular", "welch", "hann"]),
       st.integers(1, 300), st.integers(0, 5), st.data())
def test_symmetric_windows_are_symmetric_about_the_peak(policy, window, step, cycle, data):
    s = CyclicLR(0.01, 1.0, step, policy=policy, window=window)
    k = data.draw(st.integers(0, step))
    peak = 2 * step * cycle + step
    assert abs(s(peak + k) - s(peak - k)) <= 1e-12


@FAST
@given(any_schedule(), st.lists(st.integers(0, 5000), min_size=1, max_size=30))
def test_vectorised_equals_scalar(s, steps):
    arr = s(np.array(steps))
    scalar = np.array([s(t) for t in steps])
    np.testing.assert_allclose(arr, scalar, rtol=1e-12, atol=0)
    assert np.all(np.isfinite(arr)) and np.all(arr >= 0)
    if s.has_momentum:
        np.testing.assert_allclose(s.momentum(np.array(steps)), [s.momentum(t) for t in steps], rtol=1e-12)


@FAST
@given(any_schedule())
def test_json_and_pickle_round_trips(s):
    again = from_spec(json.loads(json.dumps(s.to_dict(), allow_nan=False)))
    assert again == s and hash(again) == hash(s)
    assert pickle.loads(pickle.dumps(s)) == s
    t = np.arange(0, 400, 3)
    np.testing.assert_array_equal(again(t), s(t))


@FAST
@given(one_cycles())
def test_one_cycle_bounds_and_endpoints(s):
    T = s.total_steps
    lr = s(np.arange(T + 10))
    initial = s.max_lr / s.div_factor
    assert abs(lr[0] - initial) <= 1e-12 * s.max_lr
    assert abs(lr[T - 1] - initial / s.final_div_factor) <= 1e-12 * s.max_lr
    assert np.all(lr[T - 1:] == lr[T - 1])  # holds the final LR
    assert np.all(lr <= s.max_lr * (1 + 1e-12)) and np.all(lr >= lr[T - 1] * (1 - 1e-12))


@FAST
@given(decays(), st.integers(0, 3000))
def test_decays_never_increase(s, t):
    assert s(t + 1) <= s(t) * (1 + 1e-12)
    assert s(0) == s.lr or abs(s(0) - s.lr) <= 1e-15
