"""The range test across processes (torch.distributed, gloo on CPU): two ranks launched by the
test itself step in lockstep on different shards, average each step's loss, get the same result
and each restore its own state."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

torch = pytest.importorskip("torch")

WORKER = textwrap.dedent('''
    import json, os, sys
    import torch, torch.distributed as dist, torch.multiprocessing as mp

    def work(rank, world, folder, wrap):
        torch.set_num_threads(1)
        dist.init_process_group("gloo", init_method=f"file://{folder}/rdzv", rank=rank, world_size=world)
        import lrscope
        g = torch.Generator().manual_seed(0)
        x = torch.randn(256, 6, generator=g)
        y = (x[:, 0] - x[:, 1] > 0).long()
        xs, ys = x[rank::world], y[rank::world]           # this rank's shard
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xs, ys), batch_size=16)
        torch.manual_seed(1)                                # the same initial weights on every rank
        net = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
        model = torch.nn.parallel.DistributedDataParallel(net) if wrap else net
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        with torch.no_grad():
            first = float(loss_fn(net(xs[:16]), ys[:16]))   # this rank's loss at step 0, before any update
        before = {k: v.clone() for k, v in net.state_dict().items()}
        torch.manual_seed(100 + rank)                       # rank-specific RNG state, to be restored
        rng = torch.get_rng_state()
        res = lrscope.find_lr(model, opt, loss_fn, loader, num_steps=40, progress=False)
        same = all(torch.equal(before[k], v) for k, v in net.state_dict().items())
        out = dict(rank=rank, lr=res.lr, peak=res.one_cycle_max_lr, clr=res.clr, n=len(res.lrs),
                   losses=res.losses.tolist(), cost=res.cost_steps, world=res.world_size, batch=res.batch_size,
                   first=first, restored=same and torch.equal(rng, torch.get_rng_state()),
                   opt_lr=opt.param_groups[0]["lr"], opt_state=len(opt.state))
        with open(f"{folder}/rank{rank}.json", "w") as f:
            json.dump(out, f)
        dist.destroy_process_group()
        # torch's gloo backend can abort at interpreter teardown ("terminate called without an
        # active exception", about 1 run in 30 here, with or without lrscope): everything under
        # test is done and written, so leave without the teardown.
        os._exit(0)

    if __name__ == "__main__":
        mp.spawn(work, args=(2, sys.argv[1], sys.argv[2] == "ddp"), nprocs=2)
''')


def _run(tmp_path, wrap: str):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    proc = subprocess.run([sys.executable, str(script), str(tmp_path), wrap], capture_output=True, text=True,
                          timeout=300, env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]


@pytest.mark.slow
@pytest.mark.parametrize("wrap", ["ddp", "plain"])
def test_two_ranks_get_one_answer_from_the_mean_loss_and_restore_their_state(tmp_path, wrap):
    r0, r1 = _run(tmp_path, wrap)
    # lockstep: the same steps, losses and answers on both ranks
    assert r0["n"] == r1["n"] and r0["losses"] == r1["losses"] and r0["cost"] == r1["cost"]
    assert (r0["lr"], r0["peak"], r0["clr"]) == (r1["lr"], r1["peak"], r1["clr"])
    # the loss of step 0 is the mean of the two ranks' own losses (measured before any update)
    assert r0["losses"][0] == pytest.approx((r0["first"] + r1["first"]) / 2, rel=1e-5)
    assert r0["first"] != pytest.approx(r1["first"], rel=1e-3)      # the shards differ: the mean is not trivial
    assert r0["world"] == 2 and r0["batch"] == 32                    # 16 per rank x 2 ranks
    for r in (r0, r1):
        assert r["restored"] and r["opt_lr"] == 0.05 and r["opt_state"] == 0


def test_distributed_true_without_a_process_group_names_the_fix():
    import lrscope

    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = [(torch.randn(4, 2), torch.randn(4, 1))]
    with pytest.raises(lrscope.InvalidArgumentError, match="init_process_group"):
        lrscope.find_lr(model, opt, torch.nn.MSELoss(), data, distributed=True, progress=False)
    with pytest.raises(lrscope.InvalidArgumentError, match="distributed"):
        lrscope.find_lr(model, opt, torch.nn.MSELoss(), data, distributed="yes", progress=False)
    assert opt.param_groups[0]["lr"] == 0.1
