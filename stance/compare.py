"""Compare label distributions between groups: counts, shares, bootstrap intervals and a test.

``compare(results, by="source_type", scheme="stance")`` is the table behind the charts of
:mod:`stance.plot`: for each group and label, how many statements and what share, with a
seeded bootstrap confidence interval for the share, and a test of whether the groups'
distributions differ (in ``.attrs["test"]``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from stance.errors import InputError, choices

MIN_EXPECTED = 5.0


def scheme_labels(df: pd.DataFrame, scheme: str) -> tuple[list[str], bool]:
    """The labels of ``scheme`` in order, and whether it is multi-label, for a results table.

    Taken from the table's provenance (``df.attrs["stance"]``) when present, else from the
    built-in or file scheme of that name, else from the ``S_p_<label>`` columns (see
    :func:`stance.look.scheme_look`). The order is the scheme's label order, the order of its
    probability columns (charts use its ``display_order``).

    >>> scheme_labels(pd.DataFrame({"tone": ["hostile"]}), "tone")
    (['hostile', 'critical', 'neutral', 'conciliatory'], False)
    """
    from stance.look import scheme_look

    look = scheme_look(df, scheme)
    return list(look.labels), look.multi_label


def as_bool(series: pd.Series) -> pd.Series:
    """A boolean column as read back from CSV / JSONL (True/False, "true", 1/0), missing kept.

    >>> as_bool(pd.Series(["True", "false", None, 1])).tolist()
    [True, False, <NA>, True]
    """
    mapping = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}

    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return pd.NA
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        return mapping.get(str(v).strip().lower(), pd.NA)

    return pd.Series([one(v) for v in series], index=series.index, dtype="boolean")


def choose_test(observed: np.ndarray, *, n_resamples: int = 9999, seed: int = 0) -> dict:
    """Test whether rows of a contingency table (groups x labels) differ.

    Fisher's exact test for a 2x2 table; for larger tables with any expected count below
    5, the Fisher-Freeman-Halton exact test with a permutation p-value (seeded); otherwise
    Pearson's chi-square test of independence. Rows or columns that are all zero are dropped.

    >>> t = choose_test(np.array([[8, 2], [1, 9]]))
    >>> t["test"], round(t["p_value"], 4)
    ("Fisher's exact", 0.0055)
    """
    from scipy import stats

    obs = np.asarray(observed, dtype=float)
    obs = obs[obs.sum(axis=1) > 0][:, obs.sum(axis=0) > 0]
    result = {"test": "none", "statistic": np.nan, "dof": np.nan, "p_value": np.nan,
              "min_expected": np.nan, "table_shape": f"{obs.shape[0]}x{obs.shape[1]}", "note": ""}
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        result["note"] = "fewer than two groups or two labels with statements: nothing to test"
        return result
    expected = stats.contingency.expected_freq(obs)
    result["min_expected"] = float(expected.min())
    result["dof"] = int((obs.shape[0] - 1) * (obs.shape[1] - 1))
    if obs.shape == (2, 2):
        res = stats.fisher_exact(obs.astype(int))
        result.update(test="Fisher's exact", statistic=float(res.statistic), p_value=float(res.pvalue),
                      note="2x2 table: Fisher's exact test (statistic: odds ratio)")
    elif expected.min() < MIN_EXPECTED:
        method = stats.PermutationMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
        res = stats.fisher_exact(obs.astype(int), method=method)
        result.update(test="Fisher-Freeman-Halton exact (permutation)", statistic=float(res.statistic),
                      p_value=float(res.pvalue),
                      note=f"smallest expected count {expected.min():.2f} < {MIN_EXPECTED:g}: Fisher's exact "
                           f"test for a {result['table_shape']} table, p from {n_resamples} permutations "
                           f"(seed {seed}; statistic: probability of the observed table)")
    else:
        res = stats.chi2_contingency(obs, correction=False)
        result.update(test="chi-square", statistic=float(res.statistic), p_value=float(res.pvalue),
                      note=f"every expected count >= {MIN_EXPECTED:g}: Pearson's chi-square test of independence")
    return result


def bootstrap_shares(indicators: np.ndarray, *, n_boot: int, ci: float, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of the column means of a rows x labels 0/1 matrix.

    >>> lo, hi = bootstrap_shares(np.eye(2)[[0, 0, 1, 1]], n_boot=200, ci=0.9, rng=np.random.default_rng(0))
    >>> bool((lo <= 0.5).all() and (hi >= 0.5).all())
    True
    """
    n = len(indicators)
    idx = rng.integers(0, n, size=(n_boot, n))
    means = indicators[idx].mean(axis=1)  # n_boot x labels
    alpha = (1 - ci) / 2
    return np.quantile(means, alpha, axis=0), np.quantile(means, 1 - alpha, axis=0)


