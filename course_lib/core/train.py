"""The training loop of the book: mini-batches, evaluation, callbacks, divergence checks.

Taught in the introduction (:doc:`/book/00_introduction`) and used by every chapter, every results
script and every ensemble: there is no other training loop. :mod:`course_lib.core.evaluate` holds the
loss and the evaluation it calls; :mod:`course_lib.core.runs` trains one network per seed.
"""
from __future__ import annotations

import os
import time
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from course_lib.core.data import Split, check_split
from course_lib.core.evaluate import _evaluate, _loss, _predict
from course_lib.core.history import BestWeights, Event, History, StopTraining, TrainingDiverged
from course_lib.core.optim import check_recipe, make_optimizer
from course_lib.core.validate import (
    calling,
    check_bool,
    check_callable,
    check_int,
    check_int_list,
    check_labels,
    check_seed,
    check_type,
    fail,
)


def _check_data(data: Split, fn: str = "train") -> None:
    """The training data, once per call: a Split of tensors, one int64 label per example, no NaN or inf."""
    if not isinstance(data, Split):
        fail(fn, "data", data, "is not a course_lib.core.data.Split",
             "wrap arrays with Split(X_train, y_train, X_test, y_test)", TypeError)
    check_split(data, fn, prefix="data.", finite=True)
    if data.X_train.shape[-2 if data.y_train.ndim == 2 else 0] == 0 or data.y_train.numel() == 0:
        fail(fn, "data.X_train", data.X_train, "is empty", "check the class subset or the split")


def _check_model(model: nn.Module, data: Split, fn: str) -> None:
    """One forward pass on one training example: the model takes the inputs and has an output per class."""
    check_type(fn, "model", model, nn.Module, "a torch nn.Module (e.g. course_lib.MLP)")
    with calling(fn):
        out = _predict(model, data.X_train[..., :1, :])
    n_models = getattr(model, "n_models", None)
    members = data.y_train.shape[0] if data.y_train.ndim == 2 else n_models
    if out.ndim not in (2, 3) or (n_models is not None and out.ndim != 3) or (
            members is not None and (out.ndim != 3 or out.shape[0] != members)):
        fail(fn, "model", type(model).__name__, f"returns logits of shape {tuple(out.shape)} for one example",
             "a model returns (n, classes), an ensemble (members, n, classes) with one row of labels per member")
    for part in ("train", "test", "val"):
        y = getattr(data, f"y_{part}")
        if y is not None and y.numel():
            check_labels(fn, f"data.y_{part}", y, ndim=(1, 2), n_classes=out.shape[-1],
                         fix=f"the model has {out.shape[-1]} outputs: give it one per class, or renumber the labels")
            if y.dtype != torch.int64:
                fail(fn, f"data.y_{part}", y, "is not an int64 tensor", f"convert it with data.y_{part}.long()", TypeError)


def _check_batch_seed(fn: str, batch_seed) -> None:
    if isinstance(batch_seed, (int, np.integer)) and not isinstance(batch_seed, (bool, np.bool_)):
        check_seed(fn, "batch_seed", batch_seed)
    else:
        check_int_list(fn, "batch_seed", batch_seed, low=0, min_len=1,
                       fix="pass one int (one shared batch order) or one seed per ensemble member")


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


def _progress_bar(total: int, enabled: bool):
    """A tqdm.auto bar, or None when disabled or while the book is built (COURSE_LIB_PROGRESS=0)."""
    if not enabled or os.environ.get("COURSE_LIB_PROGRESS", "1") == "0":
        return None
    return tqdm(total=total, desc="epochs", leave=False)


