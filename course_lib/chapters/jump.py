"""The jump-detection task of the thesis (Chen 2017): the signal-processing detector and the
thesis's four error measures. Taught in :doc:`/book/04_edges` and used again in chapters 5 and 6.

Positions are 1-based: jump position ``t`` is the first high sample, index ``t - 1``; labels are ``t - 21`` (0..59).
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch

from course_lib.core.data import Split
from course_lib.core.validate import calling, check_array, check_bool, check_int, check_labels, check_number, check_seed, fail

#: The smallest jump position; label 0 stands for it.
FIRST_POSITION = 21


def labels_to_positions(y) -> np.ndarray:
    """Jump positions (21..80) from labels (0..59). Shape (n,) -> (n,)."""
    check_labels("labels_to_positions", "y", y, ndim=range(0, 8), n_classes=60,
                 fix="labels 0..59 stand for the jump positions 21..80")
    return np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y) + FIRST_POSITION


def gaussian_window(window: int = 19, width: float = 2.9) -> np.ndarray:
    """A normalized Gaussian smoothing filter of shape (window,) (the thesis uses window 19, width 2.9).

    Args:
        window: odd number of taps; width: standard deviation in samples.
    """
    fix = "a positive odd integer, e.g. window=19"
    if check_int("gaussian_window", "window", window, 1, fix=fix) % 2 == 0:
        fail("gaussian_window", "window", window, "must be a positive odd integer", "e.g. window=19")
    check_number("gaussian_window", "width", width, 0, low_open=True, fix="a standard deviation in samples, e.g. width=2.9")
    u = np.arange(window) - window // 2
    g = np.exp(-0.5 * (u / width) ** 2)
    return g / g.sum()


def derivative_of_gaussian(window: int = 19, width: float = 2.9) -> np.ndarray:
    """The smoothing filter convolved with the first difference [1, -1]: an edge detector of shape (window + 1,)."""
    with calling("derivative_of_gaussian"):
        g = gaussian_window(window, width)
    return np.convolve(g, [1.0, -1.0])


def detect_jumps(X, window: int = 19, width: float = 2.9, first: int = 21, last: int = 80) -> np.ndarray:
    """The signal-processing answer: smooth, take the first difference, pick the largest rise.

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


def width_slider(value: float = 2.9) -> widgets.FloatSlider:
    """Chapter 4's ipywidgets ``FloatSlider`` for the detector's Gaussian width: 0.5 to 8 in steps of 0.1."""
    check_number("width_slider", "value", value, 0.5, 8.0, fix="a width from 0.5 to 8, e.g. value=2.9")
    return widgets.FloatSlider(value=value, min=0.5, max=8.0, step=0.1, description="width", continuous_update=False)


def _check_positions(fn: str, first, last, length: int) -> None:
    """Positions ``2 <= first <= last <= length``: a rise into position t needs the samples t-1 and t."""
    check_int(fn, "first", first, 2, fix="the first position with a sample before it is 2; the thesis uses first=21")
    check_int(fn, "last", last, fix="e.g. last=80")
    if not first <= last <= length:
        what = "X has signals of length" if fn == "detect_jumps" else "length is"
        fail(fn, "last", last, f"must satisfy first={first} <= last <= length, and {what} {length}",
             f"use signals of at least {last} samples, or last <= {length}" if last > length else "use first <= last")


def position_errors(pred_positions, true_positions) -> dict[str, float]:
    """The thesis's four error measures (Chen 2017, section 3.2.3) of positions (or both as labels), shape (n,) each.

    Returns:
        dict: ``L1`` mean absolute error, ``L2`` root-mean-square error, ``L1_99`` / ``L2_99`` the same over
        the 99 % of signals with the lowest error, ``max`` the largest absolute error.
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
    """The signal-processing detector as a fixed linear layer ``K``: :func:`detect_jumps` is argmax of ``X @ K``.

    Args:
        window, width: the Gaussian smoother; length: signal length; first, last: the positions.

    Returns:
        np.ndarray: shape (length, last - first + 1); column ``t - first`` gives the rise into position ``t``.
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


