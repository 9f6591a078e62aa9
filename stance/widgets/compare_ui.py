"""The compare widget: dropdowns for the scheme and the grouping redraw the comparison chart and
table (:func:`compare_widget`)."""
from __future__ import annotations

import html

import pandas as pd

from stance.errors import InputError, StanceError, choices
from stance.widgets.answers import OPEN_IN_LAB
from stance.widgets.views import _groupings, _schemes, compare_view
from stance.widgets.ui import _Widget, _ipywidgets


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
