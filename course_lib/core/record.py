"""Recording what a network does during training: its weights and activations, snapshot by snapshot.

Taught in :doc:`/book/00_introduction` (templates over epochs) and used by every chapter. Recording never
changes training: it copies to NumPy and removes every hook it adds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import torch
from torch import nn

from course_lib.core.history import Event
from course_lib.core.validate import calling, check_array, check_bool, check_int_list, check_type, fail


def _module_names(model: nn.Module, layers: Sequence[str] | None, fn: str) -> list[str]:
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


def activations(model: nn.Module, X: torch.Tensor, layers: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Every listed module's output for inputs ``X`` (n, n_features), in evaluation mode.

    Args:
        layers: module names, e.g. ``model.hidden_names()``; default: every module of ``model.layers``.

    Returns:
        dict: name -> float32 array (n, units), or (n_models, n, units) for an ensemble, plus ``"input"`` -> X
        and ``"output"`` -> the logits.
    """
    layers = _module_names(model, layers, "activations")
    check_array("activations", "X", X, tensor=True, fix="pass inputs as a float tensor, e.g. data.X_test[:100]")
    with calling("activations"):
        return _activations(model, X, layers)


@torch.no_grad()
def _activations(model: nn.Module, X: torch.Tensor, layers: Sequence[str]) -> dict[str, np.ndarray]:
    """:func:`activations` without the checks: a forward hook on each module, removed even on an error."""
    named, store, handles = dict(model.named_modules()), {}, []
    was_training = model.training
    model.eval()
    try:
        for name in layers:
            def hook(_module, _inputs, output, name=name):
                store[name] = output.detach()
            handles.append(named[name].register_forward_hook(hook))
        out = model(X)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return {"input": X.detach().cpu().numpy(), **{k: v.cpu().numpy() for k, v in store.items()},
            "output": out.detach().cpu().numpy()}


@dataclass
class Recording:
    """Snapshots taken during training, as NumPy arrays whose first axis is the snapshot.

    ``epochs`` and ``steps`` (n_snapshots,) hold the epoch and the global step (steps done so far) of each
    snapshot; ``weights`` maps a parameter name (``"layers.0.weight"``) to an array (n_snapshots, ) + its
    shape, and ``activations`` a module name (``"layers.1"``) to an array (n_snapshots, n_probe, units).
    """

    epochs: np.ndarray
    steps: np.ndarray
    weights: dict[str, np.ndarray]
    activations: dict[str, np.ndarray]


class Recorder:
    """A training callback that fills a :class:`Recording`: ``train(..., callback=recorder)``, then ``.recording``.

    Args:
        probe: fixed inputs (n_probe, n_features) whose activations are recorded; None for none.
        at_epochs: the epochs at whose end to take a snapshot (0 is before training).
        at_steps: the global steps at which to take a snapshot, after the backward pass and before the update.
        weights: whether to record the parameters.
        layers: modules whose activations are recorded (default: every module of ``model.layers``).
    """

    def __init__(self, model: nn.Module, probe: torch.Tensor | None = None, at_epochs: Iterable[int] | None = None,
                 at_steps: Iterable[int] | None = None, weights: bool = True,
                 layers: Sequence[str] | None = None) -> None:
        fn = "Recorder"
        check_type(fn, "model", model, nn.Module, "a torch nn.Module")
        self.model, self.probe = model, probe
        self.at_epochs = set(check_int_list(fn, "at_epochs", at_epochs, low=0, fix="epochs count from 0 (before "
                                            "training), e.g. at_epochs=[0, 5, 10]") if at_epochs is not None else ())
        self.at_steps = set(check_int_list(fn, "at_steps", at_steps, low=0, fix="steps count from 0, e.g. "
                                           "at_steps=[0, 1, 2]") if at_steps is not None else ())
        self.record_weights = check_bool(fn, "weights", weights)
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
        self._epochs, self._steps = [], []
        self._weights, self._activations = {}, {}          # name -> one array per snapshot

    def __repr__(self) -> str:
        return f"Recorder(at_epochs={sorted(self.at_epochs)}, at_steps={sorted(self.at_steps)})"

    def check_plan(self, fn: str, epochs: int, steps: int) -> None:
        """Refuse, before training starts, a run of ``epochs`` epochs and ``steps`` steps too short for a snapshot."""
        late = sorted(e for e in self.at_epochs if e > epochs)
        if late:
            fail(fn, "callback", self, f"is a Recorder asked for at_epochs={late}, but training ends after epoch "
                 f"{epochs}", f"ask for epochs 0..{epochs}, or train for {late[-1]} epochs")
        late = sorted(s for s in self.at_steps if s >= steps)
        if late:
            fail(fn, "callback", self, f"is a Recorder asked for at_steps={late}, but training takes {steps} steps "
                 f"(0..{steps - 1})", f"ask for steps below {steps}, or train longer")

    def __call__(self, event: Event) -> None:
        if not ((event.phase == "epoch" and event.epoch in self.at_epochs)
                or (event.phase == "step" and event.step in self.at_steps)):
            return
        self._epochs.append(event.epoch)
        self._steps.append(event.step)
        if self.record_weights:
            for name, p in self.model.named_parameters():
                self._weights.setdefault(name, []).append(p.detach().cpu().numpy().copy())
        if self.probe is not None:
            acts = _activations(self.model, self.probe, self.layers)
            for name in self.layers:
                self._activations.setdefault(name, []).append(acts[name])

    @property
    def recording(self) -> Recording:
        """The snapshots taken so far, as stacked NumPy arrays."""
        return Recording(np.asarray(self._epochs, dtype=np.int64), np.asarray(self._steps, dtype=np.int64),
                         {name: np.stack(arrays) for name, arrays in self._weights.items()},
                         {name: np.stack(arrays) for name, arrays in self._activations.items()})
