"""Issue 19, "Nothing silently wrong": every public function checks what it is given.

The decisions (what is refused, what is accepted) are one table, ``tests/bad_input_table.py``; print it with
``python tests/bad_input_table.py``. This file checks it three ways:

* one test per row: a bad input is refused with a ValueError or TypeError whose message names the function
  and the argument (a *clear* error), and an accepted edge input runs;
* Hypothesis: for every function, generated bad values of each argument's kind (NaN and inf, zero and
  negative numbers, fractions where integers belong, wrong shapes and dtypes, unknown names; for an
  argument without a kind, the table's own bad values) are refused clearly, never met with a raw
  exception from inside the library and never silently accepted (the accept set is the table's
  accepted values);
* the table covers every public function of the package (those left out are listed with the reason).

``scripts/probe_inputs.py`` runs the same table on any version of the code and counts clear, raw and
silent outcomes.
"""
from __future__ import annotations

import importlib
import inspect
import io
import math
import pkgutil
import warnings
from contextlib import redirect_stdout

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from bad_input_table import Kind, T, rows, specs, summary
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import course_lib

TABLE = rows()
SPECS = specs()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _call(thunk):
    with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return thunk()


def assert_refused_clearly(thunk, name: str, arg: str, shown: str) -> None:
    """The call raises a ValueError or TypeError that names ``name`` and ``arg`` (anything else fails)."""
    try:
        _call(thunk)
    except (ValueError, TypeError) as err:
        message = str(err)
        assert name in message and arg in message, (
            f"{name}({arg}={shown}) was refused, but the message does not name the function and the "
            f"argument: {type(err).__name__}: {message}")
        return
    except Exception as err:  # noqa: BLE001 - a raw error from inside the library is the failure
        pytest.fail(f"{name}({arg}={shown}) raised a raw {type(err).__name__}: {err}")
    pytest.fail(f"{name}({arg}={shown}) was accepted silently; the table says it must be refused")


# ----------------------------------------------------------------------------------- the table itself
def test_the_table_is_readable_and_balanced():
    text = summary(TABLE)
    assert text.count("\n") == len(TABLE) + 1
    refused = [r for r in TABLE if r.expect == "refuse"]
    assert len(refused) > 1000 and len(TABLE) - len(refused) > 100
    assert len({r.id for r in TABLE}) == len(TABLE), "two rows share an id"
    issue = [r for r in TABLE if r.why.startswith("issue 19")]
    assert len(issue) >= 15   # every case the issue names has its own row


#: Public names that take no argument a reader could get wrong, or are plain records the library builds.
EXEMPT = {
    "available_cpus": "no arguments", "cache_dir": "no arguments", "use_book_style": "no arguments",
    "register_renderer": "no arguments", "chapter_seed": "no arguments (reads COURSE_LIB_SEED, checked)",
    "collecting": "no arguments", "manifest": "no arguments", "names": "no arguments",
    "questions": "no arguments", "normalise": "self_check's helper (checked through self_check)",
    "digest": "self_check's helper", "class_color": "cycles through the palette for any int",
    "Ascent": "a record gradient_ascent returns", "Fit": "a record fit_templates returns",
    "Evidence": "a record evidence returns", "Event": "a record train passes to callbacks",
    "Run": "a record train_seeds returns", "Recording": "a record a Recorder fills",
    "StepUpdates": "a record record_updates returns", "History": "a record train returns (History.member is in the table)",
    "StopTraining": "an exception", "TrainingDiverged": "an exception", "ResultsFileError": "an exception",
    "Panel": "built by live (in the table)", "Estimate.upper": "a method",
}
#: Table names that stand for a public name of another spelling.
ALIASES = {"load_results": "load", "results.path": "path", "member": "member", "History.member": "member"}


def test_the_table_covers_every_public_function():
    covered = {ALIASES.get(s.fn, s.fn) for s in SPECS}
    missing = []
    for info in pkgutil.iter_modules(course_lib.__path__):
        if info.name == "validate":
            continue
        module = importlib.import_module(f"course_lib.{info.name}")
        public = getattr(module, "__all__", None) or [
            n for n, v in vars(module).items() if not n.startswith("_") and inspect.isfunction(v)
            and v.__module__ == module.__name__]
        for name in public:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and name not in covered and name not in EXEMPT:
                missing.append(f"{info.name}.{name}")
    assert not missing, f"public functions without rows in tests/bad_input_table.py: {missing}"


@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_decision(row):
    if row.expect == "accept":
        _call(row.call)
    else:
        assert_refused_clearly(row.call, row.name, row.arg, row.value)


# ------------------------------------------------------------------------------------------ Hypothesis
_texts = st.text(max_size=6)
_non_integral = st.floats(allow_nan=True, allow_infinity=True)   # any float: a fraction where an int belongs


