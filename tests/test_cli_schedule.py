"""`lrscope schedule`: flags and spec files, table/JSON/plot output, exit codes for bad input."""

from __future__ import annotations

import json
import math

import pytest

from lrscope.cli import main

CYCLIC = ["schedule", "--kind", "cyclic", "--base-lr", "1e-3", "--max-lr", "6e-3", "--step-size", "2000",
          "--policy", "triangular2", "--window", "hann", "--steps", "10000"]


def paper_hann_tri2(t, base=1e-3, mx=6e-3, s=2000):
    cycle = math.floor(1 + t / (2 * s))
    x = abs(t / s - 2 * cycle + 1)
    w = 0.5 * (1 - math.cos(math.pi * max(0.0, 1 - x)))
    return base + (mx - base) * w / 2 ** (cycle - 1)


def test_json_output_follows_the_formula(capsys):
    assert main(CYCLIC + ["--json", "--every", "250"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["spec"]["kind"] == "cyclic" and doc["spec"]["window"] == "hann"
    assert doc["num_steps"] == 10000 and doc["step"][:3] == [0, 250, 500] and doc["step"][-1] == 9999
    for t, lr in zip(doc["step"], doc["lr"]):
        assert lr == pytest.approx(paper_hann_tri2(t), rel=1e-12)
    # momentum mirrors the LR between 0.8 and 0.9
    for lr, m in zip(doc["lr"], doc["momentum"]):
        assert m == pytest.approx(0.9 - 0.1 * (lr - 1e-3) / 5e-3, rel=1e-9)


def test_table_output_has_steps_lr_and_momentum(capsys):
    assert main(CYCLIC) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("cyclic: base_lr=0.001 max_lr=0.006")
    assert lines[1].split() == ["step", "lr", "momentum"]
    rows = {int(line.split()[0]): float(line.split()[1]) for line in lines[3:] if line[:1].isdigit()}
    assert rows[2000] == pytest.approx(6e-3, rel=1e-3) and rows[6000] == pytest.approx(3.5e-3, rel=1e-3)
    assert "max lr 0.006 at step 2000" in out


def test_spec_files_json_and_toml_agree(tmp_path, capsys):
    spec = {"kind": "warmup", "warmup_steps": 10,
            "schedule": {"kind": "cosine", "lr": 0.1, "total_steps": 90, "min_lr": 0.001}}
    (tmp_path / "s.json").write_text(json.dumps(spec))
    (tmp_path / "s.toml").write_text('kind = "warmup"\nwarmup_steps = 10\n\n[schedule]\nkind = "cosine"\n'
                                     'lr = 0.1\ntotal_steps = 90\nmin_lr = 0.001\n')
    docs = []
    for name in ("s.json", "s.toml"):
        assert main(["schedule", "--spec", str(tmp_path / name), "--json", "--every", "1"]) == 0
        docs.append(json.loads(capsys.readouterr().out))
    assert docs[0] == docs[1]
    d = docs[0]
    assert d["num_steps"] == 10 + 91 and "momentum" not in d
    assert d["lr"][5] == pytest.approx(0.05) and d["lr"][10] == pytest.approx(0.1)
    assert d["lr"][55] == pytest.approx(0.001 + 0.099 * (1 + math.cos(math.pi * 45 / 90)) / 2)


def test_warmup_flags_wrap_the_schedule(capsys):
    assert main(["schedule", "--kind", "constant", "--lr", "0.2", "--warmup-steps", "4", "--json", "--steps", "6",
                 "--every", "1"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["spec"]["kind"] == "warmup" and d["lr"] == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2, 0.2])


def test_plot_writes_an_image(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "s.png"
    assert main(CYCLIC[:-2] + ["--steps", "400", "--step-size", "50", "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000


@pytest.mark.parametrize("argv,words", [
    (["schedule", "--kind", "cyclic", "--base-lr", "-1", "--max-lr", "6e-3", "--step-size", "20"], "`base_lr` must be > 0"),
    (["schedule", "--kind", "cyclic", "--base-lr", "1e-2", "--max-lr", "1e-3", "--step-size", "20"],
     "`max_lr` must be greater than `base_lr`, got max_lr=0.001, base_lr=0.01"),
    (["schedule", "--kind", "cyclic", "--base-lr", "1e-3", "--max-lr", "1e-2", "--step-size", "0"], "`step_size` must be >= 1"),
    (["schedule", "--kind", "cyclic", "--base-lr", "1e-3", "--max-lr", "1e-2", "--step-size", "5", "--window", "box"],
     "`window` must be one of"),
    (["schedule", "--kind", "one_cycle", "--max-lr", "inf", "--total-steps", "100"], "`max_lr` must be finite"),
    (["schedule", "--kind", "one_cycle", "--max-lr", "0.1", "--total-steps", "100", "--anneal", "cosine"], "`anneal`"),
    (["schedule", "--kind", "constant", "--lr", "0.1", "--step-size", "3"], "takes no --step-size"),
    (["schedule", "--lr", "0.1"], "`--kind` is required"),
    (["schedule", "--kind", "constant", "--lr", "0.1", "--plot", "/no/such/dir/x.png"], "does not exist"),
    (["schedule", "--kind", "constant", "--lr", "0.1", "--plot", "x.txt"], "`--plot` must end in one of .png"),
    (["schedule", "--kind", "constant", "--lr", "0.1", "--plot", "/proc/lrscope-x.png"], "`--plot` cannot be written"),
    (["schedule", "--kind", "constant", "--lr", "0.1", "--warmup-mode", "linear"], "`--warmup-steps` is required"),
])
def test_bad_input_exits_2_with_a_named_argument(argv, words, capsys):
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_a_plot_that_cannot_be_written_keeps_the_table(tmp_path, capsys, monkeypatch):
    import lrscope._cli.schedule as schedule_cli

    def broken(schedule, n, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(schedule_cli, "_plot", broken)
    out = tmp_path / "s.png"
    assert main(CYCLIC[:-2] + ["--steps", "400", "--step-size", "50", "--plot", str(out)]) == 1
    cap = capsys.readouterr()
    assert "step" in cap.out and "max lr" in cap.out                       # the table was printed
    assert f"could not write --plot {out}" in cap.err and "Traceback" not in cap.err


def test_bad_spec_files_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "cyclic", "base_lr": 0.001, "max_lr": 0.006, "step_size": 20, "stepsize": 3}')
    assert main(["schedule", "--spec", str(bad)]) == 2
    assert "unknown keys ['stepsize']" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["schedule", "--spec", str(broken)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["schedule", "--spec", str(tmp_path / "missing.toml")]) == 2
    assert main(["schedule", "--spec", str(bad), "--kind", "constant"]) == 2
    assert "cannot be combined" in capsys.readouterr().err
