"""Reading and writing tables, whole or in chunks, through the format registry.

:func:`iter_table` yields a file (or a folder of ``part-*.parquet`` files written by a Dask run)
as DataFrames of at most ``chunk_size`` rows, in order; :func:`read_table` is their
concatenation, with the same types and the same errors. :class:`TableWriter` appends chunks to
``.<name>.partial`` and renames it when every chunk is written; :func:`write_table` writes a
whole table through it. Both write the provenance sidecar (:mod:`stance.io.files`).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pandas as pd

from stance.errors import InputError, choices
from stance.io.files import check_writable, partial_path, provenance_path, write_provenance
from stance.io.formats import FORMATS, REGISTRY, file_format

PROVENANCE_KEY = "stance"


def check_input_file(path: Path) -> None:
    """Refuse, in one line, an input path that is a folder (other than a results folder),
    missing or empty."""
    if path.is_dir():
        if any(path.glob("part-*.parquet")):
            return
        raise InputError(f"{str(path)!r} is a directory: pass a {'/'.join(FORMATS)} file "
                         "(or a results folder of part-*.parquet files)")
    if not path.is_file():
        raise InputError(f"input file {str(path)!r} does not exist: check the path")
    if path.stat().st_size == 0:
        raise InputError(f"input file {str(path)!r} is empty: it needs a header and at least one row")


def iter_table(path: str | os.PathLike, chunk_size: int = 10_000) -> Iterator[pd.DataFrame]:
    """The rows of a table file, ``chunk_size`` at a time, in file order.

    >>> from stance.data import bundled_path
    >>> [len(c) for c in iter_table(bundled_path("statements.csv"), chunk_size=20)][:2]
    [20, 20]
    """
    if chunk_size < 1:
        raise InputError(f"chunk size must be at least 1, got {chunk_size}")
    path = Path(path)
    check_input_file(path)
    files = sorted(path.glob("part-*.parquet")) if path.is_dir() else [path]
    fmt = REGISTRY[".parquet"] if path.is_dir() else file_format(path)
    rows = 0
    for file in files:
        try:
            for chunk in fmt.read_chunks(file, chunk_size):
                if len(chunk):  # a header-only CSV gives one empty chunk
                    rows += len(chunk)
                    yield chunk
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError, KeyError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"cannot read {str(file)!r} as {fmt.name}: {first}") from None
    if rows == 0:
        raise InputError(f"input file {str(path)!r} has no rows: it needs at least one statement")


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV, TSV, JSONL, Parquet or Excel table (or a Dask results folder) whole.

    CSV: UTF-8 (with or without a BOM), any line ends, quoted newlines, comma, semicolon or tab
    delimited (sniffed from the header), cells of any size. A broken file is refused in one line
    naming the file and, where it applies, the line. Cells of CSV, TSV and Excel files are kept
    as text (an id ``001`` stays ``"001"``); JSONL and Parquet keep their own types.

    >>> from stance.data import bundled_path
    >>> read_table(bundled_path("statements.csv")).columns[:2].tolist()
    ['id', 'text']
    """
    chunks = list(iter_table(path, chunk_size=100_000))
    return chunks[0].reset_index(drop=True) if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)


