"""Write ``course_lib/course/selfcheck.json`` (kinds, hints and answer digests) from ``tests/selfcheck_answers.json``.

Usage: .venv/bin/python scripts/selfcheck_digests.py   (after adding or changing a self-check question)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from results_common import write_json  # noqa: E402

from course_lib.course import selfcheck

ANSWERS = ROOT / "tests" / "selfcheck_answers.json"
TABLE = ROOT / "course_lib" / "course" / "selfcheck.json"


def table(answers: dict) -> dict:
    out = {}
    for qid, q in sorted(answers.items()):
        text = selfcheck.normalise(q["kind"], q["answer"], q.get("digits", 2), qid)
        out[qid] = {"kind": q["kind"], "hint": q["hint"], "sha256": selfcheck.digest(qid, text),
                    **({"digits": q["digits"]} if q["kind"] == "number" else {})}
    return {"about": "Written by scripts/selfcheck_digests.py from tests/selfcheck_answers.json; do not edit.",
            "questions": out}


def main() -> None:
    payload = table(json.loads(ANSWERS.read_text(encoding="utf-8"))["questions"])
    write_json(TABLE, payload)
    print(f"{len(payload['questions'])} questions -> {TABLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
