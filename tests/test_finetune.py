"""Fine-tuning helpers (issue 14, part 3): discriminative parameter groups and freezing by module
name, checked against counts of parameters computed independently from the modules."""

from __future__ import annotations

import pytest

from conftest import python_blocks, run_python_blocks

torch = pytest.importorskip("torch")

import lrscope  # noqa: E402
from lrscope.errors import InvalidArgumentError  # noqa: E402


def _net():
    torch.manual_seed(0)
    net = torch.nn.Module()
    net.backbone = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.BatchNorm1d(16), torch.nn.Linear(16, 16))
    net.neck = torch.nn.Linear(16, 16)
    net.head = torch.nn.Linear(16, 3)
    return net


def _count(module):
    return sum(p.numel() for p in module.parameters())


def test_groups_hold_exactly_each_modules_parameters_at_their_lr():
    net = _net()
    opt = lrscope.param_groups(net, {"backbone": 0.1, "neck": 0.3, "head": 1.0}, lr=2e-3,
                               base_optimizer=torch.optim.AdamW, weight_decay=0.05)
    assert isinstance(opt, torch.optim.AdamW)
    by_name = {g["name"]: g for g in opt.param_groups}
    for name, module, scale in (("backbone", net.backbone, 0.1), ("neck", net.neck, 0.3), ("head", net.head, 1.0)):
        g = by_name[name]
        assert sum(p.numel() for p in g["params"]) == _count(module)
        assert {id(p) for p in g["params"]} == {id(p) for p in module.parameters()}
        assert g["lr"] == pytest.approx(2e-3 * scale) and g["weight_decay"] == 0.05
    assert [g["name"] for g in opt.param_groups] == ["backbone", "neck", "head"]      # the order given


def test_predicates_and_the_rest_key():
    net = _net()
    groups = lrscope.param_groups(net, {(lambda n, p: n.endswith("bias")): 0.0 + 1.0, "*": 0.5}, lr=1.0)
    biases = [p for n, p in net.named_parameters() if n.endswith("bias")]
    assert sum(p.numel() for p in groups[0]["params"]) == sum(p.numel() for p in biases)
    assert sum(p.numel() for g in groups for p in g["params"]) == _count(net)
    assert groups[1]["lr"] == 0.5


@pytest.mark.parametrize("scales, words", [
    ({"backbone": 0.1, "head": 1.0}, "matched by no key"),                 # the neck is left out
    ({"backbone": 0.1, "backbone.0": 1.0, "*": 1.0}, "must not overlap"),
    ({"backbone": 0.1, "tail": 1.0, "*": 1.0}, "must each match"),
    ({"backbone": 0.0, "*": 1.0}, "scales['backbone']"),
    ({}, "non-empty"),
])
def test_bad_groupings_are_clear_errors(scales, words):
    with pytest.raises(InvalidArgumentError, match="Fix:") as info:
        lrscope.param_groups(_net(), scales)
    assert words in str(info.value)


def test_freeze_and_unfreeze_set_exactly_the_named_modules_flags():
    net = _net()
    assert lrscope.freeze(net, "backbone") == _count(net.backbone)
    for name, p in net.named_parameters():
        assert p.requires_grad == (not name.startswith("backbone."))
    assert lrscope.unfreeze(net, "backbone.2") == _count(net.backbone[2])      # gradual unfreezing
    assert [p.requires_grad for p in net.backbone.parameters()] == [False, False, False, False, True, True]
    with pytest.raises(InvalidArgumentError, match="top-level modules"):
        lrscope.freeze(net, "bakcbone")


def test_the_documented_fine_tuning_workflow_runs():
    """docs/finetuning.md's workflow: head only with the backbone frozen, then everything at a
    ratio; the range test keeps the ratio, and the answer applies to both groups."""
    import pathlib
    doc = pathlib.Path(__file__).resolve().parent.parent / "docs" / "finetuning.md"
    blocks = python_blocks(doc)
    assert blocks, "docs/finetuning.md lost its example"
    scope = run_python_blocks(doc, blocks, name="docs_finetuning")
    first, second, opt = scope["first"], scope["second"], scope["optimizer"]
    assert first.lr is not None and second.lr is not None
    ratios = second.group_lrs[:, 1] / second.group_lrs[:, 0]           # backbone over head, every step
    assert ratios.min() == pytest.approx(0.1) and ratios.max() == pytest.approx(0.1)
    assert opt.param_groups[1]["lr"] == pytest.approx(0.1 * opt.param_groups[0]["lr"])
    assert opt.param_groups[0]["lr"] == pytest.approx(second.lr)


# --------------------------------------------------------------------------- warm-up (issue 14, part 2)
@pytest.mark.parametrize("beta2, budget", [(0.999, 1000), (0.999, 10 ** 6), (0.99, 50_000), (0.98, None)])
def test_the_warmup_suggestion_follows_its_rule(beta2, budget):
    from lrscope.analysis.confidence import WARMUP_FRACTION, warmup_suggestion

    w = warmup_suggestion("AdamW", beta2, budget)
    cap = 2 / (1 - beta2)                                   # Ma & Yarats' untuned warm-up, in steps
    assert w["max_steps"] == round(cap)
    expected = None if budget is None else min(round(WARMUP_FRACTION * budget), round(cap))
    assert w["steps"] == expected
    assert w["one_cycle_steps"] == 0 and "max_lr/25" in w["one_cycle_rule"]
    assert warmup_suggestion("SGD", None, budget) is None
    assert warmup_suggestion("RAdam", beta2, budget)["steps"] == 0


def test_find_lr_reports_the_warmup_for_adam_and_not_for_sgd():
    import json

    g = torch.Generator().manual_seed(0)
    x = torch.randn(128, 4, generator=g)
    data = [(x[i:i + 32], (x[i:i + 32, 0] > 0).long()) for i in range(0, 128, 32)]
    for opt_cls, kw, expect in ((torch.optim.AdamW, {"betas": (0.9, 0.99)}, True), (torch.optim.SGD, {}, False)):
        torch.manual_seed(0)
        model = torch.nn.Linear(4, 2)
        res = lrscope.find_lr(model, opt_cls(model.parameters(), lr=1e-3, **kw), torch.nn.functional.cross_entropy,
                              data, budget_steps=2000, progress=False)
        payload = json.loads(json.dumps(res.to_dict()))
        if expect:
            assert res.beta2 == 0.99 and res.warmup["steps"] == min(100, 200)
            assert payload["warmup"]["steps"] == 100 and "warmup (constant lr): 100 steps" in res.summary()
            assert "warmup (one-cycle): none extra" in res.summary()
        else:
            assert res.warmup is None and payload["warmup"] is None and "warmup" not in res.summary()
