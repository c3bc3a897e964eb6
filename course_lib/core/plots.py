"""Matplotlib figures of the book. Plot functions take arrays, never train, and return the figure.

The colour convention (weights blue = excites, red = inhibits; one palette for classes) is taught in
:doc:`/book/00_introduction`.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib
import matplotlib.axes
import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython

from course_lib.core.history import History
from course_lib.core.validate import (check_array, check_bool, check_image_shape, check_int, check_number, check_type,
                                      fail)

#: Diverging colour map for weights (red = negative, inhibits; white = 0; blue = positive, excites).
WEIGHT_CMAP = "RdBu"
#: Qualitative palette for classes (the colour-blind-friendly Okabe-Ito colours first).
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                "#999999", "#882255"]


def use_book_style() -> None:
    """Set the book's matplotlib defaults (white backgrounds, 10 pt text; retina PNGs in a notebook)."""
    matplotlib.rcParams.update({
        "figure.facecolor": "white", "savefig.facecolor": "white", "axes.facecolor": "white",
        "figure.dpi": 80, "font.size": 10, "axes.titlesize": 10, "axes.spines.top": False,
        "axes.spines.right": False, "figure.max_open_warning": 0, "image.interpolation": "nearest",
    })
    try:  # in a notebook: retina PNGs (twice the pixels, shown at the same size)
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def class_color(i: int) -> str:
    """The colour of class number ``i`` (cycles after 10)."""
    return CLASS_COLORS[i % len(CLASS_COLORS)]


def weight_limit(W: np.ndarray) -> float:
    """Shared symmetric colour limit for a grid of weights: the 0.995 quantile of ``abs(W)`` (outliers clipped)."""
    check_array("weight_limit", "W", W)
    W = np.abs(np.asarray(W, dtype=float))
    lim = float(np.quantile(W, 0.995)) if W.size else 1.0
    return lim if lim > 0 else 1.0


def _check_grid_args(fn: str, ncols, cell=1.0) -> None:
    check_int(fn, "ncols", ncols, 1, fix="panels per row, e.g. ncols=5")
    check_number(fn, "cell", cell, 0, low_open=True, fix="the size of one image in inches, e.g. cell=1.3")


def _check_ax(fn: str, ax) -> None:
    if ax is not None and not isinstance(ax, matplotlib.axes.Axes):
        fail(fn, "ax", ax, f"is a {type(ax).__name__}, not a matplotlib Axes",
             "pass an Axes (e.g. from plt.subplots()) or None for a new figure", TypeError)


def _not_a_list(value) -> bool:
    return isinstance(value, (str, bytes)) or not hasattr(value, "__len__")


def figure_and_axes(fn: str, ax, figsize: tuple[float, float]) -> tuple[plt.Figure, plt.Axes]:
    """One Axes to draw on: ``ax`` itself, or a new figure of ``figsize`` inches."""
    _check_ax(fn, ax)
    return plt.subplots(figsize=figsize) if ax is None else (ax.figure, ax)


def gridspec_in(fn: str, ax, figsize: tuple[float, float], nrows: int, ncols: int, **kw):
    """A grid of ``nrows`` x ``ncols`` cells in a new figure of ``figsize``, or in the place of ``ax`` (removed)."""
    _check_ax(fn, ax)
    if ax is None:
        fig = plt.figure(figsize=figsize)
        return fig, fig.add_gridspec(nrows, ncols, **kw)
    inside = {k: v for k, v in kw.items() if k not in ("top", "bottom", "left", "right")}  # the Axes' box rules
    fig, spec = ax.figure, ax.get_subplotspec().subgridspec(nrows, ncols, **inside)
    ax.remove()
    return fig, spec


