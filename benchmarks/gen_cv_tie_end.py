"""Variants of the tie rule, re-run through the leave-one-family-out choice of ``gen_cv.py``
(docs/benchmarks/generalization.md).

The shipped tie rule (``lrscope.analysis._policy._tied``) calls the runs a tie when every
stable run fell by at least ``1 - tie`` times the largest fall *and* what is left of their
losses (``1 - fall``) also lies within that factor. The variants:

* ``shipped``: the shipped rule (what ``gen_cv.py`` runs);
* ``fall``: the falls alone (the rule until the ninth fresh batch: near a fall of 100% it
  compresses real differences, e.g. falls of 77% and 85% leave 0.23 and 0.15 of the loss);
* ``end:<ratio>``: the remaining losses alone, within a factor ``ratio`` of each other.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_tie_end.py fall
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lrscope.analysis import _policy as P  # noqa: E402
from lrscope.analysis.probe import EXPLODES, probe_verdicts  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "shipped"
shipped = P.choose


def tied(ends: list[float]) -> bool:
    """The variant's test on the stable runs' remaining losses ``1 - fall``."""
    if MODE == "fall":
        falls = [1.0 - e for e in ends]
        return min(falls) >= 0.9 * max(falls)
    ratio = float(MODE.split(":")[1])
    return min(ends) > 0 and max(ends) <= ratio * min(ends)


def choose_variant(policy, probe, *, tie=True):
    if MODE == "shipped" or not tie or policy.tie is None:
        return shipped(policy, probe, tie=tie)
    # the shipped choice with the tie rule off, then the variant's tie
    verdicts, drops, _ = probe_verdicts(probe.curves, probe.steps, probe.diverge_factor, probe.slow_ratio,
                                        getattr(probe, "start_loss", None))
    ch = shipped(policy, probe, tie=False)
    if ch.status != "ok":
        return ch
    ks = [P.grid_index(lr) for lr in probe.lrs]
    ok = [i for i, v in enumerate(verdicts) if v != EXPLODES]
    bad = [ks[i] for i, v in enumerate(verdicts) if v == EXPLODES]
    if bad and len(ok) >= 3 and tied([1.0 - float(drops[i]) for i in ok]):
        return P.Choice("slow", min(bad), ch.verdicts, ch.scores, ch.by, tie=True)
    return ch


if __name__ == "__main__":
    P.choose = choose_variant
    import gen_cv

    gen_cv.main([])
