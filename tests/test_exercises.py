"""The chapters' exercises as a course (issue 17): label lines, solutions, class and homework in every chapter,
predict-first exercises before their answers, static twins for exercises done on the site, and the Exercises page
that holds their full text (book/_ext/exercise_sheet.py)."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import exercise_sheet as sheet  # noqa: E402
import syllabus  # noqa: E402

CHAPTERS = syllabus.chapter_paths(ROOT)
GLUE_USE = re.compile(r"\{glue(?::\w+)?\}`([\w-]+)")


def cells_of(path):
    return [{"type": c["cell_type"], "source": "".join(c["source"]), "tags": c.get("metadata", {}).get("tags", [])}
            for c in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]]


def notebook(tmp_path, cells, name="99_demo.ipynb"):
    nb = {"cells": [{"cell_type": kind, "metadata": {"tags": tags} if tags else {}, "source": source,
                     **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                    for kind, source, tags in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


def all_exercises():
    return [ex for path in CHAPTERS for ex in sheet.read_exercises(path)]


# ------------------------------------------------------------------------------------------------------------------
# The helper, on made-up notebooks
# ------------------------------------------------------------------------------------------------------------------

def test_label_line_solution_and_text_are_read(tmp_path):
    path = notebook(tmp_path, [
        ("markdown", "```{exercise} Predict it\n:label: demo-ex1\n\n*Check · on the site · in class*\n\nWhat will "
                     "{numref}`fig-x` show? The number is {glue:text}`demo_n:.2f`.\n```", []),
        ("code", "x = 1", ["remove-cell"]),          # code may sit between an exercise and its solution
        ("markdown", "```{solution} demo-ex1\n:class: dropdown\n\nIt shows x.\n```", ["solution"]),
        ("markdown", "```{exercise} Build it\n:label: demo-ex2\n\n*Apply · needs a kernel · homework*\n\nWrite it.\n```", []),
        ("markdown", "Some prose, not the solution.", []),
        ("markdown", "```{solution} demo-ex2\n:class: dropdown\n\nLate.\n```", ["solution"]),
    ])
    first, second = sheet.read_exercises(path)
    assert (first.label, first.title, first.kind, first.where, first.use) == ("demo-ex1", "Predict it", "Check",
                                                                             "on the site", "in class")
    assert first.valid_label and first.solution_cell == 2 and first.text.startswith("What will")
    assert second.valid_label and second.solution_cell is None      # prose came between
    assert sheet.sheet_text(first).endswith(f"The number is {sheet.GLUE_STANDIN}.")
    problems = sheet.check_exercises(path)
    assert len(problems) == 2
    assert "demo-ex1" in problems[0] and "glued number" in problems[0]
    assert "demo-ex2" in problems[1] and "solution" in problems[1]


@pytest.mark.parametrize("line", ["*Check · on the site*", "*Easy · on the site · in class*", "Check · on the site · in class",
                                  "*Check - on the site - in class*", "*Check · online · in class*", "*Check · on the site · at home*"])
def test_a_bad_label_line_is_reported(tmp_path, line):
    path = notebook(tmp_path, [
        ("markdown", f"```{{exercise}} T\n:label: demo-ex\n\n{line}\n\nText.\n```", []),
        ("markdown", "```{solution} demo-ex\n:class: dropdown\n\nA.\n```", ["solution"])])
    (ex,) = sheet.read_exercises(path)
    assert not ex.valid_label
    assert any("label line" in p for p in sheet.check_exercises(path))


def test_an_exercise_without_label_is_an_error(tmp_path):
    path = notebook(tmp_path, [("markdown", "```{exercise} Oops\n\n*Check · on the site · in class*\n\nText\n```", [])])
    with pytest.raises(ValueError, match=":label:"):
        sheet.read_exercises(path)


def test_render_chapter_gives_the_full_text_and_no_solution(tmp_path):
    path = notebook(tmp_path, [
        ("markdown", "# A chapter\n\nIntro.", []),
        ("markdown", "```{exercise} Predict it\n:label: demo-ex1\n\n*Check · on the site · in class*\n\nWhat is $x$? "
                     "See {numref}`fig-x`; it is {glue:text}`demo_n`.\n```", []),
        ("markdown", "```{solution} demo-ex1\n:class: dropdown\n\nThe secret answer.\n```", ["solution"])])
    text = sheet.render_chapter(path)
    assert "{doc}`A chapter <99_demo>`" in text
    assert "**{numref}`demo-ex1`: Predict it**" in text and "*Check · on the site · in class*" in text
    assert "What is $x$? See {numref}`fig-x`" in text and sheet.GLUE_STANDIN in text
    assert "glue" not in text and "secret" not in text and "{solution}" not in text
    assert text.count(":::{container} exercise-sheet-item") == 1 and text.count("\n:::\n") == 2
    assert sheet.chapter_heading(path) == "Chapter 99"
    assert sheet.chapter_heading(Path("00_introduction.ipynb")) == "Introduction"
    assert sheet.chapter_heading(Path("04b_convolution.ipynb")) == "Chapter 4b"


# ------------------------------------------------------------------------------------------------------------------
# The book's chapters
# ------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_label_line_and_its_solution_right_after(path):
    exercises = sheet.read_exercises(path)
    assert exercises, f"{path.name} has no exercises"
    assert sheet.check_exercises(path) == []
    cells = cells_of(path)
    for ex in exercises:
        assert ex.valid_label, (ex.label, ex.label_line)
        # the solution is the next markdown cell; only code (the exercise's own computation) comes between
        assert ex.solution_cell is not None, ex.label
        assert all(cells[i]["type"] == "code" for i in range(ex.cell + 1, ex.solution_cell)), ex.label
        solution = cells[ex.solution_cell]
        assert "solution" in solution["tags"] and ":class: dropdown" in solution["source"], ex.label


@pytest.mark.parametrize("path", [p for p in CHAPTERS if not p.stem.startswith("00")], ids=lambda p: p.stem)
def test_every_chapter_has_exercises_for_class_and_for_homework(path):
    uses = [ex.use for ex in sheet.read_exercises(path)]
    assert "in class" in uses and "homework" in uses, (path.name, uses)


def test_the_book_uses_every_kind_and_place():
    exercises = all_exercises()
    assert {ex.kind for ex in exercises} == set(sheet.KINDS)
    assert {ex.where for ex in exercises} == set(sheet.WHERE)
    assert len({ex.label for ex in exercises}) == len(exercises)


#: Numbers a predict-first exercise's solution quotes that the chapter may state before the exercise: they are
#: what the exercise starts from (a baseline, a control or the network it compares with), not its answer.
PREMISES = {
    "ch1-ex-means": {"ch1_test_acc"},                      # the trained templates' accuracy, the thing to beat
    "ch2-ex-init": {"ch2_joint_before"},                   # the usual start, the control
    "ch4-ex-height": {"ch4_base_L1", "ch4_ml_L1"},         # the detector and the rule with the right height
    "ch6-ex-width": {"ch6_fit_random"},                    # the epochs the 100-unit network needs
    "ch6-ex-tsne": {"ch6_gap_learn", "ch6_gap_memo"},      # the two networks the exercise compares with
}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_predict_first_exercises_come_before_their_answer(path):
    """No number a predict-first solution gives as its answer is printed in the chapter's prose above the exercise."""
    cells = cells_of(path)
    for ex in sheet.read_exercises(path):
        if "predict" not in (ex.title + " " + ex.text).lower():
            continue
        answer = set(GLUE_USE.findall(cells[ex.solution_cell]["source"])) - PREMISES.get(ex.label, set())
        above = {key for c in cells[:ex.cell] if c["type"] == "markdown" and "solution" not in c["tags"]
                 for key in GLUE_USE.findall(c["source"])}
        assert not answer & above, (ex.label, sorted(answer & above))


