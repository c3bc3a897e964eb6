"""Unit tests of course_lib.templates (chapter 1): offline, fast, checked against independent computations."""
import numpy as np
import pytest
import torch

import course_lib as cl
from course_lib.chapters import shifts, templates
from course_lib.core.data import Split


def _toy_split(n_train=60, n_test=30, d=16, C=3, seed=0):
    rng = np.random.default_rng(seed)
    y_tr, y_te = np.arange(n_train) % C, np.arange(n_test) % C
    centres = rng.random((C, d))
    X_tr = centres[y_tr] + 0.1 * rng.standard_normal((n_train, d))
    X_te = centres[y_te] + 0.1 * rng.standard_normal((n_test, d))
    f = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return Split(f(X_tr), torch.tensor(y_tr), f(X_te), torch.tensor(y_te), classes=tuple(range(C)))


def test_fit_templates_matches_the_plain_recipe():
    data = _toy_split()
    fit = templates.fit_templates(data, epochs=3, lr=0.1, batch_size=10, seed=4, batch_seed=4)
    model = cl.MLP([16, 3], seed=4)
    start = model.layers[0].weight.detach().numpy().copy()
    cl.train(model, data, epochs=3, lr=0.1, batch_size=10, batch_seed=4, progress=False)
    assert fit.weights.shape == (4, 3, 16) and fit.biases.shape == (4, 3)
    np.testing.assert_array_equal(fit.weights[0], start)
    np.testing.assert_array_equal(fit.weights[-1], model.layers[0].weight.detach().numpy())
    np.testing.assert_array_equal(fit.model.layers[0].weight.detach().numpy(), fit.weights[-1])
    assert len(fit.history["test_acc"]) == 4


def test_fit_templates_weight_decay_shrinks_weights():
    data = _toy_split()
    plain = templates.fit_templates(data, epochs=5, lr=0.1, batch_size=10)
    decayed = templates.fit_templates(data, epochs=5, lr=0.1, batch_size=10, weight_decay=1.0)
    assert np.abs(decayed.weights[-1]).sum() < np.abs(plain.weights[-1]).sum()


def test_class_means_against_a_loop():
    rng = np.random.default_rng(1)
    X, y = rng.random((50, 7)), rng.integers(0, 4, 50)
    y[:4] = np.arange(4)
    expected = np.stack([X[y == c].mean(0) for c in range(4)])
    np.testing.assert_allclose(cl.class_means(X, y), expected)
    np.testing.assert_allclose(cl.class_means(torch.tensor(X), torch.tensor(y)), expected)


def test_class_means_has_one_row_per_label():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 8.0]])
    assert cl.class_means(X, np.array([0, 2, 2])) == pytest.approx(np.array([[1.0, 2.0], [4.0, 6.0]]))


def test_correlation_matrix_against_corrcoef():
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((4, 30)), rng.standard_normal((5, 30))
    expected = np.corrcoef(A, B)[:4, 4:]
    np.testing.assert_allclose(cl.row_correlations(A, B), expected, atol=1e-12)


def test_correlation_matrix_errors():
    with pytest.raises(ValueError, match="e.g. \\(a, d\\) and \\(b, d\\)"):
        cl.row_correlations(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="constant"):
        cl.row_correlations(np.ones((1, 3)), np.arange(3.0)[None])


def test_count_diagonal_maxima():
    corr = np.array([[0.9, 0.1, 0.0], [0.5, 0.2, 0.1], [0.0, 0.1, 0.3]])
    assert templates.count_diagonal_maxima(corr) == 2
    with pytest.raises(ValueError, match="square"):
        templates.count_diagonal_maxima(np.ones((2, 3)))


