"""Shared fixtures. External tools (chromium, postgres, node) are skipped when missing,
except under LRSCOPE_REQUIRE_ALL=1 (set by .ci/run), where a missing tool fails the test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"


def need_tool(what: str, found: bool, hint: str) -> None:
    """Skip (locally) or fail (in CI) when an external tool is missing."""
    if found:
        return
    msg = f"{what} not found: {hint}"
    if os.environ.get("LRSCOPE_REQUIRE_ALL") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


def find_binary(*names: str) -> str | None:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

# Two cores are shared by pytest, its subprocesses and helpers: one thread per torch process.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
