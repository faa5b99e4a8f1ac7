"""Which torch thread count to use by default for a user's own task (issue 10).

On a shared 2-core machine torch's default thread count made `lrscope find` on a small user
task 10x slower than one thread. This measures, side by side in one run, the time per
training step (forward, backward, AdamW step) of MLPs from 10 thousand to 4 million
parameters with 1 thread and with every core, interleaved over rounds, and reports the ratio
(median over rounds). The CLI's rule (``lrscope._cli.find.set_threads``) comes from it.

    .venv/bin/python benchmarks/threads.py --rounds 5 --json benchmarks/results/threads.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def step_time(width: int, threads: int, steps: int = 30) -> float:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, width), torch.nn.ReLU(), torch.nn.Linear(width, width),
                                torch.nn.ReLU(), torch.nn.Linear(width, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.randn(64, 64), torch.randint(0, 10, (64,))
    for _ in range(3):   # warm
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - t0) / steps


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json")
    args = p.parse_args(argv)
    cores = os.cpu_count() or 1
    widths = [64, 256, 512, 1024, 2048]
    rows = []
    for width in widths:
        params = 64 * width + width + width * width + width + width * 10 + 10
        one, many = [], []
        for _ in range(args.rounds):            # interleaved, so both see the same machine load
            one.append(step_time(width, 1))
            many.append(step_time(width, cores))
        ratio = statistics.median(m / o for m, o in zip(many, one))
        rows.append({"width": width, "params": params, "ms_1": 1000 * statistics.median(one),
                     "ms_all": 1000 * statistics.median(many), "all_over_1": ratio})
        print(f"{params:>9,} params: 1 thread {rows[-1]['ms_1']:.3f} ms, {cores} threads "
              f"{rows[-1]['ms_all']:.3f} ms, ratio {ratio:.2f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cores": cores, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
