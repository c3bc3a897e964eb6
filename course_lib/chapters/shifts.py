"""Shifted digits (chapter 1): what a template can and cannot do when the digits move.

Taught in :doc:`/book/01_templates`: digits shifted at random by up to ``k`` pixels, a training split
of shifted digits, and the two measures the chapter reads the templates with (their smoothness and
how alike the digits of one class stay).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from course_lib.core.data import Split
from course_lib.core.measures import as_numpy, class_means, row_correlations
from course_lib.core.validate import (
    calling,
    check_array,
    check_image_shape,
    check_int,
    check_labels,
    check_rows_vary,
    check_seed,
    check_type,
    fail,
)


def shift_images(X: torch.Tensor, k: int, data_seed: int = 0, image_shape: tuple[int, int] = (28, 28)) -> torch.Tensor:
    """Move every image by its own random whole-pixel offset of up to ``k`` pixels each way.

    The offsets (down, right) are drawn uniformly from {-k, ..., k} for each image; pixels
    shifted in from outside the frame are 0 (the background), and ink shifted out is lost.
    MNIST digits mostly sit in the central 20 x 20 pixels, so for small k little ink is lost.

    Args:
        X: images of shape (n, h*w) (float tensor); k: largest shift, a non-negative integer.
        data_seed: seed of the offsets; image_shape: (h, w).

    Returns:
        torch.Tensor: the shifted images, same shape and dtype as X (k = 0 returns a copy).
    """
    fn = "shift_images"
    check_int(fn, "k", k, 0, fix="a non-negative integer number of pixels, e.g. k=2")
    h, w = check_image_shape(fn, image_shape)
    check_array(fn, "X", X, ndim=2, tensor=True, fix=f"expected a float tensor (n, {h * w})")
    if X.shape[1] != h * w:
        fail(fn, "X", X, f"has shape {tuple(X.shape)}; expected (n, {h * w}) for image_shape={image_shape}", "")
    data_seed = check_seed(fn, "data_seed", data_seed)
    n = len(X)
    d = torch.from_numpy(np.random.default_rng(data_seed).integers(-k, k + 1, size=(n, 2)))
    padded = torch.nn.functional.pad(X.reshape(n, h, w), (k, k, k, k))
    rows = (k - d[:, 0])[:, None, None] + torch.arange(h)[None, :, None]   # out[i, j] = in[i - dy, j - dx]
    cols = (k - d[:, 1])[:, None, None] + torch.arange(w)[None, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols].reshape(n, h * w).clone()


def shifted_split(data: Split, k: int, data_seed: int = 0) -> Split:
    """A copy of ``data`` whose training and test images are shifted at random by up to ``k`` pixels.

    Args:
        data: a Split of 28 x 28 images; k: largest shift; data_seed: training images use ``data_seed``,
            test images ``data_seed + 1`` (validation images, if any, ``data_seed + 2``).

    Returns:
        Split: same labels, shifted images.
    """
    check_type("shifted_split", "data", data, Split, "a course_lib Split")
    with calling("shifted_split"):
        out = replace(data, X_train=shift_images(data.X_train, k, data_seed),
                      X_test=shift_images(data.X_test, k, data_seed + 1))
        if data.X_val is not None:
            out = replace(out, X_val=shift_images(data.X_val, k, data_seed + 2))
    return out


def smoothness(W: np.ndarray, image_shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """How smooth each template is: the correlation between neighbouring weights.

    The mean of two correlations: every weight with its right-hand neighbour, and with the
    one below. Near 1 for a smooth blob, near 0 for pixel-to-pixel noise.

    Args:
        W: templates of shape (C, h*w); image_shape: (h, w).

    Returns:
        np.ndarray: shape (C,), values in [-1, 1].
    """
    fn = "smoothness"
    h, w = check_image_shape(fn, image_shape)
    check_array(fn, "W", W, ndim=2, fix=f"expected (C, {h * w})")
    W = as_numpy(W)
    if W.ndim != 2 or W.shape[1] != h * w:
        fail(fn, "W", W, f"has shape {W.shape}; expected (C, {h * w}) for image_shape={image_shape}", "")
    images = W.reshape(len(W), h, w)
    for c, img in enumerate(images):
        if (img[:, 1:] == img[:, 1:].flat[0]).all() or (img[1:, :] == img[1:, :].flat[0]).all() or \
                (img[:, :-1] == img[:, :-1].flat[0]).all() or (img[:-1, :] == img[:-1, :].flat[0]).all():
            fail(fn, "W", W, f"has a constant template (row {c}), whose smoothness (a correlation) is undefined",
                 "drop that row")
    out = []
    for img in images:
        right = np.corrcoef(img[:, 1:].ravel(), img[:, :-1].ravel())[0, 1]
        below = np.corrcoef(img[1:, :].ravel(), img[:-1, :].ravel())[0, 1]
        out.append((right + below) / 2)
    return np.array(out)


def within_class_similarity(X, y) -> np.ndarray:
    """How alike the members of each class are: mean correlation of each input with its class mean.

    Args:
        X: inputs of shape (n, d); y: int labels of shape (n,).

    Returns:
        np.ndarray: shape (C,); entry c is the average over samples of class c of corr(x, mean_c).
    """
    fn = "within_class_similarity"
    check_array(fn, "X", X, ndim=2, min_rows=1, fix="pass inputs of shape (n, d)")
    check_labels(fn, "y", y, n=len(X))
    check_rows_vary(fn, "X", as_numpy(X, fn, "X"))
    X, y = as_numpy(X, fn, "X"), as_numpy(y, fn, "y", dtype=int)
    with calling(fn):
        means = class_means(X, y)
    check_rows_vary(fn, "class means of X", means)
    Xc = X - X.mean(1, keepdims=True)
    Mc = means - means.mean(1, keepdims=True)
    r = (Xc * Mc[y]).sum(1) / (np.linalg.norm(Xc, axis=1) * np.linalg.norm(Mc[y], axis=1) + 1e-12)
    return np.bincount(y, weights=r) / np.bincount(y)


def class_mean_overlap(X, y) -> float:
    """How alike the classes' mean images are: the average correlation between two different class means.

    Taught in chapter 1 (:doc:`/book/01_templates`): as the digits are shifted further, their class
    means blur into one another and this number rises.

    Args:
        X: inputs of shape (n, d); y: int labels of shape (n,).

    Returns:
        float: the mean of corr(mean_i, mean_j) over all pairs of classes i != j.
    """
    fn = "class_mean_overlap"
    check_array(fn, "X", X, ndim=2, min_rows=1, fix="pass inputs of shape (n, d)")
    check_labels(fn, "y", y, n=len(X))
    with calling(fn):
        means = class_means(X, y)
        corr = row_correlations(means, means)
    return float(corr[~np.eye(len(means), dtype=bool)].mean())
