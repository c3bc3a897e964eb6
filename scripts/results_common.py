"""What the full-length results scripts (``scripts/ch*_*.py``, ``make results``) share.

* :func:`machine`: what ran a script, recorded beside its timings;
* :func:`write_atomic` and :func:`write_json`: results files are replaced whole or not at all;
* :func:`write_set`: files that belong together (a report and its weights) live in one folder, which is
  replaced in one step, so a reader sees the old set or the new one, never half of each;
* :class:`EarlyStopper`: the thesis's stopping rule for an ensemble trained side by side.

The scripts import this module as a sibling (``scripts/`` is on ``sys.path`` when a script runs, and
the tests' ``load_script`` puts it there).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
import torch

import course_lib as cl
from course_lib.core.evaluate import evaluate
from course_lib.core.files import write_atomic
from course_lib.core.history import BestWeights


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
                                ":!book/results", ":!course_lib/course/results_manifest.json"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_json(path: Path, payload: dict) -> None:
    """:func:`write_atomic` for a JSON document (indent 1, final newline)."""
    write_atomic(path, lambda fh: fh.write((json.dumps(payload, indent=1) + "\n").encode()))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def write_set(folder: Path, files: dict[str, Callable]) -> None:
    """Write the files of one results set (name -> ``write(binary file)``) into ``folder``, replacing
    the folder's previous contents in one step.

    The new set is written beside it (``.<folder>.new-*``) and swapped in with an atomic exchange of
    the two folders, so a process killed at any point leaves either the old set or the new one, whole;
    leftovers of a killed run (``.*.new-*``, ``.*.old-*``, ``*.tmp``) are removed by the next call.
    """
    folder = Path(folder)
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(parent)
    new = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.new-"))
    try:
        for name, write in files.items():
            with open(new / name, "wb") as fh:
                write(fh)
            os.chmod(new / name, 0o644)
        os.chmod(new, 0o755)
        if folder.exists():
            if not _exchange(new, folder):                       # not Linux: two renames, "absent" between
                old = parent / f".{folder.name}.old-{os.getpid()}"
                os.replace(folder, old)
                os.replace(new, folder)
                new = old
        else:
            os.replace(new, folder)
    finally:
        shutil.rmtree(new, ignore_errors=True)                  # after the exchange: the old set


def clean_leftovers(parent: Path) -> list[Path]:
    """Remove what killed writers left in ``parent``: half-written sets and ``*.tmp`` files."""
    gone = [p for p in Path(parent).glob(".*.new-*")] + [p for p in Path(parent).glob(".*.old-*")] \
        + [p for p in Path(parent).glob("*.tmp")]
    for p in gone:
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    return gone


class EarlyStopper:
    """Training callback: keep each member's weights of its lowest validation loss; stop after
    ``patience`` epochs in which no member improved (by raising :class:`course_lib.StopTraining`).

    Subclasses add per-epoch work (snapshots, memory trimming) in :meth:`on_epoch`, which runs after the
    validation loss is recorded and before the best weights are updated.
    """

    def __init__(self, data: cl.Split, patience: int):
        self.data, self.patience = data, patience
        self.best, self.val_loss, self.val_acc = BestWeights(), [], []

    @property
    def best_loss(self):
        return self.best.loss

    @property
    def best_epoch(self):
        return self.best.epoch

    @property
    def state(self):
        return self.best.state

    def on_epoch(self, event) -> None:
        """Hook for subclasses; does nothing here."""

    def __call__(self, event) -> None:
        if event.phase != "epoch":
            return
        loss, acc = (np.atleast_1d(v) for v in evaluate(event.model, self.data.X_val, self.data.y_val))
        self.val_loss.append(loss)
        self.val_acc.append(acc)
        self.on_epoch(event)
        first = self.best.state is None
        self.best.update(event.model, loss, event.epoch)
        if not first and event.epoch - self.best.epoch.max() >= self.patience:
            raise cl.StopTraining   # cl.train ends there and returns
