"""The text rendering of a RangeTestResult (``result.summary()``): the record and the analysis
stay in :mod:`lrscope.analysis._result` and :mod:`lrscope.analysis.confidence`."""

from __future__ import annotations

import math


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def short(r) -> str:
    """One line for ``repr(result)`` (what a notebook shows): the answer per use with its verdict,
    how the sweep ended and what the test cost; ``summary()`` has the rest."""
    answers = r.answers

    def said(use: str, value: str) -> str:
        return f"{use}={value} ({answers[use].verdict.level})"

    clr = answers["clr"].value
    parts = [said("lr", _fmt(answers["lr"].value)),
             said("one_cycle_max_lr", _fmt(answers["one_cycle_max_lr"].value)),
             said("clr", "-" if clr is None else f"{clr['base_lr']:.3g}..{clr['max_lr']:.3g}")]
    end = f"{r.stop_reason} at lr={r.lrs[-1]:.3g}" if r.lrs.size else r.stop_reason
    return (f"RangeTestResult({', '.join(parts)}; sweep {r.lrs.size}/{r.num_steps} steps, {end}; "
            f"cost_steps={r.cost_steps}; .summary() for the table, .plot() for the curve)")


def summary(r) -> str:
    """The terminal summary of a RangeTestResult ``r``: what was swept, the answers per use with
    their verdicts, the confirmation runs, every rule."""
    taken = r.lrs.size
    head = f"LR range test{' on ' + r.task_name if r.task_name else ''}: {r.mode} sweep {r.start_lr:.3g} -> " \
           f"{r.end_lr:.3g}, {taken}/{r.num_steps} steps" \
           + (f" (carried on past end_lr to {r.lrs[-1]:.3g})" if r.extended else "") + f", {r.stop_reason}"
    if r.stop_message:
        head += f" ({r.stop_message})"
    if r.repeats:
        head += f"; {len(r.repeats)} repeats (medians, range in brackets)"
    lines = [head]
    if r.confirm is not None:
        lines.append(f"confirmation: {r._runs_said()}, ranked by the "
                     f"{'validation loss' if r._choice.by == 'val' else 'fall of the training loss'}"
                     + (f"; planned training {r.budget_steps} steps" if r.budget_steps else ""))
    cost = f"cost: {r.cost_steps} optimizer steps"
    if r.budget_steps:
        cost += f" ({r.cost_steps / r.budget_steps:.2f}x the planned {r.budget_steps}-step training"
        if r.cost_steps > r.budget_steps:
            cost += ("; the test took longer than the training it plans: for a plan this short, "
                     "find_lr(confirm=False) runs the sweep alone")
        cost += ")"
    lines.append(cost)
    if r.world_size > 1 or r.batch_size is not None:
        lines.append("batch: " + (f"{r.batch_size} examples per step" if r.batch_size is not None else "unknown size")
                     + (f" across {r.world_size} processes (each step's loss is their mean)" if r.world_size > 1 else "")
                     + "; the answers hold at this global batch size, not at another")
    if r.warmup is not None:
        w = r.warmup
        lines.append("warmup (constant lr): " + ("none" if w["steps"] == 0 else
                     (f"{w['steps']} steps" if w["steps"] is not None else f"{w['fraction']:.0%} of your run")
                     + (f" (at most {w['max_steps']})" if w["steps"] is None and w["max_steps"] else "")) +
                     f"; {w['rule']}")
        lines.append(f"warmup (one-cycle): {w['one_cycle_rule']}")
    if r._group_note:
        lines.append(r._group_note)
    lines.append("")
    answers = r.answers
    clr = answers["clr"].value
    rows = [
        ("constant lr", _fmt(answers["lr"].value), answers["lr"].rule or "-", answers["lr"].verdict),
        ("one-cycle max_lr", _fmt(answers["one_cycle_max_lr"].value), answers["one_cycle_max_lr"].rule or "-",
         answers["one_cycle_max_lr"].verdict),
        ("cyclic", "-" if clr is None else f"{clr['base_lr']:.3g}..{clr['max_lr']:.3g}, step_size {clr['step_size']}",
         f"{r._pick('clr_base')[1] or '-'}/{r._pick('clr_max')[1] or '-'}", answers["clr"].verdict),
    ]
    table = [("use", "value", "rule", "confidence")] + [
        (a, b, c, d.level + (f" ({', '.join(d.reasons)})" if d.reasons else "")) for a, b, c, d in rows]
    lines += _table(table)
    if r.confirm is not None:
        crows = [("run lr", "steps", "verdict", "score")]
        for steps, lr, verdict, score, by, best in r._run_rows:
            shown = "-" if not math.isfinite(score) else (f"{-score:+.1%} fall" if by == "train" else
                                                          f"{score:.4g} val loss")
            crows.append((f"{lr:.3g}", str(steps), verdict, shown + (" <- best" if best else "")))
        lines.append("")
        lines += _table(crows)
    lines.append("")
    spread = r.spread
    srows = [("suggester", "lr")]
    for name, val in r.suggestions.items():
        sp = spread.get(name)
        srows.append((name, _fmt(val) + (f" [{sp[0]:.3g}..{sp[1]:.3g}]" if sp else "")))
    lines += _table(srows)
    conf = r.confidence
    lines.append("")
    lines.append(f"confidence: {conf.level}")
    lines += ["  " + m for m in conf.message.split("\n") if m]
    return "\n".join(lines)


def _table(rows) -> list[str]:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = []
    for k, row in enumerate(rows):
        out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
