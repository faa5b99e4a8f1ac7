"""Rendering of results: matplotlib figures and one offline HTML page.

``write_html(result, path)`` writes a single self-contained HTML file (plots as
embedded PNG, no CDN, no network); ``plot_range_test(result, ax=None)`` returns a
matplotlib Figure and never opens a window. matplotlib is imported inside functions.
"""

from __future__ import annotations

from ._html import render_html, write_html


def plot_range_test(result, ax=None, **kwargs):
    """The range-test figure (same as ``result.plot(ax)``); returns the Figure."""
    from ..analysis import plot_range_test as _plot

    return _plot(result, ax=ax, **kwargs)


__all__ = ["plot_range_test", "render_html", "write_html"]
