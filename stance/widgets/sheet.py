"""The labelling sheet for students, as an ipywidgets widget (:func:`labelling_sheet`)."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from stance.errors import InputError, StanceError, choices
from stance.widgets.answers import (OPEN_IN_LAB, UNSURE, answers_path, append_answer, class_ratings,
                                    divided_statements, latest_answers, read_answers, resume_position,
                                    sheet_agreement)
from stance.widgets.ui import _Widget, _ipywidgets


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