def axes_grid(fn: str, ax, figsize: tuple[float, float], nrows: int, ncols: int, sharey: bool = False,
              **kw) -> tuple[plt.Figure, np.ndarray]:
    """Like ``plt.subplots(nrows, ncols, squeeze=False)``, or the same grid inside ``ax``."""
    fig, spec = gridspec_in(fn, ax, figsize, nrows, ncols, **kw)
    axes = np.empty((nrows, ncols), dtype=object)
    for r in range(nrows):
        for c in range(ncols):
            share = axes[0, 0] if sharey and (r or c) else None
            axes[r, c] = fig.add_subplot(spec[r, c], sharey=share)
            if share is not None and c:
                axes[r, c].tick_params(labelleft=False)       # as plt.subplots(sharey=True) does
    return fig, axes


def check_titles(fn: str, name: str, titles, n: int, what: str = "image") -> None:
    """``None`` or one title per ``what`` (``n`` of them)."""
    if titles is None:
        return
    if _not_a_list(titles):
        fail(fn, name, titles, "is not a list of titles", f"pass one per {what}", TypeError)
    if len(titles) != n:
        fail(fn, name, titles, f"has {len(titles)} entries for {n} {what}s", f"pass one per {what}")


def check_images(fn: str, name: str, W, image_shape) -> np.ndarray:
    """Finite images as rows (k, h*w), (k, h, w) or one (h*w,); returns them as (k, h, w)."""
    h, w = check_image_shape(fn, image_shape)
    a = check_array(fn, name, W, ndim=(1, 2, 3), fix=f"pass images of shape (k, {h * w}) or (k, {h}, {w})")
    a = a[None] if a.ndim == 1 else a
    if (a.ndim == 2 and a.shape[1] != h * w) or (a.ndim == 3 and a.shape[1:] != (h, w)):
        fail(fn, name, W, f"has rows of {a.shape[1] if a.ndim == 2 else a.shape[1:]} values, which is not "
             f"image_shape={tuple(image_shape)}", "pass the right image_shape")
    if len(a) == 0:
        fail(fn, name, W, "holds 0 images", "pass at least 1")
    return a.reshape(len(a), h, w)


def plot_weight_grid(W: np.ndarray, image_shape: tuple[int, int] = (28, 28), titles: Sequence[str] | None = None,
                     ncols: int | None = None, vmax: float | None = None, cell: float | None = None,
                     colorbar: bool = True, ax: plt.Axes | None = None) -> plt.Figure:
    """Show each row of ``W`` (k, h*w) or (k, h, w) as an image in the weight colours, on one shared scale.

    Args:
        ncols: images per row (default: rows of at most 5).
        vmax: colour limit (default: :func:`weight_limit` of W); -vmax is red, +vmax blue.
        cell: inches per image (default: 1.3, or less so that a default grid fits a phone).
        ax: draw in place of this Axes (a grid of panels takes its place) instead of in a new figure.
    """
    fn = "plot_weight_grid"
    if vmax is not None:
        check_number(fn, "vmax", vmax, 0, low_open=True, fix="a positive colour limit, or None")
    check_bool(fn, "colorbar", colorbar)
    images = check_images(fn, "W", W, image_shape)
    vmax = weight_limit(images) if vmax is None else vmax
    fig, axes, im = _draw_grid(fn, images, titles, ncols, cell, ax, cmap=WEIGHT_CMAP, vmin=-vmax, vmax=vmax)
    if colorbar:
        cb = fig.colorbar(im, ax=list(axes), shrink=0.8, pad=0.02)
        bar = cb.ax.get_position().height * fig.get_figheight()      # inches; the full label where it fits
        cb.set_label("weight (blue excites, red inhibits)" if bar >= 2.6 else "weight")
    return fig


def plot_image_grid(images: np.ndarray, image_shape: tuple[int, int] = (28, 28), titles: Sequence[str] | None = None,
                    ncols: int | None = None, cell: float | None = None, ax: plt.Axes | None = None) -> plt.Figure:
    """Show images (k, h*w) or (k, h, w), ink dark on white, in a grid as :func:`plot_weight_grid` does (cell 1.1)."""
    fn = "plot_image_grid"
    return _draw_grid(fn, check_images(fn, "images", images, image_shape), titles, ncols, cell, ax, cmap="gray_r")[0]


