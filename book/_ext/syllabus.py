"""Reading the chapters as a course: their exercises and how long each section takes.

Introduced in the instructor's guide (``book/instructor_guide.ipynb``) and used by the exercise
collection (``book/exercises.ipynb``); both read the chapter notebooks when the book is built, so
they never drift from the chapters.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Exercise", "Section", "Session", "chapter_title", "find_exercises", "section_times", "chapter_paths",
           "plan_sessions"]

_EXERCISE = re.compile(r"```\{exercise\}\s*(?P<title>[^\n]*)\n(?P<options>(?::[^\n]*\n)*)(?P<body>.*?)```", re.S)
#: Minutes a class spends per 100 words of prose (reading and discussing) and per code cell shown.
MINUTES_PER_100_WORDS = 1.0
MINUTES_PER_CODE_CELL = 1.5


@dataclass
class Exercise:
    """One exercise of a chapter: its label, title, text, kind and whether a solution follows."""

    chapter: str
    label: str
    title: str
    body: str
    kind: str
    has_solution: bool

    @property
    def predicts(self) -> bool:
        """True if the exercise asks the reader to predict before running or looking."""
        return "predict" in (self.title + " " + self.body).lower()


@dataclass
class Section:
    """A ``##`` section of a chapter with its size and estimated class time."""

    chapter: str
    title: str
    words: int
    code_cells: int
    minutes: float


@dataclass
class Session:
    """One class session: its chapter notebooks, the sections taught in class and those read beforehand."""

    number: int
    chapters: list[Path]
    in_class: list[Section]
    reading: list[Section]

    @property
    def class_minutes(self) -> float:
        return round(sum(s.minutes for s in self.in_class), 1)

    @property
    def reading_minutes(self) -> float:
        return round(sum(s.minutes for s in self.reading), 1)


def _cells(path: Path) -> list[dict]:
    nb = json.loads(Path(path).read_text())
    cells = []
    for cell in nb["cells"]:
        src = cell["source"]
        cells.append({"type": cell["cell_type"], "source": "".join(src) if isinstance(src, list) else src,
                      "tags": cell.get("metadata", {}).get("tags", [])})
    return cells


def chapter_paths(root: str | Path) -> list[Path]:
    """The chapter notebooks (``NN_*.ipynb``) listed in ``root/_toc.yml``, in the book's order.

    Args:
        root: the repository root (the folder of ``_toc.yml``).
    """
    import yaml

    toc_file = Path(root) / "_toc.yml"
    if not toc_file.exists():
        raise ValueError(f"chapter_paths: {str(toc_file)!r} does not exist; pass the repository root.")
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc_file.read_text()))
    paths = [Path(root) / f"{f}.ipynb" for f in files if re.match(r"\d\d", Path(f).name)]
    paths = [p for p in paths if p.exists()]
    if not paths:
        raise ValueError(f"chapter_paths: {str(toc_file)!r} lists no chapter notebooks (NN_*.ipynb).")
    return paths


def chapter_title(path: str | Path) -> str:
    """The ``# title`` of a chapter notebook."""
    for cell in _cells(Path(path)):
        if cell["type"] == "markdown":
            m = re.search(r"^# (.+)$", cell["source"], re.M)
            if m:
                return m.group(1).strip()
    raise ValueError(f"chapter_title: {str(path)!r} has no '# title' line.")


def find_exercises(path: str | Path) -> list[Exercise]:
    """Every ``{exercise}`` of a chapter notebook, in order.

    The kind is ``"discussion"`` or ``"homework"`` from the cell's tag of that name; untagged
    predict-first exercises count as discussion, the others as homework.

    Returns:
        list of :class:`Exercise`.
    """
    path = Path(path)
    cells = _cells(path)
    found = []
    for i, cell in enumerate(cells):
        if cell["type"] != "markdown":
            continue
        for m in _EXERCISE.finditer(cell["source"]):
            label = re.search(r":label:\s*(\S+)", m.group("options"))
            if not label:
                raise ValueError(f"find_exercises: an exercise in {path.name} has no :label:; add one.")
            # the solution is the next markdown cell (code that draws what the exercise asks about may come between)
            following = next((c["source"] for c in cells[i + 1:] if c["type"] == "markdown"), "")
            has_solution = f"{{solution}} {label.group(1)}" in following or f"{{solution}} {label.group(1)}" in cell["source"]
            ex = Exercise(path.stem, label.group(1), m.group("title").strip(), m.group("body").strip(), "", has_solution)
            tags = set(cell["tags"])
            ex.kind = "discussion" if "discussion" in tags else "homework" if "homework" in tags else (
                "discussion" if ex.predicts else "homework")
            found.append(ex)
    return found


