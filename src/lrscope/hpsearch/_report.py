"""An offline HTML page for a search: the cost plot, the metric-vs-LR plot and every trial."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

__all__ = ["write_search_html"]


def write_search_html(result, path: str | Path) -> Path:
    """Write one self-contained HTML file (the plots embedded as PNG, no network) and return its path.

    Args:
        result: a SearchResult.
        path: output file.

    Returns:
        The path written.
    """
    fig = result.plot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    img = base64.b64encode(buf.getvalue()).decode("ascii")
    names = list(result.space)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ["#", "state", "metric", "steps", *names, "reason"])
    rows = []
    best = result.best.number if result.best is not None else None
    for t in result.trials:
        cells = [t.number, t.state, "" if t.metric is None else f"{t.metric:.5g}", t.steps,
                 *[("" if t.config.get(n) is None else (f"{t.config[n]:.4g}" if isinstance(t.config[n], float)
                                                        else t.config[n])) for n in names], t.reason or ""]
        cls = ' class="best"' if t.number == best else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    payload = json.dumps(result.to_dict(), allow_nan=False).replace("</", "<\\/")
    title = html.escape(f"lrscope search: {result.study_name}")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:13px}}tr.best{{background:#dfd}}</style></head>
<body><h1>{title}</h1>
<p>strategy <b>{html.escape(result.strategy)}</b>, direction {html.escape(result.direction)},
{len(result.trials)} trials {html.escape(str(result.counts()))}, cumulative training steps
<b>{result.cumulative_steps}</b>.</p>
<p>best metric <b>{'' if result.best_metric is None else f'{result.best_metric:.5g}'}</b>,
config <code>{html.escape(json.dumps(result.best_config))}</code></p>
<img alt="best metric so far against cumulative steps, and metric against LR" src="data:image/png;base64,{img}">
<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>
<script type="application/json" id="lrscope-search">{payload}</script>
</body></html>
"""
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
