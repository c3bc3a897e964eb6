"""Figures of chapter 6 (:doc:`/book/06_memorization`), drawn on the chapter page and its companion:
accuracy curves of networks trained on true and on shuffled labels, and the thesis's deviation
measures per layer (Chen 2017, figs. 6.12-6.15).

Like ``course_lib.plots``, these functions take arrays, never train, and return the figure.
"""
from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np

from course_lib.core.plots import CLASS_COLORS, _check_ax, axes_grid
from course_lib.core.validate import check_array, check_mapping, check_number, check_type, fail

#: The panels of :func:`plot_deviations`: title, then (measure, legend label) per line.
DEVIATION_PANELS = [
    ("(a) Euclidean", [("inner_euclidean", "inner"), ("inter_euclidean", "inter")]),
    ("(b) activation level", [("level", "L1 norm")]),
    ("(c) inner-class, level-insensitive", [("inner_cosine", "cosine"), ("inner_correlation", "correlation"),
                                            ("inner_norm_euclidean", "norm. Euclidean")]),
    ("(d) inter-class, level-insensitive", [("inter_cosine", "cosine"), ("inter_correlation", "correlation"),
                                            ("inter_norm_euclidean", "norm. Euclidean")])]

#: Line styles of the (at most three) networks in :func:`plot_deviations`, in order.
NETWORK_STYLES = ["-", "--", ":"]


def plot_accuracy_curves(curves: Mapping[str, tuple], title: str, chance: float | None = None,
                         ax: plt.Axes | None = None) -> plt.Figure:
    """Training (solid) and test (dashed) accuracy per epoch of several runs, one colour per run.

    Introduced in chapter 6, where true labels, shuffled labels and random pixels are fitted.

    Args:
        curves: run name -> (training accuracy (epochs + 1,), test accuracy (epochs + 1,), colour).
        title: the axes' title.
        chance: the accuracy of guessing, drawn as a dotted line (None: no line).
        ax: draw into this Axes instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_accuracy_curves"
    check_mapping(fn, "curves", curves, "pass e.g. {'true labels': (train_acc, test_acc, 'C0')}")
    for name, curve in curves.items():
        if not isinstance(curve, (tuple, list)) or len(curve) != 3:
            fail(fn, f"curves[{name!r}]", curve, "is not a (train_acc, test_acc, colour) triple",
                 "pass the two accuracy curves and a matplotlib colour", TypeError)
        for part, acc in zip(("train_acc", "test_acc"), curve[:2]):
            check_array(fn, f"curves[{name!r}] {part}", acc, ndim=1, min_rows=1, fix="accuracies per epoch, shape (epochs + 1,)")
    check_type(fn, "title", title, str, "a string")
    if chance is not None:
        check_number(fn, "chance", chance, 0.0, 1.0, fix="an accuracy in [0, 1], e.g. 1 / 60, or None")
    _check_ax(fn, ax)
    fig, ax = plt.subplots(figsize=(5, 4), layout="constrained") if ax is None else (ax.figure, ax)
    for name, (train_acc, test_acc, color) in curves.items():
        ax.plot(train_acc, color=color, label=f"{name}: training")
        ax.plot(test_acc, color=color, ls="--", label=f"{name}: test")
    if chance is not None:
        ax.axhline(chance, color="gray", ls=":", lw=1, label="chance")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)   # below the axes
    return fig


def plot_deviations(measures: Mapping[str, Mapping[str, np.ndarray]], title: str,
                    ax: plt.Axes | None = None) -> plt.Figure:
    """The deviation measures of up to three networks per layer, in four panels (Chen 2017, fig. 6.12).

    (a) inner- and inter-class Euclidean deviation; (b) activation level; (c) and (d) the
    level-insensitive measures inside classes and between classes. One colour per measure, one
    line style per network (solid, dashed, dotted, in the order of ``measures``).

    Args:
        measures: network name -> the dict of :func:`~course_lib.chapters.geometry.deviation_measures`
            (each measure an array of shape (n_layers,), layer 0 the input).
        title: the figure's title.
        ax: draw into this Axes (the four panels take its place) instead of a new figure.

    Returns:
        matplotlib.figure.Figure
    """
    fn = "plot_deviations"
    check_mapping(fn, "measures", measures, "pass e.g. {'learning': geometry.deviation_measures(layers, y)}")
    if len(measures) > len(NETWORK_STYLES):
        fail(fn, "measures", measures, f"holds {len(measures)} networks", f"pass at most {len(NETWORK_STYLES)}")
    keys = [key for _, panel in DEVIATION_PANELS for key, _ in panel]
    n_layers = None
    for name, m in measures.items():
        check_mapping(fn, f"measures[{name!r}]", m, "pass the dict that geometry.deviation_measures returns")
        for key in keys:
            if key not in m:
                fail(fn, f"measures[{name!r}]", m, f"has no {key!r}", "pass the dict that geometry.deviation_measures returns")
            values = check_array(fn, f"measures[{name!r}][{key!r}]", m[key], ndim=1, min_rows=1)
            if n_layers is not None and len(values) != n_layers:
                fail(fn, f"measures[{name!r}][{key!r}]", m[key], f"has {len(values)} layers, others {n_layers}",
                     "measure every network on the same layers")
            n_layers = len(values)
    check_type(fn, "title", title, str, "a string")
    styles = {name: ls for name, ls in zip(measures, NETWORK_STYLES)}
    own_figure = ax is None      # (the loops below rebind `ax`)
    if ax is None:
        fig, axes = plt.subplots(4, 1, figsize=(5, 10), sharex=True, layout="constrained")
    else:
        fig, axes = axes_grid(fn, ax, (5, 10), 4, 1)
        axes = axes[:, 0]
    for ax, (panel_title, panel) in zip(axes, DEVIATION_PANELS):
        for color, (key, label) in zip(CLASS_COLORS, panel):
            for name, m in measures.items():
                ax.plot(m[key], styles[name], marker="o", ms=3, color=color,
                        label=label if name == next(iter(measures)) else None)
        ax.set(xticks=range(n_layers))
        ax.set_title(panel_title, pad=22 if len(panel) > 1 else 6)
        if len(panel) > 1:                      # colours: one line of legend between title and axes
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(panel), frameon=False,
                      handlelength=1.5, columnspacing=1.0, borderaxespad=0.1)
    style_handles = [plt.Line2D([], [], ls=ls, color="black") for ls in styles.values()]
    axes[-1].set_xlabel("layer (0 = input)")
    if own_figure:   # line styles: one legend for all panels, below them
        fig.legend(style_handles, list(styles), loc="outside lower center", ncol=2, frameon=False)
        fig.suptitle(title)
    else:            # in a larger figure: the grid's own title and legend
        axes[-1].legend(style_handles, list(styles), loc="upper left", frameon=False)
        axes[0].set_title(f"{title}\n{axes[0].get_title()}")
    return fig
