"""find_lr on a CUDA model: the snapshot stays in CPU memory and everything comes back (skipped without CUDA)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

if not torch.cuda.is_available():
    pytest.skip("needs a CUDA device", allow_module_level=True)

from lrscope import find_lr  # noqa: E402


def _setup(width=1024):
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.ReLU(), torch.nn.Linear(width, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(256, width, generator=g)
    y = torch.randint(0, 10, (256,), generator=g)
    batches = [(x[i:i + 32].to(dev), y[i:i + 32].to(dev)) for i in range(0, 256, 32)]
    return model, opt, batches


def _loss(out, y):
    return torch.nn.functional.cross_entropy(out, y)


def _bare_peak(model, opt, batches, steps):
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    for i in range(steps):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        _loss(model(x), y).backward()
        opt.step()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated()


@pytest.mark.parametrize("snapshot", ["memory", "disk"])
def test_no_second_copy_on_the_gpu_and_exact_restore(snapshot):
    model, opt, batches = _setup()
    _bare_peak(model, opt, batches, 2)  # optimizer state exists from here on
    params = [p.detach().clone() for p in model.parameters()]
    state = {k: {kk: vv.clone() if torch.is_tensor(vv) else vv for kk, vv in s.items()}
             for k, s in opt.state_dict()["state"].items()}
    cuda_rng = torch.cuda.get_rng_state()
    model_bytes = sum(p.numel() * p.element_size() for p in model.parameters())

    # reference: the same steps in a bare loop on a throwaway copy
    import copy

    ref_model = copy.deepcopy(model)
    ref_opt = torch.optim.Adam(ref_model.parameters(), lr=1e-3)
    ref_opt.load_state_dict(opt.state_dict())
    bare = _bare_peak(ref_model, ref_opt, batches, 10)
    del ref_model, ref_opt
    torch.cuda.empty_cache()

    torch.cuda.reset_peak_memory_stats()
    res = find_lr(model, opt, _loss, batches, start_lr=1e-5, end_lr=1e-3, num_steps=10, snapshot=snapshot,
                  progress=False)
    peak = torch.cuda.max_memory_allocated()
    assert len(res.losses) == 10
    # a GPU-side snapshot would add a full copy of weights + Adam moments (3x model_bytes)
    assert peak - bare < 0.5 * model_bytes
    for a, b in zip(params, model.parameters()):
        assert torch.equal(a, b)
    after = opt.state_dict()["state"]
    for k in state:
        for kk, vv in state[k].items():
            if torch.is_tensor(vv):
                assert torch.equal(vv, after[k][kk]) and after[k][kk].device == vv.device
    assert torch.equal(torch.cuda.get_rng_state(), cuda_rng)


def test_amp_grad_scaler_on_cuda():
    model, opt, batches = _setup(width=256)
    scaler = torch.amp.GradScaler("cuda", init_scale=2.0**10)
    w = model[0].weight.detach().clone()

    def step(m, batch):
        with torch.autocast("cuda", dtype=torch.float16):
            return _loss(m(batch[0]), batch[1])

    res = find_lr(model, opt, None, batches, start_lr=1e-6, end_lr=1.0, num_steps=20, train_step=step,
                  grad_scaler=scaler, progress=False)
    assert len(res.losses) >= 2 and np.all(np.isfinite(res.losses))
    assert torch.equal(model[0].weight, w)
    assert scaler.get_scale() == 2.0**10
