"""course_lib.lab: the labs' HTML and data, and the page's training against course_lib.train.

The JavaScript's own math is tested by Node (tests/js, run by tests/test_js.py); here Node trains
logistic regression with nnlab.js from the chapter's initial weights and batch seed, and its
weights must match ``cl.train``'s to PARITY_TOL (float64 in the page, float32 in PyTorch).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import torch

import course_lib as cl
from course_lib.pages import lab, lab_blobs

PARITY_TOL = 1e-5          # measured: 2.9e-7 after 15 epochs (float64 in the page, float32 in PyTorch)
NODE = shutil.which("node")


@pytest.fixture(scope="module")
def data():
    return cl.load_mnist(data_seed=0)


def blobs(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="nnlab-blob" data-hash="(\w+)"[^>]*>([^<]+)</script>', html))


def test_pixels_are_exact_uint8(data):
    k = lab.pixels_uint8("t", "X", data.X_train)
    assert k.dtype == np.uint8 and np.array_equal(torch.from_numpy(k.astype(np.float32) / np.float32(255)), data.X_train)
    with pytest.raises(ValueError, match=r"X.*k/255"):
        lab.pixels_uint8("t", "X", data.X_train * 0.5 + 1e-3)
    with pytest.raises(ValueError, match=r"X.*\(n, 784\)"):
        lab.pixels_uint8("t", "X", data.X_train[:, :10])


def test_labs_carry_data_and_script_once(data):
    lab._emitted.clear()
    model = cl.MLP([784, 10], seed=0)
    draw = lab.draw_lab(model, data).data
    train = lab.train_lab(cl.MLP([784, 10], seed=1), data, epochs=15, lr=0.1).data
    assert draw.count("if (!window.NNLab)") == 1 and "if (!window.NNLab)" not in train
    shared = set(blobs(draw)) & set(re.findall(r'&quot;test&quot;: &quot;(\w+)&quot;', train))
    assert len(shared) == 1 and len(blobs(train)) == 1          # the test digits ride with the first lab only
    assert "&quot;init_seed&quot;: 1" in train                 # and the page draws the seeded start itself
    again = lab.draw_lab(model, data).data                      # a re-run cell carries everything again
    assert "if (!window.NNLab)" in again and len(blobs(again)) == 2
    lab._emitted.clear()


def test_a_start_not_drawn_from_its_seed_travels_as_weights(data):
    start = cl.MLP([784, 10], seed=3)
    assert lab_blobs.torch_linear_seed(start.layers[0], 3) == 3 and lab_blobs.torch_linear_seed(start.layers[0], 4) is None
    with torch.no_grad():
        start.layers[0].weight[0, 0] += 1e-3
    train = lab.train_lab(start, data, epochs=2, lr=0.1).data
    assert "&quot;init_seed&quot;: null" in train and "&quot;init&quot;" in train


def test_base85_and_runs_round_trip():
    data = bytes(range(256)) * 3 + b"xyz"
    text = lab_blobs.base85(data)
    assert len(text) == 5 * -(-len(data) // 4) and not set(text) & set("\"&'<>\\`")
    digits = [lab_blobs.ALPHABET.tolist().index(ord(ch)) for ch in text]
    words = [sum(d * 85 ** (4 - j) for j, d in enumerate(digits[i:i + 5])) for i in range(0, len(digits), 5)]
    assert b"".join(w.to_bytes(4, "big") for w in words)[:len(data)] == data
    mask = np.random.default_rng(0).random((50, 784)) < 0.2
    mask[0], mask[1] = True, False
    assert decode_runs(lab_blobs.runs(mask), *mask.shape).tolist() == mask.tolist()


def decode_runs(code: bytes, n: int, width: int) -> np.ndarray:
    out, it = np.zeros((n, width), bool), iter(code)
    for row in range(n):
        pos, ink = 0, False
        while pos < width:
            length = byte = next(it)
            while byte == 255:
                byte = next(it)
                length += byte
            out[row, pos:pos + length] = ink
            pos, ink = pos + length, not ink
    return out


def test_bad_arguments_name_the_argument(data):
    with pytest.raises(ValueError, match="model"):
        lab.draw_lab(cl.MLP([784, 30, 10]), data)
    with pytest.raises(ValueError, match="start"):
        lab.draw_lab(cl.MLP([784, 10]), data, start=5000)
    with pytest.raises(ValueError, match="presets"):
        lab.ablation_lab(cl.MLP([784, 30, 10], activation="sigmoid"), data, presets={"x": [40]})
    with pytest.raises(TypeError, match="presets"):
        lab.ablation_lab(cl.MLP([784, 30, 10], activation="sigmoid"), data, presets=[[0, 1]])
    with pytest.raises((ValueError, TypeError), match="lr"):
        lab.train_lab(cl.MLP([784, 10]), data, epochs=3, lr=-1)


NODE_TRAIN = r"""
const fs = require("fs"), NN = require(process.argv[1] + "/course_lib/pages/js/nnlab.js");
const dir = process.argv[2], o = JSON.parse(fs.readFileSync(dir + "/opts.json"));
const f32 = (n) => new Float32Array(new Uint8Array(fs.readFileSync(dir + "/" + n)).buffer);
const X = NN.pixels(new Uint8Array(fs.readFileSync(dir + "/X"))), y = new Uint8Array(fs.readFileSync(dir + "/y"));
const ds = new NN.Digits(X, y, y.length), t0 = Date.now();
const out = NN.trainLogreg(f32("W0"), f32("b0"), ds, o);
fs.writeFileSync(dir + "/out.json", JSON.stringify({W: Array.from(out.W), b: Array.from(out.b), ms: Date.now() - t0}));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is missing: install Node 20 (sudo apt-get install nodejs)")
@pytest.mark.parametrize("recipe", [dict(epochs=15, lr=0.1, weight_decay=0.0, batch_seed=0),
                                    dict(epochs=3, lr=0.3, weight_decay=0.01, batch_seed=7)])
def test_page_training_matches_course_lib_train(data, tmp_path, recipe):
    """Same initial weights, batch order and recipe: the page's weights are cl.train's to PARITY_TOL."""
    model = cl.MLP([784, 10], seed=recipe["batch_seed"])
    W0, b0 = (p.detach().numpy().copy() for p in model.parameters())
    cl.train(model, data, batch_size=100, eval_every=None, progress=False, **recipe)
    (tmp_path / "W0").write_bytes(W0.astype("<f4").tobytes())
    (tmp_path / "b0").write_bytes(b0.astype("<f4").tobytes())
    (tmp_path / "X").write_bytes(lab.pixels_uint8("t", "X", data.X_train).tobytes())
    (tmp_path / "y").write_bytes(data.y_train.numpy().astype(np.uint8).tobytes())
    (tmp_path / "opts.json").write_text(json.dumps({"epochs": recipe["epochs"], "lr": recipe["lr"], "batchSize": 100,
                                                    "weightDecay": recipe["weight_decay"], "batchSeed": recipe["batch_seed"]}))
    subprocess.run([NODE, "-e", NODE_TRAIN, str(lab.JS_PATH.parents[3]), str(tmp_path)], check=True, timeout=120)
    out = json.loads((tmp_path / "out.json").read_text())
    W, b = (p.detach().numpy() for p in model.parameters())
    diff = max(np.abs(np.array(out["W"]).reshape(10, 784) - W).max(), np.abs(np.array(out["b"]) - b).max())
    print(f"{recipe}: largest weight difference page vs cl.train {diff:.2e}; Node took {out['ms']} ms")
    assert diff < PARITY_TOL
