"""Bottleneck networks: what a narrow layer keeps, and how hard it is to read out again.

Introduced in chapter 5 (``book/05_bottleneck.ipynb``), which follows chapter 4 of the thesis
of Chen (2017) and the plane-folding notes of Canziani and LeCun's course (Xiao et al. 2020):

* :func:`bottleneck_sizes`, :func:`pad_ensemble`, :func:`unpad_member`: train networks of
  *different* widths side by side in one :class:`~course_lib.models.MLPEnsemble`, exactly;
* :func:`count_dead_units`, :func:`count_crossings`: ReLU units that never fire; whether a 2-D layer's
  class means form a self-avoiding curve;
* :func:`least_squares_readout`, :func:`readout_succeeds`, :func:`sample_points`,
  :func:`random_embedding_probability`: the thesis's Moore-Penrose readout from a few points
  in a low-dimensional layer to one-hot outputs, and how often it can work for random points;
* :func:`fold_steps`, :func:`plane_folding_figure`: a network with 2-unit layers drawn as a
  sequence of maps of the plane.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .models import MLP, MLPEnsemble
from .validate import (calling, check_array, check_bool, check_choice, check_int, check_int_list, check_labels,
                       check_number, check_seed, check_type, fail)

__all__ = ["bottleneck_sizes", "pad_ensemble", "unpad_member", "count_dead_units", "count_crossings",
           "least_squares_readout", "readout_succeeds", "sample_points", "Estimate", "random_embedding_probability",
           "fold_steps", "plane_folding_figure"]


def bottleneck_sizes(p: int, depth: str = "shallow", n_in: int = 100, n_out: int = 60, outer: int = 25) -> list[int]:
    """Layer sizes of the thesis's bottleneck networks: ``100-p-60`` ("shallow") or ``100-25-p-25-60`` ("deep").

    Introduced in chapter 5.

    Args:
        p: width of the bottleneck layer; depth: ``"shallow"`` or ``"deep"``.
        n_in, n_out: input and output sizes; outer: width of the layers around a deep bottleneck.

    Returns:
        list[int]: sizes from input to output, as :class:`~course_lib.models.MLP` takes them.
    """
    fn = "bottleneck_sizes"
    check_int(fn, "p", p, 1, fix="the width of the bottleneck, e.g. p=2")
    check_choice(fn, "depth", depth, ("shallow", "deep"))
    for name, value in (("n_in", n_in), ("n_out", n_out), ("outer", outer)):
        check_int(fn, name, value, 1, fix=f"a layer size, e.g. {name}=25")
    if depth == "shallow":
        return [n_in, int(p), n_out]
    if depth == "deep":
        return [n_in, outer, int(p), outer, n_out]
    raise ValueError(f"bottleneck_sizes: depth={depth!r} is unknown; use 'shallow' or 'deep'.")


def pad_ensemble(sizes_list: Sequence[Sequence[int]], seeds: Sequence[int], activation: str = "relu",
                 weight_std: float | str | None = None) -> MLPEnsemble:
    """One :class:`~course_lib.models.MLPEnsemble` that trains MLPs of *different* hidden widths side by side.

    Introduced in chapter 5, where it trains the nine bottleneck widths of one depth at once.

    Member ``m`` is ``MLP(sizes_list[m], seed=seeds[m])``, padded
    with zeros to the largest width of every layer. A padded unit has zero weights in and out and
    zero bias, so its activation is 0 and every gradient that reaches its weights is exactly 0:
    plain SGD, momentum and Adam (without weight decay) never move it. Each member therefore
    trains exactly as its small network would alone (up to float rounding). Needs an activation
    with f(0) = 0 (relu, tanh, identity).

    Args:
        sizes_list: one list of layer sizes per member, all of the same length, with the same
            input and output sizes, e.g. ``[[100, p, 60] for p in range(2, 11)]``.
        seeds: one initialisation seed per member.
        activation, weight_std: as for :class:`~course_lib.models.MLP`.

    Returns:
        MLPEnsemble whose ``sizes`` are the largest widths; ``ensemble.member_sizes`` keeps
        ``sizes_list``. Shapes: input (n, n_in) -> logits (n_models, n, n_out).
    """
    fn = "pad_ensemble"
    if isinstance(sizes_list, (str, bytes)) or not hasattr(sizes_list, "__iter__"):
        fail(fn, "sizes_list", sizes_list, "is not a list of size lists", "pass e.g. [[100, p, 60] for p in range(2, 11)]",
             TypeError)
    sizes_list = [check_int_list(fn, "sizes_list", s, low=1, min_len=2, fix="every size list holds positive "
                                 "layer sizes, e.g. [100, 2, 60]") for s in sizes_list]
    seeds = check_int_list(fn, "seeds", seeds, low=0, fix="one non-negative seed per member")
    if len(sizes_list) == 0 or len(sizes_list) != len(list(seeds)):
        fail(fn, "seeds", seeds, f"has {len(list(seeds))} seeds for {len(sizes_list)} size lists",
             "pass one seed per member, e.g. seeds=[0] * len(sizes_list)")
    first = sizes_list[0]
    if any(len(s) != len(first) or s[0] != first[0] or s[-1] != first[-1] for s in sizes_list):
        fail(fn, "sizes_list", sizes_list, "must all have the same number of layers and the same input and output "
             "sizes", "only hidden widths may differ")
    if activation not in ("relu", "tanh", "identity"):
        fail(fn, "activation", activation, "has f(0) != 0 or is unknown, so padded units would not stay silent",
             "use 'relu', 'tanh' or 'identity'")
    big = [int(max(col)) for col in zip(*sizes_list)]
    with calling(fn):
        ensemble = MLPEnsemble(big, activation, seeds=list(seeds), weight_std=weight_std)
    params = dict(ensemble.named_parameters())
    with torch.no_grad():
        for m, (sizes, seed) in enumerate(zip(sizes_list, seeds)):
            small = MLP(sizes, activation, weight_std, seed=int(seed))
            for name, p in small.named_parameters():
                params[name][m].zero_()
                params[name][(m,) + tuple(slice(0, d) for d in p.shape)] = p
    ensemble.member_sizes = sizes_list
    return ensemble


def unpad_member(ensemble: MLPEnsemble, m: int) -> MLP:
    """Take member ``m`` out of a :func:`pad_ensemble` as a plain MLP of its own sizes (a copy; chapter 5).

    Args:
        ensemble: built by :func:`pad_ensemble`; m: the member's index.

    Returns:
        MLP with sizes ``ensemble.member_sizes[m]``.
    """
    fn = "unpad_member"
    check_type(fn, "ensemble", ensemble, MLPEnsemble, "an MLPEnsemble built by pad_ensemble")
    sizes_list = getattr(ensemble, "member_sizes", None)
    if sizes_list is None:
        fail(fn, "ensemble", type(ensemble).__name__, "was not built by pad_ensemble", "use ensemble.member(m)")
    m = check_int(fn, "m", m, 0, len(sizes_list) - 1, fix=f"m is out of range; the ensemble has {len(sizes_list)} members")
    padded = ensemble.member(m)
    small = MLP(sizes_list[m], ensemble.activation, seed=ensemble.seeds[m])   # weights overwritten below
    big = dict(padded.named_parameters())
    with torch.no_grad():
        for name, p in small.named_parameters():
            p.copy_(big[name][tuple(slice(0, d) for d in p.shape)])
    return small


def count_dead_units(acts: np.ndarray, tol: float = 0.0) -> int | np.ndarray:
    """Count units that are never active (activation <= ``tol`` on every sample): dead ReLUs (chapter 5).

    Args:
        acts: activations of shape (n, units), or (n_models, n, units) for an ensemble.
        tol: largest activation still counted as "off".

    Returns:
        int, or an int array of shape (n_models,).
    """
    fn = "count_dead_units"
    check_array(fn, "acts", acts, ndim=(2, 3), fix="expected (n, units) or (n_models, n, units) with n > 0")
    check_number(fn, "tol", tol, fix="the largest activation still counted as off, e.g. tol=0.0")
    acts = np.asarray(acts)
    if acts.shape[-2] == 0:
        fail(fn, "acts", acts, "has no samples", "expected (n, units) or (n_models, n, units) with n > 0")
    dead = (acts <= tol).all(axis=-2).sum(axis=-1)
    return int(dead) if acts.ndim == 2 else dead.astype(int)


def count_crossings(curve: np.ndarray) -> int:
    """Count the proper crossings of a polyline with itself; 0 means the curve is self-avoiding (chapter 5).

    Args:
        curve: points of shape (n, 2), joined in order (e.g. the class means of a 2-D layer).

    Returns:
        int: pairs of non-neighbouring segments that cross at a single interior point.
    """
    check_array("count_crossings", "curve", curve, shape=(None, 2), fix="expected points (n, 2)")
    P = np.asarray(curve, dtype=np.float64)
    a, b = P[:-1], P[1:]                                   # segment i runs from a[i] to b[i]

    def side(p, q, r):                                     # sign of the turn p -> q -> r, all pairs (i, j)
        return np.sign((q[:, None, 0] - p[:, None, 0]) * (r[None, :, 1] - p[:, None, 1])
                       - (q[:, None, 1] - p[:, None, 1]) * (r[None, :, 0] - p[:, None, 0]))

    split = side(a, b, a) * side(a, b, b) < 0             # [i, j]: segment j's ends lie on both sides of line i
    cross = split & split.T
    i, j = np.triu_indices(len(a), k=2)                     # skip each segment and its neighbour
    return int(cross[i, j].sum())


def least_squares_readout(V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The affine map that sends ``n`` points of a p-dim layer closest to the ``n`` one-hot vectors (chapter 5).

    Solves ``[V 1] (W b)^T = I_n`` in the least-squares sense with the Moore-Penrose inverse
    (the thesis's eq. 4.1). Because the column of ones is included, its scores equal those of
    the thesis's centred construction ``F^+(x - m)`` plus the constant ``1/n``, so both pick
    the same class.

    Args:
        V: points of shape (n, p), one per class (e.g. class means of a bottleneck layer).

    Returns:
        tuple ``(W, b)``: W of shape (n, p) and b of shape (n,); the scores of x are ``W @ x + b``.
    """
    check_array("least_squares_readout", "V", V, ndim=2, min_rows=2, fix="expected (n, p) with at least 2 points")
    V = np.asarray(V, dtype=np.float64)
    A = np.hstack([V, np.ones((len(V), 1))])
    coef = np.linalg.pinv(A) @ np.eye(len(V))        # (p + 1, n): the columns are (w_k, b_k)
    return coef[:-1].T, coef[-1]


