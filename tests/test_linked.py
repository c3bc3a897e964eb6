"""Unit tests of course_lib.linked (chapter 1's confusion matrix, chapter 5's digit map), offline.

The HTML is taken apart again and compared with the inputs: the images decoded from the page
must be the images passed in (to 16 grey levels), each point must list its own images and
captions, and bad input must be refused with a message that names the argument.
"""
import base64
import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from course_lib.pages import linked

RNG = np.random.default_rng(0)


def decode(text: str, n: int = 784) -> np.ndarray:
    """The inverse of encode_image, written independently: levels 0-15 back to [0, 1]."""
    raw = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
    levels = np.stack([raw >> 4, raw & 15], axis=1).ravel()[:n]
    return levels / 15


def payload(html: str) -> dict:
    """The data object the page's script reads."""
    return json.loads(re.search(r"var D = (\{.*?\}), root = ", html, re.S).group(1))


def heatmap(rows=3, cols=3) -> go.Figure:
    return go.Figure(go.Heatmap(z=RNG.random((rows, cols))))


def test_encode_image_round_trips_to_16_levels():
    image = RNG.random(784)
    back = decode(linked.encode_image(image))
    assert np.abs(back - image).max() <= 1 / 30 + 1e-12          # half a level at most
    assert len(base64.b64decode(linked.encode_image(image))) == 392  # two pixels per byte
    odd = decode(linked.encode_image(np.ones(5)), n=5)
    np.testing.assert_array_equal(odd, np.ones(5))


def test_each_point_shows_its_own_images_and_captions():
    X = RNG.random((6, 784))
    images = {(0, 0, 1): X[:2], (0, 2, 2): X[2:5], (0, 1, 0): X[5:5]}
    captions = {(0, 0, 1): ["#0 (90 %)", "#1 (80 %)"], (0, 2, 2): ["a", "b", "c"]}
    out = linked.linked_figure(heatmap(), images, captions, titles={(0, 0, 1): "true 0, predicted 1"})
    data = payload(out.html)
    assert data["order"] == ["0,0,1", "0,1,0", "0,2,2"] and data["cols"] == 3
    first = data["points"]["0,0,1"]
    assert first["t"] == "true 0, predicted 1" and first["c"] == captions[(0, 0, 1)]
    for key, idx in (((0, 0, 1), first["i"]), ((0, 2, 2), data["points"]["0,2,2"]["i"])):
        got = np.stack([decode(data["images"][i]) for i in idx])
        assert np.abs(got - images[key]).max() <= 1 / 30 + 1e-12
    assert data["points"]["0,1,0"]["i"] == []                     # an empty cell is allowed
    assert out.keys == [(0, 0, 1), (0, 1, 0), (0, 2, 2)]


def test_an_image_shared_by_two_points_is_stored_once():
    x = RNG.random((1, 784))
    out = linked.linked_figure(heatmap(), {(0, 0, 0): x, (0, 1, 1): x.reshape(1, 28, 28)})
    data = payload(out.html)
    assert len(data["images"]) == 1 and data["points"]["0,0,0"]["i"] == data["points"]["0,1,1"]["i"] == [0]


def test_scatter_points_and_single_images():
    fig = go.Figure([go.Scatter(x=[0, 1, 2], y=[0, 1, 2]), go.Scatter(x=[5], y=[5])])
    out = linked.linked_figure(fig, {(0, 2): RNG.random(784), (1, 0): RNG.random((28, 28))})
    data = payload(out.html)
    assert set(data["points"]) == {"0,2", "1,0"} and data["cols"] == 10
    assert all(len(p["i"]) == 1 for p in data["points"].values())


def test_html_is_offline_keyboard_reachable_and_displayable():
    out = linked.linked_figure(heatmap(), {(0, 0, 0): RNG.random((2, 784))})
    html = out.html
    assert 'tabindex="0"' in html and 'aria-live="polite"' in html and "ArrowRight" in html
    assert "plotly_hover" in html and "plotly_click" in html          # mouse and tap
    assert "window.Plotly" in html                                    # the site's own plotly.js
    assert not re.search(r"(src|href)=\"https?://", html)              # nothing fetched but plotly's fallback
    assert "</script" not in payload_text(html)                       # data cannot close the script early
    bundle = out._repr_mimebundle_()
    assert bundle["text/html"] == html and out._repr_html_() == html
    plot_id = re.search(r'id="(plotly-[0-9a-f]+)"', html).group(1)
    assert f'getElementById("{plot_id}")' in html


def payload_text(html: str) -> str:
    return re.search(r"var D = (\{.*?\}), root = ", html, re.S).group(1)


def test_captions_survive_html_characters():
    out = linked.linked_figure(heatmap(), {(0, 0, 0): RNG.random((1, 784))}, {(0, 0, 0): ["</script><b>x"]})
    assert payload(out.html)["points"]["0,0,0"]["c"] == ["</script><b>x"]


def test_confusion_members_surest_first():
    y = np.array([0, 0, 0, 1, 1, 2])
    probs = np.array([[.9, .1, 0], [.6, .4, 0], [.2, .8, 0], [.1, .9, 0], [.3, .7, 0], [0, .2, .8]])
    cells = linked.confusion_members(y, probs, n=5)
    assert set(cells) == {(0, 0), (0, 1), (1, 1), (2, 2)}
    np.testing.assert_array_equal(cells[(0, 0)], [0, 1])             # 0.9 before 0.6
    np.testing.assert_array_equal(cells[(1, 1)], [3, 4])
    assert list(linked.confusion_members(y, probs, n=1)[(0, 0)]) == [0]


@pytest.mark.parametrize("kwargs, match", [
    ({"fig": "not a figure"}, "fig="),
    ({"images": {}}, "images="),
    ({"images": {(0, 5, 0): np.zeros((1, 784))}}, "outside the 3 x 3 grid"),
    ({"images": {(1, 0, 0): np.zeros((1, 784))}}, "names trace 1"),
    ({"images": {0: np.zeros((1, 784))}}, "not a point key"),
    ({"images": {(0, 0, 0): np.zeros((1, 100))}}, "100 pixels"),
    ({"images": {(0, 0, 0): np.full((1, 784), 2.0)}}, "outside \\[0, 1\\]"),
    ({"images": {(0, 0, 0): np.full((1, 784), np.nan)}}, "finite"),
    ({"captions": {(0, 0, 0): ["one", "two"]}}, "captions"),
    ({"captions": {(0, 1, 1): ["x"]}}, "no images"),
    ({"size": 0}, "size="),
    ({"image_shape": (28,)}, "image_shape="),
])
def test_bad_input_is_refused_by_name(kwargs, match):
    args = {"fig": heatmap(), "images": {(0, 0, 0): np.zeros((1, 784))}}
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        linked.linked_figure(**args)


def test_scatter_key_beyond_the_trace_is_refused():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    with pytest.raises(ValueError, match="has 2 points"):
        linked.linked_figure(fig, {(0, 2): np.zeros(784)})
    with pytest.raises(ValueError, match="no z grid"):
        linked.linked_figure(fig, {(0, 0, 0): np.zeros(784)})


def test_confusion_members_refuses_bad_input():
    with pytest.raises(ValueError, match="n="):
        linked.confusion_members([0, 1], np.eye(2), n=0)
    with pytest.raises(ValueError, match="y="):
        linked.confusion_members([0, 1, 1], np.eye(2))
