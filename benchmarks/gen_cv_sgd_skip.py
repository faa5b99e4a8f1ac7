"""A second round that depends on the optimizer's family, re-run through the leave-one-family-out
choice of ``gen_cv.py``: for SGD (``plain``: without momentum; ``sgd``: with or without momentum)
the longer runs start at the first round's best itself (``long_skip=0``: the best and half a
decade below it), whatever the structure chosen for the other optimizers.

Prompted by the fourteenth and fifteenth fresh batches: under plain SGD at large batches on short
budgets the best LR is the highest that does not diverge (3.2 and 1.5), and the adopted second
round, which starts half a decade below the first round's best, answered a decade below it. The
argument for starting below (a lower LR catches up over a longer run) was made by Adam-type
optimizers on small transformers; the question is whether the suite's SGD tasks agree.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_sgd_skip.py plain
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_sgd_skip.py sgd
"""
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lrscope.analysis import _policy as P  # noqa: E402

WHICH = sys.argv[1] if len(sys.argv) > 1 else "plain"
shipped = P.confirm


def in_scope(optimizer: str) -> bool:
    """Whether a suite task's optimizer (e.g. "SGD(momentum=0.9)") gets the skip-0 second round."""
    if not optimizer.startswith("SGD"):
        return False
    return WHICH == "sgd" or "momentum" not in optimizer


def confirm_by_family(policy, sweep, run, run_long=None, run_slow=None):
    if policy.long_count and in_scope(getattr(sweep, "optimizer", "") or ""):
        policy = dataclasses.replace(policy, long_skip=0)
    return shipped(policy, sweep, run, run_long, run_slow)


if __name__ == "__main__":
    import gen_cv
    from suite import SUITE

    if WHICH not in ("plain", "sgd"):
        sys.exit(f"which optimizers: 'plain' or 'sgd', got {WHICH!r}")

    def sweep_with_optimizer(ev):
        return dataclasses.replace(ev.sweep_result(), optimizer=SUITE[ev.task].optimizer)

    P.confirm = confirm_by_family
    gen_cv._sweep = sweep_with_optimizer
    gen_cv.main([])
