"""One word per concept: the final LR of a decay is `min_lr` (not the range test's `end_lr`),
step decay's interval is `drop_every` (not CLR's half cycle `step_size`), and a geometric mode is
"exp" everywhere. The old names still work, with a DeprecationWarning naming the new one."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrscope.schedules as S
from lrscope.errors import InvalidArgumentError
from lrscope.runner import sweep_lrs

T = np.arange(0, 60)


@pytest.mark.parametrize("old, new, formula", [
    (lambda: S.LinearDecay(0.5, 40, end_lr=0.1), lambda: S.LinearDecay(0.5, 40, min_lr=0.1),
     lambda t: 0.5 + (0.1 - 0.5) * min(t, 40) / 40),
    (lambda: S.PolynomialDecay(0.5, 40, power=2.0, end_lr=0.01), lambda: S.PolynomialDecay(0.5, 40, power=2.0, min_lr=0.01),
     lambda t: (0.5 - 0.01) * (1 - min(t, 40) / 40) ** 2 + 0.01),
    (lambda: S.StepDecay(1.0, step_size=10, gamma=0.5), lambda: S.StepDecay(1.0, drop_every=10, gamma=0.5),
     lambda t: 0.5 ** math.floor(t / 10)),
    (lambda: S.Warmup(S.Constant(0.1), 10, start_factor=0.01, mode="exponential"),
     lambda: S.Warmup(S.Constant(0.1), 10, start_factor=0.01, mode="exp"),
     lambda t: 0.1 if t >= 10 else 0.1 * 0.01 ** (1 - t / 10)),
])
def test_the_old_name_warms_and_builds_the_same_schedule(old, new, formula):
    with pytest.warns(DeprecationWarning, match="now"):
        before = old()
    after = new()
    assert before == after                                       # the same dataclass, under the new name
    assert np.allclose(after(T), [formula(t) for t in T], rtol=1e-12)
    assert "end_lr" not in after.to_dict() and "step_size" not in after.to_dict()
    assert after.to_dict().get("mode", "exp") in ("exp", "linear")


@pytest.mark.parametrize("spec, key", [
    ({"kind": "linear", "lr": 0.1, "total_steps": 10, "end_lr": 0.01}, "min_lr"),
    ({"kind": "polynomial", "lr": 0.1, "total_steps": 10, "end_lr": 0.01}, "min_lr"),
    ({"kind": "step", "lr": 0.1, "step_size": 5}, "drop_every"),
])
def test_an_old_spec_still_loads_with_a_warning_naming_the_new_key(spec, key):
    with pytest.warns(DeprecationWarning, match=key):
        sched = S.from_spec(spec)
    assert key in sched.to_dict()


def test_giving_both_names_is_an_error_naming_both():
    with pytest.raises(InvalidArgumentError, match="old name of `min_lr`"):
        S.LinearDecay(0.1, 10, end_lr=0.01, min_lr=0.02)
    with pytest.raises(InvalidArgumentError, match="old name of `drop_every`"):
        S.from_spec({"kind": "step", "lr": 0.1, "step_size": 5, "drop_every": 5})


def test_the_range_test_reads_exponential_as_exp():
    with pytest.warns(DeprecationWarning, match="'exp'"):
        old = sweep_lrs(1e-6, 1.0, 13, mode="exponential")
    assert np.array_equal(old, sweep_lrs(1e-6, 1.0, 13, mode="exp"))
    assert old[0] == 1e-6 and old[-1] == 1.0 and np.allclose(np.diff(np.log10(old)), 0.5)
