"""Reading hidden-layer weights: effective templates, pixels that never move, joint templates.

Introduced in chapter 2 (:doc:`/book/02_hidden_layers`). A network with one hidden layer
has weights ``W`` (hidden, n_features) into its hidden units and ``V`` (n_classes, hidden) out
of them; this module measures what those weights learned:

* :func:`ever_active` and :func:`relative_change`: pixels that are zero in every training
  image get no gradient, so their weights stay at their random start;
* :func:`effective_templates`: what an output neuron responds to in input space, ``V``
  times the hidden units' mean slope times ``W`` (the mean input-gradient of each logit);
* :func:`joint_template_scores` and :func:`max_class_correlation`: how much a weight image
  looks like "class 1 minus class 0", or like any class at all;
* :func:`class_contrast_share`: how much of a weight image is any mix of class contrasts (a
  joint template scores as high as a single-class one);
* :func:`~course_lib.chapters.hidden_training.quadratic_cost`, :class:`~course_lib.chapters.hidden_training.QuadraticCost` and :func:`~course_lib.chapters.hidden_training.train_quadratic_seeds`: Nielsen's
  quadratic cost on sigmoid outputs, swapped into the one training loop;
* :func:`~course_lib.chapters.hidden_training.sweep_hidden_sizes`: one :class:`~course_lib.core.models.MLPEnsemble` per hidden size.
* :func:`~course_lib.chapters.hidden_training.train_0_vs_1`: Petrosyan's 0-vs-1 network with the chapter's recipe.

The chapter's figures live in :mod:`course_lib.chapters.hidden_plots`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from course_lib.core.measures import as_numpy, class_means, row_correlations
from course_lib.core.models import MLP
from course_lib.core.validate import calling, check_array, check_bool, check_int, check_int_list, fail

#: The 784-k-10 recipes of chapter 2. "nielsen" is the example of Nielsen's book, whose code
#: Agarwal (2018) used (mini-batches of 10, 30 epochs); "chapter" is the shorter one the chapter runs.
RECIPES = {
    "nielsen": {"activation": "sigmoid", "weight_std": 1.0, "lr": 3.0, "batch_size": 10, "epochs": 30},
    "chapter": {"activation": "sigmoid", "weight_std": 1.0, "lr": 3.0, "batch_size": 50, "epochs": 20},
}


def ever_active(X: np.ndarray | torch.Tensor) -> np.ndarray:
    """Which inputs are non-zero in at least one sample (chapter 2: the ever-active pixels).

    Args:
        X: inputs of shape (n, n_features), NumPy or torch.

    Returns:
        np.ndarray: bool, shape (n_features,); True where some sample is non-zero.
    """
    return (as_numpy(X, "ever_active", "X", ndim=2) != 0).any(axis=0)


def relative_change(W_start: np.ndarray | torch.Tensor, W_end: np.ndarray | torch.Tensor,
                    columns: np.ndarray | Sequence[bool] | None = None) -> float:
    """How far weights moved, relative to where they started: RMS(W_end - W_start) / RMS(W_start).

    Args:
        W_start, W_end: weights of shape (units, n_features) before and after training.
        columns: bool mask of shape (n_features,) selecting the inputs to measure (default: all).

    Returns:
        float: 0 when nothing moved; 1 when the change is as large as the random start.
    """
    fn = "relative_change"
    W0, W1 = as_numpy(W_start, fn, "W_start", ndim=2), as_numpy(W_end, fn, "W_end", ndim=2)
    if W0.shape != W1.shape:
        fail(fn, "W_end", W_end, f"does not have the same shape as W_start {W0.shape}", "compare the same weights")
    if columns is not None:
        _check_mask(fn, "columns", columns, W0.shape[1])
        columns = np.asarray(columns, dtype=bool)
        W0, W1 = W0[:, columns], W1[:, columns]
    start = np.sqrt(np.mean(W0 ** 2))
    if start == 0:
        fail(fn, "W_start", W_start, "is all zeros there, so a relative change is undefined", "measure another layer")
    return float(np.sqrt(np.mean((W1 - W0) ** 2)) / start)


def _check_mask(fn: str, name: str, mask, n: int) -> None:
    """A bool mask of shape (n,) that selects at least one entry."""
    a = check_array(fn, name, mask, kind=None, fix=f"pass a bool mask of shape ({n},)")
    if a.dtype != bool or a.shape != (n,) or not a.any():
        fail(fn, name, mask, f"must be a bool mask of shape ({n},) selecting at least one input "
             f"(it has dtype {a.dtype} and {int(a.astype(bool).sum()) if a.dtype.kind in 'biuf' else 0} selected)",
             "e.g. ever_active(data.X_train)")


_SLOPES = {
    "sigmoid": lambda a: torch.sigmoid(a) * (1 - torch.sigmoid(a)),
    "tanh": lambda a: 1 - torch.tanh(a) ** 2,
    "relu": lambda a: (a > 0).to(a.dtype),
    "identity": torch.ones_like,
}


@torch.no_grad()
def effective_templates(model: MLP, X: np.ndarray | torch.Tensor, units: Sequence[int] | None = None,
                        center: bool = True) -> np.ndarray:
    """What each output neuron of a one-hidden-layer MLP responds to, as one image per class.

    Linearizes the network around the data: ``T[c] = sum_j V[c, j] * mean_x f'(a_j(x)) * W[j]``,
    which is the mean over ``X`` of the gradient of logit ``c`` with respect to the input.

    Args:
        model: an :class:`~course_lib.core.models.MLP` with exactly one hidden layer.
        X: the inputs to average over, shape (n, n_features).
        units: hidden units to include (default: all); the full template is the sum over all units.
        center: subtract the mean template of all classes; a part shared by every class changes
            no prediction.

    Returns:
        np.ndarray: shape (n_classes, n_features).
    """
    fn = "effective_templates"
    if not isinstance(model, MLP) or len(model.sizes) != 3:
        sizes = getattr(model, "sizes", None)
        fail(fn, "model", type(model).__name__, f"has sizes={sizes}; it needs an MLP with one hidden layer",
             "take one member of an ensemble with ensemble.member(m)")
    check_array(fn, "X", X, shape=(None, model.sizes[0]), fix=f"pass inputs of shape (n, {model.sizes[0]})")
    center = check_bool(fn, "center", center)
    if units is not None:
        units = check_int_list(fn, "units", units, fix=f"hidden units lie in 0..{model.sizes[1] - 1}")
    X = torch.as_tensor(X, dtype=torch.float32)
    W, b, V = model.layers[0].weight, model.layers[0].bias, model.layers[2].weight
    slope = _SLOPES[model.activation](X @ W.T + b).mean(0)        # (hidden,)
    keep = torch.zeros(len(slope), dtype=torch.bool)
    if units is None:
        keep[:] = True
    else:
        units = [int(u) for u in units]
        if any(not 0 <= u < len(slope) for u in units):
            fail(fn, "units", units, f"must lie in 0..{len(slope) - 1}", "pick hidden units of the model")
        keep[units] = True
    T = ((V * slope * keep) @ W).double().numpy()                 # (n_classes, n_features)
    return T - T.mean(0) if center else T


def strongest_units(V: np.ndarray | torch.Tensor, c: int, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The hidden units output neuron ``c`` likes most and dislikes most.

    Args:
        V: output weights of shape (n_classes, hidden); c: the class; k: how many of each.

    Returns:
        tuple: ``(liked, disliked)``, index arrays of shape (k,), strongest first.
    """
    fn = "strongest_units"
    V = as_numpy(V, fn, "V", ndim=2)
    c = check_int(fn, "c", c, 0, len(V) - 1, fix=f"need 0 <= c < {len(V)}: one of the classes (rows of V)")
    k = check_int(fn, "k", k, 1, V.shape[1], fix=f"need 1 <= k <= {V.shape[1]}, the number of hidden units")
    order = np.argsort(V[c], kind="stable")
    return order[::-1][:k], order[:k]


