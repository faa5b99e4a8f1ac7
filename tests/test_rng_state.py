"""The one home of the process RNG state (``lrscope.adapters._rng``) puts back every generator it saved."""

from __future__ import annotations

import random

import numpy as np
import torch

from lrscope.adapters._rng import rng_state, set_rng_state


def _draw():
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def test_every_generator_is_put_back():
    state = rng_state()
    first = _draw()
    assert _draw() != first            # the generators moved on
    set_rng_state(state)
    assert _draw() == first


def test_without_torch_leaves_torch_alone():
    state = rng_state(torch_too=False)
    assert "torch" not in state
    py, npy, _ = _draw()
    moved = torch.get_rng_state()
    set_rng_state(state)
    assert torch.equal(torch.get_rng_state(), moved)   # not rewound
    assert _draw()[:2] == (py, npy)
