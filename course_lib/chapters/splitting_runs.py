"""The training runs of chapter 3 that its chapter page and its companion page both make.

Taught in :doc:`/book/03_class_splitting`. Each page is its own notebook, so the companion page
(:doc:`/book/03_class_splitting_further`) recomputes what it needs; these functions hold the recipes
once: the small 784-10-10-10 networks, the wide 500-500-500 network and chapter 2's network for the
labs. What the pages compute from them is in :mod:`course_lib.chapters.splitting_summaries`, the
measures in :mod:`course_lib.chapters.splitting`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from course_lib.chapters import hidden, splitting
from course_lib.core.data import Split, load_mnist
from course_lib.core.history import History
from course_lib.core.models import MLP, MLPEnsemble
from course_lib.core.record import Recorder, Recording
from course_lib.core.train import train
from course_lib.core.validate import calling, check_bool, check_seed, check_type

#: Snapshots of the small networks are kept after these epochs (0 = before training) ...
EPOCHS = [0, 1, 3, 5, 15]
#: ... and, where asked, after these steps of epoch 1 (8 steps of 100 images make one epoch).
STEPS = [1, 2, 3, 4, 6]


def train_small(data: Split, seed: int | Sequence[int], *, batch_seed: int, activation: str = "tanh",
                momentum: float = 0.9, epochs: int = 15, at_epochs: Sequence[int] = EPOCHS,
                at_steps: Sequence[int] | None = None, eval_every: int | None = 15,
                progress: bool = False) -> tuple[History, Recording]:
    """Train the chapter's small ``n_features``-10-10-10-``k`` network and record its hidden layers (chapter 3).

    The recipe of every small network of the chapter: initial weights drawn with ``weight_std="fan_in"``,
    SGD with learning rate 0.1 and batches of 100; the activations of the three hidden layers on
    ``data.X_test`` are kept at the ends of ``at_epochs`` and after the steps ``at_steps`` of epoch 1.

    Args:
        data: the split to train on; its ``classes`` set the number of outputs k.
        seed: one seed (one :class:`~course_lib.core.models.MLP`) or a list of seeds (an
            :class:`~course_lib.core.models.MLPEnsemble` trained side by side).
        batch_seed: seed of the batch order; activation: ``"tanh"``, ``"sigmoid"`` or ``"relu"``.
        momentum: SGD momentum (0 = plain SGD); epochs: passes over the training set.
        at_epochs, at_steps: the snapshots; eval_every: test accuracy every this many epochs (None: never).
        progress: show a progress bar.

    Returns:
        tuple[History, Recording]: the history (``"test_acc"`` per evaluation, one value per seed for an
        ensemble) and the recording, whose ``activations`` map each hidden layer (``"layers.1"``,
        ``"layers.3"``, ``"layers.5"``) to (snapshots, n_test, 10), or (snapshots, seeds, n_test, 10).
    """
    fn = "train_small"
    check_type(fn, "data", data, Split, "a course_lib Split", "pass e.g. cl.load_mnist(classes=(0, 1))")
    progress = check_bool(fn, "progress", progress)
    sizes = [int(np.prod(data.X_train.shape[1:])), 10, 10, 10, len(data.classes)]
    with calling(fn):
        if isinstance(seed, (list, tuple)):
            model = MLPEnsemble(sizes, activation=activation, seeds=list(seed), weight_std="fan_in")
        else:
            model = MLP(sizes, activation=activation, weight_std="fan_in", seed=check_seed(fn, "seed", seed))
        rec = Recorder(model, probe=data.X_test, at_epochs=at_epochs, at_steps=at_steps,
                       layers=model.hidden_names(), weights=False)
        hist = train(model, data, epochs=epochs, lr=0.1, momentum=momentum, batch_size=100, batch_seed=batch_seed,
                     eval_every=eval_every, eval_on=("test",), callback=rec, progress=progress)
    return hist, rec.recording


@dataclass
class SmallNetworks:
    """The chapter's five small tanh networks on 0s and 1s, as :func:`train_five` returns them.

    Attributes:
        history: test accuracy after every epoch, one value per seed; seeds: the five weight seeds.
        steps: steps done at each snapshot (0, 1, 2, 3, 4, 6, 8, 24, 40, 120).
        acts: hidden layer name -> activations on the test images, (snapshots, seeds, n_test, 10).
        at_epoch: indices of the snapshots at the ends of :data:`EPOCHS`.
        sep: median separation score of each layer, (snapshots, seeds, layers).
    """

    history: History
    seeds: list[int]
    steps: np.ndarray
    acts: dict[str, np.ndarray]
    at_epoch: list[int]
    sep: np.ndarray

    @property
    def hidden(self) -> list[str]:
        """The hidden layers' names, ``["layers.1", "layers.3", "layers.5"]``."""
        return list(self.acts)

    def epoch_acts(self) -> dict[str, np.ndarray]:
        """Hidden layer name -> activations at the epoch ends only, (len(EPOCHS), seeds, n_test, 10)."""
        return {n: a[self.at_epoch] for n, a in self.acts.items()}


