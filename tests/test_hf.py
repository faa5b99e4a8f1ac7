"""lrscope.hf: the range test on a Hugging Face Trainer's own training, and its answers as
TrainingArguments fields. Every expectation comes from transformers' own behaviour (the scheduler
and the LRs a real ``trainer.train()`` uses), from the schedules' published shapes written here,
or from bit-for-bit state equality; none is copied from lrscope's code."""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import random
from pathlib import Path

import pytest

from conftest import python_blocks, run_python_blocks

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from transformers import (  # noqa: E402
    BertConfig,
    BertForSequenceClassification,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)

import lrscope.hf  # noqa: E402
from lrscope.errors import InvalidArgumentError  # noqa: E402
from lrscope.torch import ScheduleLR  # noqa: E402

torch.set_num_threads(1)
DOC = Path(__file__).resolve().parent.parent / "docs" / "huggingface.md"
SWEEP = dict(start_lr=1e-5, end_lr=1.0, num_steps=40)   # the tiny task learns near 1e-2
BATCH, N_TRAIN, EPOCHS = 8, 128, 2                       # 16 batches per epoch: 32 optimizer steps


class Tokens(torch.utils.data.Dataset):
    """Sequences of 8 token ids; the label says whether the first token is above 32."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, 64, (n, 8), generator=g)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": int(self.ids[i, 0] > 32)}


def make_model(dropout=0.1):
    torch.manual_seed(0)
    return BertForSequenceClassification(BertConfig(
        vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        num_labels=2, hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout))


def make_args(tmp_path, **fields):
    base = dict(output_dir=str(tmp_path / "out"), per_device_train_batch_size=BATCH, num_train_epochs=EPOCHS,
                report_to=[], save_strategy="no", logging_strategy="no", disable_tqdm=True, use_cpu=True)
    base.update(fields)
    return TrainingArguments(**base)


def make_trainer(tmp_path, model=None, cls=Trainer, eval_dataset=None, **fields):
    return cls(model=model if model is not None else make_model(), args=make_args(tmp_path, **fields),
               train_dataset=Tokens(N_TRAIN, 1), eval_dataset=eval_dataset)


class RecordLR(TrainerCallback):
    """The LR of group 0 each optimizer step actually used (read just before the step)."""

    def __init__(self):
        self.lrs = []

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        self.lrs.append(float(kwargs["optimizer"].param_groups[0]["lr"]))


def train_recording(trainer):
    rec = RecordLR()
    trainer.add_callback(rec)
    trainer.train()
    return np.array(rec.lrs)


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    """One range test (no confirmation runs: fast) on a fresh Trainer, shared by the schedule tests."""
    trainer = make_trainer(tmp_path_factory.mktemp("found"))
    out = lrscope.hf.find_lr(trainer, confirm=False, **SWEEP)
    assert out.result.lr is not None and out.result.one_cycle_max_lr is not None and out.result.clr is not None
    return out


# --------------------------------------------------------------------------- restore


def _rngs():
    return random.getstate(), np.random.get_state(), torch.get_rng_state()


def _same_rngs(a, b):
    return a[0] == b[0] and all(np.array_equal(x, y) for x, y in zip(a[1][1:3], b[1][1:3])) \
        and torch.equal(a[2], b[2])


def test_a_trained_trainer_is_left_bit_for_bit_as_it_was(tmp_path):
    trainer = make_trainer(tmp_path, max_steps=6)
    trainer.train()                      # an optimizer with Adam state, a scheduler, global_step 6
    optimizer, scheduler = trainer.optimizer, trainer.lr_scheduler
    inner = optimizer.optimizer if hasattr(optimizer, "optimizer") else optimizer
    weights = {k: t.clone() for k, t in trainer.model.state_dict().items()}
    opt_state = copy.deepcopy(inner.state_dict())
    lrs = [g["lr"] for g in inner.param_groups]
    state_json, control = dataclasses.asdict(trainer.state), copy.deepcopy(trainer.control)
    training = trainer.model.training
    random.seed(3), np.random.seed(3), torch.manual_seed(3)
    rngs = _rngs()

    got = lrscope.hf.find_lr(trainer, validate=False, **SWEEP)

    assert got.result.cost_steps > len(got.result.lrs) > 10   # the sweep and the confirmation runs did train
    assert trainer.state.global_step == 6
    assert dataclasses.asdict(trainer.state) == state_json
    assert trainer.control == control
    assert trainer.optimizer is optimizer and trainer.lr_scheduler is scheduler
    after = trainer.model.state_dict()
    assert all(torch.equal(weights[k], after[k]) for k in weights)
    new_state = inner.state_dict()
    assert new_state["param_groups"] == opt_state["param_groups"]
    for k, s in opt_state["state"].items():
        assert all(torch.equal(s[n], new_state["state"][k][n]) for n in s)
    assert [g["lr"] for g in inner.param_groups] == lrs == [0.0, 0.0]   # the linear decay ended at 0
    assert trainer.model.training == training
    assert _same_rngs(rngs, _rngs())


def test_a_fresh_trainer_builds_its_own_optimizer_afterwards_and_trains_at_the_returned_lr(tmp_path):
    trainer = make_trainer(tmp_path)
    weights = {k: t.clone() for k, t in trainer.model.state_dict().items()}
    got = lrscope.hf.find_lr(trainer, confirm=False, **SWEEP)
    assert trainer.optimizer is None and trainer.lr_scheduler is None and trainer.state.global_step == 0
    assert all(torch.equal(weights[k], t) for k, t in trainer.model.state_dict().items())

    got.apply(trainer)
    lrs = train_recording(trainer)
    fields = got.training_args
    assert trainer.state.max_steps == got.budget_steps == EPOCHS * N_TRAIN // BATCH   # the Trainer's own plan
    assert len(lrs) == got.budget_steps
    # an AdamW run (the Trainer's default optimizer): a linear warm-up of 5% of the run (at most 2/(1-beta2))
    warm = min(round(0.05 * got.budget_steps), round(2 / (1 - trainer.args.adam_beta2)))
    assert fields["lr_scheduler_type"] == "constant_with_warmup" and fields["warmup_steps"] == warm
    L = got.result.lr
    expected = [L * k / warm if k < warm else L for k in range(len(lrs))]   # transformers' documented warm-up
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert trainer.optimizer.param_groups[0]["lr"] == L


def test_apply_on_a_trainer_holding_an_optimizer_moves_every_group_to_the_new_lr(tmp_path, found):
    model = make_model()
    opt = torch.optim.AdamW([{"params": model.bert.parameters(), "lr": 1e-4},
                             {"params": model.classifier.parameters(), "lr": 1e-3}])
    trainer = Trainer(model=model, args=make_args(tmp_path), train_dataset=Tokens(N_TRAIN, 1), optimizers=(opt, None))
    found.apply(trainer, use="wsd")
    lrs = train_recording(trainer)
    L = found.result.lr
    assert getattr(trainer.optimizer, "optimizer", trainer.optimizer) is opt   # accelerate wraps it in train()
    assert max(lrs) == pytest.approx(L, rel=1e-12)
    assert opt.param_groups[1]["initial_lr"] == pytest.approx(10 * L, rel=1e-12)   # the head keeps its 10x
    own = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    with pytest.raises(InvalidArgumentError, match=r"`trainer`.*lr_scheduler.*Fix: build the Trainer"):
        found.apply(Trainer(model=model, args=make_args(tmp_path), train_dataset=Tokens(8, 1),
                            optimizers=(opt, own)))


# --------------------------------------------------------------------------- the Trainer's loss and steps


class CountingTrainer(Trainer):
    """A Trainer whose compute_loss is overridden: it records each call."""

    calls: list

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        self.calls.append((model is self.model, model.training, int(inputs["input_ids"].shape[0]),
                           torch.is_autocast_enabled("cpu")))
        return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                    num_items_in_batch=num_items_in_batch)


def test_compute_loss_collator_and_gradient_accumulation_are_the_trainers(tmp_path):
    collated = []

    def collator(features):
        collated.append(len(features))
        return {"input_ids": torch.stack([f["input_ids"] for f in features]),
                "labels": torch.tensor([f["labels"] for f in features])}

    trainer = CountingTrainer(model=make_model(dropout=0.0), train_dataset=Tokens(N_TRAIN, 1), data_collator=collator,
                              args=make_args(tmp_path, per_device_train_batch_size=4, gradient_accumulation_steps=2,
                                                optim="sgd"))
    trainer.calls = []
    got = lrscope.hf.find_lr(trainer, confirm=False, **SWEEP)
    r = got.result
    assert len(trainer.calls) == 2 * r.cost_steps                     # two micro-batches per optimizer step
    assert all(c == (True, True, 4, False) for c in trainer.calls)   # the trainer's model, train mode, batch 4
    assert len(collated) >= len(trainer.calls) and set(collated) == {4}
    assert got.budget_steps == EPOCHS * math.ceil(N_TRAIN / 4 / 2)

    # the first two recorded losses, by hand: the Trainer's batches and compute_loss, loss / 2 per
    # micro-batch (transformers' gradient accumulation), one step of the Trainer's optimizer at lrs[0]
    model = trainer.model
    batches = iter(trainer.get_train_dataloader())
    b = [next(batches) for _ in range(4)]
    model.train()
    first = [trainer.compute_loss(model, x) for x in b[:2]]
    optimizer = trainer.create_optimizer()
    for g in optimizer.param_groups:
        g["lr"] = float(r.lrs[0])
    optimizer.zero_grad()
    for loss in first:
        (loss / 2).backward()
    optimizer.step()
    with torch.no_grad():
        second = [trainer.compute_loss(model, x) for x in b[2:]]
    np.testing.assert_allclose(r.losses[:2], [np.mean([float(x.detach()) for x in first]),
                                              np.mean([float(x) for x in second])], rtol=1e-6)


def test_bf16_runs_compute_loss_under_the_trainers_autocast(tmp_path):
    for bf16 in (True, False):
        trainer = make_trainer(tmp_path, cls=CountingTrainer, bf16=bf16)
        trainer.calls = []
        lrscope.hf.find_lr(trainer, confirm=False, start_lr=1e-4, end_lr=1e-2, num_steps=10, extend_decades=0)
        assert trainer.calls and all(c[3] is bf16 for c in trainer.calls)


def test_validate_scores_the_eval_set_with_compute_loss_in_eval_mode(tmp_path):
    eval_set = Tokens(24, 2)
    trainer = make_trainer(tmp_path, cls=CountingTrainer, eval_dataset=eval_set, per_device_eval_batch_size=8)
    trainer.calls = []
    got = lrscope.hf.find_lr(trainer, validate=True, **SWEEP)
    vals = [x for runs in (got.result.confirm, got.result.confirm_long) if runs is not None for x in runs.val_losses]
    evaluated = sum(math.isfinite(x) for x in vals)
    assert evaluated >= 1
    seen = sum(c[2] for c in trainer.calls if not c[1])    # examples scored in eval mode
    assert seen == evaluated * len(eval_set)
    assert all(x > 0 for x in vals if math.isfinite(x))    # cross-entropy losses


# --------------------------------------------------------------------------- TrainingArguments fields


def _one_cycle_shape(lrs, L):
    """Smith & Topin's one-cycle: start at max_lr/25, rise to max_lr over ~30%, fall to max_lr/25/1e4."""
    k = int(np.argmax(lrs))
    assert lrs[0] == pytest.approx(L / 25, rel=1e-9)
    assert lrs[k] == pytest.approx(L, rel=1e-9) and abs(k + 1 - 0.3 * len(lrs)) <= 1
    assert np.all(np.diff(lrs[:k + 1]) > 0) and np.all(np.diff(lrs[k:]) < 0)
    assert lrs[-1] == pytest.approx(L / 25 / 1e4, rel=1e-6)


