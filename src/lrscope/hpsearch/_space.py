"""Search spaces: what a search may vary, as plain frozen dataclasses with a JSON form.

A space maps a parameter name to one of :class:`Float`, :class:`Int` or
:class:`Choice`. Its JSON form (used by ``lrscope study create --space`` and
stored with a persistent study) is::

    {"lr": {"type": "float", "low": 1e-5, "high": 1.0, "log": true},
     "schedule": {"type": "choice", "choices": ["constant", "one_cycle"]}}

This module is numpy/stdlib only; optuna distributions are built in the engine.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

from .. import _validate as v
from ..errors import InvalidArgumentError

__all__ = ["Float", "Int", "Choice", "Space", "parse_space", "space_to_dict", "default_space", "PRESETS"]


def _check_bounds(param, convert) -> None:
    """Validate and normalise ``low < high`` (both > 0 on a log scale) of a Float or Int."""
    low = convert("low", param.low)
    high = convert("high", param.high)
    v.greater("high", high, "low", low)
    if param.log and low <= 0:
        raise InvalidArgumentError("low", low, "must be > 0 for a log-scale parameter",
                                   "raise `low` above 0 or set log=false.")
    object.__setattr__(param, "low", low)
    object.__setattr__(param, "high", high)
    object.__setattr__(param, "log", bool(param.log))


@dataclasses.dataclass(frozen=True)
class Float:
    """A real parameter in [low, high], sampled on a log scale when ``log`` (e.g. the LR)."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self):
        _check_bounds(self, v.finite)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "float", "low": self.low, "high": self.high, "log": self.log}

    def grid(self, n: int) -> list[float]:
        """``n`` evenly spaced values (geometrically when log), both ends included."""
        if n <= 1:
            return [math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2]
        if self.log:
            a, b = math.log(self.low), math.log(self.high)
            inner = [math.exp(a + (b - a) * i / (n - 1)) for i in range(1, n - 1)]
            return [self.low, *inner, self.high]  # exact ends (exp(log(x)) may round outside)
        return [self.low + (self.high - self.low) * i / (n - 1) for i in range(n)]


@dataclasses.dataclass(frozen=True)
class Int:
    """A whole-number parameter in [low, high] (both included), e.g. warmup_steps or batch size."""

    low: int
    high: int
    log: bool = False

    def __post_init__(self):
        _check_bounds(self, v.integer)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "int", "low": self.low, "high": self.high, "log": self.log}

    def grid(self, n: int) -> list[int]:
        values = Float(self.low, self.high, self.log).grid(min(n, self.high - self.low + 1))
        return sorted({int(round(x)) for x in values})


@dataclasses.dataclass(frozen=True)
class Choice:
    """A categorical parameter, e.g. the schedule kind or the batch size."""

    choices: tuple

    def __post_init__(self):
        choices = self.choices
        if isinstance(choices, (str, bytes)) or not hasattr(choices, "__iter__"):
            raise InvalidArgumentError("choices", choices, "must be a list of values", 'e.g. ["constant", "one_cycle"].')
        choices = tuple(choices)
        if not choices:
            raise InvalidArgumentError("choices", [], "must not be empty", "list at least one value.")
        for c in choices:
            if not (c is None or isinstance(c, (str, int, float, bool))):
                raise InvalidArgumentError("choices", choices, "must hold only str, int, float, bool or null",
                                           "use plain JSON values.")
        if len(set(choices)) != len(choices):
            raise InvalidArgumentError("choices", list(choices), "must not repeat a value", "list each value once.")
        object.__setattr__(self, "choices", choices)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "choice", "choices": list(self.choices)}

    def grid(self, n: int) -> list:
        return list(self.choices)


Param = Union[Float, Int, Choice]
Space = dict  # name -> Param

_KINDS = {"float": Float, "int": Int, "choice": Choice, "categorical": Choice}


def default_space() -> dict[str, Param]:
    """The default space: the learning rate on a log scale, 1e-5 to 1."""
    return {"lr": Float(1e-5, 1.0, log=True)}


