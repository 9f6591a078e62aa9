"""Every chart on real results: what is drawn matches the table's counts and shares."""
from __future__ import annotations

import re
import subprocess
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from stance import InputError, plot  # noqa: E402
from stance.compare import compare  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def bars(ax):
    """Bars drawn with a gid (row:label) -> the Rectangle."""
    return {p.get_gid(): p for p in ax.patches if p.get_gid()}


def test_import_stance_does_not_import_matplotlib():
    code = "import sys, stance; stance.compare; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("scheme,fn", [("stance", plot.plot_stance_by_source), ("tone", plot.plot_tone_by_source)])
def test_label_shares_bars_match_compare(results, scheme, fn):
    ax = fn(results)
    table = compare(results, scheme=scheme, n_boot=10)
    drawn = bars(ax)
    groups = sorted(results["source_type"].unique())
    for i, g in enumerate(groups):
        part = table[(table["source_type"] == g) & (table["count"] > 0)]
        widths = [drawn[f"{i}:{lab}"].get_width() for lab in part[scheme]]
        assert widths == pytest.approx(part["share"].tolist())
        assert sum(widths) == pytest.approx(1.0)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    # n counts the labelled rows (the bundled Chinese and Russian rows have no label from the default model)
    expected = []
    for g in groups:
        in_group = results["source_type"] == g
        flagged = int(results.loc[in_group, f"{scheme}_review"].fillna(False).sum())
        expected.append(f"{g}\n(n={int((in_group & results[scheme].notna()).sum())}, {flagged} to review)")
    assert ticks == expected
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    # each bar prints its shares as whole percentages that add to 100 (segments under 5% unprinted)
    printed: dict[float, list[int]] = {}
    for t in ax.texts:
        m = re.fullmatch(r"(\d+)%(?:\n\((\d+)\))?", t.get_text())
        assert m, t.get_text()
        printed.setdefault(round(t.get_position()[1], 6), []).append(int(m.group(1)))
    for i, g in enumerate(groups):
        part = table[(table["source_type"] == g) & (table["count"] > 0)]
        bar = drawn[f"{i}:{part[scheme].iloc[0]}"]
        percents = plot.percent_labels(part["share"].to_numpy())
        assert sum(percents) == 100
        expected = sorted(p for p, share in zip(percents, part["share"]) if share >= 0.05)
        assert sorted(printed[round(bar.get_y() + bar.get_height() / 2, 6)]) == expected


def test_heatmap_cells_match_counts(results):
    ax = plot.plot_stance_tone_heatmap(results)
    shares = np.asarray(ax.images[0].get_array())
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    tones = [t.get_text() for t in ax.get_xticklabels()]
    for i, tick in enumerate(ticks):
        group, stance_label = re.fullmatch(r"(\S+) \(n=\d+\) · (\S+)", tick).groups()
        labelled = results["stance"].notna() & results["tone"].notna()  # not the zh/ru rows (no label)
        part = results[(results["source_type"] == group) & labelled]
        for j, tone in enumerate(tones):
            count = int(((part["stance"] == stance_label) & (part["tone"] == tone)).sum())
            assert shares[i, j] == pytest.approx(count / len(part))
    for g in results["source_type"].unique():  # each source type's block adds to 100%
        rows = [i for i, t in enumerate(ticks) if t.startswith(f"{g} ")]
        assert shares[rows].sum() == pytest.approx(1.0)
    assert len(ax.texts) == shares.size


@pytest.mark.parametrize("shares", [False, True])
def test_timeline_bars_match_counts(results, shares):
    ax = plot.plot_timeline(results, "tone", shares=shares)
    years = pd.to_datetime(results["date"]).dt.year.astype(str)
    expected = pd.crosstab(years, results["tone"])
    for gid, bar in bars(ax).items():
        year, tone = gid.split(":")
        value = expected.loc[year, tone] / (expected.loc[year].sum() if shares else 1)
        assert bar.get_height() == pytest.approx(value)
    assert len(bars(ax)) == expected.size
    assert ax.get_xlabel() == "year" and ax.get_ylabel()


