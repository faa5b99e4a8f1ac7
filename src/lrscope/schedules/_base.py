"""The Schedule base class: a pure, closed-form function of the optimizer step.

Every schedule is a frozen dataclass. ``sched(step)`` accepts a Python number or a
numpy array of steps (optimizer steps counted from 0) and returns a float or an
array. The formula is written once per schedule, in ``_eval(t, xp)``, against a tiny
"array namespace" ``xp``: numpy for arrays, :class:`_ScalarOps` (``math`` based) for
single steps, so one formula serves both paths and a single step stays cheap enough
for a per-batch PyTorch scheduler.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import warnings
from typing import Any, ClassVar

import numpy as np

from .._validate import known_keys
from ..errors import InvalidArgumentError

# kind -> Schedule subclass (filled by __init_subclass__)
KINDS: dict[str, type[Schedule]] = {}


class _ScalarOps:
    """The subset of numpy used by the formulas, on Python floats (fast for one step)."""

    pi = math.pi
    floor = staticmethod(math.floor)
    cos = staticmethod(math.cos)
    abs = staticmethod(abs)
    minimum = staticmethod(min)
    maximum = staticmethod(max)

    @staticmethod
    def where(cond, a, b):
        return a if cond else b

    @staticmethod
    def searchsorted(seq, value, side="right"):
        import bisect

        return (bisect.bisect_right if side == "right" else bisect.bisect_left)(seq, value)


def _steps(step: Any) -> tuple[Any, bool]:
    """Check `step` and return (t, is_array): t is a float or a float64 array."""
    if isinstance(step, numbers.Real) and not isinstance(step, bool):
        t = float(step)
        if not (t >= 0 and math.isfinite(t)):
            raise InvalidArgumentError("step", step, "must be a finite number >= 0",
                                       "steps are optimizer steps counted from 0.")
        return t, False
    if isinstance(step, (bool, np.bool_)) or step is None or isinstance(step, (str, bytes)):
        raise InvalidArgumentError("step", step, "must be a number or a numpy array of numbers",
                                   "pass an int (optimizer steps counted from 0) or np.arange(n).")
    try:
        arr = np.asarray(step, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError("step", step, "must be a number or a numpy array of numbers",
                                   "pass an int (optimizer steps counted from 0) or np.arange(n).") from exc
    if arr.ndim == 0:
        return _steps(float(arr))
    if arr.size and not (np.all(np.isfinite(arr)) and arr.min() >= 0):
        bad = arr[~(np.isfinite(arr) & (arr >= 0))][0]
        raise InvalidArgumentError("step", float(bad), "must contain only finite numbers >= 0",
                                   "steps are optimizer steps counted from 0.")
    return arr, True


#: the release that drops the deprecated names below
REMOVED_IN = "0.3"


def renamed(**old_to_new: str):
    """Class decorator for a schedule whose keyword arguments were renamed: the old names
    (``renamed(end_lr="min_lr")``) still work, in the constructor and in a spec, with a
    :class:`DeprecationWarning` naming the new one, until :data:`REMOVED_IN`."""

    def deco(cls):
        init = cls.__init__

        @functools.wraps(init)
        def __init__(self, *args, **kwargs):
            init(self, *args, **_translate(cls, kwargs, stacklevel=3))

        cls.__init__ = __init__
        cls._renamed = dict(old_to_new)
        return cls

    return deco


def _translate(cls, given: dict[str, Any], *, stacklevel: int) -> dict[str, Any]:
    """``given`` with the renamed keys of ``cls`` under their new names (a warning for each)."""
    old_to_new = getattr(cls, "_renamed", {})
    if not any(old in given for old in old_to_new):
        return given
    out = dict(given)
    for old, new in old_to_new.items():
        if old not in out:
            continue
        if new in out:
            raise InvalidArgumentError(old, f"{old}={out[old]!r} and {new}={out[new]!r}",
                                       f"is the old name of `{new}`: give only one of them", f"pass {new}= alone.")
        warnings.warn(f"{cls.__name__}: `{old}` is now called `{new}` (the old name goes in lrscope "
                      f"{REMOVED_IN}); pass {new}={out[old]!r}.", DeprecationWarning, stacklevel=stacklevel)
        out[new] = out.pop(old)
    return out


def renamed_value(cls_name: str, arg: str, value: Any, aliases: dict[str, str]) -> Any:
    """A deprecated spelling of a string option (``mode="exponential"``) as its one word
    (``"exp"``), with a :class:`DeprecationWarning`; other values pass through."""
    if isinstance(value, str) and value in aliases:
        warnings.warn(f"{cls_name}: {arg}={value!r} is now spelled {arg}={aliases[value]!r} (the old spelling goes "
                      f"in lrscope {REMOVED_IN}).", DeprecationWarning, stacklevel=4)
        return aliases[value]
    return value


class Schedule:
    """Base class: ``lr = schedule(step)``, a pure function of the optimizer step.

    Subclasses are frozen dataclasses with a class attribute ``kind`` (the JSON tag) and
    implement ``_eval(t, xp)``; schedules with a momentum rule set ``has_momentum`` and
    implement ``_eval_momentum(t, xp)``.
    """

    kind: ClassVar[str] = ""
    has_momentum: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            KINDS[cls.kind] = cls

    # -- evaluation ---------------------------------------------------------
    def __call__(self, step):
        """The learning rate at `step` (int/float >= 0 -> float; array -> float64 array)."""
        t, is_array = _steps(step)
        if is_array:
            with np.errstate(over="ignore", under="ignore"):
                return _as_array(self._eval(t, np), t)
        return float(self._eval(t, _ScalarOps))

    def momentum(self, step):
        """The momentum (SGD momentum or Adam's beta1) at `step`; only for schedules that define one."""
        if not self.has_momentum:
            raise InvalidArgumentError(
                "schedule", self.kind, "has no momentum rule",
                "use CyclicLR or OneCycle (or a warmup/join of them), or give ScheduleLR momentum=<a schedule>.")
        t, is_array = _steps(step)
        if is_array:
            with np.errstate(over="ignore", under="ignore"):
                return _as_array(self._eval_momentum(t, np), t)
        return float(self._eval_momentum(t, _ScalarOps))

    def _eval(self, t, xp):  # pragma: no cover - abstract
        raise NotImplementedError

    def _eval_momentum(self, t, xp):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def _not_in_spec(cls) -> tuple[str, ...]:
        """Dataclass fields that a JSON spec cannot carry (callables)."""
        return ()

    def _natural_length(self) -> int:
        """A number of steps that shows the schedule's whole shape (used by the CLI and plots)."""
        return 1000

    # -- JSON ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """``{"kind": KIND, **constructor keyword arguments}``; nested schedules become nested dicts."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            out[f.name] = _to_jsonable(getattr(self, f.name))
        return out

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> Schedule:
        """Rebuild a schedule from ``to_dict()`` output (``Schedule.from_dict`` accepts any kind)."""
        if cls is not Schedule and cls.kind:
            if not isinstance(spec, dict):
                raise InvalidArgumentError("spec", spec, "must be a dict", "pass the output of to_dict().")
            kind = spec.get("kind", cls.kind)
            if not isinstance(kind, str) or kind != cls.kind:
                raise InvalidArgumentError("kind", spec.get("kind"), f"must be {cls.kind!r} for {cls.__name__}",
                                           "use lrscope.schedules.from_spec for any kind.")
            spec = {"kind": cls.kind, **spec}
        return from_spec(spec)

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> Schedule:
        return cls(**fields)


def _as_array(value, t: np.ndarray) -> np.ndarray:
    return np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), t.shape))


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, Schedule):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_to_jsonable(v) for v in value]
    return value


