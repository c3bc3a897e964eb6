"""Recording what a network does during training: weights, activations and gradients.

Taught in :doc:`/book/00_introduction` (templates over epochs) and used by every chapter.
Recording never changes training: it detaches, copies to CPU NumPy arrays, and removes
every hook it adds, even when training raises.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from course_lib.core.files import write_atomic
from course_lib.core.history import Event
from course_lib.core.validate import calling, check_array, check_bool, check_int_list, check_type, fail


def _module_names(model: nn.Module, layers: Sequence[str] | None, fn: str = "activations") -> list[str]:
    check_type(fn, "model", model, nn.Module, "a torch nn.Module")
    named = dict(model.named_modules())
    if layers is None:
        if "layers" not in named:
            fail(fn, "layers", None, "cannot be left out: the model has no 'layers' container",
                 "pass layers=[...] with names from model.named_modules()")
        return [f"layers.{i}" for i in range(len(named["layers"]))]
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        fail(fn, "layers", layers, "is not a list of module names", f"pass e.g. layers=[{layers!r}]", TypeError)
    unknown = [name for name in layers if name not in named]
    if unknown:
        fail(fn, "layers", list(layers), f"names {unknown}, which are not modules of the model",
             f"choose from {[n for n in named if n]}")
    return list(layers)


@contextlib.contextmanager
def capture_activations(model: nn.Module, layers: Sequence[str] | None = None) -> Iterator[dict[str, torch.Tensor]]:
    """Context manager: while open, every forward pass stores each listed module's output.

    The hooks are removed on exit, also when the body raises.

    Args:
        model: the network; layers: module names (default: every module of ``model.layers``).

    Yields:
        dict: module name -> detached output tensor of the latest forward pass.
    """
    store: dict[str, torch.Tensor] = {}
    handles = []
    names = _module_names(model, layers, "capture_activations")
    named = dict(model.named_modules())
    try:
        for name in names:
            def hook(_module, _inputs, output, name=name):
                store[name] = output.detach()
            handles.append(named[name].register_forward_hook(hook))
        yield store
    finally:
        for handle in handles:
            handle.remove()


def activations(model: nn.Module, X: torch.Tensor, layers: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Every listed module's output for inputs ``X``, in evaluation mode.

    Args:
        model: the network.
        X: inputs of shape (n, n_features).
        layers: module names, e.g. ``model.hidden_names()``; default: every module of ``model.layers``.

    Returns:
        dict: name -> float32 array of shape (n, units) (or (n_models, n, units) for an ensemble),
        plus ``"input"`` -> X and ``"output"`` -> the logits.
    """
    layers = _module_names(model, layers, "activations")
    check_array("activations", "X", X, tensor=True, fix="pass inputs as a float tensor, e.g. data.X_test[:100]")
    with calling("activations"):
        return _activations(model, X, layers)


@torch.no_grad()
def _activations(model: nn.Module, X: torch.Tensor, layers: Sequence[str] | None) -> dict[str, np.ndarray]:
    """:func:`activations` without the checks (a Recorder checks its probe once)."""
    was_training = model.training
    model.eval()
    try:
        with capture_activations(model, layers) as store:
            out = model(X)
    finally:
        model.train(was_training)
    result = {"input": X.detach().cpu().numpy()}
    result.update({k: v.cpu().numpy() for k, v in store.items()})
    result["output"] = out.detach().cpu().numpy()
    return result


