"""A range test over a model that cannot train stops at the first step with the cause named
(issue 13, item 1), and leaves the model and the optimizer as they were."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import lrscope  # noqa: E402
from conftest import tiny_batches, tiny_classifier  # noqa: E402
from lrscope.errors import InvalidArgumentError, LRScopeError, RangeTestError  # noqa: E402


def _data():
    return tiny_batches(n=128, size=32)


def _setup():
    model, opt = tiny_classifier(torch.optim.Adam, lr=1e-3)
    return model, opt, torch.nn.CrossEntropyLoss()


def _state(model, opt):
    return ([p.detach().clone() for p in model.parameters()],
            [dict(g, params=None) for g in opt.param_groups], repr(opt.state_dict()["state"]))


def _same(a, b):
    pa, ga, sa = a
    pb, gb, sb = b
    assert all(torch.equal(x, y) for x, y in zip(pa, pb))
    assert ga == gb and sa == sb


def _frozen(model, opt, loss_fn):
    for p in model.parameters():
        p.requires_grad_(False)
    return contextlib.nullcontext(), model, opt, loss_fn, dict()


def _detached(model, opt, loss_fn):
    return contextlib.nullcontext(), model, opt, (lambda out, y: loss_fn(out, y).detach()), dict()


def _no_grad(model, opt, loss_fn):
    return torch.no_grad(), model, opt, loss_fn, dict()


def _inference(model, opt, loss_fn):
    return torch.inference_mode(), model, opt, loss_fn, dict()


def _foreign_optimizer(model, opt, loss_fn):
    # a model with no parameters, and an optimizer over some other tensor (issue 13's case)
    other = torch.nn.Parameter(torch.zeros(3))
    return (contextlib.nullcontext(), torch.nn.Flatten(), torch.optim.SGD([other], lr=0.1),
            (lambda out, y: (out ** 2).mean()), dict())


def _step_without_backward(model, opt, loss_fn):
    def step(m, batch):
        x, y = batch
        return loss_fn(m(x), y).detach()    # forgot backward()

    return contextlib.nullcontext(), model, opt, None, dict(train_step=step)


CASES = {
    "frozen": (_frozen, InvalidArgumentError, "optimizer", "frozen"),
    "detached": (_detached, InvalidArgumentError, "loss_fn", "requires_grad=False"),
    "no_grad": (_no_grad, RangeTestError, None, "no_grad"),
    "inference_mode": (_inference, RangeTestError, None, "inference_mode"),
    "foreign optimizer": (_foreign_optimizer, InvalidArgumentError, "optimizer", "none of them the model's"),
    "train_step without backward": (_step_without_backward, InvalidArgumentError, "train_step", "backward"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("entry", ["find_lr", "probe"])
def test_a_model_that_cannot_train_is_refused_with_its_cause(case, entry):
    make, err, name, words = CASES[case]
    model, opt, loss_fn = _setup()
    ctx, model, opt, loss_fn, kw = make(model, opt, loss_fn)
    before = _state(model, opt)
    with ctx, pytest.raises(err) as info:
        if entry == "find_lr":
            lrscope.find_lr(model, opt, loss_fn, _data(), progress=False, **kw)
        else:
            lrscope.probe(model, opt, loss_fn, _data(), lrs=(0.1, 0.01), steps=5, **kw)
    assert isinstance(info.value, LRScopeError)
    assert words in str(info.value) and "Fix:" in str(info.value)
    if name is not None:
        assert info.value.name == name
    _same(before, _state(model, opt))


def test_a_model_that_trains_is_not_refused():
    # the documented clipping pattern: train_step calls backward() itself and returns a detached loss
    model, opt, loss_fn = _setup()

    def step(m, batch):
        x, y = batch
        loss = loss_fn(m(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        return loss.detach()

    res = lrscope.find_lr(model, opt, None, _data(), train_step=step, num_steps=30, confirm=False,
                          extend_decades=0, progress=False)
    assert len(res.lrs) > 1 and np.all(np.isfinite(res.losses[:5]))
    # a partly frozen model trains its other layers
    model, opt, loss_fn = _setup()
    for p in model[0].parameters():
        p.requires_grad_(False)
    res = lrscope.find_lr(model, opt, loss_fn, _data(), num_steps=30, confirm=False, extend_decades=0,
                          progress=False)
    assert len(res.lrs) > 1
