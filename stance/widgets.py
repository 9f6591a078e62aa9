"""Widgets for JupyterLab: explore a statement, label a sheet as a student, compare groups.

- :func:`explorer`: a text box, a scheme and a target; shows the label, a bar per label
  probability, the review flag and the highlighted explanation (:func:`stance.explain_html`).
- :func:`labelling_sheet`: statements one at a time, a button per label, "unsure", back and
  next. Every answer is appended to a CSV at once (flushed and synced to disk), so closing the
  tab or restarting the kernel loses nothing, and the sheet resumes where the student stopped.
  At the end: the student's agreement with the class (the sheets in a folder) and with the
  model, and the statements that divided them most.
- :func:`compare_widget`: dropdowns for the scheme and the grouping redraw the comparison
  chart and the :func:`stance.compare` table.

ipywidgets is imported only when a widget is built (``pip install 'stance[lab]'``). Where no
widget can be shown (plain Python, a notebook run headless by nbclient, no ipywidgets), a widget
shows a one-paragraph text message instead, never an exception.

The logic lives in small functions beside the widgets, usable and tested without a browser:
:func:`append_answer`, :func:`read_answers`, :func:`latest_answers`, :func:`resume_position`,
:func:`read_ratings`, :func:`class_ratings`, :func:`sheet_agreement`, :func:`divided_statements`,
:func:`explore_statement`, :func:`probability_bars_html`, :func:`compare_view`.
"""
from __future__ import annotations

import csv
import html
import io
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from stance.errors import InputError, StanceError, choices

__all__ = [
    "UNSURE", "answer_columns", "answers_path", "append_answer", "read_answers", "latest_answers",
    "resume_position", "read_ratings", "class_ratings", "sheet_agreement", "divided_statements",
    "explore_statement", "probability_bars_html", "explorer_html", "compare_view",
    "explorer", "labelling_sheet", "compare_widget", "Explorer", "LabellingSheet", "CompareWidget",
]

UNSURE = "unsure"
OPEN_IN_LAB = "open this notebook in JupyterLab (`make lab`) to use it"
_STUDENT = re.compile(r"\w[\w .-]*")


# --------------------------------------------------------------------------- answers on disk

def answer_columns(scheme: str = "stance") -> list[str]:
    """The columns of a student's answer file: a worksheet's, one row per answer.

    The label column is named after the scheme, so that :func:`stance.classroom.collect_sheets`
    and :func:`class_ratings` read the file like a filled worksheet.

    >>> answer_columns("tone")
    ['id', 'text', 'target', 'tone', 'student', 'time']
    """
    if not isinstance(scheme, str) or not scheme or scheme in ("id", "text", "target", "student", "time"):
        raise InputError(f"a sheet's scheme must be a scheme name such as 'stance' or 'tone', got {scheme!r}")
    return ["id", "text", "target", scheme, "student", "time"]


def answers_path(folder: str | os.PathLike, student: str, scheme: str = "stance") -> Path:
    """The answer file of ``student`` for ``scheme`` in ``folder``: ``<folder>/<student>_<scheme>.csv``.

    >>> answers_path("answers", "ana", "tone").as_posix()
    'answers/ana_tone.csv'
    """
    if not isinstance(student, str) or not _STUDENT.fullmatch(student.strip()):
        raise InputError(f"a student name needs letters or digits (and only spaces, '.', '-' or '_' "
                         f"besides), got {student!r}: pass student='ana'")
    answer_columns(scheme)
    return Path(folder) / f"{student.strip()}_{scheme}.csv"


def _fsync_folder(folder: Path) -> None:
    """Make a new file's name durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def append_answer(path: str | os.PathLike, *, student: str, id: str, label: str, scheme: str = "stance",
                  text: str = "", target: str = "", time: str | None = None) -> dict:
    """Append one answer to a student's CSV and force it to disk (flush + fsync) before returning.

    The header is written when the file is new; a changed answer is a new row (the last row
    of a statement counts: :func:`latest_answers`). A last line cut short (a crash while
    writing) is closed first, so the new answer starts on a line of its own.

    Returns the row written, as a dict.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "ana_stance.csv"
    >>> _ = append_answer(path, student="ana", id="s1", label="favor", time="t0")
    >>> print(path.read_text(), end="")
    id,text,target,stance,student,time
    s1,,,favor,ana,t0
    """
    path = Path(path)
    columns = answer_columns(scheme)
    if not isinstance(label, str) or not label.strip():
        raise InputError(f"an answer needs a label, got {label!r}")
    row = {"id": str(id), "text": "" if text is None else str(text), "target": "" if target is None else str(target),
           scheme: label.strip(), "student": str(student),
           "time": time or datetime.now(timezone.utc).isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    if not new:
        with open(path, encoding="utf-8", newline="") as f:
            header = next(csv.reader([f.readline()]), [])
        if header != columns:
            raise InputError(f"{str(path)!r} is not a {scheme!r} answer file (its columns are {choices(header)}): "
                             f"use another folder or student name")
        with open(path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            cut_short = f.read(1) not in (b"\n", b"\r")
    with open(path, "a", encoding="utf-8", newline="") as f:
        if not new and cut_short:
            f.write("\n")
        writer = csv.writer(f, lineterminator="\n")
        if new:
            writer.writerow(columns)
        writer.writerow([row[c] for c in columns])
        f.flush()
        os.fsync(f.fileno())
    if new:
        _fsync_folder(path.parent)
    return row


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """A CSV's header and its rows that have exactly the header's number of fields."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        return header, [r for r in reader if len(r) == len(header)]


