"""Tests of course_lib.memorization (chapter 6): every measure against a direct loop computation."""
from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from scipy.spatial import distance

import course_lib as cl
from course_lib.chapters import geometry
from course_lib.chapters import memorization as mem
from course_lib.chapters import memorization_plots as mp

SCIPY = {"euclidean": distance.euclidean, "cosine": distance.cosine, "correlation": distance.correlation}


@pytest.fixture
def reps():
    """Non-negative 'activations' (like ReLU outputs) of 4 ordered classes, 5 samples each."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), 5)
    A = np.abs(rng.normal(size=(20, 7)) + y[:, None] * np.linspace(0, 1, 7))
    return A, y


def loop_inner(A, y, metric):
    per_class = []
    for c in np.unique(y):
        rows = A[y == c]
        pairs = [SCIPY[metric](rows[i], rows[j]) for i, j in itertools.combinations(range(len(rows)), 2)]
        per_class.append(sum(pairs) / len(pairs))
    return sum(per_class) / len(per_class)


def loop_means(A, y):
    return [A[y == c].mean(0) for c in sorted(set(y.tolist()))]


@pytest.mark.parametrize("metric", mem.METRICS)
def test_pairwise_distances_match_scipy(reps, metric):
    A, _ = reps
    B = A[:6] * 2.0 + 0.1
    expected = np.array([[SCIPY[metric](a, b) for b in B] for a in A])
    np.testing.assert_allclose(geometry.pairwise_distances(A, B, metric), expected, atol=1e-10)
    np.testing.assert_allclose(np.diag(geometry.pairwise_distances(A, metric=metric)), 0.0, atol=1e-7)


def test_zero_vector_counts_as_distance_one():
    A = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    assert geometry.pairwise_distances(A, metric="cosine")[0, 1] == pytest.approx(1.0)
    assert geometry.pairwise_distances(A, metric="correlation")[0, 1] == pytest.approx(1.0)


@pytest.mark.parametrize("metric", mem.METRICS)
def test_inner_class_deviation_matches_loop(reps, metric):
    A, y = reps
    assert geometry.inner_class_deviation(A, y, metric) == pytest.approx(loop_inner(A, y, metric), rel=1e-9)


@pytest.mark.parametrize("metric", mem.METRICS)
def test_inter_class_deviation_adjacent_and_all_match_loops(reps, metric):
    A, y = reps
    means = loop_means(A, y)
    adjacent = [SCIPY[metric](means[c], means[c + 1]) for c in range(len(means) - 1)]
    every = [SCIPY[metric](means[i], means[j]) for i, j in itertools.combinations(range(len(means)), 2)]
    assert geometry.inter_class_deviation(A, y, metric, "adjacent") == pytest.approx(np.mean(adjacent), rel=1e-9)
    assert geometry.inter_class_deviation(A, y, metric, "all") == pytest.approx(np.mean(every), rel=1e-9)


def test_class_means_and_activation_level_match_loops(reps):
    A, y = reps
    np.testing.assert_allclose(cl.class_means(A, y), np.stack(loop_means(A, y)))
    level = sum(sum(abs(v) for v in row) for row in A) / len(A)
    assert geometry.activation_level(A) == pytest.approx(level)


def test_deviation_measures_collects_every_measure_per_layer(reps):
    A, y = reps
    out = geometry.deviation_measures({"input": A, "layer": 3 * A}, y)
    assert set(out) == {"level"} | {f"{k}_{m}" for k in ("inner", "inter")
                                    for m in ("euclidean", "norm_euclidean", "cosine", "correlation")}
    assert all(v.shape == (2,) for v in out.values())
    np.testing.assert_allclose(out["level"], [geometry.activation_level(A), 3 * geometry.activation_level(A)])
    np.testing.assert_allclose(out["inner_norm_euclidean"], out["inner_euclidean"] / out["level"])
    # Scaling a layer changes the Euclidean deviation but none of the level-insensitive ones.
    for key in ("inner_norm_euclidean", "inner_cosine", "inter_correlation"):
        assert out[key][0] == pytest.approx(out[key][1])
    assert out["inner_euclidean"][1] == pytest.approx(3 * out["inner_euclidean"][0])


def test_deviation_measures_reject_bad_input(reps):
    A, y = reps
    with pytest.raises(ValueError, match="metric"):
        geometry.inner_class_deviation(A, y, "manhattan")
    with pytest.raises(ValueError, match="pairs"):
        geometry.inter_class_deviation(A, y, pairs="neighbours")
    with pytest.raises(ValueError, match="labels"):
        geometry.inner_class_deviation(A, y[:-1])
    with pytest.raises(ValueError, match="at least two"):
        geometry.inner_class_deviation(A[:6], y[:6])


def test_neighbour_label_gap_matches_brute_force():
    rng = np.random.default_rng(1)
    A, y = rng.normal(size=(30, 4)), rng.integers(0, 10, size=30)
    gaps = []
    for i in range(len(A)):
        d = [(np.linalg.norm(A[i] - A[j]), j) for j in range(len(A)) if j != i]
        gaps += [abs(y[i] - y[j]) for _, j in sorted(d)[:3]]
    assert geometry.neighbour_label_gap(A, y, k=3) == pytest.approx(np.mean(gaps))
    ordered = np.arange(20, dtype=float)[:, None]          # points on a line, labelled in order
    assert geometry.neighbour_label_gap(ordered, np.arange(20), k=2) < 1.6
    with pytest.raises(ValueError, match="k="):
        geometry.neighbour_label_gap(A, y, k=30)


def test_balanced_subset_is_balanced_and_deterministic():
    y = torch.from_numpy(np.repeat(np.arange(6), 10))
    idx = mem.balanced_subset(y, 4, data_seed=3)
    assert np.array_equal(np.bincount(y.numpy()[idx]), np.full(6, 4))
    assert len(set(idx.tolist())) == 24
    np.testing.assert_array_equal(idx, mem.balanced_subset(y, 4, data_seed=3))
    with pytest.raises(ValueError, match="n_per_class"):
        mem.balanced_subset(y, 11)


def test_epochs_to_fit():
    acc = np.array([[0.1, 0.2], [0.5, 0.9], [1.0, 0.99], [1.0, 0.99]])
    np.testing.assert_array_equal(mem.epochs_to_fit(acc), [2, -1])
    assert mem.epochs_to_fit(acc[:, 1], threshold=0.9) == 1


def _toy_data(n=60, d=5, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = torch.randint(0, classes, (n,), generator=g)
    return X, y


@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.1), ("adam", 0.01)])
def test_train_label_sets_gives_each_member_its_solo_training(optimizer, lr):
    X, y = _toy_data()
    y_shuffled = cl.shuffle_labels(y, 1.0, data_seed=1)
    sizes = [5, 8, 3]
    ens = cl.MLPEnsemble(sizes, seeds=[0, 1])
    hist = mem.train_label_sets(ens, X, torch.stack([y, y_shuffled]), X[:20], y[:20], epochs=3, lr=lr,
                                batch_size=16, optimizer=optimizer, batch_seed=5)
    for m, (seed, labels) in enumerate([(0, y), (1, y_shuffled)]):
        torch.manual_seed(seed)
        solo = cl.MLP(sizes)
        solo_hist = cl.train(solo, cl.Split(X, labels, X[:20], y[:20]), epochs=3, lr=lr, batch_size=16,
                             optimizer=optimizer, batch_seed=5, progress=False)
        for (name, p), q in zip(ens.member(m).named_parameters(), solo.parameters()):
            torch.testing.assert_close(p, q, atol=1e-5, rtol=1e-4, msg=name)
        np.testing.assert_allclose(hist["train_acc"][:, m], solo_hist["train_acc"], atol=1e-6)
        np.testing.assert_allclose(hist["test_loss"][:, m], solo_hist["test_loss"], rtol=1e-4)
    assert hist["train_acc"].shape == (4, 2)


def test_train_label_sets_per_member_inputs_and_until_fit():
    X, y = _toy_data(n=24)
    X2 = torch.stack([X, torch.rand_like(X)])
    ens = cl.MLPEnsemble([5, 64, 3], seeds=[0, 0])
    hist = mem.train_label_sets(ens, X2, torch.stack([y, y]), X, y, epochs=400, lr=0.02, batch_size=24,
                                until_fit=True)
    assert (hist["train_acc"][-1] == 1.0).all()
    assert len(hist["train_acc"]) < 401 and hist.best_epoch == len(hist["train_acc"]) - 1
    assert not (hist["train_acc"][-2] == 1.0).all()


def test_train_label_sets_passes_events_to_the_callback():
    X, y = _toy_data(n=24)
    ens = cl.MLPEnsemble([5, 8, 3], seeds=[0, 1])
    seen = []
    mem.train_label_sets(ens, X, torch.stack([y, y]), X, y, epochs=3, lr=0.02, batch_size=12,
                         callback=lambda e: seen.append((e.phase, e.epoch)))
    assert [e for phase, e in seen if phase == "epoch"] == [0, 1, 2, 3]
    assert sum(phase == "step" for phase, _ in seen) == 3 * 2


def test_train_label_sets_rejects_bad_shapes():
    X, y = _toy_data()
    ens = cl.MLPEnsemble([5, 4, 3], seeds=[0, 1])
    with pytest.raises(ValueError, match="Y=.* has shape"):
        mem.train_label_sets(ens, X, y[None], X, y, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="MLPEnsemble"):
        mem.train_label_sets(cl.MLP([5, 3]), X, torch.stack([y, y]), X, y, epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="optimizer"):
        mem.train_label_sets(ens, X, torch.stack([y, y]), X, y, epochs=1, lr=0.1, optimizer="rmsprop")


def test_embed_tsne_shape_determinism_and_errors():
    rng = np.random.default_rng(0)
    A = np.concatenate([rng.normal(0, 1, (20, 5)), rng.normal(8, 1, (20, 5))])
    Z = geometry.embed_tsne(A, seed=0, perplexity=5, max_iter=250)
    assert Z.shape == (40, 2)
    np.testing.assert_allclose(Z, geometry.embed_tsne(A, seed=0, perplexity=5, max_iter=250))
    # The two blobs stay apart in the map: nearest neighbours are from the same blob.
    assert geometry.neighbour_label_gap(Z, np.repeat([0, 1], 20), k=3) < 0.1
    with pytest.raises(ValueError, match="too few"):
        geometry.embed_tsne(A[:10], perplexity=5)


def test_balanced_split_draws_every_part_as_balanced_subset_does():
    y_train, y_test, y_val = (torch.from_numpy(np.repeat(np.arange(3), k)) for k in (8, 6, 5))
    X_train, X_test, X_val = (torch.arange(len(y), dtype=torch.float32)[:, None].repeat(1, 2)
                              for y in (y_train, y_test, y_val))
    data = cl.Split(X_train, y_train, X_test, y_test, X_val, y_val, classes=("a", "b", "c"))
    sub = mem.balanced_split(data, 4, data_seed=2)
    for part, y in (("train", y_train), ("test", y_test), ("val", y_val)):
        idx = mem.balanced_subset(y, 4, data_seed=2)
        torch.testing.assert_close(getattr(sub, f"y_{part}"), y[idx])
        # the inputs stay with their labels: row i of X is the original sample idx[i]
        np.testing.assert_array_equal(getattr(sub, f"X_{part}")[:, 0].numpy(), idx)
        assert np.array_equal(np.bincount(getattr(sub, f"y_{part}").numpy()), [4, 4, 4])
    assert sub.classes == ("a", "b", "c")
    no_val = mem.balanced_split(cl.Split(X_train, y_train, X_test, y_test), 2)
    assert no_val.X_val is None and len(no_val.y_train) == 6
    with pytest.raises(ValueError, match="balanced_split -> balanced_subset: n_per_class"):
        mem.balanced_split(data, 6)              # the validation part has only 5 per class


def test_shuffled_label_sets_rows_shuffle_the_given_share():
    y = torch.arange(40) % 4
    Y = mem.shuffled_label_sets(y, [0.0, 0.5, 1.0], data_seed=7)
    assert Y.shape == (3, 40) and Y.dtype == torch.int64
    torch.testing.assert_close(Y[0], y)                        # nothing shuffled
    for row, f in zip(Y, [0.0, 0.5, 1.0]):
        assert torch.equal(torch.bincount(row), torch.bincount(y))     # every class keeps its count
        assert (row != y).sum() <= round(f * 40)                     # only the chosen share can change
        torch.testing.assert_close(row, cl.shuffle_labels(y, fraction=f, data_seed=7))
    assert (Y[2] != y).sum() > 20                                # most labels moved when all are shuffled
    with pytest.raises(ValueError, match="fractions"):
        mem.shuffled_label_sets(y, [0.5, 1.5])


def test_layer_representations_match_a_forward_pass_by_hand():
    model = cl.MLP([5, 4, 3, 2], seed=0)
    X = torch.randn(6, 5, generator=torch.Generator().manual_seed(1))
    reps = geometry.layer_representations(model, X)
    assert list(reps) == ["input", "layers.1", "layers.3"]
    W1, b1 = model.layers[0].weight.detach().numpy(), model.layers[0].bias.detach().numpy()
    W2, b2 = model.layers[2].weight.detach().numpy(), model.layers[2].bias.detach().numpy()
    h1 = np.maximum(X.numpy() @ W1.T + b1, 0)
    np.testing.assert_allclose(reps["input"], X.numpy())
    np.testing.assert_allclose(reps["layers.1"], h1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(reps["layers.3"], np.maximum(h1 @ W2.T + b2, 0), rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="layer_representations: model"):
        geometry.layer_representations(cl.MLPEnsemble([5, 4, 2], seeds=[0, 1]), X)


def test_neighbour_label_gaps_walks_the_layers():
    ordered = np.arange(20, dtype=float)[:, None]                 # on a line, in label order
    scrambled = np.random.default_rng(0).permutation(20).astype(float)[:, None]
    y = torch.arange(20)
    gaps = geometry.neighbour_label_gaps({"input": ordered, "h": scrambled}, y, k=2)
    # hand-worked: on the line, the two nearest neighbours are 1 apart, except at the ends (1 and 2)
    assert gaps[0] == pytest.approx((18 * 1 + 2 * 1.5) / 20)
    assert gaps[1] == pytest.approx(geometry.neighbour_label_gap(scrambled, y.numpy(), k=2)) and gaps[1] > 3
    with pytest.raises(ValueError, match="neighbour_label_gaps: layers\\['h'\\]"):
        geometry.neighbour_label_gaps({"input": ordered, "h": ordered[:, 0]}, y)


def test_stripe_index_by_hand():
    ramp = np.linspace(0, 1, 6)[:, None]                           # a unit that rises with the label: 1
    zigzag = np.array([0, 1, 0, 1, 0, 1.0])[:, None]               # every step reverses: -1
    silent = np.zeros((6, 1))                                      # never fires: skipped
    assert geometry.stripe_index(np.hstack([ramp, silent])) == pytest.approx(1.0)
    assert geometry.stripe_index(np.hstack([ramp, zigzag, silent])) == pytest.approx(0.0)
    means = np.abs(np.random.default_rng(3).normal(size=(10, 5)))
    expected = np.mean([np.corrcoef(means[:-1, u], means[1:, u])[0, 1] for u in range(5)])
    assert geometry.stripe_index(means) == pytest.approx(expected)
    with pytest.raises(ValueError, match="stripe_index: means"):
        geometry.stripe_index(silent)


def test_plot_accuracy_curves_draws_each_run_and_chance():
    train, test = np.linspace(0, 1, 5), np.linspace(0, 0.5, 5)
    fig = mp.plot_accuracy_curves({"a": (train, test, "C0"), "b": (test, train, "C1")}, "t", chance=0.1)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), train)
    np.testing.assert_allclose(ax.lines[3].get_ydata(), train)
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-", "--", ":"]
    assert ax.lines[4].get_ydata()[0] == 0.1 and ax.get_title() == "t"
    _, own = plt.subplots()
    assert mp.plot_accuracy_curves({"a": (train, test, "C0")}, "t", ax=own) is own.figure and len(own.lines) == 2
    with pytest.raises(TypeError, match="curves\\['a'\\]"):
        mp.plot_accuracy_curves({"a": (train, test)}, "t")
    plt.close("all")


def test_plot_deviations_draws_every_measure_of_every_network(reps):
    A, y = reps
    m1 = geometry.deviation_measures({"input": A, "h": 2 * A + 1}, y)
    m2 = {k: v * 1.5 for k, v in m1.items()}
    fig = mp.plot_deviations({"one": m1, "two": m2}, "title")
    axes = [ax for ax in fig.axes if ax.lines]
    assert len(axes) == 4 and fig._suptitle.get_text() == "title"
    # panel (c): three measures x two networks, the second network dashed
    assert len(axes[2].lines) == 6
    np.testing.assert_allclose(axes[2].lines[1].get_ydata(), m2["inner_cosine"])
    assert axes[2].lines[1].get_linestyle() == "--"
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), m1["level"])
    with pytest.raises(ValueError, match="plot_deviations: measures"):
        mp.plot_deviations({k: m1 for k in "abcd"}, "four networks")
    with pytest.raises(ValueError, match="has no 'level'"):
        mp.plot_deviations({"one": {k: v for k, v in m1.items() if k != "level"}}, "t")
    plt.close("all")
