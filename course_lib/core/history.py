"""What training reports: the events a callback sees, the history it returns, the best weights it keeps.

Taught in :doc:`/book/00_introduction`, beside :func:`course_lib.core.train.train`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from course_lib.core.validate import check_int, fail


@dataclass
class Event:
    """What ``train`` passes to ``callback`` at each ``phase``: ``"step"`` (before the update) or ``"epoch"``.

    ``X``, ``y``, ``y_hat`` and ``loss`` are the current batch's, None for ``"epoch"`` (epoch 0: before training).
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
    """Raise it in a callback to end training there; :func:`~course_lib.core.train.train` returns what it has."""


class TrainingDiverged(FloatingPointError, ValueError):
    """The loss of an epoch was not finite (NaN or inf); the message names the epoch and what to try."""


@dataclass
class History:
    """Metrics at the evaluated epochs; ``history.epochs[i]`` is the epoch of row ``i``.

    Every metric is an array (n_evaluations,), or (n_evaluations, n_models) for an ensemble. ``best_epoch``
    is the epoch whose weights the model holds at the end (per member for an ensemble).
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
        first = next((values[0] for values in self.metrics.values() if len(values)), None)
        n_models = (len(np.atleast_1d(self.best_epoch)) if np.ndim(self.best_epoch)
                    else None if first is None else np.shape(first)[0] if np.ndim(first) == 1 else 0)
        if n_models == 0:
            fail("History.member", "m", m, "asks for a member, but this is the history of one model",
                 "use the history itself")
        m = check_int("History.member", "m", m, 0, None if n_models is None else n_models - 1,
                      fix="a member of the ensemble" if n_models is None else
                      f"the ensemble has {n_models} members (0..{n_models - 1})")
        best = np.atleast_1d(self.best_epoch)[m] if np.ndim(self.best_epoch) else self.best_epoch
        out = History(evaluated=list(self.evaluated), seconds=self.seconds, best_epoch=int(best))
        out.metrics = {k: [np.asarray(v)[m] for v in values] for k, values in self.metrics.items()}
        return out


class BestWeights:
    """The weights (``state``) of the lowest validation loss so far (``loss``, at ``epoch``), per member."""

    def __init__(self) -> None:
        self.loss, self.epoch, self.state = np.inf, 0, None

    def update(self, model: nn.Module, val_loss, epoch: int) -> None:
        """Record the weights of ``model`` for every member whose ``val_loss`` is a new lowest."""
        if np.ndim(val_loss) == 0:
            if val_loss < self.loss:
                self.loss, self.epoch, self.state = val_loss, epoch, copy.deepcopy(model.state_dict())
            return
        if self.state is None:
            self.loss, self.epoch = np.full(len(val_loss), np.inf), np.zeros(len(val_loss), int)
            self.state = copy.deepcopy(model.state_dict())
        improved = val_loss < self.loss
        self.loss = np.where(improved, val_loss, self.loss)
        self.epoch = np.where(improved, epoch, self.epoch)
        mask = torch.from_numpy(improved)
        for name, tensor in model.state_dict().items():
            self.state[name][mask] = tensor[mask.to(tensor.device)].clone()
