"""strategy="nsga2" is a genetic search on an LR-only space, not random search under another name."""

from __future__ import annotations

import math

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

from lrscope.hpsearch import parse_space  # noqa: E402
from lrscope.hpsearch._samplers import make_sampler  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)

BUDGET = 20
POPULATION = 5  # make_sampler's population for a budget of 20 (budget // 4): generation 0 = trials 0..4
LR_STAR = 0.03
SPACE = parse_space({"lr": {"type": "float", "low": 1e-5, "high": 1.0, "log": True}})


def lr_bowl(trial):  # a quadratic in log10(lr), minimum 0 at lr = 0.03 (5 decades wide space)
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    return (math.log10(lr) - math.log10(LR_STAR)) ** 2


def _run(strategy: str, seed: int) -> optuna.Study:
    study = optuna.create_study(sampler=make_sampler(strategy, SPACE, seed=seed, budget=BUDGET))
    study.optimize(lr_bowl, n_trials=BUDGET)
    return study


def test_children_are_not_the_random_samplers_draws():
    # The defect: with one parameter Optuna's default mutation redrew every child at random,
    # so nsga2 and random proposed identical LRs for the same seed.
    for seed in (0, 1, 2):
        ga = [t.params["lr"] for t in _run("nsga2", seed).trials]
        rnd = [t.params["lr"] for t in _run("random", seed).trials]
        assert ga[POPULATION:] != rnd[POPULATION:]
        assert len(set(ga[POPULATION:]) - set(rnd)) >= BUDGET - POPULATION - 2


def test_beats_random_search_on_a_smooth_log_lr_bowl():
    # Independent expectations: a uniform draw in log10(lr) over 5 decades lands within
    # +-0.5 decade of the optimum with probability 1/5; a GA that recombines the better
    # half concentrates its children there. The median regret (a GA's regret is
    # heavy-tailed: a rare run converges early on the wrong side) is below random's.
    seeds = range(32)
    near = {"nsga2": [], "random": []}
    regret = {"nsga2": [], "random": []}
    for strategy in near:
        for seed in seeds:
            study = _run(strategy, seed)
            regret[strategy].append(study.best_value)
            near[strategy] += [abs(math.log10(t.params["lr"] / LR_STAR)) < 0.5 for t in study.trials[POPULATION:]]
    assert abs(np.mean(near["random"]) - 0.2) < 0.06  # the test's own sanity check of the 1/5 figure
    assert np.mean(near["nsga2"]) > 1.8 * np.mean(near["random"])
    assert np.median(regret["nsga2"]) < 0.7 * np.median(regret["random"])


def test_same_seed_same_proposals_and_values_stay_in_the_space():
    a = [t.params["lr"] for t in _run("nsga2", 7).trials]
    b = [t.params["lr"] for t in _run("nsga2", 7).trials]
    assert a == b
    assert all(1e-5 <= x <= 1.0 for x in a)


def test_mixed_space_keeps_valid_values():
    space = parse_space({"lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
                         "batch_size": {"type": "int", "low": 8, "high": 128, "log": True},
                         "schedule": {"type": "choice", "choices": ["constant", "one_cycle"]}})

    def f(trial):
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        bs = trial.suggest_int("batch_size", 8, 128, log=True)
        sch = trial.suggest_categorical("schedule", ["constant", "one_cycle"])
        return abs(math.log10(lr) + 1) + abs(math.log2(bs) - 5) + (0.0 if sch == "one_cycle" else 1.0)

    study = optuna.create_study(sampler=make_sampler("nsga2", space, seed=0, budget=40))
    study.optimize(f, n_trials=40)
    for t in study.trials:
        assert 1e-4 <= t.params["lr"] <= 1.0
        assert isinstance(t.params["batch_size"], int) and 8 <= t.params["batch_size"] <= 128
        assert t.params["schedule"] in ("constant", "one_cycle")
