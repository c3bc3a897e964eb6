"""Matplotlib figures of the book. Plot functions take arrays, never train, and return the figure.

One colour convention everywhere (taught in :doc:`/book/00_introduction`): weights in a
diverging map centred at zero with one shared scale per grid, blue = excites, red =
inhibits; classes in one fixed qualitative palette. Figures have a white background so
they stay readable on the site's dark theme.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib
import matplotlib.axes
import matplotlib.pyplot as plt
import numpy as np

from course_lib.core.history import History
from course_lib.core.validate import check_array, check_bool, check_image_shape, check_int, check_number, check_type, fail

#: Diverging colour map for weights (red = negative, inhibits; white = 0; blue = positive, excites).
WEIGHT_CMAP = "RdBu"


#: Qualitative palette for classes (the colour-blind-friendly Okabe-Ito colours first).
CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                "#999999", "#882255"]


def use_book_style() -> None:
    """Set matplotlib defaults of the book: white backgrounds, readable font sizes, square pixels,
    and (in a notebook) PNGs at twice the pixel density, sharp on high-density screens."""
    matplotlib.rcParams.update({
        "figure.facecolor": "white", "savefig.facecolor": "white", "axes.facecolor": "white",
        "figure.dpi": 80, "font.size": 10, "axes.titlesize": 10, "axes.spines.top": False,
        "axes.spines.right": False, "figure.max_open_warning": 0, "image.interpolation": "nearest",
    })
    try:  # only inside IPython: the inline backend's "retina" PNGs (2x pixels, displayed at 1x size)
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def class_color(i: int) -> str:
    """The colour of class number ``i`` (cycles after 10)."""
    return CLASS_COLORS[i % len(CLASS_COLORS)]


def weight_limit(W: np.ndarray, quantile: float = 0.995) -> float:
    """Shared symmetric colour limit for a grid of weights: a high quantile of ``abs(W)`` (outliers clipped)."""
    check_array("weight_limit", "W", W)
    check_number("weight_limit", "quantile", quantile, 0, 1, fix="a quantile lies in [0, 1], e.g. 0.995")
    W = np.abs(np.asarray(W, dtype=float))
    lim = float(np.quantile(W, quantile)) if W.size else 1.0
    return lim if lim > 0 else 1.0


#: The default width of a grid in inches. A phone's column (342 CSS px at figure.dpi 80) is about 4.3 in,
#: so a grid that wide shows 10 pt text at 9 px or more.
PHONE_WIDTH = 4.3
#: The default number of panels per row of a grid. Ten panels wrap into two rows of five.
PHONE_NCOLS = 5


def _check_grid_args(fn: str, ncols, cell=1.0) -> None:
    check_int(fn, "ncols", ncols, 1, fix="panels per row, e.g. ncols=5")
    check_number(fn, "cell", cell, 0, low_open=True, fix="the size of one image in inches, e.g. cell=1.3")


def _check_ax(fn: str, ax) -> None:
    if ax is not None and not isinstance(ax, matplotlib.axes.Axes):
        fail(fn, "ax", ax, f"is a {type(ax).__name__}, not a matplotlib Axes",
             "pass an Axes (e.g. from plt.subplots()) or None for a new figure", TypeError)


def figure_and_axes(fn: str, ax, figsize: tuple[float, float]) -> tuple[plt.Figure, plt.Axes]:
    """One Axes to draw on: ``ax`` itself, or a new figure of ``figsize`` inches."""
    _check_ax(fn, ax)
    if ax is not None:
        return ax.figure, ax
    return plt.subplots(figsize=figsize)


def gridspec_in(fn: str, ax, figsize: tuple[float, float], nrows: int, ncols: int, **kw):
    """A grid of ``nrows`` x ``ncols`` cells: in a new figure of ``figsize``, or laid out in the place
    of ``ax`` (which is removed), so that a grid figure can be one panel of a larger figure."""
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


def _grid(n: int, ncols: int, cell: float, title_space: float = 0.35, ax=None, fn: str = "plot"):
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = axes_grid(fn, ax, (cell * ncols + 0.8, (cell + title_space) * nrows + 0.3), nrows, ncols)
    for extra in axes.flat[n:]:
        extra.axis("off")
    return fig, axes.flat[:n]


def check_titles(fn: str, name: str, titles, n: int, what: str = "image") -> None:
    """``None`` or one title per ``what`` (``n`` of them)."""
    if titles is None:
        return
    if isinstance(titles, (str, bytes)) or not hasattr(titles, "__len__"):
        fail(fn, name, titles, "is not a list of titles", f"pass one per {what}", TypeError)
    if len(titles) != n:
        fail(fn, name, titles, f"has {len(titles)} entries for {n} {what}s", f"pass one per {what}")


def check_images(fn: str, name: str, W, image_shape, min_images: int = 1) -> np.ndarray:
    """Images as rows (k, h*w) or (k, h, w), finite; returns them as (k, h, w) (what ``_as_images`` does)."""
    h, w = check_image_shape(fn, image_shape)
    a = check_array(fn, name, W, ndim=(1, 2, 3), fix=f"pass images of shape (k, {h * w}) or (k, {h}, {w})")
    a = a[None] if a.ndim == 1 else a
    if (a.ndim == 2 and a.shape[1] != h * w) or (a.ndim == 3 and a.shape[1:] != (h, w)):
        fail(fn, name, W, f"has rows of {a.shape[1] if a.ndim == 2 else a.shape[1:]} values, which is not "
             f"image_shape={tuple(image_shape)}", "pass the right image_shape")
    if len(a) < min_images:
        fail(fn, name, W, f"holds {len(a)} images", f"pass at least {min_images}")
    return a


def _as_images(W: np.ndarray, image_shape: tuple[int, int], name: str) -> np.ndarray:
    """Images (k, h*w), (k, h, w) or one (h*w,) as an array (k, h, w)."""
    W = np.asarray(W)
    W = W[None] if W.ndim == 1 else W
    if W.ndim not in (2, 3) or int(np.prod(W.shape[1:])) != image_shape[0] * image_shape[1]:
        raise ValueError(f"{name} has shape {W.shape}; expected (k, h*w) or (k, h, w) for image_shape={image_shape}.")
    return W.reshape(len(W), *image_shape)


def plot_weight_grid(W: np.ndarray, image_shape: tuple[int, int] = (28, 28), titles: Sequence[str] | None = None,
                     ncols: int | None = None, vmax: float | None = None, cell: float | None = None,
                     suptitle: str | None = None, colorbar: bool = True, ax: plt.Axes | None = None) -> plt.Figure:
    """Show each row of ``W`` as an image in the weight colours, all on one shared scale.

    Args:
        W: weights of shape (k, h*w) or (k, h, w), e.g. ``model.layers[0].weight`` as NumPy.
        image_shape: (h, w) of one image.
        titles: one title per image.
        ncols: images per row (default: at most 5, so ten images wrap into two rows of five).
        vmax: colour limit (default: :func:`weight_limit` of W); -vmax is red, +vmax blue.
        cell: size of one image in inches (default: 1.3, or less so that a default grid fits a phone).
        suptitle: title of the whole figure; colorbar: draw the shared colour bar.
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_weight_grid"
    if vmax is not None:
        check_number(fn, "vmax", vmax, 0, low_open=True, fix="a positive colour limit, or None")
    check_bool(fn, "colorbar", colorbar)
    vmax = weight_limit(check_images(fn, "W", W, image_shape)) if vmax is None else vmax
    fig, axes, im = _draw_grid(fn, "W", W, image_shape, titles, ncols, cell, suptitle, ax,
                               cmap=WEIGHT_CMAP, vmin=-vmax, vmax=vmax)
    if colorbar:
        cb = fig.colorbar(im, ax=list(axes), shrink=0.8, pad=0.02)
        bar = cb.ax.get_position().height * fig.get_figheight()      # inches; the full label where it fits
        cb.set_label("weight (blue excites, red inhibits)" if bar >= 2.6 else "weight")
    return fig