def train(model: nn.Module, data: Split, *, epochs: int, lr: float, batch_size: int = 100,
          optimizer: str = "sgd", momentum: float = 0.0, weight_decay: float = 0.0,
          batch_seed: int | Sequence[int] = 0, eval_every: int | None = 1,
          eval_on: Sequence[str] = ("train", "test", "val"), keep_best: bool = False,
          callback: Callable[[Event], None] | None = None, progress: bool = True) -> History:
    """Train ``model`` on ``data`` with mini-batches, evaluating every ``eval_every`` epochs.

    Args:
        model: an ``nn.Module`` returning logits, already on the device of ``data``.
        data: a :class:`~course_lib.core.data.Split`; ``X_val``/``y_val`` are used when present. For
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
            and after the last epoch); ``None``: never (call :func:`~course_lib.core.evaluate.evaluate` when needed).
            Evaluation costs a forward pass over every split it covers.
        eval_on: the splits to evaluate (those present in ``data``), e.g. ``("val",)`` when only
            the validation loss matters.
        keep_best: restore at the end the weights of the evaluated epoch with the lowest
            validation loss (needs ``data.X_val``); per member for an ensemble.
        callback: called with an :class:`~course_lib.core.history.Event` after every backward pass and at the end of every
            epoch; it may raise :class:`~course_lib.core.history.StopTraining` to end training early.
        progress: show a tqdm bar (never shown while the book is built).

    Returns:
        ~course_lib.core.history.History: ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc`` (and ``val_loss``,
        ``val_acc``) at the evaluated epochs, ``history.epochs``.

    Raises:
        ValueError, TypeError: before training, for arguments that make no sense (``lr`` not finite
            and positive, NaN or inf in ``data``, labels the model has no output for, Adam with
            ``momentum``, a :class:`~course_lib.core.record.Recorder` asked for epochs beyond ``epochs``...);
            the message names the argument and the fix. The data are checked once per call.
        ~course_lib.core.history.TrainingDiverged: at the end of the first epoch whose training loss (or an evaluated loss)
            is NaN or inf; the message names the epoch and suggests a smaller ``lr``.
    """
    fn = "train"
    epochs = check_int(fn, "epochs", epochs, 0, fix="the number of passes over the data, e.g. epochs=10")
    check_recipe(fn, lr=lr, momentum=momentum, weight_decay=weight_decay, optimizer=optimizer)
    batch_size = check_int(fn, "batch_size", batch_size, 1, fix="e.g. batch_size=100 (len(data.X_train) for full batch)")
    if eval_every is not None:
        eval_every = check_int(fn, "eval_every", eval_every, 1,
                               fix="a positive integer (1: every epoch) or None (never; call evaluate() when you need it)")
    if isinstance(eval_on, str) or not all(isinstance(p, str) and p in ("train", "test", "val") for p in eval_on):
        fail(fn, "eval_on", eval_on, "must list splits among 'train', 'test' and 'val'", "e.g. eval_on=('test',)")
    keep_best, progress = check_bool(fn, "keep_best", keep_best), check_bool(fn, "progress", progress)
    if callback is not None:
        check_callable(fn, "callback", callback, "pass a function of one Event, a Recorder, or None")
    _check_batch_seed(fn, batch_seed)
    _check_data(data, fn)
    if keep_best and (data.X_val is None or eval_every is None or "val" not in eval_on):
        fail(fn, "keep_best", keep_best, "needs a validation set (data.X_val, e.g. from load_jump_task()) "
             "that is evaluated", "keep eval_every not None and 'val' in eval_on")
    _check_model(model, data, fn)
    n = data.y_train.shape[-1]
    plan = getattr(callback, "check_plan", None)
    if callable(plan):                                     # a Recorder: every snapshot it asks for is taken
        plan(fn, epochs, epochs * -(-n // batch_size))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer(optimizer, params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    orders = _batch_orders(batch_seed, n, getattr(model, "n_models", None))
    history, best = History(), BestWeights()
    step, start = 0, time.perf_counter()
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(epochs + 1):
            if epoch > 0:
                model.train()
                X_all, y_all = _shuffled(data, orders, data.X_train.device)
                epoch_loss = torch.zeros((), dtype=torch.float64, device=data.X_train.device)
                for i in range(0, n, batch_size):
                    X, y = X_all[..., i:i + batch_size, :], y_all[..., i:i + batch_size]
                    y_hat = model(X)                                  # forward
                    loss = _loss(y_hat, y)                            # loss
                    for p in params:
                        p.grad = None
                    loss.backward()                                   # backward: gradients in p.grad
                    if callback is not None:                          # observe
                        callback(Event("step", epoch, step, model, X, y, y_hat.detach(), loss.item()))
                    opt.step()                                        # update
                    step += 1
                    epoch_loss += loss.detach()                       # only read: NaN or inf stops training below
                if bar is not None:
                    bar.update(1)
                if not torch.isfinite(epoch_loss):
                    _diverged(fn, model, epoch, "training loss", epoch_loss.item(), lr, optimizer)
            if eval_every is not None and (epoch % eval_every == 0 or epoch == epochs):  # evaluate
                history.evaluated.append(epoch)
                for part in eval_on:
                    X_eval = getattr(data, f"X_{part}")
                    if X_eval is not None:
                        loss_e, acc_e = _evaluate(model, X_eval, getattr(data, f"y_{part}"))
                        if not np.isfinite(loss_e).all():
                            _diverged(fn, model, epoch, f"loss on the {part} set", loss_e, lr, optimizer)
                        history.append(f"{part}_loss", loss_e)
                        history.append(f"{part}_acc", acc_e)
                if keep_best:
                    best.update(model, history["val_loss"][-1], epoch)
            if callback is not None:
                callback(Event("epoch", epoch, step, model, history=history))
    except StopTraining:
        pass
    finally:
        if bar is not None:
            bar.close()
    history.best_epoch = history.evaluated[-1] if history.evaluated else 0
    if keep_best and best.state is not None:
        model.load_state_dict(best.state)
        history.best_epoch = best.epoch
    history.seconds = time.perf_counter() - start
    return history


def _diverged(fn: str, model: nn.Module, epoch: int, what: str, value, lr, optimizer: str) -> None:
    """Stop training: the loss of ``epoch`` is not finite; say which members (for an ensemble) and what to try."""
    members = ""
    n_models = getattr(model, "n_models", None)
    if n_models is not None:
        broken = [m for m in range(n_models)
                  if not all(torch.isfinite(p[m]).all() for p in model.parameters() if p.ndim and len(p) == n_models)]
        if broken:
            members = f" (members {broken} of {n_models} have non-finite weights)"
    value = np.round(np.asarray(value, dtype=float), 4).tolist()
    raise TrainingDiverged(
        f"{fn}: the {what} is {value} after epoch {epoch}{members}: training diverged with lr={lr!r} "
        f"(optimizer={optimizer!r}) and the weights are no longer usable. Try a smaller lr (e.g. lr={lr / 10:g}), "
        "and check the inputs for very large values.")
