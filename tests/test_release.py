"""One setting pins a course to a revision: the launch buttons and every Colab install line agree."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from results_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


def test_every_setup_cell_installs_the_configured_revision():
    script = load_script("pin_release")
    found = script.setup_revisions()
    assert len(found) >= 8, found                           # every chapter has the set-up cell
    assert set(found.values()) == {script.configured_revision()}, found


def test_pinning_rewrites_setting_and_setup_cells_together(tmp_path):
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "pin_release.py", copy / "scripts")
    shutil.copy(ROOT / "_config.yml", copy)
    shutil.copytree(ROOT / "book", copy / "book", ignore=shutil.ignore_patterns("_build", "results", "_vendor"))
    run = lambda *a: subprocess.run([sys.executable, str(copy / "scripts" / "pin_release.py"), *a],
                                    capture_output=True, text=True)
    assert run("v9.9").returncode == 0
    assert "branch: v9.9" in (copy / "_config.yml").read_text()
    text = (copy / "book" / "01_templates.ipynb").read_text()
    assert "how-neural-networks-learn@v9.9" in text
    assert run("--check").returncode == 0
    (copy / "_config.yml").write_text((copy / "_config.yml").read_text().replace("branch: v9.9", "branch: v10"))
    failed = run("--check")
    assert failed.returncode == 1 and "v10" in failed.stderr               # disagreement is caught
    assert run("main").returncode == 0 and "@v9.9" not in (copy / "book" / "01_templates.ipynb").read_text()
