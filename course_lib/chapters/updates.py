"""Weight updates as outer products (chapter 3): how one step of gradient descent changes a layer.

Taught in :doc:`/book/03_class_splitting`. The gradient of a layer's weights for one sample is the
outer product of the error at its outputs and its inputs; these functions compute it, compare
steps, and record the updates of a training run.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from course_lib.core.data import Split
from course_lib.core.models import MLP
from course_lib.core.optim import check_recipe
from course_lib.core.record import activations
from course_lib.core.train import train
from course_lib.core.validate import calling, check_array, check_number, fail


def outer_product_gradient(delta: torch.Tensor | np.ndarray, A: torch.Tensor | np.ndarray):
    """The weight gradient of a linear layer ``z = A @ W.T + b``: ``delta.T @ A`` (chapter 3).

    For one sample it is the outer product of the error signal ``delta = dL/dz`` and the
    layer's input ``a``: row j is ``delta_j * a``, a copy of the input scaled by one number.

    Args:
        delta: dL/dz of shape (n, out); A: the layer's inputs, shape (n, in).

    Returns:
        np.ndarray | torch.Tensor: shape (out, in), dL/dW summed over the n samples (the type of ``delta``).
    """
    fn = "outer_product_gradient"
    tensor = isinstance(delta, torch.Tensor)
    if not tensor and not isinstance(delta, np.ndarray):
        fail(fn, "delta", delta, "is neither a NumPy array nor a torch tensor", "pass e.g. np.asarray(delta)", TypeError)
    check_array(fn, "delta", delta, ndim=2, fix="expected (n, out)")
    check_array(fn, "A", A, ndim=2, tensor=tensor, fix=f"expected (n, in), a {'tensor' if tensor else 'NumPy array'} like delta")
    if delta.shape[0] != A.shape[0]:
        fail(fn, "A", A, f"has {A.shape[0]} rows but delta has {delta.shape[0]}", "expected (n, out) and (n, in) with the same n")
    return delta.T @ A


def update_cosines(dW: np.ndarray, a: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Cosine between each row of a weight change and the layer's input (chapter 3).

    Args:
        dW: weight change of shape (out, in); a: the input of that step, shape (in,).
        tol: rows (or an input) with a norm below this get NaN (the neuron did not move).

    Returns:
        np.ndarray: float of shape (out,); +1 or -1 when every row is a multiple of the input.
    """
    check_array("update_cosines", "dW", dW, ndim=2, fix="expected (out, in)")
    check_array("update_cosines", "a", a, shape=(np.shape(dW)[1],), fix="expected the input of shape (in,)")
    check_number("update_cosines", "tol", tol, 0, fix="a small norm, e.g. tol=1e-12")
    dW, a = np.asarray(dW, dtype=np.float64), np.asarray(a, dtype=np.float64)
    norms = np.linalg.norm(dW, axis=1) * np.linalg.norm(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = dW @ a / norms
    cos[np.linalg.norm(dW, axis=1) < tol] = np.nan
    return cos if np.linalg.norm(a) >= tol else np.full(len(dW), np.nan)


@dataclass
class StepUpdates:
    """What :func:`record_updates` saw at every step of one-sample training.

    Attributes:
        X: the input of each step, shape (steps, n_features); y: its label, shape (steps,).
        updates: parameter name (``"layers.0.weight"``) -> weight change of each step, (steps, out, in).
        inputs: the same name -> the input that linear layer received at each step, (steps, in).
    """

    X: np.ndarray
    y: np.ndarray
    updates: dict[str, np.ndarray] = field(default_factory=dict)
    inputs: dict[str, np.ndarray] = field(default_factory=dict)


def record_updates(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, lr: float, momentum: float = 0.0,
                   batch_seed: int = 0) -> StepUpdates:
    """Train ``model`` one sample at a time on (X, y), one pass, and keep every weight change (chapter 3).

    Uses :func:`course_lib.core.train.train` with ``batch_size=1`` and SGD; the change of each
    linear layer's weight at each step is the difference of the weights after and before it.

    Args:
        model: an :class:`~course_lib.core.models.MLP` (its ``layers`` alternate Linear and activation).
        X: inputs (steps, n_features); y: labels (steps,). One step per sample, in a seeded order.
        lr: learning rate; momentum: SGD momentum (0 = plain SGD).
        batch_seed: seed of the sample order.

    Returns:
        StepUpdates: one entry per linear layer.
    """

    fn = "record_updates"
    if not isinstance(model, MLP):
        fail(fn, "model", model, "is not a course_lib MLP", "pass e.g. MLP([784, 10, 2])", TypeError)
    check_recipe(fn, lr=lr, momentum=momentum)
    linear = [i for i, m in enumerate(model.layers) if isinstance(m, nn.Linear)]
    names = [f"layers.{i}.weight" for i in linear]
    seen = {"X": [], "y": [], "before": [], "inputs": []}

    def observe(event) -> None:
        if event.phase != "step":
            return
        acts = activations(model, event.X, [f"layers.{i - 1}" for i in linear if i > 0])
        seen["X"].append(event.X[0].detach().cpu().numpy())
        seen["y"].append(int(event.y[0]))
        seen["before"].append({n: dict(model.named_parameters())[n].detach().cpu().numpy().copy() for n in names})
        seen["inputs"].append({n: (acts["input"][0] if i == 0 else acts[f"layers.{i - 1}"][0])
                               for n, i in zip(names, linear)})

    with calling(fn):
        train(model, Split(X, y, X, y), epochs=1, lr=lr, batch_size=1, momentum=momentum, batch_seed=batch_seed,
              eval_every=None, callback=observe, progress=False)
    after = seen["before"][1:] + [{n: dict(model.named_parameters())[n].detach().cpu().numpy() for n in names}]
    result = StepUpdates(np.stack(seen["X"]), np.asarray(seen["y"]))
    for n in names:
        result.updates[n] = np.stack([a[n] - b[n] for a, b in zip(after, seen["before"])])
        result.inputs[n] = np.stack([s[n] for s in seen["inputs"]])
    return result
