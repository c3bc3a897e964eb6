"""`make student` (scripts/make_student.py) writes hand-out copies of the chapters to student/: no solution and no
cell that gives an answer away, prose that Jupyter shows as the site does (numbers and headings, not MyST roles
and fences), and every copy runs top to bottom where it is written (student/), offline, giving the numbers its
prose quotes."""
from __future__ import annotations

import difflib
import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_student  # noqa: E402

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import syllabus  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]*.ipynb"))
# MyST that Jupyter would show raw: roles, directive fences, targets, directive options
RAW_MYST = re.compile(r"\{[a-zA-Z][\w:-]*\}`|`{3,}\{|:{3,}\{|\{glue|\{numref\}|\{term\}|^\([\w.:-]+\)=\s*$|^:(label|name|class):",
                      re.M)


@pytest.fixture(scope="module")
def student_dir():
    """What a learner gets: `make student` writes the copies to the repository's student/ (gitignored)."""
    make_student.main("student")
    return ROOT / "student"


def copies(student_dir):
    for path in CHAPTERS:
        yield path, nbformat.read(path, as_version=4), nbformat.read(student_dir / path.name, as_version=4)


def test_every_chapter_has_solutions_to_remove():
    for path in CHAPTERS:
        if not syllabus.is_chapter(path.stem):      # a companion page: its exercises are on the chapter page
            continue
        nb = nbformat.read(path, as_version=4)
        assert any(make_student.is_solution(c) for c in nb.cells), f"{path.name} has no solution cells"


def test_the_copies_follow_the_rule(student_dir):
    """Solutions and hidden checking cells go; every other cell stays as it is; a hidden cell that later code
    needs stays only cut down to what that code reads, without checks."""
    for path, original, student in copies(student_dir):
        plan = make_student.plan(original.cells)
        assert not any(make_student.is_solution(c) for c in student.cells)
        code = [i for i, c in enumerate(original.cells) if c.cell_type == "code"]
        assert [c.source for c in student.cells if c.cell_type == "code"] == [plan.keep[i] for i in code if i in plan.keep]
        for i in code:
            if not make_student.is_hidden(original.cells[i]) and i in plan.keep and i not in plan.kept_hidden:
                # a shown cell stays as it is, but for display=True on the figures it glues and without claims
                kept = plan.keep[i].replace(", display=True", "").splitlines()
                before = original.cells[i].source.splitlines()
                blocks = difflib.SequenceMatcher(a=before, b=kept, autojunk=False).get_opcodes()
                for op, a0, a1, b0, b1 in blocks:
                    assert op == "equal" or (op == "delete" and re.match(r"\s*(\w+\s*=\s*)?cl\.claim\(", before[a0])), \
                        (path.name, i, before[a0:a1], kept[b0:b1])
        gone = [i for i in code if not make_student.is_hidden(original.cells[i]) and i not in plan.keep]
        assert gone == plan.dropped["answer"], path.name       # shown cells left out: only the answer cells
        labels = make_student.exercise_labels(original.cells)
        for cell in student.cells:
            if cell.cell_type != "code":
                continue
            assert not re.search(r"\bcl\.claim\(|\bclaim\(", cell.source), (path.name, cell.source[:200])
            assert not re.search(r"exercise", cell.source, re.I), (path.name, cell.source[:200])
            assert not any(label in cell.source for label in labels), (path.name, cell.source[:200])
            if make_student.is_hidden(cell):    # kept because later code reads it: cut down, no checks
                assert "assert" not in cell.source and "glue(" not in cell.source, (path.name, cell.source)
            assert not cell.outputs and cell.execution_count is None
        counts = student.metadata["student_copy"]["dropped_cells"]
        hidden = sum(make_student.is_hidden(c) for c in original.cells)
        assert counts["hidden"] + len(student.metadata["student_copy"]["kept_hidden_cells"]) >= hidden - counts["answer"]
        assert counts["solution"] == sum(make_student.is_solution(c) for c in original.cells)