def test_confidence_dots_match_rows(results):
    ax = plot.plot_confidence(results, "stance")
    dots = {c.get_gid(): c.get_offsets() for c in ax.collections if c.get_gid()}
    for label, points in dots.items():
        expected = results.loc[results["stance"] == label, "stance_confidence"].to_numpy()
        assert sorted(points[:, 0]) == pytest.approx(sorted(expected))
    assert sum(len(p) for p in dots.values()) == results["stance"].notna().sum()  # every labelled row
    ax = plot.plot_confidence(results, "rhetoric")  # multi-label: every row per label
    labelled = int((results["rhetoric_error"] == "").sum())  # every labelled row per label
    assert all(len(c.get_offsets()) == labelled for c in ax.collections if c.get_gid())


def test_rhetoric_bars_match_counts(results):
    ax = plot.plot_rhetoric_by_source(results)
    table = compare(results, scheme="rhetoric", n_boot=10)
    drawn = bars(ax)
    assert len(drawn) == len(table)
    for row in table.itertuples():
        assert drawn[f"{row.source_type}:{row.rhetoric}"].get_width() == pytest.approx(row.share)
        assert row.count == int(results[f"rhetoric_{row.rhetoric}"][results["source_type"] == row.source_type].sum())


def test_rhetoric_chart_reads_csv_booleans(results, tmp_path):
    import stance

    stance.write_table(results, tmp_path / "r.csv")
    back = stance.read_table(tmp_path / "r.csv")
    a, b = plot.device_counts(results), plot.device_counts(back)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_target_across_sources(results):
    ax = plot.plot_target_across_sources(results, ["NATO", "China"])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0].startswith("NATO · official")
    drawn = bars(ax)
    for i, tick in enumerate(ticks):
        target, group = re.fullmatch(r"(.+) · (\S+) \(n=\d+\)", tick).groups()
        part = results[(results["target"] == target) & (results["source_type"] == group)]
        shares = part["stance"].value_counts(normalize=True)
        got = {gid.split(":")[1]: p.get_width() for gid, p in drawn.items() if gid.startswith(f"{i}:")}
        assert {k: v for k, v in got.items() if v > 0} == pytest.approx(shares.to_dict())
    auto = plot.plot_target_across_sources(results)  # default: targets found in both groups
    assert len(auto.get_yticklabels()) >= 4
    with pytest.raises(InputError, match="'Atlantis'.*the targets are"):
        plot.plot_target_across_sources(results, "Atlantis")


CASES = [
    (plot.plot_stance_by_source, {}, "stance"),
    (plot.plot_tone_by_source, {}, "tone"),
    (plot.plot_stance_tone_heatmap, {}, "tone"),
    (plot.plot_timeline, {"label_col": "stance"}, "date"),
    (plot.plot_confidence, {"scheme": "stance"}, "stance_confidence"),
    (plot.plot_rhetoric_by_source, {}, "rhetoric_doubt"),
    (plot.plot_target_across_sources, {}, "target"),
]


@pytest.mark.parametrize("fn,kwargs,column", CASES, ids=[c[0].__name__ for c in CASES])
def test_missing_column_is_named(results, fn, kwargs, column):
    with pytest.raises(InputError, match=rf"needs column\(s\) '{column}'"):
        fn(results.drop(columns=[column]), **kwargs)


def test_bad_freq_names_choices(results):
    with pytest.raises(InputError, match=r"'year', 'quarter', 'month', got 'week'"):
        plot.plot_timeline(results, freq="week")


def test_draws_on_given_axes_and_never_shows(results, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    fig, axes = plt.subplots(1, 2)
    assert plot.plot_timeline(results, ax=axes[1]) is axes[1]
    assert plot.plot_confidence(results, "tone", ax=axes[0]) is axes[0]


def test_percent_labels_add_to_100():
    for shares in ([0.333, 0.333, 0.334], [0.125] * 8, [1 / 7] * 7, [0.5, 0.5]):
        assert sum(plot.percent_labels(shares)) == 100
