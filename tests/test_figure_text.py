"""Issue 20: the text of every matplotlib figure is at least 9 CSS px high on a 390 px phone.

Runs each chapter (and the primer) with ``scripts/figure_text.py``, which sees every text a figure
draws (tick labels, legends, colour-bar labels), not only the style's font size that the browser test
can assume. About two minutes in all: each chapter runs once more, in a fresh kernel.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("figure_text", ROOT / "scripts" / "figure_text.py")
figure_text = importlib.util.module_from_spec(spec)
spec.loader.exec_module(figure_text)

NOTEBOOKS = sorted(ROOT.glob("book/0*.ipynb")) + [ROOT / "book" / "primer.ipynb"]


def test_the_measure_reads_a_retina_png():
    """A 10 pt text in a 5 in wide retina PNG (800 px at 160 dpi, shown at 342 of its 400 CSS px): 9.5 px."""
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (800, 100)).save(buf, format="PNG", dpi=(160, 160))
    px, natural = figure_text.text_px(buf.getvalue(), 10)
    assert natural == 800 and px == pytest.approx(342 / 800 * 10 * 160 / 72, rel=1e-3)   # PNG stores dots per metre


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_is_readable_on_a_phone(path, monkeypatch):
    monkeypatch.setenv("COURSE_LIB_THREADS", "1")
    monkeypatch.setenv("COURSE_LIB_PROGRESS", "0")
    records = figure_text.measure(path)
    draws = re.search(r"\bplt\.\w+\(|\bplot_\w+\(", "\n".join(
        "".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"))
    assert records or not draws, f"{path.name}: draws matplotlib figures, but none was measured"
    small = [f"cell {r['cell']} ({r['first_line'][:40]!r}): {r['points']:g} pt {r['text']!r} -> {r['text_px']:.1f} px"
             for r in records if r["text_px"] < figure_text.MIN_TEXT_PX]
    assert not small, f"{path.name}: {len(small)} of {len(records)} figures show text under 9 px at 390 px: {small}"
