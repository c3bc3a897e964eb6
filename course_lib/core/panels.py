"""Live panels: a chapter's figure with controls, recomputed in a kernel as the reader moves them.

Taught in the introduction (:doc:`/book/00_introduction`). The same function and grid give the static
twin of :mod:`course_lib.core.twins`, which the published page shows instead.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython import get_ipython

from course_lib.core.validate import calling, check_bool, check_callable, check_mapping, fail, guarded

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


def controls_from_grid(grid: Mapping[str, Sequence | Any]) -> dict:
    """One ipywidgets control per parameter: numbers get a slider over the listed values,
    strings and booleans a toggle; a widget passes through unchanged."""

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
