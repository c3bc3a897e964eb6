"""The chapters' exercises as a problem sheet: each exercise's full text and label line, no solutions.

Every exercise of a chapter is a markdown cell with a sphinx-exercise directive whose body starts with one
**label line**, the same style everywhere::

    ```{exercise} Weight decay on a template
    :label: ch1-ex-decay

    *Check · on the site · in class*

    Before you read on, ...
    ```

The three parts, in this order:

* the kind: ``Check`` (a question about what a section shows, answered in minutes), ``Apply`` (a method or a
  derivation of the chapter used on a new case) or ``Explore`` (an experiment whose outcome the chapter does not
  state);
* where it can be done: ``on the site`` (the book's web pages are enough: figures, static twins, paper) or
  ``needs a kernel`` (it asks to run or change code, or to use a live panel);
* its use: ``in class`` or ``homework``.

The solution is the next markdown cell of the notebook, tagged ``solution``, with ```` ```{solution} <label> ````;
only code cells may come between an exercise and its solution (the computation the exercise asks about).
:func:`check_exercises` says what is wrong with a chapter's exercises; :func:`render_chapter` writes a chapter's
exercises as MyST for the Exercises page (``book/exercises.ipynb``), which reads the chapters when the book is
built, so the page never drifts from them. Only the standard library is needed (no torch).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KINDS", "WHERE", "USES", "Exercise", "read_exercises", "check_exercises", "sheet_text",
           "render_chapter", "chapter_heading"]

#: The allowed values of the three parts of a label line, as written in it.
KINDS = ("Check", "Apply", "Explore")
WHERE = ("on the site", "needs a kernel")
USES = ("in class", "homework")

_DIRECTIVE = re.compile(r"^(?P<fence>`{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<options>(?::[^\n]*\n)*)"
                        r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M)
_LABEL_LINE = re.compile(r"^\*(?P<kind>[A-Z][a-z]+) · (?P<where>[a-z ]+) · (?P<use>[a-z ]+)\*$")
_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")
#: What a glue role in an exercise's text becomes on the sheet (the glued number exists only in its chapter).
GLUE_STANDIN = "(the number in the chapter)"


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter notebook.

    Attributes:
        chapter: the notebook's stem, e.g. ``"01_templates"``.
        label: the exercise's ``:label:``; title: the directive's argument.
        label_line: the body's first line as written (``""`` if the body is empty).
        kind, where, use: the three parts of a valid label line (``""`` where the line is not valid).
        text: the body after the label line (MyST, stripped).
        cell: index of the exercise's cell; solution_cell: index of the next markdown cell if it is the
            exercise's solution, else ``None``.
    """

    chapter: str
    label: str
    title: str
    label_line: str
    kind: str
    where: str
    use: str
    text: str
    cell: int
    solution_cell: int | None

    @property
    def valid_label(self) -> bool:
        """True if the label line names a kind, a place and a use from :data:`KINDS`, :data:`WHERE`, :data:`USES`."""
        return self.kind in KINDS and self.where in WHERE and self.use in USES


def _cells(path: Path) -> list[dict]:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [{"type": c["cell_type"], "source": "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
             "tags": c.get("metadata", {}).get("tags", [])} for c in nb["cells"]]


def _is_solution(cell: dict, label: str) -> bool:
    return (cell["type"] == "markdown" and "solution" in cell["tags"]
            and re.search(r"`{3,}\{solution\}[ \t]+" + re.escape(label) + r"[ \t]*\n", cell["source"]) is not None)


