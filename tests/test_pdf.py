"""`make pdf` prints the book as a print edition (no LaTeX: the single-page HTML through Chromium).

The checks read the printed pages themselves (``pdftotext`` for the text, ``pdftoppm`` for the pixels,
both from poppler-utils): a title page, a table of contents with the page on which every chapter
starts, a page number in the footer of every other page, every chapter on a new page, the code cells
the site shows, the solutions only after the heading *Solutions* (instructor edition) or nowhere
(student edition), captions that make sense on paper, no blank page and nothing clipped.

Building both editions takes a single-page build of the site (every chapter comes from the Jupyter
cache that the site build has filled) and two prints of a few seconds to a minute each. A fixture
builds them only when they are missing or older than what they are made from; otherwise the tests
read the PDFs that are there.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pytest
import yaml
from book_build import ROOT, notebooks, toc_files
from bs4 import BeautifulSoup

OUT = ROOT / "_build" / "pdf"
PDF = OUT / "how-neural-networks-learn.pdf"
PDF_STUDENT = OUT / "how-neural-networks-learn-student.pdf"
SINGLE = ROOT / "_build" / "singlehtml"
HIDDEN_CODE = {"hide-input", "remove-input", "remove-cell", "hide-cell"}   # code the site does not show

pytestmark = [
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists() and shutil.which("chromium") is None,
                       reason="Chromium is missing: install it with 'sudo apt-get install chromium' (CI always has it)"),
    pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                       reason="poppler-utils (pdftotext, pdftoppm) is missing: the PDF tests read the printed pages "
                              "with it; install it with 'sudo apt-get install poppler-utils'"),
]


def norm(text: str) -> str:
    """Letters and digits only, lower case: compares text across line breaks, wrapping and markup."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _inputs() -> list[Path]:
    """What a print is made from: the book's sources, its configuration, the script and the helpers."""
    files = [ROOT / "_toc.yml", ROOT / "_config.yml", ROOT / "pyproject.toml", ROOT / "scripts" / "build_pdf.py"]
    files += [p for p in (ROOT / "book").rglob("*") if p.suffix in {".ipynb", ".md", ".bib", ".py", ".css", ".js"}
              and "_vendor" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    files += list((ROOT / "course_lib").glob("*.py"))
    files.append(SINGLE / "book" / "index.html")   # a newer single-page build (make pdf, the other edition)
    return [p for p in files if p.exists()]


def _fresh(pdf: Path) -> bool:
    report = pdf.with_suffix(".json")
    if not (pdf.exists() and report.exists()):
        return False
    made = min(pdf.stat().st_mtime, report.stat().st_mtime)
    return all(p.stat().st_mtime < made for p in _inputs())


def _build(*args: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pdf.py"), *args], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    print(proc.stdout.strip().splitlines()[-1])


@dataclass
class Printed:
    """One printed edition: its PDF, the build's report and the pages' text."""
    pdf: Path
    edition: str

    @cached_property
    def report(self) -> dict:
        return json.loads(self.pdf.with_suffix(".json").read_text())

    @cached_property
    def pages(self) -> list[str]:
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(self.pdf), "-"], capture_output=True,
                             check=True).stdout.decode()
        pages = out.split("\f")
        return pages[:-1] if not pages[-1].strip() else pages

    @cached_property
    def layout_pages(self) -> list[str]:
        """The pages' text laid out as printed (pdftotext -layout): the footer is one line."""
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(self.pdf), "-"], capture_output=True,
                             check=True).stdout.decode()
        return out.split("\f")[:len(self.pages)]

    def page_text(self, first: int, last: int | None = None, layout: bool = False) -> str:
        cmd = ["pdftotext", "-enc", "UTF-8", "-f", str(first), "-l", str(last or first)]
        return subprocess.run(cmd + (["-layout"] if layout else []) + [str(self.pdf), "-"],
                              capture_output=True, check=True).stdout.decode()

    @cached_property
    def html(self) -> BeautifulSoup:
        """The single page the edition was printed from (before it was rearranged for paper)."""
        name = "print.html" if self.edition == "instructor" else f"print-{self.edition}.html"
        return BeautifulSoup((SINGLE / name).read_text(), "html.parser")

    @cached_property
    def chapter_starts(self) -> dict[str, int]:
        """Chapter title (normalised) -> the page that begins with it, searched in book order (a page that only
        links to a chapter's companion page near its top does not count)."""
        found, start = {}, 2
        for title in doc_titles().values():
            for i in range(start, len(self.pages)):
                lines = [line for line in self.pages[i].strip().splitlines() if line.strip()][:5]
                while lines and lines[0].isupper():            # the label of a part, above its first chapter
                    lines = lines[1:]
                if norm(" ".join(lines)).startswith(norm(title)[:40]):
                    found[norm(title)] = start = i + 1
                    break
        return found


