"""Where a study lives: memory, a journal file on one machine, or a database across machines.

- ``None``: in memory (one process).
- ``"path.log"`` (or ``.journal``): Optuna's journal file; safe for several
  processes on one machine (file locks).
- ``"postgresql+psycopg2://user:pw@host:port/db"`` (or ``postgresql://``,
  ``mysql+...://``, ``sqlite:///file.db``): Optuna's RDB storage with a
  heartbeat: a trial whose worker stops beating for ``grace_period`` seconds is
  marked FAIL by the next worker that starts a trial, and re-queued (WAITING)
  with the same parameters, up to ``max_retry`` times.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import _validate as v
from ..errors import InvalidArgumentError

__all__ = ["resolve_storage", "redact"]

_DB_PREFIXES = ("postgresql", "postgres", "mysql", "sqlite")


def redact(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", str(url))


def resolve_storage(storage: Any, *, heartbeat_interval: int = 10, grace_period: int | None = None,
                    max_retry: int = 3, create: bool = True) -> Any:
    """Turn ``storage`` into an Optuna storage (or None for memory), checking it before anything is written.

    Args:
        storage: None, a journal path ending in .log/.journal, a database URL, or an
            Optuna storage object (returned as is).
        heartbeat_interval: seconds between a running trial's heartbeats (database only).
        grace_period: seconds without a heartbeat after which a trial counts as dead
            (default ``2 * heartbeat_interval``).
        max_retry: how many times a dead worker's trial is re-queued.
        create: False when the study must already exist (workers of a shared study, readers):
            a journal file that does not exist is then an error, and no empty file is left behind.

    Returns:
        None or an ``optuna.storages.BaseStorage``.
    """
    if storage is None:
        return None
    import optuna

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
        path = Path(text)
        if not path.parent.is_dir() and str(path.parent):
            raise InvalidArgumentError("storage", text, f"is in a folder that does not exist ({path.parent})",
                                       "create the folder first or choose another path.")
        if not create and not path.exists():
            raise InvalidArgumentError("storage", text, "does not exist, so it holds no study",
                                       "check the path, or create the study first with "
                                       "`lrscope study create --storage PATH --study NAME ...`.")
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return JournalStorage(JournalFileBackend(str(path)))
    raise InvalidArgumentError("storage", text, "is neither a journal file (.log/.journal) nor a database URL",
                               "e.g. storage='study.log' or 'postgresql+psycopg2://user:pw@host:5432/db'.")


def _rdb(url: str, heartbeat_interval: int, grace_period: int | None, max_retry: int):
    import warnings

    import optuna
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    heartbeat_interval = v.integer("heartbeat_interval", heartbeat_interval, minimum=1)
    grace_period = v.integer("grace_period", grace_period if grace_period is not None else 2 * heartbeat_interval,
                             minimum=1)
    max_retry = v.integer("max_retry", max_retry, minimum=0)
    try:
        make_url(url)
    except ArgumentError as exc:
        raise InvalidArgumentError("storage", redact(url), "is not a valid database URL",
                                   "use dialect+driver://user:password@host:port/database.") from exc
    callbacks = optuna.storages
    retry_cls = getattr(callbacks, "RetryHeartbeatStaleTrialCallback", None)
    kwargs: dict[str, Any] = {"heartbeat_interval": heartbeat_interval, "grace_period": grace_period}
    if retry_cls is not None:  # optuna >= 4.9
        kwargs["heartbeat_stale_trial_callback"] = retry_cls(max_retry=max_retry)
    else:  # pragma: no cover - older optuna
        kwargs["failed_trial_callback"] = callbacks.RetryFailedTrialCallback(max_retry=max_retry)
    connect = {"connect_timeout": 10} if url.startswith(("postgres", "mysql")) else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heartbeat is "experimental" in optuna
            return optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": connect} if connect else None,
                                              **kwargs)
    except ImportError as exc:
        raise InvalidArgumentError("storage", redact(url), f"needs a database driver that is not installed ({exc})",
                                   "pip install 'lrscope[search]' (psycopg2-binary for PostgreSQL).") from exc
    except Exception as exc:  # sqlalchemy OperationalError etc.: unreachable server, bad credentials
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidArgumentError("storage", redact(url), f"cannot be opened ({redact(first)})",
                                   "check host, port, user, password and that the database exists.") from exc
