"""Models of the book: multilayer perceptrons, and many of them trained side by side.

Taught in :doc:`/book/00_introduction`; :class:`MLPEnsemble` is introduced in chapter 4.
"""
from __future__ import annotations

import contextlib
import math
from typing import Sequence

import torch
from torch import nn

from course_lib.core.validate import check_choice, check_int, check_int_list, check_number, check_seed, fail

#: Activation names accepted everywhere in course_lib.
ACTIVATIONS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU, "identity": nn.Identity}


def make_activation(name: str) -> nn.Module:
    """Return a fresh activation module from its name (tanh, sigmoid, relu, identity)."""
    check_choice("make_activation", "name", name, sorted(ACTIVATIONS))
    return ACTIVATIONS[name]()


def _check_sizes(sizes: Sequence[int], fn: str) -> list[int]:
    return check_int_list(fn, "sizes", sizes, low=1, min_len=2,
                          fix="list an input and an output size (and hidden sizes between), all positive integers, "
                              "e.g. sizes=[784, 30, 10]")


def check_weight_std(fn: str, weight_std) -> None:
    """``None``, ``"fan_in"`` or a finite number >= 0 (the initialisations of :class:`MLP`)."""
    fix = "pass None (PyTorch default), a non-negative number, or 'fan_in' for N(0, 1/n_in)"
    if weight_std is None or (isinstance(weight_std, str) and weight_std == "fan_in"):
        return
    if isinstance(weight_std, str):
        fail(fn, "weight_std", weight_std, "is not a known initialisation", fix)
    check_number(fn, "weight_std", weight_std, 0, fix=fix)


def _init_weight_(weight: torch.Tensor, bias: torch.Tensor, weight_std: float | str | None) -> None:
    """Initialise in place: PyTorch's default (None), N(0, std^2), or N(0, 1/fan_in) ("fan_in")."""
    fan_in = weight.shape[-1]
    if weight_std is None:
        bound = 1.0 / math.sqrt(fan_in)  # PyTorch's nn.Linear default, for weights and biases
        nn.init.uniform_(weight, -bound, bound)
        nn.init.uniform_(bias, -bound, bound)
        return
    nn.init.normal_(weight, 0.0, 1.0 / math.sqrt(fan_in) if weight_std == "fan_in" else float(weight_std))
    nn.init.zeros_(bias)


