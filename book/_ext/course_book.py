"""Sphinx extension of the book: local plotly.js, no progress bars, execution times.

* plotly.js is copied from the installed plotly package into ``_static`` and loaded by every
  page, so figures draw with no network (no CDN);
* ``COURSE_LIB_PROGRESS=0`` is set before any notebook runs, so tqdm bars never reach the site;
* after the build, ``_build/exec_times.json`` lists each notebook's execution time (seconds),
  which ``make book`` prints and the budget test checks.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

os.environ["COURSE_LIB_PROGRESS"] = "0"  # inherited by the kernels that execute the chapters
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _on_builder_inited(app) -> None:
    if app.builder.format == "html":
        app.add_js_file("plotly.min.js", priority=200)


def _on_build_finished(app, exception) -> None:
    if exception is not None:
        return
    if app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_plotly_js(), static / "plotly.min.js")
    from myst_nb.sphinx_ import NbMetadataCollector

    data = NbMetadataCollector.get_doc_data(app.env)
    times = {doc: {k: d["exec_data"].get(k) for k in ("runtime", "method", "succeeded", "mtime")}
             for doc, d in sorted(data.items()) if d.get("exec_data")}
    out = Path(app.outdir).parent / "exec_times.json"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(times, indent=1, default=str))
    os.replace(tmp, out)


def setup(app):
    app.connect("builder-inited", _on_builder_inited)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