def read_exercises(path: str | Path) -> list[Exercise]:
    """Every ``{exercise}`` of a chapter notebook, in the order of the notebook.

    Args:
        path: the chapter notebook (``book/NN_name.ipynb``).

    Returns:
        list of :class:`Exercise`.

    Raises:
        ValueError: if an exercise has no ``:label:`` option.
    """
    path = Path(path)
    cells = _cells(path)
    found = []
    for i, cell in enumerate(cells):
        if cell["type"] != "markdown" or "solution" in cell["tags"]:
            continue
        for m in _DIRECTIVE.finditer(cell["source"]):
            label = re.search(r"^:label:[ \t]*(\S+)", m.group("options"), re.M)
            if not label:
                raise ValueError(f"read_exercises: an exercise of {path.name} ({m.group('title').strip()!r}) has no "
                                 ":label: option; add one, e.g. ':label: ch1-ex-name'.")
            label = label.group(1)
            body = m.group("body").strip("\n")
            first, _, rest = body.lstrip("\n").partition("\n")
            line = _LABEL_LINE.match(first.strip())
            parts = (line.group("kind"), line.group("where"), line.group("use")) if line else ("", "", "")
            parts = tuple(p if p in allowed else "" for p, allowed in zip(parts, (KINDS, WHERE, USES)))
            nxt = next((j for j in range(i + 1, len(cells)) if cells[j]["type"] == "markdown"), None)
            solution = nxt if nxt is not None and _is_solution(cells[nxt], label) else None
            found.append(Exercise(path.stem, label, m.group("title").strip(), first.strip(), *parts,
                                  text=(rest if line else body).strip(), cell=i, solution_cell=solution))
    return found


def check_exercises(path: str | Path) -> list[str]:
    """Everything wrong with a chapter's exercises, as sentences; an empty list if nothing is.

    Checks that every exercise has a valid label line, is followed by its solution (the next markdown cell,
    tagged ``solution``), has text after the label line, quotes no glued number (its text is copied to the
    Exercises page, where the chapter's glue does not exist), and that labels are unique.
    """
    path = Path(path)
    problems = []
    exercises = read_exercises(path)
    seen = set()
    for ex in exercises:
        where = f"{path.name}, exercise {ex.label!r}"
        if ex.label in seen:
            problems.append(f"{where}: the label is used twice.")
        seen.add(ex.label)
        if not ex.valid_label:
            problems.append(f"{where}: the first line of the text must be a label line such as "
                            f"'*Check · on the site · in class*' (kind: {', '.join(KINDS)}; where: "
                            f"{' or '.join(WHERE)}; use: {' or '.join(USES)}); it is {ex.label_line!r}.")
        if ex.solution_cell is None:
            problems.append(f"{where}: the next markdown cell must be its solution (tag 'solution', "
                            f"```{{solution}} {ex.label}``` with ':class: dropdown').")
        if not ex.text:
            problems.append(f"{where}: no text after the label line.")
        if _GLUE_ROLE.search(ex.text):
            problems.append(f"{where}: the text quotes a glued number; the Exercises page cannot show it, so say it "
                            "in words or point to the figure or section that shows it.")
    return problems


def sheet_text(ex: Exercise) -> str:
    """The exercise's text as the Exercises page shows it: glue roles replaced by :data:`GLUE_STANDIN`."""
    return _GLUE_ROLE.sub(GLUE_STANDIN, ex.text)


def _chapter_name(stem: str) -> str:
    m = re.match(r"(\d\d)(b?)", stem)
    if not m:
        return stem
    return "Introduction" if m.group(1) == "00" else f"Chapter {int(m.group(1))}{m.group(2)}"


def chapter_heading(path: str | Path) -> str:
    """The heading of a chapter's part of the sheet, e.g. ``"Chapter 4b"`` (``"Introduction"`` for ``00_*``)."""
    return _chapter_name(Path(path).stem)


def render_chapter(path: str | Path) -> str:
    """A chapter's exercises as MyST for the Exercises page: a link to the chapter, then every exercise.

    The link (class ``exercise-sheet-from``) is printed on the same page as the first exercise. Each exercise is
    a block (class ``exercise-sheet-item``, kept on one printed page) with its number as the
    chapter gives it (a ``{numref}`` to its label, which links back), its title, its label line and its full text.
    No solutions and nothing interactive.

    Args:
        path: the chapter notebook.

    Returns:
        str: MyST markdown.
    """
    path = Path(path)
    title = next((m.group(1).strip() for c in _cells(path) if c["type"] == "markdown"
                  for m in [re.search(r"^# (.+)$", c["source"], re.M)] if m), path.stem)
    out = [":::{container} exercise-sheet-from", f"From {{doc}}`{title} <{path.stem}>`.", ":::", ""]
    for ex in read_exercises(path):
        out += [":::{container} exercise-sheet-item",
                f"**{{numref}}`{ex.label}`: {ex.title}**", "",
                ex.label_line, "",
                sheet_text(ex),
                ":::", ""]
    return "\n".join(out).rstrip() + "\n"
