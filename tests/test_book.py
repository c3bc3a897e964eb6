"""The site builds strictly, every chapter is listed and executed, and each stays within its budget."""
from __future__ import annotations

import json
import re

import pytest
from book_build import HTML, ROOT, build, exec_times, notebooks, toc_files

BUDGET_SECONDS = 30        # per chapter, in a fresh kernel on the 2-core build machine
BOOK_BUDGET_SECONDS = 150  # make book's execution of every notebook (wall time, two kernels at a time)


@pytest.fixture(scope="module")
def built():
    code, output = build()
    return code, output


def test_book_builds_with_warnings_as_errors(built):
    code, output = built
    warnings = [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
    assert code == 0, "\n".join(warnings[-30:]) or output[-3000:]
    assert (HTML / "index.html").exists()


def test_every_notebook_in_book_is_in_the_toc():
    listed = set(toc_files())
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*.ipynb")
               if ".ipynb_checkpoints" not in str(p)}
    assert on_disk <= listed, f"not in _toc.yml: {sorted(on_disk - listed)}"


def test_every_chapter_executed_within_budget(built):
    times = exec_times()
    report = []
    for doc in notebooks():
        info = times.get(doc)
        assert info is not None, f"{doc} was not executed by the build"
        assert info["succeeded"], f"{doc} failed to execute"
        report.append((doc, info["runtime"]))
    slow = [(doc, t) for doc, t in report if t > BUDGET_SECONDS]
    print("\n".join(f"{doc}: {t:.1f} s" for doc, t in report))
    assert not slow, f"chapters over the {BUDGET_SECONDS} s budget: {slow}"
    record = ROOT / "_build" / "execution.json"   # written by make book when it executed notebooks
    if record.exists():
        run = json.loads(record.read_text())
        print(f"last execution: {run}")
        if run["notebooks_executed"] == run["notebooks"]:     # a build that executed every notebook
            assert run["wall_seconds"] <= BOOK_BUDGET_SECONDS, \
                f"make book spent {run['wall_seconds']:.0f} s executing notebooks, over {BOOK_BUDGET_SECONDS} s"


def test_no_plotly_or_mathjax_from_a_cdn(built):
    for page in HTML.rglob("*.html"):
        text = page.read_text(errors="ignore")
        assert not re.search(r'<script[^>]+src="https?://[^"]*(plotly|mathjax|require)', text, re.I), page


def test_progress_bars_stay_out_of_the_pages(built):
    for doc in notebooks():
        text = (HTML / f"{doc}.html").read_text(errors="ignore")
        assert not re.search(r"epochs:\s+\d+%\|", text) and "it/s]" not in text, doc


def test_mathjax_only_on_pages_with_mathematics(built):
    with_math = 0
    for page in HTML.rglob("*.html"):
        text = page.read_text(errors="ignore")
        loads = bool(re.search(r'<script[^>]+mathjax/startup\.js', text))
        has_math = 'class="math' in text
        assert loads == has_math, (page, loads, has_math)
        with_math += has_math
    assert with_math >= 8                      # the chapters and the primer have formulas


# ------------------------------------------------------------------------------------------------------------------
# Numbers per chapter (issue 20): Fig. 5.1, Exercise 4b.2, on the chapters, the Exercises page and the guide
# ------------------------------------------------------------------------------------------------------------------

def _chapter_numbers_module():
    import sys
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import chapter_numbers
    return chapter_numbers


def expected_chapter(doc: str) -> str:
    """The chapter's own number, as its file name and the book's prose give it: 04b_convolution -> '4b'."""
    m = re.match(r"book/(\d\d)(b?)_", doc)
    return f"{int(m.group(1))}{m.group(2)}"


def test_chapter_numbers_follow_the_file_names():
    numbers = _chapter_numbers_module().chapter_numbers(
        ["book/index", "book/00_introduction", "book/primer", "book/01_templates", "book/04_edges",
         "book/04b_convolution", "book/05_bottleneck", "book/instructor_guide", "book/exercises",
         "book/appendix/api", "book/appendix/glossary"])
    assert numbers == {"book/00_introduction": 0, "book/primer": "P", "book/01_templates": 1, "book/04_edges": 4,
                       "book/04b_convolution": "4b", "book/05_bottleneck": 5, "book/appendix/api": "A",
                       "book/appendix/glossary": "B"}


