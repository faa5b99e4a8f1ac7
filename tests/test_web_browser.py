"""The explorer page end to end in headless Chromium (Debian's /usr/bin/chromium via playwright).

One browser and one `lrscope explore` server per module. Every test fails on a console
error or an uncaught page error, and saves screenshots to test-artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from webpage import browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

BOWL = "s=bowl&k=10&x=-1.6&y=1.2&opt=sgd&lr=0.05&n=300&sched=constant&speed=50"


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.errors = errors
    yield pg
    ctx.close()
    assert errors == [], errors


def _open(page, server, hash_=BOWL):
    page.goto(f"{server}#{hash_}")
    page.wait_for_selector("body[data-ready='1']")


def _run_to_end(page):
    page.click("#play")
    page.wait_for_function("() => !window.explorer.playing", timeout=20000)
    return page.eval_on_selector("#status", "el => ({text: el.textContent, cls: el.className, step: +el.dataset.step, loss: +el.dataset.loss})")


def test_small_lr_converges_from_a_clicked_start_point(page, server, artifacts_dir):
    _open(page, server)
    box = page.locator("#map").bounding_box()
    # click at 15% / 20% of the map: x = -2 + 0.15*4 = -1.4, y = 2 - 0.2*4 = 1.2 on the [-2, 2]^2 bowl
    page.mouse.click(box["x"] + 0.15 * box["width"], box["y"] + 0.2 * box["height"])
    assert float(page.input_value("#start-x")) == pytest.approx(-1.4, abs=0.03)
    assert float(page.input_value("#start-y")) == pytest.approx(1.2, abs=0.03)
    st = _run_to_end(page)
    assert st["cls"] != "diverged"
    assert st["step"] == 300
    # SGD with lr=0.05 on f = (x^2 + 10 y^2)/2: x_t = 0.95^t x_0, so the loss is ~ 0.5 * (0.95^300 * 1.4)^2
    assert st["loss"] < 1e-12
    page.screenshot(path=str(artifacts_dir / "explorer-converged-laptop.png"), full_page=True)


def test_huge_lr_says_where_it_diverged(page, server, artifacts_dir):
    _open(page, server)
    page.fill("#lr", "0.5")
    page.press("#lr", "Enter")
    page.locator("#lr").evaluate("el => el.dispatchEvent(new Event('change', {bubbles: true}))")
    st = _run_to_end(page)
    assert st["cls"] == "diverged"
    m = re.match(r"diverged at step (\d+): the learning rate is too large for this curvature", st["text"])
    assert m, st["text"]
    # along y the iterate is multiplied by (1 - 0.5*10) = -4 each step: 1.2 * 4^t passes 1000 half-widths
    # (2000) first at t = ceil(log(2000/1.2)/log(4)) = 6
    assert int(m.group(1)) == 6
    assert "lr < 2/10 = 0.2" in st["text"]
    page.screenshot(path=str(artifacts_dir / "explorer-diverged.png"))


def test_switching_the_schedule_changes_the_lr_chart(page, server, artifacts_dir):
    _open(page, server)
    cap = page.locator("#lr-caption")
    before = page.locator("#lr-chart").screenshot()
    assert cap.get_attribute("data-kind") == "constant"
    page.select_option("#schedule", "cosine")
    assert cap.get_attribute("data-kind") == "cosine"
    first, last = float(cap.get_attribute("data-first")), float(cap.get_attribute("data-last"))
    # cosine over 300 steps from 0.05 to 0: at step 299, 0.05 * (1 + cos(pi * 299/300)) / 2
    assert first == pytest.approx(0.05)
    assert last == pytest.approx(0.05 * (1 + __import__("math").cos(__import__("math").pi * 299 / 300)) / 2, rel=1e-9)
    assert page.locator("#lr-chart").screenshot() != before
    page.select_option("#schedule", "one_cycle")
    assert cap.get_attribute("data-kind") == "one_cycle"
    assert float(cap.get_attribute("data-max")) == pytest.approx(0.05)
    assert float(cap.get_attribute("data-first")) == pytest.approx(0.05 / 25)
    page.check("#warmup")
    assert cap.get_attribute("data-kind") == "warmup"
    assert float(cap.get_attribute("data-first")) == 0.0
    assert page.locator("#alert").is_hidden()
    page.screenshot(path=str(artifacts_dir / "explorer-one-cycle-warmup.png"), full_page=True)


def test_a_shared_link_reproduces_the_set_up(page, server, browser):
    _open(page, server)
    page.select_option("#surface", "rosenbrock")
    page.select_option("#optimizer", "adam")
    page.fill("#lr", "0.02"); page.locator("#lr").dispatch_event("change")
    page.select_option("#schedule", "cyclic")
    page.select_option("#sched-window", "hann")
    page.click("#keep")
    page.select_option("#optimizer", "momentum")
    url = page.url
    fields = ["#surface", "#optimizer", "#lr", "#schedule", "#sched-window", "#start-x", "#start-y"]
    want = {f: page.input_value(f) for f in fields}
    runs = page.locator("#runs li").all_inner_texts()
    assert len(runs) == 2
    other = browser.new_page()
    try:
        other.goto(url)
        other.wait_for_selector("body[data-ready='1']")
        assert {f: other.input_value(f) for f in fields} == want
        assert other.locator("#runs li").all_inner_texts() == runs
        assert other.evaluate("() => window.explorer.current.losses.at(-1)") == page.evaluate("() => window.explorer.current.losses.at(-1)")
    finally:
        other.close()


def test_range_test_marks_suggestions_and_use_sets_the_lr(page, server, artifacts_dir):
    _open(page, server)
    page.click("#rangetest")
    items = page.locator("#rt-suggestions li[data-suggester]")
    names = {items.nth(i).get_attribute("data-suggester") for i in range(items.count())}
    assert names == {"steepest", "valley", "min_div10", "loss_fall", "loss_rise", "loss_rise_div3"}
    lr = float(page.locator("li[data-suggester='loss_rise_div3']").get_attribute("data-lr"))
    # SGD on the bowl with kappa=10 diverges above lr = 2/10: the library's default (rise / 3) lies below that
    assert 0 < lr < 0.2
    page.locator("li[data-suggester='loss_rise_div3'] button").click()
    assert float(page.input_value("#lr")) == pytest.approx(lr, rel=1e-2)
    page.screenshot(path=str(artifacts_dir / "explorer-range-test.png"), full_page=True)


def test_loading_a_landscape_file_and_a_malformed_one(page, server, tmp_path, artifacts_dir):
    _open(page, server)
    xs = [i / 10 - 1 for i in range(21)]
    land = {"format": "lrscope-landscape", "version": 1, "name": "bowl-net", "x": xs, "y": xs,
            "loss": [[1 + x * x + 3 * y * y for x in xs] for y in xs]}
    good = tmp_path / "land.json"; good.write_text(json.dumps(land))
    page.set_input_files("#land-file", str(good))
    page.wait_for_function("() => window.explorer.state.surface === 'landscape'")
    assert page.locator("#alert").is_hidden()
    page.fill("#lr", "0.1"); page.locator("#lr").dispatch_event("change")
    st = _run_to_end(page)
    assert st["cls"] != "diverged" and st["loss"] < 1.01  # the grid's minimum is 1 at the centre
    page.screenshot(path=str(artifacts_dir / "explorer-landscape.png"), full_page=True)
    bad = tmp_path / "foreign.json"; bad.write_text(json.dumps({"format": "something-else"}))
    page.set_input_files("#land-file", str(bad))
    alert = page.locator("#alert-sticky")       # a load error stays until dismissed
    alert.wait_for(state="visible")
    assert 'foreign.json: not a landscape file: "format" is "something-else"' in alert.inner_text()
    page.fill("#lr", "0.05"); page.locator("#lr").dispatch_event("change")
    assert alert.is_visible()                    # a later change does not hide it
    broken = tmp_path / "broken.json"; broken.write_text("{nope")
    page.set_input_files("#land-file", str(broken))
    page.wait_for_function("() => document.getElementById('alert-sticky').textContent.includes('not valid JSON')")
    page.click("#alert-dismiss")
    assert alert.is_hidden()


def test_an_invalid_field_shows_its_error_beside_it_in_the_viewport(page, server, artifacts_dir):
    _open(page, server)
    page.fill("#steps", "0"); page.locator("#steps").dispatch_event("change")
    note = page.locator("#err-steps")
    note.wait_for(state="visible")
    assert "steps must be between 1 and 100000" in note.inner_text()
    assert page.get_attribute("#steps", "aria-invalid") == "true"
    assert note.evaluate("el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    page.fill("#steps", "200"); page.locator("#steps").dispatch_event("change")
    assert page.locator("#err-steps").count() == 0 and page.get_attribute("#steps", "aria-invalid") is None
    # an empty start x is an error, not a silent 0
    page.fill("#start-x", ""); page.locator("#start-x").dispatch_event("change")
    page.locator("#err-start-x").wait_for(state="visible")
    page.screenshot(path=str(artifacts_dir / "explorer-field-error.png"))


def test_a_bad_link_shows_an_error_that_stays(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}#s=nope")
        pg.wait_for_selector("body[data-ready='1']")
        sticky = pg.locator("#alert-sticky")
        assert sticky.is_visible() and 'unknown surface "nope"' in sticky.inner_text()
        pg.fill("#lr", "0.02"); pg.locator("#lr").dispatch_event("change")
        assert sticky.is_visible()
        fresh = ctx.new_page()                   # a reload after loading a landscape: the file is gone
        fresh.goto(f"{server}#s=landscape")
        fresh.wait_for_selector("body[data-ready='1']")
        assert "load the same file" in fresh.locator("#alert-sticky").inner_text()
    finally:
        ctx.close()


def test_phone_width_and_keyboard(browser, server, artifacts_dir):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        _open(pg, server)
        # no horizontal scrolling at phone width
        assert pg.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        # keyboard: focus the map, arrow keys move the start point; Space plays
        x0 = float(pg.input_value("#start-x"))
        pg.focus("#map"); pg.keyboard.press("ArrowRight")
        assert float(pg.input_value("#start-x")) == pytest.approx(x0 + 0.02 * 4)
        pg.focus("#map"); pg.keyboard.press(" ")
        pg.wait_for_function("() => !window.explorer.playing && window.explorer.frame > 0", timeout=20000)
        pg.screenshot(path=str(artifacts_dir / "explorer-phone.png"), full_page=True)
    finally:
        ctx.close()
    assert errors == []


def test_exported_file_works_offline(browser, tmp_path, artifacts_dir):
    from lrscope.web import build_export

    out = tmp_path / "explorer.html"
    out.write_text(build_export())
    ctx = browser.new_context(viewport={"width": 1200, "height": 800}, offline=True)
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        pg.goto(Path(out).as_uri() + "#" + BOWL)
        pg.wait_for_selector("body[data-ready='1']")
        assert _run_to_end(pg)["loss"] < 1e-12
    finally:
        ctx.close()
    assert errors == []


def test_typing_after_a_change_goes_into_the_field_not_the_shortcuts(page, server, artifacts_dir):
    """Issue 12, item 1: editing the LR, then typing ".5k" into the momentum field used to step
    the run (".") and keep a run ("k"), because every change rebuilt the fields and focus fell
    back to <body>."""
    _open(page, server, "s=bowl&k=10&x=-1.6&y=1.2&opt=momentum&lr=0.05&n=300&sched=constant&speed=50")
    runs_before = page.eval_on_selector_all("#runs li", "els => els.length")
    frame_before = page.evaluate("() => window.explorer.frame")
    page.fill("#lr", "0.02")                       # typed, not yet applied
    page.click("#opt-params [data-key='momentum']")  # the click applies the LR: the fields re-render
    page.keyboard.press("Control+A")
    page.keyboard.type(".5k")
    page.keyboard.press("Tab")
    assert page.evaluate("() => window.explorer.state.lr") == pytest.approx(0.02)
    assert page.evaluate("() => window.explorer.state.optParams.momentum") == pytest.approx(0.5)
    assert page.evaluate("() => window.explorer.frame") == frame_before                   # "." did not step
    assert page.eval_on_selector_all("#runs li", "els => els.length") == runs_before      # "k" kept no run
    page.screenshot(path=str(artifacts_dir / "explorer-typing.png"))


def test_dragging_the_lr_slider_redraws_the_path_without_play(page, server):
    _open(page, server)
    before = page.evaluate("() => window.explorer.current.xs.slice(-1)[0]")
    frames = page.evaluate("() => window.explorer.frames")
    box = page.locator("#lr-slider").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.35, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert not page.evaluate("() => window.explorer.playing")
    after = page.evaluate("() => window.explorer.current.xs.slice(-1)[0]")
    assert after != before                                                    # another LR, another path
    assert page.evaluate("() => window.explorer.frame") == page.evaluate(
        "() => window.explorer.current.xs.length - 1")                       # drawn whole, not blanked
    assert page.evaluate("() => window.explorer.frames") > frames + 1         # re-drawn while dragging


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_play_the_lr_slider_and_the_map_are_in_view_together(browser, server, artifacts_dir, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    try:
        _open(pg, server)
        for sel in ("#play", "#lr-slider", "#map"):
            box = pg.locator(sel).bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (sel, box)     # wholly in view
        pg.screenshot(path=str(artifacts_dir / f"explorer-{width}x{height}.png"))
    finally:
        ctx.close()


def test_the_loss_chart_shows_the_real_loss_and_above_the_minimum_on_request(page, server, tmp_path):
    _open(page, server)
    xs = [i / 10 - 1 for i in range(21)]
    land = {"format": "lrscope-landscape", "version": 1, "name": "net", "x": xs, "y": xs,
            "loss": [[1.66 + x * x + 3 * y * y for x in xs] for y in xs]}       # a network's loss sits near 1.66
    good = tmp_path / "land.json"; good.write_text(json.dumps(land))
    page.set_input_files("#land-file", str(good))
    page.wait_for_function("() => window.explorer.state.surface === 'landscape'")
    assert page.inner_text("#loss-caption") == "Loss against step (log)"
    start_loss = page.evaluate("() => window.explorer.current.losses[0]")
    fmin = page.evaluate("() => window.explorer.surface.fmin")
    assert start_loss > 1.66 and fmin == pytest.approx(1.66, abs=1e-6)
    assert float(page.get_attribute("#loss-chart", "data-first")) == pytest.approx(start_loss)    # the real loss
    page.check("#above-min")
    assert "above the surface minimum" in page.inner_text("#loss-caption")
    assert float(page.get_attribute("#loss-chart", "data-first")) == pytest.approx(start_loss - fmin)


def test_hovering_the_map_reads_out_the_point_and_its_loss(page, server):
    _open(page, server)       # the quadratic bowl, kappa 10
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)     # away from the minimum
    text = page.inner_text("#map-readout")
    m = re.match(r"x=(\S+), y=(\S+), loss (\S+)", text)
    assert m, text
    x, y, loss = (float(v) for v in m.groups())
    assert loss > 0.1
    assert loss == pytest.approx(page.evaluate(f"() => window.explorer.surface.f({x}, {y})"), rel=2e-2)


def test_the_map_has_axes_and_a_colour_scale(page, server):
    _open(page, server)       # the quadratic bowl
    dom = page.evaluate("() => window.explorer.surface.domain")
    xt = [float(v) for v in page.get_attribute("#map", "data-xticks").split(",")]
    yt = [float(v) for v in page.get_attribute("#map", "data-yticks").split(",")]
    assert len(xt) >= 3 and dom[0] <= min(xt) and max(xt) <= dom[1]
    assert len(yt) >= 3 and dom[2] <= min(yt) and max(yt) <= dom[3]
    lo, hi = float(page.get_attribute("#map-colorbar", "data-lo")), float(page.get_attribute("#map-colorbar", "data-hi"))
    corner = page.evaluate(f"() => window.explorer.surface.f({dom[1]}, {dom[3]})")   # the highest loss on the map
    fmin = page.evaluate("() => window.explorer.surface.fmin")
    assert lo == pytest.approx(fmin, abs=1e-3) and hi == pytest.approx(corner, rel=0.05)


def test_switching_surface_applies_its_lr_hint_and_asks_before_dropping_kept_runs(page, server):
    _open(page, server)
    page.click("#keep")
    assert page.eval_on_selector_all("#runs li", "els => els.length") == 2
    page.once("dialog", lambda d: d.dismiss())          # "no": nothing changes
    page.select_option("#surface", "rosenbrock")
    assert page.evaluate("() => window.explorer.state.surface") == "bowl"
    assert page.input_value("#surface") == "bowl"
    assert page.eval_on_selector_all("#runs li", "els => els.length") == 2
    page.once("dialog", lambda d: d.accept())           # "yes": the kept run goes, the LR hint comes
    page.select_option("#surface", "rosenbrock")
    assert page.evaluate("() => window.explorer.state.surface") == "rosenbrock"
    assert page.eval_on_selector_all("#runs li", "els => els.length") == 1
    assert page.evaluate("() => window.explorer.state.lr") == pytest.approx(
        page.evaluate("() => window.explorer.surface.lrHint"))


def test_a_landscape_with_real_training_paths_draws_them_at_the_files_losses(page, server, tmp_path, artifacts_dir):
    """`lrscope landscape --trajectories` on a real (tiny) network: the page draws every real path,
    and the losses it plots are the file's, step for step."""
    pytest.importorskip("torch")
    from lrscope.adapters.torch_landscape import compute_trajectories, save_landscape
    from test_landscape import make_two_weight_task

    doc = compute_trajectories(make_two_weight_task(), [0.003, 0.3, 30.0], steps=60, record_every=5, grid=21,
                               eval_samples=128, progress=False)
    path = save_landscape(doc, tmp_path / "traj.json")
    _open(page, server)
    page.set_input_files("#land-file", str(path))
    page.wait_for_function("() => window.explorer.state.surface === 'landscape'")
    page.wait_for_selector("#real-panel:not([hidden])")
    items = page.eval_on_selector_all("#real-runs li", "els => els.map(e => e.textContent)")
    assert len(items) == 3 and "diverged" in items[2] and "lr=0.3" in items[1]
    page.wait_for_function("() => window.explorer.frame >= 60")
    drawn = json.loads(page.get_attribute("#loss-chart", "data-real"))
    for got, want in zip(drawn, doc["paths"]):
        assert got["steps"] == want["step"]
        assert got["losses"] == pytest.approx(want["loss"], rel=1e-12)
    # replaying from step 0 draws each real path only as far as the frame
    page.evaluate("() => { window.explorer.frame = 20; }")
    page.click("#step")
    drawn = json.loads(page.get_attribute("#loss-chart", "data-real"))
    frame = page.evaluate("() => window.explorer.frame")
    for got, want in zip(drawn, doc["paths"]):
        assert got["steps"] == [s for s in want["step"] if s <= frame]
    page.screenshot(path=str(artifacts_dir / "explorer_real_paths.png"), full_page=False)


