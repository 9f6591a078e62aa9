"""Classroom exercises: blank labelling worksheets, and collecting the filled ones.

A teacher draws a balanced sample of statements (:func:`make_worksheet`, CLI
``stance worksheet``), each student fills in the label columns of a copy, and
:func:`collect_sheets` gathers the copies from a folder into one ratings table (one column
per student) for :func:`stance.agreement.agreement` and :func:`stance.agreement.disputed`.

The label columns are schemes: by default the single-label schemes that the table's provenance
names (a results table), else ``stance`` and ``tone``; a scheme file or :class:`stance.Scheme`
may be passed too. Each column's tick boxes list the scheme's labels in its display order.
"""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from stance.errors import InputError, choices

SHEET_LABELS = ("stance", "tone")  # the label columns of a sheet drawn from a table without results
CONTEXT = ("id", "text", "target")
SHEET_KEY = "worksheet"  # sheet.attrs[SHEET_KEY]["schemes"]: each label column's labels and how to tick them


def sheet_schemes(table: pd.DataFrame, labels=None) -> dict[str, dict]:
    """The label columns of a worksheet and, for each, what to tick: ``{column: {"labels": [...],
    "multi_label": bool, "target_aware": bool}}``.

    ``labels``: scheme names (the table's own results, else built-in schemes), paths to scheme
    ``.toml`` files or :class:`stance.Scheme` objects, or None for the single-label schemes the
    table's provenance names (else ``stance`` and ``tone``). A name that is no scheme gives a
    column without tick boxes (an empty list of labels).

    >>> sheet_schemes(pd.DataFrame({"text": ["Hi."]}))["tone"]["labels"]
    ['conciliatory', 'neutral', 'critical', 'hostile']
    >>> sheet_schemes(pd.DataFrame({"text": ["Hi."]}), ["topic"])
    {'topic': {'labels': [], 'multi_label': False, 'target_aware': False}}
    """
    from stance.look import look_of, scheme_look, scheme_looks
    from stance.schemes import Scheme, list_schemes, load_scheme

    if labels is None:
        found = [look for look in scheme_looks(table) if not look.multi_label]
        looks = found or [scheme_look(table, name) for name in SHEET_LABELS]
    else:
        looks = []
        for entry in labels:
            if isinstance(entry, Scheme):
                looks.append(look_of(entry))
            elif isinstance(entry, Path) or str(entry).endswith(".toml"):
                looks.append(look_of(load_scheme(entry)))
            elif str(entry) in table.attrs.get("stance", {}).get("runs", {}) or str(entry) in list_schemes():
                looks.append(scheme_look(table, str(entry)))
            else:
                looks.append(str(entry))  # not a scheme: a column to write in
    out = {}
    for look in looks:
        if isinstance(look, str):
            out[look] = {"labels": [], "multi_label": False, "target_aware": False}
        else:
            out[look.name] = {"labels": list(look.display_order), "multi_label": look.multi_label,
                              "target_aware": look.target_aware}
    return out


def make_worksheet(statements: pd.DataFrame, n: int = 20, *, seed: int = 0, by=("source_type", "target"),
                   labels=None, columns=CONTEXT) -> pd.DataFrame:
    """A balanced random sample of ``n`` statements with blank label columns to fill in.

    The sample is spread evenly over the values of the first ``by`` column that the table
    has (e.g. equal numbers of official and state-media statements) and, within each, over
    the values of the next (the targets). Gold labels, speakers and model labels are not copied:
    only the ``columns`` that exist (default: id, text, target), then one empty column per
    scheme of ``labels`` and a ``comment`` column. ``labels``: scheme names, scheme files or
    schemes (see :func:`sheet_schemes`); default: the single-label schemes the table's provenance
    names, else ``stance`` and ``tone``. ``sheet.attrs["worksheet"]["schemes"]`` keeps each
    column's labels in display order, for :func:`worksheet_html`.

    >>> from stance.data import load_statements
    >>> sheet = make_worksheet(load_statements(), n=10, seed=1)
    >>> sheet.columns.tolist()
    ['id', 'text', 'target', 'stance', 'tone', 'comment']
    >>> len(sheet), sheet["stance"].eq("").all()
    (10, np.True_)
    """
    if not isinstance(statements, pd.DataFrame) or "text" not in statements.columns:
        raise InputError("the statements must be a table with a 'text' column")
    if n < 1:
        raise InputError(f"n must be at least 1, got {n}")
    pool = statements[statements["text"].map(lambda t: isinstance(t, str) and bool(t.strip()))]
    if "id" in pool.columns:
        pool = pool.drop_duplicates(subset="text")
    rng = np.random.default_rng(seed)
    pool = pool.iloc[rng.permutation(len(pool))]
    keys = [c for c in by if c in pool.columns]
    order = pd.DataFrame(index=pool.index)
    if len(keys) >= 2:
        order["inner"] = pool.groupby(keys[:2], dropna=False).cumcount().to_numpy()
        pool = pool.iloc[np.argsort(order["inner"].to_numpy(), kind="stable")]
        order = order.loc[pool.index]
    if keys:
        order["outer"] = pool.groupby(keys[0], dropna=False).cumcount().to_numpy()
        pool = pool.iloc[np.argsort(order["outer"].to_numpy(), kind="stable")]
    sample = pool.head(n)
    schemes = sheet_schemes(statements, labels)
    sheet = sample[[c for c in columns if c in sample.columns]].reset_index(drop=True)
    if "id" not in sheet.columns:
        sheet.insert(0, "id", [f"s{i + 1:02d}" for i in range(len(sheet))])
    for label in [*schemes, "comment"]:
        sheet[label] = ""
    sheet.attrs = {SHEET_KEY: {"schemes": schemes}}  # not the results' provenance: no sidecar is written
    return sheet


