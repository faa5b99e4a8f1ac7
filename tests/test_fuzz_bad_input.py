"""Bad input, everywhere (issue 13): every public entry point and every CLI subcommand gets a
long list of bad inputs. For each one:

* the API raises an lrscope error (``LRScopeError``) that says how to fix it; the CLI exits 2
  with ``error:`` and ``Fix:`` on stderr and no Python traceback;
* the user's model and optimizer are bit-identical afterwards (the range-test entry points);
* no file or folder is left behind (in the working directory or in TMPDIR).

The counts are reported in docs/reliability.md; re-run with
``pytest tests/test_fuzz_bad_input.py -q``.
"""

from __future__ import annotations

import textwrap

import pytest

torch = pytest.importorskip("torch")

import lrscope  # noqa: E402
from conftest import tiny_batches, tiny_classifier  # noqa: E402
from lrscope.cli import main  # noqa: E402
from lrscope.errors import LRScopeError  # noqa: E402

TASK = textwrap.dedent('''
    import torch

    def make_task(seed=0):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(64, 4, generator=g)
        y = (x.sum(1) > 0).long()
        data = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
        torch.manual_seed(seed)
        model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
        return {"model": model, "optimizer": torch.optim.SGD(model.parameters(), lr=0.1),
                "loss_fn": torch.nn.functional.cross_entropy, "train_loader": data, "val_loader": data[:1],
                "name": "fuzz"}
''')

NUMBERS_BAD = {
    # flag: values that must be refused (each one on its own)
    "--start-lr": ["0", "-1", "nan", "inf", "abc"],
    "--end-lr": ["0", "-1e-3", "nan", "inf", "abc"],
    "--num-steps": ["0", "5", "-1", "abc", "1.5", "1000000000000"],
    "--smoothing": ["-0.1", "1", "1.5", "nan", "abc"],
    "--diverge-factor": ["1", "0.5", "-1", "nan", "abc"],
    "--extend-decades": ["-1", "nan", "abc"],
    "--budget-steps": ["0", "1", "-5", "abc"],
    "--repeats": ["0", "-1", "101", "abc"],
    "--val-every": ["0", "-1", "abc"],
    "--accumulation-steps": ["0", "-1", "abc"],
    "--threads": ["0", "-1", "abc"],
    "--seed": ["-1", "abc"],
    "--mode": ["log", ""],
    "--snapshot": ["disc", "memroy"],
    "--suggest": ["bogus", "valley,nope"],
    "--plot": ["out.txt", "/proc/lrscope-x.png", "no/such/dir/x.png"],
    "--report": ["r.txt", "no/such/dir/r.html"],
    "--device": ["warp-drive"],
}
FIND = [["find", "{task}", flag, value] for flag, values in NUMBERS_BAD.items() for value in values]
FIND += [["find"], ["find", ""], ["find", "nofile.py:make_task"], ["find", "--task", "demo:no-such-task"],
         ["find", "no_such_module_xyz:make_task"], ["find", "{task}:no_such_function"], ["find", "{dir}:make_task"],
         ["find", "{task}", "--bogus-flag"], ["find", "{needs_arg}"], ["find", "{raises}"], ["find", "{syntax}"],
         ["find", "{task}", "--task", "demo:mnist1d-mlp"]]

PROBE = [["probe", "{task}", flag, value] for flag, values in {
    "--steps": ["0", "1", "abc", "1000000000000"],
    "--lrs": ["0.1,-1", "abc", "", "nan"],
    "--diverge-factor": ["1", "abc"],
    "--slow-ratio": ["0", "1.5", "abc"],
    "--plot": ["p.txt"],
    "--snapshot": ["disc"],
}.items() for value in values]

