"""The explorer page's JavaScript under Node's own test runner, against golden vectors from Python.

This file writes what the Python library computes (schedule LRs and momenta from
``lrscope.schedules.from_spec(spec)``, the loss suggesters of ``lrscope.analysis``
on a set of synthetic range tests) to a JSON file, then runs ``node --test tests/js/``
with LRSCOPE_GOLDEN pointing at it. The JS tests compare their own numbers with it, so
the page and the library cannot drift apart.
"""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest

from conftest import REPO, find_binary, need_tool

pytestmark = pytest.mark.node

N = 260  # steps per golden vector: several cycles of every cyclical spec below

SPECS = [
    {"kind": "constant", "lr": 0.03},
    {"kind": "linear", "lr": 0.1, "total_steps": 200, "min_lr": 0.001},
    {"kind": "cosine", "lr": 0.1, "total_steps": 150},
    {"kind": "cosine", "lr": 0.5, "total_steps": 97, "min_lr": 0.01},
    {"kind": "exponential", "lr": 0.2, "gamma": 0.98},
    {"kind": "step", "lr": 0.1, "drop_every": 30, "gamma": 0.5},
    {"kind": "multistep", "lr": 0.1, "milestones": [50, 120, 200], "gamma": 0.3},
    {"kind": "polynomial", "lr": 0.1, "total_steps": 180, "power": 2.0, "min_lr": 1e-4},
    {"kind": "cyclic", "base_lr": 0.001, "max_lr": 0.006, "step_size": 20},
    {"kind": "cyclic", "base_lr": 0.001, "max_lr": 0.01, "step_size": 15, "step_size_down": 35},
    {"kind": "cyclic", "base_lr": 1e-4, "max_lr": 1e-2, "step_size": 25, "policy": "triangular2"},
    {"kind": "cyclic", "base_lr": 1e-4, "max_lr": 1e-2, "step_size": 25, "policy": "exp_range", "gamma": 0.995},
    {"kind": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size": 21, "window": "welch"},
    {"kind": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size": 21, "window": "hann", "policy": "triangular2"},
    {"kind": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size": 13, "window": "hann", "policy": "exp_range", "gamma": 0.99},
    {"kind": "one_cycle", "max_lr": 0.1, "total_steps": 200},
    {"kind": "one_cycle", "max_lr": 0.4, "total_steps": 230, "pct_start": 0.25, "anneal": "linear"},
    {"kind": "one_cycle", "max_lr": 0.1, "total_steps": 200, "three_phase": True, "div_factor": 10.0, "final_div_factor": 100.0},
    {"kind": "warmup", "schedule": {"kind": "cosine", "lr": 0.1, "total_steps": 180}, "warmup_steps": 20},
    {"kind": "warmup", "schedule": {"kind": "constant", "lr": 0.05}, "warmup_steps": 30, "start_factor": 0.01, "mode": "exp"},
    {"kind": "warmup", "schedule": {"kind": "one_cycle", "max_lr": 0.1, "total_steps": 150}, "warmup_steps": 40, "start_factor": 0.2},
    {"kind": "join", "schedules": [{"kind": "constant", "lr": 0.01}, {"kind": "linear", "lr": 0.1, "total_steps": 50},
                                    {"kind": "step", "lr": 0.05, "drop_every": 20}], "boundaries": [40, 100]},
]

MOMENTUM_SPECS = [s for s in SPECS if s["kind"] in ("cyclic", "one_cycle")] + [SPECS[-2]]

# synthetic range tests: loss as a function of u = log10(lr), with and without noise and divergence
CURVES = [
    ("bowl", dict(loss=lambda u: (u + 2.0) ** 2, start_lr=1e-5, end_lr=1.0, num_steps=100)),
    ("fall-then-blow-up", dict(loss=lambda u: 2.3 - 1.5 / (1 + np.exp(-3 * (u + 3))) + np.exp(3 * (u + 0.5)),
                               start_lr=1e-7, end_lr=10.0, num_steps=120, noise=0.02, seed=1)),
    ("noisy-early-stop", dict(loss=lambda u: 1.0 - 0.6 * np.tanh(u + 4) + 0.4 * np.exp(2 * (u + 1)),
                              start_lr=1e-7, end_lr=10.0, num_steps=100, noise=0.05, seed=3, stop_above=0.5)),
    ("flat", dict(loss=lambda u: 0 * u + 1.0, start_lr=1e-6, end_lr=1e-2, num_steps=60, noise=0.01, seed=5)),
    ("steps", dict(loss=lambda u: 2.0 - 0.5 * (u > -3) + 8.0 * (u > -1), start_lr=1e-6, end_lr=1.0, num_steps=60)),
    ("short", dict(loss=lambda u: (u + 1) ** 2, start_lr=1e-3, end_lr=1.0, num_steps=7)),
    ("rising", dict(loss=lambda u: 0.5 * u + 5.0, start_lr=1e-5, end_lr=1.0, num_steps=50)),
    ("negative-losses", dict(loss=lambda u: -3.0 + 0.5 * (u + 2.5) ** 2, start_lr=1e-5, end_lr=1.0, num_steps=80, noise=0.03, seed=8)),
]
LOSS_RULES = ("steepest", "valley", "min_div10", "loss_fall", "loss_rise", "loss_rise_div3")


def _golden() -> dict:
    from lrscope.schedules import from_spec

    steps = np.arange(N)
    out = {"schedules": [], "momentum": [], "suggesters": []}
    for spec in SPECS:
        sched = from_spec(spec)
        out["schedules"].append({"spec": spec, "lrs": np.asarray(sched(steps), dtype=float).tolist()})
    for spec in MOMENTUM_SPECS:
        sched = from_spec(spec)
        out["momentum"].append({"spec": spec, "momentum": np.asarray(sched.momentum(steps), dtype=float).tolist()})
    try:
        from lrscope.analysis import synthetic_result
    except ImportError:  # pragma: no cover - the analysis package is part of the library
        return out
    for name, kw in CURVES:
        r = synthetic_result(**kw)
        expected = {k: r.suggestions.get(k) for k in LOSS_RULES if k in r.suggestions}
        out["suggesters"].append({
            "name": name,
            "curve": {"lrs": r.lrs.tolist(), "losses": r.losses.tolist(), "num_steps": int(r.num_steps), "mode": r.mode},
            "expected": expected,
        })
    return out


def test_golden_vectors_cover_every_kind_and_rule():
    g = _golden()
    kinds = {s["spec"]["kind"] for s in g["schedules"]}
    assert kinds == {"constant", "linear", "cosine", "exponential", "step", "multistep", "polynomial",
                     "cyclic", "one_cycle", "warmup", "join"}
    # the golden curves make every loss rule answer at least once (and some answer None)
    answered = {k for c in g["suggesters"] for k, val in c["expected"].items() if val is not None}
    assert answered == set(LOSS_RULES)
    assert any(val is None for c in g["suggesters"] for val in c["expected"].values())


def test_node_suite_against_python_golden_vectors(tmp_path):
    node = find_binary("node", "nodejs")
    need_tool("node", node is not None, "install Node.js >= 18 (apt-get install nodejs)")
    path = tmp_path / "golden.json"
    path.write_text(json.dumps(_golden(), allow_nan=False))
    env = {**os.environ, "LRSCOPE_GOLDEN": str(path)}
    proc = subprocess.run([node, "--test", "tests/js/"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    report = proc.stdout[-6000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, report
    # every golden comparison ran (none skipped) and passed
    assert "# skipped 0" in proc.stdout or "# skip 0" in proc.stdout, report
    assert "# fail 0" in proc.stdout, report
