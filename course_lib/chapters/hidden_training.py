"""Chapter 2's training variants: the quadratic cost, sweeps over the hidden layer's size, and
Petrosyan's 0-vs-1 network.

Taught in :doc:`/book/02_hidden_layers`. All use the one training loop,
:func:`course_lib.core.train.train`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from course_lib.core.data import Split
from course_lib.core.history import History
from course_lib.core.models import MLP, MLPEnsemble
from course_lib.core.optim import check_recipe
from course_lib.core.runs import _check_recipe_keys
from course_lib.core.train import train
from course_lib.core.validate import calling, check_array, check_int, check_int_list, check_labels, check_seed, check_type


def quadratic_cost(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Nielsen's quadratic cost: half the squared distance between sigmoid outputs and one-hot targets.

    Mean over the images; for ensemble scores (M, n, C), the sum over members of each mean (as
    :func:`~course_lib.core.evaluate.loss_fn`), so each member gets its own gradient.

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
    """Wrap a model so that :func:`~course_lib.core.train.train` trains it with :func:`~course_lib.chapters.hidden_training.quadratic_cost`.

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
    batches of ``batch_seed``, exactly as :func:`~course_lib.core.runs.train_seeds` with cross-entropy.

    Args:
        sizes: layer sizes, e.g. ``[784, 2, 10]``; data: the split; seeds: one per network.
        activation, weight_std: as for :class:`~course_lib.core.models.MLP`.
        **recipe: ``epochs``, ``lr``, ``batch_size``, ... as for :func:`~course_lib.core.train.train`.

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
        activation, weight_std: as for :class:`~course_lib.core.models.MLP`.
        lr, batch_size, epochs, weight_decay: as for :func:`~course_lib.core.train.train` (plain SGD).
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


def train_0_vs_1(data: Split, hidden_size: int = 16, activation: str = "tanh",
                 weight_std: float | str | None = "fan_in", weight_decay: float = 0.0,
                 optimizer: str = "adam", lr: float = 1e-3, epochs: int = 30,
                 *, seed: int = 0) -> tuple[MLP, np.ndarray, History]:
    """Train Petrosyan's 0-vs-1 network, ``[n_features, hidden_size, n_classes]``, with chapter 2's recipe.

    The defaults are the recipe the chapter states: 16 tanh units, an N(0, 1/inputs) start, Adam
    with ``lr=1e-3``, mini-batches of 100, 30 epochs. The chapter passes the MNIST 0s and 1s,
    as they are and divided by 10^4 (``cl.load_mnist(classes=(0, 1), scale=1e-4)``).

    Args:
        data: the split to train on, inputs (n, n_features), labels 0..n_classes-1.
        hidden_size: units of the hidden layer.
        activation, weight_std: as for :class:`~course_lib.core.models.MLP`.
        weight_decay, optimizer, lr, epochs: as for :func:`~course_lib.core.train.train`.
        seed: seed of the start and of the batch order.

    Returns:
        tuple: ``(model, W_start, history)``: the trained MLP; its first-layer weights before
        training, shape (hidden_size, n_features); its History of train and test loss and accuracy,
        before and after training.
    """
    fn = "train_0_vs_1"
    check_type(fn, "data", data, Split, "a course_lib Split")
    check_int(fn, "hidden_size", hidden_size, 1, fix="e.g. hidden_size=16")
    check_int(fn, "epochs", epochs, 1, fix="e.g. epochs=30")
    check_recipe(fn, lr=lr, weight_decay=weight_decay, optimizer=optimizer)
    check_seed(fn, "seed", seed)
    n_in, n_out = data.X_train.shape[1], int(max(data.y_train.max(), data.y_test.max())) + 1
    with calling(fn):
        model = MLP([n_in, hidden_size, n_out], activation, weight_std=weight_std, seed=seed)
        W_start = model.layers[0].weight.detach().numpy().copy()
        history = train(model, data, epochs=epochs, lr=lr, batch_size=100, optimizer=optimizer,
                        weight_decay=weight_decay, batch_seed=seed, eval_every=epochs,
                        eval_on=("train", "test"), progress=False)
    return model, W_start, history
