"""Smoke test of the Keras benchmark (benchmarks/gen_keras.py): every task builds with Keras'
own default LR, training is reproducible per seed, and it learns (against the untrained model)."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("keras")
pytest.importorskip("sklearn")
pytest.importorskip("mnist1d")
from conftest import benchmark_module  # noqa: E402

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
#: Keras' torch backend converts arrays without numpy 2's copy keyword, once per step
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")


@pytest.fixture(scope="module")
def gen_keras():
    sys.path.insert(0, str(BENCH))        # its tasks read the benchmark's data helpers (tasks.py, suite.py)
    return benchmark_module("gen_keras.py")


def test_every_task_builds_with_the_optimizers_default_lr(gen_keras):
    tasks = gen_keras._tasks()
    assert len(tasks) == 8
    kinds = set()
    for name, task in tasks.items():
        model = gen_keras._model(task, 0, task.blind_default)
        assert float(model.optimizer.learning_rate) == pytest.approx(task.blind_default)
        kinds.add(type(model.optimizer).__name__)
        assert math.isfinite(gen_keras._quality(task, model)), name
    assert kinds == {"Adam", "SGD", "RMSprop", "Adagrad", "AdamW", "Lion", "Lamb", "Nadam"}


def test_training_is_reproducible_and_learns(gen_keras):
    task = gen_keras._tasks()["keras-mlp-cancer-adagrad-bs16"]
    untrained = gen_keras._quality(task, gen_keras._model(task, 0, 0.01))
    a, b = (gen_keras.train(task, 0, "constant", 0.01) for _ in range(2))
    assert a == b and not a["diverged"]
    assert a["quality"] > untrained + 0.2          # breast cancer: well above the untrained model
    peak = gen_keras.train(task, 0, "one_cycle", 0.01)
    assert not peak["diverged"] and peak["quality"] != a["quality"]   # the schedule is not the constant LR
