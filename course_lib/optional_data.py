"""Optional data that needs the network once: CIFAR-10 (chapter 1's optional cell).

Introduced in chapter 1 (``book/01_templates.ipynb``). The book never calls this while it
builds or tests; a reader with internet access runs the optional cell by hand. The download
is cached on disk by scikit-learn, so later calls work offline.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .data import Split, _fetch_openml, _network_available, cache_dir
from .validate import check_callable, check_int

__all__ = ["CIFAR10_CLASSES", "load_cifar10"]

#: What CIFAR-10's labels 0..9 mean.
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_cifar10(fetcher: Callable | None = None, data_home: str | Path | None = None,
                 test_size: int = 10000) -> Split:
    """Load the 60,000 CIFAR-10 colour images through scikit-learn's ``fetch_openml`` (needs the network once).

    Each image is 32 x 32 pixels in three colours, flattened channel-major as in the original
    files: 1,024 red values, then 1,024 green, then 1,024 blue (so ``X.reshape(-1, 3, 32, 32)``
    gives the images). The first download is large and parsing it needs a few GB of memory.

    Args:
        fetcher: function with ``fetch_openml``'s signature (tests pass a fake one).
        data_home: scikit-learn's cache folder (default: ``cache_dir() / "openml_cifar10"``,
            kept apart from full MNIST's cache).
        test_size: the last ``test_size`` images form the test set (OpenML's copy has no
            train/test flag; as with :func:`~course_lib.data.load_full_mnist`, the last rows are held out).

    Returns:
        Split: ``X_*`` float32 in [0, 1] of shape (n, 3072); ``y_*`` int64 in 0..9;
        ``classes`` = :data:`CIFAR10_CLASSES`. With the defaults: 50,000 training and 10,000 test images.

    Raises:
        ConnectionError: when the data is not cached and openml.org cannot be reached.
    """
    test_size = check_int("load_cifar10", "test_size", test_size, 1, fix="e.g. test_size=10000")
    if fetcher is not None:
        check_callable("load_cifar10", "fetcher", fetcher, "pass a function like sklearn's fetch_openml, or None")
    data_home = Path(data_home) if data_home is not None else cache_dir() / "openml_cifar10"
    if fetcher is None:
        from sklearn.datasets import fetch_openml as fetcher
        cached = any(data_home.glob("**/*.arff.gz")) or any(data_home.glob("**/*.pkl*"))
        if not cached and not _network_available():
            raise ConnectionError(
                "load_cifar10: CIFAR-10 is not cached in "
                f"{str(data_home)!r} and openml.org cannot be reached (no network). "
                "Run this cell once on a machine with internet access (Colab, Binder or your laptop); "
                "the chapter itself uses shifted digits instead and needs no download."
            )
    X, y = _fetch_openml(fetcher, "load_cifar10", data_home, name="CIFAR_10", version=1, as_frame=False,
                         parser="auto", return_X_y=True)
    X = np.asarray(X, dtype=np.float32) / 255.0
    y = np.asarray(y).astype(np.int64)
    if X.ndim != 2 or X.shape[1] != 3072 or len(X) != len(y) or len(X) <= test_size:
        raise ValueError(f"load_cifar10: the fetched data has shape {X.shape} with {len(y)} labels; "
                         f"expected (n, 3072) with n > test_size={test_size}. Delete {str(data_home)!r} and retry.")
    if y.min() < 0 or y.max() > 9:
        raise ValueError(f"load_cifar10: labels range over {y.min()}..{y.max()}; expected 0..9. "
                         f"Delete {str(data_home)!r} and retry.")
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return Split(Xt[:-test_size], yt[:-test_size], Xt[-test_size:], yt[-test_size:], classes=CIFAR10_CLASSES)
