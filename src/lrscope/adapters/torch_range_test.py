"""The LR range test and the LR probe on a PyTorch model: snapshot → sweep → restore.

:func:`find_lr` runs Smith's LR range test (Smith, 2017, "Cyclical Learning Rates for
Training Neural Networks", section 3.3): one short training run whose LR grows exactly
geometrically (or linearly) from ``start_lr`` to ``end_lr``, recording the loss at every
step. :func:`probe` runs a few short constant-LR runs from the same starting state.

Both leave the user's objects exactly as they were: parameters and buffers, gradients,
``requires_grad`` flags, the train/eval mode of every submodule, the optimizer's state and
hyperparameters (``state_dict``), the grad scaler's state, the generators of the train
loader (and its pass counter ``iteration``, when it has one, as accelerate's loaders do),
and the RNG states of python ``random``, numpy and torch (CPU and CUDA) are restored
bit-for-bit in a ``finally`` block, also on errors and KeyboardInterrupt. The snapshot lives in
CPU memory (``snapshot="memory"``) or in a file (``"disk"``: a temporary directory from
:mod:`tempfile`, always removed; a path: that folder), never as a second copy on the
accelerator and never in the current working directory.

One training step (``accumulation_steps`` micro-batches, then one optimizer step):

* default: ``loss = loss_fn(model(x), y)`` on a batch ``(x, y)``; the metric, when given,
  is ``metric(model(x), y)`` on the same forward pass. A batch ``(x1, x2, ..., y)`` calls
  ``model(x1, x2, ...)``; a tuple or dict ``x`` that ``model(x)`` refuses is spread; a dict
  batch gives its targets under ``labels`` (``label``, ``targets``, ``target``, ``y``) and its
  inputs under the other keys; with ``loss_fn=None`` the model computes its own loss,
  ``model(**batch).loss``, as Hugging Face models do (``lrscope.adapters.torch_core``);
* ``train_step(model, batch) -> loss``: your own forward pass (sample weights, any other
  reading of a batch, autocast). If the returned loss still requires grad,
  lrscope calls ``backward`` (through ``grad_scaler`` when given, divided by
  ``accumulation_steps``); if it does not (a float or a detached tensor), your train_step has
  run ``backward`` itself (e.g. to clip gradients) and lrscope only steps the optimizer.

Several parameter groups: the sweep sets group *g* to ``lr * lr_g / lr_0`` where ``lr_g`` are
the groups' original LRs, so discriminative ratios are kept; ``result.lrs`` is group 0's LR.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import pickle
import random
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .. import _validate as v
from ..analysis import RangeTestResult
from ..analysis.probe import ACCUMULATOR_SPIKE_STEPS, ProbeResult
from ..errors import InvalidArgumentError
from ..runner import EXTEND_DECADES, MAX_STEPS, plan_range_test, range_test, short_runs
from . import torch_distributed as _dist
from ._rng import rng_state, set_rng_state
from .torch_core import Stepper as _Stepper
from .torch_scheduler import ScheduleLR  # noqa: F401  (registers RangeTestResult.apply for torch)

__all__ = ["find_lr", "probe", "Snapshot"]


# --------------------------------------------------------------------------- snapshot


def _loader_generators(loader: Any) -> list[torch.Generator]:
    """The torch.Generators a DataLoader draws its batch order from (deduplicated)."""
    found: dict[int, torch.Generator] = {}
    candidates = [getattr(loader, "generator", None)]
    for holder in (getattr(loader, "sampler", None), getattr(getattr(loader, "batch_sampler", None), "sampler", None)):
        candidates.append(getattr(holder, "generator", None))
    for gen in candidates:
        if isinstance(gen, torch.Generator):
            found[id(gen)] = gen
    return list(found.values())


def _cpu_copy(obj: Any) -> Any:
    """Deep copy with every tensor copied to CPU memory."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, dict):
        return {k: _cpu_copy(val) for k, val in obj.items()}
    if isinstance(obj, list):
        return [_cpu_copy(val) for val in obj]
    if isinstance(obj, tuple):
        return tuple(_cpu_copy(val) for val in obj)
    return obj


