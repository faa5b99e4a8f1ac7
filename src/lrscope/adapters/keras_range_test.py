"""Keras 3 adapter: the LR range test on a compiled model, and lrscope's schedules as Keras schedules.

:func:`find_lr` runs the one range-test engine (:func:`lrscope.runner.range_test`) on a
compiled ``keras.Model``: each step sets a float LR on the model's optimizer, runs one
``train_on_batch`` and records that batch's own loss (the metrics are reset before every
batch, so the value is never Keras' running mean over the epoch, which would shift the curve
to the right: tensorflow #58098, tf-keras #393).

Everything the test could change is put back bit for bit in a ``finally`` block, also on
errors and KeyboardInterrupt: the model's variables (trainable and non-trainable weights, the
states of its ``SeedGenerator`` s), the optimizer's variables (iteration counter, learning
rate, slots; an optimizer that was not built yet is built first, so its slots exist and are
restored to their initial values), the metric variables, the optimizer's learning-rate
schedule (swapped for a float during the test), and the RNG states of python ``random``,
numpy, torch (torch backend) and Keras' global ``SeedGenerator``.

:class:`KerasSchedule` wraps any :class:`lrscope.schedules.Schedule` as a
``keras.optimizers.schedules.LearningRateSchedule``: the schedule's own formula, evaluated with
backend-neutral ``keras.ops``; it serializes to the schedule's JSON spec, so a model compiled
with it survives ``model.save`` / ``keras.models.load_model``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .. import _validate as v
from ..analysis import RangeTestResult
from ..errors import InvalidArgumentError, LRScopeError, RangeTestError
from ..runner import EXTEND_DECADES, plan_range_test, range_test
from ..schedules import Join, Schedule, from_spec
from ._rng import rng_state, set_rng_state

keras = v.require("keras", "the Keras adapter (lrscope.keras)", "keras")
from keras import ops  # noqa: E402  (after the install hint above)

__all__ = ["find_lr", "KerasSchedule", "schedule_for", "apply_spec"]


# --------------------------------------------------------------------------- schedules


class _KerasOps:
    """The array namespace of the schedule formulas (``Schedule._eval(t, xp)``) on ``keras.ops``:
    the same formula as numpy's, traced by whichever backend Keras runs on."""

    pi = math.pi
    floor = staticmethod(ops.floor)
    cos = staticmethod(ops.cos)
    abs = staticmethod(ops.abs)
    minimum = staticmethod(ops.minimum)
    maximum = staticmethod(ops.maximum)
    where = staticmethod(ops.where)

    @staticmethod
    def searchsorted(seq, value, side="right"):
        """The number of entries of the sorted ``seq`` that are <= value ("right") or < value
        ("left"), as a float tensor shaped like ``value``."""
        value = ops.convert_to_tensor(value)
        edges = ops.convert_to_tensor(np.asarray(seq, dtype="float32"))
        below = ops.expand_dims(value, -1) >= edges if side == "right" else ops.expand_dims(value, -1) > edges
        return ops.sum(ops.cast(below, value.dtype), axis=-1)


class _WhereJoin(Join):
    """A :class:`~lrscope.schedules.Join` whose pieces are chosen by ``where`` on ``keras.ops``.

    ``Join`` picks a piece by indexing a tuple with the step, which a traced (symbolic) step
    cannot do; here every piece is evaluated at ``max(t - b_i, 0)`` and the one whose interval
    holds ``t`` is selected, which is the same rule ``lr(t) = schedules[i](t - b_i)`` for
    ``b_i <= t < b_{i+1}``. Other namespaces (numpy, scalars) take ``Join``'s own path.
    """

    def _pieces(self, t, xp, method: str):
        if xp is not _KerasOps:
            return super()._pieces(t, xp, method)
        offsets = (0,) + self.boundaries
        out = None
        for i in range(len(self.schedules) - 1, -1, -1):
            val = getattr(self.schedules[i], method)(xp.maximum(t - offsets[i], 0.0), xp)
            out = val if out is None else xp.where(t < self.boundaries[i], val, out)
        return out


