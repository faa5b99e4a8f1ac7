"""Where a study lives: memory, a journal file on one machine, or a database across machines.

- ``None``: in memory (one process).
- ``"path.log"`` (or ``.journal``): Optuna's journal file; safe for several
  processes on one machine (file locks). The file is checked before Optuna reads or appends
  to it: a file that is not a journal, or a corrupt one, is refused and left as it is.
- ``"postgresql+psycopg2://user:pw@host:port/db"`` (or ``postgresql://``,
  ``mysql+...://``, ``sqlite:///file.db``): Optuna's RDB storage.

Both persistent storages have a heartbeat: a trial whose worker stops beating for
``grace_period`` seconds is marked FAIL by the next worker that starts a trial, and re-queued
(WAITING) with the same parameters, up to ``max_retry`` times. A database keeps the beats in
its own table; a journal keeps the last one as the trial's system attribute
``lrscope:heartbeat`` (Optuna's journal has no heartbeat of its own, so lrscope adds one
through Optuna's ``BaseHeartbeat`` interface, which ``Study.optimize`` drives).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import JournalStorage
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from .. import _validate as v
from ..errors import InvalidArgumentError

__all__ = ["resolve_storage", "redact", "check_journal", "quiet_experimental", "HeartbeatJournalStorage",
           "heartbeat_age", "stale_heartbeat", "HEARTBEAT_KEY"]

_DB_PREFIXES = ("postgresql", "postgres", "mysql", "sqlite")
#: the trial system attribute that holds a journal trial's last heartbeat: {"at": unix time, "grace": seconds}
HEARTBEAT_KEY = "lrscope:heartbeat"
#: how every record Optuna writes to a journal starts (json.dumps of {"op_code": ..., "worker_id": ...})
_RECORD_START = b'{"op_code":'


def redact(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", str(url))


def resolve_storage(storage: Any, *, heartbeat_interval: int = 10, grace_period: int | None = None,
                    max_retry: int = 3, create: bool = True, write: bool = True) -> Any:
    """Turn ``storage`` into an Optuna storage (or None for memory), checking it before anything is written.

    Args:
        storage: None, a journal path ending in .log/.journal, a database URL, or an
            Optuna storage object (returned as is).
        heartbeat_interval: seconds between a running trial's heartbeats.
        grace_period: seconds without a heartbeat after which a trial counts as dead
            (default ``2 * heartbeat_interval``).
        max_retry: how many times a dead worker's trial is re-queued.
        create: False when the study must already exist (workers of a shared study, readers):
            a journal file that does not exist is then an error, and no empty file is left behind.
        write: False for readers (``study show``/``report``): a journal need not be writable.

    Returns:
        None or an ``optuna.storages.BaseStorage``.
    """
    if storage is None:
        return None
    if isinstance(storage, optuna.storages.BaseStorage):
        return storage
    if not isinstance(storage, str) or not storage.strip():
        raise InvalidArgumentError("storage", storage, "must be None, a journal file path (.log) or a database URL",
                                   "e.g. storage='study.log' or 'postgresql+psycopg2://user:pw@host/db'.")
    text = storage.strip()
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme:
        if not scheme.startswith(_DB_PREFIXES):
            raise InvalidArgumentError("storage", redact(text), f"uses the unsupported scheme {scheme!r}",
                                       "use postgresql+psycopg2://..., mysql+pymysql://..., sqlite:///file.db "
                                       "or a journal file path ending in .log.")
        return _rdb(text, heartbeat_interval, grace_period, max_retry)
    if text.endswith((".log", ".journal")):
        return _journal(text, heartbeat_interval, grace_period, max_retry, create=create, write=write)
    raise InvalidArgumentError("storage", text, "is neither a journal file (.log/.journal) nor a database URL",
                               "e.g. storage='study.log' or 'postgresql+psycopg2://user:pw@host:5432/db'.")


def _heartbeat_settings(heartbeat_interval, grace_period, max_retry) -> tuple[int, int, int]:
    heartbeat_interval = v.integer("heartbeat_interval", heartbeat_interval, minimum=1)
    grace_period = v.integer("grace_period", grace_period if grace_period is not None else 2 * heartbeat_interval,
                             minimum=1)
    max_retry = v.integer("max_retry", max_retry, minimum=0)
    return heartbeat_interval, grace_period, max_retry


@contextlib.contextmanager
def quiet_experimental():
    """Silence exactly Optuna's ExperimentalWarning (heartbeats and their retry callback are
    "experimental" in Optuna) around the calls of lrscope that trigger it, and nothing else."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        yield