def section_times(path: str | Path) -> list[Section]:
    """Size and estimated class time of each ``##`` section of a chapter (exercises excluded).

    The estimate is ``MINUTES_PER_100_WORDS`` per 100 words of prose plus
    ``MINUTES_PER_CODE_CELL`` per visible code cell (cells tagged ``remove-cell`` do not count).
    """
    path = Path(path)
    sections: list[Section] = []
    current = Section(path.stem, "Opening", 0, 0, 0.0)
    for cell in _cells(path):
        if cell["type"] == "markdown":
            for line in cell["source"].splitlines():
                heading = re.match(r"^## (.+)$", line)
                if heading:
                    sections.append(current)
                    current = Section(path.stem, heading.group(1).strip(), 0, 0, 0.0)
                elif not line.startswith(("```", ":")):
                    current.words += len(re.findall(r"[A-Za-z0-9']+", line))
        elif cell["type"] == "code" and "remove-cell" not in cell["tags"]:
            current.code_cells += 1
    sections.append(current)
    skip = {"Exercises", "References"}
    out = [s for s in sections if s.title not in skip and (s.words or s.code_cells)]
    for s in out:
        s.minutes = round(s.words / 100 * MINUTES_PER_100_WORDS + s.code_cells * MINUTES_PER_CODE_CELL, 1)
    return out


def plan_sessions(paths: list[str | Path], class_minutes: float = 70.0) -> list[Session]:
    """Group chapter notebooks into sessions and fit each session's sections into ``class_minutes``.

    Notebooks that share a chapter number (``04_edges`` and ``04b_convolution``) form one session,
    numbered by that chapter number; the introduction (``00``) is session 0, homework before session 1.
    When a session's sections take longer than ``class_minutes``, the most prose-heavy sections (most words per
    code cell; only sections that are at least a third prose) move to reading before the session until the rest fits, ending with the
    shortest section that is enough on its own; the opening and the summary always stay in class.

    Args:
        paths: chapter notebooks, e.g. from :func:`chapter_paths`.
        class_minutes: class time available for presenting sections (the rest of a 90-minute
            session is for exercises).
    """
    if class_minutes <= 0:
        raise ValueError(f"plan_sessions: class_minutes={class_minutes!r} must be positive (e.g. 70 of a 90-minute session).")
    groups: dict[int, list[Path]] = {}
    for path in map(Path, paths):
        number = re.match(r"(\d+)", path.stem)
        if not number:
            raise ValueError(f"plan_sessions: {path.name!r} does not start with a chapter number (NN_name.ipynb).")
        groups.setdefault(int(number.group(1)), []).append(path)
    sessions = []
    for number, chapters in groups.items():
        in_class = [s for path in chapters for s in section_times(path)]
        reading: list[Section] = []
        movable = sorted((s for s in in_class if s.title not in ("Opening", "Summary")        # mostly prose
                          and s.words / 100 * MINUTES_PER_100_WORDS >= s.minutes / 3),
                         key=lambda s: s.words / (s.code_cells + 1), reverse=True)
        while (excess := sum(s.minutes for s in in_class) - class_minutes) > 0 and movable:
            enough = [s for s in movable if s.minutes >= excess]     # one move that fits, if there is one
            section = min(enough, key=lambda s: s.minutes) if enough else movable[0]
            movable.remove(section)
            in_class.remove(section)
            reading.append(section)
        sessions.append(Session(number, chapters, in_class, reading))
    return sessions
