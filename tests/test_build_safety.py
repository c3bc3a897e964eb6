"""``make book`` fails safe: a failing chapter stops the build with its cell and traceback and leaves the
site alone, a failed Sphinx build is rolled back, and a damaged execution cache is rebuilt."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from results_scripts import load_script


@pytest.fixture()
def build_book():
    return load_script("build_book")


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_a_failing_cell_is_shown_with_its_source_and_traceback(build_book, tmp_path):
    path = notebook(tmp_path / "broken.ipynb", "x = 1", "ratio = x / (x - 1)  # the line that fails")
    _, text, seconds, error = build_book._execute(str(path))
    assert text is None and error is not None
    report = build_book.failure_report("book/broken.ipynb", error, seconds)
    assert "FAILED: book/broken.ipynb" in report
    assert "ratio = x / (x - 1)" in report and "ZeroDivisionError" in report


def test_a_failed_chapter_stops_the_build_before_sphinx(build_book, monkeypatch, capsys):
    monkeypatch.setattr(build_book, "prefill_cache", lambda: ["book/broken.ipynb"])
    monkeypatch.setattr(build_book.subprocess, "call", lambda *a, **k: pytest.fail("Sphinx must not run"))
    assert build_book.main() == 1
    assert "FAILED" in capsys.readouterr().err


def test_the_site_changes_only_when_the_build_succeeds(build_book, monkeypatch, tmp_path):
    site = tmp_path / "_build" / "html"
    site.mkdir(parents=True)
    (site / "ch1.html").write_text("good page")
    monkeypatch.setattr(build_book, "SITE", site)

    def failing_build():
        (site / "ch1.html").write_text("half")          # a build that breaks halfway
        (site / "new.html").write_text("partial")
        return 2

    assert build_book.publish(failing_build) == 2
    assert (site / "ch1.html").read_text() == "good page" and not (site / "new.html").exists()
    assert build_book.publish(lambda: (site / "ch1.html").write_text("better page") and 0) == 0
    assert (site / "ch1.html").read_text() == "better page"
    assert not site.with_name("html.previous").exists()


def test_a_corrupt_cache_database_is_reported_and_rebuilt(build_book, tmp_path, capsys):
    cache_dir = tmp_path / ".jupyter_cache"
    build_book.open_cache(cache_dir)
    db = next(cache_dir.glob("*.db"))
    db.write_bytes(b"this is not a database" * 100)
    cache = build_book.open_cache(cache_dir)
    assert cache.list_cache_records() == []
    err = capsys.readouterr().err
    assert "damaged" in err and str(cache_dir) in err


def test_a_truncated_cached_notebook_is_dropped_and_executed_again(build_book, tmp_path, capsys):
    from jupyter_cache.base import CacheBundleIn

    path = notebook(tmp_path / "ok.ipynb", "y = 2")
    cache = build_book.open_cache(tmp_path / ".jupyter_cache")
    _, text, _, _ = build_book._execute(str(path))
    stage = cache.add_nb_to_project(str(path))
    cache.cache_notebook_bundle(CacheBundleIn(nbformat.reads(text, as_version=4), stage.uri), check_validity=False)
    assert build_book.stale_notebooks(cache, [path]) == []
    cached = next((tmp_path / ".jupyter_cache").rglob("*.ipynb"))
    cached.write_text(cached.read_text()[:40])                   # a truncated file in the cache
    assert build_book.stale_notebooks(cache, [path]) == [path]
    assert "damaged" in capsys.readouterr().err
    assert cache.list_cache_records() == []
