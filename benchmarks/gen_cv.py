"""Leave-one-family-out choice of the finder's rule and constants, replayed on recorded evidence.

A *design* reads one seed's evidence (``gen_evidence.py``: the sweep, and constant-LR probes
on the grid ``10 ** (k / 6)``) and answers a grid index per use. Because every candidate LR a
design probes lies on that grid, replaying it reads exactly what ``find_lr`` would have
measured; its answer is scored against the oracle (``gen_oracle.py``) by normalised regret.

Leave-one-family-out: for each family F, the design's free choices (the probe settings and the
per-use offsets) are chosen to minimise the mean regret over the tasks of the other families,
then scored on F's tasks. The held-out figure of a task is its regret under the choice made
without its family. The in-sample figure (one choice made on all tasks) is printed beside it.

    .venv/bin/python benchmarks/gen_cv.py                 # both calls, tables to stdout
    .venv/bin/python benchmarks/gen_cv.py --json results/gen/cv.json
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_data import Evidence, evidence, oracle, ready_tasks  # noqa: E402
from gen_oracle import SEEDS, grid_index  # noqa: E402

UC = ("constant", "one_cycle", "clr")


# --------------------------------------------------------------------------- probe replay
class Unrecorded(Exception):
    """A design asked for a run the evidence does not hold (outside the recorded probes)."""


def replay_run(ev: Evidence, steps: int, val: bool, diverge_factor: float = 4.0):
    """A ``run(lrs)`` callback for ``lrscope.analysis._policy.confirm`` that reads recorded probes.

    A recorded probe is cut where find_lr's run would stop (the first loss that is non-finite or
    above ``start + (diverge_factor - 1) * |start|``, kept) and at ``steps``; the validation loss
    is the recorded one at the last checkpoint (every 25 steps) at or before ``steps``.
    Returns (run, counter) where counter["steps"] sums the optimizer steps spent.
    """
    from lrscope.analysis._policy import grid_index
    from lrscope.analysis.probe import ProbeResult

    lrs, curves, vals = [], [], []
    counter = {"steps": 0}

    def run(new_lrs):
        for lr in new_lrs:
            k = grid_index(lr)
            loss = ev.probe_loss(k, steps)
            if loss is None:
                raise Unrecorded(k)
            start = loss[0]
            limit = start + (diverge_factor - 1.0) * abs(start)
            bad = np.nonzero(~np.isfinite(loss) | (loss > limit))[0]
            if bad.size:
                loss = loss[: bad[0] + 1]
            counter["steps"] += len(loss)
            lrs.append(lr)
            curves.append(loss)
            if val:
                ok = len(loss) == steps and np.all(np.isfinite(loss))
                v = ev.probe_val(k, (steps // 25) * 25 - 1) if ok else None
                vals.append(math.nan if v is None else v)
        return ProbeResult(lrs=np.array(lrs), curves=tuple(curves), steps=steps,
                           val_losses=np.array(vals) if val else None)

    return run, counter


@functools.lru_cache(maxsize=None)
def _sweep(ev: Evidence):
    return ev.sweep_result()


def replay(ev: Evidence, policy, budget: int | None, val: bool):
    """(Choice or None when unrecorded, optimizer steps spent) of one policy on one seed's evidence."""
    from lrscope.analysis import _policy as P

    sweep = _sweep(ev)
    steps = P.run_steps(policy, budget)
    run, counter = replay_run(ev, steps, val)
    try:
        probe = P.confirm(policy, sweep, run)
    except Unrecorded:
        return None, len(sweep.lrs) + counter["steps"]
    return P.choose(policy, probe), len(sweep.lrs) + counter["steps"]


# --------------------------------------------------------------------------- CV
def evaluate_config(tasks, policy, budget_of, val) -> dict:
    """{(task, seed): (choice, cost)} of one structural policy."""
    return {(t, sd): replay(evidence(t, sd), policy, budget_of(t), val) for t in tasks for sd in SEEDS}


OFFSETS = range(-9, 7)
SLOW_OFFSETS = range(-9, 1)


#: the reference grid of the cost bound: 37 LRs (1e-5 .. 10, 6 per decade) x 2 seeds, each a whole budget
GRID_RUNS = 74
#: the cost bound: this fraction of the reference grid's optimizer steps
COST_FRACTION = 0.02


def cost_ok(budget_known: bool):
    """``cost_ok(task, steps)``: within COST_FRACTION of the reference grid's steps on that task."""
    from suite import SUITE

    del budget_known
    return lambda t, c: c <= COST_FRACTION * GRID_RUNS * SUITE[t].budget


def policy_dict(cfg, offs: dict, slow: int) -> dict:
    """A JSON-ready description of a chosen policy (structural settings, offsets per use)."""
    return {"anchor": cfg.anchor, "spacing": cfg.spacing, "count": cfg.count, "steps": cfg.steps,
            "budget_fraction": cfg.budget_fraction, "refine": cfg.refine, "offsets": offs, "slow_offset": slow}


def k_of(choice, off: int, slow: int) -> int | None:
    """The answer's grid index of a replayed choice with these offsets (None: no answer)."""
    return _k(choice, off, slow)


