"""Charts of label shares across groups: one bar per group, heatmaps, rhetorical devices, targets."""
from __future__ import annotations

import pandas as pd

from stance.errors import InputError, choices
from stance.plot.style import (FONT, OKABE_ITO, _colours, _labelled, _new_axes, _ordered, _percent_formatter,
                               _scheme_order, _stacked_barh, _style, require_columns)
from stance.look import scheme_look


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


