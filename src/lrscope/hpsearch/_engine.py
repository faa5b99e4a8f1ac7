"""The search engine: one Optuna study behind every strategy, with cost accounting.

``search(objective, ...)`` samples a configuration per trial, calls
``objective(config, reporter) -> float`` and records, for every trial, the
configuration, the metric, the state, the optimizer steps it spent and, when it
failed, why. A persistent study (journal file or database) also stores the
search's own settings (space, strategy, direction, pruner, target number of
trials) as a study attribute, so workers need only the study's name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import signal
import socket
import sys
import threading
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import optuna
from optuna.trial import TrialState

from .. import _validate as v
from .._json import strict
from ..errors import InvalidArgumentError, LRScopeError
from ._samplers import STRATEGIES, check_seed, make_sampler
from ._space import Choice, Float, parse_space, space_to_dict
from ._storage import redact, resolve_storage, stale_heartbeat

__all__ = ["search", "SearchResult", "SearchInterrupted", "TrialRecord", "Reporter", "create_study", "list_studies", "load_search", "resolve_pruner",
           "PRUNERS", "META_KEY"]

META_KEY = "lrscope"
#: strategies that run their own loop instead of a sampler: name -> runner, registered by their
#: modules (``._finder``) so that this engine does not import them (no import cycle)
STRATEGY_RUNNERS: dict[str, Callable[..., Any]] = {}
PRUNERS = ("none", "median", "sha", "asha", "hyperband")
_STATES = {TrialState.COMPLETE: "COMPLETE", TrialState.PRUNED: "PRUNED", TrialState.FAIL: "FAIL",
           TrialState.RUNNING: "RUNNING", TrialState.WAITING: "WAITING"}



class TrialFailed(LRScopeError):
    """Raised inside a trial to record it as failed with a reason (non-finite metric, divergence)."""


class SearchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a search: still a KeyboardInterrupt (it stops the program), carrying what was done.

    ``result`` is the :class:`SearchResult` of every trial finished before the interrupt, plus
    the interrupted one recorded as FAIL ("interrupted"), so an in-memory search loses nothing:

    >>> # try:
    >>> #     r = lrscope.search(objective, budget=50)
    >>> # except lrscope.hpsearch.SearchInterrupted as stop:
    >>> #     r = stop.result          # the trials so far; r.best_config is usable
    """

    def __init__(self, result: "SearchResult", signum: int = signal.SIGINT):
        n = len(result.trials)
        super().__init__(f"search interrupted after {n} trial{'s' * (n != 1)}")
        self.result = result
        #: the signal that stopped the search (SIGINT for Ctrl-C; SIGTERM or SIGHUP from the CLI)
        self.signum = int(signum)


#: signals received during a search and not acted on yet (see ``_deferred_interrupts``)
_PENDING: list[int] = []


def _check_interrupt() -> None:
    """Raise the pending interrupt here, at a safe point of a trial (the reporter's calls)."""
    if _PENDING:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _deferred_interrupts():
    """Ctrl-C (and SIGTERM/SIGHUP when the CLI handles them) during a search only set a flag: the
    running trial stops at its next safe point (a reporter call) and the search between trials.

    An interrupt raised wherever Python happens to be can land inside Optuna's own machinery,
    e.g. between starting a trial's heartbeat thread and the ``with`` that stops it; the thread
    then keeps the process from ever exiting. A second Ctrl-C interrupts at once.
    """
    _PENDING.clear()
    if threading.current_thread() is not threading.main_thread():
        yield _PENDING
        return

    def handler(signum, frame):
        if _PENDING and signum == signal.SIGINT:
            raise KeyboardInterrupt        # asked twice: now
        _PENDING.append(signum)

    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        current = signal.getsignal(sig)
        if callable(current):              # a Python handler (Ctrl-C's default, or the CLI's): defer it
            previous[sig] = signal.signal(sig, handler)
    try:
        yield _PENDING
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# ----------------------------------------------------------------------------- reporter
class Reporter:
    """What an objective uses to report progress, ask about pruning and count its cost.

    >>> # inside objective(config, reporter):
    >>> #     reporter.spend(50); reporter.report(val_acc)
    >>> #     if reporter.should_prune(): reporter.prune()
    """

    def __init__(self, trial: optuna.trial.BaseTrial):
        self._trial = trial
        self.steps = 0
        self.pruned = False

    @property
    def number(self) -> int:
        """The trial's number in the study."""
        return self._trial.number

    def spend(self, steps: int) -> None:
        """Add ``steps`` optimizer steps to this trial's cost (and stop here on Ctrl-C)."""
        self.steps += v.integer("steps", steps, minimum=0)
        _check_interrupt()

    def report(self, value: float, step: int | None = None) -> None:
        """Report an intermediate metric at ``step`` (default: the steps spent so far) for pruning."""
        _check_interrupt()
        step = self.steps if step is None else v.integer("step", step, minimum=0)
        value = float(value)
        self.flush()
        if math.isfinite(value):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # reporting twice at a step only warns
                self._trial.report(value, step)

    def should_prune(self) -> bool:
        """True when the pruner says this trial is worse than its peers at this point."""
        self.pruned = self.pruned or bool(self._trial.should_prune())
        return self.pruned

    def prune(self) -> None:
        """Stop this trial now; it is recorded as PRUNED (its steps still count)."""
        self.pruned = True
        raise optuna.TrialPruned(f"pruned after {self.steps} steps")

    def flush(self) -> None:
        """Store the steps spent so far with the trial (done at every report and at the end)."""
        self._trial.set_user_attr("steps", int(self.steps))


