"""The docstring examples of the schedule modules run and print what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["lrscope.schedules", "lrscope.schedules._base", "lrscope.schedules._cyclic", "lrscope.schedules._onecycle",
           "lrscope.schedules._decay", "lrscope.schedules._warmup", "lrscope.schedules._join"]


@pytest.mark.parametrize("name", MODULES + ["lrscope.adapters.torch_scheduler"])
def test_docstring_examples(name):
    if name.startswith("lrscope.adapters"):
        pytest.importorskip("torch")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
