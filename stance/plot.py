"""Charts of a results table. Each function returns the matplotlib Axes and never shows it.

Label order and colours are each scheme's own (``display_order`` and ``colour`` in its TOML
file, recorded in the table's provenance: see :mod:`stance.look`); labels without a colour get the
Okabe-Ito palette, safe for colour-blind readers.
"""
from __future__ import annotations

import pandas as pd

from stance.errors import InputError, choices
from stance.look import scheme_look
from stance.schemes import OKABE_ITO as _PALETTE
from stance.schemes import fill_colours

OKABE_ITO = list(_PALETTE)


def require_columns(df: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise a one-line error naming the columns a chart needs and does not find."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{what} needs column(s) {choices(missing)}; the table has {choices(df.columns)}")


def label_shares(df: pd.DataFrame, label_col: str, by: str = "source_type",
                 order: list[str] | None = None) -> pd.DataFrame:
    """Counts and shares of each label per group (rows without a label are left out).

    >>> t = pd.DataFrame({"source_type": ["a", "a", "b"], "tone": ["x", "y", "x"]})
    >>> label_shares(t, "tone")["share"].tolist()
    [0.5, 0.5, 1.0]
    """
    require_columns(df, [label_col, by], "label_shares")
    counts = df.dropna(subset=[label_col]).groupby([by, label_col]).size().rename("count").reset_index()
    counts["share"] = counts["count"] / counts.groupby(by)["count"].transform("sum")
    if order:
        counts[label_col] = pd.Categorical(counts[label_col], categories=order, ordered=True)
        counts = counts.sort_values([by, label_col]).reset_index(drop=True)
    return counts


