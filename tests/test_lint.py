"""Hygiene that enforces itself: notebooks are committed without outputs, and the library, the scripts,
the tests and the notebooks pass ruff's checks for real mistakes (syntax errors, undefined names,
unused imports and variables, repeated dictionary keys: rules E9 and F)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_notebooks_are_committed_without_outputs():
    dirty = []
    for path in sorted((ROOT / "book").rglob("*.ipynb")):
        if "_build" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
                dirty.append(f"{path.relative_to(ROOT)} cell {i}")
    assert not dirty, ("notebooks with outputs (clear them: jupyter nbconvert --clear-output --inplace FILE): "
                       f"{dirty[:10]}")


def test_ruff_finds_no_mistakes():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff is not None, "ruff is missing from the environment; it is in requirements.txt: run make env"
    proc = subprocess.run([ruff, "check", "--select", "E9,F", "--output-format", "concise", "--no-cache",
                           "course_lib", "scripts", "tests", "book", "conftest.py"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