def worksheet_html(sheet: pd.DataFrame, *, title: str = "Labelling worksheet", labels=None) -> str:
    """A printable HTML version of a worksheet, with tick boxes for each scheme's labels.

    The label columns and their labels are those :func:`make_worksheet` recorded in
    ``sheet.attrs["worksheet"]``, else the sheet's columns named like built-in schemes; ``labels``
    (as for :func:`make_worksheet`) chooses others.

    >>> "<table" in worksheet_html(pd.DataFrame({"id": ["s1"], "text": ["Hi."], "stance": [""]}))
    True
    """
    from stance.schemes import list_schemes

    recorded = sheet.attrs.get(SHEET_KEY, {}).get("schemes", {})
    if labels is not None:
        schemes = sheet_schemes(sheet, labels)
    elif recorded:
        schemes = {c: info for c, info in recorded.items() if c in sheet.columns}
    else:
        schemes = sheet_schemes(sheet, [c for c in sheet.columns if c in list_schemes()])
    label_cols = list(schemes)
    options = {c: info["labels"] for c, info in schemes.items()}
    notes = ["Tick one label per column for each statement."]
    notes += [f"{c[:1].upper() + c[1:]} is toward the target." for c, i in schemes.items() if i["target_aware"]]
    notes += [f"In the {c} column, tick every label that fits (or none)." for c, i in schemes.items()
              if i["multi_label"]]
    rows = []
    for _, row in sheet.iterrows():
        target = f"<div class='target'>target: {html.escape(str(row['target']))}</div>" if "target" in row else ""
        boxes = "".join(
            f"<td>{''.join(f'<span class=box>&#9744; {html.escape(o)}</span> ' for o in options.get(c, ()))}</td>"
            for c in label_cols)
        rows.append(f"<tr><td>{html.escape(str(row['id']))}</td><td>{html.escape(str(row['text']))}{target}</td>"
                    f"{boxes}<td class=comment></td></tr>")
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["id", "statement", *label_cols, "comment"])
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
            "body{font-family:sans-serif;font-size:11pt}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #999;padding:6px;vertical-align:top}.target{color:#555;font-size:9pt}"
            ".box{white-space:nowrap;display:block}.comment{width:18%}@media print{tr{page-break-inside:avoid}}"
            f"</style></head><body><h1>{html.escape(title)}</h1><p>Name: ______________________</p>"
            f"<p>{html.escape(' '.join(notes))}</p>"
            f"<table><tr>{head}</tr>{''.join(rows)}</table></body></html>")


def collect_sheets(folder: str | Path, label: str = "stance", *, pattern: str = "*.csv",
                   rater_col: str = "student") -> pd.DataFrame:
    """One row per statement, one column per filled sheet, holding the sheets' ``label`` answers.

    A sheet's rater is its ``rater_col`` value when the sheet has one, else the file name
    without extension. The statement columns (``id``, ``text``, ``target``) are kept.
    """
    from stance.io import read_table

    paths = sorted(Path(folder).glob(pattern))
    if not paths:
        raise InputError(f"no sheets matching {pattern!r} in {str(folder)!r}")
    merged = None
    for path in paths:
        sheet = read_table(path)
        missing = [c for c in ("id", label) if c not in sheet.columns]
        if missing:
            raise InputError(f"sheet {str(path)!r} has no column(s) {choices(missing)}; it has {choices(sheet.columns)}")
        rater = str(sheet[rater_col].dropna().iloc[0]) if rater_col in sheet.columns and sheet[rater_col].notna().any() \
            else path.stem
        keep = [c for c in CONTEXT if c in sheet.columns]
        part = sheet[keep].copy()
        part[rater] = sheet[label].where(sheet[label].notna(), None)
        merged = part if merged is None else merged.merge(part, on=[c for c in keep if c in merged.columns],
                                                          how="outer", sort=False)
    return merged
