import dataclasses
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import syllabus  # noqa: E402  (book tooling, outside the course_lib package)


def notebook(tmp_path, cells, name="01_demo.ipynb"):
    nb = {"cells": [{"cell_type": t, "source": s, "metadata": {"tags": tags}, **({"outputs": [], "execution_count": None} if t == "code" else {})}
                    for t, s, tags in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


@pytest.fixture(scope="module")
def book():
    return syllabus.read_book(ROOT)


# ---- reading the chapters ----------------------------------------------------------------------------------------

def test_exercises_are_found_with_kind_and_solution(tmp_path):
    path = notebook(tmp_path, [
        ("markdown", "# Demo chapter\n\nSome words here.", []),
        ("markdown", "```{exercise} Predict the shape\n:label: demo-ex1\n\nWhat will it look like?\n```", []),
        ("markdown", "```{solution} demo-ex1\n:class: dropdown\n\nRound.\n```", ["solution"]),
        ("markdown", "```{exercise} Build it\n:label: demo-ex2\n\nWrite the code.\n```", ["discussion"]),
        ("markdown", "```{exercise} Explain it\n:label: demo-ex3\n\nWhy did the model give the predicted class so much?\n```", []),
    ])
    exercises = syllabus.find_exercises(path)
    assert [e.label for e in exercises] == ["demo-ex1", "demo-ex2", "demo-ex3"]
    assert exercises[0].predicts and exercises[0].kind == "discussion" and exercises[0].has_solution
    assert not exercises[1].has_solution and exercises[1].kind == "discussion"  # the tag wins
    assert not exercises[2].predicts and exercises[2].kind == "homework"        # "predicted" is no prediction
    assert syllabus.chapter_title(path) == "Demo chapter"


def test_exercise_without_label_is_an_error(tmp_path):
    path = notebook(tmp_path, [("markdown", "```{exercise} Oops\n\nText\n```", [])])
    with pytest.raises(ValueError, match="no :label:"):
        syllabus.find_exercises(path)


def test_exercise_kind_follows_the_run_sheets(book):
    kinds = {e.label: e.kind for page in book.values() for e in page.exercises}
    assert kinds["ch1-ex-blunder"] == "homework"          # sent home by session 1
    assert kinds["ch1-ex-decay"] == "discussion"          # done in class in session 1
    assert kinds["intro-ex-lr"] == "homework"             # done before session 1


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


def test_page_sections_objectives_and_anchors(tmp_path):
    path = notebook(tmp_path, [
        ("markdown", "# T\n\n:::{admonition} Learning objectives\n:class: tip\nAfter this chapter you can\n\n"
                     "1. read a strip plot;\n2. explain why the first layer\n   looks like noise.\n:::", []),
        ("markdown", "## The thesis's own rule: part 1\n\ntext\n\n### A sub-part\n\n## Summary", []),
    ])
    page = syllabus.read_page(path)
    assert page.objectives == ["read a strip plot;", "explain why the first layer looks like noise."]
    assert list(page.sections) == ["01_demo#the-thesis-s-own-rule-part-1", "01_demo#a-sub-part", "01_demo#summary"]
    assert page.teaching_sections() == ["01_demo#the-thesis-s-own-rule-part-1"]   # no ###, no summary


# ---- the run sheets, checked against the book --------------------------------------------------------------------

def test_run_sheets_have_no_problems(book):
    assert syllabus.check_run_sheets(book) == []


def test_six_sessions_each_fit_90_minutes_with_start_up(book):
    assert [s.number for s in syllabus.RUN_SHEETS] == [1, 2, 3, 4, 5, 6]
    for s in syllabus.RUN_SHEETS:
        assert s.minutes <= 90, (s.number, s.minutes)
        first = s.items[0]
        assert first.startup and first.where == "site" and first.minutes >= 5   # kernels start while the class works
        assert all(item.where in ("site", "kernel") for item in s.items)
        assert any(item.where == "kernel" for item in s.items)                 # every session uses a kernel somewhere


def test_no_in_class_item_builds_on_reading(book):
    """Every prerequisite of an in-class item is taught in class before it: never read before or sent home."""
    taught = {}
    for s in syllabus.RUN_SHEETS:
        for i, item in enumerate(s.items):
            for a in item.sections:
                taught.setdefault(a, (s.number, i))
    reading = {a for s in syllabus.RUN_SHEETS for r in s.reading for a in syllabus._expand(r, book)}
    after = {a for s in syllabus.RUN_SHEETS for a in s.after}
    for s in syllabus.RUN_SHEETS:
        for i, item in enumerate(s.items):
            for a in item.sections:
                for p in syllabus.DEPENDS.get(a, ()):
                    assert p not in reading and p not in after, (s.number, a, p)
                    assert taught[p] <= (s.number, i), (s.number, a, p)
    # and no reading builds on something the class only teaches later
    for s in syllabus.RUN_SHEETS:
        for a in s.after:
            for p in syllabus.DEPENDS.get(a, ()):
                assert taught.get(p, (99, 0))[0] <= s.number or p in after, (s.number, a, p)


def test_homework_exists_for_every_chapter(book):
    labels = {e.label: stem for stem, page in book.items() for e in page.exercises}
    home = [label for s in syllabus.RUN_SHEETS for label in s.before + s.homework]
    for label in home + [x for s in syllabus.RUN_SHEETS for item in s.items for x in item.exercises]:
        assert label in labels, label
    chapters = [p.stem for p in syllabus.chapter_paths(ROOT)]
    assert {labels[label] for label in home} == set(chapters)
    assert set(chapters) == {c for s in syllabus.RUN_SHEETS for c in s.chapters}
    assert "primer" in syllabus.RUN_SHEETS[0].reading


def test_objectives_match_the_chapters(book):
    for stem in (p.stem for p in syllabus.chapter_paths(ROOT)):
        assert len(book[stem].objectives) == len(syllabus.OBJECTIVE_SECTIONS[stem]) >= 3, stem


def test_stretched_course_has_eight_or_nine_sessions(book):
    assert 8 <= len(syllabus.STRETCH) <= 9
    assert sum(not optional for _, _, optional in syllabus.STRETCH) == 8
    assert {"04b_convolution", "05_bottleneck#layers-fold-the-plane"} <= set(syllabus.OPTIONAL)


# ---- the checker finds what is wrong ------------------------------------------------------------------------------

def _with(sheet_number, **changes):
    return tuple(dataclasses.replace(s, **changes) if s.number == sheet_number else s for s in syllabus.RUN_SHEETS)


def _problems(book, sheets, **kw):
    return "\n".join(syllabus.check_run_sheets(book, sheets=sheets, **kw))


def test_checker_finds_an_overlong_session(book):
    one = syllabus.RUN_SHEETS[0]
    longer = one.items[:-1] + (dataclasses.replace(one.items[-1], minutes=30),)
    assert "more than its 90-minute slot" in _problems(book, _with(1, items=longer))


def test_checker_finds_a_missing_start_up(book):
    one = syllabus.RUN_SHEETS[0]
    assert "start-up item on the static site" in _problems(book, _with(1, items=one.items[1:]))
    kernel_first = (dataclasses.replace(one.items[0], where="kernel"),) + one.items[1:]
    assert "start-up item on the static site" in _problems(book, _with(1, items=kernel_first))


def test_checker_finds_a_prerequisite_left_to_reading(book):
    one = syllabus.RUN_SHEETS[0]
    weights = "01_templates#the-weights-are-images"
    items = tuple(dataclasses.replace(i, sections=tuple(a for a in i.sections if a != weights)) for i in one.items)
    found = _problems(book, _with(1, items=items, reading=one.reading + (weights,)))
    assert f"builds on '{weights}', but it is reading before session 1" in found
    found = _problems(book, _with(1, items=items, after=one.after + (weights,)))
    assert f"builds on '{weights}', but it is sent home after session 1" in found


def test_checker_finds_wrong_order_and_unknown_names(book):
    one = syllabus.RUN_SHEETS[0]
    swapped = (one.items[0], one.items[2], one.items[1]) + one.items[3:]   # averages before the weights
    assert "'01_templates#templates-versus-averages' builds on '01_templates#the-weights-are-images', but it is " \
           "taught only later, in session 1" in _problems(book, _with(1, items=swapped))
    assert "not an exercise label" in _problems(book, _with(1, homework=("ch1-ex-nonexistent",)))
    assert "is not a section of the book" in _problems(book, _with(1, after=("01_templates#no-such-section",)))


def test_checker_finds_unplaced_sections_and_chapters_without_homework(book):
    found = _problems(book, _with(1, after=(), homework=()))
    assert "'01_templates#how-good-is-it-and-how-does-it-fail' is in no run sheet" in found
    assert "chapter '01_templates' has no exercise set for home" in found
    assert "review: '01_templates#the-weights-are-images' was not taught" in \
        _problems(book, _with(1, review=("01_templates#the-weights-are-images",)))


# ---- the guide ----------------------------------------------------------------------------------------------------

def test_guide_renders_every_session(book):
    guide = json.loads((ROOT / "book" / "instructor_guide.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in guide["cells"])
    for s in syllabus.RUN_SHEETS:
        assert re.search(rf"^### Session {s.number}: ", text, re.M), s.number
        assert f"render_run_sheet({s.number}, book)" in text
        sheet = syllabus.render_run_sheet(s.number, book)
        assert f"In class: {s.minutes} of 90 minutes." in sheet
        assert sheet.count("| static site |") + sheet.count("| kernel |") == len(s.items)
    assert "pip install jupyterlab" in text and "plan_sessions" not in text
    overview = syllabus.render_overview(book)
    assert len(overview.splitlines()) == 2 + len(syllabus.RUN_SHEETS) and "{doc}`primer`" in overview