class Snapshot:
    """Everything of the user's a range test could change, saved once and restorable many times.

    Args:
        model: the ``torch.nn.Module``.
        optimizer: its ``torch.optim.Optimizer``.
        loaders: data loaders whose generators (batch order) to keep.
        grad_scaler: an optional ``torch.amp.GradScaler``.
        where: "memory" (CPU memory), "disk" (a temporary directory, removed by
            :meth:`close`) or a folder path (the file inside it is removed by :meth:`close`).
    """

    def __init__(self, model, optimizer, loaders: Iterable[Any] = (), grad_scaler=None, where: str | os.PathLike = "memory"):
        self.model, self.optimizer, self.grad_scaler = model, optimizer, grad_scaler
        self._params = dict(model.named_parameters(remove_duplicate=False))
        self._buffers = dict(model.named_buffers(remove_duplicate=False))
        loaders = list(loaders)
        self._generators = [g for loader in loaders for g in _loader_generators(loader)]
        # a loader that orders each pass by a pass counter (accelerate's DataLoaderShard sets its
        # sampler's epoch from `iteration`): every run starts from the same counter, so runs that
        # cross the end of a pass still see the same batches
        self._counters = [(loader, loader.iteration) for loader in loaders
                          if isinstance(getattr(loader, "iteration", None), int)
                          and not isinstance(loader.iteration, bool)]
        self._tmpdir: str | None = None
        self._file: Path | None = None
        # small things always stay in memory
        self.requires_grad = {n: p.requires_grad for n, p in self._params.items()}
        self.training = [(m, m.training) for m in model.modules()]
        self.rng = rng_state()
        self.generator_states = [g.get_state() for g in self._generators]
        self.scaler_state = _cpu_copy(grad_scaler.state_dict()) if grad_scaler is not None else None
        heavy = {
            "params": {n: p.detach() for n, p in self._params.items()},
            "grads": {n: (None if p.grad is None else p.grad.detach()) for n, p in self._params.items()},
            "buffers": {n: b.detach() for n, b in self._buffers.items()},
            "optimizer": optimizer.state_dict(),
        }
        if where == "memory":
            self._heavy = _cpu_copy(heavy)
            return
        self._heavy = None
        try:
            if where == "disk":
                self._tmpdir = tempfile.mkdtemp(prefix="lrscope-snapshot-")  # mode 0700, under TMPDIR
                self._file = Path(self._tmpdir) / "snapshot.pt"
            else:
                folder = Path(where)
                folder.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix="lrscope-snapshot-", suffix=".pt", dir=folder)  # mode 0600
                os.close(fd)
                self._file = Path(name)
            torch.save(heavy, self._file)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            self.close()
            raise InvalidArgumentError(
                "snapshot", str(where), f"cannot save this model's or optimizer's state to disk "
                f"({type(exc).__name__}: {exc})",
                "use snapshot='memory' (it copies the state without pickling it).") from exc
        except OSError as exc:
            self.close()
            place = "the temporary directory (TMPDIR)" if where == "disk" else str(where)
            raise InvalidArgumentError(
                "snapshot", str(where), f"could not be written in {place} ({exc})",
                "free some disk space, set TMPDIR to a writable folder, or use snapshot='memory'.") from exc
        except BaseException:
            self.close()
            raise

    def _load_heavy(self) -> dict[str, Any]:
        if self._heavy is not None:
            return self._heavy
        # Our own file, written moments ago (0600 / in a 0700 directory): a full load is safe, and an
        # optimizer with non-tensor state that weights_only refuses must not lose the user's state.
        return torch.load(self._file, map_location="cpu", weights_only=False)

    def restore(self, *, rng: bool = True, last: bool = False) -> None:
        """Put everything back bit-for-bit.

        Args:
            rng: also restore the RNG and loader-generator states (False: keep the current ones).
            last: this is the final restore; the optimizer may take the saved tensors themselves
                instead of copies (the snapshot is not used again).
        """
        heavy = self._load_heavy()
        with torch.no_grad():
            for n, p in self._params.items():
                p.copy_(heavy["params"][n])
                saved = heavy["grads"][n]
                p.grad = None if saved is None else saved.to(p.device, copy=True)
            for n, b in self._buffers.items():
                b.copy_(heavy["buffers"][n])
        for n, p in self._params.items():
            p.requires_grad_(self.requires_grad[n])
        for module, mode in self.training:
            module.training = mode
        saved_opt = heavy["optimizer"] if (last or self._heavy is None) else _cpu_copy(heavy["optimizer"])
        # hyperparameters held as tensors (lr=torch.tensor(...)) get their values back in the
        # user's own tensors, which load_state_dict would replace with copies
        held = [{k: v for k, v in g.items() if k != "params" and isinstance(v, torch.Tensor)}
                for g in self.optimizer.param_groups]
        self.optimizer.load_state_dict(saved_opt)
        for group, tensors in zip(self.optimizer.param_groups, held):
            for key, own in tensors.items():
                with torch.no_grad():
                    own.copy_(group[key])
                group[key] = own
        if self.grad_scaler is not None:
            self.grad_scaler.load_state_dict(_cpu_copy(self.scaler_state))
        if rng:
            set_rng_state(self.rng)
            for g, s in zip(self._generators, self.generator_states):
                g.set_state(s)
            for loader, count in self._counters:
                loader.iteration = count

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc) -> None:
        """The final restore (also on errors and Ctrl-C), then the file is removed whatever happens."""
        try:
            self.restore(last=True)
        finally:
            self.close()

    def close(self) -> None:
        """Remove the snapshot file (and the temporary directory of ``"disk"``)."""
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        elif self._file is not None:
            with contextlib.suppress(FileNotFoundError):
                self._file.unlink()
        self._file = None


