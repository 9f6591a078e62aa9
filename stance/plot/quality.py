"""Charts of quality and time: confusion, agreement, confidence, few-shot curves, timelines."""
from __future__ import annotations

import pandas as pd

from stance.errors import InputError, choices
from stance.plot.style import (FONT, OKABE_ITO, _colours, _heatmap, _labelled, _new_axes, _ordered,
                               _percent_formatter, _scheme_order, _style, require_columns, text_colour)
from stance.look import scheme_look


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
