"""Live panels: a chapter's figure with controls, recomputed in a kernel as the reader moves them.

Taught in the introduction (:doc:`/book/00_introduction`).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython import get_ipython

from course_lib.core.validate import calling, check_bool, check_callable, check_mapping, fail, guarded

_NOTE = ("<div class='course-live-note admonition note'><p class='admonition-title'>Live panel</p>"
         "<p>This panel recomputes in a running kernel. Open the page in Binder or Colab "
         "(rocket button at the top) or run the notebook locally to use it; {}</p></div>")
#: What a live panel shows on the static site (where no kernel can recompute it).
LIVE_NOTE = _NOTE.format("the static version with a slider is right next to it.")
#: The same note for a panel that has no static twin (``live(..., twin=False)``).
LIVE_NOTE_NO_TWIN = _NOTE.format("it has no static version on this page.")


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


def controls_from_grid(grid: Mapping[str, Sequence | Any]) -> dict:
    """One control per parameter: a slider for numbers, toggles otherwise; a widget passes through."""
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
    """A live panel: ``widget`` shows ``controls`` (name -> control) and ``figure``, ``fn`` of their values."""

    def __init__(self, fn: Callable[..., Any], controls: Mapping[str, Any], twin: bool = True):
        self.fn, self.controls, self.calls, self.figure = fn, dict(controls), 0, None
        self.note = LIVE_NOTE if twin else LIVE_NOTE_NO_TWIN
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.output])
        for control in self.controls.values():
            control.observe(self._update, names="value")
        self._update()

    def _update(self, _change=None) -> None:
        values = {name: control.value for name, control in self.controls.items()}
        self.figure = guarded("live", lambda: self.fn(**values),
                              "the grid values " + ", ".join(f"{k}={v!r}" for k, v in values.items()))
        self.calls += 1
        shell = get_ipython()
        if shell is None:  # plain Python (tests): nothing to draw into
            return
        # Set the Output widget's content directly (``with output: display(...)`` is fragile across kernels).
        if hasattr(self.figure, "to_plotly_json"):  # plotly: its bundle, without displaying it
            data, metadata = self.figure._repr_mimebundle_(), {}
        else:
            data, metadata = shell.display_formatter.format(self.figure)
        self.output.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)
        if hasattr(self.figure, "savefig"):  # a matplotlib figure: don't show it twice
            plt.close(self.figure)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """The widget's view for a kernel (ipywidgets 7 and 8 alike), and its note as HTML for the static site."""
        return {
            "application/vnd.jupyter.widget-view+json": self.widget.get_view_spec(),
            "text/html": self.note,
            "text/plain": f"Live panel ({', '.join(self.controls)}): needs a running kernel with ipywidgets.",
        }


def live(fn: Callable[..., Any], grid: Mapping[str, Sequence | Any], twin: bool = True) -> Panel:
    """A live panel for ``fn``: one control per entry of ``grid``; display it as a cell's last expression.

    Args:
        fn: draws a figure (plotly or matplotlib) from keyword arguments.
        grid: parameter name -> the values it may take, or a ready ipywidgets control.
        twin: whether a static twin sits next to the panel (the note on the static site says so, or that none does).
    """
    check_callable("live", "fn", fn, "pass the function that draws the figure")
    check_mapping("live", "grid", grid, "give at least one parameter, e.g. grid={'k': [1, 2, 3]}")
    check_bool("live", "twin", twin)
    with calling("live"):
        return Panel(fn, controls_from_grid(grid), twin=twin)
