"""Measures that several chapters share, written once: arrays from tensors, class means, correlations.

Taught in :doc:`/book/01_templates` (class means and the correlation of templates with them) and used
again in chapters 2, 3 and 6. Each has one behaviour on edge cases everywhere: a class without
samples, or a constant row (whose correlation is undefined), is an error that says so.
"""
from __future__ import annotations

import numpy as np
import torch

from course_lib.core.validate import check_array, check_int, check_labels, check_rows_vary, fail


def as_numpy(a, fn: str = "as_numpy", name: str = "a", ndim: int | None = None, min_rows: int = 0,
             dtype=np.float64) -> np.ndarray:
    """``a`` (tensor or array-like) as a NumPy array, checked: finite numbers, ``ndim`` axes.

    Args:
        a: a tensor (any device; it is detached) or anything ``np.asarray`` takes.
        fn, name: the calling function and argument, named in the error message.
        ndim: the number of axes ``a`` must have (None: any).
        min_rows: the fewest rows ``a`` may have.
        dtype: the returned dtype (``None`` keeps the input's).

    Returns:
        np.ndarray
    """
    check_array(fn, name, a, ndim=ndim, min_rows=min_rows)
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=dtype)


def class_means(X, y, n_classes: int | None = None, fn: str = "class_means", dtype=np.float64) -> np.ndarray:
    """The average input (or representation) of each class, in float64 unless ``dtype`` says otherwise.

    Args:
        X: inputs or activations of shape (n, d) (tensor or array); y: int labels of shape (n,).
        n_classes: when given, the labels must be exactly 0..n_classes-1, every one present.
        fn: the calling function, named in error messages.
        dtype: the precision of the averages; ``None`` keeps the input's (chapter 6 averages its
            float32 activations in float32, as its measures were first computed).

    Returns:
        np.ndarray: shape (k, d), one row per label in sorted order: with labels 0..k-1, row c is
        the mean of the rows of X with label c.
    """
    X = as_numpy(X, fn, "X", ndim=2, min_rows=1, dtype=dtype)
    check_labels(fn, "y", y, n=len(X), fix="pass one integer label per row of X")
    y = as_numpy(y, fn, "y", dtype=None)
    labels = np.unique(y)
    if n_classes is not None:
        check_int(fn, "n_classes", n_classes, int(labels.max()) + 1,
                  fix=f"the labels go up to {int(labels.max())}, so n_classes must be larger (or None)")
        missing = sorted(set(range(n_classes)) - set(labels.tolist()))
        if missing:
            fail(fn, "y", y, f"leaves out some classes: classes {missing} have no samples",
                 "pass data that contains every class, or a smaller n_classes")
    return np.stack([X[y == c].mean(0) for c in labels])


def row_correlations(A, B, fn: str = "row_correlations") -> np.ndarray:
    """Pearson correlation of every row of ``A`` with every row of ``B``.

    Args:
        A: shape (m, d), e.g. templates; B: shape (k, d), e.g. class means (tensors or arrays).
        fn: the calling function, named in error messages.

    Returns:
        np.ndarray: shape (m, k); entry [i, j] is corr(A[i], B[j]), in [-1, 1].

    Raises:
        ValueError: when a row is constant: its correlation is undefined.
    """
    A, B = as_numpy(A, fn, "A", ndim=2), as_numpy(B, fn, "B", ndim=2)
    if A.shape[1] != B.shape[1]:
        fail(fn, "B", B, f"has rows of length {B.shape[1]} but A has rows of length {A.shape[1]}",
             "pass rows of the same length, e.g. (a, d) and (b, d)")
    check_rows_vary(fn, "A", A)
    check_rows_vary(fn, "B", B)
    A = A - A.mean(1, keepdims=True)
    B = B - B.mean(1, keepdims=True)
    A = A / np.linalg.norm(A, axis=1, keepdims=True)
    B = B / np.linalg.norm(B, axis=1, keepdims=True)
    return A @ B.T