@pytest.mark.parametrize("use", ["constant", "one_cycle", "wsd"])
def test_the_fields_build_training_arguments_whose_trainer_runs_that_schedule(tmp_path, found, use):
    fields = found.training_args_for(use)
    TrainingArguments(**fields)                       # accepted as they are
    trainer = make_trainer(tmp_path, **fields)
    lrs = train_recording(trainer)
    T = trainer.state.max_steps
    assert len(lrs) == T == found.budget_steps
    if use == "constant":
        L, W = found.result.lr, min(round(0.05 * T), 2000)
        np.testing.assert_allclose(lrs, [L * k / W if k < W else L for k in range(T)], rtol=1e-12)
    elif use == "one_cycle":
        _one_cycle_shape(lrs, found.result.one_cycle_max_lr)
    else:   # warm-up (the constant LR's), stable at the constant LR, decay over the last 20%
        L, W, D = found.result.lr, min(round(0.05 * T), 2000), round(0.2 * T)
        np.testing.assert_allclose(lrs[:W], [L * k / W for k in range(W)], rtol=1e-12)
        np.testing.assert_allclose(lrs[W:T - D + 1], L, rtol=1e-12)
        assert np.all(np.diff(lrs[T - D:]) < 0) and lrs[-1] < 0.1 * L


