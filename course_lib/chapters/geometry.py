"""The geometry of hidden representations (chapter 6): the thesis's deviation measures.

Taught in :doc:`/book/06_memorization` (Chen 2017, section 6.4.1). A layer's representation ``acts``
has shape (n, units): one activation vector per sample (layer 0 is the input itself).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import torch
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

from course_lib.chapters.memorization import METRICS
from course_lib.core.measures import as_numpy, class_means
from course_lib.core.models import MLP
from course_lib.core.record import activations
from course_lib.core.validate import (
    calling,
    check_array,
    check_choice,
    check_int,
    check_labels,
    check_mapping,
    check_number,
    check_seed,
    check_type,
    fail,
)


def layer_representations(model: MLP, X: torch.Tensor) -> dict[str, np.ndarray]:
    """The input and every hidden layer's representation (after the activation) of inputs ``X``.

    Args:
        model: an :class:`~course_lib.core.models.MLP`; X: inputs of shape (n, features).

    Returns:
        dict: ``"input"`` -> X as float32 (n, features), then ``model.hidden_names()`` in order
        (e.g. ``"layers.1"``) -> activations (n, units).
    """
    fn = "layer_representations"
    check_type(fn, "model", model, MLP, "an MLP (for an ensemble, pass ensemble.member(m))")
    with calling(fn):
        acts = activations(model, X, layers=model.hidden_names())
    return {name: acts[name] for name in ["input"] + model.hidden_names()}


def pairwise_distances(A, B=None, metric: str = "euclidean") -> np.ndarray:
    """All distances (float64, shape (n, m)) between the rows of ``A`` (n, d) and of ``B`` (m, d; default ``A``).

    ``metric``: one of :data:`~course_lib.chapters.memorization.METRICS`; ``cosine`` is 1 - cos(angle),
    ``correlation`` 1 - Pearson's rho of the rows. A zero (or constant) row is at distance 1 from every row.
    """
    fn = "pairwise_distances"
    check_choice(fn, "metric", metric, METRICS)
    A = as_numpy(A, fn, "A", ndim=2, dtype=None).astype(np.float64)
    B = A if B is None else as_numpy(B, fn, "B", ndim=2, dtype=None).astype(np.float64)
    if A.shape[1] != B.shape[1]:
        fail(fn, "B", B, f"has {B.shape[1]} columns but A has {A.shape[1]}", "compare rows of the same length")
    if metric == "euclidean":
        sq = (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] - 2 * A @ B.T
        return np.sqrt(np.maximum(sq, 0.0))
    if metric == "correlation":
        A, B = A - A.mean(1, keepdims=True), B - B.mean(1, keepdims=True)
    na, nb = np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1)
    Au = np.divide(A, na[:, None], out=np.zeros_like(A), where=na[:, None] > 1e-12)
    Bu = np.divide(B, nb[:, None], out=np.zeros_like(B), where=nb[:, None] > 1e-12)
    return np.clip(1.0 - Au @ Bu.T, 0.0, 2.0)


def _check_labels(acts: np.ndarray, y, fn: str, integer: bool = True) -> np.ndarray:
    if integer:
        check_labels(fn, "y", y, n=len(acts), fix="pass one integer label per row of A")
    else:
        check_array(fn, "y", y, shape=(len(acts),), fix="pass one label per row of A")
    return np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)


def inner_class_deviation(acts, y, metric: str = "euclidean") -> float:
    """Mean distance between two different samples of the same class, averaged over classes (eq. 6.2).

    Args:
        acts: shape (n, units); y: labels (n,), every class with at least two samples.
        metric: one of :data:`~course_lib.chapters.memorization.METRICS`.
    """
    fn = "inner_class_deviation"
    check_choice(fn, "metric", metric, METRICS)
    acts = as_numpy(acts, fn, "acts", ndim=2, min_rows=1, dtype=None)
    y = _check_labels(acts, y, fn)
    per_class = []
    for c in np.unique(y):
        Ac = acts[y == c]
        if len(Ac) < 2:
            fail(fn, "y", y, f"has {len(Ac)} sample of class {c}", "every class needs at least two")
        D = pairwise_distances(Ac, metric=metric)
        per_class.append(D[np.triu_indices(len(Ac), k=1)].mean())
    return float(np.mean(per_class))


def inter_class_deviation(acts, y, metric: str = "euclidean", pairs: str = "adjacent") -> float:
    """Mean distance between class means (eq. 6.3): of neighbouring labels, or of all pairs.

    ``pairs="adjacent"``: class ``c`` with ``c + 1`` (ordered labels, the jump task); ``"all"``: all pairs (MNIST).
    """
    fn = "inter_class_deviation"
    check_choice(fn, "pairs", pairs, ("adjacent", "all"))
    check_choice(fn, "metric", metric, METRICS)
    acts = as_numpy(acts, fn, "acts", ndim=2, min_rows=1, dtype=None)
    means = class_means(acts, y, fn=fn, dtype=None)      # in the activations' own precision (float32)
    if len(means) < 2:
        fail(fn, "y", y, "holds one class", "inter-class deviation needs at least two classes")
    D = pairwise_distances(means, metric=metric)
    if pairs == "adjacent":
        return float(np.diag(D, k=1).mean())
    return float(D[np.triu_indices(len(means), k=1)].mean())


def activation_level(acts) -> float:
    """Overall activation level of a layer (eq. 6.4): the mean L1 norm of its activation vectors."""
    acts = as_numpy(acts, "activation_level", "acts", ndim=2, min_rows=1, dtype=None)
    return float(np.abs(acts).sum(1).mean())


def deviation_measures(layers: Mapping[str, np.ndarray], y, pairs: str = "adjacent") -> dict[str, np.ndarray]:
    """Every deviation measure of the thesis for a sequence of layers.

    Args:
        layers: layer name -> representations (n, units), in order from the input (layer 0).
        y: labels (n,); pairs: ``"adjacent"`` (jump task) or ``"all"`` (MNIST), see :func:`inter_class_deviation`.

    Returns:
        dict: ``"level"`` and ``"{inner|inter}_{euclidean|norm_euclidean|cosine|correlation}"``, each an
        array of shape (n_layers,); ``norm_euclidean`` is the Euclidean value divided by ``level``.
    """
    fn = "deviation_measures"
    check_mapping(fn, "layers", layers, "pass e.g. {'input': X, 'layers.1': A1}")
    check_choice(fn, "pairs", pairs, ("adjacent", "all"))
    for name, A in layers.items():
        _check_labels(as_numpy(A, fn, f"layers[{name!r}]", ndim=2, min_rows=1, dtype=None), y, fn)
    out: dict[str, list] = {"level": []}
    for A in layers.values():
        level = activation_level(A)
        out["level"].append(level)
        for metric in METRICS:
            inner = inner_class_deviation(A, y, metric)
            inter = inter_class_deviation(A, y, metric, pairs)
            out.setdefault(f"inner_{metric}", []).append(inner)
            out.setdefault(f"inter_{metric}", []).append(inter)
            if metric == "euclidean":
                out.setdefault("inner_norm_euclidean", []).append(inner / level)
                out.setdefault("inter_norm_euclidean", []).append(inter / level)
    return {k: np.asarray(v) for k, v in out.items()}


def neighbour_label_gap(acts, y, k: int = 5) -> float:
    """How far apart, in label, a sample and its ``k`` nearest neighbours are (Euclidean), on average.

    Args:
        acts: representations (n, units); y: numeric labels (n,); k: neighbours per sample.

    Returns:
        float: mean of ``|y[i] - y[j]|`` over each sample ``i`` and its ``k`` nearest neighbours ``j``.
    """
    fn = "neighbour_label_gap"
    acts = as_numpy(acts, fn, "acts", ndim=2, dtype=None)
    y = _check_labels(acts, y, fn, integer=False).astype(np.float64)
    check_int(fn, "k", k, 1, len(acts) - 1, fix=f"k must be between 1 and n - 1 = {len(acts) - 1}")
    D = pairwise_distances(acts)
    np.fill_diagonal(D, np.inf)
    nearest = np.argpartition(D, k - 1, axis=1)[:, :k]           # the k smallest distances, in any order
    return float(np.abs(y[nearest] - y[:, None]).mean())


def neighbour_label_gaps(layers: Mapping[str, np.ndarray], y, k: int = 5) -> list[float]:
    """:func:`neighbour_label_gap` of every layer (one float each, in order), e.g. from :func:`layer_representations`.

    Args:
        layers: layer name -> representations (n, units), in order from the input.
        y: numeric labels (n,); k: neighbours per sample.
    """
    fn = "neighbour_label_gaps"
    check_mapping(fn, "layers", layers, "pass e.g. {'input': X, 'layers.1': A1}")
    for name, A in layers.items():
        acts = as_numpy(A, fn, f"layers[{name!r}]", ndim=2, dtype=None)
        _check_labels(acts, y, fn, integer=False)
        check_int(fn, "k", k, 1, len(acts) - 1, fix=f"k must be between 1 and n - 1 = {len(acts) - 1}")
    return [neighbour_label_gap(A, y, k=k) for A in layers.values()]


def stripe_index(means) -> float:
    """How smoothly units' class-averaged activations change from one label to the next (chapter 6's stripes).

    The mean over units of the Pearson correlation between a unit's mean activation at labels ``c`` and
    ``c + 1`` (over all ``c``), skipping units whose mean does not vary. Near 1: stripes; near 0: no order.

    Args:
        means: class means (n_labels, units), rows in label order (at least 3 labels),
            e.g. ``course_lib.class_means(acts, y)``.
    """
    fn = "stripe_index"
    means = as_numpy(means, fn, "means", ndim=2, min_rows=3, dtype=None)
    a, b = means[:-1], means[1:]
    a, b = a - a.mean(0), b - b.mean(0)
    norm = np.sqrt((a ** 2).sum(0) * (b ** 2).sum(0))
    active = norm > 1e-12
    if not active.any():
        fail(fn, "means", means, "has no unit whose mean activation varies over labels", "pass the class means of a layer that responds")
    return float(((a * b).sum(0)[active] / norm[active]).mean())


def embed_tsne(acts, seed: int = 0, perplexity: float = 30.0, max_iter: int = 1000) -> np.ndarray:
    """A 2-D t-SNE map (n, 2) of representations (scikit-learn's ``TSNE``, PCA start, fixed ``random_state``).

    Args:
        acts: shape (n, units), with n > 3 * perplexity; seed: the ``random_state``;
        perplexity: t-SNE's effective number of neighbours; max_iter: optimization steps (at least 250).
    """

    fn = "embed_tsne"
    acts = as_numpy(acts, fn, "acts", ndim=2, dtype=None).astype(np.float64)
    check_number(fn, "perplexity", perplexity, 0, low_open=True, fix="t-SNE's number of neighbours, e.g. 30")
    seed = check_seed(fn, "seed", seed)
    if len(acts) <= 3 * perplexity:
        fail(fn, "perplexity", perplexity, f"is too large for {len(acts)} points (too few)",
             f"use more than {int(3 * perplexity)} points or a smaller perplexity")
    check_int(fn, "max_iter", max_iter, 250, fix="scikit-learn's minimum is 250")
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, max_iter=int(max_iter))
    with threadpool_limits(torch.get_num_threads()):
        return tsne.fit_transform(acts)
