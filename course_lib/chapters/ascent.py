"""What a classifier looks for: gradient ascent on the input (Chen 2017, chapter 5).

Introduced in chapter 4 (:doc:`/book/04_edges`). Start from a nearly flat random input and
repeatedly move it in the direction that raises the softmax probability of one class, until the
network is almost sure. The result is the smallest change to "nothing" that the network reads as
that class, so it shows which pattern the network really uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from course_lib.core.measures import as_numpy
from course_lib.core.plots import CLASS_COLORS, axes_grid
from course_lib.core.validate import calling, check_choice, check_int, check_int_list, check_number, check_seed, check_type, fail


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
    fn = "gradient_ascent"
    check_type(fn, "model", model, nn.Module, "a torch nn.Module (take one member out of an ensemble first)")
    check_choice(fn, "objective", objective, ("probability", "logit"))
    if isinstance(targets, (np.ndarray, torch.Tensor)):
        targets = targets.tolist()
    check_int_list(fn, "targets", targets, low=0, min_len=1, fix="a non-empty list of class labels, e.g. [0, 29]")
    n_features = check_int(fn, "n_features", n_features, 1, fix="the model's input size, e.g. n_features=100")
    check_number(fn, "step", step, 0, low_open=True, fix="the ascent rate, e.g. step=10.0")
    check_number(fn, "threshold", threshold, 0, 1, low_open=True, high_open=True, fix="a probability, e.g. 0.999")
    check_number(fn, "init_range", init_range, 0, fix="the half-width of the random start, e.g. 0.05")
    max_steps = check_int(fn, "max_steps", max_steps, 0, fix="the most updates per row, e.g. max_steps=10000")
    seed = check_seed(fn, "seed", seed)
    targets_t = torch.as_tensor(np.asarray(targets), dtype=torch.long)
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
        for i in range(max_steps + 1):
            X.requires_grad_(True)
            try:
                with calling(fn):
                    logits = model(X)
            except ValueError as err:
                if i > 0:
                    raise
                fail(fn, "n_features", n_features, f"does not fit the model ({err})", "pass the model's input size")
            if logits.ndim != 2 or logits.shape[0] != len(targets_t):
                fail(fn, "model", type(model).__name__, f"returned logits of shape {tuple(logits.shape)}; "
                     "expected (k, n_classes)", "pass a single model, e.g. ensemble.member(0)")
            if i == 0 and int(targets_t.max()) >= logits.shape[1]:
                fail(fn, "targets", targets, f"holds the class {int(targets_t.max())}, but the model has "
                     f"{logits.shape[1]} classes (0..{logits.shape[1] - 1})", "pass labels of the model's classes")
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


def _check_inputs(fn: str, name: str, X) -> np.ndarray:
    """``X`` as a finite 2-D NumPy array of numbers (not bools) with at least one row (its dtype kept)."""
    a = as_numpy(X, fn, name, ndim=2, min_rows=1, dtype=None)
    if a.dtype.kind not in "iuf":
        fail(fn, name, X, "is not a finite 2-D array of numbers with a row", "pass an array of shape (k, length)")
    return a


def clutter(X) -> np.ndarray:
    """How much else an input does besides its largest rise (chapter 4's measure of a generated input).

    The sizes of all the other changes between neighbouring samples, added up, divided by the largest
    rise: 0 for a clean step, larger the more the input wiggles around it.

    Args:
        X: inputs of shape (k, length), e.g. :attr:`Ascent.X`; each needs a rise (some sample above the one before).

    Returns:
        np.ndarray: float, shape (k,).
    """
    d = np.diff(_check_inputs("clutter", "X", X), axis=1)
    if d.shape[1] == 0 or not (d.max(1) > 0).all():
        fail("clutter", "X", X, "has a row without a rise", "pass inputs with at least two samples and a rise each")
    return (np.abs(d).sum(1) - d.max(1)) / d.max(1)


def plot_ascent(inputs: dict[str, tuple], targets, notes: dict[str, str] | None = None,
                figsize: tuple[float, float] = (5, 8), ax: plt.Axes | None = None) -> plt.Figure:
    """Generated inputs, one row of two panels per network: the ascent on the probability, then on the logit.

    Args:
        inputs: the row's label (its y label) -> (X from the probability ascent, X from the logit ascent), each of
            shape (k, length), one input per target.
        targets: the k target positions (1-based), shape (k,): one colour each, dotted at the position.
        notes: label -> a text written in both panels of that row (e.g. why its input never moved).
        figsize: the figure's size in inches.
        ax: draw into this Axes (the grid of panels takes its place) instead of a new figure.

    Returns:
        matplotlib Figure with len(inputs) x 2 panels and one legend of the targets above them.
    """
    fn = "plot_ascent"
    check_type(fn, "inputs", inputs, dict, "a dict", "pass label -> (X_probability, X_logit)")
    targets = _check_inputs(fn, "targets", np.atleast_2d(targets))[0]
    for label, pair in inputs.items():
        if len(pair) != 2:
            fail(fn, "inputs", label, "does not map to two arrays", "pass (X_probability, X_logit)")
        for X in pair:
            if len(_check_inputs(fn, "inputs", X)) < len(targets):
                fail(fn, "inputs", label, f"has fewer rows than the {len(targets)} targets", "pass one row per target")
    notes = check_type(fn, "notes", {} if notes is None else notes, dict, "a dict", "pass label -> text")
    own_figure = ax is None      # (the loops below rebind `ax`)
    if ax is None:
        fig, axes = plt.subplots(len(inputs), 2, figsize=figsize, sharex=True, layout="constrained", squeeze=False)
    else:
        fig, axes = axes_grid(fn, ax, figsize, len(inputs), 2)
    for r, (label, pair) in enumerate(inputs.items()):
        for ax, X in zip(axes[r], pair):
            positions = np.arange(1, np.shape(X)[1] + 1)
            for j, t in enumerate(targets):
                ax.plot(positions, X[j], color=CLASS_COLORS[j], lw=1.1, label=str(t))
                ax.axvline(t, color=CLASS_COLORS[j], ls=":", lw=1)
            if notes.get(label):
                ax.text(0.5, 0.85, notes[label], transform=ax.transAxes, ha="center", va="top")
        axes[r, 0].set_ylabel(label)
    axes[0, 0].set_title("ascent on the probability")
    axes[0, 1].set_title("ascent on the logit")
    for ax in axes[-1]:
        ax.set_xlabel("position")
    legend = dict(ncol=4, title="target position", frameon=False)
    if own_figure:
        fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside upper center", **legend)
    else:                                   # in a larger figure: the legend goes with the grid's first panel
        axes[0, 0].legend(**legend)
    return fig
