"""find_lr on tiny real models: the sweep, the records, and that nothing of the user's is lost."""

from __future__ import annotations

import math
import os
import random
import tempfile
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lrscope import find_lr  # noqa: E402
from lrscope.errors import InvalidArgumentError, RangeTestError  # noqa: E402

# --------------------------------------------------------------------------- helpers


def _data(n=64, d=5, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=dtype)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).long()
    return x, y


def _batches(n=64, bs=16, **kw):
    x, y = _data(n, **kw)
    return [(x[i:i + bs], y[i:i + bs]) for i in range(0, n, bs)]


def _model(seed=0, dropout=0.0, bn=True):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8) if bn else torch.nn.Identity(),
                               torch.nn.ReLU(),
                               torch.nn.Dropout(dropout), torch.nn.Linear(8, 2))


def _state(model, optimizer):
    """Everything to compare bit-for-bit, as plain CPU copies."""
    params = {n: p.detach().clone() for n, p in model.named_parameters()}
    grads = {n: (None if p.grad is None else p.grad.clone()) for n, p in model.named_parameters()}
    buffers = {n: b.detach().clone() for n, b in model.named_buffers()}
    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    modes = [m.training for m in model.modules()]
    sd = optimizer.state_dict()
    opt_state = {k: {kk: (vv.clone() if torch.is_tensor(vv) else vv) for kk, vv in s.items()}
                 for k, s in sd["state"].items()}
    groups = [dict(g) for g in sd["param_groups"]]
    return params, grads, buffers, flags, modes, opt_state, groups


def _assert_same(a, b):
    pa, ga, ba, fa, ma, oa, gra = a
    pb, gb, bb, fb, mb, ob, grb = b
    for n in pa:
        assert torch.equal(pa[n], pb[n]), n
        assert (ga[n] is None) == (gb[n] is None), n
        if ga[n] is not None:
            assert torch.equal(ga[n], gb[n]), n
    for n in ba:
        assert torch.equal(ba[n], bb[n]), n
    assert fa == fb and ma == mb
    assert oa.keys() == ob.keys()
    for k in oa:
        for kk in oa[k]:
            if torch.is_tensor(oa[k][kk]):
                assert torch.equal(oa[k][kk], ob[k][kk]), (k, kk)
            else:
                assert oa[k][kk] == ob[k][kk]
    assert gra == grb


def _rng_draws():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def _ce(out, y):
    return torch.nn.functional.cross_entropy(out, y)


def _warm(model, optimizer, batches, steps=2):
    """Give the optimizer real state (momentum buffers / Adam moments) and leave grads behind."""
    for x, y in batches[:steps]:
        optimizer.zero_grad()
        _ce(model(x), y).backward()
        optimizer.step()


# --------------------------------------------------------------------------- the sweep


def test_lrs_seen_by_the_optimizer_are_exactly_geometric_with_both_ends():
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    seen = []

    def step(m, batch):
        seen.append(opt.param_groups[0]["lr"])
        return _ce(m(batch[0]), batch[1])

    res = find_lr(model, opt, None, _batches(), start_lr=1e-4, end_lr=1e-1, num_steps=25,
                  train_step=step, extend_decades=0, confirm=False, progress=False)
    expected = [1e-4 * (1e-1 / 1e-4) ** (i / 24) for i in range(25)]
    assert res.stop_reason == "completed" and len(res.lrs) == 25
    np.testing.assert_allclose(seen, expected, rtol=1e-12)
    np.testing.assert_allclose(res.lrs, expected, rtol=1e-12)
    assert seen[0] == 1e-4 and seen[-1] == 1e-1
    assert (res.start_lr, res.end_lr, res.num_steps, res.mode) == (1e-4, 1e-1, 25, "exp")


def test_linear_mode_steps_evenly():
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    res = find_lr(model, opt, _ce, _batches(), start_lr=0.01, end_lr=0.1, num_steps=10, mode="linear", progress=False)
    np.testing.assert_allclose(res.lrs, [0.01 + 0.09 * i / 9 for i in range(10)], rtol=1e-12)


def test_short_loader_is_cycled():
    batches = _batches(n=48, bs=16)  # 3 batches, 11 steps
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    order = []

    def step(m, batch):
        order.append(next(i for i, b in enumerate(batches) if torch.equal(b[0], batch[0])))
        return _ce(m(batch[0]), batch[1])

    res = find_lr(model, opt, None, batches, start_lr=1e-5, end_lr=1e-3, num_steps=11, train_step=step,
                  extend_decades=0, confirm=False, progress=False)
    assert order == [i % 3 for i in range(11)]
    assert len(res.losses) == 11
    assert res.iterations_per_epoch == 3


