"""The process-wide RNG states every adapter saves before it trains and puts back after: Python's
``random``, numpy's global generator, and, where torch is in use, torch's CPU generator and (once
CUDA is initialised) every CUDA device's. One home for what the torch range test, the Keras range
test and the Hugging Face Trainer adapter restore bit for bit.

Framework-specific generators (a DataLoader's ``generator``, Keras' ``SeedGenerator``) are saved
by their adapters beside this state.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

__all__ = ["rng_state", "set_rng_state"]


def rng_state(torch_too: bool = True) -> dict[str, Any]:
    """The current states of Python's and numpy's global RNGs and, with ``torch_too``, torch's
    CPU generator and, when CUDA is initialised, all CUDA generators.

    >>> state = rng_state(torch_too=False)
    >>> first = random.random()
    >>> set_rng_state(state)
    >>> random.random() == first
    True
    """
    state: dict[str, Any] = {"python": random.getstate(), "numpy": np.random.get_state()}
    if torch_too:
        import torch

        state["torch"] = torch.get_rng_state()
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Put back a state taken by :func:`rng_state` (the torch and CUDA parts when it holds them)."""
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if "torch" in state:
        import torch

        torch.set_rng_state(state["torch"])
        if "cuda" in state:
            torch.cuda.set_rng_state_all(state["cuda"])
