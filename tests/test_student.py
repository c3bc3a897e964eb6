"""`make student` removes every solution, and the student notebooks still run top to bottom where they are
written (student/), finding the results files of book/results/ without downloading them."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_student  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]*.ipynb"))


@pytest.fixture(scope="module")
def student_dir():
    """What a learner gets: `make student` writes the copies to the repository's student/ (gitignored)."""
    make_student.main("student")
    return ROOT / "student"


def test_every_chapter_has_solutions_to_remove():
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        assert any(make_student.is_solution(c) for c in nb.cells), f"{path.name} has no solution cells"


def test_no_solution_survives(student_dir):
    for path in CHAPTERS:
        original = nbformat.read(path, as_version=4)
        student = nbformat.read(student_dir / path.name, as_version=4)
        assert not any(make_student.is_solution(c) for c in student.cells)
        assert "{solution}" not in "".join(c.source for c in student.cells)
        kept = [c.source for c in original.cells if not make_student.is_solution(c)]
        assert [c.source for c in student.cells] == kept  # nothing else was removed
        assert any("{exercise}" in c.source for c in student.cells), f"{path.name} lost its exercises"


@pytest.mark.parametrize("name", [p.name for p in CHAPTERS])
def test_student_notebook_runs_where_it_is_written(student_dir, name, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    with socket.socket() as s:                  # a port on 127.0.0.1 where nothing listens
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/"
    monkeypatch.setenv("COURSE_LIB_RESULTS_URL", closed)     # the kernel inherits both: no download can work,
    monkeypatch.setenv("COURSE_LIB_CACHE", str(tmp_path))    # and no cached copy is there to use
    nb = nbformat.read(student_dir / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('import os; print(os.getcwd(), os.environ["COURSE_LIB_RESULTS_URL"])'))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(student_dir)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0].get("traceback", errors[0])[-1]
    assert nb.cells[-1].outputs[0].text.split() == [str(student_dir), closed]
    assert not (tmp_path / "results").exists()              # no results file was downloaded (or looked for)
