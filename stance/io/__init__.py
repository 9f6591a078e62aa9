"""Table I/O: one format registry (:mod:`stance.io.formats`), whole and chunked reading and
writing (:mod:`stance.io.tables`), atomic writes and provenance sidecars (:mod:`stance.io.files`)."""
from __future__ import annotations

from stance.io.files import read_provenance, write_provenance, write_text
from stance.io.formats import FORMATS, escape_formulas, file_format
from stance.io.tables import PROVENANCE_KEY, TableWriter, iter_table, provenance_path, read_table, write_table

__all__ = ["FORMATS", "PROVENANCE_KEY", "TableWriter", "escape_formulas", "file_format", "iter_table",
           "provenance_path", "read_provenance", "read_table", "write_provenance", "write_table", "write_text"]