def _traceable(schedule: Schedule) -> Schedule:
    """The schedule with every nested Join replaced by :class:`_WhereJoin` (same fields, same values)."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(schedule):  # type: ignore[arg-type]
        value = getattr(schedule, f.name)
        if isinstance(value, Schedule):
            changes[f.name] = _traceable(value)
        elif isinstance(value, tuple) and value and all(isinstance(s, Schedule) for s in value):
            changes[f.name] = tuple(_traceable(s) for s in value)
    if isinstance(schedule, Join):
        fields = {f.name: getattr(schedule, f.name) for f in dataclasses.fields(schedule)}  # type: ignore[arg-type]
        return _WhereJoin(**{**fields, **changes})
    return dataclasses.replace(schedule, **changes) if changes else schedule  # type: ignore[type-var]


def _as_schedule(schedule: Any, name: str = "schedule") -> Schedule:
    if isinstance(schedule, Mapping):
        schedule = from_spec(dict(schedule))
    if not isinstance(schedule, Schedule):
        raise InvalidArgumentError(name, type(schedule).__name__, "must be an lrscope schedule or its spec dict",
                                   "e.g. lrscope.schedules.CyclicLR(base_lr=1e-3, max_lr=6e-3, step_size=2000).")
    if getattr(schedule, "scale_fn", None) is not None:
        raise InvalidArgumentError(name, "CyclicLR(scale_fn=...)", "cannot be a Keras schedule with a Python "
                                   "scale_fn (it cannot be traced by the backend nor saved with the model)",
                                   "use policy='triangular2' or policy='exp_range' with gamma=...")
    return schedule


@keras.saving.register_keras_serializable(package="lrscope")
class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """An lrscope schedule as a ``keras.optimizers.schedules.LearningRateSchedule``.

    ``KerasSchedule(schedule)(step) == schedule(step)`` (to float32 precision): the LR at an
    optimizer step (``optimizer.iterations``, counted from 0) is the schedule's own closed-form
    formula, evaluated with backend-neutral ``keras.ops`` (TensorFlow, JAX and PyTorch
    backends), never a re-written copy of it. Steps are exact up to 2**24 (float32).

    It is serializable: ``get_config()`` is the schedule's JSON spec (``schedule.to_dict()``),
    ``from_config`` rebuilds it, and the class is registered as ``"lrscope>KerasSchedule"``,
    so ``model.save("m.keras")`` and ``keras.models.load_model("m.keras")`` round-trip a model
    compiled with it (import ``lrscope.keras`` before loading).

    Args:
        schedule: any :class:`lrscope.schedules.Schedule` (CyclicLR with any policy and
            window, OneCycle, Warmup, Join, the decays) or its ``to_dict()`` spec. A CyclicLR
            with a Python ``scale_fn`` is refused (it can be neither traced nor saved).

    Returns:
        A schedule to pass as ``learning_rate=`` to any Keras optimizer.

    >>> from lrscope.schedules import CyclicLR
    >>> s = KerasSchedule(CyclicLR(base_lr=0.001, max_lr=0.006, step_size=2000, window="hann"))
    >>> round(float(s(2000)), 6), s.get_config()["kind"]
    (0.006, 'cyclic')

    Reference: the Keras port of Smith's CLR (github.com/bckenstler/CLR) stopped at Keras 2;
    this is its Keras 3 form.
    """

    def __init__(self, schedule: Schedule | dict):
        self.schedule = _as_schedule(schedule)
        self._traced = _traceable(self.schedule)

    def __call__(self, step):
        t = ops.cast(step, "float32")
        lr = self._traced._eval(t, _KerasOps)
        return ops.cast(ops.convert_to_tensor(lr), "float32") + ops.zeros_like(t)

    def get_config(self) -> dict[str, Any]:
        """The schedule's JSON spec, ``{"kind": ..., **keyword arguments}``."""
        return self.schedule.to_dict()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasSchedule:
        """Rebuild from :meth:`get_config` output (the schedule's spec)."""
        return cls(config)

    def __repr__(self) -> str:
        return f"KerasSchedule({self.schedule!r})"


def _is_variable_lr(optimizer) -> bool:
    """True when the optimizer's LR is a settable variable (a float LR), not a schedule or callable."""
    return isinstance(optimizer.learning_rate, keras.Variable)


def apply_spec(optimizer, spec: dict):
    """``RangeTestResult.apply`` for a Keras optimizer.

    A constant spec sets the optimizer's LR (returns None); a one-cycle or cyclic spec installs
    a :class:`KerasSchedule` as its learning rate and returns it. The schedule is read at
    ``optimizer.iterations``, so it starts where the optimizer's step counter stands (0 for a
    fresh one).
    """
    if spec["kind"] == "constant" and _is_variable_lr(optimizer):
        optimizer.learning_rate = float(spec["lr"])
        return None
    schedule = KerasSchedule(spec)
    optimizer.learning_rate = schedule
    return None if spec["kind"] == "constant" else schedule


