"""Publishing a chapter's results: plotly figures that render offline, and glued numbers and figures.

Taught in the introduction (:doc:`/book/00_introduction`). :func:`glue` stores a number or figure for
the prose (MyST-NB's glue in the book's build; elsewhere it only returns the value);
:func:`figure_html` emits a plotly figure that uses the site's own copy of plotly.js.
"""
from __future__ import annotations

import functools
import json
import uuid
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import display as show

from course_lib.core.validate import check_bool, check_int, fail


@functools.lru_cache(maxsize=None)
def page_script(name: str) -> str:
    """A file of ``course_lib/pages/js`` as a page inlines it: read once, without its header comment (the
    lines starting ``//``, which name the placeholders the caller fills in)."""
    text = (Path(__file__).parents[1] / "pages" / "js" / name).read_text()
    return "".join(line for line in text.splitlines(True) if not line.startswith("//"))


def figure_html(fig: go.Figure | dict, height: int | None = None) -> str:
    """HTML for a plotly figure that uses ``window.Plotly`` when the page has it (the book
    serves its own copy) and loads the matching plotly.js otherwise (Colab).

    A figure with a slider (a static twin) also gets previous/next buttons, a play button that
    animates its states, and arrow-key stepping, so it can be used without a mouse. Figures do not
    zoom on a drag or a swipe (a swipe scrolls the page on a phone) and show no mode bar; hover still
    works. A figure fills the width of its column (a ``layout.width`` is dropped), so it fits a phone.
    """
    if not isinstance(fig, (go.Figure, dict)):
        fail("figure_html", "fig", fig, "is not a plotly figure", "pass a plotly go.Figure or its dict", TypeError)
    if height is not None:
        check_int("figure_html", "height", height, 1, fix="a height in pixels, e.g. height=450, or None")
    fig_dict = fig.to_dict() if isinstance(fig, go.Figure) else fig
    if fig_dict.get("layout", {}).get("width") is not None:    # a fixed width would overflow a phone
        fig_dict = {**fig_dict, "layout": {k: v for k, v in fig_dict["layout"].items() if k != "width"}}
    # plotly escapes every "/" as \u002f (six bytes) so that "</script>" cannot occur; it escapes "<"
    # too, so no "</" can form and the base64 data may keep its slashes (about 8 % lighter figures).
    fig_json = pio.to_json(fig_dict, validate=False).replace("\\u002f", "/")
    div_id = f"plotly-{uuid.uuid4().hex[:12]}"
    height = height or (fig_dict.get("layout", {}).get("height") or 450)
    version = __import__("plotly.offline", fromlist=["get_plotlyjs_version"]).get_plotlyjs_version()
    has_slider = bool(fig_dict.get("layout", {}).get("sliders"))
    controls, stepper, focus = "", "", ""
    if has_slider:
        controls = (f'<div class="course-stepper" role="group" aria-label="Step through the states of the figure">'
                    f'<button type="button" id="{div_id}-prev" aria-controls="{div_id}">&#9664; Previous</button>'
                    f'<button type="button" id="{div_id}-next" aria-controls="{div_id}">Next &#9654;</button>'
                    f'<button type="button" id="{div_id}-play" aria-controls="{div_id}" aria-pressed="false">'
                    f'&#9654; Play</button>'
                    f'<span id="{div_id}-state" class="course-stepper-state" aria-live="polite"></span></div>\n')
        stepper = page_script("stepper.js").replace("STEP", div_id)   # buttons, arrow keys, play
        focus = ' tabindex="0"'
    return (
        controls +
        f'<div id="{div_id}" class="plotly-graph-div course-plotly"{focus} style="height:{height}px; width:100%;"></div>\n'
        '<script type="text/javascript">(function () {\n'
        f'  var fig = {fig_json};\n'
        # A swipe over a figure scrolls the page (no drag-zoom); hover still works; no mode bar.
        '  fig.layout.dragmode = false;\n'
        f'  function draw() {{ Plotly.newPlot("{div_id}", fig.data, fig.layout, '
        '{responsive: true, displaylogo: false, displayModeBar: false, scrollZoom: false})'
        '.then(function () {' + stepper + '}); }\n'
        '  if (window.Plotly) { draw(); } else {\n'
        '    var s = document.createElement("script");\n'
        f'    s.src = "https://cdn.plot.ly/plotly-{version}.min.js"; s.onload = draw;\n'
        '    document.head.appendChild(s);\n'
        '  }\n'
        '})();</script>'
    )


class _BookRenderer(pio.base_renderers.MimetypeRenderer):
    """plotly renderer: plotly's MIME type for JupyterLab/VS Code plus HTML for the site and Colab."""

    def to_mimebundle(self, fig_dict: dict) -> dict:
        clean = json.loads(pio.to_json(fig_dict, validate=False))
        return {"application/vnd.plotly.v1+json": clean, "text/html": figure_html(clean)}


def register_renderer() -> None:
    """Make the book's renderer and the white template plotly's defaults (done on import)."""
    pio.renderers["course"] = _BookRenderer()
    pio.renderers.default = "course"
    pio.templates.default = "plotly_white"


class _MimeBundle:
    """A ready MIME bundle that IPython's formatters display as it is."""

    def __init__(self, bundle: dict):
        self.bundle = bundle

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return self.bundle

    def __repr__(self) -> str:
        return "<plotly figure>"


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Store ``value`` under ``name`` for the book's prose and figures, and return it.

    Numbers are inserted into the text with ``{glue:text}`name:.1%```; figures (matplotlib or
    plotly) are placed with a ``{glue:figure}`` directive that gives them a numbered caption.
    Uses MyST-NB's ``glue`` when it is installed (the book's build). Elsewhere (Colab) values
    are only returned and figures are shown in place, so chapters run anywhere.
    A glued matplotlib figure is closed so that it is not shown a second time.
    """
    if not isinstance(name, str) or not name.strip():
        fail("glue", "name", name, "is not a non-empty string", "pass the name the prose uses, e.g. 'ch1_accuracy'",
             TypeError if not isinstance(name, str) else ValueError)
    check_bool("glue", "display", display)
    is_mpl = hasattr(value, "savefig")
    is_figure = is_mpl or hasattr(value, "to_plotly_json")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        myst_glue = None
    if myst_glue is not None:
        # A plotly figure displays itself (``_ipython_display_``), which would bypass the glue
        # record; hand MyST-NB its MIME bundle instead.
        stored = _MimeBundle(value._repr_mimebundle_()) if hasattr(value, "to_plotly_json") else value
        myst_glue(name, stored, display=display)
    elif is_figure:
        show(value)
    if is_mpl:
        plt.close(value)
    return value


def glue_all(prefix: str, **values: Any) -> dict[str, Any]:
    """Glue a section's numbers in one call: ``glue_all("ch2", acc=0.93)`` glues ``ch2_acc``.

    Returns the values by their short names, so a cell can glue and keep using them.
    """
    if not isinstance(prefix, str) or not prefix.strip():
        fail("glue_all", "prefix", prefix, "is not a non-empty string", "pass the chapter's prefix, e.g. 'ch2'",
             TypeError if not isinstance(prefix, str) else ValueError)
    return {key: glue(f"{prefix}_{key}", value) for key, value in values.items()}
