"""Tables in chunks: reading and writing files larger than memory, row order kept.

:func:`iter_table` yields a CSV / TSV / JSONL / Parquet file as DataFrames of at most
``chunk_size`` rows; :class:`TableWriter` appends result chunks to a temporary file
(``.<name>.partial``) and renames it to its name only when every chunk is written, so a
file under the output's name is always complete. CSV and TSV cells are read as text and
written back as read; JSONL values keep their JSON types.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

import pandas as pd

from stance.data import (PROVENANCE_KEY, check_delimited, check_input_file, file_format, provenance_path,
                         sniff_delimiter)
from stance.errors import InputError, choices


def iter_table(path: str | os.PathLike, chunk_size: int = 10_000) -> Iterator[pd.DataFrame]:
    """The rows of a table file, ``chunk_size`` at a time, in file order.

    >>> from stance.data import bundled_path
    >>> [len(c) for c in iter_table(bundled_path("statements.csv"), chunk_size=20)][:2]
    [20, 20]
    """
    if chunk_size < 1:
        raise InputError(f"chunk size must be at least 1, got {chunk_size}")
    path = Path(path)
    suffix = file_format(path)
    check_input_file(path)
    if suffix in (".csv", ".tsv"):
        check_delimited(path, sniff_delimiter(path))
    rows = 0
    try:
        for chunk in _chunks(path, suffix, chunk_size):
            if len(chunk):  # a header-only CSV gives one empty chunk
                rows += len(chunk)
                yield chunk
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read {str(path)!r} as {suffix[1:]}: {first}") from None
    if rows == 0:
        raise InputError(f"input file {str(path)!r} has no rows: it needs at least one statement")


def _chunks(path: Path, suffix: str, chunk_size: int) -> Iterator[pd.DataFrame]:
    if suffix in (".csv", ".tsv"):
        with pd.read_csv(path, sep=sniff_delimiter(path), keep_default_na=False, na_values=[""],
                         encoding="utf-8-sig", dtype=str, chunksize=chunk_size) as reader:
            yield from reader
    elif suffix == ".jsonl":
        yield from jsonl_chunks(path, chunk_size)
    elif suffix == ".xlsx":  # a sheet holds at most 1,048,576 rows: read whole, handed out in chunks
        from stance.data import read_excel_text

        sheet = read_excel_text(path)
        for start in range(0, max(len(sheet), 1), chunk_size):
            yield sheet.iloc[start:start + chunk_size]
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
            yield batch.to_pandas()


def jsonl_chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    """JSON Lines as DataFrames of Python values (ints stay ints, also beside nulls)."""
    records: list[dict] = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"line {number} is not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
            if not line.strip():
                continue
            if "\x00" in line:
                raise ValueError(f"line {number} contains NUL bytes: binary data, not JSON Lines")
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: {exc.msg}") from None
            if not isinstance(record, dict):
                raise ValueError(f"line {number} is not a JSON object")
            records.append(record)
            if len(records) == chunk_size:
                yield pd.DataFrame(records, dtype=object)
                records = []
    if records:
        yield pd.DataFrame(records, dtype=object)


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
        return self.path.with_name(f".{self.path.name}.partial")

    def write(self, df: pd.DataFrame) -> None:
        """Append a chunk (the first one fixes the columns of a CSV, TSV or Parquet file)."""
        suffix = file_format(self.path)
        first = not hasattr(self, "columns_")
        if first:
            self.columns_ = list(df.columns)
            self._open(suffix)
        elif list(df.columns) != self.columns_ and suffix != ".jsonl":
            new = [c for c in df.columns if c not in self.columns_] or list(df.columns)
            raise InputError(f"rows further down {str(self.path)!r} have other columns ({choices(new)}) than the "
                             "first rows: give every row the same keys, or write .jsonl")
        try:
            if suffix in (".csv", ".tsv"):
                df.to_csv(self.handle_, index=False, header=first, sep="\t" if suffix == ".tsv" else ",")
            elif suffix == ".jsonl":
                text = df.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
                self.handle_.write(text if text.endswith("\n") else text + "\n")
            elif suffix == ".xlsx":  # kept until commit: a workbook is written whole
                self.sheet_ = [*getattr(self, "sheet_", []), df]
            else:
                import pyarrow as pa

                table = pa.Table.from_pandas(df, preserve_index=False,
                                             schema=None if first else self.handle_.schema)
                if first:
                    import pyarrow.parquet as pq

                    self.handle_ = pq.ParquetWriter(self.partial, table.schema)
                self.handle_.write_table(table)
        except OSError as exc:
            raise InputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}") from None

    def _open(self, suffix: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle_ = (None if suffix in (".parquet", ".xlsx")
                            else open(self.partial, "w", encoding="utf-8", newline=""))
        except OSError as exc:
            raise InputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}") from None

    def _close(self) -> None:
        handle = getattr(self, "handle_", None)
        self.handle_ = None
        if handle is not None:
            handle.close()

    def commit(self) -> Path:
        """Finish the file: rename it to its name, and write the provenance sidecar (first, to a
        temporary name, so that a full disk leaves neither file looking complete)."""
        try:
            self._close()
            if getattr(self, "sheet_", None):
                from stance.data import escape_formulas

                escape_formulas(pd.concat(self.sheet_, ignore_index=True)).to_excel(self.partial, index=False,
                                                                                   engine="openpyxl")
                self.sheet_ = []
            if not self.partial.exists():
                raise InputError(f"nothing was written to {str(self.path)!r}")
            sidecar = provenance_path(self.path)
            if self.provenance is not None:
                staged = sidecar.with_name(f".{sidecar.name}.partial")
                staged.write_text(json.dumps(self.provenance, indent=2, default=str), encoding="utf-8")
                staged.replace(sidecar)
            self.partial.replace(self.path)
        except OSError as exc:
            self.discard()
            provenance_path(self.path).with_name(f".{provenance_path(self.path).name}.partial").unlink(missing_ok=True)
            raise InputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}") from None
        return self.path

    def discard(self) -> None:
        """Delete the partial file (after an error or an interruption)."""
        try:
            self._close()
        except OSError:
            pass  # the file is being thrown away; its last buffered bytes do not matter
        self.partial.unlink(missing_ok=True)

    def check(self) -> "TableWriter":
        """Refuse, before any work, an output path that is a folder or whose folder cannot be made."""
        file_format(self.path)
        if self.path.is_dir():
            raise InputError(f"cannot write {str(self.path)!r}: it is a directory; pass a file name")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot write {str(self.path)!r}: {exc.strerror or exc}") from None
        if not os.access(self.path.parent, os.W_OK):
            raise InputError(f"cannot write {str(self.path)!r}: its folder is not writable")
        return self

    def __enter__(self) -> "TableWriter":
        return self.check()

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is None:
            self.commit()
        else:
            self.discard()
        return False


def run_provenance(table: pd.DataFrame) -> dict | None:
    """The provenance a results chunk carries (``table.attrs['stance']``), if any."""
    return table.attrs.get(PROVENANCE_KEY)
