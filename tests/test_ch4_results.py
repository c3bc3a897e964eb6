"""Chapter 4's full-recipe results, checked against the saved weights and one row re-run from scratch.

The files in ``book/results/ch4_jump_models/`` are written by ``scripts/ch4_jump_models.py``
(``make ch4-results``); the chapter's two notebooks read them.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from results_scripts import load_script

import course_lib as cl

#: The row the slow test re-runs: the one whose validation loss bottoms out soonest.
RERUN_ROW = "2-layer MLP"


@pytest.fixture(scope="module")
def script():
    return load_script("ch4_jump_models")


@pytest.fixture(scope="module")
def rows(script) -> dict:
    """name -> (report, arrays) of every row of the script, the checkout's copies (tests never download)."""
    return {name: (cl.load_results(f"ch4_jump_models/{script.slug(name)}/report.json"),
                   cl.load_results(f"ch4_jump_models/{script.slug(name)}/weights.npz")) for name in script.ROWS}


def test_every_row_records_command_recipe_time_and_machine(script, rows):
    for name, (report, _) in rows.items():
        assert report["row"] == name and "ch4_jump_models.py" in report["command"]
        recipe = report["recipe"]
        assert (recipe["optimizer"], recipe["lr"], recipe["batch_size"], recipe["momentum"]) == ("sgd", 0.01, 100, 0.0)
        assert recipe["seeds"] == list(script.SEEDS) and report["seconds"] > 0
        assert report["machine"]["torch_threads"] >= 1 and report["machine"]["torch"]
        assert report["sizes"] == script.ROWS[name][1]


def test_kept_epoch_is_the_validation_minimum_and_not_the_last(rows):
    for name, (report, arrays) in rows.items():
        curves = arrays["val_loss"]
        assert curves.shape == (report["epochs_run"] + 1, len(report["seeds"])), name
        for curve in ("train_loss", "train_error", "val_error"):
            assert arrays[curve].shape == curves.shape, (name, curve)
        for m, seed in enumerate(report["seeds"]):
            assert seed["best_epoch"] == int(np.argmin(curves[:, m])), (name, m)
            assert seed["best_epoch"] <= report["epochs_run"] - report["recipe"]["patience"], (name, m)
        assert report["epochs_run"] < report["recipe"]["max_epochs"], name


def test_saved_weights_reproduce_the_recorded_errors(script, rows):
    import course_lib as cl
    from course_lib.chapters import jump

    seeds = [s["seed"] for s in next(iter(rows.values()))[0]["seeds"]]
    data = script.draws(seeds)                                  # seed s was tested on its own draw
    for name, (report, arrays) in rows.items():
        assert [s["seed"] for s in report["seeds"]] == seeds, name
        model = script.build(name, seeds)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items() if not k.endswith(("_loss", "_error"))})
        logits = cl.predict(model, data.X_test)
        for m, seed in enumerate(report["seeds"]):
            truth = jump.labels_to_positions(data.y_test[m])
            errors = jump.position_errors(jump.labels_to_positions(logits[m].argmax(-1)), truth)
            for key in ("L1", "L2", "L1_99", "L2_99", "max"):
                assert errors[key] == pytest.approx(seed[key], abs=1e-4), (name, m, key)


@pytest.mark.slow
def test_rerun_of_one_row_agrees_within_seed_variation(script, rows):
    """Re-run one row with seed 0 only, from scratch (about a minute on one quiet core): alone, it gets
    the updates it got beside the other seeds, so it keeps about the same epoch and errors."""
    import course_lib as cl

    cl.setup(seed=0)
    report, _ = rows[RERUN_ROW]
    fresh, _ = script.run_row(RERUN_ROW, script.draws([0]), seeds=[0], patience=report["recipe"]["patience"],
                              max_epochs=report["recipe"]["max_epochs"])
    # identical on the recording machine; another CPU's rounding lets the flat minimum move a few epochs
    assert abs(fresh["seeds"][0]["best_epoch"] - report["seeds"][0]["best_epoch"]) <= 20, (fresh, report["seeds"][0])
    for key in ("L1", "L1_99", "L2_99"):
        recorded = np.array([s[key] for s in report["seeds"]])
        spread = max(recorded.max() - recorded.min(), 0.02)
        assert recorded.min() - spread <= fresh["seeds"][0][key] <= recorded.max() + spread, (key, fresh, recorded)


def test_script_records_the_shared_machine_commit_and_times(script, tmp_path):
    script.main(["--rows", "1-layer NN", "--seeds", "0", "--patience", "1", "--max-epochs", "2", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "1-layer-nn" / "report.json").read_text())
    assert report["commit"] and report["started"] <= report["ended"] and report["recipe"]["seeds"] == [0]
    for key in ("platform", "cpu", "usable_cpus", "torch_threads", "torch", "load_average_at_start", "load_average_at_end"):
        assert key in report["machine"], key


