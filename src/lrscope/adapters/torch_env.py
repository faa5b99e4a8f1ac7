"""Process-level torch settings used by the CLI (never changed by the library calls)."""

from __future__ import annotations

import torch


def set_num_threads(threads: int) -> None:
    """Set torch's intra-op CPU threads for this process."""
    torch.set_num_threads(threads)
