"""Would ranking the default call's runs on held-out data help on the fresh tasks?

The default call ranks its confirmation runs by the fall of the training loss, which cannot show
overfitting (the nineteenth fresh batch's regression on 331 patients: its best LR is set by it).
This runs ``find_lr`` as the default call does (no ``budget_steps``) but with the task's
validation loader, on every fresh task and both seeds, and scores both calls' answers the same
way (``gen_data.Oracle.regret`` at the answer's grid point, as ``gen_fresh_shift.py`` does), side
by side. Nothing is fitted. It measures what an automatic validation split of the training
loader could gain at most (a real split would be smaller and noisier than the task's own
validation set). On the suite the same question is ``gen_cv.py``'s "val only" line.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_fresh_valonly.py [--part 0 --parts 2]

Answers are cached in ``results/gen/fresh_valonly.json`` (keyed on the shipped policy), so a
re-run only scores them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_data import oracle  # noqa: E402

from lrscope.analysis._policy import DEFAULT_POLICY, grid_index  # noqa: E402

CACHE = HERE / "results" / "gen" / "fresh_valonly.json"
#: the fresh batches held out (no answer changed after seeing them): see docs/benchmarks/generalization.md
HELD = {"fresh", "fresh3", "fresh4", "fresh5", "fresh7", "fresh8", "fresh10", "fresh11", "fresh13", "fresh14",
        "fresh15", "fresh16", "fresh18", "fresh19"}


def _load() -> dict:
    if CACHE.exists():
        data = json.loads(CACHE.read_text())
        if data.get("policy") == repr(DEFAULT_POLICY):
            return data
    return {"policy": repr(DEFAULT_POLICY), "answers": {}}


def run(part: int, parts: int) -> None:
    import torch

    import lrscope
    from fresh import FRESH
    from suite import bench

    torch.set_num_threads(1)
    for name in sorted(FRESH)[part::parts]:
        for seed in (0, 1):
            key = f"{name}|{seed}"
            if key in _load()["answers"]:
                continue
            task = bench(name).make_task(seed)
            res = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader,
                                  val_loader=task.val_loader, progress=False)
            data = _load()      # re-read: another part may have written meanwhile
            data["answers"][key] = {"lr": res.lr, "one_cycle_max_lr": res.one_cycle_max_lr,
                                    "cost_steps": res.cost_steps}
            CACHE.write_text(json.dumps(data, indent=1, sort_keys=True))
            print(key, res.lr, res.one_cycle_max_lr, res.cost_steps, flush=True)


def report() -> None:
    from fresh import FRESH

    fresh = json.loads((HERE / "results" / "gen" / "fresh.json").read_text())["answers"]
    got = _load()["answers"]

    def regret(task, use, lr):
        return oracle(task, use).regret(None if lr is None else grid_index(lr))

    per = {}
    for name in FRESH:
        keys = [f"{name}|{s}" for s in (0, 1)]
        if not all(k in got for k in keys):
            continue
        row = {}
        for use, key in (("constant", "lr"), ("one_cycle", "one_cycle_max_lr")):
            row["val " + use] = np.mean([regret(name, use, got[k][key]) for k in keys])
            row["default " + use] = np.mean([regret(name, use, fresh[name][f"default|{s}"][key]) for s in (0, 1)])
        row["cost"] = [got[k]["cost_steps"] for k in keys]
        per[name] = row
    for title, names in (("held-out fresh tasks", [t for t in per if FRESH[t].family in HELD]),
                         ("all fresh tasks", list(per))):
        m = {c: np.mean([per[t][c] for t in names]) for c in per[names[0]] if c != "cost"}
        print(f"{title} ({len(names)}): default call {m['default constant']:.3f} / {m['default one_cycle']:.3f}; "
              f"the same call ranked by the validation loss {m['val constant']:.3f} / {m['val one_cycle']:.3f} "
              f"(constant / one-cycle; median cost {np.median([c for t in names for c in per[t]['cost']]):.0f} steps)")
    moved = sorted((per[t]["val constant"] - per[t]["default constant"], t) for t in per)
    print("largest gains:", ", ".join(f"{t} {d:+.3f}" for d, t in moved[:5]))
    print("largest losses:", ", ".join(f"{t} {d:+.3f}" for d, t in moved[::-1][:5]))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--part", type=int, default=0)
    p.add_argument("--parts", type=int, default=1)
    p.add_argument("--report-only", action="store_true")
    args = p.parse_args()
    if not args.report_only:
        run(args.part, args.parts)
    report()