CAPTION_NUMBER = re.compile(r'<span class="caption-number">(Fig\.|Table|Listing|Exercise) ([^ <]+) </span>')


def test_figures_tables_and_exercises_are_numbered_per_chapter(built):
    chapters = [doc for doc in notebooks() if re.match(r"book/\d\d", doc)]
    assert "book/04b_convolution" in chapters
    seen, counted = 0, {}      # a chapter's companion page (NN_name_further) goes on from its chapter page
    for doc in chapters:
        text = (HTML / f"{doc}.html").read_text(encoding="utf-8")
        by_kind: dict[str, list[str]] = {}
        for kind, number in CAPTION_NUMBER.findall(text):
            by_kind.setdefault(kind, []).append(number)
        for kind, numbers in by_kind.items():
            start = counted.get((expected_chapter(doc), kind), 0)
            want = [f"{expected_chapter(doc)}.{k}" for k in range(start + 1, start + len(numbers) + 1)]
            assert numbers == want, f"{doc}: {kind} numbered {numbers}, expected {want}"
            counted[expected_chapter(doc), kind] = start + len(numbers)
            seen += len(numbers)
    assert seen > 50, "hardly any numbered figures or exercises were found"


NUMREF = re.compile(r'<a class="reference internal" href="([^"#]*)\.html#[^"]*"><span class="std std-numref">'
                    r'(Fig\.|Table|Exercise) ([^<]+)</span></a>')


def test_references_carry_the_chapter_of_their_target(built):
    """Every {numref} on every page (the Exercises page and the guide included) shows its target's chapter."""
    checked = {}
    for page in HTML.rglob("*.html"):
        if "_static" in page.parts:
            continue
        for href, kind, number in NUMREF.findall(page.read_text(encoding="utf-8")):
            target = (page.parent / href).resolve().relative_to(HTML.resolve()).as_posix()
            if not re.match(r"book/\d\d", target) and href:
                continue
            target = target if href else page.relative_to(HTML).with_suffix("").as_posix()
            assert re.fullmatch(rf"{re.escape(expected_chapter(target))}\.\d+", number), \
                f"{page.relative_to(HTML)}: {kind} {number} links to {target}"
            checked[page.name] = checked.get(page.name, 0) + 1
    assert checked.get("exercises.html", 0) >= 25 and checked.get("instructor_guide.html", 0) >= 20, checked


def test_chapter_numbers_head_the_titles_and_the_sidebar(built):
    """Each chapter's number precedes its page title and its sidebar entry; its sections stay unnumbered."""
    chapters = [doc for doc in notebooks() if re.match(r"book/\d\d", doc)]
    for doc in chapters:
        text = (HTML / f"{doc}.html").read_text(encoding="utf-8")
        article = text[text.index('<article class="bd-article"'):text.index("</article>")]
        numbers = re.findall(r'<(h\d)><span class="section-number">([^<]*)</span>', article)
        assert numbers == [("h1", f"{expected_chapter(doc)}. ")], f"{doc}: section numbers {numbers}"
        assert article.count('class="section-number"') == 1, doc
        name = doc.split("/")[-1]
        assert re.search(rf'<a class="(?:current )?reference internal" href="(?:{name}\.html|#)">'
                         rf'{re.escape(expected_chapter(doc))}\. ', text), f"{doc}: no numbered sidebar entry"


def test_exercises_page_numbers_match_its_chapter_headings(built):
    text = (HTML / "book" / "exercises.html").read_text(encoding="utf-8")
    parts = re.split(r"<h2>([^<]+)<a", text)[1:]
    assert parts, "no chapter headings on the Exercises page"
    for heading, body in zip(parts[::2], parts[1::2]):
        numbers = re.findall(r'<span class="std std-numref">Exercise ([^<]+)</span>', body)
        m = re.fullmatch(r"Chapter (\w+)|Introduction", heading.strip())
        if m is None:
            continue
        chapter = m.group(1) or "0"
        assert numbers and all(n.startswith(f"{chapter}.") for n in numbers), (heading, numbers)


# ------------------------------------------------------------------------------------------------------------------
# Issue 18: no private Sphinx API; MathJax vendored like plotly.js
# ------------------------------------------------------------------------------------------------------------------

