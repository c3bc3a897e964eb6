"""Point a whole course at one revision of the repository: ``make pin-release REV=v1.0``.

The one setting is ``repository.branch`` in ``_config.yml`` (default ``main``). It decides

* the Binder and Colab launch buttons of every page (Jupyter Book builds them from it), and
* the revision that every chapter's set-up cell installs ``course_lib`` from on Colab
  (``course_lib @ git+https://...@REV``; no ``@`` means the default branch, ``main``).

The results files that ``course_lib`` downloads where there is no checkout are pinned already: the
installed package carries ``results_manifest.json``, whose commit and SHA-256 values belong to that
revision. This script rewrites the setting and the set-up cells together; ``tests/test_release.py``
fails when they disagree.

Usage: .venv/bin/python scripts/pin_release.py REV      (e.g. v1.0, a tag or branch that exists on GitHub)
       .venv/bin/python scripts/pin_release.py --check (exit 1 if a set-up cell disagrees with the setting)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
INSTALL = re.compile(r'(course_lib @ git\+https://github\.com/[\w.-]+/[\w.-]+?)(?:\.git)?(@[\w./-]+)?"')
BRANCH = re.compile(r"^(  branch: *)(\S+)(.*)$", re.MULTILINE)


def configured_revision() -> str:
    """``repository.branch`` of ``_config.yml``."""
    match = BRANCH.search(CONFIG.read_text(encoding="utf-8"))
    if not match:
        raise SystemExit("pin_release: _config.yml has no 'repository: branch:' line; add 'branch: main' under repository.")
    return match.group(2)


def setup_revisions() -> dict[str, str]:
    """Notebook -> the revision its set-up cell installs (``main`` where the URL names none)."""
    found = {}
    for path in sorted((ROOT / "book").rglob("*.ipynb")):
        if "_build" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            match = INSTALL.search("".join(cell["source"]))
            if match:
                found[str(path.relative_to(ROOT))] = (match.group(2) or "@main")[1:]
    return found


def pin(revision: str) -> None:
    if not re.fullmatch(r"[\w./-]+", revision):
        raise SystemExit(f"pin_release: REV={revision!r} is not a branch or tag name (letters, digits, . / - _).")
    suffix = "" if revision == "main" else f"@{revision}"
    text = CONFIG.read_text(encoding="utf-8")
    CONFIG.write_text(BRANCH.sub(lambda m: f"{m.group(1)}{revision}{m.group(3)}", text, count=1), encoding="utf-8")
    for name in setup_revisions():
        path = ROOT / name
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            cell["source"] = [INSTALL.sub(lambda m: f'{m.group(1)}{suffix}"', line) for line in cell["source"]]
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"pinned to {revision}: _config.yml and {len(setup_revisions())} set-up cells; rebuild the site (make book)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", help="branch or tag to pin the course to")
    parser.add_argument("--check", action="store_true", help="only check that everything agrees with the setting")
    args = parser.parse_args(argv)
    if args.rev:
        pin(args.rev)
    wanted = configured_revision()
    wrong = {nb: rev for nb, rev in setup_revisions().items() if rev != wanted}
    if wrong:
        print(f"set-up cells that do not install {wanted!r} (the setting in _config.yml): {wrong}; "
              f"run scripts/pin_release.py {wanted}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
