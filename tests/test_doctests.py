"""Docstring examples of the modules not covered by an area's own doctest test run as written.

(Schedules: tests/test_schedules_doctests.py; range test: tests/test_find_lr_docs.py.)
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "lrscope", "lrscope._json", "lrscope.task",
    "lrscope.analysis", "lrscope.analysis._curve", "lrscope.analysis._synthetic",
    "lrscope.analysis.smoothing", "lrscope.analysis.suggesters",
    "lrscope.hpsearch._finder", "lrscope.hpsearch._samplers",
    "lrscope.hpsearch._space", "lrscope._cli.explore", "lrscope.analysis._policy",
    "lrscope.adapters.torch_env", "lrscope.adapters.torch_finetune", "lrscope.analysis.confidence",
    "lrscope.adapters._rng",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no docstring example any more; drop it from MODULES"
