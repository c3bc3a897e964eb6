"""Sphinx extension of the book: a site that works with no network, no progress bars,
and a record of each chapter's execution time.

* plotly.js (the vendored cartesian bundle in ``book/_vendor/plotly``) and MathJax (the files of it the book
  needs, vendored in ``book/_vendor/mathjax``) are copied into ``_static``; pages load them from there, never
  from a CDN. plotly.js is loaded only by pages that contain a plotly figure, MathJax only by pages with math.
* The saved state of live ipywidgets panels is not embedded (it needs a kernel to be of use).
* Every image and plotly figure gets alt text: its caption's first sentence, or its section's title.
* The footer shows the release number from ``pyproject.toml`` beside the licence.
* ``book/_static/course.css`` keeps the live-panel note and the figure captions readable in both themes.
* The theme's 1.5 MB fontawesome.js is dropped: its CSS draws the same icons with a web font; so are the
  search index and tools it loads on every page for search-as-you-type, which is off (the search page
  loads them), and the figures' PNG files are recompressed losslessly.
* Scripts that two extensions add twice (sphinx-thebe's and togglebutton's inline
  settings) are kept once, so pages load without JavaScript errors.
* ``COURSE_LIB_PROGRESS=0`` is set before any notebook runs, so tqdm bars never reach the site.
* After the build, ``_build/exec_times.json`` lists each notebook's execution time (seconds),
  which ``make book`` prints and the budget test checks.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

os.environ["COURSE_LIB_PROGRESS"] = "0"  # inherited by the kernels that execute the chapters
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see course_lib/__init__.py

PLOTLY_JS = "plotly.min.js"
MATHJAX_DIR = "mathjax"


ROOT = Path(__file__).resolve().parents[2]
VENDORED_PLOTLY = ROOT / "book" / "_vendor" / "plotly" / "plotly-cartesian.min.js"
#: MathJax 3's es5 components that the pages use (see book/_vendor/mathjax/README.md), served as _static/mathjax.
VENDORED_MATHJAX = ROOT / "book" / "_vendor" / "mathjax" / "es5"


def _plotly_js() -> Path:
    """The cartesian plotly.js bundle (1.5 MB) if vendored, else the full one from the plotly package."""
    if VENDORED_PLOTLY.exists():
        return VENDORED_PLOTLY
    import plotly

    return Path(plotly.__file__).parent / "package_data" / PLOTLY_JS


def _share_html_handlers(app) -> None:
    """Let the single-page builder (``make pdf``) render every node the html builder can.

    Sphinx looks up node handlers by builder name and falls back to the format only when the
    name has none, so one extension that registers a handler for ``singlehtml`` hides all the
    others' ``html`` handlers from it.
    """
    if app.builder.name != "html" and app.builder.format == "html":
        handlers = app.registry.translation_handlers
        own = handlers.setdefault(app.builder.name, {})
        for node, visitors in handlers.get("html", {}).items():
            own.setdefault(node, visitors)


#: MathJax's parts loaded one by one instead of the combined tex-chtml.js (1.16 MB): the same TeX input and
#: HTML output, without the 426 kB contextual menu, so a page with math weighs about 400 kB less. The vendored
#: folder also holds the fonts and the TeX extensions that MathJax loads on demand.
MATHJAX_FILES = ("startup.js", "core.js", "input/tex.js", "output/chtml.js", "output/chtml/fonts/tex.js")


def book_version() -> str:
    """The release number, read from its one home: ``project.version`` in ``pyproject.toml``."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _on_config_inited(app, config) -> None:
    options = config.html_theme_options
    options["extra_footer"] = (f'<p class="course-version">Version {book_version()} of the book and of course_lib. '
                               f'{options.get("extra_footer", "")}</p>')
    config.html_static_path = [*config.html_static_path, str(Path(__file__).resolve().parents[1] / "_static")]
    config.mathjax_path = f"{MATHJAX_DIR}/startup.js"  # relative to _static
    mj = dict(config.mathjax3_config or {})
    mj["loader"] = {**mj.get("loader", {}), "load": ["input/tex", "output/chtml"]}
    config.mathjax3_config = mj


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts is None:
        return
    seen, unique = set(), []
    for js in scripts:
        if getattr(js, "attributes", {}).get("type") == "application/vnd.jupyter.widget-state+json":
            continue  # live panels need a kernel; their saved state would only add weight
        key = (getattr(js, "filename", None) or "", repr(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique
    body = context.get("body", "")
    if 'class="math' not in body:   # MyST-NB asks for MathJax on every page; only pages with math need it
        scripts[:] = [js for js in scripts if not _is_mathjax(js)]
    if "plotly-graph-div" in body:
        # Sphinx's public per-page API (>= 3.5): called in html-page-context, it adds the script to this page
        # only. Priority 0: before every other script, as the figures' inline scripts call Plotly while the
        # page loads.
        app.add_js_file(PLOTLY_JS, priority=0)


def _is_mathjax(js) -> bool:
    """Whether a page script is MathJax's loader or its configuration."""
    name = getattr(js, "filename", None) or ""
    body = str(getattr(js, "attributes", {}).get("body", ""))
    return f"{MATHJAX_DIR}/" in name or "mathjax" in name.lower() or body.lstrip().startswith("window.MathJax")


FONTAWESOME_JS = re.compile(r'\s*<script[^>]*src="[^"]*scripts/fontawesome\.js[^"]*"[^>]*></script>')
#: The search index and tools the theme loads on every page for its search-as-you-type box, which this
#: book leaves off (``search_as_you_type`` is False): the search page loads them itself. 170 kB a page.
INLINE_SEARCH_JS = re.compile(r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
                              r'searchindex\.js)"></script>')


def _slim_pages(outdir: Path) -> None:
    """Remove the theme's fontawesome.js and, outside the search page, its inline-search scripts."""
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = FONTAWESOME_JS.sub("", text)
        if page.name != "search.html":
            new = INLINE_SEARCH_JS.sub("", new)
        if new != text:
            page.write_text(new, encoding="utf-8")


#: A figure is stored with a 256-colour palette when that changes its pixels by at most this much on
#: average (in 0-255 levels per channel); otherwise it keeps all its colours.
PALETTE_MEAN_ERROR = 1.0


def _optimize_images(outdir: Path) -> None:
    """Make the figures' PNG files smaller: a 256-colour palette where it is visually lossless, then zlib
    at its best setting (together about 60 % smaller, which keeps 2x-density figures within the page budget).

    matplotlib figures use few colours (white, a colour map, text); a median-cut palette without dithering
    changes a pixel by less than one level out of 255 on average. A figure where it would change more keeps
    its full colours. The resolution (``pHYs``) and the text chunks that matplotlib writes (``Software``) are
    kept: the browser test reads a figure's dpi from them to work out how large its text is on a phone.
    """
    import numpy as np
    from PIL import Image, PngImagePlugin

    for png in (outdir / "_images").glob("*.png"):
        with Image.open(png) as im:
            im.load()
        info = PngImagePlugin.PngInfo()
        for key, value in getattr(im, "text", {}).items():
            info.add_text(key, value)
        extra = {"dpi": im.info["dpi"]} if "dpi" in im.info else {}
        out = im
        if im.mode in ("RGB", "RGBA") and (im.mode == "RGB" or im.getextrema()[3][0] == 255):
            rgb = im.convert("RGB")
            palette = rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            error = np.abs(np.asarray(palette.convert("RGB"), dtype=np.int16) - np.asarray(rgb, dtype=np.int16))
            if error.mean() <= PALETTE_MEAN_ERROR:
                out = palette
        tmp = png.with_suffix(".tmp")
        out.save(tmp, format="PNG", optimize=True, pnginfo=info, **extra)
        if tmp.stat().st_size < png.stat().st_size:
            os.replace(tmp, png)
        else:
            tmp.unlink()


FA_WEBFONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
FA_ICON_RULE = re.compile(r"([^{}]+)\{[^}]*?(?:content|--fa):\s*\"\\([0-9a-f]{4})")  # selectors, codepoint
FA_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
CSS_CODEPOINT = re.compile(r"\"\\(f[0-9a-f]{3})\"")
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _subset_icon_fonts(outdir: Path) -> None:
    """Keep only the icons the site uses in the theme's Font Awesome fonts (about 270 KB less on every page).

    The icons used are those of the ``fa-*`` classes in the built pages and scripts, and those the theme's
    stylesheet draws itself (``content`` and ``--pst-icon-*`` values, escaped or as private-use characters). Each font is written as WOFF (zlib; WOFF2 would need the
    brotli package) and the stylesheet is pointed at it.
    """
    from fontTools import subset

    styles = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    fonts = outdir / "_static" / "vendor" / "fontawesome" / "webfonts"
    if not styles.exists() or not fonts.exists():
        return
    css = styles.read_text(encoding="utf-8")
    by_class = {name: int(code, 16) for selectors, code in FA_ICON_RULE.findall(css)
                for name in re.findall(r"\.fa-([a-z0-9-]+)", selectors)}
    own = [body for selectors, body in CSS_RULE.findall(css) if ".fa-" not in selectors]   # the theme's own icons,
    used = {int(code, 16) for body in own for code in CSS_CODEPOINT.findall(body)}      # escaped or as the
    used |= {ord(ch) for body in own for ch in body if 0xE000 <= ord(ch) <= 0xF8FF}       # private-use character
    for path in list(outdir.rglob("*.html")) + list((outdir / "_static").rglob("*.js")):
        used |= {by_class[name] for name in FA_CLASS.findall(path.read_text(encoding="utf-8", errors="ignore"))
                 if name in by_class}
    for name in FA_WEBFONTS:
        source = fonts / f"{name}.ttf"
        if not source.exists():
            continue
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(used))
        subsetter.subset(font)
        tmp = fonts / f"{name}.woff.tmp"
        subset.save_font(font, str(tmp), options)
        os.replace(tmp, fonts / f"{name}.woff")
        css = css.replace(f'url(../vendor/fontawesome/webfonts/{name}.woff2) format("woff2")',
                          f'url(../vendor/fontawesome/webfonts/{name}.woff) format("woff")')
    tmp = styles.with_suffix(".tmp")
    tmp.write_text(css, encoding="utf-8")
    os.replace(tmp, styles)


def _on_build_finished(app, exception) -> None:
    if exception is not None:
        return
    if app.builder.format == "html":
        _slim_pages(Path(app.outdir))
        _subset_icon_fonts(Path(app.outdir))
        _optimize_images(Path(app.outdir))
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_plotly_js(), static / PLOTLY_JS)
        missing = [name for name in MATHJAX_FILES if not (VENDORED_MATHJAX / name).is_file()]
        if missing:
            raise RuntimeError(f"MathJax files missing from {VENDORED_MATHJAX}: {missing}; see its README.md")
        shutil.copytree(VENDORED_MATHJAX, static / MATHJAX_DIR, dirs_exist_ok=True)
    from myst_nb.sphinx_ import NbMetadataCollector

    data = NbMetadataCollector.get_doc_data(app.env)
    times = {doc: {k: d["exec_data"].get(k) for k in ("runtime", "method", "succeeded", "mtime")}
             for doc, d in sorted(data.items()) if d.get("exec_data")}
    out = Path(app.outdir).parent / "exec_times.json"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(times, indent=1, default=str))
    os.replace(tmp, out)


