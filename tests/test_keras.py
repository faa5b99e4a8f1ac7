"""Keras 3 adapter (torch backend): the range test through the one engine, the per-batch loss,
bit-for-bit restore, and lrscope's schedules as serializable Keras LR schedules.

Expected values come from Keras itself (``model(x)``, the compiled loss, ``model.evaluate``,
``train_on_batch`` on an independent twin), from plain numpy formulas, or from the numpy
schedules of :mod:`lrscope.schedules`, never from the adapter under test.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import python_blocks, run_python_blocks  # noqa: E402

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":  # pragma: no cover - keras imported earlier with another backend
    pytest.skip("these tests run on the Keras torch backend", allow_module_level=True)
torch.set_num_threads(1)
# Keras' torch backend converting tensors under numpy 2 (keras/src/backend/torch/core.py), not ours
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")

import lrscope  # noqa: E402
import lrscope.keras as lk  # noqa: E402
from lrscope import schedules as S  # noqa: E402
from lrscope.errors import InvalidArgumentError, RangeTestError  # noqa: E402

DOC = Path(__file__).resolve().parent.parent / "docs" / "keras.md"
ops = keras.ops


# --------------------------------------------------------------------------- helpers


def _regression(n=48, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x @ rng.normal(size=(d, 1)) + 0.3 + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return x, y


W0 = np.array([[0.5], [-1.0], [0.25]], dtype="float32")
B0 = np.array([0.1], dtype="float32")


class _RunningMean(keras.Sequential):
    """``train_on_batch`` that reports the running mean since the last ``reset_metrics``, as Keras 2
    and early Keras 3 did (Keras 3.15 resets the metrics inside ``train_on_batch`` itself)."""

    def train_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self.make_train_function()
        logs = self.train_function([(x, y, sample_weight)])
        return {k: float(ops.convert_to_numpy(val)) for k, val in logs.items()}


def _linear(lr=0.01, metrics=None, optimizer=None, cls=keras.Sequential):
    """Dense(1) with known weights, MSE."""
    model = cls([keras.Input((3,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([W0, B0])
    model.compile(optimizer=optimizer or keras.optimizers.SGD(lr), loss="mse", metrics=metrics)
    return model


def _classifier(seed=0, optimizer=None, dropout=True):
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.BatchNormalization()]
    if dropout:
        layers.append(keras.layers.Dropout(0.3))
    model = keras.Sequential(layers + [keras.layers.Dense(3)])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def _blobs(n=192, seed=1):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centers = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-1, -1, 2, 2]], dtype="float32")
    x = (centers[y] + rng.normal(size=(n, 4))).astype("float32")
    return x, y.astype("int64")


def _state(model) -> dict:
    """Every variable (model, optimizer, metrics) and every RNG state, as bytes."""
    out = {}
    groups = {"model": model.variables, "optimizer": model.optimizer.variables, "metrics": model.metrics_variables}
    for group, variables in groups.items():
        for i, var in enumerate(variables):
            a = np.asarray(ops.convert_to_numpy(var))
            out[f"{group}[{i}] {var.path}"] = (a.dtype.str, a.shape, a.tobytes())
    out["python rng"] = random.getstate()
    np_state = np.random.get_state()
    out["numpy rng"] = (np_state[0], np_state[1].tobytes(), np_state[2:])
    out["torch rng"] = torch.get_rng_state().numpy().tobytes()
    out["lr"] = np.float32(ops.convert_to_numpy(model.optimizer.learning_rate)).tobytes()
    from keras.src.backend.common import global_state  # Keras' global seed and SeedGenerator

    gen = global_state.get_global_attribute("global_seed_generator")
    out["keras rng"] = (global_state.get_global_attribute("global_random_seed"), id(gen),
                        None if gen is None else np.asarray(ops.convert_to_numpy(gen.state)).tobytes())
    return out


def _assert_same(before: dict, after: dict):
    assert before.keys() == after.keys()
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, f"changed by the range test: {changed}"


def _mse(model, xb, yb) -> float:
    """The compiled loss on a batch, computed by Keras from a direct forward pass."""
    return float(ops.convert_to_numpy(keras.losses.MeanSquaredError()(yb, model(xb, training=False))))


# --------------------------------------------------------------------------- import, API


def test_import_lrscope_does_not_import_keras():
    code = "import sys, lrscope, lrscope.schedules; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_names():
    assert sorted(lk.__all__) == ["KerasSchedule", "find_lr", "schedule_for"]
    assert isinstance(lk.KerasSchedule(S.Constant(0.1)), keras.optimizers.schedules.LearningRateSchedule)


def test_docstring_examples_run():
    import doctest

    import lrscope.adapters.keras_range_test as mod

    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


# --------------------------------------------------------------------------- schedules

SCHEDULES = [
    *[S.CyclicLR(base_lr=1e-3, max_lr=6e-3, step_size=40, policy=p, window=w, gamma=0.997)
      for p in ("triangular", "triangular2", "exp_range") for w in ("triangular", "welch", "hann")],
    S.CyclicLR(base_lr=1e-4, max_lr=1e-2, step_size=30, step_size_down=70, window="hann"),
    S.OneCycle(max_lr=0.1, total_steps=600),
    S.OneCycle(max_lr=0.1, total_steps=800, pct_start=0.25, three_phase=True, anneal="linear"),
    S.Warmup(S.CosineDecay(0.05, 700, min_lr=1e-4), warmup_steps=100),
    S.Warmup(S.Constant(0.02), warmup_steps=50, start_factor=0.01, mode="exp"),
    S.Join([S.Warmup(S.Constant(0.1), 20), S.LinearDecay(0.1, 300, min_lr=0.01), S.StepDecay(0.01, 100, gamma=0.5)],
           boundaries=[200, 500]),
    S.Warmup(S.Join([S.OneCycle(max_lr=0.2, total_steps=300), S.CyclicLR(base_lr=1e-3, max_lr=3e-3, step_size=50)],
                    boundaries=[300]), warmup_steps=30),
    S.Constant(0.3),
    S.LinearDecay(0.1, 800, min_lr=0.0),
    S.CosineDecay(0.1, 900),
    S.ExponentialDecay(0.1, 0.995),
    S.StepDecay(0.1, 150, gamma=0.3),
    S.MultiStepDecay(0.1, (100, 250, 600), gamma=0.5),
    S.PolynomialDecay(0.1, 700, power=2.0, min_lr=1e-3),
]


def test_every_kind_is_checked():
    assert {s.kind for s in SCHEDULES} >= set(S.KINDS)


@pytest.mark.parametrize("sched", SCHEDULES, ids=lambda s: f"{s.kind}-{getattr(s, 'policy', '')}"
                         f"{getattr(s, 'window', '')}{getattr(s, 'mode', '')}{getattr(s, 'three_phase', '')}")
def test_keras_schedule_matches_the_numpy_schedule_step_by_step(sched):
    ks = lk.KerasSchedule(sched)
    steps = np.arange(1001)
    expected = sched(steps)
    got = np.asarray(ops.convert_to_numpy(ks(ops.arange(1001))), dtype=np.float64)
    atol = 1e-6 * float(np.max(np.abs(expected)))  # float32 rounding where the LR crosses ~0
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=atol)
    # one step at a time, as the optimizer calls it: with its int iteration variable, and a python int
    it = keras.Variable(0, dtype="int64", trainable=False)
    for t in range(0, 1001, 97):
        it.assign(t)
        assert float(ops.convert_to_numpy(ks(it))) == pytest.approx(sched(t), rel=1e-5, abs=atol)
        assert float(ops.convert_to_numpy(ks(t))) == pytest.approx(sched(t), rel=1e-5, abs=atol)


def test_keras_schedule_config_is_the_spec_and_survives_keras_serialization():
    sched = SCHEDULES[-6]  # a Join with a nested Warmup
    ks = lk.KerasSchedule(sched)
    assert S.from_spec(ks.get_config()) == sched
    assert lk.KerasSchedule.from_config(ks.get_config()).schedule == sched
    assert lk.KerasSchedule(sched.to_dict()).schedule == sched  # the spec dict is accepted too
    blob = keras.saving.serialize_keras_object(ks)
    assert blob["registered_name"] == "lrscope>KerasSchedule"
    back = keras.saving.deserialize_keras_object(blob)
    assert isinstance(back, lk.KerasSchedule) and back.schedule == sched


def test_keras_schedule_refuses_what_it_cannot_trace_or_save():
    with pytest.raises(InvalidArgumentError) as err:
        lk.KerasSchedule(S.CyclicLR(base_lr=1e-3, max_lr=1e-2, step_size=10, scale_fn=lambda c: 1.0))
    assert err.value.name == "schedule" and "Fix:" in str(err.value)
    with pytest.raises(InvalidArgumentError) as err:
        lk.KerasSchedule(0.1)
    assert err.value.name == "schedule"
    with pytest.raises(InvalidArgumentError):
        lk.KerasSchedule({"kind": "cyclic", "base_lr": 1e-3})  # a spec missing keys


def test_fit_applies_the_schedule_at_every_batch():
    sched = S.CyclicLR(base_lr=0.01, max_lr=0.1, step_size=3, policy="triangular2", window="hann")
    x, y = _regression(n=40)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    model.layers[0].set_weights([W0])
    model.compile(optimizer=keras.optimizers.SGD(lk.KerasSchedule(sched)), loss="mse")
    seen = []

    class Watch(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.it = int(ops.convert_to_numpy(model.optimizer.iterations))
            self.lr = float(ops.convert_to_numpy(model.optimizer.learning_rate))
            self.w = np.array(model.layers[0].get_weights()[0], dtype=np.float64)

        def on_train_batch_end(self, batch, logs=None):
            seen.append((self.it, self.lr, self.w, np.array(model.layers[0].get_weights()[0], dtype=np.float64)))

    model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[Watch()])
    assert [s[0] for s in seen] == list(range(15))
    for it, lr, w, w_after in seen:
        assert lr == pytest.approx(sched(it), rel=1e-6)
        # SGD on the MSE of a linear model: w <- w - lr * 2/b * X^T (X w - y), with the schedule's LR
        xb, yb = x[(it % 5) * 8:(it % 5) * 8 + 8].astype(np.float64), y[(it % 5) * 8:(it % 5) * 8 + 8]
        grad = 2.0 / len(xb) * xb.T @ (xb @ w - yb)
        np.testing.assert_allclose(w_after, w - sched(it) * grad, rtol=1e-4, atol=1e-6)


def test_model_compiled_with_a_keras_schedule_saves_and_loads(tmp_path):
    sched = S.Join([S.Warmup(S.CyclicLR(base_lr=1e-3, max_lr=1e-2, step_size=4, window="welch"), 3),
                    S.CosineDecay(1e-3, 50)], boundaries=[12])
    x, y = _regression(n=32)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(lk.KerasSchedule(sched)), loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)  # 8 steps
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    cfg = loaded.optimizer.get_config()["learning_rate"]
    assert cfg["registered_name"] == "lrscope>KerasSchedule"
    assert S.from_spec(cfg["config"]) == sched
    assert int(ops.convert_to_numpy(loaded.optimizer.iterations)) == 8
    assert float(ops.convert_to_numpy(loaded.optimizer.learning_rate)) == pytest.approx(sched(8), rel=1e-6)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    lrs = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: lrs.append(
        (int(ops.convert_to_numpy(loaded.optimizer.iterations)),
         float(ops.convert_to_numpy(loaded.optimizer.learning_rate)))))
    loaded.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[cb])  # resumes across the Join's boundary
    assert [it for it, _ in lrs] == list(range(8, 16))
    np.testing.assert_allclose([lr for _, lr in lrs], sched(np.arange(8, 16)), rtol=1e-6)


# --------------------------------------------------------------------------- the range test


@pytest.mark.parametrize("cls", [keras.Sequential, _RunningMean], ids=["keras", "running-mean-keras"])
def test_recorded_loss_is_each_batch_own_loss_not_the_running_mean(cls):
    x, y = _regression(n=48)
    xv, yv = _regression(n=20, seed=5)
    model = _linear(lr=0.05, cls=cls)
    res = lk.find_lr(model, x, y, batch_size=8, shuffle=False, val_data=(xv, yv), val_every=4,
                     start_lr=1e-3, end_lr=0.1, num_steps=14, extend_decades=0, confirm=False, progress=False)
    assert res.stop_reason == "completed" and len(res.losses) == 14
    # step 0, by hand from the known weights
    by_hand = float(np.mean((x[:8].astype(np.float64) @ W0 + B0 - y[:8]) ** 2))
    assert res.losses[0] == pytest.approx(by_hand, rel=1e-5)
    # every step: Keras' own forward pass + compiled loss on a twin trained at the same LRs
    twin = _linear(lr=0.05)
    expected, val_expected = [], []
    for i, lr in enumerate(res.lrs):
        xb, yb = x[(i % 6) * 8:(i % 6) * 8 + 8], y[(i % 6) * 8:(i % 6) * 8 + 8]
        expected.append(_mse(twin, xb, yb))
        twin.optimizer.learning_rate = float(lr)
        twin.train_on_batch(xb, yb)
        if (i + 1) % 4 == 0:
            val_expected.append(twin.evaluate(xv, yv, batch_size=8, verbose=0, return_dict=True)["loss"])
    np.testing.assert_allclose(res.losses, expected, rtol=1e-5)
    running_mean = np.cumsum(expected) / np.arange(1, len(expected) + 1)
    assert np.max(np.abs(running_mean - expected) / np.abs(expected)) > 0.05  # the check tells them apart
    assert res.val_steps.tolist() == [3, 7, 11]
    np.testing.assert_allclose(res.val_losses, val_expected, rtol=1e-5)
    assert res.batch_size == 8 and res.iterations_per_epoch == 6 and res.optimizer == "SGD" and res.beta2 is None
    assert res.momentum is None                             # Keras' SGD without momentum (0.0) has none


def test_metric_is_the_first_compiled_metric():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = rng.integers(0, 3, size=40)
    w = rng.normal(size=(3, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    model.layers[0].set_weights([w, np.zeros(3, "float32")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    res = lk.find_lr(model, x, y, batch_size=10, shuffle=False, num_steps=10, confirm=False, progress=False,
                     end_lr=1e-3)
    assert res.metric_name == "accuracy" and res.optimizer == "Adam" and res.beta2 == pytest.approx(0.999)
    assert res.momentum == pytest.approx(0.9)               # Adam's beta_1
    assert res.metric[0] == pytest.approx(np.mean(np.argmax(x[:10] @ w, axis=1) == y[:10]))
    res = lk.find_lr(model, x, y, batch_size=10, shuffle=False, num_steps=10, confirm=False, progress=False,
                     end_lr=1e-3, metric="top2")
    top2 = np.argsort(x[:10] @ w, axis=1)[:, -2:]
    assert res.metric_name == "top2" and res.metric[0] == pytest.approx(np.mean([y[i] in top2[i] for i in range(10)]))
    res = lk.find_lr(model, x, y, batch_size=10, num_steps=10, confirm=False, progress=False, metric=None)
    assert res.metric is None and res.metric_name is None


def test_batches_from_a_pydataset_a_list_and_a_generator():
    x, y = _regression(n=40)

    class Data(keras.utils.PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    by_hand = float(np.mean((x[:8].astype(np.float64) @ W0 + B0 - y[:8]) ** 2))
    for data, length in ((Data(), 5), ([(x[i:i + 8], y[i:i + 8]) for i in range(0, 40, 8)], 5),
                         ((b for b in [(x[i:i + 8], y[i:i + 8]) for i in range(0, 40, 8)] * 3), None)):
        res = lk.find_lr(_linear(), data, num_steps=12, start_lr=1e-3, end_lr=0.1, extend_decades=0,
                         confirm=False, progress=False)
        assert res.losses[0] == pytest.approx(by_hand, rel=1e-5)
        assert res.iterations_per_epoch == length and len(res.losses) == 12
    short = (b for b in [(x[:8], y[:8])] * 3)
    with pytest.raises(InvalidArgumentError, match="one-shot"):
        lk.find_lr(_linear(), short, num_steps=12, confirm=False, progress=False)


def test_everything_is_restored_bit_for_bit():
    x, y = _blobs()
    model = _classifier()
    for i in range(3):  # a used optimizer: slots, iterations and metrics are not at their initial values
        model.train_on_batch(x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16])
    random.seed(11)
    np.random.seed(12)
    torch.manual_seed(13)
    before = _state(model)
    res = lk.find_lr(model, x, y, batch_size=16, val_data=(x[:48], y[:48]), seed=7, num_steps=40, progress=False)
    assert res.cost_steps > len(res.lrs) and res.lr is not None
    _assert_same(before, _state(model))
    assert int(ops.convert_to_numpy(model.optimizer.iterations)) == 3


def test_an_unbuilt_optimizer_is_built_and_restored_to_its_initial_slots():
    x, y = _blobs()
    model = _classifier(optimizer=keras.optimizers.Adam(1e-3))
    assert not model.optimizer.built
    weights = [np.array(w) for w in model.get_weights()]
    lk.find_lr(model, x, y, num_steps=20, confirm=False, progress=False)
    assert model.optimizer.built and int(ops.convert_to_numpy(model.optimizer.iterations)) == 0
    slots = [v for v in model.optimizer.variables if "momentum" in v.path or "velocity" in v.path]
    assert slots and all(not np.any(ops.convert_to_numpy(v)) for v in slots)
    for a, b in zip(weights, model.get_weights()):
        assert a.tobytes() == b.tobytes()


class _Boom:
    """Batches that raise `exc` at the `at`-th batch served."""

    def __init__(self, x, y, exc, at):
        self.x, self.y, self.exc, self.at, self.n = x, y, exc, at, 0

    def __iter__(self):
        for i in range(0, len(self.x), 16):
            self.n += 1
            if self.n == self.at:
                raise self.exc
            yield self.x[i:i + 16], self.y[i:i + 16]


@pytest.mark.parametrize("exc", [RuntimeError("disk gone"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_restored_on_errors_and_ctrl_c(exc):
    x, y = _blobs()
    model = _classifier()
    model.train_on_batch(x[:16], y[:16])
    before = _state(model)
    with pytest.raises(type(exc)):
        lk.find_lr(model, _Boom(x, y, exc, at=9), num_steps=30, progress=False)
    _assert_same(before, _state(model))


def test_a_failing_model_step_is_a_range_test_error_and_restores():
    x, y = _blobs()
    model = _classifier()
    model.train_on_batch(x[:16], y[:16])
    before = _state(model)
    with pytest.raises(RangeTestError, match="train_on_batch"):  # 4 features expected, 5 given from step 1
        lk.find_lr(model, [(x[:16], y[:16]), (np.ones((16, 5), "float32"), y[:16])], num_steps=10, progress=False)
    _assert_same(before, _state(model))


@pytest.mark.parametrize("kind", ["lrscope", "keras"])
def test_model_compiled_with_a_schedule_sweeps_at_float_lrs_and_gets_its_schedule_back(kind):
    x, y = _regression(n=48)
    sched = (lk.KerasSchedule(S.CosineDecay(0.05, 100)) if kind == "lrscope"
             else keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.9))
    model = _linear(optimizer=keras.optimizers.SGD(sched))
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # 6 steps; the train function is traced
    cfg_before = model.optimizer.get_config()["learning_rate"]
    before = _state(model)
    n_vars = len(model.optimizer.variables)
    kw = dict(batch_size=8, shuffle=False, start_lr=1e-3, end_lr=0.3, num_steps=15, confirm=False, progress=False)
    res = lk.find_lr(model, x, y, **kw)
    _assert_same(before, _state(model))
    twin = _linear(lr=0.05)
    twin.set_weights(model.get_weights())
    plain = lk.find_lr(twin, x, y, **kw)
    np.testing.assert_array_equal(res.losses, plain.losses)  # the same float LRs were used
    assert len(model.optimizer.variables) == n_vars
    assert model.optimizer.get_config()["learning_rate"] == cfg_before
    expected = sched(6)
    assert float(ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(
        float(ops.convert_to_numpy(expected)), rel=1e-6)
    lrs = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: lrs.append(
        float(ops.convert_to_numpy(model.optimizer.learning_rate))))
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[cb])  # the schedule drives fit again
    np.testing.assert_allclose(lrs, [float(ops.convert_to_numpy(sched(i))) for i in range(6, 12)], rtol=1e-6)


def test_seed_makes_dropout_and_shuffling_repeatable():
    x, y = _blobs()
    runs = []
    for seed in (3, 3, 4):
        model = _classifier(seed=0)
        runs.append(lk.find_lr(model, x, y, batch_size=16, seed=seed, num_steps=15, confirm=False,
                               progress=False).losses)
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


# --------------------------------------------------------------------------- answers -> Keras


@pytest.fixture(scope="module")
def answered():
    x, y = _blobs()
    model = _classifier(dropout=False, optimizer=keras.optimizers.SGD(0.01))
    return model, lk.find_lr(model, x, y, batch_size=16, val_data=(x[:64], y[:64]), num_steps=60, seed=0,
                             progress=False)


def test_schedule_for_each_use(answered):
    _, res = answered
    assert res.lr is not None and res.clr is not None and res.one_cycle_max_lr is not None
    assert lk.schedule_for(res, "constant") == res.lr
    clr = lk.schedule_for(res, "clr")
    assert clr.schedule == S.CyclicLR(base_lr=res.clr["base_lr"], max_lr=res.clr["max_lr"],
                                      step_size=res.clr["step_size"])
    one = lk.schedule_for(res, "one_cycle", total_steps=500)
    assert one.schedule == S.OneCycle(max_lr=res.one_cycle_max_lr, total_steps=500)
    with pytest.raises(InvalidArgumentError) as err:
        lk.schedule_for(res, "one_cycle")
    assert err.value.name == "total_steps"
    with pytest.raises(InvalidArgumentError) as err:
        lk.schedule_for(res, "cosine")
    assert err.value.name == "use"
    with pytest.raises(InvalidArgumentError) as err:
        lk.schedule_for({"lr": 0.1}, "constant")
    assert err.value.name == "result"


def test_result_apply_on_a_keras_optimizer(answered):
    model, res = answered
    opt = keras.optimizers.SGD(0.5)
    assert res.apply(opt, "constant") is None
    assert float(ops.convert_to_numpy(opt.learning_rate)) == pytest.approx(res.lr, rel=1e-6)
    sched = res.apply(opt, "clr")
    expected = S.CyclicLR(base_lr=res.clr["base_lr"], max_lr=res.clr["max_lr"], step_size=res.clr["step_size"])
    assert isinstance(sched, lk.KerasSchedule) and sched.schedule == expected
    assert float(ops.convert_to_numpy(opt.learning_rate)) == pytest.approx(expected(0), rel=1e-6)
    assert res.apply(opt, "constant") is None  # from a schedule back to a constant
    assert float(ops.convert_to_numpy(opt.learning_rate)) == pytest.approx(res.lr, rel=1e-6)


# --------------------------------------------------------------------------- bad input


def _bad_cases():
    x, y = _regression(n=16)
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    return {
        "not compiled": (lambda: lk.find_lr(uncompiled, x, y), "model"),
        "not a keras model": (lambda: lk.find_lr(torch.nn.Linear(3, 1), x, y), "model"),
        "x and y lengths": (lambda: lk.find_lr(_linear(), x, y[:10]), "y"),
        "no samples": (lambda: lk.find_lr(_linear(), x[:0], y[:0]), "x"),
        "empty list": (lambda: lk.find_lr(_linear(), []), "x"),
        "array without y": (lambda: lk.find_lr(_linear(), x), "y"),
        "tuple of arrays": (lambda: lk.find_lr(_linear(), (x, y)), "x"),
        "y with batches": (lambda: lk.find_lr(_linear(), (b for b in [(x, y)]), y), "y"),
        "batch_size": (lambda: lk.find_lr(_linear(), x, y, batch_size=0), "batch_size"),
        "val_every alone": (lambda: lk.find_lr(_linear(), x, y, val_every=5), "val_data"),
        "metric": (lambda: lk.find_lr(_linear(metrics=["mae"]), x, y, metric="accuracy"), "metric"),
        "batch parts": (lambda: lk.find_lr(_linear(), [(x, y, y, y)]), "x"),
        "empty val": (lambda: lk.find_lr(_linear(), x, y, val_data=[], confirm=False, num_steps=10,
                                         val_every=2, progress=False), "val_data"),
        "start_lr": (lambda: lk.find_lr(_linear(), x, y, start_lr=-1), "start_lr"),
    }


@pytest.mark.parametrize("case", list(_bad_cases()))
def test_bad_input_names_the_argument_and_the_fix(case):
    call, name = _bad_cases()[case]
    with pytest.raises(InvalidArgumentError) as err:
        call()
    assert err.value.name == name and "Fix:" in str(err.value)


# --------------------------------------------------------------------------- docs


def test_the_docs_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(DOC)
    assert len(blocks) >= 3, "docs/keras.md lost its examples"
    namespace = run_python_blocks(DOC, blocks)   # the blocks build on each other, in order
    assert isinstance(namespace["result"], lrscope.RangeTestResult)
    assert (tmp_path / "clr_model.keras").exists()
