"""Class-splitting neurons: measures and figures of chapter 3 (``book/03_class_splitting.ipynb``).

A hidden neuron trained on a classification task sends some classes to one end of its
activation range and the rest to the other. This module measures that split (a separation
score, a sign code per neuron, the within-class spread of a layer), runs the sign-flip test
of a class's activation pattern, and checks that a weight update is an outer product of the
error signal and the layer's input.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .validate import calling, check_array, check_bool, check_image_shape, check_int, check_labels, check_number, check_seed, fail

__all__ = ["separation_score", "split_codes", "count_splits", "within_class_spread", "flip_curves",
           "crossing", "outer_product_gradient", "update_cosines", "StepUpdates", "record_updates",
           "strips_figure", "plot_pixel_strips"]


def _check_acts(acts, y, fn: str, name: str = "acts") -> tuple[np.ndarray, np.ndarray]:
    check_array(fn, name, acts, ndim=2, min_rows=1,
                fix="expected (n, units), e.g. the activations of one layer on a probe")
    check_labels(fn, "y", y, n=len(acts), fix=f"pass one non-negative integer label per row of {name}")
    acts, y = np.asarray(acts, dtype=np.float64), np.asarray(y)
    if len(np.unique(y)) < 2:
        fail(fn, "y", y, f"holds only the class(es) {np.unique(y).tolist()}", "a split needs at least two classes")
    return acts, y


def _class_means(acts: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    classes = np.unique(y)
    return classes, np.stack([acts[y == c].mean(0) for c in classes])


def split_codes(acts: np.ndarray, y: np.ndarray, min_gap: float = 1e-6) -> np.ndarray:
    """Which classes each neuron sends to the high end of its activation (chapter 3).

    For every neuron the class means are sorted, and the classes above the largest gap
    between neighbouring means form the high side. Two classes always give a split; a
    neuron whose class means differ by less than ``min_gap`` (a dead ReLU) gets no split.

    Args:
        acts: activations of shape (n, units).
        y: integer labels of shape (n,); the classes present, in increasing order, are the columns.
        min_gap: largest gap below which a neuron counts as not splitting.

    Returns:
        np.ndarray: int8 of shape (units, k); 1 = the class is on the high side, 0 = low side,
        and a row of zeros for a neuron that does not split.
    """
    acts, y = _check_acts(acts, y, "split_codes")
    check_number("split_codes", "min_gap", min_gap, 0, fix="a small gap, e.g. min_gap=1e-6")
    _, means = _class_means(acts, y)                       # (k, units)
    order = np.sort(means, axis=0)
    gaps = np.diff(order, axis=0)                          # (k-1, units)
    g = gaps.argmax(0)
    threshold = (order[g, np.arange(means.shape[1])] + order[g + 1, np.arange(means.shape[1])]) / 2
    codes = (means > threshold).T.astype(np.int8)
    codes[gaps.max(0) < min_gap] = 0
    return codes


def separation_score(acts: np.ndarray, y: np.ndarray, eps: float = 1e-9) -> np.ndarray:
    """How far each neuron pushes its two sides apart, in units of their spread (chapter 3).

    The samples are grouped by the side of the neuron's split (:func:`split_codes`; with two
    classes, simply by class) and the score is the distance between the two group means
    divided by their pooled standard deviation, ``|m_high - m_low| / sqrt((v_high + v_low) / 2)``
    (Cohen's d). About 1 means heavy overlap, above 4 clean separation.

    Args:
        acts: activations of shape (n, units); y: integer labels of shape (n,).
        eps: added to the pooled variance so a perfectly constant group does not divide by zero.

    Returns:
        np.ndarray: float of shape (units,); 0 for a neuron that does not split.
    """
    acts, y = _check_acts(acts, y, "separation_score")
    check_number("separation_score", "eps", eps, 0, fix="a small number added to the variance, e.g. eps=1e-9")
    classes = np.unique(y)
    codes = split_codes(acts, y)
    side = codes[:, np.searchsorted(classes, y)].T.astype(bool)   # (n, units): sample on the high side
    scores = np.zeros(acts.shape[1])
    for j in range(acts.shape[1]):
        high, low = acts[side[:, j], j], acts[~side[:, j], j]
        if len(high) and len(low):
            scores[j] = abs(high.mean() - low.mean()) / np.sqrt((high.var() + low.var()) / 2 + eps)
    return scores


def count_splits(codes: np.ndarray, unordered: bool = False) -> int:
    """Number of distinct non-trivial splits among the rows of ``codes`` (chapter 3).

    With k classes there are 2**k - 2 ordered splits (which subset goes to the high end);
    ``unordered=True`` counts a split and its mirror image once (2**(k-1) - 1 possible).

    Args:
        codes: 0/1 array of shape (units, k) from :func:`split_codes`.
        unordered: identify a code with its complement.

    Returns:
        int: the number of distinct codes.
    """
    check_array("count_splits", "codes", codes, ndim=2, fix="expected a 0/1 array (units, k) from split_codes()")
    check_bool("count_splits", "unordered", unordered)
    codes = np.asarray(codes)
    if not np.isin(codes, (0, 1)).all():
        fail("count_splits", "codes", codes, "holds values other than 0 and 1",
             "expected a 0/1 array (units, k) from split_codes()")
    rows = {tuple(int(v) for v in row) for row in codes if 0 < row.sum() < codes.shape[1]}
    if unordered:
        rows = {min(row, tuple(1 - v for v in row)) for row in rows}
    return len(rows)


def within_class_spread(acts: np.ndarray, y: np.ndarray, relative: bool = False) -> float:
    """Spread of a layer's activation pattern around its class's mean pattern (chapter 3).

    Args:
        acts: activations of one layer, shape (n, units); y: labels of shape (n,).
        relative: if False, the root-mean-square distance of each sample from its class mean
            per unit, ``sqrt(mean_i ||a_i - mu_{y_i}||^2 / units)``; if True, the share of the
            layer's total variance that lies within classes (0 = each class is one point).

    Returns:
        float: the spread (absolute or relative).
    """
    acts, y = _check_acts(acts, y, "within_class_spread")
    relative = check_bool("within_class_spread", "relative", relative)
    classes, means = _class_means(acts, y)
    centred = acts - means[np.searchsorted(classes, y)]
    within = float((centred ** 2).sum())
    if relative:
        total = float(((acts - acts.mean(0)) ** 2).sum())
        return within / total if total > 0 else 0.0
    return float(np.sqrt(within / acts.size))


def flip_curves(h: np.ndarray, W: np.ndarray, b: np.ndarray, n_orders: int = 200, seed: int = 0,
                orders: np.ndarray | None = None) -> np.ndarray:
    """Class probabilities of an output layer as the entries of a pattern flip sign one by one (chapter 3).

    The output layer computes ``softmax(W @ h + b)``. Flipping entry i adds ``-2 * W[:, i] * h[i]``
    to the logits, so each order of flips is one cumulative sum.

    Args:
        h: activation pattern of the last hidden layer, shape (units,).
        W, b: output weights (C, units) and bias (C,).
        n_orders: number of random flip orders; seed: seed of the orders.
        orders: chosen flip orders instead of random ones, shape (m, units), each row a permutation
            of ``range(units)`` (e.g. the units sorted by their contribution); overrides ``n_orders``.

    Returns:
        np.ndarray: float of shape (n_orders or m, units + 1, C); row k holds the probabilities after k flips.
    """
    fn = "flip_curves"
    check_array(fn, "h", h, ndim=1, min_rows=1, fix="expected the pattern of shape (units,)")
    check_array(fn, "W", W, shape=(None, len(h)), fix=f"expected output weights (C, {len(h)})")
    check_array(fn, "b", b, shape=(np.shape(W)[0],), fix=f"expected biases ({np.shape(W)[0]},)")
    seed = check_seed(fn, "seed", seed)
    h, W, b = (np.asarray(a, dtype=np.float64) for a in (h, W, b))
    if orders is not None:
        check_array(fn, "orders", orders, ndim=(1, 2), kind="integer")
        orders = np.atleast_2d(np.asarray(orders))
        if orders.shape[1] != len(h) or not (np.sort(orders, axis=1) == np.arange(len(h))).all():
            fail(fn, "orders", orders, f"has shape {orders.shape}; expected rows that are permutations of range({len(h)})",
                 "e.g. np.argsort(-contributions)[None]")
        n_orders = len(orders)
    else:
        check_int(fn, "n_orders", n_orders, 1, fix="a positive integer, e.g. 200")
        rng = np.random.default_rng(seed)
        orders = np.stack([rng.permutation(len(h)) for _ in range(n_orders)])
    steps = (-2.0 * W * h).T                                # (units, C): change of the logits per flip
    logits = np.concatenate([np.zeros((n_orders, 1, W.shape[0])), np.cumsum(steps[orders], axis=1)], axis=1)
    logits += W @ h + b
    logits -= logits.max(-1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(-1, keepdims=True)


def crossing(curve: np.ndarray, level: float = 0.5) -> float:
    """Where a curve first crosses ``level`` (linear interpolation between samples); NaN if never.

    Args:
        curve: values at x = 0, 1, ..., len-1, shape (m,).

    Returns:
        float: the x of the first crossing.
    """
    check_array("crossing", "curve", curve, ndim=1, min_rows=2, fix="expected a 1-D array of at least 2 values")
    check_number("crossing", "level", level, fix="e.g. level=0.5")
    curve = np.asarray(curve, dtype=np.float64)
    d = curve - level
    hits = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) <= 0)
    hits = [i for i in hits if d[i] != d[i + 1] or d[i] == 0]
    if not hits:
        return float("nan")
    i = hits[0]
    return float(i) if d[i] == d[i + 1] else float(i + d[i] / (d[i] - d[i + 1]))


def outer_product_gradient(delta: torch.Tensor | np.ndarray, A: torch.Tensor | np.ndarray):
    """The weight gradient of a linear layer ``z = A @ W.T + b``: ``delta.T @ A`` (chapter 3).

    For one sample it is the outer product of the error signal ``delta = dL/dz`` and the
    layer's input ``a``: row j is ``delta_j * a``, a copy of the input scaled by one number.

    Args:
        delta: dL/dz of shape (n, out); A: the layer's inputs, shape (n, in).

    Returns:
        np.ndarray | torch.Tensor: shape (out, in), dL/dW summed over the n samples (the type of ``delta``).
    """
    fn = "outer_product_gradient"
    tensor = isinstance(delta, torch.Tensor)
    if not tensor and not isinstance(delta, np.ndarray):
        fail(fn, "delta", delta, "is neither a NumPy array nor a torch tensor", "pass e.g. np.asarray(delta)", TypeError)
    check_array(fn, "delta", delta, ndim=2, fix="expected (n, out)")
    check_array(fn, "A", A, ndim=2, tensor=tensor, fix=f"expected (n, in), a {'tensor' if tensor else 'NumPy array'} like delta")
    if delta.shape[0] != A.shape[0]:
        fail(fn, "A", A, f"has {A.shape[0]} rows but delta has {delta.shape[0]}", "expected (n, out) and (n, in) with the same n")
    return delta.T @ A


def update_cosines(dW: np.ndarray, a: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Cosine between each row of a weight change and the layer's input (chapter 3).

    Args:
        dW: weight change of shape (out, in); a: the input of that step, shape (in,).
        tol: rows (or an input) with a norm below this get NaN (the neuron did not move).

    Returns:
        np.ndarray: float of shape (out,); +1 or -1 when every row is a multiple of the input.
    """
    check_array("update_cosines", "dW", dW, ndim=2, fix="expected (out, in)")
    check_array("update_cosines", "a", a, shape=(np.shape(dW)[1],), fix="expected the input of shape (in,)")
    check_number("update_cosines", "tol", tol, 0, fix="a small norm, e.g. tol=1e-12")
    dW, a = np.asarray(dW, dtype=np.float64), np.asarray(a, dtype=np.float64)
    norms = np.linalg.norm(dW, axis=1) * np.linalg.norm(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = dW @ a / norms
    cos[np.linalg.norm(dW, axis=1) < tol] = np.nan
    return cos if np.linalg.norm(a) >= tol else np.full(len(dW), np.nan)


@dataclass
class StepUpdates:
    """What :func:`record_updates` saw at every step of one-sample training.

    Attributes:
        X: the input of each step, shape (steps, n_features); y: its label, shape (steps,).
        updates: parameter name (``"layers.0.weight"``) -> weight change of each step, (steps, out, in).
        inputs: the same name -> the input that linear layer received at each step, (steps, in).
    """

    X: np.ndarray
    y: np.ndarray
    updates: dict[str, np.ndarray] = field(default_factory=dict)
    inputs: dict[str, np.ndarray] = field(default_factory=dict)


def record_updates(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, lr: float, momentum: float = 0.0,
                   batch_seed: int = 0) -> StepUpdates:
    """Train ``model`` one sample at a time on (X, y), one pass, and keep every weight change (chapter 3).

    Uses :func:`course_lib.train.train` with ``batch_size=1`` and SGD; the change of each
    linear layer's weight at each step is the difference of the weights after and before it.

    Args:
        model: an :class:`~course_lib.models.MLP` (its ``layers`` alternate Linear and activation).
        X: inputs (steps, n_features); y: labels (steps,). One step per sample, in a seeded order.
        lr: learning rate; momentum: SGD momentum (0 = plain SGD).
        batch_seed: seed of the sample order.

    Returns:
        StepUpdates: one entry per linear layer.
    """
    from .data import Split
    from .models import MLP
    from .optim import check_recipe
    from .record import activations
    from .train import train

    fn = "record_updates"
    if not isinstance(model, MLP):
        fail(fn, "model", model, "is not a course_lib MLP", "pass e.g. MLP([784, 10, 2])", TypeError)
    check_recipe(fn, lr=lr, momentum=momentum)
    linear = [i for i, m in enumerate(model.layers) if isinstance(m, nn.Linear)]
    names = [f"layers.{i}.weight" for i in linear]
    seen = {"X": [], "y": [], "before": [], "inputs": []}

    def observe(event) -> None:
        if event.phase != "step":
            return
        acts = activations(model, event.X, [f"layers.{i - 1}" for i in linear if i > 0])
        seen["X"].append(event.X[0].detach().cpu().numpy())
        seen["y"].append(int(event.y[0]))
        seen["before"].append({n: dict(model.named_parameters())[n].detach().cpu().numpy().copy() for n in names})
        seen["inputs"].append({n: (acts["input"][0] if i == 0 else acts[f"layers.{i - 1}"][0])
                               for n, i in zip(names, linear)})

    with calling(fn):
        train(model, Split(X, y, X, y), epochs=1, lr=lr, batch_size=1, momentum=momentum, batch_seed=batch_seed,
              eval_every=None, callback=observe, progress=False)
    after = seen["before"][1:] + [{n: dict(model.named_parameters())[n].detach().cpu().numpy() for n in names}]
    result = StepUpdates(np.stack(seen["X"]), np.asarray(seen["y"]))
    for n in names:
        result.updates[n] = np.stack([a[n] - b[n] for a, b in zip(after, seen["before"])])
        result.inputs[n] = np.stack([s[n] for s in seen["inputs"]])
    return result


def strips_figure(layer_acts: Sequence[np.ndarray], y: np.ndarray, layer_names: Sequence[str] | None = None,
                  class_names: Sequence | None = None, xlim: tuple[float, float] | None = None,
                  title: str | None = None, seed: int = 0):
    """Plotly strip plots of whole layers: one panel per layer, one row per neuron (chapter 3).

    In a panel, each dot is one sample: x = the neuron's activation, y = the neuron's row plus
    a fixed random jitter, colour = class (:data:`course_lib.plots.CLASS_COLORS`).

    Args:
        layer_acts: one array (n, units) per layer; y: labels (n,).
        layer_names: panel titles; class_names: legend names; xlim: shared x range.
        title: figure title; seed: seed of the jitter (the same for every call, so dots keep their row).

    Returns:
        plotly.graph_objects.Figure: one trace per layer and class.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .plots import class_color

    from .plots import _check_class_names, _check_xlim, check_titles

    fn = "strips_figure"
    if isinstance(layer_acts, (str, bytes, np.ndarray)) or not hasattr(layer_acts, "__len__") or len(layer_acts) == 0:
        fail(fn, "layer_acts", layer_acts, "is not a non-empty list of arrays (n, units)", "pass one array per layer")
    y = np.asarray(y)
    layer_acts = [np.asarray(a) for a in layer_acts]
    for a in layer_acts:
        _check_acts(a, y, fn, "layer_acts")
    check_titles(fn, "layer_names", layer_names, len(layer_acts), "layer")
    _check_class_names(fn, class_names, y)
    _check_xlim(fn, xlim)
    check_seed(fn, "seed", seed)
    names = list(layer_names) if layer_names is not None else [f"hidden layer {i + 1}" for i in range(len(layer_acts))]
    fig = make_subplots(rows=1, cols=len(layer_acts), subplot_titles=names, shared_yaxes=True,
                        horizontal_spacing=0.04)
    jitter = np.random.default_rng(seed).uniform(-0.33, 0.33, len(y))
    for col, a in enumerate(layer_acts, start=1):
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
    n_units = max(a.shape[1] for a in layer_acts)
    fig.update_yaxes(tickvals=list(range(n_units)), ticktext=[f"neuron {j}" for j in range(n_units)],
                     autorange="reversed", showgrid=False, row=1, col=1)
    fig.update_layout(title_text=title, height=140 + 26 * n_units, margin={"l": 70, "r": 20, "t": 70, "b": 40},
                      legend={"title": {"text": "class"}})
    return fig


def plot_pixel_strips(X: np.ndarray, y: np.ndarray, image_shape: tuple[int, int] = (28, 28),
                      class_names: Sequence | None = None, n_per_class: int = 60, crop: int = 0, seed: int = 0):
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

    Returns:
        matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from .plots import class_color

    from .plots import _check_class_names

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
    fig, ax = plt.subplots(figsize=(9, 9 * (h - 2 * crop) / (w - 2 * crop)))
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
    ax.legend(markerscale=8, fontsize=8, loc="upper right", title="class", framealpha=0.9)
    ax.set_title("every pixel as a strip: x within a cell = pixel value (0 left, 1 right); no dot = no ink")
    return fig
