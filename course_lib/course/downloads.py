"""Data that needs the network once: full MNIST (optional, chapters 1 and 2) and CIFAR-10
(chapter 1's optional cell). The book never calls these while it builds or tests.

Taught in :doc:`/book/01_templates_further` (the optional CIFAR-10 cell). Every network step has a timeout (:data:`NETWORK_TIMEOUT_S`);
scikit-learn writes each download to a temporary folder, moves it into place and checks its MD5,
and later calls read the cache offline.
"""
from __future__ import annotations

import http.client
import socket
import threading
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from course_lib.core.data import Split, cache_dir
from course_lib.core.validate import check_callable, check_int

#: Seconds any one network operation of the optional loaders may take (connect, or one read).
NETWORK_TIMEOUT_S = 20.0


def _network_available(host: str = "api.openml.org", port: int = 443, timeout: float = 3.0) -> bool:
    """Whether ``host:port`` accepts a connection within ``timeout`` seconds, name lookup included
    (``getaddrinfo`` has no timeout of its own, so it runs in a daemon thread that is given up on)."""

    found: list = []
    lookup = threading.Thread(target=lambda: found.append(_resolve(host, port)), daemon=True)
    lookup.start()
    lookup.join(timeout)
    if not found or found[0] is None:
        return False
    try:
        with socket.create_connection(found[0], timeout=timeout):
            return True
    except OSError:
        return False


def _resolve(host: str, port: int):
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return info[0][4][:2] if info else None
    except OSError:
        return None


def _fetch_openml(fetcher: Callable, what: str, data_home: Path, **kwargs):
    """Call ``fetcher`` (scikit-learn's ``fetch_openml`` or a stand-in) so that no network operation
    waits longer than :data:`NETWORK_TIMEOUT_S`; a failed or stalled download is a ``ConnectionError``
    that says what to do. scikit-learn writes its cache files itself, after a complete download."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(NETWORK_TIMEOUT_S)   # urllib's urlopen without a timeout uses this
    try:
        return fetcher(data_home=str(data_home), **kwargs)
    except (OSError, EOFError, ValueError, http.client.HTTPException) as e:
        # URLError, HTTPError and timeouts are OSErrors; a cut-off response is an HTTPException or EOFError,
        # a tampered one a ValueError (JSON, gzip)
        raise ConnectionError(
            f"{what}: downloading from openml.org failed, stalled or gave unreadable data "
            f"({type(e).__name__}: {str(e)[:200]}); each network "
            f"step may take at most {NETWORK_TIMEOUT_S:.0f} s. Check the connection and run the cell again; if it "
            f"keeps failing, delete {str(data_home)!r} (a partial cache) and retry.") from e
    finally:
        socket.setdefaulttimeout(previous)


def load_full_mnist(test_size: int = 10000, fetcher: Callable | None = None,
                    data_home: str | Path | None = None) -> Split:
    """Load all 70,000 MNIST digits through scikit-learn's ``fetch_openml`` (needs the network once).

    The book never calls this while it builds; an optional cell in chapter 1 does. The
    download is cached on disk by scikit-learn, so a second call works offline.

    Args:
        test_size: the last ``test_size`` digits form the test set (the standard 60k/10k split).
        fetcher: function with ``fetch_openml``'s signature (tests pass a fake one).
        data_home: scikit-learn's cache folder (default: ``cache_dir() / "openml"``).

    Returns:
        Split: ``X_*`` float32 in [0, 1] of shape (n, 784); ``y_*`` int64.

    Raises:
        ConnectionError: when the data is not cached and the network cannot be reached.
    """
    return _load_openml("load_full_mnist", "mnist_784", "liac-arff", 784, tuple(range(10)), fetcher,
                        data_home, "openml", test_size, "Use load_mnist() for the bundled 5,000-digit sample, "
                        "or run this once with internet access.")


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
            train/test flag; as with :func:`~course_lib.course.downloads.load_full_mnist`, the last rows are held out).

    Returns:
        Split: ``X_*`` float32 in [0, 1] of shape (n, 3072); ``y_*`` int64 in 0..9;
        ``classes`` = :data:`CIFAR10_CLASSES`. With the defaults: 50,000 training and 10,000 test images.

    Raises:
        ConnectionError: when the data is not cached and openml.org cannot be reached.
    """
    return _load_openml("load_cifar10", "CIFAR_10", "auto", 3072, CIFAR10_CLASSES, fetcher, data_home,
                        "openml_cifar10", test_size, "Run this cell once on a machine with internet access "
                        "(Colab, Binder or your laptop); the chapter itself uses shifted digits instead and needs "
                        "no download.")


def _load_openml(fn: str, name: str, parser: str, width: int, classes: tuple, fetcher: Callable | None,
                 data_home: str | Path | None, cache_name: str, test_size: int, offline_hint: str) -> Split:
    """Fetch (or read from the cache) an OpenML image set; the last ``test_size`` rows are the test set."""
    test_size = check_int(fn, "test_size", test_size, 1, fix="e.g. test_size=10000")
    if fetcher is not None:
        check_callable(fn, "fetcher", fetcher, "pass a function like sklearn's fetch_openml, or None")
    data_home = Path(data_home) if data_home is not None else cache_dir() / cache_name
    if fetcher is None:
        cached = any(data_home.glob("**/*.arff.gz")) or any(data_home.glob("**/*.pkl*"))
        if not cached and not _network_available():
            raise ConnectionError(f"{fn}: {name} is not cached in {str(data_home)!r} and openml.org cannot be "
                                  f"reached (no network). {offline_hint}")
    X, y = _fetch_openml(fetcher, fn, data_home, name=name, version=1, as_frame=False, parser=parser,
                         return_X_y=True)
    X = np.asarray(X, dtype=np.float32) / 255.0
    y = np.asarray(y).astype(np.int64)
    if X.ndim != 2 or X.shape[1] != width or len(X) != len(y) or len(X) <= test_size:
        raise ValueError(f"{fn}: the fetched data has shape {X.shape} with {len(y)} labels; expected "
                         f"(n, {width}) with n > test_size={test_size}. Delete {str(data_home)!r} and retry.")
    if y.min() < 0 or y.max() >= len(classes):
        raise ValueError(f"{fn}: labels range over {y.min()}..{y.max()}; expected 0..{len(classes) - 1}. "
                         f"Delete {str(data_home)!r} and retry.")
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return Split(Xt[:-test_size], yt[:-test_size], Xt[-test_size:], yt[-test_size:], classes=classes)
