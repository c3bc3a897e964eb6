"""How big the text of every matplotlib figure of a chapter is on a 390 px phone.

    python scripts/figure_text.py book/01_templates.ipynb [--previews DIR]

Runs the notebook in a fresh kernel, with a hook on matplotlib's ``print_figure`` (every PNG a page
shows goes through it) that records, for each figure, the smallest visible text in points and the PNG
it wrote. At 390 px the book's column is 342 CSS px; a retina PNG (``natural`` pixels wide, ``dpi``
in its header) is shown at ``min(342, natural / 2)`` CSS px, so its smallest text is

    text_px = shown / natural * points * dpi / 72

CSS pixels high. A figure inside an admonition (a dropdown) gets a narrower column, 320 px: the browser
test measures that case on the built page. The browser test (tests/test_browser.py) measures the same on the built site, but can
only assume the style's font size; this sees every text a figure draws (tick labels, legends,
colour-bar labels, annotations). With ``--previews`` it also writes each PNG as a phone shows it.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from PIL import Image

#: Width of the book's column at a 390 px viewport, in CSS pixels; the smallest text allowed there.
COLUMN_PX, MIN_TEXT_PX = 342, 9

_HOOK = r'''
import json as _json
import matplotlib as _mpl
from matplotlib.backend_bases import FigureCanvasBase as _Canvas
from IPython import get_ipython as _ip

_print_figure = _Canvas.print_figure


def _measured_print_figure(self, filename, *args, **kwargs):
    out = _print_figure(self, filename, *args, **kwargs)
    texts = [t for t in self.figure.findobj(_mpl.text.Text)
             if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible())]
    png = filename.getvalue() if hasattr(filename, "getvalue") else b""
    if texts and png[:4] == b"\x89PNG":
        smallest = min(texts, key=lambda t: t.get_fontsize())
        with open(LOG, "a") as log:
            log.write(_json.dumps({"cell": _ip().execution_count, "points": smallest.get_fontsize(),
                                   "text": smallest.get_text()[:40], "png": png.hex()}) + "\n")
    return out


_Canvas.print_figure = _measured_print_figure
'''


def text_px(png: bytes, points: float) -> tuple[float, int]:
    """(CSS pixels of text of ``points`` in this PNG at 390 px, the PNG's natural width)."""
    with Image.open(io.BytesIO(png)) as im:
        natural, dpi = im.width, im.info.get("dpi", (72, 72))[0]
    shown = min(COLUMN_PX, natural / 2)           # retina PNGs: shown at half their pixel width
    return shown / natural * points * dpi / 72, natural


def measure(path: str | os.PathLike, previews: str | os.PathLike | None = None) -> list[dict]:
    """Run the notebook and return one record per matplotlib figure it shows.

    Each record: ``cell`` (index in the notebook), ``first_line`` (of that cell), ``points`` and ``text``
    (the smallest text), ``text_px`` (its height at 390 px), ``natural`` (the PNG's width in pixels).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "figures.jsonl"
        nb.cells.insert(0, nbformat.v4.new_code_cell(f"LOG = {str(log)!r}\n" + _HOOK))
        NotebookClient(nb, timeout=900, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        lines = log.read_text().splitlines() if log.exists() else []
    cells = {c.execution_count: (i - 1, c.source.strip().splitlines()[0] if c.source.strip() else "")
             for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")}
    records = []
    for k, line in enumerate(lines):
        rec = json.loads(line)
        png = bytes.fromhex(rec.pop("png"))
        rec["text_px"], rec["natural"] = text_px(png, rec["points"])
        rec["cell"], rec["first_line"] = cells.get(rec["cell"], (None, ""))
        records.append(rec)
        if previews is not None:
            out = Path(previews) / path.stem
            out.mkdir(parents=True, exist_ok=True)
            with Image.open(io.BytesIO(png)) as im:
                scale = min(1.0, 2 * COLUMN_PX / im.width)     # a phone's column at 2 device pixels per CSS px
                im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS).save(
                    out / f"{k:02d}_cell{rec['cell']}.png")
    return records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--previews", help="folder for the figures as a phone shows them")
    args = parser.parse_args()
    small = 0
    for nb in args.notebooks:
        records = measure(nb, args.previews)
        for rec in records:
            flag = "   <-- under 9 px" if rec["text_px"] < MIN_TEXT_PX else ""
            small += rec["text_px"] < MIN_TEXT_PX
            print(f"{Path(nb).stem:20} cell {rec['cell']!s:>4}: {rec['text_px']:4.1f} px ({rec['points']:g} pt "
                  f"{rec['text']!r} in a {rec['natural']} px PNG){flag}")
    print(f"{small} figure(s) with text under {MIN_TEXT_PX} px at 390 px")
    return 1 if small else 0


if __name__ == "__main__":
    sys.exit(main())
