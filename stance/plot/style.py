"""What every chart shares: the palette, fonts, percentages that add to 100, axes and the
scheme's label order and colours."""
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