# ------------------------------------------------------------------ course_lib.chapters.jump_results
def _fake_runs(val_loss, records):
    """SavedRuns of one row ("1-layer NN") with the given validation curves (epochs, runs) and per-run records."""
    from course_lib.chapters.jump_results import SavedRuns

    return SavedRuns({"1-layer NN": {"seeds": records}}, {"1-layer NN": {"val_loss": np.array(val_loss)}},
                     list(range(len(records))), 0)


def test_rows_tags_and_thesis_numbers_cover_the_scripts_rows(script):
    from course_lib.chapters import jump_results as jr

    assert list(jr.TAGS) == list(script.ROWS) == jr.MLP_ROWS + jr.CNN_ROWS + jr.LINEAR_ROWS
    assert set(jr.THESIS) == {"signal processing", *script.ROWS} and len(set(jr.TAGS.values())) == len(jr.TAGS)


def test_load_runs_finds_the_pages_run_and_rebuilds_each_network(script):
    from course_lib.chapters import jump
    from course_lib.chapters import jump_results as jr

    runs = jr.load_runs(["1-layer NN", "2-conv-layer CNN (5, 9)"], seed=3)
    assert runs.seeds == list(script.SEEDS) and runs.member == list(script.SEEDS).index(3)
    X, y = jump.make_jump_signals(6000, data_seed=runs.seeds[1] + 2)     # run 1's own test signals
    for name in runs.reports:
        errors = jr.model_errors(runs.model(name, 1), X, jump.labels_to_positions(y))
        assert errors["L1"] == pytest.approx(runs.reports[name]["seeds"][1]["L1"], abs=1e-4), name   # the script's record
    assert isinstance(runs.model("2-conv-layer CNN (5, 9)"), torch.nn.Module)
    with pytest.raises(ValueError, match="load_runs.*seed"):
        jr.load_runs(["1-layer NN"], seed=7)


def test_detector_errors_are_the_detector_on_each_draws_test_signals():
    from course_lib.chapters import jump
    from course_lib.chapters import jump_results as jr

    got = jr.detector_errors([0, 3])
    for s, errors in zip([0, 3], got):
        test = jump.load_jump_task(data_seed=s)
        assert errors == jump.position_errors(jump.detect_jumps(test.X_test), jump.labels_to_positions(test.y_test))


def test_trained_runs_summaries_and_detector_means_by_hand():
    from course_lib.chapters import jump_results as jr

    records = [{"L1": 1.0, "best_epoch": 5}, {"L1": 2.0, "best_epoch": 6}, {"L1": 4.0, "best_epoch": 9}]
    runs = _fake_runs([[4.1, 2.0, 4.2], [4.0, 3.5, 1.0]], records)   # best losses 4.0, 2.0, 1.0; 0.75 ln 60 = 3.07
    trained = jr.trained_runs(runs, ["1-layer NN"])
    assert trained["1-layer NN"].tolist() == [False, True, True]
    summary = jr.summarize(runs, trained, keys=["L1", "best_epoch"])
    assert summary["1-layer NN"]["L1"] == {"mean": 3.0, "sd": pytest.approx(np.sqrt(2.0))}      # runs 1 and 2
    one = jr.summarize(runs, {"1-layer NN": np.array([True, False, False])}, keys=["L1"])
    assert one["1-layer NN"]["L1"] == {"mean": 1.0, "sd": 0.0}
    detector = [dict.fromkeys(jr.MEASURES, v) for v in (10.0, 20.0, 40.0)]
    assert jr.detector_means(detector, trained) == {"1-layer NN": dict.fromkeys(jr.MEASURES, 30.0)}
    with pytest.raises(ValueError, match="summarize.*trained"):
        jr.summarize(runs, {"1-layer NN": np.array([True, False])})


def test_glue_numbers_ratios_and_words_by_hand():
    from types import SimpleNamespace

    from course_lib.chapters import jump_results as jr

    summary = {"2-layer MLP": {"L1": {"mean": 0.3083 * 1.1, "sd": 0.02}},
               "1-conv-layer CNN (5)": {"L1": {"mean": 0.3, "sd": 0.0}}}    # not in the thesis: no ratio
    assert jr.summary_numbers(summary, keys=["L1"]) == {
        "full_two_L1": 0.3083 * 1.1, "full_two_L1_sd": 0.02, "full_k5_L1": 0.3, "full_k5_L1_sd": 0.0}
    ratios = jr.thesis_ratios(0.5532 * 0.9, summary)
    assert ratios == {"detector": pytest.approx(0.9), "2-layer MLP": pytest.approx(1.1)}
    errors = {"L1": 0.3, "L2": 0.7, "L1_99": 0.25, "L2_99": 0.6, "max": 9.0}
    live = jr.live_numbers(errors, SimpleNamespace(best_epoch=17, seconds=2.34), "k7")
    assert live == {"live_k7_L1": 0.3, "live_k7_L2": 0.7, "live_k7_L1_99": 0.25, "live_k7_L2_99": 0.6,
                    "live_k7_best_epoch": 17, "live_seconds": 2.3}
    assert [jr.in_words(s) for s in ([0, 3, 4], [1, 2], [5], [])] == ["0, 3 and 4", "1 and 2", "5", "none"]
