"""LR search on Optuna: grid, random, QMC, TPE, GP, CMA-ES, NSGA-II, simulated annealing, ant colony, finder.

This package is the only place lrscope imports optuna. ``lrscope.search`` and
``lrscope.SearchResult`` are these names, loaded on first use.
"""

from . import _finder  # noqa: F401  (registers strategy="finder" with the engine)
from ._engine import PRUNERS, Reporter, SearchInterrupted, SearchResult, TrialRecord, create_study, list_studies, load_search, search
from ._objective import task_objective
from ._samplers import STRATEGIES, AntColonySampler, SimulatedAnnealingSampler
from ._space import Choice, Float, Int, parse_space

__all__ = [
    "search", "SearchResult", "SearchInterrupted", "TrialRecord", "Reporter", "task_objective", "create_study", "list_studies", "load_search",
    "STRATEGIES", "PRUNERS", "SimulatedAnnealingSampler", "AntColonySampler", "Float", "Int", "Choice", "parse_space",
]
