"""Seeds, threads and devices: make every run of a chapter give the same numbers.

Introduced in the introduction chapter (``book/00_introduction.ipynb``).
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import torch

__all__ = ["available_cpus", "set_threads", "set_seed", "get_device", "setup"]


def _cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """Return the CPU quota of this process's cgroup in CPUs, or None when unlimited."""
    v2 = root / "cpu.max"
    try:
        quota, period = v2.read_text().split()[:2]
        if quota != "max":
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 else None
    except (OSError, ValueError):
        return None


def available_cpus() -> int:
    """Count the CPUs this process may really use (affinity mask and cgroup quota).

    ``os.cpu_count()`` reports the host's CPUs, which oversubscribes a container
    or a shared CI runner; PyTorch then runs many times slower.

    Returns:
        int: at least 1.
    """
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        n = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        n = min(n, max(1, int(quota)))
    return max(1, n)


def set_threads(n: int | None = None) -> int:
    """Set the number of CPU threads of PyTorch and of NumPy's/scikit-learn's BLAS and OpenMP pools.

    Args:
        n: threads to use; ``None`` means the ``COURSE_LIB_THREADS`` environment variable
            if set, else :func:`available_cpus`.

    Returns:
        int: the number of threads now in force.
    """
    if n is None:
        env = os.environ.get("COURSE_LIB_THREADS")
        if env is not None:
            try:
                n = int(env)
            except ValueError:
                raise ValueError(f"COURSE_LIB_THREADS={env!r} is not an integer; unset it or set e.g. 1.") from None
        else:
            n = available_cpus()
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"set_threads: n={n!r} is not a positive integer; pass e.g. n=1 or n=None for all usable CPUs.")
    torch.set_num_threads(n)
    try:  # NumPy's and scikit-learn's BLAS/OpenMP pools oversubscribe a shared CPU just like torch
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass
    return n


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and PyTorch (CPU and CUDA).

    Call it before building each model that the text compares, so the same seed
    gives the same initial weights and the same batch order.

    Args:
        seed: a non-negative integer.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_seed: seed={seed!r} must be a non-negative integer, e.g. seed=0.")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))


def get_device(device: str | torch.device | None = None) -> torch.device:
    """Resolve a device name; the book runs on ``"cpu"``, Colab may pass ``"cuda"``.

    Args:
        device: ``None`` or ``"cpu"`` for the CPU, ``"cuda"`` for a GPU, or ``"auto"``
            for a GPU when one is present.

    Returns:
        torch.device
    """
    if device is None:
        return torch.device("cpu")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"get_device: device={device!r} is not a device name; use 'cpu', 'cuda' or 'auto'.") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"get_device: device={device!r} was asked for but no CUDA GPU is available; "
            "use device='cpu' (or on Colab: Runtime > Change runtime type > GPU)."
        )
    return dev


def setup(seed: int = 0, threads: int | None = None, device: str | None = None) -> torch.device:
    """The one call at the top of every chapter: seed everything, set threads, pick a device.

    Args:
        seed: seed for Python, NumPy and PyTorch.
        threads: PyTorch CPU threads (default: the CPUs this process may use).
        device: see :func:`get_device`.

    Returns:
        torch.device: the device to train on.
    """
    set_threads(threads)
    set_seed(seed)
    return get_device(device)