def schedule_for(result: RangeTestResult, use: str = "constant", *, total_steps: int | None = None):
    """The range test's answer for one use, ready for a Keras optimizer's ``learning_rate=``.

    The spec is ``result.spec(use)``, the one ``result.apply`` installs (the same for every framework):
    "constant" gives ``result.lr``; "one_cycle" a one-cycle schedule peaking at
    ``result.one_cycle_max_lr`` over ``total_steps``; "clr" the cyclical schedule
    ``result.clr`` (``base_lr``, ``max_lr``, ``step_size`` in optimizer steps).

    Args:
        result: a :class:`lrscope.RangeTestResult` (from this module's :func:`find_lr` or any other).
        use: "constant", "one_cycle" or "clr".
        total_steps: training length in optimizer steps for "one_cycle" (default: the
            result's ``budget_steps``).

    Returns:
        A float for "constant", else a :class:`KerasSchedule`.

    Raises:
        InvalidArgumentError: this use has no answer (the verdict says why), or "one_cycle"
            without a training length.
    """
    if not isinstance(result, RangeTestResult):
        raise InvalidArgumentError("result", type(result).__name__, "must be a RangeTestResult",
                                   "pass what lrscope.keras.find_lr (or lrscope.find_lr) returned.")
    spec = result.spec(use, total_steps=total_steps)
    return float(spec["lr"]) if spec["kind"] == "constant" else KerasSchedule(spec)


def _register() -> None:
    from ..analysis import _result

    entries = [(lambda opt: isinstance(opt, keras.optimizers.Optimizer), apply_spec)]
    ours = {(a.__module__, a.__qualname__) for _, a in entries}
    # once, and a reloaded module replaces its old entries
    _result.APPLIERS[:] = [e for e in _result.APPLIERS
                           if (getattr(e[1], "__module__", None), getattr(e[1], "__qualname__", None)) not in ours]
    _result.APPLIERS.extend(entries)


_register()


# --------------------------------------------------------------------------- data


def _leaves(x) -> list:
    return keras.tree.flatten(x)


def _unpack(batch, where: str) -> tuple[Any, Any, Any]:
    """(x, y, sample_weight) of one batch: a tuple/list of 1 to 3 parts, or x alone."""
    if isinstance(batch, (tuple, list)):
        if not 1 <= len(batch) <= 3:
            raise InvalidArgumentError(where, f"a batch of {len(batch)} parts",
                                       "must yield batches (x, y) or (x, y, sample_weight)",
                                       "make each batch a tuple (x, y).")
        parts = tuple(batch) + (None,) * (3 - len(batch))
        return parts[0], parts[1], parts[2]
    return batch, None, None


class _Arrays:
    """Batches of ``batch_size`` samples from arrays (the last one may be smaller, as in ``fit``);
    with ``shuffle`` a new order per pass, drawn from numpy's global RNG (restored after the test)."""

    def __init__(self, x, y, sample_weight, batch_size: int, shuffle: bool, where: str):
        self.x = keras.tree.map_structure(np.asarray, x)
        self.y = None if y is None else keras.tree.map_structure(np.asarray, y)
        self.sw = None if sample_weight is None else np.asarray(sample_weight)
        sizes = {}
        for name, part in (("x", self.x), ("y", self.y), ("sample_weight", self.sw)):
            for leaf in ([] if part is None else _leaves(part)):
                if np.ndim(leaf) == 0:
                    raise InvalidArgumentError(f"{where}{name}", f"a scalar of shape {np.shape(leaf)}",
                                               "must be an array with one row per sample",
                                               "pass arrays whose first axis is the samples.")
                sizes.setdefault(name, set()).add(len(leaf))
        if len(sizes.get("x", ())) > 1:
            raise InvalidArgumentError(f"{where}x", f"inputs of lengths {sorted(sizes['x'])}",
                                       "must have the same number of samples in every input",
                                       "give every input array the same first dimension.")
        n = next(iter(sizes["x"])) if sizes.get("x") else 0
        for name in ("y", "sample_weight"):
            other = sizes.get(name)
            if other and other != {n}:
                raise InvalidArgumentError(f"{where}{name}", f"len(x)={n}, len({name})={sorted(other)[0]}",
                                           "must have as many samples as x",
                                           f"pass {name} with one entry per row of x.")
        if n == 0:
            raise InvalidArgumentError(f"{where}x", "0 samples", "holds no samples",
                                       "pass at least one batch of data.")
        self.n, self.batch_size, self.shuffle = n, batch_size, shuffle
        self.reset()

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def reset(self) -> None:
        self._order = None
        self._pos = 0

    def take(self, idx):
        pick = lambda a: a[idx]  # noqa: E731
        x = keras.tree.map_structure(pick, self.x)
        y = None if self.y is None else keras.tree.map_structure(pick, self.y)
        return x, y, (None if self.sw is None else self.sw[idx])

    def next(self):
        if self._order is None or self._pos >= self.n:
            self._order = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)
            self._pos = 0
        idx = self._order[self._pos:self._pos + self.batch_size]
        self._pos += self.batch_size
        return self.take(idx)

    def epoch(self):
        """One pass in order (validation)."""
        for start in range(0, self.n, self.batch_size):
            yield self.take(np.arange(start, min(start + self.batch_size, self.n)))

    def first(self):
        return self.take(np.arange(min(self.batch_size, self.n)))


