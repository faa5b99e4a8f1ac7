"""The other finders' answers on the generalisation suite, from the real packages.

For every task of ``benchmarks/suite.py`` and seed, on the task's fresh model of that seed:

* ``torch_lr_finder``: torch-lr-finder 0.2.x as its README shows it: ``LRFinder.range_test``
  from 1e-7 to 100 in 100 steps, then ``plot(suggest_lr=True)`` (the steepest descent of its
  smoothed loss);
* ``lightning``: Lightning's ``Tuner.lr_find`` with its defaults (1e-8 .. 1, 100 steps) on a
  thin ``LightningModule`` around the task; ``lr_finder.suggestion()``;
* ``fastai``: fastai's ``Learner.lr_find`` with its defaults (1e-7 .. 10, 100 steps) and its
  default suggestion, ``valley``; fastai is installed without torchvision (``--no-deps``:
  its learner and schedule modules do not import it);
* ``default``: the framework's default LR for the task's optimizer (no test at all).

Prodigy (``lr=1``) needs no answer: ``gen_final.py`` trains it directly.

None of these packages is a dependency of lrscope: install them into the benchmark
environment only (``benchmarks/requirements-gen.txt``). Answers go to
``results/gen/baselines.json``.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_baselines.py
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import math
import os
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_oracle import RESULTS, SEEDS  # noqa: E402

BASELINES = ("torch_lr_finder", "lightning", "fastai")
PATH = RESULTS / "baselines.json"


def _stream(loader):
    """A torch DataLoader that yields the task loader's own batches (same order, same length)."""
    import torch
    from torch.utils.data import DataLoader, IterableDataset

    class Stream(IterableDataset):
        def __iter__(self):
            return iter(loader)

        def __len__(self):
            return len(loader)

    return DataLoader(Stream(), batch_size=None)


def _optimizer_kwargs(opt) -> dict:
    """The optimizer's hyperparameters as keyword arguments its constructor accepts (LR and params aside)."""
    import inspect

    accepted = set(inspect.signature(type(opt).__init__).parameters)
    skip = {"lr", "params", "differentiable", "foreach", "fused", "maximize", "capturable"}
    return {k: val for k, val in opt.defaults.items() if k in accepted and k not in skip}


def torch_lr_finder(task) -> float:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from torch_lr_finder import LRFinder

    for g in task.optimizer.param_groups:   # README: the optimizer is built with lr=1e-7
        g["lr"] = 1e-7
    finder = LRFinder(task.model, task.optimizer, task.loss_fn, device="cpu")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        finder.range_test(_stream(task.train_loader), end_lr=100, num_iter=100)
        fig, ax = plt.subplots()
        _, lr = finder.plot(ax=ax, suggest_lr=True)
        plt.close(fig)
    finder.reset()
    return float(lr)


def lightning(task) -> float:
    import lightning.pytorch as pl
    from lightning.pytorch.tuner import Tuner

    opt_cls, kwargs = type(task.optimizer), _optimizer_kwargs(task.optimizer)
    model, loss_fn = task.model, task.loss_fn

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = model
            self.lr = 1e-3

        def training_step(self, batch, batch_idx):
            x, y = batch
            return loss_fn(self.net(x), y)

        def configure_optimizers(self):
            return opt_cls(self.parameters(), lr=self.lr, **kwargs)

    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        trainer = pl.Trainer(accelerator="cpu", devices=1, max_epochs=1000, logger=False, enable_checkpointing=False,
                             enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp)
        finder = Tuner(trainer).lr_find(Module(), train_dataloaders=_stream(task.train_loader), update_attr=False)
        lr = finder.suggestion()
    return math.nan if lr is None else float(lr)


def fastai(task) -> float:
    import torch
    from fastai.callback.schedule import valley
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    from fastai.optimizer import OptimWrapper

    opt_cls, kwargs = type(task.optimizer), _optimizer_kwargs(task.optimizer)

    def opt_func(params, lr):
        return OptimWrapper(params, opt_cls, lr=lr, **kwargs)

    valid = _stream(task.val_loader)
    dls = DataLoaders(_stream(task.train_loader), valid, device=torch.device("cpu"))
    with tempfile.TemporaryDirectory() as tmp:
        learn = Learner(dls, task.model, loss_func=task.loss_fn, opt_func=opt_func, path=tmp)
        with learn.no_bar(), learn.no_logging(), contextlib.redirect_stdout(io.StringIO()):
            res = learn.lr_find(suggest_funcs=(valley,), show_plot=False)
    return float(res.valley)


FINDERS = {"torch_lr_finder": torch_lr_finder, "lightning": lightning, "fastai": fastai}


def load() -> dict:
    return json.loads(PATH.read_text()) if PATH.exists() else {}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="*")
    p.add_argument("--finders", nargs="*", default=list(BASELINES), choices=BASELINES)
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    from suite import SUITE

    data = load()
    for name in args.tasks or list(SUITE):
        bench = SUITE[name]
        for seed in SEEDS:
            entry = data.setdefault(name, {}).setdefault(str(seed), {})
            for finder in args.finders:
                if finder in entry:
                    continue
                torch.manual_seed(seed)
                task = bench.make_task(seed)
                try:
                    lr = FINDERS[finder](task)
                except Exception as exc:  # a finder that fails on a task gives no answer (scored as such)
                    print(f"{name} s{seed} {finder}: failed: {type(exc).__name__}: {exc}", flush=True)
                    lr = math.nan
                entry[finder] = None if not math.isfinite(lr) else lr
                print(f"{name} s{seed} {finder}: {entry[finder]}", flush=True)
                tmp = PATH.with_suffix(".tmp")
                tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
                os.replace(tmp, PATH)


if __name__ == "__main__":
    main()
