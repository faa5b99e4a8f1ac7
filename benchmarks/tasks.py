"""The range-test benchmark suite: six small, real training tasks built from offline data.

Each :class:`BenchTask` knows how to build a fresh, seeded :class:`lrscope.Task`
(model, optimizer, loss, loaders), its fixed training budget in optimizer steps,
and how to measure final quality on held-out data (higher is better).

| name              | data                         | model                  | optimizer          |
|-------------------|------------------------------|------------------------|--------------------|
| mnist1d-mlp       | MNIST-1D (generated)         | MLP 40-256-256-10      | SGD, momentum 0.9  |
| mnist1d-cnn       | MNIST-1D (generated)         | 1-D CNN, 3 conv layers | Adam               |
| digits-cnn        | sklearn digits 8x8           | 2-D CNN, 2 conv layers | SGD (plain)        |
| cancer-mlp        | sklearn breast cancer        | MLP 30-64-64-2         | AdamW (wd 0.01)    |
| diabetes-mlp      | sklearn diabetes (regression)| MLP 10-64-64-1         | SGD, Nesterov 0.9  |
| stdlib-char-gpt   | Python stdlib source text    | 2-layer causal transformer (d=32) | AdamW  |

Four held-out tasks (``holdout=True``) check rules chosen on the six above: lrscope's built-in
``demo:digits-cnn`` (SGD with momentum) and ``demo:digits-mlp`` (Adam), ``teacher-mlp`` (a
synthetic teacher-network regression, MLP 20-128-128-1, SGD with momentum) and
``stdlib-char-mlp`` (a next-character MLP over 8 characters of other stdlib files, RMSprop).

The data never comes from the network: MNIST-1D through ``mnist1d.data.make_dataset``,
sklearn's bundled sets, and the text of the running Python's own standard library.

Run ``python benchmarks/tasks.py`` to print each task's size and the time per step.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import sysconfig
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

import lrscope

__all__ = ["BenchTask", "TASKS", "BatchLoader", "train", "evaluate"]


# --------------------------------------------------------------------------- loaders
class BatchLoader:
    """A light re-iterable loader over in-memory tensors: shuffled mini-batches, seeded.

    Every ``iter()`` draws a new permutation from its own ``torch.Generator`` (seeded
    once), so two loaders built with the same seed yield the same batch sequence.
    The last incomplete batch is dropped (``drop_last``), so every batch has the same size.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int, shuffle: bool = True):
        self.x, self.y, self.batch_size, self.shuffle = x, y, int(batch_size), shuffle
        self.generator = torch.Generator().manual_seed(int(seed))

    def __len__(self) -> int:
        return len(self.x) // self.batch_size

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.x)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for i in range(len(self)):
            idx = order[i * self.batch_size:(i + 1) * self.batch_size]
            yield self.x[idx], self.y[idx]


class WindowLoader:
    """Random fixed-length windows of a token stream for next-token prediction (seeded)."""

    def __init__(self, tokens: torch.Tensor, context: int, batch_size: int, batches: int, seed: int):
        self.tokens, self.context, self.batch_size, self.batches = tokens, int(context), int(batch_size), int(batches)
        self.generator = torch.Generator().manual_seed(int(seed))

    def __len__(self) -> int:
        return self.batches

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        hi = len(self.tokens) - self.context - 1
        offsets = torch.arange(self.context + 1)
        for _ in range(self.batches):
            starts = torch.randint(0, hi, (self.batch_size,), generator=self.generator)
            chunk = self.tokens[starts[:, None] + offsets]
            yield chunk[:, :-1], chunk[:, 1:]


# --------------------------------------------------------------------------- data
@functools.lru_cache(maxsize=2)
def _mnist1d(num_samples: int) -> tuple[torch.Tensor, ...]:
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = num_samples
    data = make_dataset(args)  # generated locally; never the download URL
    x, xt = (torch.tensor(data[k], dtype=torch.float32) for k in ("x", "x_test"))
    mean, std = x.mean(), x.std()
    return ((x - mean) / std, torch.tensor(data["y"], dtype=torch.long),
            (xt - mean) / std, torch.tensor(data["y_test"], dtype=torch.long))


