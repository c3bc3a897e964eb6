import numpy as np
import pytest
import torch

from course_lib.chapters import jump
from course_lib.core import data
from course_lib.core.files import write_atomic
from course_lib.course import downloads


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_LIB_CACHE", str(tmp_path))
    return tmp_path


def test_load_mnist_shapes_range_and_balance(cache):
    d = data.load_mnist()
    assert d.X_train.shape == (4000, 784) and d.X_test.shape == (1000, 784)
    assert d.X_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert 0.0 <= float(d.X_train.min()) and float(d.X_train.max()) <= 1.0
    assert np.array_equal(np.bincount(d.y_test.numpy()), np.full(10, 100))
    assert (cache / "mnist_5k.npz").exists()  # cached after the first read


def test_load_mnist_is_deterministic_and_seed_changes_split(cache):
    a, b, c = data.load_mnist(data_seed=0), data.load_mnist(data_seed=0), data.load_mnist(data_seed=1)
    assert torch.equal(a.X_train, b.X_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.y_train, c.y_train)


def test_class_subset_is_relabelled_and_scaled(cache):
    full = data.load_mnist()
    d = data.load_mnist(classes=(7, 1), scale=1e-4)
    assert d.classes == (7, 1)
    assert set(d.y_train.unique().tolist()) == {0, 1} and len(d.y_train) == 800
    assert float(d.X_train.max()) <= 1e-4 + 1e-9
    # label 0 means digit 7: its mean image matches the full set's 7s
    mean7 = full.X_train[full.y_train == 7].mean(0)
    sub7 = d.X_train[d.y_train == 0].mean(0) / 1e-4
    assert torch.corrcoef(torch.stack([mean7, sub7]))[0, 1] > 0.99


@pytest.mark.parametrize("kwargs, match", [
    ({"classes": (3, 11)}, "classes=\\(3, 11\\)"),
    ({"classes": ()}, "classes=\\(\\)"),
    ({"classes": (1, 1)}, "classes=\\(1, 1\\)"),
    ({"scale": 0}, "scale=0"),
    ({"test_fraction": 1.5}, "test_fraction=1.5"),
])
def test_bad_arguments_name_the_value(cache, kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.load_mnist(**kwargs)


def test_corrupt_cache_is_reported(cache):
    (cache / "mnist_5k.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="corrupt.*delete it"):
        data.load_mnist()


def test_checksum_mismatch_is_reported(cache):
    X, y = data._mnist_sample()
    X = X.copy()
    X[0, 0] = 255 - X[0, 0]
    write_atomic(cache / "mnist_5k.npz", lambda fh: np.savez(fh, X=X, y=y))
    with pytest.raises(ValueError, match="checksum"):
        data.load_mnist()


def test_atomic_write_leaves_no_temporary_files(cache):
    write_atomic(cache / "a.npz", lambda fh: np.savez(fh, x=np.arange(3)))
    assert sorted(p.name for p in cache.iterdir()) == ["a.npz"]


def test_full_mnist_with_a_fake_fetcher(cache):
    calls = {}

    def fake_fetch(name, **kwargs):
        calls.update(name=name, **kwargs)
        X = np.tile(np.arange(784, dtype=np.float64) % 256, (120, 1))
        y = np.array([str(i % 10) for i in range(120)])
        return X, y

    d = downloads.load_full_mnist(test_size=20, fetcher=fake_fetch)
    assert calls["name"] == "mnist_784" and calls["as_frame"] is False
    assert d.X_train.shape == (100, 784) and d.X_test.shape == (20, 784)
    assert float(d.X_train.max()) == pytest.approx(255 / 255.0) and d.y_test.dtype == torch.int64


def test_full_mnist_offline_fails_fast(cache, monkeypatch):
    monkeypatch.setattr(downloads, "_network_available", lambda *a, **k: False)
    with pytest.raises(ConnectionError, match="no network.*load_mnist"):
        downloads.load_full_mnist()


def test_full_mnist_rejects_malformed_download(cache):
    with pytest.raises(ValueError, match="shape"):
        downloads.load_full_mnist(fetcher=lambda *a, **k: (np.zeros((5, 10)), np.zeros(5)))


def test_jump_signals_without_noise_are_exact_steps():
    X, y = jump.make_jump_signals(120, sigma=0.0, data_seed=3)
    assert X.shape == (120, 100) and np.array_equal(np.bincount(y.numpy()), np.full(60, 2))
    for x, label in zip(X.numpy(), y.numpy()):
        t = label + 21
        assert np.all(x[: t - 1] == 0) and np.all(x[t - 1:] == 3)


def test_jump_signals_noise_level_and_determinism():
    X1, y1 = jump.make_jump_signals(6000, sigma=1.0, data_seed=0)
    X2, y2 = jump.make_jump_signals(6000, sigma=1.0, data_seed=0)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    clean, _ = jump.make_jump_signals(6000, sigma=0.0, data_seed=0)
    assert float((X1 - clean).std()) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 100}, "multiple of the 60"), ({"n": 60, "sigma": -1}, "sigma"), ({"n": 60, "first": 90}, "first"),
])
def test_jump_signal_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        jump.make_jump_signals(**kwargs)


def test_load_jump_task_sizes():
    d = jump.load_jump_task(n_train=600, n_val=120, n_test=120)
    assert d.X_train.shape == (600, 100) and d.X_val.shape == (120, 100) and d.classes[0] == 21
    assert not torch.equal(d.X_val, d.X_test)


def test_shuffle_labels_keeps_counts_and_fraction():
    y = torch.arange(1000) % 10
    assert torch.equal(data.shuffle_labels(y, 0.0), y)
    s = data.shuffle_labels(y, 1.0, data_seed=1)
    assert torch.equal(torch.bincount(s), torch.bincount(y)) and (s != y).float().mean() > 0.8
    half = data.shuffle_labels(y, 0.5, data_seed=1)
    assert 0.3 < (half != y).float().mean() < 0.5
    with pytest.raises(ValueError, match="fraction=2"):
        data.shuffle_labels(y, 2)


def test_random_data():
    X, y = data.make_random_data(50, 100, 2, data_seed=0)
    assert X.shape == (50, 100) and 0 <= float(X.min()) and float(X.max()) < 1 and set(y.tolist()) <= {0, 1}
    with pytest.raises(ValueError, match="n_features=0"):
        data.make_random_data(5, 0)
