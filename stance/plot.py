"""Charts of a results table. Each function returns the matplotlib Axes and never shows it.

Colours are the Okabe-Ito palette, safe for colour-blind readers.
"""
from __future__ import annotations

import pandas as pd

from stance.errors import InputError, choices

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
# Fixed colours for the default schemes' labels, so every chart reads the same way.
LABEL_COLOURS = {
    "favor": "#009E73", "against": "#D55E00", "neutral": "#999999",
    "hostile": "#D55E00", "critical": "#E69F00", "conciliatory": "#0072B2",
}


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

    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"source_type": ["official", "state_media"], "tone": ["critical", "hostile"]})
    >>> plot_label_shares(t, "tone").get_xlabel()
    'share of statements'
    """
    import matplotlib.pyplot as plt

    counts = label_shares(df, label_col, by)
    if counts.empty:
        raise InputError(f"no labelled rows in column {label_col!r} to plot")
    wide = counts.pivot(index=by, columns=label_col, values="share").fillna(0.0)
    totals = counts.groupby(by)["count"].sum()
    labels = [l for l in (order or []) if l in wide.columns] + [l for l in wide.columns if l not in (order or [])]
    wide = wide[labels]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1.2 + 0.7 * len(wide)))
    left = pd.Series(0.0, index=wide.index)
    spare = iter(OKABE_ITO)
    for label in labels:
        colour = LABEL_COLOURS.get(label) or next(spare)
        ax.barh([f"{g}\n(n={totals[g]})" for g in wide.index], wide[label], left=left, label=label,
                color=colour, edgecolor="white")
        left += wide[label]
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of statements")
    ax.set_title(title or f"{label_col} by {by}")
    ax.legend(title=label_col, bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    return ax


def plot_stance_by_source(df: pd.DataFrame, by: str = "source_type", *, ax=None):
    """Stance shares per source type (favor / against / neutral)."""
    return plot_label_shares(df, "stance", by, order=["favor", "neutral", "against"], ax=ax,
                             title=f"Stance toward the target, by {by}")


def plot_tone_by_source(df: pd.DataFrame, by: str = "source_type", *, ax=None):
    """Tone shares per source type (conciliatory / neutral / critical / hostile)."""
    return plot_label_shares(df, "tone", by, order=["conciliatory", "neutral", "critical", "hostile"], ax=ax,
                             title=f"Tone by {by}")


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
