"""Shared by the tests of the full-scale results: load a script of ``scripts/`` as a module."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` imported as a module (the scripts are not a package)."""
    if str(ROOT / "scripts") not in sys.path:      # the scripts import their sibling results_common
        sys.path.insert(0, str(ROOT / "scripts"))
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
