"""Build the print edition of the book: all chapters on one HTML page, printed to a PDF by headless Chromium.

Run by ``make pdf`` (instructor edition) and ``make pdf EDITION=student``. LaTeX is not needed: the
single page is the site's own HTML (``jupyter-book build --builder singlehtml``), rearranged for paper
in the browser before it is printed:

* a title page (title and author from ``_config.yml``, version from ``pyproject.toml``, the date and
  the licence line) and a table of contents with page numbers;
* every chapter and appendix starts on a new page; every page after the title page has a footer with
  the book's title and the page number;
* code cells are printed as the site shows them: a cell the site folds away (tag ``hide-input``) is
  left out, every other code cell is printed in full (long lines wrap);
* the solutions of the exercises are collected in an appendix *Solutions* at the end (instructor
  edition; each exercise says where its solution is) or left out (student edition);
* a static twin (a figure with a slider) is printed in its last state, and its caption says so;
  captions that ask the reader to move a slider, hover or drag say that this works on the web site;
* figures are drawn at the printable width (A4 minus the margins) and anything still wider (a table,
  an equation) is scaled down, so nothing is clipped at the right edge.

The page numbers in the contents take two prints: the first finds the page on which every chapter
starts (``pdftotext`` of poppler-utils: ``sudo apt-get install poppler-utils``), the second prints
the numbers. Without poppler-utils the contents list the chapters without page numbers (a warning
says so). Writes ``_build/pdf/how-neural-networks-learn.pdf`` (``-student.pdf`` for the student
edition) atomically, and next to it a JSON report of what the print contains (chapters and their
pages, solutions moved, captions rewritten, widest figure, anything that overflowed) that
``tests/test_pdf.py`` checks.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
OUT_DIR = ROOT / "_build" / "pdf"
PDF_NAME = "how-neural-networks-learn"

# A4 with these margins: the printable width is 210 - 2 * 14 = 182 mm = 688 CSS px (96 px per inch).
MARGIN_MM = {"top": 14, "bottom": 16, "left": 14, "right": 14}
PRINT_WIDTH_PX = int((210 - MARGIN_MM["left"] - MARGIN_MM["right"]) / 25.4 * 96)
PRINT_HEIGHT_PX = int((297 - MARGIN_MM["top"] - MARGIN_MM["bottom"]) / 25.4 * 96)

PRINT_CSS = """
/* The page: A4, a footer with the book's title and the page number on every page but the title page
   (CSS page-margin boxes, Chromium 131 or later). */
