"""The chapters' self-check questions: every one is answered right by its reference answer and wrong by
another, the package carries only digests, and every chapter ends with at least three."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from results_scripts import load_script

from course_lib.course import selfcheck

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import syllabus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = json.loads((ROOT / "tests" / "selfcheck_answers.json").read_text())["questions"]
CALL = re.compile(r'cl\.self_check\("([\w-]+)", answer=')


def chapters() -> dict[str, list[str]]:
    """Chapter notebook -> the question ids its self-check cells ask, in order."""
    found = {}
    for path in sorted((ROOT / "book").glob("[0-9][0-9]*.ipynb")):
        if not syllabus.is_chapter(path.stem):      # a companion page: its self-check is on the chapter page
            continue
        cells = json.loads(path.read_text())["cells"]
        found[path.stem] = [m for c in cells if c["cell_type"] == "code" for m in CALL.findall("".join(c["source"]))]
    return found


def test_every_chapter_ends_with_three_or_more_questions_shipped_unanswered():
    for name, ids in chapters().items():
        assert len(ids) >= 3, name
        path = ROOT / "book" / f"{name}.ipynb"
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            if CALL.search(source):
                assert re.search(r'^cl\.self_check\("[\w-]+", answer=None\)', source, re.M), (name, source)  # unanswered


def test_every_question_has_a_reference_answer_and_the_package_table_is_current():
    asked = [q for ids in chapters().values() for q in ids]
    assert len(asked) == len(set(asked)) and set(asked) == set(ANSWERS)
    script = load_script("selfcheck_digests")
    assert script.table(ANSWERS)["questions"] == selfcheck.questions()      # run scripts/selfcheck_digests.py
    shipped = (ROOT / "course_lib" / "course" / "selfcheck.json").read_text()
    assert '"answer"' not in shipped and '"wrong"' not in shipped          # digests and hints only


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_reference_answer_passes_and_a_wrong_one_fails(qid, capsys):
    q = ANSWERS[qid]
    assert selfcheck.self_check(qid, q["answer"]) is True
    assert capsys.readouterr().out.strip() == "Correct."
    assert selfcheck.self_check(qid, q["wrong"]) is False
    assert q["hint"] in capsys.readouterr().out


def test_forms_of_answers_and_clear_errors(capsys):
    assert selfcheck.self_check("ch1-q1", " B ") is True                     # case and spaces do not matter
    assert selfcheck.self_check("ch2-q2", ["b", "a"]) is True                # order does not matter
    assert selfcheck.self_check("ch2-q2", "a, b") is True
    assert selfcheck.self_check("intro-q3", 7850.0) is True
    assert selfcheck.self_check("ch1-q1", None) is False
    assert "replace None" in capsys.readouterr().out
    with pytest.raises(ValueError, match="ch9-q1.*unknown"):
        selfcheck.self_check("ch9-q1", "a")
    with pytest.raises(ValueError, match="one letter"):
        selfcheck.self_check("ch1-q1", "bc")
    with pytest.raises(ValueError, match="finite number"):
        selfcheck.self_check("intro-q3", "7850")
    with pytest.raises(ValueError, match="finite number"):
        selfcheck.self_check("intro-q3", float("nan"))
