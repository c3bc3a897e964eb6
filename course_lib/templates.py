"""Templates: what a network without hidden layers learns, measured (chapter 1).

Introduced in chapter 1 (``book/01_templates.ipynb``). Logistic regression has one weight
vector per class, a *template*; these helpers train it, compare templates with class means,
split a score into per-pixel evidence, find telling mistakes, and break the templates by
shifting the digits at random.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import torch

from .data import Split
from .models import MLP
from .record import Recorder
from .optim import check_recipe
from .train import History, train
from .validate import (calling, check_array, check_image_shape, check_int, check_labels, check_rows_vary, check_seed, check_type,
                       fail)

__all__ = ["Fit", "fit_templates", "class_means", "correlation_matrix", "count_diagonal_maxima", "Evidence",
           "evidence", "confusion_counts", "most_confident_per_cell", "rank_mistakes", "shift_images",
           "shifted_split", "smoothness", "within_class_similarity"]


@dataclass
class Fit:
    """A trained logistic regression and its templates after every epoch.

    Attributes:
        model: the trained :class:`~course_lib.models.MLP` with sizes ``[n_features, n_classes]``.
        history: its :class:`~course_lib.train.History`.
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
        data: a :class:`~course_lib.data.Split` with ``X_*`` of shape (n, d).
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


def _as_numpy(X) -> np.ndarray:
    return X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)


def class_means(X, y, n_classes: int | None = None) -> np.ndarray:
    """The average input of each class.

    Args:
        X: inputs of shape (n, d) (tensor or array); y: int labels of shape (n,).
        n_classes: number of classes (default: ``y.max() + 1``); every class must occur.

    Returns:
        np.ndarray: shape (n_classes, d); row c is the mean of the rows of X with label c.
    """
    fn = "class_means"
    check_array(fn, "X", X, ndim=2, min_rows=1, fix="pass inputs of shape (n, d)")
    check_labels(fn, "y", y, n=len(X), fix="pass one integer label per row of X")
    if n_classes is not None:
        check_int(fn, "n_classes", n_classes, int(np.max(_as_numpy(y))) + 1,
                  fix=f"the labels go up to {int(np.max(_as_numpy(y)))}, so n_classes must be larger (or None)")
    X, y = _as_numpy(X), _as_numpy(y)
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    counts = np.bincount(y, minlength=n_classes)
    if (counts == 0).any():
        fail(fn, "y", y, f"leaves out some classes: classes {np.flatnonzero(counts == 0).tolist()} have no samples",
             "pass data that contains every class, or a smaller n_classes")
    sums = np.zeros((n_classes, X.shape[1]))
    np.add.at(sums, y, X)
    return sums / counts[:, None]


