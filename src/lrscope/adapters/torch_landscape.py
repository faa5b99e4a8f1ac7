"""A 2-D slice of a network's loss landscape along filter-normalised random directions.

Li, Xu, Taylor, Studer and Goldstein, "Visualizing the Loss Landscape of Neural Nets",
NeurIPS 2018 (arXiv:1712.09913): draw two Gaussian directions ``d1, d2`` with the shape of
the weights, rescale every filter (every row of a weight: one output unit or one conv
filter) to the norm of the same filter in the trained weights ``theta*``::

    d[i] <- d[i] / ||d[i]|| * ||theta*[i]||        (biases and other 1-D tensors: d = 0)

and evaluate ``L(alpha, beta) = loss(theta* + alpha d1 + beta d2)`` on a grid. Filter
normalisation removes the scale invariance of ReLU networks, so slices of different
networks are comparable. The file this writes (``format: "lrscope-landscape"``) opens in
the explorer page (``lrscope explore --landscape land.json``).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .. import _validate as v
from ..errors import RangeTestError
from ..task import Task
from ..web import LANDSCAPE_FORMAT, LANDSCAPE_VERSION, validate_landscape

__all__ = ["compute_landscape", "filter_normalized_direction", "save_landscape"]


def filter_normalized_direction(params: list[torch.Tensor], generator: torch.Generator) -> list[torch.Tensor]:
    """A random direction with every filter scaled to the norm of the same filter in `params`.

    Args:
        params: the trained weights (tensors, any shapes).
        generator: the torch generator drawing the Gaussian entries (seeded by the caller).

    Returns:
        One tensor per parameter: ``d[i] / ||d[i]|| * ||p[i]||`` per row ``i`` of every tensor
        with 2 or more dimensions, zeros for 1-D tensors (biases, norm layers), as in Li et al.
    """
    out = []
    for p in params:
        d = torch.randn(p.shape, generator=generator, dtype=p.dtype).to(p.device)
        if p.dim() <= 1:
            out.append(torch.zeros_like(p))
            continue
        d2 = d.reshape(d.shape[0], -1)
        p2 = p.detach().reshape(p.shape[0], -1)
        scale = p2.norm(dim=1, keepdim=True) / d2.norm(dim=1, keepdim=True).clamp_min(1e-12)
        out.append((d2 * scale).reshape(p.shape))
    return out


def _batches(loader, n_samples: int):
    xs, ys, got = [], [], 0
    for batch in loader:
        if not isinstance(batch, (list, tuple)) or len(batch) < 2:
            raise RangeTestError("the landscape needs batches (inputs, targets); this task's loader yields "
                                 f"{type(batch).__name__}. Fix: return (x, y) batches from train_loader.")
        xs.append(batch[0]); ys.append(batch[1]); got += len(batch[0])
        if got >= n_samples:
            break
    if not xs:
        raise RangeTestError("the task's train_loader yielded no batches. Fix: give it at least one batch.")
    return torch.cat(xs)[:n_samples], torch.cat(ys)[:n_samples]


def _train(task: Task, steps: int) -> float | None:
    model, opt = task.model, task.optimizer
    model.train()
    last = None
    batches = itertools.cycle(task.train_loader) if steps else iter(())
    for _ in range(steps):
        batch = next(batches)
        opt.zero_grad(set_to_none=True)
        if task.train_step is not None:
            loss = task.train_step(model, batch)
        else:
            x, y = batch[0], batch[1]
            loss = task.loss_fn(model(x), y)
        if not torch.isfinite(loss):
            raise RangeTestError(f"training before the landscape diverged (loss {float(loss)}). "
                                 "Fix: lower the task optimizer's lr or use --train-steps 0.")
        loss.backward()
        opt.step()
        last = float(loss.detach())
    return last


def compute_landscape(task: Task, *, grid: int = 21, extent: float = 1.0, train_steps: int = 200,
                      eval_samples: int = 1024, seed: int = 0, progress: bool = True) -> dict[str, Any]:
    """Train `task` briefly, then evaluate its loss on a (grid x grid) plane through the weights.

    ``loss[j][i] = mean loss of model(theta* + x[i] d1 + y[j] d2)`` on the first
    `eval_samples` training samples, with ``x = y = linspace(-extent, extent, grid)`` and
    ``d1, d2`` filter-normalised random directions (:func:`filter_normalized_direction`).

    Args:
        task: a lrscope Task (model, optimizer, loss_fn, train_loader); its model ends at theta*.
        grid: points per axis, integer >= 3 (51 gives the 51x51 slice of the benchmark).
        extent: half-width of the plane in units of the filter-normalised directions (> 0;
            1.0 reaches as far as the weights' own norm).
        train_steps: optimizer steps of training before the slice (0: the weights as given).
        eval_samples: training samples the loss is averaged over (integer >= 1).
        seed: seed of the two directions.
        progress: show a progress bar (tqdm) over the rows.

    Returns:
        A dict ready for JSON: ``{"format": "lrscope-landscape", "version": 1, "x", "y",
        "loss" (grid rows of grid values), "center_loss", "train_loss", ...}``.

    Reference: H. Li et al., "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018.
    """
    grid = v.integer("grid", grid, minimum=3)
    extent = v.positive("extent", extent)
    train_steps = v.integer("train_steps", train_steps, minimum=0)
    eval_samples = v.integer("eval_samples", eval_samples, minimum=1)
    seed = v.integer("seed", seed)
    if task.loss_fn is None:
        raise RangeTestError("the landscape evaluates loss_fn(model(x), y); this task has no loss_fn. "
                             "Fix: give the task a loss_fn.")
    model = task.model
    train_loss = _train(task, train_steps)
    x_eval, y_eval = _batches(task.train_loader, eval_samples)
    params = [p for p in model.parameters() if p.requires_grad]
    theta = [p.detach().clone() for p in params]
    gen = torch.Generator().manual_seed(seed)
    d1 = filter_normalized_direction(theta, gen)
    d2 = filter_normalized_direction(theta, gen)
    coords = np.linspace(-extent, extent, grid)
    loss = np.empty((grid, grid))
    was_training = model.training
    model.eval()
    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=grid * grid, desc="landscape", unit="pt", leave=False)
        except ImportError:  # tqdm comes with lrscope[torch]; without it, no bar
            bar = None
    try:
        with torch.no_grad():
            for j, b in enumerate(coords):
                for i, a in enumerate(coords):
                    for p, t0, u, w in zip(params, theta, d1, d2):
                        p.copy_(t0 + float(a) * u + float(b) * w)
                    loss[j, i] = float(task.loss_fn(model(x_eval), y_eval))
                    if bar is not None:
                        bar.update(1)
    finally:
        with torch.no_grad():
            for p, t0 in zip(params, theta):
                p.copy_(t0)
        model.train(was_training)
        if bar is not None:
            bar.close()
    bad = ~np.isfinite(loss)
    if bad.all():
        raise RangeTestError("every loss on the plane is NaN or inf. Fix: use a smaller --range.")
    if bad.any():  # recorded in the file, not hidden: the page needs finite numbers
        loss[bad] = float(np.nanmax(np.where(bad, np.nan, loss)))
    center = grid // 2
    doc = {
        "format": LANDSCAPE_FORMAT,
        "version": LANDSCAPE_VERSION,
        "name": task.name,
        "x": coords.tolist(),
        "y": coords.tolist(),
        "loss": loss.tolist(),
        "center_loss": float(loss[center, center]),
        "train_loss": train_loss,
        "grid": grid,
        "range": extent,
        "train_steps": train_steps,
        "eval_samples": int(len(x_eval)),
        "seed": seed,
        "directions": "filter-normalised Gaussian, biases zero (Li et al. 2018)",
        "nonfinite_points_capped": int(bad.sum()),
        "params": int(sum(p.numel() for p in params)),
    }
    return validate_landscape(doc)


def save_landscape(doc: dict[str, Any], path: str | Path) -> Path:
    """Write a landscape document as strict JSON (validated first)."""
    validate_landscape(doc)
    p = Path(path)
    p.write_text(json.dumps(doc, allow_nan=False), encoding="utf-8")
    return p
