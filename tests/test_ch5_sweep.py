"""Chapter 5's bottleneck sweep: the results files, and one of their networks re-trained from scratch.

The files are written by ``scripts/ch5_bottleneck_sweep.py`` (``make ch5-results``); the chapter reads them.
"""
from __future__ import annotations

import numpy as np
import pytest
from results_scripts import load_script

import course_lib as cl


@pytest.fixture(scope="module")
def results() -> dict:
    # the checkout's copies (tests never download)
    return {depth: cl.load_results(f"ch5_bottleneck_{depth}/report.json") for depth in ("shallow", "deep")}


def test_every_network_of_the_script_is_in_the_files(results):
    script = load_script("ch5_bottleneck_sweep")
    for group, (depth, nets, _) in script.GROUPS.items():
        present = {(r["p"], r["seed"]) for r in results[depth]["rows"]}
        assert set(map(tuple, nets)) <= present, (group, sorted(set(map(tuple, nets)) - present))
        header = results[depth]["groups"][group]
        assert "ch5_bottleneck_sweep.py" in header["command"] and header["seconds"] > 0
        assert header["machine"]["cpu"] and header["machine"]["torch"] and header["machine"]["torch_threads"] >= 1
        assert header["recipe"]["optimizer"] == "sgd" and header["recipe"]["lr"] == 0.01
        assert header["recipe"]["batch_size"] == 100 and header["recipe"]["momentum"] == 0.0
        assert header["epochs_run"] <= header["recipe"]["max_epochs"]


def test_rows_are_internally_consistent(results):
    for depth, result in results.items():
        arrays = cl.load_results(f"ch5_bottleneck_{depth}/weights.npz")
        for r in result["rows"]:
            assert r["sizes"] == ([100, r["p"], 60] if depth == "shallow" else [100, 25, r["p"], 25, 60])
            assert 0 <= r["best_epoch"] <= r["epochs_run"]
            assert r["L1_99"] <= r["L1"] <= r["L2"] and r["L1_99"] <= r["L2_99"] <= r["L2"]
            assert all(0 <= d <= w for d, w in zip(r["dead_units"], r["sizes"][1:-1]))
            assert arrays[f"p{r['p']}_seed{r['seed']}/layers.0.weight"].shape == (r["sizes"][1], 100)
        snaps = arrays["snapshot_epochs"]
        assert snaps[0] == 0 and np.all(np.diff(snaps) > 0)
        assert arrays["snapshots/layers.0.weight"].shape[0] == len(snaps)


def test_rows_show_the_thesis_trends(results):
    for depth, result in results.items():
        seed0 = {r["p"]: r["L1"] for r in result["rows"] if r["seed"] == 0}
        assert seed0[10] < seed0[4] < seed0[2], (depth, seed0)


def test_continued_rows_record_their_provenance(results):
    part = results["shallow"]["continued"]
    before = {(r["p"], r["seed"]): r for r in results["shallow"]["rows"]}
    script = load_script("ch5_bottleneck_sweep")
    assert {(r["p"], r["seed"]) for r in part["rows"]} == set(map(tuple, script.CONTINUE_NETS))
    for r in part["rows"]:
        assert r["commit"] and r["command"].startswith("COURSE_LIB_THREADS=1") and "--continue-shallow" in r["command"]
        assert r["started"] <= r["finished"] and r["machine"]["cpu"] and r["seeds"]["weights"] == r["seed"]
        assert r["recipe"]["patience"] == script.CONTINUE_PATIENCE and r["recipe"]["lr"] == 0.01
        assert r["continued_from"]["best_epoch"] == before[r["p"], r["seed"]]["best_epoch"]
        assert r["total_epochs"] == r["continued_from"]["best_epoch"] + r["best_epoch"]
        assert r["stopped_by"] == "time limit" or r["stopped_by"].startswith("patience")
        assert r["L1_99"] <= r["L1"] <= r["L2"]