def read_answers(path: str | os.PathLike, scheme: str = "stance", *, labels=None) -> pd.DataFrame:
    """Every answer in a student's file, in the order given (empty table when there is none yet).

    Rows cut short by a crash are left out, and so are labels not among ``labels`` (the
    scheme's labels and ``"unsure"``) when ``labels`` is given.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "ana_stance.csv"
    >>> for sid, lab in [("s1", "favor"), ("s2", "unsure"), ("s1", "against")]:
    ...     _ = append_answer(path, student="ana", id=sid, label=lab, time="t")
    >>> read_answers(path)[["id", "stance"]].values.tolist()
    [['s1', 'favor'], ['s2', 'unsure'], ['s1', 'against']]
    """
    path = Path(path)
    columns = answer_columns(scheme)
    if not path.exists() or path.stat().st_size == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    header, rows = _rows(path)
    if header != columns:
        raise InputError(f"{str(path)!r} is not a {scheme!r} answer file (its columns are {choices(header)})")
    table = pd.DataFrame(rows, columns=columns, dtype=object)
    if labels is not None:
        table = table[table[scheme].isin([*labels, UNSURE])].reset_index(drop=True)
    return table


def latest_answers(answers: pd.DataFrame, scheme: str = "stance") -> pd.Series:
    """The last answer per statement id (a student may go back and change one).

    >>> t = pd.DataFrame({"id": ["s1", "s2", "s1"], "stance": ["favor", "unsure", "against"]})
    >>> latest_answers(t).to_dict()
    {'s2': 'unsure', 's1': 'against'}
    """
    if answers.empty:
        return pd.Series(dtype=object, name=scheme)
    last = answers.drop_duplicates("id", keep="last")
    return pd.Series(last[scheme].to_numpy(), index=last["id"].astype(str).to_numpy(), name=scheme, dtype=object)


def resume_position(ids, answered) -> int:
    """Where a sheet resumes: the first statement without an answer (``len(ids)`` when all have one).

    >>> resume_position(["s1", "s2", "s3", "s4"], {"s1": "favor", "s2": "unsure", "s3": "against"})
    3
    >>> resume_position(["s1", "s2"], {"s2": "favor"}), resume_position(["s1"], {"s1": "favor"})
    (0, 1)
    """
    done = set(answered.keys() if hasattr(answered, "keys") else answered)
    for i, sid in enumerate(ids):
        if str(sid) not in done:
            return i
    return len(ids)


def _rating(value) -> str | None:
    """A label as a rating: missing, empty and "unsure" are no rating."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    value = str(value).strip()
    return None if not value or value.lower() == UNSURE else value


def read_ratings(path: str | os.PathLike, scheme: str = "stance") -> tuple[str, pd.Series] | None:
    """One sheet's rater and labels (id -> label; the last answer per id; "unsure" as missing).

    Reads a filled worksheet (``stance worksheet``) or an answer file of :func:`labelling_sheet`.
    The rater is the sheet's ``student`` value, else the file name. None when the file has
    no ``id`` or no ``scheme`` column.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "bo.csv"
    >>> _ = path.write_text("id,text,stance\\ns1,x,favor\\ns2,y,unsure\\n")
    >>> rater, labels = read_ratings(path)
    >>> rater, labels.to_dict()
    ('bo', {'s1': 'favor', 's2': None})
    """
    path = Path(path)
    header, rows = _rows(path)
    if "id" not in header or scheme not in header:
        return None
    table = pd.DataFrame(rows, columns=header, dtype=object)
    students = table["student"].map(_rating).dropna() if "student" in table.columns else pd.Series(dtype=object)
    rater = str(students.iloc[0]) if len(students) else path.stem
    last = table.drop_duplicates("id", keep="last")
    return rater, pd.Series([_rating(v) for v in last[scheme]], index=last["id"].astype(str).to_numpy(), name=rater,
                            dtype=object)


def class_ratings(folder: str | os.PathLike, scheme: str = "stance", *, ids=None, exclude=(),
                  pattern: str = "*.csv") -> pd.DataFrame:
    """The class's labels: one row per statement id, one column per sheet in ``folder``.

    Sheets without an ``id`` or ``scheme`` column are skipped; ``exclude`` names raters or
    files to leave out (the student's own). ``ids`` sets the rows (default: every id seen).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "s1.csv").write_text("id,stance\\na,favor\\nb,against\\n")
    >>> _ = (folder / "s2.csv").write_text("id,stance,student\\na,favor,Bo\\n")
    >>> class_ratings(folder, ids=["a", "b"]).fillna("-").values.tolist()
    [['favor', 'favor'], ['against', '-']]
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"no class folder {str(folder)!r}: pass the folder that holds the class's sheets")
    skip = {str(e) for e in exclude} | {str(Path(e).resolve()) for e in exclude if isinstance(e, (str, Path))}
    columns = {}
    for path in sorted(folder.glob(pattern)):
        if str(path.resolve()) in skip or path.name in skip:
            continue
        found = read_ratings(path, scheme)
        if found is None:
            continue
        rater, labels = found
        if rater in skip:
            continue
        name, k = rater, 2
        while name in columns:
            name, k = f"{rater} ({k})", k + 1
        columns[name] = labels
    table = pd.DataFrame(columns, dtype=object)
    if ids is not None:
        table = table.reindex([str(i) for i in ids])
    table.index.name = "id"
    return table.astype(object).where(table.notna(), None)


def _share_equal(a: pd.Series, b: pd.Series) -> tuple[float, int]:
    both = a.notna() & b.notna()
    n = int(both.sum())
    return (float((a[both] == b[both]).mean()) if n else float("nan")), n