def _static_twins(cells) -> set[str]:
    """Names of the figures whose caption says they are static twins."""
    return {m.group(1) for c in cells if c["type"] == "markdown"
            for m in re.finditer(r"```\{glue:figure\}[^\n]*\n(?::[^\n]*\n)*?:name:\s*(\S+)\n(?::[^\n]*\n)*\s*Static twin",
                                 c["source"])}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_done_on_the_site_with_a_slider_name_a_static_twin(path):
    twins = _static_twins(cells_of(path))
    for ex in sheet.read_exercises(path):
        if ex.where == "on the site" and re.search(r"live panel|slider|workbench|static twin", ex.text):
            named = set(re.findall(r"\{numref\}`(fig-[\w-]+)`", ex.text))
            assert named & twins, (ex.label, "names no static twin of this chapter", sorted(named))
        if re.search(r"live panel", ex.text) and ex.where == "on the site":
            assert re.search(r"static twin|\{numref\}`fig-", ex.text), ex.label


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_a_live_panel_that_promises_a_static_twin_has_one_in_its_section(path):
    """The note a panel leaves on the site says a static version is next to it, unless it is made with twin=False."""
    cells = cells_of(path)
    for i, c in enumerate(cells):
        if c["type"] != "code" or "cl.live(" not in c["source"] or "twin=False" in c["source"]:
            continue
        start = max((j for j in range(i) if cells[j]["type"] == "markdown" and re.search(r"^## ", cells[j]["source"], re.M)),
                    default=0)
        assert any("cl.static_twin(" in cells[j]["source"] for j in range(start, i) if cells[j]["type"] == "code"), \
            (path.name, i, c["source"][:80])


