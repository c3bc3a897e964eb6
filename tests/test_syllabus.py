import json

import pytest

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import syllabus  # noqa: E402  (book tooling, outside the course_lib package)


def notebook(tmp_path, cells, name="01_demo.ipynb"):
    nb = {"cells": [{"cell_type": t, "source": s, "metadata": {"tags": tags}, **({"outputs": [], "execution_count": None} if t == "code" else {})}
                    for t, s, tags in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


def test_exercises_are_found_with_kind_and_solution(tmp_path):
    path = notebook(tmp_path, [
        ("markdown", "# Demo chapter\n\nSome words here.", []),
        ("markdown", "```{exercise} Predict the shape\n:label: demo-ex1\n\nWhat will it look like?\n```", []),
        ("markdown", "```{solution} demo-ex1\n:class: dropdown\n\nRound.\n```", ["solution"]),
        ("markdown", "```{exercise} Build it\n:label: demo-ex2\n\nWrite the code.\n```", ["discussion"]),
    ])
    exercises = syllabus.find_exercises(path)
    assert [e.label for e in exercises] == ["demo-ex1", "demo-ex2"]
    assert exercises[0].predicts and exercises[0].kind == "discussion" and exercises[0].has_solution
    assert not exercises[1].has_solution and exercises[1].kind == "discussion"  # the tag wins
    assert syllabus.chapter_title(path) == "Demo chapter"


def test_exercise_without_label_is_an_error(tmp_path):
    path = notebook(tmp_path, [("markdown", "```{exercise} Oops\n\nText\n```", [])])
    with pytest.raises(ValueError, match="no :label:"):
        syllabus.find_exercises(path)


def test_section_times_count_words_and_visible_code(tmp_path):
    words = " ".join(["word"] * 200)
    path = notebook(tmp_path, [
        ("markdown", f"# T\n\n## First\n\n{words}", []),
        ("code", "x = 1", []),
        ("code", "assert x", ["remove-cell"]),
        ("markdown", "## Exercises\n\nlots of words here", []),
    ])
    sections = syllabus.section_times(path)
    assert [s.title for s in sections] == ["Opening", "First"]  # Exercises are not class time
    first = sections[1]
    assert first.words == 200 and first.code_cells == 1
    assert first.minutes == pytest.approx(2 * syllabus.MINUTES_PER_100_WORDS + syllabus.MINUTES_PER_CODE_CELL)


def test_chapter_paths_follow_the_toc(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        syllabus.chapter_paths(tmp_path)
    (tmp_path / "book").mkdir()
    for name in ("00_a", "01_b", "02_c"):
        notebook(tmp_path / "book", [("markdown", "# x", [])], name=f"{name}.ipynb")
    (tmp_path / "_toc.yml").write_text("root: book/index\nparts:\n  - chapters:\n    - file: book/01_b\n    - file: book/00_a\n")
    assert [p.stem for p in syllabus.chapter_paths(tmp_path)] == ["01_b", "00_a"]
    (tmp_path / "_toc.yml").write_text("root: book/index\n")
    with pytest.raises(ValueError, match="no chapter notebooks"):
        syllabus.chapter_paths(tmp_path)


def test_plan_sessions_groups_chapter_parts_and_fits_class_time(tmp_path):
    prose = " ".join(["word"] * 3000)              # 30 minutes of reading
    a = notebook(tmp_path, [("markdown", "# A\n\n## Long read\n\n" + prose, []), ("code", "x = 1", [])], name="04_a.ipynb")
    b = notebook(tmp_path, [("markdown", "# B\n\n## Hands on", []), *[("code", "x", [])] * 20,
                            ("markdown", "## Another read\n\n" + prose, [])], name="04b_b.ipynb")
    c = notebook(tmp_path, [("markdown", "# C\n\n## Short", []), ("code", "x", [])], name="05_c.ipynb")
    sessions = syllabus.plan_sessions([a, b, c], class_minutes=45)
    assert [s.number for s in sessions] == [4, 5] and [p.stem for p in sessions[0].chapters] == ["04_a", "04b_b"]
    four = sessions[0]
    assert four.class_minutes <= 45 and {s.title for s in four.reading} == {"Long read", "Another read"}
    assert "Hands on" in [s.title for s in four.in_class]               # code-heavy sections stay in class
    assert four.class_minutes + four.reading_minutes == pytest.approx(30 + 1.5 + 30 + 30, abs=0.5)
    assert sessions[1].reading == []
    with pytest.raises(ValueError, match="class_minutes"):
        syllabus.plan_sessions([a], class_minutes=0)
    with pytest.raises(ValueError, match="chapter number"):
        syllabus.plan_sessions([notebook(tmp_path, [("markdown", "# x", [])], name="intro.ipynb")])
