"""Unit tests of course_lib.template_plots (chapter 1): every figure builds from arrays, offline."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import pytest  # noqa: E402

import course_lib as cl
from course_lib.chapters import template_figures, template_plots, templates

RNG = np.random.default_rng(0)
W = RNG.standard_normal((10, 784))


def test_matplotlib_figures_build():
    means = RNG.random((10, 784))
    figs = [template_plots.plot_means_and_templates(means, W),
            template_plots.plot_correlation_matrix(cl.row_correlations(W, means), "rows", "cols"),
            template_plots.plot_evidence(means[3], templates.evidence(W, np.zeros(10), means[3]), 3),
            template_plots.plot_sweep([0, 1, 2], {"a": [1, 2, 3], "b": [3, 2, 1]}, "k"),
            template_plots.plot_rgb_templates(RNG.standard_normal((10, 3072)))]
    assert all(isinstance(f, plt.Figure) for f in figs)
    for f in figs:
        plt.close(f)


def test_matplotlib_figures_are_readable_on_a_phone():
    """Issue 20: on a 390 px phone the book's column is 342 CSS px (about 4.3 in at figure.dpi 80); a figure
    up to about 5.2 in wide with text of 10 pt or more keeps every text at 9 CSS px or more."""
    cl.plots.use_book_style()
    means = RNG.random((10, 784))
    best = np.where(np.eye(10, dtype=bool), np.arange(10), -1)
    figs = [template_plots.plot_means_and_templates(means, W),
            template_plots.plot_correlation_matrix(cl.row_correlations(W, means), "rows", "cols"),
            template_plots.plot_evidence(means[3], templates.evidence(W, np.zeros(10), means[3]), 3),
            template_plots.plot_cell_examples(means, best),
            template_plots.plot_sweep([0, 1, 2], {"a": [1, 2, 3], "b": [3, 2, 1]}, "k"),
            template_plots.plot_rgb_templates(RNG.standard_normal((10, 3072)))]
    for f in figs:
        width = f.get_tightbbox(f.canvas.get_renderer()).width
        texts = [t for t in f.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
        assert width <= 5.2 and min(t.get_fontsize() for t in texts) >= 10, (width, f.axes[0].get_title())
        plt.close(f)


def test_plot_cell_examples_leaves_empty_cells_blank():
    best = np.full((3, 3), -1)
    best[0, 0], best[1, 2] = 4, 7
    images = RNG.random((10, 784)) + 0.5
    fig = template_plots.plot_cell_examples(images, best)
    mosaic = fig.axes[0].images[0].get_array()
    cell = lambda i, j: mosaic[i * 32 + 2:i * 32 + 30, j * 32 + 2:j * 32 + 30]  # noqa: E731
    np.testing.assert_allclose(cell(1, 2), images[7].reshape(28, 28))
    assert cell(2, 2).mask.all() and not cell(0, 0).mask.any()
    assert len(fig.axes[0].patches) == 2                      # one frame per non-empty cell
    plt.close(fig)


def test_confusion_figure_hover_names_the_digits():
    y = np.array([0, 0, 1, 1])
    probs = np.array([[0.9, 0.1], [0.3, 0.7], [0.2, 0.8], [0.4, 0.6]])
    cm = templates.confusion_counts(y, probs.argmax(1), 2)
    fig = template_figures.confusion_figure(cm, y, probs)
    hover = fig.data[0].customdata
    assert "true 0, predicted 1: 1 digits" in hover[0][1] and "#1 (70%)" in hover[0][1]
    assert hover[1][1].index("#2") < hover[1][1].index("#3")       # surest first
    assert "surest" not in hover[1][0]                               # an empty cell lists nobody


def test_templates_figure_scales_by_vmax_and_has_eleven_maps():
    fig = template_figures.templates_figure(W, 3, vmax=2.0, title="t")
    assert isinstance(fig, go.Figure) and len(fig.data) == 11
    expected = np.clip(np.round(100 * W[3].reshape(28, 28) / 2.0), -100, 100)
    np.testing.assert_array_equal(fig.data[0].z, expected)
    assert np.asarray(fig.data[0].z).dtype == np.int8                # one byte per weight on the page
    assert fig.layout.annotations[0].text == "template 3"
    with pytest.raises(ValueError, match="highlight=10"):
        template_figures.templates_figure(W, 10, vmax=1.0, title="t")


def test_training_figure_marks_the_epoch():
    curves = {k: np.linspace(0, 1, 6) for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    fig = template_figures.training_figure(W, 2, curves, vmax=1.0, title="t")
    markers = [t for t in fig.data if getattr(t, "mode", None) == "markers"]
    assert len(fig.data) == 10 + 8 and all(list(t.x) == [2] for t in markers)


def test_bad_shapes_fail_with_clear_messages():
    with pytest.raises(ValueError, match="expected \\(C, 3072\\)"):
        template_plots.plot_rgb_templates(np.ones((2, 10)))
    with pytest.raises(ValueError, match="has 2 values for 3 settings"):
        template_plots.plot_sweep([0, 1, 2], {"a": [1, 2]}, "k")
    with pytest.raises(ValueError, match="must both have shape"):
        template_plots.plot_means_and_templates(np.ones((2, 784)), np.ones((3, 784)))