def _kappa(a: pd.Series, b: pd.Series) -> float:
    from stance.agreement import cohen_kappa

    both = a.notna() & b.notna()
    if both.sum() < 2:
        return float("nan")
    try:
        return float(cohen_kappa(a[both].tolist(), b[both].tolist()))
    except (InputError, ZeroDivisionError, ValueError):
        return float("nan")


def _majority(table: pd.DataFrame) -> pd.Series:
    """The class majority per statement; ties and statements nobody labelled are missing."""
    from stance.agreement import disputed

    if table.shape[1] == 0:
        return pd.Series(None, index=table.index, dtype=object)
    if table.shape[1] == 1:
        return table.iloc[:, 0]
    raters = list(table.columns)
    d = disputed(table.reset_index(drop=True), raters, keep=[])
    majority = d["majority"].reindex(range(len(table)))
    majority = majority.where(~majority.astype(str).str.contains("/", regex=False) & majority.notna(), None)
    return pd.Series(majority.to_numpy(), index=table.index, dtype=object)


def sheet_agreement(mine, classmates: pd.DataFrame, model=None) -> pd.DataFrame:
    """How far one student agrees with the class and with the model.

    ``mine`` is the student's labels (id -> label, "unsure" or missing left out),
    ``classmates`` the class (:func:`class_ratings`), ``model`` the model's labels (id ->
    label) or None. One row per measure, with ``value`` and ``n`` (statements used): the
    share of statements where the student gives the class majority's label (ties left out),
    the mean Cohen's kappa with each classmate, the share and Cohen's kappa with the model,
    and Krippendorff's alpha of the class without and with the student
    (:mod:`stance.agreement`). A measure that cannot be computed is NaN.

    >>> mine = pd.Series({"a": "favor", "b": "against", "c": "neutral", "d": "unsure"})
    >>> mates = pd.DataFrame({"x": ["favor", "against", "favor", "neutral"],
    ...                       "y": ["favor", "against", "neutral", "neutral"]}, index=list("abcd"))
    >>> model = pd.Series({"a": "favor", "b": "favor", "c": "neutral", "d": "neutral"})
    >>> t = sheet_agreement(mine, mates, model).set_index("measure")
    >>> t.loc["same label as the class majority", "value"], t.loc["same label as the class majority", "n"]
    (np.float64(1.0), np.int64(2))
    >>> round(t.loc["same label as the model", "value"], 3), t.loc["same label as the model", "n"]
    (np.float64(0.667), np.int64(3))
    """
    from stance.agreement import krippendorff_alpha

    mine = pd.Series({str(k): _rating(v) for k, v in pd.Series(mine).items()}, dtype=object)
    ids = list(mine.index)
    mates = classmates.reindex(ids) if len(classmates.columns) else pd.DataFrame(index=ids)
    mates = mates.astype(object).where(mates.notna(), None)
    rows = []
    value, n = _share_equal(mine, _majority(mates).reindex(ids))
    rows.append({"measure": "same label as the class majority", "value": value, "n": n})
    kappas = [_kappa(mine, mates[c]) for c in mates.columns]
    kappas = [k for k in kappas if not np.isnan(k)]
    rows.append({"measure": "Cohen's kappa with each classmate (mean)",
                 "value": float(np.mean(kappas)) if kappas else float("nan"), "n": len(kappas)})
    if model is not None:
        model = pd.Series({str(k): _rating(v) for k, v in pd.Series(model).items()}, dtype=object).reindex(ids)
        value, n = _share_equal(mine, model)
        rows.append({"measure": "same label as the model", "value": value, "n": n})
        rows.append({"measure": "Cohen's kappa with the model", "value": _kappa(mine, model), "n": n})

    def alpha(table: pd.DataFrame) -> tuple[float, int]:
        used = int((table.notna().sum(axis=1) >= 2).sum())
        if table.shape[1] < 2 or used == 0:
            return float("nan"), used
        try:
            return float(krippendorff_alpha(table)), used
        except (InputError, ZeroDivisionError, ValueError):
            return float("nan"), used

    for name, table in (("Krippendorff's alpha: the class", mates),
                        ("Krippendorff's alpha: the class and you", mates.assign(you=mine.to_numpy()))):
        value, n = alpha(table)
        rows.append({"measure": name, "value": value, "n": n})
    return pd.DataFrame(rows, columns=["measure", "value", "n"])


def divided_statements(statements: pd.DataFrame, mine, classmates: pd.DataFrame, model=None, *,
                       top: int = 5) -> pd.DataFrame:
    """The statements that divided the student, the class and the model most.

    :func:`stance.agreement.disputed` over the classmates, ``you`` and ``model`` (when given):
    ``id``, ``text`` (and ``target``), ``majority``, ``disagreement``, then each rater's label;
    most divided first, the ``top`` of them.

    >>> st = pd.DataFrame({"id": ["a", "b"], "text": ["A.", "B."]})
    >>> mates = pd.DataFrame({"x": ["favor", "favor"], "y": ["favor", "neutral"]}, index=["a", "b"])
    >>> divided_statements(st, {"a": "favor", "b": "against"}, mates)[["id", "disagreement"]].round(2).values.tolist()
    [['b', 0.67], ['a', 0.0]]
    """
    from stance.agreement import disputed

    keep = [c for c in ("id", "text", "target") if c in statements.columns]
    base = statements[keep].copy()
    base["id"] = base["id"].astype(str)
    ids = base["id"].tolist()
    table = base.reset_index(drop=True)
    raters = []
    for name in classmates.columns:
        table[name] = classmates[name].reindex(ids).to_numpy()
        raters.append(name)
    mine = pd.Series(mine, dtype=object)
    table["you"] = [_rating(mine.get(i)) for i in ids]
    raters.append("you")
    if model is not None:
        model = pd.Series(model, dtype=object)
        table["model"] = [_rating(model.get(i)) for i in ids]
        raters.append("model")
    if len(raters) < 2:
        return table.head(0)
    out = disputed(table, raters, keep=keep)
    out = out[out["n_ratings"] >= 2]
    return out[[*keep, "majority", "disagreement", *raters]].head(top).reset_index(drop=True)


