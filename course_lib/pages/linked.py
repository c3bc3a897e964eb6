"""A plotly figure linked to a panel of digit images: point at a mark, see its digits.

Introduced in :doc:`/book/01_templates` (the confusion matrix: hover a cell to see the digits
it holds) and used again in :doc:`/book/05_bottleneck_further` (the digit map of a two-unit bottleneck). The result is one piece of
self-contained HTML, so it works on the published site, in Jupyter and in Colab, offline and
from ``file://``:

* the figure is drawn by :func:`course_lib.core.publish.figure_html` (the site's own plotly.js);
* every image is stored in the page as a compact pixel array (16 grey levels, two pixels per
  byte, base64) and drawn onto a small canvas when its point is shown: no files, no network;
* hovering a point, or tapping it on a phone, fills the panel beside the figure (below it on a
  narrow screen); the figure can also be focused with the Tab key, and the arrow keys then step
  through the points (Home and End jump to the first and last), so a keyboard reaches every one.

A point is named by a key: ``(trace, point)`` for a scatter trace (the index of the point in the
trace's data) or ``(trace, row, column)`` for a heatmap cell.
"""
from __future__ import annotations

import base64
import html
import json
import uuid
from typing import Any, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from course_lib.core.publish import figure_html, page_script
from course_lib.core.validate import check_array, check_image_shape, check_int, check_labels, check_mapping, fail

__all__ = ["LinkedFigure", "linked_figure", "confusion_members", "encode_image"]


class LinkedFigure:
    """The HTML of a linked figure, displayable by IPython and gluable with ``cl.glue``.

    Attributes:
        html: the HTML (figure, panel and their script).
        keys: the point keys that have a panel entry, in keyboard order.
    """

    def __init__(self, html_text: str, keys: list[tuple[int, ...]]):
        self.html = html_text
        self.keys = keys

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self.html, "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"<linked figure: {len(self.keys)} points with digit images>"


def encode_image(image: np.ndarray) -> str:
    """One grey image with values in [0, 1] as base64 text: 16 levels, two pixels per byte.

    Args:
        image: values in [0, 1], any shape (flattened row by row; h*w pixels).

    Returns:
        base64 text of ceil(h*w / 2) bytes; the first pixel of a pair is the high nibble.
    """
    levels = np.rint(np.clip(np.asarray(image, dtype=float).ravel(), 0, 1) * 15).astype(np.uint8)
    levels = np.append(levels, np.uint8(0)) if len(levels) % 2 else levels
    packed = (levels[0::2] << 4) | levels[1::2]
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _check_key(fn: str, name: str, key: Any, fig: go.Figure) -> tuple[int, ...]:
    """A point key checked against the figure: (trace, point) or (trace, row, column)."""
    if not isinstance(key, tuple) or len(key) not in (2, 3):
        fail(fn, name, key, "is not a point key", "use (trace, point) for a scatter point or "
             "(trace, row, column) for a heatmap cell", TypeError)
    parts = [check_int(fn, f"{name} entry", k, 0, fix="indices are whole numbers >= 0") for k in key]
    if parts[0] >= len(fig.data):
        fail(fn, name, key, f"names trace {parts[0]}, but the figure has {len(fig.data)}",
             "number traces from 0 in the order of fig.data")
    trace = fig.data[parts[0]]
    if len(parts) == 3:
        z = getattr(trace, "z", None)
        if z is None:
            fail(fn, name, key, f"has three entries but trace {parts[0]} ({trace.type}) has no z grid",
                 "use (trace, point) for points of a scatter trace")
        rows, cols = np.shape(np.asarray(z, dtype=object))[:2]
        if parts[1] >= rows or parts[2] >= cols:
            fail(fn, name, key, f"is outside the {rows} x {cols} grid of trace {parts[0]}", "")
    else:
        n = len(trace.x) if getattr(trace, "x", None) is not None else 0
        if parts[1] >= n:
            fail(fn, name, key, f"names point {parts[1]}, but trace {parts[0]} has {n} points", "")
    return tuple(parts)