@pytest.mark.slow
def test_rerun_of_the_contested_shallow_row_matches_the_file(results):
    """Re-train 100-4-60, seed 0 (a network the epoch limit stopped while it still improved) alone, from scratch,
    to the limit of its group: it must reproduce the recorded row (a network trains alone exactly as in its padded
    group). About 3 minutes on one quiet core."""
    script = load_script("ch5_bottleneck_sweep")
    import course_lib as cl

    cl.setup(seed=0, threads=1)
    data = cl.load_jump_task(sigma=1.0, data_seed=0)
    row = script.run_group("shallow", data, [(4, 0)], patience=10**6,   # its group ran to the limit
                           max_epochs=script.GROUPS["shallow_wide"][2])[0][0]
    recorded = next(r for r in results["shallow"]["rows"] if (r["p"], r["seed"]) == (4, 0))
    assert row["best_epoch"] == recorded["best_epoch"]
    for measure in ("L1", "L2", "L1_99", "L2_99"):
        assert abs(row[measure] - recorded[measure]) < 1e-3, (measure, row[measure], recorded[measure])
    assert row["dead_units"] == recorded["dead_units"]


@pytest.mark.slow
def test_rerun_of_one_network_agrees_within_seed_variation(results):
    """Re-train 100-10-60 with seed 0 from scratch, alone (several minutes on one busy core, about one quiet)."""
    script = load_script("ch5_bottleneck_sweep")
    import course_lib as cl

    cl.setup(seed=0, threads=1)
    data = cl.load_jump_task(sigma=1.0, data_seed=0)
    row = script.run_group("shallow", data, [(10, 0)])[0][0]
    recorded = [r for r in results["shallow"]["rows"] if r["p"] == 10]
    assert len(recorded) == 3
    for measure in ("L1", "L1_99", "L2_99"):
        values = [r[measure] for r in recorded]
        spread = max(values) - min(values)
        low, high = min(values) - spread - 0.05, max(values) + spread + 0.05
        assert low <= row[measure] <= high, (measure, row[measure], values)
    assert row["dead_in_bottleneck"] <= 2


def test_first_stop_rows_are_internally_consistent():
    """The thesis's stopping rule, each network alone (``--first-stop``): every network of both sweeps is there,
    each stopped exactly ``patience`` epochs after its kept epoch, and its kept weights, loaded into a plain MLP,
    reproduce the recorded test errors on the script's data draw (a few seconds)."""
    import torch

    from course_lib.chapters import bottleneck as bn
    from course_lib.chapters.jump import position_errors

    script = load_script("ch5_bottleneck_sweep")
    result = cl.load_results("ch5_bottleneck_first_stop/report.json")
    arrays = cl.load_results("ch5_bottleneck_first_stop/weights.npz")
    patience = result["recipe"]["patience"]
    assert patience == script.PATIENCE and result["recipe"]["lr"] == 0.01 and result["recipe"]["momentum"] == 0.0
    expected = {(depth, p, s) for depth, nets, _ in script.GROUPS.values() for p, s in nets}
    got = [(r["depth"], r["p"], r["seed"]) for r in result["rows"]]
    assert len(got) == len(set(got)) == len(expected) == 30 and set(got) == expected
    data = cl.load_jump_task(sigma=1.0, data_seed=0)
    for r in result["rows"]:
        assert r["stop_epoch"] == r["best_epoch"] + patience, r
        assert r["sizes"] == bn.bottleneck_sizes(r["p"], r["depth"])
        assert all(0 <= d <= w for d, w in zip(r["dead_units"], r["sizes"][1:-1]))
        assert r["dead_in_bottleneck"] == r["dead_units"][len(r["dead_units"]) // 2]
        assert r["L1_99"] <= r["L1"] <= r["L2"] and r["L1_99"] <= r["L2_99"] <= r["L2"]
        net = cl.MLP(r["sizes"])
        key = f"{r['depth']}/p{r['p']}_seed{r['seed']}"
        net.load_state_dict({name: torch.from_numpy(arrays[f"{key}/{name}"]) for name in net.state_dict()})
        errors = position_errors(cl.predict(net, data.X_test).argmax(-1).numpy(), data.y_test.numpy())
        for measure in ("L1", "L2", "L1_99", "L2_99"):   # one flipped prediction moves L1 by 1/6000
            assert abs(errors[measure] - r[measure]) < 1e-3, (key, measure, errors[measure], r[measure])
    for depth in ("shallow", "deep"):           # one validation-loss curve per network, up to the last stop
        curves = arrays[f"val_loss/{depth}"]
        stops = [r["stop_epoch"] for r in result["rows"] if r["depth"] == depth]
        assert curves.shape == (max(stops) + 1, len(stops))
