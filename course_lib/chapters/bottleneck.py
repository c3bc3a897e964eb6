"""Bottleneck networks: what a narrow layer keeps, and how hard it is to read out again.

Introduced in chapter 5 (:doc:`/book/05_bottleneck`; the width sweep, the dead units and the readouts
are on :doc:`/book/05_bottleneck_further`), after chapter 4 of Chen (2017).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from course_lib.core.models import MLP, MLPEnsemble
from course_lib.core.validate import (
    calling,
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_int_list,
    check_mapping,
    check_number,
    check_type,
    fail,
)


def bottleneck_sizes(p: int, depth: str = "shallow", n_in: int = 100, n_out: int = 60, outer: int = 25) -> list[int]:
    """Layer sizes of the thesis's bottleneck networks: ``100-p-60`` ("shallow") or ``100-25-p-25-60`` ("deep").

    Args:
        p: width of the bottleneck layer; depth: ``"shallow"`` or ``"deep"``.
        n_in, n_out: input and output sizes; outer: width of the layers around a deep bottleneck.
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
    """One :class:`~course_lib.core.models.MLPEnsemble` that trains MLPs of *different* hidden widths side by side.

    Member ``m`` is ``MLP(sizes_list[m], seed=seeds[m])`` padded with zeros to the largest width of every
    layer; it trains as it would alone (SGD, momentum or Adam without weight decay; f(0) = 0 activations).

    Args:
        sizes_list: one list of layer sizes per member, all of the same length, with the same
            input and output sizes, e.g. ``[[100, p, 60] for p in range(2, 11)]``.
        seeds: one seed per member; activation, weight_std: as for :class:`~course_lib.core.models.MLP`.

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
    """Member ``m`` of a :func:`pad_ensemble` as a plain MLP (a copy) of sizes ``ensemble.member_sizes[m]``."""
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


def load_net(weights, key: str, sizes: Sequence[int]) -> MLP:
    """Rebuild a saved network: an ``MLP(sizes)`` with the weights stored under ``key`` (chapter 5).

    Args:
        weights: a ``weights.npz`` as ``cl.load_results`` reads it: one array per parameter, named
            ``f"{key}/{name}"`` with ``name`` as in ``MLP(sizes).state_dict()``
            (``"p2_seed0/layers.0.weight"``: shape (sizes[1], sizes[0])).
        key: the run, e.g. ``"p2_seed0"`` (width 2, seed 0); sizes: its layer sizes, e.g. ``bottleneck_sizes(2)``.

    Returns:
        MLP: input (n, sizes[0]) -> logits (n, sizes[-1]); its throw-away initial weights use the global generator.
    """
    fn = "load_net"
    check_mapping(fn, "weights", weights, "pass e.g. cl.load_results('ch5_bottleneck_shallow/weights.npz')")
    if not isinstance(key, str) or not key:
        fail(fn, "key", key, "is not a non-empty string", 'the run\'s prefix in weights, e.g. key="p2_seed0"', TypeError)
    with calling(fn):
        net = MLP(sizes)
    state = {}
    for name, p in net.state_dict().items():
        saved = f"{key}/{name}"
        if saved not in weights:
            fail(fn, "key", key, f"has no array {saved} in weights (it holds e.g. {sorted(weights)[:2]})",
                 "pass the key and sizes of a saved run")
        check_array(fn, f"weights[{saved!r}]", weights[saved], shape=tuple(p.shape),
                    fix=f"pass the sizes the run was trained with (sizes={net.sizes} here)")
        state[name] = torch.from_numpy(np.asarray(weights[saved]))
    net.load_state_dict(state)
    return net


def count_dead_units(acts: np.ndarray, tol: float = 0.0) -> int | np.ndarray:
    """Count units that are never active (activation <= ``tol`` on every sample): dead ReLUs (chapter 5).

    Args:
        acts: activations (n, units) -> int, or (n_models, n, units) for an ensemble -> int array (n_models,).
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
    """Count pairs of non-neighbouring segments of a polyline that cross at one interior point; 0: self-avoiding.

    Args:
        curve: points of shape (n, 2), joined in order (e.g. the class means of a 2-D layer).
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

    Solves ``[V 1] (W b)^T = I_n`` in the least-squares sense with the Moore-Penrose inverse (eq. 4.1).

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

    Yes when every column of the hat matrix ``A A^+`` (eq. 4.2) has its largest entry on the diagonal.

    Args:
        V: points (n, p) -> bool, or a batch (trials, n, p) -> bool array (trials,).
        affine: include the bias (centre the points); ``False``: the purely linear ``V V^+``.
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