# --------------------------------------------------------------------------- explorer logic

def _scheme(clf, scheme):
    return clf.resolve_scheme(scheme)


def explore_statement(clf, text: str, scheme="stance", target: str | None = None, *, explain: bool = True,
                      max_span: int = 2) -> dict:
    """Label one statement and explain the label: what the explorer shows.

    Returns a dict: ``text``, ``scheme``, ``target``, ``label`` (None when there is none),
    ``confidence``, ``review`` (the scheme's flag for a human look), ``probabilities``
    (label -> probability, in scheme order), ``error`` (why there is no label, else "") and
    ``explanation`` (:func:`stance.explain_html` of the label; "" for a multi-label scheme).

    >>> import stance
    >>> r = explore_statement(stance.Classifier(progress=False), "NATO is a puppet stained with blood.", "tone")
    >>> r["label"], sorted(r["probabilities"]) == sorted(["hostile", "critical", "neutral", "conciliatory"])
    ('hostile', True)
    """
    from stance.explain import explain_html

    sch = _scheme(clf, scheme)
    result = {"text": text, "scheme": sch.name, "target": target if sch.target_aware else None, "label": None,
              "confidence": float("nan"), "review": False, "probabilities": {}, "error": "", "explanation": ""}
    if not isinstance(text, str) or not text.strip():
        result["error"] = "type a statement"
        return result
    if sch.target_aware and not (isinstance(target, str) and target.strip()):
        result["error"] = f"scheme {sch.name!r} needs a target: type one (e.g. NATO)"
        return result
    out = clf.classify([text], scheme=sch, target=result["target"], progress=False)
    row = out.iloc[0]
    name = sch.name
    result["probabilities"] = {label: float(row[f"{name}_p_{label}"]) for label in sch.label_names}
    result["error"] = str(row.get(f"{name}_error") or "")
    label = row.get(name)
    result["label"] = None if label is None or pd.isna(label) or label == "" else str(label)
    conf = row.get(f"{name}_confidence")
    result["confidence"] = float(conf) if conf is not None and not pd.isna(conf) else float("nan")
    review = row.get(f"{name}_review")
    result["review"] = bool(review) if review is not None and not pd.isna(review) else False
    if explain and result["label"] is not None and not sch.multi_label:
        table = clf.explain(text, sch, target=result["target"], label=result["label"], max_span=max_span)
        result["explanation"] = explain_html(table)
    return result


def probability_bars_html(probabilities: dict, *, highlight: str | None = None) -> str:
    """One horizontal bar per label probability, in the labels' chart colours (Okabe-Ito).

    >>> page = probability_bars_html({"favor": 0.7, "against": 0.2, "neutral": 0.1}, highlight="favor")
    >>> page.count('class="stance-bar"'), 'data-label="favor"' in page, "70%" in page
    (3, True, True)
    """
    from stance.plot import label_colours

    colours = label_colours(list(probabilities))
    rows = []
    for label, p in probabilities.items():
        p = float(p) if p is not None and not np.isnan(p) else 0.0
        weight = "bold" if label == highlight else "normal"
        rows.append(
            f'<div class="stance-bar" data-label="{html.escape(label)}" style="display:flex;align-items:center;'
            f'gap:6px;margin:2px 0"><span style="width:9em;text-align:right;font-weight:{weight}">'
            f'{html.escape(label.replace("_", " "))}</span><span style="flex:1;max-width:320px;background:#eee;'
            f'height:14px;border-radius:3px"><span style="display:block;height:14px;border-radius:3px;'
            f'width:{100 * p:.1f}%;background:{colours[label]}"></span></span>'
            f'<span style="width:3.5em">{100 * p:.0f}%</span></div>')
    return f'<div class="stance-bars">{"".join(rows)}</div>'


def explorer_html(result: dict) -> str:
    """The explorer's answer as HTML: the label, the review flag, the bars and the explanation.

    >>> r = {"label": "against", "confidence": 0.8, "review": True, "probabilities": {"against": 0.8, "favor": 0.2},
    ...      "error": "", "explanation": "", "scheme": "stance", "target": "NATO"}
    >>> page = explorer_html(r)
    >>> 'class="stance-label">against<' in page, "review" in page
    (True, True)
    """
    if result.get("label") is None:
        reason = result.get("error") or "no label"
        return f'<div class="stance-explorer"><span class="stance-label-missing">no label: {html.escape(reason)}</span></div>'
    target = f" toward <i>{html.escape(str(result['target']))}</i>" if result.get("target") else ""
    conf = result.get("confidence")
    conf_text = f" ({conf:.0%} sure)" if conf is not None and not np.isnan(conf) else ""
    flag = ('<div class="stance-review" style="color:#D55E00">&#9873; review: the model is not sure enough '
            'to use this label without a human look</div>') if result.get("review") else ""
    return (f'<div class="stance-explorer"><div>{html.escape(result["scheme"])}{target}: '
            f'<b class="stance-label">{html.escape(result["label"])}</b>{conf_text}</div>{flag}'
            f'{probability_bars_html(result["probabilities"], highlight=result["label"])}'
            f'{result.get("explanation", "")}</div>')


