"""Package-level contracts: a light import, the documented public names, the CLI entry points."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lrscope


def test_import_lrscope_loads_no_heavy_framework():
    code = (
        "import sys, lrscope, lrscope.schedules, lrscope.analysis, lrscope.cli; "
        "lrscope.cli.build_parser(); "
        "print(','.join(m for m in ('torch', 'optuna', 'matplotlib', 'tqdm', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import lrscope pulled in: {out.stdout.strip()}"


def test_public_names_are_the_documented_ones():
    assert sorted(lrscope.__all__) == sorted([
        "InvalidArgumentError", "LRScopeError", "RangeTestResult", "SearchResult", "Task",
        "find_lr", "load_task", "probe", "report", "schedules", "search",
        "param_groups", "freeze", "unfreeze",
    ])
    for name in lrscope.__all__:
        assert getattr(lrscope, name) is not None


def test_python_dash_m_and_console_script_agree():
    a = subprocess.run([sys.executable, "-m", "lrscope", "--version"], capture_output=True, text=True)
    assert a.returncode == 0 and a.stdout.strip() == f"lrscope {lrscope.__version__}"


def test_cli_without_command_is_a_usage_error():
    out = subprocess.run([sys.executable, "-m", "lrscope"], capture_output=True, text=True)
    assert out.returncode == 2


def test_the_range_test_defaults_are_the_engines_in_every_framework():
    """plan_range_test states the range test's defaults; the torch and Keras entry points repeat
    them in their signatures (for users' editors) and must not drift from them."""
    import inspect

    pytest.importorskip("torch")
    from lrscope.adapters.torch_range_test import find_lr as torch_find
    from lrscope.runner import plan_range_test

    engine = {k: p.default for k, p in inspect.signature(plan_range_test).parameters.items()}
    fronts = [torch_find]
    try:
        import os

        os.environ.setdefault("KERAS_BACKEND", "torch")
        from lrscope.adapters.keras_range_test import find_lr as keras_find

        fronts.append(keras_find)
    except ImportError:
        pass
    for front in fronts:
        params = inspect.signature(front).parameters
        shared = [k for k in engine if k in params]
        assert len(shared) >= 10, (front, shared)
        assert {k: params[k].default for k in shared} == {k: engine[k] for k in shared}, front.__module__
