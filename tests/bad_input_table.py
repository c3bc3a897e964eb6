"""The decision table of issue 19 ("Nothing silently wrong"): what every public function of course_lib
refuses, and which edge inputs it accepts.

One :class:`Spec` per public function (or class, or method) gives a valid call and, per argument, the bad
values it must refuse (and a few edge values it must accept). :func:`rows` expands them into the table:
one :class:`Row` per (function, argument, value, decision). ``python tests/bad_input_table.py`` prints it.

Used by ``tests/test_bad_inputs.py`` (one test per row, plus Hypothesis over the argument *kinds*) and by
``scripts/probe_inputs.py`` (counts clear / raw / silent outcomes on any version of the code).

A refusal is *clear* when it is a ValueError or TypeError whose message names the function and the argument.
"""
from __future__ import annotations

import dataclasses
import functools
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch

NAN, INF = float("nan"), float("inf")


# --------------------------------------------------------------------------------------------- fixtures
@functools.lru_cache(maxsize=None)
def _split_arrays():
    gen = torch.Generator().manual_seed(123)
    centers = torch.randn(3, 12, generator=gen) * 2

    def make(n):
        y = torch.arange(n) % 3
        return centers[y] + torch.randn(n, 12, generator=gen), y

    return make(60), make(30), make(30)


def split(val: bool = True):
    """A fresh 3-class problem with 12 features: 60 train, 30 test (and 30 validation) samples."""
    from course_lib.core.data import Split

    (X_tr, y_tr), (X_te, y_te), (X_va, y_va) = _split_arrays()
    if not val:
        return Split(X_tr.clone(), y_tr.clone(), X_te.clone(), y_te.clone(), classes=(0, 1, 2))
    return Split(X_tr.clone(), y_tr.clone(), X_te.clone(), y_te.clone(), X_va.clone(), y_va.clone(), classes=(0, 1, 2))


def bad_split(part: str, make: Callable, val: bool = True):
    """A valid split whose ``part`` is replaced *after* construction (as a reader could do by hand)."""
    s = split(val)
    setattr(s, part, make(getattr(s, part)))
    return s


def mlp(sizes=(12, 5, 3), seed: int = 0):
    from course_lib.core.models import MLP

    return MLP(list(sizes), seed=seed)


def ens(sizes=(12, 5, 3), seeds=(0, 1)):
    from course_lib.core.models import MLPEnsemble

    return MLPEnsemble(list(sizes), seeds=list(seeds))


def X(n: int = 20, d: int = 12, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed))


def Xn(n: int = 20, d: int = 12, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d))


def yn(n: int = 20, k: int = 3) -> np.ndarray:
    return np.arange(n) % k


def probs(n: int = 20, k: int = 3, seed: int = 0) -> np.ndarray:
    z = np.random.default_rng(seed).standard_normal((n, k))
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fig():
    import plotly.graph_objects as go

    return go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))


def fake_fetcher(n: int = 30, width: int = 784):
    def fetch(**_):
        return np.zeros((n, width)), np.array([str(i % 10) for i in range(n)])
    return fetch


def history():
    from course_lib.core.history import History

    h = History()
    for e in range(3):
        h.evaluated.append(e)
        for k in ("train_loss", "test_loss", "train_acc", "test_acc"):
            h.append(k, 0.5 + 0.1 * e)
    return h


def jump_X(n: int = 6, length: int = 100) -> np.ndarray:
    from course_lib.chapters.jump import make_jump_signals

    return make_jump_signals(n, length=length, first=21, last=min(80, length), balanced=False)[0].numpy()


def question(kind: str) -> str:
    from course_lib.course.selfcheck import questions

    return next(q for q, spec in sorted(questions().items()) if spec["kind"] == kind)


# ---------------------------------------------------------------------------------- bad-value makers
class T:
    """A bad value made from the valid one (e.g. the valid array with one NaN)."""

    def __init__(self, make: Callable[[Any], Any], label: str = ""):
        self.make, self.label = make, label

    def __call__(self, valid):
        return self.make(valid)


def _copy(v):
    if isinstance(v, torch.Tensor):
        return v.clone().float() if not v.is_floating_point() else v.clone()
    a = np.array(v, dtype=np.float64, copy=True)
    return a


