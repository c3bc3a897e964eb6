"""What the labs of :mod:`course_lib.pages.lab` carry in a page, packed small.

Used by the labs of :doc:`/book/01_templates`, :doc:`/book/02_hidden_layers` and
:doc:`/book/03_class_splitting`.

A blob is several arrays, gzipped and written in base 85 (5 characters per 4 bytes; base64 needs
5.33). Digits travel as uint8 pixels k (exactly k / 255 in PyTorch): the runs of blank and inked
pixels of each digit, then the inked pixels' values. Initial weights that PyTorch drew from a seed
travel as the seed (the page draws them again with torch's generator, bit for bit). The page's
decoder is ``unpack`` in ``js/nnlab.js``.
"""
from __future__ import annotations

import gzip
import hashlib
import json

import numpy as np
import torch

from course_lib.core.measures import as_numpy
from course_lib.core.validate import fail

#: 85 printable ASCII characters without " & ' < > \ ` (safe in HTML text and attributes).
ALPHABET = np.frombuffer(bytes(c for c in range(33, 127) if chr(c) not in "\"&'<>\\`")[:85], np.uint8)


def pixels_uint8(fn: str, name: str, X) -> np.ndarray:
    """Images in [0, 1] of shape (n, 784) as uint8 k with X == k / 255 exactly, or fail saying why."""
    X = as_numpy(X, fn, name, dtype=None)
    if X.ndim != 2 or X.shape[1] != 784:
        fail(fn, name, X, f"has shape {X.shape}; expected (n, 784) digits", "pass data from cl.load_mnist()")
    k = np.rint(X.astype(np.float64) * 255)
    if k.min() < 0 or k.max() > 255 or not np.array_equal(k.astype(np.float32) / np.float32(255), X.astype(np.float32)):
        fail(fn, name, X, "is not made of pixels k/255 in [0, 1]", "pass the digits of cl.load_mnist() with scale=1.0")
    return k.astype(np.uint8)


def base85(data: bytes) -> str:
    """Base 85 in ALPHABET: every 4 bytes (zero-padded at the end) as 5 digits, most significant first."""
    words = np.frombuffer(data + b"\0" * (-len(data) % 4), ">u4").astype(np.int64)
    digits = np.stack([words // 85 ** (4 - i) % 85 for i in range(5)], axis=1)
    return ALPHABET[digits.ravel()].tobytes().decode()


def runs(mask: np.ndarray) -> bytes:
    """Each row's alternating runs of False and True (starting with False), each length in chunks of 255."""
    out = bytearray()
    for row in mask:
        edges = np.flatnonzero(np.diff(np.r_[False, row, False].astype(np.int8)))
        bounds = np.r_[0, edges[edges < len(row)], len(row)]
        for length in np.diff(bounds):
            out += b"\xff" * (int(length) // 255) + bytes([int(length) % 255])
    return bytes(out)


def torch_linear_seed(layer: torch.nn.Linear, seed) -> int | None:
    """``seed`` if ``layer``'s weights are what ``MLP([d, c], seed=seed)`` draws (PyTorch's default start), else None.

    nn.Linear draws its weights and biases once, and course_lib's MLP draws them again, each from
    U(-1/sqrt(d), 1/sqrt(d)) with torch's mt19937: value = fl32(x * (hi - lo) + lo) with x a 24-bit fraction.
    """
    if seed is None or not 0 <= int(seed) < 2 ** 32:
        return None
    c, d = layer.weight.shape
    raw = np.random.RandomState(int(seed))._bit_generator.random_raw(2 * (c * d + c))[c * d + c:]
    x = (raw & 0xFFFFFF).astype(np.float64) * 2.0 ** -24
    lo, hi = np.float32(-1 / np.sqrt(d)), np.float32(1 / np.sqrt(d))
    drawn = (x * np.float64(hi - lo) + np.float64(lo)).astype(np.float32)
    same = (np.array_equal(drawn[:c * d].reshape(c, d), layer.weight.detach().cpu().numpy())
            and np.array_equal(drawn[c * d:], layer.bias.detach().cpu().numpy()))
    return int(seed) if same else None


def blob(arrays: dict[str, np.ndarray]) -> tuple[str, str, str, int]:
    """(hash, spec JSON, base 85 of gzip, length of the gzip) of the arrays; a uint8 matrix ``X`` as runs plus values."""
    parts, spec, offset = [], {}, 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        entry = {"dtype": str(a.dtype), "shape": list(a.shape), "offset": offset}
        if name == "X":
            nz = a != 0
            mask = runs(nz)
            raw = mask + a[nz].tobytes()
            entry.update(enc="runs", nnz=int(nz.sum()), mask_bytes=len(mask))
        else:
            raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        raw += b"\0" * (-len(raw) % 4)                     # keep float32 views aligned
        parts.append(raw)
        spec[name] = entry
        offset += len(raw)
    payload = b"".join(parts)
    packed = gzip.compress(payload, 9, mtime=0)
    return hashlib.sha256(payload).hexdigest()[:16], json.dumps(spec), base85(packed), len(packed)