def _draw_grid(fn: str, images: np.ndarray, titles, ncols, cell, ax, **imshow):
    """Draw one image (k, h, w) per panel, pixels as squares. Returns (fig, axes, last image)."""
    k = len(images)
    largest, width = (1.3, 4.3) if fn == "plot_weight_grid" else (1.1, 4.7)   # 0.4 in more without a colour bar
    if ncols is None:             # the default layout: rows of at most 5 that fill a phone's column (4.3 in)
        ncols = max(1, min(k, 5))
        cell = min(largest, width / ncols) if cell is None else cell
    cell = largest if cell is None else cell      # ncols given: the size these functions always used
    _check_grid_args(fn, ncols=ncols, cell=cell)
    check_titles(fn, "titles", titles, k)
    lines = max((str(t).count("\n") + 1 for t in titles), default=1) if titles is not None else 1
    title_space = max(0.35, 0.2 + 0.18 * lines)        # 0.18 in a line of title
    ncols = max(1, min(ncols, k))
    nrows = int(np.ceil(k / ncols))
    fig, grid = axes_grid(fn, ax, (cell * ncols + 0.8, (cell + title_space) * nrows + 0.3), nrows, ncols)
    for extra in grid.flat[k:]:
        extra.axis("off")
    axes = grid.flat[:k]
    for i, (panel, img) in enumerate(zip(axes, images)):
        im = panel.imshow(img, interpolation="nearest", **imshow)
        panel.set_xticks([]), panel.set_yticks([])
        if titles is not None:
            panel.set_title(str(titles[i]))
    return fig, axes, im


def plot_history(history, metrics: Sequence[str] = ("loss", "acc"), ax: plt.Axes | None = None) -> plt.Figure:
    """Training curves: one panel per metric stem (e.g. ``"loss"``), stacked; train, val and test per panel."""
    fn = "plot_history"
    check_type(fn, "history", history, History, "a course_lib History (what train() returns)")
    if _not_a_list(metrics) or len(metrics) == 0:
        fail(fn, "metrics", metrics, "is not a non-empty list of metric stems", "pass e.g. metrics=('loss', 'acc')",
             TypeError if isinstance(metrics, (str, bytes)) else ValueError)
    for stem in metrics:
        if not any(f"{part}_{stem}" in history.metrics for part in ("train", "val", "test")):
            fail(fn, "metrics", metrics, f"names {stem!r}, which the history does not hold",
                 f"it holds {sorted(history.metrics)}")
    fig, axes = axes_grid(fn, ax, (4.2, 2.3 * len(metrics) + 0.3), len(metrics), 1)
    for ax, stem in zip(axes.flat, metrics):
        for part, style in (("train", "-"), ("val", ":"), ("test", "--")):
            key = f"{part}_{stem}"
            if key in history.metrics:
                values = history[key]
                values = values[:, None] if values.ndim == 1 else values
                for m in range(values.shape[1]):          # one line per ensemble member
                    ax.plot(history.epochs, values[:, m], style, color=class_color(m), label=part)
        ax.set_ylabel({"loss": "cross-entropy loss", "acc": "accuracy"}.get(stem, stem))
        ax.legend()
    axes.flat[-1].set_xlabel("epoch")
    fig.tight_layout()
    return fig


def _check_class_names(fn: str, class_names, y) -> None:
    """``None``, or a name for every label that occurs in ``y`` (labels index the names)."""
    if class_names is None:
        return
    if _not_a_list(class_names):
        fail(fn, "class_names", class_names, "is not a list of names", "pass one name per class", TypeError)
    top = int(np.max(np.asarray(y))) if np.size(y) else -1
    if len(class_names) <= top:
        fail(fn, "class_names", class_names, f"has {len(class_names)} names, but the labels go up to {top}",
             "pass one name per class")
