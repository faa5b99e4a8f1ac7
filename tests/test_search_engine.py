"""lrscope.search on tiny synthetic objectives: strategies, failures, pruning, cost, storage, errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

pytest.importorskip("optuna")

import lrscope  # noqa: E402
from lrscope.errors import InvalidArgumentError  # noqa: E402
from lrscope.hpsearch import STRATEGIES, Float, Choice, Int, SearchResult, parse_space, search  # noqa: E402


def bowl(config, reporter):
    """Known optimum: lr = 1e-2 (metric 0); costs 10 steps per trial."""
    reporter.spend(10)
    return (math.log10(config["lr"]) + 2) ** 2


def test_lrscope_search_is_this_function():
    assert lrscope.search is search and lrscope.SearchResult is SearchResult


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s != "finder"])
def test_every_strategy_runs_and_records_every_trial(strategy):
    space = {"lr": Float(1e-4, 1.0, log=True), "kind": Choice(("a", "b"))}
    budget = 8
    r = search(lambda c, rep: bowl(c, rep) + (0.5 if c["kind"] == "a" else 0.0), space=space,
               strategy=strategy, budget=budget, seed=0, progress=False)
    assert len(r.trials) == budget
    assert all(t.state == "COMPLETE" and t.steps == 10 for t in r.trials)
    expected_best = min((math.log10(t.config["lr"]) + 2) ** 2 + (0.5 if t.config["kind"] == "a" else 0) for t in r.trials)
    assert r.best_metric == pytest.approx(expected_best)
    assert r.cumulative_steps == 10 * budget


def test_grid_covers_a_geometric_grid_of_the_lr():
    r = search(bowl, space={"lr": Float(1e-4, 1.0, log=True)}, strategy="grid", budget=5, seed=0, progress=False)
    got = sorted(t.config["lr"] for t in r.trials)
    assert got == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert r.best_config["lr"] == pytest.approx(1e-2)


def test_failures_are_recorded_with_reasons_and_the_search_goes_on():
    calls = []

    def flaky(config, reporter):
        calls.append(config)
        reporter.spend(7)
        n = len(calls)
        if n == 1:
            raise RuntimeError("out of memory")
        if n == 2:
            return float("nan")
        if n == 3:
            return "high"
        return bowl(config, reporter)

    r = search(flaky, strategy="random", budget=6, seed=1, progress=False)
    states = [t.state for t in r.trials]
    assert states == ["FAIL", "FAIL", "FAIL", "COMPLETE", "COMPLETE", "COMPLETE"]
    assert "RuntimeError: out of memory" in r.trials[0].reason
    assert "non-finite" in r.trials[1].reason
    assert "not a number" in r.trials[2].reason
    assert r.trials[0].steps == 7 and r.trials[3].steps == 17  # failed trials' steps still count
    assert r.cumulative_steps == 3 * 7 + 3 * 17
    assert r.best.number in (3, 4, 5)


def test_pruned_trials_stop_early_and_their_cost_counts():
    def trainer(config, reporter):
        loss = (math.log10(config["lr"]) + 2) ** 2
        for epoch in range(1, 11):
            reporter.spend(5)
            reporter.report(loss + 1.0 / epoch)
            if reporter.should_prune():
                reporter.prune()
        return loss

    r = search(trainer, strategy="random", budget=20, seed=0, pruner="median", progress=False)
    pruned = [t for t in r.trials if t.state == "PRUNED"]
    assert pruned, "the median pruner should stop some bad learning rates"
    assert all(t.steps < 50 for t in pruned)
    assert all(t.steps == 50 for t in r.trials if t.state == "COMPLETE")
    assert r.cumulative_steps == sum(t.steps for t in r.trials)


def test_curve_is_the_running_best_against_cumulative_steps():
    r = search(bowl, strategy="random", budget=10, seed=2, progress=False)
    steps, best = r.curve()
    assert steps.tolist() == [10.0 * (i + 1) for i in range(10)]
    metrics = [(math.log10(t.config["lr"]) + 2) ** 2 for t in r.trials]
    assert best.tolist() == pytest.approx(np.minimum.accumulate(metrics).tolist())
    assert r.steps_to_reach(best[-1]) == steps[int(np.argmax(best == best[-1]))]


def test_maximize_uses_the_objective_direction():
    def acc(config, reporter):
        reporter.spend(1)
        return -abs(math.log10(config["lr"]) + 2)

    acc.direction = "maximize"
    r = search(acc, strategy="tpe", budget=12, seed=0, progress=False)
    assert r.direction == "maximize"
    assert r.best_metric == max(t.metric for t in r.trials)


def test_max_steps_stops_the_search():
    r = search(bowl, strategy="random", budget=50, max_steps=35, seed=0, progress=False)
    assert len(r.trials) == 4 and r.cumulative_steps == 40


def test_result_json_round_trip_and_summary_and_plot(tmp_path):
    r = search(bowl, strategy="random", budget=4, seed=0, progress=False)
    text = json.dumps(r.to_dict(), allow_nan=False)
    back = SearchResult.from_dict(json.loads(text))
    assert back.to_dict() == r.to_dict()
    assert "best:" in r.summary() and "lr" in r.summary()
    fig = r.plot()
    assert len(fig.axes) == 2 and fig.axes[1].get_xscale() == "log"


def test_journal_storage_shares_a_study_between_calls(tmp_path):
    path = str(tmp_path / "s.log")
    search(bowl, strategy="random", budget=3, seed=0, storage=path, study="s", progress=False)
    r = search(bowl, budget=2, seed=1, storage=path, study="s", progress=False)
    assert len(r.trials) == 5 and r.strategy == "random"
    assert lrscope.hpsearch.load_search(path, "s").to_dict() == r.to_dict()
    with pytest.raises(InvalidArgumentError, match="strategy"):
        search(bowl, strategy="tpe", budget=1, storage=path, study="s", progress=False)


def test_workers_of_a_stored_grid_study_share_its_grid_whatever_their_budget(tmp_path):
    path = str(tmp_path / "g.log")
    lrscope.hpsearch.create_study(path, "g", space={"lr": Float(1e-4, 1.0, log=True)}, strategy="grid", trials=5)
    first = search(bowl, budget=2, storage=path, study="g", progress=False)   # a worker asked for 2 trials
    r = search(bowl, budget=20, storage=path, study="g", progress=False)      # another asked for 20
    assert len(first.trials) == 2 and len(r.trials) == 5                       # the study's target stops it
    assert sorted(t.config["lr"] for t in r.trials) == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])


@pytest.mark.parametrize("kwargs,name", [
    ({"strategy": "hill-climb"}, "strategy"),
    ({"space": {}}, "space"),
    ({"space": {"lr": {"type": "float", "low": 1.0, "high": 0.1}}}, "space['lr'].high"),
    ({"space": {"lr": {"type": "float", "low": 0.0, "high": 1.0, "log": True}}}, "space['lr'].low"),
    ({"space": {"lr": {"type": "float", "low": 0.1, "high": 1.0, "stepp": 2}}}, "space['lr']"),
    ({"space": "{not json"}, "space"),
    ({"budget": 0}, "budget"),
    ({"pruner": "sometimes"}, "pruner"),
    ({"storage": "redis://localhost"}, "storage"),
    ({"storage": "no_such_dir/x.log"}, "storage"),
    ({"storage": "study.txt"}, "storage"),
    ({"strategy": "finder"}, "strategy"),
])
def test_bad_inputs_raise_before_anything_is_written(tmp_path, monkeypatch, kwargs, name):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidArgumentError) as err:
        search(bowl, progress=False, **kwargs)
    assert err.value.name.startswith(name)
    assert list(tmp_path.iterdir()) == []


def test_missing_study_is_a_clear_error_and_writes_no_study(tmp_path):
    path = str(tmp_path / "s.log")
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        search(bowl, storage=path, study="nope", must_exist=True, progress=False)
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        lrscope.hpsearch.load_search(path, "nope")
    with pytest.raises(InvalidArgumentError, match="storage"):
        lrscope.hpsearch.list_studies(path)
    assert not (tmp_path / "s.log").exists()  # nothing written, not even an empty journal
    # An existing journal without that study: the study is named, and the file is left as it was.
    search(bowl, budget=1, storage=path, study="other", progress=False)
    before = (tmp_path / "s.log").read_bytes()
    with pytest.raises(InvalidArgumentError, match="study"):
        search(bowl, storage=path, study="nope", must_exist=True, progress=False)
    assert (tmp_path / "s.log").read_bytes() == before


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(InvalidArgumentError, match="cannot be opened") as err:
        search(bowl, storage="postgresql+psycopg2://u:secret@127.0.0.1:1/db", study="x", progress=False)
    assert "secret" not in str(err.value)


def test_space_presets_and_json_form_round_trip():
    full = parse_space("full")
    from lrscope.hpsearch._space import space_to_dict

    assert parse_space(json.dumps(space_to_dict(full))) == full
    assert parse_space(None) == {"lr": Float(1e-5, 1.0, log=True)}
    assert Int(1, 100, log=True).grid(3) == [1, 10, 100]


def _interrupt_on_call(n):
    """The bowl objective, with Ctrl-C (KeyboardInterrupt) arriving during call number ``n`` after 4 steps."""
    calls = []

    def objective(config, reporter):
        calls.append(config["lr"])
        if len(calls) == n:
            reporter.spend(4)
            raise KeyboardInterrupt
        return bowl(config, reporter)

    return objective, calls


def test_ctrl_c_in_memory_keeps_the_finished_trials_on_the_exception():
    objective, calls = _interrupt_on_call(3)
    with pytest.raises(lrscope.hpsearch.SearchInterrupted) as stop:
        search(objective, strategy="random", budget=10, seed=0, progress=False)
    assert isinstance(stop.value, KeyboardInterrupt)  # still stops a script like any Ctrl-C
    r = stop.value.result
    assert len(calls) == 3 and [t.state for t in r.trials] == ["COMPLETE", "COMPLETE", "FAIL"]
    for t, lr in zip(r.trials, calls):
        assert t.config["lr"] == lr
    for t in r.trials[:2]:
        assert t.metric == pytest.approx((math.log10(t.config["lr"]) + 2) ** 2)
    assert "interrupted" in r.trials[2].reason and r.trials[2].steps == 4
    assert r.cumulative_steps == 10 + 10 + 4


def test_ctrl_c_with_a_journal_keeps_the_study_and_the_same_call_goes_on(tmp_path):
    path = str(tmp_path / "s.log")
    objective, _ = _interrupt_on_call(3)
    with pytest.raises(lrscope.hpsearch.SearchInterrupted):
        search(objective, strategy="random", budget=10, seed=0, storage=path, study="s", progress=False)
    before = lrscope.hpsearch.load_search(path, "s")
    assert [t.state for t in before.trials] == ["COMPLETE", "COMPLETE", "FAIL"]
    r = search(bowl, budget=2, seed=1, storage=path, study="s", progress=False)
    assert r.trials[:3] == before.trials  # nothing lost or changed
    assert [t.state for t in r.trials[3:]] == ["COMPLETE", "COMPLETE"]
