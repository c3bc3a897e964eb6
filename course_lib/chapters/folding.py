"""Folding the plane (chapter 5): random embeddings and how a ReLU layer folds its input.

Taught in :doc:`/book/05_bottleneck` (the folded plane), after the plane-folding notes of Canziani and
LeCun's course (Xiao et al. 2020), and in :doc:`/book/05_bottleneck_further` (the random embeddings):
points sampled on a shape, the Monte Carlo probability that a random embedding keeps it separable, and
the steps and figure of a plane folded by one layer after another.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
import torch
from scipy.stats import beta
from torch import nn

from course_lib.chapters.bottleneck import readout_succeeds
from course_lib.core.models import MLP
from course_lib.core.plots import _check_class_names, class_color
from course_lib.core.validate import check_array, check_bool, check_int, check_labels, check_number, check_seed, check_type, fail


def sample_points(trials: int, n: int, p: int, min_distance: float = 0.0,
                  rng: np.random.Generator | None = None, max_draws: int = 10**8) -> np.ndarray:
    """Draw ``trials`` sets of n points uniform in [0, 1]^p, optionally at least ``min_distance`` apart (chapter 5).

    Separated sets are drawn by rejection: a set with a pair closer than ``min_distance`` is
    discarded as a whole (as soon as the pair appears), so accepted sets are uniform among the
    separated ones.

    Args:
        trials: number of sets; n: points per set; p: dimension.
        min_distance: smallest allowed distance between two points of a set (0: no constraint).
        rng: NumPy generator (default: seed 0); max_draws: give up after this many drawn sets.

    Returns:
        np.ndarray of shape (trials, n, p).
    """
    fn = "sample_points"
    for name, value in (("trials", trials), ("n", n), ("p", p), ("max_draws", max_draws)):
        check_int(fn, name, value, 1, fix=f"a positive integer, e.g. {name}=10")
    check_number(fn, "min_distance", min_distance, 0, fix="a distance >= 0 (0: no constraint)")
    if rng is not None:
        check_type(fn, "rng", rng, np.random.Generator, "a NumPy Generator", "pass np.random.default_rng(seed) or None")
    rng = np.random.default_rng(0) if rng is None else rng
    if min_distance == 0:
        return rng.random((trials, n, p))
    kept, drawn, have, rate = [], 0, 0, 1.0
    while have < trials:
        size = min(10**6, int(1.2 * (trials - have) / rate) + 100)
        sets = rng.random((size, 1, p))
        for _ in range(1, n):                        # add points one at a time, dropping sets as soon as two are close
            new = rng.random((len(sets), p))
            keep = ((sets - new[:, None, :]) ** 2).sum(-1).min(axis=1) >= min_distance ** 2
            sets = np.concatenate([sets[keep], new[keep, None, :]], axis=1)
        kept.append(sets)
        have += len(sets)
        drawn += size
        rate = max(have / drawn, 1e-3)
        if drawn > max_draws:
            raise ValueError(f"sample_points: only {have} of {drawn} draws of n={n} points in p={p} dimensions were "
                             f"{min_distance} apart; lower min_distance or n.")
    return np.concatenate(kept)[:trials]


@dataclass
class Estimate:
    """A Monte Carlo success count: ``successes`` out of ``trials`` (chapter 5).

    Attributes:
        successes, trials: the counts; ``probability`` is their ratio.
    """

    successes: int
    trials: int

    def __post_init__(self) -> None:
        check_int("Estimate", "trials", self.trials, 1, fix="the number of trials, e.g. 10000")
        check_int("Estimate", "successes", self.successes, 0, self.trials, fix=f"a count between 0 and trials={self.trials}")

    @property
    def probability(self) -> float:
        return self.successes / self.trials

    def upper(self, confidence: float = 0.95) -> float:
        """One-sided Clopper-Pearson upper bound on the true probability (e.g. when no trial succeeded)."""
        if self.successes >= self.trials:
            return 1.0
        return float(beta.ppf(confidence, self.successes + 1, self.trials - self.successes))


def random_embedding_probability(p: int, n: int, trials: int = 10000, min_distance: float = 0.0, affine: bool = True,
                                 seed: int = 0, chunk: int = 50000) -> Estimate:
    """How often can n random points in p dimensions all be read out correctly? (chapter 5; thesis section 4.3.4)

    Draws ``trials`` sets with :func:`~course_lib.chapters.folding.sample_points` and counts the sets for which
    :func:`~course_lib.chapters.bottleneck.readout_succeeds`.

    Args:
        p: dimension of the layer; n: number of points (classes), n > p.
        trials: number of random sets; min_distance: keep points at least this far apart.
        affine: the readout has a bias (True, the thesis's general construction) or not.
        seed: seed of the generator; chunk: sets evaluated at once (memory: about chunk * n^2 * 8 bytes).

    Returns:
        Estimate with ``.probability`` and ``.upper()``.
    """
    fn = "random_embedding_probability"
    check_int(fn, "n", n, 2, fix="the number of points (classes), n > p")
    check_int(fn, "p", p, 1, n - 1, fix=f"need integers 1 <= p < n, got p={p!r}, n={n!r}")
    for name, value in (("trials", trials), ("chunk", chunk)):
        check_int(fn, name, value, 1, fix=f"a positive integer, e.g. {name}=10000")
    check_number(fn, "min_distance", min_distance, 0, fix="a distance >= 0 (0: no constraint)")
    affine = check_bool(fn, "affine", affine)
    seed = check_seed(fn, "seed", seed)
    rng = np.random.default_rng(seed)
    successes, done = 0, 0
    while done < trials:
        size = min(chunk, trials - done)
        successes += int(readout_succeeds(sample_points(size, n, p, min_distance, rng), affine=affine).sum())
        done += size
    return Estimate(successes, trials)


@torch.no_grad()
def fold_steps(model: MLP, X) -> list[tuple[str, np.ndarray]]:
    """Push points through a network one operation at a time: each affine map, then each activation (chapter 5).

    Args:
        model: an :class:`~course_lib.core.models.MLP` (any widths; chapter 5 uses 2-unit layers).
        X: points of shape (n, n_in), NumPy or torch.

    Returns:
        list of ``(label, points)``: ``("input", X)``, ``("layer 1: affine map", ...)``,
        ``("layer 1: relu", ...)``, ..., ending with the output layer's affine map; each points
        array has shape (n, width of that layer).
    """
    fn = "fold_steps"
    check_type(fn, "model", model, MLP, "a course_lib MLP",
               "take one out of an ensemble with ensemble.member(m) or unpad_member(ensemble, m)")
    check_array(fn, "X", X, shape=(None, model.sizes[0]), fix=f"expected points (n, {model.sizes[0]})")
    h = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    steps, layer = [("input", h.numpy().copy())], 0
    n_linear = len(model.sizes) - 1
    for module in model.layers:
        h = module(h)
        if isinstance(module, nn.Linear):
            layer += 1
            name = "output layer" if layer == n_linear else f"layer {layer}"
            steps.append((f"{name}: affine map", h.numpy().copy()))
        else:
            steps.append((f"layer {layer}: {model.activation}", h.numpy().copy()))
    return steps


def plane_folding_figure(points: np.ndarray, y: np.ndarray, title: str = "", lines: np.ndarray | None = None,
                         class_names: Sequence[str] | None = None, size: int = 420):
    """Plotly drawing of points in the plane coloured by class, with grid lines carried along (chapter 5).

    Args:
        points: shape (n, 2); y: int labels of shape (n,).
        title: figure title; class_names: legend names (default ``"class i"``).
        lines: polylines of shape (n_lines, k, 2), e.g. a grid of the input plane mapped by the same
            steps as the points (drawn thin and grey, not in the legend).
        size: height in pixels; the width follows the page (a fixed width would overflow a phone).

    Returns:
        plotly.graph_objects.Figure with equal axis scales; the axes mark where ReLU pins points.
    """


    fn = "plane_folding_figure"
    check_array(fn, "points", points, shape=(None, 2), fix="only 2-unit layers can be drawn as a plane: (n, 2)")
    check_labels(fn, "y", y, n=len(points))
    check_int(fn, "size", size, 1, fix="pixels, e.g. size=420")
    if lines is not None:
        check_array(fn, "lines", lines, ndim=3, fix="polylines of shape (n_lines, k, 2)")
        if np.shape(lines)[-1] != 2:
            fail(fn, "lines", lines, "does not hold 2-D points", "polylines of shape (n_lines, k, 2)")
    if class_names is not None:
        _check_class_names(fn, class_names, np.asarray(y))
    points, y = np.asarray(points), np.asarray(y)
    fig = go.Figure()
    if lines is not None:
        lines = np.asarray(lines)
        sep = np.full((len(lines), 1, 2), np.nan)
        flat = np.concatenate([lines, sep], axis=1).reshape(-1, 2)
        fig.add_trace(go.Scatter(x=np.round(flat[:, 0], 3), y=np.round(flat[:, 1], 3), mode="lines",
                                 line={"color": "rgba(120,120,120,0.45)", "width": 1}, hoverinfo="skip",
                                 name="grid of the input plane", showlegend=False))
    for c in np.unique(y):
        sel = y == c
        name = class_names[int(c)] if class_names is not None else f"class {int(c)}"
        fig.add_trace(go.Scatter(x=np.round(points[sel, 0], 3), y=np.round(points[sel, 1], 3), mode="markers",
                                 marker={"size": 5, "color": class_color(int(c))}, name=name))
    # the legend (the classes; the grid is named in the caption) above the plot, so that on a phone
    # the plot keeps the full width
    fig.update_layout(title_text=title, height=size, margin={"l": 40, "r": 20, "t": 90, "b": 40},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0})
    fig.update_yaxes(scaleanchor="x", scaleratio=1, zeroline=True, zerolinecolor="black")
    fig.update_xaxes(zeroline=True, zerolinecolor="black")
    return fig
