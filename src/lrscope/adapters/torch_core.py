"""The one torch training core: a step of the user's training and the evaluation of a loader.

``find_lr``, ``probe`` and the search's trials all drive the model through :class:`Stepper`,
so whatever one of them supports (dict batches, the user's ``train_step`` and ``eval_step``,
gradient accumulation, a ``GradScaler``, several parameter groups at their ratios) all do.

The ``train_step`` contract: ``train_step(model, batch)`` either calls ``loss.backward()``
itself (then clips, etc.) and returns the loss detached, or returns a loss that still has
its graph, and lrscope calls ``backward()``; never both. Breaking it is an error at the first
step. ``eval_step(model, batch) -> {"loss": ..., "metric": ...}`` (either key may be
missing; ``"n"``, the batch's size, weights the mean) evaluates a validation batch of any
shape; without it a validation batch must be ``(inputs, targets)`` and is scored with
``loss_fn(model(inputs), targets)`` and ``metric(model(inputs), targets)``.

Without ``train_step`` a batch is read as fastai reads it: ``(inputs, targets)`` calls
``model(inputs)``, and a batch of three or more parts ``(x1, x2, ..., targets)`` calls
``model(x1, x2, ...)``. When ``inputs`` is itself a tuple or list (``((x1, x2), targets)``) or a
dict, and ``model(inputs)`` fails, ``model(*inputs)`` (``model(**inputs)``) is tried; what worked
on the first batch is kept for the rest.

A dict batch (any mapping, e.g. a Hugging Face ``BatchEncoding``) is read by its keys:

- with ``loss_fn``: its one targets key (:data:`TARGET_KEYS`: ``labels``, ``label``,
  ``targets``, ``target`` or ``y``) gives the targets and the other keys the inputs:
  ``model(value)`` for a single input key, else the dict of inputs as above;
- with ``loss_fn=None`` (and no ``train_step``): the model computes its own loss, as Hugging
  Face models do: ``model(**batch)`` returns the loss itself, an output with ``.loss`` or a
  ``"loss"`` key, or a tuple that starts with it. A ``metric`` then gets
  ``metric(output, batch[targets key])``.

The same reading scores validation batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ..errors import InvalidArgumentError, LRScopeError, RangeTestError
from .torch_scheduler import set_group_value

__all__ = ["Stepper", "TARGET_KEYS"]

#: the keys a dict batch's targets may go by (Hugging Face's "labels" first); the other keys are the inputs
TARGET_KEYS = ("labels", "label", "targets", "target", "y")


def _to_device(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch if batch.device == device else batch.to(device, non_blocking=True)
    if isinstance(batch, Mapping):
        return {k: _to_device(val, device) for k, val in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to_device(val, device) for val in batch) if not hasattr(batch, "_fields") \
            else type(batch)(*(_to_device(val, device) for val in batch))
    return batch


class _Inputs(tuple):
    """The inputs of a batch of three or more parts: all of them but the last, which is the
    target (fastai's convention); the model is called with them as separate arguments."""


def _target_key(batch: Mapping, loader: str, needed_by: str) -> str:
    """The one key of a dict batch among :data:`TARGET_KEYS`, or an error naming ``loader``."""
    keys = [k for k in TARGET_KEYS if k in batch]
    if len(keys) == 1 and len(batch) >= 2:
        return keys[0]
    found = f"both {keys[0]!r} and {keys[1]!r}" if len(keys) > 1 else "none of them" if not keys else "no input key"
    raise InvalidArgumentError(
        loader, f"a dict batch with keys {sorted(map(str, batch))}",
        f"needs exactly one targets key ({', '.join(TARGET_KEYS)}) beside its inputs for {needed_by}; it has {found}",
        "rename the targets' key; or pass loss_fn=None when the model computes its own loss from the batch "
        "(model(**batch).loss, as Hugging Face models do); or pass "
        + ("eval_step=lambda model, batch: {'loss': ...}." if loader == "val_loader"
           else "train_step=lambda model, batch: ... returning the loss."))


def _xy(batch: Any, loader: str = "train_loader") -> tuple[Any, Any]:
    if isinstance(batch, Mapping):
        key = _target_key(batch, loader, "loss_fn(model(inputs), targets)")
        inputs = {k: val for k, val in batch.items() if k != key}
        return (next(iter(inputs.values())) if len(inputs) == 1 else inputs), batch[key]
    if isinstance(batch, (list, tuple)) and len(batch) >= 2:
        if len(batch) == 2:
            return batch[0], batch[1]
        return _Inputs(batch[:-1]), batch[-1]
    if loader == "val_loader":
        raise InvalidArgumentError(
            "val_loader", f"a batch of type {type(batch).__name__}",
            "must yield (inputs, targets) pairs or dicts: validation computes loss_fn(model(inputs), targets)",
            "give a validation loader of (inputs, targets) batches, or leave val_loader None.")
    raise InvalidArgumentError(
        "train_loader", f"a batch of type {type(batch).__name__}",
        "must yield (inputs, targets) pairs, (x1, x2, ..., targets) tuples or dicts for the default step",
        "pass train_step=lambda model, batch: ... returning the loss.")


def _loss_of_output(out: Any) -> Any:
    """The loss a model returned itself (``loss_fn=None``): the output, its ``.loss``, its
    ``"loss"`` key or its first element, whichever is a one-element tensor; None otherwise."""
    def one(v):
        return isinstance(v, torch.Tensor) and v.numel() == 1
    for cand in (out, getattr(out, "loss", None), out.get("loss") if isinstance(out, Mapping) else None,
                 out[0] if isinstance(out, (list, tuple)) and out else None):
        if one(cand):
            return cand
    return None


def _metric_value(metric, out, y) -> float:
    """The user's metric as a float, or a clear error naming ``metric``."""
    try:
        value = metric(out, y)
    except LRScopeError:
        raise
    except Exception as exc:
        raise InvalidArgumentError("metric", getattr(metric, "__name__", type(metric).__name__),
                                   f"must accept (outputs, targets); it raised {type(exc).__name__}: {exc}",
                                   "check the metric against the model's outputs and the targets.") from exc
    return _as_metric(value, "metric")


def _as_metric(value, name: str) -> float:
    """A metric value (a number or a one-element tensor) as a float, or an error naming ``name``."""
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        raise InvalidArgumentError(name, f"a metric of type {type(value).__name__} ({value!r:.40})",
                                   "must return a number (higher is better), e.g. an accuracy",
                                   "return a float or a one-element tensor, e.g. (out.argmax(1) == y).float().mean()."
                                   ) from None


class Stepper:
    """One optimizer step over a cycling loader (at a given LR, or at the optimizer's own), and
    the evaluation of a validation loader; see the module docstring for the step contracts."""

    def __init__(self, model, optimizer, loss_fn, loader, *, train_step=None, accumulation_steps: int = 1,
                 grad_scaler=None, device=None, metric=None, eval_step=None):
        self.model, self.optimizer, self.loss_fn, self.loader = model, optimizer, loss_fn, loader
        self.train_step, self.acc, self.scaler = train_step, accumulation_steps, grad_scaler
        self.device, self.metric, self.eval_step = device, metric, eval_step
        lr0 = float(optimizer.param_groups[0]["lr"])
        self.ratios = [float(g["lr"]) / lr0 for g in optimizer.param_groups]
        self._it = None
        self._served = 0
        self._grads_checked = False
        self._unpack: bool | None = None  # model(*inputs) for a tuple/dict of inputs; None until a batch decides

    def group_lrs(self, lr: float) -> list[float]:
        return [lr * r for r in self.ratios]

    def reset_data(self) -> None:
        self._it = None
        self._served = 0

    def _next_batch(self) -> Any:
        if self._it is not None:
            try:
                batch = next(self._it)
                self._served += 1
                return batch
            except StopIteration:
                pass
        self._it = iter(self.loader)  # (re)start: cycles a loader shorter than the sweep
        try:
            batch = next(self._it)
        except StopIteration:
            if self._served:
                raise InvalidArgumentError(
                    "train_loader", f"a one-shot iterator exhausted after {self._served} batches",
                    "must be re-iterable when it is shorter than the sweep",
                    "pass a DataLoader or a list of batches, or lower num_steps.") from None
            raise InvalidArgumentError("train_loader", "an empty loader", "yields no batches",
                                       "pass a loader with at least one batch (check the dataset and drop_last).") from None
        self._served += 1
        return batch

    def _forward(self, batch) -> tuple[Any, float | None]:
        batch = _to_device(batch, self.device)
        if self.train_step is not None:
            try:
                return self.train_step(self.model, batch), None
            except LRScopeError:
                raise
            except Exception as exc:  # any error of the user's step, wrapped the same way
                raise RangeTestError(f"train_step failed on a batch from train_loader ({type(exc).__name__}: {exc}). "
                                     "Fix: check train_step against the loader's batches.") from exc
        if self.loss_fn is None:
            return self._model_loss(batch, "train_loader")
        x, y = _xy(batch)
        try:
            out = self._call_model(x)
        except LRScopeError:
            raise
        except Exception as exc:
            call = f"model({', '.join(f'x{i + 1}' for i in range(len(x)))})" if isinstance(x, _Inputs) else "model(x)"
            raise InvalidArgumentError(
                "train_loader", f"a batch with inputs {_describe(x)}",
                f"must be something the model can take; {call} raised {type(exc).__name__}: {exc}",
                _one_sample_fix(exc) or "check the input shapes (a batch of three or more parts is read as (x1, x2, "
                "..., targets)), or pass train_step=lambda model, batch: ... for sample weights or any other "
                "reading of the batch.") from exc
        try:
            loss = self.loss_fn(out, y)
        except LRScopeError:
            raise
        except Exception as exc:
            raise InvalidArgumentError(
                "loss_fn", type(self.loss_fn).__name__,
                f"must accept (model(x), y); model(x) gave {_describe(out)} and the targets are {_describe(y)}; it raised "
                f"{type(exc).__name__}: {exc}", _loss_fix(out)) from exc
        metric = None
        if self.metric is not None:
            with torch.no_grad():
                metric = _metric_value(self.metric, out.detach(), y)
        return loss, metric

    def _model_loss(self, batch: Any, loader: str) -> tuple[Any, float | None]:
        """``loss_fn=None``: the model computes its own loss from a dict batch, ``model(**batch)``
        (the Hugging Face convention). Returns (the loss, the metric or None)."""
        if not isinstance(batch, Mapping):
            raise InvalidArgumentError(
                "loss_fn", None, f"must be given for batches of type {type(batch).__name__}: without it the model "
                "must compute its own loss from a dict batch, model(**batch).loss, as Hugging Face models do",
                "pass loss_fn, e.g. torch.nn.CrossEntropyLoss(), or train_step=lambda model, batch: ...")
        try:
            out = self.model(**batch)
        except LRScopeError:
            raise
        except Exception as exc:
            raise InvalidArgumentError(
                loader, f"a dict batch with keys {sorted(map(str, batch))}",
                f"must be something the model takes as keywords (loss_fn=None: model(**batch)); it raised "
                f"{type(exc).__name__}: {exc}", _one_sample_fix(exc) or "check the batch's keys against the model's "
                "forward(), or pass loss_fn (targets under 'labels', 'label', 'targets', 'target' or 'y').") from exc
        loss = _loss_of_output(out)
        if loss is None:
            raise InvalidArgumentError(
                "loss_fn", None, f"needs the model to return its loss, but model(**batch) returned "
                f"{_describe(out)} without one", "put the labels in the batch (e.g. a 'labels' key) so that the "
                "model computes its loss, or pass loss_fn (e.g. torch.nn.CrossEntropyLoss()).")
        metric = None
        if self.metric is not None:
            y = batch[_target_key(batch, loader, "metric(outputs, targets)")]
            with torch.no_grad():
                metric = _metric_value(self.metric, out, y)
        return loss, metric

    def _call_model(self, x: Any) -> Any:
        """``model(x)``; ``model(*x)`` for the inputs of a batch of three or more parts, and for a
        tuple, list or dict of inputs that ``model(x)`` does not take (tried once, then kept)."""
        if isinstance(x, _Inputs):
            return self.model(*x)
        spreadable = isinstance(x, (list, tuple, dict)) and len(x) > 0
        if spreadable and self._unpack:
            return self.model(**x) if isinstance(x, dict) else self.model(*x)
        try:
            out = self.model(x)
        except LRScopeError:
            raise
        except Exception as first:
            if not spreadable or self._unpack is not None:
                raise
            try:
                out = self.model(**x) if isinstance(x, dict) else self.model(*x)
            except Exception:
                raise first from None  # neither way worked: report the plain call's error
            self._unpack = True
            return out
        self._unpack = False
        return out

    def step(self, lr: float | None = None) -> tuple[float, float | None]:
        """One optimizer step (``accumulation_steps`` micro-batches); every group's LR is ``lr``
        times its ratio, or, with ``lr=None``, what the optimizer (or a scheduler) has set.
        Returns (the mean loss, the mean metric or None)."""
        if lr is not None:
            for group, glr in zip(self.optimizer.param_groups, self.group_lrs(lr)):
                set_group_value(group, "lr", glr)
        self.optimizer.zero_grad(set_to_none=True)
        total, metrics = 0.0, []
        for micro in range(self.acc):
            loss, metric = self._forward(self._next_batch())
            if not self._grads_checked and micro == 0 and self.train_step is not None:
                _check_step_contract(self.optimizer, loss)
            value = _scalar(loss)
            if isinstance(loss, torch.Tensor) and loss.requires_grad:
                scaled = loss / self.acc if self.acc > 1 else loss
                (self.scaler.scale(scaled) if self.scaler is not None else scaled).backward()
            total += value
            if metric is not None:
                metrics.append(metric)
        if not self._grads_checked:   # the first step, before anything changes
            _check_gradients(self.model, self.optimizer, loss, self.train_step is not None)
            self._grads_checked = True
        try:
            if self.scaler is not None:
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                self.optimizer.step()
        except torch.OutOfMemoryError:
            raise
        except RuntimeError as exc:
            raise InvalidArgumentError(
                "optimizer", type(self.optimizer).__name__,
                f"failed to step ({exc})",
                "check that the optimizer suits the model (e.g. SparseAdam needs sparse gradients, "
                "nn.Embedding(sparse=True)); use SGD, Adam or AdamW otherwise.") from exc
        return total / self.acc, (float(np.mean(metrics)) if metrics else None)

    @property
    def can_evaluate(self) -> bool:
        """Whether a validation loss can be computed (``eval_step`` or ``loss_fn``)."""
        return self.eval_step is not None or self.loss_fn is not None or self.train_step is None

    @property
    def has_metric(self) -> bool:
        """Whether evaluation gives a metric (``metric``, or possibly ``eval_step``)."""
        return self.metric is not None or self.eval_step is not None

    def evaluate(self, val_loader) -> tuple[float | None, float | None]:
        """(mean loss, mean metric) over the whole validation loader, in eval mode, without grad;
        either is None when nothing computes it. Batches are weighted by their size."""
        was_training = [(m, m.training) for m in self.model.modules()]
        self.model.eval()
        tot_loss, tot_metric, n_loss, n_metric = 0.0, 0.0, 0, 0
        try:
            with torch.no_grad():
                for batch in val_loader:
                    loss, metric, n = self._eval_batch(_to_device(batch, self.device))
                    if loss is not None:
                        tot_loss, n_loss = tot_loss + loss * n, n_loss + n
                    if metric is not None:
                        tot_metric, n_metric = tot_metric + metric * n, n_metric + n
        finally:
            for m, mode in was_training:
                m.training = mode
        if n_loss == 0 and n_metric == 0:
            raise InvalidArgumentError("val_loader", "an empty loader",
                                       "yields no batches (or eval_step returned neither a loss nor a metric)",
                                       "pass a small non-empty validation loader, or leave val_every None.")
        return (tot_loss / n_loss if n_loss else None), (tot_metric / n_metric if n_metric else None)

    def _eval_batch(self, batch) -> tuple[float | None, float | None, int]:
        if self.eval_step is not None:
            try:
                got = self.eval_step(self.model, batch)
            except LRScopeError:
                raise
            except Exception as exc:
                raise RangeTestError(f"eval_step failed on a batch from val_loader ({type(exc).__name__}: {exc}). "
                                     "Fix: check eval_step against the validation loader's batches.") from exc
            if not isinstance(got, dict) or not ({"loss", "metric"} & set(got)):
                raise InvalidArgumentError(
                    "eval_step", f"a {type(got).__name__}", 'must return a dict with "loss" and/or "metric"',
                    'return e.g. {"loss": loss, "metric": accuracy, "n": batch_size}.')
            loss = None if got.get("loss") is None else _scalar(got["loss"])
            metric = None if got.get("metric") is None else _as_metric(got["metric"], "eval_step")
            return loss, metric, int(got.get("n", 1))
        if self.loss_fn is None:
            if self.train_step is not None:
                raise InvalidArgumentError("val_loader", "a validation loader without loss_fn or eval_step",
                                           "needs loss_fn(model(x), y) or eval_step(model, batch) to be scored",
                                           "pass eval_step=lambda model, batch: {'loss': ..., 'metric': ...}.")
            loss, metric = self._model_loss(batch, "val_loader")
            sizes = [len(v) for v in batch.values() if isinstance(v, torch.Tensor) and v.ndim > 0]
            return _scalar(loss), metric, (sizes[0] if sizes else 1)
        x, y = _xy(batch, "val_loader")
        out = self._call_model(x)
        n = len(y) if hasattr(y, "__len__") else 1
        metric = _metric_value(self.metric, out, y) if self.metric is not None else None
        return _scalar(self.loss_fn(out, y)), metric, n


def _check_step_contract(optimizer, loss) -> None:
    """``train_step`` either calls backward itself or returns a loss with a graph, never both
    (lrscope would then call backward a second time: the gradients of the batch doubled, or
    torch's "backward through the graph a second time" error)."""
    stepped = any(p.grad is not None for g in optimizer.param_groups for p in g["params"])
    if stepped and isinstance(loss, torch.Tensor) and loss.requires_grad:
        raise InvalidArgumentError(
            "train_step", "a step that called backward() and returned a loss that still has its graph",
            "must do one of the two: call loss.backward() itself and return loss.detach(), or return the "
            "loss (with its graph) and let lrscope call backward()",
            "return loss.detach() after your backward() and clipping.")


def _check_gradients(model, optimizer, loss, own_step: bool) -> None:
    """Raise, naming the cause, when the first step's backward pass reached no parameter the
    optimizer updates: a sweep over such a model trains nothing, and its flat curve would
    otherwise be read as an answer."""
    params = [p for g in optimizer.param_groups for p in g["params"]]
    if any(p.grad is not None for p in params):
        return
    if torch.is_inference_mode_enabled():
        raise RangeTestError("The range test ran inside torch.inference_mode(), so no gradient can be computed and "
                             "nothing would train. Fix: call it outside the inference_mode block.")
    if not torch.is_grad_enabled():
        raise RangeTestError("The range test ran with gradients disabled (inside torch.no_grad() or "
                             "torch.set_grad_enabled(False)), so nothing would train. Fix: call it outside that block.")
    if not any(p.requires_grad for p in params):
        raise InvalidArgumentError(
            "optimizer", f"{type(optimizer).__name__} over {len(params)} tensors, all with requires_grad=False",
            "must update at least one trainable parameter (every one is frozen, so nothing would train)",
            "unfreeze the layers to tune (p.requires_grad_(True)), or build the optimizer over the trainable ones.")
    in_model = {id(p) for p in model.parameters()}
    if not any(id(p) in in_model for p in params):
        raise InvalidArgumentError(
            "optimizer", f"{type(optimizer).__name__} over {len(params)} tensors, none of them the model's",
            "must update the model's parameters (no gradient reached any tensor it holds)",
            "build the optimizer from this model: torch.optim.SGD(model.parameters(), lr=...).")
    detached = isinstance(loss, torch.Tensor) and not loss.requires_grad
    if own_step:
        raise InvalidArgumentError(
            "train_step", "a step after which no optimized parameter has a gradient",
            "must call loss.backward() itself, or return a loss that requires grad",
            "call backward() in train_step (then return loss.detach()), or return the loss tensor itself.")
    if detached or not isinstance(loss, torch.Tensor):
        raise InvalidArgumentError(
            "loss_fn", f"loss_fn(model(x), y) = a {type(loss).__name__}"
            + (" with requires_grad=False" if detached else " (not a tensor)"),
            "must return a tensor connected to the model's parameters (it has no grad_fn, so nothing would train)",
            "return the loss tensor itself, without .detach(), .item() or torch.no_grad().")
    raise RangeTestError("The first backward pass reached none of the parameters the optimizer updates, so nothing "
                         "would train. Fix: check that loss_fn uses the model's output and that the optimizer was "
                         "built from this model's parameters.")


def _one_sample_fix(exc: Exception) -> str | None:
    """The fix for a batch of one sample that a BatchNorm layer cannot train on (torch raises
    "Expected more than 1 value per channel when training"): the loader's last batch of an epoch
    holds one sample when the dataset's size is one more than a multiple of the batch size. None
    for any other error."""
    if "more than 1 value per channel" not in str(exc):
        return None
    return ("the batch holds one sample, and the model's BatchNorm cannot train on one (the last batch of an "
            "epoch does when the dataset's size is one more than a multiple of the batch size): pass "
            "drop_last=True to the DataLoader, or use another batch size.")


def _loss_fix(out: Any) -> str:
    """The fix named when ``loss_fn(model(x), y)`` raised."""
    if isinstance(out, (tuple, list)):
        return (f"the model returns {len(out)} outputs: pass a loss_fn that picks one, e.g. "
                "loss_fn=lambda out, y: criterion(out[0], y), or train_step=lambda model, batch: ...")
    if isinstance(out, Mapping):
        return ("the model returns a dict: pass a loss_fn that picks the logits, e.g. "
                f"loss_fn=lambda out, y: criterion(out[{next(iter(out), 'logits')!r}], y), or train_step=...")
    return ("check the targets' shape and dtype (class indices for CrossEntropyLoss are int64: y.long(); "
            "MSELoss wants the outputs' shape), or pass train_step=...")


def _describe(x: Any) -> str:
    if isinstance(x, torch.Tensor):
        return f"shape {tuple(x.shape)} dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(_describe(v) for v in x) + ")"
    if isinstance(x, Mapping):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in x.items()) + "}"
    return type(x).__name__


def _scalar(loss: Any) -> float:
    if isinstance(loss, torch.Tensor):
        if loss.numel() != 1:
            raise InvalidArgumentError(
                "loss", f"a tensor of shape {tuple(loss.shape)}", "must be a scalar (one number per step)",
                "reduce it, e.g. loss_fn with reduction='mean', or return loss.mean() from train_step.")
        return float(loss.detach())
    if isinstance(loss, (int, float)) and not isinstance(loss, bool):
        return float(loss)
    raise InvalidArgumentError("loss", type(loss).__name__, "must be a scalar tensor or a number",
                               "return the loss tensor from loss_fn / train_step.")