def test_without_a_known_length_the_warmup_is_a_fraction_of_the_run(found):
    import dataclasses

    fields = lrscope.hf.to_training_args(dataclasses.replace(found.result, budget_steps=None), "constant")
    assert TrainingArguments(**fields).get_warmup_steps(1000) == 50      # 5% of whatever the run is


def test_the_cyclic_pair_drives_the_trainer_through_the_clr_band(tmp_path, found):
    spec = found.result.clr
    base, peak, s = spec["base_lr"], spec["max_lr"], spec["step_size"]

    def triangular(t):   # Smith (2017), eq. for the triangular policy
        cycle = math.floor(1 + t / (2 * s))
        x = abs(t / s - 2 * cycle + 1)
        return base + (peak - base) * max(0.0, 1 - x)

    trainer = make_trainer(tmp_path)
    pair = found.cyclic_optimizers(trainer)
    assert trainer.optimizer is None and isinstance(pair[1], ScheduleLR)
    trainer2 = Trainer(model=trainer.model, args=make_args(tmp_path), train_dataset=Tokens(N_TRAIN, 1),
                       optimizers=pair)
    lrs = train_recording(trainer2)
    np.testing.assert_allclose(lrs, [triangular(t) for t in range(len(lrs))], rtol=1e-9)

    trainer3 = make_trainer(tmp_path)
    found.apply(trainer3, use="clr")
    np.testing.assert_allclose(train_recording(trainer3), lrs, rtol=1e-12)


