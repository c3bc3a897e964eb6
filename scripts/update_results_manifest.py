"""Record the SHA-256 of every file in book/results/ in course_lib/course/results_manifest.json.

Usage: .venv/bin/python scripts/update_results_manifest.py   (run by ``make results-manifest``, the last step
of ``make results``)

The manifest ships inside the package, so that ``course_lib.results`` can download a file where there is no
checkout (Colab) and check it. It records, per file, its SHA-256, its size and the make target that
regenerates it, and one pinned revision: the last commit that changed book/results/, whose copy of each file
the download fetches. Commit book/results/ first, then run this, so that the revision holds these bytes.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from course_lib.core.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "book" / "results"
MANIFEST = ROOT / "course_lib" / "course" / "results_manifest.json"
#: file name prefix -> the make target that writes such files
TARGETS = {"ch2_": "make ch2-results", "ch4_": "make ch4-results", "ch5_": "make ch5-results",
           "ch6_": "make ch6-results", "evidence": "make evidence"}


def make_target(name: str) -> str:
    """The make target that regenerates the results file ``name`` (relative to book/results/)."""
    for prefix, target in TARGETS.items():
        if name.startswith(prefix):
            return target
    raise ValueError(f"book/results/{name}: no make target is known for it; add its prefix to TARGETS "
                     f"in {Path(__file__).name} (known prefixes: {', '.join(TARGETS)}).")


def file_entries(results: Path = RESULTS) -> dict[str, dict]:
    """``{name: {"sha256", "bytes", "make"}}`` for every file under ``results``, names with forward slashes."""
    out = {}
    for file in sorted(p for p in results.rglob("*") if p.is_file()):
        name = file.relative_to(results).as_posix()
        if name.endswith(".tmp") or "/." in "/" + name:     # half-written files, hidden files
            continue
        data = file.read_bytes()
        out[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "make": make_target(name)}
    return out


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def main() -> dict:
    try:
        revision = git("log", "-1", "--format=%H", "--", "book/results").strip()
        changes = git("status", "--porcelain", "--untracked-files=all", "--", "book/results").strip()
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"update_results_manifest: needs a git checkout of the repository with git installed ({e}).")
    if not revision:
        sys.exit("update_results_manifest: no commit touches book/results/ yet: commit the files first.")
    manifest = {
        "about": "SHA-256 of every file in book/results/, the make target that regenerates it, and the commit "
                 "whose copy course_lib.results downloads where there is no checkout. Written by "
                 "scripts/update_results_manifest.py (make results-manifest); do not edit by hand.",
        "revision": revision,
        "files": file_entries(),
    }
    write_atomic(MANIFEST, lambda fh: fh.write((json.dumps(manifest, indent=1) + "\n").encode()))
    print(f"{MANIFEST.relative_to(ROOT)}: {len(manifest['files'])} files, revision {revision[:12]}")
    if changes:
        print("warning: book/results/ has uncommitted changes, which the pinned revision does not hold:\n"
              f"{changes}\ncommit them, then run `make results-manifest` again.", file=sys.stderr)
    return manifest


if __name__ == "__main__":
    main()
