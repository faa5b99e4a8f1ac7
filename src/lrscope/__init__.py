"""lrscope: choose a neural network's learning rate by measurement, not by trial.

The core (schedules, curve analysis) needs only numpy. Framework parts are
loaded on first use, so ``import lrscope`` stays light: it imports neither
torch, optuna nor matplotlib.

>>> import lrscope
>>> sorted(lrscope.__all__)[:3]
['InvalidArgumentError', 'LRScopeError', 'RangeTestResult']
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import InvalidArgumentError, LRScopeError
from .task import TASK_SOURCES, Task, load_task

TASK_SOURCES.setdefault("demo", "lrscope.demo")   # the built-in tasks (torch), loaded on first use

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY = {
    "schedules": "lrscope.schedules",
    "RangeTestResult": "lrscope.analysis",
    "find_lr": "lrscope.adapters.torch_range_test",
    "probe": "lrscope.adapters.torch_range_test",
    "search": "lrscope.hpsearch",
    "SearchResult": "lrscope.hpsearch",
    "report": "lrscope.report",
    "param_groups": "lrscope.adapters.torch_finetune",
    "freeze": "lrscope.adapters.torch_finetune",
    "unfreeze": "lrscope.adapters.torch_finetune",
}

__all__ = [
    "InvalidArgumentError",
    "LRScopeError",
    "RangeTestResult",
    "Task",
    "find_lr",
    "load_task",
    "probe",
    "report",
    "schedules",
    "search",
    "SearchResult",
    "param_groups",
    "freeze",
    "unfreeze",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = module if module.__name__ == f"lrscope.{name}" else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lrscope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
