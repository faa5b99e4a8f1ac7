"""Our simulated-annealing and ant-colony samplers beat random search on known test functions."""

from __future__ import annotations

import math

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

from lrscope.errors import InvalidArgumentError  # noqa: E402
from lrscope.hpsearch import AntColonySampler, SimulatedAnnealingSampler  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)


# Known test functions, written from their textbook definitions, with their known minima.
def lr_bowl(trial):  # 1-D, log scale: a quadratic in log10(lr) with its minimum 0 at lr = 0.03
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    return (math.log10(lr) - math.log10(0.03)) ** 2


def sphere_1d(trial):  # 1-D sphere on a linear scale, minimum 0 at x = 1.7
    x = trial.suggest_float("x", -5.0, 5.0)
    return (x - 1.7) ** 2


def branin(trial):  # 2-D, three global minima of value 0.397887 (Dixon & Szego, 1978)
    x = trial.suggest_float("x", -5.0, 10.0)
    y = trial.suggest_float("y", 0.0, 15.0)
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x ** 2 + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def six_hump_camel(trial):  # 2-D, two global minima of value -1.0316285
    x = trial.suggest_float("x", -3.0, 3.0)
    y = trial.suggest_float("y", -2.0, 2.0)
    return (4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (-4 + 4 * y ** 2) * y ** 2


def forrester(trial):  # 1-D (Forrester, Sobester & Keane 2008): global min -6.02074 at x = 0.7572, a decoy at 0.14
    x = trial.suggest_float("x", 0.0, 1.0)
    return (6 * x - 2) ** 2 * math.sin(12 * x - 4)


def himmelblau(trial):  # 2-D (Himmelblau 1972): four global minima of value 0, e.g. (3, 2)
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


FUNCTIONS = [(lr_bowl, 0.0), (sphere_1d, 0.0), (branin, 0.397887), (six_hump_camel, -1.0316285),
             (forrester, -6.0207401), (himmelblau, 0.0)]
# Seeds 1000.. are neither the seeds the defaults were tuned on (0-47) nor the benchmark's held-out ones (100-123).
TEST_SEEDS = range(1000, 1008)


def test_the_stated_minima_are_the_functions_minima():
    """Each f_min is attained at a textbook minimiser and not beaten on a dense grid."""
    class At:  # a trial stand-in that answers suggest_float with fixed values
        def __init__(self, **values):
            self.values = values

        def suggest_float(self, name, low, high, log=False):
            return self.values[name]

    at = {lr_bowl: {"lr": 0.03}, sphere_1d: {"x": 1.7}, branin: {"x": math.pi, "y": 2.275},
          six_hump_camel: {"x": 0.0898420, "y": -0.7126564}, forrester: {"x": 0.7572488}, himmelblau: {"x": 3.0, "y": 2.0}}
    grid = np.linspace(0.0, 1.0, 201)
    for func, f_min in FUNCTIONS:
        assert func(At(**at[func])) == pytest.approx(f_min, abs=1e-6)
        names = list(at[func])
        bounds = {"lr_bowl": [(-5, 0)], "sphere_1d": [(-5, 5)], "branin": [(-5, 10), (0, 15)],
                  "six_hump_camel": [(-3, 3), (-2, 2)], "forrester": [(0, 1)], "himmelblau": [(-5, 5), (-5, 5)]}[func.__name__]
        axes = [lo + grid * (hi - lo) for lo, hi in bounds]
        pts = np.meshgrid(*axes, indexing="ij")
        for point in zip(*(p.ravel() for p in pts)):
            values = dict(zip(names, point))
            if func is lr_bowl:
                values["lr"] = 10.0 ** values["lr"]
            assert func(At(**values)) >= f_min - 1e-6


def mean_regret(make_sampler, func, f_min, *, seeds=TEST_SEEDS, budget=30):
    regrets = []
    for seed in seeds:
        study = optuna.create_study(sampler=make_sampler(seed))
        study.optimize(func, n_trials=budget)
        regrets.append(study.best_value - f_min)
    return float(np.mean(regrets))


# Himmelblau (four global minima) is asserted for anneal only: the ant colony's mean regret there is
# 0.48-0.66x random's on the benchmark seeds and 0.78x on these 8 (its archive straddles several
# basins and its step stays wide; docs/benchmarks/samplers.md), so a 0.5x claim would not hold.
CASES = [(s, f, m) for s in ("anneal", "aco") for f, m in FUNCTIONS if not (s == "aco" and f is himmelblau)]
SAMPLERS = {"anneal": SimulatedAnnealingSampler, "aco": AntColonySampler}


@pytest.mark.parametrize("name,func,f_min", CASES, ids=[f"{s}-{f.__name__}" for s, f, _ in CASES])
def test_beats_random_search_with_the_same_budget(name, func, f_min):
    sampler = SAMPLERS[name]
    ours = mean_regret(lambda s: sampler(seed=s), func, f_min)
    rand = mean_regret(lambda s: optuna.samplers.RandomSampler(seed=s), func, f_min)
    assert ours < 0.5 * rand, f"{sampler.__name__} regret {ours:.4g} vs random {rand:.4g}"


@pytest.mark.parametrize("sampler", [SimulatedAnnealingSampler, AntColonySampler])
def test_same_seed_gives_the_same_proposals(sampler):
    runs = []
    for _ in range(2):
        study = optuna.create_study(sampler=sampler(seed=3))
        study.optimize(branin, n_trials=12)
        runs.append([t.params for t in study.trials])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("sampler", [SimulatedAnnealingSampler, AntColonySampler])
def test_int_and_categorical_parameters_stay_valid_and_maximise_works(sampler):
    def f(trial):
        n = trial.suggest_int("n", 1, 64, log=True)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        return -abs(math.log2(n) - 3) + (1.0 if kind == "b" else 0.0)  # best: n = 8, kind = "b"

    study = optuna.create_study(direction="maximize", sampler=sampler(seed=0))
    study.optimize(f, n_trials=40)
    for t in study.trials:
        assert isinstance(t.params["n"], int) and 1 <= t.params["n"] <= 64
        assert t.params["kind"] in ("a", "b", "c")
    assert study.best_params["kind"] == "b"
    assert study.best_value >= 0.5


def test_bad_sampler_settings_are_named():
    with pytest.raises(InvalidArgumentError, match="cooling"):
        SimulatedAnnealingSampler(cooling=1.5)
    with pytest.raises(InvalidArgumentError, match="archive_size"):
        AntColonySampler(archive_size=1)