class TableWriter:
    """Write a table chunk by chunk to ``.<name>.partial``; :meth:`commit` renames it to ``path``.

    As a context manager it commits on success and deletes the partial file on an error.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "out.csv"
    >>> with TableWriter(out) as writer:
    ...     writer.write(pd.DataFrame({"a": [1, 2]}))
    ...     writer.write(pd.DataFrame({"a": [3]}))
    >>> out.read_text().split()
    ['a', '1', '2', '3']
    """

    def __init__(self, path: str | os.PathLike, provenance: dict | None = None):
        self.path = Path(path)
        self.provenance = provenance

    @property
    def partial(self) -> Path:
        return partial_path(self.path)

    def write(self, df: pd.DataFrame) -> None:
        """Append a chunk (the first one fixes the columns of a CSV, TSV, Parquet or Excel file)."""
        first = not hasattr(self, "columns_")
        if first:
            self.columns_ = list(df.columns)
            check_writable(self.path)
            self.writer_ = file_format(self.path).writer(self.partial)
        elif list(df.columns) != self.columns_ and self.writer_.fixed_columns:
            new = [c for c in df.columns if c not in self.columns_] or list(df.columns)
            raise InputError(f"rows further down {str(self.path)!r} have other columns ({choices(new)}) than the "
                             "first rows: give every row the same keys, or write .jsonl")
        try:
            self.writer_.write(df, first)
        except OSError as exc:
            raise InputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}") from None

    def commit(self) -> Path:
        """Finish the file and rename it to its name, then write its provenance sidecar (or
        remove a stale one); a full disk leaves no file looking complete."""
        try:
            if hasattr(self, "writer_"):
                self.writer_.close()
            if not self.partial.exists():
                raise InputError(f"nothing was written to {str(self.path)!r}")
            self.partial.replace(self.path)
        except OSError as exc:
            self.discard()
            raise InputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}") from None
        write_provenance(self.path, self.provenance)
        return self.path

    def discard(self) -> None:
        """Delete the partial file (after an error or an interruption)."""
        try:
            if hasattr(self, "writer_"):
                self.writer_.close()
        except OSError:
            pass  # the file is being thrown away; its last buffered bytes do not matter
        self.partial.unlink(missing_ok=True)

    def check(self) -> "TableWriter":
        """Refuse, before any work, an output path of an unknown type, that is a folder, or
        whose folder cannot be made."""
        file_format(self.path)
        check_writable(self.path)
        return self

    def __enter__(self) -> "TableWriter":
        return self.check()

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is None:
            self.commit()
        else:
            self.discard()
        return False


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table by its extension, plus its provenance sidecar when it has one (a stale
    sidecar of an earlier run is removed). Written to a temporary name and renamed, so a
    failed write never leaves a partial file that looks complete.

    >>> import tempfile
    >>> out = write_table(pd.DataFrame({"id": ["001"]}), Path(tempfile.mkdtemp()) / "t.csv")
    >>> read_table(out)["id"].tolist()
    ['001']
    """
    with TableWriter(path, df.attrs.get(PROVENANCE_KEY)) as writer:
        writer.write(df)
    return Path(path)


def as_table(data, text_col: str) -> pd.DataFrame:
    """A DataFrame from a DataFrame, a Series or list of strings, or a file path."""
    if isinstance(data, pd.DataFrame):
        table = data.copy()
    elif isinstance(data, str) and Path(data).suffix.lower() not in FORMATS:
        raise InputError(f"data is a single string ({data[:40]!r}...), not a file of a known type "
                         f"({'/'.join(FORMATS)}): to classify one statement, pass a list: ['...']")
    elif isinstance(data, (str, os.PathLike)):
        table = read_table(Path(data))
    elif isinstance(data, pd.Series):
        table = data.to_frame(name=text_col)
    elif isinstance(data, (list, tuple)):
        table = pd.DataFrame({text_col: pd.Series(list(data), dtype=object)})
    else:
        raise InputError(f"data must be a DataFrame, a list of strings or a file path, got {type(data).__name__}")
    if text_col not in table.columns:
        raise InputError(
            f"no text column {text_col!r}; the columns are {choices(table.columns)}: "
            "pass text_col= (CLI: --text-col) naming the column with the statements"
        )
    return table


def run_provenance(table: pd.DataFrame) -> dict | None:
    """The provenance a results chunk carries (``table.attrs['stance']``), if any."""
    return table.attrs.get(PROVENANCE_KEY)


__all__ = ["FORMATS", "PROVENANCE_KEY", "TableWriter", "as_table", "check_input_file", "iter_table", "provenance_path",
           "read_table", "run_provenance", "write_table"]
