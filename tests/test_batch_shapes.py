"""Batches of several inputs, and dict batches, without a ``train_step``.

``(x1, x2, ..., targets)`` calls ``model(x1, x2, ...)``; ``((x1, x2), targets)`` and
``({"a": x1, "b": x2}, targets)`` call ``model(x1, x2)`` / ``model(a=x1, b=x2)`` when
``model(inputs)`` is not taken (fastai's reading of a batch). A dict batch gives its targets
under ``labels`` (``label``, ``targets``, ``target``, ``y``) and its inputs under the other keys;
with ``loss_fn=None`` the model computes its own loss from it (Hugging Face's convention). The expectation each test checks against is the user's own
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


def _find_with(make_model, batches, by_hand, explicit: bool):
    """``find_lr`` reading the batches itself, or (``explicit``) through the user's own
    ``train_step`` / ``eval_step`` built on ``by_hand(model, batch) -> (outputs, targets)``."""
    torch.manual_seed(0)
    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    kwargs = {}
    if explicit:
        kwargs = {"train_step": lambda m, b: loss_fn(*by_hand(m, b)),
                  "eval_step": lambda m, b: {"loss": loss_fn(*by_hand(m, b)), "n": len(by_hand(m, b)[1])}}
    return lrscope.find_lr(model, torch.optim.Adam(model.parameters(), lr=1e-3), loss_fn, batches,
                           val_loader=batches[:2], val_every=10, num_steps=60, progress=False, **kwargs)


def _assert_same_run(got, want):
    """The same sweep and validation losses, to the bit, and the same answers and cost."""
    assert got.losses.tolist() == want.losses.tolist()
    assert np.isfinite(got.val_losses).any()
    np.testing.assert_array_equal(got.val_losses, want.val_losses)
    assert (got.lr, got.one_cycle_max_lr, got.cost_steps) == (want.lr, want.one_cycle_max_lr, want.cost_steps)


@pytest.mark.parametrize("shape", ["flat", "nested", "dict"])
def test_several_inputs_train_and_validate_as_the_users_own_step_would(shape):
    got, want = (_find_with(TwoInputs, _batches(shape), _explicit, explicit) for explicit in (False, True))
    _assert_same_run(got, want)


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


# --------------------------------------------------------------------------- dict batches


def _dict_batches(kind: str):
    x1, x2, y = _data()
    out = []
    for i in range(0, N, BS):
        a, b, t = x1[i:i + BS], x2[i:i + BS], y[i:i + BS]
        out.append({"one": {"features": torch.cat([a, b], 1), "label": t},
                    "two": {"left": a, "right": b, "labels": t}}[kind])
    return out


def _explicit_dict(model, batch):
    """By hand: ``model(features)`` or ``model(left, right)``, and the targets."""
    if "features" in batch:
        return model(batch["features"]), batch["label"]
    return model(batch["left"], batch["right"]), batch["labels"]


def _dict_model(kind: str):
    return TwoInputs() if kind == "two" else nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))


@pytest.mark.parametrize("kind", ["one", "two"])
def test_dict_batches_train_and_validate_as_the_users_own_step_would(kind):
    """``{"features": x, "label": y}`` calls ``model(x)``; ``{"left": a, "right": b, "labels": y}``
    calls ``model(left=a, right=b)``: the same losses, to the bit, as the explicit step."""
    got, want = (_find_with(lambda: _dict_model(kind), _dict_batches(kind), _explicit_dict, explicit)
                 for explicit in (False, True))
    _assert_same_run(got, want)


class OwnLoss(nn.Module):
    """A model that computes its loss from the batch's labels, returning it in one of the
    shapes models do: an output object with ``.loss``, a dict, a tuple, or the loss itself."""

    def __init__(self, form: str):
        super().__init__()
        self.form, self.net = form, nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))

    def forward(self, features, label=None):
        logits = self.net(features)
        loss = nn.functional.cross_entropy(logits, label)
        if self.form == "attr":
            return type("Output", (), {"loss": loss, "logits": logits})()
        return {"dict": {"loss": loss, "logits": logits}, "tuple": (loss, logits), "bare": loss}[self.form]


def _accuracy(out, y):
    logits = out["logits"] if isinstance(out, dict) else out[1] if isinstance(out, tuple) else out.logits
    return (logits.argmax(1) == y).float().mean()


@pytest.mark.parametrize("form", ["attr", "dict", "tuple"])
def test_loss_fn_none_takes_the_loss_the_model_computes(form):
    """``loss_fn=None``: ``model(**batch)``'s own loss, as the explicit ``model(**batch).loss``
    step gives it, to the bit; the metric gets the output and the batch's labels."""
    def find(explicit):
        torch.manual_seed(0)
        model = OwnLoss(form)
        kwargs = {"metric": _accuracy}
        if explicit:
            own = {"attr": lambda o: o.loss, "dict": lambda o: o["loss"], "tuple": lambda o: o[0]}[form]
            kwargs = {"train_step": lambda m, b: own(m(**b)),
                      "eval_step": lambda m, b: {"loss": own(m(**b)), "metric": _accuracy(m(**b), b["label"]),
                                                 "n": len(b["label"])}}
        batches = _dict_batches("one")
        return lrscope.find_lr(model, torch.optim.Adam(model.parameters(), lr=1e-3), None, batches,
                               val_loader=batches[:2], val_every=10, num_steps=60, progress=False, **kwargs)

    got, want = find(False), find(True)
    _assert_same_run(got, want)
    assert np.isfinite(got.val_metric).any()
    np.testing.assert_array_equal(got.val_metric, want.val_metric)
    assert np.isfinite(got.metric).all() and ((got.metric >= 0) & (got.metric <= 1)).all()


