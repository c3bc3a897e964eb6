"""The training loop of the book: one readable function, with a per-step callback.

Introduced in the introduction chapter. Works for a single model (logits of shape (n, C))
and for an ensemble such as :class:`~course_lib.models.MLPEnsemble` (logits of shape
(n_models, n, C)), whose members are then trained side by side in one batched computation
and reported one column each; :func:`train_seeds` wraps that into one run per seed.

Seeds follow the rule of :mod:`course_lib.repro`: the model's ``seed`` sets its initial
weights, ``batch_seed`` sets the order of the mini-batches, and the data's ``data_seed``
sets which examples there are. Nothing here touches the global random generators.
"""
from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import Split
from .optim import make_optimizer

__all__ = ["Event", "History", "Run", "StopTraining", "train", "train_seeds", "evaluate", "loss_fn", "predict",
           "stack_splits"]


@dataclass
class Event:
    """What the training loop passes to ``callback``.

    ``phase`` is ``"step"`` after the backward pass and before the update (gradients are in
    ``.grad``), or ``"epoch"`` at the end of every epoch (epoch 0 = before training), after
    that epoch's evaluation when there is one. ``X``, ``y``, ``y_hat`` and ``loss`` are the
    current batch's (None for ``"epoch"``).
    """

    phase: str
    epoch: int
    step: int
    model: nn.Module
    X: torch.Tensor | None = None
    y: torch.Tensor | None = None
    y_hat: torch.Tensor | None = None
    loss: float | None = None
    history: "History | None" = None


class StopTraining(Exception):
    """Raise it in a callback to end training there; :func:`train` returns what it has so far."""


@dataclass
class History:
    """Metrics at the evaluated epochs; ``history.epochs[i]`` is the epoch of row ``i``.

    Every metric is a NumPy array of shape (n_evaluations,) for one model, or
    (n_evaluations, n_models) for an ensemble. With ``eval_every=1`` (the default), row ``e``
    is after ``e`` epochs (row 0: before training). ``best_epoch`` is the epoch whose weights
    the model holds at the end (the last one, or the lowest validation loss with ``keep_best``).
    """

    metrics: dict[str, list] = field(default_factory=dict)
    evaluated: list[int] = field(default_factory=list)
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
        """The epoch of each row of the metrics (0, 1, 2, ... for a history filled by hand)."""
        if not self.evaluated and self.metrics:
            return np.arange(len(next(iter(self.metrics.values()))))
        return np.asarray(self.evaluated, dtype=np.int64)

    def member(self, m: int) -> "History":
        """The history of member ``m`` of an ensemble, as a one-model history."""
        out = History(evaluated=list(self.evaluated), seconds=self.seconds,
                      best_epoch=int(np.atleast_1d(self.best_epoch)[m] if np.ndim(self.best_epoch) else self.best_epoch))
        out.metrics = {k: [np.asarray(v)[m] for v in values] for k, values in self.metrics.items()}
        return out


