"""Figures of chapter 3: activations of one neuron per class as strips of dots.

Taught in :doc:`/book/03_class_splitting`.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib.chapters.splitting import _check_acts
from course_lib.core.plots import _check_class_names, _check_grid_args, axes_grid, check_titles, class_color, figure_and_axes
from course_lib.core.validate import check_array, check_image_shape, check_int, check_labels, check_number, check_seed, fail


def _check_xlim(fn: str, xlim) -> None:
    if xlim is None:
        return
    if isinstance(xlim, (str, bytes)) or not hasattr(xlim, "__len__") or len(xlim) != 2:
        fail(fn, "xlim", xlim, "is not a pair (low, high)", "pass e.g. xlim=(-1, 1)")
    for v in xlim:
        check_number(fn, "xlim", v, fix="pass e.g. xlim=(-1, 1)")
    if not xlim[0] < xlim[1]:
        fail(fn, "xlim", xlim, "must have low < high", "pass e.g. xlim=(-1, 1)")


def plot_strips(acts: np.ndarray, y: np.ndarray, class_names: Sequence | None = None, ncols: int = 5,
                xlim: tuple[float, float] | None = None, titles: Sequence[str] | None = None, seed: int = 0,
                suptitle: str | None = None, panel: tuple[float, float] = (2.0, 2.1),
                ax: plt.Axes | None = None) -> plt.Figure:
    """One strip plot per neuron: x = its activation on each sample, y = random jitter, colour = class.

    Args:
        acts: activations of shape (n, units); y: int labels of shape (n,).
        class_names: legend name per class; ncols: panels per row; xlim: shared x range.
        titles: one per neuron (default ``"neuron i"``); seed: seed of the jitter.
        panel: (width, height) of one panel in inches, its title included.
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_strips"
    check_array(fn, "acts", acts, ndim=2, min_rows=1, fix="pass activations of shape (n, units)")
    check_labels(fn, "y", y, n=len(acts))
    _check_grid_args(fn, ncols=ncols)
    _check_xlim(fn, xlim)
    check_titles(fn, "titles", titles, np.shape(acts)[1], "neuron")
    _check_class_names(fn, class_names, y)
    check_seed(fn, "seed", seed)
    acts, y = np.asarray(acts), np.asarray(y)
    jitter = np.random.default_rng(seed).uniform(-1, 1, len(y))
    if not (hasattr(panel, "__len__") and len(panel) == 2) or min(panel) <= 0:
        fail(fn, "panel", panel, "is not a pair of positive sizes", "pass e.g. panel=(2.0, 2.1)")
    ncols = min(ncols, acts.shape[1])
    nrows = -(-acts.shape[1] // ncols)
    fig, axes = axes_grid(fn, ax, (panel[0] * ncols + 0.3, panel[1] * nrows + 0.3), nrows, ncols)
    for extra in axes.flat[acts.shape[1]:]:
        extra.axis("off")
    axes = axes.flat[:acts.shape[1]]
    for j, ax in enumerate(axes):
        for c in np.unique(y):
            sel = y == c
            name = class_names[c] if class_names is not None else c
            ax.scatter(acts[sel, j], jitter[sel], s=4, alpha=0.5, color=class_color(int(c)), label=str(name))
        ax.set_yticks([])
        if xlim is not None:
            ax.set_xlim(*xlim)
        ax.set_title(titles[j] if titles is not None else f"neuron {j}", fontsize=10)
        ax.tick_params(labelsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", bbox_to_anchor=(0.5, 1.0),
               ncol=len(np.unique(y)), fontsize=10, markerscale=2, frameon=False)   # above the panels
    return fig


def strips_figure(layers: Sequence[np.ndarray], y: np.ndarray, layer_names: Sequence[str] | None = None,
                  class_names: Sequence | None = None, xlim: tuple[float, float] | None = None,
                  title: str | None = None, seed: int = 0):
    """Plotly strip plots of whole layers: one panel per layer, one row per neuron (chapter 3).

    In a panel, each dot is one sample: x = the neuron's activation, y = the neuron's row plus
    a fixed random jitter, colour = class (:data:`course_lib.core.plots.CLASS_COLORS`).

    Args:
        layers: one array (n, units) per layer; y: labels (n,).
        layer_names: panel titles; class_names: legend names; xlim: shared x range.
        title: figure title; seed: seed of the jitter (the same for every call, so dots keep their row).

    Returns:
        plotly.graph_objects.Figure: one trace per layer and class.
    """


    fn = "strips_figure"
    if isinstance(layers, (str, bytes, np.ndarray)) or not hasattr(layers, "__len__") or len(layers) == 0:
        fail(fn, "layers", layers, "is not a non-empty list of arrays (n, units)", "pass one array per layer")
    y = np.asarray(y)
    layers = [np.asarray(a) for a in layers]
    for a in layers:
        _check_acts(a, y, fn, "layers")
    check_titles(fn, "layer_names", layer_names, len(layers), "layer")
    _check_class_names(fn, class_names, y)
    _check_xlim(fn, xlim)
    check_seed(fn, "seed", seed)
    names = list(layer_names) if layer_names is not None else [f"hidden layer {i + 1}" for i in range(len(layers))]
    fig = make_subplots(rows=1, cols=len(layers), subplot_titles=names, shared_yaxes=True,
                        horizontal_spacing=0.04)
    jitter = np.random.default_rng(seed).uniform(-0.33, 0.33, len(y))
    for col, a in enumerate(layers, start=1):
        for c in np.unique(y):
            sel = y == c
            units = np.arange(a.shape[1])
            xs = a[sel].T.ravel().astype(np.float32)          # float32: half the page weight of float64
            ys = (units[:, None] + jitter[sel][None, :]).ravel().astype(np.float32)
            name = str(class_names[c]) if class_names is not None else str(c)
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=name, legendgroup=name, showlegend=col == 1,
                                       marker={"size": 3, "color": class_color(int(c)), "opacity": 0.5},
                                       hoverinfo="skip"), row=1, col=col)
        fig.update_xaxes(title_text="activation", range=list(xlim) if xlim else None, row=1, col=col)
    n_units = max(a.shape[1] for a in layers)
    fig.update_yaxes(tickvals=list(range(n_units)), ticktext=[f"neuron {j}" for j in range(n_units)],
                     autorange="reversed", showgrid=False, row=1, col=1)
    fig.update_layout(title_text=title, height=140 + 26 * n_units, margin={"l": 70, "r": 20, "t": 70, "b": 40},
                      legend={"title": {"text": "class"}})
    return fig