def _k(choice, off: int, slow: int) -> int | None:
    if choice is None or choice.k is None:
        return None
    return choice.k + (off if choice.status == "ok" else slow)


def regret_table(rows, tasks) -> dict:
    """{use: {(offset, slow_offset): {task: mean regret over seeds}}}."""
    out = {}
    for use in UC:
        o = {t: oracle(t, use) for t in tasks}
        out[use] = {(a, b): {t: float(np.mean([o[t].regret(_k(rows[(t, sd)][0], a, b)) for sd in SEEDS]))
                             for t in tasks} for a in OFFSETS for b in SLOW_OFFSETS}
    return out


def _pick_offsets(table, train_tasks):
    """Best (per-use offsets, shared slow offset, objective) on the training tasks."""
    best = None
    for b in SLOW_OFFSETS:
        offs, tot = {}, 0.0
        for use in UC:
            a = min(OFFSETS, key=lambda a: np.mean([table[use][(a, b)][t] for t in train_tasks]))
            offs[use] = a
            if use != "clr":
                tot += float(np.mean([table[use][(a, b)][t] for t in train_tasks]))
        if best is None or tot < best[2]:
            best = (offs, b, tot)
    return best


def lofo(tasks, families, configs, budget_of, val, cost_ok) -> dict:
    """Leave-one-family-out over structural policies and offsets (see the module docstring)."""
    from suite import SUITE

    tables, costs = {}, {}
    for cfg in configs:
        rows = evaluate_config(tasks, cfg, budget_of, val)
        costs[cfg] = {t: max(rows[(t, sd)][1] for sd in SEEDS) for t in tasks}
        tables[cfg] = regret_table(rows, tasks)
    feasible = [c for c in configs if all(cost_ok(t, costs[c][t]) for t in tasks)]

    def choose(train_tasks):
        best = None
        for cfg in feasible:
            offs, b, tot = _pick_offsets(tables[cfg], train_tasks)
            if best is None or tot < best[0]:
                best = (tot, cfg, offs, b)
        return best[1:]

    held = {}
    for fam in families:
        train = [t for t in tasks if SUITE[t].family != fam]
        cfg, offs, b = choose(train)
        for t in families[fam]:
            held[t] = {use: tables[cfg][use][(offs[use], b)][t] for use in UC}
            held[t].update(cfg=cfg, offs=offs, slow=b, cost=costs[cfg][t])
    cfg, offs, b = choose(tasks)
    insample = {t: {use: tables[cfg][use][(offs[use], b)][t] for use in UC} for t in tasks}
    return {"held": held, "insample": insample, "chosen": (cfg, offs, b), "feasible": len(feasible)}


def structural_configs(budget: bool):
    from lrscope.analysis._policy import Policy

    out = []
    for anchor in ("stop", "rise", "rise3"):
        for spacing in (3, 4, 6):
            for count in (3, 4, 5):
                for refine in (False, True):
                    if budget:
                        for frac in (1 / 16, 1 / 10, 1 / 8, 1 / 6):
                            out.append(Policy(anchor, spacing, count, budget_fraction=frac, refine=refine))
                    else:
                        for steps in (25, 50, 75):
                            out.append(Policy(anchor, spacing, count, steps=steps, refine=refine))
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json")
    args = p.parse_args(argv)
    from suite import SUITE

    tasks = ready_tasks()
    families = {}
    for t in tasks:
        families.setdefault(SUITE[t].family, []).append(t)
    print(f"{len(tasks)} tasks in {len(families)} families: {families}")
    out = {}
    calls = {
        "default": (False, False),
        "val+budget": (True, True),
    }
    for call, (val, budget) in calls.items():
        budget_of = (lambda t: SUITE[t].budget) if budget else (lambda t: None)
        res = lofo(tasks, families, structural_configs(budget), budget_of, val, cost_ok(budget))
        report(call, res, tasks)
        out[call] = res
    if args.json:
        Path(args.json).write_text(json.dumps(out, default=str, indent=1))


def report(title, res, tasks):
    print(f"\n== {title}: held-out (LOFO) vs in-sample; {res['feasible']} feasible configs")
    for use in UC:
        h = [res["held"][t][use] for t in tasks]
        i = [res["insample"][t][use] for t in tasks]
        print(f"{use:10s} held-out mean regret {np.mean(h):.3f} (within 0.05: {sum(x <= 0.05 for x in h)}/{len(h)})"
              f"   in-sample {np.mean(i):.3f}")
    print("chosen on all:", res["chosen"])
    for t in tasks:
        hh = res["held"][t]
        print(f"  {t:26s} " + " ".join(f"{u}={hh[u]:.3f}" for u in UC) +
              f"  cfg={_short(hh['cfg'])} offs={hh['offs']} slow={hh['slow']} cost={hh['cost']}")


def _short(policy) -> str:
    return (f"{policy.anchor}/s{policy.spacing}/n{policy.count}/"
            f"{'m' + str(policy.steps)}/f{policy.budget_fraction:.3f}/{'R' if policy.refine else '-'}")


if __name__ == "__main__":
    main()