def test_a_hugging_face_model_with_loss_fn_none_matches_its_own_loss():
    """A real ``transformers`` model from a config, dict batches with ``labels``: the same run as
    the user's ``train_step`` returning ``model(**batch).loss``."""
    transformers = pytest.importorskip("transformers")
    g = torch.Generator().manual_seed(5)
    ids = torch.randint(1, 40, (128, 8), generator=g)
    batches = [{"input_ids": ids[i:i + 16], "attention_mask": torch.ones(16, 8, dtype=torch.long),
                "labels": (ids[i:i + 16, 0] > 20).long()} for i in range(0, 128, 16)]

    def find(explicit):
        torch.manual_seed(0)
        model = transformers.BertForSequenceClassification(transformers.BertConfig(
            vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
            num_labels=2))
        kwargs = {"train_step": lambda m, b: m(**b).loss} if explicit else {}
        return lrscope.find_lr(model, torch.optim.AdamW(model.parameters(), lr=1e-3), None, batches,
                               start_lr=1e-5, end_lr=1.0, num_steps=40, progress=False, **kwargs)

    got, want = find(False), find(True)
    assert got.losses.tolist() == want.losses.tolist()
    assert got.lr is not None and (got.lr, got.one_cycle_max_lr) == (want.lr, want.one_cycle_max_lr)


@pytest.mark.parametrize("case", ["no targets key", "two targets keys", "loss_fn None on pairs",
                                  "loss_fn None, no loss returned"])
def test_unreadable_dict_batches_are_named_and_nothing_is_lost(case):
    x1, x2, y = _data()
    x = torch.cat([x1, x2], 1)
    loss_fn = nn.CrossEntropyLoss()
    model = nn.Sequential(nn.Linear(10, 2))
    if case == "no targets key":
        batches, name, words = [{"features": x[:BS], "weight": torch.ones(BS)}], "train_loader", "none of them"
    elif case == "two targets keys":
        batches, name, words = [{"features": x[:BS], "y": y[:BS], "labels": y[:BS]}], "train_loader", "both"
    elif case == "loss_fn None on pairs":
        batches, name, words, loss_fn = [(x[:BS], y[:BS])], "loss_fn", "model(**batch).loss", None
    else:
        model = OwnLoss("dict")
        model.forward = lambda features, label=None: model.net(features)   # logits only
        batches, name, words, loss_fn = [{"features": x[:BS], "label": y[:BS]}], "loss_fn", "'labels' key", None
    before = {k: v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(InvalidArgumentError) as err:
        lrscope.find_lr(model, opt, loss_fn, batches, progress=False)
    assert err.value.name == name and words in str(err.value) and "Fix:" in str(err.value)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert opt.param_groups[0]["lr"] == 0.1


def test_a_one_sample_batch_under_batchnorm_asks_for_drop_last_and_nothing_is_lost():
    """A dataset one sample longer than a multiple of the batch size ends each epoch with a batch
    of one, on which torch's own BatchNorm refuses to train; the error says to drop it, the
    model and optimizer are as they were, and with ``drop_last=True`` the same call answers."""
    x1, x2, y = _data()
    x = torch.cat([x1, x2], 1)[: 4 * BS + 1]
    data = torch.utils.data.TensorDataset(x, y[: 4 * BS + 1])

    def model_and_opt():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(10, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))
        return model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    model, opt = model_and_opt()
    with pytest.raises(ValueError, match="more than 1 value per channel"):   # torch's own training loop
        for xb, yb in torch.utils.data.DataLoader(data, batch_size=BS):
            nn.functional.cross_entropy(model(xb), yb).backward()
    model, opt = model_and_opt()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(InvalidArgumentError) as err:
        lrscope.find_lr(model, opt, nn.CrossEntropyLoss(), torch.utils.data.DataLoader(data, batch_size=BS),
                        num_steps=30, confirm=False, progress=False)
    msg = str(err.value)
    assert err.value.name == "train_loader" and "shape (1, 10)" in msg and "drop_last=True" in msg
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert opt.param_groups[0]["lr"] == 0.1 and not opt.state
    result = lrscope.find_lr(model, opt, nn.CrossEntropyLoss(),
                             torch.utils.data.DataLoader(data, batch_size=BS, drop_last=True),
                             num_steps=30, confirm=False, progress=False)
    assert len(result.losses) > 0
