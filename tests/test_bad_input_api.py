"""Bad input to the range test's Python API gets an lrscope error that names the argument,
and the user's model and optimizer are untouched (issue 13, item 5)."""

from __future__ import annotations

import json
import os

import pytest

torch = pytest.importorskip("torch")

import lrscope  # noqa: E402
from conftest import tiny_batches, tiny_classifier  # noqa: E402
from lrscope.analysis import RangeTestResult  # noqa: E402
from lrscope.errors import InvalidArgumentError, LRScopeError, RangeTestError  # noqa: E402


def _data():
    return tiny_batches()


def _setup(opt_cls=torch.optim.SGD, **kw):
    return tiny_classifier(opt_cls, **kw)


def _frozen_state(model, opt):
    d = opt.state_dict()
    return [p.detach().clone() for p in model.parameters()], repr((d["state"], d["param_groups"]))


class _Unpicklable(torch.optim.SGD):
    def state_dict(self):
        d = super().state_dict()
        d["hook"] = lambda: None      # a local lambda: pickle cannot save it
        return d


def _zero_division_step(model, batch):
    raise ZeroDivisionError("in the user's step")


CE = torch.nn.CrossEntropyLoss()
CASES = {
    # name: (optimizer class, find_lr keyword arguments, error class, argument named, words)
    "LBFGS needs a closure": (torch.optim.LBFGS, {}, InvalidArgumentError, "optimizer", "closure"),
    "SparseAdam on dense parameters": (torch.optim.SparseAdam, {}, InvalidArgumentError, "optimizer", "sparse"),
    "grad_scaler is a string": (torch.optim.SGD, {"grad_scaler": "yes"}, InvalidArgumentError, "grad_scaler",
                                "GradScaler"),
    "metric returns a string": (torch.optim.SGD, {"metric": lambda out, y: "high"}, InvalidArgumentError, "metric",
                                "must return a number"),
    "metric raises": (torch.optim.SGD, {"metric": lambda out, y: 1 / 0}, InvalidArgumentError, "metric",
                      "ZeroDivisionError"),
    "train_step raises ZeroDivisionError": (torch.optim.SGD, {"train_step": _zero_division_step, "loss_fn": None},
                                            RangeTestError, None, "ZeroDivisionError"),
    "disk snapshot of unpicklable state": (_Unpicklable, {"snapshot": "disk"}, InvalidArgumentError, "snapshot",
                                           "snapshot='memory'"),
    "snapshot typo": (torch.optim.SGD, {"snapshot": "disc"}, InvalidArgumentError, "snapshot", "did you mean 'disk'"),
    "num_steps of 10**12": (torch.optim.SGD, {"num_steps": 10 ** 12}, InvalidArgumentError, "num_steps", "<= 1,000,000"),
    "repeats of 10**6": (torch.optim.SGD, {"repeats": 10 ** 6}, InvalidArgumentError, "repeats", "<= 100"),
    "dict batches in val_loader without targets": (torch.optim.SGD, {"val_loader": [{"x": 1}], "val_every": 5},
                                                   InvalidArgumentError, "val_loader", "one targets key"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_an_lrscope_error_and_nothing_changes(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    opt_cls, kw, err, name, words = CASES[case]
    model, opt = _setup(opt_cls)
    before = _frozen_state(model, opt)
    kw = dict(kw)
    loss_fn = kw.pop("loss_fn", CE)
    with pytest.raises(err) as info:
        lrscope.find_lr(model, opt, loss_fn, _data(), progress=False, **kw)
    assert isinstance(info.value, LRScopeError) and "Fix:" in str(info.value) and words in str(info.value)
    if name is not None:
        assert info.value.name == name
    after = _frozen_state(model, opt)
    assert all(torch.equal(a, b) for a, b in zip(before[0], after[0])) and before[1] == after[1]
    assert os.listdir(tmp_path) == []                     # no folder made for the typo, no snapshot left


class _TwoOutputs(torch.nn.Module):
    """The tiny classifier returning (logits, an auxiliary scalar), as many research models do."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        logits = self.net(x)
        return logits, logits.pow(2).mean()


@pytest.mark.parametrize("case", ["model returns a tuple", "float class targets", "loss_fn and loader swapped",
                                  "optimizer class, not instance"])
def test_common_mistakes_name_their_fix_and_nothing_changes(case):
    """Each mistake a first call makes is named with the fix that repairs it: the fix, applied,
    runs (so the message's advice is checked against torch itself, not against its own words)."""
    net, opt = _setup()
    model, data, args, fixed = net, _data(), None, None
    if case == "model returns a tuple":
        model = _TwoOutputs(net)
        args, words = (opt, CE, data), "loss_fn=lambda out, y: criterion(out[0], y)"
        fixed = (opt, lambda out, y: CE(out[0], y), data)
    elif case == "float class targets":
        args, words = (opt, CE, [(x, y.float()) for x, y in data]), "y.long()"
        fixed = (opt, CE, [(x, y.float().long()) for x, y in data])
    elif case == "loss_fn and loader swapped":
        args, words = (opt, data, CE), "look swapped"
        fixed = (opt, CE, data)
    else:
        args, words = (torch.optim.Adam, CE, data), "torch.optim.Adam(model.parameters(), lr=...)"
        fixed = (torch.optim.Adam(model.parameters()), CE, data)
    before = _frozen_state(net, opt)
    with pytest.raises(InvalidArgumentError) as info:
        lrscope.find_lr(model, *args, num_steps=20, confirm=False, progress=False)
    assert words in str(info.value) and "Fix:" in str(info.value)
    after = _frozen_state(net, opt)
    assert all(torch.equal(a, b) for a, b in zip(before[0], after[0])) and before[1] == after[1]
    assert lrscope.find_lr(model, *fixed, start_lr=1e-4, num_steps=20, confirm=False, progress=False).lrs[0] == 1e-4


def test_probe_steps_are_bounded():
    model, opt = _setup()
    with pytest.raises(InvalidArgumentError, match="steps"):
        lrscope.probe(model, opt, CE, _data(), steps=10 ** 12)


def test_a_new_snapshot_folder_written_as_a_path_is_made(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model, opt = _setup()
    lrscope.find_lr(model, opt, CE, _data(), num_steps=12, confirm=False, extend_decades=0, snapshot="./snaps",
                    progress=False)
    assert (tmp_path / "snaps").is_dir() and list((tmp_path / "snaps").iterdir()) == []


@pytest.fixture(scope="module")
def result():
    model, opt = _setup()
    return lrscope.find_lr(model, opt, CE, _data(), num_steps=20, confirm=False, extend_decades=0, progress=False)


def test_plot_on_something_that_is_not_an_axes(result):
    pytest.importorskip("matplotlib")
    with pytest.raises(InvalidArgumentError, match="`ax` must be a matplotlib Axes"):
        result.plot(ax="foo")


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(lrs=["a"] * len(d["lrs"])), "range-test dict"),
    (lambda d: d.update(repeats=5), "repeats"),
    (lambda d: d.update(repeats=[1, 2]), "must be a dict"),
    (lambda d: d.update(start_lr="fast"), "range-test dict"),
])
def test_from_dict_with_wrong_types_is_a_clean_error(result, change, words):
    d = json.loads(json.dumps(result.to_dict()))
    change(d)
    with pytest.raises(InvalidArgumentError, match=words):
        RangeTestResult.from_dict(d)
