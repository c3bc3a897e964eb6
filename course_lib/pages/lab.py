"""Labs that compute in the page: the static site's answer to the live panels (core.panels).

Used by :doc:`/book/01_templates` (``draw_lab``) and :doc:`/book/01_templates_further` (``train_lab``), both
logistic regression, and by :doc:`/book/02_hidden_layers_further` (``hidden_lab``, ``ablation_lab``),
:doc:`/book/03_class_splitting` (``hidden_lab``) and :doc:`/book/03_class_splitting_further` (``ablation_lab``),
all on the 784-30-10 network of chapter 2. Each function takes the
chapter's own trained model and data and returns an ``IPython.display.HTML`` object: the lab's
markup, the JavaScript of ``course_lib/pages/js/nnlab.js`` (once per page) and the weights and digits
inline as gzip in base 85 (float32 weights; pixels as uint8, exact since MNIST pixels are k/255:
see :mod:`course_lib.pages.lab_blobs`), so the lab works on the built site from ``file://`` with the
network off, and in Jupyter.
Within one kernel a blob that another lab of the page already carries is not repeated (on
Colab, where every output is its own frame, everything is repeated).
"""
from __future__ import annotations

import hashlib
import html
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from IPython.display import HTML
from torch import nn

from course_lib.core.data import Split
from course_lib.core.validate import check_int, check_mapping, check_number, check_seed, check_type, fail
from course_lib.pages.lab_blobs import blob, pixels_uint8, torch_linear_seed

__all__ = ["draw_lab", "train_lab", "hidden_lab", "ablation_lab", "pixels_uint8", "JS_PATH"]

#: The lab's JavaScript (a classic script defining ``window.NNLab``; ``module.exports`` in Node).
JS_PATH = Path(__file__).parent / "js" / "nnlab.js"
_emitted: dict[str, str] = {}        # hash of a blob (or of the script) -> the kind of lab that carried it


def _once(key: str, kind: str) -> bool:
    """Whether this lab must carry ``key`` itself: not yet on the page from another kind of lab."""
    if "google.colab" in sys.modules or _emitted.get(key, kind) == kind:
        _emitted[key] = kind
        return True
    return False


def _render(kind: str, blobs: dict[str, dict[str, np.ndarray]], config: dict, caption: str):
    """The lab's HTML: markup, the blobs this lab carries, the script (once) and the call that mounts it."""
    out, hashes = [], {}
    for name, arrays in blobs.items():
        digest, spec, b85, n_bytes = blob(arrays)
        hashes[name] = digest
        if _once(digest, kind):
            out.append(f'<script type="application/octet-stream" class="nnlab-blob" data-hash="{digest}" data-bytes="{n_bytes}" '
                       f'data-spec="{html.escape(spec)}">{b85}</script>')
    cfg = html.escape(json.dumps({"kind": kind, "blobs": hashes, **config}))
    js = JS_PATH.read_text()
    if _once("nnlab.js:" + hashlib.sha256(js.encode()).hexdigest()[:16], kind):
        out.append(f"<script>if (!window.NNLab) {{\n{js}\n}}</script>")
    return HTML(f'<div class="nnlab" data-nnlab="{kind}" data-config="{cfg}">'
                '<div class="nl-body">The lab is loading (it needs JavaScript).</div>'
                f'<p class="nl-caption">{html.escape(caption)}</p></div>\n' + "\n".join(out)
                + "\n<script>window.NNLab && window.NNLab.mountAll();</script>")


def _linear_layers(fn: str, model: nn.Module, sizes: Sequence[int]) -> list[nn.Linear]:
    check_type(fn, "model", model, nn.Module, "a trained course_lib.MLP")
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    got = [layers[0].in_features] + [m.out_features for m in layers] if layers else []
    if got[:1] + got[-1:] != [sizes[0], sizes[-1]] or len(got) != len(sizes):
        fail(fn, "model", type(model).__name__, f"has layer sizes {got}",
             f"pass a network of sizes {list(sizes)} (e.g. cl.MLP({list(sizes)}) after cl.train)")
    return layers


def _f32(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.float32)


def _test_blob(fn: str, data: Split) -> dict[str, np.ndarray]:
    check_type(fn, "data", data, Split, "a course_lib Split (cl.load_mnist())")
    return {"X": pixels_uint8(fn, "data.X_test", data.X_test), "y": data.y_test.numpy().astype(np.uint8)}