def loss_fn(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy; for ensemble logits (M, n, C), the sum over members of each mean.

    ``y`` holds labels of shape (n,), shared by the members, or (M, n), one row per member.
    """
    if y_hat.ndim == 3:
        M, n, C = y_hat.shape
        labels = y.reshape(M * n) if y.ndim == 2 else y.repeat(M)
        return F.cross_entropy(y_hat.reshape(M * n, C), labels, reduction="sum") / n
    return F.cross_entropy(y_hat, y)


@torch.no_grad()
def predict(model: nn.Module, X: torch.Tensor, batch_size: int = 10000) -> torch.Tensor:
    """Logits for ``X`` in evaluation mode, in chunks. Shape (n, C) or (M, n, C)."""
    was_training = model.training
    model.eval()
    try:
        outs = [model(X[..., i:i + batch_size, :]) for i in range(0, X.shape[-2], batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(outs, dim=-2)


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Loss and accuracy on (X, y): floats for one model, arrays of shape (M,) for an ensemble.

    For an ensemble, ``X`` may be shared (n, ...) or one set per member (M, n, ...), and ``y``
    shared (n,) or one row per member (M, n).
    """
    y_hat = predict(model, X)
    if y_hat.ndim == 3:
        labels = y if y.ndim == 2 else y.expand(len(y_hat), -1)
        losses = np.array([F.cross_entropy(o, t).item() for o, t in zip(y_hat, labels)])
        accs = (y_hat.argmax(-1) == labels).float().mean(-1).cpu().numpy()
        return losses, accs
    return F.cross_entropy(y_hat, y).item(), (y_hat.argmax(-1) == y).float().mean().item()


def _check_data(data: Split) -> None:
    if not isinstance(data, Split):
        raise TypeError(f"train: data must be a course_lib.data.Split, got {type(data).__name__}; "
                        "wrap arrays with Split(X_train, y_train, X_test, y_test).")
    if data.X_train.shape[-2 if data.y_train.ndim == 2 else 0] == 0 or data.y_train.numel() == 0:
        raise ValueError("train: data.X_train is empty; check the class subset or the split.")
    if data.y_train.shape[-1] != (data.X_train.shape[-2] if data.X_train.ndim == 3 else len(data.X_train)):
        raise ValueError(f"train: X_train has shape {tuple(data.X_train.shape)} but y_train has shape "
                         f"{tuple(data.y_train.shape)}; they need one label per example.")


def _batch_orders(batch_seed: int | Sequence[int], n: int, n_models: int | None) -> torch.Generator | list:
    """One generator for a shared batch order, or one per member (a sequence of seeds)."""
    if isinstance(batch_seed, (int, np.integer)):
        return torch.Generator().manual_seed(int(batch_seed))
    seeds = list(batch_seed)
    if n_models is None or len(seeds) != n_models:
        raise ValueError(f"train: batch_seed={seeds!r} gives one order per member, but the model has "
                         f"{n_models or 1} member(s); pass one seed per member, or a single int for one shared order.")
    return [torch.Generator().manual_seed(int(s)) for s in seeds]


def _shuffled(data: Split, gens, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The training set in this epoch's order: one gather per epoch, so every batch is a slice.

    X is (n, d) shared by the members or (M, n, d) one set per member; y is (n,) or (M, n).
    One order for every member keeps those shapes; one order per member gives (M, n, d) and
    (M, n). ``index_select`` is several times faster than indexing with a tensor.
    """
    X, y = data.X_train, data.y_train
    n = y.shape[-1]
    if isinstance(gens, torch.Generator):                         # one order for every member
        perm = torch.randperm(n, generator=gens).to(device)
        return X.index_select(X.ndim - 2, perm), y.index_select(y.ndim - 1, perm)
    perms = torch.stack([torch.randperm(n, generator=g) for g in gens]).to(device)       # (M, n)
    offsets = n * torch.arange(len(perms), device=device)[:, None]                        # row m of member m
    rows_X = (perms + offsets if X.ndim == 3 else perms).reshape(-1)
    rows_y = (perms + offsets if y.ndim == 2 else perms).reshape(-1)
    Xs = X.reshape(-1, X.shape[-1]).index_select(0, rows_X).reshape(len(perms), n, X.shape[-1])
    return Xs, y.reshape(-1).index_select(0, rows_y).reshape(len(perms), n)


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
    mask = torch.from_numpy(improved)
    for name, tensor in model.state_dict().items():
        best["state"][name][mask] = tensor[mask.to(tensor.device)].clone()


def _progress_bar(total: int, enabled: bool):
    """A tqdm.auto bar, or None when disabled or while the book is built (COURSE_LIB_PROGRESS=0)."""
    if not enabled or os.environ.get("COURSE_LIB_PROGRESS", "1") == "0":
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc="epochs", leave=False)


def train(model: nn.Module, data: Split, *, epochs: int, lr: float, batch_size: int = 100,
          optimizer: str = "sgd", momentum: float = 0.0, weight_decay: float = 0.0,
          batch_seed: int | Sequence[int] = 0, eval_every: int | None = 1,
          eval_on: Sequence[str] = ("train", "test", "val"), keep_best: bool = False,
          callback: Callable[[Event], None] | None = None, progress: bool = True) -> History:
    """Train ``model`` on ``data`` with mini-batches, evaluating every ``eval_every`` epochs.

    Args:
        model: an ``nn.Module`` returning logits, already on the device of ``data``.
        data: a :class:`~course_lib.data.Split`; ``X_val``/``y_val`` are used when present. For
            an ensemble, ``X_train`` may hold one set per member (M, n, ...) and ``y_train`` one
            row of labels per member (M, n).
        epochs: number of passes over the training set.
        lr: learning rate.
        batch_size: samples per step (``len(data.X_train)`` for full-batch, 1 for one image at a time).
        optimizer: ``"sgd"`` (plain, or with ``momentum``) or ``"adam"``.
        weight_decay: L2 penalty coefficient, applied by the optimizer.
        batch_seed: seed of the batch order; for an ensemble an int gives every member the same
            batches, a list (one seed per member) gives each member its own order.
        eval_every: evaluate on every split after this many epochs (and always before training
            and after the last epoch); ``None``: never (call :func:`evaluate` when needed).
            Evaluation costs a forward pass over every split it covers.
        eval_on: the splits to evaluate (those present in ``data``), e.g. ``("val",)`` when only
            the validation loss matters.
        keep_best: restore at the end the weights of the evaluated epoch with the lowest
            validation loss (needs ``data.X_val``); per member for an ensemble.
        callback: called with an :class:`Event` after every backward pass and at the end of every
            epoch; it may raise :class:`StopTraining` to end training early.
        progress: show a tqdm bar (never shown while the book is built).

    Returns:
        History: ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc`` (and ``val_loss``,
        ``val_acc``) at the evaluated epochs, ``history.epochs``.
    """
    _check_data(data)
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"train: epochs={epochs!r} must be a non-negative integer.")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"train: batch_size={batch_size!r} must be a positive integer, e.g. 100.")
    if eval_every is not None and (not isinstance(eval_every, int) or eval_every < 1):
        raise ValueError(f"train: eval_every={eval_every!r} must be a positive integer (1: every epoch) "
                         "or None (never; call evaluate() when you need it).")
    unknown = set(eval_on) - {"train", "test", "val"}
    if unknown or isinstance(eval_on, str):
        raise ValueError(f"train: eval_on={eval_on!r} must list splits among 'train', 'test' and 'val', "
                         "e.g. eval_on=('test',).")
    if keep_best and (data.X_val is None or eval_every is None or "val" not in eval_on):
        raise ValueError("train: keep_best=True needs a validation set (data.X_val, e.g. from load_jump_task()) "
                         "that is evaluated (eval_every not None, 'val' in eval_on).")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer(optimizer, params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    orders = _batch_orders(batch_seed, data.y_train.shape[-1], getattr(model, "n_models", None))
    history, best = History(), {"loss": np.inf, "epoch": 0, "state": None}
    n, step, start = data.y_train.shape[-1], 0, time.perf_counter()
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(epochs + 1):
            if epoch > 0:
                model.train()
                X_all, y_all = _shuffled(data, orders, data.X_train.device)
                for i in range(0, n, batch_size):
                    X, y = X_all[..., i:i + batch_size, :], y_all[..., i:i + batch_size]
                    y_hat = model(X)                                  # forward
                    loss = loss_fn(y_hat, y)                          # loss
                    for p in params:
                        p.grad = None
                    loss.backward()                                   # backward: gradients in p.grad
                    if callback is not None:                          # observe
                        callback(Event("step", epoch, step, model, X, y, y_hat.detach(), loss.item()))
                    opt.step()                                        # update
                    step += 1
                if bar is not None:
                    bar.update(1)
            if eval_every is not None and (epoch % eval_every == 0 or epoch == epochs):  # evaluate
                history.evaluated.append(epoch)
                for part in eval_on:
                    X_eval = getattr(data, f"X_{part}")
                    if X_eval is not None:
                        loss_e, acc_e = evaluate(model, X_eval, getattr(data, f"y_{part}"))
                        history.append(f"{part}_loss", loss_e)
                        history.append(f"{part}_acc", acc_e)
                if keep_best:
                    _select_best(best, model, history["val_loss"][-1], epoch)
            if callback is not None:
                callback(Event("epoch", epoch, step, model, history=history))
    except StopTraining:
        pass
    finally:
        if bar is not None:
            bar.close()
    history.best_epoch = history.evaluated[-1] if history.evaluated else 0
    if keep_best and best["state"] is not None:
        model.load_state_dict(best["state"])
        history.best_epoch = best["epoch"]
    history.seconds = time.perf_counter() - start
    return history


@dataclass
class Run:
    """One seed's result from :func:`train_seeds`: its seed, its trained model and its history."""

    seed: int
    model: nn.Module
    history: History


def stack_splits(splits: Sequence[Split]) -> Split:
    """One per-member Split from several of the same sizes (one data draw per ensemble member).

    Shapes: ``X_*`` (M, n, ...) and ``y_*`` (M, n) for M splits of n examples each.
    """
    splits = list(splits)
    if not splits or any(not isinstance(s, Split) for s in splits):
        raise TypeError("stack_splits: pass a non-empty list of course_lib.data.Split, one per member.")
    stacked = {}
    for name in ("X_train", "y_train", "X_test", "y_test", "X_val", "y_val"):
        parts = [getattr(s, name) for s in splits]
        if any(p is None for p in parts):
            stacked[name] = None
            continue
        if len({tuple(p.shape) for p in parts}) != 1:
            raise ValueError(f"stack_splits: the splits' {name} differ in shape ({sorted({tuple(p.shape) for p in parts})}); "
                             "draw every member's data with the same sizes.")
        stacked[name] = torch.stack(parts)
    return Split(**stacked, classes=splits[0].classes)


def train_seeds(sizes: Sequence[int], data: Split | Sequence[Split], seeds: Sequence[int] = range(5), *,
                activation: str = "relu", weight_std: float | str | None = None,
                batch_seed: int | Sequence[int] = 0, **recipe) -> list[Run]:
    """Train one MLP per seed, side by side in one batched computation, and return one run per seed.

    Run ``m`` is what ``train(MLP(sizes, activation, weight_std, seed=seeds[m]), data, ...)``
    gives (to rounding), at a fraction of the cost of training the seeds one after another.
    Introduced in the introduction chapter; every chapter reports mean ± sd over such runs.

    Args:
        sizes: layer sizes, e.g. ``[784, 30, 10]``.
        data: one Split for every seed, or a list of Splits (one data draw per seed, same sizes).
        seeds: one seed of the initial weights per run.
        activation, weight_std: as for :class:`~course_lib.models.MLP`.
        batch_seed: one int (every run sees the same batches) or one seed per run.
        **recipe: the keyword arguments of :func:`train` (``epochs``, ``lr``, ``batch_size``, ...).

    Returns:
        list of :class:`Run`, in the order of ``seeds``.
    """
    from .models import MLPEnsemble

    seeds = [int(s) for s in seeds]
    if not isinstance(data, Split):
        data = stack_splits(data)
        if len(data.X_train) != len(seeds):
            raise ValueError(f"train_seeds: {len(data.X_train)} data draws for {len(seeds)} seeds; pass one per seed.")
    ensemble = MLPEnsemble(sizes, activation, seeds=seeds, weight_std=weight_std)
    history = train(ensemble, data, batch_seed=batch_seed, **recipe)
    return [Run(seed, ensemble.member(m), history.member(m)) for m, seed in enumerate(seeds)]