@contextlib.contextmanager
def seeded(seed: int | None):
    """Draw from PyTorch's generator seeded with ``seed`` and restore it after; ``None``: as it is."""
    if seed is None:
        yield
        return
    check_seed("seeded", "seed", seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


class MLP(nn.Module):
    """A multilayer perceptron: Linear, activation, ..., Linear; input (n, sizes[0]) -> logits (n, sizes[-1]).

    Args:
        sizes: layer sizes from input to output, e.g. ``[784, 30, 10]``.
        activation: name of the hidden activation (see :data:`ACTIVATIONS`).
        weight_std: ``None`` for PyTorch's default initialisation, a number for N(0, std^2) weights and zero
            biases, or ``"fan_in"`` for N(0, 1/n_in).
        seed: seed of the initial weights (the global generator is left as it was); ``None``: drawn from it.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", weight_std: float | str | None = None,
                 seed: int | None = None):
        super().__init__()
        self.sizes = _check_sizes(sizes, "MLP")
        check_choice("MLP", "activation", activation, sorted(ACTIVATIONS))
        check_weight_std("MLP", weight_std)
        if seed is not None:
            check_seed("MLP", "seed", seed)
        self.activation, self.seed = activation, seed
        with seeded(seed):
            modules: list[nn.Module] = []
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
                linear = nn.Linear(n_in, n_out)
                _init_weight_(linear.weight.data, linear.bias.data, weight_std)
                modules += [linear, make_activation(activation)]
            self.layers = nn.Sequential(*modules[:-1])      # no activation after the output layer

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if not isinstance(X, torch.Tensor) or X.ndim != 2 or X.shape[1] != self.sizes[0]:
            _bad_input("MLP", X, f"(n, {self.sizes[0]})", "flatten images with X.reshape(len(X), -1)")
        return self.layers(X)

    def hidden_names(self) -> list[str]:
        """Names of the modules whose outputs are the hidden activations, e.g. ``['layers.1']``."""
        return [f"layers.{i}" for i, m in enumerate(self.layers) if not isinstance(m, (nn.Linear, BatchedLinear))]


def _bad_input(fn: str, X, expected: str, fix: str = ""):
    """Refuse a model's input ``X`` that is not a tensor of the ``expected`` shape."""
    if not isinstance(X, torch.Tensor):
        fail(fn, "X", X, "is not a torch tensor", "convert it with torch.as_tensor(X, dtype=torch.float32)", TypeError)
    fail(fn, "X", X, f"does not have the shape {expected} the model takes", fix)


class BatchedLinear(nn.Module):
    """``n_models`` independent linear layers: weight (n_models, out, in), bias (n_models, out).

    Input (n, in) or (n_models, n, in) -> output (n_models, n, out), in one batched matrix product.
    """

    def __init__(self, n_models: int, n_in: int, n_out: int, weight_std: float | str | None = None):
        super().__init__()
        for name, value in (("n_models", n_models), ("n_in", n_in), ("n_out", n_out)):
            check_int("BatchedLinear", name, value, 1, fix=f"pass a positive integer, e.g. {name}=2")
        check_weight_std("BatchedLinear", weight_std)
        self.weight = nn.Parameter(torch.empty(n_models, n_out, n_in))
        self.bias = nn.Parameter(torch.empty(n_models, n_out))
        for m in range(n_models):
            _init_weight_(self.weight.data[m], self.bias.data[m], weight_std)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        M, n_out, n_in = self.weight.shape
        if X.ndim == 2:  # one input for every member: a single product with all members' weights side by side
            out = X @ self.weight.reshape(M * n_out, n_in).T             # (n, M * out)
            return out.reshape(len(X), M, n_out).transpose(0, 1) + self.bias.unsqueeze(1)
        return torch.baddbmm(self.bias.unsqueeze(1), X, self.weight.transpose(1, 2))


class MLPEnsemble(nn.Module):
    """``n_models`` MLPs of one shape trained side by side; member ``m`` starts as ``MLP(..., seed=seeds[m])``.

    Takes ``sizes``, ``activation``, ``weight_std`` as :class:`MLP` does, and one seed per member.
    Input (n, sizes[0]) shared by the members, or (n_models, n, sizes[0]) one set per member
    -> logits (n_models, n, sizes[-1]).
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", seeds: Sequence[int] = (0,),
                 weight_std: float | str | None = None):
        super().__init__()
        check_int_list("MLPEnsemble", "seeds", seeds, low=0, min_len=1,
                       fix="pass one seed per model, e.g. seeds=range(4)")
        self.sizes, self.activation, self.seeds = _check_sizes(sizes, "MLPEnsemble"), activation, list(seeds)
        check_choice("MLPEnsemble", "activation", activation, sorted(ACTIVATIONS))
        check_weight_std("MLPEnsemble", weight_std)
        with torch.no_grad(), torch.random.fork_rng(devices=[]):  # leave the global RNG as it was
            modules: list[nn.Module] = []
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
                modules += [BatchedLinear(len(self.seeds), n_in, n_out, weight_std=0.0), make_activation(activation)]
            self.layers = nn.Sequential(*modules[:-1])
            params = dict(self.named_parameters())
            for m, seed in enumerate(self.seeds):
                for name, p in MLP(self.sizes, activation, weight_std, seed=seed).named_parameters():
                    params[name][m].copy_(p)

    @property
    def n_models(self) -> int:
        return len(self.seeds)

    hidden_names = MLP.hidden_names     # the activation modules' names, as for an MLP

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if (not isinstance(X, torch.Tensor) or X.ndim not in (2, 3) or X.shape[-1] != self.sizes[0]
                or (X.ndim == 3 and len(X) != self.n_models)):
            _bad_input("MLPEnsemble", X, f"(n, {self.sizes[0]}) shared by the members, or "
                       f"({self.n_models}, n, {self.sizes[0]}) one set per member")
        return self.layers(X)

    def member(self, m: int) -> MLP:
        """Return member ``m`` as a plain :class:`MLP` (a copy; its ``seed`` is the member's)."""
        m = check_int("member", "m", m, 0, self.n_models - 1,
                      fix=f"m is out of range; this ensemble has {self.n_models} models (0..{self.n_models - 1})")
        params = dict(self.named_parameters())
        single = MLP(self.sizes, self.activation, seed=self.seeds[m])     # its weights are replaced below
        with torch.no_grad():
            for name, p in single.named_parameters():
                p.copy_(params[name][m].detach().cpu())
        return single
