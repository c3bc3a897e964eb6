"""What the browser tests share: Debian's Chromium, and a built page opened offline.

``playwright install`` cannot download browsers here, so the tests drive ``/usr/bin/chromium``
(``CHROMIUM`` overrides it). A page may load ``file://`` URLs only: any other request is
aborted and reported, so a test sees a page exactly as a reader without a network does.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@contextlib.contextmanager
def chromium():
    """A headless Chromium for one test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, viewport: dict, theme: str = "light", phone: bool = False):
    """A new page in its own context, in ``theme``, that may load only ``file://`` URLs.

    Returns (page, errors, loaded): the console errors, page errors and network requests seen, and
    the size in bytes of every file the page loaded (its weight).
    """
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    context.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
    page = context.new_page()
    errors, loaded = [], {}
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))

    def route(r):
        url = r.request.url
        if not url.startswith("file://"):
            errors.append(f"network request: {url}")
            return r.abort()
        path = Path(url[len("file://"):].split("?")[0].split("#")[0])
        if path.is_file():
            loaded[str(path)] = path.stat().st_size
        return r.continue_()

    page.route("**/*", route)
    return page, errors, loaded
