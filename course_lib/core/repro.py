"""Seeds, threads and devices: make every run of a chapter give the same numbers.

Introduced in the introduction chapter (:doc:`/book/00_introduction`).

**The seed rule of the book.** A training run has three sources of randomness, and each has a
seed of its own name, so that a seed always means one thing:

* ``seed`` — the **initial weights**: ``MLP(sizes, seed=s)``, ``conv.CNN(..., seed=s)``, and one
  per member in ``MLPEnsemble(sizes, seeds=[...])`` / :func:`~course_lib.core.runs.train_seeds`.
  Member ``m`` of an ensemble starts from exactly ``MLP(sizes, seed=seeds[m])``.
* ``batch_seed`` — the **order of the mini-batches**: ``train(..., batch_seed=b)`` (default 0).
  Runs that differ only in ``seed`` see the same batches; an ensemble may give each member its
  own order (``batch_seed=[...]``).
* ``data_seed`` — the **data draw**: which digits form the train/test split
  (``load_mnist(data_seed=...)``), which synthetic signals or random data are drawn
  (``make_jump_signals``, ``load_jump_task``, ``make_random_data``), which labels are shuffled
  (``shuffle_labels``), which subset is taken (``balanced_subset``), how images are shifted.

None of these touch the global random generators: each draws from a generator of its own and
leaves the global state as it was. :func:`set_seed` (called by :func:`setup`) seeds the global
generators of Python, NumPy and PyTorch; in course_lib they matter only where a seed is left
out (``MLP(sizes)`` with ``seed=None`` draws from PyTorch's global generator) and for the
reader's own code (``torch.randn(...)``, a module written in a chapter). ``set_seed`` does not
change batch orders, data draws, or models built with an explicit ``seed``. Helpers whose only
randomness is something else (random flip orders, dot jitter in a plot, a random start for
gradient ascent, Monte Carlo draws) name the seed after what it draws in their docstrings.
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


def available_cpus() -> int:
    """Count the CPUs this process may really use: its affinity mask and its cgroup's CPU quota.

    ``os.cpu_count()`` reports the host's CPUs, which oversubscribes a container or a shared CI
    runner; PyTorch then runs many times slower. joblib's ``cpu_count`` reads both limits (a
    fractional quota such as 1.5 CPUs counts as 2) and ``LOKY_MAX_CPU_COUNT`` if it is set.

    Returns:
        int: at least 1.
    """
    return max(1, joblib.cpu_count())


#: Threads used when neither the caller nor ``COURSE_LIB_THREADS`` says otherwise. The book's
#: networks are small: a second thread costs more in synchronisation than it saves (measured on
#: two cores inside a Jupyter kernel: chapter 2 in 23 s with one thread, 38 s with two), and one
#: thread gives the same numbers on every machine, whatever its number of cores.
DEFAULT_THREADS = 1


def set_threads(n: int | None = None) -> int:
    """Set the number of CPU threads of PyTorch and of NumPy's/scikit-learn's BLAS and OpenMP pools.

    Args:
        n: threads to use; ``None`` means the ``COURSE_LIB_THREADS`` environment variable if set,
            else :data:`DEFAULT_THREADS` (1). Never more than :func:`available_cpus`: more threads
            than usable CPUs was measured 30-100 times slower.

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
            n = DEFAULT_THREADS
    n = check_int("set_threads", "n", n, 1, fix="pass e.g. n=1 or n=None for the default")
    n = min(n, available_cpus())
    torch.set_num_threads(n)
    try:  # NumPy's and scikit-learn's BLAS/OpenMP pools oversubscribe a shared CPU just like torch
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass
    return n


def set_seed(seed: int) -> None:
    """Seed the global generators: Python's ``random``, NumPy's and PyTorch's (CPU and CUDA).

    Under the book's seed rule (see the module docstring) it controls only what draws from the
    global generators: a model built without ``seed=`` and the reader's own random calls. It
    does not set batch orders (``batch_seed``), data draws (``data_seed``) or models built with
    an explicit ``seed``; pass those instead.

    Args:
        seed: a non-negative integer.
    """
    seed = check_seed("set_seed", "seed", seed)
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))


def get_device(device: str | torch.device | None = None) -> torch.device:
    """Resolve a device name; the book runs on ``"cpu"``, Colab may pass ``"cuda"``.

    Args:
        device: ``None`` or ``"cpu"`` for the CPU, ``"cuda"`` (or ``"cuda:1"``) for a GPU, ``"mps"``
            for an Apple GPU, or ``"auto"`` for a CUDA GPU when one is present. A GPU that this
            machine does not have is refused.

    Returns:
        torch.device
    """
    if device is None:
        return torch.device("cpu")
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (str, torch.device)):
        fail("get_device", "device", device, "is not a device name", "use 'cpu', 'cuda' or 'auto'", TypeError)
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        fail("get_device", "device", device, "is not a device name", "use 'cpu', 'cuda' or 'auto'")
    if dev.type == "cuda" and not torch.cuda.is_available():
        fail("get_device", "device", device, "was asked for but no CUDA GPU is available",
             "use device='cpu' (or on Colab: Runtime > Change runtime type > GPU)")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        fail("get_device", "device", device, f"names GPU {dev.index}, but this machine has "
             f"{torch.cuda.device_count()} (0..{torch.cuda.device_count() - 1})", "use device='cuda'")
    if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        fail("get_device", "device", device, "asks for an Apple GPU, which this machine does not have",
             "use device='cpu' or device='auto'")
    if dev.type not in ("cpu", "cuda", "mps"):
        fail("get_device", "device", device, "is not a device the book trains on", "use 'cpu', 'cuda' or 'auto'")
    return dev


def setup(seed: int = 0, threads: int | None = None, device: str | None = None) -> torch.device:
    """The one call at the top of every chapter: seed the global generators, set threads, pick a
    device, and make the book's plotly renderer and figure style the defaults.

    Importing ``course_lib`` changes nothing; this call does all of the set-up.

    Args:
        seed: seed of the global generators of Python, NumPy and PyTorch (see :func:`set_seed`).
        threads: CPU threads (default: ``COURSE_LIB_THREADS`` or 1; see :func:`set_threads`).
        device: see :func:`get_device`.

    Returns:
        torch.device: the device to train on.
    """
    with calling("setup"):
        register_renderer()
        use_book_style()
        set_threads(threads)
        set_seed(seed)
        return get_device(device)
