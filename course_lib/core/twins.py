"""Static twins: a live panel's figure precomputed on its grid, under one slider, for the static site.

Taught in the introduction (:doc:`/book/00_introduction`).
"""
from __future__ import annotations

import html
import itertools
from typing import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course_lib.core.panels import _grid_values
from course_lib.core.plots import check_images, check_titles, weight_limit
from course_lib.core.validate import check_bool, check_callable, check_int, check_mapping, check_number, fail, guarded


def static_twin(fn: Callable[..., go.Figure], grid: Mapping[str, Sequence], label: Callable[[dict], str] | None = None,
                start: int = 0, fixed_axes: bool = False) -> go.Figure:
    """Precompute ``fn`` on every grid point and join the figures under one slider (one step per state).

    Args:
        fn: returns a plotly figure from keyword arguments; every state shares the first one's subplot layout.
        grid: parameter name -> list of values (several parameters: one slider over all combinations).
        label: text of a slider step from the state's parameters (default ``"name=value"``).
        start: index of the state the figure opens on; negative indices count from the end.
        fixed_axes: give every x and y axis one range that holds all states' data (the slider never rescales).
    """
    check_callable("static_twin", "fn", fn, "pass the function that draws one state")
    check_bool("static_twin", "fixed_axes", fixed_axes)
    if label is not None:
        check_callable("static_twin", "label", label, "pass a function of the state's parameters, or None")
    check_mapping("static_twin", "grid", grid, "give at least one parameter, e.g. grid={'k': [1, 2, 3]}: a twin "
                  "of no parameter is a single figure")
    columns = [_grid_values("static_twin", grid, name) for name in grid]
    combos = [dict(zip(grid, values)) for values in itertools.product(*columns)]
    if isinstance(start, bool) or not isinstance(start, int) or not -len(combos) <= start < len(combos):
        fail("static_twin", "start", start, f"is not the index of one of the {len(combos)} states",
             f"pass an int from {-len(combos)} to {len(combos) - 1}",
             TypeError if not isinstance(start, int) else ValueError)
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
    total, first, steps = sum(len(state.data) for state in states), 0, []
    for i, (combo, state) in enumerate(zip(combos, states)):
        for trace in state.data:
            trace.visible = i == start
            fig.add_trace(trace)
        visible = [first <= j < first + len(state.data) for j in range(total)]
        first += len(state.data)
        layout_update = {"annotations": list(state.layout.annotations)}
        if state.layout.title.text:
            layout_update["title.text"] = state.layout.title.text
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
    if fixed_axes:
        _fix_ranges(fig)
    return fig


def _fix_ranges(fig: go.Figure, pad: float = 0.05) -> None:
    """One range per numeric x and y axis: the span of every trace drawn on it, padded by ``pad``."""
    spans: dict[str, list[float]] = {}
    for trace in fig.data:
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is None:
                continue
            try:
                v = np.asarray(values, dtype=float).ravel()
            except (TypeError, ValueError):      # categories: no numeric range to fix
                continue
            v = v[np.isfinite(v)]
            if v.size:
                ref = getattr(trace, f"{axis}axis", None) or axis          # "x", "x2", ...
                key = f"{axis}axis{ref[1:]}"
                low, high = spans.get(key, (np.inf, -np.inf))
                spans[key] = [min(low, float(v.min())), max(high, float(v.max()))]
    for key, (low, high) in spans.items():
        margin = pad * (high - low) or 0.5
        fig.layout[key].update(range=[low - margin, high + margin], autorange=False)


def weight_grid_figure(W, image_shape: tuple[int, int] = (28, 28), titles: Sequence[str] | None = None,
                       ncols: int = 5, vmax: float | None = None, title: str | None = None,
                       cell_px: int = 110) -> go.Figure:
    """Plotly version of :func:`~course_lib.core.plots.plot_weight_grid`: one heatmap per row of ``W`` (k, h*w).

    ``vmax`` is the shared colour limit (default: weight_limit(W)); ``cell_px`` the pixels per image.
    """
    fn = "weight_grid_figure"
    images = check_images(fn, "W", W, image_shape)
    check_titles(fn, "titles", titles, len(images))
    check_int(fn, "ncols", ncols, 1, fix="images per row, e.g. ncols=5")
    check_int(fn, "cell_px", cell_px, 1, fix="pixels per image, e.g. cell_px=110")
    if vmax is not None:
        check_number(fn, "vmax", vmax, 0, low_open=True, fix="a positive colour limit, or None")
    vmax = weight_limit(images) if vmax is None else vmax
    ncols = max(1, min(ncols, len(images)))
    nrows = -(-len(images) // ncols)
    fig = make_subplots(rows=nrows, cols=ncols,
                        subplot_titles=[html.escape(str(t)) for t in titles] if titles else None,
                        horizontal_spacing=0.02, vertical_spacing=0.08 if titles else 0.02)
    for i, img in enumerate(images):
        fig.add_trace(go.Heatmap(z=np.round(img, 3), coloraxis="coloraxis",
                                 hovertemplate="row %{y}, col %{x}<br>weight %{z:.3f}<extra></extra>"),
                      row=i // ncols + 1, col=i % ncols + 1)
        fig.update_yaxes(scaleanchor="x" if i == 0 else f"x{i + 1}", row=i // ncols + 1, col=i % ncols + 1)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed")
    fig.update_layout(coloraxis={"colorscale": "RdBu", "cmin": -vmax, "cmax": vmax, "cmid": 0,
                                 "colorbar": {"title": {"text": "weight"}}},
                      height=int(cell_px * nrows + 110), title_text=title, margin={"l": 20, "r": 20, "t": 60, "b": 20})
    return fig
