"""The generalisation benchmark scores the library's policy by replaying recorded runs: check that
the replay is exact, i.e. that the real ``find_lr`` measures the same sweep, the same confirmation
runs and gives the same answers as the replay of ``benchmarks/results/gen/evidence_*.json``.

Were this to fail (a change to the sweep, the runs or the policy that the recorded evidence
cannot reproduce), the held-out figures in docs/benchmarks/generalization.md would no longer
describe what find_lr does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")
pytest.importorskip("mnist1d")

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        import gen_cv
        import gen_data
        import suite

        yield suite, gen_data, gen_cv
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize("name, seed", [("reg-diabetes-nesterov", 0), ("mlp-cancer-adamw", 1)])
def test_find_lr_measures_what_the_replay_reads(bench, name, seed):
    import lrscope
    from lrscope.analysis import _policy as P

    suite, gen_data, gen_cv = bench
    try:
        ev = gen_data.evidence(name, seed)
    except FileNotFoundError:
        pytest.skip("the recorded evidence is not in this checkout")
    torch.set_num_threads(1)
    task = suite.SUITE[name].make_task(seed)
    res = lrscope.find_lr(task.model, task.optimizer, task.loss_fn, task.train_loader, progress=False)

    sweep = gen_cv._sweep(ev)
    np.testing.assert_allclose(res.lrs, sweep.lrs, rtol=1e-8)          # recorded with 9 significant digits
    # recorded with 6 significant digits, on another CPU: float32 kernels round differently from one
    # instruction set to the next (2.4e-5 apart after 20 steps on an AMD EPYC), so 1e-4, not 2e-5
    np.testing.assert_allclose(res.losses, sweep.losses, rtol=1e-4)

    run, counter = gen_cv.replay_run(ev, P.run_steps(P.DEFAULT_POLICY, None), val=False)
    run_long, counter_long = gen_cv.replay_run(ev, P.long_run_steps(P.DEFAULT_POLICY, None), val=False)
    replayed, replayed_long = P.confirm(P.DEFAULT_POLICY, sweep, run, run_long)
    for mine, theirs in ((res.confirm, replayed), (res.confirm_long, replayed_long)):
        assert (mine is None) == (theirs is None)
        if mine is None:
            continue
        np.testing.assert_allclose(mine.lrs, theirs.lrs, rtol=1e-12)
        for a, b in zip(mine.curves, theirs.curves):
            assert len(a) == len(b)
            np.testing.assert_allclose(a, b, rtol=1e-4)
    assert res.cost_steps == len(sweep.lrs) + counter["steps"] + counter_long["steps"]
    replay_result = sweep.with_confirmation(replayed, replayed_long)
    assert (res.lr, res.one_cycle_max_lr) == (replay_result.lr, replay_result.one_cycle_max_lr)
