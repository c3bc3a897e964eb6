"""book/results/ch2_hidden_sizes.json (chapter 2's hidden-size sweep with Nielsen's recipe) is what its
script produces: one row is re-run from scratch and must agree within the seed-to-seed spread."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import course_lib as cl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import ch2_hidden_sizes as script  # noqa: E402


@pytest.fixture(scope="module")
def results() -> dict:
    return cl.load_results("ch2_hidden_sizes.json")   # the checkout's copy (tests never download)


def test_the_file_has_every_size_with_its_recipe(results):
    assert [row["hidden_size"] for row in results["rows"]] == script.SIZES
    assert results["recipe"] == script.hidden.RECIPES["nielsen"] and results["command"] == script.COMMAND
    for row in results["rows"]:
        assert row["seeds"] == script.SEEDS and len(row["test_acc"]) == len(script.SEEDS)
        assert row["mean"] == pytest.approx(sum(row["test_acc"]) / len(row["test_acc"]), abs=1e-4)
        assert {"cpu", "torch", "torch_threads"} <= set(row["machine"]) and row["seconds"] > 0


def test_a_row_reruns_from_scratch(results):
    """The 2-unit row (the cheapest): five seeds, mini-batches of 10, 30 epochs."""
    stored = next(row for row in results["rows"] if row["hidden_size"] == 2)
    fresh = script.run_row(2)
    assert fresh["seeds"] == stored["seeds"]
    assert abs(fresh["mean"] - stored["mean"]) <= max(stored["sd"], 0.005), (fresh, stored)


def test_the_script_merges_one_row_atomically(tmp_path, monkeypatch, results):
    out = tmp_path / "results.json"
    out.write_text(json.dumps(results))
    monkeypatch.setattr(script, "run_row", lambda k: {"hidden_size": k, "seeds": script.SEEDS, "test_acc": [0.5] * 5,
                                                       "mean": 0.5, "sd": 0.0, "seconds": 1.0})
    script.main(["--sizes", "3", "--out", str(out)])
    merged = json.loads(out.read_text())
    sizes = [row["hidden_size"] for row in merged["rows"]]
    assert sizes == script.SIZES                                        # nothing lost, order kept
    assert next(r for r in merged["rows"] if r["hidden_size"] == 3)["mean"] == 0.5
    assert next(r for r in merged["rows"] if r["hidden_size"] == 2) == results["rows"][-1]
    assert not list(tmp_path.glob("*.tmp"))
