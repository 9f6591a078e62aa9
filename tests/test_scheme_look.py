"""Schemes own their presentation: a new scheme file is charted, reported, compared and put on a
worksheet without code changes, in its own label order and colours; the look never changes a
cache key or a probability."""
from __future__ import annotations

import re
from dataclasses import replace

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import stance  # noqa: E402
from stance import plot  # noqa: E402
from stance.cache import digest, scheme_description  # noqa: E402
from stance.results import add_results  # noqa: E402
from stance.look import scheme_look, scheme_looks  # noqa: E402
from stance.schemes import OKABE_ITO, load_scheme  # noqa: E402

EMOTION = '''
name = "emotion"
version = "1"
description = "The emotion a statement expresses."
display_order = ["calm", "joy", "fear", "anger"]

[[labels]]
name = "anger"
colour = "#D55E00"
hypotheses = ["The speaker is angry.", "The statement is furious."]

[[labels]]
name = "fear"
colour = "#cc79a7"
hypotheses = ["The speaker is afraid.", "The statement is fearful."]

[[labels]]
name = "joy"
colour = "#F0E442"
hypotheses = ["The speaker is happy.", "The statement is joyful."]

[[labels]]
name = "calm"
hypotheses = ["The speaker is calm.", "The statement is composed."]
'''
# "calm" has no colour: the first Okabe-Ito colour not used by the others
COLOURS = {"anger": "#D55E00", "fear": "#CC79A7", "joy": "#F0E442", "calm": OKABE_ITO[0]}
ORDER = ["calm", "joy", "fear", "anger"]

FRAMES = '''
name = "frames"
multi_label = true
threshold = 0.5
display_order = ["security", "economy"]

[[labels]]
name = "economy"
colour = "#009E73"
hypotheses = ["This is about the economy."]

[[labels]]
name = "security"
colour = "#0072B2"
hypotheses = ["This is about security."]
'''


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def provenance(sch, threshold=None, target_col=None) -> dict:
    """What Classifier.classify records for a run (the model is a stand-in: nothing is run)."""
    return {"package_version": stance.__version__, "model": {"model": "test/no-model", "backend": "none"},
            "precision": "float32", "scheme": sch.provenance() | {"threshold": threshold},
            "target": None, "target_col": target_col}


def fake_run(table: pd.DataFrame, sch, seed: int, *, target_col=None) -> pd.DataFrame:
    """Add ``sch``'s result columns with seeded random probabilities (group ``b`` leans to the last labels)."""
    rng = np.random.default_rng(seed)
    k = len(sch.labels)
    if sch.multi_label:
        probs = rng.uniform(0, 1, (len(table), k))
        threshold = sch.threshold
    else:
        alpha = np.where((table["source_type"] == "b").to_numpy()[:, None], np.arange(1, k + 1), np.arange(k, 0, -1))
        probs = np.vstack([rng.dirichlet(a) for a in alpha.astype(float)])
        threshold = None
    return add_results(table, sch, probs, [""] * len(table), threshold or 0.5,
                       provenance(sch, threshold, target_col))


@pytest.fixture
def emotion_path(tmp_path):
    path = tmp_path / "emotion.toml"
    path.write_text(EMOTION, encoding="utf-8")
    return path