def _retry_callback(max_retry: int):
    """Optuna's callback that re-queues a dead worker's trial with the same parameters."""
    callbacks = optuna.storages
    retry_cls = getattr(callbacks, "RetryHeartbeatStaleTrialCallback", None)
    with quiet_experimental():
        if retry_cls is not None:  # optuna >= 4.9
            return "heartbeat_stale_trial_callback", retry_cls(max_retry=max_retry)
        return "failed_trial_callback", callbacks.RetryFailedTrialCallback(max_retry=max_retry)  # pragma: no cover


# ----------------------------------------------------------------------------- journal file
def _journal(text: str, heartbeat_interval, grace_period, max_retry, *, create: bool, write: bool):
    heartbeat_interval, grace_period, max_retry = _heartbeat_settings(heartbeat_interval, grace_period, max_retry)
    path = Path(text)
    if not path.parent.is_dir() and str(path.parent):
        raise InvalidArgumentError("storage", text, f"is in a folder that does not exist ({path.parent})",
                                   "create the folder first or choose another path.")
    if path.is_dir():
        raise InvalidArgumentError("storage", text, "is a folder, not a journal file",
                                   "give a file path ending in .log, e.g. --storage study.log.")
    if not create and not path.exists():
        raise InvalidArgumentError("storage", text, "does not exist, so it holds no study",
                                   "check the path, or create the study first with "
                                   "`lrscope study create --storage PATH --study NAME ...`.")
    if path.exists():
        check_journal(text)
    if write:
        _check_journal_writable(text, path)
    _, callback = _retry_callback(max_retry)
    try:
        return HeartbeatJournalStorage(JournalFileBackend(str(path)), heartbeat_interval=heartbeat_interval,
                                       grace_period=grace_period, stale_trial_callback=callback)
    except OSError as exc:
        raise InvalidArgumentError("storage", text, f"cannot be opened ({exc.strerror or exc})",
                                   "choose a journal path in a folder you may write to.") from None
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        # records that are JSON but not what Optuna wrote (the line check above found no broken line)
        raise InvalidArgumentError("storage", text, f"could not be read as an Optuna journal "
                                   f"({type(exc).__name__}: {exc})", _CORRUPT_FIX) from None


_CORRUPT_FIX = ("give the journal file of your study, or a new file name for a new study "
                "(e.g. --storage study.log); the file was left as it is.")


def check_journal(text: str) -> None:
    """Refuse a file that is not an Optuna journal, or a corrupt one, naming the first bad line.

    Optuna itself reads past a broken line until another record follows it, and then fails
    with a bare ``json.JSONDecodeError`` (or, when it appends its own record after it, with an
    ``AssertionError``). Every complete line must be a JSON record as Optuna writes it; only the
    last line may be incomplete, and only when it is the start of such a record (another
    worker writing it at this moment). Nothing is written.
    """
    try:
        f = open(text, "rb")
    except OSError as exc:
        raise InvalidArgumentError("storage", text, f"cannot be read ({exc.strerror or exc})",
                                   "check the path and its permissions.") from None
    with f:
        good = 0
        for number, line in enumerate(f, start=1):
            problem = None
            if not line.endswith(b"\n"):
                if line.startswith(_RECORD_START) or _RECORD_START.startswith(line):
                    return  # a record being appended right now
                problem = f"line {number} is not a complete journal record"
            else:
                try:
                    record = json.loads(line)
                except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
                    problem = f"line {number} is not JSON ({str(exc).split(':')[0]})"
                else:
                    if not (isinstance(record, dict) and isinstance(record.get("op_code"), int)
                            and "worker_id" in record):
                        problem = f"line {number} is JSON but not an Optuna journal record"
            if problem is None:
                good += 1
                continue
            if good == 0:
                raise InvalidArgumentError("storage", text, f"is not an Optuna journal file: {problem}", _CORRUPT_FIX)
            raise InvalidArgumentError(
                "storage", text, f"is a corrupt journal: {problem}, after {good} good record{'s' * (good != 1)}",
                "restore the file from a backup, or keep the study in a new file (e.g. --storage study2.log); "
                "the file was left as it is.")