def _number_strategy(kind: str) -> st.SearchStrategy:
    """Bad values of a scalar kind (never one the kind accepts)."""
    nan_inf = st.sampled_from([math.nan, math.inf, -math.inf])
    junk = st.one_of(_texts, st.none(), st.lists(st.integers(), max_size=2))
    if kind == "pos_int":
        return st.one_of(st.integers(max_value=0), st.integers(-2**63, 0).map(np.int64), _non_integral,
                         st.booleans(), junk)
    if kind == "nonneg_int":
        return st.one_of(st.integers(max_value=-1), _non_integral, st.booleans(), junk)
    if kind == "seed":
        return st.one_of(st.integers(max_value=-1), st.integers(min_value=2**63), _non_integral, junk)
    if kind == "pos_float":
        return st.one_of(st.floats(max_value=0.0), nan_inf, junk)
    if kind == "nonneg_float":
        return st.one_of(st.floats(max_value=-1e-300, allow_infinity=True), nan_inf, junk)
    if kind == "finite_float":
        return st.one_of(nan_inf, junk)
    if kind == "open01":
        return st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), nan_inf, _texts)
    if kind in ("closed01", "momentum"):
        high = st.floats(min_value=1.0, exclude_min=kind == "closed01")
        return st.one_of(st.floats(max_value=-1e-300, allow_infinity=True), high, nan_inf, _texts)
    if kind == "bool":
        return st.one_of(st.integers(), st.floats(), _texts, st.none())
    raise KeyError(kind)


def _array_strategy(kind: str, valid) -> st.SearchStrategy:
    """Bad arrays made from the valid one: a NaN or inf at a drawn place, a wrong number of axes, strings."""
    size = int(np.size(valid))

    def put(value):
        def make(i):
            a = valid.clone().float() if isinstance(valid, torch.Tensor) else np.array(valid, dtype=np.float64)
            a.reshape(-1)[i] = value
            return a
        return st.integers(0, max(size - 1, 0)).map(make)

    shapes = [valid[None, None], np.full(np.shape(valid), "x")]
    if np.ndim(valid) >= 1:
        shapes.append(valid[0] if np.ndim(valid) >= 2 else valid[None, None])
    bad = [put(math.nan), put(math.inf), put(-math.inf), st.sampled_from(shapes)]
    if kind == "labels":   # a fraction or a negative label at a drawn place, instead of NaN
        bad = [put(0.5), st.integers(0, max(size - 1, 0)).map(lambda i: _with_label(valid, i, -1)),
               st.sampled_from(shapes[:1] + [valid[..., :-1]])]
    return st.one_of(*bad)


def _with_label(valid, i, value):
    a = valid.clone() if isinstance(valid, torch.Tensor) else np.array(valid, copy=True)
    a.reshape(-1)[i] = value
    return a


def _choice_strategy(kind: Kind) -> st.SearchStrategy:
    return st.one_of(_texts.filter(lambda s: s not in kind.allowed), st.none(), st.integers())


def _strategy(kind, valid) -> st.SearchStrategy:
    """Bad values of one argument: drawn from its kind, or from the table's own rows when it has no kind."""
    if not isinstance(kind, Kind):
        return st.sampled_from([value for _, value in kind]).map(lambda v: v(valid) if isinstance(v, T) else v)
    if kind.name == "choice":
        return _choice_strategy(kind)
    if kind.name in ("array2d", "array1d", "labels"):
        return _array_strategy(kind.name, valid)
    return _number_strategy(kind.name)


def _accepted_values(spec, arg) -> list:
    """The accept set of one argument: the edge values the table accepts."""
    return [repr(v(spec.valid().get(arg)) if isinstance(v, T) else v) for _, v in spec.ok.get(arg, [])]


@pytest.mark.parametrize("spec", [s for s in SPECS if s.bad], ids=[s.display or s.fn for s in SPECS if s.bad])
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_generated_bad_values_are_refused_clearly(spec, data):
    args = sorted(spec.bad)
    arg = data.draw(st.sampled_from(args), label="argument")
    kwargs = spec.valid()
    value = data.draw(_strategy(spec.bad[arg], kwargs.get(arg)), label=arg)
    kwargs[arg] = value
    shown = repr(value) if not hasattr(value, "shape") else f"<{type(value).__name__} {tuple(value.shape)}>"
    try:
        _call(lambda: spec.call(**kwargs))
    except (ValueError, TypeError) as err:
        assert spec.fn in str(err) and arg in str(err), (
            f"{spec.fn}({arg}={shown}): the message does not name the function and the argument: {err}")
        return
    except Exception as err:  # noqa: BLE001
        pytest.fail(f"{spec.fn}({arg}={shown}) raised a raw {type(err).__name__}: {err}")
    assert repr(value) in _accepted_values(spec, arg), f"{spec.fn}({arg}={shown}) was accepted silently"


@pytest.mark.parametrize("value", [float("nan"), np.float64("inf"), np.array(np.nan), torch.tensor(float("-inf"))])
def test_a_single_non_finite_number_is_refused_clearly(value):
    """A 0-d array has no index to report: the message says what it holds (was a bare IndexError)."""
    with pytest.raises(ValueError, match=r"as_numpy: a=.* holds -?(nan|inf); remove or replace"):
        course_lib.as_numpy(value)
