"""The range test across the processes of ``torch.distributed`` (DDP): one answer for every rank.

Every rank runs ``find_lr`` on its own shard, in lockstep. After each step the loss (and the
metric) is averaged across the ranks with one ``all_reduce``, so the smoothed curve, the stop
rule and every confirmation decision see the same numbers on every rank: the ranks take the
same number of steps and end with the same result. Each rank restores its own state.
"""

from __future__ import annotations

from typing import Any

import torch

from ..errors import InvalidArgumentError

__all__ = ["Ranks", "ranks", "global_batch_size"]


class Ranks:
    """The process group a range test runs across: its rank, size, and the mean of values over it."""

    def __init__(self, group=None):
        import torch.distributed as dist

        self.group = group
        self.rank = dist.get_rank(group)
        self.world_size = dist.get_world_size(group)
        backend = str(dist.get_backend(group))
        # NCCL reduces CUDA tensors only; gloo and the others CPU ones
        self.device = torch.device("cuda", torch.cuda.current_device()) if "nccl" in backend else torch.device("cpu")

    def mean(self, values: tuple[float | None, ...]) -> tuple[float | None, ...]:
        """The mean over the ranks of each value (None where any rank had None); NaN/inf propagate,
        so a rank whose loss became non-finite stops every rank at the same step."""
        import torch.distributed as dist

        flat = []
        for x in values:
            flat += [0.0, 0.0] if x is None else [float(x), 1.0]
        t = torch.tensor(flat, dtype=torch.float64, device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.SUM, group=self.group)
        t = t.cpu().tolist()
        out = []
        for i in range(len(values)):
            total, present = t[2 * i], t[2 * i + 1]
            out.append(total / self.world_size if round(present) == self.world_size else None)
        return tuple(out)


def ranks(distributed: bool | None) -> Ranks | None:
    """The process group to average over: ``distributed=None`` uses ``torch.distributed`` when it
    is initialised with more than one process, ``True`` requires it, ``False`` never uses it."""
    if distributed is not None and not isinstance(distributed, bool):
        raise InvalidArgumentError("distributed", distributed, "must be True, False or None",
                                   "leave it None to follow torch.distributed.is_initialized().")
    if distributed is False:
        return None
    import torch.distributed as dist

    up = dist.is_available() and dist.is_initialized()
    if not up:
        if distributed:
            raise InvalidArgumentError(
                "distributed", True, "needs an initialised torch.distributed process group",
                "call torch.distributed.init_process_group(...) first (torchrun does it for you), "
                "or leave distributed None for one process.")
        return None
    group = Ranks()
    return group if (group.world_size > 1 or distributed) else None


def global_batch_size(loader: Any, accumulation_steps: int, across: Ranks | None) -> int | None:
    """Examples per optimizer step over all ranks (the loader's ``batch_size`` x accumulation x
    world size), or None when the loader does not say its batch size."""
    size = getattr(loader, "batch_size", None)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        return None
    return size * accumulation_steps * (1 if across is None else across.world_size)
