"""Class-splitting neurons (chapter 3): the measures.

Taught in :doc:`/book/03_class_splitting`. The weight updates are in :mod:`course_lib.chapters.updates`,
the figures in :mod:`course_lib.chapters.splitting_plots`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from course_lib.core.measures import class_means
from course_lib.core.validate import calling, check_array, check_bool, check_int, check_labels, check_number, check_seed, fail


def _check_acts(acts, y, fn: str, name: str = "acts") -> tuple[np.ndarray, np.ndarray]:
    check_array(fn, name, acts, ndim=2, min_rows=1,
                fix="expected (n, units), e.g. the activations of one layer on a probe")
    check_labels(fn, "y", y, n=len(acts), fix=f"pass one non-negative integer label per row of {name}")
    acts, y = np.asarray(acts, dtype=np.float64), np.asarray(y)
    if len(np.unique(y)) < 2:
        fail(fn, "y", y, f"holds only the class(es) {np.unique(y).tolist()}", "a split needs at least two classes")
    return acts, y


def split_codes(acts: np.ndarray, y: np.ndarray, min_gap: float = 1e-6) -> np.ndarray:
    """Which classes each neuron sends to the high end of its activation (chapter 3).

    The classes above the largest gap between a neuron's sorted class means form its high side.

    Args:
        acts: activations of shape (n, units).
        y: integer labels of shape (n,); the classes present, in increasing order, are the columns.
        min_gap: a neuron whose largest gap is below this (a dead ReLU) does not split.

    Returns:
        np.ndarray: int8 of shape (units, k); 1 = high side, 0 = low side; a row of zeros if no split.
    """
    acts, y = _check_acts(acts, y, "split_codes")
    check_number("split_codes", "min_gap", min_gap, 0, fix="a small gap, e.g. min_gap=1e-6")
    means = class_means(acts, y, fn="split_codes")         # (k, units)
    order = np.sort(means, axis=0)
    gaps = np.diff(order, axis=0)                          # (k-1, units)
    g = gaps.argmax(0)
    threshold = (order[g, np.arange(means.shape[1])] + order[g + 1, np.arange(means.shape[1])]) / 2
    codes = (means > threshold).T.astype(np.int8)
    codes[gaps.max(0) < min_gap] = 0
    return codes


def separation_score(acts: np.ndarray, y: np.ndarray, eps: float = 1e-9) -> np.ndarray:
    """How far each neuron pushes its two sides apart, in units of their spread (chapter 3).

    Cohen's d of the sides of :func:`split_codes`, ``|m_high - m_low| / sqrt((v_high + v_low) / 2 + eps)``:
    about 1 means heavy overlap, above 4 clean separation.

    Args:
        acts: activations of shape (n, units); y: integer labels of shape (n,).

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

    Args:
        codes: 0/1 array of shape (units, k) from :func:`split_codes`.
        unordered: count a split and its mirror image once (``2**(k-1) - 1`` possible splits, else ``2**k - 2``).
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
        relative: if False, the root-mean-square distance from the class mean per unit,
            ``sqrt(mean_i ||a_i - mu_{y_i}||^2 / units)``; if True, the share of the variance within classes.
    """
    acts, y = _check_acts(acts, y, "within_class_spread")
    relative = check_bool("within_class_spread", "relative", relative)
    classes, means = np.unique(y), class_means(acts, y, fn="within_class_spread")
    centred = acts - means[np.searchsorted(classes, y)]
    within = float((centred ** 2).sum())
    if relative:
        total = float(((acts - acts.mean(0)) ** 2).sum())
        return within / total if total > 0 else 0.0
    return float(np.sqrt(within / acts.size))


def _check_layers(fn: str, layers, y, name: str = "layers", ndim=2) -> list:
    if isinstance(layers, Mapping):
        layers = list(layers.values())
    if not isinstance(layers, (list, tuple)) or not layers:
        fail(fn, name, layers, "is not a non-empty list of arrays", "pass e.g. [acts_layer1, acts_layer2]", TypeError)
    for a in layers:
        check_array(fn, name, a, ndim=ndim, fix="expected one array (..., n, units) per layer")
        check_labels(fn, "y", y, n=np.shape(a)[-2], fix=f"pass one non-negative integer label per row of {name}")
    return list(layers)


def median_separation(acts: Mapping[str, np.ndarray], y: np.ndarray) -> np.ndarray:
    """Median :func:`separation_score` of each layer's units, for every snapshot and seed (chapter 3).

    Args:
        acts: layer name -> activations of shape (..., n, units), e.g. a recording's (snapshots, seeds, n, units).
        y: integer labels of shape (n,).

    Returns:
        np.ndarray: shape (..., layers): one median per leading index and layer, layers in the order of ``acts``.
    """
    layers = _check_layers("median_separation", acts, y, "acts", ndim=range(2, 8))
    lead = np.shape(layers[0])[:-2]
    for a in layers:
        if np.ndim(a) < 2 or np.shape(a)[:-2] != lead:
            fail("median_separation", "acts", acts, f"holds arrays of shapes {[np.shape(a) for a in layers]}",
                 "expected one shape (..., n, units) of the same leading dims per layer")
    out = np.zeros(lead + (len(layers),))
    with calling("median_separation"):
        for idx in np.ndindex(*lead):
            out[idx] = [np.median(separation_score(a[idx], y)) for a in layers]
    return out


def layer_codes(layers: Sequence[np.ndarray], y: np.ndarray) -> np.ndarray:
    """The :func:`split_codes` of several layers' units: int8 of shape (sum of units_l, k), layers in order.

    Args:
        layers: activations of each layer, shape (n, units_l) each; y: integer labels of shape (n,).
    """
    layers = _check_layers("layer_codes", layers, y)
    with calling("layer_codes"):
        return np.concatenate([split_codes(a, y) for a in layers])


def pooled_separation(layers: Sequence[np.ndarray], y: np.ndarray) -> float:
    """Median :func:`separation_score` over all units of several layers together (chapter 3).

    Args:
        layers: activations of each layer, shape (n, units_l) each; y: integer labels of shape (n,).
    """
    layers = _check_layers("pooled_separation", layers, y)
    with calling("pooled_separation"):
        return float(np.median(np.concatenate([separation_score(a, y) for a in layers])))


def random_code_count(n_units: int, n_codes: int, seed: int = 0, draws: int = 20000) -> float:
    """Control: how many distinct codes ``n_units`` codes drawn at random from ``n_codes`` give (chapter 3).

    The mean over ``draws`` draws, each uniform with replacement.

    Args:
        n_units: codes per draw (e.g. 30 hidden units); n_codes: codes to choose from (2**k - 2 for k classes).
    """
    fn = "random_code_count"
    n_units, n_codes = check_int(fn, "n_units", n_units, 1), check_int(fn, "n_codes", n_codes, 1)
    draws = check_int(fn, "draws", draws, 1, fix="a positive integer, e.g. draws=20000")
    codes = np.random.default_rng(check_seed(fn, "seed", seed)).integers(0, n_codes, (draws, n_units))
    return float(np.mean([len(np.unique(r)) for r in codes]))


def flip_curves(h: np.ndarray, W: np.ndarray, b: np.ndarray, n_orders: int = 200, seed: int = 0,
                orders: np.ndarray | None = None) -> np.ndarray:
    """Class probabilities of an output layer as the entries of a pattern flip sign one by one (chapter 3).

    Args:
        h: activation pattern of the last hidden layer, shape (units,).
        W, b: output weights (C, units) and bias (C,); the layer computes ``softmax(W @ h + b)``.
        n_orders: number of random flip orders; seed: seed of the orders.
        orders: chosen flip orders instead of random ones, shape (m, units), rows permutations of ``range(units)``.

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
    """Where ``curve`` (values at x = 0, 1, ..., shape (m,)) first crosses ``level``, interpolated; NaN if never."""
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