def correlation_matrix(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Pearson correlation of every row of ``A`` with every row of ``B``.

    Args:
        A: shape (a, d), e.g. templates; B: shape (b, d), e.g. class means.

    Returns:
        np.ndarray: shape (a, b); entry [i, j] is corr(A[i], B[j]), in [-1, 1].
    """
    fn = "correlation_matrix"
    check_array(fn, "A", A, ndim=2, fix="pass rows of shape (a, d)")
    check_array(fn, "B", B, ndim=2, fix="pass rows of shape (b, d)")
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape[1] != B.shape[1]:
        fail(fn, "B", B, f"has rows of length {B.shape[1]} but A has {A.shape[1]}; expected (a, d) and (b, d)", "")
    check_rows_vary(fn, "A", A)
    check_rows_vary(fn, "B", B)
    A = A - A.mean(1, keepdims=True)
    B = B - B.mean(1, keepdims=True)
    norms = np.linalg.norm(A, axis=1)[:, None] * np.linalg.norm(B, axis=1)[None, :]
    if (norms == 0).any():
        raise ValueError("correlation_matrix: a row is constant, so its correlation is undefined; drop it.")
    return (A @ B.T) / norms


def count_diagonal_maxima(corr: np.ndarray) -> int:
    """How many rows of a square matrix have their largest entry on the diagonal.

    Args:
        corr: shape (C, C), e.g. ``correlation_matrix(templates, means)``.

    Returns:
        int: number of rows i with ``argmax(corr[i]) == i`` (0..C).
    """
    check_array("count_diagonal_maxima", "corr", corr, ndim=2, fix="expected a square (C, C) matrix")
    corr = np.asarray(corr)
    if corr.ndim != 2 or corr.shape[0] != corr.shape[1]:
        fail("count_diagonal_maxima", "corr", corr, f"has shape {corr.shape}; expected a square (C, C) matrix", "")
    return int((corr.argmax(1) == np.arange(len(corr))).sum())


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
    W, b, x = _as_numpy(W).astype(float), _as_numpy(b).astype(float), _as_numpy(x).astype(float).ravel()
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
    y, y_pred = _as_numpy(y).astype(int), _as_numpy(y_pred).astype(int)
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
    y, probs = _as_numpy(y).astype(int), _as_numpy(probs)
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
    y, probs = _as_numpy(y).astype(int), _as_numpy(probs)
    wrong = np.flatnonzero(probs.argmax(1) != y)
    p_true = probs[wrong, y[wrong]]
    return wrong[np.argsort(-p_true, kind="stable")]


def shift_images(X: torch.Tensor, k: int, data_seed: int = 0, image_shape: tuple[int, int] = (28, 28)) -> torch.Tensor:
    """Move every image by its own random whole-pixel offset of up to ``k`` pixels each way.

    The offsets (down, right) are drawn uniformly from {-k, ..., k} for each image; pixels
    shifted in from outside the frame are 0 (the background), and ink shifted out is lost.
    MNIST digits mostly sit in the central 20 x 20 pixels, so for small k little ink is lost.

    Args:
        X: images of shape (n, h*w) (float tensor); k: largest shift, a non-negative integer.
        data_seed: seed of the offsets; image_shape: (h, w).

    Returns:
        torch.Tensor: the shifted images, same shape and dtype as X (k = 0 returns a copy).
    """
    fn = "shift_images"
    check_int(fn, "k", k, 0, fix="a non-negative integer number of pixels, e.g. k=2")
    h, w = check_image_shape(fn, image_shape)
    check_array(fn, "X", X, ndim=2, tensor=True, fix=f"expected a float tensor (n, {h * w})")
    if X.shape[1] != h * w:
        fail(fn, "X", X, f"has shape {tuple(X.shape)}; expected (n, {h * w}) for image_shape={image_shape}", "")
    data_seed = check_seed(fn, "data_seed", data_seed)
    n = len(X)
    d = torch.from_numpy(np.random.default_rng(data_seed).integers(-k, k + 1, size=(n, 2)))
    padded = torch.nn.functional.pad(X.reshape(n, h, w), (k, k, k, k))
    rows = (k - d[:, 0])[:, None, None] + torch.arange(h)[None, :, None]   # out[i, j] = in[i - dy, j - dx]
    cols = (k - d[:, 1])[:, None, None] + torch.arange(w)[None, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols].reshape(n, h * w).clone()


def shifted_split(data: Split, k: int, data_seed: int = 0) -> Split:
    """A copy of ``data`` whose training and test images are shifted at random by up to ``k`` pixels.

    Args:
        data: a Split of 28 x 28 images; k: largest shift; data_seed: training images use ``data_seed``,
            test images ``data_seed + 1`` (validation images, if any, ``data_seed + 2``).

    Returns:
        Split: same labels, shifted images.
    """
    check_type("shifted_split", "data", data, Split, "a course_lib Split")
    with calling("shifted_split"):
        out = replace(data, X_train=shift_images(data.X_train, k, data_seed),
                      X_test=shift_images(data.X_test, k, data_seed + 1))
        if data.X_val is not None:
            out = replace(out, X_val=shift_images(data.X_val, k, data_seed + 2))
    return out


def smoothness(W: np.ndarray, image_shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """How smooth each template is: the correlation between neighbouring weights.

    The mean of two correlations: every weight with its right-hand neighbour, and with the
    one below. Near 1 for a smooth blob, near 0 for pixel-to-pixel noise.

    Args:
        W: templates of shape (C, h*w); image_shape: (h, w).

    Returns:
        np.ndarray: shape (C,), values in [-1, 1].
    """
    fn = "smoothness"
    h, w = check_image_shape(fn, image_shape)
    check_array(fn, "W", W, ndim=2, fix=f"expected (C, {h * w})")
    W = _as_numpy(W).astype(float)
    if W.ndim != 2 or W.shape[1] != h * w:
        fail(fn, "W", W, f"has shape {W.shape}; expected (C, {h * w}) for image_shape={image_shape}", "")
    images = W.reshape(len(W), h, w)
    for c, img in enumerate(images):
        if (img[:, 1:] == img[:, 1:].flat[0]).all() or (img[1:, :] == img[1:, :].flat[0]).all() or \
                (img[:, :-1] == img[:, :-1].flat[0]).all() or (img[:-1, :] == img[:-1, :].flat[0]).all():
            fail(fn, "W", W, f"has a constant template (row {c}), whose smoothness (a correlation) is undefined",
                 "drop that row")
    out = []
    for img in images:
        right = np.corrcoef(img[:, 1:].ravel(), img[:, :-1].ravel())[0, 1]
        below = np.corrcoef(img[1:, :].ravel(), img[:-1, :].ravel())[0, 1]
        out.append((right + below) / 2)
    return np.array(out)


def within_class_similarity(X, y) -> np.ndarray:
    """How alike the members of each class are: mean correlation of each input with its class mean.

    Args:
        X: inputs of shape (n, d); y: int labels of shape (n,).

    Returns:
        np.ndarray: shape (C,); entry c is the average over samples of class c of corr(x, mean_c).
    """
    fn = "within_class_similarity"
    check_array(fn, "X", X, ndim=2, min_rows=1, fix="pass inputs of shape (n, d)")
    check_labels(fn, "y", y, n=len(X))
    check_rows_vary(fn, "X", _as_numpy(X))
    X, y = _as_numpy(X).astype(float), _as_numpy(y).astype(int)
    with calling(fn):
        means = class_means(X, y)
    check_rows_vary(fn, "class means of X", means)
    Xc = X - X.mean(1, keepdims=True)
    Mc = means - means.mean(1, keepdims=True)
    r = (Xc * Mc[y]).sum(1) / (np.linalg.norm(Xc, axis=1) * np.linalg.norm(Mc[y], axis=1) + 1e-12)
    return np.bincount(y, weights=r) / np.bincount(y)
