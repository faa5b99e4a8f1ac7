"""One training core for find, probe and search (issue 10): a modern user loop goes through
all three, from the API and the CLI, with nothing dropped on the way.

The user's task: dict batches, AdamW with two parameter groups at a 10x ratio, gradient
clipping inside ``train_step`` (which calls ``backward`` itself), and a dict-batch validation
loader scored by an ``eval_step`` that returns the accuracy.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import lrscope  # noqa: E402
from lrscope.cli import main  # noqa: E402
from lrscope.errors import InvalidArgumentError  # noqa: E402

TASK = textwrap.dedent('''
    import torch

    CLIPPED = []

    def _batches(seed, n=256, size=32):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(n, 6, generator=g)
        y = (x[:, 0] + 0.5 * x[:, 1] > 0).long()
        return [{"features": x[i:i + size], "label": y[i:i + size]} for i in range(0, n, size)]

    def make_task(seed=0):
        torch.manual_seed(seed)
        model = torch.nn.ModuleDict({"body": torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU()),
                                     "head": torch.nn.Linear(16, 2)})
        opt = torch.optim.AdamW([{"params": model["body"].parameters(), "lr": 1e-4},
                                 {"params": model["head"].parameters(), "lr": 1e-3}], weight_decay=0.01)

        def forward(m, batch):
            return m["head"](m["body"](batch["features"]))

        def train_step(m, batch):
            loss = torch.nn.functional.cross_entropy(forward(m, batch), batch["label"])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            CLIPPED.append(1)
            return loss.detach()

        def eval_step(m, batch):
            out = forward(m, batch)
            return {"loss": torch.nn.functional.cross_entropy(out, batch["label"]),
                    "metric": (out.argmax(1) == batch["label"]).float().mean(), "n": len(batch["label"])}

        return {"model": model, "optimizer": opt, "loss_fn": None, "train_loader": _batches(seed),
                "val_loader": _batches(seed + 100, n=128), "train_step": train_step, "eval_step": eval_step,
                "name": "modern-loop"}
''')


@pytest.fixture
def task_file(tmp_path):
    path = tmp_path / "modern_task.py"
    path.write_text(TASK)
    return path


def _task(task_file):
    return lrscope.load_task(f"{task_file}:make_task", seed=0)


def test_find_lr_with_the_whole_task_uses_its_steps_and_the_accuracy_rules_answer(task_file):
    task = _task(task_file)
    before = [p.detach().clone() for p in task.model.parameters()]
    result = lrscope.find_lr(task, val_every=5, progress=False)
    assert result.val_metric is not None and np.isfinite(result.val_metric).any()
    assert result.suggestions["acc_rise"] is not None and result.suggestions["acc_plateau"] is not None
    assert result.confirm is not None and result.confirm.val_losses is not None      # ranked by validation
    assert result.lr is not None and result.one_cycle_max_lr is not None
    assert all(torch.equal(a, b) for a, b in zip(before, task.model.parameters()))
    ratios = result.group_lrs[:, 1] / result.group_lrs[:, 0]
    np.testing.assert_allclose(ratios, 10.0, rtol=1e-9)                             # swept at the user's ratio


def test_apply_and_schedule_keep_the_10x_ratio_at_every_step(task_file):
    task = _task(task_file)
    result = lrscope.find_lr(task, progress=False)
    opt = task.optimizer
    result.apply(opt)
    assert opt.param_groups[1]["lr"] == pytest.approx(10 * opt.param_groups[0]["lr"])
    assert opt.param_groups[0]["lr"] == pytest.approx(result.lr)
    for use, kw in (("one_cycle", {"total_steps": 40}), ("clr", {})):
        sched = result.apply(opt, use, **kw)
        for _ in range(40):
            opt.step()
            sched.step()
            assert opt.param_groups[1]["lr"] == pytest.approx(10 * opt.param_groups[0]["lr"], rel=1e-9)
    from lrscope.schedules import CyclicLR
    from lrscope.torch import ScheduleLR

    sched = ScheduleLR(opt, CyclicLR(1e-3, 1e-2, 10))      # the README's form: ratios kept by default
    for _ in range(25):
        opt.step()
        sched.step()
        assert opt.param_groups[1]["lr"] == pytest.approx(10 * opt.param_groups[0]["lr"], rel=1e-9)


def test_probe_with_the_whole_task(task_file):
    task = _task(task_file)
    res = lrscope.probe(task, lrs=(1e-1, 1e-3), steps=10)
    assert len(res.curves) == 2 and all(len(c) for c in res.curves)


def test_search_trials_use_the_train_step_and_the_eval_step(task_file):
    from lrscope.hpsearch import search, task_objective

    objective = task_objective(f"{task_file}:make_task", steps=20)
    assert objective.direction == "maximize"                 # the eval_step's accuracy
    result = search(objective, budget=2, seed=0, progress=False)
    done = [t for t in result.trials if t.state == "COMPLETE"]
    assert len(done) == 2, [t.reason for t in result.trials]
    assert all(0.0 <= t.metric <= 1.0 for t in done)          # accuracies, not losses
    finder = search(task_objective(f"{task_file}:make_task", steps=20), strategy="finder", budget=2, seed=0,
                    progress=False)
    assert any(t.state == "COMPLETE" for t in finder.trials), [t.reason for t in finder.trials]


@pytest.mark.parametrize("argv", [
    ["find", "{task}", "--val-every", "5", "--json", "--no-progress"],
    ["probe", "{task}", "--lrs", "0.1,0.001", "--steps", "10", "--json", "--no-progress"],
    ["search", "{task}", "--trials", "2", "--steps", "20", "--json", "--no-progress"],
])
def test_the_cli_runs_the_same_task_through_every_command(task_file, capsys, argv):
    code = main([a.format(task=f"{task_file}:make_task") for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    payload = json.loads(out)
    if argv[0] == "find":
        assert payload["suggestions"]["acc_rise"] is not None
    if argv[0] == "search":
        assert any(t["state"] == "COMPLETE" for t in payload["trials"])


def test_a_search_where_every_trial_fails_exits_1_with_the_first_failure(tmp_path, capsys):
    bad = tmp_path / "bad_task.py"
    # the step breaks after a few steps of training (not at the first step, which would be bad input)
    broken = TASK.replace("        CLIPPED.append(1)\n",
                          "        CLIPPED.append(1)\n"
                          "        if len(CLIPPED) > 3:\n"
                          "            raise RuntimeError('out of luck at step ' + str(len(CLIPPED)))\n")
    assert broken != TASK
    bad.write_text(broken)
    code = main(["search", f"{bad}:make_task", "--trials", "2", "--steps", "12", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "no trial finished" in err and "out of luck at step 4" in err and "Fix:" in err


def test_a_train_step_that_breaks_the_contract_is_named():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = [(torch.randn(8, 3), torch.randint(0, 2, (8,))) for _ in range(4)]

    def both(m, batch):           # calls backward AND returns the loss with its graph
        loss = torch.nn.functional.cross_entropy(m(batch[0]), batch[1])
        loss.backward()
        return loss

    with pytest.raises(InvalidArgumentError, match="train_step") as info:
        lrscope.find_lr(model, opt, None, data, train_step=both, progress=False)
    assert "loss.detach()" in str(info.value)


def test_summary_and_report_say_which_group_and_name_the_real_optimizer(task_file, tmp_path):
    from lrscope.report import render_html

    result = lrscope.find_lr(_task(task_file), progress=False)
    assert "every LR shown is group 0's" in result.summary() and "1, 10" in result.summary()
    html = render_html(result, total_steps=500)
    assert "torch.optim.AdamW(param_groups" in html and "torch.optim.SGD" not in html
    assert "[1, 10]" in html and "momentum=True" in html          # AdamW's beta1 is cycled
