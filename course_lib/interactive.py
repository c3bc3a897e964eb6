"""Interactivity with two paths from one definition: a live widget and its static twin.

Introduced in the introduction chapter. A chapter defines a function of a few parameters
that returns a plotly figure, and the grid of values each parameter takes:

* :func:`live` builds an ipywidgets panel that calls the function again whenever a control
  moves (needs a kernel: Jupyter, Binder, Colab);
* :func:`static_twin` calls it once per grid value and stacks the results into one plotly
  figure with a slider, which works on the published site with no kernel and no network.

Importing course_lib also registers a plotly renderer that emits both plotly's own MIME type
(JupyterLab, VS Code) and self-contained HTML that uses the site's local copy of plotly.js
(the book) or loads it when missing (Colab, classic notebook).
"""
from __future__ import annotations

import html
import itertools
import json
import uuid
from typing import Any, Callable, Mapping, Sequence

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from .validate import calling, check_bool, check_callable, check_int, check_mapping, check_number, fail, guarded

__all__ = ["Panel", "live", "static_twin", "glue", "controls_from_grid", "weight_grid_figure", "figure_html",
           "register_renderer", "LIVE_NOTE", "LIVE_NOTE_NO_TWIN"]

#: What a live panel shows on the static site (where no kernel can recompute it).
LIVE_NOTE = ("<div class='course-live-note admonition note'><p class='admonition-title'>Live panel</p>"
             "<p>This panel recomputes in a running kernel. Open the page in Binder or Colab "
             "(rocket button at the top) or run the notebook locally to use it; the static "
             "version with a slider is right next to it.</p></div>")
#: The same note for a panel that has no static twin (``live(..., twin=False)``).
LIVE_NOTE_NO_TWIN = ("<div class='course-live-note admonition note'><p class='admonition-title'>Live panel</p>"
                     "<p>This panel recomputes in a running kernel. Open the page in Binder or Colab "
                     "(rocket button at the top) or run the notebook locally to use it; it has no static "
                     "version on this page.</p></div>")


#: Keyboard access to a static twin: previous/next buttons beside its slider, the arrow keys on the
#: focused figure, and a live region that says which state is shown. ``STEP`` is replaced by the
#: figure's id. Every step of a twin's slider is a ``Plotly.update`` call (see :func:`static_twin`).
_STEPPER_JS = """
  function step(delta) {
    var gd = document.getElementById("STEP"), s = gd.layout.sliders[0], n = s.steps.length;
    var i = Math.max(0, Math.min(n - 1, (s.active || 0) + delta)), st = s.steps[i];
    var layout = Object.assign({}, st.args[1] || {}, {"sliders[0].active": i});
    Plotly.update(gd, st.args[0], layout);
  }
  function announce() {
    var gd = document.getElementById("STEP"), s = gd.layout.sliders[0], i = s.active || 0;
    document.getElementById("STEP-state").textContent =
      "State " + (i + 1) + " of " + s.steps.length + ": " + (s.currentvalue && s.currentvalue.prefix || "") + s.steps[i].label;
  }
  document.getElementById("STEP-prev").onclick = function () { step(-1); };
  document.getElementById("STEP-next").onclick = function () { step(1); };
  var gd = document.getElementById("STEP");
  gd.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") { step(e.key === "ArrowLeft" ? -1 : 1); e.preventDefault(); }
  });
  gd.on("plotly_update", announce); gd.on("plotly_sliderchange", announce); announce();
"""


