"""The oracle of the generalisation benchmark: the best LR of every task, per use, by training.

For every task of ``benchmarks/suite.py`` and every use - ``constant`` (LR fixed),
``one_cycle`` (torch's ``OneCycleLR`` with that ``max_lr``) and ``clr`` (triangular CLR from
``max_lr / 4`` to ``max_lr``, two cycles in the budget) - train fresh models for the task's
whole budget on the LR grid ``10 ** (k / 6)`` (6 per decade), seeds 0 and 1, and record the
final held-out quality.

The grid is walked, not enumerated, so that LRs that cannot matter are not paid for:

1. coarse: every third grid point (half a decade) from the framework default, upwards until
   two points in a row are bad (a seed diverged, or the seed-mean quality lost more than
   half of the best gain so far), downwards until one point has less than 30% of it;
2. fine: every grid point within one decade of the coarse best (6 per decade there);
3. widened: when the best sits on the edge of what was run, step 1 goes on from that edge.

Results go to ``results/gen/oracle_<task>.json`` (one file per task, resumable: a run
already stored is never repeated).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_oracle.py --jobs 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "results" / "gen"

from lrscope.analysis._policy import grid_index, grid_lr  # noqa: E402  (the library's grid: one home)

SEEDS = (0, 1)
USES = ("constant", "one_cycle", "clr")
K_MIN, K_MAX = -42, 18          # 1e-7 .. 1e3


def oracle_path(name: str) -> Path:
    return RESULTS / f"oracle_{name}.json"


def load_oracle(name: str) -> dict:
    path = oracle_path(name)
    if path.exists():
        return json.loads(path.read_text())
    return {"task": name, "init": {}, "runs": {u: {} for u in USES}}


def _save(name: str, data: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tmp = oracle_path(name).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=0, sort_keys=True))
    os.replace(tmp, oracle_path(name))


def _clean(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def mean_quality(runs: list[dict]) -> float:
    """Seed-mean quality; a diverged seed counts as NaN (so the mean is NaN)."""
    qs = [r["quality"] for r in runs]
    if any(q is None or r["diverged"] for q, r in zip(qs, runs)):
        return math.nan
    return sum(qs) / len(qs)


def seed_means(data: dict, use: str) -> dict[int, float]:
    """{grid index: seed-mean quality (NaN when any seed diverged)} of one use."""
    return {int(k): mean_quality(v) for k, v in data["runs"][use].items() if len(v) == len(SEEDS)}


def _run_use(bench, data: dict, use: str, log) -> None:
    from tasks import train

    runs = data["runs"][use]
    q_init = sum(data["init"][str(s)]["quality"] for s in SEEDS) / len(SEEDS)

    def ensure(k: int) -> float:
        if not K_MIN <= k <= K_MAX:
            return math.nan
        key = str(k)
        if key not in runs or len(runs[key]) < len(SEEDS):
            t0 = time.perf_counter()
            out = [_clean(train(bench, s, use, grid_lr(k))) for s in SEEDS]
            runs[key] = out
            _save(bench.name, data)
            log(f"{bench.name} {use} lr={grid_lr(k):.3g} q={[r['quality'] for r in out]} "
                f"({time.perf_counter() - t0:.1f}s)")
        return mean_quality(runs[key])

    def best() -> tuple[int, float]:
        means = {k: q for k, q in seed_means(data, use).items() if math.isfinite(q)}
        if not means:
            return grid_index(bench.blind_default), q_init
        k = max(means, key=means.get)
        return k, means[k]

    def bad_high(k: int) -> bool:
        q = ensure(k)
        _, qb = best()
        return not math.isfinite(q) or q < qb - 0.5 * (qb - q_init)

    def walk_up(k: int) -> None:
        streak = 0
        while k <= K_MAX and streak < 2:
            streak = streak + 1 if bad_high(k) else 0
            k += 3

    def walk_down(k: int) -> None:
        while k >= K_MIN:
            q = ensure(k)
            _, qb = best()
            if math.isfinite(q) and q < q_init + 0.3 * (qb - q_init):
                break
            k -= 3

    k0 = grid_index(bench.blind_default)
    ensure(k0)
    walk_up(k0 + 3)
    walk_down(k0 - 3)
    for _ in range(6):   # widen until the best is inside the run range
        kb, _ = best()
        done = sorted(int(k) for k in runs)
        for k in range(kb - 6, kb + 7):
            ensure(k)
        kb, _ = best()
        done = sorted(int(k) for k in runs)
        if kb == done[-1] and kb < K_MAX:
            walk_up(kb + 3)
        elif kb == done[0] and kb > K_MIN:
            walk_down(kb - 3)
        else:
            break


def run_task(name: str, uses=USES) -> str:
    import torch

    torch.set_num_threads(1)
    from suite import bench as lookup
    from tasks import evaluate

    bench = lookup(name)
    data = load_oracle(name)
    path = RESULTS / "oracle.log"
    known = path.exists() and f"DONE {name}\n" in path.read_text()
    logf = open(path, "a")
    ran = []

    def log(msg: str) -> None:
        ran.append(msg)
        print(msg, file=logf, flush=True)

    for s in SEEDS:
        if str(s) not in data["init"]:
            data["init"][str(s)] = _clean(evaluate(bench, bench.make_task(s)))
    _save(name, data)
    for use in uses:
        _run_use(bench, data, use, log)
    if ran or not known:    # a re-run that found everything cached leaves the log as it was
        log(f"DONE {name}")
    logf.close()
    return name


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="*", help="task names (default: the whole suite)")
    p.add_argument("--uses", nargs="*", default=list(USES), choices=USES)
    p.add_argument("--jobs", type=int, default=2, help="worker processes (one torch thread each)")
    args = p.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from suite import SUITE, bench

    RESULTS.mkdir(parents=True, exist_ok=True)
    names = args.tasks or list(SUITE)
    # the slowest tasks first, so that the two workers finish together
    cost = {n: bench(n).budget for n in names}
    names.sort(key=lambda n: -cost[n])
    if args.jobs <= 1:
        for n in names:
            run_task(n, args.uses)
        return
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(args.jobs, maxtasksperchild=1) as pool:
        for done in pool.imap_unordered(_worker, [(n, tuple(args.uses)) for n in names]):
            print("done", done, flush=True)


def _worker(job):
    name, uses = job
    return run_task(name, uses)


if __name__ == "__main__":
    main()