def plot_label_shares(df: pd.DataFrame, label_col: str, by: str = "source_type", *, order=None,
                      ax=None, title: str | None = None):
    """Horizontal stacked bars: the share of each label per group, with n per group.

    Each segment is labelled with its share (percentages rounded so that a bar adds to 100%)
    and its count, where it is wide enough to hold them. Labels follow ``order`` (default: the
    scheme's display order) in the scheme's colours (:func:`stance.look.scheme_look`).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["official", "state_media"], "tone": ["critical", "hostile"]})
    >>> plot_label_shares(t, "tone").get_xlabel()
    'share of statements'
    """
    import matplotlib.pyplot as plt

    counts = label_shares(df, label_col, by)
    if counts.empty:
        raise InputError(f"no labelled rows in column {label_col!r} to plot")
    wide = counts.pivot(index=by, columns=label_col, values="count").fillna(0).astype(int)
    look = scheme_look(df, label_col)
    order = list(order) if order is not None else list(look.display_order)
    labels = [l for l in order if l in wide.columns] + [l for l in wide.columns if l not in order]
    wide = wide[labels]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 1.6 + 0.8 * len(wide)))
    rows = [f"{g}\n(n={int(wide.loc[g].sum())}{_review_note(df, label_col, by, g)})" for g in wide.index]
    _stacked_barh(ax, list(range(len(rows))), wide.to_numpy(), labels, look.colours_for(labels))
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.set_ylabel(by)
    ax.set_title(title or shares_title(df, label_col, by))
    ax.legend(title=label_col, bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    _style(ax)
    return ax


def _review_note(df: pd.DataFrame, label_col: str, by: str, group) -> str:
    """", k to review" for a group when the table flags rows for review (``S_review``)."""
    col = f"{label_col}_review"
    if col not in df.columns:
        return ""
    from stance.compare import as_bool

    rows = df[by].astype(str) == str(group)
    return f", {int(as_bool(df.loc[rows, col]).fillna(False).sum())} to review"


def shares_title(df: pd.DataFrame, label_col: str, by: str) -> str:
    """The title of a shares chart: ``Stance toward the target, by source_type`` for a target-aware
    scheme, ``Tone by source_type`` for others.

    >>> shares_title(pd.DataFrame({"stance": ["favor"]}), "stance", "source_type")
    'Stance toward the target, by source_type'
    """
    look = scheme_look(df, label_col)
    return f"{look.title} toward the target, by {by}" if look.target_aware else f"{look.title} by {by}"


def plot_stance_by_source(df: pd.DataFrame, by: str = "source_type", *, ax=None):
    """Stance shares per source type: :func:`plot_label_shares` of the ``stance`` column.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["a", "b"], "stance": ["against", "favor"]})
    >>> plot_stance_by_source(t).get_title()
    'Stance toward the target, by source_type'
    """
    return plot_label_shares(df, "stance", by, ax=ax)


def plot_tone_by_source(df: pd.DataFrame, by: str = "source_type", *, ax=None):
    """Tone shares per source type: :func:`plot_label_shares` of the ``tone`` column.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["a", "b"], "tone": ["hostile", "neutral"]})
    >>> [t.get_text() for t in plot_tone_by_source(t).get_legend().get_texts()]
    ['neutral', 'hostile']
    """
    return plot_label_shares(df, "tone", by, ax=ax)


def _sequential_cmap():
    """White to Okabe-Ito blue: a single-hue scale that reads the same to colour-blind eyes."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("okabe_ito_blue", ["#FFFFFF", "#56B4E9", "#0072B2"])


def _heatmap(ax, values, rows, cols, fmt, vmin=None, vmax=None):
    import numpy as np

    image = ax.imshow(values, cmap=_sequential_cmap(), vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(cols)), labels=cols, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), labels=rows)
    top = np.nanmax(values) if vmax is None else vmax
    bottom = np.nanmin(values) if vmin is None else vmin
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = values[i][j]
            if v == v:  # not NaN
                dark = (v - bottom) > 0.6 * (top - bottom) if top > bottom else False
                ax.text(j, i, fmt(v), ha="center", va="center", color="white" if dark else "black")
    return image


def plot_confusion(data, gold: str | None = None, pred: str | None = None, *, normalize: bool = False,
                   labels: list[str] | None = None, ax=None, title: str | None = None):
    """A confusion matrix: gold labels as rows, predictions as columns, counts (or row shares) in the cells.

    ``data`` is a results table (with ``gold=`` and ``pred=`` column names) or an
    :class:`stance.evaluate.Evaluation`. With ``normalize=True`` each row shows shares (recall per cell).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"gold": ["favor", "against", "against"], "stance": ["favor", "against", "favor"]})
    >>> plot_confusion(t, gold="gold", pred="stance").get_ylabel()
    'gold label'
    """
    import matplotlib.pyplot as plt

    from stance.evaluate import Evaluation, evaluate

    result = data if isinstance(data, Evaluation) else evaluate(data, gold=gold, pred=pred, labels=labels, n_boot=0)
    cm = result.confusion.astype(float)
    if normalize:
        cm = cm.div(cm.sum(axis=1).where(lambda s: s > 0, 1), axis=0)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.5 + 0.9 * cm.shape[1], 1.2 + 0.8 * cm.shape[0]))
    fmt = (lambda v: f"{v:.2f}") if normalize else (lambda v: f"{int(v)}")
    _heatmap(ax, cm.to_numpy(), list(cm.index), list(cm.columns), fmt, vmin=0, vmax=1 if normalize else None)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("gold label")
    ax.set_title(title or f"Confusion matrix (n={result.n}, macro-F1 {result.macro_f1:.2f})")
    return ax


def plot_agreement(data, raters: list[str] | None = None, *, ax=None, title: str | None = None):
    """Pairwise Cohen's kappa between raters (students, and the model if it is a rater column) as a heatmap.

    ``data`` is a ratings table (one column per rater) or an :class:`stance.agreement.Agreement`.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"s1": ["a", "b", "a"], "s2": ["a", "b", "b"], "model": ["a", "b", "a"]})
    >>> plot_agreement(t).get_title()
    "Cohen's kappa between raters (Krippendorff's alpha 0.60)"
    """
    import matplotlib.pyplot as plt

    from stance.agreement import Agreement, agreement

    result = data if isinstance(data, Agreement) else agreement(data, raters)
    kappa = result.cohen_kappa
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + 0.8 * len(kappa), 1.2 + 0.7 * len(kappa)))
    _heatmap(ax, kappa.to_numpy(), list(kappa.index), list(kappa.columns), lambda v: f"{v:.2f}", vmin=0, vmax=1)
    ax.set_title(title or f"Cohen's kappa between raters (Krippendorff's alpha {result.krippendorff_alpha:.2f})")
    return ax


# --- helpers shared by the charts -------------------------------------------------------------

FONT = {"title": 14, "label": 12, "tick": 11, "note": 10}


def percent_labels(values) -> list[int]:
    """Whole percentages of shares that add to 100 (largest-remainder rounding).

    >>> percent_labels([1/3, 1/3, 1/3])
    [34, 33, 33]
    """
    import numpy as np

    v = np.asarray(values, dtype=float)
    if v.sum() <= 0:
        return [0] * len(v)
    raw = v / v.sum() * 100
    out = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - out), kind="stable")[: 100 - out.sum()]:
        out[i] += 1
    return out.tolist()


def label_colours(labels, colours: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per label: the given ones (a scheme's ``colours``), then Okabe-Ito colours not yet used.

    A table's scheme colours come from :func:`stance.look.scheme_look` (``.colours_for(labels)``).

    >>> label_colours(["favor", "war"], {"favor": "#009E73"})
    {'favor': '#009E73', 'war': '#E69F00'}
    """
    return fill_colours(labels, colours)