# --------------------------------------------------------------------------- checks


def _beta2(optimizer) -> float | None:
    """Adam's second-moment decay of group 0 (``betas[1]``), or None for optimizers without betas."""
    betas = optimizer.param_groups[0].get("betas") if optimizer.param_groups else None
    try:
        return float(betas[1]) if betas is not None else None
    except (TypeError, IndexError, ValueError):
        return None


def _momentum(optimizer) -> float | None:
    """The first-moment decay of group 0: ``momentum`` (SGD, RMSprop) or ``betas[0]`` (the Adam
    family), or None when the optimizer has neither (or it is 0)."""
    group = optimizer.param_groups[0] if optimizer.param_groups else {}
    value = group.get("momentum")
    if value is None and group.get("betas") is not None:
        with contextlib.suppress(TypeError, IndexError):
            value = group["betas"][0]
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if 0.0 < value < 1.0 else None


def _from_task(model, optimizer, loss_fn, train_loader, extras: dict[str, Any]):
    """``find_lr(task)`` / ``probe(task)``: a :class:`lrscope.Task` (or the dict ``make_task``
    returns) passed whole, so that its metric, validation loader, ``train_step`` and
    ``eval_step`` are never dropped on the way. Keyword arguments given explicitly win."""
    from collections.abc import Mapping

    from ..task import Task, as_task

    if not isinstance(model, (Task, Mapping)):
        return model, optimizer, loss_fn, train_loader, extras
    task = as_task(model, where="task")
    if any(x is not None for x in (optimizer, loss_fn, train_loader)):
        raise InvalidArgumentError("model", "a Task together with optimizer/loss_fn/train_loader",
                                   "must be either a Task (passed alone) or a model followed by its optimizer, "
                                   "loss_fn and train_loader", "pass find_lr(task) or find_lr(model, optimizer, "
                                   "loss_fn, train_loader).")
    filled = {k: (val if val is not None else getattr(task, k, None)) for k, val in extras.items()}
    return task.model, task.optimizer, task.loss_fn, task.train_loader, filled


