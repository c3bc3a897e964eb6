"""The environment files agree: exact pins for the book, ranges for course_lib, a CPU torch for Binder."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_requirements_are_exact_and_include_the_stack():
    req = pins(ROOT / "requirements.txt")
    assert req["torch"] == "2.13.0" and req["jupyter-book"] == "1.0.4.post1"
    assert req["ipywidgets"].startswith("8.")
    for name in ["numpy", "matplotlib", "plotly", "scikit-learn", "mlxtend", "tqdm", "nbval", "pytest", "playwright",
                 "sphinx-exercise", "sphinxcontrib-bibtex", "sphinx-togglebutton"]:
        assert name in req, name
    assert "torchvision" not in req
    assert "-e ." in (ROOT / "requirements.txt").read_text()


def test_course_lib_dependencies_are_ranges():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps and all("==" not in d for d in deps), deps
    assert any(d.startswith("torch") for d in deps)


def test_binder_installs_the_cpu_torch_and_the_same_versions():
    binder = (ROOT / "binder" / "requirements.txt").read_text()
    assert "download.pytorch.org/whl/cpu" in binder and "torch==2.13.0+cpu" in binder
    req, bind = pins(ROOT / "requirements.txt"), pins(ROOT / "binder" / "requirements.txt")
    for name, version in bind.items():
        if name not in ("torch", "jupyterlab-myst"):   # Binder-only: renders MyST in its JupyterLab
            assert req.get(name) == version, f"{name}: binder {version} vs requirements {req.get(name)}"
    assert "pip install --no-deps -e ." in (ROOT / "binder" / "postBuild").read_text()


def test_vendored_plotly_matches_the_plotly_package():
    from plotly.offline import get_plotlyjs_version

    head = (ROOT / "book" / "_vendor" / "plotly" / "plotly-cartesian.min.js").read_text()[:200]
    assert f"v{get_plotlyjs_version()}" in head, head


def test_one_version_number_everywhere():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    import course_lib
    assert course_lib.__version__ == version
    cff = re.search(r"^version:\s*(\S+)", (ROOT / "CITATION.cff").read_text(), re.M)
    assert cff and cff.group(1) == version, "CITATION.cff and pyproject.toml disagree on the version"
    assert f"## {version}" in (ROOT / "CHANGELOG.md").read_text(), f"CHANGELOG.md has no section for {version}"


def test_course_lib_declares_what_the_chapters_import_and_accepts_colab():
    from packaging.requirements import Requirement

    deps = {Requirement(d).name.lower(): Requirement(d) for d in
            tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    for name in ("pandas", "scipy", "threadpoolctl", "ipywidgets", "plotly", "torch", "numpy"):
        assert name in deps, name
    assert deps["ipywidgets"].specifier.contains("7.7.1") and deps["ipywidgets"].specifier.contains("8.1.9")
    assert deps["plotly"].specifier.contains("5.24.1")
    assert "jupyterlab-myst" in pins(ROOT / "binder" / "requirements.txt")