SCHEDULE = [
    ["schedule"], ["schedule", "--kind", "bogus"], ["schedule", "--kind", "cyclic"],
    ["schedule", "--kind", "cyclic", "--base-lr", "1e-3"],
    ["schedule", "--kind", "cyclic", "--base-lr", "-1", "--max-lr", "1e-2", "--step-size", "10"],
    ["schedule", "--kind", "cyclic", "--base-lr", "1e-2", "--max-lr", "1e-3", "--step-size", "10"],
    ["schedule", "--kind", "cyclic", "--base-lr", "1e-3", "--max-lr", "1e-2", "--step-size", "0"],
    ["schedule", "--kind", "cyclic", "--base-lr", "1e-3", "--max-lr", "1e-2", "--step-size", "10", "--window", "box"],
    ["schedule", "--kind", "cyclic", "--base-lr", "1e-3", "--max-lr", "1e-2", "--step-size", "10", "--policy", "x"],
    ["schedule", "--kind", "one_cycle", "--max-lr", "inf", "--total-steps", "100"],
    ["schedule", "--kind", "one_cycle", "--max-lr", "0.1", "--total-steps", "0"],
    ["schedule", "--kind", "one_cycle", "--max-lr", "0.1", "--total-steps", "100", "--pct-start", "1.5"],
    ["schedule", "--kind", "constant", "--lr", "nan"], ["schedule", "--kind", "constant", "--lr", "abc"],
    ["schedule", "--kind", "constant", "--lr", "0.1", "--steps", "0"],
    ["schedule", "--kind", "constant", "--lr", "0.1", "--steps", "1000000000000"],
    ["schedule", "--kind", "constant", "--lr", "0.1", "--every", "0"],
    ["schedule", "--kind", "constant", "--lr", "0.1", "--plot", "x.txt"],
    ["schedule", "--kind", "constant", "--lr", "0.1", "--warmup-mode", "linear"],
    ["schedule", "--kind", "constant", "--lr", "0.1", "--warmup-steps", "-3"],
    ["schedule", "--spec", "{spec_not_utf8}"], ["schedule", "--spec", "{spec_partial}"],
    ["schedule", "--spec", "{spec_list_kind}"], ["schedule", "--spec", "{spec_array}"],
    ["schedule", "--spec", "{dir}"], ["schedule", "--spec", "missing.json"], ["schedule", "--spec", "{spec_unknown_key}"],
]

SEARCH = [["search", "{task}", flag, value] for flag, values in {
    "--trials": ["0", "-1", "abc"],
    "--steps": ["0", "abc"],
    "--strategy": ["bogus"],
    "--sampler-seed": ["-5", "abc"],
    "--space": ["bogus-space"],
    "--storage": ["{journal_corrupt}"],
    "--plot": ["s.txt"],
    "--report": ["s.txt"],
}.items() for value in values]
STUDY = [["study"], ["study", "create", "--storage", "{journal_new}", "--study", "s"],
         ["study", "show", "--storage", "{journal_corrupt}"], ["study", "report", "--storage", "{journal_new}"],
         ["study", "create", "--storage", "{file_as_dir}/s.log", "--study", "s", "--direction", "minimize"]]
LANDSCAPE = [["landscape", "{task}", flag, value] for flag, values in {
    "--grid": ["2", "abc"], "--range": ["0", "-1", "nan"], "--train-steps": ["-1"], "--eval-samples": ["0"],
}.items() for value in values] + [["landscape", "{task}"]]
EXPLORE = [["explore", "--no-browser", "--port", "-1"], ["explore", "--no-browser", "--port", "70000"],
           ["explore", "--no-browser", "--port", "abc"], ["explore", "--no-browser", "--host", "999.1.1.1"],
           ["explore", "--no-browser", "--landscape", "missing.json"],
           ["explore", "--no-browser", "--landscape", "{deep_json}"],
           ["explore", "--no-browser", "--landscape", "{not_json}"],
           ["explore", "--no-browser", "--landscape", "{spec_array}"],
           ["explore", "--export", "no/such/dir/x.html"]]
TOP = [["nosuch"], ["--bogus"]]
CLI_CASES = FIND + PROBE + SCHEDULE + SEARCH + STUDY + LANDSCAPE + EXPLORE + TOP


@pytest.fixture
def files(tmp_path):
    return make_files(tmp_path)


def make_files(tmp_path):
    """The files the bad inputs point at (a good task, broken task files, bad specs, a corrupt journal)."""
    work = tmp_path / "work"
    work.mkdir()
    made = {"task": work / "task.py", "needs_arg": work / "needs.py", "raises": work / "raises.py",
            "syntax": work / "syntax.py", "spec_not_utf8": work / "latin.json", "spec_partial": work / "partial.json",
            "spec_list_kind": work / "listkind.json", "spec_array": work / "array.json",
            "spec_unknown_key": work / "unknown.json", "journal_corrupt": work / "corrupt.log",
            "deep_json": work / "deep.json", "not_json": work / "notjson.json", "file_as_dir": work / "plain.txt"}
    made["task"].write_text(TASK)
    made["needs_arg"].write_text("def make_task(seed, extra):\n    pass\n")
    made["raises"].write_text("def make_task(seed=0):\n    raise ZeroDivisionError('boom')\n")
    made["syntax"].write_text("def make_task(seed=0):\n    return (\n")
    made["spec_not_utf8"].write_bytes(b'\xff\xfe{"kind": "constant"}')
    made["spec_partial"].write_text('{"kind": "cyclic", "base_lr": 0.001}')
    made["spec_list_kind"].write_text('{"kind": ["cyclic"]}')
    made["spec_array"].write_text("[1, 2, 3]")
    made["spec_unknown_key"].write_text('{"kind": "constant", "lr": 0.1, "lrr": 1}')
    made["journal_corrupt"].write_text("garbage{\n")
    made["deep_json"].write_text("[" * 100000 + "]" * 100000)
    made["not_json"].write_text("{not json")
    made["file_as_dir"].write_text("a file")
    subs = {k: str(v) for k, v in made.items()}
    subs["task"] = f"{made['task']}:make_task"
    for k in ("needs_arg", "raises", "syntax"):
        subs[k] = f"{made[k]}:make_task"
    subs["dir"] = str(work)
    subs["journal_new"] = str(work / "new.log")
    return work, subs


