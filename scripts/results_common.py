"""What the full-length results scripts (``scripts/ch*_*.py``, ``make results``) share.

* :func:`machine`: what ran a script, recorded beside its timings;
* :func:`write_atomic` and :func:`write_json`: results files are replaced whole or not at all;
* :class:`EarlyStopper`: the thesis's stopping rule for an ensemble trained side by side.

The scripts import this module as a sibling (``scripts/`` is on ``sys.path`` when a script runs, and
the tests' ``load_script`` puts it there).
"""
from __future__ import annotations

import copy
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
import torch

import course_lib as cl
from course_lib.train import evaluate


def machine() -> dict:
    """What ran the script: enough to judge the timings."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor())
    return {"platform": platform.platform(), "cpu": model, "usable_cpus": cl.available_cpus(),
            "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def commit() -> str:
    """The checkout's commit, with "+dirty" when tracked files other than the results differ from it
    ("unknown" without git)."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        # results being written (by this run or a parallel one) are outputs, not the code that made them
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":!book/results", ":!course_lib/results_manifest.json"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_atomic(path: Path, write: Callable) -> None:
    """Create ``path`` (mode 644) from ``write(binary file)``, so that readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: dict) -> None:
    """:func:`write_atomic` for a JSON document (indent 1, final newline)."""
    write_atomic(path, lambda fh: fh.write((json.dumps(payload, indent=1) + "\n").encode()))


class EarlyStopper:
    """Training callback: keep each member's weights of its lowest validation loss; stop after
    ``patience`` epochs in which no member improved (by raising :class:`course_lib.StopTraining`).

    Subclasses add per-epoch work (snapshots, memory trimming) in :meth:`on_epoch`, which runs after the
    validation loss is recorded and before the best weights are updated.
    """

    def __init__(self, data: cl.Split, patience: int):
        self.data, self.patience = data, patience
        self.best_loss, self.best_epoch, self.state, self.val_loss = None, None, None, []

    def on_epoch(self, event) -> None:
        """Hook for subclasses; does nothing here."""

    def __call__(self, event) -> None:
        if event.phase != "epoch":
            return
        loss = np.atleast_1d(evaluate(event.model, self.data.X_val, self.data.y_val)[0])
        self.val_loss.append(loss)
        self.on_epoch(event)
        if self.state is None:
            self.best_loss, self.best_epoch = loss.copy(), np.zeros(len(loss), int)
            self.state = copy.deepcopy(event.model.state_dict())
            return
        improved = loss < self.best_loss
        self.best_loss = np.where(improved, loss, self.best_loss)
        self.best_epoch = np.where(improved, event.epoch, self.best_epoch)
        mask = torch.from_numpy(improved)
        for name, tensor in event.model.state_dict().items():
            self.state[name][mask] = tensor[mask].clone()
        if event.epoch - self.best_epoch.max() >= self.patience:
            raise cl.StopTraining   # cl.train ends there and returns
