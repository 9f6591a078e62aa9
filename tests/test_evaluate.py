"""Metrics and agreement equal scikit-learn and published worked examples."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score, precision_recall_fscore_support

from stance.agreement import agreement, cohen_kappa, disputed, fleiss_kappa, fleiss_kappa_counts, krippendorff_alpha
from stance.errors import InputError
from stance.evaluate import evaluate, macro_f1

LABELS = ["favor", "against", "neutral"]


def random_labels(seed, n=120, missing=0.0):
    rng = np.random.default_rng(seed)
    gold = rng.choice(LABELS, n)
    pred = np.where(rng.random(n) < 0.6, gold, rng.choice(LABELS, n)).astype(object)
    pred[rng.random(n) < missing] = None
    return list(gold), list(pred)


@pytest.mark.parametrize("seed", range(5))
def test_evaluate_equals_sklearn(seed):
    gold, pred = random_labels(seed)
    result = evaluate((gold, pred), labels=LABELS, n_boot=0)
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=LABELS, zero_division=0)
    assert np.allclose(result.per_label[["precision", "recall", "f1"]].to_numpy().T, [p, r, f])
    assert result.per_label["support"].tolist() == s.tolist()
    assert result.accuracy == pytest.approx(accuracy_score(gold, pred))
    assert result.macro_f1 == pytest.approx(f1_score(gold, pred, labels=LABELS, average="macro", zero_division=0))
    assert result.macro_f1 == pytest.approx(macro_f1(gold, pred, labels=LABELS))
    assert result.f_avg == pytest.approx(f1_score(gold, pred, labels=["favor", "against"], average="macro"))
    from sklearn.metrics import confusion_matrix

    assert (result.confusion.to_numpy() == confusion_matrix(gold, pred, labels=LABELS)).all()


def test_missing_predictions_count_as_wrong_and_show_in_confusion():
    gold, pred = random_labels(7, missing=0.1)
    result = evaluate(pd.DataFrame({"g": gold, "p": pred}), gold="g", pred="p", n_boot=0)
    filled = ["(none)" if p is None else p for p in pred]
    assert result.macro_f1 == pytest.approx(f1_score(gold, filled, labels=LABELS, average="macro", zero_division=0))
    assert result.confusion.columns[-1] == "(no label)"
    assert result.confusion.to_numpy().sum() == len(gold)


def test_bootstrap_intervals_are_seeded_and_contain_the_estimate():
    gold, pred = random_labels(3)
    a = evaluate((gold, pred), n_boot=300, seed=1)
    b = evaluate((gold, pred), n_boot=300, seed=1)
    assert a.ci.equals(b.ci)
    for metric in ("accuracy", "macro_f1", "f_avg"):
        low, high = a.ci.loc[metric]
        assert low <= getattr(a, metric) <= high and high - low < 0.4
    json.dumps(a.to_dict())  # JSON-ready


def test_no_f_avg_without_favor_and_against():
    assert evaluate((["hostile", "neutral"], ["hostile", "hostile"]), n_boot=0).f_avg is None


def test_evaluate_errors_name_the_columns():
    with pytest.raises(InputError, match="the columns are 'g', 'p'"):
        evaluate(pd.DataFrame({"g": ["a"], "p": ["a"]}), gold="gold", pred="p")


@pytest.mark.parametrize("seed", range(5))
def test_cohen_kappa_equals_sklearn(seed):
    a, b = random_labels(seed, n=60)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_cohen_kappa_skips_missing_ratings():
    a, b = ["x", "y", None, "x"], ["x", "y", "y", "y"]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(["x", "y", "x"], ["x", "y", "y"]))


def test_krippendorff_2011_nominal_example_with_missing_data():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
    # four observers, twelve units, missing values; nominal alpha = 0.743
    nan = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    table = pd.DataFrame(data, index=list("ABCD"), dtype=object).T
    assert round(krippendorff_alpha(table), 3) == 0.743


def test_krippendorff_wikipedia_nominal_example():
    # the worked example of Wikipedia's "Krippendorff's alpha" (three coders, 15 units): nominal 0.691
    nan = None
    data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    assert round(krippendorff_alpha(pd.DataFrame(data, dtype=object).T), 3) == 0.691


def test_fleiss_1971_wikipedia_example():
    # Wikipedia's "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories; kappa = 0.210
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert round(fleiss_kappa_counts(counts), 3) == 0.210
    # the same from a ratings table (one column per rater)
    rows = [[c for c, k in enumerate(row) for _ in range(k)] for row in counts]
    assert fleiss_kappa(pd.DataFrame(rows)) == pytest.approx(fleiss_kappa_counts(counts))


def test_two_raters_without_missing_alpha_is_close_to_kappa():
    a, b = random_labels(11, n=200)
    t = pd.DataFrame({"a": a, "b": b})
    assert krippendorff_alpha(t) == pytest.approx(fleiss_kappa(t), abs=0.01)  # alpha -> pi for large n


def test_agreement_and_disputed():
    t = pd.DataFrame({"text": ["p", "q", "r"], "s1": ["a", "a", "b"], "s2": ["a", "b", None], "m": ["a", "b", "b"]})
    result = agreement(t, ["s1", "s2", "m"])
    d = result.to_dict()
    assert set(d) >= {"krippendorff_alpha", "fleiss_kappa", "cohen_kappa"}
    assert d["cohen_kappa"][0]["raters"] == ["s1", "s2"] and len(d["cohen_kappa"]) == 3
    assert result.table["measure"].tolist()[:2] == ["Krippendorff's alpha", "Fleiss' kappa"]
    top = disputed(t, ["s1", "s2", "m"])
    assert top["text"].iloc[0] == "q" and top["majority"].iloc[0] == "b"
    with pytest.raises(InputError, match="no rater column"):
        agreement(t, ["s1", "nobody"])


def test_top_level_functions_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import stance
    from stance.plot import plot_agreement, plot_confusion

    gold, pred = random_labels(2)
    df = pd.DataFrame({"gold": gold, "pred": pred})
    result = stance.evaluate(df, gold="gold", pred="pred", n_boot=0)
    ax = plot_confusion(result, normalize=True)
    assert ax.get_xlabel() == "predicted label" and len(ax.texts) == 9
    fig, ax2 = plt.subplots()
    assert plot_confusion(df, gold="gold", pred="pred", ax=ax2) is ax2
    assert plot_agreement(stance.agreement(df)).get_title().startswith("Cohen's kappa")
    plt.close("all")