def plot_pixel_strips(X: np.ndarray, y: np.ndarray, image_shape: tuple[int, int] = (28, 28),
                      class_names: Sequence | None = None, n_per_class: int = 60, crop: int = 0, seed: int = 0, ax: plt.Axes | None = None) -> plt.Figure:
    """A strip plot for every pixel, drawn in the pixel's place in the image (chapter 3).

    Cell (r, c) holds pixel (r, c): x within the cell = the pixel's value in [0, 1] of each
    image, y within the cell = random jitter in the class's own band (first class on top),
    colour = class, so the classes never hide each other. Values of exactly 0 (no ink) are
    left out, so an empty band means the pixel is dark in every drawn image of that class.

    Args:
        X: images of shape (n, h*w) with values in [0, 1]; y: labels (n,).
        image_shape: (h, w); class_names: legend names.
        n_per_class: images drawn per class (the first ones); crop: border pixels left out on each side.
        seed: seed of the jitter.
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """


    fn = "plot_pixel_strips"
    h, w = check_image_shape(fn, image_shape)
    check_array(fn, "X", X, shape=(None, h * w), fix=f"expected images (n, {h * w}) with values in [0, 1]")
    check_labels(fn, "y", y, n=len(X))
    check_int(fn, "crop", crop, 0, (min(h, w) - 1) // 2, fix=f"an integer with 0 <= 2 * crop < {min(h, w)}")
    check_int(fn, "n_per_class", n_per_class, 1, fix="e.g. n_per_class=60")
    _check_class_names(fn, class_names, np.asarray(y))
    check_seed(fn, "seed", seed)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    rng = np.random.default_rng(seed)
    keep = np.zeros((h, w), bool)
    keep[crop:h - crop, crop:w - crop] = True
    rows, cols = np.divmod(np.flatnonzero(keep.ravel()), w)
    classes = np.unique(y)
    band = 0.9 / len(classes)
    fig, ax = figure_and_axes(fn, ax, (5.0, 5.0 * (h - 2 * crop) / (w - 2 * crop)))
    for r in range(crop, h - crop + 1):
        ax.axhline(r, color="#dddddd", lw=0.4)
    for c in range(crop, w - crop + 1):
        ax.axvline(c, color="#dddddd", lw=0.4)
    for k, c in enumerate(classes):
        Xc = X[y == c][:n_per_class][:, keep.ravel()]
        xs = cols[None, :] + 0.05 + 0.9 * np.clip(Xc, 0, 1)
        ys = rows[None, :] + 0.05 + band * (k + rng.uniform(0.1, 0.9, Xc.shape))
        ink = Xc > 0
        ax.scatter(xs[ink], ys[ink], s=1.5, alpha=0.5, color=class_color(int(c)), linewidths=0,
                   label=str(class_names[c]) if class_names is not None else str(c), rasterized=True)
    ax.set_xlim(crop, w - crop), ax.set_ylim(h - crop, crop), ax.set_aspect("equal")
    ax.set_xticks([]), ax.set_yticks([])
    ax.spines[:].set_visible(False)
    ax.legend(markerscale=8, fontsize=10, loc="upper right", title="class", framealpha=0.9)
    ax.set_title("every pixel as a strip: x in a cell = pixel value\n(0 left, 1 right); no dot = no ink")
    return fig
