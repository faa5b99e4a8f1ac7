"""Read the generalisation benchmark's caches: oracle qualities and the recorded evidence.

``Oracle`` answers "how good is LR grid index k for this use" (seed-mean quality of the
oracle runs, filled in between walked points); ``Evidence`` replays what ``find_lr`` would
have seen on one seed: the sweep cut where a given stop rule ends it, and the probes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_oracle import RESULTS, SEEDS, USES, grid_lr, oracle_path, seed_means  # noqa: E402


@dataclasses.dataclass
class Oracle:
    """The grid of one task and use: seed-mean quality per grid index."""

    task: str
    use: str
    q_init: float
    means: dict[int, float]        # NaN: a seed diverged

    @functools.cached_property
    def best(self) -> tuple[int, float]:
        ok = {k: q for k, q in self.means.items() if math.isfinite(q)}
        k = max(ok, key=ok.get)
        return k, ok[k]

    @property
    def k_best(self) -> int:
        return self.best[0]

    @property
    def q_best(self) -> float:
        return self.best[1]

    def quality(self, k: int) -> float:
        """Seed-mean quality at grid index k (NaN: diverged). Unwalked points: linear between walked
        neighbours; above the walked range: diverged; below it: the lowest walked point's quality."""
        if k in self.means:
            return self.means[k]
        ks = sorted(self.means)
        if k > ks[-1]:
            return math.nan
        if k < ks[0]:
            return self.means[ks[0]]
        lo = max(x for x in ks if x < k)
        hi = min(x for x in ks if x > k)
        qa, qb = self.means[lo], self.means[hi]
        if not (math.isfinite(qa) and math.isfinite(qb)):
            return math.nan
        return qa + (qb - qa) * (k - lo) / (hi - lo)

    def regret(self, k: int | None) -> float:
        """Normalised regret ``(q_best - q) / (q_best - q_init)`` in [0, 1]; 1 for diverged or no answer."""
        if k is None:
            return 1.0
        q = self.quality(int(k))
        if not math.isfinite(q):
            return 1.0
        return float(min(1.0, max(0.0, (self.q_best - q) / (self.q_best - self.q_init))))

    def smooth_quality(self, k: int) -> float:
        """Mean of the qualities at k-1, k, k+1, a diverged point counting as untrained (q_init).

        Used only to *choose* constants: the seed-mean at one grid point is the mean of two
        runs, and the best of ~20 such means is biased up by seed luck (a task whose training
        "clicks" at random, like the adding problem, has one lucky point with two bad
        neighbours). Averaging over neighbours also charges an answer for sitting next to
        divergence, which another network or seed may cross.
        """
        vals = []
        for j in (k - 1, k, k + 1):
            q = self.quality(j)
            vals.append(self.q_init if not math.isfinite(q) else q)
        return float(np.mean(vals))

    @functools.cached_property
    def smooth_best(self) -> float:
        ks = range(min(self.means) - 1, max(self.means) + 2)
        return max(self.smooth_quality(k) for k in ks)

    def smooth_regret(self, k: int | None) -> float:
        """Normalised regret against the smoothed curve (see ``smooth_quality``), in [0, 1]."""
        if k is None:
            return 1.0
        q = self.smooth_quality(int(k))
        return float(min(1.0, max(0.0, (self.smooth_best - q) / (self.smooth_best - self.q_init))))

    def within_1pct(self, k: int | None) -> bool:
        """Quality within 1% of the grid's best: ``q_best - q <= 0.01 |q_best|``."""
        if k is None:
            return False
        q = self.quality(int(k))
        return math.isfinite(q) and self.q_best - q <= 0.01 * abs(self.q_best)


@functools.lru_cache(maxsize=None)
def oracle(task: str, use: str) -> Oracle:
    data = json.loads(oracle_path(task).read_text())
    q_init = float(np.mean([data["init"][str(s)]["quality"] for s in SEEDS]))
    return Oracle(task, use, q_init, seed_means(data, use))


def oracle_ready(task: str) -> bool:
    path = oracle_path(task)
    if not path.exists():
        return False
    data = json.loads(path.read_text())
    return all(data["runs"].get(u) for u in USES) and (RESULTS / "oracle.log").exists() and \
        f"DONE {task}" in (RESULTS / "oracle.log").read_text()


