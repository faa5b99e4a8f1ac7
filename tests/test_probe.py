"""The LR probe: verdict rules on synthetic curves, and torch runs on a problem with a known answer."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from lrscope.analysis.probe import ProbeResult, probe_verdicts
from lrscope.errors import InvalidArgumentError, RangeTestError


# --------------------------------------------------------------------------- rules (numpy only)


def _curve(start, end, n=20):
    return np.linspace(start, end, n)


def test_verdicts_follow_the_documented_rule():
    curves = [
        _curve(2.0, 0.5),                       # drop 0.75: the best
        _curve(2.0, 1.4),                       # drop 0.30 < 0.5 * 0.75: too slow
        _curve(2.0, 1.1),                       # drop 0.45 >= 0.375: good
        np.r_[2.0, 3.0, 9.0, 1.0, np.zeros(16) + 1.0],  # peak 9 > 2 + 3*2 = 8: explodes
        np.r_[_curve(2.0, 1.0, 10), np.nan],    # non-finite: explodes
        _curve(2.0, 2.3),                       # ended 15% above its start: explodes
        _curve(2.0, 2.1),                       # 5% above: not exploding, no drop: too slow
    ]
    verdicts, drops, best = probe_verdicts(curves, steps=20, diverge_factor=4.0, slow_ratio=0.5)
    assert verdicts == ("good", "too slow", "good", "explodes", "explodes", "explodes", "too slow")
    k = 20 // 5
    for c, d in zip(curves[:3], drops[:3]):
        assert d == pytest.approx((c[0] - c[-k:].mean()) / abs(c[0]))
    assert math.isnan(drops[4])
    assert best == 0


def test_a_single_batch_above_the_limit_explodes_only_under_the_first_rule():
    # one batch's loss far above the rest (an outlier batch), then the run learns on
    spike = np.r_[2.0, 9.0, np.zeros(18) + 1.0]
    steady = np.r_[2.0, 9.0, 12.0, np.zeros(17) + 1.0]    # two steps in a row above 2 + 3 * 2 = 8
    once, _, _ = probe_verdicts([spike, steady], steps=20)
    assert once == ("explodes", "explodes")
    twice, drops, _ = probe_verdicts([spike, steady], steps=20, spike_steps=2)
    assert twice == ("good", "explodes") and drops[0] == pytest.approx(0.5)
    r = ProbeResult(lrs=np.array([0.1, 1.0]), curves=(spike, steady), steps=20, spike_steps=2)
    assert r.verdicts == {0.1: "good", 1.0: "explodes"}
    assert ProbeResult.from_dict(r.to_dict()).verdicts == r.verdicts


def test_negative_losses_use_the_absolute_start():
    curves = [_curve(-1.0, -3.0), _curve(-1.0, -1.2), _curve(-1.0, 2.5)]
    verdicts, drops, best = probe_verdicts(curves, steps=20)
    assert verdicts == ("good", "too slow", "explodes")
    assert drops[0] == pytest.approx((-1.0 - np.mean(curves[0][-4:])) / 1.0)


def test_a_low_first_loss_is_replaced_by_the_starting_mean_when_given():
    """At small batch sizes the first batch's loss can lie far below the model's mean loss
    (0.25 against 1.0). Measured from it alone, a run that stays put "explodes" (it ends 4x
    above its start) and one that learns to 0.2 barely "falls"; measured from the larger of
    the first loss and the starting mean, they are too slow and good, and a real blow-up
    still explodes. A starting mean below the first loss changes nothing."""
    stay = np.r_[0.25, np.full(19, 1.0)]
    learn = np.r_[0.25, np.linspace(1.0, 0.2, 19)]
    blow = np.r_[0.25, np.geomspace(1.0, 30.0, 19)]
    alone, drops_alone, _ = probe_verdicts([stay, learn, blow], steps=20)
    assert alone[0] == "explodes" and alone[2] == "explodes"
    verdicts, drops, best = probe_verdicts([stay, learn, blow], steps=20, start=1.0)
    assert verdicts == ("too slow", "good", "explodes") and best == 1
    assert drops[1] == pytest.approx(1.0 - np.mean(learn[-4:]))      # (1.0 - end) / 1.0
    lower = probe_verdicts([stay, learn, blow], steps=20, start=0.1)
    assert lower[0] == alone and np.allclose(lower[1][:2], drops_alone[:2])
    res = ProbeResult(lrs=[0.1, 0.01, 1.0], curves=[stay, learn, blow], steps=20, start_loss=1.0)
    assert list(res.verdicts.values()) == list(verdicts)
    assert ProbeResult.from_dict(json.loads(json.dumps(res.to_dict()))).start_loss == 1.0


def test_nothing_good_when_every_run_explodes():
    res = ProbeResult(lrs=[1.0, 0.1], curves=[np.r_[1.0, np.inf], _curve(1.0, 5.0)], steps=10)
    assert set(res.verdicts.values()) == {"explodes"}
    assert res.best_lr is None
    assert "no LR was good" in res.summary()


def test_result_round_trips_through_strict_json():
    res = ProbeResult(lrs=[0.1, 0.01], curves=[np.r_[2.0, 1.0, np.nan], _curve(2.0, 1.5, 5)], steps=5,
                      task_name="t")
    text = json.dumps(res.to_dict(), allow_nan=False)
    back = ProbeResult.from_dict(json.loads(text))
    assert back.verdicts == res.verdicts
    assert back.best_lr == res.best_lr == 0.01
    np.testing.assert_array_equal(back.curves[1], res.curves[1])
    assert math.isnan(back.curves[0][-1])


def test_from_dict_refuses_unknown_keys():
    d = ProbeResult(lrs=[0.1], curves=[_curve(2, 1, 5)], steps=5).to_dict()
    d["colour"] = "red"
    with pytest.raises(InvalidArgumentError):
        ProbeResult.from_dict(d)


def test_one_curve_per_lr_is_required():
    with pytest.raises(InvalidArgumentError) as info:
        ProbeResult(lrs=[0.1, 0.01], curves=[_curve(2, 1)], steps=20)
    assert info.value.name == "curves"


def test_repr_is_one_line_with_each_verdict():
    res = ProbeResult(lrs=[1.0, 0.1, 0.001], curves=[np.r_[2.0, 50.0, np.nan], _curve(2, 0.5), _curve(2, 1.95)],
                      steps=20)
    text = repr(res)
    assert "\n" not in text and "array(" not in text
    assert text == "ProbeResult({1: explodes, 0.1: good, 0.001: too slow}; 20 steps each; best_lr=0.1; " \
                   ".summary() for the losses)"


def test_summary_and_plot():
    pytest.importorskip("matplotlib")
    res = ProbeResult(lrs=[1.0, 0.1, 0.001], curves=[np.r_[2.0, 50.0, np.nan], _curve(2, 0.5), _curve(2, 1.95)],
                      steps=20)
    text = res.summary()
    for lr, verdict in res.verdicts.items():
        assert f"{lr:.4g}" in text and verdict in text
    assert "best: lr=0.1" in text
    fig = res.plot()
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3
    assert ax.get_ylim()[1] < 50.0  # the exploded run does not squash the others


# --------------------------------------------------------------------------- torch


torch = pytest.importorskip("torch")


def _regression(seed=0):
    """Least squares: SGD on the mean squared error diverges for lr > 2 / lambda_max(H), H = 2 X^T X / n."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 4, generator=g, dtype=torch.float64) * torch.tensor([3.0, 1.0, 0.5, 0.2], dtype=torch.float64)
    w = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64)
    y = x @ w
    batches = [(x, y)]  # full batch: the critical LR is exact
    hess = 2 * x.T @ x / len(x)
    critical = 2.0 / torch.linalg.eigvalsh(hess).max().item()
    return batches, critical


