"""`make student` removes every solution, and the student notebooks still run top to bottom."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_student  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]*.ipynb"))


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.main(str(out))
    return out


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
def test_student_notebook_runs_top_to_bottom(student_dir, name):
    from nbclient import NotebookClient

    nb = nbformat.read(student_dir / name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "book")}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