def _fill(argv, subs):
    return [a.format(**subs) if "{" in a and "}" in a and not a.startswith("{not") else a for a in argv]


@pytest.mark.parametrize("argv", CLI_CASES, ids=[" ".join(a) for a in CLI_CASES])
def test_cli_bad_input_exits_2_with_a_fix_and_leaves_nothing(argv, files, capsys, monkeypatch, tmp_path):
    work, subs = files
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", str(tmp))
    before = sorted(p.name for p in work.iterdir())
    try:
        code = main(_fill(argv, subs))
    except SystemExit as exc:     # argparse's own exits (e.g. --help) are not expected here
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2, (code, out[-500:], err[-1500:])
    assert "error:" in err and "Fix:" in err, err[-1500:]
    assert "Traceback" not in err
    assert sorted(p.name for p in work.iterdir()) == before
    assert [p.name for p in tmp.iterdir() if not p.name.startswith("torchinductor")] == []


# ----------------------------------------------------------------------------------------- the API
def _data():
    return tiny_batches()


def _setup():
    return tiny_classifier(torch.optim.SGD, momentum=0.9)


CE = torch.nn.functional.cross_entropy
FIND_KW_BAD = {
    "start_lr": [0, -1.0, float("nan"), "x", None], "end_lr": [0, float("inf"), "x"],
    "num_steps": [0, 9, 2.5, 10 ** 12, "100", True], "mode": ["log", 3], "smoothing": [-0.5, 1.0, "a"],
    "diverge_factor": [1.0, 0.0, float("nan")], "extend_decades": [-1, float("nan"), "4"],
    "budget_steps": [0, 1, -3, 1.5], "repeats": [0, 101, "2"], "seed": [-1, "x", 1.5],
    "val_every": [0, "x"], "accumulation_steps": [0, -2], "snapshot": ["disc", 3, ""],
    "grad_scaler": ["yes", 3], "device": ["warp-drive"], "train_step": ["not callable"],
    "metric": ["not callable", lambda out, y: "x"],
}
PROBE_KEYS = ("diverge_factor", "seed", "snapshot", "grad_scaler", "device", "train_step", "accumulation_steps")
API_FIND = [(entry, k, v) for k, values in FIND_KW_BAD.items() for v in values
            for entry in ("find_lr", "probe") if entry == "find_lr" or k in PROBE_KEYS]


