"""Results that belong together are replaced together: a writer killed between the two files of a set
leaves the old set whole, and its leftovers are cleaned by the next run."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from results_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


def test_a_set_is_replaced_in_one_step(tmp_path):
    rc = load_script("results_common")
    folder = tmp_path / "row"
    rc.write_set(folder, {"report.json": lambda fh: fh.write(b'{"v": 1}'), "weights.npz": lambda fh: fh.write(b"w1")})
    rc.write_set(folder, {"report.json": lambda fh: fh.write(b'{"v": 2}'), "weights.npz": lambda fh: fh.write(b"w2")})
    assert json.loads((folder / "report.json").read_text()) == {"v": 2} and (folder / "weights.npz").read_bytes() == b"w2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["row"]          # nothing left beside it


def test_a_writer_killed_between_the_two_files_leaves_the_old_set(tmp_path):
    rc = load_script("results_common")
    folder = tmp_path / "row"
    rc.write_set(folder, {"report.json": lambda fh: fh.write(b'{"v": 1}'), "weights.npz": lambda fh: fh.write(b"w1")})
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT / "scripts")!r})
        import results_common as rc

        def die(fh):                      # the second file of the set: the process is killed while writing it
            fh.write(b"half")
            fh.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        rc.write_set(__import__("pathlib").Path({str(folder)!r}),
                     {{"report.json": lambda fh: fh.write(b'{{"v": 2}}'), "weights.npz": die}})
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert json.loads((folder / "report.json").read_text()) == {"v": 1}   # the old set, whole
    assert (folder / "weights.npz").read_bytes() == b"w1"
    assert any(p.name.startswith(".row.new-") for p in tmp_path.iterdir())  # the killed run's leftover
    leftover = tmp_path / "stale.json.tmp"
    leftover.write_text("half")
    rc.write_set(folder, {"report.json": lambda fh: fh.write(b'{"v": 3}'), "weights.npz": lambda fh: fh.write(b"w3")})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["row"]           # the next run cleans up
    assert json.loads((folder / "report.json").read_text()) == {"v": 3}
