"""The training loop of the book: one readable function, with a per-step callback.

Introduced in the introduction chapter. Works for a single model (logits of shape (n, C))
and for :class:`~course_lib.models.MLPEnsemble` (logits of shape (n_models, n, C)), whose
members are then trained side by side and reported one column each.
"""
from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import Split

__all__ = ["Event", "History", "train", "evaluate", "loss_fn", "predict"]


@dataclass
class Event:
    """What the training loop passes to ``callback``.

    ``phase`` is ``"step"`` after the backward pass and before the update (gradients are in
    ``.grad``), or ``"epoch"`` after each epoch's evaluation (epoch 0 = before training).
    ``X``, ``y``, ``y_hat`` and ``loss`` are the current batch's (None for ``"epoch"``).
    """

    phase: str
    epoch: int
    step: int
    model: nn.Module
    X: torch.Tensor | None = None
    y: torch.Tensor | None = None
    y_hat: torch.Tensor | None = None
    loss: float | None = None


@dataclass
class History:
    """Per-epoch metrics; row ``e`` is after ``e`` epochs (row 0: before training).

    Every metric is a NumPy array of shape (epochs + 1,) for one model, or
    (epochs + 1, n_models) for an ensemble. ``best_epoch`` is the epoch whose weights the
    model holds at the end (the last one, or the lowest validation loss with ``keep_best``).
    """

    metrics: dict[str, list] = field(default_factory=dict)
    best_epoch: int | np.ndarray = 0
    seconds: float = 0.0

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.metrics:
            raise KeyError(f"History has no metric {name!r}; it has {sorted(self.metrics)}.")
        return np.asarray(self.metrics[name])

    def append(self, name: str, value) -> None:
        self.metrics.setdefault(name, []).append(value)

    @property
    def epochs(self) -> np.ndarray:
        """The epoch numbers 0..epochs."""
        return np.arange(len(next(iter(self.metrics.values()), [])))


def loss_fn(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy; for ensemble logits (M, n, C), the sum over models of each mean."""
    if y_hat.ndim == 3:
        M, n, C = y_hat.shape
        return F.cross_entropy(y_hat.reshape(M * n, C), y.repeat(M), reduction="sum") / n
    return F.cross_entropy(y_hat, y)


@torch.no_grad()
def predict(model: nn.Module, X: torch.Tensor, batch_size: int = 10000) -> torch.Tensor:
    """Logits for ``X`` in evaluation mode, in chunks. Shape (n, C) or (M, n, C)."""
    was_training = model.training
    model.eval()
    try:
        outs = [model(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(outs, dim=-2)


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Loss and accuracy on (X, y): floats for one model, arrays of shape (M,) for an ensemble."""
    y_hat = predict(model, X)
    if y_hat.ndim == 3:
        losses = torch.stack([F.cross_entropy(o, y) for o in y_hat]).cpu().numpy()
        accs = (y_hat.argmax(-1) == y).float().mean(-1).cpu().numpy()
        return losses, accs
    return F.cross_entropy(y_hat, y).item(), (y_hat.argmax(-1) == y).float().mean().item()


def _progress_bar(total: int, enabled: bool):
    """A tqdm.auto bar; off when building the book (COURSE_LIB_PROGRESS=0) or when disabled."""
    from tqdm.auto import tqdm
    enabled = enabled and os.environ.get("COURSE_LIB_PROGRESS", "1") != "0"
    return tqdm(total=total, disable=not enabled, desc="epochs", leave=False)


def _make_optimizer(name: str, params, lr: float, momentum: float, weight_decay: float) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"optimizer={name!r} is unknown; choose 'sgd' or 'adam'.")


def _check_data(data: Split, model: nn.Module) -> None:
    if not isinstance(data, Split):
        raise TypeError(f"train: data must be a course_lib.data.Split, got {type(data).__name__}; "
                        "wrap arrays with Split(X_train, y_train, X_test, y_test).")
    if len(data.X_train) == 0:
        raise ValueError("train: data.X_train is empty; check the class subset or the split.")
    if len(data.X_train) != len(data.y_train):
        raise ValueError(f"train: X_train has {len(data.X_train)} rows but y_train has {len(data.y_train)} labels.")