def _split(x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int = 1234) -> tuple[np.ndarray, ...]:
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(round(len(x) * val_fraction))
    val, tr = order[:n_val], order[n_val:]
    return x[tr], y[tr], x[val], y[val]


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[torch.Tensor, ...]:
    from sklearn.datasets import load_digits

    d = load_digits()
    xtr, ytr, xva, yva = _split(d.images.astype(np.float32) / 16.0, d.target, 0.25)
    return (torch.tensor(xtr)[:, None], torch.tensor(ytr), torch.tensor(xva)[:, None], torch.tensor(yva))


@functools.lru_cache(maxsize=1)
def _cancer() -> tuple[torch.Tensor, ...]:
    from sklearn.datasets import load_breast_cancer

    d = load_breast_cancer()
    xtr, ytr, xva, yva = _split(d.data.astype(np.float32), d.target, 0.25)
    mean, std = xtr.mean(0), xtr.std(0) + 1e-8
    return (torch.tensor((xtr - mean) / std), torch.tensor(ytr), torch.tensor((xva - mean) / std), torch.tensor(yva))


@functools.lru_cache(maxsize=1)
def _diabetes() -> tuple[torch.Tensor, ...]:
    from sklearn.datasets import load_diabetes

    d = load_diabetes()
    xtr, ytr, xva, yva = _split(d.data.astype(np.float32), d.target.astype(np.float32), 0.25)
    xm, xs = xtr.mean(0), xtr.std(0)
    ym, ys = ytr.mean(), ytr.std()
    return (torch.tensor((xtr - xm) / xs), torch.tensor((ytr - ym) / ys)[:, None],
            torch.tensor((xva - xm) / xs), torch.tensor((yva - ym) / ys)[:, None])


_STDLIB_FILES = ("textwrap.py", "argparse.py", "dataclasses.py", "inspect.py", "functools.py", "json/decoder.py")
VOCAB = "\n" + "".join(chr(c) for c in range(32, 127))  # 96 symbols; anything else maps to '?'


@functools.lru_cache(maxsize=1)
def _stdlib_text() -> tuple[torch.Tensor, torch.Tensor]:
    root = Path(sysconfig.get_paths()["stdlib"])
    text = "\n".join((root / name).read_text(encoding="utf-8") for name in _STDLIB_FILES)
    lookup = {ch: i for i, ch in enumerate(VOCAB)}
    unknown = lookup["?"]
    tokens = torch.tensor([lookup.get(ch, unknown) for ch in text], dtype=torch.long)
    n_val = len(tokens) // 10
    return tokens[:-n_val], tokens[-n_val:]


# --------------------------------------------------------------------------- models
class CharGPT(nn.Module):
    """A tiny causal transformer language model (pre-LN, learned positions)."""

    def __init__(self, vocab: int, context: int, d_model: int = 32, heads: int = 4, layers: int = 2):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.zeros(context, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.0, batch_first=True,
                                           norm_first=True, activation="gelu")
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(context), persistent=False)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        t = idx.shape[1]
        h = self.embed(idx) + self.pos[:t]
        h = self.blocks(h, mask=self.mask[:t, :t], is_causal=True)
        return self.head(self.norm(h))