# ----------------------------------------------------------------------------- result
@dataclasses.dataclass(frozen=True)
class TrialRecord:
    """One trial: its configuration, metric, state, cost in optimizer steps, and why it failed."""

    number: int
    config: dict
    metric: float | None
    state: str
    steps: int
    reason: str | None = None
    retry_of: int | None = None
    worker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """Every trial of a search, the best configuration and the cost (cumulative optimizer steps).

    Args:
        trials: the trials in the order they were created.
        direction: "maximize" or "minimize" (of ``metric``).
        strategy: the strategy name.
        space: the space's JSON form.
        study_name: the study's name.
        extra_steps: steps spent outside trials (the range test of strategy="finder").
        info: extra facts (e.g. the finder's suggestion and range).
    """

    trials: tuple[TrialRecord, ...]
    direction: str
    strategy: str
    space: dict
    study_name: str = "lrscope-search"
    extra_steps: int = 0
    info: dict = dataclasses.field(default_factory=dict)

    @property
    def best(self) -> TrialRecord | None:
        """The best finished trial (None when no trial finished)."""
        done = [t for t in self.trials if t.state == "COMPLETE" and t.metric is not None]
        if not done:
            return None
        key = (lambda t: t.metric) if self.direction == "maximize" else (lambda t: -t.metric)
        return max(done, key=key)

    @property
    def best_config(self) -> dict | None:
        return None if self.best is None else dict(self.best.config)

    @property
    def best_metric(self) -> float | None:
        return None if self.best is None else self.best.metric

    @property
    def cumulative_steps(self) -> int:
        """All optimizer steps spent: every trial (failed and pruned included) plus ``extra_steps``."""
        return int(self.extra_steps + sum(t.steps for t in self.trials))

    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(cumulative steps after each trial, best metric so far; NaN before the first finished trial)."""
        sign = 1.0 if self.direction == "maximize" else -1.0
        steps, best, cur, total = [], [], -math.inf, self.extra_steps
        for t in self.trials:
            total += t.steps
            if t.state == "COMPLETE" and t.metric is not None:
                cur = max(cur, sign * t.metric)
            steps.append(total)
            best.append(sign * cur if math.isfinite(cur) else math.nan)
        return np.asarray(steps, dtype=float), np.asarray(best, dtype=float)

    def steps_to_reach(self, target: float) -> int | None:
        """Cumulative steps when the best-so-far metric first reaches ``target`` (None if never)."""
        steps, best = self.curve()
        ok = best >= target if self.direction == "maximize" else best <= target
        idx = np.flatnonzero(ok & np.isfinite(best))
        return int(steps[idx[0]]) if idx.size else None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.trials:
            out[t.state] = out.get(t.state, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON-ready payload (non-finite numbers become None)."""
        steps, best = self.curve()
        return strict({
            "study_name": self.study_name, "strategy": self.strategy, "direction": self.direction,
            "space": self.space, "extra_steps": self.extra_steps, "info": self.info,
            "trials": [t.to_dict() for t in self.trials],
            "best": None if self.best is None else self.best.to_dict(),
            "cumulative_steps": self.cumulative_steps, "counts": self.counts(),
            "curve": {"steps": steps.tolist(), "best": best.tolist()},
        })

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SearchResult":
        trials = tuple(TrialRecord(**t) for t in d["trials"])
        return cls(trials=trials, direction=d["direction"], strategy=d["strategy"], space=dict(d["space"]),
                   study_name=d.get("study_name", "lrscope-search"), extra_steps=int(d.get("extra_steps", 0)),
                   info=dict(d.get("info", {})))

    def summary(self, top: int = 10) -> str:
        """A terminal table of the best trials, the counts by state and the cost."""
        lines = [f"study {self.study_name!r}: strategy={self.strategy}, direction={self.direction}, "
                 f"trials={len(self.trials)} {self.counts()}, cumulative steps={self.cumulative_steps}"]
        names = list(self.space)
        sign = -1.0 if self.direction == "maximize" else 1.0
        ranked = sorted(self.trials, key=lambda t: (t.state != "COMPLETE", sign * (t.metric if t.metric is not None
                                                                                    else math.inf), t.number))
        header = ["#", "state", "metric", "steps"] + names + ["reason"]
        rows = [[t.number, t.state, _fmt(t.metric), t.steps] + [_fmt(t.config.get(n)) for n in names]
                + [(t.reason or "")[:60]] for t in ranked[:top]]
        widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
        lines.append("  ".join(str(h).ljust(w) for h, w in zip(header, widths)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        if self.best is not None:
            lines.append(f"best: metric={_fmt(self.best_metric)} config={json.dumps(self.best_config)}")
        else:
            lines.append("best: none (no trial finished)")
        return "\n".join(lines)

    def plot(self, axes=None):
        """Best metric so far against cumulative optimizer steps, and the metric against the LR.

        Args:
            axes: optional pair of matplotlib axes; a new figure is made when None.

        Returns:
            The matplotlib Figure (never shown by this method).
        """
        if axes is None:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(10, 4))
            axes = fig.subplots(1, 2)
        pair = isinstance(axes, (list, tuple)) or hasattr(axes, "shape")   # a list, a tuple or plt's array
        if not pair or len(axes) != 2:
            raise InvalidArgumentError("axes", type(axes).__name__, "must be a pair of matplotlib Axes",
                                       "pass e.g. fig, axes = plt.subplots(1, 2); result.plot(axes=axes), or None.")
        ax1, ax2 = axes
        fig = v.axes("axes", ax1)
        v.axes("axes", ax2)
        steps, best = self.curve()
        ax1.step(steps, best, where="post", label=self.strategy)
        ax1.set_xlabel("cumulative training steps")
        ax1.set_ylabel(f"best metric so far ({self.direction})")
        ax1.set_title("search cost")
        ax1.legend()
        lr_key = "lr" if "lr" in self.space else None
        for state, marker in (("COMPLETE", "o"), ("PRUNED", "x")):
            pts = [(t.config[lr_key], t.metric) for t in self.trials
                   if lr_key and t.state == state and t.metric is not None and lr_key in t.config]
            if pts:
                xs, ys = zip(*pts)
                ax2.scatter(xs, ys, marker=marker, label=state.lower())
        if lr_key:
            if self.space[lr_key].get("log"):
                ax2.set_xscale("log")
            if self.best is not None:
                ax2.axvline(self.best.config[lr_key], color="k", ls="--", lw=1, label="best")
            ax2.legend()
        ax2.set_xlabel("learning rate")
        ax2.set_ylabel("metric")
        ax2.set_title("metric vs LR")
        fig.tight_layout()
        return fig


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


# ----------------------------------------------------------------------------- settings
def resolve_pruner(pruner: Any):
    """None/"none", "median", "sha"/"asha" (successive halving) or "hyperband", or an Optuna pruner."""
    if pruner is None or pruner == "none":
        return optuna.pruners.NopPruner()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    v.choice("pruner", pruner, PRUNERS)
    if pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0)
    if pruner in ("sha", "asha"):
        return optuna.pruners.SuccessiveHalvingPruner(reduction_factor=3)
    return optuna.pruners.HyperbandPruner(reduction_factor=3)