def test_parameter_groups_keep_their_ratio_and_are_recorded():
    model = _model()
    opt = torch.optim.SGD([{"params": model[0].parameters(), "lr": 0.01},
                           {"params": list(model[1].parameters()) + list(model[4].parameters()), "lr": 0.1}],
                          lr=0.1, momentum=0.9)
    seen = []

    def step(m, batch):
        seen.append([g["lr"] for g in opt.param_groups])
        return _ce(m(batch[0]), batch[1])

    res = find_lr(model, opt, None, _batches(), start_lr=1e-5, end_lr=1e-2, num_steps=12, train_step=step,
                  extend_decades=0, confirm=False, progress=False)
    seen = np.array(seen)
    np.testing.assert_allclose(seen[:, 1] / seen[:, 0], 10.0, rtol=1e-12)
    np.testing.assert_allclose(seen, res.group_lrs, rtol=0, atol=0)
    np.testing.assert_allclose(res.group_lrs[:, 0], res.lrs, rtol=0, atol=0)
    assert res.group_lrs.shape == (12, 2)
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.1]


def test_a_tensor_lr_is_swept_in_place_and_restored_in_the_users_own_tensor():
    """``lr=torch.tensor(...)`` (compiled or capturable steps): the sweep sets the tensor in
    place, the answers equal those of the same optimizer built with a float LR, and afterwards
    the group holds the very tensor it was built with, at its old value; ``apply`` sets it in place."""
    answers = []
    for make in (lambda: 0.01, lambda: torch.tensor(0.01)):
        model = _model()
        lr = make()
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        seen = []

        def step(m, batch, opt=opt, seen=seen):
            seen.append(opt.param_groups[0]["lr"] is lr)
            return _ce(m(batch[0]), batch[1])

        before = _state(model, opt)
        res = find_lr(model, opt, None, _batches(), num_steps=20, train_step=step, progress=False)
        answers.append((res.lrs.tolist(), res.losses.tolist(), res.lr, res.one_cycle_max_lr))
        if torch.is_tensor(lr):
            assert all(seen) and opt.param_groups[0]["lr"] is lr and float(lr) == pytest.approx(0.01)
            res.apply(opt)
            assert opt.param_groups[0]["lr"] is lr and float(lr) == pytest.approx(res.lr, rel=1e-6)
        else:
            _assert_same(before, _state(model, opt))
    (lrs_f, loss_f, *ans_f), (lrs_t, loss_t, *ans_t) = answers
    assert lrs_f == lrs_t and ans_f == ans_t
    np.testing.assert_allclose(loss_t[:15], loss_f[:15], rtol=1e-4)   # a float32 LR rounds the updates a little


def test_raw_and_smoothed_losses_and_metric_are_recorded():
    batches = _batches()
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    raw = []

    def frac_of_ones(out, y):  # a "metric" whose value we know from the batch alone
        return float(y.float().mean())

    def loss_fn(out, y):
        loss = _ce(out, y)
        raw.append(loss.item())
        return loss

    res = find_lr(model, opt, loss_fn, batches, start_lr=1e-4, end_lr=1e-2, num_steps=10, smoothing=0.9,
                  metric=frac_of_ones, extend_decades=0, confirm=False, progress=False)
    np.testing.assert_allclose(res.losses, raw, rtol=1e-12)
    expected_metric = [float(batches[i % 4][1].float().mean()) for i in range(10)]
    np.testing.assert_allclose(res.metric, expected_metric, rtol=1e-12)
    assert res.metric_name == "frac_of_ones"
    a, smooth = 0.0, []
    for t, x in enumerate(raw, start=1):
        a = 0.9 * a + 0.1 * x
        smooth.append(a / (1 - 0.9**t))
    np.testing.assert_allclose(res.smoothed, smooth, rtol=1e-12)


def test_validation_runs_on_schedule_in_eval_mode():
    batches = _batches()
    model = _model(dropout=0.5, bn=False)  # (BatchNorm statistics would move even at lr ~ 0)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    model.eval()
    with torch.no_grad():  # LRs ~1e-12 cannot move the weights: the val loss is the eval-mode loss
        expected = np.mean([_ce(model(x), y).item() for x, y in batches])
        expected_acc = np.mean([(model(x).argmax(1) == y).float().mean().item() for x, y in batches])
    model.train()
    res = find_lr(model, opt, _ce, batches, start_lr=1e-13, end_lr=1e-12, num_steps=10, val_loader=batches,
                  val_every=4, metric=lambda o, y: (o.argmax(1) == y).float().mean().item(), extend_decades=0,
                  confirm=False, progress=False)
    assert res.val_steps.tolist() == [3, 7]
    np.testing.assert_allclose(res.val_losses, expected, rtol=1e-5)
    np.testing.assert_allclose(res.val_metric, expected_acc, rtol=1e-6)
    assert model.training