def figure_html(fig: go.Figure | dict, height: int | None = None) -> str:
    """HTML for a plotly figure that uses ``window.Plotly`` when the page has it (the book
    serves its own copy) and loads the matching plotly.js otherwise (Colab).

    A figure with a slider (a static twin) also gets previous/next buttons and arrow-key
    stepping, so it can be used without a mouse. Figures do not zoom on a drag or a swipe (a swipe
    scrolls the page on a phone) and show no mode bar; hover still works.
    """
    if not isinstance(fig, (go.Figure, dict)):
        fail("figure_html", "fig", fig, "is not a plotly figure", "pass a plotly go.Figure or its dict", TypeError)
    if height is not None:
        check_int("figure_html", "height", height, 1, fix="a height in pixels, e.g. height=450, or None")
    fig_dict = fig.to_dict() if isinstance(fig, go.Figure) else fig
    fig_json = pio.to_json(fig_dict, validate=False)
    div_id = f"plotly-{uuid.uuid4().hex[:12]}"
    height = height or (fig_dict.get("layout", {}).get("height") or 450)
    version = __import__("plotly.offline", fromlist=["get_plotlyjs_version"]).get_plotlyjs_version()
    has_slider = bool(fig_dict.get("layout", {}).get("sliders"))
    controls, stepper, focus = "", "", ""
    if has_slider:
        controls = (f'<div class="course-stepper" role="group" aria-label="Step through the states of the figure">'
                    f'<button type="button" id="{div_id}-prev" aria-controls="{div_id}">&#9664; Previous</button>'
                    f'<button type="button" id="{div_id}-next" aria-controls="{div_id}">Next &#9654;</button>'
                    f'<span id="{div_id}-state" class="course-stepper-state" aria-live="polite"></span></div>\n')
        stepper = _STEPPER_JS.replace("STEP", div_id)
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


def controls_from_grid(grid: Mapping[str, Sequence | Any]) -> dict:
    """One ipywidgets control per parameter: numbers get a slider over the listed values,
    strings and booleans a toggle; a widget passes through unchanged."""
    import ipywidgets as widgets

    check_mapping("controls_from_grid", "grid", grid, "pass e.g. grid={'k': [1, 2, 3]}")
    controls = {}
    for name, values in grid.items():
        if isinstance(values, widgets.ValueWidget):
            controls[name] = values
            continue
        values = _grid_values("controls_from_grid", grid, name)
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            controls[name] = widgets.SelectionSlider(options=values, value=values[0], description=name,
                                                     continuous_update=False)
        else:
            controls[name] = widgets.ToggleButtons(options=values, value=values[0], description=name)
    return controls


class Panel:
    """A live panel: controls, and the figure ``fn(**values)`` redrawn whenever one changes.

    Attributes:
        controls: parameter name -> ipywidgets control (set ``.value`` to drive it).
        figure: the figure of the current values; calls: how often ``fn`` has run.
        widget: the ipywidgets box to display.
    """

    def __init__(self, fn: Callable[..., Any], controls: Mapping[str, Any], twin: bool = True):
        import ipywidgets as widgets

        self.fn, self.controls, self.calls, self.figure = fn, dict(controls), 0, None
        self.note = LIVE_NOTE if twin else LIVE_NOTE_NO_TWIN
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.output])
        for control in self.controls.values():
            control.observe(self._update, names="value")
        self._update()

    def values(self) -> dict:
        """The current value of every control."""
        return {name: control.value for name, control in self.controls.items()}

    def _update(self, _change=None) -> None:
        from IPython import get_ipython

        values = self.values()
        self.figure = guarded("live", lambda: self.fn(**values),
                              "the grid values " + ", ".join(f"{k}={v!r}" for k, v in values.items()))
        self.calls += 1
        shell = get_ipython()
        if shell is None:  # plain Python (tests): nothing to draw into
            return
        # Set the Output widget's content directly: ``with output: display(...)`` depends on
        # message routing that is fragile across kernel versions.
        if hasattr(self.figure, "to_plotly_json"):  # plotly: its bundle, without displaying it
            data, metadata = self.figure._repr_mimebundle_(), {}
        else:
            data, metadata = shell.display_formatter.format(self.figure)
        self.output.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)
        if hasattr(self.figure, "savefig"):  # a matplotlib figure: don't show it twice
            import matplotlib.pyplot as plt
            plt.close(self.figure)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """The widget's view for a kernel, and its note (:data:`LIVE_NOTE`) as HTML for the static site.

        Built here rather than taken from the widget: ipywidgets 8 widgets have
        ``_repr_mimebundle_``, but 7.x widgets (Colab ships 7.7.1) display themselves through
        ``_ipython_display_`` instead. Both majors describe the view the same way, with
        ``get_view_spec()``: widget-view protocol 2.0 and the widget's ``model_id``.

        Returns:
            dict: ``application/vnd.jupyter.widget-view+json``, ``text/html`` and ``text/plain``.
        """
        names = ", ".join(self.controls)
        return {
            "application/vnd.jupyter.widget-view+json": self.widget.get_view_spec(),
            "text/html": self.note,
            "text/plain": f"Live panel ({names}): needs a running kernel with ipywidgets.",
        }


