"""What a classifier looks for: gradient ascent on the input (Chen 2017, chapter 5).

Introduced in chapter 4 (``book/04_edges.ipynb``). Start from a nearly flat random input and
repeatedly move it in the direction that raises the softmax probability of one class, until the
network is almost sure. The result is the smallest change to "nothing" that the network reads as
that class, so it shows which pattern the network really uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import nn

__all__ = ["Ascent", "gradient_ascent"]


@dataclass
class Ascent:
    """The result of :func:`gradient_ascent`.

    Attributes:
        X: the generated inputs, float array of shape (k, n_features), one row per target.
        targets: the class each row was pushed towards, int array (k,).
        probs: the softmax probability of its target at the end, (k,).
        steps: the number of updates each row needed, int array (k,).
        converged: whether each row passed the threshold within ``max_steps``, bool array (k,).
    """

    X: np.ndarray
    targets: np.ndarray
    probs: np.ndarray
    steps: np.ndarray
    converged: np.ndarray


def gradient_ascent(model: nn.Module, targets: Sequence[int], n_features: int = 100, step: float = 10.0,
                    init_range: float = 0.05, threshold: float = 0.999, max_steps: int = 10000,
                    seed: int = 0, objective: str = "probability") -> Ascent:
    """Generate one input per target class by gradient ascent on its softmax probability.

    The thesis's recipe (Chen 2017, chapter 5): every input component starts uniform in
    ``[-init_range, init_range]``; then ``x <- x + step * d p_target(x) / d x`` (``p`` is the
    softmax output, no regulariser) until ``p_target > threshold``. Each row stops on its own.
    The model is used in evaluation mode and its parameters are not changed.

    Args:
        model: a classifier returning logits of shape (k, n_classes) for inputs (k, n_features)
            (take one member out of an ensemble first).
        targets: class labels (0-based), one generated input each, e.g. positions 21, 40, 60, 80 of
            the jump task are labels ``[0, 19, 39, 59]``.
        n_features: input size; step: the ascent rate (10 in the thesis); init_range: half-width of
            the uniform start; threshold: stop when the target's probability exceeds it;
        max_steps: give up after this many updates; seed: seed of the random start.
        objective: ``"probability"`` (the thesis: ascend the softmax probability ``p_target``, which
            can also rise by pushing the other classes down) or ``"logit"`` (ascend the target's
            logit ``z_target`` alone); the stopping rule is the same probability threshold.

    Returns:
        Ascent: the inputs (k, n_features) and, per row, its final probability and step count.
    """
    if objective not in ("probability", "logit"):
        raise ValueError(f"gradient_ascent: objective={objective!r} must be 'probability' or 'logit'.")
    targets_t = torch.as_tensor(np.asarray(targets), dtype=torch.long)
    if targets_t.ndim != 1 or len(targets_t) == 0:
        raise ValueError(f"gradient_ascent: targets={targets!r} must be a non-empty list of class labels, e.g. [0, 29].")
    if not step > 0 or not 0 < threshold < 1 or not init_range >= 0:
        raise ValueError(f"gradient_ascent: need step > 0, 0 < threshold < 1 and init_range >= 0; got step={step}, "
                         f"threshold={threshold}, init_range={init_range}.")
    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    gen = torch.Generator().manual_seed(seed)
    X = ((torch.rand(len(targets_t), n_features, generator=gen) * 2 - 1) * init_range).to(device)
    targets_t = targets_t.to(device)
    rows = torch.arange(len(targets_t), device=device)
    steps = torch.zeros(len(targets_t), dtype=torch.long, device=device)
    was_training = model.training
    model.eval()
    try:
        for _ in range(max_steps + 1):
            X.requires_grad_(True)
            logits = model(X)
            if logits.ndim != 2 or logits.shape[0] != len(targets_t):
                raise ValueError(f"gradient_ascent: the model returned logits of shape {tuple(logits.shape)}; "
                                 "expected (k, n_classes). Pass a single model, e.g. ensemble.member(0).")
            p = torch.softmax(logits, dim=-1)[rows, targets_t]
            active = p.detach() <= threshold
            if not active.any() or int(steps.max()) >= max_steps:
                break
            goal = p if objective == "probability" else logits[rows, targets_t]
            (grad,) = torch.autograd.grad(goal.sum(), X)   # row i's probability depends on row i only
            with torch.no_grad():
                X = X + step * grad * active[:, None]
                steps += active.long()
    finally:
        model.train(was_training)
    p = p.detach()
    return Ascent(X.detach().cpu().numpy(), targets_t.cpu().numpy(), p.cpu().numpy(), steps.cpu().numpy(),
                  (p > threshold).cpu().numpy())
