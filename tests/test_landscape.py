"""lrscope landscape: filter-normalised directions, the loss plane, the file format, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lrscope import Task  # noqa: E402
from lrscope.adapters.torch_landscape import compute_landscape, filter_normalized_direction  # noqa: E402
from lrscope.cli import main  # noqa: E402
from lrscope.errors import InvalidArgumentError  # noqa: E402
from lrscope.web import validate_landscape  # noqa: E402

HERE = __file__


def make_tiny_task(seed: int = 0) -> Task:
    """A linear least-squares task: 64 samples, 3 inputs -> 2 outputs (8 weights)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 3, generator=g)
    y = x @ torch.tensor([[1.0, -2.0], [0.5, 0.0], [0.0, 3.0]]) + 0.1 * torch.randn(64, 2, generator=g)
    torch.manual_seed(seed)
    model = torch.nn.Linear(3, 2)
    loader = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    return Task(model, torch.optim.SGD(model.parameters(), lr=0.05), torch.nn.MSELoss(), loader, name="tiny-linear")


def test_filter_normalised_direction_matches_every_filter_norm():
    params = [torch.randn(5, 3, 2, 2), torch.randn(4, 7), torch.randn(4)]
    d = filter_normalized_direction(params, torch.Generator().manual_seed(1))
    for p, di in zip(params[:2], d[:2]):
        want = p.reshape(p.shape[0], -1).norm(dim=1)
        got = di.reshape(di.shape[0], -1).norm(dim=1)
        torch.testing.assert_close(got, want)
        assert not torch.allclose(di, p)  # a random direction, not the weights themselves
    assert torch.count_nonzero(d[2]) == 0  # biases: zero (Li et al.)


def test_plane_of_a_linear_model_is_an_exact_quadratic_and_weights_are_restored():
    task = make_tiny_task()
    doc = compute_landscape(task, grid=7, extent=0.8, train_steps=20, eval_samples=64, seed=3, progress=False)
    x, y, z = np.array(doc["x"]), np.array(doc["y"]), np.array(doc["loss"])
    np.testing.assert_allclose(x, np.linspace(-0.8, 0.8, 7))
    assert z.shape == (7, 7)
    # MSE of a linear model is a quadratic in the weights, so on any plane
    # L(a, b) = c0 + c1 a + c2 b + c3 a^2 + c4 ab + c5 b^2 exactly (least squares leaves ~0)
    a, b = np.meshgrid(x, y)
    design = np.stack([np.ones_like(a), a, b, a * a, a * b, b * b], axis=-1).reshape(-1, 6)
    coef, *_ = np.linalg.lstsq(design, z.ravel(), rcond=None)
    assert np.abs(design @ coef - z.ravel()).max() < 1e-4 * z.max()
    # the centre is the trained model itself, and the model ends there
    xs = torch.cat([bx for bx, _ in task.train_loader])
    ys = torch.cat([by for _, by in task.train_loader])
    with torch.no_grad():
        here = float(torch.nn.functional.mse_loss(task.model(xs), ys))
    assert doc["center_loss"] == pytest.approx(here, rel=1e-5)
    assert z[3, 3] == pytest.approx(here, rel=1e-5)
    # training helped: the slice's centre is below the untrained model's loss
    fresh = make_tiny_task()
    with torch.no_grad():
        assert here < float(torch.nn.functional.mse_loss(fresh.model(xs), ys))


def test_document_is_strict_json_and_validates():
    doc = compute_landscape(make_tiny_task(), grid=3, extent=0.5, train_steps=0, eval_samples=16, progress=False)
    again = json.loads(json.dumps(doc, allow_nan=False))
    assert validate_landscape(again)["format"] == "lrscope-landscape"
    assert again["version"] == 1 and again["eval_samples"] == 16 and again["params"] == 8


@pytest.mark.parametrize("bad, rule", [
    ({"format": "optuna", "version": 1}, "is not a landscape file"),
    ({"format": "lrscope-landscape", "version": 2}, "unsupported version"),
    ({"format": "lrscope-landscape", "version": 1, "x": [0, 1], "y": [0, 1], "loss": [[0, 1]]}, "one row per y"),
    ({"format": "lrscope-landscape", "version": 1, "x": [0, 1, 3], "y": [0, 1], "loss": [[0, 1, 2], [0, 1, 2]]}, "evenly spaced"),
    ({"format": "lrscope-landscape", "version": 1, "x": [0, 1], "y": [0, 1], "loss": [[0, 1], [0, float("nan")]]}, "finite"),
    ([1, 2], "must hold a JSON object"),
])
def test_validation_names_the_problem(bad, rule):
    with pytest.raises(InvalidArgumentError, match=rule):
        validate_landscape(bad)


def test_bad_arguments_raise_named_errors():
    with pytest.raises(InvalidArgumentError, match="`grid` must be >= 3"):
        compute_landscape(make_tiny_task(), grid=2, progress=False)
    with pytest.raises(InvalidArgumentError, match="`extent` must be > 0"):
        compute_landscape(make_tiny_task(), extent=0.0, progress=False)


def test_cli_writes_a_file_the_page_reads(tmp_path, capsys):
    out = tmp_path / "land.json"
    rc = main(["landscape", f"{HERE}:make_tiny_task", "--out", str(out), "--grid", "5", "--range", "0.5",
               "--train-steps", "5", "--eval-samples", "32", "--no-progress"])
    assert rc == 0
    doc = validate_landscape(json.loads(out.read_text()))
    assert len(doc["loss"]) == 5 and doc["range"] == 0.5 and doc["name"] == "tiny-linear"
    assert "lrscope explore --landscape" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--grid", "1"], "`grid` must be >= 3"),
    (["--range", "-1"], "`range` must be > 0"),
])
def test_cli_bad_numbers_exit_2(tmp_path, capsys, extra, message):
    rc = main(["landscape", f"{HERE}:make_tiny_task", "--out", str(tmp_path / "l.json"), "--no-progress", *extra])
    assert rc == 2
    assert message in capsys.readouterr().err


def test_cli_unwritable_out_exits_2_before_any_work(tmp_path, capsys):
    rc = main(["landscape", f"{HERE}:make_tiny_task", "--out", str(tmp_path / "no" / "such" / "l.json")])
    assert rc == 2
    assert "does not exist" in capsys.readouterr().err