def _check_snapshot(snapshot: Any) -> str | os.PathLike:
    """'memory', 'disk', an existing folder, or a new folder written as a path (``./snaps``,
    ``/tmp/x``, a ``Path``): a bare word that is none of these is taken for a typo, not made a folder."""
    if isinstance(snapshot, str) and snapshot in ("memory", "disk"):
        return snapshot
    if isinstance(snapshot, (str, os.PathLike)) and str(snapshot):
        path = Path(snapshot)
        if path.exists() and not path.is_dir():
            raise InvalidArgumentError("snapshot", str(snapshot), "names a file, not a folder",
                                       "pass 'memory', 'disk' or a folder path.")
        text = str(snapshot)
        explicit = (not isinstance(snapshot, str) or os.sep in text or (os.altsep or os.sep) in text
                    or text.startswith(("~", ".")))
        if not path.exists() and not explicit:
            import difflib

            near = difflib.get_close_matches(text, ["memory", "disk"], n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise InvalidArgumentError("snapshot", text, "must be 'memory', 'disk', an existing folder or a path",
                                       f"{hint}For a new folder, write it as a path, e.g. './{text}'.")
        return path.expanduser()
    raise InvalidArgumentError("snapshot", snapshot, "must be 'memory', 'disk' or a folder path",
                               "e.g. snapshot='disk' for a temporary directory.")


def _check_scaler(grad_scaler) -> None:
    """A ``grad_scaler`` must be a ``torch.amp.GradScaler`` (or behave like one)."""
    if grad_scaler is None:
        return
    missing = [m for m in ("scale", "step", "update", "state_dict", "load_state_dict")
               if not callable(getattr(grad_scaler, m, None))]
    if missing:
        raise InvalidArgumentError("grad_scaler", type(grad_scaler).__name__,
                                   f"must be a torch.amp.GradScaler (it lacks {', '.join(missing)})",
                                   "pass torch.amp.GradScaler('cuda') for mixed precision, or leave it None.")


def _check_common(model, optimizer, loss_fn, train_loader, train_step, accumulation_steps, device, metric):
    if not isinstance(model, torch.nn.Module):
        raise InvalidArgumentError("model", type(model).__name__, "must be a torch.nn.Module",
                                   "pass your network, e.g. find_lr(model, optimizer, loss_fn, loader).")
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        name = optimizer.__name__
        shown = f"torch.optim.{name}" if getattr(torch.optim, name, None) is optimizer else name
        raise InvalidArgumentError("optimizer", f"the class {name}", "must be an optimizer instance",
                                   f"build it on the model's parameters: {shown}(model.parameters(), lr=...).")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise InvalidArgumentError("optimizer", type(optimizer).__name__, "must be a torch.optim.Optimizer",
                                   "pass e.g. torch.optim.SGD(model.parameters(), lr=0.01).")
    if loss_fn is not None and not callable(loss_fn):
        swapped = callable(train_loader) and hasattr(loss_fn, "__iter__")
        raise InvalidArgumentError("loss_fn", loss_fn, "must be callable: loss_fn(model(x), y) -> scalar loss",
                                   "loss_fn and train_loader look swapped: the order is find_lr(model, optimizer, "
                                   "loss_fn, train_loader)." if swapped else
                                   "pass e.g. torch.nn.CrossEntropyLoss(); or None when the model computes its own "
                                   "loss from dict batches (model(**batch).loss); or train_step=...")
    if train_step is not None and not callable(train_step):
        raise InvalidArgumentError("train_step", train_step, "must be callable: train_step(model, batch) -> loss",
                                   "pass a function or leave it None.")
    if metric is not None and not callable(metric):
        raise InvalidArgumentError("metric", metric, "must be callable: metric(outputs, targets) -> float",
                                   "pass e.g. an accuracy function.")
    if not isinstance(train_loader, Iterable):
        raise InvalidArgumentError("train_loader", type(train_loader).__name__, "must be iterable (yield batches)",
                                   "pass a torch DataLoader or a list of (x, y) batches.")
    accumulation_steps = v.integer("accumulation_steps", accumulation_steps, minimum=1)
    # every trainable parameter must be in the optimizer
    in_opt = {id(p) for g in optimizer.param_groups for p in g["params"]}
    missing = [n for n, p in model.named_parameters() if p.requires_grad and id(p) not in in_opt]
    if missing:
        shown = ", ".join(repr(n) for n in missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise InvalidArgumentError(
            "optimizer", f"{len(missing)} missing parameters ({shown})",
            "must hold every model parameter that requires grad, or the sweep would not train them",
            "build the optimizer from model.parameters(), or freeze those parameters with requires_grad_(False).")
    step_params = inspect.signature(optimizer.step).parameters
    closure = step_params.get("closure")
    if closure is not None and closure.default is inspect.Parameter.empty:
        raise InvalidArgumentError(
            "optimizer", type(optimizer).__name__, "must step without a closure (this one re-evaluates the loss "
            "several times per step, so a step's loss does not belong to one LR)",
            "use a first-order optimizer (SGD, Adam, AdamW, ...) for the range test.")
    lr0 = optimizer.param_groups[0].get("lr")
    if isinstance(lr0, torch.Tensor) and lr0.numel() == 1 and lr0.is_floating_point():
        lr0 = float(lr0)    # a tensor LR (compiled or capturable steps) is set in place
    if not isinstance(lr0, (int, float)) or isinstance(lr0, bool) or not math.isfinite(lr0) or lr0 <= 0:
        raise InvalidArgumentError(
            "optimizer", f"param_groups[0]['lr']={lr0!r}",
            "must have a positive, finite float LR in its first parameter group (the reference of the per-group ratios)",
            "give the first group any positive lr, e.g. lr=0.01; the sweep overrides it and keeps the ratios.")
    first = next(model.parameters(), None)
    model_device = first.device if first is not None else torch.device("cpu")
    if device is None:
        device = model_device
    else:
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise InvalidArgumentError("device", device, f"is not a torch device ({exc})",
                                       "pass e.g. 'cpu' or 'cuda:0', or leave it None.") from exc
        if device.type != model_device.type:
            raise InvalidArgumentError(
                "device", str(device), f"must be where the model is (its parameters are on {model_device})",
                f"move the model first (model.to({str(device)!r}), then build the optimizer), or leave device None.")
    return accumulation_steps, device


# --------------------------------------------------------------------------- stepping


def _steps_per_epoch(loader, accumulation_steps: int) -> int | None:
    try:
        n = len(loader)
    except TypeError:
        return None
    return max(1, n // accumulation_steps) if n else None


def _reseed(seed: int, generators: list[torch.Generator]) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    for g in generators:
        g.manual_seed(seed)


# --------------------------------------------------------------------------- public API


class _Trainee:
    """The engine's view of a torch training (:class:`lrscope.runner.Trainee`): the stepper,
    the snapshot to go back to, and the validation loader. Under ``torch.distributed`` every
    loss and metric is the mean over the ranks, so every rank takes the same decisions."""

    def __init__(self, stepper: _Stepper, snap: Snapshot, model, val_loader=None, across=None):
        self.stepper, self.snap, self.model, self.val_loader = stepper, snap, model, val_loader
        self.ratios = stepper.ratios
        self.can_evaluate = val_loader is not None and stepper.can_evaluate
        self.spike_steps = ACCUMULATOR_SPIKE_STEPS if isinstance(stepper.optimizer, torch.optim.Adagrad) else 1
        self._across = across

    def begin(self, seed: int | None, restore: str) -> None:
        if restore != "none":
            self.snap.restore(rng=restore == "all")
        if seed is not None:
            _reseed(seed, self.snap._generators)
        self.stepper.reset_data()
        self.model.train()  # evaluate() puts the modes back after each validation

    def step(self, lr: float) -> tuple[float, float | None]:
        out = self.stepper.step(lr)
        return out if self._across is None else self._across.mean(out)

    def evaluate(self) -> tuple[float | None, float | None]:
        out = self.stepper.evaluate(self.val_loader)
        return out if self._across is None else self._across.mean(out)


def find_lr(
    model,
    optimizer=None,
    loss_fn=None,
    train_loader=None,
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10,
    num_steps: int = 100,
    mode: str = "exp",
    smoothing: float = 0.98,
    diverge_factor: float = 4.0,
    extend_decades: float = EXTEND_DECADES,
    confirm: bool = True,
    budget_steps: int | None = None,
    metric: Callable[[Any, Any], float] | None = None,
    val_loader=None,
    val_every: int | None = None,
    train_step: Callable[[Any, Any], Any] | None = None,
    eval_step: Callable[[Any, Any], dict] | None = None,
    accumulation_steps: int = 1,
    grad_scaler=None,
    device=None,
    snapshot: str | os.PathLike = "memory",
    repeats: int = 1,
    seed: int | None = None,
    distributed: bool | None = None,
    progress: bool = True,
) -> RangeTestResult:
    """Run the LR range test, confirm it with short runs, and answer per use; the model and optimizer are left untouched.

    1. **Sweep.** The LR of parameter group 0 at step i is
       ``start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))`` ("exp") or
       ``start_lr + (end_lr - start_lr) * i / (num_steps - 1)`` ("linear"); other groups keep
       their ratio to group 0. The sweep stops when the smoothed loss rises far above its
       best (see :mod:`lrscope.runner`) or the loss becomes NaN/inf. An exp sweep that has not
       diverged by ``end_lr`` carries on at the same rate up to ``end_lr * 10**extend_decades``.
    2. **Confirmation** (``confirm=True``): a few short constant-LR runs below the point where
       the sweep's loss turned up, each from your saved state, ranked by how far their loss
       fell (by the validation loss when ``val_loader`` is given); then two longer runs below
       the best of them (``result.confirm_long``), ranked the same way. The answers per use
       (``result.lr``, ``result.one_cycle_max_lr``, ``result.clr``) come from the best longer
       run; see :mod:`lrscope.analysis._policy` and ``docs/suggestions.md``. A model that
       cannot train (no gradient reaches the optimizer's parameters) is refused at the first
       step with the cause named.

    Everything (weights, buffers, gradients, optimizer state, RNGs, loader generators) is
    restored bit for bit at the end, also on errors and Ctrl-C. ``result.cost_steps`` counts
    every optimizer step taken (sweep and confirmation runs).

    Args:
        model: a ``torch.nn.Module`` (already on its device).
        optimizer: its optimizer; every parameter that requires grad must be in it.
        loss_fn: ``loss_fn(model(x), y) -> scalar tensor``; None with ``train_step``, or when the
            model computes its own loss from dict batches (``model(**batch).loss``, as Hugging
            Face models do).
        train_loader: re-iterable batches: ``(x, y)``, ``(x1, x2, ..., y)`` or dicts (the targets
            under ``labels``, ``label``, ``targets``, ``target`` or ``y``); cycled when shorter
            than the sweep.
        start_lr: first LR of group 0 (> 0).
        end_lr: last planned LR of group 0 (> start_lr).
        num_steps: optimizer steps planned up to ``end_lr`` (10 to 1,000,000).
        mode: "exp" (geometric) or "linear" (never extended).
        smoothing: debiased-EMA factor in [0, 1) for the smoothed loss (0: none).
        diverge_factor: stop when the smoothed loss exceeds its best by (factor - 1) x |best| (> 1).
        extend_decades: how far past ``end_lr`` a sweep that has not diverged carries on
            (decades, >= 0; 0: stop at ``end_lr``).
        confirm: run the confirmation stage (False: answers from the sweep's curve alone,
            by ``lrscope.analysis.DEFAULT_RULES``).
        budget_steps: the planned training length in optimizer steps, if known; the
            confirmation runs then last a fixed fraction of it and the answers are tuned to it.
        metric: ``metric(outputs, targets) -> float`` (higher is better), recorded per step
            (default step only) and on validation.
        val_loader: a small, fixed validation loader: ranks the confirmation runs by their
            validation loss, and is evaluated during the sweep when ``val_every`` is set.
        val_every: evaluate the whole ``val_loader`` after every ``val_every`` sweep steps.
        train_step: ``train_step(model, batch) -> loss`` replacing the default forward pass.
        accumulation_steps: micro-batches per optimizer step (>= 1).
        grad_scaler: a ``torch.amp.GradScaler`` for mixed precision (its state is restored).
        device: where batches go; None: the device of the model's first parameter.
        snapshot: "memory", "disk" (temporary directory, removed) or a folder path.
        repeats: number of sweeps (1 to 100); with > 1 the sweep's curve is their median.
        seed: seeds python/numpy/torch and the loader's generator before each sweep
            (``seed + k`` for repeat k) and before each confirmation run; None keeps the
            current RNG streams (every confirmation run replays the same batches).
        distributed: run across the processes of ``torch.distributed`` (None: when it is
            initialised). Every rank calls ``find_lr`` with its own shard of the data and
            steps in lockstep; the loss (and metric) of each step is averaged across ranks
            before smoothing and every decision, so every rank gets the same result and
            restores its own state. ``result.world_size`` and ``result.batch_size`` (the
            global batch) are recorded: an LR found at one batch size does not carry over
            to another.
        progress: show a progress bar on stderr.

    Returns:
        A :class:`lrscope.analysis.RangeTestResult`.

    Raises:
        InvalidArgumentError: bad arguments or data (the message names the fix).
        RangeTestError: the loss was NaN/inf at the very first step, or train_step failed.

    Example (a tiny regression)::

        >>> import torch, lrscope
        >>> _ = torch.manual_seed(0)
        >>> x = torch.randn(64, 3); y = x @ torch.tensor([1.0, -2.0, 0.5])
        >>> data = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
        >>> model = torch.nn.Linear(3, 1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> res = lrscope.find_lr(model, opt, lambda out, t: ((out.squeeze(1) - t) ** 2).mean(),
        ...                       data, start_lr=1e-4, end_lr=10, num_steps=30, progress=False)
        >>> float(res.lrs[0]), res.lr is not None, res.cost_steps > len(res.lrs)
        (0.0001, True, True)
        >>> opt.param_groups[0]["lr"]
        0.1
    """
    model, optimizer, loss_fn, train_loader, given = _from_task(
        model, optimizer, loss_fn, train_loader,
        dict(metric=metric, val_loader=val_loader, train_step=train_step, eval_step=eval_step))
    metric, val_loader, train_step, eval_step = (given[k] for k in ("metric", "val_loader", "train_step", "eval_step"))
    plan = plan_range_test(start_lr=start_lr, end_lr=end_lr, num_steps=num_steps, mode=mode, smoothing=smoothing,
                           diverge_factor=diverge_factor, extend_decades=extend_decades, confirm=confirm,
                           budget_steps=budget_steps, repeats=repeats, seed=seed, val_every=val_every)
    if plan.val_every is not None:
        if val_loader is None:
            raise InvalidArgumentError("val_loader", None, "is required when val_every is set",
                                       "pass a small validation loader, or leave val_every None.")
        if loss_fn is None and eval_step is None and train_step is not None:
            raise InvalidArgumentError("loss_fn", None, "or eval_step is required for validation with train_step",
                                       "pass loss_fn (scored as loss_fn(model(x), y)), or eval_step(model, batch) "
                                       "returning {'loss': ..., 'metric': ...}, or leave val_every None.")
    where = _check_snapshot(snapshot)
    _check_scaler(grad_scaler)
    accumulation_steps, device = _check_common(model, optimizer, loss_fn, train_loader, train_step,
                                               accumulation_steps, device, metric)
    if eval_step is not None and not callable(eval_step):
        raise InvalidArgumentError("eval_step", eval_step, "must be callable: eval_step(model, batch) -> dict",
                                   "pass a function or leave it None.")
    across = _dist.ranks(distributed)
    stepper = _Stepper(model, optimizer, loss_fn, train_loader, train_step=train_step,
                       accumulation_steps=accumulation_steps, grad_scaler=grad_scaler, device=device, metric=metric,
                       eval_step=eval_step)
    fields = dict(metric_name=(getattr(metric, "__name__", "metric") if metric is not None else None),
                  iterations_per_epoch=_steps_per_epoch(train_loader, accumulation_steps),
                  optimizer=type(optimizer).__name__, beta2=_beta2(optimizer),
                  momentum=_momentum(optimizer),
                  world_size=1 if across is None else across.world_size,
                  batch_size=_dist.global_batch_size(train_loader, accumulation_steps, across))
    with Snapshot(model, optimizer, [train_loader], grad_scaler, where) as snap:
        # the validation loss ranks the confirmation runs when it can be computed
        trainee = _Trainee(stepper, snap, model, val_loader, across)
        return range_test(trainee, plan, progress=progress and (across is None or across.rank == 0), **fields)


def probe(
    model,
    optimizer=None,
    loss_fn=None,
    train_loader=None,
    lrs=(0.1, 0.01, 0.001, 0.0001),
    steps: int = 30,
    *,
    diverge_factor: float = 4.0,
    slow_ratio: float = 0.5,
    train_step: Callable[[Any, Any], Any] | None = None,
    accumulation_steps: int = 1,
    grad_scaler=None,
    device=None,
    snapshot: str | os.PathLike = "memory",
    seed: int | None = None,
    progress: bool = False,
) -> ProbeResult:
    """Short constant-LR runs from the same starting state, each with a verdict.

    Every run starts from the saved state (weights, optimizer, RNG, batch order), trains
    ``steps`` optimizer steps at one LR (group 0; other groups keep their ratio) and records
    the loss; a run stops at the first NaN/inf. The state is restored before each run and at
    the end. Verdicts (explodes / too slow / good) follow :mod:`lrscope.analysis.probe`.

    Args:
        model, optimizer, loss_fn, train_loader: as for :func:`find_lr`.
        lrs: the LRs to try (each > 0).
        steps: optimizer steps per run (2 to 1,000,000).
        diverge_factor: a run "explodes" when its loss rises above
            ``start + (diverge_factor - 1) * |start|`` (> 1).
        slow_ratio: a run is "too slow" when its loss drop is below ``slow_ratio`` times the
            best run's drop (in (0, 1)).
        train_step, accumulation_steps, grad_scaler, device, snapshot: as for :func:`find_lr`.
        seed: seeds the RNGs and loader generators before every run (None: every run replays
            the current RNG state).
        progress: show a progress bar on stderr.

    Returns:
        A :class:`lrscope.analysis.probe.ProbeResult`.
    """
    model, optimizer, loss_fn, train_loader, given = _from_task(model, optimizer, loss_fn, train_loader,
                                                                dict(train_step=train_step))
    train_step = given["train_step"]
    lr_list = v.positive_list("lrs", lrs, "lrs=(0.1, 0.01, 0.001)")
    steps = v.integer("steps", steps, minimum=2, maximum=MAX_STEPS)
    diverge_factor = v.finite("diverge_factor", diverge_factor)
    if not diverge_factor > 1.0:
        raise InvalidArgumentError("diverge_factor", diverge_factor, "must be > 1", "use e.g. diverge_factor=4.")
    slow_ratio = v.fraction("slow_ratio", slow_ratio)
    if seed is not None:
        seed = v.integer("seed", seed, minimum=0)
    where = _check_snapshot(snapshot)
    _check_scaler(grad_scaler)
    accumulation_steps, device = _check_common(model, optimizer, loss_fn, train_loader, train_step,
                                               accumulation_steps, device, None)
    stepper = _Stepper(model, optimizer, loss_fn, train_loader, train_step=train_step,
                       accumulation_steps=accumulation_steps, grad_scaler=grad_scaler, device=device, metric=None)
    bar = None
    if progress:
        tqdm = v.require("tqdm", "the probe's progress bar", "torch")
        import sys

        bar = tqdm.tqdm(total=len(lr_list) * steps, desc="lrscope probe", unit="step", file=sys.stderr, leave=False)
    try:
        with Snapshot(model, optimizer, [train_loader], grad_scaler, where) as snap:
            curves, _ = short_runs(_Trainee(stepper, snap, model), lr_list, steps, seed=seed, bar=bar)
    finally:
        if bar is not None:
            bar.close()
    return ProbeResult(lrs=np.asarray(lr_list, dtype=float), curves=tuple(curves), steps=steps,
                       diverge_factor=diverge_factor, slow_ratio=slow_ratio)
