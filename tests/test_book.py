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
