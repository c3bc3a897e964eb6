"""Memorizing vs learning (chapter 6): training on several label sets at once, and the thesis's
deviation measures of hidden layers (Chen 2017, section 6.4.1).

A *representation* of a layer is an array ``A`` of shape (n, units): one activation vector per
sample (layer 0 is the input itself). The measures compare representations of samples of the
same class (inner-class deviation) and the mean representations of different classes
(inter-class deviation).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import torch

from .data import Split
from .models import MLPEnsemble
from .optim import check_recipe
from .train import History, StopTraining, train
from .validate import (calling, check_array, check_bool, check_callable, check_choice, check_int, check_labels,
                       check_mapping, check_number, check_seed, check_type, fail)

__all__ = ["METRICS", "balanced_subset", "train_label_sets", "epochs_to_fit", "pairwise_distances",
           "class_means", "inner_class_deviation", "inter_class_deviation", "activation_level",
           "deviation_measures", "neighbour_label_gap", "embed_tsne"]

#: Distances the deviation measures accept (thesis eqs. 6.1, 6.7, 6.8).
METRICS = ("euclidean", "cosine", "correlation")


def _as_array(A, name: str, ndim: int, fn: str, min_rows: int = 0) -> np.ndarray:
    """``A`` as a NumPy array of finite numbers with ``ndim`` axes (checked, with ``fn`` named)."""
    check_array(fn, name, A, ndim=ndim, min_rows=min_rows,
                fix="pass representations of shape (n, units)" if ndim == 2 else "")
    A = np.asarray(A.detach().cpu() if isinstance(A, torch.Tensor) else A)
    return A


def balanced_subset(y, n_per_class: int, data_seed: int = 0) -> np.ndarray:
    """Indices of a class-balanced random subset: ``n_per_class`` samples of every label.

    Introduced in chapter 6, where a tenth of the thesis's training set is memorized.

    Args:
        y: int labels of shape (n,) (NumPy or torch).
        n_per_class: samples to keep per label; every label must have at least that many.
        data_seed: seed of the choice and of the final order.

    Returns:
        np.ndarray of int64, shape (n_classes * n_per_class,), in random order.
    """
    fn = "balanced_subset"
    check_labels(fn, "y", y)
    if len(y) == 0:
        fail(fn, "y", y, "is empty", "pass the labels to draw from")
    y = np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)
    counts = np.bincount(y)
    check_int(fn, "n_per_class", n_per_class, 1, int(counts[counts > 0].min()),
              fix=f"a positive integer no larger than the rarest label's count ({counts[counts > 0].min()})")
    data_seed = check_seed(fn, "data_seed", data_seed)
    rng = np.random.default_rng(data_seed)
    keep = [rng.permutation(np.flatnonzero(y == c))[:n_per_class] for c in np.flatnonzero(counts)]
    return rng.permutation(np.concatenate(keep)).astype(np.int64)


def train_label_sets(model: MLPEnsemble, X: torch.Tensor, Y: torch.Tensor, X_test: torch.Tensor,
                     y_test: torch.Tensor, *, epochs: int, lr: float, batch_size: int = 100,
                     optimizer: str = "adam", until_fit: bool = False, batch_seed: int = 0,
                     callback=None) -> History:
    """Train the members of an ensemble side by side, member ``m`` on its own labels ``Y[m]``.

    The book's one training loop (:func:`course_lib.train`) with one row of labels per member
    (a label-noise sweep) and, for random-pixel data, one input set per member. Each member gets
    the updates it would get alone with ``course_lib.train(..., batch_seed=batch_seed)``.
    Introduced in chapter 6.

    Args:
        model: an :class:`~course_lib.models.MLPEnsemble` with ``M`` members.
        X: training inputs, shared (n, features) or one set per member (M, n, features).
        Y: int64 training labels of shape (M, n), one row per member.
        X_test, y_test: held-out inputs (n_test, features) and their labels (n_test,), shared.
        epochs, lr, batch_size: as for :func:`course_lib.train`.
        optimizer: ``"adam"`` or ``"sgd"`` (plain).
        until_fit: stop early after the first epoch at which every member is right on all of
            its training labels (the arrays are then shorter).
        batch_seed: seed of the batch order (shared by the members).
        callback: optional, called like :func:`course_lib.train`'s ``callback`` (every step and at
            the end of every epoch, epoch 0 included), before the ``until_fit`` check.

    Returns:
        History: ``train_acc`` and ``train_loss`` (each member on its own labels), ``test_acc``,
        ``test_loss``; arrays of shape (epochs_run + 1, M).
    """
    fn = "train_label_sets"
    check_type(fn, "model", model, MLPEnsemble, "an MLPEnsemble (one member per label set)")
    check_array(fn, "X", X, ndim=(2, 3), tensor=True, finite=False)
    M, n = model.n_models, X.shape[-2]
    if X.ndim == 3 and X.shape[0] != M:
        fail(fn, "X", X, f"holds {X.shape[0]} input sets for {M} members", f"expected (n, features) or ({M}, n, features)")
    check_labels(fn, "Y", Y, ndim=2, tensor=True, fix="one row of int64 labels per member, e.g. torch.stack([y, shuffled_y])")
    if tuple(Y.shape) != (M, n):
        fail(fn, "Y", Y, f"has shape {tuple(Y.shape)}; expected ({M}, {n})",
             "one row of labels per member, e.g. torch.stack([y, shuffled_y])")
    epochs = check_int(fn, "epochs", epochs, 0, fix="e.g. epochs=50")
    batch_size = check_int(fn, "batch_size", batch_size, 1, fix="e.g. batch_size=100")
    check_recipe(fn, lr=lr, optimizer=optimizer)
    until_fit = check_bool(fn, "until_fit", until_fit)
    if callback is not None:
        check_callable(fn, "callback", callback, "pass a function of one Event, a Recorder, or None")
        plan = getattr(callback, "check_plan", None)
        if callable(plan):
            plan(fn, epochs, epochs * -(-n // batch_size))

    def stop_when_fit(event) -> None:
        if callback is not None:
            callback(event)
        if until_fit and event.phase == "epoch" and (event.history["train_acc"][-1] >= 1.0).all():
            raise StopTraining

    with calling(fn):
        return train(model, Split(X, Y, X_test, y_test), epochs=epochs, lr=lr, batch_size=batch_size,
                     optimizer=optimizer, batch_seed=batch_seed, callback=stop_when_fit, progress=False)


def epochs_to_fit(acc, threshold: float = 1.0) -> np.ndarray | int:
    """The first epoch at which an accuracy curve reaches ``threshold`` (-1 if it never does).

    Args:
        acc: accuracies of shape (epochs + 1,) or (epochs + 1, M), row ``e`` after ``e`` epochs.

    Returns:
        int, or int array of shape (M,).
    """
    check_array("epochs_to_fit", "acc", acc, ndim=(1, 2), min_rows=1, fix="pass accuracies of shape (epochs + 1,) "
                "or (epochs + 1, M)")
    check_number("epochs_to_fit", "threshold", threshold, 0, 1, fix="an accuracy in [0, 1], e.g. threshold=1.0")
    acc = np.asarray(acc)
    hit = acc >= threshold - 1e-9
    first = np.where(hit.any(0), hit.argmax(0), -1)
    return int(first) if first.ndim == 0 else first


def pairwise_distances(A, B=None, metric: str = "euclidean") -> np.ndarray:
    """All distances between the rows of ``A`` and the rows of ``B`` (default ``B = A``).

    ``cosine`` is 1 - cos(angle); ``correlation`` is the cosine distance of the rows after
    subtracting each row's own mean (1 - Pearson's rho). A zero (or constant) row has no
    direction: it counts as similarity 0, distance 1, to every row.

    Args:
        A: shape (n, d); B: shape (m, d) or None; metric: one of :data:`METRICS`.

    Returns:
        np.ndarray of float64, shape (n, m).
    """
    fn = "pairwise_distances"
    check_choice(fn, "metric", metric, METRICS)
    A = _as_array(A, "A", 2, fn).astype(np.float64)
    B = A if B is None else _as_array(B, "B", 2, fn).astype(np.float64)
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


def _check_labels(A: np.ndarray, y, fn: str, integer: bool = True) -> np.ndarray:
    if integer:
        check_labels(fn, "y", y, n=len(A), fix="pass one integer label per row of A")
    else:
        check_array(fn, "y", y, shape=(len(A),), fix="pass one label per row of A")
    return np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)


def class_means(A, y) -> np.ndarray:
    """Class-averaged representations (thesis eq. 3.6), one row per label in sorted order.

    Args:
        A: representations of shape (n, units); y: int labels of shape (n,).

    Returns:
        np.ndarray: shape (n_labels, units); row ``i`` is the mean of the rows of the i-th smallest label.
    """
    A = _as_array(A, "A", 2, "class_means", min_rows=1)
    y = _check_labels(A, y, "class_means")
    return np.stack([A[y == c].mean(0) for c in np.unique(y)])


def inner_class_deviation(A, y, metric: str = "euclidean") -> float:
    """Mean distance between two different samples of the same class, averaged over classes (eq. 6.2).

    Args:
        A: shape (n, units); y: labels (n,), every class with at least two samples; metric: see :data:`METRICS`.

    Returns:
        float
    """
    fn = "inner_class_deviation"
    check_choice(fn, "metric", metric, METRICS)
    A = _as_array(A, "A", 2, fn, min_rows=1)
    y = _check_labels(A, y, fn)
    per_class = []
    for c in np.unique(y):
        Ac = A[y == c]
        if len(Ac) < 2:
            fail(fn, "y", y, f"has {len(Ac)} sample of class {c}", "every class needs at least two")
        D = pairwise_distances(Ac, metric=metric)
        per_class.append(D[np.triu_indices(len(Ac), k=1)].mean())
    return float(np.mean(per_class))


def inter_class_deviation(A, y, metric: str = "euclidean", pairs: str = "adjacent") -> float:
    """Mean distance between class means (eq. 6.3): of neighbouring labels, or of all pairs.

    The jump task's labels are ordered positions, so the thesis compares class ``c`` with ``c + 1``
    (``pairs="adjacent"``, a mean over the n_labels - 1 pairs); MNIST digits have no order, so
    it averages all pairs of digits (``pairs="all"``).

    Returns:
        float
    """
    fn = "inter_class_deviation"
    check_choice(fn, "pairs", pairs, ("adjacent", "all"))
    check_choice(fn, "metric", metric, METRICS)
    with calling(fn):
        means = class_means(A, y)
    if len(means) < 2:
        fail(fn, "y", y, "holds one class", "inter-class deviation needs at least two classes")
    D = pairwise_distances(means, metric=metric)
    if pairs == "adjacent":
        return float(np.diag(D, k=1).mean())
    return float(D[np.triu_indices(len(means), k=1)].mean())


def activation_level(A) -> float:
    """Overall activation level of a layer (eq. 6.4): the mean L1 norm of its activation vectors."""
    A = _as_array(A, "A", 2, "activation_level", min_rows=1)
    return float(np.abs(A).sum(1).mean())


def deviation_measures(layers: Mapping[str, np.ndarray], y, pairs: str = "adjacent") -> dict[str, np.ndarray]:
    """Every deviation measure of the thesis for a sequence of layers.

    Args:
        layers: layer name -> representations (n, units), in order from the input (layer 0).
        y: the labels that define the classes, shape (n,).
        pairs: ``"adjacent"`` (jump task) or ``"all"`` (MNIST), see :func:`inter_class_deviation`.

    Returns:
        dict: ``"level"`` and, for ``inner`` and ``inter``, ``"{inner|inter}_{euclidean|norm_euclidean|cosine|correlation}"``,
        each an array of shape (n_layers,); ``norm_euclidean`` is the Euclidean value divided by ``level``.
    """
    fn = "deviation_measures"
    check_mapping(fn, "layers", layers, "pass e.g. {'input': X, 'layers.1': A1}")
    check_choice(fn, "pairs", pairs, ("adjacent", "all"))
    for name, A in layers.items():
        _check_labels(_as_array(A, f"layers[{name!r}]", 2, fn, min_rows=1), y, fn)
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


def neighbour_label_gap(A, y, k: int = 5) -> float:
    """How far apart, in label, a sample and its ``k`` nearest neighbours are (Euclidean), on average.

    On the jump task the labels are positions, so a representation that keeps the ordered
    manifold of the input gives a small gap; one that scatters each class gives a gap near that
    of random pairs (about a third of the label range).

    Args:
        A: representations (n, units); y: numeric labels (n,); k: neighbours per sample.

    Returns:
        float: mean of ``|y[i] - y[j]|`` over each sample ``i`` and its ``k`` nearest neighbours ``j``.
    """
    fn = "neighbour_label_gap"
    A = _as_array(A, "A", 2, fn)
    y = _check_labels(A, y, fn, integer=False).astype(np.float64)
    check_int(fn, "k", k, 1, len(A) - 1, fix=f"k must be between 1 and n - 1 = {len(A) - 1}")
    D = pairwise_distances(A)
    np.fill_diagonal(D, np.inf)
    nearest = np.argpartition(D, k - 1, axis=1)[:, :k]           # the k smallest distances, in any order
    return float(np.abs(y[nearest] - y[:, None]).mean())


def embed_tsne(A, seed: int = 0, perplexity: float = 30.0, max_iter: int = 1000) -> np.ndarray:
    """A 2-D t-SNE map of representations (scikit-learn's ``TSNE``, PCA start, fixed ``random_state``).

    Introduced in chapter 6, which maps a few hundred signals per layer with ``max_iter=500``.

    Args:
        A: shape (n, units), with n > 3 * perplexity; seed: the ``random_state``;
        perplexity: t-SNE's effective number of neighbours; max_iter: optimization steps (at least 250).

    Returns:
        np.ndarray of shape (n, 2).
    """
    from sklearn.manifold import TSNE

    fn = "embed_tsne"
    A = _as_array(A, "A", 2, fn).astype(np.float64)
    check_number(fn, "perplexity", perplexity, 0, low_open=True, fix="t-SNE's number of neighbours, e.g. 30")
    seed = check_seed(fn, "seed", seed)
    if len(A) <= 3 * perplexity:
        fail(fn, "perplexity", perplexity, f"is too large for {len(A)} points (too few)",
             f"use more than {int(3 * perplexity)} points or a smaller perplexity")
    check_int(fn, "max_iter", max_iter, 250, fix="scikit-learn's minimum is 250")
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, max_iter=int(max_iter))
    return tsne.fit_transform(A)