def compare(df: pd.DataFrame, by: str = "source_type", scheme: str = "stance", *,
            labels: list[str] | None = None, n_boot: int = 2000, ci: float = 0.95, seed: int = 0,
            n_resamples: int = 9999) -> pd.DataFrame:
    """Counts and shares of ``scheme``'s labels per group, bootstrap CIs and a test of difference.

    Parameters
    ----------
    df : a results table (``Classifier.classify`` output, or read back with ``read_table``)
    by : the grouping column (``source_type``, ``source``, ``target``...)
    scheme : the scheme's label column (``stance``, ``tone``) or a multi-label scheme
        (``rhetoric``: uses the boolean ``rhetoric_<label>`` columns)
    labels : the labels, in order (default: the scheme's)
    n_boot, ci, seed : bootstrap resamples, interval level, and seed (results are reproducible)
    n_resamples : permutations for Fisher's exact test on tables larger than 2x2

    Returns
    -------
    A long DataFrame, one row per group and label: ``by``, ``scheme`` (the label), ``count``,
    ``n`` (labelled statements in the group), ``share`` (count / n), ``ci_low``, ``ci_high``,
    ``n_review`` (how many of the group's statements ``S_review`` flags for a human look;
    missing when the table has no ``S_review`` column).
    Single-label: shares within a group add to 1, and ``.attrs["test"]`` holds the test
    (``test``, ``statistic``, ``dof``, ``p_value``, ``min_expected``, ``note``) of whether the
    groups' label distributions differ. Multi-label: a share is the share of the group's
    statements that use the device, and each label is tested on its own (used / not used x
    groups) in ``.attrs["tests"]`` (a DataFrame), with ``.attrs["test"]`` the smallest p.

    Examples
    --------
    >>> t = pd.DataFrame({"source_type": ["a"] * 6 + ["b"] * 6,
    ...                   "stance": ["favor"] * 5 + ["against"] + ["against"] * 5 + ["favor"]})
    >>> out = compare(t, scheme="stance", labels=["favor", "against"])
    >>> out[["source_type", "stance", "count", "share"]].round(3).values.tolist()
    [['a', 'favor', 5, 0.833], ['a', 'against', 1, 0.167], ['b', 'favor', 1, 0.167], ['b', 'against', 5, 0.833]]
    >>> out.attrs["test"]["test"]
    "Fisher's exact"
    """
    if not 0 < ci < 1:
        raise InputError(f"ci must be between 0 and 1 (e.g. 0.95), got {ci!r}")
    if int(n_boot) < 1:
        raise InputError(f"n_boot must be a positive number of resamples, got {n_boot!r}")
    if by not in df.columns:
        raise InputError(f"compare needs the grouping column {by!r}; the table has {choices(df.columns)}")
    known, multi = scheme_labels(df, scheme)
    labels = list(labels) if labels is not None else known
    if not labels:
        raise InputError(f"no labels found for scheme {scheme!r}: pass labels=, or a scheme with "
                         f"columns in the table ({choices(df.columns)})")
    rng = np.random.default_rng(seed)
    rows = []
    if multi:
        cols = [f"{scheme}_{n}" for n in labels]
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise InputError(f"compare of multi-label scheme {scheme!r} needs column(s) {choices(missing)}; "
                             f"the table has {choices(df.columns)}")
        flags = pd.DataFrame({n: as_bool(df[c]) for n, c in zip(labels, cols)})
        keep = flags.notna().all(axis=1) & df[by].notna()
        flags, groups = flags[keep].astype(bool), df.loc[keep, by]
    else:
        if scheme not in df.columns:
            raise InputError(f"compare needs the label column {scheme!r}; the table has {choices(df.columns)}")
        values = df[scheme].astype("string")
        bad = sorted(set(values.dropna()) - set(labels) - {""})
        if bad:
            raise InputError(f"column {scheme!r} has label(s) {choices(bad)} not among {choices(labels)}: "
                             "pass labels= with every label")
        keep = values.notna() & (values != "") & df[by].notna()
        flags = pd.DataFrame({n: (values[keep] == n).astype(bool) for n in labels})
        groups = df.loc[keep, by]
    if flags.empty:
        raise InputError(f"no labelled rows for scheme {scheme!r} with a {by!r} value to compare")
    order = list(dict.fromkeys(sorted(groups.astype(str).unique())))
    groups = groups.astype(str)
    review_col = f"{scheme}_review"
    review = as_bool(df.loc[flags.index, review_col]).fillna(False) if review_col in df.columns else None
    for g in order:
        block = flags[groups == g].to_numpy(dtype=float)
        lo, hi = bootstrap_shares(block, n_boot=int(n_boot), ci=ci, rng=rng)
        counts = block.sum(axis=0)
        flagged = pd.NA if review is None else int(review[(groups == g).to_numpy()].sum())
        for j, label in enumerate(labels):
            rows.append({by: g, scheme: label, "count": int(counts[j]), "n": len(block),
                         "share": counts[j] / len(block), "ci_low": float(lo[j]), "ci_high": float(hi[j]),
                         "n_review": flagged})
    out = pd.DataFrame(rows)
    out["count"] = out["count"].astype("int64")
    out["n"] = out["n"].astype("int64")
    out["n_review"] = out["n_review"].astype("Int64")
    info = {"by": by, "scheme": scheme, "labels": labels, "multi_label": multi, "ci": ci, "n_boot": int(n_boot),
            "seed": seed}
    if multi:
        tests = []
        for label in labels:
            used = out[out[scheme] == label]
            table = np.column_stack([used["count"], used["n"] - used["count"]])
            tests.append({scheme: label, **choose_test(table, n_resamples=n_resamples, seed=seed)})
        tests = pd.DataFrame(tests)
        out.attrs["tests"] = tests
        best = tests.loc[tests["p_value"].idxmin()] if tests["p_value"].notna().any() else tests.iloc[0]
        out.attrs["test"] = {**best.to_dict(), "note": f"smallest p of {len(labels)} per-label tests, "
                             f"for {best[scheme]!r} (not corrected for multiple testing); {best['note']}"}
    else:
        wide = out.pivot(index=by, columns=scheme, values="count").loc[order, labels].to_numpy()
        out.attrs["test"] = choose_test(wide, n_resamples=n_resamples, seed=seed)
    out.attrs["compare"] = info
    return out


def test_summary(table: pd.DataFrame) -> str:
    """One sentence describing the test stored in a :func:`compare` table.

    >>> t = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4, "s": list("xxxy") + list("yyyx")})
    >>> test_summary(compare(t, by="g", scheme="s", labels=["x", "y"]))
    "Fisher's exact test: p = 0.486 (statistic 9, 2x2 table). 2x2 table: Fisher's exact test (statistic: odds ratio)"
    """
    t = table.attrs.get("test")
    if not t:
        raise InputError("this table has no test in .attrs['test']: make it with stance.compare()")
    if t["test"] == "none":
        return f"No test: {t['note']}"
    dof = f", dof {int(t['dof'])}" if t["test"] == "chi-square" else ""
    return (f"{t['test']} test: p = {t['p_value']:.3g} (statistic {t['statistic']:.3g}{dof}, "
            f"{t['table_shape']} table). {t['note']}")


test_summary.__test__ = False  # a helper, not a pytest test
