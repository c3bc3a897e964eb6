"""Tests of course_lib.ascent (gradient ascent on the input, chapter 4)."""
import numpy as np
import pytest
import torch
from torch import nn

from course_lib.chapters.ascent import gradient_ascent


def test_linear_model_ascent_follows_the_hand_computed_gradient():
    torch.manual_seed(0)
    model = nn.Linear(6, 3)
    out = gradient_ascent(model, [1], n_features=6, step=0.5, max_steps=1, threshold=0.999, seed=4)
    gen = torch.Generator().manual_seed(4)
    x0 = ((torch.rand(1, 6, generator=gen) * 2 - 1) * 0.05)[0].double()
    W, b = model.weight.detach().double(), model.bias.detach().double()
    p = torch.softmax(W @ x0 + b, 0)
    grad = p[1] * (W[1] - p @ W)           # d p_1 / d x for softmax(Wx + b)
    assert np.allclose(out.X[0], (x0 + 0.5 * grad).numpy(), atol=1e-6)
    assert out.steps.tolist() == [1] and not out.converged[0]


def test_rows_stop_on_their_own_and_reach_the_threshold():
    torch.manual_seed(0)
    model = nn.Linear(10, 4)
    before = [p.detach().clone() for p in model.parameters()]
    out = gradient_ascent(model, [0, 3, 3], n_features=10, step=5.0, threshold=0.99, max_steps=5000)
    assert out.converged.all() and (out.probs > 0.99).all()
    probs = torch.softmax(model(torch.tensor(out.X)), -1).detach().numpy()
    assert np.allclose(probs[[0, 1, 2], [0, 3, 3]], out.probs, atol=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))   # the model is untouched
    assert all(p.grad is None for p in model.parameters())


def test_bad_input_is_explained():
    model = nn.Linear(5, 2)
    with pytest.raises(ValueError, match="targets"):
        gradient_ascent(model, [], n_features=5)
    with pytest.raises(ValueError, match="threshold=1.5"):
        gradient_ascent(model, [0], n_features=5, threshold=1.5)
    ensemble_like = nn.Sequential(nn.Linear(5, 2), nn.Unflatten(0, (1, -1)))
    with pytest.raises(ValueError, match="member"):
        gradient_ascent(ensemble_like, [0], n_features=5)


def test_logit_objective_moves_along_the_target_row_alone():
    torch.manual_seed(0)
    model = nn.Linear(6, 3)
    out = gradient_ascent(model, [2], n_features=6, step=0.5, max_steps=3, seed=1, objective="logit")
    gen = torch.Generator().manual_seed(1)
    x0 = ((torch.rand(1, 6, generator=gen) * 2 - 1) * 0.05)[0]
    assert np.allclose(out.X[0], (x0 + 3 * 0.5 * model.weight[2].detach()).numpy(), atol=1e-6)   # d z_2 / d x = W[2]
    with pytest.raises(ValueError, match="objective"):
        gradient_ascent(model, [0], n_features=6, objective="loss")


def test_clutter_is_the_other_changes_over_the_largest_rise():
    from course_lib.chapters.ascent import clutter

    X = np.array([[0.0, 0.0, 3.0, 3.0],        # a clean step: nothing else
                  [0.0, 1.0, 1.0, 0.0],        # up 1, down 1: (1 + 1 - 1) / 1
                  [0.0, 2.0, 1.5, 2.0]])       # up 2, down 0.5, up 0.5: (2 + 0.5 + 0.5 - 2) / 2
    assert np.allclose(clutter(X), [0.0, 1.0, 0.5])
    with pytest.raises(ValueError, match="clutter.*X"):
        clutter(np.array([[3.0, 2.0, 1.0]]))    # no rise to divide by


def test_plot_ascent_draws_each_input_in_its_row_and_panel():
    import matplotlib.pyplot as plt

    from course_lib.chapters.ascent import plot_ascent

    rng = np.random.default_rng(0)
    inputs = {f"net {r}": (rng.standard_normal((2, 10)), rng.standard_normal((2, 10))) for r in range(2)}
    fig = plot_ascent(inputs, [3, 7], notes={"net 1": "never moved"}, figsize=(4, 4))
    axes = np.array(fig.axes).reshape(2, 2)
    for r, (label, pair) in enumerate(inputs.items()):
        assert axes[r, 0].get_ylabel() == label
        for c in range(2):
            lines = [ln for ln in axes[r, c].get_lines() if len(ln.get_xdata()) == 10]
            assert [np.allclose(ln.get_ydata(), x) for ln, x in zip(lines, pair[c])] == [True, True]
            assert [t.get_text() for t in axes[r, c].texts] == (["never moved"] if r == 1 else [])
    plt.close(fig)
    with pytest.raises(ValueError, match="plot_ascent.*inputs"):
        plot_ascent({"net": (np.zeros((1, 10)), np.zeros((1, 10)))}, [3, 7])   # one row for two targets
