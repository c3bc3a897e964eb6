"""Search results with text snippets on a site opened from disk (``file://``).

Sphinx's search page shows, under each result, an excerpt of the page around the search words; it gets the
page's text with ``fetch()``, which browsers refuse for ``file://`` URLs, so a reader of the offline site sees
bare titles (Sphinx issues #9156 and #10407; Sphinx has no option for it). This extension:

* writes, after the build, each page's text into a small script ``_static/search-text/<page>.js`` that calls
  ``CourseSearch.add(page, {text, sections})``: the text of the page's article as the reader sees it (as
  Sphinx's own summary takes it, but without the theme's navigation around it; no scripts, styles or heading
  links; white space collapsed) and, for
  each section and glossary term, the start and end of its text in it;
* turns off Sphinx's fetching of pages (``html_show_search_summary = False``: no failed requests offline);
* adds ``_static/course_search.js`` to the search page only: for every result Sphinx lists it loads that page's
  script (a ``<script>`` tag works from disk) and adds the excerpt around the first search word (in the result's
  section when the result points to one), with the words highlighted as Sphinx does.

Only the search page loads anything; a result's text is loaded when the result is shown.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

TEXT_DIR = "search-text"     # under _static
SKIP_PAGES = {"search", "genindex", "py-modindex"}
_SPACE = re.compile(r"\s+")
_BLOCKS = {"p", "div", "section", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "td", "th",
           "figcaption", "blockquote", "table"}


def page_text(html: str) -> tuple[str, dict[str, list[int]]]:
    """The text of a page's main block and the character span of each section in it.

    Args:
        html: the page's HTML.

    Returns:
        (text, sections): ``text`` is the text content of the page's article (``article.bd-article``, else
        ``[role=main]``) without scripts, styles and heading links, every run of white space made one space
        and a space after each block (paragraph, heading, list item...); ``sections`` maps ``"#<id>"`` of each
        ``<section>`` and each glossary term (``<dt>``, with its definition) to ``[start, end]`` in ``text``.
    """
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(html, "html.parser")
    # The article: the page's own text, without the theme's navigation, page contents and footer around it.
    main = soup.select_one("article.bd-article") or soup.select_one('[role="main"]') or soup.body or soup
    for el in main.select("script, style, .headerlink"):
        el.decompose()
    parts: list[str] = []
    length = 0
    sections: dict[str, list[int]] = {}

    def walk(node) -> None:
        nonlocal length
        term = None                                          # a glossary term waiting for its definition
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is not NavigableString:     # comments, CDATA, doctype
                    continue
                text = _SPACE.sub(" ", str(child))
                if text.startswith(" ") and (not parts or parts[-1].endswith(" ")):
                    text = text[1:]
                if text:
                    parts.append(text)
                    length += len(text)
            elif isinstance(child, Tag):
                start = length
                walk(child)
                if child.name in _BLOCKS and parts and not parts[-1].endswith(" "):
                    parts.append(" ")
                    length += 1
                if child.name in ("section", "dt") and child.get("id"):
                    sections[f"#{child['id']}"] = [start, length]
                    term = f"#{child['id']}" if child.name == "dt" else None
                elif child.name == "dd" and term:              # a term's excerpt: the term and its definition
                    sections[term][1] = length
                    term = None

    walk(main)
    return "".join(parts), sections


def write_texts(outdir: Path) -> int:
    """Write ``_static/search-text/<page>.js`` for every HTML page of the site; returns how many."""
    target = outdir / "_static" / TEXT_DIR
    count = 0
    for page in sorted(outdir.rglob("*.html")):
        doc = page.relative_to(outdir).with_suffix("").as_posix()
        if doc in SKIP_PAGES or doc.startswith("_"):
            continue
        text, sections = page_text(page.read_text(encoding="utf-8"))
        out = target / f"{doc}.js"
        out.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"text": text, "sections": sections}, ensure_ascii=False, separators=(",", ":"))
        out.write_text(f"CourseSearch.add({json.dumps(doc)}, {data});\n", encoding="utf-8")
        count += 1
    return count


def _on_config_inited(app, config) -> None:
    config.html_show_search_summary = False   # course_search.js shows the summaries, from disk too


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    if pagename == "search":
        app.add_js_file("course_search.js")   # added in html-page-context: this page only (Sphinx >= 3.5)


def _on_build_finished(app, exception) -> None:
    if exception is None and app.builder.name == "html":
        write_texts(Path(app.outdir))


def setup(app):
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