# --------------------------------------------------------------------------- bad input


def test_bad_input_names_the_argument_the_value_and_the_fix(tmp_path, found):
    def raises(pattern, fn, *a, **kw):
        with pytest.raises(InvalidArgumentError, match=pattern) as info:
            fn(*a, **kw)
        assert "Fix:" in str(info.value)

    model = make_model()
    raises(r"`trainer` must be a transformers.Trainer, got trainer='BertForSequenceClassification'",
           lrscope.hf.find_lr, model)
    no_data = Trainer(model=model, args=make_args(tmp_path))
    raises(r"`trainer` needs a train_dataset.*train_dataset=None", lrscope.hf.find_lr, no_data)
    trainer = make_trainer(tmp_path)
    raises(r"`use` must be one of .*got use='cosine'", lrscope.hf.find_lr, trainer, use="cosine")
    raises(r"`validate` needs the Trainer's eval_dataset", lrscope.hf.find_lr, trainer, validate=True)
    raises(r"`optimizer` is set from the Trainer", lrscope.hf.find_lr, trainer, optimizer=torch.optim.SGD(
        model.parameters(), lr=0.1))
    raises(r"`num_step` is not an argument.*did you mean 'num_steps'", lrscope.hf.find_lr, trainer, num_step=10)
    raises(r"`use` has no TrainingArguments fields.*cyclic_optimizers", found.training_args_for, "clr")
    raises(r"`use` must be one of", found.apply, trainer, use="linear")
    raises(r"`trainer` must be a transformers.Trainer", found.apply, model)
    assert trainer.optimizer is None and trainer.state.global_step == 0   # nothing ran


# --------------------------------------------------------------------------- docs and names


def test_the_docs_example_runs(capsys):
    blocks = python_blocks(DOC)
    assert len(blocks) >= 2, "docs/huggingface.md lost its examples"
    space = run_python_blocks(DOC, blocks)
    out = capsys.readouterr().out
    assert "'learning_rate'" in out and "True" in out
    assert space["trainer"].state.global_step == space["found"].budget_steps
    assert space["trainer3"].state.global_step > 0


def test_the_public_names_are_documented():
    api = DOC.read_text().split("## Public API", 1)[1]
    assert set(lrscope.hf.__all__) == {"find_lr", "TrainerLR", "to_training_args", "USES", "WSD_DECAY_FRACTION"}
    for name in lrscope.hf.__all__ + ["training_args", "training_args_for", "apply", "cyclic_optimizers"]:
        assert f"`{name}" in api or f".{name}" in api, name
