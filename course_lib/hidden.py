"""Reading hidden-layer weights: effective templates, pixels that never move, joint templates.

Introduced in chapter 2 (``book/02_hidden_layers.ipynb``). A network with one hidden layer
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
* :func:`quadratic_cost`, :class:`QuadraticCost` and :func:`train_quadratic_seeds`: Nielsen's
  quadratic cost on sigmoid outputs, swapped into the one training loop;
* :func:`sweep_hidden_sizes`: one :class:`~course_lib.models.MLPEnsemble` per hidden size.

The chapter's figures live in :mod:`course_lib.hidden_plots`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .data import Split
from .models import MLP, MLPEnsemble
from .optim import check_recipe
from .train import History, _check_recipe_keys, train
from .validate import (calling, check_array, check_bool, check_int, check_int_list, check_labels, check_rows_vary,
                       check_type, fail)

__all__ = ["RECIPES", "ever_active", "relative_change", "row_correlations", "effective_templates",
           "strongest_units", "joint_template_scores", "max_class_correlation", "class_contrast_share",
           "quadratic_cost", "QuadraticCost", "train_quadratic_seeds", "sweep_hidden_sizes"]

#: The 784-k-10 recipes of chapter 2. "nielsen" is the example of Nielsen's book, whose code
#: Agarwal (2018) used (mini-batches of 10, 30 epochs); "chapter" is the shorter one the chapter runs.
RECIPES = {
    "nielsen": {"activation": "sigmoid", "weight_std": 1.0, "lr": 3.0, "batch_size": 10, "epochs": 30},
    "chapter": {"activation": "sigmoid", "weight_std": 1.0, "lr": 3.0, "batch_size": 50, "epochs": 20},
}


def _numpy(a, name: str, ndim: int, fn: str) -> np.ndarray:
    """``a`` as a float64 NumPy array of finite numbers with ``ndim`` axes (checked, with ``fn`` named)."""
    check_array(fn, name, a, ndim=ndim)
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=np.float64)


def ever_active(X: np.ndarray | torch.Tensor) -> np.ndarray:
    """Which inputs are non-zero in at least one sample (chapter 2: the ever-active pixels).

    Args:
        X: inputs of shape (n, n_features), NumPy or torch.

    Returns:
        np.ndarray: bool, shape (n_features,); True where some sample is non-zero.
    """
    return (_numpy(X, "X", 2, "ever_active") != 0).any(axis=0)


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
    W0, W1 = _numpy(W_start, "W_start", 2, fn), _numpy(W_end, "W_end", 2, fn)
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


def row_correlations(A: np.ndarray | torch.Tensor, B: np.ndarray | torch.Tensor) -> np.ndarray:
    """Pearson correlation of every row of ``A`` with every row of ``B``.

    Args:
        A: shape (m, d); B: shape (k, d).

    Returns:
        np.ndarray: shape (m, k); entry [i, j] correlates A[i] with B[j].

    Raises:
        ValueError: when a row is constant (its correlation is undefined; the rule of every
            correlation in course_lib, as :func:`course_lib.templates.correlation_matrix`).
    """
    fn = "row_correlations"
    A, B = _numpy(A, "A", 2, fn), _numpy(B, "B", 2, fn)
    if A.shape[1] != B.shape[1]:
        fail(fn, "B", B, f"has rows of length {B.shape[1]} but A has rows of length {A.shape[1]}", "they must match")
    check_rows_vary(fn, "A", A)
    check_rows_vary(fn, "B", B)
    A = A - A.mean(1, keepdims=True)
    B = B - B.mean(1, keepdims=True)
    A = A / np.maximum(np.linalg.norm(A, axis=1, keepdims=True), 1e-300)
    B = B / np.maximum(np.linalg.norm(B, axis=1, keepdims=True), 1e-300)
    return A @ B.T


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
        model: an :class:`~course_lib.models.MLP` with exactly one hidden layer.
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
    V = _numpy(V, "V", 2, fn)
    c = check_int(fn, "c", c, 0, len(V) - 1, fix=f"need 0 <= c < {len(V)}: one of the classes (rows of V)")
    k = check_int(fn, "k", k, 1, V.shape[1], fix=f"need 1 <= k <= {V.shape[1]}, the number of hidden units")
    order = np.argsort(V[c], kind="stable")
    return order[::-1][:k], order[:k]


def _check_W(fn: str, W, n_features: int) -> None:
    """Weight images (units, n_features) of the same width as the inputs."""
    W = _numpy(W, "W", 2, fn)
    if W.shape[1] != n_features:
        fail(fn, "W", W, f"has rows of length {W.shape[1]} but X has {n_features} features", "they must match")


def _class_means(X, y, fn: str) -> tuple[np.ndarray, np.ndarray]:
    X = _numpy(X, "X", 2, fn)
    check_labels(fn, "y", y, n=len(X), fix="pass one integer label per row of X")
    y = np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y)
    classes = np.unique(y)
    return np.stack([X[y == c].mean(0) for c in classes]), X.mean(0)


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
        return row_correlations(W, (means[1] - means[0])[None])[:, 0]


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
        return np.abs(row_correlations(W, means - overall)).max(1)


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
    W = _numpy(W, "W", 2, fn)
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


def quadratic_cost(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Nielsen's quadratic cost: half the squared distance between sigmoid outputs and one-hot targets.

    Mean over the images; for ensemble scores (M, n, C), the sum over members of each mean (as
    :func:`~course_lib.train.loss_fn`), so each member gets its own gradient.

    Args:
        y_hat: scores (n, C) or (M, n, C), before the sigmoid; y: labels (n,) or (M, n).

    Returns:
        torch.Tensor: a scalar.
    """
    fn = "quadratic_cost"
    check_array(fn, "y_hat", y_hat, ndim=(2, 3), tensor=True, finite=False)
    check_labels(fn, "y", y, n=y_hat.shape[-2], n_classes=y_hat.shape[-1], ndim=(1, 2), tensor=True)
    target = torch.nn.functional.one_hot(y, y_hat.shape[-1]).to(y_hat.dtype)
    if y_hat.ndim == 3 and target.ndim == 2:
        target = target.expand_as(y_hat)
    return 0.5 * ((torch.sigmoid(y_hat) - target) ** 2).sum(-1).mean(-1).sum()


