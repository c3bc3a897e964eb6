"""Shared fixtures: small synthetic data so library tests never touch the network or the MNIST sample."""
from __future__ import annotations

import os

import pytest
import torch

os.environ.setdefault("COURSE_LIB_PROGRESS", "0")

from course_lib.core.data import Split


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)
    yield


@pytest.fixture
def tiny_split() -> Split:
    """A 3-class problem with 12 features: 60 train, 30 test, 30 validation samples."""
    gen = torch.Generator().manual_seed(123)
    centers = torch.randn(3, 12, generator=gen) * 2

    def make(n):
        y = torch.arange(n) % 3
        return centers[y] + torch.randn(n, 12, generator=gen), y

    X_tr, y_tr = make(60)
    X_te, y_te = make(30)
    X_va, y_va = make(30)
    return Split(X_tr, y_tr, X_te, y_te, X_va, y_va, classes=(0, 1, 2))