def text_colour(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``.

    >>> text_colour("#000000"), text_colour("#F0E442")
    ('white', 'black')
    """
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def _style(ax) -> None:
    ax.title.set_fontsize(FONT["title"])
    ax.xaxis.label.set_fontsize(FONT["label"])
    ax.yaxis.label.set_fontsize(FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontsize(FONT["tick"])
        legend.get_title().set_fontsize(FONT["tick"])


def _stacked_barh(ax, ys, counts, labels, colours: dict[str, str] | None = None, height: float = 0.7) -> None:
    """Bars of shares at ``ys`` (rows of ``counts``, columns ``labels``), annotated share + count."""
    import numpy as np

    counts = np.asarray(counts, dtype=float)
    totals = counts.sum(axis=1)
    shares = np.divide(counts, totals[:, None], out=np.zeros_like(counts), where=totals[:, None] > 0)
    colours = label_colours(labels, colours)
    pct = [percent_labels(row) for row in shares]
    left = np.zeros(len(ys))
    for j, label in enumerate(labels):
        bars = ax.barh(ys, shares[:, j], left=left, height=height, label=label, color=colours[label],
                       edgecolor="white", linewidth=1)
        for i, bar in enumerate(bars):
            bar.set_gid(f"{i}:{label}")
            w = shares[i, j]
            if w >= 0.05:
                text = f"{pct[i][j]}%\n({int(counts[i, j])})" if w >= 0.09 else f"{pct[i][j]}%"
                ax.text(left[i] + w / 2, ys[i], text, ha="center", va="center", fontsize=FONT["note"],
                        color=text_colour(colours[label]))
        left += shares[:, j]
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_percent_formatter())
    ax.set_xlabel("share of statements")


def _percent_formatter():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1, decimals=0)


def _ordered(present, preferred) -> list[str]:
    present = list(dict.fromkeys(present))
    return [l for l in preferred if l in present] + [l for l in present if l not in preferred]


def _colours(df: pd.DataFrame, scheme: str, labels) -> dict[str, str]:
    """The colours of ``labels`` of the results named ``scheme``: the scheme's, then Okabe-Ito."""
    return scheme_look(df, scheme).colours_for(labels)


def _labelled(df: pd.DataFrame, col: str) -> pd.Series:
    """Rows with a label in ``col`` (not missing, not empty)."""
    values = df[col].astype("string")
    return values.notna() & (values != "")


def _scheme_order(df: pd.DataFrame, scheme: str) -> list[str]:
    """The labels of the results named ``scheme`` in the scheme's display order."""
    return list(scheme_look(df, scheme).display_order)


def _new_axes(ax, size):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, constrained_layout=True)
    return ax


