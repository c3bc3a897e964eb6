"""Tests of course_lib.splitting (chapter 3): fast, offline, checked against independent computations."""
from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F

matplotlib.use("Agg")

import course_lib as cl  # noqa: E402
from course_lib.chapters import splitting, splitting_plots, updates


def _two_class_acts():
    """Neuron 0 splits (class 0 at -1, class 1 at +1), neuron 1 flips the sides, neuron 2 is noise."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 200)
    sign = np.where(y == 1, 1.0, -1.0)
    acts = np.stack([sign + 0.1 * rng.standard_normal(400), -sign + 0.1 * rng.standard_normal(400),
                     rng.standard_normal(400)], axis=1)
    return acts, y


def test_separation_score_is_cohens_d_for_two_classes():
    acts, y = _two_class_acts()
    a0, a1 = acts[y == 0], acts[y == 1]
    expected = np.abs(a1.mean(0) - a0.mean(0)) / np.sqrt((a0.var(0) + a1.var(0)) / 2)
    np.testing.assert_allclose(splitting.separation_score(acts, y), expected, rtol=1e-6)
    score = splitting.separation_score(acts, y)
    assert score[0] > 15 and score[1] > 15 and score[2] < 0.5


def test_split_codes_and_count_for_four_classes():
    # class means per neuron: neuron 0 sends {2, 3} high, neuron 1 sends {0} high, neuron 2 mirrors neuron 0,
    # neuron 3 is dead (constant, as a ReLU that never fires), neuron 4 repeats neuron 0.
    means = np.array([[-1, 1, 1, 0, -0.9], [-0.8, -1, 0.8, 0, -0.8], [0.9, -1, -0.9, 0, 0.9], [1, -0.9, -1, 0, 1]])
    y = np.repeat(np.arange(4), 50)
    acts = means[y] + 0.01 * np.random.default_rng(1).standard_normal((200, 5))
    acts[:, 3] = 0.0
    codes = splitting.split_codes(acts, y)
    np.testing.assert_array_equal(codes, [[0, 0, 1, 1], [1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1]])
    assert splitting.count_splits(codes) == 3                 # {2,3} high, {0} high, {0,1} high
    assert splitting.count_splits(codes, unordered=True) == 2  # {0,1}|{2,3} and {0}|{1,2,3}
    assert splitting.separation_score(acts, y)[3] == 0.0
    # every one of the 2^k - 2 ordered codes is counted once
    all_codes = np.array([c for c in itertools.product([0, 1], repeat=4) if 0 < sum(c) < 4])
    assert splitting.count_splits(all_codes) == 14 and splitting.count_splits(all_codes, unordered=True) == 7


def test_bad_inputs_name_the_problem():
    with pytest.raises(ValueError, match="has 4 labels for 5 samples"):
        splitting.separation_score(np.zeros((5, 2)), np.zeros(4, int))
    with pytest.raises(ValueError, match="at least two classes"):
        splitting.split_codes(np.zeros((4, 2)), np.zeros(4, int))
    with pytest.raises(ValueError, match="0/1 array"):
        splitting.count_splits(np.array([[0, 2]]))
    with pytest.raises(ValueError, match="n_orders"):
        splitting.flip_curves(np.ones(3), np.ones((2, 3)), np.zeros(2), n_orders=0)


def test_within_class_spread_against_a_loop():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 90)
    acts = rng.standard_normal((90, 4)) + 3 * y[:, None]
    sq = sum(((acts[i] - acts[y == y[i]].mean(0)) ** 2).sum() for i in range(90))
    total = ((acts - acts.mean(0)) ** 2).sum()
    assert splitting.within_class_spread(acts, y) == pytest.approx(np.sqrt(sq / acts.size))
    assert splitting.within_class_spread(acts, y, relative=True) == pytest.approx(sq / total)
    collapsed = np.repeat(np.eye(3), 30, axis=0)  # every class is one point
    assert splitting.within_class_spread(collapsed, np.repeat(np.arange(3), 30)) == 0.0


def test_flip_curves_match_flipping_and_a_forward_pass():
    torch.manual_seed(0)
    layer = torch.nn.Linear(7, 3)
    h = torch.tanh(torch.randn(7))
    W, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    curves = splitting.flip_curves(h.numpy(), W, b, n_orders=4, seed=3)
    assert curves.shape == (4, 8, 3)
    orders = [np.random.default_rng(3).permutation(7) for _ in range(1)]  # first order of the same generator
    flipped = h.clone()
    with torch.no_grad():
        np.testing.assert_allclose(curves[0, 0], F.softmax(layer(flipped), -1).numpy(), rtol=1e-5)
        for k, i in enumerate(orders[0], start=1):
            flipped[i] = -flipped[i]
            np.testing.assert_allclose(curves[0, k], F.softmax(layer(flipped), -1).numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(curves.sum(-1), 1.0)


def test_flip_curves_with_chosen_orders():
    rng = np.random.default_rng(4)
    h, W, b = np.tanh(rng.standard_normal(6)), rng.standard_normal((2, 6)), rng.standard_normal(2)
    order = rng.permutation(6)
    random_run = splitting.flip_curves(h, W, b, n_orders=3, seed=5)
    same = splitting.flip_curves(h, W, b, orders=np.stack([np.random.default_rng(5).permutation(6)]))
    np.testing.assert_allclose(same[0], random_run[0])                  # a chosen order is just that order
    chosen = splitting.flip_curves(h, W, b, orders=order[None])
    assert chosen.shape == (1, 7, 2)
    np.testing.assert_allclose(chosen[0, -1], splitting.flip_curves(-h, W, b, n_orders=1)[0, 0])  # all flipped = -h
    # flipping the largest contributions to (score 0 - score 1) first makes P(class 0) fall fastest
    c = (W[0] - W[1]) * h
    first, last = splitting.flip_curves(h, W, b, orders=np.stack([np.argsort(-c), np.argsort(c)]))[..., 0]
    assert np.all(first <= last + 1e-12)
    with pytest.raises(ValueError, match="permutations"):
        splitting.flip_curves(h, W, b, orders=np.zeros((1, 6), int))


def test_crossing_interpolates_and_returns_nan_when_never():
    assert splitting.crossing(np.array([1.0, 0.8, 0.6, 0.4, 0.2])) == pytest.approx(2.5)
    assert splitting.crossing(np.array([0.9, 0.5, 0.1])) == pytest.approx(1.0)
    assert np.isnan(splitting.crossing(np.array([0.9, 0.8, 0.7])))


def test_outer_product_gradient_equals_autograd():
    torch.manual_seed(1)
    layer = torch.nn.Linear(6, 4)
    A = torch.randn(5, 6)
    z = layer(A)
    z.retain_grad()
    loss = F.cross_entropy(torch.tanh(z), torch.tensor([0, 1, 2, 3, 0]))
    loss.backward()
    np.testing.assert_allclose(updates.outer_product_gradient(z.grad, A).numpy(), layer.weight.grad.numpy(),
                               rtol=1e-5, atol=1e-7)
    # one sample: each row is the input times one number, so the cosine with the input is +-1
    z1 = layer(A[:1])
    g = torch.autograd.grad(F.cross_entropy(z1, torch.tensor([2])), layer.weight)[0]
    cos = updates.update_cosines(g.numpy(), A[0].numpy())
    np.testing.assert_allclose(np.abs(cos), 1.0, atol=1e-6)


def test_update_cosines_handles_still_rows():
    cos = updates.update_cosines(np.array([[2.0, 0.0], [0.0, 0.0], [-1.0, -1.0]]), np.array([1.0, 0.0]))
    assert cos[0] == pytest.approx(1.0) and np.isnan(cos[1]) and cos[2] == pytest.approx(-np.sqrt(0.5))


def test_record_updates_plain_sgd_is_minus_lr_times_outer_product():
    torch.manual_seed(0)
    model = cl.MLP([12, 3, 3, 4], activation="tanh")
    start = {k: v.clone() for k, v in model.state_dict().items()}
    X, y = torch.rand(5, 12), torch.tensor([0, 1, 2, 3, 1])
    steps = updates.record_updates(model, X, y, lr=0.5, batch_seed=0)
    assert steps.X.shape == (5, 12) and steps.updates["layers.0.weight"].shape == (5, 3, 12)
    assert steps.updates["layers.2.weight"].shape == (5, 3, 3) and steps.inputs["layers.2.weight"].shape == (5, 3)
    # first step, recomputed by hand from the starting weights
    ref = cl.MLP([12, 3, 3, 4], activation="tanh")
    ref.load_state_dict(start)
    x0 = torch.from_numpy(steps.X[:1])
    loss = F.cross_entropy(ref(x0), torch.tensor(steps.y[:1]))
    g = torch.autograd.grad(loss, ref.layers[0].weight)[0]
    np.testing.assert_allclose(steps.updates["layers.0.weight"][0], -0.5 * g.numpy(), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(steps.inputs["layers.2.weight"][0], torch.tanh(ref.layers[0](x0))[0].detach().numpy(),
                               rtol=1e-6)
    # every step: rows are copies of the layer's input
    for t in range(5):
        for name in ("layers.0.weight", "layers.2.weight"):
            cos = updates.update_cosines(steps.updates[name][t], steps.inputs[name][t], tol=1e-9)
            assert np.all(np.isnan(cos) | (np.abs(cos) > 0.999))
    # the weights of the model at the end equal the start plus every recorded change
    total = start["layers.0.weight"].numpy() + steps.updates["layers.0.weight"].sum(0)
    np.testing.assert_allclose(model.layers[0].weight.detach().numpy(), total, atol=1e-6)


def test_record_updates_momentum_keeps_old_inputs():
    torch.manual_seed(0)
    model = cl.MLP([10, 2, 3], activation="tanh")
    X, y = torch.rand(4, 10), torch.tensor([0, 1, 2, 0])
    plain = updates.record_updates(cl.MLP([10, 2, 3], activation="tanh"), X, y, lr=0.1, batch_seed=0)
    steps = updates.record_updates(model, X, y, lr=0.1, momentum=0.9, batch_seed=0)
    dW = steps.updates["layers.0.weight"]
    # the update of step 1 lies in the span of the inputs of steps 0 and 1, with weight 0.9 on the old gradient
    B = np.stack([steps.X[0], steps.X[1]], axis=1)
    coef, *_ = np.linalg.lstsq(B, dW[1].T, rcond=None)
    np.testing.assert_allclose(B @ coef, dW[1].T, atol=1e-6)
    coef0, *_ = np.linalg.lstsq(B[:, :1], dW[0].T, rcond=None)
    np.testing.assert_allclose(coef[0], 0.9 * coef0[0], rtol=1e-3, atol=1e-8)
    assert plain.updates["layers.0.weight"].shape == dW.shape


def test_figures_have_the_expected_parts():
    acts, y = _two_class_acts()
    fig = splitting_plots.strips_figure([acts, acts[:, :2]], y, class_names=["zero", "one"], title="t")
    assert len(fig.data) == 4 and fig.data[0].name == "zero" and len(fig.data[0].x) == 3 * 200
    np.testing.assert_allclose(fig.data[2].x, acts[y == 0][:, :2].T.ravel(), rtol=1e-6)
    X = np.random.default_rng(0).random((20, 16)) + 0.01     # all positive: every value is drawn
    mfig = splitting_plots.plot_pixel_strips(X, np.repeat([0, 1], 10), image_shape=(4, 4), n_per_class=5)
    offsets = mfig.axes[0].collections[0].get_offsets()
    assert len(offsets) == 5 * 16 and offsets[:, 0].min() >= 0 and offsets[:, 0].max() <= 4
    top, bottom = (mfig.axes[0].collections[k].get_offsets()[:, 1] % 1 for k in (0, 1))
    assert top.max() < bottom.min()                       # each class keeps to its own band of a cell
    cropped = splitting_plots.plot_pixel_strips(X, np.repeat([0, 1], 10), image_shape=(4, 4), n_per_class=5, crop=1)
    assert len(cropped.axes[0].collections[0].get_offsets()) == 5 * 4
    with pytest.raises(ValueError, match="expected"):
        splitting_plots.plot_pixel_strips(X, np.zeros(20, int), image_shape=(5, 5))
    X0 = X.copy()
    X0[:, 0] = 0.0                                        # a pixel without ink gets no dots
    assert len(splitting_plots.plot_pixel_strips(X0, np.repeat([0, 1], 10), image_shape=(4, 4), n_per_class=5)
               .axes[0].collections[0].get_offsets()) == 5 * 15
    with pytest.raises(ValueError, match="crop"):
        splitting_plots.plot_pixel_strips(X, np.zeros(20, int), image_shape=(4, 4), crop=2)


def test_plot_strips_sizes_panels_and_puts_one_legend_above_them():
    rng = np.random.default_rng(0)
    acts, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
    fig = splitting_plots.plot_strips(acts, y, class_names=["a", "b"], ncols=2, panel=(1.5, 1.0))
    assert tuple(fig.get_size_inches()) == pytest.approx((2 * 1.5 + 0.3, 2 * 1.0 + 0.3))
    panels = [ax for ax in fig.axes if ax.collections]
    assert len(panels) == 3 and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]
    assert all(ax.get_legend() is None for ax in panels)
    with pytest.raises(ValueError, match="panel"):
        splitting_plots.plot_strips(acts, y, panel=(1.5, 0))
    matplotlib.pyplot.close("all")


# ------------------------------------------------------- what both pages of chapter 3 compute (issue 18)
from course_lib.chapters import splitting_runs, splitting_summaries  # noqa: E402


def _cohens_d_median(a, y):
    a0, a1 = a[y == 0], a[y == 1]
    return np.median(np.abs(a1.mean(0) - a0.mean(0)) / np.sqrt((a0.var(0) + a1.var(0)) / 2))


def test_median_separation_per_snapshot_seed_and_layer():
    rng = np.random.default_rng(5)
    y = np.repeat([0, 1], 30)
    acts = {"l1": rng.standard_normal((4, 2, 60, 3)) + 2.0 * y[:, None], "l2": rng.standard_normal((4, 2, 60, 5))}
    sep = splitting.median_separation(acts, y)
    assert sep.shape == (4, 2, 2)
    for i, m in itertools.product(range(4), range(2)):
        np.testing.assert_allclose(sep[i, m], [_cohens_d_median(acts["l1"][i, m], y),
                                               _cohens_d_median(acts["l2"][i, m], y)], rtol=1e-6)
    assert sep[..., 0].min() > sep[..., 1].max()           # the layer that splits scores higher
    with pytest.raises(ValueError, match="leading dims"):
        splitting.median_separation({"a": acts["l1"], "b": acts["l2"][0]}, y)


def test_layer_codes_and_pooled_separation_of_two_layers():
    means = np.array([[-1, 1, 1], [-0.8, -1, 0.8], [0.9, -1, -0.9], [1, -0.9, -1]])   # 4 classes, 3 units
    y = np.repeat(np.arange(4), 50)
    acts = means[y] + 0.01 * np.random.default_rng(1).standard_normal((200, 3))
    codes = splitting.layer_codes([acts[:, :1], acts[:, 1:]], y)
    np.testing.assert_array_equal(codes, [[0, 0, 1, 1], [1, 0, 0, 0], [1, 1, 0, 0]])
    scores = splitting.separation_score(acts, y)
    assert splitting.pooled_separation([acts[:, :1], acts[:, 1:]], y) == pytest.approx(np.median(scores))
    assert splitting.pooled_separation([acts[:, 2:]], y) == pytest.approx(scores[2])


def test_random_code_count_matches_the_exact_expectation():
    for n_units, n_codes in ((30, 14), (5, 3)):
        exact = n_codes * (1 - (1 - 1 / n_codes) ** n_units)
        assert splitting.random_code_count(n_units, n_codes, seed=1) == pytest.approx(exact, abs=0.05)
    assert splitting.random_code_count(1, 14) == 1.0 and splitting.random_code_count(50, 1) == 1.0


def test_layer_race_by_hand():
    steps = [0, 1, 2, 4, 8, 16]                              # epochs 0, 1 and 2 (8 steps each)
    sep = np.zeros((6, 3, 3))
    sep[:, :, 0] = 1.0                                       # layer 1: 1 everywhere
    sep[4, :, 2] = [2.0, 0.5, 3.0]                           # layer 3 after epoch 1: ahead in 2 of 3 seeds
    sep[5, :, 2] = [5.0, 5.0, 5.0]                           # after epoch 2: ahead in all
    sep[3, :, 2] = [1.0, 2.0, 4.0]                           # after 4 steps: median 2
    race = splitting_summaries.layer_race(sep, steps, at_steps=(4,))
    assert race == {"last_ahead": 2, "last_ahead2": 3, "rise1": pytest.approx(2.0 / 5.0),
                    "sep0_l1": 1.0, "sep0_l3": 0.0, "sep1_l1": 1.0, "sep1_l3": 2.0, "sep2_l1": 1.0, "sep2_l3": 5.0,
                    "sep_step4_l3": 2.0}
    with pytest.raises(ValueError, match="at_steps"):
        splitting_summaries.layer_race(sep, steps, at_steps=(3,))
    with pytest.raises(ValueError, match="steps"):
        splitting_summaries.layer_race(sep, [1, 2, 4, 8, 16, 24])       # no snapshot before training


def test_split_summary_counts_codes_before_and_after():
    means = np.array([[-1, 1, 1], [-0.8, -1, 0.8], [0.9, -1, -0.9], [1, -0.9, -1]])
    y = np.repeat(np.arange(4), 50)
    rng = np.random.default_rng(2)
    after = means[y] + 0.01 * rng.standard_normal((200, 3))
    before = np.repeat(means[:, :1], 3, 1)[y] + 0.01 * rng.standard_normal((200, 3))   # every unit alike
    acts = {"l1": np.stack([before[:, :1], after[:, :1]]), "l2": np.stack([before[:, 1:], after[:, 1:]])}
    codes, codes0, numbers = splitting_summaries.split_summary({"tanh": {"acts": acts, "test_acc": 0.9}}, y)
    np.testing.assert_array_equal(codes["tanh"], [[0, 0, 1, 1], [1, 0, 0, 0], [1, 1, 0, 0]])
    assert numbers["splits_tanh"] == 3 and numbers["splits0_tanh"] == 1 and numbers["acc4_tanh"] == 0.9
    assert numbers["sep4_tanh"] == pytest.approx(np.median(splitting.separation_score(after, y)))
    assert numbers["sep4_0_tanh"] == pytest.approx(np.median(splitting.separation_score(before, y)))
    with pytest.raises(ValueError, match="runs"):
        splitting_summaries.split_summary({"tanh": {"acts": acts}}, y)


def test_flip_test_numbers_by_hand():
    rng = np.random.default_rng(6)
    h = np.tanh(2 * rng.standard_normal(40))
    W = np.stack([np.sign(h) * rng.uniform(0.5, 1, 40), -np.sign(h) * rng.uniform(0.5, 1, 40)])
    b = np.array([0.3, -0.1])
    flip = splitting_summaries.flip_test(h, W, b, seed=2, n_orders=50, k=10)
    f = flip.numbers
    assert flip.curves.shape == (50, 41, 2) and flip.targeted.shape == (2, 41)
    w, wh = W[0] - W[1], (W[0] - W[1]) @ h
    assert f["wh"] == pytest.approx(wh) and f["cross_pred"] == pytest.approx(20 * (1 + 0.4 / wh))
    assert f["p0_start"] == pytest.approx(1 / (1 + np.exp(-(wh + 0.4))))
    assert f["p0_10_pred"] == pytest.approx(1 / (1 + np.exp(-(wh * 0.5 + 0.4))))
    assert f["agree"] == 1.0 and f["align"] == pytest.approx(wh / np.linalg.norm(w) / np.linalg.norm(h))
    votes = np.sort(w * h)[::-1]
    assert f["top10"] == pytest.approx(votes[:4].sum() / votes.sum())
    assert f["k_first"] < f["cross"] < f["k_last"]           # strongest votes first cross soonest
    assert f["cross"] == splitting.crossing(flip.curves[..., 0].mean(0))
    with pytest.raises(ValueError, match="two classes"):
        splitting_summaries.flip_test(h, np.vstack([W, W[:1]]), np.zeros(3))


def _toy_split(n_train=800, n_test=100, k=2):
    gen = torch.Generator().manual_seed(0)
    centers = 2 * torch.randn(k, 12, generator=gen)
    y_tr, y_te = torch.arange(n_train) % k, torch.arange(n_test) % k
    return cl.Split(centers[y_tr] + torch.randn(n_train, 12, generator=gen), y_tr,
                    centers[y_te] + torch.randn(n_test, 12, generator=gen), y_te, classes=tuple(range(k)))


def test_train_small_is_the_recipe_written_out():
    data = _toy_split(200, 40, 3)
    hist, rec = splitting_runs.train_small(data, 4, batch_seed=1, activation="relu", epochs=3, at_epochs=[0, 3])
    model = cl.MLP([12, 10, 10, 10, 3], activation="relu", weight_std="fan_in", seed=4)
    ref = cl.Recorder(model, probe=data.X_test, at_epochs=[0, 3], layers=model.hidden_names(), weights=False)
    ref_hist = cl.train(model, data, epochs=3, lr=0.1, momentum=0.9, batch_size=100, batch_seed=1, eval_every=15,
                        eval_on=("test",), callback=ref, progress=False)
    assert list(rec.activations) == ["layers.1", "layers.3", "layers.5"]
    for name, a in rec.activations.items():
        assert a.shape == (2, 40, 10)
        np.testing.assert_array_equal(a, ref.recording.activations[name])
    assert hist["test_acc"][-1] == ref_hist["test_acc"][-1]


def test_train_five_and_its_plain_sgd_control():
    data = _toy_split()
    small = splitting_runs.train_five(data, 1, progress=False)
    assert small.seeds == [5, 6, 7, 8, 9] and small.hidden == ["layers.1", "layers.3", "layers.5"]
    assert list(small.steps) == [0, 1, 2, 3, 4, 6, 8, 24, 40, 120] and small.at_epoch == [0, 6, 7, 8, 9]
    assert small.acts["layers.1"].shape == (10, 5, 100, 10) and small.sep.shape == (10, 5, 3)
    np.testing.assert_array_equal(small.epoch_acts()["layers.5"], small.acts["layers.5"][[0, 6, 7, 8, 9]])
    np.testing.assert_allclose(small.sep, splitting.median_separation(small.acts, data.y_test.numpy()))
    assert small.sep[-1].min() > small.sep[0].max()           # training separates the two clusters
    sgd = splitting_runs.plain_sgd_separation(data, 1)
    assert sgd.shape == (2, 5, 3)
    assert not np.allclose(sgd[0], small.sep[6])              # no momentum: not the chapter's run


def test_bad_inputs_of_the_runs_name_the_argument():
    with pytest.raises(TypeError, match="data"):
        splitting_runs.train_small("digits", 0, batch_seed=0)
    with pytest.raises(ValueError, match="seed"):
        splitting_runs.train_five(_toy_split(20, 10), -1)
    with pytest.raises(ValueError, match="seed"):
        splitting_runs.train_chapter2_network(1.5)


def test_train_wide_is_the_recipe_written_out():
    data = _toy_split(200, 40)
    wide, hist, rec = splitting_runs.train_wide(data, 3, progress=False)
    ref = cl.MLP([12, 500, 500, 500, 2], activation="tanh", seed=3)
    ref_rec = cl.Recorder(ref, probe=data.X_train, at_epochs=[0, 10], layers=ref.hidden_names())
    cl.train(ref, data, epochs=10, lr=0.1, batch_size=100, batch_seed=3, eval_on=("train", "test"), callback=ref_rec,
             progress=False)
    assert rec.activations["layers.5"].shape == (2, 200, 500)
    np.testing.assert_array_equal(rec.activations["layers.5"], ref_rec.recording.activations["layers.5"])
    np.testing.assert_array_equal(wide.layers[6].weight.detach().numpy(), ref.layers[6].weight.detach().numpy())
