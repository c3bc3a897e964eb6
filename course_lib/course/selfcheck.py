"""Self-check questions at the end of every chapter (the first in :doc:`/book/00_introduction`), checked in a kernel without printing the answer.

A chapter's ``## Self-check`` section asks a few questions; under each, the reader writes an answer
and runs ``cl.self_check("ch1-q1", answer)``, which says "Correct." or gives a hint, the way the hidden
assertions check the book. The answers are not in the package: ``selfcheck.json`` holds, per question,
its kind and the SHA-256 of its normalised answer salted with the question's id. The reference answers
live in ``tests/selfcheck_answers.json``; ``scripts/selfcheck_digests.py`` writes the digests from them
and ``tests/test_selfcheck.py`` checks that every reference answer passes and a wrong one fails.
The digests keep answers off the page and out of the student copies; they are no secret from a reader
who hashes every letter, which is fine for a self-check and is why graded work uses the mini-projects.

Kinds of answer:

* ``"choice"``: one letter, e.g. ``"b"`` (case and spaces do not matter);
* ``"choices"``: every letter that applies, e.g. ``"ac"`` or ``["a", "c"]`` (order does not matter);
* ``"number"``: a number, compared after rounding to the question's significant ``digits``.
"""
from __future__ import annotations

import hashlib
import json
import math
import numbers
from functools import lru_cache
from pathlib import Path

_TABLE = Path(__file__).with_name("selfcheck.json")


@lru_cache(maxsize=1)
def questions() -> dict:
    """Question id -> ``{"kind", "digits" (numbers), "sha256", "hint"}``, from ``selfcheck.json``."""
    return json.loads(_TABLE.read_text(encoding="utf-8"))["questions"]


def normalise(kind: str, answer, digits: int = 2, question: str = "?") -> str:
    """The canonical text of ``answer`` for a question of ``kind`` (what the digest is taken of)."""
    if kind == "choice":
        if not isinstance(answer, str) or len(answer.strip()) != 1 or not answer.strip().isalpha():
            raise ValueError(f"self_check({question!r}): answer={answer!r} should be one letter in quotes, e.g. \"b\".")
        return answer.strip().lower()
    if kind == "choices":
        letters = list(answer) if isinstance(answer, (list, tuple, set)) else list(str(answer).replace(",", " ").replace(" ", ""))
        if not letters or not all(isinstance(x, str) and len(x.strip()) == 1 and x.strip().isalpha() for x in letters):
            raise ValueError(f"self_check({question!r}): answer={answer!r} should be the letters that apply, "
                             "e.g. \"ac\" or [\"a\", \"c\"].")
        return "".join(sorted({x.strip().lower() for x in letters}))
    if kind == "number":
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
            raise ValueError(f"self_check({question!r}): answer={answer!r} should be a finite number, e.g. 0.25 "
                             "(not a string, not None).")
        return f"{float(answer):.{digits}g}"
    raise ValueError(f"self_check: unknown kind {kind!r} in selfcheck.json; use choice, choices or number.")


def digest(question: str, text: str) -> str:
    """SHA-256 (hex) of a normalised answer, salted with the question id."""
    return hashlib.sha256(f"{question}\n{text}".encode()).hexdigest()


def self_check(question: str, answer) -> bool:
    """Check ``answer`` to self-check ``question`` (e.g. ``"ch1-q1"``); print the verdict and return it.

    An answer of ``None`` (the cell as the chapter ships it) prints how to answer and returns False.

    Raises:
        ValueError: for an unknown question, or an answer of the wrong form (the message says the form).
    """
    table = questions()
    if question not in table:
        raise ValueError(f"self_check: question={question!r} is unknown; the questions are "
                         f"{', '.join(sorted(table))}.")
    if answer is None:                     # the cell as the chapter ships it
        print("No answer yet: replace None with your answer and run the cell again.")
        return False
    spec = table[question]
    ok = digest(question, normalise(spec["kind"], answer, spec.get("digits", 2), question)) == spec["sha256"]
    print("Correct." if ok else f"Not yet. Hint: {spec['hint']}")
    return ok