# --- the charts -------------------------------------------------------------------------------

def plot_stance_tone_heatmap(df: pd.DataFrame, by: str = "source_type", *, row: str = "stance",
                             col: str = "tone", ax=None):
    """Heatmap of stance x tone, one block of rows per source type; cells show share and count.

    Shares are within each source type, so each block's cells add to 100%. The image data
    (``ax.images[0].get_array()``) holds the shares, rows in the order of the y tick labels.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["a", "a", "b"], "stance": ["favor", "against", "favor"],
    ...                   "tone": ["neutral", "hostile", "neutral"]})
    >>> ax = plot_stance_tone_heatmap(t)
    >>> [x.get_text() for x in ax.get_yticklabels()][:2]
    ['a (n=2) · favor', 'a (n=2) · against']
    """
    import numpy as np

    require_columns(df, [by, row, col], "plot_stance_tone_heatmap")
    keep = _labelled(df, row) & _labelled(df, col) & df[by].notna()
    data = df[keep]
    if data.empty:
        raise InputError(f"no rows with both a {row!r} and a {col!r} label to plot")
    rows_order = _ordered(data[row].astype(str), _scheme_order(df, row))
    cols_order = _ordered(data[col].astype(str), _scheme_order(df, col))
    groups = sorted(data[by].astype(str).unique())
    blocks, ticks = [], []
    for g in groups:
        part = data[data[by].astype(str) == g]
        table = pd.crosstab(part[row].astype(str), part[col].astype(str)).reindex(
            index=rows_order, columns=cols_order, fill_value=0)
        blocks.append(table.to_numpy())
        ticks += [f"{g} (n={len(part)}) · {r}" for r in rows_order]
    counts = np.vstack(blocks)
    sizes = np.repeat([b.sum() for b in blocks], len(rows_order))
    shares = counts / sizes[:, None]
    ax = _new_axes(ax, (2.2 + 1.5 * len(cols_order) + 1.5, 1.4 + 0.6 * len(ticks)))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=max(shares.max(), 0.01), aspect="auto")
    image.set_gid("shares")
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            dark = shares[i, j] > 0.6 * shares.max()
            ax.text(j, i, f"{shares[i, j]:.0%}\n({counts[i, j]})", ha="center", va="center",
                    fontsize=FONT["note"], color="white" if dark else "black")
    ax.set_xticks(range(len(cols_order)), cols_order)
    ax.set_yticks(range(len(ticks)), ticks)
    for k in range(1, len(groups)):
        ax.axhline(k * len(rows_order) - 0.5, color="black", linewidth=2)
    ax.set_xlabel(col)
    ax.set_ylabel(f"{by} · {row}")
    ax.set_title(f"{row} x {col}, share within each {by}")
    _style(ax)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    return ax


FREQS = {"year": "Y", "quarter": "Q", "month": "M"}


