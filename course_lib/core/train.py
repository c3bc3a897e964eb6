"""The training loop of the book: mini-batches, evaluation, callbacks, divergence checks.

Taught in :doc:`/book/00_introduction`; every chapter, results script and ensemble trains with it.
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
from course_lib.core.validate import (calling, check_bool, check_callable, check_int, check_int_list, check_labels,
                                      check_seed, check_type, fail)


def _check_model(model: nn.Module, data: Split, fn: str) -> None:
    """One forward pass on one training example: the model takes the inputs and has an output per class."""
    check_type(fn, "model", model, nn.Module, "a torch nn.Module (e.g. course_lib.MLP)")
    with calling(fn):
        out = _predict(model, data.X_train[..., :1, :])
    members = data.y_train.shape[0] if data.y_train.ndim == 2 else getattr(model, "n_models", None)
    if out.ndim not in (2, 3) or (members is not None and (out.ndim != 3 or out.shape[0] != members)):
        fail(fn, "model", type(model).__name__, f"returns logits of shape {tuple(out.shape)} for one example",
             "a model returns (n, classes), an ensemble (members, n, classes) with one row of labels per member")
    for part in ("train", "test", "val"):
        y = getattr(data, f"y_{part}")
        if y is not None and y.numel():
            check_labels(fn, f"data.y_{part}", y, ndim=(1, 2), n_classes=out.shape[-1],
                         fix=f"the model has {out.shape[-1]} outputs: give it one per class, or renumber the labels")
            if y.dtype != torch.int64:
                fail(fn, f"data.y_{part}", y, "is not an int64 tensor", f"convert it with data.y_{part}.long()",
                     TypeError)


def _shuffled(data: Split, orders, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The training set in this epoch's order, gathered once (``index_select``) so that every batch is a slice.

    X (n, d) or (M, n, d), y (n,) or (M, n); one order per member (a list of generators) gives (M, n, d), (M, n).
    """
    X, y = data.X_train, data.y_train
    n = y.shape[-1]
    if isinstance(orders, torch.Generator):                       # one order for every member
        perm = torch.randperm(n, generator=orders).to(device)
        return X.index_select(X.ndim - 2, perm), y.index_select(y.ndim - 1, perm)
    perms = torch.stack([torch.randperm(n, generator=g) for g in orders]).to(device)     # (M, n)
    offsets = n * torch.arange(len(perms), device=device)[:, None]                        # row m of member m
    rows_X = (perms + offsets if X.ndim == 3 else perms).reshape(-1)
    rows_y = (perms + offsets if y.ndim == 2 else perms).reshape(-1)
    Xs = X.reshape(-1, X.shape[-1]).index_select(0, rows_X).reshape(len(perms), n, X.shape[-1])
    return Xs, y.reshape(-1).index_select(0, rows_y).reshape(len(perms), n)


