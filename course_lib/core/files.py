"""Files written whole or not at all: the one atomic writer of course_lib and of the scripts.

Behind the data cache, recordings and the results files the chapters read (from :doc:`/book/02_hidden_layers` on).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterator


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a temporary binary file beside ``path``; leaving the block without an error replaces ``path`` by it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o644)    # mkstemp leaves it readable by its owner only
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Create ``path`` from ``write(binary file)`` atomically (see :func:`atomic_file`). Returns the path."""
    with atomic_file(path) as fh:
        write(fh)
    return Path(path)
