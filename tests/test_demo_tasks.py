"""Built-in demo tasks: shapes, determinism per seed, untouched global RNGs, learnability."""

from __future__ import annotations

import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("mnist1d")
pytest.importorskip("sklearn")

from lrscope import InvalidArgumentError, Task, load_task  # noqa: E402
from lrscope.demo import DEMO_TASKS, accuracy  # noqa: E402

NAMES = ["mnist1d-mlp", "mnist1d-cnn", "digits-cnn", "digits-mlp"]


def _small(name, seed=0, **kw):
    return load_task(f"demo:{name}", seed=seed, num_samples=200, **kw)


def test_registry_has_the_contracted_names():
    assert set(NAMES) <= set(DEMO_TASKS)


@pytest.mark.parametrize("name", NAMES)
def test_task_is_complete_and_runs_forward(name):
    task = _small(name)
    assert isinstance(task, Task) and task.name == name
    x, y = next(iter(task.train_loader))
    out = task.model(x)
    assert out.shape == (x.shape[0], 10)
    loss = task.loss_fn(out, y)
    assert loss.ndim == 0
    # an untrained 10-class classifier starts near log(10)
    assert abs(loss.item() - np.log(10)) < 0.5
    assert 0.0 <= task.metric(out, y) <= 1.0
    # 80/20 split of the requested samples
    assert len(task.train_loader.dataset) == 160
    assert len(task.val_loader.dataset) == 40
    assert task.iterations_per_epoch == len(task.train_loader)


@pytest.mark.parametrize("name", ["mnist1d-mlp", "digits-cnn"])
def test_same_seed_same_task_other_seed_other_task(name):
    a, b, c = _small(name, 0), _small(name, 0), _small(name, 1)
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)
    assert any(not torch.equal(pa, pc) for pa, pc in zip(a.model.parameters(), c.model.parameters()))
    xa, _ = next(iter(a.train_loader))
    xb, _ = next(iter(b.train_loader))
    xc, _ = next(iter(c.train_loader))
    assert torch.equal(xa, xb)
    assert not torch.equal(xa, xc)


def test_building_a_task_leaves_global_rngs_alone():
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    load_task("demo:mnist1d-mlp", seed=3, num_samples=120)  # uncached size: runs the generator
    load_task("demo:digits-mlp", seed=3, num_samples=120)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


def test_accuracy_matches_a_hand_count():
    out = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    y = torch.tensor([1, 1, 1, 0])
    assert accuracy(out, y) == pytest.approx(3 / 4)


def test_a_few_sgd_steps_reduce_the_loss():
    task = load_task("demo:digits-mlp", seed=0)
    opt = torch.optim.Adam(task.model.parameters(), lr=1e-2)
    x_val, y_val = next(iter(task.val_loader))
    before = task.loss_fn(task.model(x_val), y_val).item()
    for x, y in task.train_loader:
        opt.zero_grad()
        task.loss_fn(task.model(x), y).backward()
        opt.step()
    after = task.loss_fn(task.model(x_val), y_val).item()
    assert after < 0.7 * before


@pytest.mark.parametrize("kwargs, name", [({"batch_size": 0}, "batch_size"), ({"seed": -1}, "seed"),
                                          ({"num_samples": 5}, "num_samples")])
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(InvalidArgumentError) as info:
        DEMO_TASKS["digits-mlp"](**kwargs)
    assert info.value.name == name