def test_the_block_workbench_has_its_static_twin():
    cells = cells_of(ROOT / "book" / "02_hidden_layers.ipynb")
    panel = next(i for i, c in enumerate(cells) if "cl.live(draw_blocks" in c["source"])
    twin = next(i for i, c in enumerate(cells) if "cl.static_twin(draw_blocks" in c["source"])
    assert twin < panel and "twin=False" not in cells[panel]["source"]
    assert "fig-ch2-workbench" in _static_twins(cells)


# ------------------------------------------------------------------------------------------------------------------
# The Exercises page
# ------------------------------------------------------------------------------------------------------------------

def test_the_exercises_page_shows_every_chapter_under_a_heading():
    cells = cells_of(ROOT / "book" / "exercises.ipynb")
    headings = [c["source"].strip() for c in cells if c["type"] == "markdown" and c["source"].startswith("## ")]
    shown = [m.group(1) for c in cells if c["type"] == "code" for m in re.finditer(r'^show\("([\w]+)"\)$', c["source"], re.M)]
    assert shown == [p.stem for p in CHAPTERS]
    assert headings == [f"## {sheet.chapter_heading(p)}" for p in CHAPTERS]
    for c in cells:                 # nothing interactive, and no solutions
        assert "cl.live(" not in c["source"] and "static_twin" not in c["source"] and "{solution}" not in c["source"]
        if c["type"] == "code" and re.match(r'show\(', c["source"]):
            assert "remove-input" in c["tags"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_page_holds_each_exercises_full_text(path):
    text = sheet.render_chapter(path)
    for ex in sheet.read_exercises(path):
        assert f"**{{numref}}`{ex.label}`: {ex.title}**" in text
        assert ex.label_line in text and sheet.sheet_text(ex) in text
        assert "{glue" not in sheet.sheet_text(ex)
    cells = cells_of(path)
    for c in cells:                 # no line of any solution reaches the sheet
        if "solution" in c["tags"]:
            for line in c["source"].splitlines():
                if len(line) > 40 and not line.startswith(("```", ":")):
                    assert line not in text, (path.name, line)
