"""SIGTERM, SIGHUP and Ctrl-C stop `lrscope find` cleanly: the snapshot folder of
``--snapshot disk`` is removed and the exit code is 128 + the signal (issue 13, item 3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("torch")


def _default_signals():
    # a test runner started as a background job ignores SIGINT, and children inherit that
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _start_find(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "lrscope", "find", "--task", "demo:mnist1d-mlp", "--snapshot", "disk",
           "--no-progress", "--threads", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_default_signals)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if any(p.name.startswith("lrscope-snapshot-") for p in tmp.iterdir()):
            return proc, tmp
        time.sleep(0.05)
    proc.kill()
    out, err = proc.communicate()
    pytest.fail(f"the snapshot folder never appeared: {err[-2000:]}")


@pytest.mark.parametrize("sig, code, name, times", [
    (signal.SIGTERM, 143, "SIGTERM", 1),
    (signal.SIGHUP, 129, "SIGHUP", 1),
    (signal.SIGINT, 130, "interrupted", 1),
    (signal.SIGTERM, 143, "SIGTERM", 2),        # a second signal does not cut the clean-up short
])
def test_a_signal_mid_sweep_restores_cleans_up_and_exits_128_plus_it(tmp_path, sig, code, name, times):
    proc, tmp = _start_find(tmp_path)
    try:
        for _ in range(times):
            proc.send_signal(sig)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, err[-2000:]
    assert name in err and "Traceback" not in err
    assert not [p for p in tmp.iterdir() if p.name.startswith("lrscope-snapshot-")]


def test_sigterm_stops_a_search_between_safe_points_and_keeps_the_study(tmp_path):
    # signals during a search are deferred to the trial's next reporter call (an interrupt inside
    # Optuna's machinery could leave a heartbeat thread running, and the process would never exit)
    from lrscope.hpsearch import load_search
    from test_search_task import SLOW_TASK

    task, log = tmp_path / "task.py", tmp_path / "s.log"
    task.write_text(SLOW_TASK)
    cmd = [sys.executable, "-m", "lrscope", "search", f"{task}:make_task", "--strategy", "random", "--trials", "40",
           "--steps", "20", "--no-progress", "--storage", str(log)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_signals)
    try:
        deadline, done = time.time() + 120, []
        while time.time() < deadline and not done:
            time.sleep(0.2)
            if log.exists() and log.stat().st_size:
                done = [t for t in load_search(str(log), "lrscope-search").trials if t.state == "COMPLETE"]
        assert done, "the search never finished a trial"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143, err[-2000:]
    assert "interrupted after" in err and "Traceback" not in err
    kept = load_search(str(log), "lrscope-search")
    assert all(t.state in ("COMPLETE", "FAIL") for t in kept.trials)    # nothing left RUNNING
