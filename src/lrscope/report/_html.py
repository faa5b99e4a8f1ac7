"""One offline HTML page for a range test: plot, suggestions with verdicts, ready-to-use specs."""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path

import numpy as np

from .. import _validate as v
from ..errors import InvalidArgumentError

#: one-cycle total_steps shown when neither total_steps nor the epoch length is known
FALLBACK_TOTAL_STEPS = 10_000
#: epochs assumed for the one-cycle spec when the epoch length is known
DEFAULT_EPOCHS = 10

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#24292f;max-width:1080px;margin:2em auto;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #d0d7de}
.sub{color:#57606a}.badge{display:inline-block;padding:.1em .6em;border-radius:1em;font-weight:600;color:#fff}
.high{background:#1a7f37}.medium{background:#9a6700}.low{background:#cf222e}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.3em .8em;border-bottom:1px solid #d0d7de;text-align:left}
td.num{font-family:ui-monospace,monospace;text-align:right}code,pre{font-family:ui-monospace,SFMono-Regular,monospace}
pre{background:#f6f8fa;padding:.8em;border-radius:6px;overflow-x:auto;position:relative}
button.copy{float:right;font-size:.8em;cursor:pointer}
img{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:6px}
ul.why li{margin:.2em 0}.reasons{color:#57606a;font-size:.9em}
"""

_JS = """
document.querySelectorAll('button.copy').forEach(function(b){b.addEventListener('click',function(){
 var t=document.getElementById(b.dataset.target).innerText;
 if(navigator.clipboard){navigator.clipboard.writeText(t).then(function(){b.textContent='copied';});}
});});
"""


def _check_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentError("path", path, "must be a file path", "pass e.g. 'report.html'.")
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InvalidArgumentError("path", str(path), "is a directory", "give a file name such as report.html.")
    if not parent.is_dir():
        raise InvalidArgumentError("path", str(path), f"is in a folder that does not exist ({parent})",
                                   "create the folder first or choose another path.")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise InvalidArgumentError("path", str(path), "cannot be written", "choose a path you may write to.")
    return p


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _num(x) -> str:
    return "&ndash;" if x is None else f"{x:.3g}"


def _spec_json(spec: dict) -> str:
    return json.dumps(spec, indent=None, separators=(", ", ": "))


#: optimizers whose momentum (or Adam's beta1) one-cycle and CLR cycle (``ScheduleLR(momentum=True)``)
_CYCLES_MOMENTUM = {"SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax"}


def _warmup_words(w: dict) -> str:
    """The warm-up suggestion in words, HTML-escaped."""
    if w["steps"] == 0:
        return html.escape(w["rule"])
    length = f"{w['steps']} steps" if w["steps"] is not None else f"{w['fraction']:.0%} of your run"
    return html.escape(f"{length}; {w['rule']}")


def _optimizer_lines(result, lr_expr: str) -> tuple[str, bool]:
    """The snippet's optimizer: the class the test ran with (SGD when unknown), its groups at the
    ratios the test kept; and whether the schedules should cycle its momentum."""
    name = result.optimizer or "SGD"
    known = name in {"SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "RMSprop", "Adagrad", "Adadelta", "ASGD"}
    cls = f"torch.optim.{name}" if known else f"{name}  # your optimizer class"
    extra = ", momentum=0.9" if name == "SGD" else ""
    ratios = [float(r) for r in (result.group_lrs[0] / result.group_lrs[0, 0])] if result.group_lrs.size else [1.0]
    if len(ratios) == 1:
        line = f"optimizer = {cls}(model.parameters(), lr={lr_expr}{extra})\n"
    else:
        shown = ", ".join(f"{r:.3g}" for r in ratios)
        line = (f"# your {len(ratios)} parameter groups, at the ratios the range test kept: {shown}\n"
                f"optimizer = {cls}(param_groups, lr={lr_expr}{extra})\n"
                f"for group, ratio in zip(optimizer.param_groups, [{shown}]):\n"
                f"    group['lr'] = {lr_expr} * ratio\n")
    return line, name in _CYCLES_MOMENTUM


def _snippets(result, total_steps: int, total_note: str) -> list[tuple[str, str, str]]:
    """(title, spec-or-None, python snippet) for constant, one-cycle and cyclic, with the
    optimizer class and the parameter groups' ratios of the test."""
    out = []
    const = result.constant_spec()
    one = result.one_cycle_spec(total_steps)
    clr = result.clr
    common = ("import torch\nfrom lrscope.schedules import from_spec\nfrom lrscope.torch import ScheduleLR\n\n")
    loop = ("for batch in train_loader:          # one optimizer step per batch\n"
            "    loss = loss_fn(model(batch[0]), batch[1])\n"
            "    optimizer.zero_grad(); loss.backward(); optimizer.step()\n"
            "    scheduler.step()\n")
    if const is not None:
        line, _ = _optimizer_lines(result, f"{const['lr']:.3g}")
        out.append(("Constant learning rate", _spec_json(const), "import torch\n\n" + line))
    if one is not None:
        line, cycles = _optimizer_lines(result, "spec['max_lr']")
        out.append((f"One-cycle (peak {one['max_lr']:.3g})", _spec_json(one),
                    common + f"spec = {_spec_json(one)}  # {total_note}\n" + line +
                    f"scheduler = ScheduleLR(optimizer, from_spec(spec){', momentum=True' if cycles else ''})"
                    "  # keeps the groups' ratios\n" + loop))
    if clr is not None:
        line, cycles = _optimizer_lines(result, "spec['base_lr']")
        out.append((f"Cyclical {clr['base_lr']:.3g} .. {clr['max_lr']:.3g}", _spec_json(clr),
                    common + f"spec = {_spec_json(clr)}\n" + line +
                    f"scheduler = ScheduleLR(optimizer, from_spec(spec){', momentum=True' if cycles else ''})"
                    "  # keeps the groups' ratios\n" + loop))
    return out


def render_html(result, *, total_steps: int | None = None, title: str | None = None) -> str:
    """The report page as a string (see ``write_html``)."""
    from ..analysis import RangeTestResult

    if not isinstance(result, RangeTestResult):
        raise InvalidArgumentError("result", type(result).__name__, "must be a RangeTestResult",
                                   "pass the result of lrscope.find_lr (or RangeTestResult.from_dict).")
    ipe = result.iterations_per_epoch
    if total_steps is not None:
        total_steps = v.integer("total_steps", total_steps, minimum=2)
        total_note = "total_steps as given"
    elif result.budget_steps:
        total_steps = int(result.budget_steps)
        total_note = "the planned training length given to find_lr (budget_steps)"
    elif ipe:
        total_steps = DEFAULT_EPOCHS * int(ipe)
        total_note = f"{DEFAULT_EPOCHS} epochs x {ipe} steps: set total_steps = epochs * len(train_loader)"
    else:
        total_steps = FALLBACK_TOTAL_STEPS
        total_note = "placeholder: set total_steps = epochs * len(train_loader)"

    fig = result.plot()
    img = _png(fig)
    e = html.escape
    name = result.task_name or "range test"
    title = title or f"lrscope: LR range test on {name}"
    conf = result.confidence
    verdicts = result.verdicts
    clr = result.clr

    parts = [
        "<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p class='sub'>{e(result.mode)} sweep {result.start_lr:.3g} &rarr; {result.end_lr:.3g}, "
        f"{result.lrs.size}/{result.num_steps} steps"
        + (f" (carried on past end_lr to {result.lrs[-1]:.3g})" if result.extended else "")
        + f", stopped: {e(result.stop_reason)}"
        + (f" ({e(result.stop_message)})" if result.stop_message else "")
        + (f"; median of {len(result.repeats)} repeats" if result.repeats else "")
        + (f"; confirmation: {result._runs_said()}" if result.confirm is not None else "")
        + f". Cost: {result.cost_steps} optimizer steps."
        + (f" Warm-up before the constant LR: {_warmup_words(result.warmup)}. One-cycle: "
           f"{html.escape(result.warmup['one_cycle_rule'])}." if result.warmup else "")
        + (f" {e(result._group_note[0].upper() + result._group_note[1:])}." if result._group_note else "") + "</p>",
        f"<p>Confidence: <span class='badge {e(conf.level)}'>{e(conf.level)}</span></p>",
        "<ul class='why'>" + "".join(f"<li>{e(m)}</li>" for m in conf.message.split("\n") if m) + "</ul>",
        f"<img alt='loss against learning rate' src='data:image/png;base64,{img}'>",
        "<h2>What to use</h2><table><tr><th>use</th><th>value</th><th>rule</th><th>confidence</th></tr>",
    ]
    rows = [("constant lr", _num(result.lr), result._pick("lr")[1], verdicts["lr"]),
            ("one-cycle max_lr", _num(result.one_cycle_max_lr), result._pick("one_cycle_max_lr")[1],
             verdicts["one_cycle_max_lr"]),
            ("cyclic base_lr .. max_lr", "&ndash;" if clr is None else
             f"{clr['base_lr']:.3g} .. {clr['max_lr']:.3g}, step_size {clr['step_size']}",
             f"{result._pick('clr_base')[1] or '-'} / {result._pick('clr_max')[1] or '-'}", verdicts["clr"])]
    for use, value, rule, verdict in rows:
        reasons = ", ".join(verdict.reasons)
        parts.append(f"<tr><td>{e(use)}</td><td class='num'>{value}</td><td>{e(rule or '-')}</td>"
                     f"<td><span class='badge {e(verdict.level)}'>{e(verdict.level)}</span> "
                     f"<span class='reasons'>{e(reasons)}</span></td></tr>")
    parts.append("</table>")

    if result.confirm is not None:
        by = "validation loss at the end" if result._choice.by == "val" else "fall of the training loss (last fifth)"
        longer = (" The longer runs, below the first rounds' best, decide: a short run favours the LR "
                  "that makes the quickest early progress." if result.confirm_long is not None else "")
        parts.append(f"<h2>Confirmation runs</h2><p>{e(result._runs_said())}, each at one LR from your saved "
                     f"state; ranked by the {e(by)}.{e(longer)}</p><table><tr><th>lr</th><th>steps</th>"
                     "<th>verdict</th><th>score</th></tr>")
        for steps, lr, verdict, score, rby, best in result._run_rows:
            shown = "&ndash;" if not np.isfinite(score) else (
                f"{-score:+.1%} fall" if rby == "train" else f"{score:.4g} val loss")
            parts.append(f"<tr><td class='num'>{lr:.3g}</td><td class='num'>{steps}</td><td>{e(verdict)}</td>"
                         f"<td class='num'>{shown}{' &larr; best' if best else ''}</td></tr>")
        parts.append("</table>")

    parts.append("<h2>Every rule</h2><table><tr><th>suggester</th><th>lr</th>"
                 + ("<th>spread over repeats</th>" if result.repeats else "") + "</tr>")
    spread = result.spread
    for n, val in result.suggestions.items():
        sp = spread.get(n)
        cell = f"<td class='num'>{_num(sp[0])} .. {_num(sp[1])}</td>" if result.repeats and sp else (
            "<td></td>" if result.repeats else "")
        parts.append(f"<tr><td>{e(n)}</td><td class='num'>{_num(val)}</td>{cell}</tr>")
    parts.append("</table>")

    parts.append("<h2>Ready-to-use schedules</h2>"
                 "<p>Each spec is accepted by <code>lrscope.schedules.from_spec</code> and by "
                 "<code>lrscope schedule --spec</code>.</p>")
    for k, (head, spec, code) in enumerate(_snippets(result, total_steps, total_note)):
        parts.append(f"<h3>{e(head)}</h3>")
        parts.append(f"<pre id='spec{k}'>{e(spec)}</pre>")
        parts.append(f"<pre><button class='copy' data-target='code{k}'>copy</button><code id='code{k}'>{e(code)}</code></pre>")
    payload = json.dumps(result.to_dict(), allow_nan=False).replace("</", "<\\/")
    parts.append(f"<script type='application/json' id='lrscope-data'>{payload}</script>")
    parts.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(parts)


def write_html(result, path, *, total_steps: int | None = None, title: str | None = None) -> Path:
    """Write one offline HTML report of a range test and return its path.

    The page holds the plot (embedded PNG), the answer per use with its verdict and
    reasons, every suggester's value (with the spread over repeats), ready-to-use
    schedule specs (constant, one-cycle, cyclic) with copy-paste Python using
    ``lrscope.schedules.from_spec`` and ``lrscope.torch.ScheduleLR``, and the full
    ``result.to_dict()`` payload in ``<script id="lrscope-data">``. No CDN, no network.

    Args:
        result: a RangeTestResult.
        path: the .html file to write; an unwritable path raises InvalidArgumentError
            before anything is drawn.
        total_steps: optimizer steps of the planned training run, for the one-cycle spec
            (default 10 epochs when the epoch length is known, else a marked placeholder).
        title: page title.

    Returns:
        The path written.
    """
    p = _check_path(path)
    text = render_html(result, total_steps=total_steps, title=title)
    p.write_text(text, encoding="utf-8")
    return p
