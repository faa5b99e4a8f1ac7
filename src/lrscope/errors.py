"""One error format for the whole package.

Every error raised for bad user input names the argument, the rule, the value
received and, where there is one, the fix::

    `max_lr` must be greater than `base_lr`, got max_lr=0.001, base_lr=0.01.
    Fix: swap the two values or raise max_lr.
"""

from __future__ import annotations

__all__ = ["LRScopeError", "InvalidArgumentError", "MissingDependencyError", "RangeTestError"]


class LRScopeError(Exception):
    """Base class of every error lrscope raises on purpose."""


class InvalidArgumentError(LRScopeError, ValueError):
    """An argument (or a key of a spec) breaks a documented rule."""

    def __init__(self, name: str, value: object, rule: str, fix: str | None = None):
        self.name = name
        self.value = value
        self.rule = rule
        self.fix = fix
        got = value if isinstance(value, str) and "=" in value else f"{name}={value!r}"
        msg = f"`{name}` {rule}, got {got}."
        if fix:
            msg += f" Fix: {fix}"
        super().__init__(msg)

    def __reduce__(self):  # keep the error picklable (multiprocessing, optuna workers)
        return (type(self), (self.name, self.value, self.rule, self.fix))


class MissingDependencyError(LRScopeError, ImportError):
    """An optional dependency is needed for this feature and is not installed."""

    def __init__(self, package: str, feature: str, extra: str):
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package `{package}`, which is not installed. "
            f"Fix: pip install 'lrscope[{extra}]'"
        )

    def __reduce__(self):
        return (Exception.__new__, (type(self),), self.__dict__)


class RangeTestError(LRScopeError, RuntimeError):
    """The range test could not run on the user's model/data (the user's state is restored)."""
