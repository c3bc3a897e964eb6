"""course_lib.hidden and course_lib.hidden_plots (chapter 2): checked against independent computations."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib.chapters import hidden, hidden_plots, hidden_training


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
    np.testing.assert_allclose(cl.row_correlations(A, B), expected, atol=1e-12)
    with pytest.raises(ValueError, match="length"):
        cl.row_correlations(A, B[:, :5])


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
    sweep = hidden_training.sweep_hidden_sizes(tiny_split, [4, 2], seeds=[0, 3], **recipe)
    assert sorted(sweep) == [2, 4]
    ensemble, history = sweep[2]
    assert history["test_acc"].shape == (2, 2) and list(history.epochs) == [0, 2]   # before and after
    alone = cl.MLP([12, 2, 3], "sigmoid", weight_std=1.0, seed=3)   # member 1 was seeded with 3
    cl.train(alone, tiny_split, epochs=2, lr=0.5, batch_size=10, progress=False)
    for (name, p), q in zip(alone.named_parameters(), ensemble.member(1).parameters()):
        torch.testing.assert_close(p, q, atol=1e-5, rtol=1e-4, msg=name)
    with pytest.raises(ValueError, match="hidden_sizes"):
        hidden_training.sweep_hidden_sizes(tiny_split, [0], seeds=[0], **recipe)


def test_train_0_vs_1_is_the_recipe_written_out():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(300) % 2
    X = torch.rand(300, 12, generator=gen) + y[:, None] * torch.linspace(-0.5, 0.5, 12)   # two classes
    data = cl.Split(X[:250], y[:250], X[250:], y[250:], classes=(0, 1))                   # 3 batches an epoch
    model, W_start, history = hidden_training.train_0_vs_1(data, hidden_size=3, epochs=4, seed=7)
    # by hand: the stated recipe (tanh, N(0, 1/inputs), Adam 1e-3, batches of 100), seed 7 for start and batches
    alone = cl.MLP([12, 3, 2], "tanh", weight_std="fan_in", seed=7)
    np.testing.assert_array_equal(W_start, alone.layers[0].weight.detach().numpy())
    assert abs(W_start.std() - 1 / np.sqrt(12)) < 0.15                      # N(0, 1/12): std about 0.29
    by_hand = cl.train(alone, data, epochs=4, lr=1e-3, batch_size=100, optimizer="adam", batch_seed=7,
                       eval_every=4, eval_on=("train", "test"), progress=False)
    for (name, p), q in zip(alone.named_parameters(), model.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0, msg=name)
    assert list(history.epochs) == [0, 4]                                   # before and after training
    np.testing.assert_array_equal(history["test_acc"], by_hand["test_acc"])
    np.testing.assert_array_equal(history["train_loss"], by_hand["train_loss"])
    # W_start is a copy of the start: the weights moved away from it, by about lr per Adam step (12 steps)
    moved = np.abs(model.layers[0].weight.detach().numpy() - W_start).max()
    assert 0 < moved < 2 * 12 * 1e-3
    sgd = hidden_training.train_0_vs_1(data, hidden_size=3, epochs=4, seed=7, optimizer="sgd", lr=0.5)[0]
    assert not torch.equal(sgd.layers[0].weight, model.layers[0].weight)    # the optimizer is passed on
    with pytest.raises(ValueError, match="hidden_size"):
        hidden_training.train_0_vs_1(data, hidden_size=0)


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


def test_class_contrast_share_scores_joint_templates_and_random_images():
    rng = np.random.default_rng(0)
    X = rng.random((300, 50))
    y = np.repeat(np.arange(3), 100)
    X[y == 0, :10] += 1.0
    X[y == 1, 10:20] += 1.0                       # classes 0 and 1 each ink their own block of pixels
    means = np.stack([X[y == c].mean(0) for c in range(3)])
    joint = means[0] - means[1]                   # "0 minus 1": matches no single contrast perfectly
    noise = rng.normal(size=(200, 50))
    share = hidden.class_contrast_share(np.vstack([joint, noise]), X, y)
    assert share[0] == pytest.approx(1.0, abs=1e-9)
    assert hidden.max_class_correlation(joint[None], X, y)[0] < 0.99
    assert abs(share[1:].mean() - 2 / 49) < 0.02  # random images: about (classes - 1) / (pixels - 1)
    mask = np.zeros(50, bool)
    mask[:20] = True
    assert hidden.class_contrast_share(joint[None], X, y, columns=mask)[0] == pytest.approx(1.0, abs=1e-9)


def test_quadratic_cost_by_hand_and_its_gradient_through_train():
    z = torch.tensor([[0.0, 2.0], [1.0, -1.0]])
    y = torch.tensor([1, 0])
    a = torch.sigmoid(z)
    by_hand = 0.5 * (((a[0] - torch.tensor([0.0, 1.0])) ** 2).sum() + ((a[1] - torch.tensor([1.0, 0.0])) ** 2).sum()) / 2
    assert hidden_training.quadratic_cost(z, y).item() == pytest.approx(by_hand.item())
    # the wrapper gives the quadratic cost's gradient where train computes cross-entropy's
    from course_lib.core.evaluate import loss_fn
    X = torch.randn(7, 5)
    y = torch.randint(0, 3, (7,))
    m1 = cl.MLP([5, 4, 3], activation="sigmoid", weight_std=1.0, seed=1)
    m2 = cl.MLP([5, 4, 3], activation="sigmoid", weight_std=1.0, seed=1)
    hidden_training.quadratic_cost(m1(X), y).backward()
    wrapped = hidden_training.QuadraticCost(m2)
    loss_fn(wrapped(X), y).backward()
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert torch.allclose(p.grad, q.grad, atol=1e-6)
    wrapped.eval()
    assert torch.equal(wrapped(X), m2(X))


def test_train_quadratic_seeds_members_equal_networks_trained_alone(tiny_split):
    recipe = {"epochs": 2, "lr": 0.5, "batch_size": 8}
    acc = hidden_training.train_quadratic_seeds([tiny_split.X_train.shape[1], 3, 3], tiny_split, [0, 1], activation="sigmoid",
                                       weight_std=1.0, batch_seed=2, **recipe)
    for m, seed in enumerate([0, 1]):
        net = cl.MLP([tiny_split.X_train.shape[1], 3, 3], activation="sigmoid", weight_std=1.0, seed=seed)
        cl.train(hidden_training.QuadraticCost(net), tiny_split, batch_seed=2, eval_every=None, progress=False, **recipe)
        assert acc[m] == pytest.approx(cl.evaluate(net, tiny_split.X_test, tiny_split.y_test)[1], abs=1e-6)


def test_plot_weight_rows_folds_each_block_into_lines_of_ncols():
    rows = {"a": np.arange(40.0).reshape(10, 4) - 20, "b": np.ones((10, 4))}
    fig = hidden_plots.plot_weight_rows(rows, image_shape=(2, 2), ncols=5, titles={"a": list("0123456789")})
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 20                                          # 2 blocks x 2 lines x 5
    assert panels[5].get_position().y0 < panels[0].get_position().y0   # image 5 starts the block's second line
    assert panels[5].get_position().x0 == pytest.approx(panels[0].get_position().x0)
    assert panels[10].images[0].get_clim() == pytest.approx((-1.0, 1.0))   # block b on its own scale
    labels = [t.get_text() for t in fig.texts]
    assert labels == ["a", "b"]                                       # one label per block, not per line
    assert all(ax.title.get_fontsize() >= 10 for ax in panels if ax.get_title())
    plt.close(fig)
    with pytest.raises(ValueError, match="ncols"):
        hidden_plots.plot_weight_rows(rows, image_shape=(2, 2), ncols=0)


def test_plot_weight_blocks_labels_one_colour_bar_at_10_pt():
    W = np.random.default_rng(0).normal(size=(6, 4))
    fig = hidden_plots.plot_weight_blocks(W, titles=list("abcdef"), ncols=3, image_shape=(2, 2), label="weight")
    panels = [ax for ax in fig.axes if ax.images]
    bars = [ax for ax in fig.axes if ax.get_ylabel() == "weight"]
    assert len(panels) == 6 and len(bars) == 1
    assert {ax.title.get_fontsize() for ax in panels} == {10}
    assert {ax.images[0].get_clim() for ax in panels} == {panels[0].images[0].get_clim()}   # one shared scale
    plt.close(fig)
