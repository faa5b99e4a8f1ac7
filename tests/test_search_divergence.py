"""A search trial fails as diverged only when its loss climbs far above the scale it started from."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lrscope.adapters.torch_search import TrainingDiverged, train_trial  # noqa: E402
from lrscope.runner import TRAINING_FIRST_WEIGHT, is_diverged  # noqa: E402
from lrscope.task import Task  # noqa: E402


class _Reporter:
    def __init__(self):
        self.steps = 0

    def spend(self, n):
        self.steps += n

    def report(self, value, step=None):
        pass

    def should_prune(self):
        return False

    def prune(self):  # pragma: no cover - never pruned here
        raise AssertionError("not pruned")


def _scripted_task(losses):
    """A task whose training loss at step i is exactly losses[i] (a real torch model and optimizer)."""
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def train_step(m, i):
        return m.weight.sum() * 0.0 + float(losses[i])

    return Task(model=model, optimizer=opt, loss_fn=None, train_loader=list(range(len(losses))),
                train_step=train_step)


def _classic_and_training_stop(losses, factor=4.0):
    """The first step (1-based) at which each rule stops, from the debiased EMA written out here."""
    ema, best, first, classic, training = 0.0, math.inf, None, None, None
    for step, x in enumerate(losses, start=1):
        ema = 0.9 * ema + 0.1 * x
        s = ema / (1 - 0.9 ** step)
        first = s if first is None else first
        best = min(best, s)
        if step > 10:
            if classic is None and s > factor * best:
                classic = step
            if training is None and s - best > (factor - 1) * max(abs(best), abs(first)):
                training = step
    return classic, training


def _decaying_to_one_percent(n=200, seed=0):
    # 0.69 (log 2) falling to ~0.01, with multiplicative batch noise and a few bad batches.
    rng = np.random.RandomState(seed)
    i = np.arange(n)
    loss = (0.68 * np.exp(-i / 15.0) + 0.01) * np.exp(rng.normal(0.0, 0.5, n))
    loss[[120, 150, 151, 180]] += 0.4
    return loss


def test_rule_with_the_starting_scale_matches_its_formula():
    for best in (0.01, 0.5, 2.0):
        for first in (0.69, 2.3):
            for s in np.linspace(best, best + 4 * max(best, first), 23):
                expected = s - best > 3.0 * max(best, first)
                assert is_diverged(s, best, first, 4.0, first_weight=TRAINING_FIRST_WEIGHT) == expected


def test_loss_that_decays_to_one_percent_with_noise_is_not_diverged():
    losses = _decaying_to_one_percent()
    classic, training = _classic_and_training_stop(losses)
    assert classic is not None  # the old rule (4x its best) would have failed this healthy run
    assert training is None
    rep = _Reporter()
    final = train_trial(_scripted_task(losses), {"lr": 0.1}, steps=len(losses), reporter=rep)
    assert rep.steps == len(losses)
    assert final == pytest.approx(np.mean(losses[-20:]))  # no val loader: mean of the last 10% of steps


def test_loss_that_climbs_far_above_its_start_is_diverged_at_the_expected_step():
    n = 120
    losses = 2.3 * (1.0 + 0.01 * np.arange(n) ** 1.5)  # 2.3 -> about 31 (13x the start)
    _, training = _classic_and_training_stop(losses)
    assert training is not None and 10 < training < n
    rep = _Reporter()
    with pytest.raises(TrainingDiverged, match="diverged"):
        train_trial(_scripted_task(losses), {"lr": 0.1}, steps=n, reporter=rep)
    assert rep.steps == training


def test_non_finite_loss_fails_at_once():
    losses = np.full(50, 0.5)
    losses[3] = math.nan
    rep = _Reporter()
    with pytest.raises(TrainingDiverged, match="nan"):
        train_trial(_scripted_task(losses), {"lr": 0.1}, steps=50, reporter=rep)
    assert rep.steps == 4  # three finished steps and the one that produced NaN
