"""`make pdf` prints the whole book to one PDF (no LaTeX: the single-page HTML through Chromium)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from book_build import ROOT, notebooks

PDF = ROOT / "_build" / "pdf" / "how-neural-networks-learn.pdf"


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists() and shutil.which("chromium") is None,
                    reason="Chromium is missing: install it with 'sudo apt-get install chromium' (CI always has it)")
def test_the_book_prints_to_one_pdf():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pdf.py")], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    data = PDF.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    print(f"{PDF.name}: {pages} pages, {len(data) / 1e6:.1f} MB")
    assert pages >= 8 * len(notebooks()), pages   # every chapter runs to several pages
    html = (ROOT / "_build" / "singlehtml" / "print.html").read_text()
    for doc in notebooks():
        assert f'id="document-{doc}"' in html, f"{doc} is missing from the printable book"
