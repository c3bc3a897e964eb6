"""Repository-wide pytest hooks.

While nbval runs the chapters (``pytest tests book --nbval-lax``), this collects every glued
value each chapter produced, so ``tests/test_determinism.py`` can compare them with the values of
the site build: the same code must give the same numbers, run after run. Tests marked
``after_notebooks`` are moved to the end of the session, after the notebooks have run.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tests"))
from nbglue import glued_number  # noqa: E402

os.environ.setdefault("COURSE_LIB_PROGRESS", "0")
# Tests never touch the network: course_lib.results (and every chapter kernel, which inherits this) finds
# the results files in the checkout or fails with its clear error instead of downloading them.
os.environ.setdefault("COURSE_LIB_RESULTS_URL", "file:///nonexistent/tests-never-download/")


def pytest_configure(config):
    config.course_glued = {}  # notebook name -> {glue name: text}, filled while nbval runs
    config.addinivalue_line("markers", "after_notebooks: run after the nbval notebook items")
    config.addinivalue_line("markers", "slow: takes more than a minute")


def pytest_collection_modifyitems(session, config, items):
    late = [item for item in items if item.get_closest_marker("after_notebooks")]
    items[:] = [item for item in items if item not in late] + late


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    yield
    outputs = getattr(item, "test_outputs", None)
    if call.when != "call" or not outputs:
        return
    notebook = os.path.splitext(os.path.basename(str(item.fspath)))[0]
    for out in outputs:
        name, value = glued_number(out)
        if name is not None:
            item.config.course_glued.setdefault(notebook, {})[name] = value
