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


# --------------------------------------------------------------------------- real training paths


def make_two_weight_task(seed: int = 0) -> Task:
    """Least squares with two weights and no bias: the weight space IS a plane, so the PCA plane
    of the trajectories holds every point exactly."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(128, 2, generator=g) * torch.tensor([1.0, 0.3])      # an ill-conditioned quadratic
    y = x @ torch.tensor([2.0, -1.0])
    torch.manual_seed(seed)
    model = torch.nn.Linear(2, 1, bias=False)
    loader = [(x[i:i + 32], y[i:i + 32].unsqueeze(1)) for i in range(0, 128, 32)]
    return Task(model, torch.optim.SGD(model.parameters(), lr=0.1), torch.nn.MSELoss(), loader, name="two-weights")


def test_trajectories_are_real_runs_drawn_at_their_real_losses_on_an_exact_plane():
    from lrscope.adapters.torch_landscape import compute_trajectories

    task = make_two_weight_task()
    w0 = task.model.weight.detach().clone()
    xs = torch.cat([bx for bx, _ in task.train_loader])
    ys = torch.cat([by for _, by in task.train_loader])

    def loss_at(w):
        return float(((xs @ torch.as_tensor(w, dtype=torch.float32)) - ys.squeeze(1)).pow(2).mean())

    doc = compute_trajectories(task, [0.003, 0.3, 30.0], steps=60, record_every=5, grid=41, eval_samples=128,
                               progress=False)
    validate_landscape(doc)
    small, right, huge = doc["paths"]
    assert torch.equal(task.model.weight, w0)                              # the user's model is untouched
    # every run starts at the untrained weights: its first loss is theirs, computed here directly
    for p in (small, right):
        assert p["step"][0] == 0 and p["loss"][0] == pytest.approx(loss_at(w0[0]), rel=1e-6)
    # too small crawls, right converges (the exact minimum is w = (2, -1), loss 0), too large explodes
    assert right["loss"][-1] < 1e-3 * right["loss"][0]
    assert small["loss"][-1] > 0.3 * small["loss"][0]
    assert huge["diverged"] and len(huge["step"]) < len(right["step"])
    # the best run ends at the centre; the plane is the whole 2-D weight space, so distances are kept:
    # the small run's path from start to end is as long as plain SGD, replayed here by hand on the
    # same batches in the same order, moves the weights
    assert (right["x"][-1], right["y"][-1]) == (0.0, 0.0)
    w = w0[0].clone()
    for t in range(60):
        bx, by = task.train_loader[t % len(task.train_loader)]
        grad = 2 * bx.T @ (bx @ w - by.squeeze(1)) / len(bx)
        w = w - 0.003 * grad
    assert small["loss"][-1] == pytest.approx(loss_at(w), rel=1e-5)
    assert np.hypot(small["x"][-1] - small["x"][0], small["y"][-1] - small["y"][0]) == pytest.approx(
        float(torch.dist(w0[0], w)), rel=1e-4)
    # and the surface under a path point is the path point's own loss (bilinear on a fine grid)
    gx, gy, z = np.array(doc["x"]), np.array(doc["y"]), np.array(doc["loss"])
    for px, py, pl in zip(small["x"], small["y"], small["loss"]):
        i, j = np.searchsorted(gx, px) - 1, np.searchsorted(gy, py) - 1
        tx, ty = (px - gx[i]) / (gx[i + 1] - gx[i]), (py - gy[j]) / (gy[j + 1] - gy[j])
        under = ((1 - tx) * (1 - ty) * z[j, i] + tx * (1 - ty) * z[j, i + 1] + (1 - tx) * ty * z[j + 1, i]
                 + tx * ty * z[j + 1, i + 1])
        assert under == pytest.approx(pl, rel=0.02, abs=1e-3)
    assert doc["plane"]["fitted_on"] == [small["label"], right["label"]]  # the exploded run does not set the map


def test_cli_trajectories_write_paths_the_page_reads(tmp_path, capsys):
    out = tmp_path / "land.json"
    rc = main(["landscape", f"{HERE}:make_two_weight_task", "--out", str(out), "--trajectories", "0.01,0.3",
               "--train-steps", "20", "--grid", "9", "--eval-samples", "64", "--no-progress"])
    assert rc == 0
    doc = validate_landscape(json.loads(out.read_text()))
    assert [p["lr"] for p in doc["paths"]] == [0.01, 0.3]
    text = capsys.readouterr().out
    assert "PCA plane of 2 training paths" in text and "lr=0.3: ended at loss" in text


@pytest.mark.parametrize("extra, message", [
    (["--trajectories", "0.1,x"], "comma-separated LRs"),
    (["--trajectories", "0.1,-1"], "positive LRs"),
    (["--trajectories", "0.1", "--range", "1"], "--range"),
    (["--trajectories", "0.1", "--train-steps", "1"], "`train_steps` must be >= 2"),
])
def test_cli_trajectories_bad_input_exits_2(tmp_path, capsys, extra, message):
    try:
        rc = main(["landscape", f"{HERE}:make_two_weight_task", "--out", str(tmp_path / "l.json"), "--no-progress",
                   *extra])
    except SystemExit as exc:     # argparse's own usage error
        rc = exc.code
    assert rc == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("paths, rule", [
    ("nope", "list of paths"),
    ([{"step": [0, 1], "x": [0.0, 1.0], "y": [0.0], "loss": [1.0, 0.5]}], "one length"),
    ([{"step": [1, 1], "x": [0.0, 1.0], "y": [0.0, 1.0], "loss": [1.0, 0.5]}], "increasing"),
    ([{"step": [0], "x": [0.0], "y": [0.0], "loss": [float("nan")]}], "finite"),
])
def test_paths_in_a_landscape_file_are_validated(paths, rule):
    xs = [0.0, 1.0, 2.0]
    doc = {"format": "lrscope-landscape", "version": 1, "x": xs, "y": xs, "loss": [[1.0] * 3] * 3, "paths": paths}
    with pytest.raises(InvalidArgumentError, match=rule):
        validate_landscape(doc)
