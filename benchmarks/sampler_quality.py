"""Sampler quality on known test functions: regret after a fixed budget, every sampler side by side.

Each function is written from its textbook definition, with its known global minimum
``f_min``; the regret of a run is ``best value found - f_min`` after ``--trials`` trials
(30 by default). For every function, sampler and seed the run is a fresh in-memory Optuna
study; all samplers run in the same process on the same seeds (interleaved by seed), so the
numbers are comparable side by side.

Seeds come in two sets: ``tune`` (0..23, the seeds the samplers' defaults were chosen on)
and ``held`` (100..111, never looked at while tuning); both are reported. The unit tests
(``tests/test_samplers.py``) use a third set (1000..).

Functions (minimised):

- ``forrester`` (1-D, Forrester, Sobester & Keane 2008): ``(6x - 2)^2 sin(12x - 4)`` on [0, 1],
  global min -6.02074 at x = 0.75725 (a deceptive local min -0.986 near x = 0.14).
- ``lr_bowl`` (1-D, log scale): ``(log10(lr) - log10(0.03))^2`` on lr in [1e-5, 1], min 0.
- ``branin`` (2-D, Dixon & Szego 1978): x in [-5, 10], y in [0, 15], three global minima 0.397887.
- ``himmelblau`` (2-D, Himmelblau 1972): ``(x^2 + y - 11)^2 + (x + y^2 - 7)^2`` on [-5, 5]^2, four
  global minima 0.
- ``six_hump_camel`` (2-D, Dixon & Szego 1978): x in [-3, 3], y in [-2, 2], two global minima
  -1.0316285.
- ``rastrigin`` (2-D, Rastrigin 1974): ``20 + sum(x_i^2 - 10 cos(2 pi x_i))`` on [-5.12, 5.12]^2, min 0 at 0.
- ``ackley`` (2-D, Ackley 1987): ``-20 exp(-0.2 sqrt(mean x_i^2)) - exp(mean cos(2 pi x_i)) + 20 + e``
  on [-32.768, 32.768]^2, min 0 at 0.

Samplers: ``random`` (Optuna's RandomSampler), ``tpe`` (Optuna's TPESampler defaults),
``anneal`` and ``aco`` (lrscope's ``SimulatedAnnealingSampler`` / ``AntColonySampler``
with their defaults, or with ``--anneal-kw`` / ``--aco-kw`` overrides), and optionally
``cmaes`` (Optuna's CmaEsSampler) and ``gp`` (Optuna's GPSampler, slow).

    OMP_NUM_THREADS=1 python benchmarks/sampler_quality.py                      # ~1 min, writes the JSON
    OMP_NUM_THREADS=1 python benchmarks/sampler_quality.py --samplers random tpe anneal aco cmaes
    python benchmarks/sampler_quality.py --seed-set tune --aco-kw '{"q": 0.3}' --out /tmp/try.json

Writes ``benchmarks/results/sampler_quality.json`` (``--out``) and prints a markdown table
(mean regret, and the ratio to random's mean regret) per seed set.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import optuna

HERE = Path(__file__).resolve().parent
SEED_SETS = {"tune": list(range(0, 24)), "held": list(range(100, 124))}


# ----------------------------------------------------------------------------- test functions
def forrester(x):
    return (6 * x - 2) ** 2 * math.sin(12 * x - 4)


def lr_bowl(lr):
    return (math.log10(lr) - math.log10(0.03)) ** 2


def branin(x, y):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x ** 2 + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def six_hump_camel(x, y):
    return (4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (-4 + 4 * y ** 2) * y ** 2


def rastrigin(x, y):
    return 20 + sum(z ** 2 - 10 * math.cos(2 * math.pi * z) for z in (x, y))


def ackley(x, y):
    r = math.sqrt(0.5 * (x ** 2 + y ** 2))
    c = 0.5 * (math.cos(2 * math.pi * x) + math.cos(2 * math.pi * y))
    return -20 * math.exp(-0.2 * r) - math.exp(c) + 20 + math.e


# name -> (function, [(param, low, high, log)], f_min, a global minimiser)
FUNCTIONS = {
    "forrester": (forrester, [("x", 0.0, 1.0, False)], -6.020740055767083, (0.7572487665,)),
    "lr_bowl": (lr_bowl, [("lr", 1e-5, 1.0, True)], 0.0, (0.03,)),
    "branin": (branin, [("x", -5.0, 10.0, False), ("y", 0.0, 15.0, False)], 0.39788735772973816, (math.pi, 2.275)),
    "himmelblau": (himmelblau, [("x", -5.0, 5.0, False), ("y", -5.0, 5.0, False)], 0.0, (3.0, 2.0)),
    "six_hump_camel": (six_hump_camel, [("x", -3.0, 3.0, False), ("y", -2.0, 2.0, False)], -1.0316284534898774,
                       (0.08984201368301331, -0.7126564032704135)),
    "rastrigin": (rastrigin, [("x", -5.12, 5.12, False), ("y", -5.12, 5.12, False)], 0.0, (0.0, 0.0)),
    "ackley": (ackley, [("x", -32.768, 32.768, False), ("y", -32.768, 32.768, False)], 0.0, (0.0, 0.0)),
}


def check_minima() -> None:
    """The stated minima are attained at the stated points and not beaten on a dense grid."""
    for name, (f, params, f_min, at) in FUNCTIONS.items():
        if abs(f(*at) - f_min) > 1e-6:
            raise SystemExit(f"{name}: f{at} = {f(*at)} but f_min = {f_min}")
        axes = [np.geomspace(lo, hi, 401) if log else np.linspace(lo, hi, 401) for _, lo, hi, log in params]
        grid = np.meshgrid(*axes, indexing="ij")
        lowest = min(f(*pt) for pt in zip(*(g.ravel() for g in grid)))
        if lowest < f_min - 1e-9:
            raise SystemExit(f"{name}: the grid finds {lowest} below f_min = {f_min}")


def objective(name):
    f, params, _, _ = FUNCTIONS[name]

    def run(trial):
        return f(*(trial.suggest_float(p, lo, hi, log=log) for p, lo, hi, log in params))

    return run


# ----------------------------------------------------------------------------- samplers
def make(sampler: str, seed: int, anneal_kw: dict, aco_kw: dict):
    from lrscope.hpsearch import AntColonySampler, SimulatedAnnealingSampler

    if sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if sampler == "anneal":
        return SimulatedAnnealingSampler(seed=seed, **anneal_kw)
    if sampler == "aco":
        return AntColonySampler(seed=seed, **aco_kw)
    if sampler == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if sampler == "gp":
        return optuna.samplers.GPSampler(seed=seed, warn_independent_sampling=False)
    raise SystemExit(f"unknown sampler {sampler!r}")


def regret(name: str, sampler, trials: int) -> float:
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective(name), n_trials=trials)
    return float(study.best_value - FUNCTIONS[name][2])


# ----------------------------------------------------------------------------- report
def table(summary: dict, samplers: list[str], functions: list[str]) -> str:
    lines = ["| function | " + " | ".join(samplers) + " |", "|---|" + "---|" * len(samplers)]
    for fn in functions:
        rand = summary[fn].get("random", {}).get("mean")
        cells = []
        for s in samplers:
            m = summary[fn][s]["mean"]
            cell = f"{m:.3g}"
            if rand and s != "random":
                cell += f" ({m / rand:.2f}x)"
            cells.append(cell)
        lines.append(f"| {fn} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samplers", nargs="+", default=["random", "tpe", "anneal", "aco", "cmaes"])
    ap.add_argument("--functions", nargs="+", default=list(FUNCTIONS), choices=list(FUNCTIONS))
    ap.add_argument("--seed-set", nargs="+", default=["tune", "held"], choices=list(SEED_SETS))
    ap.add_argument("--n-seeds", type=int, default=24, help="first N seeds of each set")
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--anneal-kw", type=json.loads, default={}, help="JSON keyword overrides")
    ap.add_argument("--aco-kw", type=json.loads, default={}, help="JSON keyword overrides")
    ap.add_argument("--label", default="", help="free text stored in the JSON (e.g. 'before')")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "sampler_quality.json")
    args = ap.parse_args(argv)

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    check_minima()
    out = {"label": args.label, "trials": args.trials, "samplers": args.samplers, "functions": args.functions,
           "anneal_kw": args.anneal_kw, "aco_kw": args.aco_kw, "sets": {}}
    t_start = time.perf_counter()
    for set_name in args.seed_set:
        seeds = SEED_SETS[set_name][: args.n_seeds]
        runs = {fn: {s: [] for s in args.samplers} for fn in args.functions}
        seconds = {s: 0.0 for s in args.samplers}
        for fn in args.functions:
            for seed in seeds:
                for s in args.samplers:
                    t0 = time.perf_counter()
                    runs[fn][s].append(regret(fn, make(s, seed, args.anneal_kw, args.aco_kw), args.trials))
                    seconds[s] += time.perf_counter() - t0
        summary = {fn: {s: {"mean": float(np.mean(r)), "median": float(np.median(r)), "regrets": r}
                        for s, r in by.items()} for fn, by in runs.items()}
        out["sets"][set_name] = {"seeds": seeds, "summary": summary, "seconds": seconds}
        print(f"\n### seeds '{set_name}' ({seeds[0]}..{seeds[-1]}), mean regret after {args.trials} trials "
              f"(x random's)\n")
        print(table(summary, args.samplers, args.functions))
        med = {fn: {s: {"mean": v["median"]} for s, v in by.items()} for fn, by in summary.items()}
        print(f"\nmedian regret ('{set_name}'):\n")
        print(table(med, args.samplers, args.functions))
    out["seconds_total"] = time.perf_counter() - t_start
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"\n{out['seconds_total']:.0f} s; wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
