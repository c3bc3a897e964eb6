"""Make hand-out copies of the chapters: every cell tagged ``solution`` removed, outputs cleared.

Usage: .venv/bin/python scripts/make_student.py [OUTDIR]   (default: student/; run by ``make student``)
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_TAG = "solution"


def is_solution(cell) -> bool:
    """A cell is a solution if it is tagged ``solution`` or holds a ``{solution}`` directive."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", []) or "{solution}" in cell.get("source", "")


def strip(nb):
    """Return a copy of ``nb`` without solution cells and without outputs."""
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if not is_solution(c)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def main(outdir: str = "student") -> list[Path]:
    out = ROOT / outdir
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "book").glob("[0-9][0-9]*.ipynb")):
        nb = strip(nbformat.read(path, as_version=4))
        target = out / path.name
        tmp = target.with_suffix(".tmp")
        nbformat.write(nb, tmp)
        tmp.replace(target)
        written.append(target)
    print(f"{len(written)} student notebooks without solutions in {out}/")
    return written


if __name__ == "__main__":
    main(*sys.argv[1:])
