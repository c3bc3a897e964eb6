"""Figures, tables, equations and exercises numbered per chapter, with the book's own chapter numbers.

Sphinx numbers a figure ``<section number>.<n>`` only when its document has a section number, which the
toctree's ``numbered`` option gives (``numbered: true`` in ``_toc.yml``; ``numfig_secnum_depth`` picks how many
levels of it to use). Those numbers are consecutive integers over the toctree: the introduction and the primer
would be chapters 1 and 2, and chapter "4b" (``book/04b_convolution``) cannot be had at all. Without a numbered
toctree, as here, Sphinx counts each kind of figure across the whole book (chapter 5 opened on Fig. 58).

This extension keeps the toctree unnumbered and, once Sphinx has counted the figures (the ``env-get-updated``
event, after Sphinx's own toctree collector), numbers every enumerable node (figure, table, code block,
equation, sphinx-exercise's exercise) again as ``<chapter>.<n>``, ``n`` counting from 1 in each document in
the order Sphinx found them. The chapter is the one the book's file names and prose use:

* ``book/NN_name`` is chapter ``int(NN)`` (the introduction, ``00_``, is chapter 0), and ``book/04b_name``
  is chapter ``4b`` (Fig. 4b.1, Exercise 4b.1);
* the primer is ``P`` (Fig. P.1); the appendices are ``A``, ``B``, ... in the order of the table of contents;
* any other page numbers its figures 1, 2, ... on its own;
* a chapter's companion page (``book/01_templates_further``, "in depth") is the same chapter and goes on counting
  where the chapter page stopped.

Every user of Sphinx's figure numbers (captions, ``{numref}`` from any page, sphinx-exercise's titles, the
Exercises page and the instructor's guide, which ``{numref}`` the chapters' exercises) shows these numbers.

So that a reader can tell which chapter "Fig. 4b.2" belongs to, the number also goes in front of the page's
title (``4b. Convolution: ...``), in the navigation (sidebar, the landing page's contents, previous/next
links). Only the page's title carries it: its sections stay unnumbered.
"""
from __future__ import annotations

import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

_CHAPTER = re.compile(r"(?:^|/)(\d\d)(b?)_[^/]*$")


def reading_order(env) -> list[str]:
    """Every document in the order of the table of contents (the root document first)."""
    order: list[str] = []

    def walk(doc: str) -> None:
        if doc in order:
            return
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.found_docs) - set(order))


def chapter_numbers(docnames: list[str]) -> dict[str, int | str]:
    """The number or letter of each document that has one, e.g. ``{"book/04b_convolution": "4b"}``.

    Args:
        docnames: the documents in reading order (appendix letters follow it).

    Returns:
        dict: document name -> chapter number (int), ``"4b"``-style string, ``"P"`` or an appendix letter.
    """
    numbers: dict[str, int | str] = {}
    appendices = 0
    for doc in docnames:
        m = _CHAPTER.search(doc)
        if m:
            numbers[doc] = f"{int(m.group(1))}{m.group(2)}" if m.group(2) else int(m.group(1))
        elif doc.rsplit("/", 1)[-1] == "primer":
            numbers[doc] = "P"
        elif "/appendix/" in f"/{doc}":
            numbers[doc] = chr(ord("A") + appendices)
            appendices += 1
    return numbers


def renumber(env) -> list[str]:
    """Number every enumerable node per chapter (see the module's docstring); returns the changed documents.

    A chapter's companion page (``book/01_templates_further``: the same chapter number) goes on counting where
    the chapter page stopped, so "Fig. 1.7" names one figure of the chapter whichever of its pages holds it."""
    order = reading_order(env)
    numbers = chapter_numbers(order)
    counted: dict[tuple, int] = {}   # (chapter, kind) -> how many its earlier pages numbered
    changed = []
    for doc in sorted(env.toc_fignumbers, key=lambda d: order.index(d) if d in order else len(order)):
        kinds = env.toc_fignumbers[doc]
        prefix = (numbers[doc],) if doc in numbers else ()
        new = {}
        for kind, ids in kinds.items():
            start = counted.get((numbers[doc], kind), 0) if doc in numbers else 0
            new[kind] = {node_id: prefix + (start + k,) for k, (node_id, _) in
                         enumerate(sorted(ids.items(), key=lambda item: item[1]), start=1)}
            if doc in numbers:
                counted[(numbers[doc], kind)] = start + len(ids)
        if new != kinds:
            env.toc_fignumbers[doc] = new
            changed.append(doc)
    return changed


def number_titles(env) -> list[str]:
    """Put each numbered document's number in front of its title where the navigation shows it: the first
    entry of its table of contents (sidebar, contents lists) and its title (previous/next links, ``<title>``).
    Returns every document if a number changed (each page's sidebar shows them all), else none."""
    from docutils import nodes

    numbers = chapter_numbers(reading_order(env))
    changed = False
    for doc, number in numbers.items():
        toc = env.tocs.get(doc)
        first = next(iter(toc.findall(nodes.reference)), None) if toc is not None else None
        for node in (first, env.titles.get(doc)):
            if node is not None and tuple(node.get("secnumber") or ()) != (number,):
                node["secnumber"] = (number,)
                changed = True
    return sorted(env.found_docs) if changed else []


def _on_env_get_updated(app, env) -> list[str]:
    return sorted(set(renumber(env)) | set(number_titles(env)))


def _on_doctree_resolved(app, doctree, docname) -> None:
    """The number in front of the page's own heading (its first section's title; sections stay unnumbered)."""
    from docutils import nodes

    number = chapter_numbers(reading_order(app.env)).get(docname)
    section = next(iter(doctree.findall(nodes.section)), None)
    if number is not None and section is not None and section.children and isinstance(section[0], nodes.title):
        section[0]["secnumber"] = (number,)


def setup(app):
    # After Sphinx's TocTreeCollector (priority 500), which counts the figures on the same event.
    app.connect("env-get-updated", _on_env_get_updated, priority=900)
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
