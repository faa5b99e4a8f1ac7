"""A tie-break in the second round, re-run through the leave-one-family-out choice of
``gen_cv.py``: when a longer run at a lower LR ended within a fraction ``margin`` of the best
longer run (what is left of its training loss, ``1 - fall``, or its validation loss), take the
lower LR. Short runs favour high LRs; the question is whether a near-tie over the longer runs
should be read the same way.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_long_tie.py 0.05
"""
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lrscope.analysis import _policy as P  # noqa: E402
from lrscope.analysis.probe import EXPLODES  # noqa: E402

MARGIN = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
shipped = P.decide


def decide_variant(policy, probe, long=None):
    ch = shipped(policy, probe, long)
    first = P.choose(policy, probe)
    if long is None or first.status != "ok" or ch.status != "ok" or MARGIN <= 0:
        return ch
    second = P.choose(policy, long, tie=False)
    if second.status != "ok":
        return ch
    ks = [P.grid_index(lr) for lr in long.lrs]
    rem = [(s if second.by == "val" else 1.0 + s) for s in second.scores]
    ib = ks.index(second.k)
    if not (rem[ib] > 0 and math.isfinite(rem[ib])):
        return ch
    lower = [i for i in range(len(ks)) if ks[i] < ks[ib] and second.verdicts[i] != EXPLODES
             and math.isfinite(rem[i]) and rem[i] <= (1 + MARGIN) * rem[ib]]
    if not lower:
        return ch
    i = min(lower, key=lambda j: ks[j])
    return P.Choice("ok", ks[i], second.verdicts, second.scores, second.by)


if __name__ == "__main__":
    P.decide = decide_variant
    import gen_cv

    gen_cv.main([])