@pytest.mark.parametrize("entry, key, value", API_FIND, ids=[f"{e}-{k}={v!r}" for e, k, v in API_FIND])
def test_api_bad_keyword_is_an_lrscope_error_and_nothing_changes(entry, key, value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    model, opt = _setup()
    before = ([p.detach().clone() for p in model.parameters()], repr(opt.state_dict()))
    kw = {key: value}
    if key == "val_every":
        kw["val_loader"] = _data()[:1]
    with pytest.raises(LRScopeError) as info:
        if entry == "find_lr":
            lrscope.find_lr(model, opt, CE, _data(), progress=False, **kw)
        else:
            lrscope.probe(model, opt, CE, _data(), lrs=(0.1, 0.01), steps=5, **kw)
    assert "Fix:" in str(info.value)
    assert all(torch.equal(a, b) for a, b in zip(before[0], model.parameters()))
    assert before[1] == repr(opt.state_dict())
    assert list(tmp_path.iterdir()) == []


def _api_calls():
    from lrscope import schedules as S
    from lrscope.adapters.torch_scheduler import ScheduleLR
    from lrscope.analysis import RangeTestResult, synthetic_result

    model, opt = _setup()
    good = synthetic_result(lambda u: 2.0 - 0.5 * (u > -3) + (u > -1) * 5.0, num_steps=60)
    d = good.to_dict()
    return {
        "find_lr model": lambda: lrscope.find_lr("model", opt, CE, _data()),
        "find_lr optimizer": lambda: lrscope.find_lr(model, "opt", CE, _data()),
        "find_lr loss_fn": lambda: lrscope.find_lr(model, opt, "ce", _data()),
        "find_lr loader": lambda: lrscope.find_lr(model, opt, CE, 3),
        "find_lr empty loader": lambda: lrscope.find_lr(model, opt, CE, []),
        "find_lr LBFGS": lambda: lrscope.find_lr(model, torch.optim.LBFGS(model.parameters()), CE, _data()),
        "probe lrs negative": lambda: lrscope.probe(model, opt, CE, _data(), lrs=(0.1, -1)),
        "probe lrs empty": lambda: lrscope.probe(model, opt, CE, _data(), lrs=()),
        "probe steps huge": lambda: lrscope.probe(model, opt, CE, _data(), steps=10 ** 12),
        "probe slow_ratio": lambda: lrscope.probe(model, opt, CE, _data(), slow_ratio=2.0),
        "from_spec kind list": lambda: S.from_spec({"kind": ["cyclic"]}),
        "from_spec missing": lambda: S.from_spec({"kind": "cyclic", "base_lr": 1e-3}),
        "from_spec unknown": lambda: S.from_spec({"kind": "constant", "lr": 0.1, "x": 1}),
        "from_spec not dict": lambda: S.from_spec([1]),
        "cyclic max below base": lambda: S.CyclicLR(1e-2, 1e-3, 10),
        "cyclic window": lambda: S.CyclicLR(1e-3, 1e-2, 10, window="box"),
        "cyclic scale_fn str": lambda: S.CyclicLR(1e-3, 1e-2, 10, scale_fn=lambda x: "half")(3),
        "one_cycle total": lambda: S.OneCycle(0.1, total_steps=0),
        "schedule negative step": lambda: S.Constant(0.1)(-1),
        "ScheduleLR optimizer": lambda: ScheduleLR("opt", S.Constant(0.1)),
        "ScheduleLR schedule": lambda: ScheduleLR(opt, "cyclic"),
        "from_dict not dict": lambda: RangeTestResult.from_dict(3),
        "from_dict lrs": lambda: RangeTestResult.from_dict({**d, "lrs": ["a"] * len(d["lrs"])}),
        "from_dict repeats": lambda: RangeTestResult.from_dict({**d, "repeats": 5}),
        "from_dict format": lambda: RangeTestResult.from_dict({**d, "format": "other"}),
        "suggest rule": lambda: good.suggest("bogus"),
        "suggest_for use": lambda: good.suggest_for("bogus"),
        "plot ax": lambda: good.plot(ax="foo"),
        "clr_spec epochs": lambda: good.clr_spec(iterations_per_epoch=0),
        "synthetic num_steps": lambda: synthetic_result(lambda u: u, num_steps=2),
        "load_task spec": lambda: lrscope.load_task("no-colon"),
        "load_task demo": lambda: lrscope.load_task("demo:nope"),
        "search budget": lambda: lrscope.hpsearch.search(lambda cfg: 1.0, budget=0),
        "search seed": lambda: lrscope.hpsearch.search(lambda cfg: 1.0, budget=1, seed="x"),
        "search strategy": lambda: lrscope.hpsearch.search(lambda cfg: 1.0, budget=1, strategy="bogus"),
        "search plot axes": lambda: lrscope.hpsearch.search(lambda cfg: 1.0, budget=1, progress=False).plot(axes="ab"),
        "write_html result": lambda: lrscope.report.write_html("x", "r.html"),
        "landscape file": lambda: lrscope.web.load_landscape("missing.json"),
        "landscape doc": lambda: lrscope.web.validate_landscape({"format": "lrscope-landscape"}),
    }


API_NAMES = list(_api_calls())


@pytest.mark.parametrize("name", API_NAMES)
def test_api_bad_call_is_an_lrscope_error(name, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import lrscope.hpsearch  # noqa: F401
    import lrscope.report  # noqa: F401
    import lrscope.web  # noqa: F401

    monkeypatch.chdir(tmp_path)
    call = _api_calls()[name]
    with pytest.raises(LRScopeError) as info:
        call()
    assert "Fix:" in str(info.value), str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_the_fuzz_list_is_long_enough():
    # issue 13: at least 150 bad inputs over every public entry point and CLI subcommand
    assert len(CLI_CASES) + len(API_FIND) + len(API_NAMES) >= 150
    assert {argv[0] for argv in CLI_CASES if argv} >= {"find", "probe", "schedule", "search", "study", "landscape",
                                                        "explore"}
