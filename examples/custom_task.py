"""An example task file for the lrscope CLI: your own model, optimizer, loss and data.

Run it with::

    lrscope find examples/custom_task.py:make_task
    lrscope find examples/custom_task.py:make_task --num-steps 200 --plot out/range_test.png
    lrscope probe examples/custom_task.py:make_task --lrs 1,0.1,0.01,0.001

The format: a function (any name; you point at it after the colon) that returns

* a ``lrscope.Task(model, optimizer, loss_fn, train_loader, val_loader=None, metric=None,
  train_step=None, eval_step=None, name="...")``,
* or a dict with those keys (at least model, optimizer, train_loader; loss_fn unless
  train_step computes the loss),
* or a tuple ``(model, optimizer, loss_fn, train_loader[, val_loader])``.

It may take keyword arguments; lrscope passes ``seed`` (from ``--seed``) when the function
accepts it, so each run builds a fresh, reproducible model. The optimizer's LR is only the
reference of the per-group ratios: the range test sweeps it and restores it afterwards.

``train_step(model, batch) -> loss`` is optional: use it for dict batches, several inputs, a
loss computed inside the model, or to run ``backward`` yourself (e.g. with gradient clipping:
return ``loss.detach()`` and lrscope only steps the optimizer).

This example needs only torch: a two-spirals classification problem made on the fly.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import lrscope


def _spirals(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spirals in 2-D with a little noise; labels 0 and 1."""
    t = torch.rand(n, generator=generator) * 3 * math.pi
    label = torch.randint(0, 2, (n,), generator=generator)
    sign = 1.0 - 2.0 * label.float()
    x = torch.stack([sign * t * torch.cos(t), sign * t * torch.sin(t)], dim=1) / (3 * math.pi)
    x += 0.03 * torch.randn(n, 2, generator=generator)
    return x, label


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of correct arg-max predictions (higher is better)."""
    return (outputs.argmax(dim=1) == targets).float().mean().item()


def make_task(seed: int = 0, batch_size: int = 32) -> lrscope.Task:
    """A small MLP on two spirals with AdamW; 1600 training and 400 validation points."""
    gen = torch.Generator().manual_seed(seed)
    x, y = _spirals(2000, gen)
    train = TensorDataset(x[:1600], y[:1600])
    val = TensorDataset(x[1600:], y[1600:])
    with torch.random.fork_rng(devices=[]):  # reproducible weights without touching the global RNG
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    return lrscope.Task(
        model=model,
        optimizer=optimizer,
        loss_fn=nn.CrossEntropyLoss(),
        train_loader=DataLoader(train, batch_size=batch_size, shuffle=True,
                                generator=torch.Generator().manual_seed(seed)),
        val_loader=DataLoader(val, batch_size=400),
        metric=accuracy,
        name="spirals-mlp",
    )


if __name__ == "__main__":  # the same test from Python
    task = make_task()
    result = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader,
                             metric=task.metric, num_steps=100)
    print(result.summary())