class Recording:
    """Snapshots taken during training, as NumPy arrays.

    Attributes:
        epochs: int array (n_snapshots,): the epoch of each snapshot.
        steps: int array (n_snapshots,): the global step of each snapshot (steps done so far).
        weights: parameter name (``"layers.0.weight"``) -> array of shape (n_snapshots, ) + parameter shape.
        activations: module name (``"layers.1"``) -> array (n_snapshots, n_probe, units).
        gradients: parameter name -> array of shape (n_snapshots, ) + parameter shape, the ``.grad`` of
            that step before the update (empty for snapshots taken at epoch ends).
    """

    def __init__(self) -> None:
        self.epochs: list[int] | np.ndarray = []
        self.steps: list[int] | np.ndarray = []
        self.weights: dict[str, list | np.ndarray] = {}
        self.activations: dict[str, list | np.ndarray] = {}
        self.gradients: dict[str, list | np.ndarray] = {}

    def _finish(self) -> "Recording":
        self.epochs, self.steps = np.asarray(self.epochs, dtype=np.int64), np.asarray(self.steps, dtype=np.int64)
        for group in (self.weights, self.activations, self.gradients):
            for k in list(group):
                group[k] = np.stack(group[k]) if len(group[k]) else np.empty((0,))
        return self

    def __len__(self) -> int:
        return len(self.epochs)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the recording to an ``.npz`` file atomically (no pickle). Returns the path."""
        path = Path(path)
        arrays = {"epochs": np.asarray(self.epochs), "steps": np.asarray(self.steps)}
        for group in ("weights", "activations", "gradients"):
            for k, v in getattr(self, group).items():
                arrays[f"{group}/{k}"] = np.asarray(v)
        return write_atomic(path, lambda fh: np.savez_compressed(fh, **arrays))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Recording":
        """Read a recording written by :meth:`save`; a corrupt file raises a ValueError naming it."""
        rec = cls()
        try:
            with np.load(path, allow_pickle=False) as npz:
                rec.epochs, rec.steps = npz["epochs"], npz["steps"]
                for key in npz.files:
                    if "/" in key:
                        group, name = key.split("/", 1)
                        getattr(rec, group)[name] = npz[key]
        except FileNotFoundError:
            raise
        except Exception as err:
            raise ValueError(f"Recording.load: {str(path)!r} is not a valid recording ({type(err).__name__}: {err}); "
                             "delete it and record again.") from err
        return rec


class Recorder:
    """A training callback that fills a :class:`Recording`.

    Pass it as ``train(..., callback=recorder)`` and read ``recorder.recording`` after.

    Args:
        model: the network being trained.
        probe: a fixed batch of inputs (n_probe, n_features) whose activations are recorded.
        at_epochs: the epochs at whose end to take a snapshot (0 = before training); None for none.
        at_steps: the global steps at which to take a snapshot after the backward pass, before
            the update (gradients are recorded only there); None for none.
        weights, gradients: whether to record parameters and their gradients.
        layers: modules whose activations are recorded (default: every module of ``model.layers``);
            ignored when ``probe`` is None.
    """

    def __init__(self, model: nn.Module, probe: torch.Tensor | None = None, at_epochs: Iterable[int] | None = None,
                 at_steps: Iterable[int] | None = None, weights: bool = True, gradients: bool = False,
                 layers: Sequence[str] | None = None) -> None:
        fn = "Recorder"
        check_type(fn, "model", model, nn.Module, "a torch nn.Module")
        self.model, self.probe = model, probe
        self.at_epochs = set(check_int_list(fn, "at_epochs", at_epochs, low=0, fix="epochs count from 0 (before "
                                            "training), e.g. at_epochs=[0, 5, 10]") if at_epochs is not None else ())
        self.at_steps = set(check_int_list(fn, "at_steps", at_steps, low=0, fix="steps count from 0, e.g. at_steps=[0, 1, 2]")
                            if at_steps is not None else ())
        self.record_weights = check_bool(fn, "weights", weights)
        self.record_gradients = check_bool(fn, "gradients", gradients)
        self.layers = _module_names(model, layers, fn) if probe is not None else []
        if not self.at_epochs and not self.at_steps:
            fail(fn, "at_epochs", at_epochs, "and at_steps are both empty, so no snapshot would be taken",
                 "pass at_epochs=[...] and/or at_steps=[...] to say when to take snapshots")
        if probe is not None:
            check_array(fn, "probe", probe, tensor=True, min_rows=1, fix="pass a few inputs, e.g. data.X_test[:100]")
            try:                                    # one pass now, so that a probe of the wrong width fails here
                with calling(fn):
                    _activations(model, probe[:1], self.layers)
            except ValueError as err:
                fail(fn, "probe", probe, f"does not fit the model ({err})", "pass inputs the model takes")
        self._rec = Recording()

    def __repr__(self) -> str:
        return f"Recorder(at_epochs={sorted(self.at_epochs)}, at_steps={sorted(self.at_steps)})"

    def check_plan(self, fn: str, epochs: int, steps: int) -> None:
        """Refuse a training run that cannot take every snapshot asked for (``epochs`` epochs, ``steps`` steps).

        :func:`~course_lib.core.train.train` calls it before it starts, so that a snapshot asked for after
        the last epoch is an error rather than a recording that is silently short.
        """
        late = sorted(e for e in self.at_epochs if e > epochs)
        if late:
            fail(fn, "callback", self, f"is a Recorder asked for at_epochs={late}, but training ends after epoch "
                 f"{epochs}", f"ask for epochs 0..{epochs}, or train for {late[-1]} epochs")
        late = sorted(s for s in self.at_steps if s >= steps)
        if late:
            fail(fn, "callback", self, f"is a Recorder asked for at_steps={late}, but training takes {steps} steps "
                 f"(0..{steps - 1})", f"ask for steps below {steps}, or train longer")

    def __call__(self, event: Event) -> None:
        if event.phase == "epoch" and event.epoch in self.at_epochs:
            self._snapshot(event, with_grads=False)
        elif event.phase == "step" and event.step in self.at_steps:
            self._snapshot(event, with_grads=self.record_gradients)

    def _snapshot(self, event: Event, with_grads: bool) -> None:
        rec = self._rec
        rec.epochs.append(event.epoch)
        rec.steps.append(event.step)
        for name, p in self.model.named_parameters():
            if self.record_weights:
                rec.weights.setdefault(name, []).append(p.detach().cpu().numpy().copy())
            if with_grads:
                grad = p.grad if p.grad is not None else torch.zeros_like(p)
                rec.gradients.setdefault(name, []).append(grad.detach().cpu().numpy().copy())
        if self.probe is not None:
            acts = _activations(self.model, self.probe, self.layers)
            for name in self.layers:
                rec.activations.setdefault(name, []).append(acts[name])

    @property
    def recording(self) -> Recording:
        """The snapshots taken so far, as stacked NumPy arrays."""
        done = Recording()
        done.epochs, done.steps = list(self._rec.epochs), list(self._rec.steps)
        for group in ("weights", "activations", "gradients"):
            setattr(done, group, {k: list(v) for k, v in getattr(self._rec, group).items()})
        return done._finish()
