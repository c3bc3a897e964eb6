import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.chapters import splitting_plots
from course_lib.core import plots
from course_lib.core.history import History


def test_weight_grid_uses_one_symmetric_scale():
    W = np.random.default_rng(0).normal(size=(6, 784))
    fig = plots.plot_weight_grid(W, ncols=3, titles=list("abcdef"))
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 6
    lims = {im.get_clim() for im in images}
    assert len(lims) == 1 and lims.pop()[0] == -plots.weight_limit(W)
    assert images[0].get_cmap().name == plots.WEIGHT_CMAP
    plt.close(fig)


def test_weight_limit_ignores_outliers_and_zero():
    W = np.ones(1000)
    W[0] = 1e6
    assert plots.weight_limit(W) < 10
    assert plots.weight_limit(np.zeros(5)) == 1.0


def test_shape_errors_are_explained():
    with pytest.raises(ValueError, match="image_shape"):
        plots.plot_weight_grid(np.zeros((2, 100)))
    with pytest.raises(ValueError, match="plot_strips: y="):
        splitting_plots.plot_strips(np.zeros((5, 3)), np.zeros(4))


def test_every_plot_returns_a_figure():
    rng = np.random.default_rng(0)
    h = History()
    for e in range(3):
        for k in ("train_loss", "test_loss", "train_acc", "test_acc"):
            h.append(k, rng.random())
    figs = [
        plots.plot_image_grid(rng.random((4, 784))),
        plots.plot_history(h),
        splitting_plots.plot_strips(rng.normal(size=(40, 3)), rng.integers(0, 2, 40)),
    ]
    assert all(isinstance(f, plt.Figure) for f in figs)
    assert all(f.get_facecolor()[:3] == (1.0, 1.0, 1.0) for f in figs)  # readable on a dark page
    plt.close("all")


def _matplotlib_plot_specs():
    from bad_input_table import specs
    return [s for s in specs() if s.fn.startswith("plot_")]


@pytest.mark.parametrize("spec", _matplotlib_plot_specs(), ids=lambda s: s.fn)
def test_every_plot_function_draws_into_a_given_ax(spec):
    """A plot function given ``ax`` draws there (a grid takes the Axes' place) and returns that figure."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    right.plot([0, 1], [0, 1])
    out = spec.call(**spec.valid(), ax=left)
    assert out is fig
    assert right in fig.axes and len(fig.axes) >= 2          # the other panel is untouched
    with pytest.raises(TypeError, match=f"{spec.fn}: ax="):
        spec.call(**spec.valid(), ax="left")
    plt.close("all")


def test_default_grid_wraps_ten_panels_into_two_rows_that_fit_a_phone():
    """Issue 20: with no ncols, ten panels wrap into 2 rows of 5 and the saved figure stays about 5 in wide
    (the book's column on a 390 px phone), so 10 pt text stays >= 9 CSS px; ncols given keeps the old size."""
    W = np.random.default_rng(0).normal(size=(10, 784))
    for fig in (plots.plot_weight_grid(W, titles=[f"neuron {d}" for d in range(10)]),
                plots.plot_image_grid(np.abs(W), titles=[f"digit {d}" for d in range(10)])):
        panels = [ax for ax in fig.axes if ax.images]
        rows = sorted({round(ax.get_position().y0, 3) for ax in panels})
        assert len(panels) == 10 and len(rows) == 2
        width = fig.get_tightbbox(fig.canvas.get_renderer()).width
        assert width <= 5.2, width
        assert min(t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()) >= 10
    old = plots.plot_weight_grid(W, ncols=10)                   # ncols given: the panel size as before
    assert np.isclose(old.get_figwidth(), 1.3 * 10 + 0.8)
    plt.close("all")


def test_history_panels_are_stacked():
    h = History()
    for e in range(3):
        for k in ("train_loss", "test_loss", "train_acc", "test_acc"):
            h.append(k, float(e))
    fig = plots.plot_history(h)
    top, bottom = fig.axes
    assert top.get_position().y0 > bottom.get_position().y1 and fig.get_figwidth() <= 4.5
    plt.close(fig)
