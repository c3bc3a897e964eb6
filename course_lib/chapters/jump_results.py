"""The fully trained networks of the jump task, beside the thesis's numbers (Chen 2017, Tables 3.1-3.4).

Read by :doc:`/book/04_edges`, :doc:`/book/04b_convolution` and their companion pages. ``make ch4-results``
(``scripts/ch4_jump_models.py``) trains every row of the thesis's tables with the full recipe, once per seed
in ``SEEDS``: run ``s`` trains on ``load_jump_task(data_seed=s)`` and is tested on that draw's test signals.
:func:`load_runs` reads the rows back; the rest summarises them the way the pages quote them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from course_lib.chapters.conv import CNN
from course_lib.chapters.jump import detect_jumps, labels_to_positions, load_jump_task, load_member, position_errors, results_file
from course_lib.core.evaluate import predict
from course_lib.core.models import MLP
from course_lib.core.validate import calling, check_array, check_choice, check_mapping, check_seed, check_type, fail
from course_lib.course.results import load

#: The thesis's four error measures, in the order of its tables (keys of :func:`~course_lib.chapters.jump.position_errors`).
MEASURES = ["L1", "L2", "L1_99", "L2_99"]
MLP_ROWS = ["1-layer NN", "2-layer MLP", "3-layer MLP", "4-layer MLP"]
CNN_ROWS = ["1-conv-layer CNN (7)", "1-conv-layer CNN (5)", "1-conv-layer CNN (3)", "2-conv-layer CNN (5, 9)",
            "3-conv-layer CNN (5, 7, 9)"]
#: The two CNNs with no activation at all (not in the thesis).
LINEAR_ROWS = ["1-conv-layer CNN (7), linear", "2-conv-layer CNN (5, 9), linear"]
#: For each row, (L1, L2, L1 and L2 of the best 99 %) in the thesis's Tables 3.1, 3.3 and 3.4, or None where the thesis has no such row.
THESIS: dict[str, tuple[float, float, float, float] | None] = {
    "signal processing": (0.5532, 1.4946, 0.4917, 0.7443),
    "1-layer NN": (0.3065, 0.8043, 0.2606, 0.6304), "2-layer MLP": (0.3083, 0.7722, 0.2675, 0.6222),
    "3-layer MLP": (0.3583, 0.8132, 0.3169, 0.6667), "4-layer MLP": (0.3913, 0.8428, 0.3531, 0.7075),
    "1-conv-layer CNN (7)": (0.3248, 0.7862, 0.2854, 0.6452), "1-conv-layer CNN (5)": None,
    "1-conv-layer CNN (3)": None, "2-conv-layer CNN (5, 9)": (0.3213, 0.7592, 0.2839, 0.6309),
    "3-conv-layer CNN (5, 7, 9)": (0.3458, 0.7946, 0.3089, 0.6721),
    "1-conv-layer CNN (7), linear": None, "2-conv-layer CNN (5, 9), linear": None,
}
#: For each row, the short tag of its glued numbers (``ch4_full_one_L1``, ``ch4b_full_k59_L1``, ...).
TAGS = dict(zip(MLP_ROWS + CNN_ROWS + LINEAR_ROWS,
                ["one", "two", "three", "four", "k7", "k5", "k3", "k59", "k579", "k7lin", "k59lin"]))
#: The cross-entropy of a uniform guess over the 60 positions, where an untrained network starts.
CHANCE_LOSS = float(np.log(60))


@dataclass
class SavedRuns:
    """Rows of the full-recipe results, as :func:`load_runs` returns them.

    Attributes:
        reports: row -> its ``report.json`` (``sizes``, ``recipe``, ``seeds``: per run its errors and kept epoch).
        weights: row -> its ``weights.npz``: per parameter an array (runs, ...); the curves ``train_loss``,
            ``val_loss``, ``train_error``, ``val_error`` of shape (epochs + 1, runs).
        seeds: the runs' seeds, the same for every row.
        member: the index of the run whose seed is the page's (the run trained on the page's data draw).
    """

    reports: dict[str, dict]
    weights: dict[str, dict]
    seeds: list[int]
    member: int

    def model(self, name: str, seed_index: int | None = None) -> nn.Module:
        """Run ``seed_index`` (default :attr:`member`) of row ``name`` as a plain ``cl.MLP`` or ``conv.CNN``.

        Returns:
            nn.Module: the network; it maps signals (n, 100) to logits (n, 60).
        """
        check_choice("SavedRuns.model", "name", name, list(self.reports), "a row that load_runs read")
        report = self.reports[name]
        index = self.member if seed_index is None else seed_index
        net = MLP(report["sizes"]) if report["kind"] == "mlp" else CNN(report["sizes"], activation=report["activation"])
        with calling("SavedRuns.model"):
            return load_member(net, self.weights[name], index)


def load_runs(names: Sequence[str], seed: int) -> SavedRuns:
    """Read rows of ``book/results/ch4_jump_models/`` and find the run of a page's seed.

    Args:
        names: the rows, e.g. ``MLP_ROWS``.
        seed: the page's ``SEED``; it must be one of the runs' seeds.

    Returns:
        SavedRuns: every row's report and weights, the seeds and the index of ``seed`` among them.
    """
    fn = "load_runs"
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        fail(fn, "names", names, "is not a non-empty list of rows", "e.g. load_runs(MLP_ROWS, seed=0)", TypeError)
    for name in names:
        check_choice(fn, "names", name, list(TAGS), "rows of scripts/ch4_jump_models.py")
    seed = check_seed(fn, "seed", seed)
    reports = {name: load(results_file(name, "report.json")) for name in names}
    weights = {name: load(results_file(name, "weights.npz")) for name in names}
    seeds = list(reports[names[0]]["recipe"]["seeds"])
    if not all(r["recipe"]["seeds"] == seeds and len(r["seeds"]) == len(seeds) for r in reports.values()):
        raise ValueError("load_runs: the rows of book/results/ch4_jump_models/ hold different seeds: rerun `make ch4-results`")
    if seed not in seeds:
        fail(fn, "seed", seed, f"is not among the seeds {seeds} of the full-recipe results",
             "rerun `make ch4-results` with this seed in scripts/ch4_jump_models.py's SEEDS")
    return SavedRuns(reports, weights, seeds, seeds.index(seed))


def model_errors(model: nn.Module, X: torch.Tensor, true_positions) -> dict[str, float]:
    """The thesis's error measures of a network's answers: the position of its largest logit.

    Args:
        model: a classifier of the jump task, (n, 100) -> (n, 60) logits; X: signals (n, 100);
        true_positions: the jump positions 21..80, shape (n,).

    Returns:
        dict: as :func:`~course_lib.chapters.jump.position_errors` (``L1``, ``L2``, ``L1_99``, ``L2_99``, ``max``).
    """
    check_type("model_errors", "model", model, nn.Module, "a torch nn.Module", "pass a network, e.g. runs.model(name)")
    check_array("model_errors", "X", X, ndim=2, min_rows=1, tensor=True, fix="pass signals of shape (n, 100)")
    with calling("model_errors"):
        return position_errors(labels_to_positions(predict(model, X).argmax(-1)), true_positions)


def detector_errors(seeds: Sequence[int], sigma: float = 1.0) -> list[dict[str, float]]:
    """The signal-processing detector on the test signals of each run: ``load_jump_task(data_seed=s).X_test``.

    Args:
        seeds: the runs' seeds; sigma: the noise level.

    Returns:
        list: one dict of errors (as :func:`~course_lib.chapters.jump.position_errors`) per seed.
    """
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        fail("detector_errors", "seeds", seeds, "is not a non-empty list of seeds", "e.g. runs.seeds", TypeError)
    errors = []
    for s in seeds:
        with calling("detector_errors"):    # only the test set is used: the other two are drawn as small as they go
            test = load_jump_task(sigma, n_train=60, n_val=60, data_seed=check_seed("detector_errors", "seeds", s))
        errors.append(position_errors(detect_jumps(test.X_test), labels_to_positions(test.y_test)))
    return errors


def trained_runs(runs: SavedRuns, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Which runs trained: their best validation loss fell below 3/4 of :data:`CHANCE_LOSS` (ln 60).

    Returns:
        row -> bool array (runs,); a run that never left its start keeps a loss near ln 60.
    """
    check_type("trained_runs", "runs", runs, SavedRuns, "the SavedRuns of load_runs")
    for name in names:
        check_choice("trained_runs", "names", name, list(runs.weights), "rows that load_runs read")
    return {name: runs.weights[name]["val_loss"].min(0) < 0.75 * CHANCE_LOSS for name in names}