def plot_image_grid(images: np.ndarray, image_shape: tuple[int, int] = (28, 28), titles: Sequence[str] | None = None,
                    ncols: int | None = None, cell: float | None = None, cmap: str = "gray_r",
                    suptitle: str | None = None, ax: plt.Axes | None = None) -> plt.Figure:
    """Show images (e.g. digits, ink dark on white) in a grid.

    Args:
        images: shape (k, h*w) or (k, h, w); titles: one per image.
        ncols: images per row (default: at most 5, so ten images wrap into two rows of five).
        cell: size of one image in inches (default: 1.1, or less so that a default grid fits a phone).
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    return _draw_grid("plot_image_grid", "images", images, image_shape, titles, ncols, cell, suptitle, ax, cmap=cmap)[0]


def _draw_grid(fn: str, name: str, images, image_shape, titles, ncols: int, cell: float, suptitle, ax, **imshow):
    """Check and draw one image per panel, pixels as squares (nearest neighbour). Returns (fig, axes, last image)."""
    k = len(check_images(fn, name, images, image_shape))
    largest, width = (1.3, PHONE_WIDTH) if fn == "plot_weight_grid" else (1.1, PHONE_WIDTH + 0.4)  # colour bar
    if ncols is None:             # the default layout: rows of PHONE_NCOLS that fill a phone's column
        ncols = max(1, min(k, PHONE_NCOLS))
        cell = min(largest, width / ncols) if cell is None else cell
    cell = largest if cell is None else cell      # ncols given: the size these functions always used
    _check_grid_args(fn, ncols=ncols, cell=cell)
    check_titles(fn, "titles", titles, k)
    images = _as_images(images, image_shape, name)
    lines = max((str(t).count("\n") + 1 for t in titles), default=1) if titles is not None else 1
    fig, axes = _grid(len(images), ncols, cell, title_space=max(0.35, 0.2 + 0.18 * lines), ax=ax, fn=fn)  # 0.18 in a line
    for i, (panel, img) in enumerate(zip(axes, images)):
        im = panel.imshow(img, interpolation="nearest", **imshow)
        panel.set_xticks([]), panel.set_yticks([])
        if titles is not None:
            panel.set_title(str(titles[i]))     # the style's size (10 pt): readable on a phone
    if suptitle:
        fig.suptitle(suptitle)
    return fig, axes, im


def plot_history(history, metrics: Sequence[str] = ("loss", "acc"), labels: Sequence[str] | None = None, ax: plt.Axes | None = None) -> plt.Figure:
    """Training curves: one panel per metric, stacked; train and test (and validation) per panel.

    Args:
        history: a :class:`~course_lib.core.history.History`.
        metrics: metric stems to plot, e.g. ``("loss", "acc")``.
        labels: names of ensemble members (one line each).
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_history"
    check_type(fn, "history", history, History, "a course_lib History (what train() returns)")
    if isinstance(metrics, (str, bytes)) or not hasattr(metrics, "__len__") or len(metrics) == 0:
        fail(fn, "metrics", metrics, "is not a non-empty list of metric stems", "pass e.g. metrics=('loss', 'acc')",
             TypeError if isinstance(metrics, (str, bytes)) else ValueError)
    for stem in metrics:
        if not any(f"{part}_{stem}" in history.metrics for part in ("train", "val", "test")):
            fail(fn, "metrics", metrics, f"names {stem!r}, which the history does not hold",
                 f"it holds {sorted(history.metrics)}")
    if labels is not None:
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            fail(fn, "labels", labels, "is not a list of names", "pass one name per ensemble member", TypeError)
        widths = {np.shape(history[k])[1] for k in history.metrics if np.ndim(history[k]) == 2} or {1}
        check_titles(fn, "labels", labels, max(widths), "member")
    fig, axes = axes_grid("plot_history", ax, (4.2, 2.3 * len(metrics) + 0.3), len(metrics), 1)
    names = {"loss": "cross-entropy loss", "acc": "accuracy"}
    for ax, stem in zip(axes.flat, metrics):
        for part, style in (("train", "-"), ("val", ":"), ("test", "--")):
            key = f"{part}_{stem}"
            if key not in history.metrics:
                continue
            values = history[key]
            values = values[:, None] if values.ndim == 1 else values
            for m in range(values.shape[1]):
                who = f" ({labels[m]})" if labels is not None else ""
                ax.plot(history.epochs, values[:, m], style, color=class_color(m), label=f"{part}{who}")
        ax.set_ylabel(names.get(stem, stem))
        ax.legend()
    axes.flat[-1].set_xlabel("epoch")
    fig.tight_layout()
    return fig


def _check_class_names(fn: str, class_names, y) -> None:
    """``None``, or a name for every label that occurs in ``y`` (labels index the names)."""
    if class_names is None:
        return
    if isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__len__"):
        fail(fn, "class_names", class_names, "is not a list of names", "pass one name per class", TypeError)
    top = int(np.max(np.asarray(y))) if np.size(y) else -1
    if len(class_names) <= top:
        fail(fn, "class_names", class_names, f"has {len(class_names)} names, but the labels go up to {top}",
             "pass one name per class")