def _lm_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def _mlp(sizes: list[int], act: type[nn.Module] = nn.ReLU, dropout: float = 0.0) -> nn.Sequential:
    """Linear layers of `sizes`, each but the last followed by `act` (and dropout when > 0)."""
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act()] + ([nn.Dropout(dropout)] if dropout else [])
    return nn.Sequential(*layers[:-(2 if dropout else 1)])


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of correct top-1 predictions (higher is better)."""
    return float((outputs.argmax(-1) == targets).float().mean())


# --------------------------------------------------------------------------- the suite
@dataclasses.dataclass(frozen=True)
class BenchTask:
    """One benchmark task.

    Args:
        name: short label.
        build: ``build(seed, smoke) -> (model, optimizer, loss_fn, train_loader, val_batch, metric)``.
        budget: training steps (optimizer steps) of one oracle / evaluation run.
        quality: name of the final-quality measure (higher is better): "val_acc",
            "neg_val_nll" (nats per character) or "val_r2".
        optimizer: a label, e.g. "SGD(momentum=0.9)".
        blind_default: the LR people use without measuring (SGD 0.1, Adam/AdamW 1e-3).
        holdout: a task kept out of the choice of rules (lrscope's own demo tasks), used to
            check a rule chosen on the others.
        family: the task's family in the generalisation suite (``benchmarks/suite.py``): rules
            are tuned on all families but one and scored on the one left out.
    """

    name: str
    build: Callable[[int, bool], tuple[Any, ...]]
    budget: int
    quality: str
    optimizer: str
    blind_default: float
    holdout: bool = False
    family: str = ""

    def make_task(self, seed: int = 0, smoke: bool = False) -> lrscope.Task:
        """A fresh :class:`lrscope.Task` with model weights and batch order drawn from `seed`.

        The validation batch is attached as ``val_loader=[val_batch]``. `smoke` builds a
        smaller dataset (for the unit smoke test only).
        """
        model, opt, loss_fn, loader, val_batch, metric = self.build(int(seed), bool(smoke))
        return lrscope.Task(model=model, optimizer=opt, loss_fn=loss_fn, train_loader=loader,
                            val_loader=[val_batch], metric=metric, name=self.name)


def _seeded(seed: int) -> None:
    torch.manual_seed(seed)


def _build_mnist1d_mlp(seed: int, smoke: bool) -> tuple[Any, ...]:
    x, y, xv, yv = _mnist1d(400 if smoke else 5000)
    _seeded(seed)
    model = _mlp([40, 256, 256, 10])
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, opt, nn.CrossEntropyLoss(), BatchLoader(x, y, 100, seed), (xv, yv), accuracy


class _Conv1d(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv1d(32, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * 10, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x[:, None, :])


def _build_mnist1d_cnn(seed: int, smoke: bool) -> tuple[Any, ...]:
    x, y, xv, yv = _mnist1d(400 if smoke else 5000)
    _seeded(seed)
    model = _Conv1d()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, opt, nn.CrossEntropyLoss(), BatchLoader(x, y, 100, seed), (xv, yv), accuracy


def _build_digits_cnn(seed: int, smoke: bool) -> tuple[Any, ...]:
    x, y, xv, yv = _digits()
    _seeded(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(32 * 16, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    return model, opt, nn.CrossEntropyLoss(), BatchLoader(x, y, 32, seed), (xv, yv), accuracy


def _build_cancer_mlp(seed: int, smoke: bool) -> tuple[Any, ...]:
    x, y, xv, yv = _cancer()
    _seeded(seed)
    model = _mlp([30, 64, 64, 2])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    return model, opt, nn.CrossEntropyLoss(), BatchLoader(x, y, 32, seed), (xv, yv), accuracy


def _r2(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Coefficient of determination 1 - SSE/SST (higher is better)."""
    sse = float(((outputs - targets) ** 2).sum())
    sst = float(((targets - targets.mean()) ** 2).sum())
    return 1.0 - sse / sst


def _build_diabetes_mlp(seed: int, smoke: bool) -> tuple[Any, ...]:
    x, y, xv, yv = _diabetes()
    _seeded(seed)
    model = _mlp([10, 64, 64, 1])
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    return model, opt, nn.MSELoss(), BatchLoader(x, y, 32, seed), (xv, yv), _r2


CONTEXT = 32


def _build_char_gpt(seed: int, smoke: bool) -> tuple[Any, ...]:
    train_tokens, val_tokens = _stdlib_text()
    # a fixed validation set: 128 evenly spaced windows of the held-out tail
    starts = torch.linspace(0, len(val_tokens) - CONTEXT - 2, 128).long()
    chunk = val_tokens[starts[:, None] + torch.arange(CONTEXT + 1)]
    _seeded(seed)
    model = CharGPT(len(VOCAB), CONTEXT)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    loader = WindowLoader(train_tokens, CONTEXT, 16, batches=100, seed=seed)
    return model, opt, _lm_loss, loader, (chunk[:, :-1], chunk[:, 1:]), None


@functools.lru_cache(maxsize=1)
def _teacher() -> tuple[torch.Tensor, ...]:
    """Synthetic regression: y = a fixed random tanh network of x (20 inputs) + 10% noise."""
    g = torch.Generator().manual_seed(7)
    x = torch.randn(2500, 20, generator=g)
    w1, w2 = torch.randn(20, 32, generator=g) / 20 ** 0.5, torch.randn(32, 1, generator=g) / 32 ** 0.5
    y = torch.tanh(x @ w1) @ w2
    y = (y - y.mean()) / y.std()
    y = y + 0.1 * torch.randn(y.shape, generator=g)
    return x[:2000], y[:2000], x[2000:], y[2000:]


def _build_teacher_mlp(seed: int, smoke: bool) -> tuple[Any, ...]:
    x, y, xv, yv = _teacher()
    _seeded(seed)
    model = _mlp([20, 128, 128, 1])
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, opt, nn.MSELoss(), BatchLoader(x, y, 50, seed), (xv, yv), _r2


_HOLDOUT_FILES = ("typing.py", "enum.py", "pathlib.py", "shutil.py")


@functools.lru_cache(maxsize=1)
def _holdout_text() -> tuple[torch.Tensor, torch.Tensor]:
    root = Path(sysconfig.get_paths()["stdlib"])
    text = "\n".join((root / name).read_text(encoding="utf-8") for name in _HOLDOUT_FILES
                     if (root / name).is_file())
    lookup = {ch: i for i, ch in enumerate(VOCAB)}
    tokens = torch.tensor([lookup.get(ch, lookup["?"]) for ch in text], dtype=torch.long)
    n_val = len(tokens) // 10
    return tokens[:-n_val], tokens[-n_val:]


class CharMLP(nn.Module):
    """Next-character MLP over the previous 8 characters (Bengio-style neural LM)."""

    def __init__(self, vocab: int, context: int = 8, embed: int = 16, hidden: int = 128):
        super().__init__()
        self.context = context
        self.embed = nn.Embedding(vocab, embed)
        self.net = nn.Sequential(nn.Linear(context * embed, hidden), nn.Tanh(), nn.Linear(hidden, vocab))

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.net(self.embed(idx).flatten(1))


def _build_char_mlp(seed: int, smoke: bool) -> tuple[Any, ...]:
    train_tokens, val_tokens = _holdout_text()
    ctx = 8
    starts = torch.linspace(0, len(val_tokens) - ctx - 2, 2000).long()
    chunk = val_tokens[starts[:, None] + torch.arange(ctx + 1)]
    _seeded(seed)
    model = CharMLP(len(VOCAB), ctx)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    loader = _LastTokenLoader(WindowLoader(train_tokens, ctx, 64, batches=100, seed=seed))
    return model, opt, nn.CrossEntropyLoss(), loader, (chunk[:, :-1], chunk[:, -1]), accuracy


class _LastTokenLoader:
    """Windows of ``WindowLoader`` turned into (previous ctx characters, next character)."""

    def __init__(self, windows: WindowLoader):
        self.windows = windows
        self.generator = windows.generator

    def __len__(self) -> int:
        return len(self.windows)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for x, y in self.windows:
            yield x, y[:, -1]


def _demo(name: str) -> Callable[[int, bool], tuple[Any, ...]]:
    """A builder from lrscope's built-in demo task `name` (its validation loader merged into one batch)."""

    def build(seed: int, smoke: bool) -> tuple[Any, ...]:
        task = lrscope.load_task(f"demo:{name}", seed=seed)
        xs, ys = zip(*task.val_loader)
        return (task.model, task.optimizer, task.loss_fn, task.train_loader, (torch.cat(xs), torch.cat(ys)),
                task.metric)

    return build


TASKS: dict[str, BenchTask] = {t.name: t for t in (
    BenchTask("mnist1d-mlp", _build_mnist1d_mlp, 200, "val_acc", "SGD(momentum=0.9)", 0.1),
    BenchTask("mnist1d-cnn", _build_mnist1d_cnn, 200, "val_acc", "Adam", 1e-3),
    BenchTask("digits-cnn", _build_digits_cnn, 150, "val_acc", "SGD", 0.1),
    BenchTask("cancer-mlp", _build_cancer_mlp, 150, "val_acc", "AdamW(weight_decay=0.01)", 1e-3),
    BenchTask("diabetes-mlp", _build_diabetes_mlp, 150, "val_r2", "SGD(momentum=0.9, nesterov)", 0.1),
    BenchTask("stdlib-char-gpt", _build_char_gpt, 200, "neg_val_nll", "AdamW(weight_decay=0.01)", 1e-3),
    # held out: lrscope's demo tasks, scored separately to check rules chosen on the six above
    BenchTask("demo:digits-cnn", _demo("digits-cnn"), 150, "val_acc", "SGD(momentum=0.9)", 0.1, holdout=True),
    BenchTask("demo:digits-mlp", _demo("digits-mlp"), 150, "val_acc", "Adam", 1e-3, holdout=True),
    BenchTask("teacher-mlp", _build_teacher_mlp, 150, "val_r2", "SGD(momentum=0.9)", 0.1, holdout=True),
    BenchTask("stdlib-char-mlp", _build_char_mlp, 200, "val_acc", "RMSprop", 1e-3, holdout=True),
)}


# --------------------------------------------------------------------------- train / evaluate
def evaluate(bench: BenchTask, task: lrscope.Task) -> dict[str, float]:
    """Validation loss and the task's quality measure (higher is better) on the fixed val batch."""
    (xv, yv), = task.val_loader
    model = task.model
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(xv)
        loss = float(task.loss_fn(out, yv))
    model.train(was_training)
    if bench.quality == "neg_val_nll":
        q = -loss
    elif not math.isfinite(loss):
        q = float("nan")
    else:
        q = task.metric(out, yv)
    return {"val_loss": loss, "quality": q if math.isfinite(q) else float("nan")}


def uses_momentum(opt: torch.optim.Optimizer) -> bool:
    """True when the optimizer has a momentum term one-cycle can cycle (SGD momentum > 0, Adam-family betas)."""
    group = opt.param_groups[0]
    return "betas" in group or float(group.get("momentum", 0.0) or 0.0) > 0.0


def _cycle(loader: Any) -> Iterator[Any]:
    while True:
        yield from loader


def train(bench: BenchTask, seed: int, schedule: str, lr: float, *, budget: int | None = None,
          spec: dict | None = None, optimizer: Callable[[nn.Module], torch.optim.Optimizer] | None = None,
          curve_every: int | None = None) -> dict[str, Any]:
    """Train a fresh model of `bench` for its budget and measure final quality.

    Args:
        bench: the task.
        seed: model-init and batch-order seed.
        schedule: "constant" (LR fixed at `lr`), "one_cycle" (torch's ``OneCycleLR`` with
            ``max_lr=lr`` and its defaults: pct_start=0.3, div_factor=25,
            final_div_factor=1e4, cosine annealing; momentum/beta1 cycled 0.95->0.85 only
            when the optimizer uses momentum, so plain SGD, RMSprop and Adagrad stay as built),
            "clr" (triangular CLR between ``lr / 4`` and ``lr`` with step_size ``budget // 4``,
            i.e. two whole cycles: Smith's base_lr = max_lr / 4), or "spec" (an
            ``lrscope.schedules`` spec dict, e.g. a CLR suggestion).
        lr: the constant LR or the one-cycle peak.
        budget: steps (default: the task's budget).
        spec: the schedule spec when ``schedule == "spec"``.
        optimizer: ``optimizer(model) -> Optimizer`` replacing the task's own (e.g. Prodigy).
        curve_every: also record the quality every this many steps (``curve``: a list of
            ``[step, quality]``), for "steps to reach a quality" measures.

    Returns:
        dict with ``diverged`` (bool: non-finite training loss or a loss 100x above the
        first one), ``steps`` taken, final ``val_loss``, ``quality`` (NaN when diverged),
        and ``train_loss`` (mean of the last 10 steps).
    """
    budget = bench.budget if budget is None else int(budget)
    task = bench.make_task(seed)
    model, opt, loss_fn = task.model, task.optimizer, task.loss_fn
    if optimizer is not None:
        opt = optimizer(model)
    for group in opt.param_groups:
        group["lr"] = lr
    sched: Any = None
    if schedule == "one_cycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=budget,
                                                    cycle_momentum=uses_momentum(opt))
    elif schedule == "clr":
        from lrscope.schedules import CyclicLR
        from lrscope.torch import ScheduleLR

        sched = ScheduleLR(opt, CyclicLR(lr / 4.0, lr, max(1, budget // 4)))
    elif schedule == "spec":
        from lrscope.schedules import from_spec
        from lrscope.torch import ScheduleLR

        sched = ScheduleLR(opt, from_spec(spec))
    elif schedule != "constant":
        raise ValueError(f"unknown schedule {schedule!r}")
    model.train()
    batches = _cycle(task.train_loader)
    first = None
    recent: list[float] = []
    diverged = False
    step = 0
    curve: list[list[float]] = []
    for step in range(1, budget + 1):
        x, y = next(batches)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        value = float(loss.detach())
        if first is None:
            first = abs(value) + 1e-12
        if not math.isfinite(value) or abs(value) > 100 * first + 10:
            diverged = True
            break
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        recent = (recent + [value])[-10:]
        if curve_every and step % curve_every == 0:
            curve.append([step, evaluate(bench, task)["quality"]])
    out = {"diverged": diverged, "steps": step, "train_loss": float(np.mean(recent)) if recent else float("nan")}
    if curve_every:
        out["curve"] = curve
    if diverged:
        out.update(val_loss=float("nan"), quality=float("nan"))
    else:
        out.update(evaluate(bench, task))
        if not math.isfinite(out["quality"]):
            out["diverged"] = True
    return out


def print_sizes(benches, max_steps: int | None = None) -> None:
    """Print each task's size, its untrained and default-LR quality and its time per step
    (training at the framework default for ``min(budget, max_steps)`` steps, one torch thread)."""
    import time

    torch.set_num_threads(1)
    for bench in benches:
        task = bench.make_task(0)
        n_params = sum(p.numel() for p in task.model.parameters())
        init = evaluate(bench, task)
        steps = bench.budget if max_steps is None else min(bench.budget, max_steps)
        t0 = time.perf_counter()
        res = train(bench, 0, "constant", bench.blind_default, budget=steps)
        dt = time.perf_counter() - t0
        print(f"{bench.name:24s} {bench.family:12s} params={n_params:7d} steps/epoch={len(task.train_loader):4d} "
              f"budget={bench.budget:5d} init_q={init['quality']:.3f} q{steps}={res['quality']:.3f} "
              f"{1e3 * dt / res['steps']:.2f} ms/step", flush=True)


if __name__ == "__main__":  # size and speed of each task
    print_sizes(TASKS.values())