# --------------------------------------------------------------------------- compare logic

def _groupings(results: pd.DataFrame) -> list[str]:
    preferred = ["source_type", "source", "target", "language", "speaker"]
    found = []
    for c in [*preferred, *results.columns]:
        if c in found or c not in results.columns or results[c].dtype.kind in "fc":
            continue
        n = results[c].dropna().astype(str).nunique()
        if 2 <= n <= 12 and (c in preferred or results[c].dtype == object):
            found.append(c)
    return found


def _schemes(results: pd.DataFrame) -> list[str]:
    runs = list(results.attrs.get("stance", {}).get("runs", {}))
    names = [*runs, *(s for s in ("stance", "tone", "rhetoric") if s not in runs)]
    return [s for s in names if s in results.columns]


def compare_view(results: pd.DataFrame, scheme: str = "stance", by: str = "source_type", *,
                 dpi: int = 100) -> tuple[bytes, pd.DataFrame, str]:
    """The compare widget's content: a PNG chart, the :func:`stance.compare` table and its test.

    The chart is :func:`stance.plot.plot_label_shares` (a single-label scheme) or
    :func:`stance.plot.plot_rhetoric_by_source` (a multi-label one), drawn on a figure of its
    own (no pyplot state, any backend).

    >>> t = pd.DataFrame({"source_type": ["a"] * 4 + ["b"] * 4, "stance": list("ffaf") + list("aaaf")})
    >>> t["stance"] = t["stance"].map({"f": "favor", "a": "against"})
    >>> png, table, summary = compare_view(t, "stance")
    >>> png[:4] == b"\\x89PNG", table["count"].sum(), summary.startswith("Fisher")
    (True, np.int64(8), True)
    """
    from matplotlib.figure import Figure

    from stance.compare import compare, test_summary
    from stance.plot import plot_label_shares, plot_rhetoric_by_source

    table = compare(results, by=by, scheme=scheme)
    info = table.attrs["compare"]
    groups = table[by].nunique()
    if info["multi_label"]:
        fig = Figure(figsize=(9, 1.5 + 0.45 * len(info["labels"]) * max(groups, 2)), layout="constrained")
        plot_rhetoric_by_source(results, by=by, scheme=scheme, labels=info["labels"], ax=fig.subplots())
    else:
        fig = Figure(figsize=(9, 1.6 + 0.8 * groups), layout="constrained")
        plot_label_shares(results, scheme, by, order=info["labels"], ax=fig.subplots())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue(), table, test_summary(table)


# --------------------------------------------------------------------------- the widgets

def _ipywidgets():
    """ipywidgets, or None when it is not installed."""
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


class _Widget:
    """A widget with a text fallback: JupyterLab shows the widget, everything else the message."""

    widget = None
    kind = "widget"

    def message(self) -> str:  # pragma: no cover - each widget says its own
        raise NotImplementedError

    def _missing(self) -> str:
        return "" if self.widget is not None else (
            " ipywidgets is not installed: `pip install 'stance[lab]'` (make install does it).")

    def _repr_mimebundle_(self, include=None, exclude=None):
        text = self.message() + self._missing()
        if self.widget is None:
            return {"text/plain": text}
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = text
        return bundle

    def __repr__(self) -> str:
        return self.message() + self._missing()


class Explorer(_Widget):
    """The explorer widget (see :func:`explorer`); ``label(text)`` works without a browser too."""

    kind = "explorer"

    def __init__(self, clf=None, scheme: str = "stance", target: str | None = "NATO", text: str = "", *,
                 max_span: int = 2):
        from stance.schemes import list_schemes

        if clf is None:
            from stance.classifier import Classifier

            clf = Classifier(progress=False)
        self.clf = clf
        self.max_span = max_span
        self.cache_: dict = {}
        self.result_: dict | None = None
        self.scheme, self.target, self.text = scheme, target, text
        w = _ipywidgets()
        if w is None:
            return
        schemes = list_schemes()
        options = schemes if scheme in schemes else [*schemes, scheme]
        self.text_box = w.Textarea(value=text, placeholder="Type or paste a statement", continuous_update=False,
                                   layout=w.Layout(width="100%", height="5em"))
        self.scheme_box = w.Dropdown(options=options, value=scheme, description="scheme")
        self.target_box = w.Text(value=target or "", description="target", continuous_update=False)
        self.button = w.Button(description="Label", button_style="primary", icon="tag")
        self.out = w.HTML(value="")
        self.text_box.add_class("stance-explorer-text")
        self.button.add_class("stance-explorer-run")
        self.out.add_class("stance-explorer-out")
        for box in (self.text_box, self.scheme_box, self.target_box):
            box.observe(lambda change: self.refresh(), names="value")
        self.button.on_click(lambda _: self.refresh())
        self.widget = w.VBox([self.text_box, w.HBox([self.scheme_box, self.target_box, self.button]), self.out])
        self.widget.add_class("stance-explorer-widget")
        if text.strip():
            self.refresh()

    def label(self, text: str, scheme: str | None = None, target: str | None = None) -> dict:
        """:func:`explore_statement`, remembered: asking again for the same statement is instant."""
        scheme = self.scheme if scheme is None else scheme
        target = self.target if target is None else target
        key = (text.strip() if isinstance(text, str) else text, str(scheme), target or None)
        if key not in self.cache_:
            self.cache_[key] = explore_statement(self.clf, text, scheme, target, max_span=self.max_span)
        return self.cache_[key]

    def refresh(self) -> None:
        """Read the boxes, label the statement and show the answer."""
        if self.widget is None:
            return
        self.text, self.scheme = self.text_box.value, self.scheme_box.value
        self.target = self.target_box.value.strip() or None
        self.target_box.disabled = not _scheme(self.clf, self.scheme).target_aware
        if not self.text.strip():
            self.out.value = explorer_html({"label": None, "error": "type a statement"})
            return
        self.out.value = '<div class="stance-explorer"><i>labelling…</i></div>'
        try:
            self.result_ = self.label(self.text, self.scheme, self.target)
            self.out.value = explorer_html(self.result_)
        except StanceError as err:
            self.out.value = f'<div class="stance-explorer" style="color:#D55E00">{html.escape(str(err))}</div>'

    def message(self) -> str:
        last = ""
        if self.result_ and self.result_.get("label"):
            last = f" Last statement: {self.result_['label']} ({self.result_['scheme']})."
        return (f"stance explorer ({self.scheme}): an interactive widget; {OPEN_IN_LAB}. Without it, "
                f"call .label('a statement') for the same answer as a dict.{last}")


