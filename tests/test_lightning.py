"""lrscope.lightning: the range test as a Lightning callback and as a function.

Every expectation is independent of lrscope's own code: Lightning's behaviour (its step counter,
the LR an optimizer holds inside ``training_step``, what it logs), bit-for-bit equality with
state copied before the range test, or a twin fit without the callback.
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import python_blocks, run_python_blocks

pytest.importorskip("lightning")
import torch  # noqa: E402
from lightning.pytorch import Callback, LightningDataModule, LightningModule, Trainer  # noqa: E402
from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402
from lightning.pytorch.loggers.logger import Logger  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from lrscope.errors import InvalidArgumentError  # noqa: E402
from lrscope.lightning import LRScopeFinder, ScheduleLR, find_lr  # noqa: E402
from lrscope.schedules import CyclicLR, OneCycle  # noqa: E402

torch.set_num_threads(1)
DOC = Path(__file__).resolve().parent.parent / "docs" / "lightning.md"
QUIET = dict(enable_progress_bar=False, logger=False, enable_checkpointing=False, enable_model_summary=False)
SWEEP = dict(num_steps=30)


def _data(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    y = (x[:, 0] - x[:, 1] + 0.5 * x[:, 2] > 0).long()
    return TensorDataset(x, y)


def _loader(shuffle=True, n=256, seed=0, batch_size=32):
    return DataLoader(_data(n, seed), batch_size=batch_size, shuffle=shuffle)


class Net(LightningModule):
    """A tiny MLP (with BatchNorm buffers) that records what Lightning shows it in each step."""

    def __init__(self, lr=0.01, head_ratio=None, momentum=0.9, bn=True):
        super().__init__()
        norm = [torch.nn.BatchNorm1d(16)] if bn else []
        self.body = torch.nn.Sequential(torch.nn.Linear(8, 16), *norm, torch.nn.Tanh())
        self.head = torch.nn.Linear(16, 2)
        self.lr, self.head_ratio, self.momentum = lr, head_ratio, momentum
        self.train_calls = []    # (global_step, group LRs, momentum, autocast on, training mode)
        self.val_calls = []      # (training mode, grad enabled)
        self.logged = 0          # self.log calls that Lightning accepted

    def log(self, *args, **kwargs):
        super().log(*args, **kwargs)
        self.logged += 1

    def forward(self, x):
        return self.head(self.body(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self(x), y)
        groups = self.optimizers().param_groups
        self.train_calls.append((self.trainer.global_step, [g["lr"] for g in groups], groups[0].get("momentum"),
                                 torch.is_autocast_enabled("cpu"), self.training))
        self.log("train_loss", loss, on_step=True, on_epoch=True, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.val_calls.append((self.training, torch.is_grad_enabled()))
        self.log("val_loss", torch.nn.functional.cross_entropy(self(x), y))

    def configure_optimizers(self):
        if self.head_ratio is None:
            return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=self.momentum)
        return torch.optim.SGD([{"params": self.body.parameters(), "lr": self.lr},
                                {"params": self.head.parameters(), "lr": self.lr * self.head_ratio}],
                               lr=self.lr, momentum=self.momentum)


def _net(seed=0, **kw):
    torch.manual_seed(seed)
    return Net(**kw)


def _state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _rng():
    return (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())


def _same_rng(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and torch.equal(a[2], b[2])


class Around(Callback):
    """Placed before and after LRScopeFinder: what the trainer and module look like on each side."""

    def __init__(self):
        self.seen = None

    def on_fit_start(self, trainer, module):
        opt = trainer.optimizers[0]
        self.seen = dict(
            weights=_state(module), opt=copy.deepcopy(opt.state_dict()), rng=_rng(),
            global_step=trainer.global_step, epoch=trainer.current_epoch,
            loop=copy.deepcopy(trainer.fit_loop.state_dict()), callbacks=list(trainer.callbacks),
            callback_metrics=dict(trainer.callback_metrics), logged_metrics=dict(trainer.logged_metrics),
            pbar=dict(trainer.progress_bar_metrics),
            calls=len(module.train_calls), val_calls=len(module.val_calls), logged=module.logged,
            modes=[m.training for m in module.modules()], schedulers=list(trainer.lr_scheduler_configs))


class Memory(Logger):
    """An in-memory logger: every (step, metrics) Lightning sends."""

    def __init__(self):
        super().__init__()
        self.records = []

    @property
    def name(self):
        return "memory"

    @property
    def version(self):
        return 0

    def log_metrics(self, metrics, step=None):
        self.records.append((step, {k: float(v) for k, v in metrics.items()}))

    def log_hyperparams(self, params, *args, **kwargs):
        pass


def _fit(module, callbacks=(), loader=None, epochs=2, **trainer_kw):
    kw = {**QUIET, "max_epochs": epochs, **trainer_kw}
    trainer = Trainer(callbacks=list(callbacks), **kw)
    trainer.fit(module, loader if loader is not None else _loader())
    return trainer


# --------------------------------------------------------------------------- restore


def test_the_callback_leaves_weights_optimizer_rng_and_the_trainers_loops_as_they_were():
    before, after = Around(), Around()
    module = _net()
    finder = LRScopeFinder("constant", apply=False, **SWEEP)
    trainer = _fit(module, [before, finder, after], epochs=1)
    b, a = before.seen, after.seen
    assert a["calls"] - b["calls"] == finder.result.cost_steps > 30        # the sweep ran the module's step
    assert _same(b["weights"], a["weights"])                                # BatchNorm buffers included
    assert b["opt"] == a["opt"]
    assert _same_rng(b["rng"], a["rng"])
    assert (b["global_step"], b["epoch"]) == (a["global_step"], a["epoch"]) == (0, 0)
    assert b["loop"] == a["loop"]
    assert a["callbacks"] == b["callbacks"] == trainer.callbacks[:3]
    assert a["modes"] == b["modes"]
    assert a["logged"] - b["logged"] == a["calls"] - b["calls"]             # self.log worked in every sweep step
    assert a["callback_metrics"] == b["callback_metrics"] == {}             # ... and left nothing behind
    assert a["logged_metrics"] == b["logged_metrics"] == {} and a["pbar"] == b["pbar"] == {}
    # the sweep's steps trained in train mode under Lightning's step counter at 0
    sweep = module.train_calls[b["calls"]:a["calls"]]
    assert all(step == 0 and training for step, _, _, _, training in sweep)
    # and the fit itself then ran its normal number of steps
    assert trainer.global_step == len(_loader())


def test_the_fit_after_the_callback_trains_at_the_applied_lr_and_equals_a_fit_without_it():
    """Twin fits from the same weights: one with LRScopeFinder(use="constant"), one plain at the
    LRs the first read from its optimizer in training_step. Same weights bit for bit, same logs."""
    mark = Around()
    module = _net(head_ratio=10.0)
    start = _state(module)
    finder = LRScopeFinder("constant", **SWEEP)
    mem = Memory()
    trainer = _fit(module, [finder, mark], logger=mem, log_every_n_steps=1)
    fit_calls = module.train_calls[mark.seen["calls"]:]
    assert len(fit_calls) == trainer.global_step == 2 * len(_loader())
    lrs = {tuple(lr) for _, lr, _, _, _ in fit_calls}
    assert len(lrs) == 1                                   # one constant LR for the whole fit
    body, head = lrs.pop()
    assert head == pytest.approx(10 * body, rel=1e-12)     # the groups keep their ratio
    assert body == pytest.approx(finder.result.lr, rel=1e-12) and body != 0.01

    twin = _net(head_ratio=10.0, lr=body)
    assert _same(start, _state(twin))
    mem2 = Memory()
    trainer2 = _fit(twin, [], logger=mem2, log_every_n_steps=1)
    assert [lr for _, lr, _, _, _ in twin.train_calls] == [lr for _, lr, _, _, _ in fit_calls]
    assert _same(_state(module), _state(twin))             # same batches, same RNG, same LR: same weights
    assert mem.records == mem2.records                     # the sweep's self.log calls left no trace
    assert trainer.callback_metrics.keys() == trainer2.callback_metrics.keys()
    assert all(torch.equal(trainer.callback_metrics[k], trainer2.callback_metrics[k]) for k in trainer2.callback_metrics)
    for mine, theirs in ((trainer.logged_metrics, trainer2.logged_metrics),
                         (trainer.progress_bar_metrics, trainer2.progress_bar_metrics)):
        assert mine.keys() == theirs.keys()
        assert all(float(mine[k]) == float(theirs[k]) for k in theirs)


@pytest.mark.parametrize("use", ["one_cycle", "clr"])
def test_one_cycle_and_clr_register_a_step_scheduler_that_the_fit_follows(use):
    mark = Around()
    module = _net(head_ratio=0.5)
    finder = LRScopeFinder(use, **SWEEP)
    trainer = _fit(module, [finder, mark], epochs=3)
    total = trainer.estimated_stepping_batches
    assert total == 3 * len(_loader())
    configs = trainer.lr_scheduler_configs
    assert len(configs) == 1 and configs[0].interval == "step" and configs[0].frequency == 1
    assert configs[0].scheduler is finder.scheduler and isinstance(finder.scheduler, ScheduleLR)
    if use == "one_cycle":
        schedule = OneCycle(max_lr=finder.result.one_cycle_max_lr, total_steps=total)
    else:
        spec = dict(finder.result.clr)
        assert spec.pop("kind") == "cyclic"
        schedule = CyclicLR(**spec)
    fit_calls = module.train_calls[mark.seen["calls"]:]
    assert [s for s, *_ in fit_calls] == list(range(total))     # Lightning's own step count
    for step, (body, head), _, _, _ in fit_calls:
        assert body == pytest.approx(schedule(step), rel=1e-9, abs=1e-15)
        assert head == pytest.approx(0.5 * schedule(step), rel=1e-9, abs=1e-15)
    assert len({round(b, 12) for _, (b, _), *_ in fit_calls}) > 3   # the LR moved
    if use == "one_cycle":   # SGD with momentum: one-cycle cycles it inversely to the LR
        moms = [m for _, _, m, _, _ in fit_calls]
        peak = max(range(total), key=lambda k: fit_calls[k][1][0])
        assert moms[peak] == min(moms) < moms[0]


# --------------------------------------------------------------------------- the trainer's pieces


class Clipped(Net):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.norms = []
        self.hooks = 0

    def on_before_optimizer_step(self, optimizer):
        self.hooks += 1

    def configure_gradient_clipping(self, optimizer, gradient_clip_val=None, gradient_clip_algorithm=None):
        super().configure_gradient_clipping(optimizer, gradient_clip_val, gradient_clip_algorithm)
        grads = [p.grad.flatten() for p in self.parameters() if p.grad is not None]
        self.norms.append(float(torch.cat(grads).norm()))


def test_accumulation_clipping_and_precision_come_from_the_trainer():
    before, after = Around(), Around()
    torch.manual_seed(0)
    module = Clipped()
    finder = LRScopeFinder("constant", apply=False, **SWEEP)
    _fit(module, [before, finder, after], epochs=1, accumulate_grad_batches=2, gradient_clip_val=0.05,
         precision="bf16-mixed", limit_train_batches=2)
    n = finder.result.cost_steps
    sweep = module.train_calls[before.seen["calls"]:after.seen["calls"]]
    assert len(sweep) == 2 * n                                 # two micro-batches per optimizer step
    assert all(autocast for *_, autocast, _ in sweep)          # the precision plugin's autocast
    assert module.hooks >= n and len(module.norms) >= n        # once per step (then the fit's own)
    assert max(module.norms[:n]) <= 0.05 * (1 + 1e-4)          # Lightning's clipping ran in the sweep
    assert finder.result.iterations_per_epoch == 1             # 2 batches / 2 accumulated


class TwoOptimizers(Net):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False   # Lightning itself allows several optimizers only so

    def configure_optimizers(self):
        return [torch.optim.SGD(self.body.parameters(), lr=0.1), torch.optim.SGD(self.head.parameters(), lr=0.1)]

    def training_step(self, batch, batch_idx):
        return None


class Manual(Net):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        loss = torch.nn.functional.cross_entropy(self(batch[0]), batch[1])
        opt.zero_grad()
        self.manual_backward(loss)
        opt.step()


class WithScheduler(Net):
    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.1)
        return {"optimizer": opt, "lr_scheduler": torch.optim.lr_scheduler.StepLR(opt, 1)}


class NoOptimizer(Net):
    def configure_optimizers(self):
        return None


class SkipsBatches(Net):
    def training_step(self, batch, batch_idx):
        return None


def _error(fn) -> InvalidArgumentError:
    with pytest.raises(InvalidArgumentError) as info:
        fn()
    assert "Fix:" in str(info.value)
    return info.value


def test_bad_input_is_refused_naming_the_argument_the_value_and_the_fix():
    err = _error(lambda: LRScopeFinder("cosine"))
    assert err.name == "use" and "'cosine'" in str(err) and "one_cycle" in str(err)
    err = _error(lambda: LRScopeFinder("constant", num_step=30))
    assert err.name == "num_step" and "num_steps" in str(err)
    err = _error(lambda: LRScopeFinder("constant", accumulation_steps=4))
    assert err.name == "accumulation_steps" and "accumulate_grad_batches" in str(err)
    err = _error(lambda: LRScopeFinder("constant", num_steps=3))          # checked before fit starts
    assert err.name == "num_steps"
    err = _error(lambda: LRScopeFinder("constant", val_every=5))
    assert err.name == "val_every" and "validate=True" in str(err)
    err = _error(lambda: find_lr("trainer", _net(), train_dataloaders=_loader()))
    assert err.name == "trainer" and "'str'" in str(err)
    err = _error(lambda: find_lr(Trainer(**QUIET), torch.nn.Linear(8, 2), train_dataloaders=_loader()))
    assert err.name == "module" and "Linear" in str(err)

    def fit(module, **kw):
        finder = kw.pop("finder", None) or LRScopeFinder("constant", **SWEEP)
        return lambda: _fit(module, [finder], epochs=1, **kw)

    err = _error(fit(TwoOptimizers()))
    assert err.name == "configure_optimizers" and "2 optimizers" in str(err)
    err = _error(fit(NoOptimizer()))
    assert err.name == "configure_optimizers" and "0 optimizers" in str(err)
    err = _error(fit(Manual()))
    assert err.name == "automatic_optimization"
    err = _error(fit(WithScheduler()))
    assert err.name == "use" and "StepLR" in str(err) and "apply=False" in str(err)
    err = _error(fit(_net(), finder=LRScopeFinder("constant", validate=True, **SWEEP)))
    assert err.name == "validate" and "val_dataloaders" in str(err)
    module = SkipsBatches()
    start = _state(module)
    err = _error(fit(module))
    assert err.name == "training_step" and "None" in str(err)
    assert _same(start, _state(module))                         # restored on the error too
    err = _error(fit(_net(), finder=LRScopeFinder("one_cycle", **SWEEP), max_epochs=-1, max_steps=-1))
    assert err.name == "use" and "max_steps" in str(err)


# --------------------------------------------------------------------------- validation


def test_validate_scores_the_sweep_with_validation_step_in_eval_mode_without_grad():
    before, after = Around(), Around()
    module = _net(bn=False)   # no running statistics: eval-mode outputs depend on the weights alone
    finder = LRScopeFinder("constant", apply=False, validate=True, val_every=10, **SWEEP)
    val = _loader(shuffle=False, n=64, seed=1)
    trainer = Trainer(max_epochs=1, callbacks=[before, finder, after], num_sanity_val_steps=0, **QUIET)
    trainer.fit(module, _loader(), val)
    sweep_val = module.val_calls[before.seen["val_calls"]:after.seen["val_calls"]]
    res = finder.result
    assert len(res.val_steps) >= 3 and np.all(np.isfinite(res.val_losses))
    assert len(sweep_val) >= len(res.val_steps) * len(val)      # whole loader per evaluation
    assert all(not training and not grad for training, grad in sweep_val)
    # the first evaluation (after 10 steps at tiny LRs) scores the unchanged net: its mean CE on val
    with torch.no_grad():
        probe = _net(bn=False)
        probe.load_state_dict(before.seen["weights"])
        probe.eval()
        x, y = val.dataset.tensors
        expected = float(torch.nn.functional.cross_entropy(probe(x), y))
    assert res.val_losses[0] == pytest.approx(expected, rel=1e-3)
    assert "val_loss" in trainer.callback_metrics and after.seen["callback_metrics"] == {}


# --------------------------------------------------------------------------- the function form


class Data(LightningDataModule):
    def train_dataloader(self):
        return _loader()


def test_find_lr_function_leaves_module_and_trainer_ready_for_a_normal_fit():
    module = _net()
    start = _state(module)
    trainer = Trainer(max_epochs=2, **QUIET)
    callbacks = list(trainer.callbacks)
    rng = _rng()
    res = find_lr(trainer, module, datamodule=Data(), **SWEEP)
    assert res.lr is not None and len(res.lrs) > 10
    assert _same(start, _state(module)) and _same_rng(rng, _rng())
    assert trainer.global_step == 0 and trainer.current_epoch == 0 and trainer.callbacks == callbacks
    trainer.fit(module, datamodule=Data())
    assert trainer.global_step == 2 * len(_loader())
    fresh = _net()
    Trainer(max_epochs=2, **QUIET).fit(fresh, datamodule=Data())
    assert _same(_state(module), _state(fresh))    # the trainer kept nothing of the range test


# --------------------------------------------------------------------------- ScheduleLR in configure_optimizers


class Scheduled(Net):
    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.01)
        self.schedule = CyclicLR(base_lr=1e-3, max_lr=6e-3, step_size=3)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": ScheduleLR(opt, self.schedule), "interval": "step"}}


def test_schedule_lr_from_configure_optimizers_gives_schedule_of_lightnings_step():
    module = Scheduled()
    trainer = _fit(module, epochs=2, accumulate_grad_batches=2)
    steps = [s for s, *_ in module.train_calls]
    assert steps == [k // 2 for k in range(2 * len(_loader()))]     # two micro-batches per step
    assert trainer.global_step == len(_loader())
    for step, (lr,), *_ in module.train_calls:
        assert lr == pytest.approx(module.schedule(step), rel=1e-12)


# --------------------------------------------------------------------------- resume


def test_a_resumed_fit_gets_the_schedule_back_without_a_second_range_test(tmp_path):
    module = _net()
    ckpt = ModelCheckpoint(dirpath=tmp_path, save_top_k=-1, every_n_epochs=1)
    finder = LRScopeFinder("one_cycle", **SWEEP)
    mark = Around()
    trainer = Trainer(max_epochs=2, callbacks=[finder, mark, ckpt], default_root_dir=tmp_path,
                      **{**QUIET, "enable_checkpointing": True})
    trainer.fit(module, _loader())
    first = {s: lr for s, lr, *_ in module.train_calls[mark.seen["calls"]:]}
    path = sorted(tmp_path.glob("epoch=0*.ckpt"))[0]

    again = _net(seed=5)
    finder2 = LRScopeFinder("one_cycle", **SWEEP)
    Trainer(max_epochs=2, callbacks=[finder2, ModelCheckpoint(dirpath=tmp_path / "2")], default_root_dir=tmp_path,
            **{**QUIET, "enable_checkpointing": True}).fit(again, _loader(), ckpt_path=path)
    steps = [s for s, *_ in again.train_calls]
    assert steps == list(range(len(_loader()), 2 * len(_loader())))    # no sweep: only the second epoch
    for s, lr, *_ in again.train_calls:
        assert lr == pytest.approx(first[s], rel=1e-12)
    assert finder2.result.one_cycle_max_lr == finder.result.one_cycle_max_lr

    # a checkpoint of a fit without the callback holds no answer to resume with
    plain = tmp_path / "plain"
    Trainer(max_epochs=1, callbacks=[ModelCheckpoint(dirpath=plain)], default_root_dir=plain,
            **{**QUIET, "enable_checkpointing": True}).fit(_net(), _loader())
    err = _error(lambda: Trainer(max_epochs=2, callbacks=[LRScopeFinder("one_cycle", **SWEEP)], **QUIET).fit(
        _net(), _loader(), ckpt_path=next(plain.glob("*.ckpt"))))
    assert err.name == "ckpt_path" and "apply=False" in str(err)


# --------------------------------------------------------------------------- docs and names


def test_the_docs_examples_run_and_name_every_public_name():
    import lrscope.lightning as facade

    text = DOC.read_text()
    for name in facade.__all__:
        assert name in text, f"docs/lightning.md does not mention {name}"
    blocks = python_blocks(DOC)
    assert blocks, "docs/lightning.md lost its python examples"
    run_python_blocks(DOC, blocks)


# --------------------------------------------------------------------------- DDP (two processes, gloo)

DDP_SCRIPT = textwrap.dedent('''
    import json, os, sys
    import torch
    torch.set_num_threads(1)
    from lightning.pytorch import Callback, LightningModule, Trainer
    from torch.utils.data import DataLoader, TensorDataset
    from lrscope.lightning import LRScopeFinder

    class Net(LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
            self.fit_lrs = []
        def training_step(self, batch, batch_idx):
            loss = torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])
            self.log("train_loss", loss, sync_dist=True)
            self.fit_lrs.append(self.optimizers().param_groups[0]["lr"])
            return loss
        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01, momentum=0.9)

    class Around(Callback):
        def __init__(self): self.weights = None
        def on_fit_start(self, trainer, module):
            self.weights = [p.detach().clone() for p in module.parameters()]
            self.calls = len(module.fit_lrs)

    g = torch.Generator().manual_seed(0)
    x = torch.randn(256, 8, generator=g)
    y = (x[:, 0] - x[:, 1] > 0).long()
    torch.manual_seed(1)
    module = Net()
    before, after = Around(), Around()
    finder = LRScopeFinder("constant", num_steps=30)
    trainer = Trainer(strategy="ddp", devices=2, accelerator="cpu", max_epochs=1, callbacks=[before, finder, after],
                      enable_progress_bar=False, logger=False, enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(module, DataLoader(TensorDataset(x, y), batch_size=16))
    res = finder.result
    out = dict(rank=trainer.global_rank, world=res.world_size, batch=res.batch_size, lrs=res.lrs.tolist(),
               losses=res.losses.tolist(), lr=res.lr, cost=res.cost_steps,
               restored=all(torch.equal(a, b) for a, b in zip(before.weights, after.weights)),
               sweep_calls=after.calls - before.calls, fit_lrs=sorted(set(module.fit_lrs[after.calls:])),
               weights=[p.detach().flatten()[:4].tolist() for p in module.parameters()])
    with open(os.path.join(sys.argv[1], f"rank{trainer.global_rank}.json"), "w") as f:
        json.dump(out, f)
    # torch's gloo backend can abort at interpreter teardown (see tests/test_distributed.py):
    # everything under test is done and written, so leave without the teardown.
    os._exit(0)
''')


@pytest.mark.slow
def test_ddp_two_ranks_get_one_answer_and_restore_their_weights(tmp_path):
    script = tmp_path / "ddp_worker.py"
    script.write_text(DDP_SCRIPT)
    import os

    env = {**os.environ, "OMP_NUM_THREADS": "1", "PL_DISABLE_FORK": "1"}
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True,
                          timeout=240, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert {r0["rank"], r1["rank"]} == {0, 1}
    assert r0["world"] == r1["world"] == 2 and r0["batch"] == 32          # 16 per rank x 2 ranks
    assert r0["lrs"] == r1["lrs"] and r0["losses"] == r1["losses"] and r0["cost"] == r1["cost"]
    assert r0["lr"] == r1["lr"] is not None
    for r in (r0, r1):
        assert r["restored"] and r["sweep_calls"] == r["cost"]
        assert r["fit_lrs"] == [pytest.approx(r0["lr"], rel=1e-12)]       # the fit trains at the answer
    assert r0["weights"] == r1["weights"]                                  # DDP kept the ranks in step
