"""The logic of the explorer and the compare widget, without a browser: one statement labelled and
explained, probability bars as HTML, and the compare table and chart of a results table."""
from __future__ import annotations

import html
import io

import numpy as np
import pandas as pd


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

