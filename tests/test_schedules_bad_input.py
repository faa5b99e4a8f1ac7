"""Issue 13: bad schedule input is an lrscope error naming the argument and the fix, never a raw traceback.

Covers specs missing required keys (every kind, read from the class signature), a "kind"
that is not a string (top level and nested), unreadable / non-UTF-8 / non-object
``--spec`` files, the ``--steps``/``--every`` bound of ``lrscope schedule``, and a user
``scale_fn`` that returns something other than a finite number.
"""

from __future__ import annotations

import inspect
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

import lrscope.schedules as S
from lrscope._cli.schedule import _FLAGS, _FLAT_KINDS, MAX_STEPS
from lrscope.cli import main
from lrscope.errors import InvalidArgumentError, LRScopeError
from lrscope.schedules import KINDS, CyclicLR, from_spec


def _raises_lrscope_error(fn, name: str) -> str:
    """Run fn; it must raise an lrscope error naming `name` with a fix. Returns the message."""
    with pytest.raises(LRScopeError) as exc:
        fn()
    assert isinstance(exc.value, InvalidArgumentError)
    assert exc.value.name == name
    msg = str(exc.value)
    assert f"`{name}`" in msg and "Fix:" in msg
    return msg


def _cli_error(argv, capsys) -> str:
    """Run the CLI; it must exit 2 with `error:` and `Fix:` and no traceback. Returns stderr."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "error:" in err and "Fix:" in err and "Traceback" not in err
    return err


def _required(cls) -> list[str]:
    """The constructor arguments without a default, from the signature (independent of the code under test)."""
    return [p.name for p in inspect.signature(cls).parameters.values() if p.default is inspect.Parameter.empty]


_FLAG_OF = {dest: flag for flag, (dest, _) in _FLAGS.items()} | {"milestones": "--milestones"}


# -- 1. missing required keys / flags ------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_spec_with_only_its_kind_names_every_missing_key(kind):
    required = _required(KINDS[kind])
    assert required, kind
    msg = _raises_lrscope_error(lambda: from_spec({"kind": kind}), f"{kind} spec")
    assert f"needs {', '.join(required)}" in msg


def test_a_partial_cyclic_spec_names_only_the_missing_keys():
    msg = _raises_lrscope_error(lambda: from_spec({"kind": "cyclic", "base_lr": 1e-3}), "cyclic spec")
    assert "needs max_lr, step_size," in msg


@pytest.mark.parametrize("spec,name,words", [
    ({"kind": "warmup", "warmup_steps": 5, "schedule": {"kind": "cyclic", "base_lr": 1e-3}}, "cyclic spec",
     "needs max_lr, step_size"),
    ({"kind": "join", "boundaries": [5], "schedules": [{"kind": "constant", "lr": 0.1}, {"kind": "cosine", "lr": 0.1}]},
     "cosine spec", "needs total_steps"),
    ({"kind": "warmup", "schedule": {"kind": "constant", "lr": 0.1}}, "warmup spec", "needs warmup_steps"),
])
def test_nested_specs_name_their_missing_keys(spec, name, words):
    assert words in _raises_lrscope_error(lambda: from_spec(spec), name)


def test_from_dict_names_missing_keys_too():
    msg = _raises_lrscope_error(lambda: S.OneCycle.from_dict({"max_lr": 0.1}), "one_cycle spec")
    assert "needs total_steps" in msg


@pytest.mark.parametrize("kind", _FLAT_KINDS)
def test_cli_kind_without_its_flags_names_the_missing_flags(kind, capsys):
    err = _cli_error(["schedule", "--kind", kind], capsys)
    flags = [_FLAG_OF[name] for name in _required(KINDS[kind])]
    assert f"needs {', '.join(flags)}" in err and "`--kind`" in err


def test_cli_partial_cyclic_flags_name_the_rest(capsys):
    err = _cli_error(["schedule", "--kind", "cyclic", "--base-lr", "1e-3"], capsys)
    assert "cyclic needs --max-lr, --step-size" in err and "--max-lr MAX_LR --step-size STEP_SIZE" in err


def test_cli_spec_file_with_missing_keys(tmp_path, capsys):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"kind": "cyclic", "base_lr": 1e-3}))
    assert "`cyclic spec` needs max_lr, step_size" in _cli_error(["schedule", "--spec", str(f)], capsys)


# -- 2. a kind that is not a string, at any depth ------------------------------------------------

@pytest.mark.parametrize("kind", [["cyclic"], {"cyclic": 1}, 3, 1.5, None, True], ids=repr)
def test_a_kind_that_is_not_a_string(kind):
    msg = _raises_lrscope_error(lambda: from_spec({"kind": kind, "lr": 0.1}), "kind")
    assert "must be a string" in msg and "'cyclic'" in msg


@pytest.mark.parametrize("spec,name", [
    ({"kind": "warmup", "warmup_steps": 5, "schedule": {"kind": ["constant"], "lr": 0.1}}, "kind"),
    ({"kind": "join", "boundaries": [5], "schedules": [{"kind": "constant", "lr": 0.1}, {"kind": {"a": 1}}]}, "kind"),
    ({"kind": "warmup", "warmup_steps": 5, "schedule": {"kind": "warmup", "warmup_steps": 2,
                                                        "schedule": {"kind": [1, 2]}}}, "kind"),
    ({"kind": "warmup", "warmup_steps": 5, "schedule": "constant"}, "schedule"),
    ({"kind": "join", "boundaries": [5], "schedules": [{"kind": "constant", "lr": 0.1}, 5]}, "schedules[1]"),
    ({"kind": "join", "boundaries": [5], "schedules": [{"kind": "constant", "lr": 0.1}, {"lr": 0.1}]}, "schedules[1]"),
])
def test_nested_specs_get_the_same_checks(spec, name):
    _raises_lrscope_error(lambda: from_spec(spec), name)


def test_spec_keys_must_be_strings():
    # two non-string unknown keys of different types used to break the sorting of the unknown keys
    msg = _raises_lrscope_error(lambda: from_spec({"kind": "constant", "lr": 0.1, 1: 2, None: 3}), "spec")
    assert "string keys" in msg


def test_cli_spec_file_with_a_list_kind(tmp_path, capsys):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"kind": ["cyclic"], "base_lr": 1e-3, "max_lr": 6e-3, "step_size": 20}))
    assert "`kind` must be a string" in _cli_error(["schedule", "--spec", str(f)], capsys)


# -- 3. spec files that cannot be read or are not an object -----------------------------------------

@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_cli_spec_file_not_utf8(tmp_path, capsys, suffix):
    f = tmp_path / f"latin1{suffix}"
    text = '{"kind": "constant", "lr": 0.1, "note": "café"}' if suffix == ".json" else 'kind = "constant"  # café\nlr = 0.1\n'
    f.write_bytes(text.encode("latin-1"))
    err = _cli_error(["schedule", "--spec", str(f)], capsys)
    assert "`--spec` is not UTF-8" in err and str(f) in err


def test_cli_spec_file_utf16(tmp_path, capsys):
    f = tmp_path / "utf16.json"
    f.write_bytes(json.dumps({"kind": "constant", "lr": 0.1}).encode("utf-16"))
    err = _cli_error(["schedule", "--spec", str(f)], capsys)
    assert "`--spec`" in err and str(f) in err


def test_cli_spec_file_with_a_utf8_bom_is_read(tmp_path, capsys):
    f = tmp_path / "bom.json"
    f.write_bytes(json.dumps({"kind": "constant", "lr": 0.1}).encode("utf-8-sig"))
    assert main(["schedule", "--spec", str(f), "--json", "--steps", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["lr"] == [0.1, 0.1, 0.1]


@pytest.mark.parametrize("doc,what", [([{"kind": "constant", "lr": 0.1}], "list"), (3, "number"),
                                      ("constant", "string"), (None, "null"), (True, "boolean")], ids=repr)
def test_cli_spec_file_that_is_not_an_object(tmp_path, capsys, doc, what):
    f = tmp_path / "s.json"
    f.write_text(json.dumps(doc))
    err = _cli_error(["schedule", "--spec", str(f)], capsys)
    assert "`--spec` must hold an object" in err and f"not a {what}" in err and str(f) in err


def test_cli_spec_that_is_a_directory_or_missing(tmp_path, capsys):
    d = tmp_path / "dir.json"
    d.mkdir()
    err = _cli_error(["schedule", "--spec", str(d)], capsys)
    assert "`--spec` is a directory" in err and str(d) in err
    err = _cli_error(["schedule", "--spec", str(tmp_path / "missing.json")], capsys)
    assert "`--spec` does not exist" in err and "missing.json" in err


def test_cli_spec_file_that_cannot_be_read(tmp_path, capsys, monkeypatch):
    f = tmp_path / "locked.json"
    f.write_text(json.dumps({"kind": "constant", "lr": 0.1}))

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", denied)   # tests may run as root, where chmod 000 still reads
    err = _cli_error(["schedule", "--spec", str(f)], capsys)
    assert "`--spec` cannot be read (Permission denied)" in err and str(f) in err


# -- 4. the bound on --steps / --every -------------------------------------------------------------

def test_max_steps_is_a_documented_constant(capsys):
    assert MAX_STEPS == 10_000_000
    with pytest.raises(SystemExit):
        main(["schedule", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert f"--steps STEPS number of optimizer steps to show, 1 to {MAX_STEPS:,}" in out
    assert f"--every EVERY table/JSON: show every Nth step, 1 to {MAX_STEPS:,}" in out


@pytest.mark.parametrize("flag,value", [("--steps", "1000000000000"), ("--steps", str(MAX_STEPS + 1)),
                                        ("--every", str(10**20))])
def test_steps_and_every_above_the_bound(flag, value, capsys):
    argv = ["schedule", "--kind", "constant", "--lr", "0.1", "--steps", "100", flag, value]
    start = time.perf_counter()
    err = _cli_error(argv, capsys)
    assert time.perf_counter() - start < 5                       # refused before any allocation
    assert f"`{flag}` must be <= {MAX_STEPS:,}" in err


def test_steps_at_the_bound_is_allowed(capsys):
    assert main(["schedule", "--kind", "constant", "--lr", "0.1", "--steps", str(MAX_STEPS), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["num_steps"] == MAX_STEPS and doc["step"][-1] == MAX_STEPS - 1


def test_a_whole_shape_longer_than_the_bound_is_cut_with_a_note(capsys):
    argv = ["schedule", "--kind", "cyclic", "--base-lr", "1e-3", "--max-lr", "2e-3", "--step-size", str(10**11), "--json"]
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["num_steps"] == MAX_STEPS
    assert f"showing the first {MAX_STEPS:,}" in cap.err


def test_a_cyclic_step_size_too_large_for_float_arithmetic():
    msg = _raises_lrscope_error(lambda: from_spec({"kind": "cyclic", "base_lr": 0.1, "max_lr": 1.0,
                                                   "step_size": 1e308}), "step_size")
    assert "must be <=" in msg
    CyclicLR(0.1, 1.0, 2**53 - 1)(10**15)                         # the largest one still evaluates


# -- 5. a user scale_fn that returns something other than a finite number ---------------------------

BAD_RESULTS = ["0.5", None, math.nan, math.inf, -math.inf, [0.5, 0.5], np.array([0.5, 0.5]), 1j, True, b"1",
               {"scale": 1}]


@pytest.mark.parametrize("result", BAD_RESULTS, ids=repr)
@pytest.mark.parametrize("mode", ["cycle", "iterations"])
def test_scale_fn_returning_a_non_number(result, mode):
    s = CyclicLR(0.1, 1.0, 5, scale_fn=lambda x: result, scale_mode=mode)
    for call in (lambda: s(3), lambda: s(np.arange(20)), lambda: s.momentum(3), lambda: s.momentum(np.arange(20))):
        msg = _raises_lrscope_error(call, "scale_fn")
        assert "must return a finite real number" in msg and "got scale_fn(" in msg


def test_scale_fn_error_names_the_input_that_failed():
    s = CyclicLR(0.1, 1.0, 5, scale_fn=lambda c: 1.0 if c < 3 else "half")
    assert s(np.arange(20)).shape == (20,)                        # cycles 1 and 2 are fine
    msg = _raises_lrscope_error(lambda: s(np.arange(30)), "scale_fn")
    assert "scale_fn(3)='half'" in msg


def test_scale_fn_error_through_a_wrapper():
    s = S.Warmup(CyclicLR(0.1, 1.0, 5, scale_fn=lambda c: None), warmup_steps=3)
    _raises_lrscope_error(lambda: s(10), "scale_fn")


@pytest.mark.parametrize("result", [0.5, 1, np.float32(0.5), np.int64(1), np.array(0.5)], ids=repr)
def test_scale_fn_returning_a_number_like_value_still_works(result):
    s = CyclicLR(0.1, 1.1, 5, scale_fn=lambda c: result)
    scale = float(np.asarray(result).reshape(()))
    assert s(5) == pytest.approx(0.1 + scale)
    np.testing.assert_allclose(s(np.array([0, 5, 10])), [0.1, 0.1 + scale, 0.1])