def test_the_book_extensions_use_no_private_sphinx_module():
    for path in (ROOT / "book" / "_ext").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        private = re.findall(r"^\s*(?:from|import)\s+(sphinx\.[\w.]*\._\w*)", text, re.M)
        assert not private, f"{path.name} imports private Sphinx modules: {private}"


def test_mathjax_is_vendored_with_its_licence_and_source():
    import sys
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import course_book

    vendor = ROOT / "book" / "_vendor" / "mathjax"
    assert (vendor / "LICENSE").read_text().lstrip().startswith("Apache License")
    readme = (vendor / "README.md").read_text()
    assert "3.2.2" in readme and "github.com/mathjax" in readme.lower()
    for name in course_book.MATHJAX_FILES:
        assert (vendor / "es5" / name).is_file(), name
    assert 'VERSION="3.2.2"' in (vendor / "es5" / "core.js").read_text(), "the files are not MathJax 3.2.2"
    assert "django-static-mathjax" not in (ROOT / "requirements.txt").read_text()
    assert not re.search(r"^\s*import mathjax|from mathjax", (ROOT / "book" / "_ext" / "course_book.py").read_text(),
                         re.M), "the build must not need the mathjax package"


def test_plotly_js_only_on_pages_with_plotly_figures_and_first(built):
    for page in HTML.rglob("*.html"):
        text = page.read_text(errors="ignore")
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', text)
        loads = [i for i, s in enumerate(scripts) if "plotly.min.js" in s]
        has_plotly = "plotly-graph-div" in text
        assert bool(loads) == has_plotly, (page, loads, has_plotly)
        if loads:
            assert loads == [0], f"{page}: plotly.js must load once and before the other scripts: {scripts[:4]}"


# Search with excerpts offline (issue 20)

def test_search_texts_are_written_for_every_page(built):
    texts = HTML / "_static" / "search-text"
    for doc in toc_files():
        script = texts / f"{doc}.js"
        assert script.exists(), doc
        head = script.read_text(encoding="utf-8")[:300]
        assert head.startswith(f'CourseSearch.add("{doc}", {{"text":'), head
    search = (HTML / "search.html").read_text(encoding="utf-8")
    assert "course_search.js" in search
    assert "course_search.js" not in (HTML / "book" / "01_templates.html").read_text(encoding="utf-8")
    assert "SHOW_SEARCH_SUMMARY: false" in (HTML / "_static" / "documentation_options.js").read_text()


def test_search_text_of_a_page_and_its_sections():
    import sys
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import offline_search

    html = ('<nav>Site menu</nav><article class="bd-article"><section id="intro"><h1>Title<a class="headerlink" '
            'href="#intro">#</a></h1><p>One   two\n three.</p><script>var x = 1;</script><section id="part">'
            '<h2>Part</h2><dl><dt id="term-w">weight</dt><dd>a number.</dd></dl></section></section></article>')
    text, sections = offline_search.page_text(html)
    assert text == "Title One two three. Part weight a number. "
    spans = {anchor: text[a:b] for anchor, (a, b) in sections.items()}
    assert spans == {"#intro": text, "#part": "Part weight a number. ", "#term-w": "weight a number. "}


def test_icon_fonts_keep_every_icon_the_site_uses(built):
    """The build subsets Font Awesome to the icons in use: each fa-* class on a page keeps its glyph."""
    from fontTools.ttLib import TTFont

    static = HTML / "_static"
    css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert 'fa-solid-900.woff) format("woff")' in css and "fa-solid-900.woff2" not in css
    glyphs = set()
    for name in ("fa-solid-900", "fa-regular-400", "fa-brands-400"):
        font = static / "vendor" / "fontawesome" / "webfonts" / f"{name}.woff"
        assert font.stat().st_size < 20_000, f"{font.name} was not subset"
        glyphs |= set(TTFont(str(font)).getBestCmap())
    by_class = {name: int(code, 16) for selectors, code in re.findall(r"([^{}]+)\{[^}]*?(?:content|--fa):\s*\"\\([0-9a-f]{4})", css)
                for name in re.findall(r"\.fa-([a-z0-9-]+)", selectors)}
    used = {name for page in HTML.rglob("*.html") for name in re.findall(r"\bfa-([a-z0-9-]+)", page.read_text())
            if name in by_class}
    assert {"magnifying-glass", "github"} <= used
    missing = sorted(name for name in used if by_class[name] not in glyphs)
    assert not missing, f"icons used on the site but dropped from the fonts: {missing}"
