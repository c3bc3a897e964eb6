"""The argument checks of course_lib: one small set, used by every public function.

Every chapter relies on them, from :doc:`/book/00_introduction` on. The error form and the rules are in
the API appendix, under this module.
"""
from __future__ import annotations

import contextlib
import contextvars
import difflib
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch

_CALLERS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("course_lib_callers", default=())


@contextlib.contextmanager
def calling(fn: str) -> Iterator[None]:
    """Name ``fn`` in front of every check that fails inside the block (``fn -> inner: ...``)."""
    token = _CALLERS.set(_CALLERS.get() + (fn,))
    try:
        yield
    finally:
        _CALLERS.reset(token)


def where(fn: str) -> str:
    """``fn`` preceded by the functions that called it through :func:`calling`, e.g. ``train_seeds -> train``."""
    chain = _CALLERS.get()
    return " -> ".join(chain if chain[-1:] == (fn,) else chain + (fn,))


def show(value: Any) -> str:
    """A short description of a value for an error message (arrays by shape and dtype)."""
    if isinstance(value, torch.Tensor):
        if value.ndim == 0:
            return f"tensor({value.item()!r})"
        return f"<tensor of shape {tuple(value.shape)}, {str(value.dtype).replace('torch.', '')}>"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return repr(value.item())
        return f"<array of shape {value.shape}, {value.dtype}>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fail(fn: str, name: str, value: Any, problem: str, fix: str = "", exc: type[Exception] = ValueError):
    """Raise ``exc("<fn>: <name>=<value> <problem>; <fix>.")``."""
    message = f"{where(fn)}: {name}={show(value)} {problem}" + (f"; {fix}" if fix else "")
    raise exc(message if message.endswith((".", "?", ")")) else message + ".")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_type(fn: str, name: str, value: Any, types: type | tuple[type, ...], what: str, fix: str = "") -> Any:
    """``value`` must be an instance of ``types`` (described as ``what``); TypeError otherwise."""
    if not isinstance(value, types):
        fail(fn, name, value, f"is a {type(value).__name__}, not {what}", fix, TypeError)
    return value


def check_callable(fn: str, name: str, value: Any, fix: str = "") -> Any:
    return check_type(fn, name, value, Callable, "a function", fix or "pass a function")


def check_bool(fn: str, name: str, value: Any) -> bool:
    """``True`` or ``False`` (also NumPy's); a string such as ``'no'`` would count as true."""
    if not isinstance(value, (bool, np.bool_)):
        fail(fn, name, value, "must be True or False", f"pass {name}=True or {name}=False", TypeError)
    return bool(value)


def check_int(fn: str, name: str, value: Any, low: int | None = None, high: int | None = None, fix: str = "") -> int:
    """An integer (Python or NumPy, not bool) with ``low <= value <= high``; returned as ``int``."""
    if not _is_number(value):
        fail(fn, name, value, f"is a {type(value).__name__}, not an integer", fix, TypeError)
    if not isinstance(value, (numbers.Integral, np.integer)):
        fail(fn, name, value, "must be a whole number", fix)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"<= {high}" if low is None else f"between {low} and {high}"
        fail(fn, name, value, f"must be an integer {bounds}", fix)
    return int(value)


def check_seed(fn: str, name: str, value: Any) -> int:
    """A seed: a non-negative integer below 2**63."""
    return check_int(fn, name, value, 0, 2**63 - 1, f"pass e.g. {name}=0")


def check_number(fn: str, name: str, value: Any, low: float | None = None, high: float | None = None, *,
                 low_open: bool = False, high_open: bool = False, finite: bool = True, fix: str = "") -> Any:
    """A real number (not bool, not NaN; finite unless ``finite=False``) in the given range, returned as is."""
    if not _is_number(value):
        fail(fn, name, value, f"is a {type(value).__name__}, not a number", fix, TypeError)
    if math.isnan(value) or (finite and math.isinf(value)):
        fail(fn, name, value, "must be a finite number", fix)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "" if low is None else f"{low} {'<' if low_open else '<='} "
        hi = "" if high is None else f" {'<' if high_open else '<='} {high}"
        fail(fn, name, value, f"must satisfy {lo}{name}{hi}", fix)
    return value


