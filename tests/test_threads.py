"""One number per seed, whatever the thread count: chapter 1 run with two threads shows the reader the
same numbers as the build's one-thread run. (The raw values may differ in the 7th or 8th digit, since
a different number of threads adds the same terms in another order; the book shows at most four.)"""
from __future__ import annotations

import ast
import os
import re

import nbformat
import pytest
from book_build import ROOT, build
from nbglue import glued_values
from test_determinism import built_glue

DOC = "book/01_templates"
ROLE = re.compile(r"\{glue:text\}`([\w-]+)(?::([^`]*))?`")


def shown(values: dict[str, str], formats: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """Each glued number as the prose prints it: (name, format) -> text."""
    out = {}
    for name, specs in formats.items():
        if name not in values or "seconds" in name:
            continue
        try:
            value = ast.literal_eval(values[name].removeprefix("np.float64(").removesuffix(")"))
        except (ValueError, SyntaxError):
            continue                                             # not a number
        for spec in specs:
            out[(name, spec)] = format(value, spec) if spec else str(value)
    return out


@pytest.mark.slow
@pytest.mark.after_notebooks
def test_two_threads_print_the_same_numbers_as_one():
    from nbclient import NotebookClient

    code, _ = build()                                            # the one-thread numbers come from the build
    assert code == 0

    nb = nbformat.read(ROOT / f"{DOC}.ipynb", as_version=4)
    formats: dict[str, set[str]] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for name, spec in ROLE.findall(cell.source):
                formats.setdefault(name, set()).add(spec)
    env = {**os.environ, "COURSE_LIB_THREADS": "2", "COURSE_LIB_PROGRESS": "0"}
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "book")}}).execute(env=env)
    two = glued_values(nb)
    one = built_glue(DOC)                                        # the build: one thread per kernel
    a, b = shown(one, formats), shown(two, formats)
    assert len(a) > 40 and a.keys() == b.keys()
    differing = {k: (a[k], b[k]) for k in a if a[k] != b[k]}
    raw = sum(one[n] != two[n] for n in formats if n in one and "seconds" not in n)
    print(f"{len(a)} printed numbers, {raw} raw values differ between 1 and 2 threads")
    assert not differing, f"printed numbers that change with the thread count: {differing}"
