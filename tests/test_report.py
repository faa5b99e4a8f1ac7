"""The range-test plot and the offline HTML report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from lrscope.analysis import RangeTestResult, synthetic_result
from lrscope.errors import InvalidArgumentError
from lrscope.report import write_html

pytest.importorskip("matplotlib")


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def clean(u):
    return 3.0 - 2.0 * logistic((u + 4.0) / 0.5) + 0.5 * np.exp(3.0 * (u + 1.0))


def with_metric(**kw):
    return synthetic_result(clean, num_steps=100, noise=0.04, stop_above=1.0, iterations_per_epoch=50,
                            metric=lambda u: 0.1 + 0.8 * logistic((u + 4.3) / 0.4) - 0.5 * logistic((u + 0.5) / 0.3),
                            metric_noise=0.015, **kw)


def legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_returns_a_figure_with_every_suggestion_marked(artifacts_dir):
    from matplotlib.figure import Figure

    r = with_metric()
    fig = r.plot()
    assert isinstance(fig, Figure)
    ax_loss, ax_met = fig.axes
    assert ax_loss.get_xscale() == "log"
    labels = legend_labels(ax_loss) + legend_labels(ax_met)
    for name, lr in r.suggestions.items():
        assert lr is not None
        assert any(lab.startswith(f"{name}: {lr:.2g}") for lab in labels), (name, labels)
    assert any(lab.startswith("stop: diverged") for lab in labels)
    # the base..max band is shaded on both panels at the cyclic spec's bounds
    spans = [p for p in ax_loss.patches if p.get_x() > 0]
    assert any(p.get_x() == pytest.approx(r.clr["base_lr"]) and p.get_x() + p.get_width() == pytest.approx(r.clr["max_lr"])
               for p in spans)
    path = artifacts_dir / "range_test_synthetic.png"
    fig.savefig(path, dpi=90)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_metric_has_one_panel_and_draws_on_a_given_axes(artifacts_dir):
    from matplotlib.figure import Figure

    r = synthetic_result(clean, num_steps=100, noise=0.04, stop_above=1.0)
    assert len(r.plot().axes) == 1
    fig = Figure()
    ax = fig.add_subplot()
    assert r.plot(ax=ax) is fig
    texts = legend_labels(ax)
    assert any(t.startswith(f"valley: {r.suggestions['valley']:.2g}") for t in texts)
    fig2 = with_metric().plot(ax=Figure().add_subplot())
    assert len(fig2.axes) == 2                               # metric on a twin axis
    r.plot().savefig(artifacts_dir / "range_test_synthetic_loss_only.png", dpi=90)


def test_the_rule_behind_an_answer_is_drawn_in_a_style_of_its_own():
    """Without confirmation runs the answers come from DEFAULT_RULES: that rule's marker is
    larger and ringed in black, and its legend entry names the use; the other rules are not."""
    from lrscope.analysis import DEFAULT_RULES

    r = synthetic_result(clean, num_steps=100, noise=0.04, stop_above=1.0)
    rules = DEFAULT_RULES["lr"] if isinstance(DEFAULT_RULES["lr"], tuple) else (DEFAULT_RULES["lr"],)
    chosen = next(n for n in rules if r.suggestions.get(n) is not None)   # first rule that answers, by definition
    ax = r.plot().axes[0]
    labels = legend_labels(ax)
    assert any(lab.startswith(f"{chosen}: ") and "<- lr" in lab for lab in labels), labels
    assert sum("<- " in lab for lab in labels) <= 2                         # only the answers' rules
    sizes = {}
    for coll in ax.collections:
        off = coll.get_offsets()
        if len(off) == 1 and coll.get_sizes().size:
            sizes[round(float(off[0][0]), 12)] = (float(coll.get_sizes()[0]), tuple(coll.get_edgecolor()[0][:3]))
    big, edge = sizes[round(r.suggestions[chosen], 12)]
    answers = {round(r.suggestions[chosen], 12), round(r.one_cycle_max_lr, 12)}
    others = [s for lr, s in sizes.items() if lr not in answers
              and lr in {round(x, 12) for x in r.suggestions.values() if x is not None}]
    assert others and all(big > s[0] for s in others)
    assert edge == pytest.approx((0x24 / 255, 0x29 / 255, 0x2F / 255), abs=1e-3)   # ringed in near-black
    assert all(s[1] == pytest.approx((1.0, 1.0, 1.0)) for s in others)             # the rest in white


def test_plot_never_loads_pyplot():
    code = ("import numpy as np; from lrscope.analysis import synthetic_result; import sys; "
            "synthetic_result(lambda u: (u + 3) ** 2, num_steps=40).plot(); "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_html_report_is_one_offline_page_with_the_numbers(tmp_path, artifacts_dir):
    r = with_metric()
    path = write_html(r, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    for value in (r.lr, r.one_cycle_max_lr, r.clr["base_lr"], r.clr["max_lr"]):
        assert f"{value:.3g}" in text
    assert "data:image/png;base64," in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)         # nothing fetched from the network
    assert "ScheduleLR" in text and "from_spec" in text
    assert '&quot;kind&quot;: &quot;one_cycle&quot;' in text and '&quot;kind&quot;: &quot;cyclic&quot;' in text
    assert f"&quot;total_steps&quot;: {10 * 50}" in text                   # 10 epochs of 50 steps
    payload = re.search(r"<script type='application/json' id='lrscope-data'>(.*?)</script>", text, re.S).group(1)
    back = RangeTestResult.from_dict(json.loads(payload))
    assert back.suggestions == r.suggestions
    for code in r.confidence.reasons:
        assert code in text
    (artifacts_dir / "range_test_report.html").write_text(text, encoding="utf-8")


def test_html_report_shows_spreads_of_repeats(tmp_path):
    runs = [synthetic_result(clean, num_steps=80, noise=0.04, seed=s, stop_above=1.0) for s in range(3)]
    comb = RangeTestResult.from_repeats(runs)
    assert "each repeat (3)" in legend_labels(comb.plot().axes[0])
    text = write_html(comb, tmp_path / "r.html", total_steps=777).read_text()
    lo, hi = comb.spread["steepest"]
    assert f"{lo:.3g} .. {hi:.3g}" in text and "&quot;total_steps&quot;: 777" in text


def test_unwritable_report_paths_fail_before_any_drawing(tmp_path, monkeypatch):
    r = synthetic_result(clean, num_steps=40)

    def boom(*a, **k):
        raise AssertionError("plot must not run for a bad path")

    monkeypatch.setattr(RangeTestResult, "plot", boom)
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        write_html(r, tmp_path / "missing" / "r.html")
    with pytest.raises(InvalidArgumentError, match="directory"):
        write_html(r, tmp_path)
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            with pytest.raises(InvalidArgumentError, match="cannot be written"):
                write_html(r, ro / "r.html")
        finally:
            ro.chmod(0o700)
    assert not (tmp_path / "missing").exists()