def check_choice(fn: str, name: str, value: Any, choices: Iterable[str], fix: str = "") -> str:
    """One of ``choices`` (exact spelling); the message lists them and suggests the closest."""
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices) if len(choices) <= 12 else f"{len(choices)} known names"
        close = difflib.get_close_matches(value, choices, n=1) if isinstance(value, str) else []
        hint = fix or f"choose one of {listed}"
        if close:
            hint = f"did you mean {close[0]!r}?" + (f" ({fix})" if fix else "")
        fail(fn, name, value, f"is not one of {listed}", hint, ValueError if isinstance(value, str) else TypeError)
    return value


def check_int_list(fn: str, name: str, values: Any, low: int = 0, min_len: int = 0, fix: str = "") -> list[int]:
    """A sequence of integers ``>= low`` (at least ``min_len`` of them); returned as a list of ``int``."""
    if isinstance(values, (str, bytes, dict)) or not isinstance(values, Iterable):
        fail(fn, name, values, "is not a list of integers", fix, TypeError)
    items = list(values)
    if len(items) < min_len:
        fail(fn, name, values, f"has {len(items)} entries; it needs at least {min_len}", fix)
    for v in items:
        if isinstance(v, torch.Tensor) and v.ndim == 0 and not v.is_floating_point() and v.dtype != torch.bool:
            v = v.item()
        if not _is_number(v) or not isinstance(v, (numbers.Integral, np.integer)) or v < low:
            fail(fn, name, values, f"holds {v!r}; every entry must be an integer >= {low}", fix)
    return [int(v.item() if isinstance(v, torch.Tensor) else v) for v in items]


def check_mapping(fn: str, name: str, value: Any, fix: str = "", empty_ok: bool = False) -> Any:
    check_type(fn, name, value, Mapping, "a dict", fix)
    if not empty_ok and len(value) == 0:
        fail(fn, name, value, "is empty", fix)
    return value


def check_array(fn: str, name: str, x: Any, *, ndim: int | Sequence[int] | None = None,
                shape: Sequence[int | None] | None = None, kind: str = "number", finite: bool = True,
                min_rows: int = 0, tensor: bool | None = None, fix: str = "") -> np.ndarray:
    """An array (NumPy, a list, or a tensor) of numbers; returns a NumPy view of ``x`` for further checks.

    Args:
        ndim: the number of axes, or the allowed numbers of axes.
        shape: the required sizes, ``None`` for any size along that axis.
        kind: ``"number"`` (real numbers or bools), ``"integer"`` or ``None`` (any dtype).
        tensor: True: must be a torch tensor; False: must not be one; None: either.
    """
    if tensor is True:
        check_type(fn, name, x, torch.Tensor, "a torch tensor", fix or f"convert it with torch.as_tensor({name})")
    if tensor is False and isinstance(x, torch.Tensor):
        fail(fn, name, x, "is a torch tensor here", fix or f"pass {name}.numpy()", TypeError)
    if isinstance(x, (str, bytes, dict)) or x is None:
        fail(fn, name, x, f"is a {type(x).__name__}, not an array", fix, TypeError)
    try:  # a CPU tensor is viewed without a copy
        a = (x.detach().float() if x.dtype == torch.bfloat16 else x.detach()).cpu().numpy() \
            if isinstance(x, torch.Tensor) else np.asarray(x)
    except (ValueError, TypeError, RuntimeError) as err:   # ragged lists
        fail(fn, name, x, f"is not an array of numbers ({err})", fix, TypeError)
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim) if ndim is not None else None
    if allowed is not None and a.ndim not in allowed:
        want = (" or ".join(f"{n}-D" for n in allowed) if len(allowed) <= 3
                else f"{min(allowed)}-D to {max(allowed)}-D")
        fail(fn, name, x, f"is {a.ndim}-D (shape {a.shape}); it needs a {want} array", fix)
    if shape is not None:
        if a.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, a.shape)):
            sizes = ", ".join("n" if s is None else str(s) for s in shape)
            want = f"({sizes}{',' if len(shape) == 1 else ''})"
            fail(fn, name, x, f"has shape {a.shape}; it needs {want}", fix)
    integer = kind == "integer"
    if kind is not None and a.dtype.kind not in ("iu" if integer else "biuf"):
        fail(fn, name, x, f"holds {a.dtype} values, not {'integers' if integer else 'real numbers'}",
             fix or ("convert it with .astype(int) or .long()" if integer else ""),
             ValueError if a.dtype.kind in "biufc" else TypeError)
    if min_rows and (a.ndim == 0 or a.shape[0] < min_rows):
        fail(fn, name, x, f"has {0 if a.ndim == 0 else a.shape[0]} rows; it needs at least {min_rows}", fix)
    if finite and a.dtype.kind in "fc" and a.size and not np.isfinite(a).all():
        bad = ~np.isfinite(a)
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        count = f" ({int(bad.sum())} non-finite values in all)" if bad.sum() > 1 else ""
        place = f" at index {at if len(at) > 1 else at[0]}" if at else ""      # a 0-d array has no index
        fail(fn, name, x, f"holds {a[at]}{place}{count}",
             "remove or replace the NaN and inf values first (np.isfinite or torch.isfinite finds them)")
    return a


