"""Tests of course_lib.conv: convolution arithmetic and the single-filter CNNs of chapter 4."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.chapters import conv
from course_lib.core.train import train


def test_output_length_matches_pytorch():
    x = torch.zeros(1, 1, 100)
    for k, stride, pad in [(5, 1, 0), (5, 2, 0), (7, 3, 2), (1, 1, 0), (100, 1, 0)]:
        expected = F.conv1d(x, torch.zeros(1, 1, k), stride=stride, padding=pad).shape[-1]
        assert conv.conv_output_length(100, k, stride, pad) == expected
    assert conv.conv_output_length(100, 5) == 96 and conv.conv_output_length(100, 5, stride=2) == 48
    with pytest.raises(ValueError, match="stride=0"):
        conv.conv_output_length(100, 5, stride=0)
    with pytest.raises(ValueError, match="kernel_size=9"):
        conv.conv_output_length(4, 9)


def test_cross_correlation_is_pytorch_conv_and_flipped_convolution():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=30), rng.normal(size=5)
    by_hand = np.array([sum(w[j] * x[i + j] for j in range(5)) for i in range(26)])
    torch_out = F.conv1d(torch.tensor(x)[None, None], torch.tensor(w)[None, None]).numpy().ravel()
    assert np.allclose(conv.cross_correlate(x, w), by_hand) and np.allclose(torch_out, by_hand)
    assert np.allclose(np.convolve(x, w, "valid"), conv.cross_correlate(x, w[::-1]))
    assert np.allclose(conv.cross_correlate(x, w, stride=2), by_hand[::2])
    with pytest.raises(ValueError, match="1-D"):
        conv.cross_correlate(np.zeros((2, 3)), w)


def test_cnn_forward_matches_a_manual_computation():
    torch.manual_seed(0)
    model = conv.CNN([3, 5], length=20, n_classes=4, activation="relu")
    X = torch.randn(6, 20)
    h = X.numpy().astype(np.float64)
    for layer in (model.features[0], model.features[2]):
        w, b = layer.weight.detach().numpy().ravel(), float(layer.bias.detach())
        k = len(w)
        padded = np.pad(h, ((0, 0), (k // 2, k // 2)))
        h = np.maximum(np.stack([[w @ row[i:i + k] for i in range(20)] for row in padded]) + b, 0)
    manual = h @ model.readout.weight.detach().numpy().T.astype(np.float64) + model.readout.bias.detach().numpy()
    assert np.allclose(model(X).detach().numpy(), manual, atol=1e-5)
    assert [f.shape for f in model.filters()] == [(3,), (5,)]
    maps = model.feature_maps(X)
    assert len(maps) == 2 and np.allclose(maps[1], h, atol=1e-5)


def test_no_conv_layer_is_logistic_regression():
    model = conv.CNN([], length=10, n_classes=3)
    X = torch.randn(4, 10)
    assert torch.allclose(model(X), X @ model.readout.weight.T + model.readout.bias)
    assert model.filters() == []


def test_ensemble_members_match_single_models_and_train_alone():
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(40, 16, generator=gen)
    y = torch.arange(40) % 4
    from course_lib.core.data import Split
    data = Split(X, y, X[:10], y[:10], X[10:20], y[10:20])
    ens = conv.CNNEnsemble([3], length=16, n_classes=4, activation="identity", seeds=[5, 6])
    out = ens(X)
    assert out.shape == (2, 40, 4)
    for m, seed in enumerate([5, 6]):
        torch.manual_seed(seed)
        single = conv.CNN([3], length=16, n_classes=4, activation="identity")
        assert torch.allclose(out[m], single(X), atol=1e-6)
    train(ens, data, epochs=2, lr=0.1, batch_size=10, batch_seed=3, progress=False)
    torch.manual_seed(6)
    alone = conv.CNN([3], length=16, n_classes=4, activation="identity")
    train(alone, data, epochs=2, lr=0.1, batch_size=10, batch_seed=3, progress=False)
    assert torch.allclose(ens.member(1)(X), alone(X), atol=1e-5)


def test_ensemble_keep_best_restores_per_member():
    gen = torch.Generator().manual_seed(2)
    X = torch.randn(60, 12, generator=gen)
    y = torch.arange(60) % 3
    from course_lib.core.data import Split
    data = Split(X, y, X[:20], y[:20], X[20:40], y[20:40])
    ens = conv.CNNEnsemble([3, 5], length=12, n_classes=3, seeds=[0, 1, 2])
    hist = train(ens, data, epochs=5, lr=0.5, keep_best=True, progress=False)
    assert np.asarray(hist.best_epoch).shape == (3,)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="kernel_sizes"):
        conv.CNN([0])
    with pytest.raises(ValueError, match="seeds=()"):
        conv.CNNEnsemble([3], seeds=())
    with pytest.raises(ValueError, match=r"\(n, 100\)"):
        conv.CNN([3])(torch.zeros(2, 50))
    with pytest.raises(ValueError, match="out of range"):
        conv.CNNEnsemble([3], seeds=[0]).member(1)


def test_minority_share_by_hand():
    assert conv.minority_share(np.array([1.0, -1.0])) == pytest.approx(0.5)       # a derivative
    assert conv.minority_share(np.array([1.0, 2.0, 3.0])) == 0                     # smoothing
    assert conv.minority_share(np.array([-1.0, -2.0, -3.0])) == 0                  # upside down, still one sign
    assert conv.minority_share(np.array([-3.0, 1.0])) == pytest.approx(0.25)      # 1 of 4
    with pytest.raises(ValueError, match="minority_share.*f"):
        conv.minority_share(np.zeros(3))
