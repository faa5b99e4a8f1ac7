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
