"""Our two Optuna samplers (simulated annealing, ant colony) and the strategy -> sampler table.

Both samplers are stateless: each proposal is computed from the study's finished
trials, so any number of workers on any machines (and a restarted worker) share
one search through the storage, exactly like Optuna's own samplers.

Both work on a unit cube: a float/int parameter maps to u in [0, 1] (through
log(x) on a log-scale parameter); a categorical one is handled by its own rule.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.search_space import IntersectionSearchSpace
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from .. import _validate as v
from ..errors import InvalidArgumentError
from ._space import Choice, Float, Int

__all__ = ["SimulatedAnnealingSampler", "AntColonySampler", "STRATEGIES", "make_sampler", "to_distributions",
           "check_seed"]

STRATEGIES = ("grid", "random", "qmc", "tpe", "gp", "cmaes", "nsga2", "anneal", "aco", "finder")

#: numpy's RandomState (behind every Optuna sampler) takes seeds 0 .. 2**32 - 1
SEED_LIMIT = 2 ** 32


def check_seed(name: str, seed: object) -> int | None:
    """Return a sampler seed: None (fresh randomness) or a whole number 0 <= seed < 2**32.

    ``name`` is how the caller calls it (``seed``, ``--sampler-seed``), so the error names it.
    """
    if seed is None:
        return None
    seed = v.integer(name, seed)
    if not 0 <= seed < SEED_LIMIT:
        raise InvalidArgumentError(name, seed, "must be from 0 to 2**32 - 1",
                                   f"pass `{name}` from 0 to {SEED_LIMIT - 1}, or none for fresh randomness.")
    return seed


# ----------------------------------------------------------------------------- unit-cube coding
def _to_unit(dist: BaseDistribution, value: Any) -> float:
    lo, hi = float(dist.low), float(dist.high)
    x = float(value)
    if dist.log:
        lo, hi, x = math.log(lo), math.log(hi), math.log(x)
    return 0.0 if hi == lo else (x - lo) / (hi - lo)


def _from_unit(dist: BaseDistribution, u: float) -> Any:
    u = min(1.0, max(0.0, float(u)))
    lo, hi = float(dist.low), float(dist.high)
    if dist.log:
        x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    else:
        x = lo + u * (hi - lo)
    step = getattr(dist, "step", None)
    if isinstance(dist, IntDistribution):
        step = step or 1
        x = int(round((x - dist.low) / step)) * step + dist.low
        return int(min(dist.high, max(dist.low, x)))
    if step is not None:
        x = round((x - lo) / step) * step + lo
    return float(min(hi, max(lo, x)))


def _reflect(u: float) -> float:
    """Fold a proposal back into [0, 1] (mirror at both walls)."""
    u = abs(u) % 2.0
    return 2.0 - u if u > 1.0 else u


def _cauchy(rng: np.random.RandomState) -> float:
    """One standard Cauchy draw (the heavy-tailed step of fast annealing, Szu & Hartley 1987)."""
    return math.tan(math.pi * (rng.rand() - 0.5))


class _HistorySampler(BaseSampler):
    """Shared plumbing: relative search space, finished trials, minimisation sign, scout points.

    The start-up trials (and the scouts the subclasses ask for) are space-filling rather than
    uniform: Mitchell's best-candidate rule (Mitchell, 1991) draws ``10 * (n + 1)`` uniform
    candidates in the unit cube and keeps the one farthest from the ``n`` points the study has
    already tried (running and failed trials included), with the toroidal distance
    ``sum_i min(|a_i - b_i|, 1 - |a_i - b_i|)**2`` over the numeric parameters so that the walls
    do not attract it (a categorical parameter is drawn uniformly). Start-up points therefore
    spread evenly instead of clumping, so a basin is less likely to be missed before the search
    turns local. The first trial, whose space is not known yet, is uniform.
    """

    def __init__(self, *, seed: int | None = None, n_startup_trials: int = 5):
        seed = check_seed("seed", seed)
        self._seed = seed
        self._rng = np.random.RandomState(seed)
        self._n_startup_trials = v.integer("n_startup_trials", n_startup_trials, minimum=1)
        self._random = RandomSampler(seed=seed)
        self._space = IntersectionSearchSpace()

    def reseed_rng(self) -> None:
        self._rng = np.random.RandomState()
        self._random.reseed_rng()

    def infer_relative_search_space(self, study, trial) -> dict[str, BaseDistribution]:
        return {n: d for n, d in self._space.calculate(study).items() if not d.single()}

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._random.sample_independent(study, trial, param_name, param_distribution)

    @staticmethod
    def _history(study, search_space) -> tuple[list[FrozenTrial], np.ndarray]:
        """Finished trials that hold every parameter, and their values as 'lower is better'."""
        trials = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                  if all(n in t.params for n in search_space) and t.value is not None and math.isfinite(t.value)]
        trials.sort(key=lambda t: t.number)
        sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
        return trials, np.array([sign * t.value for t in trials], dtype=float)

    def _scout(self, study, search_space) -> dict[str, Any]:
        """A best-candidate point: the farthest of ``10 * (n + 1)`` uniform candidates from the ``n`` tried points."""
        numeric = [(n, d) for n, d in search_space.items() if not isinstance(d, CategoricalDistribution)]
        tried = np.array([[_to_unit(d, t.params[n]) for n, d in numeric]
                          for t in study.get_trials(deepcopy=False) if all(n in t.params for n, _ in numeric)])
        m = min(1000, 10 * (len(tried) + 1))
        cand = self._rng.rand(m, len(numeric))
        if len(tried) and numeric:
            gap = np.abs(cand[:, None, :] - tried[None, :, :])
            d2 = (np.minimum(gap, 1.0 - gap) ** 2).sum(axis=2).min(axis=1)  # toroidal: no pull to the walls
            u = cand[int(np.argmax(d2))]
        else:
            u = cand[0]
        out: dict[str, Any] = {n: _from_unit(d, x) for (n, d), x in zip(numeric, u)}
        for n, d in search_space.items():
            if isinstance(d, CategoricalDistribution):
                out[n] = d.choices[self._rng.randint(len(d.choices))]
        return out


class SimulatedAnnealingSampler(_HistorySampler):
    """Simulated annealing (Kirkpatrick et al., 1983) with scouts and restarts, as an Optuna sampler.

    After ``n_startup_trials`` space-filling trials, a chain walks the unit cube (a float/int
    parameter maps to u in [0, 1], through log(x) on a log scale). Each trial proposes, for
    every numeric coordinate,

        u' = reflect(u + sigma * C),   C ~ Cauchy(0, 1)

    (fast annealing, Szu & Hartley 1987: mostly local, sometimes far) around the chain's current
    point ``u``, or around the best point so far with probability ``p_best`` (an elitist
    move: with a budget of tens of trials, time spent walking away from the best rarely pays);
    a categorical parameter switches to another value with probability
    ``max(0.1, 0.5 * sigma / sigma0)``. With probability ``explore`` the trial is a scout
    instead: a space-filling point (see ``_HistorySampler``), which keeps a deceptive narrow
    basin (Forrester's) reachable after the chain has settled elsewhere. Finished proposals are
    replayed in trial order; with ``delta`` the change of the value (lower is better) the chain
    moves by the Metropolis rule: always if ``delta < 0``, else with probability
    ``exp(-delta / T_k)``, where

        T_k = T0 * cooling**k,   sigma_k = sigma0 * shrink**k,
        T0 = t0_scale * (median - min of the start-up values)   (the objective's own scale),

    ``k`` counting the trials since the chain (re)started. When ``sigma_k`` falls below
    ``sigma_min`` the chain has converged: it restarts (reheats, Ingber 1989) from a scout point
    with ``k = 0``, so a long budget explores other basins. The whole chain is recomputed from
    the study on every proposal (acceptance draws are seeded by trial number), so workers
    sharing a study agree on it.

    Defaults were chosen on the test functions of ``benchmarks/sampler_quality.py`` (tuning
    seeds 0-47) and checked on held-out seeds (``docs/benchmarks/samplers.md``).

    Args:
        seed: seed of the proposals (None: fresh randomness).
        n_startup_trials: space-filling trials before the chain starts (>= 1).
        cooling: temperature factor per trial, in (0, 1).
        sigma0: first step size (Cauchy scale), as a fraction of each parameter's range.
        sigma_min: step size (fraction of the range) below which the chain restarts.
        shrink: step-size factor per trial, in (0, 1].
        p_best: probability of proposing around the best point instead of the chain's.
        t0_scale: first temperature, in units of (median - min) of the start-up values.
        explore: probability that a trial is a space-filling scout, in [0, 1].

    >>> import optuna
    >>> study = optuna.create_study(sampler=SimulatedAnnealingSampler(seed=0))
    >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=40)
    >>> abs(study.best_params["x"] - 1) < 0.2
    True
    """

    def __init__(self, *, seed: int | None = None, n_startup_trials: int = 5, cooling: float = 0.85,
                 sigma0: float = 0.25, sigma_min: float = 0.01, shrink: float = 0.9, p_best: float = 0.6,
                 t0_scale: float = 1.0, explore: float = 0.1):
        super().__init__(seed=seed, n_startup_trials=n_startup_trials)
        self.cooling = v.fraction("cooling", cooling)
        self.sigma0 = v.fraction("sigma0", sigma0, high_open=False)
        self.sigma_min = v.fraction("sigma_min", sigma_min, high_open=False)
        self.shrink = v.fraction("shrink", shrink, high_open=False)
        self.p_best = v.fraction("p_best", p_best, low_open=False, high_open=False)
        self.t0_scale = v.positive("t0_scale", t0_scale)
        self.explore = v.fraction("explore", explore, low_open=False, high_open=False)

    def _chain(self, trials: Sequence[FrozenTrial], values: np.ndarray) -> tuple[FrozenTrial, float, bool]:
        """Replay the chain: its current trial, its step size, and whether its next point is a restart scout."""
        n0 = self._n_startup_trials
        start = values[:n0]
        t0 = self.t0_scale * (float(np.median(start) - np.min(start)) or float(np.std(start)) or 1.0)
        cur, k, restart = int(np.argmin(start)), 0, False
        for i in range(n0, len(trials)):
            if restart:  # the scout proposed after a restart starts the new chain
                cur, k, restart = i, 0, False
                continue
            delta = values[i] - values[cur]
            draw = np.random.RandomState(zlib.crc32(f"{self._seed}:{trials[i].number}".encode())).rand()
            if delta < 0 or draw < math.exp(-delta / max(t0 * self.cooling ** k, 1e-300)):
                cur = i
            k += 1
            if self.sigma0 * self.shrink ** k < self.sigma_min:
                restart = True
        return trials[cur], self.sigma0 * self.shrink ** k, restart

    def sample_relative(self, study, trial, search_space) -> dict[str, Any]:
        if not search_space:
            return {}
        trials, values = self._history(study, search_space)
        if len(trials) < self._n_startup_trials:
            return self._scout(study, search_space)
        current, sigma, restart = self._chain(trials, values)
        if restart or self._rng.rand() < self.explore:
            return self._scout(study, search_space)
        if self._rng.rand() < self.p_best:
            current = trials[int(np.argmin(values))]
        p_switch = max(0.1, 0.5 * sigma / self.sigma0)
        out = {}
        for name, dist in search_space.items():
            x = current.params[name]
            if isinstance(dist, CategoricalDistribution):
                others = [c for c in dist.choices if c != x]
                out[name] = others[self._rng.randint(len(others))] if others and self._rng.rand() < p_switch else x
            else:
                out[name] = _from_unit(dist, _reflect(_to_unit(dist, x) + sigma * _cauchy(self._rng)))
        return out


class AntColonySampler(_HistorySampler):
    """Ant colony optimisation for continuous domains, ACO_R (Socha & Dorigo, 2008), as an Optuna sampler.

    The pheromone is an archive of the ``archive_size`` best finished trials,
    ranked ``l = 0, 1, ...`` (best first) with weights

        w_l = exp(-l**2 / (2 * q**2 * k**2)),

    where ``k`` is the archive size. An ant picks a guide ``l`` with probability
    ``w_l / sum(w)`` and samples each numeric coordinate (unit cube, log(x) on a log scale)
    from a Cauchy law (heavy tails, so a collapsed archive can still jump; Socha & Dorigo use a
    normal law, which stagnated here on Himmelblau and the 1-D sphere) centred on the guide's
    with scale

        sigma_i = max(sigma_min, xi * sum_e |u_e,i - u_l,i| / (k - 1))

    (reflected into the unit cube). A categorical parameter takes value ``c`` with
    probability proportional to ``sum_l w_l [x_l = c] + evaporation * sum(w) / n_choices``.
    With probability ``explore`` an ant is a scout: it goes to a space-filling point (Mitchell's
    best-candidate rule, see ``_HistorySampler``) instead, so the colony keeps finding basins
    that its archive has not seen (the archive otherwise only contracts: on Forrester's function
    it collapsed onto the local minimum near x = 0.14). The start-up trials are space-filling too.
    Socha & Dorigo's ``xi = 0.85`` and ``k = 50`` suit thousands of evaluations; with tens of
    trials a smaller archive (6) and ``xi = 0.5`` converge inside the budget (chosen on tuning
    seeds 0-47 of ``benchmarks/sampler_quality.py``, checked on held-out seeds; see
    ``docs/benchmarks/samplers.md``).

    Args:
        seed: seed of the ants (None: fresh randomness).
        n_startup_trials: space-filling trials before the colony starts (>= 2).
        archive_size: number of trials kept as pheromone (k).
        q: locality of the search (small q: follow the best trial).
        xi: pheromone evaporation rate (large xi: slower convergence).
        evaporation: floor of a categorical value's probability, relative to uniform.
        explore: share of scout ants, in [0, 1].
        sigma_min: smallest step scale, as a fraction of each parameter's range.

    >>> import optuna
    >>> study = optuna.create_study(sampler=AntColonySampler(seed=0))
    >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=40)
    >>> abs(study.best_params["x"] - 1) < 0.2
    True
    """

    def __init__(self, *, seed: int | None = None, n_startup_trials: int = 5, archive_size: int = 6,
                 q: float = 0.1, xi: float = 0.5, evaporation: float = 0.1, explore: float = 0.1,
                 sigma_min: float = 1e-3):
        super().__init__(seed=seed, n_startup_trials=max(2, v.integer("n_startup_trials", n_startup_trials, minimum=1)))
        self.archive_size = v.integer("archive_size", archive_size, minimum=2)
        self.q = v.positive("q", q)
        self.xi = v.positive("xi", xi)
        self.evaporation = v.positive("evaporation", evaporation, allow_zero=True)
        self.explore = v.fraction("explore", explore, low_open=False, high_open=False)
        self.sigma_min = v.fraction("sigma_min", sigma_min, high_open=False)

    def sample_relative(self, study, trial, search_space) -> dict[str, Any]:
        if not search_space:
            return {}
        trials, values = self._history(study, search_space)
        if len(trials) < self._n_startup_trials or self._rng.rand() < self.explore:
            return self._scout(study, search_space)
        order = np.argsort(values, kind="stable")[: self.archive_size]
        archive = [trials[i] for i in order]
        k = len(archive)
        ranks = np.arange(k)
        w = np.exp(-(ranks ** 2) / (2.0 * self.q ** 2 * k ** 2))
        p = w / w.sum()
        guide = int(self._rng.choice(k, p=p))
        out = {}
        for name, dist in search_space.items():
            if isinstance(dist, CategoricalDistribution):
                mass = np.full(len(dist.choices), self.evaporation * w.sum() / len(dist.choices))
                for wl, t in zip(w, archive):
                    mass[dist.choices.index(t.params[name])] += wl
                out[name] = dist.choices[int(self._rng.choice(len(dist.choices), p=mass / mass.sum()))]
            else:
                us = np.array([_to_unit(dist, t.params[name]) for t in archive])
                sigma = max(self.sigma_min, self.xi * np.abs(us - us[guide]).sum() / max(1, k - 1))
                out[name] = _from_unit(dist, _reflect(us[guide] + sigma * _cauchy(self._rng)))
        return out


# ----------------------------------------------------------------------------- strategies
def to_distributions(space: Mapping[str, Any]) -> dict[str, BaseDistribution]:
    """Optuna distributions for a parsed lrscope space."""
    out: dict[str, BaseDistribution] = {}
    for name, p in space.items():
        if isinstance(p, Float):
            out[name] = FloatDistribution(p.low, p.high, log=p.log)
        elif isinstance(p, Int):
            out[name] = IntDistribution(p.low, p.high, log=p.log)
        elif isinstance(p, Choice):
            out[name] = CategoricalDistribution(p.choices)
        else:  # pragma: no cover - parse_space guarantees the types
            raise InvalidArgumentError(f"space[{name!r}]", p, "must be Float, Int or Choice", "use parse_space.")
    return out


def grid_values(space: Mapping[str, Any], budget: int) -> dict[str, list]:
    """Grid points per parameter so that the full grid holds about ``budget`` points."""
    numeric = [n for n, p in space.items() if not isinstance(p, Choice)]
    cat_size = 1
    for p in space.values():
        if isinstance(p, Choice):
            cat_size *= len(p.choices)
    per_dim = max(2, int(math.floor((max(1, budget) / cat_size) ** (1.0 / max(1, len(numeric))) + 1e-9)))
    return {n: p.grid(per_dim) for n, p in space.items()}


def _nsga2(seed: int | None, population_size: int) -> BaseSampler:
    """NSGA-II (Deb et al., 2002) as a real-coded genetic algorithm that works on a 1-D space too.

    Children come from binary-tournament parents by BLX-0.5 crossover (Eshelman & Schaffer,
    1992) in the transformed space (log(x) for a log-scale parameter): with parents ``a <= b``
    and ``d = b - a`` the child is uniform on ``[a - 0.5 d, b + 0.5 d]`` (probability 0.9; else a
    copy of one parent). Each numeric parameter is then mutated with probability
    ``1 / n_params`` by Deb's polynomial mutation with distribution index 20 (a local step,
    mostly within a few % of the range); a categorical one is redrawn at random.

    Optuna's default instead redraws a mutated parameter uniformly at random, and its default
    mutation probability ``1 / n_params`` is 1 on an LR-only space, so every child was a random
    draw and ``nsga2`` proposed exactly the LRs of ``random`` with the same seed.
    """
    import warnings

    from optuna.exceptions import ExperimentalWarning
    from optuna.samplers.nsgaii import BLXAlphaCrossover, PolynomialMutation

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=population_size,
                                             crossover=BLXAlphaCrossover(alpha=0.5),
                                             mutation=PolynomialMutation(eta=20.0), crossover_prob=0.9)


def make_sampler(strategy: str, space: Mapping[str, Any], *, seed: int | None = None, budget: int = 20) -> BaseSampler:
    """The Optuna sampler behind a strategy name.

    Args:
        strategy: one of ``STRATEGIES`` except "finder" (which the engine runs itself).
        space: parsed lrscope space.
        seed: sampler seed (None: fresh randomness).
        budget: planned number of trials (sizes the grid and the start-up phases).

    Returns:
        An ``optuna.samplers.BaseSampler``.
    """
    v.choice("strategy", strategy, STRATEGIES)
    seed = check_seed("seed", seed)
    startup = max(3, min(10, budget // 4))
    if strategy == "grid":
        return optuna.samplers.GridSampler(grid_values(space, budget), seed=seed)
    if strategy == "random":
        return RandomSampler(seed=seed)
    if strategy == "qmc":
        return optuna.samplers.QMCSampler(seed=seed, scramble=True, warn_independent_sampling=False,
                                          warn_asynchronous_seeding=False)
    if strategy in ("tpe", "finder"):
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)
    if strategy == "gp":
        v.require("scipy", "strategy='gp'", "search")
        return optuna.samplers.GPSampler(seed=seed, n_startup_trials=startup, warn_independent_sampling=False)
    if strategy == "cmaes":
        v.require("cmaes", "strategy='cmaes'", "search")
        return optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=startup, warn_independent_sampling=False)
    if strategy == "nsga2":
        return _nsga2(seed, population_size=max(4, min(50, budget // 4)))
    if strategy == "anneal":
        return SimulatedAnnealingSampler(seed=seed, n_startup_trials=startup)
    return AntColonySampler(seed=seed, n_startup_trials=startup)
