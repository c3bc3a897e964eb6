"""Figures of chapter 1 (templates): they take arrays, never train, and return the figure.

Introduced in chapter 1 (:doc:`/book/01_templates`). Each draws into ``ax`` when given (a grid of
panels takes its place) or into a new figure. Weights and evidence use the book's
diverging map (blue = positive, red = negative) with one scale per figure; classes use
:data:`course_lib.core.plots.CLASS_COLORS`.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_lib.chapters.templates import Evidence
from course_lib.core.plots import CLASS_COLORS, WEIGHT_CMAP, axes_grid, figure_and_axes, gridspec_in, weight_limit
from course_lib.core.validate import check_array, check_image_shape, check_int, check_mapping, check_type, fail


def _names(n: int, class_names: Sequence | None) -> list[str]:
    return [str(c) for c in (class_names if class_names is not None else range(n))]


def _check_names(fn: str, class_names, n: int) -> None:
    """``None`` or one class name for each of the ``n`` classes."""
    if class_names is None:
        return
    if isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__len__"):
        fail(fn, "class_names", class_names, "is not a list of names", "pass one name per class", TypeError)
    if len(class_names) < n:
        fail(fn, "class_names", class_names, f"has {len(class_names)} names for {n} classes", "pass one name per class")


def _check_rows_are_images(fn: str, name: str, W, image_shape, n: int | None = None) -> None:
    """Rows of finite numbers (k, h*w), ``n`` of them if given."""
    h, w = check_image_shape(fn, image_shape)
    a = check_array(fn, name, W, ndim=2, min_rows=1, fix=f"pass one image per row, shape (k, {h * w})")
    if a.shape[1] != h * w:
        fail(fn, name, W, f"has rows of {a.shape[1]} values, not h*w = {h * w} for image_shape={tuple(image_shape)}",
             "pass the right image_shape")
    if n is not None and len(a) != n:
        fail(fn, name, W, f"holds {len(a)} images; it needs {n}", "")


def _off(ax: plt.Axes) -> None:
    ax.set_xticks([]), ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_means_and_templates(means: np.ndarray, W: np.ndarray, class_names: Sequence | None = None,
                             image_shape: tuple[int, int] = (28, 28), ax: plt.Axes | None = None) -> plt.Figure:
    """Class means (top row, ink dark) above the templates (bottom row, weight colours, one scale).

    Args:
        means: class-mean images of shape (C, h*w); W: templates of shape (C, h*w).
    """
    fn = "plot_means_and_templates"
    _check_rows_are_images(fn, "W", W, image_shape)
    _check_rows_are_images(fn, "means", means, image_shape)
    means, W = np.asarray(means), np.asarray(W)
    if means.shape != W.shape or W.ndim != 2:
        fail(fn, "W", W, f"and means {means.shape} must both have shape (C, h*w)", "pass one mean per template")
    _check_names(fn, class_names, len(W))
    C, names, vmax = len(W), _names(len(W), class_names), weight_limit(W)
    per_row, blocks = min(C, 5), -(-C // min(C, 5))     # ten classes: two blocks of five, for a phone
    fig, axes = axes_grid(fn, ax, (0.8 * per_row + 1.4, 1.9 * blocks), 2 * blocks, per_row)
    list(map(_off, axes.flat))
    for c in range(C):
        top, col = 2 * (c // per_row), c % per_row
        axes[top, col].imshow(means[c].reshape(image_shape), cmap="gray_r")
        axes[top, col].set_title(names[c])
        im = axes[top + 1, col].imshow(W[c].reshape(image_shape), cmap=WEIGHT_CMAP, vmin=-vmax, vmax=vmax)
    for top in range(0, 2 * blocks, 2):
        axes[top, 0].set_ylabel("mean")
        axes[top + 1, 0].set_ylabel("template")
    fig.colorbar(im, ax=list(axes.flat), shrink=0.6, pad=0.03).set_label("weight")
    return fig


def plot_correlation_matrix(corr: np.ndarray, row_label: str, col_label: str, title: str = "",
                            class_names: Sequence | None = None, ax: plt.Axes | None = None) -> plt.Figure:
    """A correlation matrix with its values written in (so no colour bar), the row maxima framed.

    Args:
        corr: shape (C, C), values in [-1, 1]; row_label, col_label: what rows and columns are.
    """
    fn = "plot_correlation_matrix"
    a = check_array(fn, "corr", corr, ndim=2, min_rows=1, fix="pass a (C, C) matrix of correlations")
    if a.shape[0] != a.shape[1]:
        fail(fn, "corr", corr, f"has shape {a.shape}; it needs a square (C, C) matrix", "")
    if np.abs(a).max() > 1 + 1e-9:
        fail(fn, "corr", corr, f"holds {np.abs(a).max():g}, outside [-1, 1]", "pass correlations")
    _check_names(fn, class_names, len(a))
    corr = np.asarray(corr)
    names = _names(len(corr), class_names)
    fig, ax = figure_and_axes(fn, ax, (4.9, 4.9))    # fits a phone's column at 10 pt
    ax.imshow(corr, cmap=WEIGHT_CMAP, vmin=-1, vmax=1)
    for (i, j), v in np.ndenumerate(corr):            # the values are written in: no colour bar needed
        text = f"{v:.2f}".replace("0.", ".", 1)       # ".85", "-.12": fits a cell at 10 pt
        ax.text(j, i, text, ha="center", va="center", color="white" if abs(v) > 0.6 else "black")
    for i, j in enumerate(corr.argmax(1)):
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=1.8, ec="black"))
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    ax.tick_params(length=0)
    ax.set_title(title)
    return fig


def plot_evidence(x: np.ndarray, ev: Evidence, true_class: int, class_names: Sequence | None = None,
                  image_shape: tuple[int, int] = (28, 28), ax: plt.Axes | None = None) -> plt.Figure:
    """One input, its evidence map for every class (template x input, titled with the score; the
    predicted class in bold), and below the scores and the softmax.

    Args:
        x: the input of shape (h*w,); ev: :func:`course_lib.chapters.templates.evidence` of it.
    """
    fn = "plot_evidence"
    check_type(fn, "ev", ev, Evidence, "an Evidence (what course_lib.chapters.templates.evidence returns)")
    C = len(ev.scores)
    h, w = check_image_shape(fn, image_shape)
    check_array(fn, "x", x, shape=(h * w,), fix=f"pass the one input of shape ({h * w},) the evidence is of")
    check_int(fn, "true_class", true_class, 0, C - 1, fix=f"the input's label, one of 0..{C - 1}")
    _check_names(fn, class_names, C)
    C, names = len(ev.scores), _names(len(ev.scores), class_names)
    pred, vmax = int(np.argmax(ev.scores)), weight_limit(ev.maps)
    per_row = (C + 1) // 2
    fig, grid = gridspec_in(fn, ax, (0.75 * (per_row + 1) + 0.55, 4.6), 3, per_row + 1, height_ratios=[1, 1, 1.25],
                            hspace=0.6, wspace=0.12, top=0.93, bottom=0.1, left=0.04, right=0.86)  # ~5 in: a phone
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(np.asarray(x).reshape(image_shape), cmap="gray_r")
    ax.set_title(f"input\n(true {names[true_class]})", fontsize=10)
    _off(ax)
    map_axes = []
    for c in range(C):
        ax = fig.add_subplot(grid[c // per_row, c % per_row + 1])
        im = ax.imshow(ev.maps[c].reshape(image_shape), cmap=WEIGHT_CMAP, vmin=-vmax, vmax=vmax)
        # class above its score: two short lines fit a narrow panel at 10 pt
        ax.set_title(f"{names[c]}\n{ev.scores[c]:+.1f}", fontsize=10, fontweight="bold" if c == pred else "normal")
        _off(ax)
        map_axes.append(ax)
    fig.colorbar(im, ax=map_axes, shrink=0.8, pad=0.02).set_label("evidence")
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(C)]
    bottom = grid[2, :].subgridspec(1, 2, wspace=0.35)      # room for the second panel's y labels
    for col, values, label in ((0, ev.scores, "score $z_k$"), (1, ev.probs, "probability")):
        ax = fig.add_subplot(bottom[0, col])
        ax.bar(range(C), values, color=colors)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(range(C), names)
        ax.set_xlabel("class")
        ax.set_title(label, fontsize=10)
    return fig


def plot_cell_examples(images: np.ndarray, best: np.ndarray, class_names: Sequence | None = None,
                       image_shape: tuple[int, int] = (28, 28), ax: plt.Axes | None = None) -> plt.Figure:
    """The surest sample of every confusion-matrix cell (rows true, columns predicted class; correct
    cells framed green, mistakes red, empty cells blank), drawn as one mosaic image.

    Args:
        images: all samples, shape (n, h*w); best: indices of shape (C, C) from
            :func:`course_lib.chapters.templates.most_confident_per_cell` (-1 = empty cell).
    """
    fn = "plot_cell_examples"
    _check_rows_are_images(fn, "images", images, image_shape)
    check_array(fn, "best", best, ndim=2, kind="integer", fix="pass the indices from most_confident_per_cell")
    best, images = np.asarray(best), np.asarray(images)
    C, names = len(best), _names(len(best), class_names)
    _check_names(fn, class_names, C)
    if best.shape != (C, C) or best.max() >= len(images) or best.min() < -1:
        fail(fn, "best", best, f"has shape {best.shape} and indices {best.min()}..{best.max()} for {len(images)} images",
             "expected a square matrix of indices into images (-1 for empty cells)")
    h, w = image_shape
    pad = 4
    mosaic = np.full((C * (h + pad), C * (w + pad)), np.nan)
    fig, ax = figure_and_axes(fn, ax, (0.43 * C + 0.6, 0.43 * C + 0.6))   # fits a phone's column
    for (i, j), idx in np.ndenumerate(best):
        if idx < 0:
            continue
        top, left = i * (h + pad) + pad // 2, j * (w + pad) + pad // 2
        mosaic[top:top + h, left:left + w] = images[idx].reshape(image_shape)
        ax.add_patch(plt.Rectangle((left - 1, top - 1), w + 1, h + 1, fill=False, lw=1.2,
                                   ec="#2ca02c" if i == j else "#d62728"))
    cmap = plt.get_cmap("gray_r").with_extremes(bad="white")
    vmax = float(np.nanmax(mosaic)) if np.isfinite(mosaic).any() else 1.0
    ax.imshow(np.ma.masked_invalid(mosaic), cmap=cmap, vmin=0, vmax=vmax)
    centres = (np.arange(C) + 0.5) * (h + pad) - 0.5
    ax.set_xticks(centres, names)
    ax.set_yticks(centres, names)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("predicted class")
    ax.xaxis.set_label_position("top")
    ax.set_ylabel("true class")
    return fig


def plot_sweep(x: Sequence, series: Mapping[str, Sequence], xlabel: str, title: str = "", ax: plt.Axes | None = None) -> plt.Figure:
    """One panel per measured series against a swept setting (e.g. accuracy against the shift k), stacked.

    Args:
        x: the settings; series: name -> values (same length as x).
    """
    fn = "plot_sweep"
    check_mapping(fn, "series", series, "pass e.g. series={'accuracy': acc_by_k}")
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        fail(fn, "x", x, "is not a list of settings", "pass e.g. x=[0, 1, 2]", TypeError)
    for name, values in series.items():
        check_array(fn, f"series[{name!r}]", values, ndim=1, fix="pass one value per setting")
        if len(values) != len(x):
            fail(fn, "series", series, f"has {len(values)} values for {len(x)} settings in {name!r}",
                 "pass one value per setting")
    fig, axes = axes_grid(fn, ax, (4.0, 1.9 * len(series) + 0.4), len(series), 1)   # stacked: fits a phone
    for c, (ax, (name, values)) in enumerate(zip(axes.flat, series.items())):
        ax.plot(range(len(x)), values, "o-", color=CLASS_COLORS[c])
        ax.set_xticks(range(len(x)), [str(v) for v in x] if c == len(series) - 1 else [])
        ax.set_title(name)
    axes.flat[-1].set_xlabel(xlabel)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_rgb_templates(W: np.ndarray, class_names: Sequence | None = None,
                       image_shape: tuple[int, int, int] = (3, 32, 32), ax: plt.Axes | None = None) -> plt.Figure:
    """Colour templates (e.g. CIFAR-10): each rescaled to [0, 1] on its own and shown as an RGB image.

    Args:
        W: templates of shape (C, 3*h*w), channel-major (all red values, then green, then blue).
    """
    fn = "plot_rgb_templates"
    check_image_shape(fn, image_shape, channels=True)
    a = check_array(fn, "W", W, ndim=2, min_rows=1, fix=f"expected (C, {int(np.prod(image_shape))})")
    if a.shape[1] != int(np.prod(image_shape)):
        fail(fn, "W", W, f"has shape {a.shape}; expected (C, {int(np.prod(image_shape))})", "pass the right image_shape")
    _check_names(fn, class_names, len(a))
    W = np.asarray(W, dtype=float)
    names = _names(len(W), class_names)
    ncols = min(len(W), 5)                  # ten classes: two rows of five, for a phone's column
    nrows = -(-len(W) // ncols)
    fig, axes = axes_grid(fn, ax, (0.9 * ncols, 1.2 * nrows), nrows, ncols)
    [ax.axis("off") for ax in axes.flat[len(W):]]
    for c, ax in enumerate(axes.flat[:len(W)]):
        img = W[c].reshape(image_shape).transpose(1, 2, 0)
        ax.imshow((img - img.min()) / (img.max() - img.min() + 1e-12))
        ax.set_title(names[c])
        _off(ax)
    return fig
