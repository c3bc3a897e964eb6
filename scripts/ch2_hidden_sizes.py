"""Chapter 2's hidden-size sweep with the recipe of Nielsen's book (mini-batches of 10, 30 epochs).

Source 002 trained its 784-k-10 networks with the code of Nielsen's book, whose example uses
mini-batches of 10 for 30 epochs. The chapter runs a shorter recipe (mini-batches of 50, 20
epochs) to stay in its time budget; this script runs the longer one on the same 4,000-image
sample, for every hidden size and five seeds, and writes book/results/ch2_hidden_sizes.json.
The chapter reads that file and prints it beside its own numbers, with this command, the
recipe, the seeds, the time taken and the machine. tests/test_ch2_results.py re-runs one row.

Usage:
    COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch2_hidden_sizes.py              # every size (minutes)
    COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch2_hidden_sizes.py --sizes 2    # one row, merged into the file
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from results_common import machine, write_json  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib.chapters import hidden, hidden_training

RESULTS = ROOT / "book" / "results" / "ch2_hidden_sizes.json"
SIZES = [30, 10, 5, 4, 3, 2]
SEEDS = [0, 1, 2, 3, 4]
RECIPE = "nielsen"
COMMAND = "COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch2_hidden_sizes.py"


def run_row(k: int, seeds=SEEDS, recipe: str = RECIPE) -> dict:
    """Train the hidden size ``k`` for every seed from scratch; returns a JSON-ready row."""
    data = cl.load_mnist()
    start = time.perf_counter()
    (_, history), = hidden_training.sweep_hidden_sizes(data, [k], seeds, **hidden.RECIPES[recipe]).values()
    acc = np.asarray(history["test_acc"][-1], dtype=float)
    return {"hidden_size": int(k), "seeds": list(map(int, seeds)), "test_acc": [round(float(a), 4) for a in acc],
            "mean": round(float(acc.mean()), 4), "sd": round(float(acc.std(ddof=1)), 4),
            "seconds": round(time.perf_counter() - start, 1)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="hidden sizes to (re)run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file (rows are merged into it)")
    args = parser.parse_args(argv)
    cl.setup(seed=0)
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    rows = {row["hidden_size"]: row for row in old.get("rows", [])}
    info = machine()
    for k in args.sizes:
        rows[k] = run_row(k)
        rows[k]["written"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows[k]["machine"] = info
        print(f"hidden size {k}: test accuracy {rows[k]['mean']:.4f} +- {rows[k]['sd']:.4f} "
              f"({rows[k]['seconds']:.0f} s)", flush=True)
    payload = {
        "description": "Test accuracy of 784-k-10 networks on the 4,000/1,000 MNIST sample (load_mnist()) with the "
                       "batch size, epochs and learning rate of Nielsen's example: sigmoid hidden units, N(0,1) "
                       "weights, softmax cross-entropy (Nielsen: quadratic cost), plain SGD, one ensemble of seeds "
                       "per hidden size, batch order train(batch_seed=0).",
        "command": COMMAND, "recipe": hidden.RECIPES[RECIPE], "data": "load_mnist(): 4,000 train / 1,000 test",
        "rows": [rows[k] for k in sorted(rows, reverse=True)],
    }
    write_json(args.out, payload)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
