"""Package-level contracts: a light import, the documented public names, the CLI entry points."""

from __future__ import annotations

import subprocess
import sys

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
