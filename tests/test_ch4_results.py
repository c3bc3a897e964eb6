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
