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
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .. import _validate as v
from ..errors import InvalidArgumentError, RangeTestError
from ..task import Task
from ..web import LANDSCAPE_FORMAT, LANDSCAPE_VERSION, validate_landscape

__all__ = ["compute_landscape", "compute_trajectories", "filter_normalized_direction", "save_landscape"]


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
    flat = torch.nn.utils.parameters_to_vector
    loss = _surface(task, params, x_eval, y_eval, flat(theta), flat(d1), flat(d2), coords, coords, progress)
    loss, bad = _capped(loss)
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
        "nonfinite_points_capped": bad,
        "params": int(sum(p.numel() for p in params)),
    }
    return validate_landscape(doc)


def _loss_at(task: Task, params, vector: torch.Tensor, x_eval, y_eval) -> float:
    """The loss on the evaluation samples with the weights set to ``vector`` (eval mode, no grad)."""
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(vector, params)
        return float(task.loss_fn(task.model(x_eval), y_eval))


def _surface(task: Task, params, x_eval, y_eval, center, d1, d2, xs, ys, progress: bool) -> np.ndarray:
    """``loss[j, i] = loss(center + xs[i] d1 + ys[j] d2)`` (flat weight vectors); the weights and the
    train/eval modes are put back afterwards."""
    model = task.model
    loss = np.empty((len(ys), len(xs)))
    saved = torch.nn.utils.parameters_to_vector(params).detach().clone()
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(xs) * len(ys), desc="landscape", unit="pt", leave=False)
        except ImportError:  # tqdm comes with lrscope[torch]; without it, no bar
            bar = None
    try:
        for j, b in enumerate(ys):
            for i, a in enumerate(xs):
                loss[j, i] = _loss_at(task, params, center + float(a) * d1 + float(b) * d2, x_eval, y_eval)
                if bar is not None:
                    bar.update(1)
    finally:
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(saved, params)
        for m, mode in modes:
            m.training = mode
        if bar is not None:
            bar.close()
    return loss


def _capped(loss: np.ndarray) -> tuple[np.ndarray, int]:
    """Non-finite points hold the largest finite loss (the page needs finite numbers; the count is
    recorded in the file, not hidden)."""
    bad = ~np.isfinite(loss)
    if bad.all():
        raise RangeTestError("every loss on the plane is NaN or inf. Fix: use a smaller --range.")
    if bad.any():
        loss = loss.copy()
        loss[bad] = float(np.nanmax(np.where(bad, np.nan, loss)))
    return loss, int(bad.sum())


TRAJECTORY_SCHEDULES = ("constant", "one_cycle", "cosine")


