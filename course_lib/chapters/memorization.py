"""Memorizing vs learning (:doc:`/book/06_memorization`): training on several label sets at once, and the thesis's
deviation measures of hidden layers (Chen 2017, section 6.4.1).

A *representation* of a layer is an array ``A`` of shape (n, units): one activation vector per
sample (layer 0 is the input itself). The measures compare representations of samples of the
same class (inner-class deviation) and the mean representations of different classes
(inter-class deviation).
"""
from __future__ import annotations

import numpy as np
import torch

from course_lib.core.data import Split, shuffle_labels
from course_lib.core.history import History, StopTraining
from course_lib.core.models import MLPEnsemble
from course_lib.core.optim import check_recipe
from course_lib.core.train import train
from course_lib.core.validate import (
    calling,
    check_array,
    check_bool,
    check_callable,
    check_int,
    check_labels,
    check_number,
    check_seed,
    check_type,
    fail,
)

#: Distances the deviation measures accept (thesis eqs. 6.1, 6.7, 6.8).
METRICS = ("euclidean", "cosine", "correlation")


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


def balanced_split(data: Split, n_per_class: int, data_seed: int = 0) -> Split:
    """A class-balanced subset of every part of a split: ``n_per_class`` samples of every label.

    Each part (training, test and, if there is one, validation) is drawn with
    :func:`balanced_subset` and the same ``data_seed``. Chapter 6 keeps 20 signals per jump
    position of each part: 1,200 training, 1,200 validation and 1,200 test signals.

    Args:
        data: a :class:`~course_lib.core.data.Split` with labels of shape (n_part,) per part.
        n_per_class: samples to keep per label in each part.
        data_seed: seed of the choice and of the order, as for :func:`balanced_subset`.

    Returns:
        ~course_lib.core.data.Split: ``X_part`` of shape (n_classes * n_per_class, features) and
        ``y_part`` of shape (n_classes * n_per_class,) per part, with ``data``'s classes.
    """
    fn = "balanced_split"
    check_type(fn, "data", data, Split, "a Split, e.g. cl.load_jump_task()")
    parts = {}
    for part in ("train", "test", "val"):
        X, y = getattr(data, f"X_{part}"), getattr(data, f"y_{part}")
        if y is None:
            continue
        with calling(fn):
            idx = balanced_subset(y, n_per_class, data_seed=data_seed)
        parts[f"X_{part}"], parts[f"y_{part}"] = X[idx], y[idx]
    return Split(**parts, classes=data.classes)


def shuffled_label_sets(y: torch.Tensor, fractions, data_seed: int = 0) -> torch.Tensor:
    """One row of labels per share of shuffled labels: a label-noise sweep.

    Row ``i`` is ``course_lib.shuffle_labels(y, fraction=fractions[i], data_seed=data_seed)``:
    a share ``fractions[i]`` of the labels permuted among themselves, so every class keeps its
    count. With one ``data_seed`` the rows are nested draws of the same permutation order.
    Introduced in chapter 6.

    Args:
        y: int64 labels of shape (n,).
        fractions: shares of shuffled labels, each in [0, 1], e.g. ``[0.0, 0.5, 1.0]``.
        data_seed: seed of which labels are shuffled, and how.

    Returns:
        torch.Tensor: int64 labels of shape (len(fractions), n), ready for :func:`train_label_sets`.
    """
    fn = "shuffled_label_sets"
    check_labels(fn, "y", y, tensor=True, fix="pass a 1-D int64 tensor of labels")
    check_array(fn, "fractions", fractions, ndim=1, min_rows=1, fix="shares in [0, 1], e.g. [0.0, 0.5, 1.0]")
    for f in fractions:
        check_number(fn, "fractions", f, 0.0, 1.0, fix="every share must lie in [0, 1]")
    data_seed = check_seed(fn, "data_seed", data_seed)
    return torch.stack([shuffle_labels(y, fraction=f, data_seed=data_seed) for f in fractions])


def train_label_sets(model: MLPEnsemble, X: torch.Tensor, Y: torch.Tensor, X_test: torch.Tensor,
                     y_test: torch.Tensor, *, epochs: int, lr: float, batch_size: int = 100,
                     optimizer: str = "adam", until_fit: bool = False, batch_seed: int = 0,
                     callback=None) -> History:
    """Train the members of an ensemble side by side, member ``m`` on its own labels ``Y[m]``.

    The book's one training loop (:func:`~course_lib.core.train.train`) with one row of labels per member
    (a label-noise sweep) and, for random-pixel data, one input set per member. Each member gets
    the updates it would get alone with ``course_lib.train(..., batch_seed=batch_seed)``.
    Introduced in chapter 6.

    Args:
        model: an :class:`~course_lib.core.models.MLPEnsemble` with ``M`` members.
        X: training inputs, shared (n, features) or one set per member (M, n, features).
        Y: int64 training labels of shape (M, n), one row per member.
        X_test, y_test: held-out inputs (n_test, features) and their labels (n_test,), shared.
        epochs, lr, batch_size: as for :func:`~course_lib.core.train.train`.
        optimizer: ``"adam"`` or ``"sgd"`` (plain).
        until_fit: stop early after the first epoch at which every member is right on all of
            its training labels (the arrays are then shorter).
        batch_seed: seed of the batch order (shared by the members).
        callback: optional, called like :func:`~course_lib.core.train.train`'s ``callback`` (every step and at
            the end of every epoch, epoch 0 included), before the ``until_fit`` check.

    Returns:
        ~course_lib.core.history.History: ``train_acc`` and ``train_loss`` (each member on its own labels), ``test_acc``,
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
