"""Hand-out copies of the chapters ("student copies") in student/, and the student edition of the site.

Usage:
    .venv/bin/python scripts/make_student.py [OUTDIR]   copies in OUTDIR (default student/; ``make student``)
    .venv/bin/python scripts/make_student.py --site     the site without solutions in _build/student-html/
                                                        (``make student-site``)

Which cells a student copy drops (the rule; ``tests/test_student.py`` checks it on every chapter):

1. Solutions: every cell tagged ``solution`` or holding a ``{solution}`` directive.
2. Hidden checking cells: every code cell tagged ``remove-cell``. The site hides these cells: they hold the
   ``cl.claim`` checks and ``assert``\\ s behind the prose, and the computations behind the solutions' numbers
   (e.g. ``assert exercise_length == 32``, or a whole exercise worked out to glue its numbers).
3. Answer cells: every code cell, hidden or shown, that says it is there for an exercise (its code or a
   comment has an exercise's label or the word "exercise", e.g. ``# For exercise ch3-ex-dead``), and every code cell
   outside the exercises whose glued values are all quoted by solutions only (it measures an answer). The code
   between an exercise and its solution is the exercise's own experiment: it stays.
4. What the rest needs stays: when a cell of 2. or 3. sets a name that a later kept cell reads before setting
   it (found with Python's ``ast``, cell by cell from the end), the copy keeps that cell cut down to the
   statements that set (or change) those names and the statements they need; its checks, glue calls, claims
   and comment lines go. If what is left still gives an answer away (it names an exercise, glues a number
   only a solution quotes, or registers a claim that a solution anchors), the script stops with an error:
   the chapter must move what later cells need into a cell of its own.

What Jupyter would show raw in the prose is written out:

* ``{glue:text}`name:fmt``` -> the number, formatted as the site formats it, from the book's own execution of
  the chapter: the build's execution cache ``_build/.jupyter_cache``. Chapters whose code changed since the
  last build are executed first, exactly as ``make book`` executes them (and ``make book`` reuses them).
* ``{numref}`fig-x``` -> "Figure N" and an exercise's label (``{numref}`` or ``{ref}``) -> "Exercise N",
  numbered as the site numbers them: from the first document of the table of contents to the last, solutions
  included (``make student-site`` leaves the solutions' figures out, so its figure numbers after one differ).
* ``{term}`, ``{ref}`, ``{doc}`` -> their text; ``{cite:t}`` / ``{cite:p}`` -> Author (year) / (Author, year).
* ```` ```{exercise} title ```` -> a heading "### Exercise N: title" and the text; ```` ```{glue:figure} ````
  -> "**Figure N.** caption"; admonitions -> a bold title and the text; ``{bibliography}`` -> the entries the
  copy cites; ``(label)=`` targets are removed.

Claims: a kept cell loses its statements that register a claim (``cl.claim(...)``, alone or assigned to a
name no later cell reads); the checks of the prose belong to the book, not to the hand-out.

Figures: Jupyter shows no ``{glue:figure}``, so a kept cell's ``cl.glue("name", fig)`` of a figure gets
``display=True`` and draws the figure where the cell runs (the caption follows in the prose).

Outputs are cleared. Each copy's metadata (``student_copy``) records what was dropped and every number written
into its prose, so a test can run the copy and compare.
"""
from __future__ import annotations

import ast
import builtins
import codecs
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CACHE = ROOT / "_build" / ".jupyter_cache"
SOLUTION_TAG = "solution"
HIDDEN_TAG = "remove-cell"