def readout_succeeds(V: np.ndarray, affine: bool = True) -> np.ndarray | bool:
    """Does the least-squares readout of :func:`least_squares_readout` classify all n points correctly? (chapter 5)

    For point k the readout's scores are column k of the hat matrix ``A A^+`` (the thesis's
    eq. 4.2); it succeeds when every column has its largest entry on the diagonal. With
    ``affine=False`` the readout is purely linear, ``V V^+`` (the thesis's literal procedure).

    Args:
        V: points of shape (n, p), or a batch (trials, n, p).
        affine: include the bias (centre the points) or not.

    Returns:
        bool, or a bool array of shape (trials,).
    """
    fn = "readout_succeeds"
    check_array(fn, "V", V, ndim=(2, 3), fix="expected (n, p) or (trials, n, p) with n >= 2")
    affine = check_bool(fn, "affine", affine)
    V = np.asarray(V, dtype=np.float64)
    if V.shape[-2] < 2:
        fail(fn, "V", V, f"has shape {V.shape}; expected (n, p) or (trials, n, p) with n >= 2", "")
    batch = V if V.ndim == 3 else V[None]
    if affine:                                       # centre each set (einsum: the fast mean here)
        batch = batch - np.einsum("tnp->tp", batch)[:, None, :] / batch.shape[1]
    G = np.swapaxes(batch, -1, -2) @ batch
    try:
        G_inv = np.linalg.inv(G)                     # fast path: the points span the layer
    except np.linalg.LinAlgError:
        G_inv = np.linalg.pinv(G)                    # degenerate sets (e.g. a dead unit's zero column)
    Z = batch @ G_inv                                # score of class j for point k: C[j] . Z[k]
    alive = np.arange(len(batch))                    # sets whose points 0..k-1 were all right
    for k in range(batch.shape[1]):                  # one point at a time: most sets fail early
        scores = np.einsum("tjp,tp->tj", batch[alive], Z[alive, k])
        alive = alive[scores.argmax(axis=1) == k]
    ok = np.zeros(len(batch), dtype=bool)
    ok[alive] = True
    return bool(ok[0]) if V.ndim == 2 else ok


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
        from scipy.stats import beta
        if self.successes >= self.trials:
            return 1.0
        return float(beta.ppf(confidence, self.successes + 1, self.trials - self.successes))