class _quiet:
    """Optuna's INFO/WARNING lines off while lrscope drives it (failures are recorded with reasons)."""

    def __enter__(self):
        self.level = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        self.w = warnings.catch_warnings()
        self.w.__enter__()
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return self

    def __exit__(self, *exc):
        self.w.__exit__(*exc)
        optuna.logging.set_verbosity(self.level)
        return False


def _study_exists(storage, name: str) -> bool:
    return any(s.study_name == name for s in optuna.get_all_study_summaries(storage, include_best_trial=False))


def _meta(space, strategy, direction, pruner, trials) -> dict[str, Any]:
    return {"space": space_to_dict(space), "strategy": strategy, "direction": direction,
            "pruner": pruner if isinstance(pruner, str) or pruner is None else type(pruner).__name__,
            "trials": trials}


def create_study(storage: Any, study: str, *, space: Any = None, strategy: str = "tpe", direction: str = "minimize",
                 pruner: Any = None, trials: int | None = None, exists_ok: bool = False) -> dict[str, Any]:
    """Create a persistent study once, with the search's settings, before workers start.

    Args:
        storage: journal path or database URL (see :func:`resolve_storage`).
        study: the study's name.
        space, strategy, direction, pruner: the search's settings, stored with the study.
        trials: the target number of finished trials; workers stop when the study has them.
        exists_ok: return quietly when a study of that name exists with the same settings.

    Returns:
        The stored settings (a dict).
    """
    space = parse_space(space)
    v.choice("strategy", strategy, STRATEGIES)
    v.choice("direction", direction, ("minimize", "maximize"))
    if pruner is not None and not isinstance(pruner, str):
        raise InvalidArgumentError("pruner", pruner, "must be a name for a stored study", f"use one of {PRUNERS}.")
    resolve_pruner(pruner)
    if trials is not None:
        trials = v.integer("trials", trials, minimum=1)
    if not isinstance(study, str) or not study.strip():
        raise InvalidArgumentError("study", study, "must be a non-empty name", "e.g. --study lr-search-1.")
    if storage is None:
        raise InvalidArgumentError("storage", None, "is required to create a shared study",
                                   "give a journal file (study.log) or a database URL.")
    st = resolve_storage(storage)
    meta = _meta(space, strategy, direction, pruner, trials)
    if _study_exists(st, study):
        return _existing_study(st, storage, study, meta, exists_ok)
    try:
        with _quiet():
            s = optuna.create_study(study_name=study, storage=st, direction=direction)
    except optuna.exceptions.DuplicatedStudyError:
        # another `study create` made it between our check and our create: the same answer as
        # when it came first
        return _existing_study(st, storage, study, meta, exists_ok)
    s.set_user_attr(META_KEY, meta)
    return meta


