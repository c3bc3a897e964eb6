"""The live panels of a chapter work with Colab's widget stack and with the book's own.

Colab's runtime ships ipywidgets 7.7.1 and plotly 5.24 and imports ipywidgets at start-up, so
the set-up cell cannot replace them. ``make test`` installs those versions into
``.venv/colab-compat`` (see the Makefile); here a Jupyter kernel runs the introduction's cells
up to its last live panel with that folder first on its ``PYTHONPATH``, and a second kernel
runs them with the book's own environment (ipywidgets 8). No downloads at test time.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "00_introduction.ipynb"
COLAB_COMPAT = ROOT / ".venv" / "colab-compat"
VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"

# Runs after the chapter's cells: for every live panel, move its first control to another value
# and report what the kernel saw, as one line of JSON.
PROBE = '''
import json as _json
import ipywidgets as _widgets, plotly as _plotly
from course_lib.core.panels import Panel as _Panel

def _other(control):
    if hasattr(control, "options"):
        return next(v for v in (control.options[-1], control.options[0]) if v != control.value)
    return control.max if control.value != control.max else control.min

_report = {"ipywidgets": _widgets.__version__, "plotly": _plotly.__version__, "panels": {}}
for _name, _panel in list(globals().items()):
    if isinstance(_panel, _Panel) and not _name.startswith("_"):  # not IPython's _, __, _13
        _control = next(iter(_panel.controls))
        _before, _calls = _panel.figure.to_json(), _panel.calls
        _panel.controls[_control].value = _other(_panel.controls[_control])
        _report["panels"][_name] = {
            "model_id": _panel.widget.model_id, "output_id": _panel.output.model_id,
            "control": _control, "recomputed": _panel.calls == _calls + 1,
            "changed": _panel.figure.to_json() != _before,
            "title": _panel.figure.layout.title.text}
print(_json.dumps(_report))
'''


def chapter_up_to_last_panel(path: Path) -> nbformat.NotebookNode:
    """The chapter's cells up to and including its last ``cl.live(`` cell, then the probe cell."""
    nb = nbformat.read(path, as_version=4)
    live = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "cl.live(" in c.source]
    assert live, f"{path.name} has no cell that calls cl.live("
    nb.cells = nb.cells[:live[-1] + 1] + [nbformat.v4.new_code_cell(PROBE)]
    return nb


ENVIRONMENTS = {
    # name: (folder put first on the kernel's PYTHONPATH, expected ipywidgets, expected plotly)
    "colab": (COLAB_COMPAT, "7.7.1", "5.24.1"),
    "book": (None, "8.", None),
}


@pytest.mark.parametrize("env_name", list(ENVIRONMENTS))
def test_live_panels_of_a_chapter_display_and_recompute(env_name):
    from nbclient import NotebookClient

    folder, ipywidgets_version, plotly_version = ENVIRONMENTS[env_name]
    if folder is not None and not (folder / ".installed").exists():
        pytest.skip(f"{folder} is missing: `make test` (or `make .venv/colab-compat/.installed`) installs "
                    "Colab's ipywidgets 7.7.1 and plotly 5.24.1 there")
    paths = [str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    if folder is not None:
        paths.insert(0, str(folder))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}

    nb = chapter_up_to_last_panel(CHAPTER)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(CHAPTER.parent)}}).execute(env=env)

    code = [c for c in nb.cells if c.cell_type == "code"]
    # No error and nothing on stderr (a traceback or warning a reader would see).
    errors = [(c.source[:60], o.get("ename") or o.get("text"))
              for c in code for o in c.outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert not errors, errors
    report = json.loads(code[-1].outputs[-1]["text"])
    # The kernel really used the environment under test.
    assert report["ipywidgets"].startswith(ipywidgets_version), report
    if plotly_version is not None:
        assert report["plotly"] == plotly_version, report

    panels = report["panels"]
    live_cells = [c for c in code if "cl.live(" in c.source]
    shown = [o["data"] for c in live_cells for o in c.outputs if VIEW in o.get("data", {})]
    assert len(shown) == len(live_cells) == len(panels), (len(shown), len(live_cells), panels)
    widget_state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    for data, (name, panel) in zip(shown, panels.items()):
        # A widget view of the panel's own box, whose model the kernel opened, plus the site's note.
        assert data[VIEW]["model_id"] == panel["model_id"], (data[VIEW], name)
        assert (data[VIEW]["version_major"], data[VIEW]["version_minor"]) == (2, 0)
        assert panel["model_id"] in widget_state
        assert "course-live-note" in data["text/html"] and "Binder" in data["text/html"]
        # Driving a control recomputed the figure, and the new figure reached the Output widget.
        assert panel["recomputed"] and panel["changed"], panel
        outputs = widget_state[panel["output_id"]]["state"]["outputs"]
        assert outputs[-1]["data"][PLOTLY]["layout"]["title"]["text"] == panel["title"], name