def _first_sentence(text: str, limit: int = 250) -> str:
    """The first sentence of a caption, for alt text (at most ``limit`` characters)."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


def _section_title(node) -> str:
    from docutils import nodes

    while node is not None:
        if isinstance(node, nodes.section) and node.children and isinstance(node.children[0], nodes.title):
            return node.children[0].astext()
        node = node.parent
    return ""


def _alt_text_for_figures(app, doctree, docname) -> None:
    """Give every image and plotly figure a text alternative.

    In a captioned figure it is the caption's first sentence; elsewhere it names the figure's
    section. Images otherwise carry their hashed file name as alt text, and plotly's divs none.
    """
    from docutils import nodes

    def label(node) -> str:
        figure = node.parent
        while figure is not None and not isinstance(figure, nodes.figure):
            figure = figure.parent
        captions = list(figure.findall(nodes.caption)) if figure is not None else []
        if captions:
            return _first_sentence(captions[0].astext())
        title = _section_title(node)
        return f"Figure of the section “{title}”" if title else "Figure"

    for image in list(doctree.findall(nodes.image)):
        alt = image.get("alt", "")
        if not alt or alt == image.get("uri") or re.fullmatch(r"[\w./-]+\.(png|jpe?g|svg|gif)", alt):
            image["alt"] = label(image)
    for raw in list(doctree.findall(nodes.raw)):
        if 'course-plotly"' in raw.astext() and 'course-plotly" role="img"' not in raw.astext():
            text = html.escape(label(raw), quote=True)
            new = raw.astext().replace('class="plotly-graph-div course-plotly"',
                                       f'class="plotly-graph-div course-plotly" role="img" aria-label="{text}"', 1)
            raw.replace_self(nodes.raw(new, new, format=raw.get("format", "html")))


def setup(app):
    app.add_css_file("course.css")  # book/_static/course.css: live-panel note and captions in both themes
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _share_html_handlers)
    app.connect("html-page-context", _on_page_context, priority=900)  # after the extensions that add scripts
    app.connect("build-finished", _on_build_finished)
    app.connect("doctree-resolved", _alt_text_for_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