def _existing_study(st, storage, study: str, meta: dict[str, Any], exists_ok: bool) -> dict[str, Any]:
    """A study of that name is there already: fine with exists_ok and the same settings, else an error."""
    if exists_ok:
        try:
            old = optuna.load_study(study_name=study, storage=st).user_attrs.get(META_KEY)
        except KeyError:  # pragma: no cover - removed again in between
            old = None
        if old == meta:
            return meta
    raise InvalidArgumentError("study", study, f"already exists in {redact(str(storage))}",
                               "choose another name, or start workers with `lrscope search --study NAME`.")


def list_studies(storage: Any) -> list[dict[str, Any]]:
    """Every study in a storage: ``[{"study": name, "trials": n, "best": value or None}, ...]``."""
    summaries = optuna.get_all_study_summaries(resolve_storage(storage, create=False, write=False),
                                               include_best_trial=True)
    return [{"study": s.study_name, "trials": s.n_trials,
             "best": None if s.best_trial is None else s.best_trial.value} for s in summaries]


def load_search(storage: Any, study: str) -> SearchResult:
    """Read a study (any storage) as a :class:`SearchResult`, e.g. for `lrscope study show`."""
    st = resolve_storage(storage, create=False, write=False)
    if st is None:
        raise InvalidArgumentError("storage", None, "is required to read a study", "give the study's storage.")
    if not _study_exists(st, study):
        raise InvalidArgumentError("study", study, f"does not exist in {redact(str(storage))}",
                                   f"create it with `lrscope study create --storage ... --study {study}` "
                                   "or check the name (`lrscope study show --storage ...` lists them).")
    return _result(optuna.load_study(study_name=study, storage=st))