def plot_timeline(df: pd.DataFrame, label_col: str = "stance", *, date_col: str = "date", freq: str = "year",
                  shares: bool = False, ax=None):
    """Stacked bars of a label over time: statements per period, coloured by label.

    Rows without a parseable date are left out (the title says how many). Periods with no
    statements are not drawn, so the x axis lists only the periods that have statements.
    With ``shares=True`` each bar shows shares (adding to 100%) instead of counts.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"date": ["2022-01-05", "2022-03-01", "2023-07-09"], "tone": ["hostile", "neutral", "hostile"]})
    >>> [x.get_text() for x in plot_timeline(t, "tone").get_xticklabels()]
    ['2022\\n(n=2)', '2023\\n(n=1)']
    """
    import numpy as np

    if freq not in FREQS:
        raise InputError(f"freq must be one of {choices(FREQS)}, got {freq!r}")
    require_columns(df, [label_col, date_col], "plot_timeline")
    dates = pd.to_datetime(df[date_col], errors="coerce")
    keep = _labelled(df, label_col) & dates.notna()
    if not keep.any():
        raise InputError(f"no rows with both a {label_col!r} label and a date in {date_col!r} (YYYY-MM-DD)")
    periods = dates[keep].dt.to_period(FREQS[freq]).astype(str)
    table = pd.crosstab(periods, df.loc[keep, label_col].astype(str))
    labels = _ordered(table.columns, _scheme_order(df, label_col))
    table = table[labels].sort_index()
    values = table.to_numpy(dtype=float)
    totals = values.sum(axis=1)
    heights = values / totals[:, None] if shares else values
    colours = _colours(df, label_col, labels)
    ax = _new_axes(ax, (max(7.0, 1.0 + 0.9 * len(table)), 5))
    xs = np.arange(len(table))
    bottom = np.zeros(len(table))
    for j, label in enumerate(labels):
        bars = ax.bar(xs, heights[:, j], bottom=bottom, label=label, color=colours[label], edgecolor="white")
        for i, bar in enumerate(bars):
            bar.set_gid(f"{table.index[i]}:{label}")
            big = heights[i, j] >= (0.12 if shares else max(1.0, 0.08 * heights.sum(axis=1).max()))
            if values[i, j] and big:
                ax.text(xs[i], bottom[i] + heights[i, j] / 2, f"{int(values[i, j])}", ha="center", va="center",
                        fontsize=FONT["note"], color=text_colour(colours[label]))
        bottom += heights[:, j]
    ax.set_xticks(xs, [f"{p}\n(n={int(n)})" for p, n in zip(table.index, totals)],
                  rotation=45 if len(table) > 10 else 0, ha="right" if len(table) > 10 else "center")
    ax.set_xlabel(freq)
    if shares:
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(_percent_formatter())
        ax.set_ylabel("share of statements")
    else:
        ax.set_ylabel("statements")
        ax.yaxis.get_major_locator().set_params(integer=True)
    undated = int((_labelled(df, label_col) & dates.isna()).sum())
    ax.set_title(f"{label_col} over time" + (f" ({undated} undated row(s) left out)" if undated else ""))
    ax.legend(title=label_col, bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    _style(ax)
    return ax


def plot_confidence(df: pd.DataFrame, scheme: str = "stance", *, ax=None, seed: int = 0):
    """Where the model is unsure: the confidence of each predicted label, one row per label.

    Single-label schemes: ``S_confidence`` of the rows predicted as each label, with a dashed
    line at chance (1 / number of labels). Multi-label schemes: each label's probability
    ``S_p_<label>`` over all rows, with a dashed line at the threshold (filled dots: assigned).
    Each row shows a box (quartiles) and every statement as a dot (``ax.collections`` entries
    have the label as gid).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"tone": ["hostile", "neutral", "hostile"], "tone_confidence": [0.9, 0.4, 0.7]})
    >>> [x.get_text() for x in plot_confidence(t, "tone").get_yticklabels()]
    ['neutral (n=1)', 'hostile (n=2)']
    """
    import numpy as np

    look = scheme_look(df, scheme)
    labels, multi = list(look.display_order), look.multi_label
    if multi:
        require_columns(df, [f"{scheme}_p_{l}" for l in labels], "plot_confidence")
    else:
        require_columns(df, [scheme, f"{scheme}_confidence"], "plot_confidence")
        present = df.loc[_labelled(df, scheme), scheme].astype(str)
        labels = _ordered(present, _scheme_order(df, scheme))
    if not labels:
        raise InputError(f"no labelled rows in column {scheme!r} to plot")
    rng = np.random.default_rng(seed)
    colours = look.colours_for(labels)
    ax = _new_axes(ax, (9, 1.4 + 0.75 * len(labels)))
    threshold = look.threshold if multi else 0.5
    ticks = []
    for y, label in enumerate(labels):
        if multi:
            values = pd.to_numeric(df[f"{scheme}_p_{label}"], errors="coerce").dropna().to_numpy()
        else:
            chosen = _labelled(df, scheme) & (df[scheme].astype("string") == label)
            values = pd.to_numeric(df.loc[chosen, f"{scheme}_confidence"], errors="coerce").dropna().to_numpy()
        ticks.append(f"{label} (n={len(values)})" if not multi else
                     f"{label} (n={int((values >= threshold).sum())}/{len(values)})")
        if len(values) == 0:
            continue
        ax.boxplot(values, positions=[y], orientation="horizontal", widths=0.55, showfliers=False,
                   medianprops={"color": "black"}, boxprops={"color": "#555555"},
                   whiskerprops={"color": "#555555"}, capprops={"color": "#555555"})
        jitter = rng.uniform(-0.18, 0.18, len(values))
        face = [colours[label] if (not multi or v >= threshold) else "white" for v in values]
        dots = ax.scatter(values, y + jitter, s=36, c=face, edgecolors=colours[label], linewidths=1.2, zorder=3)
        dots.set_gid(label)
    line = threshold if multi else 1 / max(len(look.labels), 1)
    ax.axvline(line, color="black", linestyle="--", linewidth=1)
    ax.text(line, -0.6, f" {'threshold' if multi else 'chance'} {line:.2f}", fontsize=FONT["note"],
            va="bottom", ha="left")
    ax.set_yticks(range(len(labels)), ticks)
    ax.set_ylim(len(labels) - 0.5, -0.75)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"probability of the label ({scheme}_p_<label>)" if multi else
                  f"confidence ({scheme}_confidence: probability of the chosen label)")
    ax.set_ylabel(f"{scheme} label")
    ax.set_title(f"How sure is the model? {scheme}, per {'label' if multi else 'predicted label'}")
    _style(ax)
    return ax


