"""stance.compare against scipy computed directly."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import stance
from stance.compare import choose_test, test_summary


def table(groups: dict[str, dict[str, int]], col: str = "stance") -> pd.DataFrame:
    rows = [(g, label) for g, counts in groups.items() for label, k in counts.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=["source_type", col])


def test_chi_square_matches_scipy():
    counts = {"official": {"favor": 20, "against": 10, "neutral": 15},
              "state_media": {"favor": 8, "against": 25, "neutral": 12}}
    out = stance.compare(table(counts), scheme="stance")
    observed = np.array([[20, 10, 15], [8, 25, 12]])[:, [0, 1, 2]]
    ref = stats.chi2_contingency(observed, correction=False)
    test = out.attrs["test"]
    assert test["test"] == "chi-square"
    assert test["statistic"] == pytest.approx(ref.statistic) and test["p_value"] == pytest.approx(ref.pvalue)
    assert test["dof"] == ref.dof == 2
    assert test["min_expected"] == pytest.approx(ref.expected_freq.min())
    assert "chi-square" in test_summary(out)


def test_fisher_for_2x2_matches_scipy():
    out = stance.compare(table({"a": {"favor": 7, "against": 2}, "b": {"favor": 3, "against": 9}}),
                         scheme="stance", labels=["favor", "against"])
    ref = stats.fisher_exact([[7, 2], [3, 9]])
    test = out.attrs["test"]
    assert test["test"] == "Fisher's exact"
    assert test["p_value"] == pytest.approx(ref.pvalue) and test["statistic"] == pytest.approx(ref.statistic)


def test_small_expected_counts_use_fisher_permutation_like_scipy():
    counts = {"a": {"favor": 4, "against": 1, "neutral": 1}, "b": {"favor": 1, "against": 5, "neutral": 2}}
    out = stance.compare(table(counts), scheme="stance", seed=3)
    test = out.attrs["test"]
    assert test["test"].startswith("Fisher-Freeman-Halton") and "< 5" in test["note"]
    observed = np.array([[4, 1, 1], [1, 5, 2]])
    ref = stats.fisher_exact(observed, method=stats.PermutationMethod(n_resamples=9999,
                                                                      rng=np.random.default_rng(3)))
    assert test["p_value"] == pytest.approx(ref.pvalue)
    again = stance.compare(table(counts), scheme="stance", seed=3)  # seeded: reproducible
    assert again.attrs["test"]["p_value"] == test["p_value"]


def test_counts_shares_and_bootstrap(results):
    out = stance.compare(results, scheme="tone", n_boot=500, seed=1)
    for g, part in out.groupby("source_type"):
        expected = results.loc[results["source_type"] == g, "tone"].value_counts()
        assert dict(zip(part["tone"], part["count"])) == {k: int(expected.get(k, 0)) for k in part["tone"]}
        assert part["share"].sum() == pytest.approx(1.0)
        assert (part["n"] == expected.sum()).all()
    assert ((out["ci_low"] <= out["share"]) & (out["share"] <= out["ci_high"])).all()
    assert out["tone"].tolist()[:4] == ["hostile", "critical", "neutral", "conciliatory"]
    pd.testing.assert_frame_equal(out, stance.compare(results, scheme="tone", n_boot=500, seed=1))
    # the percentile interval agrees with scipy's bootstrap of the same indicator
    official = (results.loc[results["source_type"] == "official", "tone"] == "critical").to_numpy(float)
    ref = stats.bootstrap((official,), np.mean, method="percentile", n_resamples=4000,
                          rng=np.random.default_rng(0)).confidence_interval
    row = stance.compare(results, scheme="tone", n_boot=4000).query("source_type == 'official' and tone == 'critical'")
    assert row["ci_low"].item() == pytest.approx(ref.low, abs=0.05)
    assert row["ci_high"].item() == pytest.approx(ref.high, abs=0.05)


def test_multi_label_scheme_tests_each_device(results):
    out = stance.compare(results, scheme="rhetoric", n_boot=50)
    tests = out.attrs["tests"]
    assert set(tests["rhetoric"]) == set(out["rhetoric"])
    row = out[out["rhetoric"] == "loaded_language"].set_index("source_type")
    observed = np.column_stack([row["count"], row["n"] - row["count"]])
    ref = stats.fisher_exact(observed)
    got = tests.set_index("rhetoric").loc["loaded_language"]
    assert got["test"] == "Fisher's exact" and got["p_value"] == pytest.approx(ref.pvalue)
    assert out.attrs["test"]["p_value"] == pytest.approx(tests["p_value"].min())


def test_errors_name_the_problem(results):
    with pytest.raises(stance.InputError, match="grouping column 'outlet'"):
        stance.compare(results, by="outlet")
    with pytest.raises(stance.InputError, match="label column 'stance'"):
        stance.compare(results.drop(columns=["stance"]))
    with pytest.raises(stance.InputError, match=r"needs column\(s\) 'rhetoric_doubt'"):
        stance.compare(results.drop(columns=["rhetoric_doubt"]), scheme="rhetoric")
    with pytest.raises(stance.InputError, match="between 0 and 1.*got 95"):
        stance.compare(results, ci=95)
    with pytest.raises(stance.InputError, match="'maybe' not among"):
        stance.compare(pd.DataFrame({"source_type": ["a"], "stance": ["maybe"]}))


def test_one_group_is_not_tested():
    assert choose_test(np.array([[3, 4]]))["test"] == "none"
