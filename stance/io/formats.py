"""The format registry: each table suffix maps to a chunk reader and a chunk writer.

Cells of CSV, TSV and Excel files are read as text (an id ``001`` stays ``"001"``); JSONL keeps
its JSON types and Parquet its column types. Excel output never holds a live formula
(:func:`escape_formulas`).
"""
from __future__ import annotations

import csv
import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from stance.errors import InputError, choices

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")


# --- readers ----------------------------------------------------------------------------------

def sniff_delimiter(path: Path) -> str:
    """The delimiter of a CSV file: the one of comma, semicolon and tab that splits its header
    into the most fields (comma on a tie); always tab for ``.tsv``. Spreadsheets in many
    countries write semicolons.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id;text\\n1;Hi\\n")
    >>> sniff_delimiter(p)
    ';'
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        sample = fh.read(65536)
    header = sample.splitlines()[0] if sample.splitlines() else ""
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","


@contextmanager
def any_field_size():
    """Let the csv module read cells of any size (its default refuses cells over 131,072
    characters, and a 20,000-word speech is longer); the old limit is restored afterwards."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2 ** 31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def check_delimited(path: Path, delimiter: str) -> None:
    """Refuse, in one line naming the file and the line, a CSV/TSV file that is not UTF-8 text,
    holds NUL bytes (binary data) or has a row with more or fewer cells than the header."""
    where = f"{str(path)!r}"
    prev = 0
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh, any_field_size():
            reader = csv.reader(fh, delimiter=delimiter)
            width = None
            for record in reader:
                line, prev = prev + 1, reader.line_num
                if not record:
                    continue
                if any("\x00" in cell for cell in record):
                    raise InputError(f"{where} line {line} contains NUL bytes: this is binary data, not a "
                                     f"{_DELIMITER_NAMES[delimiter]}-delimited text table")
                if width is None:
                    width = len(record)
                elif len(record) != width:
                    raise InputError(
                        f"{where} line {line} has {len(record)} cells where the header has {width} "
                        f"({_DELIMITER_NAMES[delimiter]}-delimited): quote cells that contain the delimiter, "
                        "and give every row as many cells as the header")
    except UnicodeDecodeError:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            nul = raw.find(b"\x00")
            if 0 <= nul < exc.start:
                line = raw.count(b"\n", 0, nul) + 1
                raise InputError(f"{where} line {line} contains NUL bytes: this is "
                                 "binary data, not a text table") from None
            line = raw.count(b"\n", 0, exc.start) + 1
            raise InputError(f"{where} line {line} is not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the "
                             "file as UTF-8 (in Excel: CSV UTF-8)") from None
    except csv.Error as exc:
        raise InputError(f"cannot read {where} as csv: line {prev + 1}: {exc}") from None


def delimited_chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    """A CSV or TSV file (checked first) in chunks, every cell as text."""
    delimiter = sniff_delimiter(path)
    check_delimited(path, delimiter)
    with any_field_size(), pd.read_csv(path, sep=delimiter, keep_default_na=False, na_values=[""],
                                       encoding="utf-8-sig", dtype=str, chunksize=chunk_size) as reader:
        yield from reader


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


def excel_chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    """The first sheet, every cell as text (a sheet holds at most 1,048,576 rows: read whole)."""
    sheet = pd.read_excel(path, engine="openpyxl", dtype=str, keep_default_na=False, na_values=[""])
    for start in range(0, max(len(sheet), 1), chunk_size):
        yield sheet.iloc[start:start + chunk_size]


def parquet_chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
        yield batch.to_pandas()


# --- writers ----------------------------------------------------------------------------------

def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would run as a formula (it starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) starts with an apostrophe instead, as
    OWASP recommends against CSV/formula injection; used for ``.xlsx`` output and worksheets.

    >>> escape_formulas(pd.DataFrame({"t": ["=1+1", "ok", 3]}))["t"].tolist()
    ["'=1+1", 'ok', 3]
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(SPREADSHEET_FORMULA)
                                    else v)
    return out


class ChunkWriter:
    """Appends chunks to an open file; one subclass per format. ``path`` is the partial file."""

    fixed_columns = True  # every chunk must have the first chunk's columns

    def __init__(self, path: Path):
        self.path = path

    def write(self, df: pd.DataFrame, first: bool) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the file (called once, after the last chunk)."""


class DelimitedWriter(ChunkWriter):
    sep = ","

    def write(self, df: pd.DataFrame, first: bool) -> None:
        if first:
            self.handle = open(self.path, "w", encoding="utf-8", newline="")
        df.to_csv(self.handle, index=False, header=first, sep=self.sep)

    def close(self) -> None:
        if getattr(self, "handle", None) is not None:
            self.handle.close()
            self.handle = None


class TsvWriter(DelimitedWriter):
    sep = "\t"


class JsonlWriter(DelimitedWriter):
    fixed_columns = False

    def write(self, df: pd.DataFrame, first: bool) -> None:
        if first:
            self.handle = open(self.path, "w", encoding="utf-8", newline="")
        text = df.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
        self.handle.write(text if text.endswith("\n") else text + "\n")


class ParquetWriter(ChunkWriter):
    def write(self, df: pd.DataFrame, first: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False, schema=None if first else self.handle.schema)
        if first:
            self.handle = pq.ParquetWriter(self.path, table.schema)
        self.handle.write_table(table)

    def close(self) -> None:
        if getattr(self, "handle", None) is not None:
            self.handle.close()
            self.handle = None


class ExcelWriter(ChunkWriter):
    """A workbook is written whole: chunks are kept until :meth:`close`."""

    def write(self, df: pd.DataFrame, first: bool) -> None:
        self.sheet = [*getattr(self, "sheet", []), df]

    def close(self) -> None:
        if getattr(self, "sheet", None):
            escape_formulas(pd.concat(self.sheet, ignore_index=True)).to_excel(self.path, index=False,
                                                                               engine="openpyxl")
            self.sheet = []


# --- the registry -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Format:
    """A table format: its name, a reader of chunks ``(path, chunk_size) -> DataFrames`` and a
    :class:`ChunkWriter` class."""

    name: str
    read_chunks: Callable[[Path, int], Iterator[pd.DataFrame]]
    writer: type[ChunkWriter]


REGISTRY: dict[str, Format] = {
    ".csv": Format("csv", delimited_chunks, DelimitedWriter),
    ".tsv": Format("tsv", delimited_chunks, TsvWriter),
    ".jsonl": Format("jsonl", jsonl_chunks, JsonlWriter),
    ".parquet": Format("parquet", parquet_chunks, ParquetWriter),
    ".xlsx": Format("xlsx", excel_chunks, ExcelWriter),
}
FORMATS = tuple(REGISTRY)


def file_format(path: Path) -> Format:
    """A table file's :class:`Format`, from its extension (any case).

    >>> file_format(Path("quotes.JSONL")).name
    'jsonl'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in REGISTRY:
        raise InputError(f"unsupported file type {suffix or '(none)'!r} for {str(path)!r}: use one of {choices(FORMATS)}")
    return REGISTRY[suffix]