def is_solution(cell) -> bool:
    """A cell is a solution if it is tagged ``solution`` or holds a ``{solution}`` directive."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", []) or "{solution}" in cell.get("source", "")


def is_hidden(cell) -> bool:
    """A hidden checking cell: code the site removes (tag ``remove-cell``)."""
    return cell.get("cell_type") == "code" and HIDDEN_TAG in cell.get("metadata", {}).get("tags", [])


# ---------------------------------------------------------------------------------------------------------
# Which names a code cell reads and sets
# ---------------------------------------------------------------------------------------------------------

_BUILTINS = set(dir(builtins)) | {"get_ipython", "display"}


def _python(source: str) -> str:
    """The cell as plain Python (IPython magics turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _expr_names(node) -> tuple[set, set]:
    """(names read, names set at module level) of an expression or simple statement; names bound inside a
    comprehension or lambda count as neither."""
    loads, stores = set(), set()

    def visit(n, bound):
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                if n.id not in bound:
                    loads.add(n.id)
            elif not bound:
                stores.add(n.id)
            return
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = set(bound)
            for gen in n.generators:
                visit(gen.iter, inner)
                inner |= {t.id for t in ast.walk(gen.target) if isinstance(t, ast.Name)}
                for cond in gen.ifs:
                    visit(cond, inner)
            for part in ([n.key, n.value] if isinstance(n, ast.DictComp) else [n.elt]):
                visit(part, inner)
            return
        if isinstance(n, ast.Lambda):
            for d in n.args.defaults + [d for d in n.args.kw_defaults if d is not None]:
                visit(d, bound)
            visit(n.body, set(bound) | {a.arg for a in ast.walk(n.args) if isinstance(a, ast.arg)})
            return
        if isinstance(n, ast.NamedExpr):
            visit(n.value, bound)
            stores.add(n.target.id)
            return
        for child in ast.iter_child_nodes(n):
            visit(child, bound)

    visit(node, set())
    return loads, stores


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _body_free(scope) -> set:
    """Names a function, class or lambda reads from outside it (globals, read when it runs)."""
    local = {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)} if hasattr(scope, "args") else set()
    loads, nested = set(), []

    def visit(node):
        """Record what ``node`` reads and binds, then walk into it (a nested scope is kept for later)."""
        if isinstance(node, _SCOPES):
            nested.append(node)
            if not isinstance(node, ast.Lambda):
                local.add(node.name)
            return
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else local).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.comprehension):
            local.update(t.id for t in ast.walk(node.target) if isinstance(t, ast.Name))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for part in (scope.body if isinstance(scope.body, list) else [scope.body]):
        visit(part)
    free = loads - local
    for inner in nested:
        free |= _body_free(inner) - local
    return free


def cell_names(source: str) -> tuple[set, set, set]:
    """(free, defined, always) of a code cell: the names it reads before it sets them, the names it sets, and
    those it sets whatever its branches and loops do."""
    tree = ast.parse(_python(source))
    free, defined, always = set(), set(), set()

    def read(node):
        free.update(_expr_names(node)[0] - defined)

    def scan(stmts, top):
        for s in stmts:
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                heads = list(s.decorator_list)
                if isinstance(s, ast.ClassDef):
                    heads += s.bases + [k.value for k in s.keywords]
                else:
                    heads += s.args.defaults + [d for d in s.args.kw_defaults if d is not None]
                for h in heads:
                    read(h)
                free.update(_body_free(s) - defined - {s.name})
                got = {s.name}
            elif isinstance(s, (ast.Import, ast.ImportFrom)):
                got = {(a.asname or a.name).split(".")[0] for a in s.names}
            elif isinstance(s, (ast.For, ast.AsyncFor)):
                read(s.iter)
                defined.update(t.id for t in ast.walk(s.target) if isinstance(t, ast.Name))
                scan(s.body, False), scan(s.orelse, False)
                continue
            elif isinstance(s, (ast.While, ast.If)):
                read(s.test)
                scan(s.body, False), scan(s.orelse, False)
                continue
            elif isinstance(s, (ast.With, ast.AsyncWith)):
                for item in s.items:
                    read(item.context_expr)
                    if item.optional_vars is not None:
                        defined.update(t.id for t in ast.walk(item.optional_vars) if isinstance(t, ast.Name))
                scan(s.body, top)
                continue
            elif isinstance(s, ast.Try):
                scan(s.body, False)
                for h in s.handlers:
                    if h.name:
                        defined.add(h.name)
                    scan(h.body, False)
                scan(s.orelse, False), scan(s.finalbody, top)
                continue
            else:
                loads, got = _expr_names(s)
                free.update(loads - defined)
            defined.update(got)
            if top:
                always.update(got)

    scan(tree.body, True)
    return free - _BUILTINS, defined, always