def live(fn: Callable[..., Any], grid: Mapping[str, Sequence | Any], twin: bool = True) -> Panel:
    """A live ipywidgets panel for ``fn``: one control per entry of ``grid``.

    Args:
        fn: draws a figure (plotly or matplotlib) from keyword arguments.
        grid: parameter name -> the values it may take, or a ready ipywidgets control
            (for example an ``IntSlider`` that allows more values than the static twin).
        twin: whether a static twin of the panel sits next to it on the page; the note the static
            site shows in the panel's place says so (:data:`LIVE_NOTE`) or says that there is none
            (:data:`LIVE_NOTE_NO_TWIN`).

    Returns:
        Panel: display it as a cell's last expression.
    """
    check_callable("live", "fn", fn, "pass the function that draws the figure")
    check_mapping("live", "grid", grid, "give at least one parameter, e.g. grid={'k': [1, 2, 3]}")
    check_bool("live", "twin", twin)
    with calling("live"):
        return Panel(fn, controls_from_grid(grid), twin=twin)


def _grid_values(fn: str, grid: Mapping, name: str) -> list:
    """The values of one parameter of a grid: a non-empty list (not a string, not a single number)."""
    values = grid[name]
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        fail(fn, "grid", grid, f"gives {name!r} the single value {values!r}", f"list its values, e.g. grid[{name!r}]="
             f"[{values!r}]", TypeError)
    values = list(values)
    if not values:
        fail(fn, "grid", grid, f"has no values for {name!r}: grid[{name!r}] is empty",
             "list the values the parameter takes, e.g. [1, 2, 3]")
    return values


def _combos(grid: Mapping[str, Sequence]) -> list[dict]:
    check_mapping("static_twin", "grid", grid, "give at least one parameter, e.g. grid={'k': [1, 2, 3]}: a twin "
                  "of no parameter is a single figure")
    names = list(grid)
    columns = [_grid_values("static_twin", grid, n) for n in names]
    return [dict(zip(names, values)) for values in itertools.product(*columns)]


def static_twin(fn: Callable[..., go.Figure], grid: Mapping[str, Sequence], title: str | None = None,
                label: Callable[[dict], str] | None = None, start: int = 0) -> go.Figure:
    """Precompute ``fn`` on every grid point and join the figures under one slider.

    Every state's traces go into one figure; the slider shows one state at a time (and that
    state's title and annotations), so it works with no kernel and no network.

    Args:
        fn: returns a plotly figure from keyword arguments; every state should share the
            subplot layout of the first.
        grid: parameter name -> list of values (several parameters: one slider over all combinations).
        title: figure title used when a state has none.
        label: text of a slider step from the state's parameters (default ``"name=value"``).
        start: index of the state the figure opens on (choose the most telling one); negative
            indices count from the end, as in a list.

    Returns:
        go.Figure with ``len(states)`` slider steps; ``fig.layout.sliders[0].steps`` has one per state.
    """
    check_callable("static_twin", "fn", fn, "pass the function that draws one state")
    if label is not None:
        check_callable("static_twin", "label", label, "pass a function of the state's parameters, or None")
    combos = _combos(grid)
    if isinstance(start, bool) or not isinstance(start, int) or not -len(combos) <= start < len(combos):
        fail("static_twin", "start", start, f"is not the index of one of the {len(combos)} states",
             f"pass an int from {-len(combos)} to {len(combos) - 1}", TypeError if not isinstance(start, int) else ValueError)
    start %= len(combos)
    states = []
    for i, combo in enumerate(combos):
        point = ", ".join(f"{k}={v!r}" for k, v in combo.items())
        state = guarded("static_twin", lambda: fn(**combo), f"grid point {point} (state {i + 1} of {len(combos)})")
        if not isinstance(state, go.Figure):
            fail("static_twin", "fn", fn, f"returned a {type(state).__name__} at grid point {point}",
                 "fn must return a plotly go.Figure for every grid point", TypeError)
        states.append(state)
    fig = go.Figure(layout=states[0].layout)
    counts = []
    for i, state in enumerate(states):
        for trace in state.data:
            trace.visible = i == start
            fig.add_trace(trace)
        counts.append(len(state.data))
    steps, first = [], 0
    for combo, state, n in zip(combos, states, counts):
        visible = [False] * len(fig.data)
        visible[first:first + n] = [True] * n
        first += n
        layout_update = {"annotations": list(state.layout.annotations) or []}
        state_title = state.layout.title.text or title
        if state_title:
            layout_update["title.text"] = state_title
        if label is not None:
            text = label(combo)
        elif len(combo) == 1:
            text = str(next(iter(combo.values())))
        else:
            text = ", ".join(f"{k}={v}" for k, v in combo.items())
        steps.append({"method": "update", "args": [{"visible": visible}, layout_update], "label": text})
    prefix = f"{next(iter(grid))} = " if label is None and len(grid) == 1 else ""
    if start:  # open on that state's title and annotations
        fig.update_layout(title_text=steps[start]["args"][1].get("title.text"),
                          annotations=steps[start]["args"][1]["annotations"])
    fig.update_layout(sliders=[{"active": start, "steps": steps, "currentvalue": {"prefix": prefix},
                                "pad": {"t": 40}}])
    if title and not states[0].layout.title.text:
        fig.update_layout(title_text=title)
    return fig