def explorer(clf=None, scheme: str = "stance", target: str | None = "NATO", text: str = "") -> Explorer:
    """A statement explorer: type a statement, choose a scheme and a target, see the label.

    Shows the label, a bar per label probability, the review flag when the model is not sure
    enough, and the statement with the words that carry the label highlighted
    (:func:`stance.explain_html`). Answers are remembered: a statement asked again is instant.
    Without a widget frontend it shows a text message instead (and ``.label(text)`` works).

    Parameters
    ----------
    clf : a :class:`stance.Classifier` (default: the packaged offline model)
    scheme, target : the scheme shown first, and the target for target-aware schemes
    text : a statement to show first

    Examples
    --------
    >>> ex = explorer(scheme="tone")
    >>> ex.label("NATO is a puppet stained with blood.")["label"]
    'hostile'
    """
    return Explorer(clf, scheme, target, text)


class LabellingSheet(_Widget):
    """The labelling sheet (see :func:`labelling_sheet`)."""

    kind = "sheet"

    def __init__(self, statements, *, student: str, scheme: str = "stance", folder="answers",
                 class_folder=None, model=None, top: int = 5):
        from stance.schemes import load_scheme

        if isinstance(statements, (list, tuple)):
            statements = pd.DataFrame({"text": list(statements)})
        if not isinstance(statements, pd.DataFrame) or "text" not in statements.columns:
            raise InputError("a labelling sheet needs a table with a 'text' column (and 'id', 'target'), "
                             f"got {type(statements).__name__}")
        table = statements.reset_index(drop=True).copy()
        if "id" not in table.columns:
            table.insert(0, "id", [f"s{i + 1:02d}" for i in range(len(table))])
        table["id"] = table["id"].astype(str)
        if table["id"].duplicated().any():
            raise InputError(f"statement ids must be unique; repeated: {choices(table.loc[table['id'].duplicated(), 'id'].unique())}")
        if table.empty:
            raise InputError("a labelling sheet needs at least one statement, got an empty table")
        sch = load_scheme(scheme)
        self.scheme = sch.name
        self.labels = list(sch.label_names)
        self.statements = table
        self.student = student
        self.path = answers_path(folder, student, self.scheme)
        self.class_folder = class_folder
        self.top = top
        self._model_source = model
        self._model = None
        self.answers = latest_answers(read_answers(self.path, self.scheme, labels=self.labels), self.scheme).to_dict()
        self.position = resume_position(table["id"].tolist(), self.answers)
        w = _ipywidgets()
        if w is None:
            return
        self.header = w.HTML()
        self.text = w.HTML()
        self.buttons = []
        for label in [*self.labels, UNSURE]:
            b = w.Button(description=label.replace("_", " "), tooltip=f"label: {label}")
            b.add_class("stance-sheet-label")
            b.on_click(lambda _, label=label: self.answer(label))
            self.buttons.append((label, b))
        self.back = w.Button(description="back", icon="arrow-left")
        self.next = w.Button(description="next", icon="arrow-right")
        self.back.add_class("stance-sheet-back")
        self.next.add_class("stance-sheet-next")
        self.back.on_click(lambda _: self.go(self.position - 1))
        self.next.on_click(lambda _: self.go(self.position + 1))
        self.status = w.HTML()
        self.summary = w.HTML()
        self.header.add_class("stance-sheet-header")
        self.status.add_class("stance-sheet-status")
        self.summary.add_class("stance-sheet-summary")
        self.label_row = w.HBox([b for _, b in self.buttons])
        self.widget = w.VBox([self.header, self.text, self.label_row, w.HBox([self.back, self.next]),
                              self.status, self.summary])
        self.widget.add_class("stance-sheet-widget")
        self.show()

    # state ---------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.position >= len(self.statements)

    def answer(self, label: str) -> None:
        """Record ``label`` for the current statement (on disk at once) and move to the next one."""
        if self.done:
            return
        if label not in (*self.labels, UNSURE):
            raise InputError(f"unknown label {label!r}: choose one of {choices([*self.labels, UNSURE])}")
        row = self.statements.iloc[self.position]
        target = row.get("target", "")
        append_answer(self.path, student=self.student, id=row["id"], label=label, scheme=self.scheme,
                      text=row["text"], target=target if isinstance(target, str) else "")
        self.answers[str(row["id"])] = label
        self.go(self.position + 1, saved=label)

    def go(self, position: int, saved: str | None = None) -> None:
        """Show statement ``position`` (``len(statements)``: the end, with the summary)."""
        self.position = int(min(max(position, 0), len(self.statements)))
        self.show(saved)

    def model_labels(self) -> dict:
        """The model's label per statement id: as given, or classified once when a Classifier was given."""
        if self._model is None and self._model_source is not None:
            source = self._model_source
            if hasattr(source, "classify"):
                out = source.classify(self.statements, scheme=self.scheme, progress=False)
                labels = out[self.scheme].tolist()
            elif isinstance(source, (pd.Series, dict)) and set(map(str, pd.Series(source).index)) >= set(self.statements["id"]):
                labels = [pd.Series(source).rename(index=str)[i] for i in self.statements["id"]]
            else:
                labels = list(source)
                if len(labels) != len(self.statements):
                    raise InputError(f"model labels: {len(labels)} given for {len(self.statements)} statements")
            self._model = dict(zip(self.statements["id"], labels))
        return self._model or {}

    def results(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The end of the sheet: (:func:`sheet_agreement`, :func:`divided_statements`)."""
        ids = self.statements["id"].tolist()
        if self.class_folder is not None:
            mates = class_ratings(self.class_folder, self.scheme, ids=ids, exclude=[self.path, self.student])
        else:
            mates = pd.DataFrame(index=ids)
        model = self.model_labels() or None
        mine = pd.Series({i: self.answers.get(i) for i in ids}, dtype=object)
        return (sheet_agreement(mine, mates, model),
                divided_statements(self.statements, mine, mates, model, top=self.top))

    # view ----------------------------------------------------------------
    def show(self, saved: str | None = None) -> None:
        if self.widget is None:
            return
        n = len(self.statements)
        answered = sum(1 for i in self.statements["id"] if i in self.answers)
        self.back.disabled = self.position == 0
        self.next.disabled = self.done
        if saved:
            self.status.value = (f'<span style="color:#009E73">saved: {html.escape(saved)}</span> '
                                 f'<span style="color:#555">({answered} of {n} answered, in '
                                 f'{html.escape(str(self.path))})</span>')
        if self.done:
            self.header.value = (f'<b class="stance-sheet-position" data-position="{n + 1}">The end: '
                                 f'{answered} of {n} statements answered</b>')
            self.text.value = ""
            self.label_row.layout.display = "none"
            try:
                agree, divided = self.results()
                self.summary.value = _summary_html(agree, divided, self.scheme)
            except StanceError as err:
                self.summary.value = f'<p style="color:#D55E00">{html.escape(str(err))}</p>'
            return
        self.summary.value = ""
        self.label_row.layout.display = ""
        row = self.statements.iloc[self.position]
        target = row.get("target", "")
        target = f" &middot; stance toward <b>{html.escape(str(target))}</b>" if isinstance(target, str) and target \
            and self.scheme == "stance" else ""
        self.header.value = (f'<b class="stance-sheet-position" data-position="{self.position + 1}">Statement '
                             f'{self.position + 1} of {n}</b>{target} &middot; {self.scheme}')
        self.text.value = (f'<blockquote class="stance-sheet-text" data-id="{html.escape(row["id"])}" '
                           f'style="font-size:115%;margin:8px 0">{html.escape(str(row["text"]))}</blockquote>')
        current = self.answers.get(row["id"])
        for label, button in self.buttons:
            button.button_style = "info" if label == current else ""

    def message(self) -> str:
        n = len(self.statements)
        answered = sum(1 for i in self.statements["id"] if i in self.answers)
        where = "at the end" if self.done else f"next: statement {self.position + 1} of {n}"
        return (f"Labelling sheet ({self.scheme}) for {self.student}: {answered} of {n} statements answered, "
                f"saved in {self.path} ({where}). It is an interactive widget; {OPEN_IN_LAB}.")


def _summary_html(agree: pd.DataFrame, divided: pd.DataFrame, scheme: str) -> str:
    def fmt(v):
        return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.2f}"

    rows = "".join(f"<tr><td>{html.escape(r.measure)}</td><td>{fmt(r.value)}</td><td>{int(r.n)}</td></tr>"
                   for r in agree.itertuples())
    parts = [f'<h4>You, the class and the model ({html.escape(scheme)})</h4>'
             f'<table class="stance-sheet-agreement"><tr><th>measure</th><th>value</th><th>statements</th></tr>'
             f"{rows}</table>"]
    if len(divided):
        raters = [c for c in divided.columns if c not in ("id", "text", "target", "majority", "disagreement")]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["statement", "disagreement", *raters])
        body = "".join(
            "<tr><td>" + html.escape(str(r["text"])) + "</td><td>" + f"{r['disagreement']:.2f}" + "</td>"
            + "".join(f"<td>{html.escape(str(r[c]) if r[c] is not None else '')}</td>" for c in raters) + "</tr>"
            for _, r in divided.iterrows())
        parts.append(f'<h4>The statements that divided you most</h4><table class="stance-sheet-divided">'
                     f"<tr>{head}</tr>{body}</table>")
    return "".join(parts)


def labelling_sheet(statements, *, student: str, scheme: str = "stance", folder="answers", class_folder=None,
                    model=None, top: int = 5) -> LabellingSheet:
    """A labelling sheet for one student: statements one at a time, a button per label.

    Each answer (a label, or "unsure") is appended at once to ``<folder>/<student>_<scheme>.csv``
    (:func:`append_answer`: flushed and synced), so closing the tab or restarting the kernel
    loses nothing; built again, the sheet resumes at the first statement without an answer.
    "back" and "next" move between statements (a changed answer is a new row; the last one
    counts). At the end it shows the student's agreement with the class (the sheets in
    ``class_folder``: filled worksheets or other students' answer files) and with the model,
    and the statements that divided them most (:func:`sheet_agreement`,
    :func:`divided_statements`). Without a widget frontend it shows a text message instead.

    Parameters
    ----------
    statements : a table with ``text`` (and ``id``, ``target``), e.g. from
        :func:`stance.classroom.make_worksheet`; or a list of texts
    student : the student's name (letters, digits, spaces, ``.``, ``-``, ``_``)
    scheme : the scheme whose labels are the buttons
    folder : where the answer file goes
    class_folder : the class's sheets, for the agreement at the end (optional)
    model : the model's labels (a list in statement order, or id -> label), or a Classifier
        to label the statements at the end (optional)
    top : how many divisive statements to list

    Examples
    --------
    >>> import tempfile
    >>> st = pd.DataFrame({"id": ["a", "b"], "text": ["We back NATO.", "NATO is a menace."], "target": "NATO"})
    >>> sheet = labelling_sheet(st, student="ana", folder=tempfile.mkdtemp())
    >>> sheet.position, sheet.answer("favor"), sheet.position
    (0, None, 1)
    >>> read_answers(sheet.path)[["id", "stance"]].values.tolist()
    [['a', 'favor']]
    """
    return LabellingSheet(statements, student=student, scheme=scheme, folder=folder, class_folder=class_folder,
                          model=model, top=top)


class CompareWidget(_Widget):
    """The compare widget (see :func:`compare_widget`)."""

    kind = "compare"

    def __init__(self, results: pd.DataFrame, scheme: str | None = None, by: str | None = None, *,
                 schemes=None, groupings=None):
        if not isinstance(results, pd.DataFrame):
            raise InputError(f"compare_widget needs a results table (Classifier.classify output), got "
                             f"{type(results).__name__}")
        self.results = results
        self.schemes = list(schemes) if schemes is not None else _schemes(results)
        self.groupings = list(groupings) if groupings is not None else _groupings(results)
        if not self.schemes:
            raise InputError(f"no scheme's label column in the table ({choices(results.columns)}): classify it first")
        if not self.groupings:
            raise InputError(f"no column to group by in the table ({choices(results.columns)}): add e.g. source_type")
        self.scheme = scheme or self.schemes[0]
        self.by = by or self.groupings[0]
        for value, options, what in ((self.scheme, self.schemes, "scheme"), (self.by, self.groupings, "by")):
            if value not in options:
                raise InputError(f"{what}={value!r} is not among {choices(options)}")
        self.table_: pd.DataFrame | None = None
        self.summary_ = ""
        w = _ipywidgets()
        if w is None:
            return
        self.scheme_box = w.Dropdown(options=self.schemes, value=self.scheme, description="scheme")
        self.by_box = w.Dropdown(options=self.groupings, value=self.by, description="group by")
        self.chart = w.Image(format="png", layout=w.Layout(max_width="900px"))
        self.note = w.HTML()
        self.table_html = w.HTML()
        self.chart.add_class("stance-compare-chart")
        self.table_html.add_class("stance-compare-table")
        self.scheme_box.observe(lambda change: self.refresh(), names="value")
        self.by_box.observe(lambda change: self.refresh(), names="value")
        self.widget = w.VBox([w.HBox([self.scheme_box, self.by_box]), self.chart, self.note, self.table_html])
        self.widget.add_class("stance-compare-widget")
        self.refresh()

    def refresh(self) -> None:
        """Redraw the chart and the table for the chosen scheme and grouping."""
        if self.widget is None:
            return
        self.scheme, self.by = self.scheme_box.value, self.by_box.value
        try:
            png, table, summary = compare_view(self.results, self.scheme, self.by)
        except StanceError as err:
            self.note.value = f'<p style="color:#D55E00">{html.escape(str(err))}</p>'
            self.table_html.value = ""
            return
        self.table_, self.summary_ = table, summary
        self.chart.value = png
        self.note.value = f"<p>{html.escape(summary)}</p>"
        shown = table.drop(columns=[c for c in ("n_review",) if c in table.columns and table[c].isna().all()])
        self.table_html.value = shown.round(2).to_html(index=False, classes="stance-compare", border=0)

    def message(self) -> str:
        return (f"stance compare ({self.scheme} by {self.by}; schemes {', '.join(self.schemes)}; groupings "
                f"{', '.join(self.groupings)}): an interactive widget; {OPEN_IN_LAB}. Without it, "
                f"stance.compare(results, by=..., scheme=...) gives the same table.")


def compare_widget(results: pd.DataFrame, scheme: str | None = None, by: str | None = None, *, schemes=None,
                   groupings=None) -> CompareWidget:
    """Dropdowns for the scheme and the grouping that redraw the comparison chart and table.

    The chart is :func:`stance.plot.plot_label_shares` (or the rhetoric chart for a
    multi-label scheme), the table :func:`stance.compare` with its test
    (:func:`stance.compare.test_summary`). Without a widget frontend it shows a text message.

    Parameters
    ----------
    results : a results table (``Classifier.classify`` output)
    scheme, by : shown first (default: the first of ``schemes`` and ``groupings``)
    schemes : the schemes offered (default: those the table has a label column for)
    groupings : the grouping columns offered (default: ``source_type``, ``source``, ``target``...
        those with 2 to 12 values)

    Examples
    --------
    >>> t = pd.DataFrame({"source_type": ["a", "a", "b", "b"], "stance": ["favor", "against", "against", "against"]})
    >>> compare_widget(t).groupings
    ['source_type']
    """
    return CompareWidget(results, scheme, by, schemes=schemes, groupings=groupings)
