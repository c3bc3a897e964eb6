"""The chapters' code as a reader sees it: short visible lines, and most of the code shown.

Issue 18: the site's code column holds about 78 characters, so a visible line longer than 80 scrolls
sideways; and a chapter whose measurements hide in collapsed cells asks the reader to trust what it
does not show. Counts come from scripts/chapter_stats.py (non-blank lines of code cells; a cell is
hidden when tagged hide-input, hide-cell, remove-input or remove-cell).
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("chapter_stats", ROOT / "scripts" / "chapter_stats.py")
stats = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stats)

CHAPTERS = stats.chapters()


def test_every_chapter_is_counted():
    assert len(CHAPTERS) >= 8 and ROOT / "book" / "04b_convolution.ipynb" in CHAPTERS


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_visible_code_lines_fit_the_code_column(path):
    _, _, long_lines = stats.code_lines(path)
    assert not long_lines, f"{path.name}: {len(long_lines)} visible lines over {stats.MAX_LINE} characters, e.g. {long_lines[0]!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_shows_most_of_its_code(path):
    visible, total, _ = stats.code_lines(path)
    assert total > 0 and visible / total >= stats.MIN_VISIBLE, (
        f"{path.name}: {visible} of {total} code lines visible ({visible / total:.0%}); the measurements the prose "
        f"relies on belong in visible cells (at least {stats.MIN_VISIBLE:.0%})")


def test_the_counter_sees_hidden_and_long_lines(tmp_path):
    import json
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": ["x = 1\n", "\n", "y = '" + "a" * 90 + "'\n"]},
                    {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": ["z = 2\n", "w = 3\n"]},
                    {"cell_type": "markdown", "metadata": {}, "source": ["text " * 40]}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    visible, total, long_lines = stats.code_lines(path)
    assert (visible, total, len(long_lines)) == (2, 4, 1)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_a_cell_glues_its_numbers_in_one_call(path):
    """Issue 18: gluing a section's numbers takes one ``cl.glue_all`` call, not one ``cl.glue`` per number."""
    crowded = stats.number_glues(path)
    assert not crowded, (f"{path.name}: {len(crowded)} code cells glue numbers with several cl.glue calls (or one in "
                         f"a loop), e.g. the cell starting {crowded[0]!r}; use one cl.glue_all(prefix, name=value, ...)")


def test_export_writes_every_page_code_cells_in_order(tmp_path):
    """The export that the duplicate check reads holds each page's code cells, in order, and nothing else."""
    written = stats.export(tmp_path / "pages")
    notebooks = sorted((ROOT / "book").glob("*.ipynb"))
    assert [p.stem for p in written] == [p.stem for p in notebooks]
    page = json.loads((ROOT / "book" / "01_templates.ipynb").read_text())["cells"]
    code = ["".join(c["source"]).rstrip() for c in page if c["cell_type"] == "code"]
    text = (tmp_path / "pages" / "01_templates.py").read_text()
    positions = [text.index(f"# cell {i + 1}\n{source}") for i, source in enumerate(code)]
    assert positions == sorted(positions) and text.count("# cell ") == len(code)
    prose = next("".join(c["source"]) for c in page if c["cell_type"] == "markdown" and len(c["source"]) > 2)
    assert prose.strip().splitlines()[0] not in text
