"""JSON specs, the public names, and every bad input the issue lists (message names argument, value, rule)."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

import lrscope.schedules as S
from lrscope.errors import InvalidArgumentError
from lrscope.schedules import CyclicLR, from_spec

EXAMPLES = [
    S.CyclicLR(1e-3, 6e-3, 200, step_size_down=300, policy="exp_range", window="welch", gamma=0.999),
    S.OneCycle(0.1, 1000, three_phase=True, anneal="linear"),
    S.Warmup(S.CosineDecay(0.1, 500, min_lr=1e-4), 50, start_factor=0.1, mode="exp"),
    S.Join([S.Constant(0.1), S.MultiStepDecay(0.1, [10, 20])], [100]),
    S.LinearDecay(0.1, 10), S.ExponentialDecay(0.1, 0.99), S.StepDecay(0.1, 30), S.PolynomialDecay(0.1, 20, 0.5),
]


def test_public_names_are_the_documented_ones():
    assert sorted(S.__all__) == sorted([
        "KINDS", "Constant", "CosineDecay", "CyclicLR", "ExponentialDecay", "Join", "LinearDecay",
        "MultiStepDecay", "OneCycle", "PolynomialDecay", "Schedule", "StepDecay", "Warmup", "from_spec",
    ])
    assert sorted(S.KINDS) == sorted(["cyclic", "one_cycle", "warmup", "constant", "linear", "cosine",
                                      "exponential", "step", "multistep", "polynomial", "join"])


@pytest.mark.parametrize("sched", EXAMPLES, ids=lambda s: s.kind)
def test_to_dict_is_kind_plus_constructor_kwargs_and_round_trips(sched):
    d = sched.to_dict()
    text = json.dumps(d, allow_nan=False)
    again = from_spec(json.loads(text))
    assert again == sched and type(again) is type(sched)
    assert type(sched).from_dict(d) == sched and S.Schedule.from_dict(d) == sched
    assert pickle.loads(pickle.dumps(sched)) == sched
    np.testing.assert_array_equal(again(np.arange(300)), sched(np.arange(300)))


def test_cyclic_dict_has_exactly_the_contract_keys():
    d = CyclicLR(1e-3, 6e-3, 2000).to_dict()
    assert d == {"kind": "cyclic", "base_lr": 1e-3, "max_lr": 6e-3, "step_size": 2000, "step_size_down": None,
                 "policy": "triangular", "window": "triangular", "gamma": 1.0, "scale_mode": "cycle",
                 "base_momentum": 0.8, "max_momentum": 0.9}


def test_defaults_fill_in_from_a_minimal_spec():
    assert from_spec({"kind": "cyclic", "base_lr": 0.001, "max_lr": 0.006, "step_size": 2000}) == CyclicLR(0.001, 0.006, 2000)


def test_from_dict_on_a_subclass_refuses_another_kind():
    with pytest.raises(InvalidArgumentError, match="kind"):
        S.OneCycle.from_dict({"kind": "cyclic", "base_lr": 0.1, "max_lr": 1.0, "step_size": 3})


def _msg(exc):
    return str(exc.value)


# (constructor, kwargs, argument named, value text expected, words of the rule)
BAD = [
    (S.CyclicLR, dict(base_lr=-0.1, max_lr=1.0, step_size=5), "base_lr", "-0.1", "> 0"),
    (S.CyclicLR, dict(base_lr=0.0, max_lr=1.0, step_size=5), "base_lr", "0.0", "> 0"),
    (S.CyclicLR, dict(base_lr=0.1, max_lr=-1.0, step_size=5), "max_lr", "-1.0", "> 0"),
    (S.CyclicLR, dict(base_lr=0.1, max_lr=0.1, step_size=5), "max_lr", "max_lr=0.1, base_lr=0.1", "greater than `base_lr`"),
    (S.CyclicLR, dict(base_lr=0.1, max_lr=0.01, step_size=5), "max_lr", "max_lr=0.01, base_lr=0.1", "greater than `base_lr`"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=0), "step_size", "0", ">= 1"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=-3), "step_size", "-3", ">= 1"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=5, step_size_down=0), "step_size_down", "0", ">= 1"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=5, policy="triangle"), "policy", "triangle", "must be one of"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=5, window="hamming"), "window", "hamming", "must be one of"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=5, scale_mode="epoch"), "scale_mode", "epoch", "must be one of"),
    (S.CyclicLR, dict(base_lr=math.nan, max_lr=0.1, step_size=5), "base_lr", "nan", "finite"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=math.inf, step_size=5), "max_lr", "inf", "finite"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=5, gamma=1.5), "gamma", "1.5", "(0, 1]"),
    (S.CyclicLR, dict(base_lr=0.01, max_lr=0.1, step_size=5, base_momentum=0.95, max_momentum=0.9),
     "max_momentum", "max_momentum=0.9, base_momentum=0.95", ">= `base_momentum`"),
    (S.OneCycle, dict(max_lr=0.0, total_steps=100), "max_lr", "0.0", "> 0"),
    (S.OneCycle, dict(max_lr=0.1, total_steps=100, anneal="cosine"), "anneal", "cosine", "must be one of"),
    (S.OneCycle, dict(max_lr=0.1, total_steps=100, pct_start=1.2), "pct_start", "1.2", "(0, 1)"),
    (S.OneCycle, dict(max_lr=0.1, total_steps=0), "total_steps", "0", ">= 2"),
    (S.OneCycle, dict(max_lr=0.1, total_steps=10, pct_start=0.05), "pct_start", "pct_start=0.05, total_steps=10", "phase 1"),
    (S.OneCycle, dict(max_lr=0.1, total_steps=100, div_factor=0.5), "div_factor", "0.5", "> 1"),
    (S.OneCycle, dict(max_lr=math.nan, total_steps=100), "max_lr", "nan", "finite"),
    (S.Constant, dict(lr=-1.0), "lr", "-1.0", "> 0"),
    (S.Constant, dict(lr=math.inf), "lr", "inf", "finite"),
    (S.LinearDecay, dict(lr=0.1, total_steps=10, min_lr=0.2), "min_lr", "min_lr=0.2, lr=0.1", "<= `lr`"),
    (S.CosineDecay, dict(lr=0.1, total_steps=0), "total_steps", "0", ">= 1"),
    (S.ExponentialDecay, dict(lr=0.1, gamma=0.0), "gamma", "0.0", "> 0"),
    (S.StepDecay, dict(lr=0.1, drop_every=0), "drop_every", "0", ">= 1"),
    (S.MultiStepDecay, dict(lr=0.1, milestones=[20, 10]), "milestones", "[20, 10]", "strictly increasing"),
    (S.PolynomialDecay, dict(lr=0.1, total_steps=10, power=-1.0), "power", "-1.0", "> 0"),
    (S.Warmup, dict(schedule=S.Constant(0.1), warmup_steps=0), "warmup_steps", "0", ">= 1"),
    (S.Warmup, dict(schedule=S.Constant(0.1), warmup_steps=5, mode="cubic"), "mode", "cubic", "must be one of"),
    (S.Warmup, dict(schedule=S.Constant(0.1), warmup_steps=5, mode="exp"), "start_factor", "0.0", "(0, 1)"),
    (S.Join, dict(schedules=[S.Constant(0.1), S.Constant(0.2)], boundaries=[]), "boundaries", "[]", "len(schedules) - 1"),
]


@pytest.mark.parametrize("cls,kwargs,name,value,rule", BAD, ids=[f"{b[0].__name__}-{b[2]}-{b[3]}" for b in BAD])
def test_bad_input_names_argument_value_and_rule(cls, kwargs, name, value, rule):
    with pytest.raises(InvalidArgumentError) as exc:
        cls(**kwargs)
    assert exc.value.name == name
    msg = _msg(exc)
    assert f"`{name}`" in msg and value in msg and rule in msg and "Fix:" in msg


@pytest.mark.parametrize("spec,name,words", [
    ({"kind": "cyclic", "base_lr": 0.1, "max_lr": 1.0, "step_size": 5, "stepsize": 3}, "cyclic spec", "stepsize"),
    ({"kind": "one_cycle", "max_lr": 0.1, "total_steps": 10, "anneal_strategy": "cos"}, "one_cycle spec", "anneal_strategy"),
    ({"kind": "warmup", "warmup_steps": 3, "schedule": {"kind": "constant", "lr": 0.1, "lr_max": 2}}, "constant spec", "lr_max"),
    ({"kind": "cyclic", "base_lr": 0.1, "max_lr": 1.0, "step_size": 5, "scale_fn": None}, "cyclic spec", "scale_fn"),
    ({"kind": "triangle"}, "kind", "triangle"),
    ({"base_lr": 0.1}, "spec", "no 'kind'"),
])
def test_bad_specs(spec, name, words):
    with pytest.raises(InvalidArgumentError) as exc:
        from_spec(spec)
    assert exc.value.name == name and words in _msg(exc)


@pytest.mark.parametrize("step", [-1, math.nan, math.inf, np.array([0, -2]), "3", None, True])
def test_bad_steps(step):
    with pytest.raises(InvalidArgumentError) as exc:
        CyclicLR(0.1, 1.0, 5)(step)
    assert exc.value.name == "step"


def test_bool_is_not_a_number_for_integer_fields():
    with pytest.raises(InvalidArgumentError, match="step_size"):
        CyclicLR(0.1, 1.0, True)