def _base_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _changes(stmt, names: set) -> bool:
    """Whether ``stmt`` may change an object bound to one of ``names`` in place: ``x[k] = v``, ``x.a = v``,
    ``x.append(v)``, or a call with ``x`` as its first argument (``cl.train(x, ...)``). Checks (``assert``,
    a bare ``cl.claim``, ``cl.glue`` or ``print`` call) change nothing."""
    if isinstance(stmt, ast.Assert):
        return False
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) in ("glue", "claim", "print"):
            return False
    for n in ast.walk(stmt):
        if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, ast.Store) and _base_name(n) in names:
            return True
        if isinstance(n, ast.Call):
            func = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if func in ("glue", "claim", "print"):
                continue
            if isinstance(n.func, ast.Attribute) and _base_name(n.func.value) in names:
                return True
            if n.args and isinstance(n.args[0], (ast.Name, ast.Attribute, ast.Subscript)) and _base_name(n.args[0]) in names:
                return True
    return False


def cut_down(source: str, wanted) -> str:
    """The statements of the cell ``source`` that set (or change) the names ``wanted``, and the statements
    those need, in their order; everything else (checks, glue, claims, comment lines) left out."""
    tree = ast.parse(source)
    lines = source.splitlines()
    need, kept = set(wanted), []
    for stmt in reversed(tree.body):
        text = "\n".join(lines[stmt.lineno - 1:stmt.end_lineno])
        free, defined, always = cell_names(text)
        if defined & need or _changes(stmt, need):
            kept.append(text)
            need = (need - always) | free
    return "\n".join(reversed(kept))


def _claim_call(node) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == "claim")
        or (isinstance(node.func, ast.Name) and node.func.id == "claim"))


