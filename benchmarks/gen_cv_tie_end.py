"""A variant of the tie rule, tried and not kept (docs/benchmarks/generalization.md).

The shipped tie rule calls the runs a tie when every stable run fell by at least ``1 - tie``
times the largest fall. Near a fall of 100% that compresses real differences (falls of 95% and
98% leave 2.5x different losses). This variant ties the runs instead when their remaining
losses ``1 - fall`` lie within a factor ``ratio`` of each other, and re-runs the
leave-one-family-out choice of ``gen_cv.py`` with it (the policy's ``tie`` only switches the
rule on or off; ``fall`` reproduces the shipped rule):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_tie_end.py end:1.11
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lrscope.analysis import _policy as P  # noqa: E402
from lrscope.analysis.probe import EXPLODES, probe_verdicts  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "fall"          # "fall" (as shipped) or "end:<ratio>"
orig = P.choose

def choose_end(policy, probe, *, tie=True):
    if MODE == "fall" or not tie or policy.tie is None:
        return orig(policy, probe, tie=tie)
    ratio = float(MODE.split(":")[1])
    # run the shipped choice with the tie rule off, then apply the end-ratio tie
    verdicts, drops, _ = probe_verdicts(probe.curves, probe.steps, probe.diverge_factor, probe.slow_ratio)
    ch = orig(policy, probe, tie=False)
    if ch.status != "ok":
        return ch
    ks = [P.grid_index(lr) for lr in probe.lrs]
    ok = [i for i, v in enumerate(verdicts) if v != EXPLODES]
    bad = [ks[i] for i, v in enumerate(verdicts) if v == EXPLODES]
    if bad and len(ok) >= 3:
        ends = [1.0 - float(drops[i]) for i in ok]
        if min(ends) > 0 and max(ends) <= ratio * min(ends):
            return P.Choice("slow", min(bad), ch.verdicts, ch.scores, ch.by)
    return ch

if __name__ == "__main__":
    P.choose = choose_end
    import gen_cv

    gen_cv.main([])