@pytest.fixture(scope="module")
def instructor() -> Printed:
    if _fresh(PDF) and (SINGLE / "print.html").exists():
        print(f"{PDF.name} is newer than everything it is made from: read, not built again")
    else:
        _build()   # the single-page build, then the print
    return Printed(PDF, "instructor")


@pytest.fixture(scope="module")
def student(instructor) -> Printed:
    if not (_fresh(PDF_STUDENT) and (SINGLE / "print-student.html").exists()):
        _build("--edition", "student", "--no-build")   # reuses the instructor's single-page build
    return Printed(PDF_STUDENT, "student")


def doc_titles() -> dict[str, str]:
    """Every document of the toc after the root -> its title (the first '# ' heading of its source)."""
    titles = {}
    for doc in toc_files()[1:]:
        path = ROOT / f"{doc}.ipynb"
        if path.exists():
            source = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                               if c["cell_type"] == "markdown")
        else:
            source = (ROOT / f"{doc}.md").read_text()
        title = next(line[2:] for line in source.splitlines() if line.startswith("# "))
        titles[doc] = re.sub(r"[`*_]", "", title).strip()
    return titles


def rendered(pdf: Path, tmp: Path, dpi: int, first: int | None = None, last: int | None = None) -> list[np.ndarray]:
    """The pages as greyscale pixel arrays (pdftoppm, PGM), 0 black to 255 white."""
    args = ["pdftoppm", "-r", str(dpi), "-gray"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    subprocess.run(args + [str(pdf), str(tmp / "p")], check=True)
    images = []
    for f in sorted(tmp.glob("p-*.pgm")):
        data = f.read_bytes()
        magic, w, h, _, pixels = data.split(maxsplit=4)
        assert magic == b"P5"
        w, h = int(w), int(h)
        images.append(np.frombuffer(pixels[-w * h:], dtype=np.uint8).reshape(h, w))
        f.unlink()
    return images


# --------------------------------------------------------------------------------------------- tests


def test_the_book_prints_to_one_pdf(instructor):
    data = instructor.pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    print(f"{PDF.name}: {pages} pages, {len(data) / 1e6:.1f} MB, {instructor.report['seconds']}")
    assert pages == instructor.report["pages"] == len(instructor.pages)
    assert pages >= 8 * len(notebooks()), pages   # every chapter runs to several pages
    html = (SINGLE / "print.html").read_text()
    for doc in notebooks():
        assert f'id="document-{doc}"' in html, f"{doc} is missing from the printable book"


@pytest.mark.parametrize("edition", ["instructor", "student"])
def test_page_one_is_the_title_page(edition, request, tmp_path):
    book = request.getfixturevalue(edition)
    page = rendered(book.pdf, tmp_path, 40, 1)[0]
    assert (page < 128).sum() > 200, "page 1 is blank"
    text = book.page_text(1)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    for want in (config["title"], config["author"], f"version {version}", f"{edition.capitalize()} edition",
                 "CC BY 4.0", "MIT"):
        assert norm(want) in norm(text), f"the title page lacks {want!r}: {text[:500]}"
    assert re.search(r"\b(19|20)\d\d\b", text), "the title page has no date"
    assert not re.search(r"\s1$", book.layout_pages[0].strip()), "the title page carries a page number"


@pytest.mark.parametrize("edition", ["instructor", "student"])
def test_contents_list_every_chapter_with_the_page_it_starts_on(edition, request):
    book = request.getfixturevalue(edition)
    titles = doc_titles()
    first_chapter = min(book.chapter_starts.values())
    assert first_chapter <= 5, "the contents run over more than three pages"
    contents = book.page_text(2, first_chapter - 1, layout=True)
    assert "Contents" in contents
    listed = {}   # title -> page number, from lines "Title ....... 19" (a long title may wrap)
    lines = [line.strip() for line in contents.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        m = re.match(r"(.*?)\s{2,}(\d+)$", line)
        if m:
            title = m.group(1)
            if i and not re.search(r"\s{2,}\d+$", lines[i - 1]) and lines[i - 1] != "Contents" \
                    and not lines[i - 1].isupper():
                title = lines[i - 1] + " " + title
            listed[norm(title)] = int(m.group(2))
    for doc, title in titles.items():
        assert norm(title) in book.chapter_starts, f"no page starts with the title {title!r}"
        assert listed.get(norm(title)) == book.chapter_starts[norm(title)], \
            f"{title!r}: contents say page {listed.get(norm(title))}, it starts on {book.chapter_starts[norm(title)]}"
    if edition == "instructor":
        assert "solutions" in listed, "the contents do not list the Solutions"
    else:
        assert "solutions" not in listed
    assert book.report["toc_verified"]


@pytest.mark.parametrize("edition", ["instructor", "student"])
def test_every_page_after_the_title_has_its_number_in_the_footer(edition, request):
    book = request.getfixturevalue(edition)
    title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    for number, text in enumerate(book.layout_pages[1:], start=2):
        footer = text.strip().splitlines()[-1].strip()
        assert re.fullmatch(re.escape(title) + r"\s+" + str(number), footer), f"page {number}'s last line: {footer!r}"


def test_chapters_start_on_a_new_page(instructor):
    starts = instructor.chapter_starts
    assert len(starts) == len(doc_titles()), set(map(norm, doc_titles().values())) - set(starts)
    pages = sorted(starts.values())
    assert len(set(pages)) == len(pages), "two chapters start on the same page"
    about = next(i + 1 for i, p in enumerate(instructor.pages) if p.strip().startswith("About this book"))
    assert 3 <= about < pages[0] <= 6, "the book does not open right after the title page and the contents"


def _code_lines(visible: bool) -> list[tuple[str, str]]:
    """(notebook, first substantial line of code) for every code cell the site shows (or hides)."""
    lines = []
    for doc in notebooks():
        for cell in json.loads((ROOT / f"{doc}.ipynb").read_text())["cells"]:
            if cell["cell_type"] != "code" or bool(HIDDEN_CODE & set(cell["metadata"].get("tags", []))) == visible:
                continue
            for line in "".join(cell["source"]).splitlines():
                code = line.split("  #")[0].strip()
                if len(code) > 12 and not code.startswith(("#", "%", "!")):
                    lines.append((doc, code))
                    break
    return lines


def test_visible_code_cells_are_printed_and_folded_ones_are_not(instructor):
    text = norm("".join(instructor.pages))
    visible = _code_lines(visible=True)
    missing = [(doc, code) for doc, code in visible if norm(code) not in text]
    print(f"{len(visible) - len(missing)} of {len(visible)} visible code cells found in the PDF")
    assert len(visible) >= 100
    assert len(missing) <= 0.02 * len(visible), missing[:10]
    assert norm("history = cl.train(model, data, epochs=15") in text   # chapter 1's training cell
    assert instructor.report["code_cells"] >= len(visible) * 0.9
    # the folded set-up cell of every chapter, and the site's "Show code cell source" toggles, are not printed
    assert norm("install the book's helper package (skipped when it is already there)") not in text
    assert "Show code cell source" not in "".join(instructor.pages)


def _solution_snippets(html: BeautifulSoup) -> list[str]:
    """For every solution of the single page: the start of its first paragraph (up to any formula)."""
    snippets = []
    for sol in html.select("div.solution"):
        for p in sol.select("section > p"):
            parts = []
            for node in p.children:
                if getattr(node, "name", None) == "span" and "math" in (node.get("class") or []):
                    break
                parts.append(node.get_text() if hasattr(node, "get_text") else str(node))
            snippet = norm("".join(parts))
            if len(snippet) >= 30:
                snippets.append(snippet[:60])
                break
    return snippets


def test_solutions_are_printed_only_after_the_solutions_heading(instructor):
    n_solutions = len(instructor.html.select("div.solution"))
    assert n_solutions >= 10
    heading = instructor.chapter_starts[norm("Solutions")] if norm("Solutions") in instructor.chapter_starts \
        else next(i + 1 for i, p in enumerate(instructor.pages) if p.strip().startswith("Solutions"))
    assert heading > len(instructor.pages) - 60, "the Solutions are not at the end of the book"
    before, after = norm("".join(instructor.pages[:heading - 1])), norm("".join(instructor.pages[heading - 1:]))
    snippets = _solution_snippets(instructor.html)
    assert len(snippets) >= 0.8 * n_solutions
    for snippet in snippets:
        assert snippet not in before, f"a solution is printed before the Solutions: {snippet}"
        assert snippet in after, f"a solution is missing from the Solutions: {snippet}"
    titles = set(re.findall(r"Solution to Exercise ([0-9A-Z]+[a-z]?)\.(\d+)", "".join(instructor.pages[heading - 1:])))
    assert len(titles) == n_solutions                       # numbered per chapter, as on the site: 1.1, 4b.2
    for chapter in {c for c, _ in titles}:
        numbers = sorted(int(n) for c, n in titles if c == chapter)
        assert numbers == list(range(1, len(numbers) + 1)), f"chapter {chapter}: solutions {numbers}"
    assert instructor.report["solutions_moved"] == n_solutions


def test_the_student_edition_has_no_solutions(student, instructor):
    text = "".join(student.pages)
    assert "Solution to Exercise" not in text
    assert "Exercise 1.1 (" in text   # the exercises themselves are there, numbered per chapter
    for snippet in _solution_snippets(instructor.html):
        assert snippet not in norm(text), f"a solution is printed in the student edition: {snippet}"
    assert len(student.pages) < len(instructor.pages)


def test_captions_make_sense_on_paper(instructor):
    text = norm("".join(instructor.pages))
    twins = len(instructor.html.select("div.course-stepper"))
    assert twins >= 3
    assert "".join(instructor.pages).replace("\n", " ").count("On paper: the last of its") == twins
    interactive = re.compile(r"\b(?:move|hover|drag|click) (?:the|its|over|a|an|on)\b.*", re.I)
    asked = 0
    for cap in instructor.html.select("figcaption"):
        m = interactive.search(cap.get_text(" "))
        if m:
            asked += 1
            phrase = re.split(r"\\\(|\$", m.group(0))[0][:40]   # up to a formula, which prints differently
            assert norm("on the web site, " + phrase) in text, f"caption not rewritten for paper: {m.group(0)[:80]}"
    assert asked >= 3 and instructor.report["captions_rewritten"] >= asked


@pytest.mark.parametrize("edition", ["instructor", "student"])
def test_no_page_is_blank_and_nothing_is_clipped(edition, request, tmp_path):
    book = request.getfixturevalue(edition)
    fit = book.report["fit"]
    assert fit["overflow_count"] == 0, fit["overflow"]
    assert fit["image_right_edges_max"] <= book.report["print_width_px"] + 1
    assert fit["widest"] <= book.report["print_width_px"] + 1
    pages = rendered(book.pdf, tmp_path, 20)
    assert len(pages) == len(book.pages)
    for number, page in enumerate(pages, start=1):
        h, w = page.shape
        body = page[: int(h * 0.93)]   # above the footer
        assert (body < 200).sum() > 20, f"page {number} is blank"
        # the outer 10 mm of the right margin (14 mm) stays white: nothing runs off the printable width
        strip = page[:, w - int(10 / 210 * w):]
        assert (strip < 200).sum() == 0, f"something runs into the right margin of page {number}"
