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

from stance.widgets.answers import (UNSURE, answer_columns, answers_path, append_answer, class_ratings,
                                    divided_statements, latest_answers, read_answers, read_ratings, resume_position,
                                    sheet_agreement)
from stance.widgets.compare_ui import CompareWidget, compare_widget
from stance.widgets.sheet import LabellingSheet, labelling_sheet
from stance.widgets.ui import Explorer, explorer
from stance.widgets.views import compare_view, explore_statement, explorer_html, probability_bars_html

__all__ = [
    "UNSURE", "answer_columns", "answers_path", "append_answer", "read_answers", "latest_answers",
    "resume_position", "read_ratings", "class_ratings", "sheet_agreement", "divided_statements",
    "explore_statement", "probability_bars_html", "explorer_html", "compare_view",
    "explorer", "labelling_sheet", "compare_widget", "Explorer", "LabellingSheet", "CompareWidget",
]