def _mse(out, y):
    return ((out.squeeze(-1) - y) ** 2).mean()


def test_probe_on_least_squares_matches_the_stability_bound():
    from lrscope import probe

    batches, critical = _regression()
    model = torch.nn.Linear(4, 1, bias=False).double()
    torch.nn.init.zeros_(model.weight)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    lrs = (1.5 * critical, 0.5 * critical, 1e-3 * critical)
    res = probe(model, opt, _mse, batches, lrs=lrs, steps=30)
    assert list(res.verdicts.values()) == ["explodes", "good", "too slow"]
    assert res.best_lr == pytest.approx(0.5 * critical)
    # every run started from the same state: the same first loss, = the loss at w = 0
    expected_first = _mse(torch.zeros(64, 1, dtype=torch.float64), batches[0][1]).item()
    for c in res.curves:
        assert c[0] == pytest.approx(expected_first, rel=1e-12)
    assert torch.count_nonzero(model.weight) == 0
    assert opt.param_groups[0]["lr"] == 0.01


def test_probe_restores_state_and_rng():
    from lrscope import probe

    batches, _ = _regression()
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Dropout(0.3), torch.nn.Linear(8, 1)).double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    w = [p.detach().clone() for p in model.parameters()]
    random.seed(2)
    np.random.seed(2)
    torch.manual_seed(2)
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(2)
    np.random.seed(2)
    torch.manual_seed(2)
    res = probe(model, opt, _mse, batches, lrs=(0.1, 0.01), steps=5, snapshot="disk")
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected
    for a, b in zip(w, model.parameters()):
        assert torch.equal(a, b)
    assert opt.state_dict()["state"] == {}
    # dropout draws the same masks in every run: replaying state makes the first losses equal
    assert res.curves[0][0] == res.curves[1][0]


def test_probe_rejects_bad_arguments_and_nan_data():
    from lrscope import probe

    batches, _ = _regression()
    model = torch.nn.Linear(4, 1).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with pytest.raises(InvalidArgumentError) as info:
        probe(model, opt, _mse, batches, lrs=(0.1, -1.0))
    assert info.value.name == "lrs"
    with pytest.raises(InvalidArgumentError) as info:
        probe(model, opt, _mse, batches, lrs=(), steps=5)
    assert info.value.name == "lrs"
    with pytest.raises(InvalidArgumentError) as info:
        probe(model, opt, _mse, batches, steps=1)
    assert info.value.name == "steps"
    w = model.weight.detach().clone()
    bad = [(torch.full_like(batches[0][0], math.nan), batches[0][1])]
    with pytest.raises(RangeTestError, match="very first step"):
        probe(model, opt, _mse, bad, steps=5)
    assert torch.equal(model.weight, w)