def _result(study: optuna.Study) -> SearchResult:
    meta = study.user_attrs.get(META_KEY, {})
    records = []
    for t in study.get_trials(deepcopy=False):
        metric = t.value if t.state == TrialState.COMPLETE else None
        if t.state == TrialState.PRUNED and t.intermediate_values:
            metric = t.intermediate_values[max(t.intermediate_values)]
        reason = t.user_attrs.get("reason")
        if t.state == TrialState.FAIL and reason is None:
            reason = t.system_attrs.get("fail_reason") or "worker stopped (no heartbeat) or unknown failure"
        if t.state == TrialState.RUNNING and reason is None:
            reason = stale_heartbeat(t)  # a journal trial whose worker died and that nobody has failed yet
        records.append(TrialRecord(number=t.number, config=dict(t.params), metric=metric,
                                   state=_STATES.get(t.state, str(t.state)), steps=int(t.user_attrs.get("steps", 0)),
                                   reason=reason, retry_of=t.system_attrs.get("failed_trial"),
                                   worker=t.user_attrs.get("worker")))
    direction = "maximize" if study.direction == optuna.study.StudyDirection.MAXIMIZE else "minimize"
    return SearchResult(trials=tuple(records), direction=direction, strategy=meta.get("strategy", "?"),
                        space=meta.get("space", {}), study_name=study.study_name,
                        extra_steps=int(study.user_attrs.get("finder_steps", 0)),
                        info=dict(study.user_attrs.get("finder", {})))


# ----------------------------------------------------------------------------- search
def _suggest(trial: optuna.Trial, space) -> dict[str, Any]:
    config = {}
    for name, p in space.items():
        if isinstance(p, Float):
            config[name] = trial.suggest_float(name, p.low, p.high, log=p.log)
        elif isinstance(p, Choice):
            config[name] = trial.suggest_categorical(name, list(p.choices))
        else:
            config[name] = trial.suggest_int(name, p.low, p.high, log=p.log)
    return config


def _wrap(objective: Callable, space) -> Callable[[optuna.Trial], float]:
    def run(trial: optuna.Trial) -> float:
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        config = _suggest(trial, space)
        reporter = Reporter(trial)
        try:
            _check_interrupt()
            value = objective(config, reporter)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise TrialFailed(f"objective returned {type(value).__name__}, not a number")
            value = float(value)
            if not math.isfinite(value):
                raise TrialFailed(f"objective returned a non-finite metric ({value})")
        except optuna.TrialPruned:
            reporter.flush()
            raise
        except KeyboardInterrupt:
            reporter.flush()
            trial.set_user_attr("reason", "interrupted (KeyboardInterrupt)")
            raise
        except Exception as exc:
            reporter.flush()
            trial.set_user_attr("reason", f"{type(exc).__name__}: {exc}"[:500])
            raise
        reporter.flush()
        if reporter.pruned:
            raise optuna.TrialPruned(f"pruned after {reporter.steps} steps")
        return value

    return run


class _Progress:
    def __init__(self, total: int, enabled: bool, direction: str):
        self.bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total, desc="search", unit="trial", file=sys.stderr, leave=False)
            except ImportError:
                self.bar = None
        self.maximize = direction == "maximize"

    def __call__(self, study, trial) -> None:
        if self.bar is None:
            return
        self.bar.update(1)
        try:
            self.bar.set_postfix(best=f"{study.best_value:.4g}", steps=trial.user_attrs.get("steps", 0))
        except ValueError:
            pass

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _finished(study) -> int:
    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))


