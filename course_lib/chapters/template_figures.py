"""Interactive (plotly) figures of chapter 1: the confusion matrix, training over epochs, templates.

Taught in :doc:`/book/01_templates`. Each returns a plotly figure that the static site shows as it
is or under a slider (:mod:`course_lib.core.twins`).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib.chapters.template_plots import _check_names, _check_rows_are_images, _names
from course_lib.core.plots import CLASS_COLORS
from course_lib.core.validate import check_array, check_int, check_labels, check_mapping, check_number, fail


def confusion_figure(cm: np.ndarray, y: np.ndarray, probs: np.ndarray, n_listed: int = 5,
                     class_names: Sequence | None = None) -> go.Figure:
    """Plotly confusion matrix; hovering a cell tells how many samples and which ones (surest first).

    Args:
        cm: counts of shape (C, C) (rows = true, columns = predicted); y: true labels (n,);
        probs: predicted probabilities (n, C); n_listed: sample indices listed per cell.

    Returns:
        go.Figure
    """
    fn = "confusion_figure"
    a = check_array(fn, "cm", cm, ndim=2, min_rows=1)
    if a.shape[0] != a.shape[1]:
        fail(fn, "cm", cm, f"has shape {a.shape}; it needs a square (C, C) matrix of counts", "")
    p = check_array(fn, "probs", probs, shape=(None, len(a)), fix=f"pass probabilities of shape (n, {len(a)})")
    if len(p) != len(y):
        fail(fn, "probs", probs, f"has {len(p)} rows for {len(y)} labels in y", "pass one row per sample")
    check_labels(fn, "y", y, n=len(p), n_classes=len(a))
    check_int(fn, "n_listed", n_listed, 0, fix="samples listed per cell, e.g. n_listed=5")
    _check_names(fn, class_names, len(a))
    cm, y, probs = np.asarray(cm), np.asarray(y), np.asarray(probs)
    names, pred = _names(len(cm), class_names), probs.argmax(1)
    hover = [[""] * len(cm) for _ in cm]
    for i in range(len(cm)):
        for j in range(len(cm)):
            members = np.flatnonzero((y == i) & (pred == j))
            members = members[np.argsort(-probs[members, j])][:n_listed]
            listed = ", ".join(f"#{m} ({probs[m, j]:.0%})" for m in members)
            hover[i][j] = (f"true {names[i]}, predicted {names[j]}: {cm[i, j]} digits"
                           + (f"<br>surest: {listed}" if listed else ""))
    z = np.log10(cm + 1)  # colour by log count so that the mistakes stay visible beside the diagonal
    fig = go.Figure(go.Heatmap(z=z, x=names, y=names, text=cm, texttemplate="%{text}", customdata=hover,
                               hovertemplate="%{customdata}<extra></extra>", colorscale="Blues", showscale=False))
    fig.update_yaxes(autorange="reversed", title_text="true class", type="category")
    fig.update_xaxes(title_text="predicted class", type="category", side="bottom")
    fig.update_layout(width=520, height=480, title_text="Test set: true vs predicted digit",
                      margin={"l": 60, "r": 20, "t": 50, "b": 50})
    return fig


def _percent(img: np.ndarray, vmax: float) -> np.ndarray:
    """Weights as whole percentages of the colour limit, int8 in [-100, 100] (1 byte per value on the page)."""
    return np.clip(np.round(100 * np.asarray(img, dtype=float) / vmax), -100, 100).astype(np.int8)


def _heatmap(z: np.ndarray) -> go.Heatmap:
    return go.Heatmap(z=z, coloraxis="coloraxis",
                      hovertemplate="row %{y}, col %{x}<br>weight: %{z}% of the colour limit<extra></extra>")


def _coloraxis(title: str) -> dict:
    return {"colorscale": "RdBu", "cmin": -100, "cmax": 100, "cmid": 0,
            "colorbar": {"title": {"text": title}, "ticksuffix": "%"}}


def _square_axes(fig: go.Figure, n_axes: int) -> None:
    for i in range(1, n_axes + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"xaxis{suffix}"].update(showticklabels=False, showgrid=False, zeroline=False)
        fig.layout[f"yaxis{suffix}"].update(showticklabels=False, showgrid=False, zeroline=False,
                                            autorange="reversed", scaleanchor=f"x{suffix}")


def training_figure(W: np.ndarray, epoch: int, curves: Mapping[str, np.ndarray], vmax: float,
                    title: str, image_shape: tuple[int, int] = (28, 28)) -> go.Figure:
    """Plotly: the ten templates at one epoch above the loss and accuracy curves, the epoch marked.

    Weights are stored as whole percentages of ``vmax`` (one byte each), which keeps static
    twins light; the colour bar and the hover text give percentages of ``vmax``.

    Args:
        W: templates at ``epoch``, shape (10, h*w); epoch: the epoch shown;
        curves: ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc`` arrays over epochs 0..E;
        vmax: shared colour limit; title: figure title.

    Returns:
        go.Figure
    """
    fn = "training_figure"
    _check_rows_are_images(fn, "W", W, image_shape, n=10)
    check_number(fn, "vmax", vmax, 0, low_open=True, fix="a positive colour limit")
    needed = ("train_loss", "test_loss", "train_acc", "test_acc")
    check_mapping(fn, "curves", curves, f"pass {needed}")
    missing = [k for k in needed if k not in curves]
    if missing:
        fail(fn, "curves", sorted(curves), f"lacks {missing}", f"pass all of {needed}")
    for k in needed:
        check_array(fn, f"curves[{k!r}]", curves[k], ndim=1, min_rows=1, fix="one value per epoch 0..E")
    n_epochs = min(len(curves[k]) for k in needed)
    check_int(fn, "epoch", epoch, 0, n_epochs - 1, fix=f"the curves cover epochs 0..{n_epochs - 1}")
    W = np.asarray(W)
    specs = [[{}] * 5, [{}] * 5, [{"colspan": 2}, None, None, {"colspan": 2}, None]]
    fig = make_subplots(rows=3, cols=5, specs=specs, row_heights=[0.3, 0.3, 0.4], vertical_spacing=0.07,
                        horizontal_spacing=0.02, subplot_titles=[str(c) for c in range(10)] + ["loss", "accuracy"])
    for c in range(10):
        fig.add_trace(_heatmap(_percent(W[c].reshape(image_shape), vmax)), row=c // 5 + 1, col=c % 5 + 1)
    _square_axes(fig, 10)
    epochs = np.arange(len(curves["train_loss"]))
    for col, stem in ((1, "loss"), (4, "acc")):
        for part, dash in (("train", "solid"), ("test", "dash")):
            values = np.asarray(curves[f"{part}_{stem}"])
            fig.add_trace(go.Scatter(x=epochs, y=np.round(values, 4), mode="lines", name=f"{part} {stem}",
                                     line={"dash": dash, "color": CLASS_COLORS[0 if part == "train" else 1]}),
                          row=3, col=col)
            fig.add_trace(go.Scatter(x=[epoch], y=[round(float(values[epoch]), 4)], mode="markers", showlegend=False,
                                     marker={"size": 9, "color": CLASS_COLORS[0 if part == "train" else 1]}),
                          row=3, col=col)
        fig.update_xaxes(title_text="epoch", row=3, col=col)
    coloraxis = _coloraxis(f"weight<br>(% of {vmax:.3g})")
    coloraxis["colorbar"].update(len=0.55, y=0.75)
    fig.update_layout(coloraxis=coloraxis, height=620, title_text=title,
                      margin={"l": 40, "r": 20, "t": 70, "b": 40},
                      legend={"x": 1.0, "y": 0.0, "xanchor": "left", "yanchor": "bottom"})
    return fig


def templates_figure(W: np.ndarray, highlight: int, vmax: float, title: str,
                     image_shape: tuple[int, int] = (28, 28)) -> go.Figure:
    """Plotly: one template large (``highlight``) beside all ten small, on one colour scale.

    The weights are drawn as whole percentages of ``vmax`` (one byte each), so that figures
    whose weights differ tenfold, joined by :func:`~course_lib.core.twins.static_twin`, can
    share one colour bar and stay light; put ``vmax`` in the title.

    Args:
        W: templates of shape (10, h*w); highlight: the class drawn large (0..9); vmax: colour
            limit (positive); title: figure title.

    Returns:
        go.Figure
    """
    fn = "templates_figure"
    _check_rows_are_images(fn, "W", W, image_shape, n=10)
    check_int(fn, "highlight", highlight, 0, 9, fix="the class drawn large, 0..9")
    check_number(fn, "vmax", vmax, 0, low_open=True, fix="a positive colour limit")
    W = np.asarray(W)
    W = _percent(W, vmax)
    specs = [[{"rowspan": 2, "colspan": 2}, None] + [{}] * 5, [None, None] + [{}] * 5]
    fig = make_subplots(rows=2, cols=7, specs=specs, horizontal_spacing=0.015, vertical_spacing=0.08,
                        subplot_titles=[f"template {highlight}"] + [str(c) for c in range(10)])
    fig.add_trace(_heatmap(W[highlight].reshape(image_shape)), row=1, col=1)
    for c in range(10):
        fig.add_trace(_heatmap(W[c].reshape(image_shape)), row=c // 5 + 1, col=c % 5 + 3)
    _square_axes(fig, 11)
    fig.update_layout(coloraxis=_coloraxis("weight<br>(% of limit)"), height=400, title_text=title,
                      margin={"l": 20, "r": 20, "t": 110, "b": 20})
    return fig
