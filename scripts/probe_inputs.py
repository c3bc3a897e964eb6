"""Probe every public function of course_lib with bad inputs and count what happens (issue 19).

The inputs and the decisions are the table of ``tests/bad_input_table.py``. Each row is called once and
its outcome classified:

* ``clear``  - refused with a ValueError or TypeError whose message names the function and the argument;
* ``raw``    - refused with any other exception (IndexError, UnboundLocalError, a torch RuntimeError...),
  or with a ValueError/TypeError that does not say which function and argument;
* ``silent`` - accepted although the table says it must be refused (or still running after TIMEOUT_S seconds);
* ``ok``     - an input the table accepts, accepted; ``refused-ok`` - an accepted input that raised.

Usage::

    COURSE_LIB_THREADS=1 .venv/bin/python scripts/probe_inputs.py [--json out.json] [--list raw,silent]

To probe another version of the library with the same table (e.g. the code before issue 19)::

    mkdir /tmp/old && git archive 8a595de course_lib | tar -x -C /tmp/old
    .venv/bin/python scripts/probe_inputs.py --lib /tmp/old
"""
from __future__ import annotations

import argparse
import collections
import io
import json
import os
import signal
import sys
import warnings
from contextlib import redirect_stdout
from pathlib import Path

os.environ.setdefault("COURSE_LIB_PROGRESS", "0")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


#: Seconds a row may run; a call that runs longer (an endless loop on a bad input) counts as silent.
TIMEOUT_S = 20


class _Hang(BaseException):
    """Raised by the alarm inside a row that runs too long (BaseException: the library must not catch it)."""


def classify(row) -> tuple[str, str]:
    """Run one row; return (outcome, short description of what happened)."""
    import matplotlib.pyplot as plt

    def too_long(_signum, _frame):
        raise _Hang

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(TIMEOUT_S)
    try:
        with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            row.call()
    except _Hang:
        return ("silent", f"still running after {TIMEOUT_S} s (stopped)") if row.expect == "refuse" else (
            "refused-ok", f"still running after {TIMEOUT_S} s")
    except Exception as err:  # noqa: BLE001 - classifying every exception is the point
        text = f"{type(err).__name__}: {str(err)[:300]}"
        if row.expect == "accept":
            return "refused-ok", text
        named = row.name in str(err) and row.arg in str(err)
        if isinstance(err, (ValueError, TypeError)) and named:
            return "clear", text
        return "raw", text
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        plt.close("all")
    return ("ok", "accepted") if row.expect == "accept" else ("silent", "accepted")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write every row's outcome to this file")
    parser.add_argument("--list", default="raw,silent,refused-ok",
                        help="outcomes to print row by row (comma-separated; '' for none)")
    parser.add_argument("--lib", help="folder holding the course_lib to probe (default: this checkout's)")
    args = parser.parse_args()
    if args.lib:
        sys.path.insert(0, str(Path(args.lib).resolve()))

    import torch

    torch.set_num_threads(1)
    from bad_input_table import rows

    import course_lib

    print(f"probing {Path(course_lib.__file__).parent}")
    table = rows()
    results, counts = [], collections.Counter()
    for row in table:
        outcome, what = classify(row)
        counts[outcome] += 1
        results.append({"function": row.fn, "argument": row.arg, "value": row.value, "expect": row.expect,
                        "outcome": outcome, "what": what, "why": row.why})
    shown = {s for s in args.list.split(",") if s}
    for r in results:
        if r["outcome"] in shown:
            print(f"{r['outcome']:10} {r['function']}({r['argument']}={r['value']}): {r['what'][:160]}")
    named = [r for r in results if r["why"].startswith("issue 19")]
    if named:
        print("\nThe cases issue 19 names:")
        for r in named:
            print(f"  {r['outcome']:10} {r['function']}({r['argument']}={r['value']}): {r['what'][:150]}")
    bad = [r for r in results if r["expect"] == "refuse"]
    print(f"\n{len(table)} rows over {len({r.fn for r in table})} functions: {len(bad)} bad inputs, "
          f"{len(table) - len(bad)} accepted edge inputs.")
    print(f"bad inputs: clear {counts['clear']}, raw {counts['raw']}, silent {counts['silent']}")
    print(f"accepted inputs: ok {counts['ok']}, wrongly refused {counts['refused-ok']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"counts": dict(counts), "rows": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
