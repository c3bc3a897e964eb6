import numpy as np
import pytest

from course_lib.chapters import jump
from course_lib.chapters.jump import make_jump_signals


def test_detector_is_exact_without_noise():
    X, y = make_jump_signals(120, sigma=0.0, data_seed=0)
    assert np.array_equal(jump.detect_jumps(X), jump.labels_to_positions(y))


def test_detector_beats_chance_with_noise():
    X, y = make_jump_signals(600, sigma=1.0, data_seed=0)
    err = jump.position_errors(jump.detect_jumps(X), jump.labels_to_positions(y))
    assert err["L1"] < 1.0


def test_filters():
    g = jump.gaussian_window(19, 2.9)
    assert g.shape == (19,) and g.sum() == pytest.approx(1) and g.argmax() == 9
    d = jump.derivative_of_gaussian(19, 2.9)
    assert d.shape == (20,) and d.sum() == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValueError, match="window=4"):
        jump.gaussian_window(4)
    with pytest.raises(ValueError, match="width=0"):
        jump.gaussian_window(5, 0)


def test_position_errors_match_a_direct_computation():
    rng = np.random.default_rng(0)
    true = rng.integers(21, 81, 1000)
    pred = true + rng.integers(-3, 4, 1000)
    pred[:5] += 40
    e = np.abs(pred - true)
    kept = np.sort(e)[:990]
    out = jump.position_errors(pred, true)
    assert out["L1"] == pytest.approx(e.mean()) and out["L2"] == pytest.approx(np.sqrt((e ** 2).mean()))
    assert out["L1_99"] == pytest.approx(kept.mean()) and out["L2_99"] == pytest.approx(np.sqrt((kept ** 2).mean()))
    assert out["max"] == e.max()
    with pytest.raises(ValueError, match="needs at least 1"):
        jump.position_errors([], [])


def test_results_file_names_the_scripts_folder():
    assert jump.results_file("2-conv-layer CNN (5, 9)", "weights.npz") == "ch4_jump_models/2-conv-layer-cnn-5-9/weights.npz"
    assert jump.results_file("1-layer NN", "report.json") == "ch4_jump_models/1-layer-nn/report.json"
    with pytest.raises(ValueError, match="name="):
        jump.results_file(" ", "report.json")


def test_load_member_copies_one_run():
    import torch
    from course_lib.core.models import MLP
    model = MLP([4, 3], seed=0)
    weights = {"layers.0.weight": np.arange(2 * 12, dtype=np.float32).reshape(2, 12),   # flattened, 2 runs
               "layers.0.bias": np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)}
    assert jump.load_member(model, weights, 1) is model
    assert torch.equal(model.layers[0].weight, torch.arange(12, 24, dtype=torch.float32).reshape(3, 4))
    assert torch.equal(model.layers[0].bias, torch.tensor([4.0, 5.0, 6.0]))
    with pytest.raises(ValueError, match="seed_index=2"):
        jump.load_member(model, weights, 2)
    with pytest.raises(ValueError, match="has no array 'layers.0.bias'"):
        jump.load_member(model, {"layers.0.weight": weights["layers.0.weight"]}, 0)


def test_width_slider_spans_the_width_search():
    s = jump.width_slider()
    assert (s.value, s.min, s.max, s.step, s.description) == (2.9, 0.5, 8.0, 0.1, "width")
    assert not s.continuous_update and jump.width_slider(6.0).value == 6.0
    with pytest.raises(ValueError, match="width_slider.*value"):
        jump.width_slider(9.0)