def device_counts(df: pd.DataFrame, by: str = "source_type", scheme: str = "rhetoric",
                  labels: list[str] | None = None) -> pd.DataFrame:
    """Per group and device of a multi-label scheme: statements using it, group size, share.

    >>> t = pd.DataFrame({"source_type": ["a", "a", "b"], "rhetoric_doubt": [True, False, True]})
    >>> device_counts(t, labels=["doubt"])[["source_type", "rhetoric", "count", "n"]].values.tolist()
    [['a', 'doubt', 1, 2], ['b', 'doubt', 1, 1]]
    """
    from stance.compare import as_bool

    if labels is None:
        labels = list(scheme_look(df, scheme).display_order)
    cols = [f"{scheme}_{l}" for l in labels]
    require_columns(df, [by, *cols], f"the {scheme!r} chart")
    flags = pd.DataFrame({l: as_bool(df[c]) for l, c in zip(labels, cols)})
    keep = flags.notna().all(axis=1) & df[by].notna()
    if not keep.any():
        raise InputError(f"no rows with {scheme!r} labels and a {by!r} value to plot")
    flags = flags[keep].astype(int)
    groups = df.loc[keep, by].astype(str)
    counts = flags.groupby(groups).sum()
    sizes = groups.value_counts()
    out = counts.stack().rename("count").reset_index()
    out.columns = [by, scheme, "count"]
    out["n"] = out[by].map(sizes).astype("int64")
    out["share"] = out["count"] / out["n"]
    return out


