"""Templates: what a network without hidden layers learns, measured (chapter 1).

Introduced in chapter 1 (:doc:`/book/01_templates`). Logistic regression has one weight
vector per class, a *template*; these helpers train it, compare templates with class means,
split a score into per-pixel evidence, find telling mistakes, and break the templates by
shifting the digits at random.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from course_lib.core.data import Split
from course_lib.core.history import History
from course_lib.core.measures import as_numpy, class_means
from course_lib.core.models import MLP
from course_lib.core.optim import check_recipe
from course_lib.core.record import Recorder
from course_lib.core.train import train
from course_lib.core.validate import calling, check_array, check_int, check_labels, check_seed, check_type, fail


@dataclass
class Fit:
    """A trained logistic regression and its templates after every epoch.

    Attributes:
        model: the trained :class:`~course_lib.core.models.MLP` with sizes ``[n_features, n_classes]``.
        history: its :class:`~course_lib.core.history.History`.
        weights: templates after each epoch, shape (epochs + 1, n_classes, n_features) (row 0: the start).
        biases: biases after each epoch, shape (epochs + 1, n_classes).
    """

    model: MLP
    history: History
    weights: np.ndarray
    biases: np.ndarray


def fit_templates(data: Split, *, epochs: int = 15, lr: float = 0.1, weight_decay: float = 0.0,
                  batch_size: int = 100, seed: int = 0, batch_seed: int = 0) -> Fit:
    """Build and train logistic regression (no hidden layer), recording the weights every epoch.

    The same as ``model = MLP([d, C], seed=seed); train(model, data, ..., batch_seed=batch_seed)``
    with plain SGD, so it gives exactly the model of that recipe.

    Args:
        data: a :class:`~course_lib.core.data.Split` with ``X_*`` of shape (n, d).
        epochs, lr, weight_decay, batch_size: the SGD recipe (weight decay is the L2 coefficient).
        seed: seed of the initial weights; batch_seed: seed of the batch order.

    Returns:
        Fit: the model, its history and its templates after each epoch.
    """
    fn = "fit_templates"
    check_type(fn, "data", data, Split, "a course_lib Split")
    epochs = check_int(fn, "epochs", epochs, 0, fix="e.g. epochs=15")
    check_recipe(fn, lr=lr, weight_decay=weight_decay)
    check_int(fn, "batch_size", batch_size, 1, fix="e.g. batch_size=100")
    check_seed(fn, "seed", seed)
    with calling(fn):
        n_classes = int(max(data.y_train.max(), data.y_test.max())) + 1
        model = MLP([data.X_train.shape[1], n_classes], seed=seed)
        recorder = Recorder(model, at_epochs=range(epochs + 1))
        history = train(model, data, epochs=epochs, lr=lr, batch_size=batch_size, weight_decay=weight_decay,
                        batch_seed=batch_seed, callback=recorder, progress=False)
    rec = recorder.recording
    return Fit(model, history, rec.weights["layers.0.weight"], rec.weights["layers.0.bias"])


def count_diagonal_maxima(corr: np.ndarray) -> int:
    """How many rows of a square matrix have their largest entry on the diagonal.

    Args:
        corr: shape (C, C), e.g. ``cl.row_correlations(templates, cl.class_means(X, y))``.

    Returns:
        int: number of rows i with ``argmax(corr[i]) == i`` (0..C).
    """
    check_array("count_diagonal_maxima", "corr", corr, ndim=2, fix="expected a square (C, C) matrix")
    corr = np.asarray(corr)
    if corr.ndim != 2 or corr.shape[0] != corr.shape[1]:
        fail("count_diagonal_maxima", "corr", corr, f"has shape {corr.shape}; expected a square (C, C) matrix", "")
    return int((corr.argmax(1) == np.arange(len(corr))).sum())


def contrast_images(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """What sets each class apart from the average input: its mean minus the mean of all inputs.

    Taught in chapter 1 (:doc:`/book/01_templates`): the trained templates resemble these contrast
    images more than the class means, and weight decay turns them further towards them.

    Args:
        X: inputs of shape (n, d); y: int labels 0..C-1 of shape (n,), every class present.

    Returns:
        np.ndarray: shape (C, d), row c is ``X[y == c].mean(0) - X.mean(0)``.
    """
    fn = "contrast_images"
    check_array(fn, "X", X, ndim=2, min_rows=1, fix="pass inputs of shape (n, d)")
    check_labels(fn, "y", y, n=len(X))
    X = as_numpy(X, fn, "X", dtype=None)   # the input's dtype: float32 digits keep a float32 mean
    with calling(fn):
        return class_means(X, y) - X.mean(0)


class Evidence(NamedTuple):
    """Where the score of each class comes from, for one input.

    ``maps`` (C, d): template x input, pixel by pixel; ``scores`` (C,): ``maps.sum(1) + bias``
    (the logits); ``probs`` (C,): their softmax.
    """

    maps: np.ndarray
    scores: np.ndarray
    probs: np.ndarray


def evidence(W: np.ndarray, b: np.ndarray, x: np.ndarray) -> Evidence:
    """Split the scores of logistic regression for one input into per-pixel evidence.

    Args:
        W: templates of shape (C, d); b: biases of shape (C,); x: one input of shape (d,).

    Returns:
        Evidence: ``maps[c, i] = W[c, i] * x[i]``, the scores and the softmax probabilities.
    """
    for name, value in (("W", W), ("b", b), ("x", x)):
        check_array("evidence", name, value, fix="expected W (C, d), b (C,), x (d,)")
    W, b, x = as_numpy(W), as_numpy(b), as_numpy(x).ravel()
    if W.ndim != 2 or b.shape != (W.shape[0],) or x.shape != (W.shape[1],):
        raise ValueError(f"evidence: W {W.shape}, b {b.shape}, x {x.shape} do not fit; expected (C, d), (C,), (d,).")
    maps = W * x[None, :]
    scores = maps.sum(1) + b
    e = np.exp(scores - scores.max())
    return Evidence(maps, scores, e / e.sum())


def confusion_counts(y: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """The confusion matrix: how many samples of true class i were predicted as j.

    Args:
        y: true labels of shape (n,); y_pred: predicted labels of shape (n,); n_classes: C.

    Returns:
        np.ndarray: int array of shape (C, C); rows = true class, columns = predicted class.
    """
    fn = "confusion_counts"
    n_classes = check_int(fn, "n_classes", n_classes, 1, fix="the number of classes, e.g. 10")
    check_labels(fn, "y", y, n_classes=n_classes)
    check_labels(fn, "y_pred", y_pred, n=len(y), n_classes=n_classes)
    y, y_pred = as_numpy(y, dtype=int), as_numpy(y_pred, dtype=int)
    return np.bincount(y * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _check_y_probs(fn: str, y, probs) -> None:
    """Probabilities (n, C) and one label 0..C-1 per row."""
    p = check_array(fn, "probs", probs, ndim=2, fix="expected probs of shape (n, C)")
    check_labels(fn, "y", y, n=len(p), n_classes=p.shape[1], fix="expected one label per row of probs, each 0..C-1")


def most_confident_per_cell(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """For each cell of the confusion matrix, the sample the model was surest about.

    Args:
        y: true labels of shape (n,); probs: predicted probabilities of shape (n, C).

    Returns:
        np.ndarray: int array of shape (C, C); entry [i, j] is the index of the sample of class i,
        predicted as j, with the highest probability for j; -1 where the cell is empty.
    """
    _check_y_probs("most_confident_per_cell", y, probs)
    y, probs = as_numpy(y, dtype=int), as_numpy(probs, dtype=None)
    C = probs.shape[1]
    pred, conf = probs.argmax(1), probs.max(1)
    best = np.full((C, C), -1)
    for idx in np.argsort(conf):  # ascending: the surest sample of a cell is written last
        best[y[idx], pred[idx]] = idx
    return best


def rank_mistakes(y: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """The wrongly predicted samples, ordered by the probability the model gave the true class.

    The first entries are near misses (the right class almost won); the last are blunders
    (the model all but ruled the right class out).

    Args:
        y: true labels of shape (n,); probs: predicted probabilities of shape (n, C).

    Returns:
        np.ndarray: indices of the mistakes, shape (n_mistakes,), by decreasing ``probs[i, y[i]]``.
    """
    _check_y_probs("rank_mistakes", y, probs)
    y, probs = as_numpy(y, dtype=int), as_numpy(probs, dtype=None)
    wrong = np.flatnonzero(probs.argmax(1) != y)
    p_true = probs[wrong, y[wrong]]
    return wrong[np.argsort(-p_true, kind="stable")]


def nearest_neighbour_labels(X: np.ndarray, X_ref: np.ndarray, y_ref: np.ndarray) -> np.ndarray:
    """A reader with no template: each input gets the label of the closest reference input.

    Taught in chapter 1 (:doc:`/book/01_templates`), as an independent second reader of the
    template's mistakes. Closest means the smallest squared pixel distance
    ``|x|^2 - 2 x.r + |r|^2``, computed for all pairs at once.

    Args:
        X: inputs of shape (n, d); X_ref: reference inputs of shape (m, d) (the training digits);
        y_ref: their int labels, shape (m,).

    Returns:
        np.ndarray: shape (n,), the label of each input's nearest reference input.
    """
    fn = "nearest_neighbour_labels"
    a = check_array(fn, "X", X, ndim=2, min_rows=1, fix="pass inputs of shape (n, d)")
    check_array(fn, "X_ref", X_ref, shape=(None, a.shape[1]), min_rows=1,
                fix=f"pass reference inputs of shape (m, {a.shape[1]}), as wide as X")
    check_labels(fn, "y_ref", y_ref, n=len(X_ref))
    X, X_ref, y_ref = np.asarray(X), np.asarray(X_ref), np.asarray(y_ref)
    dist = (X ** 2).sum(1)[:, None] - 2 * X @ X_ref.T + (X_ref ** 2).sum(1)[None]
    return y_ref[dist.argmin(1)]
