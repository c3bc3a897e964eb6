"""Same code, same numbers: the values each chapter glued while nbval ran it in this session
equal the values of the site build. Runs only when the notebooks were part of the session."""
from __future__ import annotations

import json

import pytest

from book_build import ROOT, build, notebooks

import conftest as repo_conftest  # the repository-level conftest.py


def built_glue(doc: str) -> dict[str, str]:
    path = ROOT / "_build" / "jupyter_execute" / f"{doc}.ipynb"
    nb = json.loads(path.read_text())
    values = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            scrap = (out.get("metadata") or {}).get("scrapbook")
            if scrap and "text/plain" in out.get("data", {}):
                text = out["data"]["text/plain"]
                values[scrap["name"]] = "".join(text) if isinstance(text, list) else text
    return values


@pytest.mark.after_notebooks
@pytest.mark.parametrize("doc", notebooks())
def test_chapter_numbers_equal_the_build(doc):
    ran = repo_conftest.GLUED.get(doc.split("/")[-1])
    if ran is None:
        pytest.skip(f"{doc} was not run by nbval in this session (run: make test)")
    code, _ = build()
    assert code == 0
    built = built_glue(doc)
    assert ran, f"{doc} glued nothing"
    differing = {k: (v, built.get(k)) for k, v in ran.items()
                 if not k.endswith(("_fig", "_seconds")) and "_fig_" not in k and "seconds" not in k and built.get(k) != v}
    assert not differing, f"numbers differ between two runs of {doc}: {differing}"
