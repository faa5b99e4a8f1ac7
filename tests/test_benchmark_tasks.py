"""Smoke test of the benchmark suite (benchmarks/tasks.py): every task builds, one step stays finite."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")
pytest.importorskip("mnist1d")
from conftest import benchmark_module  # noqa: E402

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def tasks():
    return benchmark_module("tasks.py")


def test_suite_has_five_tasks_a_transformer_and_several_optimizers(tasks):
    assert len(tasks.TASKS) >= 5
    assert any("gpt" in name for name in tasks.TASKS)
    kinds = {b.optimizer.split("(")[0] for b in tasks.TASKS.values()}
    assert {"SGD", "Adam", "AdamW"} <= kinds


@pytest.mark.parametrize("name", ["mnist1d-mlp", "mnist1d-cnn", "digits-cnn", "cancer-mlp", "diabetes-mlp",
                                  "stdlib-char-gpt", "teacher-mlp", "stdlib-char-mlp"])
def test_task_builds_and_one_step_stays_finite(tasks, name):
    bench = tasks.TASKS[name]
    task = bench.make_task(seed=0, smoke=True)
    params = list(task.model.parameters())
    assert sum(p.numel() for p in params) > 0
    # every parameter is in the optimizer (a range test scales all of them)
    in_opt = {id(p) for g in task.optimizer.param_groups for p in g["params"]}
    assert {id(p) for p in params} == in_opt
    x, y = next(iter(task.train_loader))
    before = [p.detach().clone() for p in params]
    task.optimizer.zero_grad()
    loss = task.loss_fn(task.model(x), y)
    assert loss.ndim == 0 and math.isfinite(float(loss.detach()))
    loss.backward()
    task.optimizer.step()
    assert all(torch.isfinite(p).all() for p in params)
    assert any(not torch.equal(a, p) for a, p in zip(before, params)), "one step changed no parameter"
    quality = tasks.evaluate(bench, task)
    assert math.isfinite(quality["val_loss"]) and math.isfinite(quality["quality"])


def test_same_seed_gives_same_model_and_batches(tasks):
    bench = tasks.TASKS["digits-cnn"]
    a, b, c = (bench.make_task(seed=s, smoke=True) for s in (3, 3, 4))
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)
    assert not all(torch.equal(pa, pc) for pa, pc in zip(a.model.parameters(), c.model.parameters()))
    xa, _ = next(iter(a.train_loader))
    xb, _ = next(iter(b.train_loader))
    assert torch.equal(xa, xb)


def test_language_model_targets_are_inputs_shifted_by_one(tasks):
    task = tasks.TASKS["stdlib-char-gpt"].make_task(seed=0, smoke=True)
    x, y = next(iter(task.train_loader))
    assert torch.equal(x[:, 1:], y[:, :-1])
    assert int(x.max()) < len(tasks.VOCAB)


@pytest.fixture(scope="module")
def suite(tasks):
    sys.path.insert(0, str(BENCH))
    try:
        import suite as module

        yield module
    finally:
        sys.path.remove(str(BENCH))


def test_the_generalisation_suite_spans_what_issue_9_asks_for(suite):
    """At least 16 tasks in at least 6 families, the optimizers, batch sizes, budgets and losses of issue 9."""
    tasks = suite.SUITE
    assert len(tasks) >= 16 and len(suite.FAMILIES) >= 6
    assert {"mlp", "cnn", "rescnn", "rnn", "transformer", "autoencoder", "regression", "embedding"} <= set(suite.FAMILIES)
    kinds = {b.optimizer.split("(")[0] for b in tasks.values()}
    assert {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "NAdam", "RAdam"} <= kinds
    assert any("nesterov" in b.optimizer for b in tasks.values()) and any("momentum" in b.optimizer for b in tasks.values())
    budgets = [b.budget for b in tasks.values()]
    assert min(budgets) <= 300 and max(budgets) >= 5000


@pytest.mark.parametrize("name", ["mlp-digits-sgd-bs8", "resnet-digits-sgdm", "lstm-char-adam", "vit-digits-adamw",
                                  "ae-digits-adam", "reg-teacher-adagrad", "mf-ratings-adagrad", "ncf-implicit-adam"])
def test_suite_task_builds_and_one_step_stays_finite(suite, tasks, name):
    bench = suite.SUITE[name]
    task = bench.make_task(seed=0)
    in_opt = {id(p) for g in task.optimizer.param_groups for p in g["params"]}
    assert {id(p) for p in task.model.parameters()} == in_opt
    x, y = next(iter(task.train_loader))
    task.optimizer.zero_grad()
    loss = task.loss_fn(task.model(x), y)
    assert loss.ndim == 0 and math.isfinite(float(loss.detach()))
    loss.backward()
    task.optimizer.step()
    quality = tasks.evaluate(bench, task)
    assert math.isfinite(quality["val_loss"]) and math.isfinite(quality["quality"])


def test_fresh_tasks_are_apart_from_the_suite_and_each_builds_and_steps(suite, tasks):
    """The fresh tasks (scored only, never tuned on) share no name or family with the suite, are
    found by ``suite.bench`` like the suite's own, and each takes a finite step."""
    from fresh import FRESH

    assert len(FRESH) >= 8 and not set(FRESH) & set(suite.SUITE)
    batches = {"fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17", "fresh18", "fresh19", "fresh20", "fresh21", "fresh22", "fresh23"}
    assert {b.family for b in FRESH.values()} == batches and not batches & set(suite.FAMILIES)
    assert suite.bench("mlp-mnist1d-sgdm") is suite.SUITE["mlp-mnist1d-sgdm"]
    with pytest.raises(KeyError, match="no benchmark task 'nope'"):
        suite.bench("nope")
    for name, bench in FRESH.items():
        assert suite.bench(name) is bench
        task = bench.make_task(seed=0)
        x, y = next(iter(task.train_loader))
        task.optimizer.zero_grad()
        loss = task.loss_fn(task.model(x), y)
        assert loss.ndim == 0 and math.isfinite(float(loss.detach())), name
        loss.backward()
        task.optimizer.step()
        quality = tasks.evaluate(bench, task)
        assert math.isfinite(quality["val_loss"]) and math.isfinite(quality["quality"]), name