def with_value(value: float) -> T:
    def make(v):
        a = _copy(v)
        a.reshape(-1)[len(a.reshape(-1)) // 2] = value
        return a
    return T(make)


def first_row() -> T:
    return T(lambda v: v[0])


def add_axis() -> T:
    return T(lambda v: v[None])


def no_rows() -> T:
    return T(lambda v: v[:0])


def as_strings() -> T:
    return T(lambda v: np.full(np.shape(v), "a"))


def drop_column() -> T:
    return T(lambda v: v[..., :-1])


def one_short() -> T:
    return T(lambda v: v[:-1])


def as_float_labels() -> T:
    def make(v):
        a = _copy(v)
        a.reshape(-1)[0] = 0.5
        return a
    return T(make)


def with_label(value: int) -> T:
    def make(v):
        a = v.clone() if isinstance(v, torch.Tensor) else np.array(v, copy=True)
        a.reshape(-1)[0] = value
        return a
    return T(make)


@dataclass(frozen=True)
class Kind:
    """A family of bad values (one argument type): fixed rows for the table, and a name that
    ``tests/test_bad_inputs.py`` maps to a Hypothesis strategy."""

    name: str
    values: tuple            # (label, value or T) pairs, all refused
    allowed: tuple = ()      # for "choice": the accepted names


POS_INT = Kind("pos_int", (("0", 0), ("-1", -1), ("2.5", 2.5), ("'3'", "3"), ("True", True)))
NONNEG_INT = Kind("nonneg_int", (("-1", -1), ("1.5", 1.5), ("'2'", "2"), ("True", True)))
SEED = Kind("seed", (("-1", -1), ("1.5", 1.5), ("'0'", "0")))
POS_FLOAT = Kind("pos_float", (("0", 0.0), ("-1", -1.0), ("nan", NAN), ("inf", INF), ("'0.1'", "0.1")))
NONNEG_FLOAT = Kind("nonneg_float", (("-0.5", -0.5), ("nan", NAN), ("inf", INF), ("'1'", "1")))
FINITE_FLOAT = Kind("finite_float", (("nan", NAN), ("inf", INF), ("-inf", -INF), ("'1'", "1")))
OPEN01 = Kind("open01", (("0", 0.0), ("1", 1.0), ("-0.2", -0.2), ("nan", NAN), ("'0.5'", "0.5")))
CLOSED01 = Kind("closed01", (("-0.1", -0.1), ("1.5", 1.5), ("nan", NAN)))
BOOL = Kind("bool", (("'yes'", "yes"), ("None", None), ("2", 2)))


def choice(*allowed: str) -> Kind:
    return Kind("choice", (("'nonsense'", "nonsense"), ("None", None), ("3", 3)), tuple(allowed))


#: float arrays (n, d): NaN or inf inside, wrong number of axes, no rows, strings.
ARRAY2D = Kind("array2d", (("a NaN inside", with_value(NAN)), ("an inf inside", with_value(INF)),
                           ("1-D", first_row()), ("3-D", add_axis()), ("strings", as_strings())))
#: float arrays that must also keep their rows (n > 0)
ARRAY2D_ROWS = Kind("array2d", ARRAY2D.values + (("0 rows", no_rows()),))


def extend(kind: Kind, *more) -> Kind:
    """The same kind with more fixed rows."""
    return dataclasses.replace(kind, values=kind.values + tuple(more))
ARRAY1D = Kind("array1d", (("a NaN inside", with_value(NAN)), ("an inf inside", with_value(INF)),
                           ("2-D", add_axis()), ("strings", as_strings())))
#: integer labels (n,): a fraction, a negative label, one label short, 2-D
LABELS = Kind("labels", (("a label 0.5", as_float_labels()), ("a label -1", with_label(-1)),
                         ("one label short", one_short()), ("2-D", add_axis())))


# ------------------------------------------------------------------------------------------ the table
@dataclass
class Spec:
    fn: str                                  # the name a clear message must contain
    call: Callable[..., Any]                 # call(**kwargs)
    valid: Callable[[], dict]                # fresh valid keyword arguments
    bad: dict = field(default_factory=dict)  # argument -> Kind or [(label, value | T)]
    ok: dict = field(default_factory=dict)   # argument -> [(label, value | T)] accepted edge values
    extra: list = field(default_factory=list)  # (argument, label, kwargs -> thunk, decision, why)
    display: str | None = None               # the name shown in the table (default: fn)
    notes: dict = field(default_factory=dict)  # (argument, label) -> why, for rows of ``bad``


@dataclass(frozen=True)
class Row:
    fn: str
    arg: str
    value: str
    expect: str                              # "refuse" or "accept"
    call: Callable[[], Any] = field(repr=False, compare=False)
    why: str = ""
    name: str = ""                           # what a clear message must contain (default: fn)

    @property
    def id(self) -> str:
        return f"{self.fn}-{self.arg}={self.value}"


def _resolve(value, valid):
    return value(valid) if isinstance(value, T) else value


def _rows_of(spec: Spec) -> list[Row]:
    shown, out = spec.display or spec.fn, []

    def thunk(arg, value):
        def run():
            kwargs = spec.valid()
            kwargs[arg] = _resolve(value, kwargs.get(arg))
            return spec.call(**kwargs)
        return run

    out.append(Row(shown, "-", "a valid call", "accept", lambda: spec.call(**spec.valid()), "the baseline", spec.fn))
    for arg, kind in spec.bad.items():
        values = kind.values if isinstance(kind, Kind) else kind
        for label, value in values:
            out.append(Row(shown, arg, label, "refuse", thunk(arg, value), spec.notes.get((arg, label), ""), spec.fn))
    for arg, values in spec.ok.items():
        for label, value in values:
            out.append(Row(shown, arg, label, "accept", thunk(arg, value), "", spec.fn))
    for arg, label, make, expect, why in spec.extra:
        out.append(Row(shown, arg, label, expect, (lambda make=make: make(spec.valid())), why, spec.fn))
    return out


def _with(kwargs: dict, **changes) -> dict:
    return {**kwargs, **changes}


def _ctx(cm):
    """Enter and leave a context manager (for ``seeded``)."""
    with cm:
        pass


def _train_twice(model_epochs: int, recorder_kwargs: dict):
    from course_lib.core.record import Recorder
    from course_lib.core.train import train

    model = mlp()
    rec = Recorder(model, **recorder_kwargs)
    return train(model, split(), epochs=model_epochs, lr=0.1, batch_size=20, callback=rec, progress=False)


def specs() -> list[Spec]:
    import course_lib as cl
    from course_lib.chapters import (
        ascent,
        bottleneck,
        conv,
        folding,
        geometry,
        hidden,
        hidden_plots,
        hidden_training,
        jump,
        jump_results,
        memorization,
        memorization_plots,
        shifts,
        splitting,
        splitting_plots,
        splitting_runs,
        splitting_summaries,
        template_figures,
        template_fits,
        template_plots,
        templates,
        updates,
    )
    from course_lib.core import data, evaluate, models, optim, panels, plots, publish, record, repro, runs, train, twins
    from course_lib.course import downloads, evidence, results, selfcheck

    tmp = tempfile.mkdtemp(prefix="course-lib-probe-")
    S: list[Spec] = []

    # ---------------------------------------------------------------- repro
    S.append(Spec("set_threads", repro.set_threads, lambda: {"n": 1},
                  bad={"n": POS_INT}, ok={"n": [("None", None), ("np.int64(1)", np.int64(1))]}))
    S.append(Spec("set_seed", repro.set_seed, lambda: {"seed": 0},
                  bad={"seed": SEED.values + (("True", True), ("nan", NAN))}, ok={"seed": [("np.int64(3)", np.int64(3))]}))
    S.append(Spec("get_device", repro.get_device, lambda: {"device": "cpu"},
                  bad={"device": [("'gpu0'", "gpu0"), ("3", 3), ("'meta'", "meta"), ("'cuda:99'", "cuda:99")]},
                  ok={"device": [("None", None), ("'auto'", "auto"), ("torch.device('cpu')", torch.device("cpu"))]},
                  extra=[("device", "'mps' (no Apple GPU here)",
                          lambda kw: repro.get_device("mps"),
                          "accept" if torch.backends.mps.is_available() else "refuse",
                          "issue 19: 'mps' was accepted on Linux")]))
    S.append(Spec("setup", repro.setup, lambda: {"seed": 0, "threads": 1},
                  bad={"seed": SEED, "threads": [("0", 0), ("-2", -2)]},
                  ok={"seed": [("None", None)]}))      # None: the chapter's seed (COURSE_LIB_SEED or 0)

    # ---------------------------------------------------------------- data
    def mk_split(**kw):
        return data.Split(**kw)

    def split_kwargs():
        s = split()
        return {"X_train": s.X_train, "y_train": s.y_train, "X_test": s.X_test, "y_test": s.y_test}

    S.append(Spec("Split", mk_split, split_kwargs,
                  bad={"X_train": [("a NumPy array", T(lambda v: v.numpy())), ("1-D", first_row()),
                                   ("one row short", one_short())],
                       "y_train": [("float labels", T(lambda v: v.float())), ("a NumPy array", T(lambda v: v.numpy())),
                                   ("3-D", T(lambda v: v[None, None]))],
                       "y_test": [("one label short", one_short())]},
                  ok={"X_train": [("float64", T(lambda v: v.double()))],
                      "y_train": [("(2, n): one row per ensemble member", T(lambda v: v.repeat(2, 1)))]}))
    S.append(Spec("load_mnist", data.load_mnist, lambda: {"classes": (0, 1)},
                  bad={"classes": [("[1.7, 2]", [1.7, 2]), ("(0, 0)", (0, 0)), ("[]", []), ("[10]", [10]),
                                   ("'01'", "01"), ("5", 5), ("[-1]", [-1])],
                       "scale": POS_FLOAT, "test_fraction": OPEN01, "data_seed": SEED},
                  ok={"classes": [("None", None), ("np.array([3, 5])", np.array([3, 5]))],
                      "test_fraction": [("0.5", 0.5)]},
                  notes={("classes", "[1.7, 2]"): "issue 19: became (1, 2)"},
                  extra=[("test_fraction", "0.0005", lambda kw: data.load_mnist((0, 1), test_fraction=0.0005),
                          "refuse", "issue 19: gave an empty test set"),
                         ("test_fraction", "0.9995", lambda kw: data.load_mnist((0, 1), test_fraction=0.9995),
                          "refuse", "would leave no training digit")]))
    S.append(Spec("load_full_mnist", downloads.load_full_mnist,
                  lambda: {"test_size": 10, "fetcher": fake_fetcher(), "data_home": tmp},
                  bad={"test_size": POS_INT, "fetcher": [("'sklearn'", "sklearn")]},
                  extra=[("test_size", "30 (all of the 30 digits)",
                          lambda kw: downloads.load_full_mnist(30, fake_fetcher(30), tmp), "refuse", "no training digit")]))
    S.append(Spec("load_cifar10", downloads.load_cifar10,
                  lambda: {"test_size": 10, "fetcher": fake_fetcher(30, 3072), "data_home": tmp},
                  bad={"test_size": POS_INT, "fetcher": [("3", 3)]}))
    S.append(Spec("make_random_data", data.make_random_data, lambda: {"n": 10, "n_features": 4, "n_classes": 2},
                  bad={"n": POS_INT, "n_features": POS_INT, "n_classes": POS_INT, "data_seed": SEED},
                  ok={"n_classes": [("1", 1)], "n": [("np.int64(10)", np.int64(10))]}))
    S.append(Spec("make_jump_signals", jump.make_jump_signals,
                  lambda: {"n": 6, "length": 10, "first": 2, "last": 7},
                  bad={"n": POS_INT, "sigma": NONNEG_FLOAT, "height": FINITE_FLOAT, "length": POS_INT,
                       "first": [("0", 0), ("9 (> last)", 9), ("1.5", 1.5)], "last": [("11 (> length)", 11)],
                       "balanced": BOOL, "data_seed": SEED},
                  ok={"sigma": [("0", 0.0)], "height": [("-3 (a drop)", -3.0)]},
                  extra=[("n", "7 (not a multiple of 6 positions)", lambda kw: jump.make_jump_signals(7, length=10, first=2, last=7),
                          "refuse", "balanced needs a multiple")]))
    S.append(Spec("load_jump_task", jump.load_jump_task, lambda: {"n_train": 60, "n_val": 60, "n_test": 60},
                  bad={"sigma": NONNEG_FLOAT, "n_train": POS_INT,
                       "n_val": [("61", 61), ("0", 0)], "n_test": [("-60", -60)], "data_seed": SEED}))
    S.append(Spec("shuffle_labels", data.shuffle_labels, lambda: {"y": torch.arange(10) % 3},
                  bad={"y": [("float labels", T(lambda v: v.float())), ("2-D", add_axis()),
                             ("a list", T(lambda v: v.tolist()))],
                       "fraction": extend(CLOSED01, ("'0.5'", "0.5")),
                       "data_seed": SEED},
                  ok={"fraction": [("0", 0.0), ("1", 1.0)]}))

    # ---------------------------------------------------------------- models
    S.append(Spec("MLP", models.MLP, lambda: {"sizes": [12, 5, 3]},
                  bad={"sizes": [("[784]", [784]), ("[784, 0, 10]", [784, 0, 10]), ("[784, 2.5, 10]", [784, 2.5, 10]),
                                 ("'abc'", "abc"), ("10", 10), ("[784, True, 10]", [784, True, 10])],
                       "activation": choice("relu", "tanh", "sigmoid", "identity"),
                       "weight_std": [("-1", -1.0), ("nan", NAN), ("inf", INF), ("'xavier'", "xavier")],
                       "seed": SEED},
                  ok={"sizes": [("np.int64 sizes", [np.int64(12), np.int64(3)])], "weight_std": [("'fan_in'", "fan_in"), ("0", 0.0)],
                      "seed": [("None (the global generator)", None)]},
                  extra=[("X", "X of the wrong width", lambda kw: mlp()(X(4, 11)), "refuse", "forward pass")]))
    S.append(Spec("MLPEnsemble", models.MLPEnsemble, lambda: {"sizes": [12, 5, 3], "seeds": [0, 1]},
                  bad={"sizes": [("[12]", [12]), ("[12, -1, 3]", [12, -1, 3])],
                       "activation": choice("relu", "tanh", "sigmoid", "identity"),
                       "seeds": [("[]", []), ("[-1]", [-1]), ("[1.5]", [1.5]), ("3", 3), ("'ab'", "ab")],
                       "weight_std": [("-1", -1.0), ("nan", NAN)]}))
    S.append(Spec("member", lambda m: ens().member(m), lambda: {"m": 1},
                  bad={"m": [("2 (out of range)", 2), ("-1", -1), ("1.5", 1.5), ("'0'", "0")]},
                  display="MLPEnsemble.member"))
    S.append(Spec("BatchedLinear", models.BatchedLinear, lambda: {"n_models": 2, "n_in": 3, "n_out": 2},
                  bad={"n_models": POS_INT, "n_in": [("0", 0), ("-1", -1)], "n_out": [("0", 0), ("2.5", 2.5)],
                       "weight_std": [("-1", -1.0), ("nan", NAN)]}))
    S.append(Spec("make_activation", models.make_activation, lambda: {"name": "relu"},
                  bad={"name": choice("relu", "tanh", "sigmoid", "identity")}))
    S.append(Spec("seeded", lambda seed: _ctx(models.seeded(seed)), lambda: {"seed": 0},
                  bad={"seed": SEED.values + (("True", True),)}, ok={"seed": [("None", None)]}))

    # ---------------------------------------------------------------- optim
    def params():
        return list(mlp().parameters())

    S.append(Spec("SGD", optim.SGD, lambda: {"params": params(), "lr": 0.1},
                  bad={"lr": POS_FLOAT, "momentum": Kind("momentum", (("-0.1", -0.1), ("1.0", 1.0), ("nan", NAN))),
                       "weight_decay": NONNEG_FLOAT, "params": [("[]", []), ("[1, 2]", [1, 2])]},
                  ok={"momentum": [("0.99", 0.99)]}))
    S.append(Spec("Adam", optim.Adam, lambda: {"params": params(), "lr": 1e-3},
                  bad={"lr": POS_FLOAT, "weight_decay": NONNEG_FLOAT}))
    S.append(Spec("make_optimizer", optim.make_optimizer, lambda: {"name": "sgd", "params": params(), "lr": 0.1},
                  bad={"name": choice("sgd", "adam"), "lr": POS_FLOAT, "momentum": [("-0.5", -0.5)]},
                  extra=[("momentum", "0.9 with name='adam'",
                          lambda kw: optim.make_optimizer("adam", params(), lr=0.1, momentum=0.9), "refuse",
                          "issue 19: Adam dropped the momentum")]))

    # ---------------------------------------------------------------- train
    def train_kwargs():
        return {"model": mlp(), "data": split(), "epochs": 2, "lr": 0.1, "batch_size": 20, "progress": False}

    nan_in = lambda t: with_value(NAN)(t).float()  # noqa: E731
    S.append(Spec("train", train.train, train_kwargs,
                  bad={"epochs": NONNEG_INT, "lr": POS_FLOAT, "batch_size": POS_INT,
                       "optimizer": choice("sgd", "adam"),
                       "momentum": Kind("momentum", (("-0.1", -0.1), ("1.0", 1.0), ("nan", NAN))),
                       "weight_decay": NONNEG_FLOAT,
                       "batch_seed": [("-1", -1), ("1.5", 1.5), ("[0, 1] for one model", [0, 1])],
                       "eval_every": [("0", 0), ("-1", -1), ("1.5", 1.5)],
                       "eval_on": [("'test'", "test"), ("['nope']", ["nope"])],
                       "keep_best": BOOL, "callback": [("3", 3)], "progress": BOOL,
                       "model": [("'mlp'", "mlp")],
                       "data": [("a tuple", (1, 2))]},
                  ok={"epochs": [("0", 0), ("np.int64(2)", np.int64(2))], "lr": [("1e-8", 1e-8), ("np.float64(0.1)", np.float64(0.1))],
                      "batch_size": [("1000 (> n)", 1000)], "eval_on": [("()", ())], "eval_every": [("None", None)]},
                  notes={("lr", "0"): "issue 19: trained without moving a weight", ("lr", "nan"): "issue 19: NaN weights",
                         ("lr", "inf"): "issue 19: NaN weights"},
                  extra=[
                      ("data", "X_train with a NaN", lambda kw: train.train(mlp(), bad_split("X_train", nan_in), epochs=1, lr=0.1, progress=False),
                       "refuse", "issue 19: trained on to NaN weights"),
                      ("data", "X_train with an inf", lambda kw: train.train(mlp(), bad_split("X_train", lambda t: with_value(INF)(t).float()), epochs=1, lr=0.1, progress=False),
                       "refuse", "issue 19"),
                      ("data", "X_test with a NaN", lambda kw: train.train(mlp(), bad_split("X_test", nan_in), epochs=1, lr=0.1, progress=False),
                       "refuse", "the test loss would be NaN"),
                      ("data", "float y_train", lambda kw: train.train(mlp(), bad_split("y_train", lambda t: t.float()), epochs=1, lr=0.1, progress=False),
                       "refuse", ""),
                      ("data", "y_test one label short", lambda kw: train.train(mlp(), bad_split("y_test", lambda t: t[:-1]), epochs=1, lr=0.1, progress=False),
                       "refuse", ""),
                      ("model", "2 outputs for 3 classes", lambda kw: train.train(mlp((12, 5, 2)), split(), epochs=1, lr=0.1, progress=False),
                       "refuse", "issue 19: IndexError 'Target 2 is out of bounds'"),
                      ("data", "a label -1", lambda kw: train.train(mlp(), bad_split("y_train", lambda t: with_label(-1)(t)), epochs=1, lr=0.1, progress=False),
                       "refuse", ""),
                      ("model", "input width 11 for 12 features", lambda kw: train.train(mlp((11, 5, 3)), split(), epochs=1, lr=0.1, progress=False),
                       "refuse", ""),
                      ("lr", "1e30 (diverges)", lambda kw: train.train(mlp(), split(), epochs=3, lr=1e30, progress=False),
                       "refuse", "issue 19: the loss turns non-finite; stop at that epoch"),
                      ("momentum", "0.9 with optimizer='adam'", lambda kw: train.train(mlp(), split(), epochs=1, lr=0.1, optimizer="adam", momentum=0.9, progress=False),
                       "refuse", "issue 19: Adam dropped the momentum"),
                      ("at_epochs", "Recorder at epoch 5 of 2", lambda kw: _train_twice(2, {"at_epochs": [5]}),
                       "refuse", "issue 19: an empty recording"),
                      ("at_steps", "Recorder at step 100 of 6", lambda kw: _train_twice(2, {"at_steps": [100]}),
                       "refuse", "the snapshot is never taken"),
                      ("keep_best", "True without a validation set", lambda kw: train.train(mlp(), split(val=False), epochs=1, lr=0.1, keep_best=True, progress=False),
                       "refuse", ""),
                  ]))
    S.append(Spec("train_seeds", runs.train_seeds,
                  lambda: {"sizes": [12, 4, 3], "data": split(), "seeds": [0, 1], "epochs": 1, "lr": 0.1, "progress": False},
                  bad={"seeds": [("[]", []), ("[-1]", [-1]), ("[0.5]", [0.5])], "lr": POS_FLOAT,
                       "sizes": [("[12]", [12]), ("[12, 0, 3]", [12, 0, 3])], "data": [("'mnist'", "mnist")],
                       "lrate": [("0.1 (unknown keyword)", 0.1)],
                       "activation": choice("relu", "tanh", "sigmoid", "identity")}))
    S.append(Spec("evaluate", evaluate.evaluate, lambda: {"model": mlp(), "X": X(), "y": torch.arange(20) % 3},
                  bad={"X": [("a NaN inside", T(lambda v: with_value(NAN)(v).float())), ("1-D", first_row()),
                             ("wrong width", drop_column())],
                       "y": [("one label short", one_short()), ("a label 3 (3 outputs)", with_label(3)),
                             ("float labels", T(lambda v: v.float()))]}))
    S.append(Spec("predict", evaluate.predict, lambda: {"model": mlp(), "X": X()},
                  bad={"X": [("a NaN inside", T(lambda v: with_value(NAN)(v).float())), ("1-D", first_row()),
                             ("a NumPy array", T(lambda v: v.numpy()))],
                       "batch_size": POS_INT}))
    S.append(Spec("loss_fn", evaluate.loss_fn, lambda: {"y_hat": X(20, 3), "y": torch.arange(20) % 3},
                  bad={"y": [("one label short", one_short()), ("a label 3 (3 classes)", with_label(3)),
                             ("float labels", T(lambda v: v.float()))],
                       "y_hat": [("1-D", first_row())]}))
    S.append(Spec("stack_splits", runs.stack_splits, lambda: {"splits": [split(), split()]},
                  bad={"splits": [("[]", []), ("'ab'", "ab"),
                                  ("different sizes", T(lambda v: [v[0], dataclasses.replace(split(), X_train=v[1].X_train[:30], y_train=v[1].y_train[:30])]))]}))

    # ---------------------------------------------------------------- record
    S.append(Spec("activations", record.activations, lambda: {"model": mlp(), "X": X()},
                  bad={"layers": [("['nope']", ["nope"]), ("'layers.1'", "layers.1")],
                       "X": [("a NaN inside", T(lambda v: with_value(NAN)(v).float())), ("wrong width", drop_column())]}))
    S.append(Spec("Recorder", record.Recorder, lambda: {"model": mlp(), "probe": X(4), "at_epochs": [0, 1]},
                  bad={"at_epochs": [("[-1]", [-1]), ("[1.5]", [1.5]), ("'5'", "5"), ("None (and no at_steps)", None)],
                       "at_steps": [("[-2]", [-2])],
                       "probe": [("a NaN inside", T(lambda v: with_value(NAN)(v).float())), ("wrong width", drop_column())],
                       "layers": [("['nope']", ["nope"])], "weights": BOOL}))

    # ---------------------------------------------------------------- interactive
    def twin_fn(a=1, b=1):
        return fig()

    def failing(a):
        if a == 3:
            raise ZeroDivisionError("division by zero")
        return fig()

    S.append(Spec("static_twin", twins.static_twin, lambda: {"fn": twin_fn, "grid": {"a": [1, 2]}},
                  bad={"grid": [("{}", {}), ("{'a': []}", {"a": []}), ("5", 5), ("{'a': 3}", {"a": 3})],
                       "fn": [("3", 3), ("returns None", lambda a: None)], "label": [("'x'", "x")]},
                  notes={("grid", "{}"): "issue 19: drew a one-step slider"},
                  extra=[("grid", "fn fails at a=3", lambda kw: twins.static_twin(failing, {"a": [1, 2, 3]}),
                          "refuse", "issue 19: say at which grid point")]))
    S.append(Spec("live", panels.live, lambda: {"fn": twin_fn, "grid": {"a": [1, 2]}},
                  bad={"grid": [("{}", {}), ("{'a': []}", {"a": []}), ("5", 5)], "fn": [("3", 3)]},
                  extra=[("grid", "fn fails at a=3", lambda kw: panels.live(failing, {"a": [3, 2]}),
                          "refuse", "say at which values")]))
    S.append(Spec("controls_from_grid", panels.controls_from_grid, lambda: {"grid": {"a": [1, 2]}},
                  bad={"grid": [("{'a': []}", {"a": []}), ("5", 5), ("{'a': 3}", {"a": 3})]}))
    S.append(Spec("glue", publish.glue, lambda: {"name": "probe_value", "value": 1.0},
                  bad={"name": [("''", ""), ("None", None), ("3", 3)], "display": BOOL}))
    S.append(Spec("weight_grid_figure", twins.weight_grid_figure, lambda: {"W": Xn(3, 16), "image_shape": (4, 4)},
                  bad={"W": [("a NaN inside", with_value(NAN)), ("wrong width", drop_column()), ("0 rows", no_rows())],
                       "ncols": POS_INT, "vmax": POS_FLOAT, "cell_px": POS_INT,
                       "image_shape": [("(4,)", (4,)), ("(4, 0)", (4, 0))],
                       "titles": [("one title for 3 images", ["a"])]},
                  ok={"vmax": [("None (a quantile of |W|)", None)]}))
    S.append(Spec("figure_html", publish.figure_html, lambda: {"fig": fig()},
                  bad={"fig": [("3", 3), ("'fig'", "fig")], "height": [("0", 0), ("-5", -5), ("'400'", "400")]}))

    # ---------------------------------------------------------------- jump
    S.append(Spec("gaussian_window", jump.gaussian_window, lambda: {},
                  bad={"window": [("4", 4), ("0", 0), ("1.5", 1.5), ("'19'", "19")], "width": POS_FLOAT}))
    S.append(Spec("derivative_of_gaussian", jump.derivative_of_gaussian, lambda: {},
                  bad={"window": [("4", 4)], "width": [("0", 0.0), ("inf", INF)]}))
    S.append(Spec("detect_jumps", jump.detect_jumps, lambda: {"X": jump_X()},
                  bad={"X": ARRAY2D_ROWS, "window": [("4", 4)], "width": [("nan", NAN)],
                       "first": [("1", 1), ("90 (> last)", 90), ("1.5", 1.5)], "last": [("101 (> length)", 101)]},
                  extra=[("X", "signals of length 30", lambda kw: jump.detect_jumps(jump_X(6, 30)), "refuse",
                          "issue 19: positions 31..80 were silently dropped")]))
    S.append(Spec("position_errors", jump.position_errors,
                  lambda: {"pred_positions": np.arange(21, 31), "true_positions": np.arange(22, 32)},
                  bad={"pred_positions": ARRAY1D, "true_positions": [("one short", one_short()), ("empty", no_rows())]}))
    S.append(Spec("labels_to_positions", jump.labels_to_positions, lambda: {"y": np.arange(60)},
                  bad={"y": [("a label 0.5", as_float_labels()), ("a label -1", with_label(-1)), ("a label 60", with_label(60)),
                             ("strings", as_strings())]},
                  ok={"y": [("a tensor", T(lambda v: torch.as_tensor(v)))]}))
    S.append(Spec("detector_weights", jump.detector_weights, lambda: {},
                  bad={"window": [("4", 4)], "width": [("0", 0.0)], "length": POS_INT,
                       "first": [("1", 1), ("1.5", 1.5)], "last": [("101", 101)]}))

    S.append(Spec("width_slider", jump.width_slider, lambda: {},
                  bad={"value": [("0.4 (< 0.5)", 0.4), ("9 (> 8)", 9.0), ("nan", NAN), ("'3'", "3")]}))

    # ---------------------------------------------------------------- jump_results
    def fake_runs():
        return jump_results.SavedRuns({"1-layer NN": {"seeds": [{"L1": 1.0}, {"L1": 2.0}]}},
                                      {"1-layer NN": {"val_loss": np.array([[4.0, 1.0]])}}, [0, 1], 0)

    S.append(Spec("load_runs", jump_results.load_runs, lambda: {"names": ["1-layer NN"], "seed": 0},
                  bad={"names": [("[]", []), ("'1-layer NN' (a string)", "1-layer NN"), ("['1-layer nn'] (typo)", ["1-layer nn"])],
                       "seed": [("7 (not saved)", 7), ("-1", -1), ("1.5", 1.5)]}))
    S.append(Spec("SavedRuns.model", lambda **kw: jump_results.load_runs(["1-layer NN"], 0).model(**kw),
                  lambda: {"name": "1-layer NN"},
                  bad={"name": [("'2-layer MLP' (not loaded)", "2-layer MLP"), ("3", 3)], "seed_index": [("5", 5), ("-1", -1)]}))
    S.append(Spec("model_errors", jump_results.model_errors,
                  lambda: {"model": mlp((100, 60)), "X": torch.as_tensor(jump_X(), dtype=torch.float32),
                           "true_positions": np.arange(21, 27)},
                  bad={"model": [("'mlp'", "mlp")], "X": [("a NumPy array", T(lambda v: v.numpy())), ("1-D", first_row())],
                       "true_positions": [("one short", one_short())]}))
    S.append(Spec("detector_errors", jump_results.detector_errors, lambda: {"seeds": [0]},
                  bad={"seeds": [("[]", []), ("[-1]", [-1]), ("0", 0)], "sigma": [("-1", -1.0), ("nan", NAN)]}))
    S.append(Spec("trained_runs", jump_results.trained_runs, lambda: {"runs": fake_runs(), "names": ["1-layer NN"]},
                  bad={"runs": [("a dict", {})], "names": [("['2-layer MLP']", ["2-layer MLP"])]}))
    S.append(Spec("summarize", jump_results.summarize,
                  lambda: {"runs": fake_runs(), "trained": {"1-layer NN": np.array([True, True])}, "keys": ["L1"]},
                  bad={"runs": [("a dict", {})], "trained": [("[]", []), ("one bool for 2 runs", {"1-layer NN": np.array([True])}),
                                                             ("no run trained", {"1-layer NN": np.array([False, False])})]}))
    S.append(Spec("detector_means", jump_results.detector_means,
                  lambda: {"detector": [dict.fromkeys(jump_results.MEASURES, 1.0)] * 2, "trained": {"1-layer NN": np.array([True, False])}},
                  bad={"trained": [("[]", []), ("3 bools for 2 runs", {"1-layer NN": np.array([True, True, True])})]}))
    S.append(Spec("summary_numbers", jump_results.summary_numbers,
                  lambda: {"summary": {"1-layer NN": {"L1": {"mean": 1.0, "sd": 0.0}}}, "keys": ["L1"]},
                  bad={"summary": [("{}", {}), ("an unknown row", {"5-layer MLP": {"L1": {"mean": 1.0, "sd": 0.0}}})]}))
    S.append(Spec("live_numbers", jump_results.live_numbers,
                  lambda: {"errors": dict.fromkeys(jump_results.MEASURES, 1.0), "history": history(), "tag": "one"},
                  bad={"errors": [("[]", [])], "tag": [("'five'", "five"), ("1", 1)]}))
    S.append(Spec("thesis_ratios", jump_results.thesis_ratios,
                  lambda: {"detector_L1": 0.5, "summary": {"1-layer NN": {"L1": {"mean": 0.3, "sd": 0.0}}}},
                  bad={"summary": [("{}", {}), ("[]", [])]}))
    S.append(Spec("in_words", jump_results.in_words, lambda: {"items": [0, 3, 4]},
                  bad={"items": [("'034' (a string)", "034"), ("3", 3)]}, ok={"items": [("[]", [])]}))

    # ---------------------------------------------------------------- memorization
    S.append(Spec("balanced_subset", memorization.balanced_subset, lambda: {"y": yn(30), "n_per_class": 5},
                  bad={"y": LABELS.values[:2] + LABELS.values[3:], "n_per_class": POS_INT, "data_seed": SEED},
                  extra=[("n_per_class", "11 (> rarest count 10)", lambda kw: memorization.balanced_subset(yn(30), 11),
                          "refuse", "")]))

    def tls_kwargs():
        return {"model": ens(), "X": X(20), "Y": torch.stack([torch.arange(20) % 3] * 2), "X_test": X(9, seed=1),
                "y_test": torch.arange(9) % 3, "epochs": 1, "lr": 0.01}

    S.append(Spec("train_label_sets", memorization.train_label_sets, tls_kwargs,
                  bad={"model": [("an MLP", T(lambda v: mlp()))], "lr": POS_FLOAT, "epochs": NONNEG_INT,
                       "X": [("a NaN inside", T(lambda v: with_value(NAN)(v).float())), ("1-D", first_row())],
                       "Y": [("one row (2 members)", T(lambda v: v[:1])), ("float labels", T(lambda v: v.float()))],
                       "optimizer": choice("adam", "sgd"), "until_fit": BOOL, "batch_size": POS_INT}))
    S.append(Spec("epochs_to_fit", memorization.epochs_to_fit, lambda: {"acc": np.linspace(0, 1, 5)},
                  bad={"acc": [("a NaN inside", with_value(NAN)), ("empty", no_rows()), ("strings", as_strings())],
                       "threshold": CLOSED01}))
    S.append(Spec("pairwise_distances", geometry.pairwise_distances, lambda: {"A": Xn(5, 3)},
                  bad={"A": ARRAY2D, "B": [("wrong width", T(lambda v: Xn(4, 2))), ("a NaN inside", T(lambda v: with_value(NAN)(Xn(4, 3))))],
                       "metric": choice("euclidean", "cosine", "correlation")},
                  extra=[("A", "a constant row (metric='correlation')",
                          lambda kw: geometry.pairwise_distances(np.vstack([np.ones(3), Xn(4, 3)]), metric="correlation"),
                          "accept", "documented: a row with no direction is at distance 1 from every row")]))
    S.append(Spec("inner_class_deviation", geometry.inner_class_deviation, lambda: {"acts": Xn(), "y": yn()},
                  bad={"acts": ARRAY2D, "y": LABELS, "metric": choice("euclidean", "cosine", "correlation")},
                  extra=[("y", "a class with one sample", lambda kw: geometry.inner_class_deviation(Xn(4, 3), [0, 0, 1, 2]),
                          "refuse", "")]))
    S.append(Spec("inter_class_deviation", geometry.inter_class_deviation, lambda: {"acts": Xn(), "y": yn()},
                  bad={"acts": ARRAY2D, "y": LABELS, "metric": choice("euclidean", "cosine", "correlation"),
                       "pairs": choice("adjacent", "all")},
                  extra=[("y", "one class", lambda kw: geometry.inter_class_deviation(Xn(4, 3), [0, 0, 0, 0]),
                          "refuse", "")]))
    S.append(Spec("activation_level", geometry.activation_level, lambda: {"acts": Xn()}, bad={"acts": ARRAY2D_ROWS}))
    S.append(Spec("deviation_measures", geometry.deviation_measures,
                  lambda: {"layers": {"input": Xn(), "h": Xn(seed=1)}, "y": yn()},
                  bad={"layers": [("{}", {}), ("a list", T(lambda v: list(v.values()))),
                                  ("a NaN inside", T(lambda v: {"input": with_value(NAN)(v["input"])}))],
                       "y": LABELS, "pairs": choice("adjacent", "all")}))
    S.append(Spec("neighbour_label_gap", geometry.neighbour_label_gap, lambda: {"acts": Xn(), "y": yn()},
                  bad={"acts": ARRAY2D, "y": [("one label short", one_short()), ("a NaN label", with_value(NAN))],
                       "k": [("0", 0), ("20 (= n)", 20), ("1.5", 1.5), ("'2'", "2")]}))
    S.append(Spec("embed_tsne", geometry.embed_tsne, lambda: {"acts": Xn(40, 3), "perplexity": 5.0, "max_iter": 250},
                  bad={"acts": ARRAY2D, "perplexity": POS_FLOAT, "max_iter": [("100", 100), ("300.5", 300.5)],
                       "seed": SEED}))

    S.append(Spec("balanced_split", memorization.balanced_split, lambda: {"data": split(), "n_per_class": 5},
                  bad={"data": [("a tuple", T(lambda v: (v.X_train, v.y_train))), ("None", None)],
                       "n_per_class": POS_INT, "data_seed": SEED},
                  extra=[("n_per_class", "11 (> 10 test samples per class)",
                          lambda kw: memorization.balanced_split(split(), 11), "refuse", "")]))
    S.append(Spec("shuffled_label_sets", memorization.shuffled_label_sets,
                  lambda: {"y": torch.arange(20) % 3, "fractions": [0.0, 0.5, 1.0]},
                  bad={"y": LABELS.values[:2] + LABELS.values[3:] + (("numpy", T(lambda v: v.numpy())),),
                       "fractions": [("a share 1.5", [0.5, 1.5]), ("a share -0.1", [-0.1]), ("a NaN", [NAN]),
                                     ("empty", []), ("2-D", [[0.5]]), ("'0.5'", "0.5")],
                       "data_seed": SEED}))
    S.append(Spec("layer_representations", geometry.layer_representations, lambda: {"model": mlp(), "X": X()},
                  bad={"model": [("an ensemble", T(lambda v: ens())), ("None", None)],
                       "X": [("a NaN inside", T(lambda v: with_value(NAN)(v).float())), ("1-D", first_row()),
                             ("numpy", T(lambda v: v.numpy()))]}))
    S.append(Spec("neighbour_label_gaps", geometry.neighbour_label_gaps,
                  lambda: {"layers": {"input": Xn(), "h": Xn(seed=1)}, "y": yn()},
                  bad={"layers": [("{}", {}), ("a list", T(lambda v: list(v.values()))),
                                  ("a NaN inside", T(lambda v: {"input": with_value(NAN)(v["input"])})),
                                  ("a 1-D layer", T(lambda v: {"input": v["input"][:, 0]}))],
                       "y": [("one label short", one_short()), ("a NaN label", with_value(NAN))],
                       "k": [("0", 0), ("20 (= n)", 20), ("1.5", 1.5), ("'2'", "2")]}))
    S.append(Spec("stripe_index", geometry.stripe_index, lambda: {"means": np.abs(Xn(10, 4))},
                  bad={"means": extend(ARRAY2D, ("2 labels", T(lambda v: v[:2])))},
                  extra=[("means", "no unit varies", lambda kw: geometry.stripe_index(np.ones((10, 4))), "refuse", ""),
                         ("means", "a silent unit beside active ones",
                          lambda kw: geometry.stripe_index(np.hstack([np.abs(Xn(10, 3)), np.zeros((10, 1))])), "accept",
                          "documented: units whose mean does not vary are skipped")]))
    S.append(Spec("plot_accuracy_curves", memorization_plots.plot_accuracy_curves,
                  lambda: {"curves": {"a": (np.linspace(0, 1, 5), np.linspace(0, 0.5, 5), "C0")}, "title": "t"},
                  bad={"curves": [("{}", {}), ("a list", T(lambda v: list(v.values()))),
                                  ("no colour", T(lambda v: {"a": v["a"][:2]})),
                                  ("a NaN inside", T(lambda v: {"a": (with_value(NAN)(v["a"][0]), v["a"][1], "C0")})),
                                  ("2-D accuracies", T(lambda v: {"a": (v["a"][0][None], v["a"][1], "C0")}))],
                       "title": [("3", 3), ("None", None)], "chance": CLOSED01, "ax": [("3", 3), ("'ax'", "ax")]},
                  ok={"chance": [("None", None)]}))

    def deviations():
        return {"learning": geometry.deviation_measures({"input": Xn(), "h": np.abs(Xn(seed=1))}, yn())}

    S.append(Spec("plot_deviations", memorization_plots.plot_deviations, lambda: {"measures": deviations(), "title": "t"},
                  bad={"measures": [("{}", {}), ("four networks", T(lambda v: {k: v["learning"] for k in "abcd"})),
                                    ("a measure missing", T(lambda v: {"x": {k: a for k, a in v["learning"].items()
                                                                             if k != "level"}})),
                                    ("a NaN inside", T(lambda v: {"x": {**v["learning"], "level": np.array([NAN, 1.0])}})),
                                    ("layers differ", T(lambda v: {"x": v["learning"],
                                                                   "y": {k: a[:1] for k, a in v["learning"].items()}}))],
                       "title": [("3", 3), ("None", None)]}))

    # ---------------------------------------------------------------- hidden
    S.append(Spec("ever_active", hidden.ever_active, lambda: {"X": Xn()}, bad={"X": ARRAY2D}))
    S.append(Spec("relative_change", hidden.relative_change, lambda: {"W_start": Xn(4, 6), "W_end": Xn(4, 6, seed=1)},
                  bad={"W_start": ARRAY2D, "W_end": [("wrong shape", drop_column()), ("a NaN inside", with_value(NAN))],
                       "columns": [("wrong length", T(lambda v: np.ones(5, bool))), ("none selected", T(lambda v: np.zeros(6, bool)))]},
                  extra=[("W_start", "all zeros", lambda kw: hidden.relative_change(np.zeros((4, 6)), Xn(4, 6)), "refuse", "")]))
    S.append(Spec("row_correlations", cl.row_correlations, lambda: {"A": Xn(4, 6), "B": Xn(3, 6, seed=1)},
                  bad={"A": ARRAY2D, "B": [("wrong width", drop_column()), ("an inf inside", with_value(INF))]},
                  extra=[("A", "a constant row", lambda kw: cl.row_correlations(np.vstack([np.ones(6), Xn(3, 6)]), Xn(3, 6, seed=1)),
                          "refuse", "issue 19: correlated 0 here and raised in cl.row_correlations")]))
    S.append(Spec("effective_templates", hidden.effective_templates, lambda: {"model": mlp(), "X": X()},
                  bad={"model": [("an ensemble", T(lambda v: ens())), ("a 2-layer MLP", T(lambda v: mlp((12, 3))))],
                       "X": [("a NaN inside", T(lambda v: with_value(NAN)(v).float())), ("wrong width", drop_column()), ("1-D", first_row())],
                       "units": [("[5]", [5]), ("[-1]", [-1]), ("[0.5]", [0.5])], "center": BOOL}))
    S.append(Spec("strongest_units", hidden.strongest_units, lambda: {"V": Xn(3, 5), "c": 1},
                  bad={"V": ARRAY2D, "c": [("3", 3), ("-1", -1), ("1.5", 1.5)], "k": [("0", 0), ("6", 6), ("1.5", 1.5)]}))
    S.append(Spec("joint_template_scores", hidden.joint_template_scores,
                  lambda: {"W": Xn(4, 12), "X": Xn(20, 12, seed=1), "y": yn(20, 2)},
                  bad={"W": [("wrong width", drop_column()), ("a NaN inside", with_value(NAN))],
                       "X": [("a NaN inside", with_value(NAN)), ("one row short", one_short())],
                       "y": [("three classes", T(lambda v: yn(20, 3))), ("a label 0.5", as_float_labels())]}))
    S.append(Spec("max_class_correlation", hidden.max_class_correlation,
                  lambda: {"W": Xn(4, 12), "X": Xn(20, 12, seed=1), "y": yn(20, 3)},
                  bad={"W": [("wrong width", drop_column()), ("an inf inside", with_value(INF))],
                       "X": [("one row short", one_short())], "y": [("a label 0.5", as_float_labels())]}))
    S.append(Spec("class_contrast_share", hidden.class_contrast_share,
                  lambda: {"W": Xn(4, 12), "X": Xn(20, 12, seed=1), "y": yn(20, 3)},
                  bad={"W": [("wrong width", drop_column()), ("a NaN inside", with_value(NAN))],
                       "columns": [("wrong length", T(lambda v: np.ones(5, bool))), ("ints", T(lambda v: np.arange(12)))]}))
    S.append(Spec("quadratic_cost", hidden_training.quadratic_cost, lambda: {"y_hat": X(20, 3), "y": torch.arange(20) % 3},
                  bad={"y": [("a label 3 (3 classes)", with_label(3)), ("float labels", T(lambda v: v.float())),
                             ("one label short", one_short())]}))
    S.append(Spec("QuadraticCost", hidden_training.QuadraticCost, lambda: {"model": mlp()}, bad={"model": [("'mlp'", "mlp")]}))
    S.append(Spec("train_quadratic_seeds", hidden_training.train_quadratic_seeds,
                  lambda: {"sizes": [12, 4, 3], "data": split(), "seeds": [0, 1], "activation": "sigmoid",
                           "weight_std": 1.0, "epochs": 1, "lr": 0.5},
                  bad={"lr": POS_FLOAT, "data": [("a tuple", (1, 2))], "seeds": [("[]", [])], "epochs": [("-1", -1)]},
                  extra=[("lr", "missing", lambda kw: hidden_training.train_quadratic_seeds([12, 4, 3], split(), [0], activation="sigmoid", weight_std=1.0, epochs=1),
                          "refuse", "")]))
    S.append(Spec("sweep_hidden_sizes", hidden_training.sweep_hidden_sizes,
                  lambda: {"data": split(), "hidden_sizes": [3, 2], "seeds": [0], "activation": "relu", "weight_std": None,
                           "lr": 0.1, "batch_size": 20, "epochs": 1},
                  bad={"hidden_sizes": [("[0]", [0]), ("[]", [])], "lr": POS_FLOAT, "batch_size": [("0", 0)],
                       "epochs": [("-1", -1)], "data": [("'mnist'", "mnist")]}))
    S.append(Spec("train_0_vs_1", hidden_training.train_0_vs_1,
                  lambda: {"data": split(), "hidden_size": 2, "epochs": 1},
                  bad={"data": [("'mnist'", "mnist")], "hidden_size": POS_INT, "epochs": POS_INT, "lr": POS_FLOAT,
                       "weight_decay": NONNEG_FLOAT, "optimizer": choice("sgd", "adam"),
                       "activation": [("'nonsense'", "nonsense")], "weight_std": [("-1.0", -1.0)], "seed": SEED}))

    # ---------------------------------------------------------------- hidden_plots, plots, template_plots
    S.append(Spec("plot_output_bars", hidden_plots.plot_output_bars, lambda: {"V": Xn(3, 5)},
                  bad={"V": ARRAY2D_ROWS, "titles": [("two for three rows", ["a", "b"])], "ncols": POS_INT}))
    S.append(Spec("plot_pixel_scatter", hidden_plots.plot_pixel_scatter,
                  lambda: {"X": np.random.default_rng(0).random((20, 16)), "y": yn(), "image_shape": (4, 4), "n_per_class": 3},
                  bad={"X": [("a NaN inside", with_value(NAN)), ("wrong width", drop_column())],
                       "y": [("one label short", one_short()), ("a label 0.5", as_float_labels())],
                       "image_shape": [("(4,)", (4,)), ("(4, 0)", (4, 0))], "n_per_class": POS_INT,
                       "mask": [("wrong length", T(lambda v: np.ones(15, bool)))], "seed": SEED}))
    S.append(Spec("plot_weight_rows", hidden_plots.plot_weight_rows,
                  lambda: {"rows": {"a": Xn(3, 16), "b": Xn(3, 16, seed=1)}, "image_shape": (4, 4)},
                  bad={"rows": [("{}", {}), ("rows of 3 and 2 images", T(lambda v: {"a": Xn(3, 16), "b": Xn(2, 16)})),
                                ("wrong width", T(lambda v: {"a": Xn(3, 15)})), ("a NaN inside", T(lambda v: {"a": with_value(NAN)(Xn(3, 16))}))],
                       "titles": [("one title for 3 images", {"a": ["x"]})], "cell": POS_FLOAT}))
    S.append(Spec("weight_limit", plots.weight_limit, lambda: {"W": Xn()},
                  bad={"W": [("a NaN inside", with_value(NAN)), ("an inf inside", with_value(INF)), ("strings", as_strings())]}))
    S.append(Spec("plot_weight_grid", plots.plot_weight_grid, lambda: {"W": Xn(3, 16), "image_shape": (4, 4)},
                  bad={"W": [("a NaN inside", with_value(NAN)), ("wrong width", drop_column()), ("0 rows", no_rows())],
                       "ncols": POS_INT, "vmax": POS_FLOAT, "cell": POS_FLOAT, "titles": [("one for 3", ["a"])],
                       "image_shape": [("(4,)", (4,))], "colorbar": BOOL},
                  ok={"vmax": [("None (a quantile of |W|)", None)], "ncols": [("None (rows of at most 5)", None)],
                      "cell": [("None (the grid fills a phone's column)", None)]}))
    S.append(Spec("plot_image_grid", plots.plot_image_grid, lambda: {"images": Xn(3, 16), "image_shape": (4, 4)},
                  bad={"images": [("a NaN inside", with_value(NAN)), ("wrong width", drop_column()), ("0 rows", no_rows())],
                       "ncols": POS_INT, "cell": POS_FLOAT, "titles": [("one for 3", ["a"])]},
                  ok={"ncols": [("None (rows of at most 5)", None)],
                      "cell": [("None (the grid fills a phone's column)", None)]}))
    S.append(Spec("plot_history", plots.plot_history, lambda: {"history": history()},
                  bad={"history": [("a dict", {"train_loss": [1, 2]})], "metrics": [("'loss'", "loss"), ("['nope']", ["nope"]), ("[]", [])]}))
    S.append(Spec("plot_strips", splitting_plots.plot_strips, lambda: {"acts": Xn(20, 3), "y": yn()},
                  bad={"acts": ARRAY2D_ROWS, "y": LABELS, "ncols": POS_INT, "xlim": [("(1,)", (1,)), ("(2, 1)", (2, 1))],
                       "titles": [("one for 3", ["a"])], "seed": SEED}))
    S.append(Spec("plot_means_and_templates", template_plots.plot_means_and_templates,
                  lambda: {"means": Xn(3, 16), "W": Xn(3, 16, seed=1), "image_shape": (4, 4)},
                  bad={"W": [("wrong width", drop_column()), ("a NaN inside", with_value(NAN))],
                       "means": [("an inf inside", with_value(INF))], "image_shape": [("(5, 5)", (5, 5))],
                       "class_names": [("two names", ["a", "b"])]}))
    S.append(Spec("plot_correlation_matrix", template_plots.plot_correlation_matrix,
                  lambda: {"corr": np.eye(3), "row_label": "template", "col_label": "mean"},
                  bad={"corr": [("1-D", first_row()), ("a NaN inside", with_value(NAN)), ("a value 2", with_value(2.0))],
                       "class_names": [("two names", ["a", "b"])]}))

    def ev_kwargs():
        W = Xn(3, 16)
        return {"x": np.random.default_rng(1).random(16), "ev": templates.evidence(W, np.zeros(3), np.random.default_rng(1).random(16)),
                "true_class": 1, "image_shape": (4, 4)}

    S.append(Spec("plot_evidence", template_plots.plot_evidence, ev_kwargs,
                  bad={"true_class": [("3", 3), ("-1", -1), ("1.5", 1.5)], "ev": [("a tuple", (1, 2))],
                       "x": [("wrong length", T(lambda v: v[:-1]))], "class_names": [("two names", ["a", "b"])]}))
    S.append(Spec("confusion_figure", template_figures.confusion_figure,
                  lambda: {"cm": np.eye(3, dtype=int) * 5, "y": yn(15), "probs": probs(15)},
                  bad={"cm": [("not square", drop_column())], "probs": [("one row short", one_short()), ("a NaN inside", with_value(NAN))],
                       "y": [("a label 3", with_label(3))], "n_listed": NONNEG_INT}))
    S.append(Spec("plot_cell_examples", template_plots.plot_cell_examples,
                  lambda: {"images": Xn(5, 16), "best": np.array([[0, -1], [2, 4]]), "image_shape": (4, 4)},
                  bad={"best": [("index 5 of 5 images", T(lambda v: np.array([[0, 5], [1, 2]]))), ("not square", first_row())],
                       "images": [("wrong width", drop_column())]}))
    S.append(Spec("plot_sweep", template_plots.plot_sweep, lambda: {"x": [1, 2, 3], "series": {"acc": [0.1, 0.2, 0.3]}, "xlabel": "k"},
                  bad={"series": [("{}", {}), ("2 values for 3 settings", {"acc": [0.1, 0.2]}), ("a list", [[0.1, 0.2, 0.3]])]}))
    S.append(Spec("plot_rgb_templates", template_plots.plot_rgb_templates, lambda: {"W": Xn(2, 12), "image_shape": (3, 2, 2)},
                  bad={"W": [("wrong width", drop_column()), ("a NaN inside", with_value(NAN))],
                       "class_names": [("one name", ["a"])]}))

    def tf_kwargs():
        curves = {k: np.linspace(0, 1, 4) for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
        return {"W": Xn(10, 16), "epoch": 2, "curves": curves, "vmax": 1.0, "title": "t", "image_shape": (4, 4)}

    S.append(Spec("training_figure", template_figures.training_figure, tf_kwargs,
                  bad={"epoch": [("4 (curves have 0..3)", 4), ("-1", -1), ("1.5", 1.5)], "vmax": POS_FLOAT,
                       "curves": [("no test_acc", T(lambda v: {k: c for k, c in v.items() if k != "test_acc"}))],
                       "W": [("9 templates", one_short()), ("a NaN inside", with_value(NAN))]}))
    S.append(Spec("templates_figure", template_figures.templates_figure,
                  lambda: {"W": Xn(10, 16), "highlight": 3, "vmax": 1.0, "title": "t", "image_shape": (4, 4)},
                  bad={"highlight": [("10", 10), ("-1", -1), ("1.5", 1.5)], "vmax": POS_FLOAT,
                       "W": [("wrong width", drop_column()), ("a NaN inside", with_value(NAN))]}))

    # ---------------------------------------------------------------- templates
    S.append(Spec("fit_templates", templates.fit_templates, lambda: {"data": split(), "epochs": 1},
                  bad={"epochs": NONNEG_INT, "lr": POS_FLOAT, "weight_decay": NONNEG_FLOAT, "batch_size": POS_INT,
                       "seed": SEED, "data": [("a tuple", (1, 2))]}))
    S.append(Spec("class_means", cl.class_means, lambda: {"X": Xn(), "y": yn()},
                  bad={"X": ARRAY2D, "y": LABELS},
                  display="cl.class_means"))
    S.append(Spec("contrast_images", templates.contrast_images, lambda: {"X": Xn(), "y": yn()},
                  bad={"X": ARRAY2D, "y": LABELS}))
    S.append(Spec("Fits", template_fits.Fits, lambda: {"data": split(), "seed": 0},
                  bad={"data": [("a tuple", (1, 2))], "seed": SEED,
                       "shift_seed": [("-1", -1), ("1.5", 1.5), ("'0'", "0")]},   # None: the default, 100 * seed + 1
                  ok={"shift_seed": [("None", None), ("7", 7)]}))
    S.append(Spec("Fits", lambda **kw: template_fits.Fits(split())(**kw), lambda: {"epochs": 1},
                  bad={"k": NONNEG_INT, "epochs": NONNEG_INT, "lr": POS_FLOAT, "weight_decay": NONNEG_FLOAT},
                  display="Fits.__call__"))
    S.append(Spec("Fits.shifted", lambda k: template_fits.Fits(split()).shifted(k), lambda: {"k": 0},
                  bad={"k": NONNEG_INT}))
    S.append(Spec("measure_templates", template_fits.measure_templates,
                  lambda: {"fit": templates.fit_templates(split(), epochs=1), "data": split(), "image_shape": (3, 4)},
                  bad={"fit": [("a Split", split())], "data": [("a tuple", (1, 2))],
                       "image_shape": [("(4,)", (4,)), ("(4, 4): 16 pixels, not 12", (4, 4))]}))
    S.append(Spec("count_diagonal_maxima", templates.count_diagonal_maxima, lambda: {"corr": np.eye(3)},
                  bad={"corr": [("not square", drop_column()), ("a NaN inside", with_value(NAN)), ("1-D", first_row())]}))
    S.append(Spec("evidence", templates.evidence, lambda: {"W": Xn(3, 16), "b": np.zeros(3), "x": np.ones(16)},
                  bad={"W": [("a NaN inside", with_value(NAN))], "b": [("wrong length", one_short())],
                       "x": [("wrong length", one_short()), ("an inf inside", with_value(INF))]}))
    S.append(Spec("confusion_counts", templates.confusion_counts, lambda: {"y": yn(), "y_pred": yn()[::-1].copy(), "n_classes": 3},
                  bad={"y": [("a label 3 (n_classes=3)", with_label(3)), ("a label -1", with_label(-1)), ("a label 0.5", as_float_labels())],
                       "y_pred": [("one short", one_short())], "n_classes": POS_INT}))
    S.append(Spec("most_confident_per_cell", templates.most_confident_per_cell, lambda: {"y": yn(), "probs": probs()},
                  bad={"y": [("a label 3", with_label(3)), ("one short", one_short())], "probs": [("a NaN inside", with_value(NAN)), ("1-D", first_row())]}))
    S.append(Spec("rank_mistakes", templates.rank_mistakes, lambda: {"y": yn(), "probs": probs()},
                  bad={"y": [("a label 3", with_label(3)), ("a label -1", with_label(-1))], "probs": [("a NaN inside", with_value(NAN))]}))
    S.append(Spec("shift_images", shifts.shift_images, lambda: {"X": X(5, 16), "k": 1, "image_shape": (4, 4)},
                  bad={"k": NONNEG_INT, "X": [("a NumPy array", T(lambda v: v.numpy())), ("wrong width", drop_column())],
                       "data_seed": SEED, "image_shape": [("(4,)", (4,))]}))
    S.append(Spec("shifted_split", shifts.shifted_split,
                  lambda: {"data": data.Split(X(6, 784), torch.arange(6) % 2, X(4, 784), torch.arange(4) % 2), "k": 1},
                  bad={"k": NONNEG_INT, "data": [("a tuple", (1, 2))]}))
    S.append(Spec("smoothness", shifts.smoothness, lambda: {"W": Xn(3, 16), "image_shape": (4, 4)},
                  bad={"W": [("wrong width", drop_column()), ("a NaN inside", with_value(NAN))], "image_shape": [("(4,)", (4,))]},
                  extra=[("W", "a constant template", lambda kw: shifts.smoothness(np.vstack([np.ones(16), Xn(2, 16)]), (4, 4)),
                          "refuse", "issue 19: one rule for constant rows (was NaN)")]))
    S.append(Spec("class_mean_overlap", shifts.class_mean_overlap, lambda: {"X": Xn(), "y": yn()},
                  bad={"X": ARRAY2D, "y": LABELS}))
    S.append(Spec("nearest_neighbour_labels", templates.nearest_neighbour_labels,
                  lambda: {"X": Xn(5, 12), "X_ref": Xn(), "y_ref": yn()},
                  bad={"X": ARRAY2D, "X_ref": [("a NaN inside", with_value(NAN)), ("wrong width", drop_column())],
                       "y_ref": LABELS}))
    S.append(Spec("within_class_similarity", shifts.within_class_similarity, lambda: {"X": Xn(), "y": yn()},
                  bad={"X": ARRAY2D, "y": LABELS},
                  extra=[("X", "a constant input row", lambda kw: shifts.within_class_similarity(np.vstack([np.ones(12), Xn(19)]), yn()),
                          "refuse", "issue 19: one rule for constant rows (was 0)")]))

    # ---------------------------------------------------------------- splitting
    acts_y = lambda: {"acts": Xn(20, 4), "y": yn()}  # noqa: E731
    S.append(Spec("separation_score", splitting.separation_score, acts_y,
                  bad={"acts": ARRAY2D, "y": LABELS, "eps": NONNEG_FLOAT}))
    S.append(Spec("split_codes", splitting.split_codes, acts_y, bad={"acts": ARRAY2D, "y": LABELS, "min_gap": NONNEG_FLOAT},
                  extra=[("y", "one class", lambda kw: splitting.split_codes(Xn(4, 2), [1, 1, 1, 1]), "refuse", "")]))
    S.append(Spec("count_splits", splitting.count_splits, lambda: {"codes": np.array([[0, 1, 1], [1, 0, 0]])},
                  bad={"codes": [("a 2 inside", with_label(2)), ("1-D", first_row())], "unordered": BOOL}))
    S.append(Spec("within_class_spread", splitting.within_class_spread, acts_y,
                  bad={"acts": ARRAY2D, "y": LABELS, "relative": BOOL}))
    S.append(Spec("flip_curves", splitting.flip_curves, lambda: {"h": np.ones(4), "W": Xn(3, 4), "b": np.zeros(3), "n_orders": 5},
                  bad={"h": ARRAY1D, "W": [("wrong width", drop_column())], "b": [("wrong length", one_short())],
                       "n_orders": POS_INT, "seed": SEED, "orders": [("not permutations", T(lambda v: np.zeros((2, 4), int)))]}))
    S.append(Spec("crossing", splitting.crossing, lambda: {"curve": np.linspace(1, 0, 5)},
                  bad={"curve": [("a NaN inside", with_value(NAN)), ("one value", T(lambda v: v[:1])), ("2-D", add_axis())],
                       "level": FINITE_FLOAT}))
    layers_y = lambda: {"layers": [Xn(20, 4), Xn(20, 2, seed=1)], "y": yn()}  # noqa: E731
    S.append(Spec("median_separation", splitting.median_separation, lambda: {"acts": {"a": Xn(20, 4)[None]}, "y": yn()},
                  bad={"acts": [("{}", {}), ("an array, not a dict", T(lambda v: v["a"])),
                                ("layers of other leading dims", T(lambda v: {**v, "b": Xn(20, 4)}))],
                       "y": [("a label 0.5", as_float_labels())]}))
    S.append(Spec("layer_codes", splitting.layer_codes, layers_y,
                  bad={"layers": [("[]", []), ("a NaN inside", T(lambda v: [with_value(NAN)(v[0])]))], "y": LABELS}))
    S.append(Spec("pooled_separation", splitting.pooled_separation, layers_y,
                  bad={"layers": [("[]", []), ("one row short", T(lambda v: [v[0][:-1]]))], "y": LABELS}))
    S.append(Spec("random_code_count", splitting.random_code_count, lambda: {"n_units": 30, "n_codes": 14, "draws": 10},
                  bad={"n_units": POS_INT, "n_codes": POS_INT, "seed": SEED, "draws": POS_INT}))
    S.append(Spec("layer_race", splitting_summaries.layer_race,
                  lambda: {"sep": np.ones((4, 2, 3)), "steps": [0, 4, 8, 16], "at_steps": (4,)},
                  bad={"sep": [("2-D", T(lambda v: v[0])), ("a NaN inside", T(lambda v: np.full_like(v, NAN)))],
                       "steps": [("no epoch 0", [1, 4, 8, 16]), ("one short", [0, 4, 8])],
                       "at_steps": [("a step with no snapshot", (3,))], "steps_per_epoch": POS_INT}))
    S.append(Spec("split_summary", splitting_summaries.split_summary,
                  lambda: {"runs": {"tanh": {"acts": {"l": np.stack([Xn(20, 3), Xn(20, 3, seed=1)])}, "test_acc": 0.5}},
                           "y": yn()},
                  bad={"runs": [("{}", {}), ("no test_acc", T(lambda v: {"tanh": {"acts": v["tanh"]["acts"]}}))],
                       "y": [("a label -1", with_label(-1))]}))
    S.append(Spec("flip_test", splitting_summaries.flip_test,
                  lambda: {"h": np.ones(4), "W": Xn(2, 4), "b": np.zeros(2), "n_orders": 5, "k": 2},
                  bad={"h": ARRAY1D, "W": [("three classes", T(lambda v: Xn(3, 4)))], "b": [("wrong length", one_short())],
                       "n_orders": POS_INT, "seed": SEED, "k": [("-1", -1), ("more than the units", 5)]}))
    S.append(Spec("train_small", splitting_runs.train_small,
                  lambda: {"data": split(val=False), "seed": 0, "batch_seed": 0, "epochs": 1, "at_epochs": [1]},
                  bad={"data": [("'mnist'", "mnist")], "seed": SEED, "batch_seed": [("-1", -1)],
                       "activation": [("'swish'", "swish")], "momentum": [("1.0", 1.0)], "progress": BOOL}))
    S.append(Spec("train_five", splitting_runs.train_five, lambda: {"data": split(val=False), "seed": 0, "progress": False},
                  bad={"data": [("'mnist'", "mnist")], "seed": SEED, "progress": BOOL}))
    S.append(Spec("plain_sgd_separation", splitting_runs.plain_sgd_separation,
                  lambda: {"data": split(val=False), "seed": 0}, bad={"data": [("'mnist'", "mnist")], "seed": SEED}))
    S.append(Spec("train_wide", splitting_runs.train_wide, lambda: {"data": split(val=False), "seed": 0, "progress": False},
                  bad={"data": [("'mnist'", "mnist")], "seed": SEED, "progress": BOOL}))
    S.append(Spec("train_chapter2_network", splitting_runs.train_chapter2_network, lambda: {"seed": 0}, bad={"seed": SEED}))
    S.append(Spec("outer_product_gradient", updates.outer_product_gradient, lambda: {"delta": Xn(5, 3), "A": Xn(5, 4)},
                  bad={"delta": [("a list", T(lambda v: v.tolist())), ("a NaN inside", with_value(NAN))],
                       "A": [("one row short", one_short()), ("a tensor (delta is NumPy)", T(lambda v: torch.as_tensor(v)))]}))
    S.append(Spec("update_cosines", updates.update_cosines, lambda: {"dW": Xn(3, 4), "a": np.ones(4)},
                  bad={"dW": ARRAY2D, "a": [("wrong length", one_short())], "tol": NONNEG_FLOAT}))
    S.append(Spec("record_updates", updates.record_updates, lambda: {"model": mlp(), "X": X(4), "y": torch.arange(4) % 3, "lr": 0.1},
                  bad={"lr": POS_FLOAT, "momentum": [("-0.1", -0.1), ("1.0", 1.0)], "model": [("'mlp'", "mlp")],
                       "X": [("a NaN inside", T(lambda v: with_value(NAN)(v).float()))], "y": [("one label short", one_short())]}))
    S.append(Spec("strips_figure", splitting_plots.strips_figure, lambda: {"layers": [Xn(20, 3)], "y": yn()},
                  bad={"layers": [("[]", []), ("a NaN inside", T(lambda v: [with_value(NAN)(v[0])])), ("one row short", T(lambda v: [v[0][:-1]]))],
                       "y": [("a label 0.5", as_float_labels())], "layer_names": [("two names for one layer", ["a", "b"])],
                       "xlim": [("(1,)", (1,))], "seed": SEED}))
    S.append(Spec("plot_pixel_strips", splitting_plots.plot_pixel_strips,
                  lambda: {"X": np.random.default_rng(0).random((20, 16)), "y": yn(), "image_shape": (4, 4), "n_per_class": 3},
                  bad={"X": [("a NaN inside", with_value(NAN)), ("wrong width", drop_column())], "crop": [("2", 2), ("-1", -1)],
                       "n_per_class": POS_INT, "y": [("a label -1", with_label(-1))]}))

    # ---------------------------------------------------------------- bottleneck
    S.append(Spec("bottleneck_sizes", bottleneck.bottleneck_sizes, lambda: {"p": 2},
                  bad={"p": POS_INT, "depth": choice("shallow", "deep"), "n_in": POS_INT, "n_out": [("0", 0)], "outer": [("-1", -1)]}))
    S.append(Spec("pad_ensemble", bottleneck.pad_ensemble, lambda: {"sizes_list": [[6, 2, 3], [6, 3, 3]], "seeds": [0, 1]},
                  bad={"sizes_list": [("[]", []), ("different depths", [[6, 2, 3], [6, 2, 2, 3]]), ("a width 0", [[6, 0, 3], [6, 2, 3]])],
                       "seeds": [("one seed for two", [0]), ("[-1, 0]", [-1, 0])], "activation": choice("relu", "tanh", "identity")}))
    S.append(Spec("unpad_member", bottleneck.unpad_member,
                  lambda: {"ensemble": bottleneck.pad_ensemble([[6, 2, 3], [6, 3, 3]], [0, 1]), "m": 1},
                  bad={"m": [("2", 2), ("-1", -1), ("1.5", 1.5)], "ensemble": [("a plain ensemble", T(lambda v: ens()))]}))
    S.append(Spec("load_net", bottleneck.load_net,
                  lambda: {"weights": {f"a/{k}": v.numpy() for k, v in mlp((3, 2, 3)).state_dict().items()},
                           "key": "a", "sizes": [3, 2, 3]},
                  bad={"weights": [("a list", [1.0]), ("{}", {}),
                                   ("a NaN inside", T(lambda v: {**v, "a/layers.0.bias": np.array([NAN, 0.0])})),
                                   ("strings", T(lambda v: {**v, "a/layers.0.bias": np.array(["x", "y"])}))],
                       "key": [("'b' (not saved)", "b"), ("''", ""), ("3", 3)],
                       "sizes": [("[3, 4, 3] (not the saved shapes)", [3, 4, 3]), ("[3, 0, 3]", [3, 0, 3])]}))
    S.append(Spec("count_dead_units", bottleneck.count_dead_units, lambda: {"acts": np.maximum(Xn(), 0)},
                  bad={"acts": Kind("array2d", ARRAY2D_ROWS.values[:3] + ARRAY2D_ROWS.values[4:]), "tol": FINITE_FLOAT}))
    S.append(Spec("count_crossings", bottleneck.count_crossings, lambda: {"curve": Xn(6, 2)},
                  bad={"curve": [("3 columns", T(lambda v: Xn(6, 3))), ("a NaN inside", with_value(NAN))]},
                  ok={"curve": [("one point", T(lambda v: v[:1]))]}))
    S.append(Spec("least_squares_readout", bottleneck.least_squares_readout, lambda: {"V": Xn(5, 2)},
                  bad={"V": [("one point", T(lambda v: v[:1])), ("a NaN inside", with_value(NAN)), ("1-D", first_row())]}))
    S.append(Spec("readout_succeeds", bottleneck.readout_succeeds, lambda: {"V": Xn(5, 2)},
                  bad={"V": [("one point", T(lambda v: v[:1])), ("a NaN inside", with_value(NAN)), ("an inf inside", with_value(INF))],
                       "affine": BOOL}))
    S.append(Spec("sample_points", folding.sample_points, lambda: {"trials": 4, "n": 3, "p": 2},
                  bad={"trials": POS_INT, "n": POS_INT, "p": POS_INT, "min_distance": NONNEG_FLOAT,
                       "rng": [("3", 3)], "max_draws": [("0", 0)]},
                  ok={"rng": [("np.random.default_rng(1)", np.random.default_rng(1))]}))
    S.append(Spec("Estimate", folding.Estimate, lambda: {"successes": 3, "trials": 10},
                  bad={"trials": POS_INT, "successes": [("-1", -1), ("11 (> trials)", 11), ("1.5", 1.5)]}))
    S.append(Spec("random_embedding_probability", folding.random_embedding_probability,
                  lambda: {"p": 2, "n": 4, "trials": 20},
                  bad={"p": [("4 (= n)", 4), ("0", 0)], "n": [("2.5", 2.5)], "trials": POS_INT, "min_distance": NONNEG_FLOAT,
                       "chunk": POS_INT, "seed": SEED, "affine": BOOL}))
    S.append(Spec("fold_steps", folding.fold_steps, lambda: {"model": mlp((2, 2, 3)), "X": Xn(5, 2)},
                  bad={"model": [("an ensemble", T(lambda v: ens((2, 2, 3))))], "X": extend(ARRAY2D, ("wrong width", T(lambda v: Xn(5, 3))))}))
    S.append(Spec("plane_folding_figure", folding.plane_folding_figure, lambda: {"points": Xn(6, 2), "y": yn(6)},
                  bad={"points": [("3 columns", T(lambda v: Xn(6, 3))), ("a NaN inside", with_value(NAN))],
                       "y": [("one short", one_short()), ("a label 0.5", as_float_labels())],
                       "lines": [("2-D", T(lambda v: Xn(4, 2)))], "size": POS_INT,
                       "class_names": [("one name for 3 classes", ["a"])]}))

    # ---------------------------------------------------------------- conv
    S.append(Spec("CNN", conv.CNN, lambda: {"kernel_sizes": [3], "length": 10, "n_classes": 4},
                  bad={"kernel_sizes": [("[0]", [0]), ("[2.5]", [2.5]), ("3", 3)], "length": POS_INT, "n_classes": POS_INT,
                       "activation": choice("relu", "tanh", "sigmoid", "identity"), "seed": SEED},
                  ok={"kernel_sizes": [("[]", [])], "seed": [("None (the global generator)", None)]}))
    S.append(Spec("CNNEnsemble", conv.CNNEnsemble, lambda: {"kernel_sizes": [3], "length": 10, "n_classes": 4, "seeds": [0, 1]},
                  bad={"seeds": [("[]", []), ("[-1]", [-1])], "length": POS_INT, "n_classes": [("0", 0)],
                       "activation": choice("relu", "tanh", "sigmoid", "identity"), "kernel_sizes": [("[0]", [0])]}))
    S.append(Spec("conv_output_length", conv.conv_output_length, lambda: {"length": 10, "kernel_size": 3},
                  bad={"length": POS_INT, "kernel_size": [("0", 0), ("11 (> length)", 11)], "stride": POS_INT, "padding": NONNEG_INT}))
    S.append(Spec("cross_correlate", conv.cross_correlate, lambda: {"x": np.arange(10.0), "w": np.ones(3)},
                  bad={"x": ARRAY1D, "w": [("2-D", add_axis()), ("a NaN inside", with_value(NAN)), ("longer than x", T(lambda v: np.ones(11)))],
                       "stride": POS_INT}))

    S.append(Spec("minority_share", conv.minority_share, lambda: {"f": np.array([1.0, -2.0, 3.0])},
                  bad={"f": [("all zeros", np.zeros(3)), ("2-D", add_axis()), ("a NaN inside", with_value(NAN)), ("empty", no_rows())]}))

    # ---------------------------------------------------------------- ascent
    S.append(Spec("gradient_ascent", ascent.gradient_ascent,
                  lambda: {"model": mlp(), "targets": [0, 2], "n_features": 12, "max_steps": 3},
                  bad={"targets": [("[3] (3 classes)", [3]), ("[-1]", [-1]), ("[0.5]", [0.5]), ("[]", [])],
                       "n_features": [("11 (model takes 12)", 11), ("0", 0)], "step": POS_FLOAT, "init_range": NONNEG_FLOAT,
                       "threshold": OPEN01, "max_steps": NONNEG_INT, "seed": SEED,
                       "objective": choice("probability", "logit"), "model": [("'mlp'", "mlp")]},
                  ok={"max_steps": [("0", 0)]},
                  extra=[("max_steps", "-1 with one target", lambda kw: ascent.gradient_ascent(mlp(), [0], n_features=12, max_steps=-1), "refuse",
                          "issue 19: UnboundLocalError")]))

    S.append(Spec("clutter", ascent.clutter, lambda: {"X": Xn(3, 10)},
                  bad={"X": [("no rise", np.array([[3.0, 2.0, 1.0]])), ("1-D", first_row()), ("a NaN inside", with_value(NAN)),
                             ("0 rows", no_rows())]}))
    S.append(Spec("plot_ascent", ascent.plot_ascent,
                  lambda: {"inputs": {"net": (Xn(2, 10), Xn(2, 10, seed=1))}, "targets": [3, 7]},
                  bad={"inputs": [("[]", []), ("one array", {"net": (Xn(2, 10),)}), ("one row for 2 targets", {"net": (Xn(1, 10), Xn(1, 10))})],
                       "targets": [("a NaN inside", [3, NAN]), ("'3'", "3")], "notes": [("['a']", ["a"])]}))

    # ---------------------------------------------------------------- evidence, results, selfcheck
    S.append(Spec("claim", evidence.claim, lambda: {"claim_id": "ch1-probe-claim", "text": "t", "holds": True, "measured": {"a": 1}},
                  bad={"claim_id": [("'Bad id'", "Bad id"), ("3", 3)], "holds": [("'yes'", "yes"), ("None", None), ("[True, False]", [True, False])],
                       "measured": [("{}", {}), ("[1]", [1])], "control": [("[1]", [1])], "text": [("3", 3), ("''", "")],
                       "always": BOOL},
                  ok={"holds": [("np.True_", np.True_), ("a 0-d bool tensor", torch.tensor(True))]}))
    S.append(Spec("holds_in", evidence.holds_in, lambda: {"claim_id": "ch1-digit-templates"},
                  bad={"claim_id": [("'Bad id'", "Bad id"), ("3", 3)]}))
    S.append(Spec("load_results", results.load, lambda: {"name": "ch2_hidden_sizes.json"},
                  bad={"name": [("'ch2_hidden_size.json' (typo)", "ch2_hidden_size.json"), ("'notes.txt'", "notes.txt"), ("3", 3)]},
                  display="results.load (cl.load_results)"))
    S.append(Spec("results.path", results.path, lambda: {"name": "ch2_hidden_sizes.json"},
                  bad={"name": [("'nope.json'", "nope.json"), ("None", None)]}))
    S.append(Spec("self_check", lambda question, answer: selfcheck.self_check(question, answer),
                  lambda: {"question": question("choice"), "answer": "a"},
                  bad={"question": [("'ch9-q1'", "ch9-q1"), ("3", 3)], "answer": [("3 (a letter is asked)", 3), ("'ab'", "ab")]}))

    # ---------------------------------------------------------------- __init__ re-exports already covered; History etc.
    S.append(Spec("History.member", lambda m: train.History(evaluated=[0], best_epoch=np.array([0, 0]),
                                                             metrics={"train_loss": [np.array([1.0, 2.0])]}).member(m),
                  lambda: {"m": 1}, bad={"m": [("2", 2), ("-3", -3), ("1.5", 1.5)]}, display="History.member"))
    return S


def rows() -> list[Row]:
    """The whole decision table, one row per (function, argument, value)."""
    return [row for spec in specs() for row in _rows_of(spec)]


def summary(table: list[Row] | None = None) -> str:
    table = rows() if table is None else table
    lines = [f"{'function':34} {'argument':16} {'value':40} decision  why"]
    for r in table:
        lines.append(f"{r.fn:34} {r.arg:16} {r.value[:40]:40} {r.expect:9} {r.why}")
    n_ref = sum(r.expect == "refuse" for r in table)
    lines.append(f"{len(table)} rows: {n_ref} refused, {len(table) - n_ref} accepted; "
                 f"{len({r.fn for r in table})} functions.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary())
