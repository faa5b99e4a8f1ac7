"""`lrscope landscape`: a 2-D loss-landscape slice of a task's network, for `lrscope explore`.

    lrscope landscape --task demo:mnist1d-mlp --out land.json --grid 31 --range 1.0
    lrscope landscape --task demo:mnist1d-mlp --out land.json --trajectories 1e-3,1e-1,3
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
    p.add_argument("--range", dest="extent", type=float, default=None,
                   help="half-width of the plane in filter-normalised units (default 1.0; not with --trajectories, "
                        "whose plane covers the paths)")
    p.add_argument("--train-steps", type=int, default=200,
                   help="optimizer steps of training first, or of each run with --trajectories (default 200)")
    traj = p.add_argument_group("real training paths (Li et al. 2018, section 7)")
    traj.add_argument("--trajectories", metavar="LR,LR,...", type=_lrs,
                      help="train the network from its start at each LR, and draw the surface on the PCA plane of the "
                           "weight trajectories with the real paths on it, e.g. 1e-3,1e-1,3")
    traj.add_argument("--schedule", choices=("constant", "one_cycle", "cosine"), default="constant",
                      help="the runs' schedule, with each LR as its constant, peak or start (default constant)")
    traj.add_argument("--record-every", type=int, default=None, help="steps between recorded points (default: about 60 per run)")
    traj.add_argument("--margin", type=float, default=0.25,
                      help="how far the surface reaches past the paths, as a fraction of their span (default 0.25)")
    p.add_argument("--eval-samples", type=int, default=1024, help="training samples the loss is averaged over (default 1024)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=run)


def _lrs(text: str) -> list[float]:
    try:
        out = [float(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated LRs such as 1e-3,1e-2,1e-1, got {text!r}") from exc
    if not out or not all(x > 0 for x in out):
        raise argparse.ArgumentTypeError(f"expected positive LRs such as 1e-3,1e-2,1e-1, got {text!r}")
    return out


def run(args: argparse.Namespace) -> int:
    from .. import _validate as v
    from ..errors import InvalidArgumentError
    from ._common import check_writable, task_spec

    spec = task_spec(args)
    out = check_writable("out", args.out)
    # check the numbers before building the task (which may take a while)
    v.integer("grid", args.grid, minimum=3)
    if args.trajectories is not None and args.extent is not None:
        raise InvalidArgumentError("--range", args.extent, "does not apply with --trajectories (the plane covers the "
                                   "paths)", "leave --range out, or use --margin to widen the map around the paths.")
    extent = 1.0 if args.extent is None else v.positive("range", args.extent)
    v.integer("train_steps", args.train_steps, minimum=0 if args.trajectories is None else 2)
    v.integer("eval_samples", args.eval_samples, minimum=1)
    v.require("torch", "lrscope landscape", "torch")
    from ..adapters.torch_landscape import compute_landscape, compute_trajectories, save_landscape
    from ..task import load_task

    task = load_task(spec, seed=args.seed)
    if args.trajectories is not None:
        doc = compute_trajectories(task, args.trajectories, steps=args.train_steps, schedule=args.schedule,
                                   record_every=args.record_every, grid=args.grid, margin=args.margin,
                                   eval_samples=args.eval_samples, seed=args.seed, progress=not args.no_progress)
    else:
        doc = compute_landscape(task, grid=args.grid, extent=extent, train_steps=args.train_steps,
                                eval_samples=args.eval_samples, seed=args.seed, progress=not args.no_progress)
    save_landscape(doc, out)
    loss = doc["loss"]
    lo = min(min(r) for r in loss)
    hi = max(max(r) for r in loss)
    where = (f"on [-{doc['range']:g}, {doc['range']:g}]^2" if doc.get("paths") is None else
             f"on the PCA plane of {len(doc['paths'])} training paths")
    print(f"wrote {out}: {doc['grid']}x{doc['grid']} losses of {doc['name']} ({doc['params']} weights) "
          f"{where}, centre {doc['center_loss']:.4g}, min {lo:.4g}, max {hi:.4g}")
    for path in doc.get("paths") or []:
        how = "diverged" if path["diverged"] else f"ended at loss {path['loss'][-1]:.4g}"
        print(f"  {path['label']}: {how} after {path['step'][-1]} steps (started at {path['loss'][0]:.4g})")
    if doc["nonfinite_points_capped"]:
        print(f"note: {doc['nonfinite_points_capped']} points had a non-finite loss and hold the largest finite one; "
              "a smaller --range avoids them")
    print(f"open it with: lrscope explore --landscape {out}")
    return 0
