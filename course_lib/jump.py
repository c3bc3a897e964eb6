"""The jump-detection task of the thesis (Chen 2017): the signal-processing detector and the
thesis's four error measures. Introduced in chapter 4 and used again in chapters 5 and 6.

Positions are 1-based, as in the thesis: a signal with jump position ``t`` has its first high
sample at index ``t - 1`` of the array. Labels are ``t - 21`` (0..59).
"""
from __future__ import annotations

import numpy as np
import torch

from .validate import calling, check_array, check_int, check_labels, check_number, fail

__all__ = ["FIRST_POSITION", "gaussian_window", "derivative_of_gaussian", "detect_jumps", "position_errors",
           "labels_to_positions", "detector_weights"]

#: The smallest jump position; label 0 stands for it.
FIRST_POSITION = 21


def labels_to_positions(y) -> np.ndarray:
    """Jump positions (21..80) from labels (0..59). Shape (n,) -> (n,)."""
    check_labels("labels_to_positions", "y", y, ndim=range(0, 8), n_classes=60,
                 fix="labels 0..59 stand for the jump positions 21..80")
    return np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y) + FIRST_POSITION


def gaussian_window(window: int = 19, width: float = 2.9) -> np.ndarray:
    """A normalized Gaussian smoothing filter (the thesis uses window 19, width 2.9).

    Args:
        window: odd number of taps; width: standard deviation in samples.

    Returns:
        np.ndarray of shape (window,), summing to 1.
    """
    fix = "a positive odd integer, e.g. window=19"
    if check_int("gaussian_window", "window", window, 1, fix=fix) % 2 == 0:
        fail("gaussian_window", "window", window, "must be a positive odd integer", "e.g. window=19")
    check_number("gaussian_window", "width", width, 0, low_open=True, fix="a standard deviation in samples, e.g. width=2.9")
    u = np.arange(window) - window // 2
    g = np.exp(-0.5 * (u / width) ** 2)
    return g / g.sum()


def derivative_of_gaussian(window: int = 19, width: float = 2.9) -> np.ndarray:
    """The smoothing filter convolved with the first difference [1, -1]: one edge-detecting filter.

    Returns:
        np.ndarray of shape (window + 1,).
    """
    with calling("derivative_of_gaussian"):
        g = gaussian_window(window, width)
    return np.convolve(g, [1.0, -1.0])


def detect_jumps(X, window: int = 19, width: float = 2.9, first: int = 21, last: int = 80) -> np.ndarray:
    """The signal-processing answer: smooth, take the first difference, pick the largest rise.

    The smoothed signal is ``np.convolve(x, gaussian, "same")`` (edges padded with the
    nearest sample, so the borders make no false edges); the rise at position ``t`` is
    ``s[t-1] - s[t-2]`` (0-based array indices) and the estimate is the ``t`` in ``first..last``
    with the largest rise.

    Args:
        X: signals of shape (n, length), NumPy or torch.
        window, width: the Gaussian smoother; first, last: the allowed jump positions.

    Returns:
        np.ndarray: int, shape (n,), the estimated jump positions.
    """
    fn = "detect_jumps"
    check_array(fn, "X", X, ndim=2, min_rows=1, fix="pass signals of shape (n, length)")
    length = np.shape(X)[1]
    _check_positions(fn, first, last, length)
    with calling(fn):
        g = gaussian_window(window, width)
    X = np.asarray(X.detach().cpu() if isinstance(X, torch.Tensor) else X, dtype=np.float64)
    half = window // 2
    padded = np.pad(X, ((0, 0), (half, half)), mode="edge")
    smooth = np.stack([np.convolve(row, g, mode="valid") for row in padded])
    rise = smooth[:, 1:] - smooth[:, :-1]           # rise[:, t-2] is the step into position t
    candidates = rise[:, first - 2:last - 1]         # positions first..last
    return candidates.argmax(axis=1) + first


def _check_positions(fn: str, first, last, length: int) -> None:
    """Positions ``2 <= first <= last <= length``: a rise into position t needs the samples t-1 and t."""
    check_int(fn, "first", first, 2, fix="the first position with a sample before it is 2; the thesis uses first=21")
    check_int(fn, "last", last, fix="e.g. last=80")
    if not first <= last <= length:
        what = "X has signals of length" if fn == "detect_jumps" else "length is"
        fail(fn, "last", last, f"must satisfy first={first} <= last <= length, and {what} {length}",
             f"use signals of at least {last} samples, or last <= {length}" if last > length else "use first <= last")


def position_errors(pred_positions, true_positions) -> dict[str, float]:
    """The thesis's four error measures (Chen 2017, section 3.2.3).

    ``L1`` is the mean absolute position error, ``L2`` the root-mean-square error, and
    ``L1_99`` / ``L2_99`` the same over the 99 % of signals with the lowest absolute error.

    Args:
        pred_positions, true_positions: positions or labels (the same offset for both), shape (n,).

    Returns:
        dict with keys ``L1``, ``L2``, ``L1_99``, ``L2_99`` and ``max`` (largest absolute error).
    """
    fn = "position_errors"
    check_array(fn, "pred_positions", pred_positions, ndim=1, min_rows=1, fix="pass one position per signal")
    check_array(fn, "true_positions", true_positions, ndim=1, min_rows=1, fix="pass one position per signal")
    pred = np.asarray(pred_positions.detach().cpu() if isinstance(pred_positions, torch.Tensor) else pred_positions)
    true = np.asarray(true_positions.detach().cpu() if isinstance(true_positions, torch.Tensor) else true_positions)
    if pred.shape != true.shape:
        fail(fn, "true_positions", true_positions, f"has shape {true.shape} but pred_positions has {pred.shape}",
             "pass one true position per prediction")
    err = np.sort(np.abs(pred.astype(np.float64) - true))
    kept = err[: int(np.floor(0.99 * len(err)))] if len(err) >= 100 else err
    return {"L1": float(err.mean()), "L2": float(np.sqrt((err ** 2).mean())),
            "L1_99": float(kept.mean()), "L2_99": float(np.sqrt((kept ** 2).mean())), "max": float(err.max())}


def detector_weights(window: int = 19, width: float = 2.9, length: int = 100, first: int = 21,
                     last: int = 80) -> np.ndarray:
    """The signal-processing detector written as a fixed linear layer (chapter 4).

    Smoothing, edge padding and the first difference are all linear, so the rise that
    :func:`detect_jumps` computes for position ``t`` is ``X @ K[:, t - first]``; the detector
    is ``argmax`` over these scores. Column ``t - first`` is the derivative-of-Gaussian filter
    shifted to position ``t`` (bent at the borders by the edge padding).

    Args:
        window, width: the Gaussian smoother; length: signal length; first, last: the positions.

    Returns:
        np.ndarray: shape (length, last - first + 1), one column per position.
    """
    fn = "detector_weights"
    length = check_int(fn, "length", length, 1, fix="the signal length, e.g. length=100")
    _check_positions(fn, first, last, length)
    with calling(fn):
        g = gaussian_window(window, width)
    half = window // 2
    padded = np.pad(np.eye(length), ((0, 0), (half, half)), mode="edge")
    smooth = np.stack([np.convolve(row, g, mode="valid") for row in padded])   # row i: response to x = e_i
    rise = smooth[:, 1:] - smooth[:, :-1]
    return rise[:, first - 2:last - 1]