class _Batches:
    """Batches from an iterable: a ``keras.utils.PyDataset`` (by index), a list, a generator,
    a ``tf.data.Dataset`` or a torch ``DataLoader``; cycled when shorter than the sweep."""

    def __init__(self, data, where: str):
        self.data, self.where = data, where
        self._pydataset = isinstance(data, keras.utils.PyDataset)
        self._pending: list = []
        self.reset()

    def __len__(self) -> int:
        if self._pydataset:
            n = self.data.num_batches
            if n is None:
                raise TypeError("an infinite PyDataset has no length")
            return n
        return len(self.data)

    def _iter(self):
        if self._pydataset:
            n = self.data.num_batches
            i = 0
            while n is None or i < n:
                yield self.data[i]
                i += 1
        else:
            yield from self.data

    def reset(self) -> None:
        self._it = None
        self._served = 0

    def next(self):
        if self._pending:
            self._served += 1
            return _unpack(self._pending.pop(0), self.where)
        if self._it is not None:
            try:
                batch = next(self._it)
                self._served += 1
                return _unpack(batch, self.where)
            except StopIteration:
                pass
        self._it = iter(self._iter())  # (re)start: cycles data shorter than the sweep
        try:
            batch = next(self._it)
        except StopIteration:
            if self._served:
                raise InvalidArgumentError(
                    self.where, f"a one-shot iterator exhausted after {self._served} batches",
                    "must be re-iterable when it is shorter than the sweep",
                    "pass a list of batches, a keras.utils.PyDataset or arrays x, y; or lower num_steps.") from None
            raise InvalidArgumentError(self.where, "an empty dataset", "yields no batches",
                                       "pass data with at least one batch.") from None
        self._served += 1
        return _unpack(batch, self.where)

    def epoch(self):
        any_batch = False
        for batch in self._iter():
            any_batch = True
            yield _unpack(batch, self.where)
        if not any_batch:
            raise InvalidArgumentError(self.where, "an empty dataset", "yields no batches",
                                       "pass validation data with at least one batch.")

    def first(self):
        """The first batch, without losing it from a one-shot iterator."""
        if self._pydataset:
            it = self._iter()
        else:
            it = iter(self.data)
        try:
            batch = next(it)
        except StopIteration:
            raise InvalidArgumentError(self.where, "an empty dataset", "yields no batches",
                                       "pass data with at least one batch.") from None
        if it is self.data:  # one-shot iterator: keep the batch for the sweep
            self._pending.append(batch)
        return _unpack(batch, self.where)


def _data(x, y, batch_size: int, shuffle: bool, where: str, sample_weight=None):
    """Arrays when ``y`` is given (x an array, or a list/dict of arrays for several inputs), else
    an iterable of batches."""
    if y is not None:
        if isinstance(x, keras.utils.PyDataset) or (isinstance(x, Iterable) and iter(x) is x):
            raise InvalidArgumentError("y", type(y).__name__, f"must be None when {where} yields batches",
                                       "put the targets in the batches (x, y), or pass x and y as arrays.")
        return _Arrays(x, y, sample_weight, batch_size, shuffle, "" if where == "x" else f"{where}.")
    if isinstance(x, np.ndarray):
        raise InvalidArgumentError("y", None, "is required when x is an array",
                                   "pass find_lr(model, x, y), or x as an iterable of (x, y) batches.")
    if isinstance(x, tuple) and 2 <= len(x) <= 3 and isinstance(x[0], np.ndarray) and x[0].ndim >= 2:
        raise InvalidArgumentError(where, "a tuple of arrays", "must be an iterable of batches when y is None",
                                   f"pass the arrays apart, find_lr(model, x, y), or {where} as a list of batches.")
    if isinstance(x, (str, bytes, Mapping)) or not isinstance(x, Iterable) and not isinstance(
            x, keras.utils.PyDataset):
        raise InvalidArgumentError(where, type(x).__name__, "must be an array (with y) or an iterable of batches",
                                   "pass arrays x, y, a keras.utils.PyDataset, or a list of (x, y) batches.")
    return _Batches(x, where)


def _length(data) -> int | None:
    try:
        return len(data)
    except TypeError:
        return None


