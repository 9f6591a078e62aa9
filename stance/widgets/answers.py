"""The logic of the labelling sheet, without a browser: answers appended to a CSV on disk at once,
read back and resumed; the class sheets in a folder; agreement with the class and the model; the
statements that divided them most."""
from __future__ import annotations

import csv
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from stance.errors import InputError, choices


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