def plot_rhetoric_by_source(df: pd.DataFrame, by: str = "source_type", *, scheme: str = "rhetoric",
                            labels: list[str] | None = None, ax=None, title: str | None = None):
    """Grouped bars: the share of each group's statements that have each label of a multi-label scheme
    (by default the rhetorical devices of ``rhetoric``).

    Needs the boolean ``<scheme>_<label>`` columns. A statement may have several labels or none,
    so shares do not add to 100%; each bar is labelled with share and count (``6/23``). Labels
    come in the scheme's display order; the bars are coloured by group.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["a", "b"], "rhetoric_doubt": [True, False]})
    >>> plot_rhetoric_by_source(t, labels=["doubt"]).get_xlabel()
    'share of statements with the label'
    """
    import numpy as np

    table = device_counts(df, by, scheme, labels)
    devices = list(dict.fromkeys(table[scheme]))
    groups = list(dict.fromkeys(table[by]))
    ax = _new_axes(ax, (9, 1.5 + 0.45 * len(devices) * max(len(groups), 2)))
    height = 0.8 / len(groups)
    colours = [OKABE_ITO[(4, 5, 2, 0, 6, 1, 3, 7)[k % 8]] for k in range(len(groups))]
    top = table["share"].max() or 1.0
    for k, g in enumerate(groups):
        part = table[table[by] == g].set_index(scheme).loc[devices]
        ys = np.arange(len(devices)) - 0.4 + height * (k + 0.5)
        n = int(part["n"].iloc[0])
        bars = ax.barh(ys, part["share"], height=height * 0.92, color=colours[k], label=f"{g} (n={n})")
        for bar, device, (share, count) in zip(bars, devices, part[["share", "count"]].to_numpy()):
            bar.set_gid(f"{g}:{device}")
            ax.text(share + top * 0.01, bar.get_y() + bar.get_height() / 2, f"{share:.0%} ({int(count)}/{n})",
                    va="center", ha="left", fontsize=FONT["note"])
    ax.set_yticks(range(len(devices)), [d.replace("_", " ") for d in devices])
    ax.invert_yaxis()
    ax.set_xlim(0, min(1.0, top * 1.3 + 0.05))
    ax.xaxis.set_major_formatter(_percent_formatter())
    ax.set_xlabel("share of statements with the label")
    ax.set_ylabel(f"{scheme} label")
    ax.set_title(title or f"{scheme_look(df, scheme).title} by {by}")
    ax.legend(title=by, loc="lower right", frameon=True)
    _style(ax)
    return ax


