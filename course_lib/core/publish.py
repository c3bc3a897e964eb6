"""Publishing a chapter's results: plotly figures that render offline, and glued numbers and figures.

Taught in the introduction (:doc:`/book/00_introduction`).
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
from plotly.offline import get_plotlyjs_version

from course_lib.core.validate import check_bool, check_int, fail


@functools.lru_cache(maxsize=None)
def page_script(name: str) -> str:
    """A file of ``course_lib/pages/js`` without its header comment (the lines starting ``//``)."""
    text = (Path(__file__).parents[1] / "pages" / "js" / name).read_text()
    return "".join(line for line in text.splitlines(True) if not line.startswith("//"))


def figure_html(fig: go.Figure | dict, height: int | None = None) -> str:
    """HTML for a plotly figure: it uses the page's ``window.Plotly`` (else loads plotly.js) and fills its column.

    A figure with a slider (a static twin) also gets previous/next/play buttons and arrow-key stepping.
    """
    if not isinstance(fig, (go.Figure, dict)):
        fail("figure_html", "fig", fig, "is not a plotly figure", "pass a plotly go.Figure or its dict", TypeError)
    if height is not None:
        check_int("figure_html", "height", height, 1, fix="a height in pixels, e.g. height=450, or None")
    fig_dict = fig.to_dict() if isinstance(fig, go.Figure) else fig
    layout = fig_dict.get("layout", {})
    if layout.get("width") is not None:    # a fixed width would overflow a phone
        fig_dict = {**fig_dict, "layout": {k: v for k, v in layout.items() if k != "width"}}
    # plotly escapes "<" as well as "/", so the slashes may stay ("</script>" cannot form)
    fig_json = pio.to_json(fig_dict, validate=False).replace("\\u002f", "/")
    div_id = f"plotly-{uuid.uuid4().hex[:12]}"
    height = height or layout.get("height") or 450
    controls, stepper, focus = "", "", ""
    if layout.get("sliders"):
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
        f'<div id="{div_id}" class="plotly-graph-div course-plotly"{focus} '
        f'style="height:{height}px; width:100%;"></div>\n'
        '<script type="text/javascript">(function () {\n'
        f'  var fig = {fig_json};\n'
        '  fig.layout.dragmode = false;\n'           # a swipe scrolls the page; hover still works
        f'  function draw() {{ Plotly.newPlot("{div_id}", fig.data, fig.layout, '
        '{responsive: true, displaylogo: false, displayModeBar: false, scrollZoom: false})'
        '.then(function () {' + stepper + '}); }\n'
        '  if (window.Plotly) { draw(); } else {\n'
        '    var s = document.createElement("script");\n'
        f'    s.src = "https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"; s.onload = draw;\n'
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
    """Make the book's renderer and the white template plotly's defaults."""
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


def _check_name(fn: str, arg: str, value: Any, fix: str) -> None:
    if not isinstance(value, str) or not value.strip():
        fail(fn, arg, value, "is not a non-empty string", fix, TypeError if not isinstance(value, str) else ValueError)


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Store ``value`` (a number or figure) under ``name`` for the book's prose, and return it.

    With MyST-NB installed (the book's build) it is glued; elsewhere (Colab) a figure is shown in place.
    A matplotlib figure is closed, so that it is not shown a second time.
    """
    _check_name("glue", "name", name, "pass the name the prose uses, e.g. 'ch1_accuracy'")
    check_bool("glue", "display", display)
    is_mpl, is_plotly = hasattr(value, "savefig"), hasattr(value, "to_plotly_json")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:     # not the book's build: show a figure in place
        if is_mpl or is_plotly:
            show(value)
    else:                   # a plotly figure would display itself, bypassing the glue record: glue its MIME bundle
        myst_glue(name, _MimeBundle(value._repr_mimebundle_()) if is_plotly else value, display=display)
    if is_mpl:
        plt.close(value)
    return value


def glue_all(prefix: str, **values: Any) -> dict[str, Any]:
    """Glue a section's numbers in one call (``glue_all("ch2", acc=0.93)`` glues ``ch2_acc``); returns ``values``."""
    _check_name("glue_all", "prefix", prefix, "pass the chapter's prefix, e.g. 'ch2'")
    return {key: glue(f"{prefix}_{key}", value) for key, value in values.items()}