# --------------------------------------------------------------------------- snapshot


def _copy(variable) -> np.ndarray:
    return np.array(ops.convert_to_numpy(variable), copy=True)


def _unique(variables) -> list:
    seen: set[int] = set()
    out = []
    for var in variables:
        if id(var) not in seen:
            seen.add(id(var))
            out.append(var)
    return out


def _global_state():
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # pragma: no cover - a Keras without this private module
        return None
    return global_state


def _rng_state() -> dict[str, Any]:
    """The process RNG states (``_rng.rng_state``; torch's with the torch backend) and Keras' global
    seed and SeedGenerator."""
    state = rng_state(torch_too=keras.backend.backend() == "torch")
    gs = _global_state()
    if gs is not None:
        gen = gs.get_global_attribute("global_seed_generator")
        state["keras"] = (gs.get_global_attribute("global_random_seed"), gen,
                          None if gen is None else _copy(gen.state))
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    set_rng_state(state)
    gs = _global_state()
    if gs is not None and "keras" in state:
        seed, gen, saved = state["keras"]
        gs.set_global_attribute("global_random_seed", seed)
        gs.set_global_attribute("global_seed_generator", gen)
        if gen is not None:
            gen.state.assign(saved)


class _Snapshot:
    """The state of a built model, its optimizer, its metrics and the RNGs, restorable many times.

    The weights part (``model.weights``, ``optimizer.variables``, ``model.metrics_variables``)
    is restored by every :meth:`restore`; the random part (the model's ``SeedGenerator``
    states and ``rng``, from :func:`_rng_state`) only with ``rng=True``.
    """

    def __init__(self, model, optimizer, rng: dict[str, Any]):
        weights = _unique(list(model.weights) + list(optimizer.variables) + list(model.metrics_variables))
        ids = {id(w) for w in weights}
        self.weights = [(w, _copy(w)) for w in weights]
        self.seed_states = [(s, _copy(s)) for s in _unique(model.variables) if id(s) not in ids]
        self.rng = rng

    def restore(self, *, rng: bool = True) -> None:
        for var, saved in self.weights:
            var.assign(saved)
        if rng:
            for var, saved in self.seed_states:
                var.assign(saved)
            _set_rng_state(self.rng)

    def reseed(self, seed: int) -> None:
        """Seed python, numpy, the backend and Keras' global generator (``keras.utils.set_random_seed``)
        and give every SeedGenerator of the model (dropout, noise layers) its own state derived from ``seed``."""
        keras.utils.set_random_seed(seed)
        for k, (var, saved) in enumerate(self.seed_states):
            mixed = np.random.SeedSequence([seed, k]).generate_state(saved.size, dtype=np.uint32) >> 1
            value = np.zeros_like(saved).ravel()
            value[0] = mixed[0]
            var.assign(value.reshape(saved.shape).astype(saved.dtype))


# --------------------------------------------------------------------------- the trainee


class _LR:
    """Sets the optimizer's LR before each step: a float assigned to its LR variable. An optimizer
    compiled with a LearningRateSchedule (or a callable) gets a tracked LR variable for the test
    and its schedule back after (``undo``)."""

    def __init__(self, model, optimizer):
        self.optimizer = optimizer
        self._saved = None
        if _is_variable_lr(optimizer):
            return
        inner = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        if not (hasattr(inner, "_learning_rate") and hasattr(inner, "_track_variable")):
            raise InvalidArgumentError(
                "model", f"{type(inner).__name__} with a learning-rate schedule",
                "must have a float learning rate on this Keras version (its schedule cannot be swapped out)",
                "compile with a float LR for the range test, e.g. optimizer=keras.optimizers.SGD(0.01).")
        self._inner, self._saved = inner, inner._learning_rate
        var = keras.Variable(0.0, name="learning_rate", dtype=keras.backend.floatx(), trainable=False)
        inner._track_variable(var)
        inner._learning_rate = var
        # a traced train step would keep reading the schedule: trace a new one, give the old one back after
        self._model = model
        self._functions = (model.train_function, model.test_function)
        model.train_function = model.test_function = None

    def set(self, lr: float) -> None:
        self.optimizer.learning_rate = lr

    def undo(self) -> None:
        if self._saved is not None:
            self._inner.learning_rate = self._saved  # the setter untracks our variable
            self._model.train_function, self._model.test_function = self._functions
            self._saved = None


def _num(value) -> float:
    return float(np.asarray(ops.convert_to_numpy(value)).reshape(()))


