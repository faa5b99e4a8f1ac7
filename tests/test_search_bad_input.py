"""Bad input to `lrscope search` / `lrscope study` is an lrscope error, never a raw traceback (issue 13).

Corrupt or foreign journal files, journals that cannot be written, out-of-range sampler seeds,
two `study create` racing, Optuna's ExperimentalWarning, and a SIGKILLed worker's trial in a
journal file (heartbeat, FAIL and retry, as with a database).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from lrscope.cli import main
from lrscope.errors import InvalidArgumentError, LRScopeError
from lrscope.hpsearch import create_study, list_studies, load_search, search

RECORD = '{"op_code":0,"worker_id":"w-1","study_name":"%s","directions":[1]}\n'


def bowl(config, reporter):
    reporter.spend(5)
    return (config["lr"] - 0.01) ** 2


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ----------------------------------------------------------------------------- 1. corrupt journals
@pytest.mark.parametrize("content,what", [
    (b"garbage{", "not an Optuna journal file: line 1"),
    (b"garbage{\n" + (RECORD % "s").encode(), "not an Optuna journal file: line 1"),
    (b'{"a": 1}\n', "not an Optuna journal file: line 1"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not an Optuna journal file: line 1"),
    ((RECORD % "s").encode() + b"nope\n" + (RECORD % "t").encode(), "corrupt journal: line 2"),
])
def test_cli_study_show_refuses_a_file_that_is_not_a_journal_and_leaves_it_alone(tmp_path, capsys, content, what):
    bad = tmp_path / "bad.log"
    bad.write_bytes(content)
    code, out, err = _cli(capsys, "study", "show", "--storage", str(bad))
    assert code == 2, (out, err)
    assert "error:" in err and "Fix:" in err and "`storage`" in err and str(bad) in err and what in err
    assert bad.read_bytes() == content
    # the API says the same, naming the argument
    with pytest.raises(InvalidArgumentError) as e:
        list_studies(str(bad))
    assert e.value.name == "storage" and what in str(e.value)
    with pytest.raises(InvalidArgumentError, match="journal"):
        load_search(str(bad), "s")
    assert bad.read_bytes() == content


def test_cli_search_refuses_a_corrupt_journal_before_writing_to_it(tmp_path, capsys):
    bad = tmp_path / "bad.log"
    bad.write_bytes(b"garbage{")
    code, out, err = _cli(capsys, "search", "--task", "demo:digits-mlp", "--trials", "1", "--steps", "2",
                          "--storage", str(bad), "--no-progress")
    assert code == 2, err
    assert "error:" in err and "Fix:" in err and "`storage`" in err and "not an Optuna journal file" in err
    assert bad.read_bytes() == b"garbage{"   # Optuna used to append its own record to it
    with pytest.raises(InvalidArgumentError) as e:
        search(bowl, storage=str(bad), study="s", budget=1, progress=False)
    assert e.value.name == "storage"
    assert bad.read_bytes() == b"garbage{"


def test_a_record_being_written_by_another_worker_is_not_corruption(tmp_path):
    path = str(tmp_path / "s.log")
    create_study(path, "s", strategy="random", direction="minimize")
    with open(path, "ab") as f:
        f.write(b'{"op_code":4,"worker_id":"w-')   # another process half-way through its append
    assert [s["study"] for s in list_studies(path)] == ["s"]


def test_a_folder_named_like_a_journal_is_refused(tmp_path, capsys):
    (tmp_path / "dir.log").mkdir()
    code, _, err = _cli(capsys, "study", "show", "--storage", str(tmp_path / "dir.log"))
    assert code == 2 and "is a folder" in err and "Fix:" in err


# ----------------------------------------------------------------------------- 2. journals that cannot be written
@pytest.mark.parametrize("where", ["proc", "under-a-file"])
def test_cli_study_create_where_no_file_can_be_written_is_a_clean_error(tmp_path, capsys, where):
    if where == "proc":
        if not Path("/proc").is_dir():
            pytest.skip("no /proc")
        storage = "/proc/lrscope-test-study.log"
    else:
        (tmp_path / "file.txt").write_text("x")
        storage = str(tmp_path / "file.txt" / "s.log")
    code, out, err = _cli(capsys, "study", "create", "--storage", storage, "--study", "x", "--direction", "minimize")
    assert code == 2, (out, err)
    assert "error:" in err and "Fix:" in err and "`storage`" in err and storage in err


def test_a_read_only_folder_refuses_writers_and_still_serves_readers(tmp_path, capsys, monkeypatch):
    """A folder nobody may write to (simulated, since root may write anywhere): `study create`
    and a worker say so cleanly; `study show` only reads, and works."""
    import tempfile

    path = str(tmp_path / "s.log")
    create_study(path, "s", strategy="random", direction="minimize")
    before = Path(path).read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    new = str(tmp_path / "new.log")
    code, _, err = _cli(capsys, "study", "create", "--storage", new, "--study", "x", "--direction", "minimize")
    assert code == 2 and "cannot be written" in err and "Permission denied" in err and "Fix:" in err
    assert not Path(new).exists()
    with pytest.raises(InvalidArgumentError, match="cannot be written") as e:
        search(bowl, storage=path, study="s", budget=1, progress=False)
    assert e.value.name == "storage"
    code, out, err = _cli(capsys, "study", "show", "--storage", path)
    assert code == 0 and "s" in out.split()
    assert Path(path).read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write to read-only folders")
def test_a_really_read_only_folder(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, _, err = _cli(capsys, "study", "create", "--storage", str(ro / "s.log"), "--study", "x",
                            "--direction", "minimize")
        assert code == 2 and "cannot be written" in err and "Fix:" in err
    finally:
        ro.chmod(0o755)


# ----------------------------------------------------------------------------- 3. seeds
@pytest.mark.parametrize("flag,value", [("--sampler-seed", "-5"), ("--sampler-seed", str(2 ** 32)),
                                        ("--seed", str(2 ** 32))])
def test_cli_out_of_range_seed_is_a_clean_error(capsys, flag, value):
    code, out, err = _cli(capsys, "search", "--task", "demo:digits-mlp", "--trials", "1", "--steps", "2",
                          flag, value, "--no-progress")
    assert code == 2, (out, err)
    assert "error:" in err and "Fix:" in err and f"`{flag}`" in err and "2**32" in err


@pytest.mark.parametrize("seed", ["x", -1, 2 ** 32, 1.5, True])
def test_api_bad_seed_names_seed(seed):
    with pytest.raises(LRScopeError) as e:
        search(bowl, strategy="random", budget=1, seed=seed, progress=False)
    assert isinstance(e.value, InvalidArgumentError) and e.value.name == "seed"


def test_api_bad_seed_writes_nothing_and_the_largest_seed_works(tmp_path):
    path = tmp_path / "s.log"
    with pytest.raises(InvalidArgumentError, match="seed"):
        search(bowl, strategy="random", budget=1, seed=-1, storage=str(path), study="s", progress=False)
    assert not path.exists()
    r = search(bowl, strategy="random", budget=1, seed=2 ** 32 - 1, progress=False)
    assert len(r.trials) == 1 and r.trials[0].state == "COMPLETE"
    from lrscope.hpsearch._samplers import make_sampler
    from lrscope.hpsearch._space import parse_space

    with pytest.raises(InvalidArgumentError, match="seed"):
        make_sampler("anneal", parse_space(None), seed=-3)


# ----------------------------------------------------------------------------- 4. two creates racing
def test_study_create_that_loses_a_race_gets_the_same_already_exists_error(tmp_path, capsys, monkeypatch):
    import optuna

    argv = ["study", "create", "--storage", str(tmp_path / "s.log"), "--study", "x", "--direction", "minimize"]
    assert _cli(capsys, *argv)[0] == 0
    sequential = _cli(capsys, *argv)
    assert sequential[0] == 2 and "already exists" in sequential[2]

    real = optuna.create_study

    def rival_first(*args, **kwargs):
        real(*args, **kwargs)           # the other `study create`, a moment earlier
        return real(*args, **kwargs)    # ours: optuna raises DuplicatedStudyError

    monkeypatch.setattr(optuna, "create_study", rival_first)
    argv[3] = str(tmp_path / "race.log")
    code, out, err = _cli(capsys, *argv)
    assert code == 2, err
    assert "DuplicatedStudyError" not in err
    assert err == sequential[2].replace(str(tmp_path / "s.log"), str(tmp_path / "race.log"))
    assert "Fix:" in err


# ----------------------------------------------------------------------------- 5. ExperimentalWarning
@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_no_experimental_warning_from_persistent_storages(tmp_path, capsys, kind):
    pytest.importorskip("sqlalchemy")
    import optuna

    storage = f"sqlite:///{tmp_path / 's.db'}" if kind == "sqlite" else str(tmp_path / "s.log")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["study", "create", "--storage", storage, "--study", "x", "--direction", "minimize"]) == 0
        search(bowl, budget=1, storage=storage, study="x", progress=False)
        assert main(["study", "show", "--storage", storage]) == 0
        assert main(["study", "show", "--storage", storage, "--study", "x"]) == 0
    capsys.readouterr()
    assert not [w for w in caught if issubclass(w.category, optuna.exceptions.ExperimentalWarning)]


def test_only_the_experimental_warning_is_silenced():
    import optuna

    from lrscope.hpsearch._storage import quiet_experimental

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_experimental():
            warnings.warn("experimental", optuna.exceptions.ExperimentalWarning)
            warnings.warn("other", UserWarning)
        warnings.warn("experimental outside", optuna.exceptions.ExperimentalWarning)
    assert [str(w.message) for w in caught] == ["other", "experimental outside"]


# ----------------------------------------------------------------------------- 6. a killed worker, journal file
WORKER = textwrap.dedent("""
    import sys, time
    from lrscope.hpsearch import search

    def slow(config, reporter):
        for _ in range(200):
            time.sleep(0.05)
            reporter.spend(1)
        return config["lr"]

    search(slow, strategy="random", budget=5, storage=sys.argv[1], study="s", seed=0, progress=False,
           heartbeat_interval=1, grace_period=2)
