"""Every internal link and cross-reference of the built site resolves (external hosts are not
reachable here and are ignored). Together with the nitpicky (-n -W) build this covers issue 9.7."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book_build import HTML, build


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "script", "link"):
                self.links.append(attrs[key])


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(errors="ignore"))
    return p


@pytest.fixture(scope="module")
def pages():
    code, output = build()
    assert code == 0, output[-2000:]
    skip = {"_static", "_sources", "reports", "_images"}
    return {path: parse(path) for path in HTML.rglob("*.html") if not skip & set(path.relative_to(HTML).parts)}


def test_internal_links_and_anchors_resolve(pages):
    broken, checked = [], 0
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//") or link.startswith("mailto:") or link.startswith("javascript:"):
                continue  # external: cannot be checked offline
            checked += 1
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(HTML)} -> {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(HTML)} -> {link} (no such anchor)")
    assert checked > 20 * len(pages), f"only {checked} internal links found: is the site complete?"
    assert not broken, "\n".join(broken[:50])
