import numpy as np
import pytest
import torch

from course_lib.data import Split
from course_lib.models import MLP, MLPEnsemble
from course_lib.train import History, evaluate, loss_fn, train


def fresh(seed=0, sizes=(12, 8, 3)):
    torch.manual_seed(seed)
    return MLP(list(sizes), "tanh")


def test_history_has_one_row_per_epoch_and_learns(tiny_split):
    h = train(fresh(), tiny_split, epochs=5, lr=0.5, batch_size=10, progress=False)
    assert isinstance(h, History) and h["train_loss"].shape == (6,)
    assert set(h.metrics) == {"train_loss", "train_acc", "test_loss", "test_acc", "val_loss", "val_acc"}
    assert h["train_loss"][-1] < h["train_loss"][0] and h["test_acc"][-1] > 0.8
    assert list(h.epochs) == list(range(6))


def test_same_seed_same_result(tiny_split):
    runs = []
    for _ in range(2):
        model = fresh(1)
        h = train(model, tiny_split, epochs=3, lr=0.3, batch_size=7, seed=4, progress=False)
        runs.append((h["train_loss"], model.layers[0].weight.detach().clone()))
    assert np.array_equal(runs[0][0], runs[1][0]) and torch.equal(runs[0][1], runs[1][1])


def test_callback_sees_every_step_before_the_update_and_every_epoch(tiny_split):
    events = []
    model = fresh()

    def cb(event):
        if event.phase == "step":
            assert all(p.grad is not None for p in model.parameters())
        events.append((event.phase, event.epoch, event.step))

    train(model, tiny_split, epochs=2, lr=0.1, batch_size=20, callback=cb, progress=False)
    steps = [e for e in events if e[0] == "step"]
    epochs = [e for e in events if e[0] == "epoch"]
    assert len(steps) == 6 and [e[1] for e in epochs] == [0, 1, 2]


def test_keep_best_restores_the_lowest_validation_loss(tiny_split):
    model = fresh()
    snapshots = {}

    def cb(event):
        if event.phase == "epoch":
            snapshots[event.epoch] = {k: v.clone() for k, v in model.state_dict().items()}

    h = train(model, tiny_split, epochs=8, lr=2.0, batch_size=10, keep_best=True, callback=cb, progress=False)
    best = int(np.argmin(h["val_loss"]))
    assert h.best_epoch == best
    for k, v in model.state_dict().items():
        assert torch.equal(v, snapshots[best][k])


def test_keep_best_per_ensemble_member(tiny_split):
    ens = MLPEnsemble([12, 8, 3], "tanh", seeds=[0, 1])
    h = train(ens, tiny_split, epochs=6, lr=2.0, batch_size=10, keep_best=True, progress=False)
    assert h["val_loss"].shape == (7, 2)
    assert list(h.best_epoch) == list(np.argmin(h["val_loss"], axis=0))
    for m in range(2):
        loss, _ = evaluate(ens.member(m), tiny_split.X_val, tiny_split.y_val)
        assert loss == pytest.approx(h["val_loss"][h.best_epoch[m], m], rel=1e-4)


def test_ensemble_loss_is_the_sum_of_member_losses():
    logits = torch.randn(3, 5, 4)
    y = torch.randint(0, 4, (5,))
    expected = sum(torch.nn.functional.cross_entropy(logits[m], y) for m in range(3))
    assert torch.allclose(loss_fn(logits, y), expected)


def test_bad_arguments_are_explained(tiny_split):
    model = fresh()
    with pytest.raises(ValueError, match="optimizer='rmsprop'"):
        train(model, tiny_split, epochs=1, lr=0.1, optimizer="rmsprop", progress=False)
    with pytest.raises(ValueError, match="epochs=-1"):
        train(model, tiny_split, epochs=-1, lr=0.1, progress=False)
    with pytest.raises(ValueError, match="batch_size=0"):
        train(model, tiny_split, epochs=1, lr=0.1, batch_size=0, progress=False)
    no_val = Split(tiny_split.X_train, tiny_split.y_train, tiny_split.X_test, tiny_split.y_test)
    with pytest.raises(ValueError, match="keep_best=True needs a validation set"):
        train(model, no_val, epochs=1, lr=0.1, keep_best=True, progress=False)
    empty = Split(tiny_split.X_train[:0], tiny_split.y_train[:0], tiny_split.X_test, tiny_split.y_test)
    with pytest.raises(ValueError, match="empty"):
        train(model, empty, epochs=1, lr=0.1, progress=False)
    with pytest.raises(TypeError, match="Split"):
        train(model, (tiny_split.X_train, tiny_split.y_train), epochs=1, lr=0.1, progress=False)
