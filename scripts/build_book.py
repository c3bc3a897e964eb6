"""Build the book and report what it cost: per-chapter execution time, total time, peak memory.

Run by ``make book``. Builds with Sphinx's nitpicky mode and warnings as errors.

Before Sphinx runs, the notebooks whose code changed since the last build are executed two at a
time (one kernel per usable CPU, one thread each) and put into Jupyter Book's execution cache, the
same cache and the same execution settings as MyST-NB's own ``execute_notebooks: cache``; Sphinx
then finds every notebook executed. On two cores this halves the wait, and each chapter's recorded
time is still its own kernel's run time.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
SITE = ROOT / "_build" / "html"
TIMEOUT = 300  # seconds per notebook, as execute.timeout in _config.yml


def _execute(path: str) -> tuple[str, str | None, float, str | None]:
    """Run one notebook in a fresh kernel (in a worker process); returns (path, notebook JSON, seconds, error)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=TIMEOUT, allow_errors=False,
                                 meta_override=True)
    if result.err is not None:
        return path, None, result.time, result.exc_string
    return path, nbformat.writes(nb), result.time, None


def open_cache(path: Path = CACHE):
    """Jupyter-cache's cache at ``path``; a damaged one (unreadable database) is reported and recreated."""
    from jupyter_cache import get_cache

    try:
        cache = get_cache(str(path))
        cache.list_cache_records()                 # reads the database: fails if it is corrupt
        return cache
    except Exception as err:  # sqlite3 / SQLAlchemy errors, a truncated file: all mean the same here
        print(f"The execution cache at {path} is damaged ({type(err).__name__}: {str(err).splitlines()[0][:200]}); "
              "deleting it and executing every chapter again.", file=sys.stderr, flush=True)
        shutil.rmtree(path, ignore_errors=True)
        return get_cache(str(path))


def stale_notebooks(cache, paths: list[Path]) -> list[Path]:
    """The notebooks without a readable cached execution of their current code; cached executions that
    cannot be read back (truncated, corrupt) are reported and dropped."""
    import nbformat

    stale = []
    for path in paths:
        try:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            stale.append(path)
            continue
        try:
            cache.get_cache_bundle(record.pk).nb           # read the cached notebook back
        except Exception as err:
            print(f"The cached execution of {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
                  f"(record {record.pk} in {cache.path}) is damaged ({type(err).__name__}); executing it again.",
                  file=sys.stderr, flush=True)
            cache.remove_cache(record.pk)
            stale.append(path)
    return stale


def failure_report(name: str, error: str, seconds: float) -> str:
    """What the terminal shows for a chapter that failed: its name, the failing cell and the traceback
    (nbclient's message holds both), between FAILED rules."""
    rule = "=" * 78
    return f"\n{rule}\nFAILED: {name} (after {seconds:.1f} s)\n{rule}\n{error.rstrip()}\n{rule}\n"


def prefill_cache() -> list[str]:
    """Execute the notebooks missing from the execution cache in parallel and cache them.

    Returns:
        the notebooks that failed (empty when all ran).
    """
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    sys.path.insert(0, str(ROOT / "tests"))
    from book_build import notebooks

    cache = open_cache()
    docs = notebooks()
    stale = [str(p) for p in stale_notebooks(cache, [ROOT / f"{doc}.ipynb" for doc in docs])]
    failed: list[str] = []
    if not stale:
        return failed
    workers = max(1, min(len(stale), len(os.sched_getaffinity(0))))
    print(f"Executing {len(stale)} notebook(s), {workers} at a time...", flush=True)
    os.environ["COURSE_LIB_PROGRESS"] = "0"   # no progress bars in the pages (the kernels inherit it)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        for path, text, seconds, error in pool.map(_execute, stale):
            name = Path(path).relative_to(ROOT)
            if error is not None:   # left uncached; the build stops before Sphinx (see main)
                print(failure_report(str(name), error, seconds), file=sys.stderr, flush=True)
                failed.append(str(name))
                continue
            stage = cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(CacheBundleIn(nbformat.reads(text, as_version=4), stage.uri,
                                                      data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            print(f"  {name}: {seconds:.1f} s", flush=True)
    record = {"notebooks_executed": len(stale), "notebooks": len(docs), "workers": workers,
              "wall_seconds": round(time.perf_counter() - t0, 1)}
    out = ROOT / "_build" / "execution.json"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, out)
    return failed


def publish(build) -> int:
    """Run ``build()`` (returns an exit code) so that ``_build/html`` changes only if it succeeds: the
    previous site is kept aside during the build and put back if the build fails."""
    keep = SITE.with_name("html.previous")
    shutil.rmtree(keep, ignore_errors=True)
    if SITE.exists():
        shutil.copytree(SITE, keep, symlinks=True)
    rc = build()
    if rc != 0 and keep.exists():
        shutil.rmtree(SITE, ignore_errors=True)
        os.replace(keep, SITE)
        print(f"The build failed; the previous site in {SITE} is left as it was.", file=sys.stderr)
    shutil.rmtree(keep, ignore_errors=True)
    return rc


def main() -> int:
    start, started_at = time.perf_counter(), time.time()
    failed = prefill_cache()
    if failed:
        print(f"make book: {len(failed)} chapter(s) FAILED to execute: {', '.join(failed)} (cells and tracebacks "
              f"above). The site in {SITE} was not changed.", file=sys.stderr)
        return 1
    executed = time.perf_counter() - start
    cmd = [sys.executable, "-m", "jupyter_book", "build", str(ROOT), "-n", "-W", "--keep-going"]
    jb = Path(sys.executable).with_name("jupyter-book")
    if jb.exists():
        cmd = [str(jb), "build", str(ROOT), "-n", "-W", "--keep-going"]
    rc = publish(lambda: subprocess.call(cmd))
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
    print(f"\nmake book: {total:.0f} s in all, of which {executed:.0f} s executing notebooks in parallel; peak memory of one process (build or chapter kernel): {peak_mb:.0f} MB")
    index = ROOT / "_build" / "html" / "index.html"
    if rc == 0:
        print(f"The site is ready: {index}")
    else:
        print(f"The build failed (exit code {rc}); see the messages above.", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