def test_known_answers_are_gone(student_dir):
    """The cases issue 17 found in the copies, and the text of every solution."""
    gone = {"04b_convolution": ["exercise_length", "as_conv", "== 32"],          # Ex 19 and the solution of Ex 20
            "03_class_splitting": ["wide_m", "rho_m", "wide10", "curves10"],    # the computations of Ex 12 and 14
            "01_templates": ["corr_17", "ch1-ones-sevens"],
            "02_hidden_layers": ["hold_unit_0", "blocks_needed", "ch2_joint_small_init"],
            "04_edges": ["wrong_height", "ch4_const_L1"],
            "06_memorization": ["narrow_acc"]}
    for path, original, student in copies(student_dir):
        text = "\n".join(c.source for c in student.cells)
        for needle in gone.get(path.stem, []):
            assert needle not in text, (path.name, needle)
        assert "{solution}" not in text and "Solution to" not in text
        for cell in original.cells:
            if make_student.is_solution(cell):    # the solution's longest line of prose is nowhere in the copy
                prose = [line for line in cell.source.splitlines() if not re.match(r"^\s*(`{3,}|:{2,}|\(claim)", line)]
                longest = max(prose, key=len).strip()
                assert len(longest) > 40 and longest not in text, (path.name, longest)


def test_no_raw_myst_in_the_prose(student_dir):
    for path, _, student in copies(student_dir):
        for cell in student.cells:
            if cell.cell_type == "markdown":
                m = RAW_MYST.search(cell.source)
                assert not m, f"{path.name}: {m.group(0)!r} in\n{cell.source[:400]}"


def test_numbers_headings_and_references(student_dir):
    """Exercise headings and figure captions carry the numbers the site gives them; every glued number the prose
    quotes is in it; the references are listed."""
    figure_numbers, exercise_numbers = make_student.book_numbers()
    assert len(exercise_numbers) >= 28
    for path, original, student in copies(student_dir):
        text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
        headings = re.findall(r"^### Exercise (\d+): \S", text, re.M)
        labels = make_student.exercise_labels(original.cells)
        assert [int(h) for h in headings] == [exercise_numbers[label] for label in labels], path.name
        prose = "\n".join(c.source for c in original.cells if c.cell_type == "markdown" and not make_student.is_solution(c))
        expected = [figure_numbers[label] for label in make_student._NAMED_FIGURE.findall(prose)]
        shown = [int(n) for n in re.findall(r"^\*\*Figure (\d+)\.\*\*", text, re.M)]
        assert shown == expected and shown, path.name
        glued = student.metadata["student_copy"]["glued"]
        assert glued, path.name
        for key, value in glued.items():
            assert value in text, (path.name, key, value)
        assert "## References" in text and re.search(r"^\* .+\((\d{4}|n\.d\.)\)", text, re.M), path.name


def test_the_student_site_leaves_out_solutions_sources_and_the_ledger():
    """`make student-site` relies on sphinx-exercise's hide_solutions and a table of contents without the evidence
    ledger (which lists the claims that solutions check); the default build's files are left alone."""
    import inspect

    import sphinx_exercise

    assert '"hide_solutions"' in inspect.getsource(sphinx_exercise)
    toc = make_student.student_toc()
    text = repr(toc)
    assert "book/appendix/evidence" not in text and "book/01_templates" in text
    assert text.count("'file'") == repr(__import__("yaml").safe_load((ROOT / "_toc.yml").read_text())).count("'file'") - 1
    assert inspect.signature(make_student.build_site).parameters["out"].default == ROOT / "_build" / "student-html"


@pytest.mark.parametrize("name", [p.name for p in CHAPTERS])
def test_student_notebook_runs_where_it_is_written(student_dir, name, tmp_path, monkeypatch):
    """Run from student/ in a fresh kernel, with downloads impossible: no error, the results files found in the
    checkout, and every number the copy's prose quotes that the run computes comes out the same."""
    from myst_nb.core.variables import format_plain_text
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

    ran = make_student._outputs_glue(nb)
    quoted = nb.metadata["student_copy"]["glued"]
    checked, differ = 0, {}
    for key, text in quoted.items():
        glue_name, _, fmt = key.partition(":")
        if glue_name in ran and "seconds" not in glue_name:
            checked += 1
            if format_plain_text(ran[glue_name], fmt) != text:
                differ[key] = (text, format_plain_text(ran[glue_name], fmt))
    assert not differ, f"the copy's prose quotes numbers its own run does not give: {differ}"
    assert checked >= 0.5 * len(quoted), (checked, len(quoted))