def _check_W(fn: str, W, n_features: int) -> None:
    """Weight images (units, n_features) of the same width as the inputs."""
    W = as_numpy(W, fn, "W", ndim=2)
    if W.shape[1] != n_features:
        fail(fn, "W", W, f"has rows of length {W.shape[1]} but X has {n_features} features", "they must match")


def _class_means(X, y, fn: str) -> tuple[np.ndarray, np.ndarray]:
    """The class means of ``X`` and its overall mean."""
    X = as_numpy(X, fn, "X", ndim=2)
    return class_means(X, y, fn=fn), X.mean(0)


def joint_template_scores(W: np.ndarray | torch.Tensor, X: np.ndarray | torch.Tensor,
                          y: np.ndarray | torch.Tensor) -> np.ndarray:
    """Correlation of each weight image with the difference of two class means (class 1 - class 0).

    Near +1 or -1: the unit is a joint template (one class drawn in one sign, the other in the
    other sign); near 0: it looks like neither. The sign says which class is drawn in blue.

    Args:
        W: weights of shape (units, n_features); X: inputs (n, n_features); y: labels 0 and 1, shape (n,).

    Returns:
        np.ndarray: shape (units,), signed correlations.
    """
    fn = "joint_template_scores"
    means, _ = _class_means(X, y, fn)
    _check_W(fn, W, means.shape[1])
    if len(means) != 2:
        fail(fn, "y", y, f"holds {len(means)} classes; it must hold exactly two classes", "select two classes first")
    with calling(fn):
        return row_correlations(W, (means[1] - means[0])[None], fn=fn)[:, 0]