def test_evidence_adds_up_to_the_model_scores():
    torch.manual_seed(0)
    layer = torch.nn.Linear(12, 4)
    x = torch.rand(12)
    W, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    ev = templates.evidence(W, b, x.numpy())
    with torch.no_grad():
        logits = layer(x[None])[0]
    np.testing.assert_allclose(ev.scores, logits.numpy(), atol=1e-5)
    np.testing.assert_allclose(ev.probs, torch.softmax(logits, 0).numpy(), atol=1e-6)
    np.testing.assert_allclose(ev.maps[2, 5], W[2, 5] * x[5].item(), rtol=1e-6)
    with pytest.raises(ValueError, match="do not fit"):
        templates.evidence(W, b, np.ones(11))


def test_confusion_counts_against_sklearn():
    from sklearn.metrics import confusion_matrix
    rng = np.random.default_rng(3)
    y, y_pred = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    np.testing.assert_array_equal(templates.confusion_counts(y, y_pred, 5),
                                  confusion_matrix(y, y_pred, labels=range(5)))


def test_most_confident_per_cell_against_brute_force():
    rng = np.random.default_rng(4)
    probs = rng.dirichlet(np.ones(4), size=80)
    y = rng.integers(0, 4, 80)
    best = templates.most_confident_per_cell(y, probs)
    pred = probs.argmax(1)
    for i in range(4):
        for j in range(4):
            members = np.flatnonzero((y == i) & (pred == j))
            if len(members) == 0:
                assert best[i, j] == -1
            else:
                assert best[i, j] == members[np.argmax(probs[members, j])]


def test_rank_mistakes_orders_by_probability_of_the_true_class():
    probs = np.array([[0.9, 0.1], [0.4, 0.6], [0.45, 0.55], [0.99, 0.01], [0.2, 0.8]])
    y = np.array([0, 0, 0, 1, 1])
    # wrong: rows 1 (p_true 0.4), 2 (0.45), 3 (0.01); row 0 and 4 are right
    np.testing.assert_array_equal(templates.rank_mistakes(y, probs), [2, 1, 3])


def _shift_reference(img, dy, dx):
    out = np.zeros_like(img)
    h, w = img.shape
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[i, j] = img[i - dy, j - dx]
    return out


def test_shift_images_moves_each_image_by_a_whole_offset_within_k():
    rng = np.random.default_rng(5)
    X = torch.tensor(rng.random((6, 8 * 8)), dtype=torch.float32)
    k = 2
    out = shifts.shift_images(X, k, data_seed=3, image_shape=(8, 8)).numpy()
    for img, shifted in zip(X.numpy().reshape(-1, 8, 8), out.reshape(-1, 8, 8)):
        matches = [(dy, dx) for dy in range(-k, k + 1) for dx in range(-k, k + 1)
                   if np.array_equal(_shift_reference(img, dy, dx), shifted)]
        assert len(matches) == 1


def test_shift_images_is_deterministic_and_keeps_ink_inside_the_margin():
    X = torch.zeros(20, 10 * 10)
    X.view(20, 10, 10)[:, 3:7, 3:7] = torch.rand(20, 4, 4)         # ink 3 pixels from every edge
    a = shifts.shift_images(X, 3, data_seed=1, image_shape=(10, 10))
    assert torch.equal(a, shifts.shift_images(X, 3, data_seed=1, image_shape=(10, 10)))
    assert not torch.equal(a, shifts.shift_images(X, 3, data_seed=2, image_shape=(10, 10)))
    torch.testing.assert_close(a.sum(1), X.sum(1))                  # no ink leaves the frame
    same = shifts.shift_images(X, 0, image_shape=(10, 10))
    assert torch.equal(same, X) and same.data_ptr() != X.data_ptr()


def test_shift_images_errors():
    with pytest.raises(ValueError, match="k=-1"):
        shifts.shift_images(torch.zeros(2, 784), -1)
    with pytest.raises(ValueError, match="expected \\(n, 784\\)"):
        shifts.shift_images(torch.zeros(2, 100), 1)