def without_claims(source: str, needed: set) -> str:
    """``source`` without the statements that register a claim (``cl.claim(...)``, alone or assigned to names
    that no later cell reads)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:      # IPython magics: left as they are
        return source
    lines, drop = source.splitlines(), set()
    for stmt in tree.body:
        bare = isinstance(stmt, ast.Expr) and _claim_call(stmt.value)
        assigned = isinstance(stmt, ast.Assign) and _claim_call(stmt.value) and not (
            {t.id for t in ast.walk(stmt) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)} & needed)
        if bare or assigned:
            drop.update(range(stmt.lineno - 1, stmt.end_lineno))
    if not drop:
        return source
    return "\n".join(line for i, line in enumerate(lines) if i not in drop).rstrip("\n")


def show_figures(source: str, figures: set) -> str:
    """``source`` with every ``cl.glue("name", fig)`` of a figure in ``figures`` given ``display=True``, so that
    the figure appears where the cell draws it (Jupyter does not show a ``{glue:figure}``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:      # IPython magics: left as they are
        return source
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    inserts = []
    for n in ast.walk(tree):
        if (isinstance(n, ast.Call) and isinstance(n.func, (ast.Attribute, ast.Name))
                and (n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id) == "glue"
                and n.args and isinstance(n.args[0], ast.Constant) and n.args[0].value in figures
                and len(n.args) == 2 and not any(k.arg == "display" for k in n.keywords)):
            inserts.append(offsets[n.end_lineno - 1] + len(lines[n.end_lineno - 1].encode()[:n.end_col_offset].decode()) - 1)
    for at in sorted(inserts, reverse=True):   # just before the call's closing parenthesis
        source = source[:at] + ", display=True" + source[at:]
    return source


# ---------------------------------------------------------------------------------------------------------
# Which cells stay
# ---------------------------------------------------------------------------------------------------------

_GLUE_CALL = re.compile(r"""glue\(\s*f?["']([^"']+)["']""")
_CLAIM_CALL = re.compile(r"""claim\(\s*["']([\w-]+)["']""")
_GLUE_USE = re.compile(r"\{glue(?::\w+)?\}`([^`]+?)(?::[^:`]*)?`|`{3,}\{glue(?::\w+)?\}\s+(\S+)")


def glue_uses(text: str) -> set:
    """The glued names that ``text`` quotes ({glue:text} roles, {glue:figure} directives)."""
    return {a or b for a, b in _GLUE_USE.findall(text)}


_EXERCISE_LABEL = re.compile(r"^(?:`{3,}|:{3,})\{exercise\}[^\n]*\n(?::[^\n]*\n)*?:label:\s*(\S+)", re.M)


def exercise_labels(cells) -> list[str]:
    """The labels of a chapter's exercises, in order."""
    return _EXERCISE_LABEL.findall("\n".join(c.source for c in cells if c.cell_type == "markdown"))


@dataclass
class Plan:
    """What :func:`plan` decided for one chapter: the index of each cell kept, with its (possibly new) source."""

    keep: dict[int, str] = field(default_factory=dict)
    dropped: dict[str, list[int]] = field(default_factory=lambda: {"solution": [], "hidden": [], "answer": []})
    kept_hidden: dict[int, list[str]] = field(default_factory=dict)   # cut-down cell -> the names later cells need


def _names_exercise(source: str, labels) -> bool:
    return bool(re.search(r"exercise", source, re.I)) or any(label in source for label in labels)


def plan(cells) -> Plan:
    """Apply the rule of the module docstring to a chapter's cells."""
    labels = exercise_labels(cells)
    solution_text = "\n".join(c.source for c in cells if is_solution(c))
    other_text = "\n".join(c.source for c in cells if c.cell_type == "markdown" and not is_solution(c))
    solution_only = glue_uses(solution_text) - glue_uses(other_text)
    solution_claims = set(re.findall(r"\(claim-([\w-]+)\)=", solution_text))
    figures = set(re.findall(r"`{3,}\{glue:figure\}\s+(\S+)", solution_text + "\n" + other_text))
    # the exercises' own blocks: from an exercise fence to the next heading, solution or exercise
    in_exercise, inside = set(), False
    for i, c in enumerate(cells):
        if c.cell_type == "markdown":
            inside = "{exercise}" in c.source and not is_solution(c)
        elif inside:
            in_exercise.add(i)

    result = Plan()
    needed: set = set()
    for i in range(len(cells) - 1, -1, -1):
        c = cells[i]
        if is_solution(c):
            result.dropped["solution"].append(i)
            continue
        if c.cell_type != "code":
            result.keep[i] = c.source
            continue
        free, _, always = cell_names(c.source)
        glued = set(_GLUE_CALL.findall(c.source))
        named = _names_exercise(c.source, labels)
        measures_answer = i not in in_exercise and bool(glued) and glued <= solution_only
        wanted = sorted(needed & cell_names(c.source)[1])
        if (is_hidden(c) or named) and wanted:
            cut = cut_down(c.source, wanted)
            if _names_exercise(cut, labels) or set(_GLUE_CALL.findall(cut)) & solution_only or set(
                    _CLAIM_CALL.findall(cut)) & solution_claims:
                raise ValueError(
                    f"cell {i} gives an answer away (it names an exercise, glues a number only a solution quotes, "
                    f"or registers a claim a solution anchors), and later cells read {wanted} from it: move what "
                    "they need into a cell of its own.")
            result.keep[i] = cut
            result.kept_hidden[i] = wanted
            free, _, always = cell_names(cut)
        elif is_hidden(c) or named or (measures_answer and not wanted):
            result.dropped["hidden" if is_hidden(c) else "answer"].append(i)
            continue
        else:
            result.keep[i] = show_figures(without_claims(c.source, needed), figures)
            free, _, always = cell_names(result.keep[i])
        needed = (needed - always) | free
    for v in result.dropped.values():
        v.sort()
    return result


# ---------------------------------------------------------------------------------------------------------
# The prose
# ---------------------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
_PLAIN_FENCE = re.compile(r"^(`{3,}|~{3,})")
_ROLE = re.compile(r"\{(?P<name>[a-zA-Z][\w:-]*)\}`(?P<body>[^`]*)`")
_TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*\n?", re.M)
_ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "seealso"}


