"""Execute one chapter in a fresh kernel and print the wall time of every code cell.

Usage: .venv/bin/python scripts/time_notebook.py book/01_templates.ipynb
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t = time.perf_counter()
            client.execute_cell(cell, i)
            first = (cell.source.splitlines() or [""])[0][:70]
            print(f"cell {i:3d} {time.perf_counter() - t:7.2f} s  {first}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"total {time.perf_counter() - start:.1f} s; peak memory of the kernel {peak:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
