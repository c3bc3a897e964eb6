"""Seeds, threads and devices: every run of a chapter gives the same numbers.

Introduced in :doc:`/book/00_introduction`. The book's seed rule (``seed``, ``batch_seed``,
``data_seed``) is on the API page, above this module's functions.
"""
from __future__ import annotations

import os
import random

import joblib
import numpy as np
import torch

from course_lib.core.plots import use_book_style
from course_lib.core.publish import register_renderer
from course_lib.core.validate import calling, check_int, check_seed, fail

#: Threads used unless the caller or ``COURSE_LIB_THREADS`` says otherwise (see the API page).
DEFAULT_THREADS = 1


def _env_int(name: str, default: int) -> int:
    """The environment variable ``name`` as an integer, or ``default`` when it is not set."""
    raw = os.environ.get(name)
    try:
        return default if raw is None else int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer; unset it or set e.g. {name}=1.") from None


def available_cpus() -> int:
    """The CPUs this process may really use (affinity mask and cgroup quota, by joblib), at least 1."""
    return max(1, joblib.cpu_count())


def set_threads(n: int | None = None) -> int:
    """Set the CPU threads of PyTorch and of the BLAS/OpenMP pools; return the number in force.

    Args:
        n: threads; ``None`` means ``COURSE_LIB_THREADS`` if set, else :data:`DEFAULT_THREADS`.
            Never more than :func:`available_cpus`.
    """
    if n is None:
        n = _env_int("COURSE_LIB_THREADS", DEFAULT_THREADS)
    n = min(check_int("set_threads", "n", n, 1, fix="pass e.g. n=1 or n=None for the default"), available_cpus())
    torch.set_num_threads(n)
    try:  # NumPy's and scikit-learn's pools oversubscribe a shared CPU just like torch's
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass
    return n


def chapter_seed() -> int:
    """The seed a chapter builds its runs from: ``COURSE_LIB_SEED`` (set by ``make evidence``), or 0."""
    seed = _env_int("COURSE_LIB_SEED", 0)
    if seed < 0:
        raise ValueError(f"COURSE_LIB_SEED={os.environ['COURSE_LIB_SEED']!r} must be a non-negative integer, e.g. 1.")
    return seed


def set_seed(seed: int) -> None:
    """Seed the global generators of Python, NumPy and PyTorch (CPU and CUDA).

    Only what draws from them depends on it: a model built without ``seed=`` and the reader's own
    random calls. Batch orders, data draws and seeded models take their own seeds.
    """
    seed = check_seed("set_seed", "seed", seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def get_device(device: str | torch.device | None = None) -> torch.device:
    """``None``/``"cpu"``, ``"cuda"`` (or ``"cuda:1"``), ``"mps"``, or ``"auto"`` (a CUDA GPU if present).

    A GPU this machine does not have is refused. The book runs on the CPU; Colab may pass ``"cuda"``.
    """
    fn, fix = "get_device", "use 'cpu', 'cuda' or 'auto'"
    if device is None:
        return torch.device("cpu")
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (str, torch.device)):
        fail(fn, "device", device, "is not a device name", fix, TypeError)
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        fail(fn, "device", device, "is not a device name", fix)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if dev.type == "cuda" and not gpus:
        fail(fn, "device", device, "was asked for but no CUDA GPU is available",
             "use device='cpu' (or on Colab: Runtime > Change runtime type > GPU)")
    if dev.type == "cuda" and dev.index is not None and dev.index >= gpus:
        fail(fn, "device", device, f"names GPU {dev.index}, but this machine has {gpus} (0..{gpus - 1})",
             "use device='cuda'")
    if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        fail(fn, "device", device, "asks for an Apple GPU, which this machine does not have",
             "use device='cpu' or device='auto'")
    if dev.type not in ("cpu", "cuda", "mps"):
        fail(fn, "device", device, "is not a device the book trains on", fix)
    return dev


def setup(seed: int | None = None, threads: int | None = None) -> int:
    """The first call of every chapter: seeds, threads, the plotly renderer and the figure style.

    Importing ``course_lib`` changes nothing; this call does all of the set-up.

    Args:
        seed: seed of the global generators (:func:`set_seed`); ``None``: :func:`chapter_seed`.
        threads: CPU threads (:func:`set_threads`; default ``COURSE_LIB_THREADS`` or 1).

    Returns:
        int: the seed, which the chapter names ``SEED`` and builds every run from.
    """
    with calling("setup"):
        seed = chapter_seed() if seed is None else seed
        register_renderer()
        use_book_style()
        set_threads(threads)
        set_seed(seed)
    return seed
