import numpy as np
import pytest
import torch

from course_lib.core.models import MLP
from course_lib.core.record import Recorder, activations
from course_lib.core.train import train


def hooks_of(model):
    return sum(len(m._forward_hooks) for m in model.modules())


def fresh():
    torch.manual_seed(0)
    return MLP([12, 8, 5, 3], "relu")


def test_activations_equal_a_manual_forward_pass(tiny_split):
    model = fresh()
    X = tiny_split.X_test
    acts = activations(model, X)
    W = [p.detach() for p in model.parameters()]
    h1 = torch.relu(X @ W[0].T + W[1])
    h2 = torch.relu(h1 @ W[2].T + W[3])
    out = h2 @ W[4].T + W[5]
    assert np.allclose(acts["layers.1"], h1.numpy(), atol=1e-6)
    assert np.allclose(acts["layers.3"], h2.numpy(), atol=1e-6)
    assert np.allclose(acts["output"], out.numpy(), atol=1e-6)
    assert hooks_of(model) == 0


def test_recorded_weights_match_direct_computation(tiny_split):
    model = fresh()
    states = {}

    def spy(event):
        if event.phase == "step" and event.step == 4:
            states[4] = {k: v.detach().clone() for k, v in model.state_dict().items()}

    rec = Recorder(model, probe=tiny_split.X_test[:5], at_epochs=[0, 2], at_steps=[4])

    def both(event):
        spy(event)
        rec(event)

    train(model, tiny_split, epochs=2, lr=0.1, batch_size=20, callback=both, progress=False)
    r = rec.recording
    assert list(r.epochs) == [0, 2, 2] and list(r.steps) == [0, 4, 6]  # step 4 falls in epoch 2
    assert r.weights["layers.0.weight"].shape == (3, 8, 12)
    assert r.activations["layers.1"].shape == (3, 5, 8)
    i = list(r.steps).index(4)
    for name in states[4]:
        assert np.array_equal(r.weights[name][i], states[4][name].numpy())
    assert np.array_equal(r.weights["layers.0.weight"][-1], model.layers[0].weight.detach().numpy())


def test_recording_does_not_change_training(tiny_split):
    plain, watched = fresh(), fresh()
    train(plain, tiny_split, epochs=3, lr=0.1, batch_size=10, batch_seed=1, progress=False)
    rec = Recorder(watched, probe=tiny_split.X_test, at_epochs=range(4), at_steps=range(0, 18, 3))
    train(watched, tiny_split, epochs=3, lr=0.1, batch_size=10, batch_seed=1, callback=rec, progress=False)
    for a, b in zip(plain.parameters(), watched.parameters()):
        assert torch.equal(a, b)
    assert hooks_of(watched) == 0


def test_no_hooks_left_when_training_raises(tiny_split):
    model = fresh()
    rec = Recorder(model, probe=tiny_split.X_test, at_epochs=[0, 1])

    def explode(event):
        rec(event)
        if event.phase == "epoch" and event.epoch == 1:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        train(model, tiny_split, epochs=3, lr=0.1, callback=explode, progress=False)
    assert hooks_of(model) == 0
    with pytest.raises(ValueError):
        activations(model, tiny_split.X_test[:, :5])                  # the forward pass fails inside the hooks
    assert hooks_of(model) == 0


def test_bad_input_is_explained(tiny_split):
    model = fresh()
    with pytest.raises(ValueError, match="epochs=\\[...\\]"):
        Recorder(model)
    with pytest.raises(ValueError, match="'layers.9'"):
        activations(model, tiny_split.X_test, layers=["layers.9"])
