"""Chapter 6 at the thesis's scale: memorize 12,000 shuffled jump labels (source 001, section 6.2).

The chapter memorizes a balanced tenth of the training set with Adam so that it runs in its
time budget. This script runs the full-size version and writes the folder book/results/ch6_full_scale/,
replaced in one step (``results_common.write_set``): report.json (curves, measures and provenance:
commit, command, recipe, seeds, machine, start and end times) and weights.npz (the trained weights of
every row, ``{row}_s{seed}/{param}``), which the chapter reads. Every row trains until it is right on every training label (or its cap).
tests/test_ch6_results.py re-runs the start of the contested rows and checks their curves.

Usage (``make ch6-results`` runs the first line):
    .venv/bin/python scripts/ch6_memorize_full.py                      # every row (about 40 minutes on one busy core)
    .venv/bin/python scripts/ch6_memorize_full.py --rows adam_true     # one row, merged into the file
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
from results_common import commit, machine, write_set  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib.chapters import geometry
from course_lib.chapters import memorization as mem

RESULTS = ROOT / "book" / "results" / "ch6_full_scale"       # report.json and weights.npz
SIZES = [100, 100, 100, 100, 60]            # the thesis's "memorizing network" (digest section 6.2)
DATA_SEED, SHUFFLE_SEED = 0, 1              # load_jump_task(sigma=1.0, data_seed=0); shuffle_labels(data_seed=1)

#: name -> recipe. "sgd_shuffled" is the thesis's own recipe (plain SGD, lr 0.01, batches of 100);
#: "sgd_true" is its partner on the true labels. Every row runs until it fits its labels; the caps
#: are far above the epochs needed (an earlier run capped sgd_shuffled at 1,000 epochs, at 79.5 %).
ROWS = {
    "adam_true": {"labels": "true", "optimizer": "adam", "lr": 1e-3, "batch_size": 100, "max_epochs": 600,
                  "seeds": [0, 1, 2]},
    "adam_shuffled": {"labels": "shuffled", "optimizer": "adam", "lr": 1e-3, "batch_size": 100,
                      "max_epochs": 600, "seeds": [0]},
    "sgd_shuffled": {"labels": "shuffled", "optimizer": "sgd", "lr": 0.01, "batch_size": 100,
                     "max_epochs": 5000, "seeds": [0]},
    "sgd_true": {"labels": "true", "optimizer": "sgd", "lr": 0.01, "batch_size": 100,
                 "max_epochs": 5000, "seeds": [0]},
}
WEIGHT_STD = "fan_in"  # N(0, 1/n_in) weights, zero biases: close to Keras's 2017 default (Glorot), see chapter 6


def run_row(name: str, seed: int, max_epochs: int | None = None, weights: dict | None = None) -> dict:
    """Train one row's network from scratch and measure it; returns a JSON-ready dict.

    ``max_epochs`` overrides the row's cap (the slow test re-runs the start of a row); ``weights``,
    if given, receives the trained network's parameters as ``{row}_s{seed}/{param}`` arrays.
    """
    recipe = dict(ROWS[name])
    if max_epochs is not None:
        recipe["max_epochs"] = max_epochs
    data = cl.load_jump_task(sigma=1.0, data_seed=DATA_SEED)
    y_true = data.y_train
    y = y_true if recipe["labels"] == "true" else cl.shuffle_labels(y_true, 1.0, data_seed=SHUFFLE_SEED)
    model = cl.MLPEnsemble(SIZES, seeds=[seed], weight_std=WEIGHT_STD)
    start = time.perf_counter()
    hist = mem.train_label_sets(model, data.X_train, y[None], data.X_test, data.y_test,
                                epochs=recipe["max_epochs"], lr=recipe["lr"], batch_size=recipe["batch_size"],
                                optimizer=recipe["optimizer"], until_fit=True, batch_seed=seed)
    seconds = time.perf_counter() - start
    net = model.member(0)
    if weights is not None:
        weights.update({f"{name}_s{seed}/{k}": v.detach().cpu().numpy().astype(np.float32)
                        for k, v in net.state_dict().items()})
    acts = cl.activations(net, data.X_train, layers=net.hidden_names())
    layers = {k: acts[k] for k in ["input"] + net.hidden_names()}
    measures = geometry.deviation_measures(layers, y_true.numpy())
    probe = mem.balanced_subset(y_true, 20, data_seed=0)          # 1,200 signals, as many as the chapter maps
    gaps = [geometry.neighbour_label_gap(A[probe], y_true.numpy()[probe], k=5) for A in layers.values()]
    train_acc, test_acc = hist["train_acc"][:, 0], hist["test_acc"][:, 0]
    return {
        "row": name, "seed": seed, **{k: v for k, v in recipe.items() if k != "seeds"},
        "n_train": len(data.X_train), "n_test": len(data.X_test), "sizes": SIZES, "init": WEIGHT_STD,
        "epochs_run": len(train_acc) - 1, "epochs_to_fit": int(mem.epochs_to_fit(train_acc)),
        "epochs_to_half": int(mem.epochs_to_fit(train_acc, 0.5)),
        "final_train_acc": round(float(train_acc[-1]), 5), "final_test_acc": round(float(test_acc[-1]), 5),
        "train_acc": np.round(train_acc, 4).tolist(), "test_acc": np.round(test_acc, 4).tolist(),
        "measures_true_labels": {k: np.round(v, 5).tolist() for k, v in measures.items()},
        "neighbour_gap_true_labels": np.round(gaps, 4).tolist(),
        "seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS), help=f"comma-separated subset of {list(ROWS)}")
    parser.add_argument("--seeds", default="", help="comma-separated seeds (default: each row's own)")
    parser.add_argument("--out", default=str(RESULTS), help="results folder (rows are merged into its "
                        "report.json and weights.npz)")
    args = parser.parse_args(argv)
    names = [r for r in args.rows.split(",") if r]
    unknown = [r for r in names if r not in ROWS]
    if unknown:
        parser.error(f"--rows: unknown rows {unknown}; choose from {list(ROWS)}")
    cl.setup(seed=0)
    out_dir = Path(args.out)
    out, out_npz = out_dir / "report.json", out_dir / "weights.npz"
    command = " ".join(["python", "scripts/ch6_memorize_full.py", *(argv if argv is not None else sys.argv[1:])])
    code_commit = commit()                       # the code that runs: read once, before training starts
    for name in names:
        seeds = [int(s) for s in args.seeds.split(",") if s] or ROWS[name]["seeds"]
        for seed in seeds:
            started = datetime.now(timezone.utc).isoformat(timespec="seconds")
            load = machine()
            weights: dict = {}
            row = run_row(name, seed, weights=weights)
            ended = datetime.now(timezone.utc).isoformat(timespec="seconds")
            row.update(started=started, ended=ended, machine=load, commit=code_commit, command=command)
            # re-read both files just before writing: other runs of this script may have added rows meanwhile
            payload = json.loads(out.read_text()) if out.exists() else {"rows": []}
            old = dict(np.load(out_npz)) if out_npz.exists() else {}
            old = {k: v for k, v in old.items() if not k.startswith(f"{name}_s{seed}/")}
            old.update(weights)
            print(f"{name} seed {seed}: fit after {row['epochs_to_fit']} epochs (ran {row['epochs_run']}), "
                  f"train {row['final_train_acc']:.4f}, test {row['final_test_acc']:.4f}, {row['seconds']:.0f} s",
                  flush=True)
            payload["rows"] = [r for r in payload["rows"] if (r["row"], r["seed"]) != (name, seed)] + [row]
            payload["command"] = "make ch6-results  (= .venv/bin/python scripts/ch6_memorize_full.py)"
            payload["data"] = ("load_jump_task(sigma=1.0, data_seed=0): 12,000 training / 6,000 test signals; "
                               "shuffled labels: shuffle_labels(y_train, 1.0, data_seed=1)")
            write_set(out_dir, {"report.json": lambda fh: fh.write((json.dumps(payload, indent=1) + "\n").encode()),
                                "weights.npz": lambda fh: np.savez_compressed(fh, **old)})


if __name__ == "__main__":
    main()