def _first_batches(bench, n=2):
    import itertools

    task = bench.make_task(seed=0)
    return list(itertools.islice(iter(task.train_loader), n)), task.val_loader[0]


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_every_task_draws_its_data_from_its_own_seeds_not_the_global_rng(suite):
    """A task's data must not depend on torch's, numpy's or Python's global generators: the oracle,
    the finder and the training runs of one task run in different processes and states, and must
    see the same data (the fresh SELU task once drew its noise from torch's global generator, so
    its training targets differed from run to run). Each task is built twice from cleared data
    caches, the global generators seeded afresh before each build (with 1 in the first pass, 2 in
    the second); its first batches and validation batch must be equal."""
    import random

    import numpy as np

    import fresh
    import tasks as bench_tasks

    caches = [f for mod in (suite, fresh, bench_tasks) for f in vars(mod).values() if hasattr(f, "cache_clear")]
    every = {**suite.SUITE, **fresh.FRESH}
    assert len(caches) >= 10 and len(every) >= 80

    def build(bench, global_seed):
        torch.manual_seed(global_seed)
        np.random.seed(global_seed)
        random.seed(global_seed)
        return _first_batches(bench)

    def build_all(global_seed):
        # a cached dataset is made at its first use, right after the globals were seeded
        for f in caches:
            f.cache_clear()
        return {name: build(bench, global_seed) for name, bench in every.items()}

    saved = torch.get_rng_state(), np.random.get_state(), random.getstate()
    try:
        first, second = build_all(1), build_all(2)
    finally:
        torch.set_rng_state(saved[0])
        np.random.set_state(saved[1])
        random.setstate(saved[2])
    differ = [name for name in every if not _same(first[name], second[name])]
    assert not differ, f"data depends on the global RNG: {differ}"


@pytest.mark.slow
def test_a_deep_plain_net_that_dies_below_the_explosion_gets_an_lr_that_trains(suite):
    """The fresh deep MLP (5 ReLU layers, no normalisation, plain SGD): every 50-step run stays at
    chance, and the LRs just below the explosion kill it without exploding. The answer must
    come from the longer runs below the explosion, and the task's recorded grid must say that
    training at it learns the digits (its best reaches 0.97 in 800 steps; half a decade below
    the explosion, 0.08-0.11). The grid, not one training run, is the expectation: near the edge
    of stability one run is chaotic across CPUs (seed 0 at 0.32: 0.98 on the machine that
    recorded the grid, 0.25 on an AMD EPYC), so a seed-mean over two runs is what is scored."""
    import lrscope

    torch.set_num_threads(1)
    bench = suite.bench("fresh2-deepmlp-digits-sgd")
    task = bench.make_task(seed=1)
    res = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader, progress=False)
    assert res._choice.status == "slow" and res._decision.status == "ok"
    assert res.confirm_long is not None and res.confirm_long.steps == 200
    assert "slow_learner" in res.verdicts["lr"].reasons and "fell most" in res.verdicts["lr"].message
    sys.path.insert(0, str(Path(suite.__file__).parent))
    try:
        from gen_data import oracle
    finally:
        sys.path.pop(0)
    from lrscope.analysis._policy import grid_index

    grid = oracle("fresh2-deepmlp-digits-sgd", "constant")
    assert grid.quality(grid_index(res.lr)) > 0.8 and grid.regret(grid_index(res.lr)) < 0.1, res.lr