def search(objective: Callable[[dict, Reporter], float], space: Any = None, strategy: str | None = None,
           budget: int = 20, storage: Any = None, study: str | None = None, seed: int | None = None,
           pruner: Any = None, progress: bool = True, *, direction: str | None = None, max_steps: int | None = None,
           must_exist: bool = False, heartbeat_interval: int = 10, grace_period: int | None = None) -> SearchResult:
    """Search a configuration (the LR first) with one of several strategies, all on Optuna.

    Each trial samples ``config`` from ``space`` and calls ``objective(config, reporter)``,
    which trains, calls ``reporter.spend(steps)`` / ``reporter.report(value)`` and returns
    the metric. An objective that raises, returns NaN/inf or a non-number is recorded
    as FAIL with its reason, and the search goes on.

    Args:
        objective: ``objective(config, reporter) -> float``; see :func:`lrscope.hpsearch.task_objective`
            to build one from a ``make_task``. Its ``direction`` attribute, if any, is the default direction.
        space: None (the LR, log scale, 1e-5..1), a preset ("lr", "schedule", "full"), JSON, a .json
            path or a dict (see :func:`parse_space`). A stored study's space is used when None.
        strategy: "grid", "random", "qmc", "tpe", "gp" (Bayesian), "cmaes" (evolutionary), "nsga2"
            (genetic), "anneal" (simulated annealing), "aco" (ant colony) or "finder" (range test,
            then confirmation runs around its suggestion). Default "tpe" or the stored study's.
        budget: trials this call runs (>= 1); a stored study's target ``trials`` also stops it.
        storage: None (memory), "file.log" (journal) or a database URL ("postgresql+psycopg2://...").
        study: the study's name; with a storage, an existing study is joined (its settings win).
        seed: sampler seed, 0 <= seed < 2**32 (None: fresh randomness; give workers of one study
            different seeds).
        pruner: None/"none", "median", "sha"/"asha", "hyperband" or an Optuna pruner.
        progress: show a progress bar on stderr.
        direction: "maximize" or "minimize" the metric (default: ``objective.direction`` or "minimize").
        max_steps: stop once the trials have spent this many optimizer steps in all.
        must_exist: raise when ``study`` does not exist in ``storage`` (workers of a shared study).
        heartbeat_interval, grace_period: seconds; journal or database storage (a dead worker's trial
            is failed and retried by the next worker that starts a trial).

    Returns:
        SearchResult with every trial of the study (this worker's and others').

    Raises:
        SearchInterrupted: on Ctrl-C (a KeyboardInterrupt); its ``result`` holds the trials so far,
            and a stored study keeps them too, so the same call goes on where it stopped.

    Reference: Bergstra & Bengio (2012), random search; Akiba et al. (2019), Optuna.
    """
    with _quiet():
        return _search(objective, space, strategy, budget, storage, study, seed, pruner, progress, direction=direction,
                       max_steps=max_steps, must_exist=must_exist, heartbeat_interval=heartbeat_interval,
                       grace_period=grace_period)


