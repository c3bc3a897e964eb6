"""The committed results files of ``book/results/``: found in a checkout, or fetched and verified.

Chapters 2, 4, 4b, 5 and 6 (from :doc:`/book/02_hidden_layers` on) print full-length results that the scripts of ``make results`` wrote to
``book/results/``. :func:`load` (``cl.load_results``) finds such a file from any working folder of a
checkout (``book/``, ``student/``, the repository root, a subfolder) or beside an editable install of
``course_lib``. Where there is no checkout (Colab, a lone notebook) it downloads the file from the
repository at the revision pinned in ``results_manifest.json``, into a per-user cache, and keeps it
only if its SHA-256 is the one recorded there. ``make results-manifest`` rewrites that manifest.

Environment: ``COURSE_LIB_CACHE`` replaces the cache folder (default ``~/.cache/course_lib``);
``COURSE_LIB_RESULTS_URL`` replaces the base URL under which a file's name is appended.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from course_lib.core.data import cache_dir
from course_lib.core.files import atomic_file
from course_lib.core.validate import check_choice, check_type, fail

MANIFEST = Path(__file__).with_name("results_manifest.json")


BASE_URL = "https://raw.githubusercontent.com/how-nns-learn/how-neural-networks-learn/{revision}/book/results/"


TIMEOUT_S = 30  # connect and read timeout of a download


class ResultsFileError(FileNotFoundError):
    """A results file that is not in a checkout and could not be downloaded and verified."""


def manifest() -> dict[str, Any]:
    """The shipped manifest: ``{"revision": commit, "files": {name: {"sha256", "bytes", "make"}}}``.

    Introduced in chapter 2.
    """
    return json.loads(MANIFEST.read_text())


def names() -> list[str]:
    """The names of all results files, relative to ``book/results/`` (e.g. ``"ch2_hidden_sizes.json"``).

    Introduced in chapter 2.
    """
    return sorted(manifest()["files"])


def _package_root() -> Path:
    """The folder above the installed package: the repository root for an editable install."""
    return Path(__file__).resolve().parents[2]


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(name: str) -> dict[str, Any]:
    files = manifest()["files"]
    if name not in files:
        close = difflib.get_close_matches(str(name), files, n=3)
        raise ValueError(
            f"name={name!r} is not a results file of the book"
            + (f" (did you mean {', '.join(map(repr, close))}?)" if close else "")
            + f"; the known names are listed by course_lib.course.results.names() (from {MANIFEST.name}). "
            "A file just added to book/results/ is registered with `make results-manifest`.")
    return files[name]


def _local(name: str) -> Path | None:
    """``book/results/NAME`` above the working folder, or beside the installed package, if it exists."""
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents, _package_root()):
        candidate = folder / "book" / "results" / name
        if candidate.is_file():
            return candidate
    return None


def _download(name: str, entry: dict[str, Any], target: Path, revision: str) -> None:
    """Fetch NAME into ``target`` atomically; raise :class:`ResultsFileError` unless its SHA-256 matches."""
    base = os.environ.get("COURSE_LIB_RESULTS_URL") or BASE_URL
    url = base.replace("{revision}", revision).rstrip("/") + "/" + urllib.parse.quote(name)
    where = (f"it is not in a checkout of the repository (no book/results/{name} in {Path.cwd()}, "
             f"the folders above it, or {_package_root()}, the folder above course_lib)")
    fix = (f"Run the notebook from a clone of the repository (any folder inside it), or regenerate the file "
           f"there with `{entry['make']}`.")
    try:
        with atomic_file(target) as out, urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            digest = hashlib.sha256()
            for chunk in iter(lambda: response.read(1 << 16), b""):
                out.write(chunk)
                digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:   # raised inside the block: nothing is kept
                raise ResultsFileError(
                    f"results file {name!r}: {where}, and the copy downloaded from {url} has SHA-256 "
                    f"{digest.hexdigest()}, not the {entry['sha256']} recorded in course_lib/course/{MANIFEST.name}. "
                    f"Nothing was kept. {fix}")
    except ResultsFileError:
        raise
    except (OSError, ValueError) as e:  # URLError and HTTPError are OSErrors; timeouts too
        raise ResultsFileError(f"results file {name!r}: {where}, and downloading it from {url} failed "
                               f"({e}). Check the internet connection and run it again. {fix}") from e


def path(name: str) -> Path:
    """The local path of a results file: in the checkout, else in the cache (downloaded and verified).

    Introduced in chapter 2.

    Args:
        name: the file's path relative to ``book/results/``, e.g. ``"ch2_hidden_sizes.json"`` or
            ``"ch4_jump_models/1-layer-nn/weights.npz"`` (all names: :func:`names`).

    Returns:
        The path of a readable copy of the file.

    Raises:
        ValueError: ``name`` is not in the manifest.
        ResultsFileError: not in a checkout, and the download failed or its SHA-256 did not match.
    """
    check_type("results.path", "name", name, str, "a file name", "pass e.g. 'ch2_hidden_sizes.json'")
    check_choice("results.path", "name", name, names(), "the known names are listed by course_lib.course.results.names()")
    entry = _entry(name)
    found = _local(name)
    if found is not None:
        return found
    revision = manifest()["revision"]
    cached = cache_dir() / "results" / revision / name
    if cached.is_file() and _sha256(cached) == entry["sha256"]:
        return cached
    _download(name, entry, cached, revision)  # also replaces a cached copy that no longer verifies
    return cached


def load(name: str) -> dict[str, Any]:
    """Read a results file: a ``.json`` file parsed, a ``.npz`` file as a dict of arrays (file closed).

    Introduced in chapter 2 (as ``cl.load_results``); chapters 4, 4b, 5 and 6 use it too.

    Args:
        name: the file's path relative to ``book/results/`` (see :func:`path`).

    Returns:
        For ``.json``, the parsed dict; for ``.npz``, ``{array name: np.ndarray}`` in the file's order,
        each with the shape it was saved with.
    """
    check_type("load_results", "name", name, str, "a file name", "pass e.g. 'ch2_hidden_sizes.json'")
    suffix = Path(name).suffix
    if suffix not in (".json", ".npz"):
        fail("load_results", "name", name, "is not a .json or .npz file: load reads .json and .npz results files",
             "use course_lib.course.results.path(name) for other files")
    check_choice("load_results", "name", name, names(), "the known names are listed by course_lib.course.results.names()")
    file = path(name)
    if suffix == ".json":
        return json.loads(file.read_text())
    with np.load(file) as npz:
        return {key: npz[key] for key in npz.files}