def make_jump_signals(n: int, sigma: float = 1.0, height: float = 3.0, length: int = 100, first: int = 21,
                      last: int = 80, balanced: bool = True, data_seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy 1-D step signals of the thesis (Chen 2017, section 3.1), introduced in chapter 4.

    Sample i (1-based) is 0 before the jump position t and ``height`` from t on, plus N(0, sigma^2) noise.

    Args:
        sigma: noise standard deviation (the thesis never states it; 1.0 fits its numbers).
        first, last: the range of jump positions; the label is ``t - first``.
        balanced: every position equally often (n a multiple of their number); else drawn uniformly.

    Returns:
        tuple: ``(X, y)``, float32 of shape (n, length) and int64 labels 0..last-first of shape (n,).
    """
    fn = "make_jump_signals"
    n = check_int(fn, "n", n, 1, fix="e.g. n=600")
    length = check_int(fn, "length", length, 1, fix="e.g. length=100")
    first = check_int(fn, "first", first, 1, fix="the first position is 1-based, e.g. first=21")
    last = check_int(fn, "last", last, 1, fix="e.g. last=80")
    if not 1 <= first <= last <= length:
        fail(fn, "first", first, f"and last={last!r} must satisfy 1 <= first <= last <= length={length}",
             "e.g. first=21, last=80, length=100")
    check_number(fn, "sigma", sigma, 0, fix="a noise level, e.g. sigma=1.0")
    check_number(fn, "height", height, fix="a jump size, e.g. height=3.0")
    balanced = check_bool(fn, "balanced", balanced)
    data_seed = check_seed(fn, "data_seed", data_seed)
    n_pos = last - first + 1
    if balanced and n % n_pos:
        raise ValueError(f"make_jump_signals: n={n} is not a multiple of the {n_pos} positions; "
                         f"use n={n_pos * max(1, n // n_pos)} or balanced=False.")
    rng = np.random.default_rng(data_seed)
    if balanced:
        y = rng.permutation(np.repeat(np.arange(n_pos), n // n_pos))
    else:
        y = rng.integers(0, n_pos, size=n)
    positions = y + first  # 1-based index of the first high sample
    idx = np.arange(1, length + 1)
    X = np.where(idx[None, :] >= positions[:, None], height, 0.0) + sigma * rng.standard_normal((n, length))
    return torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.int64))


def load_jump_task(sigma: float = 1.0, n_train: int = 12000, n_val: int = 6000, n_test: int = 6000,
                   data_seed: int = 0) -> Split:
    """The thesis's jump-detection data: 12,000 / 6,000 / 6,000 balanced signals (chapters 4-6).

    Args:
        sigma: noise level; n_train, n_val, n_test: set sizes (multiples of 60).
        data_seed: the three sets use ``data_seed``, ``data_seed + 1`` and ``data_seed + 2``.

    Returns:
        Split: ``X_*`` float32 of shape (n, 100); labels 0..59 stand for positions 21..80.
    """
    fn = "load_jump_task"
    check_number(fn, "sigma", sigma, 0, fix="a noise level, e.g. sigma=1.0")
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        check_int(fn, name, value, 1, fix=f"a positive multiple of 60, e.g. {name}=6000")
        if value % 60:
            fail(fn, name, value, "is not a multiple of the 60 jump positions", f"use {name}={60 * max(1, value // 60)}")
    data_seed = check_seed(fn, "data_seed", data_seed)
    X_tr, y_tr = make_jump_signals(n_train, sigma=sigma, data_seed=data_seed)
    X_va, y_va = make_jump_signals(n_val, sigma=sigma, data_seed=data_seed + 1)
    X_te, y_te = make_jump_signals(n_test, sigma=sigma, data_seed=data_seed + 2)
    return Split(X_tr, y_tr, X_te, y_te, X_va, y_va, classes=tuple(range(21, 81)))


def results_file(name: str, suffix: str) -> str:
    """Where ``make ch4-results`` (scripts/ch4_jump_models.py) keeps one row's results, for ``cl.load_results``.

    Args:
        name: the row as the chapters' tables name it, e.g. ``"2-conv-layer CNN (5, 9)"``.
        suffix: ``"report.json"`` or ``"weights.npz"``.

    Returns:
        e.g. ``"ch4_jump_models/2-conv-layer-cnn-5-9/weights.npz"``.
    """
    for arg, value in (("name", name), ("suffix", suffix)):
        if not isinstance(value, str) or not value.strip():
            fail("results_file", arg, value, "is not a non-empty string",
                 'e.g. results_file("1-layer NN", "report.json")')
    slug = "-".join("".join(c if c.isalnum() or c == "-" else " " for c in name.lower()).split())
    return f"ch4_jump_models/{slug}/{suffix}"


def load_member(model: torch.nn.Module, weights, seed_index: int) -> torch.nn.Module:
    """Copy run ``seed_index`` (0 .. runs - 1) of a row's saved weights into ``model`` (no gradient) and return it.

    Args:
        model: a network whose parameter names are keys of ``weights`` (``cl.MLP``, ``conv.CNN``).
        weights: a row's ``weights.npz`` (a mapping): per parameter an array of shape (runs, ...), each run's
            values in any shape with the parameter's number of elements.
    """
    with torch.no_grad():
        for key, p in model.named_parameters():
            if key not in weights:
                fail("load_member", "weights", sorted(weights)[:4], f"has no array {key!r} for this model",
                     "pass the weights of the row whose sizes built the model")
            runs = np.asarray(weights[key])
            index = check_int("load_member", "seed_index", seed_index, 0, len(runs) - 1,
                              f"the row holds {len(runs)} runs")
            p.copy_(torch.as_tensor(runs[index]).reshape(p.shape))
    return model