""")


def test_killed_workers_trial_in_a_journal_is_failed_and_retried(tmp_path, capsys):
    path = str(tmp_path / "s.log")
    create_study(path, "s", strategy="random", direction="minimize")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, path], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        running = []
        while time.time() < deadline and not running:
            time.sleep(0.1)
            # a trial is RUNNING from the moment it is created, before its parameters are written
            running = [t for t in load_search(path, "s").trials if t.state == "RUNNING" and t.config]
        assert running, worker.communicate(timeout=5)
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate()
    victim = running[0]

    time.sleep(2.5)   # past the grace period: nobody has looked yet, so `study show` says what it is
    code, out, err = _cli(capsys, "study", "show", "--storage", path, "--study", "s", "--json")
    assert code == 0, err
    shown = {t["number"]: t for t in json.loads(out)["trials"]}
    assert shown[victim.number]["state"] == "RUNNING" and "no heartbeat" in shown[victim.number]["reason"]

    # The next worker marks it FAIL and runs it again with the same parameters.
    r = search(bowl, budget=1, storage=path, study="s", progress=False, heartbeat_interval=1, grace_period=2)
    trials = {t.number: t for t in r.trials}
    assert trials[victim.number].state == "FAIL" and "heartbeat" in trials[victim.number].reason
    retries = [t for t in r.trials if t.retry_of == victim.number]
    assert len(retries) == 1 and retries[0].config == victim.config and retries[0].state == "COMPLETE"
    assert not [t for t in r.trials if t.state == "RUNNING"]


def test_a_live_trial_keeps_beating(tmp_path):
    """A trial longer than the grace period is not taken for dead while its worker lives."""
    import threading

    from lrscope.hpsearch._storage import resolve_storage

    path = str(tmp_path / "s.log")
    create_study(path, "s", strategy="random", direction="minimize")

    def long(config, reporter):
        time.sleep(3)
        return config["lr"]

    done = []
    worker = threading.Thread(target=lambda: done.append(search(
        long, budget=1, storage=path, study="s", progress=False, heartbeat_interval=1, grace_period=1)))
    worker.start()
    try:
        time.sleep(2.5)   # older than the grace period, but beating
        other = resolve_storage(path, create=False, grace_period=1)
        assert [t.state.name for t in other.get_all_trials(0)] == ["RUNNING"]
        assert other._get_stale_trial_ids(0) == []
    finally:
        worker.join()
    assert [t.state for t in done[0].trials] == ["COMPLETE"]


def test_a_slow_beating_worker_is_not_taken_for_dead_by_an_impatient_one(tmp_path, monkeypatch):
    """The stale test uses the longer of the checking worker's grace and the trial's own worker's."""
    from datetime import datetime, timedelta
    from types import SimpleNamespace

    from lrscope.hpsearch._storage import HEARTBEAT_KEY, resolve_storage, stale_heartbeat

    now = time.time()
    started = datetime.now() - timedelta(seconds=60)

    def trial(trial_id, beat_age, grace):
        return SimpleNamespace(_trial_id=trial_id, datetime_start=started,
                               system_attrs={HEARTBEAT_KEY: {"at": now - beat_age, "grace": grace}})

    trials = [trial(0, 5, 30), trial(1, 45, 30), SimpleNamespace(_trial_id=2, datetime_start=started, system_attrs={})]
    st = resolve_storage(str(tmp_path / "s.log"), heartbeat_interval=1, grace_period=2)
    monkeypatch.setattr(st, "get_all_trials", lambda *a, **k: trials)
    assert st._get_stale_trial_ids(0) == [1]     # a trial without lrscope's heartbeat is left alone
    assert stale_heartbeat(trials[0], now) is None
    assert "no heartbeat for 45 s" in stale_heartbeat(trials[1], now)
    assert stale_heartbeat(trials[2], now) is None
