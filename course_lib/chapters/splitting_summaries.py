"""What chapter 3's chapter page and its companion page both compute from its training runs.

Taught in :doc:`/book/03_class_splitting`. Each page is its own notebook, so the companion page
(:doc:`/book/03_class_splitting_further`) recomputes what it needs; these functions hold once the
numbers both pages glue: which layer separates first, the sign codes of the four-class networks and
the sign-flip test of a class pattern. The runs are in :mod:`course_lib.chapters.splitting_runs`,
the measures in :mod:`course_lib.chapters.splitting`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from course_lib.chapters import splitting
from course_lib.core.validate import calling, check_array, check_int, check_int_list, check_mapping, fail


def layer_race(sep: np.ndarray, steps: Sequence[int], at_steps: Sequence[int] = (1, 2, 4),
               steps_per_epoch: int = 8) -> dict[str, float]:
    """Which hidden layer separates the classes first, in the numbers the chapter glues (chapter 3).

    Args:
        sep: median separation score of each layer, (snapshots, seeds, layers), as
            :func:`~course_lib.chapters.splitting.median_separation` gives it; the first layer is next to the
            input, the last next to the output.
        steps: steps done at each snapshot, shape (snapshots,); snapshots at a multiple of ``steps_per_epoch``
            are epoch ends, and epochs 0 and 1 must be among them.
        at_steps: steps of epoch 1 at which the last layer's score is reported.

    Returns:
        dict: ``last_ahead`` and ``last_ahead<E>`` (seeds whose last layer scores above the first after epoch 1,
        and after the last epoch E), ``sep<e>_l1`` and ``sep<e>_l<L>`` (median over seeds, first and last layer,
        for e = 0, 1, E), ``sep_step<s>_l<L>`` (last layer after the steps ``at_steps``) and ``rise1`` (the
        share of the last layer's rise from epoch 0 to E that happens in epoch 1).
    """
    fn = "layer_race"
    check_array(fn, "sep", sep, ndim=3, fix="expected (snapshots, seeds, layers) from splitting.median_separation")
    steps = check_int_list(fn, "steps", steps, min_len=len(sep), fix="one step count per snapshot of sep")
    per_epoch = check_int(fn, "steps_per_epoch", steps_per_epoch, 1, fix="e.g. 8 (800 images, batches of 100)")
    at_epoch = [i for i, s in enumerate(steps) if s % per_epoch == 0]
    epochs = [steps[i] // per_epoch for i in at_epoch]
    if len(steps) != len(sep) or epochs[:2] != [0, 1]:
        fail(fn, "steps", steps, f"gives the epochs {epochs} for {len(sep)} snapshots",
             "one step count per snapshot, with snapshots before training and at the end of epoch 1")
    for s in check_int_list(fn, "at_steps", at_steps, fix="steps of epoch 1 that are snapshots, e.g. (1, 2, 4)"):
        if s not in steps:
            fail(fn, "at_steps", at_steps, f"holds {s}, not a snapshot", f"choose among {steps}")
    sep = np.asarray(sep)
    sep01, last = sep[at_epoch], sep.shape[2]
    med, med_all = np.median(sep01, axis=1), np.median(sep, axis=1)   # (epochs, layers), (snapshots, layers)
    return {"last_ahead": int((sep01[1, :, -1] > sep01[1, :, 0]).sum()),
            f"last_ahead{epochs[-1]}": int((sep01[-1, :, -1] > sep01[-1, :, 0]).sum()),
            "rise1": float((med[1, -1] - med[0, -1]) / (med[-1, -1] - med[0, -1])),
            **{f"sep{epochs[e]}_l{l + 1}": float(med[e, l]) for e in (0, 1, -1) for l in (0, last - 1)},
            **{f"sep_step{s}_l{last}": float(med_all[steps.index(s), -1]) for s in at_steps}}


def split_summary(runs: Mapping[str, Mapping], y: np.ndarray) -> tuple[dict, dict, dict]:
    """Sign codes and their numbers for networks with different activations, before and after training (chapter 3).

    Args:
        runs: activation name -> ``{"acts": {layer: (snapshots, n, units)}, "test_acc": float}``; snapshot 0
            is before training, the last one after it.
        y: labels of the n probe images, shape (n,), with k classes.

    Returns:
        tuple[dict, dict, dict]: ``codes`` and ``codes0``, activation -> the 0/1 sign codes of all
        hidden units (:func:`~course_lib.chapters.splitting.layer_codes`, (units, k)) after and before
        training; and ``numbers``, with per activation ``a``: ``splits_a`` and ``splits0_a`` (distinct
        codes, :func:`~course_lib.chapters.splitting.count_splits`), ``acc4_a`` (test accuracy) and
        ``sep4_a``, ``sep4_0_a`` (median separation score of all units, after and before).
    """
    fn = "split_summary"
    check_mapping(fn, "runs", runs, fix="pass e.g. {'tanh': {'acts': recording.activations, 'test_acc': 0.97}}")
    codes, codes0, numbers = {}, {}, {}
    for act, run in runs.items():
        if not isinstance(run, Mapping) or not {"acts", "test_acc"} <= set(run):
            fail(fn, "runs", runs, f"entry {act!r} has no 'acts' and 'test_acc'", "one dict per activation")
        with calling(fn):
            after = [a[-1] for a in run["acts"].values()]
            before = [a[0] for a in run["acts"].values()]
            codes[act], codes0[act] = splitting.layer_codes(after, y), splitting.layer_codes(before, y)
            numbers |= {f"splits_{act}": splitting.count_splits(codes[act]),
                        f"splits0_{act}": splitting.count_splits(codes0[act]),
                        f"acc4_{act}": run["test_acc"],
                        f"sep4_{act}": splitting.pooled_separation(after, y),
                        f"sep4_0_{act}": splitting.pooled_separation(before, y)}
    return codes, codes0, numbers


@dataclass
class FlipTest:
    """What :func:`flip_test` measured.

    Attributes:
        curves: class probabilities over 0..units flips in random orders, (n_orders, units + 1, C).
        targeted: P(class 0) with the strongest votes for class 0 flipped first (row 0) and last (row 1),
            (2, units + 1).
        votes: each unit's vote ``w_i h_i`` for class 0, with ``w = W[0] - W[1]``, shape (units,).
        numbers: the measures the chapter glues: ``cross`` (where the mean P(class 0) crosses 0.5),
            ``wh`` (``w @ h``), ``cross_pred`` (the linear prediction ``units / 2 * (1 + b / wh)``),
            ``p0_start``, ``p0_200`` and its prediction ``p0_200_pred``, ``align`` (cos(w, h)), ``agree``
            (share of units voting for class 0), ``top10`` (share of ``w @ h`` in the strongest 10 % of
            votes), ``k_first``, ``k_last`` (crossings of the targeted orders) and ``cross_syn`` (crossing of a
            synthetic pattern: the entries of h shuffled, each with the sign the readout prefers for class 0).
    """

    curves: np.ndarray
    targeted: np.ndarray
    votes: np.ndarray
    numbers: dict


def flip_test(h: np.ndarray, W: np.ndarray, b: np.ndarray, seed: int = 0, n_orders: int = 500,
              k: int = 200) -> FlipTest:
    """The sign-flip test of a class-0 pattern against a two-class readout (chapter 3).

    Flips the entries of ``h`` in ``n_orders`` random orders (:func:`~course_lib.chapters.splitting.flip_curves`)
    and in two targeted orders, and compares the crossing of 0.5 with the linear prediction and with a pattern
    no image produced (100 random orders). Computed in the dtype of the arguments (float32 for a network's).

    Args:
        h: the mean class-0 pattern of the last hidden layer, shape (units,).
        W, b: the output layer's weights (2, units) and bias (2,).
        seed: seed of the random orders and of the synthetic pattern's shuffle; n_orders: number of random orders.
        k: the number of flips at which P(class 0) is compared with its linear prediction (``p0_<k>``).

    Returns:
        FlipTest: the curves and the numbers (see :class:`FlipTest`).
    """
    fn = "flip_test"
    check_array(fn, "W", W, ndim=2, fix="expected the output weights (2, units)")
    if np.shape(W)[0] != 2:
        fail(fn, "W", W, f"has {np.shape(W)[0]} rows", "the flip test compares two classes: W of shape (2, units)")
    with calling(fn):
        curves = splitting.flip_curves(h, W, b, n_orders=n_orders, seed=seed)
    k = check_int(fn, "k", k, 0, len(h), fix=f"a number of flips from 0 to {len(h)}, e.g. k={len(h) // 2}")
    h, W, b = np.asarray(h), np.asarray(W), np.asarray(b)
    p0 = curves[..., 0]                                       # P(class 0): (n_orders, units + 1)
    w, b_diff = W[0] - W[1], b[0] - b[1]                      # score of class 0 minus score of class 1
    votes = w * h
    targeted = splitting.flip_curves(h, W, b, orders=np.stack([np.argsort(-votes), np.argsort(votes)]))[..., 0]
    wh = float(w @ h)                                         # how strongly the readout separates the pattern
    margin_k = wh * (1 - 2 * k / len(h)) + b_diff             # the score difference predicted after k flips
    h_syn = np.sign(w) * np.abs(np.random.default_rng(seed).permutation(h))
    numbers = {"cross": splitting.crossing(p0.mean(0)), "wh": wh,
               "cross_pred": float(len(h) / 2 * (1 + b_diff / wh)),
               "p0_start": float(p0[0, 0]), f"p0_{k}": float(p0[:, k].mean()),
               f"p0_{k}_pred": float(1 / (1 + np.exp(-margin_k))),
               "align": float(wh / (np.linalg.norm(w) * np.linalg.norm(h))),
               "agree": float((votes > 0).mean()),
               "top10": float(np.sort(votes)[::-1][:len(votes) // 10].sum() / votes.sum()),
               "k_first": splitting.crossing(targeted[0]), "k_last": splitting.crossing(targeted[1]),
               "cross_syn": splitting.crossing(splitting.flip_curves(
                   h_syn, W, b, n_orders=100, seed=seed)[..., 0].mean(0))}
    return FlipTest(curves, targeted, votes, numbers)
