"""How much of each chapter's code a reader sees, and which visible lines are too long.

    python scripts/chapter_stats.py [book/01_templates.ipynb ...]

A code line is a non-blank line of a code cell. It is visible when its cell has none of the tags
that hide the source on the site (``hide-input`` collapses it, ``remove-input`` and
``remove-cell`` drop it). The site's code column holds about 78 characters.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = {"hide-input", "remove-input", "remove-cell", "hide-cell"}
MAX_LINE = 80
MIN_VISIBLE = 0.40


def code_lines(path: Path) -> tuple[int, int, list[str]]:
    """(visible code lines, all code lines, visible lines longer than MAX_LINE) of one notebook."""
    visible = total = 0
    long_lines = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = [line for line in "".join(cell["source"]).splitlines() if line.strip()]
        total += len(lines)
        if HIDDEN & set(cell.get("metadata", {}).get("tags", [])):
            continue
        visible += len(lines)
        long_lines += [line for line in lines if len(line) > MAX_LINE]
    return visible, total, long_lines


def chapters() -> list[Path]:
    return sorted(ROOT.glob("book/0*.ipynb"))


def main(paths: list[str]) -> None:
    for path in [Path(p) for p in paths] or chapters():
        visible, total, long_lines = code_lines(path)
        print(f"{path.name:28} visible {visible:4d} of {total:4d} code lines ({visible / max(total, 1):.0%}),"
              f" {len(long_lines)} visible lines over {MAX_LINE} characters")


if __name__ == "__main__":
    main(sys.argv[1:])
