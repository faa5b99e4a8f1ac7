"""Suggesters on synthetic curves whose answers are known in closed form."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from lrscope.analysis import SUGGESTERS, RangeTestResult, prepare_curve, synthetic_result
from lrscope.analysis.suggesters import acc_plateau, acc_rise, loss_fall, loss_rise, min_div10, steepest, valley

N = 241                     # 1e-7 .. 10 in 8 decades: 0.0333 decades per step
STEP = 8.0 / (N - 1)


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


# loss: 3 - 2*logistic((u+4)/0.3) falls by 2 around u=-4 (steepest at u=-4 exactly),
# then rises as 0.5*exp(3*(u+1)) after its minimum.
U0, W = -4.0, 0.3


def loss_curve(u):
    return 3.0 - 2.0 * logistic((u - U0) / W) + 0.5 * np.exp(3.0 * (u + 1.0))


def dense_expectations():
    """Crossing points of the noise-free loss on a very fine grid, rules written literally."""
    u = np.linspace(-7.0, 1.0, 800_001)
    L = loss_curve(u)
    first = -7.0 + math.ceil(0.03 * N) * STEP       # the documented skip: ceil(0.03 n) steps
    keep = u >= first
    u, L = u[keep], L[keep]
    s0, i_min = L[0], int(np.argmin(L))
    drop = s0 - L[i_min]
    fall = u[np.argmax(L <= s0 - 0.10 * drop)]
    after = np.nonzero(L[i_min:] > L[i_min] + 0.05 * drop)[0]
    rise = u[i_min + after[0]]
    return {"u_min": u[i_min], "fall": fall, "rise": rise}


def test_registry_names_and_one_signature():
    assert list(SUGGESTERS) == ["steepest", "valley", "min_div10", "loss_fall", "loss_rise", "loss_rise_div3",
                                "acc_rise", "acc_plateau"]
    for fn in SUGGESTERS.values():
        assert list(inspect.signature(fn).parameters) == ["curve"]


def test_steepest_is_taken_against_log10_lr_on_an_exp_sweep():
    r = synthetic_result(loss_curve, num_steps=N)
    got = math.log10(steepest(r.curve()))
    assert abs(got - U0) <= 1.5 * STEP
    # against lr itself (the wrong abscissa) the steepest point lies elsewhere: dL/dlr = dL/du / (lr ln 10)
    u = np.log10(r.lrs)
    dl_dlr = np.gradient(loss_curve(u), r.lrs)
    wrong = u[int(np.argmin(dl_dlr[: int(np.argmin(loss_curve(u)))]))]
    assert abs(wrong - U0) > 0.2


def test_steepest_is_taken_against_lr_on_a_linear_sweep():
    # loss = 1 - tanh((lr - 0.3)/0.05): steepest at lr = 0.3 exactly
    r = synthetic_result(lambda lr: 1.0 - np.tanh((lr - 0.3) / 0.05), start_lr=0.001, end_lr=1.0,
                         num_steps=200, mode="linear")
    assert abs(steepest(r.curve()) - 0.3) <= 1.5 * (0.999 / 199)


def test_min_div10_and_loss_fall_and_loss_rise_match_the_closed_form():
    exp = dense_expectations()
    s = synthetic_result(loss_curve, num_steps=N).suggestions
    assert abs(math.log10(s["min_div10"]) - (exp["u_min"] - 1.0)) <= 2 * STEP
    assert abs(math.log10(s["loss_fall"]) - exp["fall"]) <= 3 * STEP   # smoothing blurs the knee a little
    assert abs(math.log10(s["loss_rise"]) - exp["rise"]) <= 3 * STEP
    # the safe LR sits a factor of 3 below the rise point: log10(3) decades under it
    assert abs(math.log10(s["loss_rise_div3"]) - (exp["rise"] - math.log10(3.0))) <= 3 * STEP


def test_valley_lies_two_thirds_into_the_descent():
    # (u + 2)^2: strictly decreasing from the first point to u=-2, then rising: the valley spans [-7, -2]
    r = synthetic_result(lambda u: (u + 2.0) ** 2, num_steps=N)
    got = math.log10(valley(prepare_curve(r, skip_start=0)))
    assert abs(got - (-7.0 + (2.0 / 3.0) * 5.0)) <= 2 * STEP


def test_valley_picks_the_longest_descent_not_the_first():
    # a short dip (u in [-7, -6.5]) then a bump, then a long descent from u=-6 to u=-1
    def f(u):
        return np.where(u < -6.5, 5.0 - (u + 7.0), np.where(u < -6.0, 4.5 + 2 * (u + 6.5), 5.5 - 0.9 * (u + 6.0))) \
            + np.where(u > -1.0, 3.0 * (u + 1.0), 0.0)

    r = synthetic_result(f, num_steps=N)
    got = math.log10(valley(prepare_curve(r, skip_start=0, smooth_fraction=0.0)))
    # longest strictly decreasing subsequence: starts in the first dip's top region, ends at u=-1
    assert -4.5 < got < -2.0


@pytest.mark.parametrize("seed", range(5))
def test_rules_are_robust_to_noise(seed):
    exp = dense_expectations()
    r = synthetic_result(loss_curve, num_steps=N, noise=0.04, seed=seed)
    s = r.suggestions
    assert abs(math.log10(s["steepest"]) - U0) < 0.3
    assert abs(math.log10(s["loss_fall"]) - exp["fall"]) < 0.3
    assert abs(math.log10(s["loss_rise"]) - exp["rise"]) < 0.3
    assert abs(math.log10(s["min_div10"]) - (exp["u_min"] - 1.0)) < 0.5


def test_answers_do_not_depend_on_the_loss_scale_or_sign():
    base = synthetic_result(loss_curve, num_steps=N).suggestions
    shifted = synthetic_result(lambda u: loss_curve(u) - 10.0, num_steps=N).suggestions   # negative losses
    scaled = synthetic_result(lambda u: 7.0 * loss_curve(u), num_steps=N).suggestions
    for name in ("steepest", "valley", "min_div10", "loss_fall", "loss_rise"):
        assert shifted[name] == pytest.approx(base[name], rel=1e-9)
        assert scaled[name] == pytest.approx(base[name], rel=1e-9)


def test_metric_rules_match_the_logistic_closed_form():
    # accuracy 0.1 + 0.8*logistic((u+4.5)/0.4): 10% of the rise at u = -4.5 + 0.4 ln(1/9), 90% at -4.5 + 0.4 ln 9
    r = synthetic_result(loss_curve, num_steps=N, metric=lambda u: 0.1 + 0.8 * logistic((u + 4.5) / 0.4))
    c = r.curve()
    assert c.metric_source == "train"
    assert abs(math.log10(acc_rise(c)) - (-4.5 + 0.4 * math.log(1 / 9))) <= 3 * STEP   # smoothing blurs knees
    assert abs(math.log10(acc_plateau(c)) - (-4.5 + 0.4 * math.log(9))) <= 3 * STEP


def test_metric_rules_prefer_the_validation_metric():
    r = synthetic_result(loss_curve, num_steps=N, metric=lambda u: 0.1 + 0.8 * logistic((u + 4.5) / 0.4))
    steps = np.arange(0, r.lrs.size, 2)
    u = np.log10(r.lrs[steps])
    val = RangeTestResult(**{**{f: getattr(r, f) for f in r.__dataclass_fields__},
                             "val_steps": steps, "val_metric": 0.2 + 0.7 * logistic((u + 3.0) / 0.4)})
    c = val.curve()
    assert c.metric_source == "val"
    assert abs(math.log10(acc_plateau(c)) - (-3.0 + 0.4 * math.log(9))) <= 3 * STEP


def test_rules_that_cannot_answer_return_none():
    rising = synthetic_result(lambda u: 1.0 + np.exp(u), num_steps=60).curve()
    for rule in (steepest, valley, min_div10, loss_fall, loss_rise):
        assert rule(rising) is None
    falling = synthetic_result(lambda u: -u, num_steps=60).curve()     # never rises again
    assert loss_rise(falling) is None and loss_fall(falling) is not None
    assert acc_rise(falling) is None and acc_plateau(falling) is None  # no metric recorded
