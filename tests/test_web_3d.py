"""The explorer's 3-D view (view3d.js on the bundled three.js) in headless Chromium.

Debian's /usr/bin/chromium via playwright (never `playwright install`); WebGL 2 comes from
SwiftShader, Chromium's software renderer, so no GPU is needed. The checks read the canvas's
pixels: the surface is shaded (many colours), orbiting and zooming change it, the run's path
and current point are drawn in the run's colour, the backing store follows the device pixel
ratio, the exported page draws it offline, and without WebGL the old wireframe takes over.
Every test fails on a console error or an uncaught page error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from webpage import browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

BOWL = "s=bowl&k=10&x=-1.6&y=1.2&opt=sgd&lr=0.05&n=300&sched=constant&speed=50"
RUN_RGB = (0x2B, 0x59, 0xC3)          # COLORS[0] in render.js: the current run

# Pixel statistics of the 3-D canvas: drawn (non-white) pixels, distinct colours (5 bits a
# channel), a hash of the image, and the pixels of the run's colour (all, and those farther
# than `away` backing-store pixels from every drawn current point).
STATS = """([rgb, away]) => {
  const c = document.getElementById('surf3d');
  const o = document.createElement('canvas'); o.width = c.width; o.height = c.height;
  const g = o.getContext('2d'); g.drawImage(c, 0, 0);
  const d = g.getImageData(0, 0, o.width, o.height).data;
  const dots = window.explorer.view3d.dotPositions();
  const colours = new Set();
  let drawn = 0, run = 0, runAway = 0, hash = 2166136261;
  for (let p = 0; p < d.length; p += 4) {
    const r = d[p], gg = d[p + 1], b = d[p + 2];
    hash = Math.imul(hash ^ (r + 7 * gg + 31 * b), 16777619);
    if (r < 250 || gg < 250 || b < 250) drawn++;
    colours.add((r >> 3) << 10 | (gg >> 3) << 5 | (b >> 3));
    if (Math.abs(r - rgb[0]) + Math.abs(gg - rgb[1]) + Math.abs(b - rgb[2]) < 40) {
      run++;
      const x = (p / 4) % o.width, y = Math.floor(p / 4 / o.width);
      if (dots.every((q) => Math.hypot(q.x - x, q.y - y) > away)) runAway++;
    }
  }
  return { drawn: drawn / (d.length / 4), colours: colours.size, hash: hash >>> 0, run, runAway, dots,
           width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight };
}"""


def _new_page(browser, **ctx_args):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, **ctx_args)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.errors = errors
    return ctx, pg


@pytest.fixture
def page(browser):
    ctx, pg = _new_page(browser)
    yield pg
    ctx.close()
    assert pg.errors == [], pg.errors


def _open(page, url, hash_=BOWL, mode="webgl"):
    page.goto(f"{url}#{hash_}")
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("() => window.explorer.view3d.ready") == mode
    page.locator("#surf3d").scroll_into_view_if_needed()


def _stats(page, away=14):
    return page.evaluate(STATS, [list(RUN_RGB), away])


def _after_render(page, action):
    """Do `action`, then wait until the 3-D view has rendered at least once more."""
    before = page.evaluate("() => window.explorer.view3d.renders")
    action()
    page.wait_for_function(f"() => window.explorer.view3d.renders > {before}", timeout=5000)


def test_the_3d_view_is_a_shaded_webgl_surface_that_orbits_and_zooms(page, server, artifacts_dir):
    _open(page, server)
    c3 = page.locator("#surf3d")
    # a WebGL canvas: three.js holds its webgl2 context, so it has no 2-D one to give
    assert page.evaluate("() => { const c = document.getElementById('surf3d'); "
                         "return [c.dataset.renderer, c.getContext('2d') === null]; }") == ["webgl", True]
    caption = page.text_content("#surf3d-caption")
    assert "drag to orbit, wheel/pinch to zoom, arrow keys rotate" in caption
    s0 = _stats(page)
    assert s0["drawn"] > 0.15, s0                 # the surface fills a good part of the view
    assert s0["colours"] > 100, s0               # lit and shaded, not a few flat colours
    c3.screenshot(path=str(artifacts_dir / "explorer-3d.png"))
    box = c3.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def drag():
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 90, cy + 25, steps=6)
        page.mouse.up()

    _after_render(page, drag)
    s1 = _stats(page)
    assert s1["hash"] != s0["hash"] and s1["colours"] > 100, (s0, s1)
    dist = "() => window.explorer.view3d.camera.position.distanceTo(window.explorer.view3d.controls.target)"
    d0 = page.evaluate(dist)
    _after_render(page, lambda: (page.mouse.move(cx, cy), page.mouse.wheel(0, -500)))
    s2 = _stats(page)
    assert page.evaluate(dist) < 0.9 * d0         # the wheel zoomed in
    assert s2["hash"] != s1["hash"], (s1, s2)
    # the keyboard: focus the view, an arrow key turns it
    page.focus("#surf3d")
    _after_render(page, lambda: page.keyboard.press("ArrowLeft"))
    assert _stats(page)["hash"] != s2["hash"]
    c3.screenshot(path=str(artifacts_dir / "explorer-3d-orbited.png"))


def test_the_path_is_drawn_on_the_surface_and_its_point_moves(page, server):
    _open(page, server, BOWL.replace("speed=50", "speed=10"))
    page.click("#reset")
    page.wait_for_function("() => window.explorer.frame === 0")
    s0 = _stats(page)
    assert s0["runAway"] == 0, s0                 # step 0: the point, no path yet
    assert len(s0["dots"]) == 1 and s0["run"] > 10, s0
    for _ in range(3):
        page.click("#step")
    s1 = _stats(page)
    assert s1["runAway"] > 0, s1                  # three steps of path
    assert s1["dots"][0] != s0["dots"][0]         # the point moved with the run
    page.click("#play")
    page.wait_for_function("() => !window.explorer.playing", timeout=20000)
    s2 = _stats(page)
    assert s2["runAway"] > s1["runAway"] + 50, (s1, s2)     # the whole path
    (x0, y0), (x1, y1) = [(s["dots"][0]["x"], s["dots"][0]["y"]) for s in (s0, s2)]
    assert ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 > 30, (s0["dots"], s2["dots"])
    # the run's point is drawn where the view says: its colour under it
    for s in (s0, s2):
        px = page.evaluate(STATS.replace("return {", "const q = dots[0], k = (Math.round(q.y) * o.width + Math.round(q.x)) * 4;"
                                         " return { at: [d[k], d[k + 1], d[k + 2]],"), [list(RUN_RGB), 14])["at"]
        assert sum(abs(a - b) for a, b in zip(px, RUN_RGB)) < 40, px
    # hiding the run takes its path and point away
    page.locator("#runs input[type=checkbox]").first.uncheck()
    assert _stats(page)["run"] == 0


def test_device_pixel_ratio_3_gives_a_backing_store_three_times_the_css_size(browser, server):
    ctx, pg = _new_page(browser, device_scale_factor=3)
    try:
        _open(pg, server)
        s = _stats(pg)
        assert s["cssWidth"] > 200
        assert abs(s["width"] - 3 * s["cssWidth"]) <= 3 and abs(s["height"] - 3 * s["cssHeight"]) <= 3, s
        assert s["drawn"] > 0.15 and s["colours"] > 100, s
    finally:
        ctx.close()
    assert pg.errors == []


def test_the_exported_page_draws_the_3d_view_offline(browser, tmp_path):
    from lrscope.web import build_export

    out = tmp_path / "explorer.html"
    out.write_text(build_export())
    ctx, pg = _new_page(browser, offline=True)
    try:
        _open(pg, Path(out).as_uri())
        s = _stats(pg)
        assert s["drawn"] > 0.15 and s["colours"] > 100 and s["runAway"] > 50, s
    finally:
        ctx.close()
    assert pg.errors == []


def test_without_webgl_the_wireframe_takes_over_and_the_caption_says_so(browser, server):
    ctx, pg = _new_page(browser)
    pg.add_init_script("""(() => { const get = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        return /webgl/.test(kind) ? null : get.call(this, kind, ...rest); }; })()""")
    try:
        _open(pg, server, mode="canvas")
        assert "WebGL 2" in pg.text_content("#surf3d-caption")
        assert pg.evaluate("() => document.getElementById('surf3d').dataset.renderer") == "canvas"
        s0 = _stats(pg)
        assert s0["drawn"] > 0.05 and s0["run"] > 20, s0          # the wireframe and the path
        pg.focus("#surf3d")
        pg.keyboard.press("ArrowLeft")
        assert _stats(pg)["hash"] != s0["hash"]
    finally:
        ctx.close()
    assert pg.errors == []


def test_the_3d_view_has_axes_with_the_maps_ticks_and_the_colour_bars_losses(page, server):
    """Tick labels on the 3-D view: x and y at the map's own tick values, the loss at the colour
    bar's ends, each placed over the canvas, and following the view when it orbits."""
    _open(page, server)
    labels = page.eval_on_selector_all(".axis3d span", """els => els.map(e => ({axis: e.dataset.axis,
        value: e.dataset.value === undefined ? null : Number(e.dataset.value), text: e.textContent,
        hidden: e.hidden, box: e.getBoundingClientRect().toJSON(), t: e.style.transform}))""")
    xs = [float(v) for v in page.get_attribute("#map", "data-xticks").split(",")]
    assert sorted(lab["value"] for lab in labels if lab["axis"] == "x") == pytest.approx(sorted(xs))
    ys = [float(v) for v in page.get_attribute("#map", "data-yticks").split(",")]
    got_y = sorted(lab["value"] for lab in labels if lab["axis"] == "y")
    assert got_y and set(round(y, 9) for y in got_y) <= set(round(y, 9) for y in ys)
    loss = sorted(lab["value"] for lab in labels if lab["axis"] == "loss")
    assert loss[0] == pytest.approx(float(page.get_attribute("#map-colorbar", "data-lo")), rel=1e-6)
    assert loss[-1] == pytest.approx(float(page.get_attribute("#map-colorbar", "data-hi")), rel=1e-6)
    assert {lab["text"] for lab in labels if lab["axis"] == "name"} == {"x", "y", "loss"}
    canvas = page.locator("#surf3d").bounding_box()
    shown = [lab for lab in labels if not lab["hidden"]]
    assert len(shown) >= 6
    for lab in shown:   # centred over the canvas (a label may reach a few pixels past its edge)
        cx, cy = lab["box"]["x"] + lab["box"]["width"] / 2, lab["box"]["y"] + lab["box"]["height"] / 2
        assert canvas["x"] - 2 <= cx <= canvas["x"] + canvas["width"] + 2
        assert canvas["y"] - 2 <= cy <= canvas["y"] + canvas["height"] + 2
    page.focus("#surf3d")
    _after_render(page, lambda: page.keyboard.press("ArrowLeft"))
    moved = page.eval_on_selector_all(".axis3d span", "els => els.map(e => e.style.transform)")
    assert sum(a != b["t"] for a, b in zip(moved, labels)) >= len(labels) // 2
