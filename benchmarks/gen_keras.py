"""Does the answer hold on Keras 3? ``lrscope.keras.find_lr`` on eight Keras networks, scored once
against an oracle grid trained with Keras itself (torch backend).

The other benchmarks run torch's optimizers. Keras' differ in their defaults (Adam's, RMSprop's
and Adagrad's epsilon 1e-7, RMSprop's rho 0.9, Adagrad's accumulator starting at 0.1, AdamW's
weight decay 0.004), its training step is ``train_on_batch``, and its one-cycle is a learning-rate
schedule only (``lrscope.keras.schedule_for``: no momentum cycling). Two batches, each written
before any answer on it was seen, nothing fitted on either: five networks under Adam, momentum
SGD, RMSprop, Adagrad and AdamW (``keras``), then three under optimizers that no benchmark had
used, Lion, LAMB and Nadam (``keras2``).

For every task and use (the constant LR; the one-cycle peak, as ``KerasSchedule(OneCycle(...))``
installs it) an oracle grid of 6 LRs per decade with 2 seeds: a half-decade pass from 1e-5 up,
stopped at the second diverged point in a row, then every point within a decade of the best
(widened while the best is on an edge). The default call ``find_lr(model, x, y,
batch_size=...)`` and the call with ``val_data`` and ``budget_steps`` run for seeds 0 and 1; each
answer is a grid point, so its regret is read off the grid (trained with the same seeds), as
``gen_data.Oracle.regret`` defines it.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_keras.py --jobs 2

Cached in ``results/keras/`` (a re-run does only what is missing); written up in
``docs/benchmarks/keras.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_data import Oracle  # noqa: E402
from gen_final import TRIVIAL  # noqa: E402

from lrscope.analysis._policy import grid_index, grid_lr  # noqa: E402

RESULTS = HERE / "results" / "keras"
SEEDS = (0, 1)
USES = {"constant": "lr", "one_cycle": "one_cycle_max_lr"}
CALLS = ("default", "val+budget")


# --------------------------------------------------------------------------- data (the benchmark's own sets)
def _np(*ts):
    return tuple(t.numpy() for t in ts)


def _digits_flat():
    from tasks import _digits

    x, y, xv, yv = _np(*_digits())
    return x.reshape(len(x), 64), y, xv.reshape(len(xv), 64), yv


def _digits_image():
    from tasks import _digits

    x, y, xv, yv = _np(*_digits())
    return x.transpose(0, 2, 3, 1), y, xv.transpose(0, 2, 3, 1), yv      # channels last


def _friedman():
    from suite import _friedman as friedman

    return _np(*friedman())


def _cancer():
    from tasks import _cancer as cancer

    x, y, xv, yv = _np(*cancer())
    return x, y.astype(np.float32)[:, None], xv, yv.astype(np.float32)[:, None]


def _mnist1d():
    from suite import _mnist1d_default

    return _np(*_mnist1d_default())


def _mnist1d_seq():
    x, y, xv, yv = _mnist1d()
    return x[..., None], y, xv[..., None], yv                                 # (samples, 40 steps, 1 channel)


def _accuracy(out, y) -> float:
    return float((out.argmax(-1) == y).mean())


def _bce_accuracy(out, y) -> float:
    return float(((out > 0) == (y > 0.5)).mean())


def _r2(out, y) -> float:
    return float(1 - ((out - y) ** 2).sum() / ((y - y.mean()) ** 2).sum())


# --------------------------------------------------------------------------- the tasks
@dataclasses.dataclass(frozen=True)
class KerasTask:
    data: Callable[[], tuple]
    build: Callable[[], Any]             # an uncompiled keras.Model
    optimizer: Callable[[Any], Any]      # learning rate (float or schedule) -> optimizer
    loss: Callable[[], Any]
    batch: int
    budget: int
    quality: Callable[[Any, Any], float]
    blind_default: float                 # Keras' own default LR for this optimizer
    family: str = "keras"                # the batch it was written in


def _tasks() -> dict[str, KerasTask]:
    import keras
    from keras import layers

    def seq(shape, *ls):
        return keras.Sequential([keras.Input(shape), *ls])

    def sce():
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    return {
        "keras-mlp-digits-adam-bs32": KerasTask(
            _digits_flat, lambda: seq((64,), layers.Dense(128, activation="relu"), layers.Dense(10)),
            lambda lr: keras.optimizers.Adam(lr), sce, 32, 600, _accuracy, 1e-3),
        "keras-cnn-digits-sgdm-bs64": KerasTask(
            _digits_image, lambda: seq((8, 8, 1), layers.Conv2D(16, 3, padding="same", activation="relu"),
                                       layers.MaxPooling2D(), layers.Conv2D(32, 3, padding="same", activation="relu"),
                                       layers.GlobalAveragePooling2D(), layers.Dense(10)),
            lambda lr: keras.optimizers.SGD(lr, momentum=0.9), sce, 64, 600, _accuracy, 1e-2),
        "keras-reg-friedman-rmsprop-bs32": KerasTask(
            _friedman, lambda: seq((10,), layers.Dense(64, activation="relu"), layers.Dense(64, activation="relu"),
                                   layers.Dense(1)),
            lambda lr: keras.optimizers.RMSprop(lr), lambda: keras.losses.MeanSquaredError(), 32, 800, _r2, 1e-3),
        "keras-mlp-cancer-adagrad-bs16": KerasTask(
            _cancer, lambda: seq((30,), layers.Dense(32, activation="relu"), layers.Dense(1)),
            lambda lr: keras.optimizers.Adagrad(lr), lambda: keras.losses.BinaryCrossentropy(from_logits=True),
            16, 400, _bce_accuracy, 1e-3),
        "keras-mlp-mnist1d-adamw-bs128": KerasTask(
            _mnist1d, lambda: seq((40,), layers.Dense(256, activation="relu"), layers.Dense(256, activation="relu"),
                                  layers.Dense(10)),
            lambda lr: keras.optimizers.AdamW(lr), sce, 128, 1000, _accuracy, 1e-3),
        # the second batch: optimizers no benchmark had used
        "keras2-mlp-digits-lion-bs32": KerasTask(
            _digits_flat, lambda: seq((64,), layers.Dense(128, activation="relu"), layers.Dense(10)),
            lambda lr: keras.optimizers.Lion(lr), sce, 32, 600, _accuracy, 1e-3, family="keras2"),
        "keras2-reg-friedman-lamb-bs64": KerasTask(
            _friedman, lambda: seq((10,), layers.Dense(64, activation="relu"), layers.Dense(64, activation="relu"),
                                   layers.Dense(1)),
            lambda lr: keras.optimizers.Lamb(lr), lambda: keras.losses.MeanSquaredError(), 64, 800, _r2, 1e-3,
            family="keras2"),
        "keras2-cnn1d-mnist1d-nadam-bs64": KerasTask(
            _mnist1d_seq, lambda: seq((40, 1), layers.Conv1D(32, 5, activation="relu"),
                                      layers.Conv1D(32, 5, strides=2, activation="relu"),
                                      layers.GlobalAveragePooling1D(), layers.Dense(10)),
            lambda lr: keras.optimizers.Nadam(lr), sce, 64, 800, _accuracy, 1e-3, family="keras2"),
    }


def _model(task: KerasTask, seed: int, lr) -> Any:
    import keras

    keras.utils.set_random_seed(seed)
    model = task.build()
    model.compile(optimizer=task.optimizer(lr), loss=task.loss())
    return model


def _quality(task: KerasTask, model) -> float:
    _, _, xv, yv = task.data()
    out = np.asarray(model.predict_on_batch(xv), dtype=np.float64)
    q = task.quality(out, yv)
    return q if math.isfinite(q) else math.nan


def train(task: KerasTask, seed: int, use: str, lr: float) -> dict:
    """Train a fresh model (seed ``seed``) for the budget at ``lr`` (constant) or with a one-cycle peak ``lr``."""
    from lrscope.keras import KerasSchedule
    from lrscope.schedules import OneCycle

    rate = lr if use == "constant" else KerasSchedule(OneCycle(max_lr=lr, total_steps=task.budget))
    model = _model(task, seed, rate)
    x, y, _, _ = task.data()
    rng = np.random.default_rng(seed)
    order, pos = rng.permutation(len(x)), 0
    for _ in range(task.budget):
        if pos + task.batch > len(x):
            order, pos = rng.permutation(len(x)), 0
        idx = order[pos:pos + task.batch]
        pos += task.batch
        loss = float(np.asarray(model.train_on_batch(x[idx], y[idx])).reshape(-1)[0])
        if not math.isfinite(loss):
            return {"quality": None, "diverged": True}
    q = _quality(task, model)
    return {"quality": None if math.isnan(q) else q, "diverged": math.isnan(q)}


# --------------------------------------------------------------------------- the oracle grid and the answers
K_MIN, K_MAX = grid_index(1e-5), grid_index(100.0)


def _path(name: str) -> Path:
    return RESULTS / f"{name}.json"


def _load(name: str) -> dict:
    p = _path(name)
    return json.loads(p.read_text()) if p.exists() else {"init": {}, "runs": {u: {} for u in USES}, "answers": {}}


def _save(name: str, data: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    _path(name).write_text(json.dumps(data, indent=1, sort_keys=True))


def _mean(runs: list[dict]) -> float:
    if any(r["diverged"] or r["quality"] is None for r in runs):
        return math.nan
    return float(np.mean([r["quality"] for r in runs]))


def oracle(name: str, use: str, data: dict | None = None) -> Oracle:
    data = data or _load(name)
    q_init = float(np.mean([data["init"][str(s)] for s in SEEDS]))
    return Oracle(name, use, q_init, {int(k): _mean(v) for k, v in data["runs"][use].items()})


def run_task(name: str) -> str:
    import torch

    torch.set_num_threads(1)
    import lrscope.keras

    task = _tasks()[name]
    data = _load(name)
    for s in SEEDS:
        if str(s) not in data["init"]:
            data["init"][str(s)] = _quality(task, _model(task, s, task.blind_default))
    _save(name, data)

    def ensure(use: str, k: int) -> float:
        runs = data["runs"][use]
        if not K_MIN <= k <= K_MAX:
            return math.nan
        if str(k) not in runs:
            t0 = time.perf_counter()
            runs[str(k)] = [train(task, s, use, grid_lr(k)) for s in SEEDS]
            _save(name, data)
            print(f"{name} {use} lr={grid_lr(k):.3g} q={[r['quality'] for r in runs[str(k)]]} "
                  f"({time.perf_counter() - t0:.1f}s)", flush=True)
        return _mean(runs[str(k)])

    for use in USES:
        misses = 0
        for k in range(K_MIN, K_MAX + 1, 3):       # half a decade at a time, up to two diverged in a row
            misses = misses + 1 if math.isnan(ensure(use, k)) else 0
            if misses == 2:
                break
        for _ in range(4):                          # every point within a decade of the best
            best = oracle(name, use, data).k_best
            for k in range(best - 6, best + 7):
                ensure(use, k)
            if oracle(name, use, data).k_best == best:
                break
    for call in CALLS:
        for s in SEEDS:
            key = f"{call}|{s}"
            if key not in data["answers"]:
                model = _model(task, s, task.blind_default)
                x, y, xv, yv = task.data()
                kw = {"val_data": (xv, yv), "budget_steps": task.budget} if call == "val+budget" else {}
                t0 = time.perf_counter()
                res = lrscope.keras.find_lr(model, x, y, batch_size=task.batch, progress=False, **kw)
                data["answers"][key] = {
                    "lr": res.lr, "one_cycle_max_lr": res.one_cycle_max_lr, "cost_steps": res.cost_steps,
                    "levels": {u: res.verdicts[u].level for u in USES.values()},
                    "reasons": {u: list(res.verdicts[u].reasons) for u in USES.values()},
                    "seconds": round(time.perf_counter() - t0, 1)}
                _save(name, data)
                print(f"{name} {key}: lr={res.lr} 1c={res.one_cycle_max_lr} cost={res.cost_steps}", flush=True)
            for use, attr in USES.items():          # the answer's own grid point, if the grid skipped it
                lr = data["answers"][key][attr]
                if lr is not None:
                    ensure(use, grid_index(lr))
    return name


# --------------------------------------------------------------------------- scores
def score(names: list[str]) -> dict:
    """{method: {use: {task: {regret, within_1pct, trivial, missing, lrs}}}} and the means."""
    tasks = _tasks()
    per: dict = {}
    for name in names:
        data = _load(name)
        methods = {f"lrscope {c}": {u: [data["answers"][f"{c}|{s}"][a] for s in SEEDS] for u, a in USES.items()}
                   for c in CALLS}
        methods["framework default"] = {u: [tasks[name].blind_default] * len(SEEDS) for u in USES}
        for m, by_use in methods.items():
            for use, lrs in by_use.items():
                o = oracle(name, use, data)
                regs = [o.regret(None if lr is None else grid_index(lr)) for lr in lrs]
                within = [lr is not None and math.isfinite(q := o.quality(grid_index(lr)))
                          and o.q_best - q <= 0.01 * abs(o.q_best) for lr in lrs]
                per.setdefault(m, {}).setdefault(use, {})[name] = {
                    "regret": float(np.mean(regs)), "within_1pct": float(np.mean(within)),
                    "trivial": int(sum(r > TRIVIAL for r in regs)), "missing": int(sum(lr is None for lr in lrs)),
                    "lrs": lrs, "best_lr": grid_lr(o.k_best), "q_best": o.q_best}
    summary = {m: {u: {"mean_regret": float(np.mean([r["regret"] for r in rows.values()])),
                       "tasks_within_1pct": int(sum(r["within_1pct"] >= 0.5 for r in rows.values())),
                       "trivial_runs": int(sum(r["trivial"] for r in rows.values())),
                       "missing_answers": int(sum(r["missing"] for r in rows.values())), "tasks": len(rows)}
                   for u, rows in by_use.items()} for m, by_use in per.items()}
    return {"per_task": per, "summary": summary}


def report(names: list[str]) -> None:
    out = score(names)
    tasks = _tasks()
    families = sorted({tasks[n].family for n in names})
    out["by_batch"] = {f: score([n for n in names if tasks[n].family == f])["summary"] for f in families}
    (RESULTS / "summary.json").write_text(json.dumps(out, indent=1, sort_keys=True))
    for f, summ in out["by_batch"].items():
        print(f"{f}: " + "; ".join(f"{m} " + " / ".join(f"{summ[m][u]['mean_regret']:.3f}" for u in USES)
                                   for m in summ))
    s = out["summary"]
    print("| method | constant: mean regret | within 1% | one-cycle: mean regret | within 1% | trivial runs | missing |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for m in s:
        c, o = s[m]["constant"], s[m]["one_cycle"]
        print(f"| {m} | {c['mean_regret']:.3f} | {c['tasks_within_1pct']} of {c['tasks']} | {o['mean_regret']:.3f} | "
              f"{o['tasks_within_1pct']} of {o['tasks']} | {c['trivial_runs']} / {o['trivial_runs']} | "
              f"{c['missing_answers']} / {o['missing_answers']} |")
    print("\n| task | grid's best: constant | default call: constant (answers) | one-cycle (answers) | "
          "val+budget: constant | one-cycle | Keras default LR: constant | cost (default call) | verdicts |")
    print("|---|---|---|---|---:|---:|---:|---|---|")
    per = out["per_task"]
    for name in names:
        d, vb, fd = per["lrscope default"], per["lrscope val+budget"], per["framework default"]
        ans = _load(name)["answers"]
        lrs = lambda r: ", ".join(f"{lr:.2g}" for lr in r["lrs"])  # noqa: E731
        print(f"| {name} | {d['constant'][name]['best_lr']:.2g} ({d['constant'][name]['q_best']:.3f}) | "
              f"{d['constant'][name]['regret']:.3f} ({lrs(d['constant'][name])}) | "
              f"{d['one_cycle'][name]['regret']:.3f} ({lrs(d['one_cycle'][name])}) | "
              f"{vb['constant'][name]['regret']:.3f} | {vb['one_cycle'][name]['regret']:.3f} | "
              f"{fd['constant'][name]['regret']:.3f} | "
              f"{', '.join(str(ans[f'default|{s}']['cost_steps']) for s in SEEDS)} | "
              f"{', '.join(ans[f'default|{s}']['levels']['lr'] for s in SEEDS)} |")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="*", help="task names (default: all of them)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (one torch thread each)")
    p.add_argument("--report-only", action="store_true", help="score what is cached")
    args = p.parse_args(argv)
    names = args.tasks or list(_tasks())
    if not args.report_only:
        if args.jobs <= 1:
            for n in names:
                run_task(n)
        else:
            import multiprocessing as mp

            with mp.get_context("spawn").Pool(args.jobs, maxtasksperchild=1) as pool:
                for done in pool.imap_unordered(run_task, names):
                    print("done", done, flush=True)
    report(names)


if __name__ == "__main__":
    main()
