"""Same code, same numbers: the values each chapter glued while nbval ran it in this session
equal the values of the site build. Runs only when the notebooks were part of the session."""
from __future__ import annotations

import pytest
from book_build import ROOT, build, notebooks
from nbglue import glued_values


def built_glue(doc: str) -> dict[str, str]:
    """The glued numbers of the build's execution of ``doc`` (from the execution cache)."""
    from jupyter_cache import get_cache

    cache = get_cache(str(ROOT / "_build" / ".jupyter_cache"))
    record = cache.match_cache_file(str(ROOT / f"{doc}.ipynb"))
    return glued_values(cache.get_cache_bundle(record.pk).nb)


@pytest.mark.after_notebooks
# The chapters only: the instructor's guide and the exercise page glue no numbers.
@pytest.mark.parametrize("doc", [d for d in notebooks() if d.split("/")[-1][:2].isdigit()])
def test_chapter_numbers_equal_the_build(doc, request):
    ran = request.config.course_glued.get(doc.split("/")[-1])
    if ran is None:
        pytest.skip(f"{doc} was not run by nbval in this session (run: make test)")
    code, _ = build()
    assert code == 0
    built = built_glue(doc)
    assert ran, f"{doc} glued nothing"
    differing = {k: (v, built.get(k)) for k, v in ran.items() if "seconds" not in k and built.get(k) != v}
    assert not differing, f"numbers differ between two runs of {doc}: {differing}"
