"""Process-level torch settings used by the CLI (never changed by the library calls)."""

from __future__ import annotations

import torch


def set_num_threads(threads: int) -> None:
    """Set torch's intra-op CPU threads for this process."""
    torch.set_num_threads(threads)


#: below this many parameters one thread is faster than several even on idle cores
#: (benchmarks/threads.py: 9k parameters 1.14x slower with 2 threads, 85k 0.90x)
SMALL_MODEL_PARAMS = 50_000


def auto_threads(model, cores: int | None = None, load: float | None = None) -> int:
    """The thread count the CLI uses for a user's task when ``--threads`` is not given.

    One thread for a model under ``SMALL_MODEL_PARAMS`` parameters; otherwise the cores that
    are idle (cores minus the 1-minute load average, at least 1). On a machine whose cores are
    busy with other processes, torch's default (every core) ran 1.7-2.4x slower than one
    thread at every model size measured (``benchmarks/threads.py``; docs/benchmarks/threads.md).

    >>> import torch
    >>> auto_threads(torch.nn.Linear(10, 10), cores=8, load=0.0)
    1
    >>> auto_threads(torch.nn.Linear(1000, 1000), cores=8, load=2.6)
    5
    >>> auto_threads(torch.nn.Linear(1000, 1000), cores=2, load=3.0)
    1
    """
    import os

    cores = cores if cores is not None else (os.cpu_count() or 1)
    params = sum(p.numel() for p in model.parameters()) if hasattr(model, "parameters") else 0
    if params < SMALL_MODEL_PARAMS:
        return 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (OSError, AttributeError):   # not available (Windows): every core
            load = 0.0
    return int(max(1, min(cores, round(cores - load))))
