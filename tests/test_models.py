import pytest
import torch

from course_lib.core.models import MLP, MLPEnsemble
from course_lib.core.train import train


def test_layer_names_match_pytorch_printing():
    model = MLP([784, 30, 10], "sigmoid")
    names = [n for n, _ in model.named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert model.hidden_names() == ["layers.1"]
    assert "Sigmoid" in str(model)


def test_logistic_regression_is_an_mlp_without_hidden_layer():
    model = MLP([784, 10])
    assert len(model.layers) == 1 and model.hidden_names() == []


def test_forward_matches_a_manual_computation():
    torch.manual_seed(0)
    model = MLP([5, 4, 3], "tanh")
    X = torch.randn(7, 5)
    W1, b1, W2, b2 = (p.detach() for p in model.parameters())
    manual = torch.tanh(X @ W1.T + b1) @ W2.T + b2
    assert torch.allclose(model(X), manual, atol=1e-6)


@pytest.mark.parametrize("std, expected", [(1.0, 1.0), ("fan_in", 784 ** -0.5)])
def test_normal_initialisation(std, expected):
    torch.manual_seed(0)
    model = MLP([784, 200, 10], weight_std=std)
    w = model.layers[0].weight
    assert float(w.detach().std()) == pytest.approx(expected, rel=0.05)
    assert float(model.layers[0].bias.detach().abs().max()) == 0.0


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="activation='swish'"):
        MLP([4, 2], "swish")
    with pytest.raises(ValueError, match="sizes="):
        MLP([4])
    with pytest.raises(ValueError, match="weight_std"):
        MLP([4, 2], weight_std="big")
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        MLP([4, 2])(torch.zeros(3, 5))
    with pytest.raises(ValueError, match="seeds"):
        MLPEnsemble([4, 2], seeds=())


def test_ensemble_members_start_like_single_models():
    ens = MLPEnsemble([6, 5, 3], "relu", seeds=[3, 4])
    X = torch.randn(10, 6)
    for m, seed in enumerate([3, 4]):
        torch.manual_seed(seed)
        single = MLP([6, 5, 3], "relu")
        assert torch.allclose(ens(X)[m], single(X), atol=1e-6)
        assert torch.allclose(ens.member(m)(X), single(X), atol=1e-6)


def test_ensemble_does_not_change_the_global_random_state():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    MLPEnsemble([6, 3], seeds=[1, 2])
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("optimizer, lr, momentum", [("sgd", 0.1, 0.0), ("sgd", 0.1, 0.9), ("adam", 0.01, 0.0)])
def test_ensemble_training_equals_training_each_model_alone(tiny_split, optimizer, lr, momentum):
    ens = MLPEnsemble([12, 8, 3], "tanh", seeds=[0, 1, 2])
    h_ens = train(ens, tiny_split, epochs=3, lr=lr, batch_size=16, optimizer=optimizer, momentum=momentum,
                  weight_decay=1e-3, batch_seed=9, progress=False)
    for m in range(3):
        torch.manual_seed(m)
        single = MLP([12, 8, 3], "tanh")
        h = train(single, tiny_split, epochs=3, lr=lr, batch_size=16, optimizer=optimizer, momentum=momentum,
                  weight_decay=1e-3, batch_seed=9, progress=False)
        for a, b in zip(single.parameters(), ens.member(m).parameters()):
            assert torch.allclose(a, b, atol=1e-5)
        assert h["test_acc"][-1] == pytest.approx(h_ens["test_acc"][-1, m])