def _runs(page):
    return page.evaluate("""() => window.explorer.runs.map(r => ({
        label: r.label, diverged: r.diverged ? r.diverged.step : null,
        last: r.losses[r.losses.length - 1], x: r.xs[r.xs.length - 1], y: r.ys[r.ys.length - 1]}))""")


def test_each_lesson_shows_what_its_text_claims(page, server, artifacts_dir):
    """The three lessons: the runs the page computes bear out the text it shows (checked here
    against each surface's known minima, not against the page's own check)."""
    _open(page, server)
    # 1. too small / right / too large on the bowl (SGD is stable below 2/kappa = 0.2)
    page.click("[data-lesson=lr]")
    page.wait_for_selector("#lesson-text[data-holds=true]")
    right, small, big = _runs(page)
    assert "0.18" in right["label"] and "0.005" in small["label"] and "0.21" in big["label"]
    assert right["diverged"] is None and right["last"] < 1e-10                  # the minimum of the bowl is 0
    assert small["diverged"] is None and small["last"] > 1e-2                   # crawls
    assert big["diverged"] is not None                                           # explodes
    assert f"step {big['diverged']}" in page.inner_text("#lesson-text")
    page.screenshot(path=str(artifacts_dir / "explorer_lesson_lr.png"))
    # 2. warmup on Rosenbrock (minimum at (1, 1), loss 0)
    page.click("[data-lesson=warmup]")
    page.wait_for_selector("#lesson-text[data-holds=true]")
    warm, cold = _runs(page)
    assert "warmup" in warm["label"] and "warmup" not in cold["label"]
    assert cold["diverged"] is not None and cold["diverged"] <= 20
    assert warm["diverged"] is None and warm["last"] < 1e-3 and abs(warm["x"] - 1) < 0.05 and abs(warm["y"] - 1) < 0.1
    # 3. cyclical on the two wells: the deep well is at (0.97, 0.97), the shallow one at (-1.08, -0.72)
    page.click("[data-lesson=cyclic]")
    page.wait_for_selector("#lesson-text[data-holds=true]")
    clr, low, high = _runs(page)
    assert "cyclic" in clr["label"]
    assert abs(clr["x"] - 0.9745) < 0.1 and abs(clr["y"] - 0.9747) < 0.1
    for r in (low, high):
        assert abs(r["x"] + 1.0827) < 0.1 and abs(r["y"] + 0.7218) < 0.1
        assert clr["last"] < r["last"]
    text = page.inner_text("#lesson-text")
    assert "deep well" in text and f"{clr['last']:.3g}"[:4] in text.replace("−", "-")
    page.screenshot(path=str(artifacts_dir / "explorer_lesson_cyclic.png"))
    # change the set-up so that the claim fails: the page stops asserting it
    page.fill("#lr", "0.05")
    page.press("#lr", "Enter")
    page.wait_for_selector("#lesson-text[data-holds=false]")
    assert "no longer show" in page.inner_text("#lesson-text")


