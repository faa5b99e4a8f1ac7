"""Hugging Face ``Trainer`` adapter: the LR range test on a Trainer's own training, and its
answers as ``TrainingArguments`` fields.

:func:`find_lr` runs :func:`lrscope.find_lr` (the one range-test engine; this module writes no
sweep of its own) with what the Trainer itself trains with:

* the model ``trainer.model``;
* the optimizer ``trainer.optimizer`` when there is one, else the one ``trainer.create_optimizer()``
  builds (its weight-decay parameter groups, ``args.optim``); ``trainer.optimizer`` is put back
  afterwards (None), so ``trainer.train()`` builds its own at the chosen LR;
* the batches of ``trainer.get_train_dataloader()`` (the data collator, the sampler, the batch size);
* one micro-batch's loss from ``trainer.compute_loss(model, inputs)``, inside
  ``trainer.compute_loss_context_manager()`` and the accelerator's autocast (``fp16``/``bf16``),
  with the accelerator's grad scaler when it has one;
* ``args.gradient_accumulation_steps`` micro-batches per optimizer step, each loss divided by
  their number (what ``Trainer.training_step`` does for a per-batch mean loss);
* with ``validate=True``, the eval dataloader scored by ``compute_loss`` to rank the confirmation runs.

The default ``budget_steps`` is the Trainer's planned number of optimizer steps (``max_steps``, or
``num_train_epochs`` x optimizer steps per epoch), so the answers are tuned to that run.

Everything is restored: the weights, buffers, gradients and optimizer state bit for bit (by
:func:`lrscope.find_lr`), the python/numpy/torch RNG states, ``trainer.state`` and
``trainer.control``, and the attributes ``trainer.optimizer`` and ``trainer.lr_scheduler``.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import inspect
import math
from collections.abc import Mapping
from typing import Any

import torch

from .. import _validate as v
from ..analysis import RangeTestResult
from ..analysis.confidence import warmup_suggestion
from ..errors import InvalidArgumentError
from ..schedules import OneCycle, from_spec
from ._rng import rng_state, set_rng_state
from .torch_range_test import find_lr as _find_lr
from .torch_scheduler import ScheduleLR

transformers = v.require("transformers", "lrscope.hf (the Hugging Face Trainer adapter)", "hf")

__all__ = ["find_lr", "TrainerLR", "to_training_args", "USES", "WSD_DECAY_FRACTION"]

#: the uses ``find_lr(trainer, use=...)`` answers for
USES = ("constant", "one_cycle", "wsd", "clr")
#: the decay phase of "wsd", as a fraction of the planned optimizer steps
WSD_DECAY_FRACTION = 0.2

_ONE_CYCLE = {f.name: f.default for f in dataclasses.fields(OneCycle) if f.default is not dataclasses.MISSING}
_VERDICT = {"constant": "lr", "one_cycle": "one_cycle_max_lr", "wsd": "lr", "clr": "clr"}
# lrscope.find_lr's arguments that this adapter fills from the Trainer
_FROM_TRAINER = {
    "model": "trainer.model", "optimizer": "trainer.optimizer or trainer.create_optimizer()",
    "loss_fn": "trainer.compute_loss", "train_loader": "trainer.get_train_dataloader()",
    "train_step": "trainer.compute_loss", "accumulation_steps": "args.gradient_accumulation_steps",
    "grad_scaler": "the accelerator's scaler", "device": "the model's device",
}
# lrscope.find_lr's arguments that have no meaning here
_NOT_USED = {"metric": "is not used: validation scores the loss of trainer.compute_loss (the Trainer's "
                       "compute_metrics needs the whole eval set's predictions)"}


# --------------------------------------------------------------------------- TrainingArguments fields


def _scheduler_types() -> set[str]:
    return {t.value for t in transformers.SchedulerType}


def _ratio_field() -> str:
    """The TrainingArguments field for a warm-up given as a fraction of the run: ``warmup_ratio``
    where it exists (transformers 4), else ``warmup_steps`` (transformers 5 reads a value < 1 as a ratio)."""
    names = {f.name for f in dataclasses.fields(transformers.TrainingArguments)}
    return "warmup_ratio" if "warmup_ratio" in names else "warmup_steps"


def _no_answer(result: RangeTestResult, use: str) -> InvalidArgumentError:
    verdict = result.verdicts[_VERDICT[use]]
    return InvalidArgumentError("use", use, f"has no answer from this range test ({verdict.message or verdict.level})",
                                "read result.summary() for why, or choose another use, e.g. use='constant'.")


def to_training_args(result: RangeTestResult, use: str = "constant", *, budget_steps: int | None = None) -> dict:
    """The ``TrainingArguments`` fields that train with one of a range test's answers.

    * ``"constant"``: ``learning_rate = result.lr``; ``lr_scheduler_type = "constant_with_warmup"``
      with ``warmup_steps`` when the warm-up suggestion (``result.warmup``, Adam-family
      optimizers) asks for one, else ``"constant"``.
    * ``"one_cycle"``: ``learning_rate = result.one_cycle_max_lr`` and the Trainer's nearest
      one-cycle shape, ``"cosine_warmup_with_min_lr"``: a linear rise from ``max_lr / div_factor``
      over the first ``pct_start`` of the run, then a cosine to ``max_lr / (div_factor *
      final_div_factor)`` (``lrscope.schedules.OneCycle``'s defaults: 0.3, 25, 1e4). Where the
      Trainer lacks that type: ``"cosine"`` with the same warm-up fraction.
    * ``"wsd"``: ``learning_rate = result.lr`` (the stable phase is a constant LR for most of the
      run), ``"warmup_stable_decay"`` with the constant LR's warm-up and a decay over the last
      ``WSD_DECAY_FRACTION`` (20%) of the run (``lr_scheduler_kwargs["num_decay_steps"]``).
    * ``"clr"``: the Trainer has no cyclical type; use :meth:`TrainerLR.cyclic_optimizers` (this
      raises and says so).

    Args:
        result: a :class:`lrscope.analysis.RangeTestResult`.
        use: "constant", "one_cycle" or "wsd".
        budget_steps: the planned training length in optimizer steps (default: ``result.budget_steps``);
            sets the warm-up length and the decay of "wsd".

    Returns:
        A dict of ``TrainingArguments`` fields: ``learning_rate``, ``lr_scheduler_type``,
        ``warmup_steps`` (or ``warmup_ratio``) and, when needed, ``lr_scheduler_kwargs``.

    Raises:
        InvalidArgumentError: an unknown use, a use without an answer (the verdict says why), or
            "wsd" without a known budget.
    """
    if not isinstance(result, RangeTestResult):
        raise InvalidArgumentError("result", type(result).__name__, "must be a RangeTestResult",
                                   "pass the result of lrscope.find_lr (or found.result of lrscope.hf.find_lr).")
    v.choice("use", use, USES)
    if use == "clr":
        raise InvalidArgumentError("use", use, "has no TrainingArguments fields: the Trainer has no cyclical "
                                   "lr_scheduler_type", "pass optimizers=found.cyclic_optimizers(trainer) to Trainer(...), "
                                   "or call found.apply(trainer, use='clr').")
    budget = result.budget_steps if budget_steps is None else v.integer("budget_steps", budget_steps, minimum=1)
    types = _scheduler_types()
    if use == "one_cycle":
        peak = result.one_cycle_max_lr
        if peak is None:
            raise _no_answer(result, use)
        pct, div, final = _ONE_CYCLE["pct_start"], _ONE_CYCLE["div_factor"], _ONE_CYCLE["final_div_factor"]
        if "cosine_warmup_with_min_lr" in types:
            return {"learning_rate": float(peak), "lr_scheduler_type": "cosine_warmup_with_min_lr",
                    _ratio_field(): pct,
                    "lr_scheduler_kwargs": {"warmup_lr_rate": 1.0 / div, "min_lr_rate": 1.0 / (div * final)}}
        return {"learning_rate": float(peak), "lr_scheduler_type": "cosine", _ratio_field(): pct}
    lr = result.lr
    if lr is None:
        raise _no_answer(result, use)
    warm = warmup_suggestion(result.optimizer, result.beta2, budget)
    if use == "wsd":
        if "warmup_stable_decay" not in types:
            raise InvalidArgumentError("use", use, "needs lr_scheduler_type 'warmup_stable_decay', which this "
                                       f"transformers {transformers.__version__} lacks",
                                       "upgrade transformers, or use 'one_cycle' or 'constant'.")
        if budget is None:
            raise InvalidArgumentError("budget_steps", None, "is needed for 'wsd' (its decay is a fraction of the run)",
                                       "pass budget_steps= (the planned optimizer steps).")
        steps = int(warm["steps"]) if warm is not None else 0
        decay = max(1, int(round(WSD_DECAY_FRACTION * budget)))
        return {"learning_rate": float(lr), "lr_scheduler_type": "warmup_stable_decay", "warmup_steps": steps,
                "lr_scheduler_kwargs": {"num_decay_steps": decay}}
    if warm is not None and warm["steps"] is None and warm["fraction"] > 0:   # the run's length is unknown
        return {"learning_rate": float(lr), "lr_scheduler_type": "constant_with_warmup",
                _ratio_field(): float(warm["fraction"])}
    if warm is not None and warm["steps"]:
        return {"learning_rate": float(lr), "lr_scheduler_type": "constant_with_warmup",
                "warmup_steps": int(warm["steps"])}
    return {"learning_rate": float(lr), "lr_scheduler_type": "constant", "warmup_steps": 0}


# --------------------------------------------------------------------------- the result


def _check_trainer(trainer: Any, name: str = "trainer") -> None:
    if not isinstance(trainer, transformers.Trainer):
        raise InvalidArgumentError(name, type(trainer).__name__, "must be a transformers.Trainer",
                                   "build one first: Trainer(model=..., args=TrainingArguments(...), "
                                   "train_dataset=...).")


def _torch_optimizer(optimizer):
    """The torch optimizer inside accelerate's ``AcceleratedOptimizer`` (what the Trainer holds after train())."""
    try:
        from accelerate.optimizer import AcceleratedOptimizer
    except ImportError:  # pragma: no cover - accelerate comes with transformers' Trainer
        return optimizer
    while isinstance(optimizer, AcceleratedOptimizer):
        optimizer = optimizer.optimizer
    return optimizer


@dataclasses.dataclass(frozen=True)
class TrainerLR:
    """What :func:`find_lr` found for a Trainer, and how to train with it.

    Attributes:
        result: the :class:`lrscope.analysis.RangeTestResult` (curve, answers per use, verdicts).
        use: the use chosen in ``find_lr`` ("constant", "one_cycle", "wsd" or "clr").
        budget_steps: the planned optimizer steps the answers were tuned to.
    """

    result: RangeTestResult = dataclasses.field(repr=False)
    use: str = "constant"
    budget_steps: int | None = None

    @property
    def training_args(self) -> dict:
        """The ``TrainingArguments`` fields for :attr:`use` (a fresh dict each time): pass them on
        with ``TrainingArguments(output_dir=..., **found.training_args)`` or use :meth:`apply`."""
        return to_training_args(self.result, self.use, budget_steps=self.budget_steps)

    def training_args_for(self, use: str) -> dict:
        """The ``TrainingArguments`` fields for another use ("constant", "one_cycle", "wsd")."""
        return to_training_args(self.result, use, budget_steps=self.budget_steps)

    def cyclic_optimizers(self, trainer) -> tuple[torch.optim.Optimizer, ScheduleLR]:
        """``(optimizer, scheduler)`` for ``Trainer(..., optimizers=...)``: the cyclical band
        ``result.clr`` (triangular, Smith 2017) driven by :class:`lrscope.torch.ScheduleLR`.

        The optimizer is ``trainer.optimizer`` when the Trainer holds one, else a new one from
        ``trainer.create_optimizer()`` (its weight-decay groups; ``trainer.optimizer`` stays as it
        was). Every group keeps its LR ratio to group 0.

        Raises:
            InvalidArgumentError: when the range test gave no cyclical band (the verdict says why).
        """
        _check_trainer(trainer)
        spec = self.result.clr
        if spec is None:
            raise _no_answer(self.result, "clr")
        if trainer.optimizer is not None:
            optimizer = _torch_optimizer(trainer.optimizer)
        else:
            try:
                optimizer = trainer.create_optimizer()
            finally:
                trainer.optimizer = None
        return optimizer, ScheduleLR(optimizer, from_spec(spec))

    def apply(self, trainer, use: str | None = None) -> None:
        """Make the next ``trainer.train()`` train with this answer.

        For "constant", "one_cycle" and "wsd" the fields of :meth:`training_args_for` are set on
        ``trainer.args`` (``lr_scheduler_kwargs`` is reset when the use needs none); an optimizer
        the Trainer already holds gets the new LR in every group (keeping their ratios). For
        "clr", ``trainer.optimizer`` and ``trainer.lr_scheduler`` become :meth:`cyclic_optimizers`.

        Args:
            trainer: the ``transformers.Trainer``.
            use: the use to apply (default: :attr:`use`).

        Raises:
            InvalidArgumentError: a non-Trainer, an unknown use or one without an answer, or a
                Trainer given its own ``lr_scheduler`` (``optimizers=(opt, scheduler)``), which
                the Trainer would keep instead of ``lr_scheduler_type``.
        """
        _check_trainer(trainer)
        use = self.use if use is None else v.choice("use", use, USES)
        own_scheduler = trainer.lr_scheduler is not None and not getattr(trainer, "_created_lr_scheduler", False)
        if use == "clr":
            optimizer, scheduler = self.cyclic_optimizers(trainer)
            trainer.optimizer, trainer.lr_scheduler = optimizer, scheduler
            trainer._created_lr_scheduler = False   # the Trainer keeps a scheduler it did not create
            return
        fields = self.training_args_for(use)
        if own_scheduler:
            raise InvalidArgumentError(
                "trainer", f"a Trainer with its own lr_scheduler ({type(trainer.lr_scheduler).__name__})",
                "would keep that scheduler and ignore lr_scheduler_type", "build the Trainer with "
                "optimizers=(optimizer, None) (or none), or set found.training_args on your own scheduler.")
        args = trainer.args
        for key, val in fields.items():
            setattr(args, key, transformers.SchedulerType(val) if key == "lr_scheduler_type" else val)
        if "lr_scheduler_kwargs" not in fields:
            args.lr_scheduler_kwargs = {}
        if hasattr(args, "warmup_ratio") and "warmup_ratio" not in fields:
            args.warmup_ratio = 0.0
        if trainer.optimizer is not None:
            groups = _torch_optimizer(trainer.optimizer).param_groups
            ref = [float(g.get("initial_lr", g["lr"])) for g in groups]
            for g, r in zip(groups, ref):
                g["lr"] = fields["learning_rate"] * (r / ref[0] if ref[0] > 0 else 1.0)
                g.pop("initial_lr", None)   # a new scheduler takes its base LR from "lr"

    def summary(self) -> str:
        """The range test's summary and the TrainingArguments fields of :attr:`use`."""
        text = self.result.summary()
        if self.use == "clr":
            spec = self.result.clr
            said = "no answer" if spec is None else f"optimizers=found.cyclic_optimizers(trainer): {spec}"
        else:
            try:
                said = str(self.training_args)
            except InvalidArgumentError as exc:
                said = str(exc)
        return f"{text}\n\nTrainer ({self.use}): {said}"


# --------------------------------------------------------------------------- find_lr


def _planned_steps(trainer, loader) -> int | None:
    """The optimizer steps ``trainer.train()`` plans (as the Trainer computes them), or None."""
    args = trainer.args
    if hasattr(trainer, "set_initial_training_values"):
        try:
            return int(trainer.set_initial_training_values(args, loader)[-1])
        except (TypeError, ValueError):
            pass
    if args.max_steps is not None and args.max_steps > 0:
        return int(args.max_steps)
    try:
        n = len(loader)
    except TypeError:
        return None
    ga = args.gradient_accumulation_steps
    return int(math.ceil(args.num_train_epochs * max(1, n // ga + int(n % ga > 0))))


def _batch_size(inputs) -> int:
    labels = inputs.get("labels") if isinstance(inputs, Mapping) else None
    values = [labels] if labels is not None else (list(inputs.values()) if isinstance(inputs, Mapping) else [inputs])
    for val in values:
        if isinstance(val, torch.Tensor) and val.dim() > 0:
            return int(val.shape[0])
    return 1


def _loss_steps(trainer):
    """``train_step`` and ``eval_step`` for the engine, both through ``trainer.compute_loss``."""
    prepare = getattr(trainer, "_prepare_inputs", None)
    accelerator = getattr(trainer, "accelerator", None)

    def contexts():
        import contextlib

        stack = contextlib.ExitStack()
        if hasattr(trainer, "compute_loss_context_manager"):
            stack.enter_context(trainer.compute_loss_context_manager())
        if accelerator is not None and hasattr(accelerator, "autocast"):
            stack.enter_context(accelerator.autocast())
        return stack

    def loss_of(model, batch):
        inputs = prepare(batch) if prepare is not None else batch
        n = _batch_size(inputs)
        with contexts():
            loss = trainer.compute_loss(model, inputs)
        if isinstance(loss, tuple):   # a compute_loss that always returns (loss, outputs)
            loss = loss[0]
        if isinstance(loss, torch.Tensor) and loss.dim() > 0:   # several GPUs (DataParallel): one loss each
            loss = loss.mean()
        return loss, n

    def train_step(model, batch):
        return loss_of(model, batch)[0]

    def eval_step(model, batch):
        loss, n = loss_of(model, batch)
        return {"loss": loss, "n": n}

    return train_step, eval_step


def _check_kwargs(kwargs: dict[str, Any]) -> None:
    allowed = [p for p in inspect.signature(_find_lr).parameters if p not in _FROM_TRAINER and p not in _NOT_USED]
    for key in kwargs:
        if key in _NOT_USED:
            raise InvalidArgumentError(key, f"{key}={kwargs[key]!r:.60}", _NOT_USED[key],
                                       f"leave `{key}` out; pass eval_step=... returning {{'loss', 'metric'}} "
                                       "with val_loader=... for a metric of your own.")
        if key in _FROM_TRAINER:
            raise InvalidArgumentError(key, f"{key}={kwargs[key]!r:.60}", f"is set from the Trainer ({_FROM_TRAINER[key]})",
                                       f"leave `{key}` out: lrscope.hf.find_lr(trainer, ...) uses the Trainer's own.")
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            raise InvalidArgumentError(key, f"{key}={kwargs[key]!r:.60}", "is not an argument of lrscope.hf.find_lr",
                                       (f"did you mean {near[0]!r}? " if near else "") + f"Allowed: {sorted(allowed)}.")


def find_lr(trainer, *, use: str = "constant", validate: bool = False, budget_steps: int | None = None,
            seed: int | str | None = "args.seed", progress: bool | None = None, **kwargs) -> TrainerLR:
    """Run the LR range test with a Hugging Face Trainer's own training, restore everything, and
    return the answer as ``TrainingArguments`` fields.

    See the module docstring for what is taken from the Trainer. The sweep, the confirmation
    runs and the answers per use are those of :func:`lrscope.find_lr`; the LRs are those of the
    optimizer's group 0 (the other groups keep their ratio to it).

    Args:
        trainer: a ``transformers.Trainer`` with a ``train_dataset``.
        use: the use :attr:`TrainerLR.training_args` answers for: "constant", "one_cycle",
            "wsd" (warmup-stable-decay) or "clr" (cyclical; see :meth:`TrainerLR.cyclic_optimizers`).
        validate: rank the confirmation runs by the loss on ``trainer.eval_dataset`` (scored by
            ``trainer.compute_loss``; the whole eval set after each run, so keep it small).
        budget_steps: the planned training length in optimizer steps (default: the Trainer's plan,
            from ``max_steps`` or ``num_train_epochs``).
        seed: seeds the RNGs before the sweep and each confirmation run (default: ``args.seed``;
            None: the current RNG streams). The Trainer's sampler orders each pass over the data
            from its own seed and the pass number, which is put back before every run (so the
            runs see the same batches).
        progress: show progress bars (default: unless ``args.disable_tqdm``).
        **kwargs: any other argument of :func:`lrscope.find_lr` (``start_lr``, ``end_lr``,
            ``num_steps``, ``confirm``, ``repeats``, ``val_every``, ``snapshot``, ...; ``val_loader``
            and ``eval_step`` for your own validation data). The model, optimizer, loader, loss,
            accumulation and grad scaler come from the Trainer and may not be given.

    Returns:
        A :class:`TrainerLR`: ``.result`` (the RangeTestResult), ``.training_args`` (a dict for
        ``TrainingArguments``), ``.apply(trainer)`` and ``.cyclic_optimizers(trainer)``.

    Raises:
        InvalidArgumentError: a non-Trainer, a Trainer without ``train_dataset``, an unknown use,
            ``validate=True`` without one ``eval_dataset``, an argument the Trainer provides.
    """
    _check_trainer(trainer)
    v.choice("use", use, USES)
    if not isinstance(validate, bool):
        raise InvalidArgumentError("validate", validate, "must be True or False",
                                   "pass validate=True to rank the confirmation runs by the eval loss.")
    _check_kwargs(kwargs)
    if trainer.train_dataset is None:
        raise InvalidArgumentError("trainer", "a Trainer with train_dataset=None",
                                   "needs a train_dataset: the range test trains on its batches",
                                   "build the Trainer with train_dataset=... (the one you will train on).")
    if getattr(trainer, "is_deepspeed_enabled", False) or getattr(trainer, "is_fsdp_enabled", False):
        raise InvalidArgumentError("trainer", "a Trainer with DeepSpeed or FSDP",
                                   "is not supported by the range test (it needs the plain model and optimizer)",
                                   "run find_lr on a single-process Trainer with the same model and arguments.")
    if budget_steps is not None:
        budget_steps = v.integer("budget_steps", budget_steps, minimum=2)
    args = trainer.args
    if isinstance(seed, str):
        if seed != "args.seed":
            raise InvalidArgumentError("seed", seed, "must be an integer, None or 'args.seed'",
                                       "leave the default (the Trainer's args.seed) or pass an integer.")
        seed = int(args.seed)
    if progress is None:
        progress = not bool(getattr(args, "disable_tqdm", False))
    val_loader = kwargs.pop("val_loader", None)
    eval_step = kwargs.pop("eval_step", None)
    if validate and val_loader is None:
        eval_dataset = getattr(trainer, "eval_dataset", None)
        if eval_dataset is None:
            raise InvalidArgumentError("validate", True, "needs the Trainer's eval_dataset, which is None",
                                       "build the Trainer with eval_dataset=..., pass val_loader=..., or leave "
                                       "validate False.")
        if isinstance(eval_dataset, Mapping):
            raise InvalidArgumentError("validate", True, f"needs one eval_dataset, the Trainer has several "
                                       f"({sorted(eval_dataset)})",
                                       "pass val_loader=trainer.get_eval_dataloader(name) for the one to use.")

    rng = rng_state()   # the Trainer's loaders and create_optimizer may draw from the RNGs
    saved = {name: getattr(trainer, name, None) for name in ("optimizer", "lr_scheduler", "_created_lr_scheduler")}
    states = {name: (obj, copy.deepcopy(obj.__dict__)) for name in ("state", "control")
              if (obj := getattr(trainer, name, None)) is not None}
    registered = getattr(getattr(trainer, "accelerator", None), "_dataloaders", None)
    n_registered = len(registered) if isinstance(registered, list) else None
    lrs_before: list | None = None
    optimizer = None
    try:
        train_loader = trainer.get_train_dataloader()
        if validate and val_loader is None:
            val_loader = trainer.get_eval_dataloader()
        optimizer = _torch_optimizer(trainer.optimizer if trainer.optimizer is not None else trainer.create_optimizer())
        groups = optimizer.param_groups
        if groups and not float(groups[0]["lr"]) > 0 and all(float(g.get("initial_lr", 0.0)) > 0 for g in groups):
            # a scheduler has decayed the LR to 0 (a finished train()): sweep with the ratios of the base LRs
            lrs_before = [g["lr"] for g in groups]
            for g in groups:
                g["lr"] = float(g["initial_lr"])
        if budget_steps is None:
            planned = _planned_steps(trainer, train_loader)
            budget_steps = planned if planned is not None and planned >= 2 else None
        train_step, own_eval_step = _loss_steps(trainer)
        result = _find_lr(trainer.model, optimizer, None, train_loader, train_step=train_step,
                          eval_step=eval_step if eval_step is not None else (own_eval_step if val_loader is not None
                                                                             else None),
                          val_loader=val_loader, accumulation_steps=int(args.gradient_accumulation_steps),
                          grad_scaler=getattr(getattr(trainer, "accelerator", None), "scaler", None),
                          budget_steps=budget_steps, seed=seed, progress=progress, **kwargs)
    finally:
        if lrs_before is not None:
            for g, lr in zip(optimizer.param_groups, lrs_before):
                g["lr"] = lr
        for name, val in saved.items():
            if name != "_created_lr_scheduler" or hasattr(trainer, name):
                setattr(trainer, name, val)
        for obj, d in states.values():
            obj.__dict__.clear()
            obj.__dict__.update(d)
        if n_registered is not None:
            del registered[n_registered:]
        set_rng_state(rng)
    return TrainerLR(result=result, use=use, budget_steps=budget_steps)
