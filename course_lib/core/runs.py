"""One network per seed, trained side by side: the runs behind every claim that holds "in k of n".

Taught in :doc:`/book/02_hidden_layers` and used from chapter 2 on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from course_lib.core.data import Split
from course_lib.core.history import History
from course_lib.core.models import MLPEnsemble
from course_lib.core.train import train
from course_lib.core.validate import calling, check_int_list, fail


@dataclass
class Run:
    """One seed's result from :func:`train_seeds`: its seed, its trained model and its history."""

    seed: int
    model: nn.Module
    history: History


def stack_splits(splits: Sequence[Split]) -> Split:
    """One Split with ``X_*`` (M, n, ...) and ``y_*`` (M, n) from M Splits of the same sizes, one per member."""
    if isinstance(splits, (str, bytes, Split)) or not hasattr(splits, "__iter__"):
        fail("stack_splits", "splits", splits, "is not a list of Splits",
             "pass one course_lib.core.data.Split per member", TypeError)
    splits = list(splits)
    if not splits or any(not isinstance(s, Split) for s in splits):
        fail("stack_splits", "splits", splits, "must be a non-empty list of course_lib.core.data.Split",
             "pass one Split per member", TypeError)
    stacked = {}
    for name in ("X_train", "y_train", "X_test", "y_test", "X_val", "y_val"):
        parts = [getattr(s, name) for s in splits]
        missing = any(p is None for p in parts)
        shapes = sorted({tuple(p.shape) for p in parts if p is not None})
        if len(shapes) > 1 and not missing:
            fail("stack_splits", "splits", splits, f"differ in shape in {name} ({shapes})",
                 "draw every member's data with the same sizes")
        stacked[name] = None if missing else torch.stack(parts)
    return Split(**stacked, classes=splits[0].classes)


#: The keyword arguments of :func:`~course_lib.core.train.train` that its wrappers pass on as ``**recipe``.
TRAIN_KEYWORDS = ("epochs", "lr", "batch_size", "optimizer", "momentum", "weight_decay", "eval_every", "eval_on",
                  "keep_best", "callback", "progress")


def _check_recipe_keys(fn: str, recipe: dict, allowed: Sequence[str] = TRAIN_KEYWORDS) -> None:
    """``**recipe`` passed on to :func:`~course_lib.core.train.train`: known names only, ``epochs`` and ``lr`` given."""
    for key in recipe:
        if key not in allowed:
            fail(fn, key, recipe[key], f"is not a setting of train(); the recipe takes {', '.join(allowed)}",
                 "check the spelling", TypeError)
    for key, example in (("epochs", 10), ("lr", 0.1)):
        if key not in recipe:
            fail(fn, key, None, "is missing from the recipe", f"pass e.g. {key}={example}", TypeError)


def train_seeds(sizes: Sequence[int], data: Split | Sequence[Split], seeds: Sequence[int] = range(5), *,
                activation: str = "relu", weight_std: float | str | None = None,
                batch_seed: int | Sequence[int] = 0, **recipe) -> list[Run]:
    """Train one MLP per seed, side by side in one batched computation; one :class:`Run` per seed, in order.

    Run ``m`` is what ``train(MLP(sizes, activation, weight_std, seed=seeds[m]), data, ...)`` gives, to rounding.

    Args:
        data: one Split for every seed, or a list of Splits (one data draw per seed, same sizes).
        batch_seed: one int (every run sees the same batches) or one seed per run.
        **recipe: the keyword arguments of :func:`~course_lib.core.train.train` (``epochs``, ``lr``, ...).
    """
    fn = "train_seeds"
    seeds = check_int_list(fn, "seeds", seeds, low=0, min_len=1, fix="pass one seed per run, e.g. seeds=range(5)")
    _check_recipe_keys(fn, recipe)
    with calling(fn):
        if not isinstance(data, Split):
            if isinstance(data, (str, bytes)) or not hasattr(data, "__iter__"):
                fail(fn, "data", data, "is neither a Split nor a list of Splits", "pass e.g. cl.load_mnist()",
                     TypeError)
            data = stack_splits(data)
            if len(data.X_train) != len(seeds):
                fail(fn, "data", data, f"holds {len(data.X_train)} data draws for {len(seeds)} seeds",
                     "pass one per seed")
        ensemble = MLPEnsemble(sizes, activation, seeds=seeds, weight_std=weight_std)
        history = train(ensemble, data, batch_seed=batch_seed, **recipe)
    return [Run(seed, ensemble.member(m), history.member(m)) for m, seed in enumerate(seeds)]