@pytest.mark.parametrize("dpr", [1, 3])
def test_export_png_holds_title_map_3d_charts_and_legend_at_one_size(browser, server, artifacts_dir, dpr):
    """Export PNG: the title, the map and the 3-D view at one size (whatever the pixel ratio), both
    charts and a legend line per run; the downloaded file is that image."""
    import struct

    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=dpr, accept_downloads=True)
    try:
        page = ctx.new_page()
        _open(page, server, BOWL + '&keep=[{"lr":0.005}]')
        with page.expect_download() as dl:
            page.click("#export-png")
        path = artifacts_dir / f"explorer-export-dpr{dpr}.png"
        dl.value.save_as(str(path))
        head = path.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", head[16:24])
        map_w = page.eval_on_selector("#map", "c => c.clientWidth && Number(c.dataset.w)")
        assert width == 2 * map_w + 36                          # map + 3-D at the map's size, not the device's
        chart_h = page.evaluate("() => { const c = document.getElementById('loss-chart'); "
                                "return Math.round(document.getElementById('map').dataset.w * c.dataset.h / c.dataset.w); }")
        # the 2-D canvases are drawn at the device's pixel ratio (sharp), in the same page units
        for sel in ("#map", "#loss-chart", "#lr-chart", "#map-colorbar"):
            backing, logical = page.eval_on_selector(sel, "c => [c.width, Number(c.dataset.w)]")
            assert backing == dpr * logical
        assert height == 30 + map_w + chart_h + 24 + 22 + 18 * 2 + 12    # title, views, charts, 2 legend lines
        # the legend names both runs (read back from the exported canvas' own record)
        assert page.evaluate("() => window.explorer.exportCanvas().dataset.runs") == "2"
    finally:
        ctx.close()


