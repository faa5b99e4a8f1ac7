"""Leave-one-family-out choice of the finder's rule and constants, replayed on recorded evidence.

A *design* reads one seed's evidence (``gen_evidence.py``: the sweep, and constant-LR probes
on the grid ``10 ** (k / 6)``) and answers a grid index per use. Because every candidate LR a
design probes lies on that grid, replaying it reads exactly what ``find_lr`` would have
measured; its answer is scored against the oracle (``gen_oracle.py``) by normalised regret.

Leave-one-family-out: for each family F, the design's free choices (the probe settings and the
per-use offsets) are chosen to minimise the mean regret over the tasks of the other families,
then scored on F's tasks. The choice minimises regret against a neighbour-averaged oracle
(``Oracle.smooth_regret``: less seed luck, and a charge for sitting next to divergence); every
figure reported is the plain regret. The held-out figure of a task is its regret under the choice made
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
from gen_oracle import SEEDS  # noqa: E402

UC = ("constant", "one_cycle", "clr")


# --------------------------------------------------------------------------- probe replay
class Unrecorded(Exception):
    """A design asked for a run the evidence does not hold (outside the recorded probes)."""


def replay_run(ev: Evidence, steps: int, val: bool, diverge_factor: float = 4.0, start: float | None = None,
               spike_steps: int = 1):
    """A ``run(lrs)`` callback for ``lrscope.analysis._policy.confirm`` that reads recorded probes.

    A recorded probe is cut where find_lr's run would stop (``probe.explodes_at``: the first loss
    that is non-finite or, ``spike_steps`` in a row, above ``ref + (diverge_factor - 1) * |ref|``, kept;
    ``ref`` the first loss or, when larger, ``start``, the starting model's mean loss) and at ``steps``; the validation loss
    is the recorded one at the last checkpoint (every 25 steps) at or before ``steps``.
    Returns (run, counter) where counter["steps"] sums the optimizer steps spent.
    """
    from lrscope.analysis._policy import grid_index
    from lrscope.analysis.probe import ProbeResult, explodes_at, explosion_limit

    lrs, curves, vals = [], [], []
    counter = {"steps": 0}

    def run(new_lrs):
        for lr in new_lrs:
            k = grid_index(lr)
            loss = ev.probe_loss(k, steps)
            if loss is None:
                raise Unrecorded(k)
            at = explodes_at(loss, explosion_limit(loss[0], start, diverge_factor), spike_steps)
            if at is not None:
                loss = loss[: at + 1]
            counter["steps"] += len(loss)
            lrs.append(lr)
            curves.append(loss)
            if val:
                ok = len(loss) == steps and np.all(np.isfinite(loss))
                v = ev.probe_val(k, (steps // 25) * 25 - 1) if ok else None
                vals.append(math.nan if v is None else v)
        return ProbeResult(lrs=np.array(lrs), curves=tuple(curves), steps=steps,
                           val_losses=np.array(vals) if val else None, start_loss=start, spike_steps=spike_steps)

    return run, counter


@functools.lru_cache(maxsize=None)
def _sweep(ev: Evidence):
    return ev.sweep_result()


#: False: every run's explosion measured from its own first loss alone (the rule before
#: ``start_loss``), to compare
START = True
#: a run explodes when its loss lies above the limit this many steps in a row in the first look
#: (1, find_lr's rule; ``gen_cv_spike.py`` sets 2, which counts one-step spikes never); under
#: Adagrad ``probe.ACCUMULATOR_SPIKE_STEPS``, as find_lr (see ``first_spike_steps``)
FIRST_SPIKE_STEPS = 1


def first_spike_steps(task: str) -> int:
    """The first look's spike count for a task, as find_lr sets it from the optimizer: under
    Adagrad (its first step moves every weight by about the LR) ``ACCUMULATOR_SPIKE_STEPS``."""
    from lrscope.analysis.probe import ACCUMULATOR_SPIKE_STEPS
    from suite import bench

    return ACCUMULATOR_SPIKE_STEPS if bench(task).optimizer.startswith("Adagrad") else FIRST_SPIKE_STEPS


def _start(ev: Evidence, sweep) -> tuple[float | None, int]:
    """(the runs' starting loss, optimizer steps spent measuring it), as find_lr gets them: the
    sweep's first losses when its LR there was negligible, else ``START_BATCHES`` steps at LR 0,
    replayed with the lowest recorded probe (six decades below the sweep's stop)."""
    from lrscope.analysis import _policy as P

    if not START:
        return None, 0
    s = P.start_loss(sweep)
    if s is not None:
        return s, 0
    low = ev.probe_loss(min(ev.probes), P.START_BATCHES)
    return float(np.mean(low)), P.START_BATCHES


def replay(ev: Evidence, policy, budget: int | None, val: bool):
    """(Choice or None when unrecorded, optimizer steps spent) of one policy on one seed's evidence."""
    from lrscope.analysis import _policy as P
    from lrscope.analysis.probe import SPIKE_STEPS

    sweep = _sweep(ev)
    start, spent = _start(ev, sweep)
    spent += len(sweep.lrs)
    # as find_lr: when every run exploded, a second look with runs exploding only after SPIKE_STEPS in a row
    first = first_spike_steps(ev.task)
    for spike_steps in dict.fromkeys((first, max(first, SPIKE_STEPS))):   # one look when they are the same
        run, counter = replay_run(ev, P.run_steps(policy, budget), val, start=start, spike_steps=spike_steps)
        run_long, counter_long = replay_run(ev, P.long_run_steps(policy, budget), val, start=start,
                                            spike_steps=spike_steps)
        run_slow, counter_slow = replay_run(ev, P.slow_run_steps(policy, budget), val, start=start,
                                            spike_steps=spike_steps)
        try:
            probe, long = P.confirm(policy, sweep, run, run_long, run_slow)
        except Unrecorded:
            return None, spent + counter["steps"] + counter_long["steps"] + counter_slow["steps"]
        spent += counter["steps"] + counter_long["steps"] + counter_slow["steps"]
        choice = P.decide(policy, probe, long)
        if choice.status != "exploded":
            break
    return choice, spent


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


def policy_dict(cfg, offsets) -> dict:
    """A JSON-ready description of a chosen policy (structural settings, offsets per use, slow offset)."""
    offs, slow = offsets
    return {"anchor": cfg.anchor, "spacing": cfg.spacing, "count": cfg.count, "steps": cfg.steps,
            "budget_fraction": cfg.budget_fraction, "max_run_steps": cfg.max_run_steps, "refine": cfg.refine, "tie": cfg.tie, "offsets": offs,
            "slow_offset": slow}


def k_of(choice, off: int, slow: int) -> int | None:
    """The answer's grid index of a replayed choice with these offsets (None: no answer)."""
    if choice is None or choice.k is None:
        return None
    return choice.k + (off if choice.status == "ok" else slow)


def regret_table(rows, tasks, smooth: bool = False) -> dict:
    """{use: {(offset, slow_offset): {task: mean regret over seeds}}}; ``smooth`` scores against the
    neighbour-averaged oracle (``Oracle.smooth_regret``), the objective the constants are chosen by."""
    out = {}
    for use in UC:
        o = {t: oracle(t, use) for t in tasks}
        f = {t: (o[t].smooth_regret if smooth else o[t].regret) for t in tasks}
        out[use] = {(a, b): {t: float(np.mean([f[t](k_of(rows[(t, sd)][0], a, b)) for sd in SEEDS]))
                             for t in tasks} for a in OFFSETS for b in SLOW_OFFSETS}
    return out


#: offsets whose mean regret is within this of the best count as equally good; of those the
#: lowest is taken (an LR too high can diverge on a network not seen, one too low only trains slower)
CAUTION = 0.0


def _pick_offsets(table, train_tasks):
    """Best (per-use offsets, slow offset) on the training tasks, and the objective (mean regret of the
    constant and one-cycle uses; the cyclical use gets its own offset, not in the objective)."""
    n = max(1, len(train_tasks))
    best = None
    for b in SLOW_OFFSETS:
        offs, tot = {}, 0.0
        for use in UC:
            mean = {a: sum(table[use][(a, b)][t] for t in train_tasks) / n for a in OFFSETS}
            low = min(mean.values())
            a = min(x for x in OFFSETS if mean[x] <= low + CAUTION)
            offs[use] = a
            if use != "clr":
                tot += sum(table[use][(a, b)][t] for t in train_tasks)
        if best is None or tot < best[2] - 1e-12:
            best = (offs, b, tot)
    return best[:2], best[2] / max(1, len(train_tasks))


CALLS = {"default": (False, False), "val+budget": (True, True)}


#: the second round of longer runs: none, or 2 runs half a decade apart starting at the first
#: round's best (skip 0) or half a decade below it (skip 1)
LONG = [dict(long_count=0)] + [dict(long_count=2, long_spacing=3, long_skip=sk) for sk in (0, 1)]


def structures(wide: bool = False):
    """The structural choices (everything but the run lengths and the offsets).

    The adopted space is small on purpose: every extra choice is one more way to fit the
    tasks it is chosen on. ``wide=True`` is the larger space first tried (162 first-round
    structures, no second round), kept to show what the extra freedom does to the held-out figure.
    """
    if wide:
        return [dict(anchor=a, spacing=sp, count=n, refine=rf, tie=tie, long_count=0)
                for a in ("stop", "rise", "rise3") for sp in (3, 4, 6) for n in (3, 4, 5)
                for rf in (False, True) for tie in (None, 0.05, 0.15)]
    return [dict(anchor=a, spacing=sp, count=n, refine=rf, tie=tie, **lg)
            for a in ("stop", "rise3") for sp in (3, 4) for n in (3, 4)
            for rf in (False, True) for tie in (None, 0.1) for lg in LONG]


#: run lengths without a budget: (first rounds' steps, longer runs' steps)
STEPS = tuple((m, lm) for m in (25, 50, 100) for lm in (75, 100))
#: run lengths as fractions of a known budget: (first rounds', longer runs', the longest run in
#: steps: 300, or no cap below ``MAX_RUN_STEPS``; the evidence holds runs up to 300 steps or a
#: fifth of the budget)
FRACTIONS = tuple((f, lf, cap) for f in (1 / 10, 1 / 6) for lf in (1 / 5,) for cap in (300, 2000))
WIDE_STEPS = tuple((m, 100) for m in (25, 50, 75))
WIDE_FRACTIONS = tuple((f, 1 / 5) for f in (1 / 16, 1 / 10, 1 / 6, 1 / 4))


def _lengths(struct: dict, lengths):
    """The run lengths that differ for this structure (the longer runs' only matter when there are any)."""
    if struct.get("long_count", 0):
        return lengths
    return tuple(dict.fromkeys((a, lengths[0][1], *rest) for a, _, *rest in lengths))


def _policy(struct: dict, length):
    from lrscope.analysis._policy import Policy

    first, second, *cap = length
    if isinstance(first, float):
        return Policy(**struct, budget_fraction=first, long_fraction=second, **({"max_run_steps": cap[0]} if cap else {}))
    return Policy(**struct, steps=first, long_steps=second)


def lofo(tasks, families, wide: bool = False) -> dict:
    """Leave-one-family-out over the policy, both judged calls at once (see the module docstring).

    One structure serves both calls (it is one policy); each call gets its own run length and
    its own offsets per optimizer family. For each left-out family F the choice minimises the
    sum of the two calls' mean regret (constant and one-cycle) over the other families' tasks.
    """
    from suite import SUITE

    lengths = {"default": WIDE_STEPS if wide else STEPS, "val+budget": WIDE_FRACTIONS if wide else FRACTIONS}
    structs = structures(wide)
    tables, objective, costs = {}, {}, {}
    for call, (val, budget) in CALLS.items():
        budget_of = (lambda t: SUITE[t].budget) if budget else (lambda t: None)
        ok = cost_ok(budget)
        for si, struct in enumerate(structs):
            for length in _lengths(struct, lengths[call]):
                rows = evaluate_config(tasks, _policy(struct, length), budget_of, val)
                c = {t: max(rows[(t, sd)][1] for sd in SEEDS) for t in tasks}
                if all(ok(t, c[t]) for t in tasks):
                    tables[(call, si, length)] = regret_table(rows, tasks)
                    objective[(call, si, length)] = regret_table(rows, tasks, smooth=True)
                    costs[(call, si, length)] = c

    def choose(train_tasks):
        best = None
        for si, struct in enumerate(structs):
            picks, total = {}, 0.0
            for call in CALLS:
                cands = [(_pick_offsets(objective[(call, si, L)], train_tasks), L)
                         for L in _lengths(struct, lengths[call]) if (call, si, L) in tables]
                if not cands:
                    break
                (offsets, tot), L = min(cands, key=lambda x: x[0][1])
                picks[call] = (L, offsets)
                total += tot
            else:
                if best is None or total < best[0] - 1e-12:
                    best = (total, si, picks)
        return best[1], best[2]

    out = {call: {"held": {}, "insample": {}} for call in CALLS}
    for fam in families:
        train = [t for t in tasks if SUITE[t].family != fam]
        si, picks = choose(train)
        for call, (L, offsets) in picks.items():
            offs, b = offsets
            for t in families[fam]:
                h = {use: tables[(call, si, L)][use][(offs[use], b)][t] for use in UC}
                h.update(cfg=_policy(structs[si], L), offs=offs, slow=b, cost=costs[(call, si, L)][t],
                         offsets=offsets)
                out[call]["held"][t] = h
    si, picks = choose(tasks)
    for call, (L, offsets) in picks.items():
        offs, b = offsets
        for t in tasks:
            out[call]["insample"][t] = {use: tables[(call, si, L)][use][(offs[use], b)][t] for use in UC}
        out[call]["chosen"] = (_policy(structs[si], L), offsets)
        out[call]["feasible"] = sum(1 for k in tables if k[0] == call)
    return out


def other_calls(res, tasks) -> dict:
    """Held-out regret of the two calls that were not judged (and not fitted): a validation loader
    without a budget (the default call's run length and offsets, runs ranked by validation loss)
    and a budget without a validation loader (the budget call's, ranked by the training loss)."""
    from suite import SUITE

    out = {}
    for call, source, val, budget in (("val only", "default", True, False),
                                      ("budget only", "val+budget", False, True)):
        out[call] = {}
        for t in tasks:
            h = res[source]["held"][t]
            regs = {use: [] for use in UC}
            for sd in SEEDS:
                choice, _ = replay(evidence(t, sd), h["cfg"], SUITE[t].budget if budget else None, val)
                for use in UC:
                    regs[use].append(oracle(t, use).regret(k_of(choice, h["offs"][use], h["slow"])))
            out[call][t] = {use: float(np.mean(v)) for use, v in regs.items()}
    return out


def policy_literal(res) -> str:
    """The ``Policy(...)`` to paste into ``lrscope.analysis._policy.DEFAULT_POLICY``."""
    d_cfg, (d_offs, d_slow) = res["default"]["chosen"]
    b_cfg, (b_offs, b_slow) = res["val+budget"]["chosen"]

    def lit(offs, slow):
        return f"Offsets({offs['constant']}, {offs['one_cycle']}, {offs['clr']}, {slow})"

    return (f"Policy(anchor={d_cfg.anchor!r}, spacing={d_cfg.spacing}, count={d_cfg.count}, steps={d_cfg.steps}, "
            f"budget_fraction={b_cfg.budget_fraction!r}, refine={d_cfg.refine}, tie={d_cfg.tie!r}, "
            f"long_count={d_cfg.long_count}, long_spacing={d_cfg.long_spacing}, long_skip={d_cfg.long_skip}, "
            f"long_steps={d_cfg.long_steps}, long_fraction={b_cfg.long_fraction!r}, "
            f"max_run_steps={b_cfg.max_run_steps}, "
            f"offsets={lit(d_offs, d_slow)}, budget_offsets={lit(b_offs, b_slow)})")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json")
    p.add_argument("--wide", action="store_true", help="the larger space of choices (see structures())")
    args = p.parse_args(argv)
    from suite import SUITE

    tasks = ready_tasks()
    families = {}
    for t in tasks:
        families.setdefault(SUITE[t].family, []).append(t)
    print(f"{len(tasks)} tasks in {len(families)} families: {families}")
    res = lofo(tasks, families, wide=args.wide)
    for call in CALLS:
        report(call, res[call], tasks)
    for call, per in other_calls(res, tasks).items():
        print(f"\n== {call} (not fitted; the fitted calls' constants): held-out "
              + " ".join(f"{u} {np.mean([per[t][u] for t in tasks]):.3f}" for u in UC))
    print("\nDEFAULT_POLICY =", policy_literal(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, default=str, indent=1))


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
    long = (f"/L{policy.long_count}x{policy.long_steps}|{policy.long_fraction:.2f}s{policy.long_spacing}k{policy.long_skip}"
            if policy.long_count else "")
    return (f"{policy.anchor}/s{policy.spacing}/n{policy.count}/"
            f"{'m' + str(policy.steps)}/f{policy.budget_fraction:.3f}/c{policy.max_run_steps}/"
            f"{'R' if policy.refine else '-'}/t{policy.tie}{long}")


if __name__ == "__main__":
    main()