PRESETS = {
    "lr": default_space,
    "schedule": lambda: {
        "lr": Float(1e-4, 1.0, log=True),
        "schedule": Choice(("constant", "one_cycle", "cyclic")),
    },
    "full": lambda: {
        "lr": Float(1e-4, 1.0, log=True),
        "schedule": Choice(("constant", "one_cycle", "cyclic")),
        "clr_policy": Choice(("triangular", "triangular2", "exp_range")),
        "clr_window": Choice(("triangular", "welch", "hann")),
        "warmup_steps": Int(0, 50),
        "momentum": Float(0.8, 0.99),
        "weight_decay": Float(1e-6, 1e-2, log=True),
        "batch_size": Choice((32, 64, 128)),
    },
}


def _param(name: str, spec: Any) -> Param:
    if isinstance(spec, (Float, Int, Choice)):
        return spec
    if isinstance(spec, (list, tuple)):  # shorthand: a list of choices
        return Choice(tuple(spec))
    if not isinstance(spec, Mapping):
        raise InvalidArgumentError(f"space[{name!r}]", spec, "must be a dict with a 'type' (float, int or choice)",
                                   'e.g. {"type": "float", "low": 1e-5, "high": 1, "log": true}.')
    kind = spec.get("type")
    v.choice(f"space[{name!r}].type", kind, _KINDS)
    cls = _KINDS[kind]
    allowed = {"type"} | {f.name for f in dataclasses.fields(cls)}
    v.known_keys(f"space[{name!r}]", spec, allowed)
    kwargs = {k: val for k, val in spec.items() if k != "type"}
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise InvalidArgumentError(f"space[{name!r}]", dict(spec), f"misses a required key ({exc})",
                                   f"give {[f.name for f in dataclasses.fields(cls)]}.") from exc
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"space[{name!r}].{exc.name}", exc.value, exc.rule, exc.fix) from exc


def parse_space(space: Any = None) -> dict[str, Param]:
    """Turn None, a preset name, a JSON string, a path to a .json file or a dict into a space.

    Args:
        space: None (the LR on a log scale), a preset name ("lr", "schedule", "full"),
            a JSON object string, a path to a JSON file, or a dict name -> Float/Int/Choice
            or its dict form.

    Returns:
        dict name -> Float | Int | Choice, never empty.

    >>> parse_space('{"lr": {"type": "float", "low": 0.001, "high": 1, "log": true}}')
    {'lr': Float(low=0.001, high=1.0, log=True)}
    """
    if space is None:
        return default_space()
    if isinstance(space, str):
        text = space.strip()
        if text in PRESETS:
            return PRESETS[text]()
        if text.startswith("{"):
            try:
                space = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InvalidArgumentError("space", space, f"is not valid JSON ({exc.msg} at char {exc.pos})",
                                           "check quotes and commas.") from exc
        elif text.endswith(".json"):
            path = Path(text)
            if not path.is_file():
                raise InvalidArgumentError("space", space, "names a JSON file that does not exist",
                                           "check the path.")
            try:
                space = json.loads(path.read_text())
            except json.JSONDecodeError as exc:
                raise InvalidArgumentError("space", space, f"holds invalid JSON ({exc.msg})", "fix the file.") from exc
        else:
            raise InvalidArgumentError("space", space, f"must be a preset {sorted(PRESETS)}, a JSON object or a .json file",
                                       'e.g. --space full or --space \'{"lr": {"type": "float", "low": 1e-4, "high": 1, "log": true}}\'.')
    if not isinstance(space, Mapping):
        raise InvalidArgumentError("space", space, "must be a dict name -> parameter", 'e.g. {"lr": Float(1e-5, 1, log=True)}.')
    if not space:
        raise InvalidArgumentError("space", {}, "must not be empty", "give at least one parameter, e.g. the LR.")
    out = {}
    for name, spec in space.items():
        if not isinstance(name, str) or not name or name.startswith("_"):
            raise InvalidArgumentError("space", name, "has a parameter name that is not a plain non-empty string",
                                       "use names such as 'lr' or 'momentum' (no leading underscore).")
        out[name] = _param(name, spec)
    return out


def space_to_dict(space: Mapping[str, Param]) -> dict[str, dict[str, Any]]:
    """The JSON form of a space (the inverse of :func:`parse_space`)."""
    return {name: p.to_dict() for name, p in space.items()}
