"""Files written whole or not at all: the one atomic writer of course_lib and of the scripts.

Behind the data cache, recordings and the results files the chapters read (from
:doc:`/book/02_hidden_layers` on). A reader (a chapter, a test, the next run) never sees a
half-written file: the data go to a temporary file in the same folder, which replaces the target in
one ``os.replace`` only after everything was written. If writing fails or is interrupted, the
temporary file is removed and the old file, if any, is left as it was. The results scripts also use
:func:`write_atomic`.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterator


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a temporary binary file beside ``path``; on leaving the block it replaces ``path``.

    An exception inside the block removes the temporary file and leaves ``path`` untouched.
    The new file gets mode 644 (``mkstemp`` would leave it readable by its owner only).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Create ``path`` from ``write(binary file)`` atomically (see :func:`atomic_file`). Returns the path."""
    with atomic_file(path) as fh:
        write(fh)
    return Path(path)