def test_shifted_split_shifts_train_and_test_differently_and_keeps_labels():
    data = Split(torch.rand(5, 784), torch.arange(5), torch.rand(5, 784), torch.arange(5), classes=(0,))
    out = shifts.shifted_split(data, 2, data_seed=7)
    assert torch.equal(out.y_train, data.y_train) and torch.equal(out.y_test, data.y_test)
    assert torch.equal(out.X_train, shifts.shift_images(data.X_train, 2, 7))
    assert torch.equal(out.X_test, shifts.shift_images(data.X_test, 2, 8))


def test_smoothness_of_a_ramp_and_of_noise():
    ramp = np.add.outer(np.arange(28.0), np.arange(28.0)).ravel()
    noise = np.random.default_rng(6).standard_normal(784)
    s = shifts.smoothness(np.stack([ramp, noise]))
    assert s[0] > 0.99 and abs(s[1]) < 0.1
    img = noise.reshape(28, 28)
    manual = (np.corrcoef(img[:, 1:].ravel(), img[:, :-1].ravel())[0, 1]
              + np.corrcoef(img[1:].ravel(), img[:-1].ravel())[0, 1]) / 2
    assert s[1] == pytest.approx(manual)


def test_within_class_similarity_against_a_loop():
    rng = np.random.default_rng(7)
    X, y = rng.random((40, 9)), np.arange(40) % 3
    means = np.stack([X[y == c].mean(0) for c in range(3)])
    expected = [np.mean([np.corrcoef(x, means[c])[0, 1] for x in X[y == c]]) for c in range(3)]
    np.testing.assert_allclose(shifts.within_class_similarity(X, y), expected, atol=1e-9)
    twins = np.repeat(rng.random((2, 9)), 5, axis=0)                # identical members: similarity 1
    np.testing.assert_allclose(shifts.within_class_similarity(twins, np.repeat([0, 1], 5)), 1.0)


def test_nearest_neighbour_labels_against_a_loop():
    rng = np.random.default_rng(3)
    X, X_ref, y_ref = rng.random((7, 12)), rng.random((9, 12)), rng.integers(0, 3, 9)
    expected = [y_ref[np.argmin([((x - r) ** 2).sum() for r in X_ref])] for x in X]
    assert np.array_equal(templates.nearest_neighbour_labels(X, X_ref, y_ref), expected)
    assert np.array_equal(templates.nearest_neighbour_labels(X_ref, X_ref, y_ref), y_ref)   # itself is nearest
    with pytest.raises(ValueError, match="nearest_neighbour_labels: X_ref="):
        templates.nearest_neighbour_labels(X, X_ref[:, :5], y_ref)


def test_class_mean_overlap_against_a_loop():
    rng = np.random.default_rng(4)
    X, y = rng.random((30, 16)), np.arange(30) % 3
    means = [X[y == c].mean(0) for c in range(3)]
    pairs = [np.corrcoef(means[i], means[j])[0, 1] for i in range(3) for j in range(3) if i != j]
    assert np.isclose(shifts.class_mean_overlap(X, y), np.mean(pairs))
    with pytest.raises(ValueError, match="class_mean_overlap: y="):
        shifts.class_mean_overlap(X, y[:-1])


