"""ScheduleLR step by step against torch's own CyclicLR and OneCycleLR; state, pickling, refusals."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lrscope.errors import InvalidArgumentError  # noqa: E402
from lrscope.schedules import Constant, CosineDecay, CyclicLR, OneCycle, Warmup  # noqa: E402
from lrscope.torch import ScheduleLR  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*lr_scheduler.step.*:UserWarning")


def make_opt(kind="sgd", groups=3, **kw):
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in range(groups)]
    param_groups = [{"params": [p]} for p in params]
    if kind == "sgd":
        return torch.optim.SGD(param_groups, lr=0.1, momentum=kw.get("momentum", 0.9))
    if kind == "adam":
        return torch.optim.Adam(param_groups, lr=0.1)
    if kind == "adamw":
        return torch.optim.AdamW(param_groups, lr=0.1)
    if kind == "adagrad":
        return torch.optim.Adagrad(param_groups, lr=0.1)
    raise ValueError(kind)


def momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def run_side_by_side(ours, opt_a, theirs, opt_b, n):
    for step in range(n):
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12, atol=0, err_msg=f"step {step}")
        np.testing.assert_allclose([g["lr"] for g in opt_a.param_groups], [g["lr"] for g in opt_b.param_groups],
                                   rtol=1e-12, atol=0)
        np.testing.assert_allclose(momenta(opt_a), momenta(opt_b), rtol=1e-12, atol=0, err_msg=f"momentum step {step}")
        opt_a.step()
        opt_b.step()
        ours.step()
        theirs.step()


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("down", [None, 3])
def test_matches_torch_cyclic_lr_with_momentum(mode, kind, down):
    a, b = make_opt(kind), make_opt(kind)
    ours = ScheduleLR(a, CyclicLR(0.01, 0.1, 5, step_size_down=down, policy=mode, gamma=0.97), momentum=True)
    theirs = torch.optim.lr_scheduler.CyclicLR(b, 0.01, 0.1, step_size_up=5, step_size_down=down, mode=mode,
                                               gamma=0.97, cycle_momentum=True, base_momentum=0.8, max_momentum=0.9)
    run_side_by_side(ours, a, theirs, b, 45)


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("kind", ["sgd", "adamw"])
def test_matches_torch_one_cycle_lr(three_phase, anneal, kind):
    a, b = make_opt(kind), make_opt(kind)
    T = 40
    ours = ScheduleLR(a, OneCycle(0.2, T, pct_start=0.3, three_phase=three_phase, anneal=anneal), momentum=True)
    theirs = torch.optim.lr_scheduler.OneCycleLR(b, max_lr=0.2, total_steps=T, pct_start=0.3,
                                                 anneal_strategy=anneal, three_phase=three_phase)
    run_side_by_side(ours, a, theirs, b, T)  # torch raises past total_steps; ours holds the final LR
    for _ in range(5):
        ours.step()
    assert ours.get_last_lr()[0] == pytest.approx(0.2 / 25 / 1e4, rel=1e-12)


def test_adam_cycles_beta1_and_keeps_beta2():
    opt = make_opt("adam")
    sched = ScheduleLR(opt, CyclicLR(0.01, 0.1, 4), momentum=True)
    for _ in range(4):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["betas"] == (pytest.approx(0.8), 0.999)


def test_refuses_momentum_cycling_without_momentum():
    with pytest.raises(InvalidArgumentError, match="Adagrad has neither") as exc:
        ScheduleLR(make_opt("adagrad"), CyclicLR(0.01, 0.1, 4), momentum=True)
    assert exc.value.name == "momentum"
    with pytest.raises(InvalidArgumentError, match="momentum=0"):
        ScheduleLR(make_opt("sgd", momentum=0.0), OneCycle(0.1, 100), momentum=True)
    with pytest.raises(InvalidArgumentError, match="no.*|has none"):
        ScheduleLR(make_opt("sgd"), Constant(0.1), momentum=True)
    ScheduleLR(make_opt("adagrad"), CyclicLR(0.01, 0.1, 4))  # no momentum asked: fine


def test_group_scales_multiply_the_closed_form():
    opt = make_opt(groups=2)
    s = CosineDecay(0.1, 20)
    sched = ScheduleLR(opt, s, group_scales=[0.1, 1.0])
    for t in range(25):
        assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * s(t), rel=1e-12)
        assert opt.param_groups[1]["lr"] == pytest.approx(s(t), rel=1e-12)
        assert sched.get_last_lr() == [opt.param_groups[0]["lr"], opt.param_groups[1]["lr"]]
        opt.step()
        sched.step()
    with pytest.raises(InvalidArgumentError, match="group_scales"):
        ScheduleLR(make_opt(groups=2), s, group_scales=[1.0])
    with pytest.raises(InvalidArgumentError, match="group_scales"):
        ScheduleLR(make_opt(groups=2), s, group_scales=[1.0, -1.0])


def test_never_multiplies_the_previous_lr():
    opt = make_opt(groups=1)
    s = CyclicLR(0.01, 0.1, 5)
    sched = ScheduleLR(opt, s)
    for t in range(1, 12):
        opt.param_groups[0]["lr"] = 123.0  # someone tampers with the LR between steps
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] == pytest.approx(s(t), rel=1e-12)


def test_a_separate_momentum_schedule():
    opt = make_opt()
    mom = CyclicLR(0.85, 0.95, 10)
    sched = ScheduleLR(opt, Constant(0.1), momentum=mom)
    for t in range(15):
        assert momenta(opt)[0] == pytest.approx(mom(t))
        opt.step()
        sched.step()


def test_state_dict_is_the_step_counter_and_pickles():
    opt = make_opt()
    sched = ScheduleLR(opt, OneCycle(0.1, 50), momentum=True)
    for _ in range(7):
        opt.step()
        sched.step()
    assert sched.state_dict() == {"last_epoch": 7}
    clone = pickle.loads(pickle.dumps(sched))
    assert clone.last_epoch == 7 and clone.schedule == sched.schedule
    for _ in range(5):
        sched.step()
        clone.step()
        assert clone.get_last_lr() == sched.get_last_lr()
        assert momenta(clone.optimizer) == momenta(sched.optimizer)
    with pytest.raises(InvalidArgumentError, match="last_epoch|unknown"):
        sched.load_state_dict({"last_epoch": 3, "base_lrs": [0.1]})


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 60), st.integers(1, 30), st.sampled_from(["sgd", "adam"]))
def test_resume_from_state_dict_gives_the_same_sequence(stop, more, kind):
    s = Warmup(CyclicLR(0.01, 0.1, 7, window="hann", policy="triangular2"), 5)
    opt = make_opt(kind, groups=2)
    full = ScheduleLR(opt, s, momentum=True, group_scales=[0.5, 1.0])
    seq = []
    for _ in range(stop + more):
        opt.step()
        full.step()
        seq.append((full.get_last_lr(), momenta(opt)))
    opt1 = make_opt(kind, groups=2)
    first = ScheduleLR(opt1, s, momentum=True, group_scales=[0.5, 1.0])
    for _ in range(stop):
        opt1.step()
        first.step()
    saved = first.state_dict()
    opt2 = make_opt(kind, groups=2)  # a fresh process: new optimizer, new scheduler, load the state
    resumed = ScheduleLR(opt2, s, momentum=True, group_scales=[0.5, 1.0])
    resumed.load_state_dict(saved)
    assert resumed.get_last_lr() == first.get_last_lr()
    for i in range(stop, stop + more):
        opt2.step()
        resumed.step()
        assert (resumed.get_last_lr(), momenta(opt2)) == seq[i]


def test_spec_dict_is_accepted_and_repr_is_short():
    opt = make_opt()
    sched = ScheduleLR(opt, {"kind": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size": 4})
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    assert "step=0" in repr(sched)
    assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)


def test_tensor_lr_is_filled_in_place():
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([p], lr=torch.tensor(0.01))
    lr_tensor = opt.param_groups[0]["lr"]
    s = CyclicLR(0.01, 0.1, 4)
    sched = ScheduleLR(opt, s, momentum=True)
    for t in range(1, 6):
        opt.step()
        sched.step()
        assert opt.param_groups[0]["lr"] is lr_tensor  # same tensor, filled in place
        assert float(lr_tensor) == pytest.approx(s(t), rel=1e-6)
        assert float(sched.get_last_lr()[0]) == pytest.approx(s(t), rel=1e-6)
