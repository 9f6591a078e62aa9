"""Reading and writing statement and results tables; the bundled data sets.

Formats are chosen by file extension: ``.csv``, ``.tsv``, ``.jsonl`` (one JSON object
per line) and ``.parquet``. Results are written with a JSON sidecar holding their
provenance (``results.csv`` -> ``results.provenance.json``).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from stance.errors import InputError, choices

FORMATS = (".csv", ".tsv", ".jsonl", ".parquet")
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


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV, JSONL or Parquet table.

    >>> read_table(bundled_path("statements.csv")).columns[:2].tolist()
    ['id', 'text']
    """
    path = Path(path)
    suffix = file_format(path)
    check_input_file(path)
    try:
        if suffix in (".csv", ".tsv"):
            df = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", keep_default_na=False,
                             na_values=[""], encoding="utf-8-sig")
        elif suffix == ".jsonl":
            df = pd.read_json(path, lines=True, dtype=False)
        else:
            df = pd.read_parquet(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
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
    return read_table(bundled_path("statements.csv"))
