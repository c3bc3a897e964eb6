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
