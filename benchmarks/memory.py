"""Memory: peak extra memory of the range test's snapshot against the model+optimizer size.

Method. torch allocates tensors outside Python's allocator, so ``tracemalloc`` cannot see
them; we read the process's resident set size (RSS, ``/proc/self/statm``) instead. Each
measurement runs in a fresh child process with ``MALLOC_MMAP_THRESHOLD_=65536``, so glibc
serves every large tensor with its own ``mmap`` and returns it on free: RSS then follows the
live tensor memory instead of keeping freed heap pages. The child builds an MLP
1024-2048-2048-2048-10 (~10.5M parameters, 42 MB in float32) with Adam, takes one training
step (so gradients and Adam's two moment buffers exist: model+optimizer = params + grads +
2 x moments = 4 x 42 MB), then records RSS, starts a thread that samples RSS every 0.2 ms,
runs the method, and reports ``peak - baseline``:

- ``bare``: the same 20 training steps with nothing saved (activations and temporaries only);
- ``memory`` / ``disk``: ``lrscope.find_lr(..., num_steps=20, snapshot=...)``;
- ``torch-lr-finder``: ``LRFinder`` (in-memory state cache) + ``range_test`` + ``reset``.

"Extra" is a method's peak delta minus the bare loop's. For lrscope the benchmark also wraps
``Snapshot.restore`` to note the peak reached before the restore starts (instrumentation only),
and every child reports the RSS retained after the call (a leak would show there). The expected snapshot size is the sum
of the bytes of every parameter, gradient, buffer and optimizer-state tensor.

Usage::

    python benchmarks/memory.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
METHODS = ("bare", "memory", "disk", "torch-lr-finder")
STEPS = 20
START_LR, END_LR = 1e-6, 1e-4


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _tensor_bytes(obj: Any) -> int:
    import torch

    if isinstance(obj, torch.Tensor):
        return obj.numel() * obj.element_size()
    if isinstance(obj, dict):
        return sum(_tensor_bytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_tensor_bytes(v) for v in obj)
    return 0


def child(method: str) -> dict[str, Any]:
    import contextlib
    import gc

    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.manual_seed(0)
    dims = [1024, 2048, 2048, 2048, 10]
    layers: list[Any] = []
    for a, b in zip(dims[:-1], dims[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    batches = [(torch.randn(16, dims[0], generator=gen), torch.randint(0, 10, (16,), generator=gen))
               for _ in range(4)]
    loader = torch.utils.data.DataLoader(batches, batch_size=None)
    x, y = batches[0]
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()
    state_bytes = {"params": _tensor_bytes(list(model.parameters())),
                   "grads": _tensor_bytes([p.grad for p in model.parameters()]),
                   "buffers": _tensor_bytes(list(model.buffers())),
                   "optimizer": _tensor_bytes(opt.state_dict()["state"])}
    gc.collect()
    baseline = _rss()
    peak = baseline
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _rss())
            time.sleep(0.0002)

    marks: dict[str, int] = {}
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    if method == "bare":
        lrs = [START_LR * (END_LR / START_LR) ** (i / (STEPS - 1)) for i in range(STEPS)]
        it = iter(())
        for lr in lrs:
            try:
                xb, yb = next(it)
            except StopIteration:
                it = iter(loader)
                xb, yb = next(it)
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad(set_to_none=False)
            loss_fn(model(xb), yb).backward()
            opt.step()
    elif method in ("memory", "disk"):
        import lrscope
        from lrscope.adapters import torch_range_test as trt

        original_restore = trt.Snapshot.restore

        def restore(self, *a: Any, **k: Any) -> None:  # instrumentation: the peak before the restore
            marks.setdefault("peak_before_restore", peak)
            original_restore(self, *a, **k)

        trt.Snapshot.restore = restore

        res = lrscope.find_lr(model, opt, loss_fn, loader, start_lr=START_LR, end_lr=END_LR, num_steps=STEPS,
                              snapshot=method, confirm=False, extend_decades=0, progress=False)
        assert len(res.lrs) == STEPS, res.stop_message
    elif method == "torch-lr-finder":
        from torch_lr_finder import LRFinder

        for g in opt.param_groups:
            g["lr"] = START_LR
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            finder = LRFinder(model, opt, loss_fn)
            finder.range_test(loader, end_lr=END_LR, num_iter=STEPS, diverge_th=1e9)
            finder.reset()
    else:
        raise ValueError(method)
    seconds = time.perf_counter() - t0
    time.sleep(0.01)
    stop.set()
    thread.join()
    gc.collect()
    out = {"method": method, "baseline_rss": baseline, "peak_rss": peak, "peak_delta": peak - baseline,
           "retained_delta": _rss() - baseline, "state_bytes": state_bytes, "seconds": seconds}
    if "peak_before_restore" in marks:
        out["peak_delta_before_restore"] = marks["peak_before_restore"] - baseline
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "results" / "memory.json"))
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    methods = list(METHODS)
    try:
        import torch_lr_finder  # noqa: F401
    except ImportError:
        methods.remove("torch-lr-finder")
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", OMP_NUM_THREADS="1")
    raw: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    for _ in range(args.repeats):
        for m in methods:
            proc = subprocess.run([sys.executable, __file__, "--child", m], env=env, capture_output=True, text=True,
                                  check=True)
            raw[m].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    state = raw["bare"][0]["state_bytes"]
    total = sum(state.values())
    bare = statistics.median(r["peak_delta"] for r in raw["bare"])
    summary = {}
    for m in methods:
        delta = statistics.median(r["peak_delta"] for r in raw[m])
        summary[m] = {"peak_delta_MB": delta / 2**20, "extra_over_bare_MB": (delta - bare) / 2**20,
                      "extra_over_model_plus_optimizer": (delta - bare) / total,
                      "retained_MB": statistics.median(r["retained_delta"] for r in raw[m]) / 2**20}
        if "peak_delta_before_restore" in raw[m][0]:
            before = statistics.median(r["peak_delta_before_restore"] for r in raw[m])
            summary[m]["extra_before_restore_MB"] = (before - bare) / 2**20
    out = {"state_bytes": state, "model_plus_optimizer_MB": total / 2**20, "steps": STEPS, "summary": summary,
           "raw": raw}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(f"model+optimizer (params+grads+buffers+optimizer state): {total / 2**20:.1f} MB {state}")
    for m, s in summary.items():
        print(f"{m:16s} peak delta {s['peak_delta_MB']:7.1f} MB, extra over bare {s['extra_over_bare_MB']:7.1f} MB "
              f"= {s['extra_over_model_plus_optimizer']:.2f} x model+optimizer; before restore "
              f"{s.get('extra_before_restore_MB', float('nan')):.1f} MB; retained {s['retained_MB']:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
