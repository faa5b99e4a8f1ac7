"""`lrscope find` and `lrscope probe`: flags, outputs, exit codes (in-process on tiny tasks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from lrscope.cli import main  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

TASK_FILE = textwrap.dedent('''
    import math, torch
    from pathlib import Path

    CALLS = Path(__file__).with_suffix(".calls")

    def _data(seed, nan=False):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(64, 5, generator=g)
        y = (x[:, 0] - x[:, 2] > 0).long()
        if nan:
            x[:] = math.nan
        return [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]

    def _model(seed):
        torch.manual_seed(seed)
        return torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))

    def make_task(seed=0):
        with CALLS.open("a") as f:
            f.write("x")
        model = _model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        acc = lambda out, y: (out.argmax(1) == y).float().mean().item()
        return {"model": model, "optimizer": opt, "loss_fn": torch.nn.functional.cross_entropy,
                "train_loader": _data(seed), "val_loader": _data(seed + 100), "metric": acc, "name": "tiny"}

    def make_nan_task(seed=0):
        model = _model(seed)
        return (model, torch.optim.SGD(model.parameters(), lr=0.1), torch.nn.functional.cross_entropy,
                _data(seed, nan=True))
''')


@pytest.fixture
def task_file(tmp_path):
    path = tmp_path / "tiny_task.py"
    path.write_text(TASK_FILE)
    return path


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_output_holds_the_exact_sweep(task_file, capsys):
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", "--start-lr", "1e-4", "--end-lr", "1",
                          "--num-steps", "20", "--extend-decades", "0", "--json", "--no-progress")
    assert code == 0, err
    payload = json.loads(out)
    expected = [1e-4 * (1 / 1e-4) ** (i / 19) for i in range(20)]
    n = len(payload["lrs"])
    np.testing.assert_allclose(payload["lrs"], expected[:n], rtol=1e-12)
    assert payload["num_steps"] == 20 and payload["task_name"] == "tiny"
    assert payload["stop_reason"] in ("completed", "diverged", "non-finite")
    assert n == 20 or payload["stop_reason"] != "completed"
    from lrscope.analysis import SUGGESTERS

    assert set(payload["suggestions"]) == set(SUGGESTERS)
    assert len(payload["metric"]) == n  # the task's metric was used


def test_table_output_and_plot_and_report(task_file, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png, html = tmp_path / "out" / "rt.png", tmp_path / "out" / "rt.html"
    png.parent.mkdir()
    code, out, err = _run(capsys, "find", "--task", f"{task_file}:make_task", "--num-steps", "30",
                          "--plot", png, "--report", html, "--no-progress")
    assert code == 0, err
    from lrscope.analysis import SUGGESTERS

    for name in SUGGESTERS:
        assert name in out
    assert f"wrote {png}" in out and f"wrote {html}" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<html" in html.read_text().lower()


def test_suggest_picks_the_first_answering_rule(task_file, capsys):
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", "--num-steps", "30", "--json", "--no-progress",
                          "--suggest", "valley,steepest")
    assert code == 0, err
    payload = json.loads(out)
    sugg = payload["suggestions"]
    first = next((sugg[n] for n in ("valley", "steepest") if sugg[n] is not None), None)
    assert payload["suggest"]["rules"] == ["valley", "steepest"]
    assert payload["suggest"]["lr"] == first


def test_repeats_and_validation_flags_reach_find_lr(task_file, capsys):
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", "--start-lr", "1e-5", "--end-lr", "1e-2",
                          "--num-steps", "12", "--repeats", "2", "--val-every", "4", "--extend-decades", "0",
                          "--json", "--no-progress")
    assert code == 0, err
    payload = json.loads(out)
    assert len(payload["repeats"]) == 2
    assert payload["repeats"][0]["val_steps"] == [3, 7, 11]


def test_progress_bar_goes_to_stderr_and_json_stays_clean(task_file, capsys):
    pytest.importorskip("tqdm")
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", "--num-steps", "10", "--json")
    assert code == 0
    json.loads(out)
    assert "lrscope range test" in err


@pytest.mark.parametrize("flags, words", [
    (["--num-steps", "5"], "num_steps"),
    (["--start-lr", "1", "--end-lr", "0.1"], "start_lr"),
    (["--smoothing", "1.5"], "smoothing"),
    (["--suggest", "valley,bogus"], "bogus"),
    (["--snapshot", "memory", "--repeats", "0"], "repeats"),
])
def test_bad_input_exits_2_with_the_reason(task_file, capsys, flags, words):
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", "--no-progress", *flags)
    assert code == 2
    assert words in err and "Fix:" in err


def test_unwritable_report_path_fails_before_the_sweep(task_file, tmp_path, capsys):
    calls = task_file.with_suffix(".calls")
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", "--report", tmp_path / "missing" / "r.html",
                          "--no-progress")
    assert code == 2
    assert "--report" in err
    assert not calls.exists()  # the task was never even built


@pytest.mark.parametrize("flag, name, words", [
    ("--plot", "out.txt", "must end in one of .png"),
    ("--report", "r.txt", "must end in one of .html"),
    ("--plot", "/proc/lrscope-x.png", "cannot be written"),     # os.access approves it as root
])
def test_bad_output_paths_fail_before_the_task_is_built(task_file, tmp_path, capsys, flag, name, words):
    calls = task_file.with_suffix(".calls")
    path = name if name.startswith("/") else tmp_path / name
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", flag, path, "--no-progress")
    assert code == 2 and words in err and "Fix:" in err and flag in err
    assert not calls.exists()
    assert not Path(path).exists()
    assert list(tmp_path.iterdir()) == [task_file]          # the write probe left nothing behind


@pytest.mark.parametrize("json_flag", [False, True])
def test_a_write_that_fails_after_the_sweep_keeps_the_answer(task_file, tmp_path, capsys, monkeypatch, json_flag):
    pytest.importorskip("matplotlib")
    import lrscope._cli.find as find_cli

    def broken(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(find_cli, "_save_plot", broken)
    png, html = tmp_path / "rt.png", tmp_path / "rt.html"
    code, out, err = _run(capsys, "find", f"{task_file}:make_task", "--num-steps", "30", "--plot", png,
                          "--report", html, "--no-progress", *(["--json"] if json_flag else []))
    assert code == 1
    assert f"could not write --plot {png}" in err and "No space left" in err and "results above are complete" in err
    if json_flag:
        assert json.loads(out)["lr"] is not None                      # the answer reached stdout, as JSON
    else:
        assert "constant lr" in out and "Traceback" not in err
    assert "<html" in html.read_text().lower()                      # the other output was still written


@pytest.mark.parametrize("source, words, line", [
    ("def make_task(seed, extra):\n    pass\n", "needs the argument(s) ['extra']", None),
    ("def make_task(seed=0):\n    x = 1\n    raise ZeroDivisionError('boom')\n", "ZeroDivisionError: boom", 3),
    ("def make_task(seed=0):\n    return (\n", "SyntaxError", 2),
    ("raise RuntimeError('at import')\ndef make_task(seed=0):\n    pass\n", "RuntimeError: at import", 1),
])
def test_a_task_file_that_fails_names_the_file_and_line_without_our_frames(tmp_path, capsys, source, words, line):
    path = tmp_path / "user_task.py"
    path.write_text(source)
    code, out, err = _run(capsys, "find", f"{path}:make_task", "--no-progress")
    assert code == 2 and words in err and "Fix:" in err and "Traceback" not in err
    if line is not None:
        assert f"{path}:{line}" in err


def test_json_into_a_closed_pipe_exits_quietly():
    proc = subprocess.run(f"{sys.executable} -m lrscope find --task demo:mnist1d-mlp --json --no-progress "
                          "--no-confirm --extend-decades 0 | head -2", shell=True, capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    assert proc.stdout.splitlines()[0] == "{"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


@pytest.mark.parametrize("argv", [
    ["find"],
    ["find", "nowhere.py:make_task"],
    ["find", "a.py:f", "--task", "b.py:g"],
    ["find", "--task", "demo:no-such-task"],
])
def test_bad_task_spec_exits_2(argv, capsys):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert "task" in err


def test_nan_data_is_a_failure_exit_1(task_file, capsys):
    code, out, err = _run(capsys, "find", f"{task_file}:make_nan_task", "--no-progress")
    assert code == 1
    assert "very first step" in err


def test_probe_json_and_table(task_file, capsys):
    code, out, err = _run(capsys, "probe", f"{task_file}:make_task", "--lrs", "10,0.1,1e-5", "--steps", "8",
                          "--json", "--no-progress")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["lrs"] == [10.0, 0.1, 1e-5]
    assert len(payload["verdicts"]) == 3 and all(len(c) <= 8 for c in payload["curves"])
    assert set(payload["verdicts"]) <= {"explodes", "too slow", "good"}
    code, out, err = _run(capsys, "probe", f"{task_file}:make_task", "--lrs", "0.1,0.01", "--steps", "4",
                          "--no-progress")
    assert code == 0
    assert "verdict" in out and "0.01" in out


def test_probe_bad_input(task_file, capsys):
    with pytest.raises(SystemExit) as info:
        main(["probe", f"{task_file}:make_task", "--lrs", "0.1,abc"])
    assert info.value.code == 2
    code, out, err = _run(capsys, "probe", f"{task_file}:make_task", "--steps", "1", "--no-progress")
    assert code == 2 and "steps" in err


def test_demo_task_in_process(capsys):
    pytest.importorskip("sklearn")
    code, out, err = _run(capsys, "find", "--task", "demo:digits-mlp", "--num-steps", "30", "--json",
                          "--no-progress", "--val-every", "10")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["task_name"] == "digits-mlp"
    assert payload["val_steps"][:1] == [9]


@pytest.mark.slow
def test_readme_command(tmp_path):
    """The README's main command, as a user runs it (a fresh process, real demo data)."""
    pytest.importorskip("mnist1d")
    pytest.importorskip("matplotlib")
    out_dir = tmp_path / "lrscope-out"
    out_dir.mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "lrscope", "find", "--task", "demo:mnist1d-mlp",
                           "--plot", "lrscope-out/range_test.png", "--report", "lrscope-out/range_test.html"],
                          cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "steepest" in proc.stdout
    assert (out_dir / "range_test.png").stat().st_size > 1000
    assert (out_dir / "range_test.html").stat().st_size > 1000