def compute_trajectories(task: Task, lrs, *, steps: int = 200, schedule: str = "constant", record_every: int | None = None,
                         grid: int = 21, margin: float = 0.25, eval_samples: int = 1024, diverge_factor: float = 4.0,
                         seed: int = 0, progress: bool = True) -> dict[str, Any]:
    """Train the task's network at each LR from the same start, and draw the loss surface on
    the plane of the weight trajectories, with the real paths on it.

    1. Every run starts from the task's weights and optimizer state (restored between runs,
       and at the end) and trains ``steps`` optimizer steps through lrscope's training core
       (the same step as ``find_lr``), at ``schedule(step)``: "constant" (the LR), "one_cycle"
       (the LR as the peak) or "cosine" (decaying from the LR). The weights are recorded every
       ``record_every`` steps. A run stops when its loss is NaN/inf or its smoothed loss climbs
       far above where it started (``lrscope.runner.is_diverged`` with the training runs'
       rule, as in the search's trials): "too large explodes".
    2. The plane: PCA of the recorded weights around the end point ``c`` of the run that ended
       lowest (Li et al. 2018, section 7): ``d1, d2`` are the two leading principal directions
       of ``theta - c`` over the recorded points of the runs that trained (ended below their
       starting loss without diverging; all runs when none did). A point's coordinates are
       ``((theta - c) . d1, (theta - c) . d2)``.
    3. The surface ``loss(c + x d1 + y d2)`` on a ``grid x grid`` grid covering those runs' paths
       plus ``margin`` of their span on each side (a run that got worse is drawn until it leaves
       the map), on the first ``eval_samples`` training samples;
       each path point's loss is the same function at its own (full, off-plane) weights: the
       page shows the network's real loss, not the surface's value under the projection.

    Args:
        task: a lrscope Task (model, optimizer, loss_fn, train_loader).
        lrs: the LRs (group 0; other groups keep their ratios), each > 0.
        steps: optimizer steps per run (>= 2).
        schedule: "constant", "one_cycle" or "cosine".
        record_every: steps between recorded points (default: about 60 points per run).
        grid: points per axis of the surface (>= 3).
        margin: how far the surface reaches past the paths, as a fraction of their span (>= 0).
        eval_samples: training samples every loss is averaged over.
        diverge_factor: the divergence threshold (> 1).
        seed: seeds torch before every run (the same batches and dropout for every LR).
        progress: show progress bars.

    Returns:
        A landscape document (``format: "lrscope-landscape"``) with ``paths``: one
        ``{"label", "lr", "schedule", "step", "x", "y", "loss", "train_loss", "diverged"}``
        per LR, and ``plane`` (the directions and the variance they explain).

    Reference: H. Li et al., "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018, section 7.
    """
    from .. import schedules as S
    from ..analysis.smoothing import DebiasedEMA
    from ..runner import TRAINING_FIRST_WEIGHT, is_diverged
    from .torch_core import Stepper
    from .torch_range_test import Snapshot

    lr_list = v.positive_list("lrs", lrs, "--trajectories 1e-3,1e-2,1e-1")
    steps = v.integer("steps", steps, minimum=2, maximum=1_000_000)
    schedule = v.choice("schedule", schedule, TRAJECTORY_SCHEDULES)
    every = max(1, steps // 60) if record_every is None else v.integer("record_every", record_every, minimum=1)
    grid = v.integer("grid", grid, minimum=3)
    margin = v.positive("margin", margin, allow_zero=True)
    eval_samples = v.integer("eval_samples", eval_samples, minimum=1)
    diverge_factor = v.finite("diverge_factor", diverge_factor)
    if not diverge_factor > 1:
        raise InvalidArgumentError("diverge_factor", diverge_factor, "must be > 1", "use e.g. diverge_factor=4.")
    seed = v.integer("seed", seed, minimum=0)
    if task.loss_fn is None:
        raise RangeTestError("the landscape evaluates loss_fn(model(x), y); this task has no loss_fn. "
                             "Fix: give the task a loss_fn.")
    model, opt = task.model, task.optimizer
    params = [p for p in model.parameters() if p.requires_grad]
    x_eval, y_eval = _batches(task.train_loader, eval_samples)
    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    stepper = Stepper(model, opt, task.loss_fn, task.train_loader, train_step=task.train_step, device=device)
    flat = torch.nn.utils.parameters_to_vector

    def sched_of(lr):
        if schedule == "one_cycle":
            return S.OneCycle(max_lr=lr, total_steps=steps)
        if schedule == "cosine":
            return S.CosineDecay(lr, steps)
        return S.Constant(lr)

    runs = []
    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(lr_list) * steps, desc="trajectories", unit="step", leave=False)
        except ImportError:
            bar = None
    try:
        with Snapshot(model, opt, [task.train_loader]) as snap:   # restored at the end, whatever happens
            for lr in lr_list:
                snap.restore()
                torch.manual_seed(seed)
                stepper.reset_data()
                model.train()
                sched = sched_of(lr)
                points, at, train_losses = [flat(params).detach().double().cpu().clone()], [0], []
                ema, best, first_s, diverged = DebiasedEMA(0.9), math.inf, None, False
                for t in range(steps):
                    loss, _ = stepper.step(float(sched(t)))
                    if bar is not None:
                        bar.update(1)
                    train_losses.append(loss)
                    if not math.isfinite(loss):
                        diverged = True
                    else:
                        smooth = ema.update(loss)
                        first_s = smooth if first_s is None else first_s
                        best = min(best, smooth)
                        diverged = t >= 10 and is_diverged(smooth, best, first_s, diverge_factor,
                                                           first_weight=TRAINING_FIRST_WEIGHT)
                    vec = flat(params).detach().double().cpu()
                    if not bool(torch.isfinite(vec).all()):
                        diverged = True
                    elif (t + 1) % every == 0 or t + 1 == steps or diverged:
                        points.append(vec.clone())
                        at.append(t + 1)
                    if diverged:
                        if bar is not None:
                            bar.update(steps - t - 1)
                        break
                runs.append({"lr": lr, "points": points, "step": at, "train_losses": train_losses, "diverged": diverged})
            snap.restore()
            model.eval()   # the path points are scored as the surface is: eval mode, the same samples
            dtype = params[0].dtype if params else torch.float32
            losses = [[_loss_at(task, params, p.to(device=device, dtype=dtype), x_eval, y_eval) for p in r["points"]]
                      for r in runs]
            snap.restore()
            finite_end = [(ls[-1], k) for k, (r, ls) in enumerate(zip(runs, losses)) if math.isfinite(ls[-1])]
            if not finite_end:
                raise RangeTestError("every run's loss became NaN or inf. Fix: lower the LRs of --trajectories.")
            best_run = min(finite_end)[1]
            center = runs[best_run]["points"][-1]
            # the plane: PCA of the recorded points (finite loss) around the best end point
            # the runs that trained (ended below where they started) set the plane and the extent; a run
            # that got worse (too large an LR) is drawn on it until it leaves the map
            trained = [k for k, ls in enumerate(losses) if math.isfinite(ls[-1]) and ls[-1] < ls[0]
                       and not runs[k]["diverged"]] or [k for k, ls in enumerate(losses) if math.isfinite(ls[-1])]
            keep = [(k, i) for k in trained for i in range(len(runs[k]["points"])) if math.isfinite(losses[k][i])]
            M = torch.stack([runs[k]["points"][i] - center for k, i in keep])
            if float(M.abs().max()) == 0.0:
                raise RangeTestError("the weights never moved, so there is no plane to draw. Fix: raise the LRs or steps.")
            _, sv, vt = torch.linalg.svd(M, full_matrices=False)
            d1, d2 = vt[0], (vt[1] if vt.shape[0] > 1 else torch.zeros_like(vt[0]))
            explained = (sv[:2] ** 2 / (sv ** 2).sum()).tolist() if sv.numel() else [0.0, 0.0]
            coords = [[(float((p - center) @ d1), float((p - center) @ d2)) for p in r["points"]] for r in runs]
            inside = [xy for k, i in keep for xy in [coords[k][i]]]
            xs_all, ys_all = [c[0] for c in inside], [c[1] for c in inside]
            span = max(max(xs_all) - min(xs_all), max(ys_all) - min(ys_all), 1e-9)
            pad = margin * span

            def axis(lo, hi):
                lo, hi = lo - pad, hi + pad
                if hi - lo < 0.05 * span:   # a path along one direction only: give the other axis some room
                    mid = (lo + hi) / 2
                    lo, hi = mid - 0.25 * span, mid + 0.25 * span
                return np.linspace(lo, hi, grid)

            gx, gy = axis(min(xs_all), max(xs_all)), axis(min(ys_all), max(ys_all))
            surface = _surface(task, params, x_eval, y_eval, center.to(device=device, dtype=dtype),
                               d1.to(device=device, dtype=dtype), d2.to(device=device, dtype=dtype), gx, gy, progress)
    finally:
        if bar is not None:
            bar.close()
    surface, capped = _capped(surface)
    paths = []
    for r, c, ls in zip(runs, coords, losses):
        ok = [i for i, value in enumerate(ls) if math.isfinite(value) and all(math.isfinite(z) for z in c[i])]
        paths.append({
            "label": f"lr={r['lr']:.3g}" + ("" if schedule == "constant" else f" ({schedule})"),
            "lr": r["lr"], "schedule": sched_of(r["lr"]).to_dict(),
            "step": [r["step"][i] for i in ok], "x": [c[i][0] for i in ok], "y": [c[i][1] for i in ok],
            "loss": [ls[i] for i in ok],
            "train_loss": [x if math.isfinite(x) else None for x in r["train_losses"]],
            "diverged": bool(r["diverged"]),
        })
    doc = {
        "format": LANDSCAPE_FORMAT, "version": LANDSCAPE_VERSION, "name": task.name,
        "x": gx.tolist(), "y": gy.tolist(), "loss": surface.tolist(),
        "center_loss": losses[best_run][-1], "train_loss": None, "grid": grid, "range": None, "train_steps": steps,
        "eval_samples": int(len(x_eval)), "seed": seed,
        "directions": "PCA of the weight trajectories around the best run's end point (Li et al. 2018, section 7)",
        "plane": {"method": "pca", "center": f"end of {paths[best_run]['label']}", "explained_variance": explained,
                  "fitted_on": [paths[k]["label"] for k in trained]},
        "nonfinite_points_capped": capped, "params": int(sum(p.numel() for p in params)),
        "paths": paths,
    }
    return validate_landscape(doc)


def save_landscape(doc: dict[str, Any], path: str | Path) -> Path:
    """Write a landscape document as strict JSON (validated first)."""
    validate_landscape(doc)
    p = Path(path)
    p.write_text(json.dumps(doc, allow_nan=False), encoding="utf-8")
    return p
