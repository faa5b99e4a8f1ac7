"""Are the per-use offsets, chosen on the suite, calibrated on the fresh tasks?

Every answer of ``results/gen/fresh.json`` is moved by ``shift`` grid steps (1/6 decade each) and
scored on the task's oracle grid (``gen_data.Oracle.regret``: the seed-mean quality at that grid
point, interpolated in log-LR between points the grid did not run). Nothing is fitted: if a shift
of one grid step either way scored clearly better, the suite's offsets would not transfer to
networks they were not chosen on. Shift 0 reproduces the trained figures up to the interpolation.

    .venv/bin/python benchmarks/gen_fresh_shift.py
"""
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_data import oracle  # noqa: E402

from lrscope.analysis._policy import grid_index  # noqa: E402

SHIFTS = (-2, -1, 0, 1, 2)
USES = (("lr", "constant"), ("one_cycle_max_lr", "one_cycle"))


def main() -> None:
    fresh = json.loads((HERE / "results" / "gen" / "fresh.json").read_text())
    for call in ("lrscope default", "lrscope val+budget"):
        for use, oracle_use in USES:
            rows = fresh["per_task"][call][use]
            cells = []
            for shift in SHIFTS:
                per_task = [np.mean([oracle(t, oracle_use).regret(None if lr is None else grid_index(lr) + shift)
                                     for lr in row["lrs"]]) for t, row in rows.items()]
                cells.append(f"{shift:+d}: {np.mean(per_task):.3f}")
            print(f"{call:20s} {use:17s} ({len(rows)} tasks)  " + "  ".join(cells))


if __name__ == "__main__":
    main()
