"""Lightning adapter: lrscope's range test at the start of ``Trainer.fit`` (a callback) or before it.

:class:`LRScopeFinder` runs :func:`lrscope.find_lr` (the one range-test engine) in ``on_fit_start``,
once the strategy has set the optimizer up, with the trainer's own pieces:

* one training step is the module's ``training_step`` called through the strategy (so the
  precision plugin's autocast and the DDP wrapper are used), its loss divided by
  ``accumulate_grad_batches`` and passed to ``strategy.backward`` (the module's
  ``on_before_backward``/``backward``/``on_after_backward``), then, after the last
  micro-batch, ``on_before_optimizer_step`` and the trainer's gradient clipping; the engine
  steps ``trainer.optimizers[0]`` (through the precision plugin's grad scaler, if any);
* the batches are the trainer's training batches (its dataloader, sampler, limits), moved by
  the module's batch-transfer hooks; with ``validate=True`` the module's ``validation_step``
  scores the validation batches;
* ``self.log`` works inside those steps; what the sweep logs goes to a result collection of
  its own and is dropped, so nothing of it reaches the loggers, ``callback_metrics`` or
  ``logged_metrics`` of the fit.

Afterwards everything is as before the range test: weights, buffers, gradients, optimizer and
grad-scaler state, the RNGs and the loaders' generators (bit for bit, by the engine), and the
trainer's callbacks, loop progress (``global_step``, ``current_epoch``), logged metrics and
data loaders (rebuilt by the fit). Then the answer for ``use`` is applied to the optimizer,
every parameter group at its ratio to group 0: "constant" sets the LRs, "one_cycle" and
"clr" register a step-interval :class:`lrscope.torch.ScheduleLR` over
``trainer.estimated_stepping_batches`` with the trainer. The result stays on the callback
(``callback.result``) and in its checkpoint state, so a resumed fit gets the same schedule back
without a second range test.

:func:`find_lr` is the function form (like ``Tuner.lr_find``): a ``fit`` that stops after the
range test, leaving the module and the trainer ready for a normal ``trainer.fit``.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Mapping
from typing import Any

import torch
from lightning.pytorch import Callback, LightningModule, Trainer
from lightning.pytorch.core.optimizer import _MockOptimizer
from lightning.pytorch.trainer import call as _call
from lightning.pytorch.utilities.data import extract_batch_size
from lightning.pytorch.utilities.exceptions import _TunerExitException
from lightning.pytorch.utilities.rank_zero import rank_zero_warn
from lightning.pytorch.utilities.seed import isolate_rng
from lightning.pytorch.utilities.signature_utils import is_param_in_hook_signature
from lightning.pytorch.utilities.types import LRSchedulerConfig

from .. import _validate as v
from ..analysis import RangeTestResult
from ..errors import InvalidArgumentError, LRScopeError, RangeTestError
from ..runner import plan_range_test
from .torch_range_test import _loader_generators
from .torch_range_test import find_lr as _engine_find_lr

__all__ = ["LRScopeFinder", "find_lr", "USES"]

USES = ("one_cycle", "constant", "clr")

# find_lr arguments the callback fills in from the trainer, and where each comes from
_FROM_TRAINER = {
    "model": "the LightningModule",
    "optimizer": "configure_optimizers (trainer.optimizers[0])",
    "loss_fn": "the module's training_step",
    "train_loader": "the trainer's training dataloader",
    "train_step": "the module's training_step",
    "eval_step": "the module's validation_step (validate=True)",
    "val_loader": "the trainer's validation dataloader (validate=True)",
    "accumulation_steps": "Trainer(accumulate_grad_batches=...)",
    "grad_scaler": "the trainer's precision plugin",
    "device": "the strategy",
    "metric": "what the module logs",
}
_ENGINE_ARGS = tuple(n for n in inspect.signature(_engine_find_lr).parameters if n not in _FROM_TRAINER)
_PLAN_ARGS = tuple(inspect.signature(plan_range_test).parameters)


def _check_kwargs(kwargs: dict[str, Any]) -> None:
    """Unknown or trainer-owned keyword arguments are errors; the range-test settings are checked now,
    before ``fit`` starts."""
    for name in kwargs:
        if name in _FROM_TRAINER:
            raise InvalidArgumentError(name, kwargs[name], f"is taken from the Trainer ({_FROM_TRAINER[name]})",
                                       f"leave {name} out; set it on the Trainer or the LightningModule instead.")
        if name not in _ENGINE_ARGS:
            raise InvalidArgumentError(name, kwargs[name], "is not an argument of LRScopeFinder or lrscope.find_lr",
                                       f"use one of {sorted(_ENGINE_ARGS)}, or use/validate/val_loss_key/apply.")
    plan_range_test(**{k: val for k, val in kwargs.items() if k in _PLAN_ARGS})


# --------------------------------------------------------------------------- data


class _Item:
    """One batch with its indices, opaque to the engine (Lightning's hooks move batches to the device)."""

    __slots__ = ("batch", "batch_idx", "dataloader_idx")

    def __init__(self, batch, batch_idx, dataloader_idx):
        self.batch, self.batch_idx, self.dataloader_idx = batch, batch_idx, dataloader_idx


class _Batches:
    """A Lightning ``CombinedLoader`` as the engine's re-iterable loader: each pass yields one
    :class:`_Item` per batch. ``batch_size``, ``generator`` and ``sampler`` are those of the first
    dataloader (the engine records the batch size and keeps the batch order's generator)."""

    def __init__(self, combined, length: float | None = None):
        self.combined = combined
        self.multiple = len(combined.flattened) > 1
        first = combined.flattened[0] if combined.flattened else None
        self.batch_size = getattr(first, "batch_size", None)
        self.generator = getattr(first, "generator", None)
        self.sampler = getattr(first, "sampler", None)
        self.batch_sampler = getattr(first, "batch_sampler", None)
        self._length = length

    def __iter__(self):
        for batch, batch_idx, dataloader_idx in self.combined:
            yield _Item(batch, batch_idx, dataloader_idx if self.multiple else None)

    def __len__(self) -> int:
        if self._length is None or not math.isfinite(self._length):
            raise TypeError("the trainer's dataloader has no length")
        return int(self._length)


def _generators(combined) -> list[torch.Generator]:
    if combined is None:
        return []
    return [g for dl in combined.flattened for g in _loader_generators(dl)]


# --------------------------------------------------------------------------- the trainer's state


class _Isolated:
    """Saves what the sweep could change on the trainer (callbacks, stage, loop progress, logged
    results and metrics, loader generators) and puts it back; the data loaders are dropped so that
    the fit rebuilds them, as Lightning's own LR finder does."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer

    def __enter__(self) -> "_Isolated":
        t = self.trainer
        epoch_loop = t.fit_loop.epoch_loop
        conn = t._logger_connector
        self.callbacks = list(t.callbacks)
        self.stage = t.state.stage
        self.should_stop = t.should_stop
        self.loop_state = copy.deepcopy(t.fit_loop.state_dict())
        self.results = (epoch_loop._results, epoch_loop.val_loop._results)
        self.metrics = (dict(conn._callback_metrics), dict(conn._logged_metrics), dict(conn._progress_bar_metrics))
        self.current_fx = conn._current_fx
        self.fx_name = t.lightning_module._current_fx_name
        self.gen_states: list[tuple[torch.Generator, torch.Tensor]] = []
        t.callbacks = []   # the sweep is not a fit: no checkpointing, early stopping, monitors
        epoch_loop._results = type(self.results[0])(training=True)
        epoch_loop.val_loop._results = type(self.results[1])(training=False)
        return self

    def keep_generators(self, combined) -> None:
        self.gen_states += [(g, g.get_state()) for g in _generators(combined)]

    def __exit__(self, *exc) -> None:
        t = self.trainer
        fit_loop = t.fit_loop
        epoch_loop = fit_loop.epoch_loop
        conn = t._logger_connector
        for loader in (fit_loop._combined_loader, epoch_loop.val_loop._combined_loader):
            if loader is not None:
                loader.reset()   # shuts the sweep's dataloader workers down
        fit_loop._combined_loader = None
        fit_loop._data_fetcher = None   # it iterates the loader just dropped; the fit makes a new one
        epoch_loop.val_loop._combined_loader = None
        for g, state in self.gen_states:
            g.set_state(state)
        t.callbacks = self.callbacks
        t.state.stage = self.stage
        t.should_stop = self.should_stop
        epoch_loop._results, epoch_loop.val_loop._results = self.results
        for live, saved in zip((conn._callback_metrics, conn._logged_metrics, conn._progress_bar_metrics),
                               self.metrics):
            live.clear()
            live.update(saved)
        conn._current_fx = self.current_fx
        t.lightning_module._current_fx_name = self.fx_name
        if fit_loop.state_dict() != self.loop_state:
            fit_loop.load_state_dict(copy.deepcopy(self.loop_state))
            fit_loop.restarting = False
            fit_loop.epoch_loop.restarting = False


# --------------------------------------------------------------------------- the steps


def _training_loss(out: Any) -> torch.Tensor:
    """The loss of a ``training_step`` output (a tensor or a dict with "loss"), which must train."""
    loss = out.get("loss") if isinstance(out, Mapping) else out
    if out is None:
        raise InvalidArgumentError(
            "training_step", None, "must return the loss during the range test (returning None skips the batch, "
            "so a sweep step would train nothing)", "return the loss (or {'loss': loss}) for every batch.")
    if not isinstance(loss, torch.Tensor):
        what = f"a dict without 'loss' (keys {sorted(out)})" if isinstance(out, Mapping) else type(out).__name__
        raise InvalidArgumentError("training_step", what, "must return the loss tensor or a dict with 'loss'",
                                   "return loss or {'loss': loss} from training_step.")
    if not loss.requires_grad:
        raise InvalidArgumentError(
            "training_step", f"a loss with requires_grad=False (shape {tuple(loss.shape)})",
            "must return a loss connected to the module's parameters (nothing would train)",
            "return the loss tensor itself, without .detach(), .item() or torch.no_grad().")
    return loss


class _Steps:
    """The module's training and validation steps, as the engine's ``train_step``/``eval_step``."""

    def __init__(self, trainer: Trainer, optimizer, val_loss_key: str):
        self.trainer, self.optimizer, self.val_loss_key = trainer, optimizer, val_loss_key
        self.module = trainer.lightning_module
        self.acc = int(trainer.accumulate_grad_batches)
        self.scaler = getattr(trainer.precision_plugin, "scaler", None)
        self.train_idx = is_param_in_hook_signature(self.module.training_step, "batch_idx", min_args=2)
        self.val_idx = is_param_in_hook_signature(self.module.validation_step, "batch_idx", min_args=2)
        self._micro = 0

    def _to_device(self, batch, dataloader_idx: int):
        t = self.trainer
        batch = t.precision_plugin.convert_input(batch)
        batch = self.module._on_before_batch_transfer(batch, dataloader_idx=dataloader_idx)
        return _call._call_strategy_hook(t, "batch_to_device", batch, dataloader_idx=dataloader_idx)

    def train_step(self, _model, item: _Item) -> torch.Tensor:
        t = self.trainer
        try:
            batch = self._to_device(item.batch, 0)
            results = t.fit_loop.epoch_loop._results
            results.batch, results.batch_size, results.dataloader_idx = batch, None, None
            args = (batch, item.batch_idx) if self.train_idx else (batch,)
            loss = _training_loss(_call._call_strategy_hook(t, "training_step", *args))
            _call._call_strategy_hook(t, "backward", loss / self.acc if self.acc > 1 else loss, self.optimizer)
            self._micro += 1
            if self._micro % self.acc == 0:   # the last micro-batch: what Lightning does before a step
                if self.scaler is not None:
                    self.scaler.unscale_(self.optimizer)
                _call._call_lightning_module_hook(t, "on_before_optimizer_step", self.optimizer)
                _call._call_lightning_module_hook(t, "configure_gradient_clipping", self.optimizer,
                                                  gradient_clip_val=t.gradient_clip_val,
                                                  gradient_clip_algorithm=t.gradient_clip_algorithm)
        except LRScopeError:
            raise
        except Exception as exc:
            raise RangeTestError(f"the module's training_step failed during the range test ({type(exc).__name__}: "
                                 f"{exc}). Fix: check that training_step runs in a normal fit.") from exc
        return loss.detach()

    def eval_step(self, _model, item: _Item) -> dict:
        t = self.trainer
        val_loop = t.fit_loop.epoch_loop.val_loop
        idx = item.dataloader_idx
        try:
            batch = self._to_device(item.batch, idx or 0)
            results = type(val_loop._results)(training=False)   # one per batch: its logged mean is this batch's
            val_loop._results = results
            results.batch, results.batch_size, results.dataloader_idx = batch, None, idx
            args = [batch] + ([item.batch_idx] if self.val_idx else []) + ([idx] if idx is not None else [])
            t.validating = True
            try:
                out = _call._call_strategy_hook(t, "validation_step", *args)
            finally:
                t.training = True
            loss = out.get("loss") if isinstance(out, Mapping) else out
            logged = results.metrics(on_step=False)["callback"]
            if loss is None:
                key = self.val_loss_key if idx is None else f"{self.val_loss_key}/dataloader_idx_{idx}"
                loss = logged.get(key)
        except LRScopeError:
            raise
        except Exception as exc:
            raise RangeTestError(f"the module's validation_step failed during the range test ({type(exc).__name__}: "
                                 f"{exc}). Fix: check that validation_step runs in a normal fit.") from exc
        if loss is None:
            raise InvalidArgumentError(
                "validate", True, f"needs validation_step to return the loss or to log it as {self.val_loss_key!r} "
                f"(it returned {type(out).__name__} and logged {sorted(logged)})",
                "return the loss from validation_step, log it with self.log('val_loss', loss), "
                "or pass val_loss_key='<the name you log>'.")
        n = results.batch_size
        if not isinstance(n, int) or n <= 0:
            try:
                n = extract_batch_size(batch)
            except Exception:   # a batch Lightning cannot size: every batch weighs the same
                n = 1
        return {"loss": loss, "n": n}


# --------------------------------------------------------------------------- the callback


class LRScopeFinder(Callback):
    """Run lrscope's LR range test at the start of ``fit`` and train with its answer.

    In ``on_fit_start`` (the optimizer is set up by then) the callback runs
    :func:`lrscope.find_lr` with the module's own ``training_step`` (and ``validation_step``
    when ``validate=True``), the trainer's optimizer, data, precision and
    ``accumulate_grad_batches``; restores the weights, optimizer, RNGs and the trainer's loops and
    logged metrics; then applies the answer for ``use`` to every parameter group at its ratio
    to group 0. The planned training length ``trainer.estimated_stepping_batches`` is the
    range test's ``budget_steps`` (unless given) and the one-cycle schedule's ``total_steps``.

    Args:
        use: "one_cycle" (a :class:`~lrscope.torch.ScheduleLR` over one cycle peaking at
            ``result.one_cycle_max_lr``, with the momentum cycled when the optimizer has one),
            "constant" (the LRs are set to ``result.lr``) or "clr" (a cyclical
            ``ScheduleLR`` from ``result.clr``). The schedules step every optimizer step.
        validate: score the confirmation runs (and ``val_every``) with the module's
            ``validation_step`` on the trainer's validation dataloader.
        val_loss_key: the name ``validation_step`` logs its loss under, read when it returns
            no loss itself.
        apply: False runs the range test only (``callback.result``), leaving the optimizer and
            any scheduler of ``configure_optimizers`` alone.
        **find_lr_kwargs: the range-test settings of :func:`lrscope.find_lr` (``start_lr``,
            ``end_lr``, ``num_steps``, ``mode``, ``smoothing``, ``diverge_factor``,
            ``extend_decades``, ``confirm``, ``budget_steps``, ``val_every``, ``repeats``,
            ``seed``, ``snapshot``, ``distributed``, ``progress``). ``progress`` defaults to
            whether the trainer shows a progress bar.

    Attributes:
        result: the :class:`lrscope.analysis.RangeTestResult` (None before the fit starts).
        scheduler: the registered ``ScheduleLR`` for "one_cycle"/"clr", else None.

    Raises:
        InvalidArgumentError: an unknown ``use`` or argument (at construction); at fit start,
            a module with manual optimization or with more than one optimizer, a
            ``configure_optimizers`` scheduler that the applied answer would fight, no training
            batches, a use without an answer, or a ``ckpt_path`` whose checkpoint holds no
            result of this callback (with ``apply=True``).

    Example::

        trainer = Trainer(max_epochs=3, callbacks=[LRScopeFinder(use="one_cycle", num_steps=60)])
        trainer.fit(model, datamodule=dm)
        print(trainer.callbacks[0].result.summary())
    """

    def __init__(self, use: str = "one_cycle", *, validate: bool = False, val_loss_key: str = "val_loss",
                 apply: bool = True, **find_lr_kwargs: Any) -> None:
        self.use = v.choice("use", use, USES)
        for name, flag in (("validate", validate), ("apply", apply)):
            if not isinstance(flag, bool):
                raise InvalidArgumentError(name, flag, "must be True or False", f"pass {name}=True or {name}=False.")
        if not isinstance(val_loss_key, str) or not val_loss_key:
            raise InvalidArgumentError("val_loss_key", val_loss_key, "must be a non-empty string",
                                       "pass the name validation_step logs its loss under, e.g. 'val_loss'.")
        _check_kwargs(find_lr_kwargs)
        if find_lr_kwargs.get("val_every") is not None and not validate:
            raise InvalidArgumentError("val_every", find_lr_kwargs["val_every"], "needs validate=True",
                                       "pass validate=True (the module's validation_step scores the sweep), "
                                       "or leave val_every out.")
        self.validate, self.val_loss_key, self.apply = validate, val_loss_key, apply
        self.find_lr_kwargs = dict(find_lr_kwargs)
        self.result: RangeTestResult | None = None
        self.scheduler = None
        self._total_steps: int | None = None
        self._from_checkpoint = False
        self._early_exit = False   # find_lr(): stop the fit after the range test

    # -- checkpoints: a resumed fit gets the same answer back, without a second range test
    def state_dict(self) -> dict[str, Any]:
        if self.result is None:
            return {}
        return {"result": self.result.to_dict(), "use": self.use, "apply": self.apply,
                "total_steps": self._total_steps}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if state_dict.get("result") is None:
            return
        self.result = RangeTestResult.from_dict(state_dict["result"])
        self.use, self.apply = state_dict["use"], state_dict["apply"]
        self._total_steps = state_dict["total_steps"]
        self._from_checkpoint = True

    # -- the hook
    def on_fit_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        if trainer.fast_dev_run:
            rank_zero_warn("LRScopeFinder: skipping the range test since `fast_dev_run` is enabled.")
            return
        optimizer = _the_optimizer(trainer, pl_module)
        resuming = trainer.ckpt_path is not None
        from_checkpoint, self._from_checkpoint = self._from_checkpoint, False
        if resuming and from_checkpoint:   # the checkpoint holds our result: the same answer, no second test
            self._install(trainer, optimizer, resumed=True)
            return
        if resuming and self.apply:
            raise InvalidArgumentError(
                "ckpt_path", str(trainer.ckpt_path), "resumes a fit whose checkpoint holds no LRScopeFinder result "
                "(the checkpoint's optimizer and scheduler state would replace the applied answer)",
                "resume without LRScopeFinder, pass apply=False to only measure, or start a fresh fit.")
        if self.apply and trainer.lr_scheduler_configs:
            names = ", ".join(type(c.scheduler).__name__ for c in trainer.lr_scheduler_configs)
            raise InvalidArgumentError(
                "use", self.use, f"cannot be applied: configure_optimizers already returns a scheduler ({names}), "
                "which would overwrite the LR the range test chose",
                "remove the scheduler from configure_optimizers (LRScopeFinder sets the LR and the schedule), "
                "or pass apply=False and build your schedule from callback.result.")
        with isolate_rng():
            total = trainer.estimated_stepping_batches   # sets the training data up
            finite = isinstance(total, (int, float)) and math.isfinite(total)
            if self.apply and self.use != "constant" and not finite:
                raise InvalidArgumentError(
                    "use", self.use, "needs the planned training length, and this Trainer has none "
                    "(max_epochs=-1 and max_steps=-1)", "set max_epochs or max_steps, or use='constant'.")
            self._total_steps = int(total) if finite else None
            self.result = self._range_test(trainer, optimizer)
        if self.apply:
            self._install(trainer, optimizer, resumed=False)
        if self._early_exit:
            raise _TunerExitException()

    def _range_test(self, trainer: Trainer, optimizer) -> RangeTestResult:
        kwargs = dict(self.find_lr_kwargs)
        if kwargs.get("budget_steps") is None and self._total_steps is not None and self._total_steps >= 2:
            kwargs["budget_steps"] = self._total_steps
        kwargs.setdefault("progress", trainer.progress_bar_callback is not None)
        fit_loop = trainer.fit_loop
        with _Isolated(trainer) as saved:
            fit_loop.setup_data()
            combined = fit_loop._combined_loader
            if combined is None or not combined.flattened or trainer.num_training_batches == 0:
                raise InvalidArgumentError(
                    "train_dataloaders", None, "must give at least one training batch for the range test",
                    "pass a non-empty train_dataloaders (or datamodule), and limit_train_batches > 0.")
            if is_param_in_hook_signature(trainer.lightning_module.training_step, "dataloader_iter", explicit=True):
                raise InvalidArgumentError(
                    "training_step", "training_step(self, dataloader_iter)", "must take a batch for the range test "
                    "(the sweep hands it one batch per call)", "write training_step(self, batch, batch_idx).")
            saved.keep_generators(combined)
            steps = _Steps(trainer, optimizer, self.val_loss_key)
            train = _Batches(combined, trainer.num_training_batches)
            val = None
            if self.validate:
                val_loop = fit_loop.epoch_loop.val_loop
                if val_loop._data_source.is_defined():
                    val_loop.setup_data()
                if val_loop._combined_loader is None or not any(n > 0 for n in val_loop._max_batches):
                    raise InvalidArgumentError(
                        "validate", True, "needs validation batches and a validation_step",
                        "pass val_dataloaders (or a datamodule with val_dataloader), define validation_step, "
                        "and keep limit_val_batches > 0; or pass validate=False.")
                saved.keep_generators(val_loop._combined_loader)
                val = _Batches(val_loop._combined_loader)
            model = trainer.strategy.model if trainer.strategy.model is not None else trainer.lightning_module
            return _engine_find_lr(
                model, optimizer, None, train, train_step=steps.train_step,
                eval_step=steps.eval_step if val is not None else None, val_loader=val,
                accumulation_steps=steps.acc, grad_scaler=steps.scaler, **kwargs)

    def _install(self, trainer: Trainer, optimizer, *, resumed: bool) -> None:
        """Apply the answer: set the LRs ("constant") or register the schedule ("one_cycle", "clr")."""
        if not self.apply:
            return
        if self.use == "constant":
            if not resumed:   # on resume the checkpoint's optimizer state holds the LRs
                self.result.apply(optimizer, "constant")
            return
        sched = self.result.apply(optimizer, self.use, total_steps=self._total_steps)
        self.scheduler = sched
        # on resume, the checkpoint's scheduler state (the step counter) is loaded into this one
        trainer.strategy.lr_scheduler_configs = [LRSchedulerConfig(scheduler=sched, interval="step", frequency=1)]


def _the_optimizer(trainer: Trainer, module: LightningModule):
    """``trainer.optimizers[0]``, refusing what a range test over one LR cannot drive."""
    optimizers = [o for o in trainer.optimizers if not isinstance(o, _MockOptimizer)]
    if len(optimizers) != 1:
        kinds = ", ".join(type(o).__name__ for o in optimizers) or "none"
        raise InvalidArgumentError(
            "configure_optimizers", f"{len(optimizers)} optimizers ({kinds})",
            "must return exactly one optimizer for LRScopeFinder (the range test sweeps one LR)",
            "return one optimizer; for different LRs use parameter groups (their ratios are kept).")
    if not module.automatic_optimization:
        raise InvalidArgumentError(
            "automatic_optimization", False, "must be True for LRScopeFinder (with manual optimization "
            "training_step steps the optimizer itself, so the sweep cannot set one LR per step)",
            "use automatic optimization, or run lrscope.find_lr(model, optimizer, train_step=...) yourself.")
    return optimizers[0]


# --------------------------------------------------------------------------- the function form


def find_lr(trainer: Trainer, module: LightningModule, datamodule=None, train_dataloaders=None,
            val_dataloaders=None, *, validate: bool = False, val_loss_key: str = "val_loss",
            **find_lr_kwargs: Any) -> RangeTestResult:
    """Run lrscope's range test on a LightningModule with a Trainer, and return the result.

    Like ``Tuner.lr_find``: ``trainer.fit`` runs up to ``on_fit_start``, where
    :class:`LRScopeFinder` (with ``apply=False``) runs the range test, and stops there. The
    module's weights and the trainer are left as they were, ready for ``trainer.fit``; apply the
    answer in ``configure_optimizers`` (e.g. ``result.lr``, or
    ``ScheduleLR(opt, result.one_cycle_spec(total_steps))``).

    Args:
        trainer: the ``lightning.pytorch.Trainer`` to train with.
        module: the ``LightningModule``.
        datamodule, train_dataloaders, val_dataloaders: the data, as for ``trainer.fit``.
        validate, val_loss_key: as for :class:`LRScopeFinder`.
        **find_lr_kwargs: range-test settings of :func:`lrscope.find_lr` (see :class:`LRScopeFinder`).

    Returns:
        A :class:`lrscope.analysis.RangeTestResult`.
    """
    if not isinstance(trainer, Trainer):
        raise InvalidArgumentError("trainer", type(trainer).__name__, "must be a lightning.pytorch.Trainer",
                                   "pass e.g. Trainer(max_epochs=3), then the module: find_lr(trainer, module, ...).")
    if not isinstance(module, LightningModule):
        raise InvalidArgumentError("module", type(module).__name__, "must be a lightning.pytorch.LightningModule",
                                   "wrap the network in a LightningModule, or use lrscope.find_lr(model, optimizer, ...) "
                                   "for a plain torch model.")
    if trainer.fast_dev_run:
        raise InvalidArgumentError("trainer", f"fast_dev_run={trainer.fast_dev_run}", "runs too few steps for a range test",
                                   "use a Trainer without fast_dev_run.")
    if any(isinstance(cb, LRScopeFinder) for cb in trainer.callbacks):
        raise InvalidArgumentError("trainer", "a Trainer with an LRScopeFinder callback",
                                   "must not hold LRScopeFinder when find_lr runs one itself",
                                   "remove the callback, or call trainer.fit and read callback.result.")
    callback = LRScopeFinder("constant", validate=validate, val_loss_key=val_loss_key, apply=False, **find_lr_kwargs)
    callback._early_exit = True
    trainer.callbacks = [callback] + list(trainer.callbacks)
    try:
        trainer.fit(module, train_dataloaders, val_dataloaders, datamodule)
    finally:
        trainer.callbacks = [cb for cb in trainer.callbacks if cb is not callback]
    if callback.result is None:
        raise RangeTestError("the fit ended before the range test ran (on_fit_start was not reached). "
                             "Fix: check the Trainer's settings (max_steps, limit_train_batches).")
    return callback.result
