"""Statement tables: the bundled data sets, and :func:`read_statements`, which validates a table
users bring and reports every problem row with its line number. Reading and writing tables of
any format is :mod:`stance.io`.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from stance.errors import InputError, choices
from stance.io import read_table
from stance.io.formats import any_field_size, sniff_delimiter

_REPO_DATA = Path(__file__).resolve().parent.parent / "data"
_PACKAGE_DATA = Path(__file__).resolve().parent / "_data"


def bundled_path(name: str) -> Path:
    """Path of a bundled data file (``statements.csv``, ``china-nato-article.txt``).

    >>> bundled_path("statements.csv").name
    'statements.csv'
    """
    for folder in (_PACKAGE_DATA, _REPO_DATA):
        if (folder / name).is_file():
            return folder / name
    raise InputError(f"bundled file {name!r} not found: reinstall the package (`make install`)")


def load_statements() -> pd.DataFrame:
    """The bundled statements: real ones from the seed article and synthetic ones.

    >>> df = load_statements()
    >>> set(df["source_type"]) == {"official", "state_media"}
    True
    """
    df = read_table(bundled_path("statements.csv"))  # cells as text; the flag column as booleans
    df["synthetic"] = df["synthetic"].str.strip().str.lower().isin(_TRUE)
    return df


# --- statement tables users bring -------------------------------------------------------------

STATEMENT_COLUMNS = {
    "text": "the statement (required)",
    "id": "a unique identifier",
    "speaker": "who said it",
    "source": "the outlet or body that published it",
    "source_type": "official, state_media or other",
    "date": "when it was said or published (ISO YYYY-MM-DD preferred)",
    "target": "what the stance is measured toward",
    "citation": "where the statement comes from",
    "synthetic": "true for statements written for testing, not said by anyone",
}
SOURCE_TYPES = ("official", "state_media", "other")
_TRUE, _FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}


def row_numbers(path: Path, n_rows: int) -> tuple[str, list[int]]:
    """What a row number means for this file type, and each data row's number.

    CSV/TSV and JSONL: the line where the row starts (line 1 is a CSV's header). Excel: the
    spreadsheet row (row 1 is the header). Parquet: the row's position, counting from 1.
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(path))
        lines, prev = [], 0
        with any_field_size():
            for record in reader:
                if record and any(cell.strip() for cell in record):
                    lines.append(prev + 1)
                prev = reader.line_num
        return "line", lines[1:n_rows + 1]
    if suffix == ".jsonl":
        text = path.read_text(encoding="utf-8")
        return "line", [i for i, line in enumerate(text.splitlines(), start=1) if line.strip()][:n_rows]
    if suffix == ".xlsx":
        return "row", list(range(2, n_rows + 2))
    return "row", list(range(1, n_rows + 1))


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or \
        (isinstance(value, str) and not value.strip())


def parse_date_value(value) -> pd.Timestamp | None:
    """A date from an ISO string, a written date or a datetime; None when it is not a full date.

    >>> parse_date_value("2022-03-15"), parse_date_value("March 15, 2022")
    (Timestamp('2022-03-15 00:00:00'), Timestamp('2022-03-15 00:00:00'))
    >>> parse_date_value("2022") is None, parse_date_value("soon") is None
    (True, True)
    """
    if isinstance(value, pd.Timestamp):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(?:-\d{1,2})?|\d+(?:\.\d+)?", text):
        return None  # a year or a month is not a date; a bare number is not one either
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return None
    return None if ts is pd.NaT else ts