def draw_lab(model: nn.Module, data: Split, start: int = 0):
    """Draw a digit (chapter 1): the ten scores, the softmax and the ten evidence maps, as one draws.

    Args:
        model: the chapter's trained logistic regression, ``MLP([784, 10])``.
        data: its Split; the picker offers ``data.X_test`` (n_test, 784).
        start: the test digit the pad opens with.

    Returns:
        The lab, an ``IPython.display.HTML`` object to display.
    """
    fn = "draw_lab"
    (layer,) = _linear_layers(fn, model, [784, 10])
    test = _test_blob(fn, data)
    start = check_int(fn, "start", start, 0, len(test["y"]) - 1, fix="the index of a test digit")
    return _render("draw", {"test": test, "model": {"W": _f32(layer.weight), "b": _f32(layer.bias)}}, {"start": start},
                   "What it computes: the drawing, fitted into a 20 × 20 box and centred by its centre of mass "
                   "in 28 × 28 pixels as MNIST digits were, times each template of the chapter's logistic regression "
                   "(the evidence maps), summed with the bias into ten scores, and the softmax of the scores.")


def train_lab(start: nn.Module, data: Split, *, epochs: int, lr: float, batch_size: int = 100,
              batch_seed: int = 0, weight_decay: float = 0.0):
    """Train logistic regression in the page (chapter 1), from ``start``'s weights, as ``cl.train`` does.

    With the same recipe the page's batches are ``cl.train``'s (torch's randperm, rebuilt in the page)
    and its weights after training match ``cl.train``'s to rounding (3e-7 after 15 epochs; tested to 1e-5); the page's
    shifts for k > 0 come from its own generator, so those runs differ from Python's.

    Args:
        start: the untrained ``MLP([784, 10])`` (e.g. ``cl.MLP([784, 10], seed=SEED)``).
        data: the Split trained on: ``X_train`` (n, 784) and ``X_test``.
        epochs, lr, batch_size, batch_seed, weight_decay: the recipe the lab opens with.

    Returns:
        The lab, an ``IPython.display.HTML`` object to display.
    """
    fn = "train_lab"
    (layer,) = _linear_layers(fn, start, [784, 10])
    test = _test_blob(fn, data)
    train = {"X": pixels_uint8(fn, "data.X_train", data.X_train), "y": data.y_train.numpy().astype(np.uint8)}
    recipe = {"epochs": check_int(fn, "epochs", epochs, 1, 50, fix="e.g. epochs=15"),
              "lr": check_number(fn, "lr", lr, 0, low_open=True, fix="e.g. lr=0.1"),
              "batch_size": check_int(fn, "batch_size", batch_size, 1, fix="e.g. batch_size=100"),
              "batch_seed": check_seed(fn, "batch_seed", batch_seed),
              "weight_decay": check_number(fn, "weight_decay", weight_decay, 0, fix="e.g. weight_decay=0.0")}
    blobs = {"train": train, "test": test}
    seed = torch_linear_seed(layer, getattr(start, "seed", None))    # the page can draw this start itself
    if seed is None:
        blobs["init"] = {"W": _f32(layer.weight), "b": _f32(layer.bias)}
    return _render("train", blobs, {"recipe": recipe, "init_seed": seed},
                   "What it computes: mini-batch SGD on the mean cross-entropy of the chapter's 4,000 training "
                   "digits, from the chapter's initial weights and in its batch order; after each epoch the ten "
                   "templates and the accuracies on the training and test digits (shifted by up to k pixels).")


def _hidden_blobs(fn: str, model: nn.Module, data: Split) -> tuple[dict, dict]:
    first, second = _linear_layers(fn, model, [784, None, 10])
    acts = [m for m in model.modules() if m.__class__.__name__.lower() in ("sigmoid", "tanh", "relu")]
    activation = acts[0].__class__.__name__.lower() if acts else "identity"
    with torch.no_grad():
        H = model.layers[1](first(data.X_train)).numpy() if hasattr(model, "layers") else None
    if H is None:
        fail(fn, "model", type(model).__name__, "has no .layers", "pass a course_lib.MLP")
    centre = H.mean(0)
    y = data.y_train.numpy()
    typical = np.stack([(H[y == c].mean(0) > centre) for c in range(10)]).astype(np.uint8)
    model_blob = {"W1": _f32(first.weight), "b1": _f32(first.bias), "W2": _f32(second.weight), "b2": _f32(second.bias),
                  "centre": centre.astype(np.float32), "typical": typical}
    return {"test": _test_blob(fn, data), "model": model_blob}, {"activation": activation}