@dataclasses.dataclass(eq=False)
class Evidence:
    """What one seed's finder could read."""

    task: str
    seed: int
    budget: int
    probe_steps: int
    sweep: dict
    probes: dict[int, dict]

    def sweep_result(self, end_lr: float = 10.0, extend_decades: float = 4.0, diverge_factor: float = 4.0,
                     smoothing: float = 0.98):
        """The RangeTestResult of a default sweep (1e-7 .. end_lr, carried on up to
        ``end_lr * 10**extend_decades`` when it has not diverged), stopped by the runner's rule."""
        from lrscope.analysis import RangeTestResult
        from lrscope.analysis.smoothing import DebiasedEMA
        from lrscope.runner import SETTLE_STEPS, is_diverged

        lrs = np.asarray(self.sweep["lrs"], dtype=float)
        loss = np.array([np.nan if x is None else x for x in self.sweep["loss"]], dtype=float)
        cap = end_lr * 10 ** extend_decades
        ema, best, first = DebiasedEMA(smoothing), math.inf, None
        smoothed, stop, reason = [], len(lrs), "completed"
        for i, (lr, l) in enumerate(zip(lrs, loss)):
            if lr > cap * (1 + 1e-9):
                stop = i
                break
            if not math.isfinite(l):
                stop, reason = i, "non-finite"
                break
            s = ema.update(l)
            smoothed.append(s)
            first = s if first is None else first
            if i >= SETTLE_STEPS - 1:
                best = min(best, s)
            if i >= SETTLE_STEPS - 1 and is_diverged(s, best, first, diverge_factor):
                stop, reason = i + 1, "diverged"
                break
        n = stop
        metric = None if self.sweep["metric"] is None else np.array(
            [np.nan if x is None else x for x in self.sweep["metric"][:n]], dtype=float)
        vs = self.sweep.get("val_steps")
        kw = {}
        if vs:
            keep = [j for j, st in enumerate(vs) if st < n]
            kw = dict(val_steps=np.array([vs[j] for j in keep], dtype=int),
                      val_losses=np.array([_f(self.sweep["val_loss"][j]) for j in keep]),
                      val_metric=np.array([_f(self.sweep["val_metric"][j]) for j in keep]))
        return RangeTestResult(
            lrs=lrs[:n], losses=loss[:n], smoothed=np.asarray(smoothed[:n]), group_lrs=lrs[:n, None], mode="exp",
            start_lr=1e-7, end_lr=end_lr, num_steps=100, stop_reason=reason, stop_message="",
            smoothing=smoothing, diverge_factor=diverge_factor, metric=metric, metric_name="metric", **kw)

    def probe_loss(self, k: int, m: int) -> np.ndarray | None:
        """The first m training losses of the probe at grid index k (shorter when it blew up);
        None when k was not probed."""
        p = self.probes.get(k)
        if p is None:
            return None
        return np.array([np.nan if x is None else x for x in p["loss"][:m]], dtype=float)

    def probe_val(self, k: int, step: int) -> float | None:
        """Validation loss of probe k after ``step + 1`` steps (a checkpoint every 25), or None."""
        p = self.probes.get(k)
        if p is None or step not in p["val_steps"]:
            return None
        return _f(p["val_loss"][p["val_steps"].index(step)])


def _f(x) -> float:
    return math.nan if x is None else float(x)


@functools.lru_cache(maxsize=None)
def evidence(task: str, seed: int) -> Evidence:
    from gen_evidence import evidence_path

    d = json.loads(evidence_path(task, seed).read_text())
    return Evidence(task, seed, d["budget"], d["probe_steps"], d["sweep"], {int(k): v for k, v in d["probes"].items()})


def ready_tasks() -> list[str]:
    from gen_evidence import evidence_path
    from suite import SUITE

    return [n for n in SUITE if oracle_ready(n) and all(evidence_path(n, s).exists() for s in SEEDS)]


__all__ = ["Oracle", "Evidence", "oracle", "evidence", "ready_tasks", "grid_lr"]