@dataclass
class Context:
    """What the prose of one chapter needs: glued values, figure and exercise numbers, the bibliography."""

    values: dict            # glue name -> text/plain repr
    figures: dict           # figure label -> number in the chapter
    exercises: dict         # exercise label -> number in the book
    docs: dict              # document name -> title
    bib: dict               # cite key -> (short author, year, full entry text)
    cited: list = field(default_factory=list)   # the keys cited, in order
    used: dict = field(default_factory=dict)    # glue name -> the text written


def _text_and_target(body: str) -> tuple[str | None, str]:
    m = re.match(r"^(.*?)\s*<([^<>]+)>$", body.strip(), re.S)
    return (m.group(1), m.group(2)) if m else (None, body.strip())


def _glue_text(ctx: Context, body: str) -> str:
    from myst_nb.core.variables import format_plain_text

    key, _, fmt = body.partition(":")
    if key not in ctx.values:
        raise KeyError(f"no glued value {key!r}: the chapter's run did not glue it")
    text = format_plain_text(ctx.values[key], fmt or "")
    ctx.used[f"{key}:{fmt}" if fmt else key] = text
    return text


def _cite(ctx: Context, kind: str, body: str) -> str:
    parts = []
    for key in (k.strip() for k in body.split(",")):
        if key not in ctx.bib:
            raise KeyError(f"cite key {key!r} is not in references.bib")
        if key not in ctx.cited:
            ctx.cited.append(key)
        who, year, _ = ctx.bib[key]
        parts.append(f"{who} ({year})" if kind == "cite:t" else f"{who}, {year}")
    return "; ".join(parts) if kind == "cite:t" else f"({'; '.join(parts)})"


def roles(text: str, ctx: Context) -> str:
    """Every MyST role of ``text`` written out as plain text."""
    def one(m):
        name, body = m.group("name"), m.group("body")
        if name in ("glue:text", "glue", "glue:"):
            return _glue_text(ctx, body)
        if name.startswith("cite"):
            return _cite(ctx, name, body)
        label, target = _text_and_target(body)
        if name in ("numref", "ref", "eq"):
            if target in ctx.figures:
                number = f"Figure {ctx.figures[target]}"
            elif target in ctx.exercises:
                number = f"Exercise {ctx.exercises[target]}"
            else:
                number = None
            if label and "%s" in label and number:
                return label.replace("%s", number.split()[-1])
            if label:
                return label
            if number:
                return number
            raise KeyError(f"{{{name}}}`{body}`: no figure or exercise has the label {target!r}; give the role a text")
        if name == "doc":
            return label or ctx.docs.get(target.lstrip("/").split("/")[-1], target)
        if name == "math":
            return f"${body}$"
        return label if label is not None else body   # term, abbr, class, ...

    return _ROLE.sub(one, text)


def _split_directive(lines: list[str]) -> tuple[dict, list[str]]:
    """Options (``:key: value`` lines at the top) and the body of a directive."""
    options, k = {}, 0
    while k < len(lines) and re.match(r"^:[\w-]+:", lines[k]):
        key, _, value = lines[k][1:].partition(":")
        options[key.strip()] = value.strip()
        k += 1
    return options, lines[k:]