def plot_target_across_sources(df: pd.DataFrame, targets: str | list[str] | None = None, *,
                               label_col: str = "stance", by: str = "source_type", target_col: str = "target",
                               top: int = 6, ax=None):
    """The same target side by side across sources: label shares per target and source type.

    ``targets``: one target, a list, or ``None`` for the ``top`` targets that occur in at least
    two groups (most statements first). Each bar is one target in one group, with n.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["a", "b", "a"], "target": ["NATO", "NATO", "China"],
    ...                   "stance": ["favor", "against", "favor"]})
    >>> [x.get_text() for x in plot_target_across_sources(t).get_yticklabels()]
    ['NATO · a (n=1)', 'NATO · b (n=1)']
    """
    require_columns(df, [label_col, by, target_col], "plot_target_across_sources")
    data = df[_labelled(df, label_col) & df[by].notna() & df[target_col].notna()]
    if isinstance(targets, str):
        targets = [targets]
    if targets is None:
        spread = data.groupby(target_col)[by].nunique()
        sizes = data[target_col].value_counts()
        shared = [t for t in sizes.index if spread.get(t, 0) >= 2]
        targets = shared[:top]
        if not targets:
            raise InputError(f"no target in {target_col!r} occurs in two or more {by!r} groups: pass targets=")
    else:
        unknown = [t for t in targets if t not in set(data[target_col])]
        if unknown:
            raise InputError(f"target(s) {choices(unknown)} not in column {target_col!r}; "
                             f"the targets are {choices(sorted(data[target_col].astype(str).unique()))}")
    labels = _ordered(data[label_col].astype(str), _scheme_order(df, label_col))
    groups = sorted(data[by].astype(str).unique())
    rows, ys, ticks, y = [], [], [], 0.0
    for t in targets:
        for g in groups:
            part = data[(data[target_col] == t) & (data[by].astype(str) == g)]
            if part.empty:
                continue
            rows.append(part[label_col].astype(str).value_counts().reindex(labels, fill_value=0).to_numpy())
            ys.append(y)
            ticks.append(f"{t} · {g} (n={len(part)})")
            y += 1
        y += 0.5  # a gap between targets
    ax = _new_axes(ax, (9.5, 1.6 + 0.62 * len(rows) + 0.3 * len(targets)))
    _stacked_barh(ax, ys, rows, labels, _colours(df, label_col, labels))
    ax.set_yticks(ys, ticks)
    ax.invert_yaxis()
    ax.set_ylabel(f"{target_col} · {by}")
    ax.set_title(f"{label_col} toward each target, side by side across {by}")
    ax.legend(title=label_col, bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    _style(ax)
    return ax


def plot_fewshot(df: pd.DataFrame, *, ax=None, title: str | None = None):
    """Zero-shot vs few-shot macro-F1 by labelled statements per label, from
    :func:`stance.learning.learning_curve` (one row per scheme, ``k`` and draw).

    Per scheme, one colour: the few-shot mean as a solid line with the standard deviation over
    draws as error bars, the zero-shot mean on the same rows as a dashed line with its own.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> curve = pd.DataFrame({"scheme": "tone", "k": [4, 4, 8, 8], "draw": [0, 1, 0, 1],
    ...                       "zero_shot": [0.9, 0.92, 0.91, 0.9], "few_shot": [0.88, 0.93, 0.92, 0.91]})
    >>> plot_fewshot(curve).get_xlabel()
    'labelled statements per label (k)'
    """
    import numpy as np

    require_columns(df, ["scheme", "k", "zero_shot", "few_shot"], "plot_fewshot")
    if df.empty:
        raise InputError("plot_fewshot needs at least one row of a learning curve")
    ax = _new_axes(ax, (7.6, 4.0))
    stats = df.groupby(["scheme", "k"], sort=False)[["zero_shot", "few_shot"]].agg(["mean", "std"]).fillna(0)
    ks = sorted(df["k"].unique())
    for i, scheme in enumerate(dict.fromkeys(df["scheme"])):
        s = stats.loc[scheme].reindex(ks).dropna()
        colour = OKABE_ITO[[4, 5, 2, 0, 6, 1, 7, 3][i % 8]]
        shift = (i - 0.5) * 0.06  # side by side, so error bars do not hide each other
        x = np.log2(s.index.to_numpy(dtype=float))
        ax.errorbar(x + shift - 0.015, s[("zero_shot", "mean")], yerr=s[("zero_shot", "std")], color=colour,
                    linestyle="--", marker="o", markerfacecolor="white", capsize=3, label=f"{scheme}: zero-shot")
        ax.errorbar(x + shift + 0.015, s[("few_shot", "mean")], yerr=s[("few_shot", "std")], color=colour,
                    linestyle="-", marker="o", capsize=3, label=f"{scheme}: few-shot")
    ax.set_xticks(np.log2(np.asarray(ks, dtype=float)), [str(k) for k in ks])
    ax.set_xlabel("labelled statements per label (k)")
    ax.set_ylabel("macro-F1 on the rows not drawn")
    draws = int(df.groupby(["scheme", "k"]).size().min())
    ax.set_title(title or f"Zero-shot vs few-shot (mean ± sd over {draws} draw{'s' if draws != 1 else ''})")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    _style(ax)
    return ax