def check_labels(fn: str, name: str, y: Any, *, n: int | None = None, n_classes: int | None = None,
                 ndim: int | Sequence[int] = 1, tensor: bool | None = None, fix: str = "") -> np.ndarray:
    """Class labels: integers ``0 <= y < n_classes``, ``n`` of them along the last axis."""
    a = check_array(fn, name, y, ndim=ndim, kind=None, tensor=tensor, fix=fix)
    if a.dtype.kind not in "iu":
        fail(fn, name, y, f"holds {a.dtype} values; class labels must be integers",
             fix or "convert them with .astype(int) (NumPy) or .long() (torch)",
             ValueError if a.dtype.kind in "bfc" else TypeError)
    count = a.shape[-1] if a.ndim else 0
    if n is not None and count != n:
        fail(fn, name, y, f"has {count} labels for {n} samples", fix or "pass one label per sample")
    if a.size and a.min() < 0:
        fail(fn, name, y, f"holds the label {a.min()}; labels start at 0", fix)
    if n_classes is not None and a.size and a.max() >= n_classes:
        fail(fn, name, y, f"holds the label {a.max()} but there are only {n_classes} classes (0..{n_classes - 1})",
             fix or "give the model one output per class, or renumber the labels")
    return a


def check_rows_vary(fn: str, name: str, A: np.ndarray) -> None:
    """Every row of a 2-D array takes at least two values: a constant row has no correlation."""
    A = np.asarray(A)
    if A.ndim == 2 and A.shape[1] > 0:
        constant = np.flatnonzero((A == A[:, :1]).all(axis=1))
        if len(constant):
            fail(fn, name, A, f"has a constant row (row {int(constant[0])}), whose correlation is undefined",
                 "drop that row, or compare it in another way (e.g. its distance)")


def check_image_shape(fn: str, image_shape, channels: bool = False) -> tuple[int, ...]:
    """``(h, w)`` (or ``(c, h, w)`` with ``channels``) of positive integers, returned as a tuple of ints."""
    n, sized = (3 if channels else 2), hasattr(image_shape, "__len__")
    if isinstance(image_shape, (str, bytes)) or not sized or len(image_shape) != n:
        example = "(3, 32, 32)" if channels else "(28, 28)"
        fail(fn, "image_shape", image_shape, f"is not a tuple of {n} sizes", f"pass e.g. image_shape={example}",
             ValueError if sized else TypeError)
    fix = "every size is a positive integer, e.g. (28, 28)"
    return tuple(check_int(fn, "image_shape", s, 1, fix=fix) for s in image_shape)


def guarded(fn: str, call: Callable[[], Any], what: str) -> Any:
    """Run ``call`` (user code, e.g. a drawing function) and say where it failed: ``what`` names the input."""
    try:
        return call()
    except Exception as err:  # noqa: BLE001 - re-raised with the place it failed, chained to the original
        raise ValueError(f"{where(fn)}: the function failed at {what} with {type(err).__name__}: {err}; "
                         "call it there by hand to debug it.") from err
