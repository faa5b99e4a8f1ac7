"""The second round searched further, re-run through the leave-one-family-out choice of
``gen_cv.py``: after the two longer runs, up to ``long_extend`` more (1 or 2), one at a time,
half a decade beyond their best while it is the highest of them (upward only below the lowest LR
whose first-round run exploded) or the lowest of them (``--up``: the highest only).

Prompted by the fourteenth fresh batch's plain SGD at batch 512 (and the ninth's SGD momentum at
batch 1,024): 500 steps are far from enough there, the best LR is the highest that does not
diverge (3.2), the first round's best was 1, and the longer runs, half a decade and a decade
below it, ranked the higher one first; the answer (0.2-0.3) stayed a decade low.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_long_extend.py            # offered beside
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_long_extend.py --replace  # in place of skip 1
    ... gen_cv_long_extend.py --up [--replace]     # upward only (the fifteenth batch's shape)
"""
import dataclasses
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lrscope.analysis import _policy as P  # noqa: E402
from lrscope.analysis.probe import EXPLODES  # noqa: E402


@dataclasses.dataclass(frozen=True)
class ExtendPolicy(P.Policy):
    long_extend: int = 0


def extend_long(policy, probe, first, long, run_long):
    """Up to ``policy.long_extend`` more longer runs beyond the longer runs' best while it is the
    highest (below the lowest first-round explosion) or the lowest of them."""
    lowest_bad = min((P.grid_index(lr) for lr, v in zip(probe.lrs, first.verdicts) if v == EXPLODES),
                     default=math.inf)
    for _ in range(policy.long_extend):
        second = P.choose(policy, long, tie=False)
        ks = [P.grid_index(lr) for lr in long.lrs]
        if second.status != "ok" or len(set(ks)) < 2:
            break
        if second.k == max(ks):
            nxt = second.k + policy.long_spacing
            if nxt >= lowest_bad:
                break
        elif second.k == min(ks) and not UP_ONLY:
            nxt = second.k - policy.long_spacing
        else:
            break
        if nxt in ks:
            break
        long = run_long([P.grid_lr(nxt)])
    return long


shipped = P.confirm
#: ``--up``: extend upward only (never below the longer runs)
UP_ONLY = "--up" in sys.argv


def confirm_extended(policy, sweep, run, run_long=None, run_slow=None):
    probe, long = shipped(policy, sweep, run, run_long, run_slow)
    first = P.choose(policy, probe)
    if long is not None and first.status == "ok" and getattr(policy, "long_extend", 0):
        long = extend_long(policy, probe, first, long, run_long)
    return probe, long


if __name__ == "__main__":
    import gen_cv

    P.Policy = ExtendPolicy
    P.confirm = confirm_extended
    short = gen_cv._short
    gen_cv._short = lambda policy: short(policy) + (f"e{policy.long_extend}" if getattr(policy, "long_extend", 0) else "")
    if "--replace" in sys.argv[1:]:
        # the adopted space with its skip-1 second round searched further (one more run) instead
        gen_cv.LONG = [dict(long_count=0), dict(long_count=2, long_spacing=3, long_skip=0),
                       dict(long_count=2, long_spacing=3, long_skip=1, long_extend=1)]
    else:
        # offered beside the adopted space: 1 or 2 more runs after either second round
        gen_cv.LONG = gen_cv.LONG + [dict(long_count=2, long_spacing=3, long_skip=sk, long_extend=e)
                                     for sk in (0, 1) for e in (1, 2)]
    gen_cv.main([])
