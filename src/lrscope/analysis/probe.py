"""The LR probe's result and its verdict rules (numpy only).

A probe trains a few short runs from the same starting state, one per constant LR (the manual
method: "try 0.1, 0.01, 0.001 for a few hundred steps and look"). Each run gets a verdict:

* ``start`` = the run's first loss (measured before any update, so the same starting point
  for every LR; or, when given and larger, the starting model's mean loss over several
  batches: see ``probe_verdicts``), ``end`` = the mean of its last ``max(1, steps // 5)`` losses, and
  ``drop = (start - end) / |start|`` (the relative decrease; > 0 is progress);
* **explodes**: a NaN/inf loss, or the loss rose above ``start + (diverge_factor - 1) * |start|``
  (the range test's divergence rule), or it ended more than 10% above its start
  (``drop < -0.1``);
* **too slow**: not exploding, but ``drop < slow_ratio * best_drop``, where ``best_drop`` is the
  largest drop among the runs that did not explode (every run is too slow when none dropped);
* **good**: the rest. ``best_lr`` is the good run with the largest drop.

The rule is relative on purpose: "too slow" means slow compared with the best LR tried, so
probing a range that brackets the answer (e.g. 1, 0.1, 0.01, 0.001) gives useful verdicts.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .. import _validate as v
from ..errors import InvalidArgumentError

__all__ = ["ProbeResult", "probe_verdicts", "reference_loss", "explosion_limit", "explodes_at", "SPIKE_STEPS",
           "ACCUMULATOR_SPIKE_STEPS",
           "EXPLODES", "TOO_SLOW", "GOOD",
           "RISE_TOLERANCE"]

EXPLODES, TOO_SLOW, GOOD = "explodes", "too slow", "good"

#: when every confirmation run exploded, ``find_lr`` runs them again counting a run as exploded only
#: when its loss stays above the limit this many steps in a row: one batch far above the rest is
#: then the data, not the LR (with 5% gross outliers among regression targets, 1.6% of the batch
#: losses of 32 lie above 4x their mean, so every run "exploded" at every LR). Only then: counted
#: always, it costs the benchmark's suite 0.076 -> 0.123 held out (a one-step spike is also how a
#: brief instability at a too-high LR shows; ``benchmarks/gen_cv_spike.py``)
SPIKE_STEPS = 2
#: under an optimizer whose steps shrink as it accumulates squared gradients (Adagrad), the first
#: step is ``lr * sign(g)`` on every weight: at a good LR the loss jumps far above the limit for a
#: few steps, then falls below where lower LRs are (a 1-D CNN's best LR, 0.22, was cut at its
#: second step; an MLP's, 0.15, at its third; LRs that train well stayed above the limit 2 to 9
#: steps). ``find_lr``'s runs under such an optimizer explode only when the loss stays above the
#: limit this many steps in a row (kept apart from ``SPIKE_STEPS``: the verdict tells the two
#: rules apart by the count the runs were judged with)
ACCUMULATOR_SPIKE_STEPS = 10
RISE_TOLERANCE = 0.1
"""A run that ends more than this fraction of |start| above its start explodes."""


def _tail(steps: int) -> int:
    return max(1, steps // 5)


def reference_loss(first: float, start: float | None = None) -> float:
    """The loss a run's drop and divergence are measured from: its first loss, or the starting
    model's mean loss ``start`` when that is larger (see ``probe_verdicts``).

    >>> reference_loss(0.25, 1.0), reference_loss(2.0, 1.0), reference_loss(2.0)
    (1.0, 2.0, 2.0)
    """
    return float(first) if start is None else max(float(first), float(start))


def explosion_limit(first: float, start: float | None, diverge_factor: float) -> float:
    """The loss above which a run explodes: ``ref + (diverge_factor - 1) * |ref|`` with ``ref`` the
    ``reference_loss`` (``|ref|`` taken as 1 when ``ref`` is 0).

    >>> explosion_limit(0.25, 1.0, 4.0), explosion_limit(-2.0, None, 4.0)
    (4.0, 4.0)
    """
    ref = reference_loss(first, start)
    return ref + (diverge_factor - 1.0) * (abs(ref) if ref != 0 else 1.0)


def explodes_at(curve, limit: float, spike_steps: int = 1) -> int | None:
    """The step at which a run explodes: its first non-finite loss, or the last of the first
    ``spike_steps`` losses in a row above ``limit``; None when it never does.

    >>> explodes_at(np.array([1.0, 9.0, 1.0, 0.5]), 4.0), explodes_at(np.array([1.0, 9.0, 1.0, 0.5]), 4.0, 2) is None
    (1, True)
    >>> explodes_at(np.array([1.0, 9.0, 30.0, 1e3]), 4.0, 2), explodes_at(np.array([1.0, 2.0, np.nan]), 4.0, 2)
    (2, 2)
    """
    run = 0
    for i, loss in enumerate(np.asarray(curve, dtype=float)):
        if not math.isfinite(loss):
            return i
        run = run + 1 if loss > limit else 0
        if run >= spike_steps:
            return i
    return None


def probe_verdicts(curves, steps: int, diverge_factor: float = 4.0, slow_ratio: float = 0.5,
                   start: float | None = None, spike_steps: int = 1):
    """Verdicts, relative drops and the best LR's index for a set of probe curves.

    Args:
        curves: one 1-D loss array per LR (a run may be shorter when it hit NaN/inf).
        steps: the planned steps per run (sets the tail length ``max(1, steps // 5)``).
        diverge_factor: the divergence threshold (> 1).
        slow_ratio: the "too slow" fraction of the best drop, in (0, 1).
        start: the starting model's mean loss over several batches (``find_lr`` passes it:
            ``ProbeResult.start_loss``), or None. When it is larger than a run's first loss,
            the run's drop and its divergence are measured from it instead: at small batch
            sizes one batch's loss can lie far below the model's typical loss, and then a run
            that merely stays put would "explode" and one that learns would not "fall".
        spike_steps: a run explodes when its loss lies above the limit this many steps in a
            row (1, the rule; ``find_lr`` passes ``SPIKE_STEPS`` only in its second look when
            every run exploded).

    Returns:
        ``(verdicts, drops, best_index)``: a tuple of strings, a float array (NaN for a run
        with a non-finite loss) and the index of the best good run (or None).

    >>> v, d, best = probe_verdicts([np.array([2.0, 1.0, 0.5]), np.array([2.0, 1.9, 1.8]),
    ...                              np.array([2.0, 9.0, np.nan])], steps=3)
    >>> v, best
    (('good', 'too slow', 'explodes'), 0)
    """
    k = _tail(steps)
    drops, exploded = [], []
    for c in curves:
        c = np.asarray(c, dtype=float)
        if c.size == 0 or not np.all(np.isfinite(c)):
            drops.append(math.nan)
            exploded.append(True)
            continue
        first, end = float(c[0]), float(np.mean(c[-k:]))
        ref = reference_loss(first, start)
        drop = (ref - end) / (abs(ref) if ref != 0 else 1.0)
        drops.append(drop)
        peak_limit = explosion_limit(first, start, diverge_factor)
        exploded.append(explodes_at(c, peak_limit, spike_steps) is not None or drop < -RISE_TOLERANCE)
    ok = [d for d, e in zip(drops, exploded) if not e]
    best_drop = max(ok) if ok else math.nan
    verdicts = []
    for d, e in zip(drops, exploded):
        if e:
            verdicts.append(EXPLODES)
        elif best_drop <= 0 or d < slow_ratio * best_drop:
            verdicts.append(TOO_SLOW)
        else:
            verdicts.append(GOOD)
    good = [i for i, verdict in enumerate(verdicts) if verdict == GOOD]
    best = max(good, key=lambda i: drops[i]) if good else None
    return tuple(verdicts), np.asarray(drops, dtype=float), best


def _clean(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


@dataclasses.dataclass(eq=False, repr=False)
class ProbeResult:
    """Short constant-LR runs from one starting state, with a verdict per LR.

    Args:
        lrs: (k,) the LRs tried (parameter group 0).
        curves: k loss arrays, one per LR, one value per optimizer step (shorter when a
            NaN/inf stopped the run; the non-finite value is the last entry).
        steps: planned optimizer steps per run.
        diverge_factor: threshold of the "explodes" rule.
        slow_ratio: threshold of the "too slow" rule.
        task_name: a label for reports.
        val_losses: (k,) validation loss at the end of each run (NaN where a run exploded),
            or None when no validation loader was given.
        start_loss: the starting model's mean loss over the runs' first batches, or None;
            when larger than a run's first loss, its drop and divergence are measured from it
            (see ``probe_verdicts``).
        spike_steps: a run explodes when its loss lies above the limit this many steps in a
            row (see ``probe_verdicts``; 1 unless every run of a first look exploded).
    """

    lrs: np.ndarray
    curves: tuple[np.ndarray, ...]
    steps: int
    diverge_factor: float = 4.0
    slow_ratio: float = 0.5
    task_name: str | None = None
    val_losses: np.ndarray | None = None
    start_loss: float | None = None
    spike_steps: int = 1

    def __post_init__(self):
        self.lrs = np.asarray(self.lrs, dtype=float).ravel()
        self.curves = tuple(np.asarray(c, dtype=float).ravel() for c in self.curves)
        if len(self.curves) != len(self.lrs):
            raise InvalidArgumentError("curves", f"{len(self.curves)} curves for {len(self.lrs)} lrs",
                                       "must hold one loss curve per LR", "pass one curve per LR.")
        self.steps = v.integer("steps", self.steps, minimum=1)
        if self.val_losses is not None:
            self.val_losses = np.asarray(self.val_losses, dtype=float).ravel()
            if self.val_losses.size != self.lrs.size:
                raise InvalidArgumentError("val_losses", f"{self.val_losses.size} values for {self.lrs.size} lrs",
                                           "must hold one validation loss per LR", "pass one value per run.")
        if self.start_loss is not None:
            self.start_loss = v.finite("start_loss", self.start_loss)
        self.spike_steps = v.integer("spike_steps", self.spike_steps, minimum=1)
        self._verdicts, self._drops, self._best = probe_verdicts(
            self.curves, self.steps, self.diverge_factor, self.slow_ratio, self.start_loss, self.spike_steps)

    @property
    def verdicts(self) -> dict[float, str]:
        """``{lr: "explodes" | "too slow" | "good"}`` in the order tried."""
        return {float(lr): verdict for lr, verdict in zip(self.lrs, self._verdicts)}

    @property
    def drops(self) -> np.ndarray:
        """(k,) relative loss drop ``(start - end) / |start|`` of each run (NaN when non-finite)."""
        return self._drops.copy()

    @property
    def best_lr(self) -> float | None:
        """The good LR with the largest drop, or None when no run was good."""
        return None if self._best is None else float(self.lrs[self._best])

    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON-ready payload (NaN/inf become None)."""
        return {
            "kind": "probe",
            "task_name": self.task_name,
            "lrs": [float(x) for x in self.lrs],
            "steps": int(self.steps),
            "diverge_factor": float(self.diverge_factor),
            "slow_ratio": float(self.slow_ratio),
            "curves": [[_clean(x) for x in c] for c in self.curves],
            "verdicts": list(self._verdicts),
            "drops": [_clean(x) for x in self._drops],
            "best_lr": self.best_lr,
            "val_losses": None if self.val_losses is None else [_clean(x) for x in self.val_losses],
            "start_loss": self.start_loss,
            "spike_steps": int(self.spike_steps),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ProbeResult":
        """Rebuild from :meth:`to_dict` (derived keys are recomputed, not trusted)."""
        derived = {"kind", "verdicts", "drops", "best_lr"}
        v.known_keys("ProbeResult.from_dict", d, {f.name for f in dataclasses.fields(cls)} | derived)
        curves = tuple(np.array([math.nan if x is None else x for x in c], dtype=float) for c in d["curves"])
        val = d.get("val_losses")
        return cls(lrs=np.asarray(d["lrs"], dtype=float), curves=curves, steps=d["steps"],
                   diverge_factor=d.get("diverge_factor", 4.0), slow_ratio=d.get("slow_ratio", 0.5),
                   task_name=d.get("task_name"), start_loss=d.get("start_loss"), spike_steps=d.get("spike_steps", 1),
                   val_losses=None if val is None else np.array([math.nan if x is None else x for x in val]))

    def __repr__(self) -> str:
        """One line: each LR with its verdict and the best one (``summary()`` has the losses)."""
        runs = ", ".join(f"{lr:.3g}: {verdict}" for lr, verdict in zip(self.lrs, self._verdicts))
        best = "-" if self.best_lr is None else f"{self.best_lr:.3g}"
        return f"ProbeResult({{{runs}}}; {self.steps} steps each; best_lr={best}; .summary() for the losses)"

    def summary(self) -> str:
        """A terminal table: LR, verdict, start and end loss, relative drop."""
        k = _tail(self.steps)
        rows = [("lr", "verdict", "start loss", f"end loss (last {k})", "drop")]
        for lr, c, verdict, drop in zip(self.lrs, self.curves, self._verdicts, self._drops):
            start = f"{c[0]:.4g}" if c.size else "-"
            end = f"{np.mean(c[-k:]):.4g}" if c.size and np.all(np.isfinite(c)) else "nan/inf"
            rows.append((f"{lr:.4g}", verdict, start, end, "-" if not math.isfinite(drop) else f"{drop:+.1%}"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        best = self.best_lr
        lines.append("")
        lines.append(f"best: lr={best:.4g}" if best is not None else
                     "no LR was good: try LRs between the ones that exploded and the ones that were too slow.")
        return "\n".join(lines)

    def plot(self, ax=None):
        """Loss against step for every LR, labelled with its verdict; returns the Figure (never shows it)."""
        if ax is None:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(7, 4.5))
            ax = fig.add_subplot(1, 1, 1)
        else:
            fig = v.axes("ax", ax)
        finite_starts = [c[0] for c in self.curves if c.size and np.isfinite(c[0])]
        for lr, c, verdict in zip(self.lrs, self.curves, self._verdicts):
            style = {"explodes": ":", "too slow": "--", "good": "-"}[verdict]
            ax.plot(np.arange(len(c)), np.where(np.isfinite(c), c, np.nan), style, label=f"lr={lr:.3g} ({verdict})")
        if finite_starts:  # keep the exploded runs from squashing the others
            lo = float(np.concatenate([c[np.isfinite(c)] for c in self.curves]).min())
            hi = float(max(finite_starts))
            span = (hi - lo) or 0.1 * max(abs(hi), 1.0)
            ax.set_ylim(lo - 0.05 * span, hi + 0.5 * span)
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("training loss")
        ax.set_title("LR probe" + (f": {self.task_name}" if self.task_name else ""))
        ax.legend(fontsize="small")
        return fig
