"""Chapter 4's full results: every jump-task model of the thesis trained with the thesis's recipe.

Usage (the make target ``ch4-results`` runs the first line; rows are independent, so they can
also run in parallel processes, one ``--rows`` each):

    COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch4_jump_models.py
    COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch4_jump_models.py --rows "2-layer MLP" "1-conv-layer CNN (7)"

Recipe (source 001, sections 3.3-3.4): ``cl.load_jump_task(sigma=1.0, data_seed=seed)`` (12,000 / 6,000 /
6,000 signals; seed ``s`` draws its own data, its own batch order and its own initial weights), plain SGD without momentum, learning rate 0.01, batches of 100, cross-entropy,
PyTorch's default initialisation; the weights kept are those of the epoch with the lowest
validation loss. Training of a row stops once no seed has improved its validation loss for
``PATIENCE`` epochs (or at ``MAX_EPOCHS``). The seeds of a row are trained side by side in one
batched computation (``MLPEnsemble`` / ``CNNEnsemble``), which gives each the updates it would get
alone.

Writes one folder per row, ``book/results/ch4_jump_models/<row>/`` (named by :func:`slug`), replaced
in one step (``results_common.write_set``), with two files: ``report.json`` (per seed: the four error measures on its own test set, the largest error and the kept
epoch; the time taken, the machine, the commit and the command) and ``weights.npz`` (the kept weights of
every seed, PyTorch's names with the seed first, and the training and validation curves of the loss
and the error rate, ``train_loss``, ``val_loss``, ``train_error``, ``val_error``, shape (epochs run + 1, seeds)).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from results_common import EarlyStopper, commit, machine, write_set

import course_lib as cl
from course_lib.chapters import conv, jump
from course_lib.core.evaluate import evaluate
from course_lib.core.runs import stack_splits

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "book" / "results" / "ch4_jump_models"
SEEDS = (0, 1, 2, 3, 4)
PATIENCE = 100
MAX_EPOCHS = 3000
#: name -> (kind, sizes or kernel sizes[, activation after each convolution]); the names are the thesis's
#: (Tables 3.3 and 3.4), plus three extra rows.
ROWS = {
    "1-layer NN": ("mlp", [100, 60]),
    "2-layer MLP": ("mlp", [100, 100, 60]),
    "3-layer MLP": ("mlp", [100, 100, 100, 60]),
    "4-layer MLP": ("mlp", [100, 100, 100, 100, 60]),
    "1-conv-layer CNN (7)": ("cnn", [7]),
    "1-conv-layer CNN (5)": ("cnn", [5]),
    "1-conv-layer CNN (3)": ("cnn", [3]),          # not in the thesis: chapter 4b's exercise on short kernels
    "2-conv-layer CNN (5, 9)": ("cnn", [5, 9]),
    "3-conv-layer CNN (5, 7, 9)": ("cnn", [5, 7, 9]),
    # The thesis does not say what follows a convolution; these two rows use none (a linear CNN).
    "1-conv-layer CNN (7), linear": ("cnn", [7], "identity"),
    "2-conv-layer CNN (5, 9), linear": ("cnn", [5, 9], "identity"),
}
#: Default activation after each convolution (the thesis does not say; see chapter 4b).
CNN_ACTIVATION = "relu"


def activation_of(name: str) -> str:
    """The activation after each convolution of CNN row ``name``."""
    return ROWS[name][2] if len(ROWS[name]) > 2 else CNN_ACTIVATION


def build(name: str, seeds) -> torch.nn.Module:
    """The ensemble of ``seeds`` for row ``name`` of :data:`ROWS`."""
    kind, sizes = ROWS[name][:2]
    if kind == "mlp":
        return cl.MLPEnsemble(sizes, seeds=seeds)
    return conv.CNNEnsemble(sizes, activation=activation_of(name), seeds=seeds)


class LossCurves(EarlyStopper):
    """The thesis's stopping rule, also recording each member's training loss and the training and
    validation error rates every epoch (the thesis's Figure 3.9)."""

    def __init__(self, data: cl.Split, patience: int):
        super().__init__(data, patience)
        self.train_loss, self.train_error, self.val_error = [], [], []

    def on_epoch(self, event) -> None:
        loss, acc = evaluate(event.model, self.data.X_train, self.data.y_train)
        self.train_loss.append(np.atleast_1d(loss))
        self.train_error.append(1 - np.atleast_1d(acc))
        self.val_error.append(1 - self.val_acc[-1])          # the stopper has just measured it


def draws(seeds) -> cl.Split:
    """One jump-task data draw per seed, stacked for the ensemble (member m trains on draw ``seeds[m]``)."""
    return stack_splits([cl.load_jump_task(sigma=1.0, data_seed=s) for s in seeds])


def run_row(name: str, data: cl.Split, seeds=SEEDS, patience: int = PATIENCE,
            max_epochs: int = MAX_EPOCHS) -> tuple[dict, dict]:
    """Train one row's seeds side by side with the thesis's recipe (``data`` from :func:`draws`).

    Returns:
        (result, weights): per-seed measures and best epochs; the kept parameters as NumPy arrays.
    """
    model = build(name, list(seeds))
    stopper = LossCurves(data, patience)
    # The stopper measures the validation loss itself, so train() evaluates nothing (eval_every=None);
    # the test errors are computed once, at the end.
    start = time.perf_counter()
    cl.train(model, data, epochs=max_epochs, lr=0.01, batch_size=100, optimizer="sgd", batch_seed=list(seeds),
             eval_every=None, callback=stopper, progress=False)
    seconds = time.perf_counter() - start
    model.load_state_dict(stopper.state)
    logits = cl.predict(model, data.X_test)
    per_seed = []
    curves = np.stack(stopper.val_loss)              # (epochs run + 1, n_seeds)
    for m, seed in enumerate(seeds):
        pred = jump.labels_to_positions(logits[m].argmax(-1))
        errors = jump.position_errors(pred, jump.labels_to_positions(data.y_test[m]))
        per_seed.append({"seed": int(seed), **{k: round(v, 4) for k, v in errors.items()},
                         "best_epoch": int(stopper.best_epoch[m])})
    summary = {k: {"mean": round(float(np.mean([s[k] for s in per_seed])), 4),
                   "sd": round(float(np.std([s[k] for s in per_seed], ddof=1)), 4) if len(seeds) > 1 else 0.0}
               for k in ("L1", "L2", "L1_99", "L2_99", "max", "best_epoch")}
    result = {"kind": ROWS[name][0], "sizes": ROWS[name][1], "epochs_run": len(curves) - 1,
              "seconds": round(seconds, 1), "summary": summary, "seeds": per_seed}
    if ROWS[name][0] == "cnn":
        result["activation"] = activation_of(name)
    weights = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    weights["val_loss"] = curves.astype(np.float32)
    for curve in ("train_loss", "train_error", "val_error"):
        weights[curve] = np.stack(getattr(stopper, curve)).astype(np.float32)
    return result, weights


def slug(name: str) -> str:
    """File name of a row: ``"2-conv-layer CNN (5, 9)"`` -> ``"2-conv-layer-cnn-5-9"``."""
    return "-".join("".join(c if c.isalnum() or c == "-" else " " for c in name.lower()).split())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), metavar="ROW",
                        help="row names, each quoted (default: all rows)")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--patience", type=int, default=PATIENCE)
    parser.add_argument("--max-epochs", type=int, default=MAX_EPOCHS)
    parser.add_argument("--out", default=str(OUT_DIR), help="folder for the <row>.json / <row>.npz files")
    args = parser.parse_args(argv)
    rows = args.rows
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; choose from {list(ROWS)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    cl.set_threads()
    data = draws(seeds)
    command = "COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch4_jump_models.py " + shlex.join(
        argv if argv is not None else sys.argv[1:])
    recipe = {"data": "cl.load_jump_task(sigma=1.0, data_seed=seed): 12000/6000/6000 signals per seed", "optimizer": "sgd",
              "momentum": 0.0, "lr": 0.01, "batch_size": 100, "loss": "cross-entropy", "init": "PyTorch default",
              "keep": "lowest validation loss", "patience": args.patience, "max_epochs": args.max_epochs,
              "seeds": seeds}
    code_commit = commit()                                      # the commit the results come from
    for name in rows:
        info = machine()                                        # the shared record, load average at the start
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        result, weights = run_row(name, data, seeds, args.patience, args.max_epochs)
        info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        report = {"row": name, **result, "command": command, "commit": code_commit, "recipe": recipe,
                  "started": started, "ended": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "machine": info}
        path = Path(args.out) / slug(name)
        write_set(path, {"report.json": lambda fh: fh.write(json.dumps(report, indent=1).encode()),
                         "weights.npz": lambda fh: np.savez_compressed(fh, **weights)})
        s = result["summary"]
        print(f"{name:28s} L1 {s['L1']['mean']:.4f}  L2 {s['L2']['mean']:.4f}  L1_99 {s['L1_99']['mean']:.4f}  "
              f"L2_99 {s['L2_99']['mean']:.4f}  best epochs {[x['best_epoch'] for x in result['seeds']]}  "
              f"{result['seconds']:.0f} s -> {path}", flush=True)


if __name__ == "__main__":
    main()
