"""A cap on where the first round starts for Adam-type optimizers, re-run through the
leave-one-family-out choice of ``gen_cv.py``: the first-round candidates start below
``min(where the sweep stopped, cap)``. An Adam-type step moves every weight by about the LR, so
LRs of 1 and more rewrite weights initialised at ~1/sqrt(fan_in) at every step; only networks
whose output ignores their weights' scale survive there, and their short runs favour such LRs
(the fresh CosFace task). The question is what the cap does to the suite's Adam-type tasks,
many of whose sweeps stop above 1 (up to 600).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_adam_cap.py 1.0
"""
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lrscope.analysis import _policy as P  # noqa: E402

CAP = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
ADAM = {"Adam", "AdamW", "NAdam", "RAdam", "Adamax"}
shipped = P.anchor_index


def anchor_capped(policy, sweep):
    k = shipped(policy, sweep)
    return min(k, P.grid_index(CAP)) if getattr(sweep, "optimizer", None) in ADAM else k


if __name__ == "__main__":
    import gen_cv
    from suite import SUITE

    def sweep_with_optimizer(ev):
        return dataclasses.replace(ev.sweep_result(), optimizer=SUITE[ev.task].optimizer.split("(")[0])

    P.anchor_index = anchor_capped
    gen_cv._sweep = sweep_with_optimizer
    gen_cv.main([])