def train(model: nn.Module, data: Split, *, epochs: int, lr: float, batch_size: int = 100,
          optimizer: str = "sgd", momentum: float = 0.0, weight_decay: float = 0.0,
          batch_seed: int | Sequence[int] = 0, eval_every: int | None = 1,
          eval_on: Sequence[str] = ("train", "test", "val"), keep_best: bool = False,
          callback: Callable[[Event], None] | None = None, progress: bool = True) -> History:
    """Train ``model`` on ``data`` with mini-batches, evaluating every ``eval_every`` epochs.

    Args:
        model: returns logits (n, classes), or (M, n, classes) for an ensemble; on the device of ``data``.
        data: ``X_val``/``y_val`` are used when present; for an ensemble, ``X_train`` may be (M, n, d) and
            ``y_train`` (M, n), one set per member.
        batch_seed: seed of the batch order; for an ensemble, a list (one seed per member) gives each its own order.
        eval_every: evaluate every this many epochs, before training and after the last epoch; None for never.
        keep_best: end with the weights of the evaluated epoch of lowest validation loss (per member).
        callback: called with an :class:`~course_lib.core.history.Event` after every backward pass and every
            epoch; it may raise :class:`~course_lib.core.history.StopTraining` to end training.

    Returns:
        ~course_lib.core.history.History: the metrics at the evaluated epochs, ``history.epochs``.
    """
    fn = "train"
    epochs = check_int(fn, "epochs", epochs, 0, fix="the number of passes over the data, e.g. epochs=10")
    check_recipe(fn, lr=lr, momentum=momentum, weight_decay=weight_decay, optimizer=optimizer)
    batch_size = check_int(fn, "batch_size", batch_size, 1,
                           fix="e.g. batch_size=100 (len(data.X_train) for full batch)")
    if eval_every is not None:
        eval_every = check_int(fn, "eval_every", eval_every, 1, fix="a positive integer (1: every epoch) "
                               "or None (never; call evaluate() when you need it)")
    if isinstance(eval_on, str) or not all(isinstance(p, str) and p in ("train", "test", "val") for p in eval_on):
        fail(fn, "eval_on", eval_on, "must list splits among 'train', 'test' and 'val'", "e.g. eval_on=('test',)")
    keep_best, progress = check_bool(fn, "keep_best", keep_best), check_bool(fn, "progress", progress)
    if callback is not None:
        check_callable(fn, "callback", callback, "pass a function of one Event, a Recorder, or None")
    if isinstance(batch_seed, (int, np.integer)) and not isinstance(batch_seed, (bool, np.bool_)):
        orders = torch.Generator().manual_seed(check_seed(fn, "batch_seed", batch_seed))   # one shared order
    else:
        batch_seed = check_int_list(fn, "batch_seed", batch_seed, low=0, min_len=1,
                                    fix="pass one int (one shared batch order) or one seed per ensemble member")
        orders = [torch.Generator().manual_seed(s) for s in batch_seed]                   # one order per member
    if not isinstance(data, Split):
        fail(fn, "data", data, "is not a course_lib.core.data.Split",
             "wrap arrays with Split(X_train, y_train, X_test, y_test)", TypeError)
    check_split(data, fn, prefix="data.", finite=True)
    if data.X_train.shape[-2 if data.y_train.ndim == 2 else 0] == 0 or data.y_train.numel() == 0:
        fail(fn, "data.X_train", data.X_train, "is empty", "check the class subset or the split")
    if keep_best and (data.X_val is None or eval_every is None or "val" not in eval_on):
        fail(fn, "keep_best", keep_best, "needs a validation set (data.X_val, e.g. from load_jump_task()) "
             "that is evaluated", "keep eval_every not None and 'val' in eval_on")
    _check_model(model, data, fn)
    n, n_models = data.y_train.shape[-1], getattr(model, "n_models", None)
    plan = getattr(callback, "check_plan", None)
    if callable(plan):                                     # a Recorder: every snapshot it asks for is taken
        plan(fn, epochs, epochs * -(-n // batch_size))
    if isinstance(orders, list) and (n_models is None or len(orders) != n_models):
        fail(fn, "batch_seed", batch_seed, f"gives one order per member, but the model has {n_models or 1} member(s)",
             "pass one seed per member, or a single int for one shared order")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer(optimizer, params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    history, best = History(), BestWeights()
    step, start = 0, time.perf_counter()
    show_bar = progress and os.environ.get("COURSE_LIB_PROGRESS", "1") != "0"     # "0" while the book is built
    bar = tqdm(total=epochs, desc="epochs", leave=False, disable=not show_bar)
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
        bar.close()
    history.best_epoch = history.evaluated[-1] if history.evaluated else 0
    if keep_best and best.state is not None:
        model.load_state_dict(best.state)
        history.best_epoch = best.epoch
    history.seconds = time.perf_counter() - start
    return history


def _diverged(fn: str, model: nn.Module, epoch: int, what: str, value, lr, optimizer: str) -> None:
    """Stop training: the loss of ``epoch`` is not finite; say which members (of an ensemble) and what to try."""
    n_models = getattr(model, "n_models", None)
    broken = [m for m in range(n_models or 0)
              if not all(torch.isfinite(p[m]).all() for p in model.parameters() if p.ndim and len(p) == n_models)]
    members = f" (members {broken} of {n_models} have non-finite weights)" if broken else ""
    value = np.round(np.asarray(value, dtype=float), 4).tolist()
    raise TrainingDiverged(
        f"{fn}: the {what} is {value} after epoch {epoch}{members}: training diverged with lr={lr!r} "
        f"(optimizer={optimizer!r}) and the weights are no longer usable. Try a smaller lr (e.g. lr={lr / 10:g}), "
        "and check the inputs for very large values.")
