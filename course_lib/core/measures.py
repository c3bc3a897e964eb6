"""Measures that several chapters share, written once: arrays from tensors, class means, correlations.

Taught in :doc:`/book/01_templates` (class means and the correlation of templates with them), used again in
chapters 2, 3 and 6.
"""
from __future__ import annotations

import numpy as np
import torch

from course_lib.core.validate import check_array, check_labels, check_rows_vary, fail


def as_numpy(a, fn: str = "as_numpy", name: str = "a", ndim: int | None = None, min_rows: int = 0,
             dtype=np.float64) -> np.ndarray:
    """``a`` (a tensor on any device, or anything ``np.asarray`` takes) as a NumPy array of finite numbers.

    Args:
        fn: the calling function, named with ``name`` (the argument) in error messages.
        dtype: the returned dtype; ``None`` keeps the input's.
    """
    check_array(fn, name, a, ndim=ndim, min_rows=min_rows)
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=dtype)


def class_means(X, y, fn: str = "class_means", dtype=np.float64) -> np.ndarray:
    """The average row of ``X`` for each label: shape (k, d), one row per label of ``y`` in sorted order.

    Args:
        X: inputs or activations of shape (n, d), a tensor or an array.
        y: integer labels of shape (n,).
        fn: the calling function, named in error messages.
        dtype: the precision of the averages; ``None`` keeps the input's.
    """
    X = as_numpy(X, fn, "X", ndim=2, min_rows=1, dtype=dtype)
    check_labels(fn, "y", y, n=len(X), fix="pass one integer label per row of X")
    y = as_numpy(y, fn, "y", dtype=None)
    return np.stack([X[y == c].mean(0) for c in np.unique(y)])


def row_correlations(A, B, fn: str = "row_correlations") -> np.ndarray:
    """Pearson correlation of every row of ``A`` (m, d) with every row of ``B`` (k, d): shape (m, k).

    Entry [i, j] is corr(A[i], B[j]). A constant row, whose correlation is undefined, is an error.
    """
    A, B = as_numpy(A, fn, "A", ndim=2), as_numpy(B, fn, "B", ndim=2)
    if A.shape[1] != B.shape[1]:
        fail(fn, "B", B, f"has rows of length {B.shape[1]} but A has rows of length {A.shape[1]}",
             "pass rows of the same length, e.g. (a, d) and (b, d)")
    check_rows_vary(fn, "A", A)
    check_rows_vary(fn, "B", B)
    A, B = (M - M.mean(1, keepdims=True) for M in (A, B))
    A, B = (M / np.linalg.norm(M, axis=1, keepdims=True) for M in (A, B))
    return A @ B.T