@pytest.fixture
def statements() -> pd.DataFrame:
    n = 24
    return pd.DataFrame({"id": [f"e{i:02d}" for i in range(n)], "text": [f"Statement number {i}." for i in range(n)],
                         "source_type": ["a", "b"] * (n // 2), "target": ["NATO", "China", "NATO"] * (n // 3),
                         "date": pd.date_range("2021-01-01", periods=n, freq="60D").strftime("%Y-%m-%d")})


@pytest.fixture
def emotion(statements, emotion_path) -> pd.DataFrame:
    """A results table of the emotion scheme, whose scheme file is gone afterwards: the look travels
    in the provenance."""
    out = fake_run(statements, load_scheme(emotion_path), seed=1)
    emotion_path.unlink()
    return out


def test_emotion_scheme_loads_with_its_look(emotion_path):
    sch = load_scheme(emotion_path)
    assert sch.label_names == ("anger", "fear", "joy", "calm")
    assert sch.display_order == tuple(ORDER) and sch.colours == COLOURS
    prov = sch.provenance()
    assert prov["display_order"] == ORDER and prov["colours"] == COLOURS


def test_the_table_names_its_schemes_and_their_look(emotion):
    assert emotion.attrs["stance"]["runs"]["emotion"]["scheme"]["colours"] == COLOURS
    (look,) = scheme_looks(emotion)
    assert look.name == "emotion" and look.labels == ("anger", "fear", "joy", "calm")
    assert list(look.display_order) == ORDER and look.colours == COLOURS
    assert not look.multi_label and not look.target_aware


def test_plot_draws_the_scheme_colours_in_display_order(emotion):
    ax = plot.plot_label_shares(emotion, "emotion")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    present = set(emotion["emotion"])
    assert legend == [label for label in ORDER if label in present]
    for patch in ax.patches:
        if patch.get_gid():
            label = patch.get_gid().split(":")[1]
            assert to_hex(patch.get_facecolor()).upper() == COLOURS[label]
    ax = plot.plot_confidence(emotion, "emotion")
    assert [t.get_text().split(" ")[0] for t in ax.get_yticklabels()] == [l for l in ORDER if l in present]
    for dots in ax.collections:
        if dots.get_gid():
            assert to_hex(dots.get_edgecolor()[0]).upper() == COLOURS[dots.get_gid()]
    ax = plot.plot_timeline(emotion, "emotion")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [l for l in ORDER if l in present]


def test_compare_a_new_scheme(emotion):
    out = stance.compare(emotion, scheme="emotion", n_boot=50)
    assert out["emotion"].tolist()[:4] == ["anger", "fear", "joy", "calm"]  # the table keeps label order
    for _, part in out.groupby("source_type"):
        assert part["share"].sum() == pytest.approx(1.0)
    assert out.attrs["test"]["test"] != "none"


def test_report_has_a_section_and_charts_for_a_new_scheme(emotion):
    from stance.report import charts, render_report

    assert sorted(charts(emotion)) == ["emotion_by_source_type", "emotion_confidence", "emotion_over_time"]
    page = render_report(emotion)
    assert '<figure id="emotion_by_source_type">' in page and '<figure id="emotion_confidence">' in page
    assert "<h3>emotion by source_type</h3>" in page and "<th>emotion conf.</th>" in page
    assert not re.search(r'<figure id="(stance|tone|rhetoric)', page)


def test_new_schemes_beside_built_in_ones(emotion, tmp_path):
    """A target-aware scheme and a new single-label one make the heatmap; a new multi-label scheme
    gets its own chart; each keeps its look through a CSV and its provenance sidecar."""
    from stance.report import charts, read_results, render_report

    (tmp_path / "frames.toml").write_text(FRAMES, encoding="utf-8")
    table = fake_run(emotion, load_scheme("stance"), seed=2, target_col="target")
    table = fake_run(table, load_scheme(tmp_path / "frames.toml"), seed=3)
    assert [look.name for look in scheme_looks(table)] == ["emotion", "stance", "frames"]
    names = list(charts(table))
    assert names[:3] == ["emotion_by_source_type", "stance_by_source_type", "stance_x_emotion"]
    assert {"frames_by_source_type", "targets_across_sources", "emotion_over_time", "frames_confidence"} <= set(names)
    ax = plot.plot_rhetoric_by_source(table, scheme="frames")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["security", "economy"]  # display order
    ax = plot.plot_stance_tone_heatmap(table, row="stance", col="emotion")
    assert [t.get_text() for t in ax.get_xticklabels()] == [l for l in ORDER if l in set(table["emotion"])]

    stance.write_table(table, tmp_path / "results.csv")
    (tmp_path / "frames.toml").unlink()
    back, prov = read_results(tmp_path / "results.csv")
    assert not back.attrs.get("stance")  # a CSV has no attrs: the sidecar is passed on
    page = render_report(back, provenance=prov)
    for figure in ("emotion_by_source_type", "stance_x_emotion", "frames_by_source_type"):
        assert f'<figure id="{figure}">' in page
    back.attrs["stance"] = prov
    assert scheme_look(back, "emotion").colours == COLOURS and scheme_look(back, "frames").multi_label


def test_worksheet_columns_for_a_new_scheme(emotion, statements, tmp_path):
    from stance.classroom import make_worksheet, worksheet_html

    sheet = make_worksheet(emotion, n=8, seed=0)  # the provenance names emotion
    assert sheet.columns.tolist() == ["id", "text", "target", "emotion", "comment"]
    assert sheet["emotion"].eq("").all()
    page = worksheet_html(sheet)
    ticks = re.findall(r"&#9744; (\w+)</span>", page.split("</tr>")[1])  # the first statement's boxes
    assert ticks == ORDER

    path = tmp_path / "emotion.toml"
    path.write_text(EMOTION, encoding="utf-8")
    sheet = make_worksheet(statements, n=8, labels=["stance", str(path)])  # asked for by file
    assert sheet.columns.tolist() == ["id", "text", "target", "stance", "emotion", "comment"]
    page = worksheet_html(sheet)
    assert "&#9744; calm" in page and "&#9744; favor" in page and "Stance is toward the target." in page
    stance.write_table(sheet, tmp_path / "sheet.csv")
    assert not (tmp_path / "sheet.provenance.json").exists()
    assert make_worksheet(statements, n=4).columns.tolist() == ["id", "text", "target", "stance", "tone", "comment"]


def test_presentation_does_not_change_the_cache_key(emotion_path, tmp_path):
    plain = tmp_path / "plain.toml"
    text = re.sub(r'(?m)^(colour|display_order) = .*\n', "", EMOTION)
    plain.write_text(text, encoding="utf-8")
    looked, bare = load_scheme(emotion_path), load_scheme(plain)
    assert bare.display_order == bare.label_names and bare.colours != looked.colours
    assert scheme_description(looked) == scheme_description(bare)
    assert "colours" not in scheme_description(looked) and "display_order" not in scheme_description(looked)
    tone = load_scheme("tone")
    other = replace(tone, display_order=("hostile",), colours={"hostile": "#000000"})
    assert other.display_order[0] == "hostile" and other.colours["hostile"] == "#000000"
    assert digest(scheme_description(other)) == digest(scheme_description(tone))


def test_presentation_does_not_change_probabilities():
    texts = pd.DataFrame({"text": ["NATO is a puppet stained with blood.", "We welcome dialogue."]})
    tone = load_scheme("tone")
    other = replace(tone, display_order=tuple(reversed(tone.label_names)), colours={"neutral": "#000000"})
    fresh = stance.Classifier(progress=False, cache=False)  # computed twice, not read from the cache
    a = fresh.classify(texts, scheme=tone, progress=False)
    b = fresh.classify(texts, scheme=other, progress=False)
    cols = [f"tone_p_{label}" for label in tone.label_names]
    np.testing.assert_array_equal(a[cols].to_numpy(), b[cols].to_numpy())
    assert b.attrs["stance"]["runs"]["tone"]["scheme"]["colours"]["neutral"] == "#000000"


@pytest.mark.parametrize("change,match", [
    ('colour = "#D55E00"', r"label 'anger' has colour 'red': use '#RRGGBB'.*'#E69F00'"),
    ('display_order = ["calm", "joy", "fear", "anger"]', r"display_order names 'sad', not a label: choose from 'anger'"),
    ('display_order = ["calm", "joy", "fear", "anger"]', r"display_order repeats 'calm'"),
])
def test_bad_presentation_is_one_line(emotion_path, change, match):
    bad = {"colour": 'colour = "red"', "display_order names": 'display_order = ["calm", "sad"]',
           "repeats": 'display_order = ["calm", "calm"]'}
    key = next(k for k in bad if k in match)
    emotion_path.write_text(EMOTION.replace(change, bad[key], 1), encoding="utf-8")
    with pytest.raises(stance.SchemeError, match=match) as err:
        load_scheme(emotion_path)
    assert "\n" not in str(err.value) and "emotion.toml" in str(err.value)