def test_accumulation_equals_the_big_batch():
    x, y = _data(64, dtype=torch.float64)
    big = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    small = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 64, 8)]

    def run(batches, acc):
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        return find_lr(model, opt, _ce, batches, start_lr=1e-3, end_lr=1.0, num_steps=12,
                       accumulation_steps=acc, progress=False)

    a, b = run(big, 1), run(small, 2)
    np.testing.assert_allclose(b.losses, a.losses, rtol=1e-10)
    assert b.iterations_per_epoch == 4


def test_grad_scaler_gives_the_same_curve_and_its_state_is_kept():
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**8)
    runs = []
    for gs in (None, scaler):
        model = _model()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        runs.append(find_lr(model, opt, _ce, _batches(), start_lr=1e-4, end_lr=1e-1, num_steps=10,
                            grad_scaler=gs, seed=0, progress=False))
    np.testing.assert_allclose(runs[1].losses, runs[0].losses, rtol=1e-6)
    assert scaler.get_scale() == 2.0**8


def test_train_step_may_do_its_own_backward_with_clipping():
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    norms = []

    def step(m, batch):
        loss = _ce(m(batch["x"]), batch["y"])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 0.01)
        norms.append(torch.sqrt(sum((p.grad**2).sum() for p in m.parameters())).item())
        return loss.detach()

    dict_batches = [{"x": x, "y": y} for x, y in _batches()]
    res = find_lr(model, opt, None, dict_batches, start_lr=1e-4, end_lr=1.0, num_steps=10, train_step=step,
                  extend_decades=0, progress=False)
    assert len(res.losses) == 10
    assert max(norms) <= 0.01 + 1e-6


def test_sweep_stops_at_the_first_non_finite_loss():
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)

    def step(m, batch):
        loss = _ce(m(batch[0]), batch[1])
        return loss * math.inf if opt.param_groups[0]["lr"] > 1e-2 else loss

    res = find_lr(model, opt, None, _batches(), start_lr=1e-4, end_lr=1.0, num_steps=21, train_step=step,
                  progress=False)
    expected_kept = sum(1e-4 * (1e4) ** (i / 20) <= 1e-2 * (1 + 1e-12) for i in range(21))
    assert res.stop_reason == "non-finite"
    assert len(res.losses) == expected_kept
    assert "inf" in res.stop_message


def test_seed_makes_runs_reproducible_and_repeats_differ():
    from torch.utils.data import DataLoader, TensorDataset

    x, y = _data(96)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(3))
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    kw = dict(start_lr=1e-3, end_lr=1.0, num_steps=10, progress=False)
    a = find_lr(model, opt, _ce, loader, seed=5, **kw)
    b = find_lr(model, opt, _ce, loader, seed=5, **kw)
    c = find_lr(model, opt, _ce, loader, seed=6, **kw)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.losses, c.losses)
    assert a.losses[0] != c.losses[0]  # another batch order: another first batch


def test_repeats_are_the_single_runs_with_consecutive_seeds():
    from lrscope import RangeTestResult

    if not hasattr(RangeTestResult, "from_repeats"):
        pytest.skip("RangeTestResult.from_repeats (analysis) not available yet")
    from torch.utils.data import DataLoader, TensorDataset

    x, y = _data(96)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(3))
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    kw = dict(start_lr=1e-3, end_lr=1.0, num_steps=12, progress=False)
    res = find_lr(model, opt, _ce, loader, seed=10, repeats=3, **kw)
    assert len(res.repeats) == 3
    for k, rep in enumerate(res.repeats):
        single = find_lr(model, opt, _ce, loader, seed=10 + k, **kw)
        np.testing.assert_array_equal(rep.losses, single.losses)


# --------------------------------------------------------------------------- nothing is lost