class _CrossEntropyToQuadratic(torch.autograd.Function):
    """Identity on the scores whose backward turns the gradient of the mean cross-entropy into
    that of the mean quadratic cost: the target is recovered as ``softmax(z) - n * grad``."""

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z.view_as(z)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        n = z.shape[-2]
        target = torch.softmax(z, -1) - n * grad           # the one-hot labels of the batch
        a = torch.sigmoid(z)
        return (a - target) * a * (1 - a) / n


class QuadraticCost(torch.nn.Module):
    """Wrap a model so that :func:`~course_lib.train.train` trains it with :func:`quadratic_cost`.

    The wrapped model returns the same scores; only during training the gradient that reaches them
    is the quadratic cost's instead of cross-entropy's (same batches, same optimizer, no extra pass).
    ``train`` still reports the cross-entropy as its loss. Works for an ``MLP`` and an ``MLPEnsemble``.

    Args:
        model: the network to train; it is trained in place and available as ``.model``.
    """

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        check_type("QuadraticCost", "model", model, torch.nn.Module, "a torch nn.Module")
        self.model = model

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        z = self.model(X)
        return _CrossEntropyToQuadratic.apply(z) if self.training and torch.is_grad_enabled() else z


def train_quadratic_seeds(sizes: Sequence[int], data: Split, seeds: Sequence[int], *, activation: str,
                          weight_std: float | str | None, batch_seed: int = 0, **recipe) -> np.ndarray:
    """Train one network per seed, side by side, with the quadratic cost; return their test accuracies.

    Member ``m`` starts where ``MLP(sizes, activation, weight_std, seed=seeds[m])`` starts and sees the
    batches of ``batch_seed``, exactly as :func:`~course_lib.train.train_seeds` with cross-entropy.

    Args:
        sizes: layer sizes, e.g. ``[784, 2, 10]``; data: the split; seeds: one per network.
        activation, weight_std: as for :class:`~course_lib.models.MLP`.
        **recipe: ``epochs``, ``lr``, ``batch_size``, ... as for :func:`~course_lib.train.train`.

    Returns:
        np.ndarray: shape (len(seeds),), test accuracies.
    """
    fn = "train_quadratic_seeds"
    check_type(fn, "data", data, Split, "a course_lib Split")
    _check_recipe_keys(fn, recipe, ("epochs", "lr", "batch_size", "optimizer", "momentum", "weight_decay", "callback"))
    check_recipe(fn, lr=recipe["lr"], momentum=recipe.get("momentum", 0.0),
                 weight_decay=recipe.get("weight_decay", 0.0), optimizer=recipe.get("optimizer", "sgd"))
    with calling(fn):
        ensemble = MLPEnsemble(list(sizes), activation, seeds=list(seeds), weight_std=weight_std)
        train(QuadraticCost(ensemble), data, batch_seed=batch_seed, eval_every=None, progress=False, **recipe)
    with torch.no_grad():
        y_hat = ensemble(data.X_test)                                     # (seeds, n_test, classes)
    return (y_hat.argmax(-1) == data.y_test).float().mean(-1).cpu().numpy()


