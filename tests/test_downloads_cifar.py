"""Unit tests of course_lib.downloads (chapter 1's optional CIFAR-10 cell): never touch the network."""
import numpy as np
import pytest

from course_lib.course import downloads


def _fake_fetcher(n=20, width=3072, calls=None):
    def fetch(name, **kwargs):
        if calls is not None:
            calls.append((name, kwargs))
        X = np.tile(np.arange(n, dtype=np.float64)[:, None], (1, width)) % 256
        y = np.array([str(i % 10) for i in range(n)], dtype=object)   # OpenML returns labels as strings
        return X, y
    return fetch


def test_load_cifar10_with_a_fake_fetcher(tmp_path):
    calls = []
    split = downloads.load_cifar10(fetcher=_fake_fetcher(calls=calls), data_home=tmp_path, test_size=5)
    assert calls[0][0] == "CIFAR_10" and calls[0][1]["data_home"] == str(tmp_path)
    assert split.X_train.shape == (15, 3072) and split.X_test.shape == (5, 3072)
    assert split.X_train.dtype.is_floating_point and float(split.X_test.max()) == pytest.approx(19 / 255)
    assert split.y_train.tolist() == [i % 10 for i in range(15)] and split.y_test.tolist() == [5, 6, 7, 8, 9]
    assert split.classes == downloads.CIFAR10_CLASSES and len(split.classes) == 10


def test_load_cifar10_rejects_unexpected_data(tmp_path):
    with pytest.raises(ValueError, match="expected \\(n, 3072\\)"):
        downloads.load_cifar10(fetcher=_fake_fetcher(width=784), data_home=tmp_path, test_size=5)
    with pytest.raises(ValueError, match="test_size=0"):
        downloads.load_cifar10(fetcher=_fake_fetcher(), data_home=tmp_path, test_size=0)


def test_load_cifar10_fails_fast_offline(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "_network_available", lambda *a, **k: False)
    with pytest.raises(ConnectionError, match="not cached .* cannot be reached"):
        downloads.load_cifar10(data_home=tmp_path / "empty")
