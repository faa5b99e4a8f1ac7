"""The examples in docs/range_test.md and in the range-test modules' docstrings run as written."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
from pathlib import Path

import pytest

from conftest import python_blocks, run_python_blocks

DOC = Path(__file__).resolve().parent.parent / "docs" / "range_test.md"


@pytest.mark.parametrize("name", ["lrscope.runner", "lrscope.analysis.probe", "lrscope.demo",
                                  "lrscope.adapters.torch_range_test"])
def test_docstring_examples(name):
    if name.startswith("lrscope.adapters") or name == "lrscope.demo":
        pytest.importorskip("torch")
    if name.endswith(".demo"):
        pytest.importorskip("mnist1d")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def test_python_quick_start_in_the_docs_runs(capsys):
    pytest.importorskip("torch")
    runnable = [b for b in python_blocks(DOC) if b.startswith("import")]
    assert runnable, "docs/range_test.md lost its runnable example"
    for block in runnable:                       # each block stands alone
        if "import torch, transformers" in block and importlib.util.find_spec("transformers") is None:
            continue                             # the Hugging Face example needs the hf extra
        run_python_blocks(DOC, [block])
    out = capsys.readouterr().out
    assert "explodes" in out or "good" in out or "too slow" in out
