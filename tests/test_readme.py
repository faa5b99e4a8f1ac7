"""README.md: it opens with exactly the two commands, and its Python quick start runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_opens_with_the_two_commands_ci_runs():
    text = README.read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


@pytest.mark.slow
def test_python_quick_start_runs(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("mnist1d")
    block = re.search(r"```python\n(.*?)```", README.read_text(), flags=re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(block, str(README), "exec"), scope)
    result, scheduler = scope["result"], scope["scheduler"]
    assert (tmp_path / "range_test.png").stat().st_size > 0
    assert (tmp_path / "range_test.html").read_text().count("<html") == 1
    # the cyclical spec the range test suggested drives the scheduler: base_lr at step 0
    assert scheduler.get_last_lr()[0] == pytest.approx(result.clr["base_lr"], rel=1e-12)
