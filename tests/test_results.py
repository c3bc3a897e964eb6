"""course_lib.results: results files found from any folder of a checkout, or downloaded and verified.

Downloads come from a local HTTP server on 127.0.0.1 (or fail against a closed port); the cache is a
temporary folder; nothing touches the network or the real home folder.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import tomllib
from pathlib import Path

import numpy as np
import pytest
from results_scripts import load_script

import course_lib as cl
from course_lib.course import results

ROOT = Path(__file__).resolve().parents[1]
BOOK_RESULTS = ROOT / "book" / "results"
NAME = "ch2_hidden_sizes.json"
NESTED = "ch4_jump_models/1-layer-nn/weights.npz"


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: every download is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/results/"


def cached_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder, and downloads refused unless a test serves them."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_LIB_CACHE", str(folder))
    monkeypatch.setenv("COURSE_LIB_RESULTS_URL", closed_port_url())
    return folder


@pytest.fixture
def no_checkout(tmp_path, monkeypatch) -> Path:
    """A working folder outside the repository, and the package's own repository hidden: a lone notebook."""
    lone = tmp_path / "lone"
    lone.mkdir()
    monkeypatch.chdir(lone)
    monkeypatch.setattr(results, "_package_root", lambda: tmp_path / "site-packages")
    return lone


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A local HTTP server of the folder ``served/``; COURSE_LIB_RESULTS_URL points at it. Yields the folder."""
    served = tmp_path / "served"
    served.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("COURSE_LIB_RESULTS_URL", f"http://127.0.0.1:{httpd.server_address[1]}/")
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()


def serve(served: Path, name: str, data: bytes | None = None) -> None:
    target = served / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((BOOK_RESULTS / name).read_bytes() if data is None else data)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- found in a checkout ------------------------------------------------------------------------------------

@pytest.mark.parametrize("folder", ["book", ".", "course_lib"])
def test_found_from_folders_of_the_repository(folder, cache, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT / folder)
    monkeypatch.setattr(results, "_package_root", lambda: tmp_path / "site-packages")   # the walk alone
    assert results.path(NAME) == BOOK_RESULTS / NAME
    assert results.path(NESTED) == BOOK_RESULTS / NESTED
    assert cached_files(cache) == []


@pytest.mark.parametrize("cwd", ["student", "student/week1", "."])
def test_found_from_the_student_folder_of_another_clone(cwd, cache, monkeypatch, tmp_path):
    clone = tmp_path / "clone"
    (clone / "book" / "results").mkdir(parents=True)
    shutil.copy(BOOK_RESULTS / NAME, clone / "book" / "results" / NAME)
    (clone / cwd).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(clone / cwd)
    monkeypatch.setattr(results, "_package_root", lambda: tmp_path / "site-packages")
    assert results.path(NAME) == clone / "book" / "results" / NAME


def test_found_beside_the_installed_package_from_an_unrelated_folder(cache, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    package_root = Path(cl.__file__).resolve().parents[1]       # the clone of an editable install
    assert results.path(NESTED) == package_root / "book" / "results" / NESTED
    assert cached_files(cache) == []


def test_load_reads_json_and_npz_fully_and_closes_the_file(cache, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cl.load_results(NAME) == json.loads((BOOK_RESULTS / NAME).read_text())
    arrays = cl.load_results(NESTED)
    with np.load(BOOK_RESULTS / NESTED) as npz:
        assert list(arrays) == npz.files
        for key in npz.files:
            np.testing.assert_array_equal(arrays[key], npz[key])
    if Path("/proc/self/fd").is_dir():
        open_files = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
        assert str(BOOK_RESULTS / NESTED) not in open_files


def test_unknown_names_and_other_suffixes_are_refused_clearly():
    with pytest.raises(ValueError, match=r"name='ch2_hidden_size\.json'.*did you mean 'ch2_hidden_sizes\.json'.*"
                                         r"course_lib\.course\.results\.names\(\)"):
        results.path("ch2_hidden_size.json")
    with pytest.raises(ValueError, match=r"name='ch2_hidden_sizes\.txt'.*\.json and \.npz.*results\.path"):
        cl.load_results("ch2_hidden_sizes.txt")
    assert NAME in results.names() and NESTED in results.names()


# ---- downloaded where there is no checkout -----------------------------------------------------------------

@pytest.mark.parametrize("name", [NAME, NESTED])
def test_downloaded_into_the_cache_and_verified(name, cache, no_checkout, server):
    serve(server, name)
    got = results.path(name)
    assert got == cache / "results" / results.manifest()["revision"] / name
    assert sha256(got) == results.manifest()["files"][name]["sha256"] == sha256(BOOK_RESULTS / name)
    assert cached_files(cache) == [got]                                   # no *.tmp left beside it
    loaded = cl.load_results(name)
    if name.endswith(".json"):
        assert loaded == json.loads((BOOK_RESULTS / name).read_text())
    else:
        with np.load(BOOK_RESULTS / name) as npz:
            assert list(loaded) == npz.files and all(np.array_equal(loaded[k], npz[k]) for k in npz.files)


def test_a_cached_file_is_reused_without_a_server(cache, no_checkout, server, monkeypatch):
    serve(server, NAME)
    first = results.path(NAME)
    (server / NAME).unlink()                                              # the server no longer has it
    monkeypatch.setenv("COURSE_LIB_RESULTS_URL", closed_port_url())       # and no server at all
    assert results.path(NAME) == first
    assert cl.load_results(NAME) == json.loads((BOOK_RESULTS / NAME).read_text())


def test_a_cached_file_that_no_longer_verifies_is_fetched_again(cache, no_checkout, server, monkeypatch):
    serve(server, NAME)
    cached = results.path(NAME)
    cached.write_bytes(b"{}")                                             # damaged in the cache
    assert results.path(NAME) == cached and sha256(cached) == sha256(BOOK_RESULTS / NAME)
    cached.write_bytes(b"{}")
    monkeypatch.setenv("COURSE_LIB_RESULTS_URL", closed_port_url())
    with pytest.raises(results.ResultsFileError):                         # never used unverified
        results.path(NAME)


def test_a_wrong_hash_is_refused_and_nothing_is_kept(cache, no_checkout, server):
    bad = b'{"rows": []}\n'
    serve(server, NAME, bad)
    with pytest.raises(results.ResultsFileError) as info:
        results.path(NAME)
    message = str(info.value)
    expected = results.manifest()["files"][NAME]["sha256"]
    assert NAME in message and os.environ["COURSE_LIB_RESULTS_URL"] + NAME in message
    assert hashlib.sha256(bad).hexdigest() in message and expected in message and "make ch2-results" in message
    assert cached_files(cache) == []


def test_no_server_gives_one_clear_error_naming_the_url_and_the_make_target(cache, no_checkout):
    url = os.environ["COURSE_LIB_RESULTS_URL"] + "ch4_jump_models/1-layer-nn/weights.npz"
    with pytest.raises(results.ResultsFileError) as info:
        cl.load_results(NESTED)
    assert isinstance(info.value, FileNotFoundError)
    assert NESTED in str(info.value) and url in str(info.value) and "make ch4-results" in str(info.value)
    assert cached_files(cache) == []


def test_an_http_error_gives_the_same_error(cache, no_checkout, server):
    with pytest.raises(results.ResultsFileError, match=r"404.*make ch2-results"):   # the server lacks the file
        results.path(NAME)
    assert cached_files(cache) == []


def test_the_default_url_is_the_repository_at_the_pinned_revision():
    repository = next(line.split("url:", 1)[1].strip() for line in (ROOT / "_config.yml").read_text().splitlines()
                      if line.strip().startswith("url: https://github.com/"))
    owner_name = repository.removeprefix("https://github.com/")
    assert results.BASE_URL == f"https://raw.githubusercontent.com/{owner_name}/{{revision}}/book/results/"


# ---- the manifest ------------------------------------------------------------------------------------------

def test_the_manifest_matches_the_files_in_book_results():
    on_disk = load_script("update_results_manifest").file_entries(BOOK_RESULTS)
    recorded = results.manifest()["files"]
    stale = sorted(n for n in set(on_disk) | set(recorded) if on_disk.get(n) != recorded.get(n))
    assert not stale, (f"course_lib/course/results_manifest.json is stale for {stale}: run `make results-manifest` "
                       "(after committing book/results/) and commit the manifest.")


def test_every_make_target_of_the_manifest_is_in_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    for name, entry in results.manifest()["files"].items():
        target = entry["make"].removeprefix("make ")
        assert f"\n{target}:" in makefile, f"{name}: `{entry['make']}` is not a target of the Makefile"
    assert "\nresults-manifest:" in makefile


def test_the_manifest_ships_inside_the_package():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert results.MANIFEST.name in data["course_lib.course"] and results.MANIFEST.parent.name == "course"


def test_the_pinned_revision_holds_exactly_these_bytes():
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True)

    try:
        inside = git("rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        pytest.skip("git is not installed")
    if inside.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout: the pinned revision cannot be checked")
    revision = results.manifest()["revision"]
    if git("cat-file", "-e", f"{revision}^{{commit}}").returncode != 0:
        if git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
            pytest.skip(f"the pinned revision {revision} is not in this shallow clone")
        pytest.fail(f"the pinned revision {revision} of course_lib/course/results_manifest.json is not in this "
                    "repository (rewritten history?): run `make results-manifest` and commit the manifest.")
    for name, entry in results.manifest()["files"].items():
        shown = git("show", f"{revision}:book/results/{name}")
        assert shown.returncode == 0, f"{name} is not in revision {revision}: {shown.stderr.decode()}"
        assert hashlib.sha256(shown.stdout).hexdigest() == entry["sha256"], (
            f"{name} differs at revision {revision}: commit book/results/, then run `make results-manifest`.")
