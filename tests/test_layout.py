"""The package's layout, as issue 18 asked: one job a module, a small core, no import side effects."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_lib"
MODULES = sorted(p for p in PACKAGE.glob("*/*.py") if p.name != "__init__.py")
MAX_LINES = 280          # "about 250": a module past this gets split


def test_the_package_has_four_folders_and_no_loose_modules():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == {"core", "chapters", "pages", "course"}
    assert [p.name for p in PACKAGE.glob("*.py")] == ["__init__.py"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}.{p.stem}")
def test_a_module_is_small_and_says_which_chapter_teaches_it(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_LINES, f"{path.relative_to(ROOT)} has {len(text.splitlines())} lines"
    doc = ast.get_docstring(ast.parse(text))
    assert doc and ":doc:`/book/" in doc, f"{path.relative_to(ROOT)}: the docstring names no chapter (:doc:`/book/...`)"


def test_the_api_page_documents_every_module():
    page = (ROOT / "book" / "appendix" / "api.md").read_text()
    for path in MODULES:
        dotted = f"course_lib.{path.parent.name}.{path.stem}"
        assert f".. automodule:: {dotted}\n" in page, f"book/appendix/api.md does not document {dotted}"


def test_importing_course_lib_changes_nothing():
    probe = ("import os, json, matplotlib, plotly.io as pio\n"
             "before = (dict(os.environ), pio.renderers.default, dict(matplotlib.rcParams))\n"
             "import course_lib as cl\n"
             "after = (dict(os.environ), pio.renderers.default, dict(matplotlib.rcParams))\n"
             "print(json.dumps([before[0] == after[0], before[1] == after[1], before[2] == after[2]]))\n"
             "cl.setup()\n"
             "print(json.dumps([pio.renderers.default == 'course', matplotlib.rcParams['image.interpolation']]))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "MPLBACKEND": "Agg"}).stdout.splitlines()
    assert out[0] == "[true, true, true]", "import course_lib changed the environment, plotly's renderer or matplotlib"
    assert out[1] == '[true, "nearest"]', "cl.setup() did not set up the renderer and the figure style"


def test_no_import_hides_inside_a_function_unless_optional():
    """Imports sit at the top of a module; only optional packages are imported inside a try."""
    for path in MODULES:
        tree = ast.parse(path.read_text())
        in_try = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try) for n in ast.walk(t)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)) and id(inner) not in in_try:
                        pytest.fail(f"{path.relative_to(ROOT)}:{inner.lineno}: an import inside {node.name}()")


def test_every_page_that_runs_code_opens_with_the_same_set_up_cell():
    """One set-up cell, written once: a fix to it (the Colab install, the seeds) reaches every page."""
    cells = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        first = "".join(code[0]["source"]) if code else ""
        if "import course_lib as cl" in first:
            cells.setdefault(first, []).append(path.stem)
    assert len(cells) == 1, {tuple(names): text[-120:] for text, names in cells.items()}
    assert len(next(iter(cells.values()))) >= 15     # the introduction, the primer, 7 chapters and 7 companions