class _Trainee:
    """The engine's view of a Keras training (:class:`lrscope.runner.Trainee`): one
    ``train_on_batch`` per step at a float LR, its own batch's loss (metrics reset first)."""

    ratios = (1.0,)
    #: Keras's Adagrad starts its accumulator at 0.1, so its first step is no sign step: one-step rule
    spike_steps = 1

    def __init__(self, model, lr: _LR, train, val, snap: _Snapshot, metric_name: str | None):
        self.model, self.lr, self.train, self.val, self.snap = model, lr, train, val, snap
        self.metric_name = metric_name
        self.can_evaluate = val is not None

    def begin(self, seed: int | None, restore: str) -> None:
        if restore != "none":
            self.snap.restore(rng=restore == "all")
        if seed is not None:
            self.snap.reseed(seed)
        self.train.reset()

    def _run(self, fn, batch, what: str) -> dict:
        x, y, sw = batch
        self.model.reset_metrics()  # the batch's own loss, not a running mean over the epoch
        try:
            logs = fn(x, y, sample_weight=sw, return_dict=True)
        except LRScopeError:
            raise
        except Exception as exc:
            raise RangeTestError(
                f"model.{fn.__name__} failed on a batch from {what} ({type(exc).__name__}: {exc}). Fix: check "
                "that the model accepts these batches (model(x)) and that the compiled loss accepts (y, model(x)).") \
                from exc
        return logs

    def _values(self, logs: dict) -> tuple[float, float | None]:
        loss = _num(logs["loss"])
        metric = None if self.metric_name is None else _num(logs[self.metric_name])
        return loss, metric

    def step(self, lr: float) -> tuple[float, float | None]:
        self.lr.set(lr)
        return self._values(self._run(self.model.train_on_batch, self.train.next(), "x"))

    def evaluate(self) -> tuple[float | None, float | None]:
        """The validation loss (and metric): the mean over ``val_data`` weighted by batch size, as ``model.evaluate``."""
        tot_loss = tot_metric = 0.0
        n = 0
        for batch in self.val.epoch():
            size = len(_leaves(batch[0])[0])
            loss, metric = self._values(self._run(self.model.test_on_batch, batch, "val_data"))
            tot_loss += loss * size
            tot_metric += 0.0 if metric is None else metric * size
            n += size
        if n == 0:
            raise InvalidArgumentError("val_data", "0 samples", "holds no samples", "pass a non-empty validation set.")
        return tot_loss / n, (None if self.metric_name is None else tot_metric / n)


# --------------------------------------------------------------------------- checks


def _check_model(model):
    if not isinstance(model, keras.Model):
        raise InvalidArgumentError("model", type(model).__name__, "must be a keras.Model",
                                   "pass your Keras model, e.g. find_lr(model, x, y).")
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        raise InvalidArgumentError("model", f"{type(model).__name__} {model.name!r} (not compiled)",
                                   "must be compiled with an optimizer and a loss",
                                   "call model.compile(optimizer=keras.optimizers.SGD(0.01), loss=...) first.")
    if getattr(model, "steps_per_execution", 1) not in (1, None):
        raise InvalidArgumentError("model", f"steps_per_execution={model.steps_per_execution}",
                                   "must run one batch per step (each step needs its own LR)",
                                   "compile with steps_per_execution=1 for the range test.")
    opt = model.optimizer
    inner = getattr(opt, "inner_optimizer", opt)
    if getattr(inner, "gradient_accumulation_steps", None):
        raise InvalidArgumentError("model", f"gradient_accumulation_steps={inner.gradient_accumulation_steps}",
                                   "is not supported by the Keras range test (a step's loss must belong to one LR)",
                                   "compile without gradient_accumulation_steps for the range test.")
    return opt, inner


def _metric_name(model, metric) -> str | None:
    """The log key recorded as the metric: the first compiled metric ("auto"), a given name, or None."""
    names = [k for k in model.get_metrics_result() if k != "loss" and not k.endswith("_loss")]
    if metric is None:
        return None
    if metric == "auto":
        return names[0] if names else None
    if not isinstance(metric, str) or metric not in names:
        raise InvalidArgumentError("metric", metric, f"must be 'auto', None or a compiled metric's name "
                                   f"({', '.join(repr(n) for n in names) or 'this model compiled none'})",
                                   "compile the model with metrics=[...] or pass one of its metric names.")
    return metric


def _build(model, optimizer, batch) -> None:
    """Create every variable a training step would create (model, compiled loss and metrics,
    optimizer slots) without running a step, so that all of them are in the snapshot."""
    symbolic = getattr(model, "_symbolic_build", None)
    if symbolic is not None:
        x, y, sw = batch
        try:
            symbolic(data_batch=(x, y, sw))
        except Exception as exc:
            raise RangeTestError(f"the model could not be built on the first batch ({type(exc).__name__}: {exc}). "
                                 "Fix: check that the model accepts these batches (model(x)), or build it "
                                 "yourself (model.build(input_shape)) first.") from exc
    if not optimizer.built:
        optimizer.build(model.trainable_variables)