def test_smaller_defects_log_axis_from_lr_zero_run_colours_and_a_stale_range_test(page, server):
    # a warmup from LR 0 on a log LR axis: the zero is left out, and the axis starts at the smallest
    # positive LR, one-cycle's last (max_lr / div_factor / final_div_factor = 0.05 / 25 / 1e4), not 1e-12
    _open(page, server, "s=bowl&k=10&x=-1.6&y=1.2&opt=sgd&lr=0.05&n=300&sched=one_cycle&wu=20&speed=50")
    ylo = float(page.get_attribute("#lr-chart", "data-ylo"))
    assert ylo == pytest.approx(0.05 / 25 / 1e4, rel=0.05)
    # ten run colours far apart: no two within 60 of each other in RGB
    colours = page.evaluate("async () => (await import('./render.js')).COLORS")
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours]
    dists = [sum((a - b) ** 2 for a, b in zip(p, q)) ** 0.5 for i, p in enumerate(rgb) for q in rgb[i + 1:]]
    assert len(rgb) == 10 and min(dists) > 60
    # a range test belongs to its surface: switching the surface hides the old result
    page.click("#rangetest")
    page.wait_for_selector("#rt-panel:not([hidden])")
    page.once("dialog", lambda d: d.accept())
    page.select_option("#surface", "rosenbrock")
    page.wait_for_function("() => window.explorer.state.surface === 'rosenbrock'")
    assert page.is_hidden("#rt-panel")
