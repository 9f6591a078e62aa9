"""The ipywidgets layer and the explorer (ipywidgets imported only when a widget is built; a text
message where no widget can be shown)."""
from __future__ import annotations

import html

from stance.errors import StanceError
from stance.widgets.answers import OPEN_IN_LAB
from stance.widgets.views import _scheme, explore_statement, explorer_html


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