@page { size: A4; margin: @MARGINS@;
  @bottom-left { content: "@TITLE@"; font: 8pt sans-serif; color: #444; }
  @bottom-right { content: counter(page); font: 8pt sans-serif; color: #444; } }
@page :first { @bottom-left { content: none; } @bottom-right { content: none; } }
html { font-size: 13.5px !important; }
html, body { background: #fff !important; }
.bd-sidebar-primary, .bd-sidebar-secondary, .bd-header, .header-article, .bd-header-article, .prev-next-area,
.bd-footer, .bd-footer-content, .bd-footer-article, .toggle-button, .course-live-note, .slider-container,
.modebar-container, .headerlink, .bd-header-announcement, .sbt-scroll-pixel-helper, .copybtn,
.course-stepper, .skip-link, #pst-back-to-top, .search-button-field, .bd-search, .toctree-wrapper,
.tag_hide-input details.above-input, .tag_hide-output .cell_output, details.below-input,
.tag_hide-cell, #jb-print-docs-body, .onlyprint { display: none !important; }
.bd-page-width, .bd-container, .bd-container__inner, .bd-main, .bd-main .bd-content,
.bd-main .bd-content .bd-article-container, .bd-article { max-width: 100% !important; width: 100% !important;
  margin: 0 !important; padding: 0 !important; }
.bd-article-container { overflow: visible !important; }
details { display: block; } details > summary { list-style: none; }
.cell_output, figure, img, .js-plotly-plot, .print-title-page { break-inside: avoid; }  /* not tr: a row kept whole beside a heading that must not end a page left a blank page */
h1, h2, h3, h4, .admonition-title { break-after: avoid; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; overflow: visible !important;
      font-size: 0.82em !important; }
div.cell_input pre { padding: 0.35em 0.6em !important; }
img { max-width: 100% !important; height: auto !important; }
.pst-scrollable-table-container, .table-wrapper, div.output, .cell_output, .output_area
  { overflow: visible !important; max-height: none !important; }
.bd-main .bd-content .bd-article .print-book h1 { display: block !important; }  /* the theme hides a first h1 */
.print-chapter { break-before: page; }
.print-chapter > h1, .print-chapter > h2:first-of-type, .print-chapter > h3:first-child { font-size: 2.1rem; margin: 0 0 1.2rem 0; }
.print-solutions > h2:first-of-type, .print-solutions > h2 { font-size: 1.45rem; margin: 1.6rem 0 0.8rem 0; }
.print-part-label { font-size: 0.95rem; text-transform: uppercase; letter-spacing: 0.08em; color: #555;
  margin: 0 0 0.4rem 0; }
.print-title-page { height: @HEIGHT@px; break-after: page; display: flex; flex-direction: column;
  justify-content: space-between; text-align: center; padding-top: 9rem; box-sizing: border-box; }
.print-title-page .print-title { font-size: 2.8rem; font-weight: 700; line-height: 1.15; }
.print-title-page .print-edition { font-size: 1.25rem; margin-top: 1.5rem; color: #333; }
.print-title-page .print-author { font-size: 1.2rem; margin-top: 3rem; }
.print-title-page .print-date { font-size: 1.05rem; margin-top: 0.6rem; color: #333; }
.print-title-page .print-colophon { text-align: left; font-size: 0.85rem; color: #333; border-top: 1px solid #999;
  padding-top: 0.6rem; }
.print-title-page .print-colophon p { margin: 0.3rem 0; }
.print-contents { break-after: page; }
.print-contents h1 { margin-bottom: 1.2rem; }
.print-contents .toc-part { font-weight: 700; margin: 1.1rem 0 0.3rem 0; text-transform: uppercase;
  letter-spacing: 0.06em; font-size: 0.9rem; color: #444; }
.print-contents a.toc-entry { display: flex; align-items: flex-end; color: #000 !important;
  text-decoration: none !important; margin: 0.25rem 0 0.25rem 0.8rem; }
.print-contents .toc-dots { flex: 1; border-bottom: 1px dotted #777; margin: 0 0.4rem; min-width: 1rem; }
.print-contents .toc-page { width: 2.5rem; text-align: right; font-variant-numeric: tabular-nums; }
.print-solution-pointer { font-size: 0.9em; font-style: italic; margin-top: -0.3rem; }
.print-twin-note { font-style: italic; }
"""

# Rearranges the single page for paper; returns what it did. ``cfg`` comes from ``book_config``.
RESTRUCTURE_JS = r"""(cfg) => {
  const text = el => (el ? el.textContent : "").replace(/#\s*$/, "").replace(/\s+/g, " ").trim();
  const make = (tag, cls, html) => { const e = document.createElement(tag);
                                     if (cls) e.className = cls; if (html != null) e.innerHTML = html; return e; };
  const esc = s => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  document.documentElement.dataset.theme = "light";
  document.documentElement.dataset.mode = "light";
  const art = document.querySelector("article.bd-article");
  const rootSec = art.querySelector(":scope > section");
  // every document of the book: <span id="document-book/..."> followed by its section
  const docs = {};
  for (const span of art.querySelectorAll('span[id^="document-"]')) {
    const sec = span.nextElementSibling;
    if (sec && sec.tagName === "SECTION") docs[span.id.slice("document-".length)] = sec;
  }
  const book = make("div", "print-book");
  // title page
  const colophon = [
    "This is the printed " + cfg.edition + " edition of the web site, built from the same notebooks.",
    "Interactive figures (static twins) are printed in their last state, which each caption names; on the " +
      "web site a slider steps through all of them. Live panels need a running kernel and are left out.",
    "Code that the web site folds away is left out; every other code cell is printed.",
    cfg.edition === "instructor" ? "The solutions of the exercises are collected at the end of the book, under Solutions."
                                 : "This edition has no solutions to the exercises.",
    esc(cfg.licence) + (cfg.repository ? " Source: " + esc(cfg.repository) : ""),
  ];
  book.appendChild(make("div", "print-title-page",
    '<div><div class="print-title">' + esc(cfg.title) + '</div>' +
    '<div class="print-edition">' + (cfg.edition === "instructor" ? "Instructor edition" : "Student edition") +
    " · version " + esc(cfg.version) + '</div>' +
    '<div class="print-author">' + esc(cfg.author) + '</div>' +
    '<div class="print-date">' + esc(cfg.date) + '</div></div>' +
    '<div class="print-colophon">' + colophon.map(p => "<p>" + p + "</p>").join("") + '</div>'));
  const toc = make("nav", "print-contents", "<h1>Contents</h1>");
  book.appendChild(toc);
  const chapters = [];
  const addEntry = (sec, title, doc, part) => {
    if (!sec.id) sec.id = "print-" + doc.replace(/[^a-z0-9]+/gi, "-");
    const a = make("a", "toc-entry", '<span class="toc-title"></span><span class="toc-dots"></span>' +
                                      '<span class="toc-page">000</span>');
    a.href = "#" + sec.id; a.querySelector(".toc-title").textContent = title;
    a.querySelector(".toc-page").dataset.doc = doc;
    toc.appendChild(a);
    chapters.push({doc: doc, title: title, part: part, id: sec.id});
  };
  // the root page (its introduction and closing sections) opens the book as "About this book"
  if (rootSec) {
    const about = make("section", "print-chapter");
    about.id = "print-about-this-book";
    about.appendChild(make("h1", null, "About this book"));
    for (const child of Array.from(rootSec.children)) {
      if (child.tagName === "H1" || child.classList.contains("toctree-wrapper")) continue;
      about.appendChild(child);
    }
    book.appendChild(about);
    addEntry(about, "About this book", cfg.root, null);
  }
  const solutions = [];   // [chapter title, section id, [solution elements]]
  for (const part of cfg.parts) {
    if (part.caption) toc.appendChild(make("div", "toc-part", esc(part.caption)));
    let first = true;
    for (const doc of part.docs) {
      const sec = docs[doc];
      if (!sec) continue;
      // singlehtml moves every heading down a level, a chapter's companion page (nested in it) two levels
      const title = text(sec.querySelector(":scope > h1, :scope > h2, :scope > h3"));
      sec.classList.add("print-chapter");
      if (first && part.caption) sec.insertBefore(make("p", "print-part-label", esc(part.caption)), sec.firstChild);
      first = false;
      book.appendChild(sec);
      addEntry(sec, title, doc, part.caption);
      const sols = Array.from(sec.querySelectorAll("div.solution"));
      if (sols.length) solutions.push([title, sec.id, sols]);
    }
  }
  // solutions: to an appendix at the end (instructor) or nowhere (student)
  let moved = 0, removed = 0;
  if (cfg.edition === "instructor" && solutions.length) {
    const app = make("section", "print-chapter print-solutions");
    app.id = "print-solutions";
    app.appendChild(make("h1", null, "Solutions"));
    app.appendChild(make("p", null, "The solutions of the exercises, chapter by chapter; the title of each links " +
                                    "back to its exercise."));
    for (const [title, secId, sols] of solutions) {
      const h = make("h2", null, esc(title));
      h.id = "print-solutions-" + secId;
      app.appendChild(h);
      for (const sol of sols) {
        const ptr = make("p", "print-solution-pointer");
        const a = make("a"); a.href = "#" + sol.id;
        a.textContent = text(sol.querySelector(".admonition-title"));
        ptr.appendChild(a);
        ptr.appendChild(document.createTextNode(": in Solutions at the end of the book."));
        sol.parentNode.insertBefore(ptr, sol);
        sol.classList.remove("dropdown");
        app.appendChild(sol);
        moved++;
      }
    }
    book.appendChild(app);
    addEntry(app, "Solutions", "solutions", null);
  } else {
    for (const [, , sols] of solutions) for (const sol of sols) { sol.remove(); removed++; }
  }
  // everything else of the article (the root's heading and the emptied toctree wrappers) goes
  art.replaceChildren(book);
  document.querySelectorAll("details").forEach(d => d.open = true);
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
  const codeCells = Array.from(document.querySelectorAll(".print-book div.cell"))
    .filter(c => !c.classList.contains("tag_hide-input") && !c.classList.contains("tag_hide-cell") &&
                 c.querySelector(".cell_input")).length;
  return {chapters: chapters, solutions_moved: moved, solutions_removed: removed, code_cells: codeCells,
          exercises: document.querySelectorAll(".print-book div.exercise").length};
}"""

# Static twins to their last state at the printable width; captions made true for paper.
FIGURES_JS = r"""async (width) => {
  const twins = [];
  const plots = Array.from(document.querySelectorAll(".print-book .js-plotly-plot"));
  for (const gd of plots) {
    const sliders = (gd.layout && gd.layout.sliders) || [];
    if (sliders.length) {
      const s = sliders[0], n = s.steps.length, last = s.steps[n - 1];
      await Plotly.update(gd, last.args[0] || {}, Object.assign({}, last.args[1] || {}, {"sliders[0].active": n - 1}));
      twins.push({gd: gd, label: ((s.currentvalue && s.currentvalue.prefix) || "") + last.label, n: n});
    }
    const avail = Math.min(width, gd.parentElement.getBoundingClientRect().width || width);
    await Plotly.relayout(gd, {width: Math.floor(avail), autosize: false});
  }
  // captions: an instruction to interact belongs to the web site
  const verbs = /\b(Move|move|Hover|hover|Drag|drag|Click|click)(?= (?:the|its|over|a|an|on)\b)/g;
  let rewritten = 0;
  const captions = Array.from(document.querySelectorAll(".print-book figcaption, .print-book .caption"));
  for (const cap of captions) {
    const walker = document.createTreeWalker(cap, NodeFilter.SHOW_TEXT);
    const nodes = []; while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const t = node.nodeValue.replace(verbs, (m) => {
        rewritten++;
        return (m[0] === m[0].toUpperCase() ? "On" : "on") + " the web site, " + m.toLowerCase();
      });
      if (t !== node.nodeValue) node.nodeValue = t;
    }
  }
  // every twin says which state is printed: in its caption, or under the figure
  for (const tw of twins) {
    const note = "On paper: the last of its " + tw.n + " states, " + tw.label + ".";
    const fig = tw.gd.closest("figure");
    const cap = fig && fig.querySelector("figcaption .caption-text, figcaption p");
    if (cap) { cap.appendChild(document.createTextNode(" " + note)); }
    else { const p = document.createElement("p"); p.className = "print-twin-note"; p.textContent = note;
           tw.gd.parentNode.insertBefore(p, tw.gd.nextSibling); }
  }
  return {plots: plots.length, twins: twins.length, captions_rewritten: rewritten};
}"""

# Scale down anything still wider than the page; then measure what is left.
FIT_JS = r"""(width) => {
  const book = document.querySelector(".print-book");
  const left = book.getBoundingClientRect().left;
  const sel = "table, mjx-container[display], .MathJax_Display, .cell_output > .output, .output_area, " +
              "figure, svg.main-svg, img, .js-plotly-plot, pre, .highlight";
  let scaled = 0;
  for (const el of book.querySelectorAll(sel)) {
    const w = Math.max(el.scrollWidth, el.getBoundingClientRect().width);
    const room = width - (el.getBoundingClientRect().left - left);
    if (w > room + 1 && w > 0) { el.style.zoom = (room / w).toFixed(4); scaled++; }
  }
  const overflow = [];
  let widest = 0;
  for (const el of book.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // inside a plotly figure's SVG, a line past the axis range is cut by the plot area's clip path and by the
    // SVG's own box, which is measured itself (svg.main-svg): its parts are not measured one by one
    if (el instanceof SVGElement && !el.matches("svg.main-svg") && el.closest("svg.main-svg")) continue;
    if (el.matches("img, svg.main-svg, .js-plotly-plot, figure, table")) widest = Math.max(widest, r.right - left);
    if (r.right - left > width + 1.5 && !el.closest(".print-contents")) {
      overflow.push({tag: el.tagName.toLowerCase(), cls: String(el.className && el.className.baseVal !== undefined
                       ? el.className.baseVal : el.className).slice(0, 60),
                     right: Math.round(r.right - left), text: (el.textContent || "").trim().slice(0, 60)});
    }
  }
  const images = Array.from(book.querySelectorAll("img, svg.main-svg")).map(el =>
    Math.round(el.getBoundingClientRect().right - left));
  return {scaled: scaled, widest: Math.round(widest), overflow: overflow.slice(0, 20),
          overflow_count: overflow.length, image_right_edges_max: Math.max(0, ...images), images: images.length};
}"""


def chromium() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if Path(path).exists():
        return path
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit("make pdf needs Chromium: install it with 'sudo apt-get install chromium'.")
    return found


def book_config(edition: str) -> dict:
    """Title, author, version, date, licence and the parts of the book, from the repository's files."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    footer = re.sub(r"<[^>]+>", "", (config.get("html") or {}).get("extra_footer", ""))
    licence = footer.split(". ")[0].strip().rstrip(".") + "." if footer else "See the file LICENSE."
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()

    def files(entries):
        out = []
        for e in entries or []:
            if "file" in e:
                out.append(e["file"])
            out += files(e.get("sections"))
        return out

    parts = [{"caption": p.get("caption"), "docs": files(p.get("chapters"))} for p in toc.get("parts", [])]
    if toc.get("chapters"):
        parts.insert(0, {"caption": None, "docs": files(toc["chapters"])})
    return {"title": config["title"], "author": config.get("author", ""), "version": version,
            "date": f"{day.day} {day:%B %Y}", "licence": licence,
            "repository": (config.get("repository") or {}).get("url", ""), "edition": edition,
            "root": toc["root"], "parts": parts}


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of every page (pdftotext of poppler-utils)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = out.decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def starts_with_title(text: str, title: str) -> bool:
    """Whether a page's text begins with ``title`` (below the label of a part, which heads its first chapter).
    A page whose first lines only mention the title (a link to a chapter's companion page) does not."""
    lines = [line for line in text.strip().splitlines() if line.strip()][:5]
    while lines and lines[0].isupper():
        lines = lines[1:]
    key = _norm(title)[:40]
    return bool(key) and _norm(" ".join(lines)).startswith(key)


def chapter_pages(texts: list[str], chapters: list[dict]) -> dict[str, int]:
    """Page (1-based) on which each chapter starts: the first page, after the previous chapter's,
    that begins with the chapter's title."""
    found, start = {}, 2   # page 1 is the title page, page 2 the contents
    for ch in chapters:
        for i in range(start, len(texts)):
            if starts_with_title(texts[i], ch["title"]):
                found[ch["doc"]] = i + 1
                start = i + 1
                break
    return found


def count_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def print_book(edition: str, out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    built = SINGLE / "book" / "index.html"  # the whole book; its links are relative to SINGLE
    index = SINGLE / ("print.html" if edition == "instructor" else f"print-{edition}.html")
    index.write_text(built.read_text())
    cfg = book_config(edition)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.pdf")
    pdf_opts = dict(format="A4", print_background=True, prefer_css_page_size=True)
    margins = " ".join(f"{MARGIN_MM[k]}mm" for k in ("top", "right", "bottom", "left"))
    css = (PRINT_CSS.replace("@HEIGHT@", str(PRINT_HEIGHT_PX - 4)).replace("@MARGINS@", margins)
           .replace("@TITLE@", cfg["title"].replace("\\", "").replace('"', "'")))
    report: dict = {"edition": edition, "print_width_px": PRINT_WIDTH_PX}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(),
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": PRINT_HEIGHT_PX}, color_scheme="light")
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
        page.emulate_media(media="print", color_scheme="light")
        page.goto(index.as_uri(), wait_until="load", timeout=180_000)
        page.add_style_tag(content=css)
        page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) || null")
        report.update(page.evaluate(RESTRUCTURE_JS, cfg))
        page.wait_for_timeout(500)
        report.update(page.evaluate(FIGURES_JS, PRINT_WIDTH_PX))
        page.evaluate("() => (window.MathJax && MathJax.typesetPromise) ? MathJax.typesetPromise() : null")
        page.wait_for_timeout(500)
        report["fit"] = page.evaluate(FIT_JS, PRINT_WIDTH_PX)
        if shutil.which("pdftotext") is None:
            print("warning: pdftotext (poppler-utils) is missing, so the contents have no page numbers; "
                  "install it with 'sudo apt-get install poppler-utils'", file=sys.stderr)
            page.evaluate("() => document.querySelectorAll('.toc-page').forEach(e => e.textContent = '')")
            page.pdf(path=str(tmp), **pdf_opts)
            starts = {}
        else:
            # first print: on which page does each chapter start? The second prints those numbers
            # (in place of the placeholders of the same width, so no page breaks move) and checks them.
            page.pdf(path=str(tmp), **pdf_opts)
            starts = chapter_pages(pdf_pages_text(tmp), report["chapters"])
            page.evaluate("(starts) => document.querySelectorAll('.toc-page').forEach(e => "
                          "e.textContent = starts[e.dataset.doc] ? String(starts[e.dataset.doc]) : '')", starts)
            page.pdf(path=str(tmp), **pdf_opts)
            again = chapter_pages(pdf_pages_text(tmp), report["chapters"])
            report["toc_verified"] = again == starts and len(starts) == len(report["chapters"])
            if not report["toc_verified"]:
                print(f"warning: the contents' page numbers could not be confirmed: {starts} vs {again}",
                      file=sys.stderr)
        browser.close()
    for ch in report["chapters"]:
        ch["page"] = starts.get(ch["doc"])
    report["toc_page_numbers"] = bool(starts)
    os.replace(tmp, out)
    report["pages"] = count_pages(out)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edition", choices=["instructor", "student"], default="instructor",
                    help="instructor (default): solutions collected at the end; student: no solutions")
    ap.add_argument("--no-build", action="store_true",
                    help="print the existing _build/singlehtml without building it again")
    ap.add_argument("--out", type=Path, help="the PDF to write (default: _build/pdf/%s[-student].pdf)" % PDF_NAME)
    args = ap.parse_args(argv)
    out = args.out or OUT_DIR / (PDF_NAME + ("" if args.edition == "instructor" else "-" + args.edition) + ".pdf")
    t0 = time.perf_counter()
    if not args.no_build:
        jb = Path(sys.executable).with_name("jupyter-book")
        rc = subprocess.call([str(jb), "build", str(ROOT), "--builder", "singlehtml", "--keep-going"])
        if rc != 0:
            print("the single-page build failed; see above", file=sys.stderr)
            return rc
    if not (SINGLE / "book" / "index.html").exists():
        print(f"no single-page build in {SINGLE}; run without --no-build", file=sys.stderr)
        return 1
    t1 = time.perf_counter()
    report = print_book(args.edition, out)
    report["seconds"] = {"singlehtml": round(t1 - t0, 1), "print": round(time.perf_counter() - t1, 1)}
    out.with_suffix(".json").write_text(json.dumps(report, indent=1))
    print(f"The printable book ({args.edition} edition): {out} ({report['pages']} pages, "
          f"{out.stat().st_size / 1e6:.1f} MB; single page {report['seconds']['singlehtml']} s, "
          f"print {report['seconds']['print']} s)")
    if report["fit"]["overflow_count"]:
        print(f"warning: {report['fit']['overflow_count']} elements are wider than the page: "
              f"{report['fit']['overflow'][:3]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
