"""The linked figures on the built site, in headless Chromium with the network off.

Chapter 1's confusion matrix and chapter 5's digit map show digit images beside the figure:
pointing at a cell (or point) fills the panel with canvases that hold the digits, the arrow keys
do the same from the keyboard, and on a phone the panel sits below the figure, not beside it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from book_build import HTML, build
from browser_support import CHROMIUM, chromium

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
    reason="Chromium is missing: install it with 'sudo apt-get install chromium' (CI always has it)",
)

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    if not (HTML / "book" / "01_templates.html").exists():
        code, output = build()
        assert code == 0, output[-3000:]
    with chromium() as b:
        yield b


def open_linked(browser, doc: str, viewport: dict):
    """The page scrolled to its first linked figure; returns (page, figure box, panel, errors)."""
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
               else (errors.append(f"network request: {r.request.url}"), r.abort()))
    page.goto((HTML / f"{doc}.html").as_uri(), wait_until="load")
    linked = page.locator(".course-linked").first
    linked.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    return page, linked.locator(".course-linked-fig"), linked.locator(".course-linked-panel"), errors


@pytest.mark.parametrize("doc, min_images", [("book/01_templates", 1), ("book/05_bottleneck_further", 1)])
def test_hover_shows_the_digits(browser, doc, min_images):
    page, fig, panel, errors = open_linked(browser, doc, DESKTOP)
    assert panel.locator("canvas").count() == 0               # nothing chosen yet: only the hint
    drag = fig.locator(".nsewdrag").first.bounding_box()
    hit = False
    for fx, fy in ((0.05, 0.05), (0.5, 0.5), (0.25, 0.3), (0.7, 0.6), (0.95, 0.95)):   # a few places, one has a mark
        page.mouse.move(drag["x"] + fx * drag["width"], drag["y"] + fy * drag["height"])
        page.wait_for_timeout(150)
        if panel.locator("canvas").count() >= min_images:
            hit = True
            break
    assert hit, panel.inner_text()
    canvas = panel.locator("canvas").first
    # the canvas holds a drawn digit: some pixels dark (ink), some light (paper)
    shades = canvas.evaluate("""c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0, light = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] < 100) dark++; if (d[i] > 200) light++; }
        return [dark, light]; }""")
    assert shades[0] > 10 and shades[1] > 100, shades
    assert not errors, errors


def test_keyboard_reaches_the_cells(browser):
    page, fig, panel, errors = open_linked(browser, "book/01_templates", DESKTOP)
    fig.focus()
    page.keyboard.press("Home")
    first = panel.locator(".course-linked-title").inner_text()
    assert first.startswith("true 0, predicted 0"), first
    page.keyboard.press("ArrowDown")                       # one row down: true 1
    assert panel.locator(".course-linked-title").inner_text().startswith("true 1"), panel.inner_text()
    assert panel.locator("canvas").count() >= 1 and panel.locator("figcaption").first.inner_text().startswith("#")
    assert not errors, errors


def test_panel_beside_on_desktop_below_on_phone(browser):
    for viewport, beside in ((DESKTOP, True), (PHONE, False)):
        page, fig, panel, errors = open_linked(browser, "book/01_templates", viewport)
        f, p = fig.bounding_box(), panel.bounding_box()
        drawn = fig.locator("svg.main-svg").first.bounding_box()
        assert drawn["width"] <= f["width"] + 1, f"the figure is cut off: drawn {drawn}, box {f}"
        if beside:
            assert p["x"] >= f["x"] + f["width"] - 1 and abs(p["y"] - f["y"]) < f["height"], (f, p)
        else:
            assert p["y"] >= f["y"] + f["height"] - 1, (f, p)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"the page scrolls sideways at {viewport}: {width}"
        assert not errors, errors
