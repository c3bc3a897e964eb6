"""Tests of course_lib.chapters.jump.detector_weights (chapter 4: the detector as a fixed linear layer)."""
import numpy as np
import pytest

from course_lib.chapters import jump
from course_lib.chapters.jump import make_jump_signals


def test_linear_scores_give_the_detectors_answers():
    X, _ = make_jump_signals(600, sigma=1.0, data_seed=3)
    K = jump.detector_weights()
    assert K.shape == (100, 60)
    pred = (X.numpy().astype(np.float64) @ K).argmax(1) + jump.FIRST_POSITION
    assert np.array_equal(pred, jump.detect_jumps(X))


def test_inner_column_is_the_shifted_derivative_of_gaussian():
    K = jump.detector_weights(window=19, width=2.9)
    d = jump.derivative_of_gaussian(19, 2.9)              # 20 taps, positive first
    col = K[:, 50 - 21]                                    # position 50: first high sample at index 49
    expected = np.zeros(100)
    expected[39:59] = d[::-1]                              # rise = s[49] - s[48]: -g around 48, +g around 49
    assert np.allclose(col, expected, atol=1e-12)
    assert col.sum() == pytest.approx(0, abs=1e-12)


def test_bad_range_is_explained():
    with pytest.raises(ValueError, match="first=1"):
        jump.detector_weights(first=1)