@pytest.mark.parametrize("snapshot", ["memory", "disk", "path"])
@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_everything_is_restored_bit_for_bit(snapshot, opt_name, tmp_path):
    batches = _batches()
    model = _model(dropout=0.2)
    frozen = torch.nn.Parameter(torch.ones(3), requires_grad=False)
    model.register_parameter("frozen", frozen)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = (torch.optim.SGD(trainable, lr=0.05, momentum=0.9) if opt_name == "sgd"
           else torch.optim.Adam(trainable, lr=1e-3))
    _warm(model, opt, batches)
    model.eval()
    model[3].train()  # a mixed mode must come back mixed
    before = _state(model, opt)
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    rng_before = (random.getstate(), np.random.get_state(), torch.get_rng_state())
    expected_draws = _rng_draws()
    random.setstate(rng_before[0])
    np.random.set_state(rng_before[1])
    torch.set_rng_state(rng_before[2])
    where = str(tmp_path / "snap") if snapshot == "path" else snapshot
    res = find_lr(model, opt, _ce, batches, start_lr=1e-4, end_lr=10.0, num_steps=15, snapshot=where, progress=False)
    assert len(res.losses) >= 2
    assert _rng_draws() == expected_draws
    _assert_same(before, _state(model, opt))
    if snapshot == "path":
        assert list((tmp_path / "snap").iterdir()) == []  # the snapshot file is gone, the folder stays


class _Boom(Exception):
    pass


@pytest.mark.parametrize("exc", [KeyboardInterrupt, _Boom])
@pytest.mark.parametrize("snapshot", ["memory", "disk"])
def test_interrupt_inside_train_step_restores_and_cleans_up(exc, snapshot, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # see every temporary directory made
    batches = _batches()
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    _warm(model, opt, batches)
    before = _state(model, opt)
    torch.manual_seed(7)
    expected = torch.rand(1)
    torch.manual_seed(7)
    calls = []

    def step(m, batch):
        calls.append(1)
        if len(calls) == 6:
            if snapshot == "disk":
                assert any(p.name.startswith("lrscope-snapshot-") for p in tmp_path.iterdir())
            raise exc()
        return _ce(m(batch[0]), batch[1])

    # one policy for the user's errors: any Exception from train_step arrives as a RangeTestError
    # whose cause is the user's own; KeyboardInterrupt is not an error and passes as it is
    expected_error = exc if exc is KeyboardInterrupt else RangeTestError
    with pytest.raises(expected_error) as info:
        find_lr(model, opt, None, batches, start_lr=1e-3, end_lr=1.0, num_steps=20, train_step=step,
                snapshot=snapshot, progress=False)
    if exc is not KeyboardInterrupt:
        assert isinstance(info.value.__cause__, exc)
    assert len(calls) == 6
    _assert_same(before, _state(model, opt))
    assert torch.equal(torch.rand(1), expected)
    assert list(tmp_path.iterdir()) == []


def test_loader_generator_keeps_its_place():
    from torch.utils.data import DataLoader, TensorDataset

    x, y = _data(64)

    def loader():
        return DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(9))

    untouched, used = loader(), loader()
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    find_lr(model, opt, _ce, used, start_lr=1e-4, end_lr=1e-2, num_steps=10, progress=False)
    for (xa, _), (xb, _) in zip(untouched, used):
        assert torch.equal(xa, xb)


