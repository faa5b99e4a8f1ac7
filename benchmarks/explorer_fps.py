"""Frames per second of the explorer's animation: 10 runs x 1000 steps in headless Chromium.

    .venv/bin/python benchmarks/explorer_fps.py [--seconds 5]

Opens the self-contained export (file://, no server) with one current run and nine kept runs
(SGD, momentum, Nesterov, RMSProp, Adam at several LRs, 1000 steps each, Rosenbrock), plays
the animation at one step per frame and counts frames. Chromium paces requestAnimationFrame
to the display (60 Hz headless), so the script also times the drawing itself: 200 forced
redraws of all 10 trajectories back to back, giving the frame rate the page could reach.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from lrscope.web import build_export

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def setup_hash() -> str:
    kept = [{"opt": o, "lr": lr} for o, lr in [("sgd", 1e-3), ("sgd", 5e-4), ("momentum", 1e-4), ("momentum", 5e-4),
                                                  ("nesterov", 2e-4), ("rmsprop", 1e-3), ("adam", 1e-2), ("adam", 3e-2),
                                                  ("rmsprop", 1e-2)]]
    from urllib.parse import quote
    return ("s=rosenbrock&x=-1.5&y=2&opt=adam&lr=0.05&n=1000&sched=constant&speed=1&keep=" + quote(json.dumps(kept)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--width", type=int, default=1366)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(tempfile.mkdtemp()) / "explorer.html"
    out.write_text(build_export())
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        pg = b.new_page(viewport={"width": a.width, "height": 900})
        pg.goto(out.as_uri() + "#" + setup_hash())
        pg.wait_for_selector("body[data-ready='1']")
        runs = pg.evaluate("() => window.explorer.runs.map(r => r.xs.length - 1)")
        assert len(runs) == 10, runs
        pg.click("#play")
        f0, t0 = pg.evaluate("() => [window.explorer.frames, performance.now()]")
        time.sleep(a.seconds)
        f1, t1 = pg.evaluate("() => [window.explorer.frames, performance.now()]")
        fps = (f1 - f0) / ((t1 - t0) / 1000)
        pg.evaluate("() => { window.explorer.playing = false; }")
        # uncapped: time 200 redraws of the full trajectories (frame at the end)
        ms = pg.evaluate("""() => { const e = window.explorer; e.frame = 1000; const t = performance.now();
            for (let i = 0; i < 200; i++) e.redraw(); return (performance.now() - t) / 200; }""")
        b.close()
    print(json.dumps({"runs": len(runs), "steps_per_run": max(runs), "animated_fps": round(fps, 1),
                      "draw_ms_per_frame": round(ms, 2), "draw_bound_fps": round(1000 / ms, 1),
                      "viewport": a.width, "machine": platform.processor() or platform.machine()}, indent=1))


if __name__ == "__main__":
    main()
