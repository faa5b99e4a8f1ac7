"""strategy="finder": its range (from the range test) and its bracketing line search in log(lr)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

pytest.importorskip("optuna")

from lrscope.hpsearch import Float  # noqa: E402
from lrscope.hpsearch._finder import finder_range, next_lr  # noqa: E402


def _run_line_search(score, anchor, low, high, n):
    tried = []
    for _ in range(n):
        x = next_lr(tried, anchor, low, high)
        if x is None:
            break
        assert low * (1 - 1e-9) <= x <= high * (1 + 1e-9)
        tried.append((x, score(x)))
    return tried


@pytest.mark.parametrize("opt", [0.037, 0.1, 0.31, 0.004])
def test_line_search_finds_the_optimum_of_a_bowl_in_log_lr(opt):
    score = lambda lr: -(math.log10(lr) - math.log10(opt)) ** 2  # noqa: E731  known optimum: lr = opt
    tried = _run_line_search(score, anchor=0.1, low=1e-3, high=1.0, n=12)
    best = max(tried, key=lambda t: t[1])[0]
    assert abs(math.log(best / opt)) < math.log(1.1)


def test_line_search_starts_at_the_anchor_then_doubles_then_halves():
    score = lambda lr: -abs(math.log(lr / 0.1))  # noqa: E731
    tried = _run_line_search(score, anchor=0.1, low=1e-3, high=1.0, n=3)
    assert [t[0] for t in tried] == pytest.approx([0.1, 0.2, 0.05])


def test_failed_trials_count_as_worse_than_any_finished_one():
    # everything above 0.15 diverges; the finished scores rise with the LR up to there
    score = lambda lr: None if lr > 0.15 else math.log(lr)  # noqa: E731
    tried = _run_line_search(score, anchor=0.1, low=1e-3, high=1.0, n=10)
    best = max((t for t in tried if t[1] is not None), key=lambda t: t[1])[0]
    assert 0.13 < best <= 0.15  # bisects toward the edge of divergence from below
    assert all(x <= 0.2 + 1e-12 for x, _ in tried)  # never goes further up than the first failure


def test_all_failed_goes_down_by_the_factor_until_the_low_end():
    tried = _run_line_search(lambda lr: None, anchor=0.1, low=0.01, high=1.0, n=10)
    assert [t[0] for t in tried] == pytest.approx([0.1, 0.05, 0.025, 0.0125])


def test_a_resolved_bracket_returns_none():
    tried = [(0.1, 1.0), (0.1 * 1.04, 0.5), (0.1 / 1.04, 0.5)]
    assert next_lr(tried, 0.1, 1e-3, 1.0) is None


def _rt(**sug):
    lr = sug.pop("lr", None)
    ocm = sug.pop("one_cycle_max_lr", None)
    return SimpleNamespace(suggestions=sug, lr=lr, one_cycle_max_lr=ocm)


def test_finder_range_anchors_at_half_the_loss_rise():
    space = Float(1e-5, 1.0, log=True)
    anchor, lo, hi = finder_range(_rt(loss_rise=0.2, loss_fall=0.001, lr=0.01), space, 0.5)
    assert (anchor, lo, hi) == pytest.approx((0.1, 0.001, 0.4))
    anchor, lo, hi = finder_range(_rt(loss_rise=0.2, loss_fall=0.05), space, 0.5)
    assert lo == pytest.approx(0.1 / 16)  # loss_fall above anchor/16: the range still reaches anchor/16
    anchor, lo, hi = finder_range(_rt(loss_rise=0.8, loss_fall=0.001), space, 0.5)
    assert hi == 1.0 and anchor == pytest.approx(0.4)  # clipped to the space


def test_finder_range_fall_backs():
    space = Float(1e-5, 1.0, log=True)
    assert finder_range(_rt(one_cycle_max_lr=0.02), space, 0.5)[0] == pytest.approx(0.01)
    assert finder_range(_rt(lr=0.001), space, 0.5)[0] == pytest.approx(0.005)  # 0.5 x (10 x lr)
    assert finder_range(_rt(), space, 0.5)[0] == pytest.approx(math.sqrt(1e-5 * 1.0))


@pytest.mark.slow
def test_finder_on_a_tiny_task_follows_the_line_search():
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    from lrscope.hpsearch import search, task_objective

    obj = task_objective("demo:digits-mlp", steps=20, range_test={"num_steps": 30})
    r = search(obj, strategy="finder", budget=3, seed=0, progress=False, pruner="none")
    anchor, lo, hi = r.info["suggestion"], r.info["low"], r.info["high"]
    lrs = [t.config["lr"] for t in r.trials]
    assert lrs[0] == pytest.approx(anchor)
    expected = [(lrs[0], None if r.trials[0].metric is None else r.trials[0].metric)]
    # the second LR is what next_lr proposes from the first trial's outcome (maximised accuracy)
    assert lrs[1] == pytest.approx(min(hi, max(lo, next_lr(expected, anchor, lo, hi))))
    assert all(lo * (1 - 1e-9) <= x <= hi * (1 + 1e-9) for x in lrs)
    assert 0 < r.extra_steps <= 30  # the sweep stops early once the loss diverges
    assert r.cumulative_steps == r.extra_steps + sum(t.steps for t in r.trials)


class _BowlWithRangeTest:
    """A finder objective: a bowl in log10(lr) with its optimum at 0.05, and a counted fake range test."""

    direction = "minimize"

    def __init__(self):
        self.range_tests = 0

    def range_test(self):
        self.range_tests += 1
        return _rt(loss_rise=0.2, loss_fall=0.001, lr=0.01), 80

    def __call__(self, config, reporter):
        reporter.spend(10)
        return (math.log10(config["lr"]) - math.log10(0.05)) ** 2


def test_a_resumed_finder_study_reuses_its_range_test_and_goes_on_with_the_line_search(tmp_path):
    from lrscope.hpsearch import search

    path, obj = str(tmp_path / "f.log"), _BowlWithRangeTest()
    first = search(obj, strategy="finder", budget=1, storage=path, study="f", progress=False)
    assert obj.range_tests == 1 and first.extra_steps == 80
    assert first.trials[0].config["lr"] == pytest.approx(0.1)  # 0.5 x loss_rise
    second = search(obj, budget=2, storage=path, study="f", progress=False)
    assert obj.range_tests == 1 and second.extra_steps == 80  # not tested, nor paid for, twice
    # The line search goes on from where it stopped: x2 above the anchor, then /2 below it.
    assert [t.config["lr"] for t in second.trials] == pytest.approx([0.1, 0.2, 0.05])
    assert second.info["suggestion"] == pytest.approx(0.1)