def statement_problems(df: pd.DataFrame) -> list[str]:
    """The problems of each row of a statements table ("" for a good row), in order.

    >>> statement_problems(pd.DataFrame({"text": ["ok", " "], "source_type": ["official", "press"]}))
    ['', "text is empty; source_type 'press' is not one of 'official', 'state_media', 'other'"]
    """
    problems = [[] for _ in range(len(df))]
    for i, value in enumerate(df["text"]):
        if _blank(value):
            problems[i].append("text is empty")
        elif not isinstance(value, str):
            problems[i].append(f"text is not a string ({type(value).__name__} {value!r})")
    if "source_type" in df.columns:
        for i, value in enumerate(df["source_type"]):
            if not _blank(value) and str(value).strip() not in SOURCE_TYPES:
                problems[i].append(f"source_type {value!r} is not one of {choices(SOURCE_TYPES)}")
    if "date" in df.columns:
        for i, value in enumerate(df["date"]):
            if not _blank(value) and parse_date_value(value) is None:
                problems[i].append(f"date {value!r} is not a date (use YYYY-MM-DD)")
    if "synthetic" in df.columns:
        for i, value in enumerate(df["synthetic"]):
            if not _blank(value) and not isinstance(value, bool) and str(value).strip().lower() not in _TRUE | _FALSE:
                problems[i].append(f"synthetic {value!r} is not true or false")
    if "id" in df.columns:
        ids = df["id"].astype(str)
        seen: dict[str, int] = {}
        for i, value in enumerate(ids):
            if _blank(df["id"].iloc[i]):
                continue
            if value in seen:
                problems[i].append(f"id {value!r} repeats the id of an earlier row")
            seen.setdefault(value, i)
    return ["; ".join(p) for p in problems]


def read_statements(path: str | Path, errors: str = "raise", max_listed: int = 20) -> pd.DataFrame:
    """Read and validate a statements table (CSV, TSV, JSONL, Parquet or Excel).

    Only ``text`` is required; the optional columns (``STATEMENT_COLUMNS``) are checked:
    ``source_type`` in ``official, state_media, other``, ``date`` a full date (parsed to
    datetime64), ``synthetic`` true/false, ``id`` unique. Other columns are kept as they are.
    No row is ever dropped: with ``errors="raise"`` (default) every problem row is reported
    with its line number in one error; with ``errors="report"`` the table comes back with a
    ``problem`` column ("" for good rows) and ``attrs["problems"]``.

    >>> df = read_statements(bundled_path("statements.csv"))
    >>> len(df), str(df["date"].dtype)
    (49, 'datetime64[ns]')
    """
    if errors not in ("raise", "report"):
        raise InputError(f"errors={errors!r} is not one of 'raise', 'report'")
    path = Path(path)
    df = read_table(path)
    df.columns = [str(c).strip() for c in df.columns]
    if "text" not in df.columns:
        near = [c for c in df.columns if c.lower() in ("text", "statement", "quote", "sentence", "content")]
        raise InputError(f"{str(path)!r} has no 'text' column; the columns are {choices(df.columns)}"
                         + (f": rename {near[0]!r} to 'text'" if near else ""))
    unit, numbers = row_numbers(path, len(df))
    if len(numbers) != len(df):
        numbers = list(range(1, len(df) + 1)) if unit == "row" else [n + 2 for n in range(len(df))]
    problems = statement_problems(df)
    listed = [f"{unit} {n}: {p}" for n, p in zip(numbers, problems) if p]
    if listed and errors == "raise":
        more = len(listed) - max_listed
        raise InputError(f"{len(listed)} problem row(s) in {str(path)!r}: " + " | ".join(listed[:max_listed])
                         + (f" | ... and {more} more (read_statements(path, errors='report') lists them all)"
                            if more > 0 else ""))
    out = df.copy()
    if "date" in out.columns:
        out["date"] = pd.to_datetime([None if _blank(v) or parse_date_value(v) is None else parse_date_value(v)
                                      for v in out["date"]]).astype("datetime64[ns]")
    if "source_type" in out.columns:
        out["source_type"] = [v.strip() if isinstance(v, str) else v for v in out["source_type"]]
    if "synthetic" in out.columns:
        out["synthetic"] = [v if isinstance(v, bool) or _blank(v) else
                            (str(v).strip().lower() in _TRUE if str(v).strip().lower() in _TRUE | _FALSE else v)
                            for v in out["synthetic"]]
    if errors == "report":
        out[unit if unit not in out.columns else f"source_{unit}"] = numbers
        out["problem"] = problems
    out.attrs["problems"] = listed
    return out