def weight_grid_figure(W, image_shape: tuple[int, int] = (28, 28), titles: Sequence[str] | None = None,
                       ncols: int = 5, zmax: float | None = None, title: str | None = None,
                       cell_px: int = 110) -> go.Figure:
    """Plotly version of :func:`~course_lib.plots.plot_weight_grid`: one heatmap per row of ``W``.

    Args:
        W: array of shape (k, h*w); titles: one per image; ncols: images per row;
        zmax: shared colour limit (default: weight_limit(W)); title: figure title.

    Returns:
        go.Figure with k heatmaps sharing one diverging colour axis (blue +, red -).
    """
    import numpy as np

    from .plots import _as_images, check_images, check_titles, weight_limit

    fn = "weight_grid_figure"
    k = len(check_images(fn, "W", W, image_shape))
    check_titles(fn, "titles", titles, k)
    check_int(fn, "ncols", ncols, 1, fix="images per row, e.g. ncols=5")
    check_int(fn, "cell_px", cell_px, 1, fix="pixels per image, e.g. cell_px=110")
    if zmax is not None:
        check_number(fn, "zmax", zmax, 0, low_open=True, fix="a positive colour limit, or None")
    images = _as_images(W, image_shape, "W")
    zmax = weight_limit(images) if zmax is None else zmax
    k = len(images)
    ncols = max(1, min(ncols, k))
    nrows = -(-k // ncols)
    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[html.escape(str(t)) for t in titles] if titles else None,
                        horizontal_spacing=0.02, vertical_spacing=0.08 if titles else 0.02)
    for i, img in enumerate(images):
        fig.add_trace(go.Heatmap(z=np.round(img, 3), coloraxis="coloraxis",
                                 hovertemplate="row %{y}, col %{x}<br>weight %{z:.3f}<extra></extra>"),
                      row=i // ncols + 1, col=i % ncols + 1)
        fig.update_yaxes(scaleanchor="x" if i == 0 else f"x{i + 1}", row=i // ncols + 1, col=i % ncols + 1)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed")
    fig.update_layout(coloraxis={"colorscale": "RdBu", "cmin": -zmax, "cmax": zmax, "cmid": 0,
                                 "colorbar": {"title": {"text": "weight"}}},
                      height=int(cell_px * nrows + 110), title_text=title, margin={"l": 20, "r": 20, "t": 60, "b": 20})
    return fig


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
        from IPython.display import display as show
        show(value)
    if is_mpl:
        import matplotlib.pyplot as plt
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
