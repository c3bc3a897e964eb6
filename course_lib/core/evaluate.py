"""Loss, predictions and evaluation of a trained model, on any split of the data.

Taught in the introduction (:doc:`/book/00_introduction`), beside :func:`course_lib.core.train.train`.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.core.validate import calling, check_array, check_int, check_labels, check_type, fail


def loss_fn(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy; for ensemble logits (M, n, C), the sum over members of each mean.

    ``y`` holds labels of shape (n,), shared by the members, or (M, n), one row per member.
    """
    check_array("loss_fn", "y_hat", y_hat, ndim=(2, 3), tensor=True, finite=False)
    _check_targets("loss_fn", y_hat, y)
    return _loss(y_hat, y)


def _check_targets(fn: str, out: torch.Tensor, y) -> None:
    """Labels ``y`` that fit the model output ``out`` (n, C) or (M, n, C): one per row, each below C."""
    check_labels(fn, "y", y, n=out.shape[-2], n_classes=out.shape[-1], ndim=(1, 2), tensor=True,
                 fix="give the model one output per class (its last layer's size), or renumber the labels")
    if y.dtype != torch.int64:
        fail(fn, "y", y, "is not an int64 tensor", "convert it with y.long()", TypeError)
    if y.ndim == 2 and (out.ndim != 3 or len(y) != len(out)):
        fail(fn, "y", y, f"has one row of labels per member, but the model returns {tuple(out.shape)}",
             "pass one row per ensemble member, or shared labels of shape (n,)")


def _loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """:func:`loss_fn` without the checks (the training loop checks its data once per call)."""
    if y_hat.ndim == 3:
        M, n, C = y_hat.shape
        labels = y.reshape(M * n) if y.ndim == 2 else y.repeat(M)
        return F.cross_entropy(y_hat.reshape(M * n, C), labels, reduction="sum") / n
    return F.cross_entropy(y_hat, y)


def predict(model: nn.Module, X: torch.Tensor, batch_size: int = 10000) -> torch.Tensor:
    """Logits for ``X`` in evaluation mode, in chunks. Shape (n, C) or (M, n, C)."""
    check_type("predict", "model", model, nn.Module, "a torch nn.Module")
    check_array("predict", "X", X, ndim=(2, 3), tensor=True, fix="pass inputs of shape (n, features) as a float tensor")
    batch_size = check_int("predict", "batch_size", batch_size, 1, fix="e.g. batch_size=10000")
    with calling("predict"):
        return _predict(model, X, batch_size)


@torch.no_grad()
def _predict(model: nn.Module, X: torch.Tensor, batch_size: int = 10000) -> torch.Tensor:
    was_training = model.training
    model.eval()
    try:
        outs = [model(X[..., i:i + batch_size, :]) for i in range(0, X.shape[-2], batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(outs, dim=-2)


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Loss and accuracy on (X, y): floats for one model, arrays of shape (M,) for an ensemble.

    For an ensemble, ``X`` (n, d) and ``y`` (n,) may be shared, or given per member as (M, n, d) and (M, n).
    """
    check_type("evaluate", "model", model, nn.Module, "a torch nn.Module")
    check_array("evaluate", "X", X, ndim=(2, 3), tensor=True,
                fix="pass inputs of shape (n, features) as a float tensor")
    with calling("evaluate"):
        y_hat = _predict(model, X)
    _check_targets("evaluate", y_hat, y)
    return _evaluated(y_hat, y)


def _evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor):
    """:func:`evaluate` without the checks (the training loop checks its data once per call)."""
    return _evaluated(_predict(model, X), y)


def _evaluated(y_hat: torch.Tensor, y: torch.Tensor):
    if y_hat.ndim == 3:
        labels = y if y.ndim == 2 else y.expand(len(y_hat), -1)
        losses = np.array([F.cross_entropy(o, t).item() for o, t in zip(y_hat, labels)])
        accs = (y_hat.argmax(-1) == labels).float().mean(-1).cpu().numpy()
        return losses, accs
    return F.cross_entropy(y_hat, y).item(), (y_hat.argmax(-1) == y).float().mean().item()
