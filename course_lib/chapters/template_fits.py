"""Chapter 1's logistic regressions, each trained once per setting, and the numbers that read them.

Used by :doc:`/book/01_templates` and its companion page :doc:`/book/01_templates_further`: both
train the chapter's recipe (:func:`~course_lib.chapters.templates.fit_templates`) again with other
weight decays, epochs and learning rates, and the companion page on digits shifted at random by up
to ``k`` pixels. :class:`Fits` trains each setting once and returns the same fit after that, so a
figure, a table and a live panel share one model; :func:`measure_templates` gives the numbers both
pages read weight decay with.
"""
from __future__ import annotations

import numpy as np
import torch

from course_lib.chapters.shifts import shifted_split, smoothness
from course_lib.chapters.templates import Fit, contrast_images, fit_templates
from course_lib.core.data import Split
from course_lib.core.evaluate import predict
from course_lib.core.measures import row_correlations
from course_lib.core.optim import check_recipe
from course_lib.core.validate import calling, check_image_shape, check_int, check_seed, check_type, fail


class Fits:
    """The chapter's logistic regressions on one split, each trained once per setting.

    ``fits(k, weight_decay, epochs, lr)`` trains :func:`~course_lib.chapters.templates.fit_templates`
    on ``fits.shifted(k)`` (initial weights and batch order both seeded with ``seed``) the first
    time, and returns the same :class:`~course_lib.chapters.templates.Fit` on every later call with
    these settings. With its defaults it is the chapter's recipe: 15 epochs, lr 0.1, batches of 100.

    Args:
        data: a :class:`~course_lib.core.data.Split` of 28 x 28 images, ``X_*`` of shape (n, 784).
        seed: seed of the initial weights and of the batch order.
        shift_seed: seed of the random shifts of the training images (test images:
            ``shift_seed + 1``); default ``100 * seed + 1``.
    """

    def __init__(self, data: Split, *, seed: int = 0, shift_seed: int | None = None) -> None:
        check_type("Fits", "data", data, Split, "a course_lib Split, e.g. cl.load_mnist()")
        self.data = data
        self.seed = check_seed("Fits", "seed", seed)
        self.shift_seed = 100 * self.seed + 1 if shift_seed is None else check_seed("Fits", "shift_seed", shift_seed)
        self._shifted: dict[int, Split] = {0: data}
        self._fits: dict[tuple, Fit] = {}

    def shifted(self, k: int) -> Split:
        """``data`` with every image moved at random by up to ``k`` pixels (k = 0: ``data`` itself), made once per k.

        Args:
            k: the largest shift in pixels, an integer >= 0 (see :func:`~course_lib.chapters.shifts.shifted_split`).

        Returns:
            Split: the shifted split, same shapes and labels as ``data``.
        """
        k = check_int("Fits.shifted", "k", k, 0, fix="a non-negative number of pixels, e.g. k=2")
        if k not in self._shifted:
            with calling("Fits.shifted"):
                self._shifted[k] = shifted_split(self.data, k, data_seed=self.shift_seed)
        return self._shifted[k]

    def __call__(self, k: int = 0, weight_decay: float = 0.0, epochs: int = 15, lr: float = 0.1) -> Fit:
        """Logistic regression on digits shifted by up to ``k`` pixels, trained with this recipe (once).

        Args:
            k: the largest shift in pixels (0: the original digits); weight_decay: the L2 coefficient;
            epochs, lr: the SGD recipe (batches of 100).

        Returns:
            Fit: the model, its history and its templates after each epoch, weights of shape (epochs + 1, C, 784).
        """
        fn = "Fits"
        k = check_int(fn, "k", k, 0, fix="a non-negative number of pixels, e.g. k=2")
        epochs = check_int(fn, "epochs", epochs, 0, fix="e.g. epochs=15")
        check_recipe(fn, lr=lr, weight_decay=weight_decay)
        key = (k, float(weight_decay), epochs, float(lr))
        if key not in self._fits:
            with calling(fn):
                self._fits[key] = fit_templates(self.shifted(k), epochs=epochs, lr=key[3], weight_decay=key[1],
                                                seed=self.seed, batch_seed=self.seed)
        return self._fits[key]


def measure_templates(fit: Fit, data: Split, image_shape: tuple[int, int] = (28, 28)) -> dict[str, float | np.floating]:
    """The numbers the chapter reads weight decay with, for the last templates of one fit.

    Taught in the companion page of chapter 1 (:doc:`/book/01_templates_further`), whose table has one
    row of these per weight decay; the chapter's exercise reads two of its rows.

    Args:
        fit: a :class:`~course_lib.chapters.templates.Fit`; its last templates ``W`` have shape (C, h*w).
        data: the :class:`~course_lib.core.data.Split` it was trained on, ``X_*`` of shape (n, h*w).
        image_shape: (h, w), for the smoothness.

    Returns:
        dict: ``"test accuracy"`` (after the last epoch); ``"corr. with contrast image"``: the mean over
        classes c of corr(W[c], contrast image c) (:func:`~course_lib.chapters.templates.contrast_images`
        of the training digits); ``"smoothness"``: the mean of :func:`~course_lib.chapters.shifts.smoothness`;
        ``"mean |w| on blank pixels"``: over the pixels no training image inks (NaN if it inks them all);
        ``"largest |w|"``; ``"mean top probability"``: the model's largest softmax probability, averaged
        over the test digits. Scalars in the dtype they are computed in (the ``|w|`` of float32 weights stay
        float32), so a table of them computes ratios exactly as the pages always have.
    """
    fn = "measure_templates"
    check_type(fn, "fit", fit, Fit, "a Fit, e.g. templates.fit_templates(data)")
    check_type(fn, "data", data, Split, "the course_lib Split the fit was trained on")
    h, w = check_image_shape(fn, image_shape)
    W = fit.weights[-1]
    if data.X_train.shape[1] != W.shape[1]:
        fail(fn, "data", data, f"has {data.X_train.shape[1]} pixels per image, the templates {W.shape[1]}",
             "pass the split the fit was trained on")
    if W.shape[1] != h * w:
        fail(fn, "image_shape", image_shape, f"holds {h * w} pixels, the templates {W.shape[1]}",
             "pass the (h, w) of the images the fit was trained on")
    X_train = data.X_train.cpu().numpy()
    blank = X_train.max(0) == 0
    with calling(fn):
        contrast = contrast_images(X_train, data.y_train.cpu().numpy())
        probs = torch.softmax(predict(fit.model, data.X_test), 1)
        return {"test accuracy": fit.history["test_acc"][-1],
                "corr. with contrast image": np.diag(row_correlations(W, contrast)).mean(),
                "smoothness": smoothness(W, image_shape).mean(),
                "mean |w| on blank pixels": np.abs(W[:, blank]).mean() if blank.any() else np.float64("nan"),
                "largest |w|": np.abs(W).max(),
                "mean top probability": probs.max(1).values.mean().item()}
