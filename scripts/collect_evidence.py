"""Run every chapter under the seeds 0-4 and write the evidence ledger: ``make evidence``.

Each run executes a chapter top to bottom in a fresh kernel (working folder ``book/``) with
``COURSE_LIB_SEED`` set to the seed and ``COURSE_LIB_EVIDENCE`` naming a file, so every
``cl.claim(...)`` is recorded, holding or not (see ``course_lib/course/evidence.py``). Two chapters run
at a time, one thread each. The result, ``book/results/evidence.json``, holds per claim its text,
its numbers under every seed and how often it held, plus the hashes of the notebooks' code and of
``course_lib`` (so a test can tell when it is stale), the commit, the machine and the run time.

Usage: .venv/bin/python scripts/collect_evidence.py [--seeds 0 1 2 3 4] [--chapters book/01_templates ...]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
from book_build import notebooks  # noqa: E402
from results_common import commit, machine, write_atomic  # noqa: E402

OUT = ROOT / "book" / "results" / "evidence.json"
SEEDS = (0, 1, 2, 3, 4)


def code_hash(path: Path) -> str:
    """SHA-256 of a notebook's code cells: what decides its numbers (prose edits do not)."""
    nb = nbformat.read(path, as_version=4)
    code = "\n# ---\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return hashlib.sha256(code.encode()).hexdigest()


def library_hash() -> str:
    """SHA-256 of every module of course_lib, its sub-packages' included, in path order."""
    digest = hashlib.sha256()
    package = ROOT / "course_lib"
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def chapters() -> list[str]:
    """The chapters of the toc (numbered notebooks), e.g. ``book/01_templates``."""
    return [doc for doc in notebooks() if Path(doc).name[:2].isdigit()]


def run_chapter(doc: str, seed: int) -> dict:
    """Execute one chapter under one seed; returns its claims, run time and error (if any)."""
    nb = nbformat.read(ROOT / f"{doc}.ipynb", as_version=4)
    with tempfile.NamedTemporaryFile("w+", suffix=".jsonl", delete=False) as fh:
        claims_file = fh.name
    env = {**os.environ, "COURSE_LIB_SEED": str(seed), "COURSE_LIB_EVIDENCE": claims_file,
           "COURSE_LIB_THREADS": "1", "COURSE_LIB_PROGRESS": "0"}
    start, error = time.perf_counter(), None
    try:
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT / "book")}})
        client.execute(env=env)  # the kernel's environment; this process's stays as it is
    except Exception as err:  # a chapter that breaks under a seed is reported, not hidden
        error = f"{type(err).__name__}: {str(err)[-2000:]}"
    lines = Path(claims_file).read_text(encoding="utf-8").splitlines()
    Path(claims_file).unlink(missing_ok=True)
    return {"seconds": round(time.perf_counter() - start, 1), "error": error,
            "claims": [json.loads(line) for line in lines if line.strip()]}


def ledger(runs: dict, seeds: list[int]) -> dict:
    """Per claim: its chapter, text, whether the prose says it always holds, and every seed's numbers."""
    claims: dict[str, dict] = {}
    for doc, by_seed in runs.items():
        for seed, run in by_seed.items():
            for c in run["claims"]:
                entry = claims.setdefault(c["id"], {"chapter": doc, "text": c["text"], "always": c["always"],
                                                    "runs": {}})
                entry["runs"][str(seed)] = {k: c[k] for k in ("holds", "measured", "control", "source")}
    for entry in claims.values():
        entry["holds_in"] = sum(r["holds"] for r in entry["runs"].values())
        entry["seeds_run"] = len(entry["runs"])
    return claims


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--chapters", nargs="+", default=None, help="e.g. book/01_templates (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--jobs", type=int, default=max(1, min(2, len(os.sched_getaffinity(0)))))
    args = parser.parse_args(argv)
    docs = args.chapters or chapters()
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    jobs = [(doc, seed) for doc in docs for seed in args.seeds]
    runs: dict[str, dict] = {doc: {} for doc in docs}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for (doc, seed), result in zip(jobs, pool.map(lambda job: run_chapter(*job), jobs)):
            runs[doc][seed] = result
            state = "ERROR " + result["error"].splitlines()[0][:120] if result["error"] else f"{len(result['claims'])} claims"
            print(f"{doc} seed {seed}: {result['seconds']:5.1f} s, {state}", flush=True)
    claims = ledger(runs, args.seeds)
    payload = {
        "about": "Every claim of the chapters under several seeds; written by `make evidence` "
                 "(scripts/collect_evidence.py). Do not edit by hand.",
        "command": "make evidence", "commit": commit(), "seeds": args.seeds, "started": started.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 1), "machine": machine(),
        "notebooks": {doc: code_hash(ROOT / f"{doc}.ipynb") for doc in docs}, "library": library_hash(),
        "runs": {doc: {str(s): {"seconds": r["seconds"], "error": r["error"], "claims": len(r["claims"])}
                       for s, r in by_seed.items()} for doc, by_seed in runs.items()},
        "claims": claims,
    }
    text = json.dumps(payload, indent=1, sort_keys=True) + "\n"
    write_atomic(args.out, lambda fh: fh.write(text.encode()))
    errors = [(doc, s) for doc, by_seed in runs.items() for s, r in by_seed.items() if r["error"]]
    weak = {cid: c["holds_in"] for cid, c in claims.items() if c["always"] and c["holds_in"] < c["seeds_run"]}
    print(f"\n{len(claims)} claims, {payload['seconds']:.0f} s; written to {args.out}")
    if weak:
        print(f"claims marked as always holding that failed under some seed: {weak}")
    if errors:
        print(f"chapters that broke: {errors}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