def _search(objective, space, strategy, budget, storage, study, seed, pruner, progress, *, direction, max_steps,
            must_exist, heartbeat_interval, grace_period) -> SearchResult:
    if not callable(objective):
        raise InvalidArgumentError("objective", type(objective).__name__, "must be callable as objective(config, reporter)",
                                   "pass a function, or build one with lrscope.hpsearch.task_objective(make_task).")
    if strategy is not None:
        v.choice("strategy", strategy, STRATEGIES)
    seed = check_seed("seed", seed)
    budget = v.integer("budget", budget, minimum=1)
    if max_steps is not None:
        max_steps = v.integer("max_steps", max_steps, minimum=1)
    if direction is not None:
        v.choice("direction", direction, ("minimize", "maximize"))
    parsed_space = parse_space(space) if space is not None else None
    if isinstance(pruner, str) or pruner is None:
        resolve_pruner(pruner)
    if study is not None and (not isinstance(study, str) or not study.strip()):
        raise InvalidArgumentError("study", study, "must be a non-empty name", "e.g. study='lr-search-1'.")
    if must_exist and (storage is None or study is None):
        raise InvalidArgumentError("study", study, "must name a study in a storage when must_exist=True",
                                   "give both storage and study.")
    st = resolve_storage(storage, heartbeat_interval=heartbeat_interval, grace_period=grace_period,
                         create=not must_exist)
    name = study or "lrscope-search"

    meta = None
    exists = st is not None and _study_exists(st, name)
    if exists:
        meta = optuna.load_study(study_name=name, storage=st).user_attrs.get(META_KEY)
    elif must_exist:
        raise InvalidArgumentError("study", name, f"does not exist in {redact(str(storage))}",
                                   f"create it once with `lrscope study create --storage URL --study {name} "
                                   "--space ... --strategy ...`, then start the workers.")
    default_dir = getattr(objective, "direction", None) or "minimize"
    target = None
    if meta:
        stored_space = parse_space(meta["space"])
        if parsed_space is not None and space_to_dict(parsed_space) != meta["space"]:
            raise InvalidArgumentError("space", space_to_dict(parsed_space), f"differs from study {name!r}'s stored space",
                                       "leave the space out to use the study's, or create a new study.")
        if strategy is not None and strategy != meta["strategy"]:
            raise InvalidArgumentError("strategy", strategy, f"differs from study {name!r}'s ({meta['strategy']!r})",
                                       "leave it out to use the study's, or create a new study.")
        if direction is not None and direction != meta["direction"]:
            raise InvalidArgumentError("direction", direction, f"differs from study {name!r}'s ({meta['direction']!r})",
                                       "leave it out, or create a new study.")
        obj_dir = getattr(objective, "direction", None)
        if direction is None and obj_dir is not None and obj_dir != meta["direction"]:
            raise InvalidArgumentError("direction", obj_dir, f"of the objective differs from study {name!r}'s "
                                       f"({meta['direction']!r})", "create the study with the task's direction "
                                       f"(--direction {obj_dir}).")
        parsed_space, strategy, direction = stored_space, meta["strategy"], meta["direction"]
        if pruner is None and isinstance(meta.get("pruner"), str):
            pruner = meta["pruner"]
        target = meta.get("trials")
    parsed_space = parsed_space or parse_space(None)
    if callable(getattr(objective, "check_space", None)):
        objective.check_space(parsed_space)
    strategy = strategy or "tpe"
    direction = direction or default_dir
    if strategy == "finder" and not callable(getattr(objective, "range_test", None)):
        raise InvalidArgumentError("strategy", "finder", "needs an objective with a range test",
                                   "build the objective with lrscope.hpsearch.task_objective(make_task).")

    if strategy == "finder":
        run_finder = STRATEGY_RUNNERS["finder"]      # registered by ._finder (imported with the package)
        return run_finder(objective, parsed_space, budget=budget, storage=st, study=name, exists=exists, seed=seed,
                          pruner=pruner, progress=progress, direction=direction, max_steps=max_steps)

    # A shared study's grid (and start-up phases) are sized by its stored target, so that every
    # worker walks the same grid whatever its own --trials.
    sampler = make_sampler(strategy, parsed_space, seed=seed, budget=target or budget)
    optuna_study = optuna.create_study(study_name=name, storage=st, sampler=sampler, pruner=resolve_pruner(pruner),
                                       direction=direction, load_if_exists=True)
    if not exists and st is not None:
        optuna_study.set_user_attr(META_KEY, _meta(parsed_space, strategy, direction, pruner, None))
    elif st is None:
        optuna_study.set_user_attr(META_KEY, _meta(parsed_space, strategy, direction, pruner, None))
    run_trials(optuna_study, objective, parsed_space, budget=budget, progress=progress, direction=direction,
               max_steps=max_steps, target=target)
    return _result(optuna_study)


def run_trials(optuna_study, objective, space, *, budget, progress, direction, max_steps=None, target=None,
               start_steps: int = 0) -> None:
    """Run up to ``budget`` trials (fewer when the study reaches ``target`` finished trials or ``max_steps``)."""
    bar = _Progress(budget, progress, direction)
    spent = [start_steps]

    def stop_when_done(study, trial):
        spent[0] += int(trial.user_attrs.get("steps", 0))
        if (max_steps is not None and spent[0] >= max_steps) or (target is not None and _finished(study) >= target):
            study.stop()
        if _PENDING:
            study.stop()          # interrupted between trials: no new trial

    try:
        if target is not None and _finished(optuna_study) >= target:
            return
        with _quiet(), _deferred_interrupts() as pending:
            try:
                optuna_study.optimize(_wrap(objective, space), n_trials=budget, catch=(Exception,),
                                      callbacks=[bar, stop_when_done])
            except SearchInterrupted:
                raise
            except KeyboardInterrupt as exc:
                raise SearchInterrupted(_result(optuna_study), pending[0] if pending else signal.SIGINT) from exc
            if pending:
                raise SearchInterrupted(_result(optuna_study), pending[0])
    finally:
        bar.close()
