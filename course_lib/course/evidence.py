"""The evidence ledger: every claim of the prose, marked where it is measured.

Taught in :doc:`/book/00_introduction`; every chapter uses it. A *claim* is a sentence that says
what a network learned, compares two things, or reads a figure. Right under the cell that
measures it, a chapter marks it::

    cl.claim("ch1-digit-templates", "Each output neuron's weights correlate with its digit's mean image",
             measured={"mean correlation": r_mean}, control={"untrained network": r_untrained},
             holds=r_mean > 0.5 and r_untrained < 0.1)

In a normal run (the book's build, ``make test``) a claim that does not hold stops the chapter,
as the hidden assertions always did. ``make evidence`` runs every chapter again under the seeds
0-4 (``COURSE_LIB_SEED``) with ``COURSE_LIB_EVIDENCE`` naming a file; then every claim is appended
to that file, holding or not, and the chapter goes on, so the ledger can say how often each holds.
A claim that the prose itself says holds only sometimes is marked ``always=False``.

Seeds: ``SEED = cl.setup()`` is the seed a chapter builds its runs from
(:func:`~course_lib.core.repro.chapter_seed`: 0 unless ``COURSE_LIB_SEED`` says otherwise); a chapter
derives every ``seed``, ``batch_seed`` and, for synthetic data, ``data_seed`` from it.
"""
from __future__ import annotations

import json
import math
import os
import re
from typing import Any, Mapping

import numpy as np

from course_lib.core.repro import chapter_seed
from course_lib.core.validate import check_bool, check_mapping, fail
from course_lib.course.results import load

#: The form of a claim's id (the chapter prefix, then lowercase words joined by hyphens), e.g. ``ch1-digit-templates``.
CLAIM_ID = re.compile(r"^(intro|ch[1-6]b?)-[a-z0-9]+(-[a-z0-9]+)*$")


def collecting() -> str | None:
    """The file that claims are appended to (``COURSE_LIB_EVIDENCE``), or None in a normal run."""
    return os.environ.get("COURSE_LIB_EVIDENCE") or None


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a measurement: numbers as floats (NaN as None), arrays as lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()] if value.ndim else _plain(value.item())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        value = float(value)
        return None if math.isnan(value) else value
    return str(value)


def claim(claim_id: str, text: str, *, holds: bool, measured: Mapping[str, Any],
          control: Mapping[str, Any] | None = None, source: Mapping[str, Any] | None = None,
          always: bool = True) -> bool:
    """Mark one claim of the prose, with the measurement it rests on and the check that decides it.

    Args:
        claim_id: short id, unique in the book, e.g. ``"ch1-digit-templates"`` (see :data:`CLAIM_ID`);
            the prose puts the anchor ``(claim-ch1-digit-templates)=`` before the sentence.
        text: the claim in one sentence, as the ledger shows it.
        holds: the check (the hidden assertion), e.g. ``r_mean > 0.5``.
        measured: name -> the number(s) the prose quotes.
        control: name -> the number(s) of what could have come out otherwise (an untrained
            network, random codes, the other optimizer...), for a comparative claim.
        source: name -> the source's number, where one exists.
        always: False when the prose says that the claim holds only in some runs.

    Returns:
        bool: ``holds``.

    Raises:
        AssertionError: in a normal run, when ``holds`` is false and ``always`` is true.
    """
    if not isinstance(claim_id, str) or not CLAIM_ID.match(claim_id):
        raise ValueError(f"claim: claim_id={claim_id!r} must look like 'ch1-digit-templates' (chapter prefix, "
                         "then lowercase words joined by hyphens).")
    if not isinstance(measured, Mapping) or not measured:
        raise ValueError(f"claim {claim_id}: measured={measured!r} must name at least one number, e.g. "
                         "measured={'accuracy': acc}.")
    if not isinstance(text, str) or not text.strip():
        fail("claim", "text", text, "is not a sentence", "pass the claim in one sentence, as the ledger shows it",
             TypeError if not isinstance(text, str) else ValueError)
    for name, value in (("control", control), ("source", source)):
        if value is not None:
            check_mapping("claim", name, value, f"pass {name}={{'name': number}} or leave it out", empty_ok=True)
    always = check_bool("claim", "always", always)
    size = holds.numel() if hasattr(holds, "numel") else np.size(holds)
    if isinstance(holds, (str, bytes)) or holds is None or size != 1:
        fail("claim", "holds", holds, "is not one True or False",
             "pass the check itself, e.g. holds=acc > 0.9 (with .all() or .any() for an array)", TypeError)
    held = bool(holds)
    path = collecting()
    if path is not None:
        record = {"id": claim_id, "text": text, "holds": held, "always": bool(always), "seed": chapter_seed(),
                  "measured": _plain(measured), "control": _plain(control or {}), "source": _plain(source or {})}
        with open(path, "a", encoding="utf-8") as fh:     # one whole line per claim
            fh.write(json.dumps(record, sort_keys=True) + "\n")
        return held
    if always and not held:
        raise AssertionError(f"claim {claim_id} does not hold: {text} (measured {_plain(measured)}, "
                             f"control {_plain(control or {})})")
    return held


def holds_in(claim_id: str) -> str:
    """How often a claim held in the committed ledger, for the prose: e.g. ``"4 of 5 runs"``.

    A claim marked ``always=False`` glues this next to its sentence, so the reader sees how often
    it holds. Reads ``book/results/evidence.json`` (written by ``make evidence``).
    """

    if not isinstance(claim_id, str) or not CLAIM_ID.match(claim_id):
        fail("holds_in", "claim_id", claim_id, "is not a claim id", "pass an id such as 'ch1-digit-templates'",
             TypeError if not isinstance(claim_id, str) else ValueError)
    try:
        entry = load("evidence.json")["claims"].get(claim_id)
    except (OSError, ValueError):   # no ledger yet (a new checkout before `make evidence`)
        entry = None
    if entry is None:  # the test suite fails on this (stale ledger), the page says it plainly
        return "an unknown number of runs (the ledger predates this claim: run `make evidence`)"
    return f"{entry['holds_in']} of {entry['seeds_run']} runs"
