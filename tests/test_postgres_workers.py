"""Two `lrscope search` workers share one study in a throwaway PostgreSQL; one is SIGKILLed mid-trial.

The server runs from a temporary directory on a free localhost port (as the `postgres` user when
the tests run as root, since PostgreSQL refuses to run as root) and is removed afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import find_binary, need_tool, slow_task_source

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _pg_bin(name: str) -> str | None:
    found = find_binary(name)
    if found:
        return found
    hits = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return hits[-1] if hits else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    need_tool("PostgreSQL", bool(initdb and pg_ctl), "install Debian's `postgresql` package (initdb, pg_ctl)")
    pytest.importorskip("psycopg2")
    root = Path(tempfile.mkdtemp(prefix="lrscope-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = find_binary("runuser")
        need_tool("runuser", runuser is not None, "PostgreSQL refuses root; util-linux's runuser is needed")
        shutil.chown(root, "postgres", "postgres")
        prefix = [runuser, "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    subprocess.run(prefix + [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
    subprocess.run(prefix + [pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE lrscope")
        conn.close()
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/lrscope"
    finally:
        subprocess.run(prefix + [pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


TASK = slow_task_source(0.05)  # ~1 s per 20-step trial, so a worker can be killed mid-trial


def _lrscope(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "lrscope", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_killed_worker_loses_no_trial_and_the_best_is_as_if_nothing_happened(pg_url, tmp_path):
    """Grid search, so the set of configurations (and hence the best) does not depend on timing."""
    import json

    import optuna
    from optuna.trial import TrialState

    target = 8
    task = tmp_path / "task.py"
    task.write_text(TASK)
    space = '{"lr": {"type": "float", "low": 0.001, "high": 0.5, "log": true}}'
    create = _lrscope("study", "create", "--storage", pg_url, "--study", "kill", "--space", space,
                      "--strategy", "grid", "--direction", "minimize", "--trials", str(target))
    out, err = create.communicate(timeout=60)
    assert create.returncode == 0, err
    assert "Warning" not in err, err   # Optuna's ExperimentalWarning (heartbeats) is lrscope's business

    # The reference: the same grid in memory, in one process that nobody kills.
    reference = _lrscope("search", f"{task}:make_task", "--space", space, "--strategy", "grid",
                         "--trials", str(target), "--steps", "20", "--no-progress", "--json")
    worker = ["search", f"{task}:make_task", "--storage", pg_url, "--study", "kill", "--trials", "20",
              "--steps", "20", "--heartbeat", "1", "--grace", "2", "--no-progress", "--json"]
    a, b = _lrscope(*worker), _lrscope(*worker)
    study = optuna.load_study(study_name="kill", storage=pg_url)
    victim, done_before = None, {}
    try:
        deadline = time.time() + 60
        while time.time() < deadline and victim is None:
            trials = study.get_trials(deepcopy=False)
            done = {t.number: t.value for t in trials if t.state == TrialState.COMPLETE}
            mine = [t for t in trials if t.state == TrialState.RUNNING
                    and t.user_attrs.get("worker", "").endswith(f":{a.pid}") and t.user_attrs.get("steps", 0) > 0]
            if done and mine:
                victim, done_before = mine[0].number, done
                os.kill(a.pid, signal.SIGKILL)
                killed_at = time.time()
            time.sleep(0.2)
        assert victim is not None, "worker A never ran a trial while another one had finished"
        out_b, err_b = b.communicate(timeout=90)
        assert b.returncode == 0, err_b
        assert "ExperimentalWarning" not in err_b, err_b
        out_ref, err_ref = reference.communicate(timeout=90)
        assert reference.returncode == 0, err_ref
    finally:
        for p in (a, b, reference):
            if p.poll() is None:
                p.kill()
            p.communicate()

    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    # No finished trial is lost: everything complete before the kill is still complete, same value.
    for number, value in done_before.items():
        assert trials[number].state == TrialState.COMPLETE and trials[number].value == value
    # The killed trial ended FAIL (heartbeat gone) and was retried with the same parameters.
    dead = trials[victim]
    assert dead.state == TrialState.FAIL
    assert dead.datetime_complete.timestamp() - killed_at < 2 + 15  # grace period + one trial + slack
    retries = [t for t in trials.values() if t.system_attrs.get("failed_trial") == victim]
    assert retries and retries[0].params == dead.params
    assert retries[0].state == TrialState.COMPLETE
    # The study completed: every grid point finished, and nothing left running.
    completed = [t for t in trials.values() if t.state == TrialState.COMPLETE]
    assert len({t.params["lr"] for t in completed}) == target
    assert not [t for t in trials.values() if t.state == TrialState.RUNNING]
    # The best is the one of the run nobody killed: same configuration, same metric.
    ref = json.loads(out_ref)
    assert len(ref["trials"]) == target
    assert study.best_params["lr"] == pytest.approx(ref["best"]["config"]["lr"], rel=1e-12)
    assert study.best_value == pytest.approx(ref["best"]["metric"], rel=1e-9)
    assert sorted(t.params["lr"] for t in completed) == pytest.approx(sorted(t["config"]["lr"] for t in ref["trials"]))
    # What the workers print reads the same study.
    payload = json.loads(out_b)
    assert payload["counts"]["FAIL"] >= 1 and payload["study_name"] == "kill"
