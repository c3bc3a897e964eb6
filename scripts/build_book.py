"""Build the book and report what it cost: per-chapter execution time, total time, peak memory.

Run by ``make book``. Builds with Sphinx's nitpicky mode and warnings as errors.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    start, started_at = time.perf_counter(), time.time()
    cmd = [sys.executable, "-m", "jupyter_book", "build", str(ROOT), "-n", "-W", "--keep-going"]
    jb = Path(sys.executable).with_name("jupyter-book")
    if jb.exists():
        cmd = [str(jb), "build", str(ROOT), "-n", "-W", "--keep-going"]
    rc = subprocess.call(cmd)
    total = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    times_file = ROOT / "_build" / "exec_times.json"
    if times_file.exists():
        print("\nChapter execution times (seconds of the run that filled the execution cache):")
        for doc, info in json.loads(times_file.read_text()).items():
            runtime = info.get("runtime")
            shown = f"{runtime:6.1f} s" if isinstance(runtime, (int, float)) else "   n/a  "
            fresh = isinstance(info.get("mtime"), (int, float)) and info["mtime"] >= started_at
            print(f"  {doc:40s} {shown}  ({'executed by this build' if fresh else 'reused from the cache'})")
    print(f"\nmake book: {total:.0f} s in all; peak memory of one process (build or chapter kernel): {peak_mb:.0f} MB")
    index = ROOT / "_build" / "html" / "index.html"
    if rc == 0:
        print(f"The site is ready: {index}")
    else:
        print(f"The build failed (exit code {rc}); see the messages above.", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