def sweep_hidden_sizes(data: Split, hidden_sizes: Sequence[int], seeds: Sequence[int], *, activation: str,
                       weight_std: float | str | None, lr: float, batch_size: int, epochs: int,
                       weight_decay: float = 0.0, eval_every: int | None = None,
                       batch_seed: int = 0) -> dict[int, tuple[MLPEnsemble, History]]:
    """Train ``[n_features, k, n_classes]`` networks for every hidden size ``k``, one ensemble of seeds each.

    Every size uses the same recipe and batch order (``batch_seed``, 0 by default); member ``m`` of size ``k``
    starts exactly where ``MLP([n_features, k, n_classes], seed=seeds[m])`` starts.

    Args:
        data: the split to train on; hidden_sizes: e.g. ``[30, 10, 5]``; seeds: e.g. ``range(5)``.
        activation, weight_std: as for :class:`~course_lib.models.MLP`.
        lr, batch_size, epochs, weight_decay: as for :func:`~course_lib.train.train` (plain SGD).
        eval_every: epochs between evaluations on the test set (default: only before and after
            training, which is all a sweep reports; evaluation costs a pass over the test set).
        batch_seed: seed of the batch order, shared by every size and seed.

    Returns:
        dict: hidden size -> (trained ensemble, its History of test loss and accuracy);
        ``history["test_acc"][-1]`` has shape (len(seeds),).
    """
    fn = "sweep_hidden_sizes"
    sizes = check_int_list(fn, "hidden_sizes", hidden_sizes, low=1, min_len=1,
                           fix="pass positive integers, e.g. hidden_sizes=[30, 10, 5]")
    check_type(fn, "data", data, Split, "a course_lib Split")
    check_recipe(fn, lr=lr, weight_decay=weight_decay)
    epochs = check_int(fn, "epochs", epochs, 0, fix="e.g. epochs=20")
    check_int(fn, "batch_size", batch_size, 1, fix="e.g. batch_size=50")
    n_in, n_out = data.X_train.shape[1], int(max(data.y_train.max(), data.y_test.max())) + 1
    result = {}
    with calling(fn):
        for k in sizes:
            ensemble = MLPEnsemble([n_in, int(k), n_out], activation, seeds=list(seeds), weight_std=weight_std)
            history = train(ensemble, data, epochs=epochs, lr=lr, batch_size=batch_size, weight_decay=weight_decay,
                            batch_seed=batch_seed, eval_every=eval_every or max(epochs, 1), eval_on=("test",),
                            progress=False)
            result[int(k)] = (ensemble, history)
    return result