def _select_best(best: dict, model: nn.Module, val_loss, epoch: int) -> None:
    """Remember the weights of the epoch with the lowest validation loss (per member)."""
    if np.ndim(val_loss) == 0:
        if val_loss < best["loss"]:
            best.update(loss=val_loss, epoch=epoch, state=copy.deepcopy(model.state_dict()))
        return
    if best["state"] is None:
        best.update(loss=np.full(len(val_loss), np.inf), epoch=np.zeros(len(val_loss), int),
                    state=copy.deepcopy(model.state_dict()))
    improved = val_loss < best["loss"]
    best["loss"] = np.where(improved, val_loss, best["loss"])
    best["epoch"] = np.where(improved, epoch, best["epoch"])
    for name, tensor in model.state_dict().items():
        best["state"][name][torch.from_numpy(improved)] = tensor[torch.from_numpy(improved).to(tensor.device)].clone()


def train(model: nn.Module, data: Split, *, epochs: int, lr: float, batch_size: int = 100,
          optimizer: str = "sgd", momentum: float = 0.0, weight_decay: float = 0.0,
          keep_best: bool = False, seed: int = 0, callback: Callable[[Event], None] | None = None,
          progress: bool = True) -> History:
    """Train ``model`` on ``data`` with mini-batches; evaluate once per epoch.

    Args:
        model: an ``nn.Module`` returning logits, already on the device of ``data``.
        data: a :class:`~course_lib.data.Split`; ``X_val``/``y_val`` are used when present.
        epochs: number of passes over the training set.
        lr: learning rate.
        batch_size: samples per step (use ``len(data.X_train)`` for full-batch, 1 for one image at a time).
        optimizer: ``"sgd"`` (plain, or with ``momentum``) or ``"adam"``.
        weight_decay: L2 penalty coefficient, applied by the optimizer.
        keep_best: restore at the end the weights of the epoch with the lowest validation
            loss (needs ``data.X_val``); per member for an ensemble.
        seed: seed of the batch order (independent of the global random state).
        callback: called with an :class:`Event` after every backward pass and after every epoch.
        progress: show a tqdm bar (never shown while the book is built).

    Returns:
        History: ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc`` (and ``val_loss``,
        ``val_acc``) for epochs 0..epochs.
    """
    _check_data(data, model)
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"train: epochs={epochs!r} must be a non-negative integer.")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"train: batch_size={batch_size!r} must be a positive integer, e.g. 100.")
    if keep_best and data.X_val is None:
        raise ValueError("train: keep_best=True needs a validation set (data.X_val), e.g. from load_jump_task().")
    opt = _make_optimizer(optimizer, model.parameters(), lr, momentum, weight_decay)
    gen = torch.Generator().manual_seed(seed)
    history, best = History(), {"loss": np.inf, "epoch": 0, "state": None}
    n, step, start = len(data.X_train), 0, time.perf_counter()
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(epochs + 1):
            if epoch > 0:
                model.train()
                order = torch.randperm(n, generator=gen).to(data.X_train.device)
                for i in range(0, n, batch_size):
                    idx = order[i:i + batch_size]
                    X, y = data.X_train[idx], data.y_train[idx]
                    y_hat = model(X)                     # forward
                    loss = loss_fn(y_hat, y)             # loss
                    opt.zero_grad(set_to_none=True)
                    loss.backward()                      # backward
                    if callback is not None:             # observe (gradients are in .grad)
                        callback(Event("step", epoch, step, model, X, y, y_hat.detach(), loss.item()))
                    opt.step()                           # update
                    step += 1
                bar.update(1)
            for part in ("train", "test", "val"):        # evaluate once per epoch
                X_eval = getattr(data, f"X_{part}")
                if X_eval is not None:
                    loss_e, acc_e = evaluate(model, X_eval, getattr(data, f"y_{part}"))
                    history.append(f"{part}_loss", loss_e)
                    history.append(f"{part}_acc", acc_e)
            if keep_best:
                _select_best(best, model, history["val_loss"][-1], epoch)
            if callback is not None:
                callback(Event("epoch", epoch, step, model))
    finally:
        bar.close()
    history.best_epoch = epochs
    if keep_best:
        model.load_state_dict(best["state"])
        history.best_epoch = best["epoch"]
    history.seconds = time.perf_counter() - start
    return history
