"""Chapter 5's full bottleneck sweep: the thesis's recipe on 100-p-60 and 100-25-p-25-60, p = 2..10.

The chapter trains every width for a few epochs only (its time budget); this script trains them until
early stopping and writes, per depth (shallow, deep), a folder ``book/results/ch5_bottleneck_<depth>/``
replaced in one step (``results_common.write_set``) with ``report.json`` (per network: the four
error measures, the largest error, the kept epoch, the dead units of every hidden layer; the command, the
recipe, the seeds, the time taken and the machine) and ``weights.npz`` (the
kept weights of every network, the validation-loss curves, and the weights of the p = 2, seed 0 network
at the epochs in ``SNAPSHOT_EPOCHS``, for the chapter's epoch slider). tests/test_ch5_sweep.py re-runs one
network from scratch.

Usage (the make target ``ch5-results`` runs the first line; the groups of :data:`GROUPS` can also run
in parallel processes, one ``--groups`` each, and are merged into the files):

    COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch5_bottleneck_sweep.py
    COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch5_bottleneck_sweep.py --groups deep

Then the shallow networks that were still improving at their limit are trained on (one process each; the recorded
run used 16 cores, ``--time-limit 420``; see CONTINUE_NETS):

    COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch5_bottleneck_sweep.py --continue-shallow 2:0 --time-limit 420

Recipe (source 001, section 4.2.1; digest section 1.3): ``cl.load_jump_task(sigma=1.0, data_seed=0)`` (12,000 /
6,000 / 6,000 signals), plain SGD without momentum, learning rate 0.01, batches of 100 (one batch order,
seed 0, for all networks), cross-entropy, PyTorch's default initialisation (as in chapter 4); each network
keeps the weights of its epoch with the lowest validation loss. Training stops once no network has improved
its validation loss for ``PATIENCE`` epochs, or at the group's limit (6,000 epochs for the narrow shallow
networks, 3,000 for the others). Every width p = 2..10 is trained with seed
0; the widths of the thesis's tables (2, 4, 10) also with seeds 1 and 2, to measure seed-to-seed variation.
The networks of a group train side by side in one batched computation (``bottleneck.pad_ensemble``),
which gives each the updates it would get alone.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import shlex
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from results_common import EarlyStopper, commit, machine, write_set  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib.chapters import bottleneck as bn
from course_lib.chapters.jump import position_errors

OUT_DIR = ROOT / "book" / "results"
PATIENCE = 100
LR, BATCH_SIZE, BATCH_SEED, DATA_SEED = 0.01, 100, 0, 0
SNAPSHOT_EPOCHS = (0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 6000, 8000, 10000, 12000,
                   15000, 20000, 25000, 30000, 40000)
#: group -> (depth, [(p, seed), ...], most epochs). Every p = 2..10 has seed 0; the widths of the thesis's
#: tables (2, 4, 10) also seeds 1 and 2. A group trains side by side until its slowest network stops, so the
#: narrow shallow networks, which need by far the most epochs, form a group of their own.
GROUPS = {
    "shallow_narrow": ("shallow", [(2, 0), (3, 0), (2, 1), (2, 2)], 6000),
    "shallow_wide": ("shallow", [(p, 0) for p in range(4, 11)] + [(4, 1), (4, 2), (10, 1), (10, 2)], 3000),
    "deep": ("deep", [(p, 0) for p in range(2, 11)] + [(p, s) for p in (2, 4, 10) for s in (1, 2)], 3000),
}
#: The shallow networks that were still improving at their group's limit (best epoch in its last 300 epochs).
#: ``--continue-shallow`` trains each of them on, alone, from the weights the files kept, with the same recipe
#: (plain SGD has no state besides the weights; the batch order restarts at the continuation's epoch 0) and a
#: patience of CONTINUE_PATIENCE epochs: the validation loss of these networks has plateaus longer than 100 epochs
#: and then falls again (trained alone with patience 100 they stop earlier and worse). Written to the "continued"
#: part of ``ch5_bottleneck_shallow/report.json``.
CONTINUE_NETS = [(2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (2, 1), (4, 1), (2, 2), (4, 2)]
CONTINUE_PATIENCE = 1000
MAX_EPOCHS = 3000


class Stopper(EarlyStopper):
    """:class:`EarlyStopper` that also snapshots one member at ``snapshot_epochs`` and gives freed memory
    back to the system every epoch (glibc keeps it otherwise, and the longest groups run for hours)."""

    def __init__(self, data: cl.Split, patience: int, snapshot_member: int | None, snapshot_epochs=SNAPSHOT_EPOCHS,
                 time_limit: float | None = None):
        super().__init__(data, patience)
        self.snapshot_member, self.snapshot_epochs = snapshot_member, set(snapshot_epochs)
        self.snapshots, self.snapshot_at = {}, []
        self.deadline = None if time_limit is None else time.perf_counter() + time_limit
        self.timed_out = False
        self._libc = ctypes.CDLL("libc.so.6") if sys.platform.startswith("linux") else None

    def on_epoch(self, event) -> None:
        if self._libc is not None:
            self._libc.malloc_trim(0)
        if self.snapshot_member is not None and event.epoch in self.snapshot_epochs:
            self.snapshot_at.append(event.epoch)
            for name, t in event.model.state_dict().items():
                self.snapshots.setdefault(name, []).append(t[self.snapshot_member].detach().cpu().numpy().copy())

    def __call__(self, event) -> None:
        super().__call__(event)
        if event.phase == "epoch" and self.deadline is not None and time.perf_counter() > self.deadline:
            self.timed_out = True
            raise cl.StopTraining


class FirstStop(EarlyStopper):
    """The thesis's own rule, per network: a network stops at the first time its validation loss has not
    improved for ``patience`` epochs, and keeps the weights of its lowest validation loss until then.

    The networks train side by side; a stopped network's kept weights are frozen (the others go on), and
    training ends when every network has stopped. ``stop_epoch`` holds each network's stopping epoch.
    """

    def __init__(self, data: cl.Split, patience: int):
        super().__init__(data, patience)
        self.stop_epoch, self.kept_epoch, self.frozen = None, None, None

    def __call__(self, event) -> None:
        if event.phase != "epoch":
            return
        try:
            super().__call__(event)
        except cl.StopTraining:
            pass                                    # the group rule; this class decides below
        if self.stop_epoch is None:
            self.stop_epoch, self.kept_epoch = np.full(len(self.best_epoch), -1), np.full(len(self.best_epoch), -1)
            self.frozen = {k: v.clone() for k, v in self.state.items()}
        newly = (self.stop_epoch < 0) & (event.epoch - self.best_epoch >= self.patience)
        if newly.any():
            mask = torch.from_numpy(newly)
            for name in self.frozen:
                self.frozen[name][mask] = self.state[name][mask].clone()
            self.stop_epoch[newly] = event.epoch
            self.kept_epoch[newly] = self.best_epoch[newly]
        if (self.stop_epoch >= 0).all():
            raise cl.StopTraining


def _measure(ensemble, data: cl.Split, depth: str, nets, sizes, per_net) -> tuple[list[dict], dict]:
    """Rows (errors on the test set, dead units on the training set, plus ``per_net(m)``) and each
    network's weights (``p{p}_seed{seed}/{name}``) of a trained ``ensemble``."""
    y_hat = cl.predict(ensemble, data.X_test).argmax(-1).numpy()
    acts = cl.activations(ensemble, data.X_train, layers=ensemble.hidden_names())
    rows, arrays = [], {}
    for m, ((p, seed), net_sizes) in enumerate(zip(nets, sizes)):
        errors = position_errors(y_hat[m], data.y_test.numpy())
        dead = [bn.count_dead_units(acts[name][m][:, :width])
                for name, width in zip(ensemble.hidden_names(), net_sizes[1:-1])]
        rows.append({"depth": depth, "p": p, "seed": seed, "sizes": net_sizes, **errors, **per_net(m),
                     "dead_units": dead, "dead_in_bottleneck": dead[len(dead) // 2]})
        for name, t in bn.unpad_member(ensemble, m).state_dict().items():
            arrays[f"p{p}_seed{seed}/{name}"] = t.numpy()
    return rows, arrays


def run_first_stop(depth: str, data: cl.Split, nets: list[tuple[int, int]], patience: int = PATIENCE,
                   max_epochs: int = 20_000) -> tuple[list[dict], dict]:
    """Train ``nets`` of one depth side by side, each stopped by :class:`FirstStop`; rows and arrays as in
    :func:`run_group`, with each network's stopping epoch."""
    sizes = [bn.bottleneck_sizes(p, depth) for p, _ in nets]
    ensemble = bn.pad_ensemble(sizes, seeds=[s for _, s in nets])
    stopper = FirstStop(data, patience)
    start = time.perf_counter()
    cl.train(ensemble, data, epochs=max_epochs, lr=LR, batch_size=BATCH_SIZE, optimizer="sgd",
             batch_seed=BATCH_SEED, eval_every=None, callback=stopper, progress=False)
    seconds = time.perf_counter() - start
    if stopper.stop_epoch is None or (stopper.stop_epoch < 0).any():
        raise RuntimeError(f"run_first_stop: not every network stopped within max_epochs={max_epochs}; raise it.")
    ensemble.load_state_dict(stopper.frozen)
    rows, weights = _measure(ensemble, data, depth, nets, sizes, lambda m: {
        "best_epoch": int(stopper.kept_epoch[m]), "stop_epoch": int(stopper.stop_epoch[m])})
    return rows, {f"val_loss/{depth}": np.stack(stopper.val_loss), f"seconds/{depth}": np.array(seconds),
                  **{f"{depth}/{k}": v for k, v in weights.items()}}


def run_group(depth: str, data: cl.Split, nets: list[tuple[int, int]], patience: int = PATIENCE,
              max_epochs: int = MAX_EPOCHS, time_limit: float | None = None,
              start_from: dict | None = None) -> tuple[list[dict], dict]:
    """Train the networks ``nets`` ((p, seed) pairs) of one depth side by side with the thesis's recipe.

    Returns:
        (rows, arrays): one JSON-ready dict per network; NumPy arrays for the .npz file.
    """
    sizes = [bn.bottleneck_sizes(p, depth) for p, _ in nets]
    ensemble = bn.pad_ensemble(sizes, seeds=[s for _, s in nets])
    if start_from is not None:   # continue from kept weights: {"p2_seed0/layers.0.weight": array, ...}
        import torch

        with torch.no_grad():
            for m, (p, seed) in enumerate(nets):
                for name, t in ensemble.state_dict().items():
                    w = torch.from_numpy(start_from[f"p{p}_seed{seed}/{name}"])
                    t[m][tuple(slice(0, d) for d in w.shape)] = w
    snap = nets.index((2, 0)) if (2, 0) in nets else None
    stopper = Stopper(data, patience, snap, time_limit=time_limit)
    # The stopper measures the validation loss itself, so train() evaluates nothing (eval_every=None);
    # the test errors are computed once, at the end.
    start = time.perf_counter()
    cl.train(ensemble, data, epochs=max_epochs, lr=LR, batch_size=BATCH_SIZE, optimizer="sgd",
             batch_seed=BATCH_SEED, eval_every=None, callback=stopper, progress=False)
    seconds = time.perf_counter() - start
    epochs_run = len(stopper.val_loss) - 1
    ensemble.load_state_dict(stopper.state)
    rows, weights = _measure(ensemble, data, depth, nets, sizes, lambda m: {
        "best_epoch": int(stopper.best_epoch[m]), "best_val_loss": float(stopper.best_loss[m])})
    arrays = {"val_loss": np.stack(stopper.val_loss), **weights}
    if snap is not None:
        arrays["snapshot_epochs"] = np.array(stopper.snapshot_at)
        for name, values in stopper.snapshots.items():
            width_slices = tuple(slice(0, d) for d in bn.unpad_member(ensemble, snap).state_dict()[name].shape)
            arrays[f"snapshots/{name}"] = np.stack([v[width_slices] for v in values])
    stopped_by = ("time limit" if stopper.timed_out else "epoch cap" if epochs_run >= max_epochs
                  else f"patience ({patience} epochs without improvement)")
    info = {"epochs_run": epochs_run, "seconds": round(seconds, 1), "stopped_by": stopped_by}
    return [dict(r, **info) for r in rows], arrays


def _merge(depth: str, out_dir: Path, group: str, header: dict, rows: list[dict], arrays: dict) -> Path:
    """Replace ``group``'s rows and arrays in the depth's files (locked: groups may run in parallel)."""
    import fcntl

    stem = out_dir / f"ch5_bottleneck_{depth}"             # the set's folder: report.json, weights.npz
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(Path(tempfile.gettempdir()) / f"ch5_bottleneck_{depth}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        json_path, npz_path = stem / "report.json", stem / "weights.npz"
        result = json.loads(json_path.read_text()) if json_path.exists() else {"rows": [], "groups": {}}
        old = dict(np.load(npz_path)) if npz_path.exists() else {}
        mine = {(r["p"], r["seed"]) for r in rows}
        result["rows"] = sorted([r for r in result["rows"] if (r["p"], r["seed"]) not in mine] + rows,
                                key=lambda r: (r["seed"], r["p"]))
        result["groups"] = {g: h for g, h in result["groups"].items() if g in GROUPS}   # groups of older layouts go
        result["groups"][group] = header
        old = {k: v for k, v in old.items() if not k.startswith("val_loss/") or k.split("/", 1)[1] in GROUPS}
        result["data"] = "cl.load_jump_task(sigma=1.0, data_seed=0): 12,000 / 6,000 / 6,000 balanced signals"
        result["dead_units_measured_on"] = "the 12,000 training signals (a unit is dead if it is 0 on all of them)"
        if "snapshot_epochs" in arrays:
            old = {k: v for k, v in old.items() if not k.startswith("snapshot")}
        old.update(arrays)
        write_set(stem, {"report.json": lambda fh: fh.write(json.dumps(result, indent=1).encode()),
                         "weights.npz": lambda fh: np.savez_compressed(fh, **old)})
    return json_path


def _merge_continued(out_dir: Path, row: dict, arrays: dict) -> None:
    """Add one continued network to the "continued" part of ``ch5_bottleneck_shallow/report.json`` (locked; the
    continued weights are not kept)."""
    import fcntl

    folder = out_dir / "ch5_bottleneck_shallow"
    with open(Path(tempfile.gettempdir()) / "ch5_bottleneck_shallow.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = json.loads((folder / "report.json").read_text())
        weights = (folder / "weights.npz").read_bytes()
        part = result.setdefault("continued", {"rows": []})
        part["rows"] = sorted([r for r in part["rows"] if (r["p"], r["seed"]) != (row["p"], row["seed"])] + [row],
                              key=lambda r: (r["seed"], r["p"]))
        part["what"] = ("shallow networks of this file that were still improving at their epoch limit, trained on "
                        "alone from their kept weights; best_epoch counts from the continuation's start, "
                        "total_epochs from the very start")
        write_set(folder, {"report.json": lambda fh: fh.write(json.dumps(result, indent=1).encode()),
                           "weights.npz": lambda fh: fh.write(weights)})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", nargs="+", default=list(GROUPS), choices=list(GROUPS))
    parser.add_argument("--max-epochs", type=int, default=None, help="override every group's limit (for quick tests)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds after which a group stops training (recorded as stopped_by)")
    parser.add_argument("--continue-shallow", nargs="+", default=None, metavar="P:SEED",
                        help="continue these shallow networks (or 'all' for CONTINUE_NETS) from the kept weights")
    parser.add_argument("--first-stop", action="store_true",
                        help="train every network under the thesis's stopping rule, each network alone "
                             "(writes the folder ch5_bottleneck_first_stop/)")
    parser.add_argument("--commit", default=None, help="the commit this tree was checked out from, where git is absent")
    args = parser.parse_args(argv)
    cl.setup(seed=0)
    data = cl.load_jump_task(sigma=1.0, data_seed=DATA_SEED)
    command = "COURSE_LIB_THREADS=1 .venv/bin/python scripts/ch5_bottleneck_sweep.py " + \
        " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    if args.first_stop:
        payload, arrays = {"what": ("every network of both sweeps under the thesis's own stopping rule, applied to each "
                                    "network alone: stop the first time the validation loss has not improved for "
                                    f"{PATIENCE} epochs, keep the weights of its lowest validation loss"),
                           "command": command.strip(), "commit": args.commit or commit(), "machine": machine(),
                           "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "recipe": {"optimizer": "sgd", "momentum": 0.0, "lr": LR, "batch_size": BATCH_SIZE,
                                      "batch_order_seed": BATCH_SEED, "patience": PATIENCE},
                           "seeds": {"weights": [0, 1, 2], "batch_order": BATCH_SEED, "data": DATA_SEED},
                           "rows": []}, {}
        for depth in ("shallow", "deep"):
            nets = sorted({n for g, (d, ns, _) in GROUPS.items() if d == depth for n in ns}, key=lambda n: (n[1], n[0]))
            rows, more = run_first_stop(depth, data, nets)
            payload["rows"] += rows
            arrays.update(more)
            print(f"first stop, {depth}: stopping epochs {[r['stop_epoch'] for r in rows]}", flush=True)
        payload["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        payload["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        write_set(args.out_dir / "ch5_bottleneck_first_stop",
                  {"report.json": lambda fh: fh.write(json.dumps(payload, indent=1).encode()),
                   "weights.npz": lambda fh: np.savez_compressed(fh, **arrays)})
        return
    if args.continue_shallow:
        nets = CONTINUE_NETS if args.continue_shallow == ["all"] else \
            [tuple(int(x) for x in a.split(":")) for a in args.continue_shallow]
        kept = dict(np.load(args.out_dir / "ch5_bottleneck_shallow" / "weights.npz"))
        before = {(r["p"], r["seed"]): r
                  for r in json.loads((args.out_dir / "ch5_bottleneck_shallow" / "report.json").read_text())["rows"]}
        for net in nets:
            header = {"command": command.strip(), "commit": args.commit or commit(),
                      "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
                      "continued_from": {"file": "ch5_bottleneck_shallow/weights.npz", "best_epoch": before[net]["best_epoch"],
                                         "group": before[net]["group"]},
                      "recipe": {"optimizer": "sgd", "momentum": 0.0, "lr": LR, "batch_size": BATCH_SIZE,
                                 "batch_order_seed": BATCH_SEED, "patience": CONTINUE_PATIENCE,
                                 "max_epochs": args.max_epochs or 100_000, "time_limit_s": args.time_limit},
                      "seeds": {"weights": net[1], "batch_order": BATCH_SEED, "data": DATA_SEED}}
            rows, arrays = run_group("shallow", data, [net], patience=CONTINUE_PATIENCE,
                                     max_epochs=args.max_epochs or 100_000, time_limit=args.time_limit, start_from=kept)
            row = dict(rows[0], **header, total_epochs=before[net]["best_epoch"] + rows[0]["best_epoch"],
                       finished=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            _merge_continued(args.out_dir, row, arrays)
            print(f"continued p{net[0]} seed {net[1]}: {row['epochs_run']} epochs, best {row['best_epoch']} "
                  f"({row['stopped_by']}), L1 {before[net]['L1']:.3f} -> {row['L1']:.3f}", flush=True)
        return
    for group in args.groups:
        depth, nets, group_max = GROUPS[group]
        max_epochs = args.max_epochs or group_max
        header = {"command": command.strip(), "commit": args.commit or commit(),
                  "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "machine": machine(), "networks": [list(n) for n in nets],
                  "recipe": {"optimizer": "sgd", "momentum": 0.0, "lr": LR, "batch_size": BATCH_SIZE,
                             "batch_order_seed": BATCH_SEED, "init": "PyTorch default (nn.Linear)",
                             "loss": "cross-entropy", "early_stopping": "weights of the lowest validation loss",
                             "patience": PATIENCE, "max_epochs": max_epochs, "time_limit_s": args.time_limit},
                  "seeds": {"weights": sorted({s for _, s in nets}), "batch_order": BATCH_SEED, "data": DATA_SEED}}
        rows, arrays = run_group(depth, data, nets, max_epochs=max_epochs, time_limit=args.time_limit)
        header.update(epochs_run=rows[0]["epochs_run"], seconds=rows[0]["seconds"], stopped_by=rows[0]["stopped_by"],
                      finished=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        arrays = {(k if k.startswith(("p", "snapshot")) else f"{k}/{group}"): v for k, v in arrays.items()}
        path = _merge(depth, args.out_dir, group, header, [dict(r, group=group) for r in rows], arrays)
        print(f"{group}: {header['epochs_run']} epochs in {header['seconds'] / 60:.1f} min -> {path}", flush=True)


if __name__ == "__main__":
    main()