def summarize(runs: SavedRuns, trained: dict[str, np.ndarray], keys: Sequence[str] = (*MEASURES, "best_epoch", "max")
              ) -> dict[str, dict[str, dict[str, float]]]:
    """Mean and standard deviation (ddof 1; 0 for a single run) over the runs of each row that trained.

    Args:
        runs: from :func:`load_runs`; trained: row -> bool (runs,), from :func:`trained_runs` (its rows are summarised);
        keys: entries of the reports' per-run records.

    Returns:
        row -> key -> ``{"mean": float, "sd": float}``.
    """
    check_type("summarize", "runs", runs, SavedRuns, "the SavedRuns of load_runs")
    check_mapping("summarize", "trained", trained, "pass trained_runs(runs, names)")
    out = {}
    for name, ok in trained.items():
        records = runs.reports[name]["seeds"]
        if len(ok) != len(records) or not np.any(ok):
            fail("summarize", "trained", {name: ok}, f"must hold one bool per run ({len(records)}), some True",
                 "pass trained_runs(runs, names)")
        out[name] = {}
        for key in keys:
            v = np.array([s[key] for s, keep in zip(records, ok) if keep], dtype=float)
            out[name][key] = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0}
    return out


def detector_means(detector: Sequence[dict[str, float]], trained: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """The detector's mean errors over the test signals of the runs of each row that trained (the row's control).

    Args:
        detector: per run, its errors (from :func:`detector_errors`); trained: row -> bool (runs,), from :func:`trained_runs`.

    Returns:
        row -> measure (:data:`MEASURES`) -> mean over the runs that trained.
    """
    check_mapping("detector_means", "trained", trained, "pass trained_runs(runs, names)")
    for name, ok in trained.items():
        if len(ok) != len(detector) or not np.any(ok):
            fail("detector_means", "trained", {name: ok}, f"must hold one bool per run ({len(detector)}), some True",
                 "pass trained_runs(runs, names) and detector_errors(runs.seeds)")
    return {name: {m: float(np.mean([b[m] for b, keep in zip(detector, ok) if keep])) for m in MEASURES}
            for name, ok in trained.items()}


def summary_numbers(summary: dict[str, dict[str, dict[str, float]]], keys: Sequence[str] = (*MEASURES, "best_epoch")
                    ) -> dict[str, float]:
    """A summary's numbers by the names the pages glue them under: ``full_<tag>_<key>`` and ``full_<tag>_<key>_sd``.

    Args:
        summary: row -> key -> ``{"mean", "sd"}`` (a report's ``summary``, or :func:`summarize`); keys: which keys.

    Returns:
        e.g. ``{"full_one_L1": 0.28, "full_one_L1_sd": 0.01, ...}`` (tags: :data:`TAGS`).
    """
    check_mapping("summary_numbers", "summary", summary, "pass row -> key -> {'mean', 'sd'}")
    for name in summary:
        check_choice("summary_numbers", "summary", name, list(TAGS), "rows of scripts/ch4_jump_models.py")
    return {f"full_{TAGS[n]}_{k}{sd}": summary[n][k][stat] for n in summary
            for k in keys for sd, stat in (("", "mean"), ("_sd", "sd"))}


def live_numbers(errors: dict[str, float], history: Any, tag: str) -> dict[str, Any]:
    """A network trained on the page, by the names the pages glue it under.

    Args:
        errors: its test errors (as :func:`model_errors`); history: what ``cl.train`` returned;
        tag: the row's tag, e.g. ``"one"`` or ``"k7"``.

    Returns:
        ``live_<tag>_<measure>`` for the four measures, ``live_<tag>_best_epoch`` and ``live_seconds``.
    """
    check_mapping("live_numbers", "errors", errors, "pass model_errors(model, X, positions)")
    check_choice("live_numbers", "tag", tag, list(TAGS.values()))
    return {**{f"live_{tag}_{m}": errors[m] for m in MEASURES},
            f"live_{tag}_best_epoch": int(history.best_epoch), "live_seconds": round(history.seconds, 1)}


def in_words(items: Sequence[Any]) -> str:
    """A list as the prose writes it: ``[0, 3, 4]`` -> ``"0, 3 and 4"``; ``[]`` -> ``"none"``."""
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        fail("in_words", "items", items, "is not a list", "e.g. in_words([0, 3, 4])", TypeError)
    words = [str(s) for s in items] or ["none"]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def thesis_ratios(detector_L1: float, summary: dict[str, dict[str, dict[str, float]]]) -> dict[str, float]:
    """Our L1 error over the thesis's, for the detector and each summarised row the thesis reports.

    Args:
        detector_L1: the detector's L1 error; summary: row -> key -> ``{"mean", "sd"}``, with key ``"L1"``.

    Returns:
        ``{"detector": ratio, row: ratio, ...}``: below 1 where ours is better.
    """
    check_mapping("thesis_ratios", "summary", summary, "pass row -> key -> {'mean', 'sd'}")
    return {"detector": detector_L1 / THESIS["signal processing"][0],
            **{name: summary[name]["L1"]["mean"] / THESIS[name][0] for name in summary if THESIS.get(name)}}
