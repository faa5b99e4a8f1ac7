"""The Python examples in docs/search.md run as written, in order, in one namespace."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import python_blocks, run_python_blocks

DOC = Path(__file__).resolve().parent.parent / "docs" / "search.md"


@pytest.mark.slow
def test_python_examples_in_the_search_docs_run(capsys):
    pytest.importorskip("optuna")
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    blocks = python_blocks(DOC)
    assert len(blocks) >= 3, "docs/search.md lost its Python examples"
    namespace = run_python_blocks(DOC, blocks)
    out = capsys.readouterr().out
    # The examples search the bowl of the first one, whose optimum is lr = 1e-2; the last search (50 TPE
    # trials) gets near it.
    assert abs(namespace["result"].best_config["lr"] - 1e-2) < 5e-3
    assert "best:" in out