def _check_journal_writable(text: str, path: Path) -> None:
    """A worker appends to the journal and takes its lock (``PATH.lock``, next to it): try both
    for real, since ``os.access`` approves paths nobody can write (as root, under /proc)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if path.exists():
            with open(path, "ab"):
                pass
        fd, probe = tempfile.mkstemp(prefix=".lrscope-write-test-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        where = "it" if path.exists() and not os.access(path, os.W_OK) else f"its folder ({folder})"
        raise InvalidArgumentError("storage", text, f"cannot be written ({exc.strerror or exc}; a worker writes "
                                   f"the journal and a lock file next to it, so {where} must be writable)",
                                   "choose a journal path in a folder you may write to.") from None


class HeartbeatJournalStorage(JournalStorage, BaseHeartbeat):
    """Optuna's JournalStorage with a heartbeat, through Optuna's ``BaseHeartbeat`` interface (which
    ``Study.optimize`` drives): a running trial beats every ``heartbeat_interval`` seconds (one
    journal record, the trial's system attribute ``lrscope:heartbeat``); a trial silent for
    ``grace_period`` seconds is failed, and re-queued by ``stale_trial_callback``, by the next
    worker that starts a trial, as Optuna does for a database."""

    def __init__(self, backend, *, heartbeat_interval: int, grace_period: int,
                 stale_trial_callback: Callable | None = None):
        super().__init__(backend)
        self._heartbeat_interval = heartbeat_interval
        self._grace_period = grace_period
        self._stale_trial_callback = stale_trial_callback

    def record_heartbeat(self, trial_id: int) -> None:
        try:
            self.set_trial_system_attr(trial_id, HEARTBEAT_KEY, {"at": time.time(), "grace": self._grace_period})
        except (optuna.exceptions.UpdateFinishedTrialError, KeyError):
            pass  # the trial finished (or another worker failed it) between two beats

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        # silent for longer than this worker's grace period and the trial's own worker's (which
        # may beat more slowly than this one would): a live worker is never taken for dead
        now = time.time()
        return [t._trial_id for t in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,))
                if (age := heartbeat_age(t, now)) is not None and age > max(self._grace_period, _grace_of(t))]

    def get_heartbeat_interval(self) -> int | None:
        return self._heartbeat_interval

    def get_heartbeat_stale_trial_callback(self):
        return self._stale_trial_callback

    def get_failed_trial_callback(self):  # the name of optuna < 4.9
        return self._stale_trial_callback


def heartbeat_age(trial, now: float | None = None) -> float | None:
    """Seconds since a running journal trial last showed life (its last beat, or its start when it
    was re-queued and started again since); None for a trial without a lrscope heartbeat."""
    beat = trial.system_attrs.get(HEARTBEAT_KEY)
    if not isinstance(beat, dict) or not isinstance(beat.get("at"), (int, float)):
        return None
    last = float(beat["at"])
    if trial.datetime_start is not None:
        last = max(last, trial.datetime_start.timestamp())
    return (time.time() if now is None else now) - last


def _grace_of(trial) -> float:
    """The grace period of the worker that runs ``trial`` (0 when it did not say)."""
    beat = trial.system_attrs.get(HEARTBEAT_KEY)
    grace = beat.get("grace") if isinstance(beat, dict) else None
    return float(grace) if isinstance(grace, (int, float)) else 0.0


def stale_heartbeat(trial, now: float | None = None) -> str | None:
    """For a RUNNING journal trial whose worker stopped beating for longer than that worker's grace
    period, a reason to show; else None."""
    age = heartbeat_age(trial, now)
    if age is None or age <= (_grace_of(trial) or 20):
        return None
    return f"no heartbeat for {age:.0f} s: worker dead; next worker retries it"


def _rdb(url: str, heartbeat_interval: int, grace_period: int | None, max_retry: int):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    heartbeat_interval, grace_period, max_retry = _heartbeat_settings(heartbeat_interval, grace_period, max_retry)
    try:
        make_url(url)
    except ArgumentError as exc:
        raise InvalidArgumentError("storage", redact(url), "is not a valid database URL",
                                   "use dialect+driver://user:password@host:port/database.") from exc
    key, callback = _retry_callback(max_retry)
    kwargs: dict[str, Any] = {"heartbeat_interval": heartbeat_interval, "grace_period": grace_period, key: callback}
    connect = {"connect_timeout": 10} if url.startswith(("postgres", "mysql")) else {}
    try:
        with quiet_experimental():  # heartbeat is "experimental" in optuna
            return optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": connect} if connect else None,
                                              **kwargs)
    except ImportError as exc:
        raise InvalidArgumentError("storage", redact(url), f"needs a database driver that is not installed ({exc})",
                                   "pip install 'lrscope[search]' (psycopg2-binary for PostgreSQL).") from exc
    except Exception as exc:  # sqlalchemy OperationalError etc.: unreachable server, bad credentials
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidArgumentError("storage", redact(url), f"cannot be opened ({redact(first)})",
                                   "check host, port, user, password and that the database exists.") from exc