def train_five(data: Split, seed: int, progress: bool = True) -> SmallNetworks:
    """Train the chapter's five small tanh networks side by side with momentum 0.9 for 15 epochs (chapter 3).

    :func:`train_small` with the weight seeds ``5 * seed + i`` (i = 0..4), the batch order seeded with
    ``seed``, snapshots at :data:`EPOCHS` and after the :data:`STEPS` of epoch 1, test accuracy every epoch.

    Args:
        data: the split (the chapter's 0s and 1s); seed: the chapter seed; progress: progress bar.

    Returns:
        SmallNetworks: the history, the activations and their median separation scores.
    """
    seed = check_seed("train_five", "seed", seed)
    seeds = [5 * seed + i for i in range(5)]
    with calling("train_five"):
        hist, rec = train_small(data, seeds, batch_seed=seed, at_steps=STEPS, eval_every=1, progress=progress)
    acts, y = rec.activations, data.y_test.numpy()
    return SmallNetworks(hist, seeds, rec.steps, acts, [i for i, s in enumerate(rec.steps) if s % 8 == 0],
                         splitting.median_separation(acts, y))


def plain_sgd_separation(data: Split, seed: int) -> np.ndarray:
    """Control of :func:`train_five`: the same five networks and batches with plain SGD for 3 epochs (chapter 3).

    Args:
        data: the split of :func:`train_five`; seed: the chapter seed.

    Returns:
        np.ndarray: median separation score of each hidden layer after epochs 1 and 3, (2, seeds, layers).
    """
    seed = check_seed("plain_sgd_separation", "seed", seed)
    with calling("plain_sgd_separation"):
        _, rec = train_small(data, [5 * seed + i for i in range(5)], batch_seed=seed, momentum=0.0, epochs=3,
                             at_epochs=[1, 3], eval_every=None)
        return splitting.median_separation(rec.activations, data.y_test.numpy())


def train_wide(data: Split, seed: int, progress: bool = True) -> tuple[MLP, History, Recording]:
    """Train the wide 784-500-500-500-``k`` network of the flip test and keep its start and end (chapter 3).

    PyTorch's default initial weights, plain SGD, learning rate 0.1, batches of 100, 10 epochs (the
    batch order seeded with ``seed`` too); accuracy on the training and test sets after every epoch.

    Args:
        data: the split to train on; seed: seed of the weights and of the batch order; progress: progress bar.

    Returns:
        tuple[MLP, History, Recording]: the trained model, its history and the recording at epochs 0 and
        10: ``activations`` maps each hidden layer to (2, n_train, 500) on ``data.X_train``, ``weights``
        each parameter to (2, ...).
    """
    fn = "train_wide"
    check_type(fn, "data", data, Split, "a course_lib Split", "pass e.g. cl.load_mnist(classes=(0, 1))")
    seed, progress = check_seed(fn, "seed", seed), check_bool(fn, "progress", progress)
    with calling(fn):
        wide = MLP([int(np.prod(data.X_train.shape[1:])), 500, 500, 500, len(data.classes)],
                   activation="tanh", seed=seed)
        rec = Recorder(wide, probe=data.X_train, at_epochs=[0, 10], layers=wide.hidden_names())
        hist = train(wide, data, epochs=10, lr=0.1, batch_size=100, batch_seed=seed, eval_on=("train", "test"),
                     callback=rec, progress=progress)
    return wide, hist, rec.recording


def train_chapter2_network(seed: int) -> tuple[MLP, Split]:
    """Chapter 2's 784-30-10 network on all ten digits, retrained with chapter 2's recipe and seeds (chapter 3).

    Chapter 3's labs need a network of chapter 2 (:doc:`/book/02_hidden_layers`); the same data seed, weight
    seed (``5 * seed``) and batch seed give the same weights as there.

    Args:
        seed: the chapter seed.

    Returns:
        tuple[MLP, Split]: the trained network and its data (the book's sample of all ten digits).
    """
    seed = check_seed("train_chapter2_network", "seed", seed)
    recipe = hidden.RECIPES["chapter"]
    with calling("train_chapter2_network"):
        data = load_mnist(data_seed=seed)
        net = MLP([784, 30, 10], activation=recipe["activation"], weight_std=recipe["weight_std"], seed=5 * seed)
        train(net, data, epochs=recipe["epochs"], lr=recipe["lr"], batch_size=recipe["batch_size"], batch_seed=seed,
              eval_every=None, progress=False)
    return net, data
