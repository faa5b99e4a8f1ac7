"""`lrscope landscape`: a 2-D loss-landscape slice of a task's network, for `lrscope explore`.

    lrscope landscape --task demo:mnist1d-mlp --out land.json --grid 31 --range 1.0
    lrscope explore --landscape land.json
"""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "landscape", help="compute a network's loss on a 2-D plane (Li et al. 2018) for the explorer",
        description="Train the task's model briefly, then evaluate its loss on a plane through the trained weights "
                    "along two random filter-normalised directions (Li et al., 2018). Writes a JSON file that "
                    "`lrscope explore --landscape FILE` opens.",
    )
    from ._common import add_task_argument

    add_task_argument(p)
    p.add_argument("--out", required=True, metavar="LAND.json", help="where to write the landscape")
    p.add_argument("--grid", type=int, default=21, help="points per axis (default 21; 51 for a fine map)")
    p.add_argument("--range", dest="extent", type=float, default=1.0,
                   help="half-width of the plane in filter-normalised units (default 1.0)")
    p.add_argument("--train-steps", type=int, default=200, help="optimizer steps of training first (default 200)")
    p.add_argument("--eval-samples", type=int, default=1024, help="training samples the loss is averaged over (default 1024)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import _validate as v
    from ._common import check_writable, task_spec

    spec = task_spec(args)
    out = check_writable("out", args.out)
    # check the numbers before building the task (which may take a while)
    v.integer("grid", args.grid, minimum=3)
    v.positive("range", args.extent)
    v.integer("train_steps", args.train_steps, minimum=0)
    v.integer("eval_samples", args.eval_samples, minimum=1)
    v.require("torch", "lrscope landscape", "torch")
    from ..adapters.torch_landscape import compute_landscape, save_landscape
    from ..task import load_task

    task = load_task(spec, seed=args.seed)
    doc = compute_landscape(task, grid=args.grid, extent=args.extent, train_steps=args.train_steps,
                            eval_samples=args.eval_samples, seed=args.seed, progress=not args.no_progress)
    save_landscape(doc, out)
    loss = doc["loss"]
    lo = min(min(r) for r in loss)
    hi = max(max(r) for r in loss)
    print(f"wrote {out}: {doc['grid']}x{doc['grid']} losses of {doc['name']} ({doc['params']} weights) "
          f"on [-{doc['range']:g}, {doc['range']:g}]^2, centre {doc['center_loss']:.4g}, min {lo:.4g}, max {hi:.4g}")
    if doc["nonfinite_points_capped"]:
        print(f"note: {doc['nonfinite_points_capped']} points had a non-finite loss and hold the largest finite one; "
              "a smaller --range avoids them")
    print(f"open it with: lrscope explore --landscape {out}")
    return 0