def random_embedding_probability(p: int, n: int, trials: int = 10000, min_distance: float = 0.0, affine: bool = True,
                                 seed: int = 0, chunk: int = 50000) -> Estimate:
    """How often can n random points in p dimensions all be read out correctly? (chapter 5; thesis section 4.3.4)

    Draws ``trials`` sets with :func:`sample_points` and counts the sets for which
    :func:`readout_succeeds`.

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
        model: an :class:`~course_lib.models.MLP` (any widths; chapter 5 uses 2-unit layers).
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
            steps as the points (drawn thin and grey).
        size: width and height in pixels.

    Returns:
        plotly.graph_objects.Figure with equal axis scales; the axes mark where ReLU pins points.
    """
    import plotly.graph_objects as go

    from .plots import class_color

    fn = "plane_folding_figure"
    check_array(fn, "points", points, shape=(None, 2), fix="only 2-unit layers can be drawn as a plane: (n, 2)")
    check_labels(fn, "y", y, n=len(points))
    check_int(fn, "size", size, 1, fix="pixels, e.g. size=420")
    if lines is not None:
        check_array(fn, "lines", lines, ndim=3, fix="polylines of shape (n_lines, k, 2)")
        if np.shape(lines)[-1] != 2:
            fail(fn, "lines", lines, "does not hold 2-D points", "polylines of shape (n_lines, k, 2)")
    if class_names is not None:
        from .plots import _check_class_names
        _check_class_names(fn, class_names, np.asarray(y))
    points, y = np.asarray(points), np.asarray(y)
    fig = go.Figure()
    if lines is not None:
        lines = np.asarray(lines)
        sep = np.full((len(lines), 1, 2), np.nan)
        flat = np.concatenate([lines, sep], axis=1).reshape(-1, 2)
        fig.add_trace(go.Scatter(x=np.round(flat[:, 0], 3), y=np.round(flat[:, 1], 3), mode="lines",
                                 line={"color": "rgba(120,120,120,0.45)", "width": 1}, hoverinfo="skip",
                                 name="grid of the input plane"))
    for c in np.unique(y):
        sel = y == c
        name = class_names[int(c)] if class_names is not None else f"class {int(c)}"
        fig.add_trace(go.Scatter(x=np.round(points[sel, 0], 3), y=np.round(points[sel, 1], 3), mode="markers",
                                 marker={"size": 5, "color": class_color(int(c))}, name=name))
    fig.update_layout(title_text=title, width=size + 140, height=size, margin={"l": 40, "r": 20, "t": 50, "b": 40})
    fig.update_yaxes(scaleanchor="x", scaleratio=1, zeroline=True, zerolinecolor="black")
    fig.update_xaxes(zeroline=True, zerolinecolor="black")
    return fig
