"""Figures of chapter 2 (hidden-layer weights): output weights as bars, the per-pixel scatter of
Petrosyan 2018, and rows of weight images that each keep their own colour scale.

Introduced in chapter 2 (:doc:`/book/02_hidden_layers`). Like ``course_lib.plots``, these
functions take arrays, never train, and return the figure.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib.core.measures import as_numpy
from course_lib.core.plots import (WEIGHT_CMAP, _check_class_names, axes_grid, check_titles, class_color, figure_and_axes,
                                   plot_weight_grid, weight_limit)
from course_lib.core.validate import check_image_shape, check_int, check_labels, check_mapping, check_number, check_seed, fail


def plot_weight_blocks(W: np.ndarray | torch.Tensor, titles: Sequence[str] | None = None, ncols: int = 5,
                       cell: float = 0.8, image_shape: tuple[int, int] = (28, 28),
                       label: str = "weight (blue excites, red inhibits)") -> plt.Figure:
    """:func:`~course_lib.core.plots.plot_weight_grid` sized for a phone: few columns, titles and colour bar at 10 pt.

    Args:
        W: weights of shape (k, h*w); titles: one per image; ncols: images per row; cell: inches per image.
        label: the colour bar's label (shorten it for a grid of one or two rows).

    Returns:
        matplotlib.figure.Figure
    """
    fig = plot_weight_grid(W, image_shape, titles, ncols=ncols, cell=cell, colorbar=False)
    panels = [a for a in fig.axes if a.images]
    for a in panels:
        a.title.set_fontsize(10)
        a.spines[:].set_visible(False)
    bar = fig.colorbar(panels[0].images[0], ax=panels, shrink=0.85, pad=0.03)
    bar.set_label(label, fontsize=10)
    bar.ax.tick_params(labelsize=10)
    return fig


def plot_output_bars(V: np.ndarray | torch.Tensor, titles: Sequence[str] | None = None,
                     ncols: int = 5, ax: plt.Axes | None = None) -> plt.Figure:
    """Each output neuron's weights over the hidden units as a bar chart (blue +, red -), one shared y scale.

    Args:
        V: output weights of shape (n_classes, hidden); titles: one per class; ncols: panels per row.
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_output_bars"
    V = as_numpy(V, fn, "V", ndim=2, min_rows=1)
    check_titles(fn, "titles", titles, len(V), "output neuron (row of V)")
    ncols = check_int(fn, "ncols", ncols, 1, fix="panels per row, e.g. ncols=5")
    lim = float(np.abs(V).max()) * 1.05 or 1.0
    nrows = -(-len(V) // ncols)
    fig, axes = axes_grid(fn, ax, (0.95 * ncols + 0.5, 1.45 * nrows + 0.3), nrows, ncols, sharey=True)
    blue, red = plt.get_cmap(WEIGHT_CMAP)(0.85), plt.get_cmap(WEIGHT_CMAP)(0.15)
    for i, ax in enumerate(axes.flat):
        if i >= len(V):
            ax.axis("off")
            continue
        ax.bar(np.arange(V.shape[1]), V[i], color=[blue if v >= 0 else red for v in V[i]], width=0.8)
        ax.axhline(0, color="0.4", lw=0.6)
        ax.set_ylim(-lim, lim)
        ax.set_title(titles[i] if titles is not None else f"output {i}", fontsize=10)
        ax.set_xticks([0, V.shape[1] - 1])
        ax.tick_params(labelsize=10)
    fig.supxlabel("hidden unit", fontsize=10)
    fig.supylabel("weight", fontsize=10)
    fig.tight_layout()
    return fig


def plot_pixel_scatter(X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor,
                       image_shape: tuple[int, int] = (28, 28), n_per_class: int = 60,
                       class_names: Sequence[str] | None = None, mask: np.ndarray | None = None,
                       seed: int = 0, ax: plt.Axes | None = None) -> plt.Figure:
    """Petrosyan's (2018) picture of the inputs: one tiny strip plot per pixel, placed where the pixel is.

    Inside each pixel's cell, x is the pixel's value (from 0 at the left edge to 1 at the right)
    and y a random jitter; dots are coloured by class, so pixels that only one class uses
    outline that class. Zero values are left out (they would pile up on every cell's left edge).

    Args:
        X: inputs in [0, 1] of shape (n, h*w); y: int labels of shape (n,).
        n_per_class: samples drawn per class; class_names: legend names.
        mask: optional bool array of shape (h*w,); cells where it is False are shaded grey
            (chapter 2 passes the pixels that are non-zero in some training image).
        seed: seed of the sample and the jitter.
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_pixel_scatter"
    X = as_numpy(X, fn, "X", ndim=2)
    h, w = check_image_shape(fn, image_shape)
    if X.shape[1] != h * w:
        fail(fn, "X", X, f"has rows of {X.shape[1]} values, not h*w = {h * w} for image_shape={tuple(image_shape)}",
             "pass the right image_shape")
    check_labels(fn, "y", y, n=len(X))
    check_int(fn, "n_per_class", n_per_class, 1, fix="e.g. n_per_class=60")
    check_seed(fn, "seed", seed)
    _check_class_names(fn, class_names, np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y))
    y = np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y)
    rng = np.random.default_rng(seed)
    fig, ax = figure_and_axes(fn, ax, (4.6, 4.6))
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (h * w,):
            fail(fn, "mask", mask, f"has shape {mask.shape}; expected ({h * w},)", "one entry per pixel")
        ax.imshow(np.where(mask, 1.0, 0.85).reshape(h, w), cmap="gray", vmin=0, vmax=1,
                  extent=(0, w, h, 0), interpolation="nearest")
    rows, cols = np.divmod(np.arange(h * w), w)
    for c in np.unique(y):
        pick = rng.permutation(np.flatnonzero(y == c))[:n_per_class]
        vals = np.clip(X[pick], 0, 1)                                   # (k, h*w)
        px = cols[None, :] + 0.05 + 0.9 * vals
        py = rows[None, :] + 0.5 + 0.42 * rng.uniform(-1, 1, vals.shape)
        ink = vals > 0
        name = class_names[c] if class_names is not None else str(c)
        ax.scatter(px[ink], py[ink], s=1.2, color=class_color(int(c)), alpha=0.45, linewidths=0,
                   label=name, rasterized=True)
    ax.set_xlim(0, w), ax.set_ylim(h, 0)
    ax.set_aspect("equal")
    ax.set_xticks([]), ax.set_yticks([])
    ax.spines[:].set_visible(False)
    ax.legend(markerscale=8, fontsize=10, loc="lower right")
    return fig


def plot_weight_rows(rows: dict[str, np.ndarray], image_shape: tuple[int, int] = (28, 28),
                     titles: dict[str, Sequence[str]] | None = None, cell: float = 0.85, ncols: int | None = None,
                     ax: plt.Axes | None = None) -> plt.Figure:
    """Blocks of weight images, one block per row label, each on its own diverging scale and colour bar.

    A block holds the ``k`` images of one label in lines of ``ncols`` (all ``k`` in one line by
    default; ``ncols=5`` folds ten images into two lines, narrow enough for a phone). The label is
    written vertically at the block's left.

    Args:
        rows: row label -> weights of shape (k, h*w); every row must have the same k.
        titles: row label -> one title per image (optional).
        cell: size of one image in inches; ncols: images per line (default: k).
        ax: draw into this Axes (a grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_weight_rows"
    check_mapping(fn, "rows", rows, "pass e.g. {'network A': W_a, 'network B': W_b}")
    h, w = check_image_shape(fn, image_shape)
    check_number(fn, "cell", cell, 0, low_open=True, fix="the size of one image in inches, e.g. cell=0.85")
    arrays = {name: as_numpy(W, fn, "rows", ndim=2, min_rows=1) for name, W in rows.items()}
    k = {len(W) for W in arrays.values()}
    if len(k) != 1:
        fail(fn, "rows", rows, f"hold {sorted(k)} images; every row needs the same number of images", "")
    k = k.pop()
    for name, W in arrays.items():
        if W.shape[1] != h * w:
            fail(fn, "rows", rows, f"hold images of {W.shape[1]} values in row {name!r}, not h*w = {h * w}",
                 "pass the right image_shape")
        if titles is not None and name in titles:
            check_titles(fn, "titles", titles[name], k)
    ncols = k if ncols is None else min(check_int(fn, "ncols", ncols, 1, fix="images per line, e.g. ncols=5"), k)
    lines = -(-k // ncols)
    line_h = cell + (0.3 if titles else 0.08)
    fig, axes = axes_grid(fn, ax, (cell * ncols + 1.3, line_h * lines * len(arrays) + 0.15 * len(arrays)),
                          lines * len(arrays), ncols)
    blocks = []
    for r, (name, W) in enumerate(arrays.items()):
        block = axes[r * lines:(r + 1) * lines]
        lim = weight_limit(W)
        for i, ax in enumerate(block.flat):
            if i >= k:
                ax.axis("off")
                continue
            im = ax.imshow(W[i].reshape(image_shape), cmap=WEIGHT_CMAP, vmin=-lim, vmax=lim, interpolation="nearest")
            ax.set_xticks([]), ax.set_yticks([])
            for side in ax.spines.values():
                side.set_visible(False)
            if titles is not None and name in titles:
                ax.set_title(str(titles[name][i]), fontsize=10)
        bar = fig.colorbar(im, ax=list(block.flat), shrink=0.85, pad=0.02, aspect=8 * lines)
        bar.ax.tick_params(labelsize=10)
        blocks.append((name, block))
    for name, block in blocks:                          # the label, centred on its block, once the bars took their room
        top, bottom = block[0, 0].get_position(), block[-1, 0].get_position()
        fig.text(top.x0 - 0.01, (top.y1 + bottom.y0) / 2, name, rotation=90, ha="right", va="center", fontsize=10)
    return fig
