"""Build the site once per test session (reusing the execution cache) and share the result."""
from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


@lru_cache(maxsize=1)
def build() -> tuple[int, str]:
    """Run ``scripts/build_book.py`` (strict: -n -W --keep-going). Returns (exit code, output)."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py")], cwd=ROOT,
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def toc_files() -> list[str]:
    """Every document listed in ``_toc.yml`` (without extension), root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def notebooks() -> list[str]:
    """The documents of the toc that are notebooks."""
    return [f for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]


def exec_times() -> dict:
    return json.loads((ROOT / "_build" / "exec_times.json").read_text())