def max_class_correlation(W: np.ndarray | torch.Tensor, X: np.ndarray | torch.Tensor,
                          y: np.ndarray | torch.Tensor) -> np.ndarray:
    """How digit-like each weight image is: its largest absolute correlation with a class contrast
    (the mean image of one class minus the mean of all images).

    Args:
        W: weights of shape (units, n_features); X: inputs (n, n_features); y: labels, shape (n,).

    Returns:
        np.ndarray: shape (units,), values in [0, 1].
    """
    fn = "max_class_correlation"
    means, overall = _class_means(X, y, fn)
    _check_W(fn, W, means.shape[1])
    with calling(fn):
        return np.abs(row_correlations(W, means - overall, fn=fn)).max(1)


def class_contrast_share(W: np.ndarray | torch.Tensor, X: np.ndarray | torch.Tensor,
                         y: np.ndarray | torch.Tensor, columns: np.ndarray | None = None) -> np.ndarray:
    """Share of each weight image's variance that lies in the span of all the class contrasts.

    Unlike :func:`max_class_correlation`, which asks how much an image looks like *one* class, this
    asks how much of it is *any* mix of classes, so a joint template ("3 minus 8") scores as high
    as a single-class template. A random image scores about (classes - 1) / pixels.

    Args:
        W: weights of shape (units, n_features); X: inputs (n, n_features); y: labels, shape (n,).
        columns: optional boolean mask of the features to use, shape (n_features,) (e.g. the
            ever-active pixels from :func:`ever_active`).

    Returns:
        np.ndarray: shape (units,), values in [0, 1].
    """
    fn = "class_contrast_share"
    W = as_numpy(W, fn, "W", ndim=2)
    means, overall = _class_means(X, y, fn)
    if W.shape[1] != means.shape[1]:
        fail(fn, "W", W, f"has rows of length {W.shape[1]} but X has {means.shape[1]} features", "they must match")
    if columns is not None:
        _check_mask(fn, "columns", columns, W.shape[1])
    B = means - overall                                     # (classes, n_features)
    if columns is not None:
        W, B = W[:, columns], B[:, columns]
    W = W - W.mean(1, keepdims=True)
    B = B - B.mean(1, keepdims=True)
    coef, *_ = np.linalg.lstsq(B.T, W.T, rcond=None)        # least squares on the contrasts
    fitted = (B.T @ coef).T
    return (fitted ** 2).sum(1) / np.maximum((W ** 2).sum(1), 1e-30)