# --------------------------------------------------------------------------- public API


def find_lr(
    model,
    x,
    y=None,
    *,
    batch_size: int = 32,
    sample_weight=None,
    shuffle: bool = True,
    val_data=None,
    metric: str | None = "auto",
    start_lr: float = 1e-7,
    end_lr: float = 10,
    num_steps: int = 100,
    mode: str = "exp",
    smoothing: float = 0.98,
    diverge_factor: float = 4.0,
    extend_decades: float = EXTEND_DECADES,
    confirm: bool = True,
    budget_steps: int | None = None,
    val_every: int | None = None,
    repeats: int = 1,
    seed: int | None = None,
    progress: bool = True,
) -> RangeTestResult:
    """Run the LR range test on a compiled Keras model, confirm it with short runs, and answer per use; the model is left untouched.

    The same engine as :func:`lrscope.find_lr` (:func:`lrscope.runner.range_test`):

    1. **Sweep.** The optimizer's LR at step i is
       ``start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))`` ("exp") or
       ``start_lr + (end_lr - start_lr) * i / (num_steps - 1)`` ("linear"), set as a float
       before every batch; one ``model.train_on_batch`` per step. The recorded loss is that
       batch's own loss (the metrics are reset before each batch; Keras' running mean over the
       epoch would shift the curve to the right). The sweep stops when the smoothed loss rises
       far above its best or the loss becomes NaN/inf; an exp sweep that has not diverged by
       ``end_lr`` carries on at the same rate up to ``end_lr * 10**extend_decades``.
    2. **Confirmation** (``confirm=True``): short constant-LR runs from your saved state,
       ranked by how far their loss fell (by the validation loss when ``val_data`` is given),
       then two longer runs; the answers per use (``result.lr``, ``result.one_cycle_max_lr``,
       ``result.clr``) come from the best longer run (``docs/suggestions.md``).

    Everything is restored bit for bit at the end, also on errors and Ctrl-C: the model's
    variables (weights, non-trainable state, SeedGenerator states), the optimizer's variables
    (iterations, LR, slots; an unbuilt optimizer is built first), the metric variables, an LR
    schedule the model was compiled with (a float LR replaces it during the test), and the
    python / numpy / torch / Keras RNG states. ``result.cost_steps`` counts every step taken.

    Args:
        model: a compiled ``keras.Model`` (``model.compile(optimizer=..., loss=...)``).
        x: input array (or a list/dict of arrays for several inputs) with ``y``; or, with
            ``y=None``, an iterable of batches ``(x, y)`` or ``(x, y, sample_weight)``: a
            ``keras.utils.PyDataset``, a list, a ``tf.data.Dataset``, a torch DataLoader.
            Cycled when shorter than the sweep.
        y: target array (one row per row of ``x``), or None when ``x`` yields batches.
        batch_size: samples per step when ``x``, ``y`` are arrays (>= 1).
        sample_weight: per-sample weights with arrays, or None.
        shuffle: arrays only: a new order each pass, drawn from numpy's global RNG (as ``fit``).
        val_data: a tuple ``(x_val, y_val)`` (batched by ``batch_size``) or an iterable of
            batches: ranks the confirmation runs by validation loss, and is evaluated during
            the sweep when ``val_every`` is set.
        metric: the metric recorded per step and on validation: "auto" (the first metric the
            model was compiled with, or none), a compiled metric's name, or None. lrscope
            reads it as higher-is-better (accuracy, AUC), so pass None for an error metric (MAE).
        start_lr: first LR (> 0).
        end_lr: last planned LR (> start_lr).
        num_steps: optimizer steps planned up to ``end_lr`` (10 to 1,000,000).
        mode: "exp" (geometric) or "linear" (never extended).
        smoothing: debiased-EMA factor in [0, 1) for the smoothed loss (0: none).
        diverge_factor: stop when the smoothed loss exceeds its best by (factor - 1) x |best| (> 1).
        extend_decades: how far past ``end_lr`` a sweep that has not diverged carries on
            (decades, >= 0; 0: stop at ``end_lr``).
        confirm: run the confirmation stage (False: answers from the sweep's curve alone).
        budget_steps: the planned training length in optimizer steps, if known.
        val_every: evaluate the whole ``val_data`` after every ``val_every`` sweep steps.
        repeats: number of sweeps (1 to 100); with > 1 the sweep's curve is their median.
        seed: seeds python/numpy/the backend (``keras.utils.set_random_seed(seed + k)`` for
            repeat k) and the model's SeedGenerators (dropout) before each sweep and each
            confirmation run; None keeps the current RNG streams.
        progress: show a progress bar on stderr.

    Returns:
        A :class:`lrscope.analysis.RangeTestResult` (``optimizer`` is the optimizer's class
        name, ``beta2`` Adam's ``beta_2``, ``batch_size`` the batch size when known).

    Raises:
        InvalidArgumentError: bad arguments or data (the message names the fix).
        RangeTestError: the loss was NaN/inf at the very first step, or a training step failed.

    Example (a tiny regression)::

        >>> import numpy as np, keras, lrscope.keras
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(64, 3)).astype("float32"); y = x @ np.array([1.0, -2.0, 0.5], "float32")
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> res = lrscope.keras.find_lr(model, x, y, batch_size=16, start_lr=1e-4, end_lr=10,
        ...                             num_steps=30, progress=False)
        >>> float(res.lrs[0]), res.lr is not None, res.cost_steps > len(res.lrs)
        (0.0001, True, True)
        >>> round(float(model.optimizer.learning_rate), 6), int(model.optimizer.iterations)
        (0.1, 0)
    """
    plan = plan_range_test(start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, mode=mode, smoothing=smoothing,
                           diverge_factor=diverge_factor, extend_decades=extend_decades, confirm=confirm,
                           budget_steps=budget_steps, repeats=repeats, seed=seed, val_every=val_every)
    optimizer, inner = _check_model(model)
    batch_size = v.integer("batch_size", batch_size, minimum=1)
    if not isinstance(shuffle, bool):
        raise InvalidArgumentError("shuffle", shuffle, "must be True or False", "pass shuffle=False to keep the order.")
    if sample_weight is not None and y is None:
        raise InvalidArgumentError("sample_weight", "given without y", "goes with arrays x, y",
                                   "put the weights in the batches as (x, y, sample_weight) instead.")
    if plan.val_every is not None and val_data is None:
        raise InvalidArgumentError("val_data", None, "is required when val_every is set",
                                   "pass val_data=(x_val, y_val), or leave val_every None.")
    if metric is not None and metric != "auto" and not isinstance(metric, str):
        raise InvalidArgumentError("metric", metric, "must be 'auto', None or a compiled metric's name",
                                   "e.g. metric='accuracy'.")
    train = _data(x, y, batch_size, shuffle, "x", sample_weight)
    val = None
    if val_data is not None:
        if isinstance(val_data, tuple) and 2 <= len(val_data) <= 3:
            val = _Arrays(val_data[0], val_data[1], val_data[2] if len(val_data) == 3 else None, batch_size, False,
                          "val_data.")
        else:
            if isinstance(val_data, Iterable) and iter(val_data) is val_data:
                raise InvalidArgumentError("val_data", type(val_data).__name__, "must be re-iterable (it is "
                                           "evaluated many times), not a one-shot iterator",
                                           "pass val_data=(x_val, y_val), a list of batches or a PyDataset.")
            val = _data(val_data, None, batch_size, False, "val_data")
            val.first()  # refuses an empty one now, not in the middle of the sweep
    rng = _rng_state()  # before anything (building the model included) draws from the RNGs
    lr = snap = None
    try:
        _build(model, inner, train.first())
        name = _metric_name(model, metric)
        beta2 = getattr(inner, "beta_2", None)
        momentum = getattr(inner, "momentum", getattr(inner, "beta_1", None))   # SGD / RMSprop, or Adam's beta_1
        fields = dict(metric_name=name, iterations_per_epoch=_length(train), optimizer=type(inner).__name__,
                      beta2=float(beta2) if isinstance(beta2, numbers.Real) else None,
                      momentum=float(momentum) if isinstance(momentum, numbers.Real) and 0 < momentum < 1 else None,
                      world_size=1,
                      batch_size=batch_size if isinstance(train, _Arrays) else _batch_size_of(x))
        lr = _LR(model, optimizer)
        snap = _Snapshot(model, optimizer, rng)
        result = range_test(_Trainee(model, lr, train, val, snap, name), plan, progress=progress, **fields)
    finally:
        try:
            if snap is not None:
                snap.restore(rng=True)
            else:
                _set_rng_state(rng)
        finally:
            if lr is not None:
                lr.undo()
    return result


def _batch_size_of(data) -> int | None:
    size = getattr(data, "batch_size", None)
    if isinstance(size, numbers.Integral) and not isinstance(size, bool) and size > 0:
        return int(size)
    return None
