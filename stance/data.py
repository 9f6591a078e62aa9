"""Reading and writing statement and results tables; the bundled data sets.

Formats are chosen by file extension: ``.csv``, ``.tsv``, ``.jsonl`` (one JSON object
per line), ``.parquet`` and ``.xlsx`` (the first sheet). :func:`read_statements` also
validates a statements table and reports every problem row with its line number. Results are written with a JSON sidecar holding their
provenance (``results.csv`` -> ``results.provenance.json``).
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from stance.errors import InputError, choices

FORMATS = (".csv", ".tsv", ".jsonl", ".parquet", ".xlsx")
PROVENANCE_KEY = "stance"
_REPO_DATA = Path(__file__).resolve().parent.parent / "data"
_PACKAGE_DATA = Path(__file__).resolve().parent / "_data"


def file_format(path: Path) -> str:
    """A table file's format, from its extension.

    >>> file_format(Path("quotes.JSONL"))
    '.jsonl'
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unsupported file type {suffix or '(none)'!r} for {str(path)!r}: use one of {choices(FORMATS)}")
    return suffix


DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def sniff_delimiter(path: Path) -> str:
    """The delimiter of a CSV file: the one of comma, semicolon and tab that splits its header
    into the most fields (comma on a tie); always tab for ``.tsv``. Spreadsheets in many
    countries write semicolons.

    >>> sniff_delimiter(bundled_path("statements.csv"))
    ','
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


def read_excel_text(path: Path) -> pd.DataFrame:
    """The first sheet of an Excel file, every cell as text (empty cells missing)."""
    return pd.read_excel(path, engine="openpyxl", dtype=str, keep_default_na=False, na_values=[""])


SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")


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


def check_delimited(path: Path, delimiter: str) -> None:
    """Refuse, in one line naming the file and the line, a CSV/TSV file that is not UTF-8 text,
    holds NUL bytes (binary data) or has a row with more or fewer cells than the header."""
    where = f"{str(path)!r}"
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh, any_field_size():
            reader = csv.reader(fh, delimiter=delimiter)
            width, prev = None, 0
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


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV, JSONL, Parquet or Excel table.

    CSV: UTF-8 (with or without a BOM), any line ends, quoted newlines, comma, semicolon or tab
    delimited (sniffed from the header), cells of any size. A broken file is refused in one line
    naming the file and, where it applies, the line. Cells of CSV, TSV and Excel files are kept
    as text (an id ``001`` stays ``"001"``), as in ``stance classify``; JSONL and Parquet keep
    their own types.

    >>> read_table(bundled_path("statements.csv")).columns[:2].tolist()
    ['id', 'text']
    """
    path = Path(path)
    suffix = file_format(path)
    check_input_file(path)
    if suffix in (".csv", ".tsv"):
        delimiter = sniff_delimiter(path)
        check_delimited(path, delimiter)
    try:
        if suffix in (".csv", ".tsv"):
            df = pd.read_csv(path, sep=delimiter, keep_default_na=False, na_values=[""], encoding="utf-8-sig",
                             dtype=str)
        elif suffix == ".jsonl":
            df = pd.read_json(path, lines=True, dtype=False)
        elif suffix == ".xlsx":
            df = read_excel_text(path)
        else:
            df = pd.read_parquet(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if suffix == ".jsonl":
            from stance.stream import jsonl_chunks

            try:
                for _ in jsonl_chunks(path, 10_000):
                    pass
            except ValueError as bad:  # names the line
                first = str(bad)
        raise InputError(f"cannot read {str(path)!r} as {suffix[1:]}: {first}") from None
    if df.empty:
        raise InputError(f"input file {str(path)!r} has no rows: it needs at least one statement")
    return df


def check_input_file(path: Path) -> None:
    """Refuse, in one line, an input path that is a folder, missing or empty."""
    if path.is_dir():
        raise InputError(f"{str(path)!r} is a directory: pass a {'/'.join(FORMATS)} file")
    if not path.is_file():
        raise InputError(f"input file {str(path)!r} does not exist: check the path")
    if path.stat().st_size == 0:
        raise InputError(f"input file {str(path)!r} is empty: it needs a header and at least one row")


def provenance_path(path: str | Path) -> Path:
    """Where the provenance sidecar of a results file goes.

    >>> provenance_path("out/results.csv").as_posix()
    'out/results.provenance.json'
    """
    path = Path(path)
    return path.with_name(path.stem + ".provenance.json")


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table by its extension, plus its provenance sidecar when it has one.

    The file is written to a temporary name and renamed, so a failed write never leaves
    a partial file that looks complete.
    """
    path = Path(path)
    suffix = file_format(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.partial")
        if suffix in (".csv", ".tsv"):
            df.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
        elif suffix == ".jsonl":
            df.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")
        elif suffix == ".xlsx":
            escape_formulas(df).to_excel(tmp, index=False, engine="openpyxl")
        else:
            df.to_parquet(tmp, index=False)
        tmp.replace(path)
        if PROVENANCE_KEY in df.attrs:
            provenance_path(path).write_text(json.dumps(df.attrs[PROVENANCE_KEY], indent=2, default=str),
                                             encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    return path


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