def test_contrast_images_against_a_loop_and_keeps_float32():
    rng = np.random.default_rng(5)
    X, y = rng.random((40, 6)).astype(np.float32), np.arange(40) % 4
    got = templates.contrast_images(X, y)
    assert got.shape == (4, 6)
    # by hand: each class mean minus the mean of all inputs, the latter in the inputs' own float32
    expected = np.stack([X[y == c].astype(np.float64).mean(0) for c in range(4)]) - X.mean(0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    # the rows of contrast images sum to zero when the classes are equally large
    np.testing.assert_allclose(got.sum(0), 0, atol=1e-6)


def _digit_split(n_train=40, n_test=20, seed=0):
    """A 3-class split of 28 x 28 'images' whose ink sits in the centre (the border stays blank)."""
    rng = np.random.default_rng(seed)
    centres = np.zeros((3, 28, 28))
    centres[:, 8:20, 8:20] = rng.random((3, 12, 12))

    def make(n):
        y = np.arange(n) % 3
        X = centres[y] + 0.05 * np.abs(rng.standard_normal((n, 28, 28))) * (centres[y] > 0)
        return torch.tensor(X.reshape(n, 784), dtype=torch.float32), torch.tensor(y)

    return Split(*make(n_train), *make(n_test), classes=(0, 1, 2))


def test_fits_trains_each_setting_once_and_matches_the_plain_recipe():
    from course_lib.chapters import template_fits

    data = _digit_split()
    fit = template_fits.Fits(data, seed=3)
    assert fit.shift_seed == 301 and fit.shifted(0) is data
    first = fit(epochs=2, lr=0.1)
    assert fit(epochs=2, lr=0.1) is first and fit(0, 0.0, 2, 0.1) is first   # a look-up, not a retrain
    plain = templates.fit_templates(data, epochs=2, lr=0.1, seed=3, batch_seed=3)
    np.testing.assert_array_equal(first.weights, plain.weights)
    # k > 0: the same recipe on the digits shifted with shift_seed (tests: shift_seed + 1)
    shifted = fit(k=2, epochs=2)
    expected = shifts.shifted_split(data, 2, data_seed=301)
    assert fit.shifted(2) is fit.shifted(2)
    torch.testing.assert_close(fit.shifted(2).X_train, expected.X_train)
    torch.testing.assert_close(fit.shifted(2).X_test, expected.X_test)
    assert not torch.equal(fit.shifted(2).X_train, data.X_train)
    by_hand = templates.fit_templates(expected, epochs=2, lr=0.1, seed=3, batch_seed=3)
    np.testing.assert_array_equal(shifted.weights, by_hand.weights)
    assert template_fits.Fits(data, seed=3, shift_seed=7).shift_seed == 7
    with pytest.raises(ValueError, match="Fits: k=-1"):
        fit(k=-1)


def test_measure_templates_against_hand_computations():
    from course_lib.chapters import template_fits

    data = _digit_split()
    fit = templates.fit_templates(data, epochs=3, lr=0.5, weight_decay=0.1)
    got = template_fits.measure_templates(fit, data)
    W, b = fit.weights[-1], fit.biases[-1]
    X_tr, y_tr, X_te = data.X_train.numpy().astype(np.float64), data.y_train.numpy(), data.X_test.numpy()
    contrast = np.stack([X_tr[y_tr == c].mean(0) for c in range(3)]) - X_tr.mean(0)
    corr = np.mean([np.corrcoef(W[c], contrast[c])[0, 1] for c in range(3)])
    smooth = []
    for img in W.reshape(3, 28, 28):
        right = np.corrcoef(img[:, 1:].ravel(), img[:, :-1].ravel())[0, 1]
        below = np.corrcoef(img[1:].ravel(), img[:-1].ravel())[0, 1]
        smooth.append((right + below) / 2)
    z = X_te @ W.T + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    blank = np.ones((28, 28), bool)
    blank[8:20, 8:20] = False
    assert list(got) == ["test accuracy", "corr. with contrast image", "smoothness", "mean |w| on blank pixels",
                         "largest |w|", "mean top probability"]
    assert got["test accuracy"] == pytest.approx(float((z.argmax(1) == data.y_test.numpy()).mean()))
    assert got["corr. with contrast image"] == pytest.approx(corr, abs=1e-6)
    assert got["smoothness"] == pytest.approx(np.mean(smooth), abs=1e-9)
    assert got["mean |w| on blank pixels"] == pytest.approx(np.abs(W[:, blank.ravel()]).mean())
    assert got["largest |w|"] == pytest.approx(np.abs(W).max())
    assert got["largest |w|"].dtype == np.float32   # kept in the weights' dtype: the page's ratios stay exact
    assert got["mean top probability"] == pytest.approx(p.max(1).mean(), abs=1e-6)
    with pytest.raises(ValueError, match="measure_templates: data="):
        template_fits.measure_templates(fit, _toy_split())
