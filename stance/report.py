"""A shareable report: one self-contained HTML file of a results table.

The charts are embedded as base64 PNG, the styles and the small table-sorting script are
inline: the file needs no other file and no network, opens on a phone and prints cleanly.
"""
from __future__ import annotations

import base64
import html
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from stance.errors import InputError, choices

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;color:#111;
background:#fff;line-height:1.45}
main{max-width:64rem;margin:0 auto}
h1{font-size:1.6rem;margin:.2rem 0 .5rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1.1rem}
figure{margin:1rem 0;break-inside:avoid;page-break-inside:avoid}
figure img{display:block;max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9rem;color:#444}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
table.sortable th{cursor:pointer}table.sortable th:after{content:" \\2195";color:#999}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.text{min-width:16rem;max-width:40rem}
.meta,.note{color:#444;font-size:.9rem}
.label{font-weight:600}
ul.explain{padding-left:1.2rem}ul.explain li{margin:.6rem 0}
@media (max-width:40rem){body{padding:.5rem}td.text{min-width:12rem}h1{font-size:1.3rem}}
@media print{body{padding:0;font-size:10pt}main{max-width:none}.noprint{display:none}
table.sortable th:after{content:""}.scroll{overflow:visible}a{color:inherit;text-decoration:none}
h2{break-after:avoid;page-break-after:avoid}tr{break-inside:avoid;page-break-inside:avoid}}
"""

# Click a column header to sort that table by it (numbers numerically); click again to reverse.
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var dir = th.dataset.dir === "asc" ? -1 : 1; th.dataset.dir = dir === 1 ? "asc" : "desc";
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.v || a.cells[col].textContent, y = b.cells[col].dataset.v || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        return dir * (isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""


EXPLAIN_NOTE = ("<p class=\"note\">The most confident statement(s) of each label, each word highlighted by how "
                "much the label's probability drops when it is cut out (occlusion): vermillion words support "
                "the label, blue words speak against it; hover over a word for the number.</p>")


def figure_png(ax, dpi: int = 110) -> bytes:
    """The figure of ``ax`` as PNG bytes (and the figure closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(ax.figure)
    return buf.getvalue()


def schemes_in(df: pd.DataFrame, provenance: dict | None = None) -> list[str]:
    """The schemes whose results are in the table, in report order: those its provenance
    (``provenance``, default ``df.attrs["stance"]``) names, in the order they were run, then
    other result columns (see :func:`stance.look.scheme_looks`).

    >>> schemes_in(pd.DataFrame(columns=["text", "tone", "tone_confidence"]))
    ['tone']
    """
    from stance.look import scheme_looks

    return [look.name for look in scheme_looks(df, provenance)]


def charts(df: pd.DataFrame, by: str = "source_type") -> dict[str, tuple[str, object]]:
    """The charts that the table's columns allow: ``{name: (caption, Axes)}``.

    For each single-label scheme, its shares per ``by`` group; the first target-aware single-label
    scheme (``stance``) against the first other single-label scheme (``tone``) as a heatmap; each
    multi-label scheme's labels per group; the target-aware scheme's targets across groups; the
    first single-label scheme that is not target-aware over time (when there are dates); and each
    scheme's confidence per label. Schemes, label order and colours come from the table's
    provenance (:func:`stance.look.scheme_looks`), so a new scheme file needs no code here.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["a", "b"], "tone": ["hostile", "neutral"], "tone_confidence": [.9, .6]})
    >>> sorted(charts(t))
    ['tone_by_source_type', 'tone_confidence']
    """
    from stance import plot
    from stance.look import scheme_looks

    looks = scheme_looks(df)
    single = [look for look in looks if not look.multi_label]
    aware = [look for look in single if look.target_aware]
    plain = [look for look in single if not look.target_aware]
    out: dict[str, tuple[str, object]] = {}
    has_by = by in df.columns
    if has_by:
        for look in single:
            about = " toward each statement's target" if look.target_aware else ""
            out[f"{look.name}_by_{by}"] = (f"{look.title}{about}: shares (and counts) per {by}.",
                                           plot.plot_label_shares(df, look.name, by))
        if aware and plain:
            row, col = aware[0], plain[0]
            out[f"{row.name}_x_{col.name}"] = (
                f"{row.title} x {col.name}, shares within each {by} (each block adds to 100%).",
                plot.plot_stance_tone_heatmap(df, by, row=row.name, col=col.name))
        for look in looks:
            if look.multi_label:
                try:
                    out[f"{look.name}_by_{by}"] = (
                        f"{look.title}: the share of statements with each label (a statement may have "
                        "several or none).", plot.plot_rhetoric_by_source(df, by, scheme=look.name))
                except InputError:
                    pass
        target_col = (aware[0].target_col or "target") if aware else None
        if target_col and target_col in df.columns:
            try:
                out["targets_across_sources"] = (
                    "The same targets side by side across source types.",
                    plot.plot_target_across_sources(df, label_col=aware[0].name, by=by, target_col=target_col))
            except InputError:
                pass
    if "date" in df.columns and single:
        main = (plain or single)[0].name
        try:
            out[f"{main}_over_time"] = (f"{main} over time (statements per year).", plot.plot_timeline(df, main))
        except InputError:
            pass
    for look in looks:
        try:
            out[f"{look.name}_confidence"] = (f"How sure the model is: {look.name} confidence per label.",
                                              plot.plot_confidence(df, look.name))
        except InputError:
            pass
    return out


def _td(value, cls: str = "", sort=None) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)
    attrs = (f' class="{cls}"' if cls else "") + (f' data-v="{html.escape(str(sort))}"' if sort is not None else "")
    return f"<td{attrs}>{html.escape(text)}</td>"


def compare_html(table: pd.DataFrame) -> str:
    """An HTML table of a :func:`stance.compare` result, with the test's sentence under it."""
    from stance.compare import test_summary

    info = table.attrs["compare"]
    by, scheme = info["by"], info["scheme"]
    review = "n_review" in table.columns and table["n_review"].notna().any()
    head = [by, scheme, "count", "n", "share", f"{info['ci']:.0%} CI"] + (["to review"] if review else [])
    rows = []
    for r in table.to_dict("records"):
        rows.append("<tr>" + _td(r[by]) + _td(r[scheme], "label") + _td(r["count"], "num") + _td(r["n"], "num")
                    + _td(f"{r['share']:.0%}", "num", r["share"])
                    + _td(f"{r['ci_low']:.0%} – {r['ci_high']:.0%}", "num", r["ci_low"])
                    + (_td(r["n_review"], "num") if review else "") + "</tr>")
    return ("<div class=\"scroll\"><table class=\"sortable\"><thead><tr>"
            + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead><tbody>" + "".join(rows)
            + f"</tbody></table></div><p class=\"note\">{html.escape(test_summary(table))}</p>")


def statements_html(df: pd.DataFrame, by: str, schemes: list[str]) -> str:
    """The statements with their labels and confidence, one sortable table per group
    (a multi-label scheme's ``;``-joined labels without a confidence).

    >>> t = pd.DataFrame({"id": ["s1"], "text": ["Hi."], "source_type": ["a"], "tone": ["neutral"],
    ...                   "tone_confidence": [0.8]})
    >>> '<td class="num" data-v="0.8">0.80</td>' in statements_html(t, "source_type", ["tone"])
    True
    """
    from stance.look import scheme_look

    multi = {s for s in schemes if scheme_look(df, s).multi_label}
    cols = [c for c in ("id", "date", "source", "speaker", "target") if c in df.columns]
    parts = []
    groups = df[by].astype("string").fillna("(none)") if by in df.columns else pd.Series("all", index=df.index)
    for g in sorted(groups.unique()):
        part = df[groups == g]
        head = cols + ["text"] + [h for s in schemes for h in ((s, f"{s} conf.") if s not in multi else (s,))]
        rows = []
        for _, r in part.iterrows():
            cells = [_td(r[c]) for c in cols] + [_td(r.get("text"), "text")]
            for s in schemes:
                cells.append(_td(r[s], "label"))
                if s not in multi:
                    conf = r[f"{s}_confidence"]
                    cells.append(_td("" if pd.isna(conf) else f"{conf:.2f}", "num", "" if pd.isna(conf) else conf))
            rows.append("<tr>" + "".join(cells) + "</tr>")
        parts.append(f"<h3>{html.escape(str(by))}: {html.escape(str(g))} ({len(part)} statements)</h3>"
                     "<div class=\"scroll\"><table class=\"sortable\"><thead><tr>"
                     + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead><tbody>"
                     + "".join(rows) + "</tbody></table></div>")
    return "".join(parts)


def explained_rows(df: pd.DataFrame, scheme: str, per_label: int = 1) -> pd.DataFrame:
    """The statements to explain for a single-label scheme: the ``per_label`` most confident of each
    label, real statements (``synthetic`` false) before synthetic ones, labels in the charts' order.

    >>> t = pd.DataFrame({"text": ["a", "b", "c"], "tone": ["hostile", "hostile", "neutral"],
    ...                   "tone_confidence": [0.6, 0.9, 0.7], "synthetic": [False, True, False]})
    >>> explained_rows(t, "tone")["text"].tolist()
    ['c', 'a']
    """
    from stance.plot.style import _scheme_order

    labelled = df[df[scheme].notna() & df[f"{scheme}_confidence"].notna()]
    synthetic = (labelled["synthetic"].astype(str).str.lower().eq("true") if "synthetic" in labelled.columns
                 else pd.Series(False, index=labelled.index))
    ranked = labelled.assign(_synthetic=synthetic).sort_values(["_synthetic", f"{scheme}_confidence"],
                                                                ascending=[True, False], kind="stable")
    picked = [ranked[ranked[scheme] == label].head(per_label) for label in _scheme_order(df, scheme)]
    picked = [p for p in picked if len(p)]
    return pd.concat(picked).drop(columns="_synthetic") if picked else labelled.head(0)


def explanations_html(df: pd.DataFrame, clf, schemes: list[str], *, per_label: int = 1, max_span: int = 2,
                      provenance: dict | None = None) -> str:
    """Occlusion explanations (:meth:`stance.Classifier.explain`) of a few statements per label,
    highlighted (:func:`stance.explain_html`): for each single-label scheme, the most confident
    statements of each label (see :func:`explained_rows`), each explaining the label in the table."""
    from stance.explain import explain_html
    from stance.look import scheme_look

    runs = (provenance or {}).get("runs", {})
    parts = []
    for scheme in schemes:
        run = runs.get(scheme, {})
        look = scheme_look(df, scheme, provenance)
        if look.multi_label:
            continue  # explanations are of one label per statement
        target_col = run.get("target_col") or ("target" if "target" in df.columns else None)
        items = []
        for _, row in explained_rows(df, scheme, per_label).iterrows():
            target = row.get(target_col) if target_col else run.get("target")
            target = target if isinstance(target, str) and target.strip() else None
            table = clf.explain(row["text"], scheme, target=target, label=row[scheme], max_span=max_span)
            where = " · ".join(str(row[c]) for c in ("id", "speaker", "source") if c in df.columns and pd.notna(row[c]))
            about = f" (target: {html.escape(target)})" if target and look.target_aware else ""
            items.append(f"<li>{explain_html(table)}<span class=\"note\">{html.escape(where)}{about}; "
                         f"confidence {row[f'{scheme}_confidence']:.2f}</span></li>")
        if items:
            parts.append(f"<h3>{html.escape(scheme)}</h3><ul class=\"explain\">{''.join(items)}</ul>")
    return "".join(parts)


def render_report(df: pd.DataFrame, *, by: str = "source_type", title: str = "Stance and tone report",
                  provenance: dict | None = None, seed: int = 0, explain=None, n_explain: int = 1) -> str:
    """The report as an HTML string (see :func:`write_report`).

    ``explain``: a :class:`stance.Classifier` (the model that labelled the table) to add a section
    of highlighted occlusion explanations of the ``n_explain`` most confident statements per
    label (:func:`explanations_html`); None (default) leaves the section out.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"text": ["a <b>", "c"], "source_type": ["x", "y"], "tone": ["hostile", "neutral"],
    ...                   "tone_confidence": [.9, .6]})
    >>> page = render_report(t)
    >>> "a &lt;b&gt;" in page and page.count("data:image/png;base64,") == 2
    True
    """
    from stance.compare import compare

    if by not in df.columns:
        raise InputError(f"no column {by!r} to group the report by (--by); the table has {choices(df.columns)}")
    if provenance is not None and df.attrs.get("stance") is not provenance:
        df = df.copy(deep=False)  # the charts read each scheme's labels and look from the provenance
        df.attrs["stance"] = provenance
    schemes = schemes_in(df)
    if not schemes:
        raise InputError("the table has no results to report: it needs a label column and its confidence "
                         f"('stance'/'stance_confidence', 'tone'/..., 'rhetoric'/...); it has {choices(df.columns)}")
    figures = []
    for name, (caption, ax) in charts(df, by).items():
        data = base64.b64encode(figure_png(ax)).decode("ascii")
        figures.append(f"<figure id=\"{html.escape(name)}\"><img src=\"data:image/png;base64,{data}\" "
                       f"alt=\"{html.escape(caption)}\"><figcaption>{html.escape(caption)}</figcaption></figure>")
    tables = []
    if by in df.columns:
        for s in schemes:
            try:
                tables.append(f"<h3>{html.escape(s)} by {html.escape(by)}</h3>" + compare_html(compare(df, by, s, seed=seed)))
            except InputError as exc:
                tables.append(f"<p class=\"note\">{html.escape(s)}: {html.escape(str(exc))}</p>")
    prov = provenance if provenance is not None else df.attrs.get("stance")
    explained = (explanations_html(df, explain, schemes, per_label=n_explain, provenance=prov)
                 if explain is not None and n_explain > 0 else "")
    models = sorted({run["model"].get("model", "?") for run in (prov or {}).get("runs", {}).values()})
    meta = [f"{len(df)} statements", f"labels: {', '.join(schemes)}"]
    if models:
        meta.append(f"model: {', '.join(models)}")
    if "synthetic" in df.columns:
        meta.append(f"{int(df['synthetic'].astype(str).str.lower().eq('true').sum())} synthetic")
    meta.append("made " + datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<p class="meta">{html.escape(" · ".join(meta))}</p>
<p class="note">Labels are zero-shot predictions of a model, not ground truth: read the confidence chart
and check uncertain statements by hand. Intervals are {html.escape("95%")} percentile bootstrap intervals
(seed {seed}); the tests say whether the groups' label distributions differ.</p>
<nav class="noprint"><a href="#charts">Charts</a> · <a href="#compare">Comparison tables</a> ·
{'<a href="#explanations">Explanations</a> · ' if explained else ""}<a href="#statements">Statements</a></nav>
<h2 id="charts">Charts</h2>
{"".join(figures)}
<h2 id="compare">Comparison tables</h2>
{"".join(tables) or '<p class="note">No grouping column to compare.</p>'}
{'<h2 id="explanations">Why these labels? Explanations</h2>' + EXPLAIN_NOTE + explained if explained else ""}
<h2 id="statements">Statements</h2>
<p class="note noprint">Click a column header to sort a table.</p>
{statements_html(df, by, schemes)}
{"" if prov is None else '<details class="noprint"><summary>Provenance</summary><pre>'
 + html.escape(json.dumps(prov, indent=1, default=str)[:20000]) + "</pre></details>"}
</main>
<script>{SCRIPT}</script>
</body></html>
"""


def write_report(df: pd.DataFrame, out: str | Path = "report.html", **kwargs) -> Path:
    """Write the self-contained HTML report of a results table; return its path.

    Keyword arguments go to :func:`render_report` (``by``, ``title``, ``provenance``, ``seed``,
    ``explain``, ``n_explain``).
    """
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"the report is an HTML file: pass --out ending in .html, got {str(out)!r}")
    from stance.io import write_text

    return write_text(out, render_report(df, **kwargs))


def read_results(path: str | Path) -> tuple[pd.DataFrame, dict | None]:
    """A results file, or a folder of ``part-*.parquet`` files from a Dask run, and its
    provenance sidecar (None when there is none)."""
    from stance.io import read_provenance, read_table

    df = read_table(path)
    prov = read_provenance(path)
    return typed_results(df, prov), prov


def typed_results(df: pd.DataFrame, provenance: dict | None) -> pd.DataFrame:
    """A results table read back as text, with each run's result columns typed again:
    confidences and probabilities as floats, ``S_parts`` as integers, ``S_review`` and a
    multi-label scheme's ``S_<label>`` as booleans. Other columns stay as they were read.

    >>> t = pd.DataFrame({"tone_confidence": ["0.5"], "tone_review": ["True"], "tone_parts": ["1"]})
    >>> typed_results(t, None).dtypes.astype(str).tolist()
    ['float64', 'boolean', 'Int64']
    """
    from stance.compare import as_bool

    out = df.copy()
    runs = (provenance or {}).get("runs", {})
    names = set(runs) | {c.rsplit("_", 1)[0] for c in out.columns if c.endswith("_confidence")}
    for name in names:
        labels = runs.get(name, {}).get("scheme", {}).get("labels", [])
        floats = [f"{name}_confidence"] + [c for c in out.columns if c.startswith(f"{name}_p_")]
        for col in (c for c in floats if c in out.columns):
            out[col] = pd.to_numeric(out[col], errors="coerce")
        if f"{name}_parts" in out.columns:
            out[f"{name}_parts"] = pd.to_numeric(out[f"{name}_parts"], errors="coerce").astype("Int64")
        for col in [f"{name}_review"] + [f"{name}_{label}" for label in labels]:
            if col in out.columns and not pd.api.types.is_float_dtype(out[col]):
                out[col] = as_bool(out[col])
    return out