def from_spec(spec: dict[str, Any]) -> Schedule:
    """Build a schedule from a JSON-style dict ``{"kind": ..., **keyword arguments}``.

    Nested schedules (``Warmup.schedule``, ``Join.schedules``) are nested dicts and get
    the same checks. A kind that is not a known string, unknown keys and missing required
    keys raise :class:`~lrscope.errors.InvalidArgumentError`.

    Args:
        spec: the dict, e.g. ``{"kind": "cyclic", "base_lr": 1e-3, "max_lr": 6e-3, "step_size": 2000}``.

    Returns:
        The schedule (a frozen dataclass instance).

    >>> from lrscope.schedules import from_spec
    >>> from_spec({"kind": "constant", "lr": 0.1})(5)
    0.1
    """
    return _from_spec(spec, "spec")


def _from_spec(spec: Any, where: str) -> Schedule:
    """:func:`from_spec`, with `where` naming the spec in errors (``schedule``, ``schedules[1]`` when nested)."""
    if isinstance(spec, Schedule):
        return spec
    if not isinstance(spec, dict):
        raise InvalidArgumentError(where, spec, "must be a dict with a 'kind' key",
                                   'e.g. {"kind": "cyclic", "base_lr": 0.001, "max_lr": 0.006, "step_size": 2000}.')
    bad_keys = [k for k in spec if not isinstance(k, str)]
    if bad_keys:
        raise InvalidArgumentError(where, f"keys {bad_keys!r}", "must have only string keys",
                                   "use the keyword argument names as keys, e.g. \"kind\", \"lr\".")
    if "kind" not in spec:
        raise InvalidArgumentError(where, f"keys {sorted(spec)}", "has no 'kind' key",
                                   f"add \"kind\": one of {sorted(KINDS)}.")
    kind = spec["kind"]
    if not isinstance(kind, str) or kind not in KINDS:  # a list/dict kind is unhashable: test the type first
        kinds = ", ".join(repr(k) for k in sorted(KINDS))
        rule = f"must be one of {kinds}" if isinstance(kind, str) else f"must be a string, one of {kinds}"
        raise InvalidArgumentError("kind", kind, rule, f"pick one of {sorted(KINDS)}.")
    cls = KINDS[kind]
    names = spec_fields(cls)
    fields = _translate(cls, {k: v for k, v in spec.items() if k != "kind"}, stacklevel=4)
    known_keys(f"{kind} spec", fields, names)
    missing = missing_fields(cls, fields)
    if missing:
        raise InvalidArgumentError(
            f"{kind} spec", f"keys={sorted(fields)}", f"needs {', '.join(missing)}",
            f"add {', '.join(repr(m) for m in missing)} to the spec (the required keys of {kind!r} are "
            f"{required_fields(cls)}).")
    return cls._from_fields(fields)


def spec_fields(cls: type[Schedule]) -> list[str]:
    """The keyword arguments of `cls` that a spec may carry, in signature order."""
    return [f.name for f in dataclasses.fields(cls) if f.init and f.name not in cls._not_in_spec()]  # type: ignore[arg-type]


def required_fields(cls: type[Schedule]) -> list[str]:
    """The keyword arguments of `cls` without a default, read from its signature (dataclass fields)."""
    return [f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]


def missing_fields(cls: type[Schedule], given) -> list[str]:
    """The required keyword arguments of `cls` that `given` (a dict or the names given) lacks."""
    return [name for name in required_fields(cls) if name not in given]
