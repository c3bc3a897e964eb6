"""Run the Node unit tests of course_lib/pages/js/nnlab.js (tests/js/*.test.js) with Node's own test runner."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("node") is None,
                    reason="Node.js is missing: the lab's JavaScript tests need Node 20 (sudo apt-get install nodejs)")
def test_node_unit_tests():
    proc = subprocess.run(["node", "--test", "tests/js"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
