"""Batches of several inputs without a ``train_step`` (fastai's reading of a batch).

``(x1, x2, ..., targets)`` calls ``model(x1, x2, ...)``; ``((x1, x2), targets)`` and
``({"a": x1, "b": x2}, targets)`` call ``model(x1, x2)`` / ``model(a=x1, b=x2)`` when
``model(inputs)`` is not taken. The expectation each test checks against is the user's own
explicit ``train_step`` / ``eval_step`` doing the same call: the range test must see the same
losses, to the bit, and give the same answers.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import lrscope  # noqa: E402
from lrscope.errors import InvalidArgumentError  # noqa: E402

N, BS = 256, 32


def _data():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(N, 10, generator=g)
    y = (x[:, 0] - x[:, 7] > 0).long()
    return x[:, :4], x[:, 4:], y


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.head = nn.Linear(4, 16), nn.Linear(6, 16), nn.Linear(32, 2)

    def forward(self, left, right):
        return self.head(torch.relu(torch.cat([self.a(left), self.b(right)], 1)))


def _batches(shape: str):
    x1, x2, y = _data()
    out = []
    for i in range(0, N, BS):
        a, b, t = x1[i:i + BS], x2[i:i + BS], y[i:i + BS]
        out.append({"flat": (a, b, t), "nested": ((a, b), t), "dict": ({"left": a, "right": b}, t)}[shape])
    return out


def _explicit(model, batch):
    """What the user would write by hand for the same batch: ``model(x1, x2)``, ``targets``."""
    (a, b), t = (batch[:2], batch[2]) if len(batch) == 3 else \
        ((batch[0]["left"], batch[0]["right"]) if isinstance(batch[0], dict) else batch[0], batch[1])
    return model(a, b), t


def _find(shape: str, explicit: bool):
    torch.manual_seed(0)
    model = TwoInputs()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    kwargs = {}
    if explicit:
        kwargs = {"train_step": lambda m, b: loss_fn(*_explicit(m, b)),
                  "eval_step": lambda m, b: {"loss": loss_fn(*_explicit(m, b)), "n": len(_explicit(m, b)[1])}}
    batches = _batches(shape)
    return lrscope.find_lr(model, opt, loss_fn, batches, val_loader=batches[:2], val_every=10, num_steps=60, progress=False,
                           **kwargs)


@pytest.mark.parametrize("shape", ["flat", "nested", "dict"])
def test_several_inputs_train_and_validate_as_the_users_own_step_would(shape):
    got, want = _find(shape, explicit=False), _find(shape, explicit=True)
    assert got.losses.tolist() == want.losses.tolist()
    assert np.isfinite(got.val_losses).any()
    np.testing.assert_array_equal(got.val_losses, want.val_losses)
    assert (got.lr, got.one_cycle_max_lr, got.cost_steps) == (want.lr, want.one_cycle_max_lr, want.cost_steps)


def test_a_model_that_takes_the_list_itself_is_called_with_the_list():
    seen = []

    class ListModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(10, 2)

        def forward(self, xs):
            seen.append(type(xs))
            return self.net(torch.cat(xs, 1))

    torch.manual_seed(0)
    model = ListModel()
    batches = [([a, b], t) for (a, b), t in _batches("nested")]
    lrscope.find_lr(model, torch.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), batches,
                    num_steps=30, progress=False)
    assert seen and set(seen) == {list}


def test_sample_weights_as_a_third_part_are_named_and_nothing_is_lost():
    x1, x2, y = _data()
    model = nn.Linear(10, 2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = [(torch.cat([x1, x2], 1)[i:i + BS], y[i:i + BS], torch.ones(BS)) for i in range(0, N, BS)]
    with pytest.raises(InvalidArgumentError) as err:
        lrscope.find_lr(model, opt, nn.CrossEntropyLoss(), loader, progress=False)
    msg = str(err.value)
    assert "train_loader" in msg and "model(x1, x2)" in msg and "(x1, x2, ..., targets)" in msg and "train_step" in msg
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert opt.param_groups[0]["lr"] == 0.1


def test_probe_reads_several_inputs_the_same_way():
    torch.manual_seed(0)
    model = TwoInputs()
    got = lrscope.probe(model, torch.optim.Adam(model.parameters()), nn.CrossEntropyLoss(), _batches("flat"),
                        lrs=[1e-3, 1e-2], steps=20, progress=False)
    torch.manual_seed(0)
    model = TwoInputs()
    loss_fn = nn.CrossEntropyLoss()
    want = lrscope.probe(model, torch.optim.Adam(model.parameters()), loss_fn, _batches("flat"),
                         lrs=[1e-3, 1e-2], steps=20, progress=False,
                         train_step=lambda m, b: loss_fn(*_explicit(m, b)))
    assert len(got.curves) == 2 and all(a.tolist() == b.tolist() for a, b in zip(got.curves, want.curves))