def _directive(name: str, arg: str, body_lines: list[str], ctx: Context) -> str:
    options, body = _split_directive(body_lines)
    text = directives("\n".join(body), ctx).strip("\n")
    if name == "exercise":
        label = options.get("label")
        number = ctx.exercises.get(label, "")
        title = roles(arg.strip(), ctx)
        return f"### Exercise {number}: {title}\n\n{text}" if title else f"### Exercise {number}\n\n{text}"
    if name == "solution":
        return ""
    if name in ("glue:figure", "figure"):
        number = ctx.figures.get(options.get("name", ""))
        head = f"**Figure {number}.**" if number else "**Figure.**"
        return f"{head} {text}" if text else head
    if name == "bibliography":
        entries = [ctx.bib[k][2] for k in ctx.cited]
        return "\n".join(f"* {e}" for e in entries)
    if name == "admonition":
        return f"**{roles(arg.strip(), ctx)}**\n\n{text}"
    if name in _ADMONITIONS:
        title = roles(arg.strip(), ctx) or name.capitalize()
        return f"**{title}**\n\n{text}"
    if name == "math":
        return f"$$\n{text}\n$$"
    title = roles(arg.strip(), ctx)
    return f"**{title or name.capitalize()}**\n\n{text}"


def directives(text: str, ctx: Context) -> str:
    """``text`` with every MyST directive (backtick or colon fence) written out, and its roles."""
    lines, out, k = text.split("\n"), [], 0
    plain: list[str] = []

    def flush():
        if plain:
            out.append(roles("\n".join(plain), ctx))
            plain.clear()

    while k < len(lines):
        line = lines[k]
        m = _FENCE.match(line)
        if m:
            fence = m.group("fence")
            close = re.compile("^" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
            end = next((j for j in range(k + 1, len(lines)) if close.match(lines[j])), None)
            if end is None:
                raise ValueError(f"unclosed {{{m.group('name')}}} fence: {line!r}")
            flush()
            out.append(_directive(m.group("name"), m.group("arg"), lines[k + 1:end], ctx))
            k = end + 1
            continue
        pm = _PLAIN_FENCE.match(line)
        if pm:   # a code block: copied as it is
            close = re.compile("^" + re.escape(pm.group(1)[0]) + "{" + str(len(pm.group(1))) + r",}\s*$")
            end = next((j for j in range(k + 1, len(lines)) if close.match(lines[j])), len(lines) - 1)
            flush()
            out.append("\n".join(lines[k:end + 1]))
            k = end + 1
            continue
        plain.append(line)
        k += 1
    flush()
    return "\n".join(out)


def markdown(source: str, ctx: Context) -> str:
    """A markdown cell of the chapter as Jupyter should show it."""
    text = _TARGET.sub("", source)
    return re.sub(r"\n{3,}", "\n\n", directives(text, ctx)).strip("\n")


# ---------------------------------------------------------------------------------------------------------
# Numbers: glued values, figures, exercises, references
# ---------------------------------------------------------------------------------------------------------

def _outputs_glue(nb) -> dict:
    """name -> text/plain of every value the executed notebook ``nb`` glued."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = (out.get("metadata") or {}).get("scrapbook")
            if not scrap:
                continue
            prefix = scrap.get("mime_prefix", "")
            data = {key[len(prefix):]: value for key, value in out.get("data", {}).items()}
            text = data.get("text/plain", "")
            values[scrap["name"]] = "".join(text) if isinstance(text, list) else text
    return values


def executed_values(paths: list[Path]) -> dict[str, dict | None]:
    """Chapter stem -> the values its run glued (None if it does not run), from the build's execution cache;
    chapters missing there are executed first and cached, exactly as ``make book`` does
    (``scripts/build_book.py``: in book/, in fresh kernels)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_book
    from jupyter_cache import get_cache

    build_book.prefill_cache()
    cache = get_cache(str(CACHE))
    values = {}
    for path in paths:
        try:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            values[path.stem] = None
            continue
        values[path.stem] = _outputs_glue(cache.get_cache_bundle(record.pk).nb)
    return values


def toc_documents() -> list[Path]:
    """Every document of ``_toc.yml``, root first, in the book's order (``.ipynb`` or ``.md``)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from book_build import toc_files  # the one reader of the table of contents

    files = toc_files()
    found = []
    for f in files:
        path = next((ROOT / f"{f}{suffix}" for suffix in (".ipynb", ".md") if (ROOT / f"{f}{suffix}").exists()), None)
        if path is not None:
            found.append(path)
    return found


def _prose(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text()
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


_NAMED_FIGURE = re.compile(r"^(?:`{3,}|:{3,})\{(?:glue:figure|figure)\}[^\n]*\n(?::[^\n]*\n)*?:name:\s*(\S+)", re.M)


def book_numbers() -> tuple[dict, dict]:
    """(figure label -> number, exercise label -> number) as the site numbers them: the book's documents in the
    order of the table of contents, one count for all figures and one for all exercises, solutions included
    (Sphinx numbers across documents when the table of contents has no section numbers)."""
    figures, exercises = {}, {}
    for path in toc_documents():
        text = _prose(path)
        for label in _NAMED_FIGURE.findall(text):
            figures[label] = len(figures) + 1
        for label in _EXERCISE_LABEL.findall(text):
            exercises[label] = len(exercises) + 1
    return figures, exercises


def exercise_numbers() -> dict:
    """Exercise label -> its number in the book."""
    return book_numbers()[1]


def chapters_in_order() -> list[Path]:
    """The chapter notebooks (``NN_*.ipynb``)."""
    return sorted(BOOK.glob("[0-9][0-9]*.ipynb"))


def bibliography() -> dict:
    """cite key -> (short author, year, the entry as one line of markdown)."""
    import latexcodec  # noqa: F401  (registers the "ulatex" codec)
    from pybtex.database import parse_file

    def plain(s: str) -> str:
        s = codecs.decode(s, "ulatex")
        return re.sub(r"[{}]", "", s).replace("---", "—").replace("--", "–")

    entries = {}
    for key, e in parse_file(str(ROOT / "references.bib")).entries.items():
        people = e.persons.get("author") or e.persons.get("editor") or []
        last = [plain(" ".join(p.last_names)) for p in people]
        who = (last[0] if len(last) == 1 else f"{last[0]} and {last[1]}" if len(last) == 2 else f"{last[0]} et al.") \
            if last else plain(e.fields.get("organization", key))
        year = plain(e.fields.get("year", "n.d."))
        names = [plain(" ".join(p.first_names + p.middle_names + p.prelast_names + p.last_names)) for p in people]
        where = next((plain(e.fields[f]) for f in ("journal", "booktitle", "school", "howpublished", "publisher")
                      if f in e.fields), "")
        kind = plain(e.fields.get("type", ""))
        full = f"{', '.join(names)} ({year}). *{plain(e.fields.get('title', ''))}*." + \
               (f" {kind}, {where}." if kind and where else f" {where}." if where else "")
        entries[key] = (who, year, full)
    return entries


def document_titles() -> dict:
    titles = {}
    for path in BOOK.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        m = next((re.search(r"^# (.+)$", c.source, re.M) for c in nb.cells if c.cell_type == "markdown"
                  and re.search(r"^# ", c.source, re.M)), None)
        titles[path.stem] = m.group(1).strip() if m else path.stem
    return titles


# ---------------------------------------------------------------------------------------------------------
# The copies
# ---------------------------------------------------------------------------------------------------------

def strip(nb, values: dict | None = None, numbers: tuple[dict, dict] | None = None, bib: dict | None = None,
          docs: dict | None = None):
    """A student copy of the chapter ``nb``: the cells of :func:`plan`, the prose written out, no outputs.

    ``values`` are the chapter's glued values (name -> text/plain) and ``numbers`` the book's figure and exercise
    numbers (:func:`book_numbers`); without ``values`` the prose keeps its MyST (only :func:`plan` is applied).
    """
    nb = nbformat.from_dict(nb)
    decided = plan(nb.cells)
    figures, exercises = numbers or ({}, {})
    ctx = Context(values or {}, figures, exercises, docs or {}, bib or {})
    cells = []
    for i, cell in enumerate(nb.cells):
        if i not in decided.keep:
            continue
        cell = nbformat.from_dict(cell)
        if cell.cell_type == "markdown" and values is not None:
            cell.source = markdown(cell.source, ctx)
            if not cell.source.strip():
                continue
        elif cell.cell_type == "code":
            cell.source = decided.keep[i]
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    nb.metadata["student_copy"] = {
        "rule": "scripts/make_student.py",
        "dropped_cells": {k: len(v) for k, v in decided.dropped.items()},
        "kept_hidden_cells": {str(i): names for i, names in sorted(decided.kept_hidden.items())},
        "glued": dict(sorted(ctx.used.items())),
    }
    return nb


def main(outdir: str = "student") -> list[Path]:
    out = ROOT / outdir
    out.mkdir(parents=True, exist_ok=True)
    paths = chapters_in_order()
    numbers = book_numbers()
    values = executed_values(paths)
    bib, docs = bibliography(), document_titles()
    written, failed = [], []
    for path in paths:
        if values[path.stem] is None:
            failed.append(path.name)
            continue
        nb = strip(nbformat.read(path, as_version=4), values[path.stem], numbers, bib, docs)
        target = out / path.name
        tmp = target.with_suffix(".tmp")
        nbformat.write(nb, tmp)
        tmp.replace(target)
        written.append(target)
        dropped = nb.metadata["student_copy"]["dropped_cells"]
        print(f"{path.name}: dropped {dropped['solution']} solution, {dropped['hidden']} hidden checking and "
              f"{dropped['answer']} answer cells; {len(nb.metadata['student_copy']['kept_hidden_cells'])} cut down "
              "to what later cells read")
    print(f"{len(written)} student notebooks in {out}/")
    if failed:
        raise RuntimeError(f"no copy of {', '.join(failed)}: the chapter does not run (see the error above)")
    return written


#: Left out of the student site: the evidence ledger lists every claim, the claims that solutions check included.
STUDENT_SITE_OMITS = ("book/appendix/evidence",)


def student_toc() -> dict:
    """``_toc.yml`` without the documents of ``STUDENT_SITE_OMITS``."""
    import yaml

    def omit(entries):
        kept = []
        for entry in entries or []:
            if entry.get("file") in STUDENT_SITE_OMITS:
                continue
            for key in ("chapters", "sections"):
                if key in entry:
                    entry[key] = omit(entry[key])
            kept.append(entry)
        return kept

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for key in ("parts", "chapters"):
        if key in toc:
            toc[key] = omit(toc[key])
    return toc


def build_site(out: Path = ROOT / "_build" / "student-html") -> int:
    """The site without the exercise solutions, in ``out``: sphinx-exercise's ``hide_solutions``, no copies of the
    notebooks' sources (``_sources/``, which hold the solutions) and no evidence ledger (``STUDENT_SITE_OMITS``).

    The default build is untouched: its own doctrees are not reused, and the chapters' executions come from
    (and go to) the same execution cache as ``make book``'s.
    """
    import yaml
    from jupyter_book.sphinx import build_sphinx

    sys.path.insert(0, str(ROOT / "scripts"))
    import build_book

    build_book.prefill_cache()       # as make book: the chapters whose code changed, executed in parallel
    toc = student_toc()
    toc_file = ROOT / "_build" / "student-toc.yml"
    toc_file.parent.mkdir(parents=True, exist_ok=True)
    toc_file.write_text(yaml.safe_dump(toc, sort_keys=False))
    overrides = {"hide_solutions": True, "html_copy_source": False, "latex_individualpages": False,
                 "external_toc_path": toc_file.as_posix(), "nb_execution_cache_path": str(CACHE)}
    rc = build_sphinx(ROOT, out, noconfig=True, path_config=str(ROOT / "_config.yml"), confoverrides=overrides,
                      doctreedir=ROOT / "_build" / ".doctrees-student", builder="html", keep_going=True)
    if isinstance(rc, Exception) or rc:
        print(f"The student site failed ({rc}); see above.", file=sys.stderr)
        return 1
    print(f"The student site (no solutions) is ready: {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--site"]:
        sys.exit(build_site())
    try:
        main(*sys.argv[1:])
    except RuntimeError as err:
        sys.exit(str(err))
