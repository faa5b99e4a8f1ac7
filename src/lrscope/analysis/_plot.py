"""Matplotlib rendering of a range test (matplotlib is imported inside the function).

The figure is built with ``matplotlib.figure.Figure`` directly, not pyplot, so no
window ever opens and no global backend state changes.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v

# one colour and marker per suggester (colour-blind-safe Okabe-Ito palette)
STYLE = {
    "steepest": ("#0072B2", "v"),
    "valley": ("#009E73", "o"),
    "min_div10": ("#56B4E9", "s"),
    "loss_fall": ("#E69F00", ">"),
    "loss_rise": ("#D55E00", "<"),
    "acc_rise": ("#CC79A7", "^"),
    "acc_plateau": ("#7F3C8D", "D"),
}
_LEVEL_COLOR = {"high": "#1a7f37", "medium": "#9a6700", "low": "#cf222e"}


def _interp(lr, lrs, ys, log):
    xs = np.log10(lrs) if log else lrs
    return float(np.interp(np.log10(lr) if log else lr, xs, ys))


#: how the rule behind an answer is drawn, apart from the other suggesters: a larger marker
#: ringed in black, a solid full-height line, and "<- use" in its legend entry
CHOSEN_STYLE = {"s": 150, "edgecolor": "#24292f", "linewidth": 1.8, "line_width": 1.6, "line_alpha": 0.9}
_LOSS_COLOR, _RAW_COLOR, _REPEAT_COLOR, _BAND_COLOR = "#24292f", "#8c959f", "#0969da", "#2da44e"
_METRIC_COLOR, _ANSWER_COLOR, _STOP_COLOR = "#9a6700", "#0969da", "#cf222e"


def plot_range_test(result, ax=None, *, suggestions=None, title: str | None = None, figsize=None):
    """Draw loss against LR with the suggestions, the base..max band and the stop point.

    Raw loss faint, the analysed (zero-lag smoothed) loss bold, the skipped start and
    the trimmed diverged tail dashed; each suggestion a marker on the curve and a
    labelled tick, the rule behind each answer in a style of its own (:data:`CHOSEN_STYLE`);
    the cyclic base..max band shaded; the stop point marked. With a metric, a second panel
    (or, when ``ax`` is given, a twin axis) draws it; with confirmation runs, a third panel.

    Args:
        result: a RangeTestResult.
        ax: a matplotlib Axes to draw on; None makes a new Figure.
        suggestions: names of the suggesters to mark (default: all that answered).
        title: figure title (default: task name and answers).
        figsize: inches, for a new Figure.

    Returns:
        The matplotlib Figure (not shown).
    """
    v.require("matplotlib", "Plotting a range test", "plot")
    from matplotlib.figure import Figure

    from .suggesters import SUGGESTERS

    sugg = result.suggestions
    if suggestions is None:
        names = [n for n in SUGGESTERS if sugg.get(n) is not None]
    else:
        names = list(suggestions)
        for n in names:
            v.choice("suggestions", n, SUGGESTERS)
        names = [n for n in names if sugg.get(n) is not None]

    curve = result.curve()
    has_metric = curve.metric is not None
    ax_runs = None
    if ax is None:
        heights = [3.0] + [1.7] * has_metric + [1.7] * (result.confirm is not None)
        fig = Figure(figsize=figsize or (10, 4.8 + 1.8 * (len(heights) - 1)), layout="constrained")
        axes = fig.subplots(len(heights), 1, sharex=True, gridspec_kw={"height_ratios": heights}, squeeze=False)[:, 0]
        ax_loss = axes[0]
        ax_met = axes[1] if has_metric else None
        ax_runs = axes[-1] if result.confirm is not None else None
    else:
        fig = v.axes("ax", ax)
        ax_loss = ax
        ax_met = ax.twinx() if has_metric else None
    outside = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0} if ax is None else {"loc": "best"}

    full = _draw_loss_panel(result, curve, ax_loss)
    _draw_band(result, ax_loss, ax_met)
    _mark_suggestions(result, curve, names, full, ax_loss, ax_met)
    _mark_stop(result, full, ax_loss)
    _style_loss_axis(result, ax_loss, own_figure=ax is None, twin=ax_met is not None, outside=outside)
    if ax_met is not None:
        _draw_metric_panel(result, curve, ax_met, own_axis=ax is None, outside=outside)
    if ax_runs is not None:
        _draw_runs(result, ax_runs, outside)
        if ax_met is not None:
            ax_met.set_xlabel("")
    if result.confirm is not None:
        _mark_answers(result, [a for a in (ax_loss, ax_met, ax_runs) if a is not None], outside)
    if (ax_met is None and ax_runs is None) or ax is not None:
        ax_loss.set_xlabel(_xlabel(result))

    if ax is None:
        if title is None:
            title = "LR range test" + (f": {result.task_name}" if result.task_name else "")
            if result.lr is not None:
                title += f"  -  lr {result.lr:.2g}"
            if result.one_cycle_max_lr is not None:
                title += f", one-cycle max_lr {result.one_cycle_max_lr:.2g}"
        fig.suptitle(title, fontsize=11.5)
    elif title:
        ax_loss.set_title(title)
    return fig


def _xlabel(result) -> str:
    return "learning rate" + (" (log scale)" if result.mode == "exp" else "")


def _tidy(axis) -> None:
    axis.grid(True, which="major", color="#d0d7de", lw=0.6)
    axis.set_axisbelow(True)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)


def _draw_loss_panel(result, curve, axis) -> np.ndarray:
    """The loss panel's curves: raw, analysed, each repeat, the skipped start and the trimmed
    tail, and the y range of the informative part. Returns the zero-lag smoothed full curve."""
    from ._curve import SMOOTH_FRACTION, zero_lag_smooth

    lrs_all, raw_all = result.lrs, result.losses
    fin = curve.finite_stop
    a, b = curve.first, curve.stop
    axis.plot(lrs_all[:fin], raw_all[:fin], color=_RAW_COLOR, lw=0.9, alpha=0.55, label="raw loss", zorder=1)
    if len(curve):
        axis.plot(curve.lrs, curve.loss, color=_LOSS_COLOR, lw=2.4, label="smoothed loss", zorder=3)
    full = zero_lag_smooth(raw_all[:fin], SMOOTH_FRACTION * max(result.num_steps, fin))
    for k, rep in enumerate(result.repeats):
        ok = np.isfinite(rep.losses)
        n_ok = int(np.argmin(ok)) if not ok.all() else rep.losses.size
        axis.plot(rep.lrs[:n_ok], zero_lag_smooth(rep.losses[:n_ok], SMOOTH_FRACTION * max(rep.num_steps, n_ok)),
                  color=_REPEAT_COLOR, lw=0.9, alpha=0.35, zorder=2,
                  label=f"each repeat ({len(result.repeats)})" if k == 0 else None)
    if a > 0:
        axis.plot(lrs_all[: a + 1], full[: a + 1], color=_LOSS_COLOR, lw=1.2, ls=":", zorder=2)
    if b < fin:
        axis.plot(lrs_all[b - 1 : fin], full[b - 1 : fin], color=_LOSS_COLOR, lw=1.2, ls="--", alpha=0.7,
                  label="trimmed (diverging)", zorder=2)
    if len(curve):  # the y range: the informative part, not the explosion
        seg = raw_all[a:b]
        lo = float(min(np.min(curve.loss), np.percentile(seg, 2)))
        hi = float(max(curve.start_loss, curve.max_loss if b == fin else curve.start_loss, np.percentile(seg, 98)))
        hi = min(hi, curve.start_loss + 1.5 * max(curve.start_loss - curve.min_loss, 1e-12)) if curve.drop > 0 else hi
        pad = 0.08 * max(hi - lo, 1e-12)
        axis.set_ylim(lo - pad, hi + pad)
    return full


def _draw_band(result, ax_loss, ax_met) -> None:
    """The cyclical base..max band, shaded on the loss (and metric) panel."""
    clr = result.clr
    if clr is None:
        return
    for axis in (ax_loss, ax_met):
        if axis is not None:
            axis.axvspan(clr["base_lr"], clr["max_lr"], color=_BAND_COLOR, alpha=0.10, lw=0, zorder=0)
    ax_loss.plot([], [], color=_BAND_COLOR, alpha=0.3, lw=8, label=f"cyclic band {clr['base_lr']:.2g}..{clr['max_lr']:.2g}")


def _mark_suggestions(result, curve, names, full, ax_loss, ax_met) -> None:
    """Each suggester's LR: a marker on the curve and a thin line; the rule behind an answer
    (when the answers come from the sweep's curve) in :data:`CHOSEN_STYLE`."""
    sugg = result.suggestions
    log = result.mode == "exp"
    fin = curve.finite_stop
    chosen: dict[str, list[str]] = {}
    for use, label in (("lr", "lr"), ("one_cycle_max_lr", "one-cycle max")):
        rule = result.answers[use].rule
        if rule in sugg:
            chosen.setdefault(rule, []).append(label)
    for name in names:
        lr = sugg[name]
        color, marker = STYLE.get(name, ("#444444", "o"))
        on_metric = name.startswith("acc_") and ax_met is not None
        axis = ax_met if on_metric else ax_loss
        if on_metric:
            y = _interp(lr, curve.metric_lrs, curve.metric, log)
        elif len(curve):
            y = _interp(lr, curve.lrs, curve.loss, log) if lr >= curve.lrs[0] else _interp(lr, result.lrs[:fin], full, log)
        else:
            continue
        if name in chosen:
            st = CHOSEN_STYLE
            axis.axvline(lr, color=color, lw=st["line_width"], alpha=st["line_alpha"], zorder=2)
            axis.scatter([lr], [y], s=st["s"], color=color, marker=marker, edgecolor=st["edgecolor"],
                         linewidth=st["linewidth"], zorder=6, label=f"{name}: {lr:.2g}  <- {', '.join(chosen[name])}")
        else:
            axis.axvline(lr, color=color, lw=0.8, alpha=0.5, ls="-", zorder=1)
            axis.scatter([lr], [y], s=60, color=color, marker=marker, edgecolor="white", linewidth=1.0, zorder=5,
                         label=f"{name}: {lr:.2g}")


def _mark_stop(result, full, axis) -> None:
    """Where the sweep stopped (a red cross, clipped into the y range)."""
    lrs_all, raw_all = result.lrs, result.losses
    if not lrs_all.size:
        return
    i = lrs_all.size - 1
    y_stop = raw_all[i] if np.isfinite(raw_all[i]) else (full[-1] if full.size else np.nan)
    lo_y, hi_y = axis.get_ylim()
    y_show = float(np.clip(y_stop, lo_y, hi_y)) if np.isfinite(y_stop) else hi_y
    axis.scatter([lrs_all[i]], [y_show], marker="X", s=80, color=_STOP_COLOR, zorder=6, clip_on=False,
                 label=f"stop: {result.stop_reason} at {lrs_all[i]:.2g}")


def _style_loss_axis(result, axis, *, own_figure: bool, twin: bool, outside: dict) -> None:
    """Log x axis, grid, legend and the confidence note of the loss panel."""
    from matplotlib.ticker import LogLocator

    from .confidence import INFO_REASONS

    if result.mode == "exp":
        axis.set_xscale("log")
        axis.xaxis.set_major_locator(LogLocator(base=10, numticks=15))
    axis.set_ylabel("training loss")
    axis.grid(True, which="major", color="#d0d7de", lw=0.6)
    axis.set_axisbelow(True)
    if own_figure or not twin:
        for side in ("top", "right"):
            axis.spines[side].set_visible(False)
    axis.legend(fontsize=8, frameon=False, **outside)
    conf = result.confidence
    shown = [r for r in conf.reasons if r not in INFO_REASONS]
    note = f"confidence: {conf.level}" + (f" ({', '.join(shown)})" if shown else "")
    color = _LEVEL_COLOR.get(conf.level, "black")
    axis.text(0.99, 0.02, note, transform=axis.transAxes, ha="right", va="bottom", fontsize=8.5, color=color,
              bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": color, "alpha": 0.9})


def _draw_metric_panel(result, curve, axis, *, own_axis: bool, outside: dict) -> None:
    """The metric (training, or validation when recorded) against the LR."""
    lrs_all = result.lrs
    label = (result.metric_name or "metric") + (" (validation)" if curve.metric_source == "val" else "")
    if curve.metric_source == "val":
        steps = np.asarray(result.val_steps, dtype=int)
        ok = steps < lrs_all.size
        axis.plot(lrs_all[steps[ok]], np.asarray(result.val_metric)[ok], color="#bf8700", lw=0.9,
                  alpha=0.45, marker=".", ms=3)
    else:
        fin = curve.finite_stop
        axis.plot(lrs_all[:fin], np.asarray(result.metric)[:fin], color="#bf8700", lw=0.9, alpha=0.45)
    axis.plot(curve.metric_lrs, curve.metric, color=_METRIC_COLOR, lw=2.2, label=f"smoothed {label}")
    axis.set_ylabel(label)
    if own_axis:
        _tidy(axis)
        axis.legend(fontsize=8, frameon=False, **outside)
        axis.set_xlabel(_xlabel(result))


def _mark_answers(result, axes, outside) -> None:
    """The confirmed answers (constant LR solid, one-cycle peak dashed) across every panel."""
    for value, label, style in ((result.lr, "constant lr", "-"), (result.one_cycle_max_lr, "one-cycle max_lr", "--")):
        if value is None:
            continue
        for k, axis in enumerate(axes):
            axis.axvline(value, color=_ANSWER_COLOR, lw=1.6, ls=style, alpha=0.85, zorder=4,
                         label=f"{label}: {value:.2g}" if k == 0 else None)
    axes[0].legend(fontsize=8, frameon=False, **outside)


def _draw_runs(result, axis, outside) -> None:
    """The confirmation runs: each run's score against its LR (one line per round length),
    exploded runs marked, the run the answers come from starred."""
    rows = result._run_rows
    by = rows[0][4]
    label = "fall of the loss (%)" if by == "train" else "validation loss"

    def y_of(score, rby):
        return -100.0 * score if rby == "train" else score

    finite = [y_of(sc, rb) for _, _, _, sc, rb, _ in rows if np.isfinite(sc)]
    top = max(finite) if finite else 1.0
    colors = {"good": "#1a7f37", "too slow": "#8c959f", "explodes": "#cf222e"}
    lengths = sorted({st for st, *_ in rows})
    shown = set()
    for n_round, steps in enumerate(lengths):
        mine = sorted((r for r in rows if r[0] == steps), key=lambda r: r[1])
        marker = "o" if n_round == 0 else "s"
        pts = [(lr, y_of(sc, rb)) for _, lr, _, sc, rb, _ in mine if np.isfinite(sc)]
        if pts:
            axis.plot([p[0] for p in pts], [p[1] for p in pts], color="#8c959f", lw=1.0, zorder=2,
                      ls="-" if n_round == 0 else "--", label=f"{steps}-step runs" if len(lengths) > 1 else None)
        for _, lr, verdict, sc, rb, best in mine:
            color = colors.get(verdict, "#8c959f")
            key = "exploded" if verdict == "explodes" else verdict
            lab = None if key in shown else key
            shown.add(key)
            if verdict == "explodes":
                axis.scatter([lr], [top], marker="x", s=60, color=color, zorder=5, label=lab)
            else:
                axis.scatter([lr], [y_of(sc, rb)], marker=marker, s=45, color=color, edgecolor="white", zorder=5,
                             label=lab)
            if best:
                axis.scatter([lr], [y_of(sc, rb)], marker="*", s=220, color="#bf8700", edgecolor="black", lw=0.6,
                             zorder=6, label=f"best run: {lr:.2g} ({steps} steps)")
    title = f"confirmation runs ({result._runs_said()}, from your saved state)"
    axis.set_ylabel(label)
    axis.set_title(title, fontsize=9, loc="left")
    _tidy(axis)
    axis.legend(fontsize=8, frameon=False, **outside)
    axis.set_xlabel(_xlabel(result))