def _unwritable_dir(tmp_path):
    """A directory we cannot create files in. chmod does not bind root (CAP_DAC_OVERRIDE), so as
    root the test uses /proc, where no process may create a file; either way the test first
    proves that writing there fails, so it cannot pass vacuously."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    for candidate in (ro, Path("/proc")):
        try:
            (candidate / "lrscope-write-check").open("w").close()
        except OSError:
            return candidate
        (candidate / "lrscope-write-check").unlink()
    pytest.skip("found no directory this user cannot write to")


@pytest.mark.parametrize("snapshot", ["memory", "disk"])
def test_read_only_working_directory_does_not_break_it(snapshot, tmp_path, monkeypatch):
    ro = _unwritable_dir(tmp_path)
    listing = sorted(os.listdir(ro))
    monkeypatch.chdir(ro)
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    _warm(model, opt, _batches())
    before = _state(model, opt)
    res = find_lr(model, opt, _ce, _batches(), start_lr=1e-4, end_lr=1.0, num_steps=10, snapshot=snapshot,
                  extend_decades=0, progress=False)
    assert len(res.losses) == 10
    if ro != Path("/proc"):
        assert sorted(os.listdir(ro)) == listing
    _assert_same(before, _state(model, opt))


# --------------------------------------------------------------------------- bad input


def _bad_input_case(name):
    batches = _batches()
    model = _model()
    kwargs = dict(start_lr=1e-4, end_lr=1.0, num_steps=10, progress=False)
    loss_fn, loader, opt = _ce, batches, None
    if name == "empty":
        loader = []
    elif name == "shape":
        loader = [(torch.randn(16, 7), y) for _, y in batches]
    elif name == "dict":
        loader = [{"x": x, "class_id": y} for x, y in batches]      # targets under no key lrscope knows
    elif name == "nonscalar":
        loss_fn = torch.nn.CrossEntropyLoss(reduction="none")
    elif name == "order":
        kwargs.update(start_lr=1.0, end_lr=1e-3)
    elif name == "equal":
        kwargs.update(start_lr=1e-2, end_lr=1e-2)
    elif name == "steps":
        kwargs.update(num_steps=9)
    elif name == "missing":
        opt = torch.optim.SGD(model[0].parameters(), lr=0.05)
    elif name == "nan":
        loader = [(torch.full_like(x, math.nan), y) for x, y in batches]
    elif name == "val_every":
        kwargs.update(val_every=3)
    elif name == "snapshot":
        kwargs.update(snapshot=123)
    elif name == "device":
        kwargs.update(device="meta")
    elif name == "snapshot_file":
        kwargs.update(snapshot=__file__)
    elif name == "oneshot":
        loader = iter(batches)  # 4 batches, 10 steps, cannot restart
    if opt is None:
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, opt, loss_fn, loader, kwargs


@pytest.mark.parametrize("case, error, arg, words", [
    ("empty", InvalidArgumentError, "train_loader", "no batches"),
    ("shape", InvalidArgumentError, "train_loader", "train_step"),
    ("dict", InvalidArgumentError, "train_loader", "train_step"),
    ("nonscalar", InvalidArgumentError, "loss", "reduction"),
    ("order", InvalidArgumentError, "start_lr", "smaller"),
    ("equal", InvalidArgumentError, "start_lr", "smaller"),
    ("steps", InvalidArgumentError, "num_steps", ">= 10"),
    ("missing", InvalidArgumentError, "optimizer", "model.parameters()"),
    ("nan", RangeTestError, None, "very first step"),
    ("val_every", InvalidArgumentError, "val_loader", "val_every"),
    ("snapshot", InvalidArgumentError, "snapshot", "disk"),
    ("oneshot", InvalidArgumentError, "train_loader", "re-iterable"),
    ("snapshot_file", InvalidArgumentError, "snapshot", "folder"),
    ("device", InvalidArgumentError, "device", "model.to("),
])
def test_bad_input_is_a_clear_error_and_changes_nothing(case, error, arg, words):
    model, opt, loss_fn, loader, kwargs = _bad_input_case(case)
    _warm(model, opt, _batches()) if case != "missing" else None
    before = _state(model, opt)
    with pytest.raises(error) as info:
        find_lr(model, opt, loss_fn, loader, **kwargs)
    if arg is not None:
        assert info.value.name == arg
    assert words in str(info.value)
    assert "Fix:" in str(info.value)
    _assert_same(before, _state(model, opt))


def test_unwritable_temporary_directory_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", "/proc/lrscope-nowhere")  # no one can create this, root included
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    _warm(model, opt, _batches())
    before = _state(model, opt)
    with pytest.raises(InvalidArgumentError) as info:
        find_lr(model, opt, _ce, _batches(), num_steps=10, snapshot="disk", progress=False)
    assert info.value.name == "snapshot" and "TMPDIR" in str(info.value)
    _assert_same(before, _state(model, opt))


class _PassCountedLoader:
    """Orders each pass over its data by a pass counter, as accelerate's DataLoaderShard does
    (its sampler's epoch is its `iteration`, which grows by one at the end of every pass)."""

    def __init__(self, x, y, batch=8):
        self.x, self.y, self.batch, self.iteration = x, y, batch, 0

    def __len__(self):
        return len(self.x) // self.batch

    def __iter__(self):
        order = torch.randperm(len(self.x), generator=torch.Generator().manual_seed(1000 + self.iteration))
        for i in range(len(self)):
            idx = order[i * self.batch:(i + 1) * self.batch]
            yield self.x[idx], self.y[idx]
        self.iteration += 1


def test_runs_that_cross_a_pass_replay_the_same_batches_from_a_pass_counted_loader():
    """Two probe runs at one LR are identical only if they see the same batches; with a loader that
    reorders every pass by its pass counter, that needs the counter restored between runs."""
    torch.manual_seed(0)
    x, y = torch.randn(32, 4), torch.randn(32, 1)
    loader = _PassCountedLoader(x, y)                 # 4 batches a pass; the runs take 10 steps
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    from lrscope import probe

    res = probe(model, opt, torch.nn.MSELoss(), loader, lrs=(0.05, 0.05), steps=10)
    assert np.array_equal(res.curves[0], res.curves[1])
    assert loader.iteration == 0                      # and it is put back at the end
    find_lr(model, opt, torch.nn.MSELoss(), loader, num_steps=20, progress=False)
    assert loader.iteration == 0
