"""The task format shared by `lrscope find`, `probe`, `search` and `landscape`.

A *task* is what a user hands over: a model, its optimizer, a loss and data
loaders. A user writes a function ``make_task`` that builds one and points the
CLI at it::

    lrscope find examples/my_task.py:make_task
    lrscope find mypackage.training:make_task
    lrscope find --task demo:mnist1d-mlp

``make_task`` returns a :class:`Task`, a dict with the same keys, or a tuple
``(model, optimizer, loss_fn, train_loader[, val_loader])``. It may take a
keyword argument ``seed`` (an int); the loader passes only the keyword
arguments that ``make_task`` accepts, so a fresh, reproducible model can be
built for every trial of a search.

This module is framework-neutral: it never imports torch.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import InvalidArgumentError

__all__ = ["Task", "load_task", "as_task", "demo_task_names", "CONFIG_KEYS"]

#: what a search trial can set on a task (``lrscope search`` spaces use these names); the torch
#: trial (``lrscope.adapters.torch_search.train_trial``) applies them, and the search checks a
#: space against them without importing torch
CONFIG_KEYS = ("lr", "momentum", "weight_decay", "batch_size", "schedule", "clr_policy", "clr_window", "clr_div",
               "clr_cycles", "pct_start", "warmup_steps")



@dataclasses.dataclass
class Task:
    """Everything a range test, probe or search needs about the user's training.

    Args:
        model: the network (e.g. a ``torch.nn.Module``).
        optimizer: its optimizer; its parameter groups' LRs are the reference
            that a sweep scales (so per-group ratios are kept).
        loss_fn: ``loss_fn(model(x), y) -> scalar``; may be None when
            ``train_step`` computes the loss itself, or when the model computes
            it from dict batches (``model(**batch).loss``, as Hugging Face models do).
        train_loader: an iterable of batches ``(x, y)``, ``(x1, x2, ..., y)``,
            dicts (targets under ``labels``, ``label``, ``targets``, ``target``
            or ``y``), or anything ``train_step`` understands; re-iterable.
        val_loader: optional validation batches for a metric or a val loss.
        metric: optional ``metric(outputs, targets) -> float``, higher is
            better (e.g. accuracy).
        train_step: optional ``train_step(model, batch) -> loss`` replacing
            the default ``loss_fn(model(x), y)``; it either calls ``backward()``
            itself and returns the loss detached, or returns the loss with its
            graph (never both).
        eval_step: optional ``eval_step(model, batch) -> {"loss": ..., "metric": ...}``
            scoring one validation batch of any shape (either key may be left out;
            ``"n"``, the batch size, weights the mean); without it validation
            batches must be ``(x, y)``.
        name: a short label for reports.
    """

    model: Any
    optimizer: Any
    loss_fn: Callable[..., Any] | None
    train_loader: Iterable[Any]
    val_loader: Iterable[Any] | None = None
    metric: Callable[..., float] | None = None
    train_step: Callable[..., Any] | None = None
    eval_step: Callable[..., Any] | None = None
    name: str = "task"

    @property
    def iterations_per_epoch(self) -> int | None:
        """Batches in one pass over ``train_loader``, when it has a length."""
        try:
            return len(self.train_loader)  # type: ignore[arg-type]
        except TypeError:
            return None


_TASK_KEYS = {f.name for f in dataclasses.fields(Task)}


def as_task(obj: Any, *, where: str = "make_task") -> Task:
    """Turn what ``make_task`` returned into a :class:`Task` (or raise a clear error)."""
    if isinstance(obj, Task):
        return obj
    if isinstance(obj, Mapping):
        unknown = sorted(set(obj) - _TASK_KEYS)
        if unknown:
            raise InvalidArgumentError(
                where, f"keys {sorted(obj)}", f"returned a dict with unknown keys {unknown}",
                f"use only {sorted(_TASK_KEYS)}.",
            )
        missing = [k for k in ("model", "optimizer", "train_loader") if k not in obj]
        if missing:
            raise InvalidArgumentError(
                where, f"keys {sorted(obj)}", f"returned a dict without {missing}",
                "return at least model, optimizer, loss_fn and train_loader.",
            )
        data = dict(obj)
        data.setdefault("loss_fn", None)
        return Task(**data)
    if isinstance(obj, tuple) and 4 <= len(obj) <= 5:
        return Task(*obj)
    raise InvalidArgumentError(
        where, type(obj).__name__, "must return a lrscope.Task, a dict or a tuple "
        "(model, optimizer, loss_fn, train_loader[, val_loader])",
        "see examples/custom_task.py for the format.",
    )


#: ``prefix -> module name`` of the named task collections: ``demo:NAME`` reads ``DEMO_TASKS``
#: of the module registered for "demo". The package facade (``lrscope/__init__.py``) registers
#: ``lrscope.demo``, so this core module never imports a framework package.
TASK_SOURCES: dict[str, str] = {}


def _named_tasks(prefix: str) -> dict[str, Callable[..., Any]]:
    if prefix not in TASK_SOURCES:
        raise InvalidArgumentError("task", f"{prefix}:", "names no task collection",
                                   "use 'demo:NAME', 'path/file.py:FUNC' or 'pkg.module:FUNC'.")
    return importlib.import_module(TASK_SOURCES[prefix]).DEMO_TASKS


def demo_task_names() -> list[str]:
    """Names accepted after ``demo:`` (built from offline data; needs lrscope[torch,demo])."""
    return sorted(_named_tasks("demo"))


def _resolve(spec: str) -> Callable[..., Any]:
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidArgumentError("task", spec, "must be 'demo:NAME', 'path/file.py:FUNC' or 'pkg.module:FUNC'",
                                   "e.g. --task demo:mnist1d-mlp")
    if spec.startswith("demo:"):
        tasks = _named_tasks("demo")
        name = spec[len("demo:"):]
        if name not in tasks:
            raise InvalidArgumentError("task", spec, f"names no built-in task; known: {sorted(tasks)}",
                                       f"use one of {['demo:' + n for n in sorted(tasks)]}.")
        return tasks[name]
    target, sep, func_name = spec.rpartition(":")
    if not sep or not target or not func_name:
        raise InvalidArgumentError("task", spec, "must be 'path/file.py:FUNC' or 'pkg.module:FUNC'",
                                   "add the function name after a colon, e.g. examples/custom_task.py:make_task")
    if target.endswith(".py") or "/" in target or "\\" in target:
        path = Path(target)
        if not path.is_file():
            raise InvalidArgumentError("task", spec, f"points at {str(path)!r}, which is not a file",
                                       "check the path (relative to the current directory).")
        mod_name = f"_lrscope_task_{abs(hash(str(path.resolve())))}"
        module_spec = importlib.util.spec_from_file_location(mod_name, path)
        module = importlib.util.module_from_spec(module_spec)  # type: ignore[arg-type]
        sys.modules[mod_name] = module
        sys.path.insert(0, str(path.resolve().parent))
        try:
            module_spec.loader.exec_module(module)  # type: ignore[union-attr]
        except Exception as exc:  # the user's file: say where, not lrscope's frames
            sys.modules.pop(mod_name, None)
            raise _user_error(spec, exc, f"importing {path}") from exc
        finally:
            sys.path.remove(str(path.resolve().parent))
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise InvalidArgumentError("task", spec, f"names module {target!r}, which cannot be imported ({exc})",
                                       "check the module name and that it is on PYTHONPATH.") from exc
        except Exception as exc:
            raise _user_error(spec, exc, f"importing {target}") from exc
    func = getattr(module, func_name, None)
    if not callable(func):
        raise InvalidArgumentError("task", spec, f"names {func_name!r}, which is not a function in {target!r}",
                                   "check the function name after the colon.")
    return func


def load_task(spec: str, **kwargs: Any) -> Task:
    """Build the task named by `spec`; keyword arguments (e.g. seed) go to make_task if it takes them.

    >>> load_task("no-colon")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    lrscope.errors.InvalidArgumentError: `task` must be 'path/file.py:FUNC' or 'pkg.module:FUNC', ...
    """
    func = _resolve(spec)
    params = inspect.signature(func).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    passed = {k: v for k, v in kwargs.items() if takes_any or k in params}
    needed = [name for name, p in params.items()
              if p.default is inspect.Parameter.empty and name not in passed
              and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    if needed:
        raise InvalidArgumentError(
            "task", spec, f"names a function that needs the argument(s) {needed}, which lrscope cannot give "
            f"(it passes only {sorted(kwargs) or 'nothing'})",
            "give them defaults, e.g. def make_task(seed=0, width=64): ...")
    try:
        built = func(**passed)
    except Exception as exc:  # the user's function: say where, not lrscope's frames
        raise _user_error(spec, exc, "building the task") from exc
    return as_task(built, where=spec)


def _user_error(spec: str, exc: BaseException, stage: str) -> InvalidArgumentError:
    """The error for a task file or function that raised: its own error and where it happened
    (the innermost frame outside lrscope), without lrscope's frames."""
    import os
    import traceback

    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" at {exc.filename}:{exc.lineno}"
    else:
        ours = os.path.dirname(os.path.abspath(__file__))
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if not os.path.abspath(f.filename).startswith(ours) and not f.filename.startswith("<frozen")]
        if frames:
            where = f" at {frames[-1].filename}:{frames[-1].lineno}"
    detail = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return InvalidArgumentError("task", spec, f"failed while {stage}: {type(exc).__name__}: {detail}{where}",
                                "fix that error in your task code, then run the command again.")
