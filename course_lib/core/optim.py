"""The two optimizers of the book, written out: plain/momentum SGD and Adam.

Taught in :doc:`/book/00_introduction`, beside the training loop. Each ``step`` gives bit for bit the numbers
of ``torch.optim.SGD`` and ``torch.optim.Adam`` on the CPU (a test checks it).
"""
from __future__ import annotations

from typing import Sequence

import torch

from course_lib.core.validate import calling, check_choice, check_number, fail


class SGD:
    """Stochastic gradient descent: ``w <- w - lr * g`` with ``g = grad + weight_decay * w``.

    With momentum the step follows the velocity ``v <- momentum * v + g`` (``v = g`` on the first step).
    """

    def __init__(self, params: Sequence[torch.Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        params = check_params("SGD", params)
        check_recipe("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        self.params, self.lr, self.momentum, self.weight_decay = params, lr, momentum, weight_decay
        self.velocity: list[torch.Tensor | None] = [None] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        for i, w in enumerate(self.params):
            g = w.grad
            if self.weight_decay != 0:
                g = g.add(w, alpha=self.weight_decay)
            if self.momentum != 0:
                if self.velocity[i] is None:
                    self.velocity[i] = g.clone()
                else:
                    self.velocity[i].mul_(self.momentum).add_(g)
                g = self.velocity[i]
            w.add_(g, alpha=-self.lr)


class Adam:
    """Adam (Kingma and Ba, 2015) with ``g = grad + weight_decay * w`` and torch's defaults b1, b2, eps.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``, then
    ``w <- w - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``.
    """

    betas, eps = (0.9, 0.999), 1e-8

    def __init__(self, params: Sequence[torch.Tensor], lr: float = 1e-3, weight_decay: float = 0.0) -> None:
        params = check_params("Adam", params)
        check_recipe("Adam", lr=lr, weight_decay=weight_decay)
        self.params, self.lr, self.weight_decay = params, lr, weight_decay
        self.m = [torch.zeros_like(w) for w in self.params]
        self.v = [torch.zeros_like(w) for w in self.params]
        self.t = 0

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1 ** self.t)
        correction2_sqrt = (1 - b2 ** self.t) ** 0.5
        for w, m, v in zip(self.params, self.m, self.v):
            g = w.grad
            if self.weight_decay != 0:
                g = g.add(w, alpha=self.weight_decay)
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (v.sqrt() / correction2_sqrt).add_(self.eps)
            w.addcdiv_(m, denom, value=-step_size)


def check_params(fn: str, params) -> list:
    """A non-empty list of tensors to optimize."""
    try:
        items = None if isinstance(params, (torch.Tensor, str, bytes)) else list(params)
    except TypeError:
        items = None
    if items is None:
        fail(fn, "params", params, "is not a list of tensors", "pass model.parameters()", TypeError)
    if not items:
        fail(fn, "params", items, "is empty: there is nothing to train",
             "pass model.parameters() of a model with weights")
    if not all(isinstance(p, torch.Tensor) for p in items):
        fail(fn, "params", items, "holds something that is not a tensor", "pass model.parameters()", TypeError)
    return items


def check_recipe(fn: str, *, lr, momentum=0.0, weight_decay=0.0, optimizer="sgd",
                 optimizer_arg: str = "optimizer") -> None:
    """The optimizer settings shared by ``train``, its wrappers and the optimizers (the rules are on the API page)."""
    check_choice(fn, optimizer_arg, optimizer, ("sgd", "adam"))
    check_number(fn, "lr", lr, 0, low_open=True,
                 fix="a learning rate is a finite positive number, e.g. lr=0.1 (0 would never move a weight)")
    check_number(fn, "momentum", momentum, 0, 1, high_open=True,
                 fix="momentum lies in [0, 1), e.g. momentum=0.9 (0: plain SGD; 1 or more never forgets and diverges)")
    if optimizer == "adam" and momentum != 0:
        fail(fn, optimizer_arg, "adam", f"with momentum={momentum!r}: Adam keeps its own running averages (betas) "
             "and would drop the momentum", "drop momentum, or use optimizer='sgd'")
    check_number(fn, "weight_decay", weight_decay, 0, fix="an L2 coefficient is a finite number >= 0, e.g. 1e-4")


def make_optimizer(name: str, params: Sequence[torch.Tensor], *, lr: float, momentum: float = 0.0,
                   weight_decay: float = 0.0) -> SGD | Adam:
    """``"sgd"`` or ``"adam"`` over ``params``; Adam has no ``momentum`` argument (its betas play that role)."""
    check_recipe("make_optimizer", optimizer=name, optimizer_arg="name", lr=lr, momentum=momentum,
                 weight_decay=weight_decay)
    with calling("make_optimizer"):
        if name == "sgd":
            return SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
        return Adam(params, lr=lr, weight_decay=weight_decay)
