"""How much of each chapter's code a reader sees, which visible lines are too long, and where numbers
are glued one call at a time.

    python scripts/chapter_stats.py [book/01_templates.ipynb ...]
    python scripts/chapter_stats.py --export DIR    # every page's code cells as DIR/<page>.py

The export writes the code cells of each page of ``book/`` into one Python file per page, cells in
order, so that a duplicate finder run on DIR sees the chapters' code as it sees the library's.

A code line is a non-blank line of a code cell. It is visible when its cell has none of the tags
that hide the source on the site (``hide-input`` collapses it, ``remove-input`` and
``remove-cell`` drop it). The site's code column holds about 78 characters.
"""
from __future__ import annotations

import ast
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


def _glues_a_number(node: ast.AST) -> bool:
    """A ``glue(...)`` or ``cl.glue(...)`` call whose name does not say it holds a figure (``..._fig...``)."""
    func = getattr(node, "func", None)
    return (isinstance(node, ast.Call) and (getattr(func, "attr", None) == "glue" or getattr(func, "id", None) == "glue")
            and "fig" not in ast.unparse(node.args[0] if node.args else node))


def number_glues(path: Path) -> list[str]:
    """Code cells that glue numbers with more than one call: where ``cl.glue_all`` belongs.

    A ``glue`` call counts unless its name says it holds a figure (``..._fig...``); one inside a loop or a
    comprehension counts as many. Returns the first line of every such cell.
    """
    crowded = []
    for cell in json.loads(path.read_text())["cells"]:
        source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        calls, looped = 0, False
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, (ast.For, ast.While, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)):
                looped |= any(_glues_a_number(n) for n in ast.walk(node))
            calls += _glues_a_number(node)
        if calls > 1 or looped:
            crowded.append(source.strip().splitlines()[0])
    return crowded


def chapters() -> list[Path]:
    return sorted(ROOT.glob("book/0*.ipynb"))


def export(out: Path) -> list[Path]:
    """Write the code cells of every notebook in ``book/`` to ``out/<stem>.py``; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(ROOT.glob("book/*.ipynb")):
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        text = "\n\n".join(f"# cell {i + 1}\n" + "".join(c["source"]).rstrip() for i, c in enumerate(cells))
        target = out / f"{path.stem}.py"
        target.write_text(text + "\n")
        written.append(target)
    return written


def main(paths: list[str]) -> None:
    if paths[:1] == ["--export"]:
        if len(paths) != 2:
            sys.exit("usage: python scripts/chapter_stats.py --export DIR")
        print(f"{len(export(Path(paths[1])))} pages written to {paths[1]}")
        return
    for path in [Path(p) for p in paths] or chapters():
        visible, total, long_lines = code_lines(path)
        print(f"{path.name:28} visible {visible:4d} of {total:4d} code lines ({visible / max(total, 1):.0%}),"
              f" {len(long_lines)} visible lines over {MAX_LINE} characters,"
              f" {len(number_glues(path))} cells gluing numbers one call at a time")


if __name__ == "__main__":
    main(sys.argv[1:])
