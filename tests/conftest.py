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


def slow_task_source(seconds_per_step: float) -> str:
    """A task file's text: ``make_task`` fits y = 3x with a Linear(1, 1) whose every training step
    also sleeps ``seconds_per_step``, so that a test can interrupt or kill a process mid-trial."""
    return f'''
import time
import torch

def make_task(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 1, generator=g)
    data = [(x[i:i + 16], 3 * x[i:i + 16]) for i in range(0, 64, 16)]
    torch.manual_seed(seed)
    model = torch.nn.Linear(1, 1)

    def train_step(model, batch):
        time.sleep({seconds_per_step!r})
        return torch.nn.functional.mse_loss(model(batch[0]), batch[1])

    return dict(model=model, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                loss_fn=torch.nn.functional.mse_loss, train_loader=data, val_loader=data[:1], train_step=train_step)
'''


def benchmark_module(filename: str):
    """``benchmarks/<filename>`` loaded as a module of its own (named ``_lrscope_bench_<stem>``)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(f"_lrscope_bench_{Path(filename).stem}", REPO / "benchmarks" / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def tiny_batches(n: int = 64, size: int = 16, seed: int = 0):
    """A fixed 2-class problem of 4 features, as a list of (x, y) batches (torch imported here)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = (x.sum(1) > 0).long()
    return [(x[i:i + size], y[i:i + size]) for i in range(0, n, size)]


def tiny_classifier(opt_cls=None, **opt_kwargs):
    """(model, optimizer) for ``tiny_batches``: a 4-8-2 MLP, seeded, with ``opt_cls`` (SGD lr 0.1)."""
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    opt_cls = opt_cls or torch.optim.SGD
    return model, opt_cls(model.parameters(), **{"lr": 0.1, **opt_kwargs})


def python_blocks(path: Path) -> list[str]:
    """The ```python code blocks of a markdown file, in order."""
    import re

    return re.findall(r"```python\n(.*?)```", Path(path).read_text(encoding="utf-8"), flags=re.S)


def run_python_blocks(path: Path, blocks: list[str] | None = None, name: str = "docs_example") -> dict:
    """Execute a doc's Python blocks in order, in one namespace (they build on each other); returns it.
    Errors point at the doc's file name."""
    scope: dict = {"__name__": name}
    for block in python_blocks(path) if blocks is None else blocks:
        exec(compile(block, str(path), "exec"), scope)
    return scope