def linked_figure(fig: go.Figure, images: Mapping[tuple[int, ...], Any],
                  captions: Mapping[tuple[int, ...], Sequence[str]] | None = None,
                  titles: Mapping[tuple[int, ...], str] | None = None, *,
                  image_shape: tuple[int, int] = (28, 28), size: int = 64,
                  hint: str = "Point at the figure, tap it, or focus it and use the arrow keys",
                  height: int | None = None) -> LinkedFigure:
    """A plotly figure whose points show their digit images in a panel beside it.

    Args:
        fig: the plotly figure (its traces are not changed).
        images: per point key, the images to show: shape (k, h*w) or (k, h, w), values in [0, 1];
            k may be 0 (the panel then says so). Keys: ``(trace, point)`` or ``(trace, row, column)``.
        captions: per key, one short caption per image (e.g. ``"#539 (55 %)"``); default none.
        titles: per key, a heading for the panel; default: the key in words.
        image_shape: (h, w) of one image. size: drawn width of one image in CSS pixels.
        hint: what the empty panel says before any point is chosen.
        height: height of the figure in pixels (default: the figure's own).

    Returns:
        LinkedFigure (show it, or glue it with ``cl.glue(name, linked)``).
    """
    fn = "linked_figure"
    if not isinstance(fig, go.Figure):
        fail(fn, "fig", fig, "is not a plotly figure", "pass a plotly go.Figure", TypeError)
    check_mapping(fn, "images", images, "pass {point key: images of shape (k, h*w)}")
    shape = check_image_shape(fn, image_shape)
    check_int(fn, "size", size, 8, 400, fix="the drawn width of an image in pixels, e.g. size=64")
    for name, extra in (("captions", captions), ("titles", titles)):
        if extra is not None:
            check_mapping(fn, name, extra, f"pass {name} by the same point keys as images", empty_ok=True)
            unknown = [k for k in extra if k not in images]
            if unknown:
                fail(fn, name, unknown[0], "is a key with no images", f"give {name} only for keys of images")
    if not isinstance(hint, str):
        fail(fn, "hint", hint, "is not a string", "", TypeError)
    table: dict[str, int] = {}   # encoded image -> its index: every image is stored once
    points: dict[str, dict] = {}
    keys = []
    for key, imgs in images.items():
        key = _check_key(fn, "images key", key, fig)
        arr = check_array(fn, f"images[{key}]", imgs, ndim=(1, 2, 3), fix="images of shape (k, h*w) or (k, h, w)")
        arr = np.asarray(arr, dtype=float)
        arr = arr.reshape(0, shape[0] * shape[1]) if arr.size == 0 else arr
        arr = arr[None] if arr.size and (arr.ndim == 1 or arr.shape == shape) else arr   # one image alone
        arr = arr.reshape(len(arr), int(np.prod(arr.shape[1:])))
        if arr.shape[1] != shape[0] * shape[1]:
            fail(fn, f"images[{key}]", imgs, f"holds images of {arr.shape[1]} pixels, not {shape[0]} x {shape[1]}",
                 "pass image_shape to match the images")
        if arr.size and (arr.min() < 0 or arr.max() > 1):
            fail(fn, f"images[{key}]", imgs, "has values outside [0, 1]", "scale the images to [0, 1]")
        caps = list((captions or {}).get(key, [""] * len(arr)))
        if len(caps) != len(arr) or not all(isinstance(c, str) for c in caps):
            fail(fn, f"captions[{key}]", caps, f"must be {len(arr)} strings, one per image", "")
        ids = [table.setdefault(encode_image(a), len(table)) for a in arr]
        title = (titles or {}).get(key) or ("point " + ", ".join(map(str, key)))
        points[",".join(map(str, key))] = {"t": str(title), "i": ids, "c": caps}
        keys.append(key)
    payload = {"shape": list(shape), "images": list(table), "points": points,
               "order": [",".join(map(str, k)) for k in sorted(keys)], "size": size,
               "cols": _grid_columns(fig)}
    return LinkedFigure(_html(fig, payload, hint, height), sorted(keys))


def _grid_columns(fig: go.Figure) -> int:
    """Steps of the up/down arrow keys: a heatmap's number of columns, else 10 points."""
    for trace in fig.data:
        if getattr(trace, "z", None) is not None:
            return int(np.shape(np.asarray(trace.z, dtype=object))[1])
    return 10


def confusion_members(y: Any, probs: Any, n: int = 5) -> dict[tuple[int, int], np.ndarray]:
    """The surest ``n`` samples of every cell of a confusion matrix (chapter 1).

    Args:
        y: true labels (N,); probs: predicted probabilities (N, C); n: samples kept per cell.

    Returns:
        dict: ``(true, predicted)`` -> sample indices, the model's surest first, for every cell with a sample.
    """
    fn = "confusion_members"
    p = check_array(fn, "probs", probs, ndim=2, min_rows=1, fix="pass probabilities of shape (N, C)")
    check_labels(fn, "y", y, n=len(p), n_classes=p.shape[1])
    check_int(fn, "n", n, 1, fix="samples per cell, e.g. n=5")
    y, p = np.asarray(y), np.asarray(p)
    pred, cells = p.argmax(1), {}
    for i, j in sorted(set(zip(y.tolist(), pred.tolist()))):
        members = np.flatnonzero((y == i) & (pred == j))
        cells[(i, j)] = members[np.argsort(-p[members, j], kind="stable")][:n]
    return cells


def _html(fig: go.Figure, payload: dict, hint: str, height: int | None) -> str:
    root = f"linked-{uuid.uuid4().hex[:12]}"
    width = fig.layout.width   # the figure fills its box instead: beside the panel, or the phone's width
    fig = go.Figure(fig).update_layout(width=None, autosize=True)
    plot = figure_html(fig, height=height)
    plot_id = plot.split('id="', 1)[1].split('"', 1)[0]
    basis = f' style="flex: 1 1 {min(int(width), 420)}px; max-width: {int(width)}px"' if width else ""
    label = html.escape(f"{hint}. The digits of the chosen point appear in the panel beside the figure.")
    data = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
    script = page_script("linked.js").replace("ROOT", root).replace("PLOT", plot_id).replace("DATA", data)
    return (f"<style>\n{page_script('linked.css')}</style>\n" f'<div class="course-linked" id="{root}">'
            f'<div class="course-linked-fig" tabindex="0" role="group" aria-label="{label}"{basis}>'
            f'{plot}</div>'
            f'<div class="course-linked-panel" aria-live="polite"><p class="course-linked-title">'
            f'{html.escape(hint)}.</p></div></div>\n'
            f'<script type="text/javascript">{script}</script>')

