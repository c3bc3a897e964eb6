import numpy as np
import pytest
import torch

from course_lib.core.data import Split
from course_lib.core.evaluate import evaluate, loss_fn
from course_lib.core.history import History
from course_lib.core.models import MLP, MLPEnsemble
from course_lib.core.train import train


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
        h = train(model, tiny_split, epochs=3, lr=0.3, batch_size=7, batch_seed=4, progress=False)
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


@pytest.mark.parametrize("name, kwargs", [("sgd", {"lr": 0.1}), ("sgd", {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-3}),
                                          ("adam", {"lr": 0.01}), ("adam", {"lr": 0.01, "weight_decay": 1e-3})])
def test_the_written_out_optimizers_give_torch_optims_numbers_bit_for_bit(name, kwargs):
    from course_lib.core.optim import make_optimizer

    gen = torch.Generator().manual_seed(0)
    X, y = torch.randn(40, 6, generator=gen), torch.randint(0, 3, (40,), generator=gen)
    ours, theirs = fresh(3, (6, 5, 3)), fresh(3, (6, 5, 3))
    opt_ours = make_optimizer(name, list(ours.parameters()), **kwargs)
    torch_cls = torch.optim.SGD if name == "sgd" else torch.optim.Adam
    opt_theirs = torch_cls(theirs.parameters(), **kwargs)
    for step in range(6):
        for model, opt in ((ours, opt_ours), (theirs, opt_theirs)):
            for p in model.parameters():
                p.grad = None
            loss_fn(model(X[step::6]), y[step::6]).backward()
            opt.step()
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(a, b)


def test_adam_with_momentum_is_refused(tiny_split):
    with pytest.raises(ValueError, match="optimizer='adam' with momentum=0.9"):
        train(fresh(), tiny_split, epochs=1, lr=0.01, optimizer="adam", momentum=0.9, progress=False)


def test_eval_every_and_never(tiny_split):
    h = train(fresh(), tiny_split, epochs=7, lr=0.1, eval_every=3, progress=False)
    assert list(h.epochs) == [0, 3, 6, 7] and h["test_acc"].shape == (4,)
    h = train(fresh(), tiny_split, epochs=2, lr=0.1, eval_every=None, progress=False)
    assert h.metrics == {} and list(h.epochs) == []
    with pytest.raises(ValueError, match="eval_every=0"):
        train(fresh(), tiny_split, epochs=1, lr=0.1, eval_every=0, progress=False)


def test_the_evaluation_schedule_does_not_change_training(tiny_split):
    a, b = fresh(), fresh()
    train(a, tiny_split, epochs=4, lr=0.3, progress=False)
    train(b, tiny_split, epochs=4, lr=0.3, eval_every=None, progress=False)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_a_callback_can_stop_training(tiny_split):
    from course_lib.core.history import StopTraining

    def stop_after_two(event):
        if event.phase == "epoch" and event.epoch == 2:
            raise StopTraining

    h = train(fresh(), tiny_split, epochs=10, lr=0.1, callback=stop_after_two, progress=False)
    assert list(h.epochs) == [0, 1, 2] and h.best_epoch == 2


def test_train_seeds_gives_each_seed_what_it_gets_alone(tiny_split):
    from course_lib.core.runs import train_seeds

    runs = train_seeds([12, 8, 3], tiny_split, seeds=[5, 6], activation="tanh", epochs=3, lr=0.3, batch_size=16,
                       progress=False)
    assert [r.seed for r in runs] == [5, 6]
    for r in runs:
        alone = MLP([12, 8, 3], "tanh", seed=r.seed)
        h = train(alone, tiny_split, epochs=3, lr=0.3, batch_size=16, progress=False)
        for a, b in zip(alone.parameters(), r.model.parameters()):
            assert torch.allclose(a, b, atol=1e-5)
        assert r.model.seed == r.seed
        np.testing.assert_allclose(r.history["train_loss"], h["train_loss"], rtol=1e-4)
        assert r.history["test_acc"].shape == (4,)


def test_per_member_batch_orders_and_data_draws(tiny_split):
    from course_lib.core.runs import stack_splits, train_seeds

    runs = train_seeds([12, 8, 3], tiny_split, seeds=[0, 1], activation="tanh", batch_seed=[7, 8], epochs=2,
                       lr=0.3, batch_size=16, progress=False)
    for r, order in zip(runs, [7, 8]):
        alone = MLP([12, 8, 3], "tanh", seed=r.seed)
        train(alone, tiny_split, epochs=2, lr=0.3, batch_size=16, batch_seed=order, progress=False)
        for a, b in zip(alone.parameters(), r.model.parameters()):
            assert torch.allclose(a, b, atol=1e-5)
    other = Split(tiny_split.X_train.flip(0), tiny_split.y_train.flip(0), tiny_split.X_test, tiny_split.y_test)
    runs = train_seeds([12, 8, 3], [tiny_split, other], seeds=[0, 0], activation="tanh", epochs=2, lr=0.3,
                       batch_size=16, progress=False)
    alone = MLP([12, 8, 3], "tanh", seed=0)
    train(alone, other, epochs=2, lr=0.3, batch_size=16, progress=False)
    for a, b in zip(alone.parameters(), runs[1].model.parameters()):
        assert torch.allclose(a, b, atol=1e-5)
    with pytest.raises(ValueError, match="differ in shape"):
        stack_splits([tiny_split, Split(tiny_split.X_train[:5], tiny_split.y_train[:5], tiny_split.X_test,
                                        tiny_split.y_test)])
    with pytest.raises(ValueError, match="one order per member"):
        train(MLPEnsemble([12, 3], seeds=[0, 1]), tiny_split, epochs=1, lr=0.1, batch_seed=[1, 2, 3], progress=False)


def test_a_model_seed_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = MLP([5, 4, 2], seed=11)
    assert torch.equal(torch.rand(3), expected)
    torch.manual_seed(11)
    b = MLP([5, 4, 2])
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
