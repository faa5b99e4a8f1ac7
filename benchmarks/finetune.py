"""Fine-tuning, measured (issue 14, part 3): does a pretrained network want a smaller LR?

An MLP (40-128-128) is pretrained on MNIST-1D classes 0-4 (Adam, 1e-3, 1,500 steps, seed 0).
The fine-tuning task is classes 5-9 with a new 5-way head, 400 steps of Adam at a constant
LR, batch 64; the from-scratch task is the same network, untrained. For both:

* the oracle: the grid ``10 ** (k / 6)`` from 1e-4 to 0.1, seeds 0 and 1 (the new head's
  initial weights and the batch order), final validation accuracy;
* lrscope's answers: ``find_lr`` with the defaults (every group at the same LR), and for the
  fine-tuning also the documented workflow (docs/finetuning.md: the head first with the
  backbone frozen, then everything with the backbone at 0.1x the head), each trained with
  both seeds.

Results: ``results/finetune.json``; write-up: ``docs/benchmarks/finetune.md``.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/finetune.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "finetune.json"
BUDGET, BATCH, PRETRAIN_STEPS = 400, 64, 1500
GRID = range(-24, -5)          # 1e-4 .. 0.1, 6 per decade
SEEDS = (0, 1)


def _arrays():
    from lrscope.demo import mnist1d_arrays

    x, y, xt, yt = mnist1d_arrays()
    return np.array(x), np.array(y), np.array(xt), np.array(yt)


def _split(classes):
    x, y, xt, yt = _arrays()
    keep, keep_t = np.isin(y, classes), np.isin(yt, classes)
    remap = {c: i for i, c in enumerate(classes)}
    import torch

    return (torch.tensor(x[keep]), torch.tensor([remap[c] for c in y[keep]]),
            torch.tensor(xt[keep_t]), torch.tensor([remap[c] for c in yt[keep_t]]))


class Net:
    """Builds the network: ``backbone`` (40-128-128, ReLU) and ``head`` (128-5)."""

    @staticmethod
    def build(seed: int):
        import torch

        class _Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                g = torch.Generator().manual_seed(seed)
                self.backbone = torch.nn.Sequential(torch.nn.Linear(40, 128), torch.nn.ReLU(),
                                                    torch.nn.Linear(128, 128), torch.nn.ReLU())
                self.head = torch.nn.Linear(128, 5)
                with torch.no_grad():
                    for p in self.parameters():
                        p.copy_(torch.randn(p.shape, generator=g) * (1.0 / math.sqrt(p.shape[-1])))

            def forward(self, x):
                return self.head(self.backbone(x))

        return _Net()


def _batches(x, y, seed):
    import torch

    g = torch.Generator().manual_seed(seed)
    while True:
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x) - BATCH + 1, BATCH):
            idx = perm[i:i + BATCH]
            yield x[idx], y[idx]


def pretrained_backbone() -> dict:
    import torch

    x, y, _, _ = _split([0, 1, 2, 3, 4])
    net = Net.build(0)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    it = _batches(x, y, 0)
    for _ in range(PRETRAIN_STEPS):
        xb, yb = next(it)
        loss = torch.nn.functional.cross_entropy(net(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {k: v.clone() for k, v in net.backbone.state_dict().items()}


def make(kind: str, seed: int, backbone: dict | None, ratio: float = 1.0):
    """(model, optimizer, loader list, (x_val, y_val)) of the fine-tuning or the scratch task."""
    import torch

    import lrscope

    x, y, xt, yt = _split([5, 6, 7, 8, 9])
    net = Net.build(100 + seed)
    if kind == "finetune":
        net.backbone.load_state_dict(backbone)
    opt = lrscope.param_groups(net, {"head": 1.0, "backbone": ratio}, lr=1e-3, base_optimizer=torch.optim.Adam)
    it = _batches(x, y, seed)
    loader = [next(it) for _ in range(len(x) // BATCH)]
    return net, opt, loader, (xt, yt)


def train(kind: str, seed: int, lr: float, backbone, ratio: float = 1.0) -> float:
    import torch

    net, opt, loader, (xt, yt) = make(kind, seed, backbone, ratio)
    for g, r in zip(opt.param_groups, (1.0, ratio)):
        g["lr"] = lr * r
    for step in range(BUDGET):
        xb, yb = loader[step % len(loader)]
        loss = torch.nn.functional.cross_entropy(net(xb), yb)
        if not torch.isfinite(loss):
            return float("nan")
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return float((net(xt).argmax(1) == yt).float().mean())


def suggest(kind: str, seed: int, backbone, workflow: bool) -> float | None:
    import torch

    import lrscope

    if not workflow:
        net, opt, loader, _ = make(kind, seed, backbone)
        return lrscope.find_lr(net, opt, torch.nn.functional.cross_entropy, loader, seed=seed, progress=False).lr
    net, opt, loader, _ = make(kind, seed, backbone, ratio=0.1)
    lrscope.freeze(net, "backbone")
    lrscope.find_lr(net, opt, torch.nn.functional.cross_entropy, loader, seed=seed, progress=False)
    lrscope.unfreeze(net, "backbone")
    return lrscope.find_lr(net, opt, torch.nn.functional.cross_entropy, loader, seed=seed, progress=False).lr


def main() -> None:
    import torch

    torch.set_num_threads(1)
    backbone = pretrained_backbone()
    out = {"grid": {}, "suggested": {}}
    for kind in ("scratch", "finetune"):
        out["grid"][kind] = {str(k): [train(kind, s, 10 ** (k / 6), backbone) for s in SEEDS] for k in GRID}
        best = max(GRID, key=lambda k: np.nanmean(out["grid"][kind][str(k)]))
        print(kind, "grid best", 10 ** (best / 6), np.nanmean(out["grid"][kind][str(best)]), flush=True)
    for kind, workflow in (("scratch", False), ("finetune", False), ("finetune", True)):
        name = f"{kind}{' (workflow, backbone 0.1x)' if workflow else ''}"
        lrs = [suggest(kind, s, backbone, workflow) for s in SEEDS]
        ratio = 0.1 if workflow else 1.0
        q = [[train(kind, s2, lr, backbone, ratio) for s2 in SEEDS] for lr in lrs]
        out["suggested"][name] = {"lrs": lrs, "quality": q}
        print(name, "suggested", lrs, "quality", q, flush=True)
    OUT.write_text(json.dumps(out, indent=1))
    report(out)


def report(out) -> None:
    for kind, grid in out["grid"].items():
        means = {int(k): float(np.nanmean(v)) for k, v in grid.items()}
        best = max(means, key=means.get)
        print(f"{kind}: grid best lr {10 ** (best / 6):.3g} accuracy {means[best]:.4f}; "
              + ", ".join(f"{10 ** (k / 6):.2g}:{q:.3f}" for k, q in sorted(means.items())))
    for name, d in out["suggested"].items():
        print(f"{name}: suggested {[f'{x:.3g}' for x in d['lrs']]}, trained accuracy "
              f"{np.mean(d['quality']):.4f}")


if __name__ == "__main__":
    sys.exit(main())
