import json
from unittest import mock

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import course_lib as cl
from course_lib.core import panels, publish, twins


def scatter(a, colour="red"):
    return go.Figure(go.Scatter(y=[a, 2 * a], marker_color=colour), layout={"title": {"text": f"a={a}"}})


def test_static_twin_has_one_step_per_state_and_shows_one_at_a_time():
    fig = twins.static_twin(scatter, {"a": [1, 2, 3]})
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 3 and len(fig.data) == 3
    assert [d.visible for d in fig.data] == [True, False, False]
    assert steps[2].args[0]["visible"] == [False, False, True]
    assert steps[2].args[1]["title.text"] == "a=3" and steps[2].label == "3"
    assert list(fig.data[1].y) == [2, 4]


def test_static_twin_over_two_parameters_uses_every_combination():
    fig = twins.static_twin(scatter, {"a": [1, 2], "colour": ["red", "blue"]})
    labels = [s.label for s in fig.layout.sliders[0].steps]
    assert labels == ["a=1, colour=red", "a=1, colour=blue", "a=2, colour=red", "a=2, colour=blue"]


def test_static_twin_errors():
    with pytest.raises(ValueError, match="grid\\['a'\\] is empty"):
        twins.static_twin(scatter, {"a": []})
    with pytest.raises(TypeError, match="plotly"):
        twins.static_twin(lambda a: a, {"a": [1]})


def test_live_panel_recomputes_when_a_control_moves():
    panel = panels.live(scatter, {"a": [1, 2, 3], "colour": ["red", "blue"]})
    assert panel.calls == 1 and panel.figure.layout.title.text == "a=1"
    panel.controls["a"].value = 3
    assert panel.calls == 2 and panel.figure.layout.title.text == "a=3"
    panel.controls["colour"].value = "blue"
    assert panel.figure.data[0].marker.color == "blue"
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "Binder" in bundle["text/html"]


VIEW = "application/vnd.jupyter.widget-view+json"


def own_view(widget) -> dict:
    """What the installed ipywidgets itself displays for ``widget``: its ``_repr_mimebundle_``
    (8.x) or the bundle its ``_ipython_display_`` sends (7.x)."""
    if hasattr(widget, "_repr_mimebundle_"):
        return widget._repr_mimebundle_()
    shown = []
    with mock.patch("ipywidgets.widgets.widget.display", lambda data, raw: shown.append(data)):
        widget._ipython_display_()
    assert len(shown) == 1
    return shown[0]


def test_live_panel_mimebundle_is_the_widget_view_of_the_installed_ipywidgets():
    import ipywidgets

    panel = panels.live(scatter, {"a": [1, 2, 3], "colour": ["red", "blue"]})
    bundle = panel._repr_mimebundle_()
    assert set(bundle) == {VIEW, "text/html", "text/plain"}
    assert bundle[VIEW] == own_view(panel.widget)[VIEW], ipywidgets.__version__
    assert bundle[VIEW]["model_id"] == panel.widget.model_id and len(panel.widget.model_id) >= 32
    assert (bundle[VIEW]["version_major"], bundle[VIEW]["version_minor"]) == (2, 0)
    assert bundle["text/html"] == panels.LIVE_NOTE
    assert "a, colour" in bundle["text/plain"]
    json.dumps(bundle)  # a display_data message must be JSON


def test_live_panel_without_a_twin_says_so_on_the_site():
    """A panel with no static twin must not promise one (issue 17: the block workbench's note did)."""
    with_twin = panels.live(scatter, {"a": [1, 2]})
    without = panels.live(scatter, {"a": [1, 2]}, twin=False)
    assert with_twin._repr_mimebundle_()["text/html"] == panels.LIVE_NOTE
    note = without._repr_mimebundle_()["text/html"]
    assert note == panels.LIVE_NOTE_NO_TWIN and "course-live-note" in note and "Binder" in note
    assert "static version with a slider" not in note and "no static version" in note


def test_live_panel_accepts_a_ready_widget():
    import ipywidgets as widgets

    slider = widgets.IntSlider(value=4, min=0, max=9)
    panel = panels.live(scatter, {"a": slider})
    slider.value = 7
    assert panel.figure.layout.title.text == "a=7"


def test_renderer_emits_plotly_json_and_offline_html():
    bundle = pio.renderers["course"].to_mimebundle(scatter(1).to_dict())
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/html"}
    html = bundle["text/html"]
    assert "if (window.Plotly)" in html and "Plotly.newPlot" in html
    assert "<script src=" not in html  # no plotly.js inlined or loaded up front
    assert pio.renderers.default == "course"


def test_figure_html_embeds_the_figure_json():
    html = publish.figure_html(scatter(5))
    start = html.index("var fig = ") + len("var fig = ")
    fig = json.loads(html[start:html.index(";\n", start)])
    assert fig["data"][0]["y"] == [5, 10]


def test_weight_grid_figure_shares_a_centred_colour_axis():
    W = np.random.default_rng(0).normal(size=(4, 784))
    fig = twins.weight_grid_figure(W, titles=list("abcd"), ncols=2)
    assert len(fig.data) == 4 and all(d.coloraxis == "coloraxis" for d in fig.data)
    assert fig.layout.coloraxis.cmin == -fig.layout.coloraxis.cmax
    assert fig.layout.coloraxis.colorscale[0][1] == "rgb(103,0,31)"  # red for negative weights


def test_glue_returns_the_value():
    assert cl.glue("x", 3.5) == 3.5


def test_static_twin_opens_on_the_state_asked_for():
    def draw(k):
        return go.Figure(go.Scatter(x=[0, 1], y=[0, k]), layout={"title": {"text": f"k is {k}"}})

    fig = twins.static_twin(draw, {"k": [1, 2, 3]}, start=-1)
    assert [t.visible for t in fig.data] == [False, False, True]
    assert fig.layout.sliders[0].active == 2 and fig.layout.title.text == "k is 3"
    with pytest.raises(ValueError, match="start"):
        twins.static_twin(draw, {"k": [1, 2, 3]}, start=3)


def test_glue_all_glues_each_number_under_the_prefix():
    import course_lib as cl
    assert cl.glue_all("ch9", acc=0.5, n=3) == {"acc": 0.5, "n": 3}
    with pytest.raises(ValueError, match="prefix"):
        cl.glue_all(" ", acc=0.5)
