import numpy as np
import pytest
import torch

from course_lib.core import repro


def test_available_cpus_is_positive_and_not_more_than_affinity():
    n = repro.available_cpus()
    assert 1 <= n <= (len(__import__("os").sched_getaffinity(0)))


def test_available_cpus_follows_the_limits_joblib_reads(monkeypatch):
    monkeypatch.setenv("LOKY_MAX_CPU_COUNT", "1")       # the same cap a cgroup quota of 1 CPU gives
    assert repro.available_cpus() == 1


def test_set_threads_uses_env_and_rejects_bad_values(monkeypatch):
    monkeypatch.setenv("COURSE_LIB_THREADS", "1")
    assert repro.set_threads() == 1 and torch.get_num_threads() == 1
    with pytest.raises(ValueError, match="n=0"):
        repro.set_threads(0)
    monkeypatch.setenv("COURSE_LIB_THREADS", "many")
    with pytest.raises(ValueError, match="COURSE_LIB_THREADS"):
        repro.set_threads()


def test_same_seed_gives_identical_numbers():
    repro.set_seed(7)
    a = (np.random.rand(3), torch.rand(3), __import__("random").random())
    repro.set_seed(7)
    b = (np.random.rand(3), torch.rand(3), __import__("random").random())
    assert np.array_equal(a[0], b[0]) and torch.equal(a[1], b[1]) and a[2] == b[2]


def test_bad_seed_and_device_are_explained():
    with pytest.raises(ValueError, match="seed=-1"):
        repro.set_seed(-1)
    with pytest.raises(ValueError, match="'gpu0'"):
        repro.get_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            repro.get_device("cuda")
    expected = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    assert repro.get_device().type == expected.type

def test_setup_returns_the_chapter_seed(monkeypatch):
    """``SEED = cl.setup()``: the seed of the run (COURSE_LIB_SEED under ``make evidence``), also seeding NumPy."""
    monkeypatch.delenv("COURSE_LIB_SEED", raising=False)
    assert repro.setup(threads=1) == 0
    monkeypatch.setenv("COURSE_LIB_SEED", "3")
    assert repro.setup(threads=1) == 3
    first = np.random.rand()
    assert repro.setup(seed=3, threads=1) == 3 and np.random.rand() == first
    assert repro.setup(seed=7, threads=1) == 7
    monkeypatch.setenv("COURSE_LIB_SEED", "-1")
    with pytest.raises(ValueError, match="COURSE_LIB_SEED='-1'"):
        repro.setup(threads=1)


def test_default_is_one_thread_and_never_more_than_the_usable_cpus(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_THREADS", raising=False)
    assert repro.set_threads() == repro.DEFAULT_THREADS == 1 and torch.get_num_threads() == 1
    monkeypatch.setattr(repro, "available_cpus", lambda: 2)
    assert repro.set_threads(64) == 2 and torch.get_num_threads() == 2
    repro.set_threads(1)
