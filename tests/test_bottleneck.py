"""Unit tests of course_lib.bottleneck (chapter 5): fast, offline, against independent computations."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib as cl
from course_lib.chapters import bottleneck as bn
from course_lib.chapters import folding


def _toy_split(n: int = 120, n_in: int = 6, n_classes: int = 3, seed: int = 0) -> cl.Split:
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, n_in, generator=g)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()
    return cl.Split(X, y % n_classes, X[:30], y[:30] % n_classes)


def test_bottleneck_sizes():
    assert bn.bottleneck_sizes(2) == [100, 2, 60]
    assert bn.bottleneck_sizes(7, "deep") == [100, 25, 7, 25, 60]
    with pytest.raises(ValueError, match="depth"):
        bn.bottleneck_sizes(2, "wide")
    with pytest.raises(ValueError, match="p=0"):
        bn.bottleneck_sizes(0)


def test_pad_ensemble_starts_as_the_small_networks():
    sizes_list = [[6, 2, 3], [6, 4, 3], [6, 3, 3]]
    ens = bn.pad_ensemble(sizes_list, seeds=[5, 6, 7])
    X = torch.randn(10, 6)
    out = cl.predict(ens, X)
    for m, (sizes, seed) in enumerate(zip(sizes_list, [5, 6, 7])):
        torch.manual_seed(seed)
        small = cl.MLP(sizes)
        assert torch.allclose(out[m], cl.predict(small, X), atol=1e-6)
        assert torch.allclose(cl.predict(bn.unpad_member(ens, m), X), out[m], atol=1e-6)


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.1), ("adam", 0.01)])
def test_pad_ensemble_trains_like_the_small_networks(optimizer, lr):
    data = _toy_split()
    sizes_list = [[6, 4, 2, 4, 3], [6, 4, 5, 4, 3]]
    ens = bn.pad_ensemble(sizes_list, seeds=[0, 1])
    cl.train(ens, data, epochs=3, lr=lr, batch_size=20, optimizer=optimizer, batch_seed=3, progress=False)
    # the padded units never moved away from zero
    assert torch.count_nonzero(ens.layers[2].weight.data[0, 2:, :]) == 0
    assert torch.count_nonzero(ens.layers[4].weight.data[0, :, 2:]) == 0
    for m, sizes in enumerate(sizes_list):
        torch.manual_seed(m)
        small = cl.MLP(sizes)
        cl.train(small, data, epochs=3, lr=lr, batch_size=20, optimizer=optimizer, batch_seed=3, progress=False)
        got = bn.unpad_member(ens, m)
        for (name, a), b in zip(small.named_parameters(), got.parameters()):
            assert torch.allclose(a, b, atol=1e-5), name


def test_pad_ensemble_errors():
    with pytest.raises(ValueError, match="f\\(0\\)"):
        bn.pad_ensemble([[4, 2, 3]], seeds=[0], activation="sigmoid")
    with pytest.raises(ValueError, match="same number of layers"):
        bn.pad_ensemble([[4, 2, 3], [4, 2, 2, 3]], seeds=[0, 1])
    with pytest.raises(ValueError, match="one seed per member"):
        bn.pad_ensemble([[4, 2, 3]], seeds=[0, 1])
    with pytest.raises(ValueError, match="pad_ensemble"):
        bn.unpad_member(cl.MLPEnsemble([4, 2, 3]), 0)


def test_load_net_is_the_saved_network_worked_by_hand():
    # 3 inputs -> 2 ReLU units -> 3 logits, and a second run under another key
    weights = {"p2_seed0/layers.0.weight": np.array([[1, -1, 0], [0.5, 0.5, 2]], dtype=np.float32),
               "p2_seed0/layers.0.bias": np.array([0, -1], dtype=np.float32),
               "p2_seed0/layers.2.weight": np.array([[1, 2], [-1, 0], [3, 1]], dtype=np.float32),
               "p2_seed0/layers.2.bias": np.array([0.5, 0, -1], dtype=np.float32),
               "p2_seed1/layers.0.weight": np.zeros((2, 3), dtype=np.float32)}
    torch.manual_seed(0)
    net = bn.load_net(weights, "p2_seed0", [3, 2, 3])
    after_load = torch.rand(1)
    X = torch.tensor([[2.0, 1, 1], [0, 3, -1]])
    # by hand: hidden [1, 2.5] -> logits [1 + 5 + 0.5, -1, 3 + 2.5 - 1]; hidden [0, 0] -> the output bias
    assert net.sizes == [3, 2, 3]
    np.testing.assert_allclose(cl.predict(net, X).numpy(), [[6.5, -1, 4.5], [0.5, 0, -1]])
    torch.manual_seed(0)
    cl.MLP([3, 2, 3])
    assert torch.equal(after_load, torch.rand(1))   # draws from the global generator as MLP(sizes) does
    with pytest.raises(ValueError, match="p2_seed1/layers.0.bias"):
        bn.load_net(weights, "p2_seed1", [3, 2, 3])
    with pytest.raises(ValueError, match=r"shape \(2, 3\); it needs \(4, 3\)"):
        bn.load_net(weights, "p2_seed0", [3, 4, 3])


def test_count_dead_units():
    acts = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert bn.count_dead_units(acts) == 1
    assert bn.count_dead_units(acts, tol=1.5) == 2
    assert list(bn.count_dead_units(np.stack([acts, np.ones_like(acts)]))) == [1, 0]
    with pytest.raises(ValueError):
        bn.count_dead_units(np.zeros(3))


def test_least_squares_readout_toy_case_is_exact():
    V = np.array([[0.1, 0.2], [0.9, 0.3], [0.4, 0.8]])          # 3 points in the plane -> 3 one-hot outputs
    W, b = bn.least_squares_readout(V)
    assert np.allclose(V @ W.T + b, np.eye(3), atol=1e-10)
    # the thesis's centred Moore-Penrose construction, corrected: F^+ w_1 = (2/3, -1/3, -1/3)
    m = V.mean(0)
    F = (V - m).T
    assert np.allclose(np.linalg.pinv(F) @ (V[0] - m), [2 / 3, -1 / 3, -1 / 3])


def test_least_squares_readout_equals_centred_construction_plus_constant():
    rng = np.random.default_rng(1)
    V = rng.random((12, 3))
    W, b = bn.least_squares_readout(V)
    m = V.mean(0)
    F_plus = np.linalg.pinv((V - m).T)                          # (12, 3)
    x = rng.random((5, 3))
    assert np.allclose(x @ W.T + b, (x - m) @ F_plus.T + 1 / 12, atol=1e-10)


def test_readout_succeeds_matches_explicit_readout():
    rng = np.random.default_rng(2)
    V = rng.random((300, 6, 2))
    fast = bn.readout_succeeds(V)
    slow = []
    for pts in V:
        W, b = bn.least_squares_readout(pts)
        slow.append(((pts @ W.T + b).argmax(1) == np.arange(6)).all())
    assert np.array_equal(fast, np.array(slow))
    assert 0 < fast.sum() < len(V)                                # both outcomes occur
    linear = [((pts @ np.linalg.pinv(pts)).argmax(0) == np.arange(6)).all() for pts in V]
    assert np.array_equal(bn.readout_succeeds(V, affine=False), np.array(linear))
    assert bn.readout_succeeds(V[0]) in (True, False)


def test_readout_succeeds_handles_a_dead_unit():
    V = np.c_[np.linspace(0, 1, 4), np.zeros(4)]                   # second unit dead: a zero column
    assert bn.readout_succeeds(V) is False                        # 4 points on a line: the middle ones lose


def test_sample_points_min_distance():
    pts = folding.sample_points(200, 6, 2, min_distance=0.2, rng=np.random.default_rng(0))
    assert pts.shape == (200, 6, 2) and pts.min() >= 0 and pts.max() <= 1
    d = np.linalg.norm(pts[:, :, None] - pts[:, None], axis=-1) + np.eye(6) * 9
    assert d.min() >= 0.2
    with pytest.raises(ValueError, match="apart"):
        folding.sample_points(10, 30, 2, min_distance=0.5, max_draws=5000)


def test_random_embedding_probability():
    assert folding.random_embedding_probability(2, 3, trials=500).probability == 1.0    # n = p + 1 always works
    est = folding.random_embedding_probability(2, 4, trials=20000, seed=0)
    # independent check: the same sets through the explicit Moore-Penrose readout, on a subsample
    rng = np.random.default_rng(3)
    hits = 0
    for pts in rng.random((2000, 4, 2)):
        A = np.c_[pts, np.ones(4)]
        hits += ((A @ np.linalg.pinv(A)).argmax(0) == np.arange(4)).all()
    assert abs(est.probability - hits / 2000) < 0.05
    again = folding.random_embedding_probability(2, 4, trials=20000, seed=0)
    assert again.successes == est.successes                       # same seed, same count
    zero = folding.Estimate(0, 1000)
    assert zero.upper() == pytest.approx(1 - 0.05 ** (1 / 1000), rel=1e-6)
    with pytest.raises(ValueError, match="p < n"):
        folding.random_embedding_probability(3, 3)


def test_fold_steps_ends_at_the_logits():
    torch.manual_seed(0)
    model = cl.MLP([2, 2, 2, 2])
    X = np.random.default_rng(0).normal(size=(50, 2))
    steps = folding.fold_steps(model, X)
    assert [s[0] for s in steps] == ["input", "layer 1: affine map", "layer 1: relu", "layer 2: affine map",
                                     "layer 2: relu", "output layer: affine map"]
    assert np.allclose(steps[-1][1], cl.predict(model, torch.tensor(X, dtype=torch.float32)).numpy(), atol=1e-6)
    assert all((pts >= 0).all() for name, pts in steps if name.endswith("relu"))
    with pytest.raises(TypeError):
        folding.fold_steps(torch.nn.Linear(2, 2), X)


def test_plane_folding_figure():
    pts = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    lines = np.random.default_rng(1).normal(size=(3, 5, 2))
    fig = folding.plane_folding_figure(pts, y, "input", lines=lines)
    assert len(fig.data) == 3 and fig.layout.title.text == "input"
    assert sum(len(t.x) for t in fig.data[1:]) == 20
    with pytest.raises(ValueError, match="2-unit"):
        folding.plane_folding_figure(np.zeros((5, 3)), np.zeros(5))


def _crossings_by_hand(P):
    def turn(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
    n = len(P) - 1
    return sum(turn(P[i], P[i + 1], P[j]) * turn(P[i], P[i + 1], P[j + 1]) < 0
               and turn(P[j], P[j + 1], P[i]) * turn(P[j], P[j + 1], P[i + 1]) < 0
               for i in range(n) for j in range(i + 2, n))


def test_count_crossings():
    assert bn.count_crossings(np.array([[0, 0], [1, 1], [1, 0], [0, 1]])) == 1     # a bow tie
    assert bn.count_crossings(np.array([[0, 0], [1, 0], [1, 1], [0, 1]])) == 0     # a U
    t = np.linspace(0, 1.9 * np.pi, 40)
    assert bn.count_crossings(np.c_[np.cos(t), np.sin(t)]) == 0                   # an open circle
    rng = np.random.default_rng(0)
    for _ in range(10):
        P = rng.random((12, 2))
        assert bn.count_crossings(P) == _crossings_by_hand(P)
    with pytest.raises(ValueError):
        bn.count_crossings(np.zeros((5, 3)))
