"""Build the printable book: all chapters on one HTML page, printed to a PDF by headless Chromium.

Run by ``make pdf``. LaTeX is not needed: the single page is the site's own HTML (static twins
print as the figure of their first state; live panels print as a note). Writes
``_build/pdf/how-neural-networks-learn.pdf`` atomically and prints its page count.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
PDF = ROOT / "_build" / "pdf" / "how-neural-networks-learn.pdf"
PRINT_CSS = """
@media print {
  .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header, .header-article, .prev-next-area,
  .bd-footer, .bd-footer-content, .toggle-button, .cell_input, .course-live-note, .slider-container,
  .modebar-container, .headerlink, .bd-header-announcement, .sbt-scroll-pixel-helper { display: none !important; }
  .bd-main .bd-content .bd-article-container { max-width: 100% !important; }
  details { display: block; } details > summary { list-style: none; }
  .cell_output, figure, img, .js-plotly-plot { break-inside: avoid; }
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }   /* paper cannot scroll sideways */
  h1 { break-before: page; }
}
"""


def chromium() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if Path(path).exists():
        return path
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit("make pdf needs Chromium: install it with 'sudo apt-get install chromium'.")
    return found


def main() -> int:
    jb = Path(sys.executable).with_name("jupyter-book")
    rc = subprocess.call([str(jb), "build", str(ROOT), "--builder", "singlehtml", "--keep-going"])
    built = SINGLE / "book" / "index.html"  # the whole book; its links are relative to SINGLE
    if rc != 0 or not built.exists():
        print("the single-page build failed; see above", file=sys.stderr)
        return rc or 1
    index = SINGLE / "print.html"
    index.write_text(built.read_text())
    from playwright.sync_api import sync_playwright

    PDF.parent.mkdir(parents=True, exist_ok=True)
    tmp = PDF.with_suffix(".tmp.pdf")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(),
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
        page.goto(index.as_uri(), wait_until="load")
        page.add_style_tag(content=PRINT_CSS)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.wait_for_timeout(2000)
        # Static twins print their last state (the end of training, the largest setting), at page width.
        page.evaluate("""() => Promise.all(Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
            const sliders = (gd.layout && gd.layout.sliders) || [];
            const last = sliders.length ? sliders[0].steps[sliders[0].steps.length - 1] : null;
            const p = last ? Plotly.update(gd, last.args[0], Object.assign({}, last.args[1],
                                           {'sliders[0].active': sliders[0].steps.length - 1}))
                           : Promise.resolve();
            return p.then(() => Plotly.relayout(gd, {width: 700, autosize: false}));
        }))""")
        page.wait_for_timeout(1000)
        page.emulate_media(media="print")
        page.pdf(path=str(tmp), format="A4", print_background=True,
                 margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
        browser.close()
    os.replace(tmp, PDF)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", PDF.read_bytes()))
    print(f"The printable book: {PDF} ({pages} pages, {PDF.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
