"""Argument checks shared by the whole package; each raises InvalidArgumentError."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping

from .errors import InvalidArgumentError, MissingDependencyError


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def finite(name: str, value: object) -> float:
    """Return `value` as float; it must be a finite real number."""
    if not _is_real(value):
        raise InvalidArgumentError(name, value, "must be a real number", f"pass a number for `{name}`.")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidArgumentError(name, value, "must be finite", f"pass a finite number for `{name}`.")
    return value


def positive(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Return `value` as float; it must be finite and > 0 (>= 0 with allow_zero)."""
    value = finite(name, value)
    if allow_zero and value < 0:
        raise InvalidArgumentError(name, value, "must be >= 0", f"pass a non-negative `{name}`.")
    if not allow_zero and value <= 0:
        raise InvalidArgumentError(name, value, "must be > 0", f"pass a positive `{name}`.")
    return value


def positive_list(name: str, values: object, example: str) -> list[float]:
    """Return `values` as a non-empty list of floats, each finite and > 0 (a list of LRs);
    `example` is the fix shown in the error, e.g. "lrs=(0.1, 0.01)"."""
    try:
        out = [positive(name, x) for x in values]  # type: ignore[union-attr]
    except TypeError:
        raise InvalidArgumentError(name, values, "must be a sequence of positive numbers", f"e.g. {example}.") from None
    if not out:
        raise InvalidArgumentError(name, values, "must hold at least one value", f"e.g. {example}.")
    return out


def integer(name: str, value: object, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return `value` as int; it must be a whole number (not bool), >= minimum and <= maximum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if _is_real(value) and float(value).is_integer():
            value = int(value)
        else:
            raise InvalidArgumentError(name, value, "must be a whole number", f"pass an integer for `{name}`.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(name, value, f"must be >= {minimum}", f"pass `{name}` >= {minimum}.")
    if maximum is not None and value > maximum:
        raise InvalidArgumentError(name, value, f"must be <= {maximum:,}", f"pass `{name}` <= {maximum:,}.")
    return value


def fraction(name: str, value: object, *, low_open: bool = True, high_open: bool = True) -> float:
    """Return `value` as float inside (0, 1); the flags choose open or closed ends."""
    value = finite(name, value)
    lo_ok = value > 0 if low_open else value >= 0
    hi_ok = value < 1 if high_open else value <= 1
    if not (lo_ok and hi_ok):
        rule = f"must lie in {'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise InvalidArgumentError(name, value, rule, f"pass a fraction for `{name}`.")
    return value


def greater(name: str, value: float, other_name: str, other: float) -> None:
    """Require value > other, e.g. max_lr > base_lr."""
    if not value > other:
        raise InvalidArgumentError(
            name,
            f"{name}={value!r}, {other_name}={other!r}",
            f"must be greater than `{other_name}`",
            f"make `{name}` larger than `{other_name}`.",
        )


def choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Require value to be one of `choices` (strings)."""
    choices = tuple(choices)
    if value not in choices:
        raise InvalidArgumentError(
            name, value, f"must be one of {', '.join(repr(c) for c in choices)}", f"pick one of {list(choices)}."
        )
    return value  # type: ignore[return-value]


def known_keys(where: str, given: Mapping[str, object] | Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse keys of a spec/config that map to no keyword argument."""
    allowed = set(allowed)
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise InvalidArgumentError(
            where,
            f"unknown keys {unknown}",
            "has keys that map to no argument",
            f"remove them; allowed keys are {sorted(allowed)}.",
        )


def require(module: str, feature: str, extra: str):
    """Import an optional dependency at the point of use, with an install hint."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(module.split(".")[0], feature, extra) from exc


def axes(name: str, value: object):
    """Return the Figure of `value`, which must be a matplotlib Axes (for a plot's ``ax=``)."""
    from matplotlib.axes import Axes

    if not isinstance(value, Axes):
        raise InvalidArgumentError(name, type(value).__name__, "must be a matplotlib Axes",
                                   f"pass e.g. fig, ax = plt.subplots(); ...plot({name}=ax), or leave it None.")
    return value.figure
