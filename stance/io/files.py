"""Atomic file writes and provenance sidecars, for single files and Dask output folders alike.

Every writer of the kit writes to ``.<name>.partial`` and renames it when it is complete, so a
file under its real name is never half-written. A results file's provenance goes to a JSON
sidecar (``results.csv`` → ``results.provenance.json``; a folder of Parquet parts holds
``_provenance.json``, which readers of Parquet folders skip).
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from stance.errors import InputError

FOLDER_SIDECAR = "_provenance.json"  # readers of a Parquet folder skip names starting with "_"


def partial_path(path: str | os.PathLike) -> Path:
    """The temporary name a file is written under until it is complete.

    >>> partial_path("out/report.html").as_posix()
    'out/.report.html.partial'
    """
    path = Path(path)
    return path.with_name(f".{path.name}.partial")


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield the partial path to write ``path`` to; rename it to ``path`` when the block ends
    without an error, delete it otherwise. A folder that cannot be made or a full disk raise
    :class:`~stance.errors.InputError` in one line, before anything is left under ``path``."""
    path = Path(path)
    staged = partial_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield staged
        staged.replace(path)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write a text file (UTF-8) atomically; return its path.

    >>> import tempfile
    >>> p = write_text(Path(tempfile.mkdtemp()) / "a" / "page.html", "<p>hi</p>")
    >>> p.read_text(), sorted(x.name for x in p.parent.iterdir())
    ('<p>hi</p>', ['page.html'])
    """
    with atomic_path(path) as staged:
        staged.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write a binary file (a chart's PNG) atomically; return its path."""
    with atomic_path(path) as staged:
        staged.write_bytes(data)
    return Path(path)


def check_writable(path: str | os.PathLike) -> Path:
    """Refuse, before any work, an output path that is a folder or whose folder cannot be made."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"cannot write {str(path)!r}: it is a directory; pass a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"cannot write {str(path)!r}: its folder is not writable")
    return path


def provenance_path(path: str | os.PathLike) -> Path:
    """Where the provenance sidecar of a results file or results folder goes.

    >>> provenance_path("out/results.csv").as_posix()
    'out/results.provenance.json'
    """
    path = Path(path)
    return path / FOLDER_SIDECAR if path.is_dir() else path.with_name(path.stem + ".provenance.json")


def write_provenance(path: str | os.PathLike, provenance: dict | None) -> None:
    """Write the sidecar of ``path`` atomically; with ``provenance=None`` remove a stale one, so
    that a table is never read back with the provenance of an earlier run."""
    side = provenance_path(path)
    if provenance is None:
        side.unlink(missing_ok=True)
        return
    write_text(side, json.dumps(provenance, indent=2, default=str))


def read_provenance(path: str | os.PathLike) -> dict | None:
    """The provenance sidecar of a results file or folder, or None when there is none."""
    side = provenance_path(path)
    if not side.is_file():
        return None
    try:
        return json.loads(side.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the provenance file {str(side)!r} is not valid JSON ({exc}): delete it, or "
                         "restore it from the run that wrote the results") from None