def hidden_lab(model: nn.Module, data: Split, start: int = 0):
    """Inside the hidden layer (chapters 2, 3): activations, contributions and sign patterns of a drawing.

    Args:
        model: the chapter's trained ``MLP([784, H, 10])``.
        data: its Split: class patterns from ``X_train``, the picker over ``X_test``.
        start: the test digit the pad opens with.

    Returns:
        The lab, an ``IPython.display.HTML`` object to display.
    """
    fn = "hidden_lab"
    blobs, config = _hidden_blobs(fn, model, data)
    config["start"] = check_int(fn, "start", start, 0, len(blobs["test"]["y"]) - 1, fix="the index of a test digit")
    return _render("hidden", blobs, config,
                   "What it computes: chapter 2's 784-30-10 network on the drawing: the 30 hidden activations, "
                   "each output's contributions (weight × activation) from them, its scores and softmax, and the "
                   "drawing's sign pattern (above or below each unit's mean activation over the training digits) "
                   "beside each class's typical pattern.")


def ablation_lab(model: nn.Module, data: Split, presets: dict[str, Sequence[int]] | None = None):
    """Silence hidden units (chapters 2, 3) and see the test accuracy per class and overall at once.

    Args:
        model: the chapter's trained ``MLP([784, H, 10])``.
        data: its Split; accuracies over ``X_test``.
        presets: name -> units to silence. By default: the six units output 0 likes most, the
            three it likes and the three it dislikes most (as ``chapters.hidden.strongest_units``), and the six
            units that split the classes least and most (the largest gap between neighbouring
            class means, the gap ``splitting.split_codes`` splits at).

    Returns:
        The lab, an ``IPython.display.HTML`` object to display.
    """
    fn = "ablation_lab"
    blobs, config = _hidden_blobs(fn, model, data)
    n_hidden = len(blobs["model"]["b1"])
    if presets is None:
        V = blobs["model"]["W2"]
        order = np.argsort(V[0], kind="stable")     # as chapters.hidden.strongest_units: liked last
        liked, disliked = order[::-1][:3], order[:3]
        with torch.no_grad():
            acts = model.layers[1](model.layers[0](data.X_train)).numpy()
        y = data.y_train.numpy()
        means = np.sort(np.stack([acts[y == c].mean(0) for c in np.unique(y)]), axis=0)
        gap = np.diff(means, axis=0).max(0)         # the gap that splits the classes (splitting.split_codes)
        k = min(6, n_hidden)
        presets = {"none silenced": [], f"the {k} units output 0 likes most": order[::-1][:k],
                   "the 3 units output 0 likes and the 3 it dislikes most": np.r_[liked, disliked],
                   f"the {k} units that split the classes least": np.argsort(gap, kind="stable")[:k],
                   f"the {k} units that split them most": np.argsort(-gap, kind="stable")[:k]}
        why = ["every unit on", "the largest weights into output 0 (chapter 2's Lego blocks)",
               "the strongest positive and negative weights into output 0 (chapter 2)",
               "the smallest largest gap between neighbouring class means (chapter 3: units that do not split get "
               "little say)", "the largest gap between neighbouring class means (chapter 3)"]
    else:
        why = [""] * len(check_mapping(fn, "presets", presets, "pass e.g. {'units 0 and 1': [0, 1]}"))
    items = []
    for (name, units), reason in zip(presets.items(), why):
        units = [int(u) for u in units]
        if any(not 0 <= u < n_hidden for u in units):
            fail(fn, "presets", presets, f"names units outside 0..{n_hidden - 1} in {name!r}", "list hidden units")
        items.append({"name": str(name), "units": units, "why": reason})
    config["presets"] = items
    return _render("ablation", blobs, config,
                   "What it computes: chapter 2's 784-30-10 network on the 1,000 test digits with the chosen hidden units "
                   "silenced (their activation set to 0): the share of each digit's test images it labels correctly, "
                   "and of all of them, beside the intact network's.")
