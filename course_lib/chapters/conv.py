"""One-dimensional convolution and the small CNNs of the thesis's jump task (Chen 2017, section 3.4).

Introduced in chapter 4 (:doc:`/book/04b_convolution`). A :class:`CNN` has a few convolutional
layers with **one filter each** (stride 1, "same" padding, so every layer keeps the signal's
length) and one dense layer to the classes, with no pooling. :class:`CNNEnsemble` trains
several of them side by side in one batched (grouped) convolution, the way
:class:`~course_lib.core.models.MLPEnsemble` does for MLPs.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from course_lib.core.models import ACTIVATIONS, BatchedLinear, _bad_input, make_activation, seeded
from course_lib.core.validate import calling, check_array, check_choice, check_int, check_int_list, check_seed, fail


def conv_output_length(length: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Length of a 1-D convolution's output: ``floor((length + 2 * padding - kernel_size) / stride) + 1``.

    Args:
        length: input length; kernel_size: filter length; stride: step between windows;
        padding: zeros added at each end.

    Returns:
        int: the output length (for length 100 and kernel 5: 96 at stride 1, 48 at stride 2).
    """
    for name, value, low in (("length", length, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                             ("padding", padding, 0)):
        check_int("conv_output_length", name, value, low, fix=f"e.g. {name}={max(low, 1)}")
    if kernel_size > length + 2 * padding:
        fail("conv_output_length", "kernel_size", kernel_size, f"is longer than the padded input ({length} + 2 x {padding})",
             "use a shorter kernel or more padding")
    return (length + 2 * padding - kernel_size) // stride + 1


def cross_correlate(x, w, stride: int = 1) -> np.ndarray:
    """What deep-learning libraries call convolution: slide ``w`` over ``x`` without flipping it.

    ``y[i] = sum_j w[j] * x[i * stride + j]`` for every window that fits (no padding). True
    convolution flips the kernel: ``np.convolve(x, w, "valid")`` equals
    ``cross_correlate(x, w[::-1])``.

    Args:
        x: signal of shape (length,); w: kernel of shape (k,); stride: step between windows.

    Returns:
        np.ndarray: shape (conv_output_length(length, k, stride),).
    """
    check_array("cross_correlate", "x", x, ndim=1, min_rows=1, fix="a signal of shape (length,)")
    check_array("cross_correlate", "w", w, ndim=1, min_rows=1, fix="a kernel of shape (k,)")
    if len(w) > len(x):
        fail("cross_correlate", "w", w, f"is longer ({len(w)}) than the signal x ({len(x)})", "use a shorter kernel")
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    with calling("cross_correlate"):
        n_out = conv_output_length(len(x), len(w), stride)
    return np.array([w @ x[i * stride:i * stride + len(w)] for i in range(n_out)])


def minority_share(f) -> float:
    """Does a filter smooth or differentiate? The weight of its minority sign over all its weight.

    ``min(sum of the positive weights, -sum of the negative weights) / sum |w|``: 0 when all weights
    share a sign (a smoothing filter, upright or upside down), 0.5 when there is as much negative as
    positive weight (a derivative). Chapter 4b counts a filter above 0.25 as differentiating.

    Args:
        f: the filter, shape (k,), e.g. one of :meth:`CNN.filters`.

    Returns:
        float (a NumPy scalar of the filter's dtype), between 0 and 0.5.
    """
    check_array("minority_share", "f", f, ndim=1, min_rows=1, fix="a filter of shape (k,), e.g. model.filters()[0]")
    f = np.asarray(f)
    if not np.abs(f).sum() > 0:
        fail("minority_share", "f", f, "is all zeros", "pass a filter with a nonzero weight")
    return min(f[f > 0].sum(), -f[f < 0].sum()) / np.abs(f).sum()


def _check_cnn(fn: str, kernel_sizes: Sequence[int], length, n_classes, activation) -> list[int]:
    kernel_sizes = check_int_list(fn, "kernel_sizes", kernel_sizes, low=1,
                                  fix="e.g. [5, 9] for two convolutional layers with filters of length 5 and 9")
    check_int(fn, "length", length, 1, fix="the signal length, e.g. length=100")
    check_int(fn, "n_classes", n_classes, 1, fix="the number of outputs, e.g. n_classes=60")
    check_choice(fn, "activation", activation, sorted(ACTIVATIONS))
    return kernel_sizes


class CNN(nn.Module):
    """Convolutional layers with one filter each ("same" padding), then one dense layer.

    ``features`` is an ``nn.Sequential`` of ``Conv1d(1, 1, k, padding="same")`` layers, each
    followed by the activation; ``readout`` is ``nn.Linear(length, n_classes)``. With
    ``kernel_sizes=[]`` the model is a 1-layer network (multinomial logistic regression).

    Args:
        kernel_sizes: filter length of each convolutional layer, e.g. ``[7]`` or ``[5, 7, 9]``.
        length: signal length; n_classes: number of outputs.
        activation: after each convolution (``"identity"``, ``"relu"``, ...; see
            :data:`~course_lib.core.models.ACTIVATIONS`).
        seed: seed of the initial weights, as for :class:`~course_lib.core.models.MLP` (``None``: the
            global generator).

    Shapes:
        input (n, length) -> logits (n, n_classes); ``features(X.unsqueeze(1))`` is (n, 1, length).
    """

    def __init__(self, kernel_sizes: Sequence[int], length: int = 100, n_classes: int = 60,
                 activation: str = "relu", seed: int | None = None):
        super().__init__()
        self.kernel_sizes, self.length, self.n_classes, self.activation, self.seed = (
            _check_cnn("CNN", kernel_sizes, length, n_classes, activation), length, n_classes, activation, seed)
        if seed is not None:
            check_seed("CNN", "seed", seed)
        with seeded(seed):
            modules: list[nn.Module] = []
            for k in self.kernel_sizes:
                modules += [nn.Conv1d(1, 1, k, padding="same"), make_activation(activation)]
            self.features = nn.Sequential(*modules)
            self.readout = nn.Linear(length, n_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if not isinstance(X, torch.Tensor) or X.ndim != 2 or X.shape[1] != self.length:
            _bad_input("CNN", X, f"(n, {self.length})")
        return self.readout(self.features(X.unsqueeze(1)).squeeze(1))

    def filters(self) -> list[np.ndarray]:
        """The learned filters, one array of shape (k,) per convolutional layer."""
        return [m.weight.detach().cpu().numpy().reshape(-1) for m in self.features if isinstance(m, nn.Conv1d)]

    @torch.no_grad()
    def feature_maps(self, X: torch.Tensor) -> list[np.ndarray]:
        """The signal after each convolutional layer and its activation: arrays of shape (n, length)."""
        out, h = [], X.unsqueeze(1)
        for m in self.features:
            h = m(h)
            if not isinstance(m, nn.Conv1d):
                out.append(h.squeeze(1).cpu().numpy())
        return out


class CNNEnsemble(nn.Module):
    """``n_models`` :class:`CNN` of the same shape trained side by side (grouped convolutions).

    Member ``m`` starts from exactly the weights of ``CNN(kernel_sizes, ..., seed=seeds[m])``; since the training loss is the sum of the members'
    losses, each member gets the updates it would get alone. :meth:`member` takes one out.

    Args:
        kernel_sizes, length, n_classes, activation: as for :class:`CNN`.
        seeds: one initialisation seed per member.

    Shapes:
        input (n, length), shared by the members, or (n_models, n, length), one data draw per member
        -> logits (n_models, n, n_classes).
    """

    def __init__(self, kernel_sizes: Sequence[int], length: int = 100, n_classes: int = 60,
                 activation: str = "relu", seeds: Sequence[int] = (0,)):
        super().__init__()
        check_int_list("CNNEnsemble", "seeds", seeds, low=0, min_len=1, fix="pass one seed per model, e.g. seeds=range(4)")
        self.kernel_sizes, self.length, self.n_classes, self.activation = (
            _check_cnn("CNNEnsemble", kernel_sizes, length, n_classes, activation), length, n_classes, activation)
        self.seeds = list(seeds)
        M = len(self.seeds)
        with torch.no_grad(), torch.random.fork_rng(devices=[]):  # leave the global RNG as it was
            modules: list[nn.Module] = []
            for k in self.kernel_sizes:
                modules += [nn.Conv1d(M, M, k, padding="same", groups=M), make_activation(activation)]
            self.features = nn.Sequential(*modules)
            self.readout = BatchedLinear(M, length, n_classes)
            params = dict(self.named_parameters())
            for m, seed in enumerate(self.seeds):
                single = CNN(self.kernel_sizes, length, n_classes, activation, seed=seed)
                for name, p in single.named_parameters():
                    params[name][m].copy_(p.reshape(params[name][m].shape))

    @property
    def n_models(self) -> int:
        return len(self.seeds)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        M = self.n_models
        if not isinstance(X, torch.Tensor):
            _bad_input("CNNEnsemble", X, f"(n, {self.length}) or ({M}, n, {self.length})")
        if X.ndim == 3 and X.shape[0] == M and X.shape[2] == self.length:
            h = self.features(X.transpose(0, 1))                           # (n, M, length), member m on X[m]
        elif X.ndim == 2 and X.shape[1] == self.length:
            h = self.features(X.unsqueeze(1).expand(-1, M, -1))            # (n, M, length)
        else:
            _bad_input("CNNEnsemble", X, f"(n, {self.length}) or ({M}, n, {self.length})")
        return self.readout(h.transpose(0, 1))                             # (M, n, n_classes)

    def member(self, m: int) -> CNN:
        """Return member ``m`` as a plain :class:`CNN` (a copy)."""
        m = check_int("member", "m", m, 0, self.n_models - 1,
                      fix=f"m is out of range; this ensemble has {self.n_models} models (0..{self.n_models - 1})")
        params = dict(self.named_parameters())
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            single = CNN(self.kernel_sizes, self.length, self.n_classes, self.activation, seed=self.seeds[m])
            for name, p in single.named_parameters():
                p.copy_(params[name][m].detach().cpu().reshape(p.shape))
        return single
