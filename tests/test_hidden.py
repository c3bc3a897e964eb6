"""course_lib.hidden and course_lib.hidden_plots (chapter 2): checked against independent computations."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib import hidden, hidden_plots  # noqa: E402


def test_ever_active_finds_columns_that_are_never_non_zero():
    X = np.zeros((5, 4))
    X[2, 1] = 0.3
    X[4, 3] = -1.0
    assert hidden.ever_active(X).tolist() == [False, True, False, True]
    assert hidden.ever_active(torch.from_numpy(X)).tolist() == [False, True, False, True]
    with pytest.raises(ValueError, match="2-D"):
        hidden.ever_active(np.zeros(4))


def test_relative_change_by_hand():
    W0 = np.array([[1.0, 2.0, -2.0], [1.0, -1.0, 1.0]])
    W1 = W0.copy()
    W1[:, 0] += 1.0                                     # only the first input moves, by 1
    assert hidden.relative_change(W0, W1, columns=[False, True, True]) == 0.0
    assert hidden.relative_change(W0, W1, columns=[True, False, False]) == pytest.approx(1.0)
    expected = np.sqrt(2 / 6) / np.sqrt((1 + 4 + 4 + 1 + 1 + 1) / 6)
    assert hidden.relative_change(W0, W1) == pytest.approx(expected)


def test_relative_change_rejects_bad_input():
    W = np.ones((2, 3))
    with pytest.raises(ValueError, match="same shape"):
        hidden.relative_change(W, np.ones((3, 3)))
    with pytest.raises(ValueError, match="columns"):
        hidden.relative_change(W, W, columns=[False, False, False])
    with pytest.raises(ValueError, match="all zeros"):
        hidden.relative_change(np.zeros((2, 3)), W)


def test_row_correlations_equal_numpy_corrcoef():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(3, 20)), rng.normal(size=(4, 20))
    expected = np.corrcoef(A, B)[:3, 3:]
    np.testing.assert_allclose(hidden.row_correlations(A, B), expected, atol=1e-12)
    with pytest.raises(ValueError, match="length"):
        hidden.row_correlations(A, B[:, :5])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
def test_effective_templates_are_the_mean_input_gradient(activation):
    torch.manual_seed(0)
    model = cl.MLP([12, 7, 3], activation, weight_std=0.5)
    X = torch.randn(50, 12)
    X_req = X.clone().requires_grad_(True)
    out = model(X_req)
    grads = np.stack([torch.autograd.grad(out[:, c].sum(), X_req, retain_graph=True)[0].mean(0).numpy()
                      for c in range(3)])                                     # autograd, no closed form
    T = hidden.effective_templates(model, X, center=False)
    np.testing.assert_allclose(T, grads, atol=1e-5)
    centered = hidden.effective_templates(model, X)
    np.testing.assert_allclose(centered, grads - grads.mean(0), atol=1e-5)
    np.testing.assert_allclose(centered.sum(0), 0, atol=1e-5)


def test_effective_templates_of_disjoint_units_add_up():
    torch.manual_seed(1)
    model = cl.MLP([10, 6, 4], "sigmoid")
    X = torch.rand(30, 10)
    full = hidden.effective_templates(model, X, center=False)
    parts = hidden.effective_templates(model, X, units=[0, 2, 4], center=False) + \
        hidden.effective_templates(model, X, units=[1, 3, 5], center=False)
    np.testing.assert_allclose(parts, full, atol=1e-6)
    assert np.abs(hidden.effective_templates(model, X, units=[])).max() == 0


def test_effective_templates_reject_other_models():
    with pytest.raises(ValueError, match="one hidden layer"):
        hidden.effective_templates(cl.MLP([10, 4]), torch.rand(3, 10))
    with pytest.raises(ValueError, match="one hidden layer"):
        hidden.effective_templates(cl.MLP([10, 4, 4, 2]), torch.rand(3, 10))
    with pytest.raises(ValueError, match="units"):
        hidden.effective_templates(cl.MLP([10, 4, 2]), torch.rand(3, 10), units=[4])


def test_strongest_units():
    V = np.array([[0.5, -2.0, 3.0, 0.0, -1.0], [0, 0, 0, 0, 0]])
    liked, disliked = hidden.strongest_units(V, 0, k=2)
    assert liked.tolist() == [2, 0] and disliked.tolist() == [1, 4]
    with pytest.raises(ValueError, match="c=2"):
        hidden.strongest_units(V, 2)
    with pytest.raises(ValueError, match="k=6"):
        hidden.strongest_units(V, 0, k=6)


def _two_class_data(seed=0):
    rng = np.random.default_rng(seed)
    proto = np.zeros((2, 16))
    proto[0, :5], proto[1, 8:12] = 1.0, 1.0
    y = np.arange(40) % 2
    return proto[y] + 0.1 * rng.random((40, 16)), y


def test_joint_template_scores_of_the_class_difference():
    X, y = _two_class_data()
    diff = X[y == 1].mean(0) - X[y == 0].mean(0)
    noise = np.random.default_rng(1).normal(size=16)
    scores = hidden.joint_template_scores(np.stack([diff, -3 * diff, noise]), X, y)
    assert scores[0] == pytest.approx(1.0) and scores[1] == pytest.approx(-1.0)
    assert scores[2] == pytest.approx(np.corrcoef(noise, diff)[0, 1])
    with pytest.raises(ValueError, match="two classes"):
        hidden.joint_template_scores(np.ones((1, 16)), X, y * 2 + (np.arange(40) % 3 == 0))


def test_max_class_correlation_finds_a_class_contrast():
    X, y = _two_class_data()
    contrast = X[y == 0].mean(0) - X.mean(0)
    W = np.stack([contrast, np.random.default_rng(2).normal(size=16)])
    scores = hidden.max_class_correlation(W, X, y)
    assert scores[0] == pytest.approx(1.0)
    assert 0 <= scores[1] < 1
    with pytest.raises(ValueError, match="labels"):
        hidden.max_class_correlation(W, X, y[:10])


def test_sweep_members_equal_networks_trained_alone(tiny_split):
    recipe = {"activation": "sigmoid", "weight_std": 1.0, "lr": 0.5, "batch_size": 10, "epochs": 2}
    sweep = hidden.sweep_hidden_sizes(tiny_split, [4, 2], seeds=[0, 3], **recipe)
    assert sorted(sweep) == [2, 4]
    ensemble, history = sweep[2]
    assert history["test_acc"].shape == (2, 2) and list(history.epochs) == [0, 2]   # before and after
    alone = cl.MLP([12, 2, 3], "sigmoid", weight_std=1.0, seed=3)   # member 1 was seeded with 3
    cl.train(alone, tiny_split, epochs=2, lr=0.5, batch_size=10, progress=False)
    for (name, p), q in zip(alone.named_parameters(), ensemble.member(1).parameters()):
        torch.testing.assert_close(p, q, atol=1e-5, rtol=1e-4, msg=name)
    with pytest.raises(ValueError, match="hidden_sizes"):
        hidden.sweep_hidden_sizes(tiny_split, [0], seeds=[0], **recipe)


def test_recipes_differ_only_in_batch_size_and_epochs():
    a, b = hidden.RECIPES["nielsen"], hidden.RECIPES["chapter"]
    assert {k for k in a if a[k] != b[k]} == {"batch_size", "epochs"}


def test_plot_output_bars_colours_by_sign():
    V = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.3]])
    fig = hidden_plots.plot_output_bars(V, titles=["a", "b"], ncols=2)
    bars = fig.axes[0].patches
    assert len(bars) == 3
    assert bars[0].get_facecolor()[2] > bars[0].get_facecolor()[0]           # positive: blue
    assert bars[1].get_facecolor()[0] > bars[1].get_facecolor()[2]           # negative: red
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()                  # one shared scale
    plt.close(fig)
    with pytest.raises(ValueError, match="titles"):
        hidden_plots.plot_output_bars(V, titles=["a"])


def test_plot_pixel_scatter_places_each_pixel_in_its_cell():
    X = np.zeros((4, 6))
    X[:, 4] = 1.0                                               # pixel (row 1, col 1) of a 2x3 image
    y = np.array([0, 0, 1, 1])
    fig = hidden_plots.plot_pixel_scatter(X, y, image_shape=(2, 3), n_per_class=2, mask=X.any(0))
    offsets = np.concatenate([c.get_offsets() for c in fig.axes[0].collections])
    bright = offsets[np.isclose(offsets[:, 0], 1.95)]           # col 1 + 0.05 + 0.9 * value 1
    assert len(bright) == 4 and np.all((bright[:, 1] > 1) & (bright[:, 1] < 2))
    plt.close(fig)
    with pytest.raises(ValueError, match="mask"):
        hidden_plots.plot_pixel_scatter(X, y, image_shape=(2, 3), mask=np.ones(5, bool))
    with pytest.raises(ValueError, match="X"):
        hidden_plots.plot_pixel_scatter(X, y, image_shape=(28, 28))


def test_plot_weight_rows_gives_each_row_its_own_scale():
    rows = {"small": np.full((3, 4), 0.1) * [[1], [-1], [1]], "large": np.full((3, 4), 5.0)}
    fig = hidden_plots.plot_weight_rows(rows, image_shape=(2, 2), titles={"small": ["a", "b", "c"]})
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 6
    assert images[0].get_clim() == pytest.approx((-0.1, 0.1))
    assert images[3].get_clim() == pytest.approx((-5.0, 5.0))
    plt.close(fig)
    with pytest.raises(ValueError, match="same number"):
        hidden_plots.plot_weight_rows({"a": np.ones((2, 4)), "b": np.ones((3, 4))}, image_shape=(2, 2))
    with pytest.raises(ValueError, match="empty"):
        hidden_plots.plot_weight_rows({})
