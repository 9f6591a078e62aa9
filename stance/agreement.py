"""Agreement between annotators (students, coders) and between annotators and a model.

Ratings come as a DataFrame with one row per statement and one column per rater; a missing
value (NaN, None or "") means that rater did not label that statement.

- :func:`cohen_kappa`: two raters, the statements both labelled (equals scikit-learn's
  ``cohen_kappa_score``).
- :func:`fleiss_kappa`: any number of raters, the statements every rater labelled
  (Fleiss 1971); :func:`fleiss_kappa_counts` takes a statements-by-categories count table.
- :func:`krippendorff_alpha`: nominal alpha, any number of raters, missing ratings allowed
  (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011).
- :func:`agreement`: all three at once, with the pairwise Cohen's kappa table;
  :func:`disputed`: the statements raters disagree on most.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from stance.errors import InputError, choices


def _clean(values) -> pd.Series:
    """Ratings as str, with missing ratings (NaN, None, "") as None."""
    s = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)

    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return None
        v = str(v).strip()
        return v or None

    return s.map(one)


def _ratings(data, raters: list[str] | None) -> pd.DataFrame:
    """The ratings table (statements x raters) with missing ratings as None."""
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(np.asarray(data, dtype=object).T if np.ndim(data) == 2 else data)
    raters = list(data.columns) if raters is None else list(raters)
    missing = [r for r in raters if r not in data.columns]
    if missing:
        raise InputError(f"no rater column(s) {choices(missing)}; the columns are {choices(data.columns)}")
    if len(raters) < 2:
        raise InputError(f"agreement needs at least two raters, got {choices(raters)}")
    return pd.DataFrame({r: _clean(data[r]).to_numpy() for r in raters}, index=data.index)


def cohen_kappa(a, b) -> float:
    """Cohen's kappa between two raters, over the statements both labelled.

    >>> cohen_kappa(["x", "x", "y", "y"], ["x", "x", "y", "x"])
    0.5
    """
    a, b = _clean(a), _clean(b)
    if len(a) != len(b):
        raise InputError(f"the two raters' labels differ in length: {len(a)} and {len(b)}")
    both = (a.notna() & b.notna()).to_numpy()
    a, b = a[both].to_numpy(), b[both].to_numpy()
    if not len(a):
        return float("nan")
    labels = sorted(set(a) | set(b))
    observed = float(np.mean(a == b))
    pa = np.array([np.mean(a == c) for c in labels])
    pb = np.array([np.mean(b == c) for c in labels])
    expected = float(pa @ pb)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else float("nan")
    return (observed - expected) / (1 - expected)


def fleiss_kappa_counts(counts) -> float:
    """Fleiss' kappa from a statements-by-categories table of how many raters chose each category.

    Every statement must have the same number of ratings.

    >>> round(fleiss_kappa_counts([[2, 0], [0, 2], [1, 1]]), 3)
    0.333
    """
    counts = np.asarray(counts, dtype=float)
    per_item = counts.sum(axis=1)
    if counts.ndim != 2 or not len(counts) or not np.allclose(per_item, per_item[0]) or per_item[0] < 2:
        raise InputError("Fleiss' kappa needs the same number (two or more) of ratings for every statement")
    n = per_item[0]
    p_j = counts.sum(axis=0) / counts.sum()
    p_i = ((counts ** 2).sum(axis=1) - n) / (n * (n - 1))
    p_bar, p_e = p_i.mean(), float((p_j ** 2).sum())
    if p_e == 1.0:
        return 1.0 if p_bar == 1.0 else float("nan")
    return float((p_bar - p_e) / (1 - p_e))


def fleiss_kappa(data, raters: list[str] | None = None) -> float:
    """Fleiss' kappa over the statements that every rater labelled.

    >>> round(fleiss_kappa(pd.DataFrame({"s1": ["a", "b", "a"], "s2": ["a", "b", "b"]})), 3)
    0.333
    """
    table = _ratings(data, raters)
    complete = table.dropna()
    if complete.empty:
        return float("nan")
    labels = sorted(set(complete.to_numpy().ravel()))
    counts = np.stack([(complete == c).sum(axis=1).to_numpy() for c in labels], axis=1)
    return fleiss_kappa_counts(counts)


def krippendorff_alpha(data, raters: list[str] | None = None) -> float:
    """Krippendorff's alpha for nominal labels: any number of raters, missing ratings allowed.

    Statements with fewer than two ratings carry no information about agreement and are left out.
    ``data`` is a statements x raters DataFrame (or a raters x statements list of lists, as in
    Krippendorff's papers).

    >>> krippendorff_alpha(pd.DataFrame({"s1": ["a", "b", "a", None], "s2": ["a", "b", "b", "b"]}))
    0.4444444444444444
    """
    table = _ratings(data, raters)
    values = table.to_numpy()
    labels = sorted({v for v in values.ravel() if isinstance(v, str)})
    if len(labels) < 1:
        return float("nan")
    index = {c: i for i, c in enumerate(labels)}
    k = len(labels)
    coincidence = np.zeros((k, k))
    for row in values:
        present = [index[v] for v in row if isinstance(v, str)]
        m = len(present)
        if m < 2:
            continue
        counts = np.bincount(present, minlength=k).astype(float)
        coincidence += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    observed = coincidence.sum() - np.trace(coincidence)
    expected = (n ** 2 - (n_c ** 2).sum()) / (n - 1)
    if expected == 0:
        return 1.0 if observed == 0 else float("nan")
    return float(1 - observed / expected)


def pairwise_kappa(data, raters: list[str] | None = None) -> pd.DataFrame:
    """Cohen's kappa for every pair of raters, as a square table (1 on the diagonal).

    >>> t = pd.DataFrame({"a": ["x", "y", "x"], "b": ["x", "y", "y"], "c": ["x", "y", "x"]})
    >>> pairwise_kappa(t).loc["a", "c"]
    np.float64(1.0)
    """
    table = _ratings(data, raters)
    names = list(table.columns)
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for r1, r2 in combinations(names, 2):
        out.loc[r1, r2] = out.loc[r2, r1] = cohen_kappa(table[r1], table[r2])
    return out


@dataclass
class Agreement:
    """The result of :func:`agreement`.

    ``krippendorff_alpha``, ``fleiss_kappa`` (over ``n_complete`` statements every rater
    labelled), ``cohen_kappa`` (pairwise table), ``raters``, ``n_items`` (statements with two
    or more ratings) and ``table`` (one row per rater pair and one per overall measure).
    """

    raters: list[str]
    n_items: int
    n_complete: int
    krippendorff_alpha: float
    fleiss_kappa: float
    cohen_kappa: pd.DataFrame
    pair_n: dict | None = None

    @property
    def table(self) -> pd.DataFrame:
        """One row per measure: ``measure``, ``raters``, ``value``, ``n`` (statements used)."""
        rows = [{"measure": "Krippendorff's alpha", "raters": ", ".join(self.raters),
                 "value": self.krippendorff_alpha, "n": self.n_items},
                {"measure": "Fleiss' kappa", "raters": ", ".join(self.raters),
                 "value": self.fleiss_kappa, "n": self.n_complete}]
        rows += [{"measure": "Cohen's kappa", "raters": f"{a}, {b}", "value": self.cohen_kappa.loc[a, b],
                  "n": (self.pair_n or {}).get((a, b))} for a, b in combinations(self.raters, 2)]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """A JSON-ready dict (what ``stance agreement --json`` prints)."""
        def num(v):
            return None if v is None or np.isnan(v) else float(v)

        return {
            "raters": list(self.raters),
            "n_items": self.n_items,
            "n_complete": self.n_complete,
            "krippendorff_alpha": num(self.krippendorff_alpha),
            "fleiss_kappa": num(self.fleiss_kappa),
            "cohen_kappa": [{"raters": [a, b], "value": num(self.cohen_kappa.loc[a, b])}
                            for a, b in combinations(self.raters, 2)],
        }

    def __repr__(self) -> str:
        return (f"Agreement(raters={self.raters}, krippendorff_alpha={self.krippendorff_alpha:.3f}, "
                f"fleiss_kappa={self.fleiss_kappa:.3f})")


def agreement(data: pd.DataFrame, raters: list[str] | None = None) -> Agreement:
    """Krippendorff's alpha, Fleiss' kappa and pairwise Cohen's kappa among ``raters``.

    Add the model's label column to ``raters`` to see how it fits among the humans.

    >>> t = pd.DataFrame({"s1": ["a", "b", "a", "b"], "s2": ["a", "b", "b", "b"], "model": ["a", "b", "a", None]})
    >>> result = agreement(t)
    >>> round(result.krippendorff_alpha, 3), result.n_complete
    (0.667, 3)
    >>> result.to_dict()["cohen_kappa"][0]
    {'raters': ['s1', 's2'], 'value': 0.5}
    """
    table = _ratings(data, raters)
    n_items = int((table.notna().sum(axis=1) >= 2).sum())
    pair_n = {(a, b): int((table[a].notna() & table[b].notna()).sum()) for a, b in combinations(table.columns, 2)}
    return Agreement(list(table.columns), n_items, int(len(table.dropna())), krippendorff_alpha(table),
                     fleiss_kappa(table), pairwise_kappa(table), pair_n)


def disputed(data: pd.DataFrame, raters: list[str], *, keep: list[str] | None = None) -> pd.DataFrame:
    """Statements sorted by disagreement: most disputed first.

    Adds ``n_ratings``, ``majority`` (the most frequent label; ties joined by ``/``),
    ``majority_share`` and ``disagreement`` (1 - majority share) to the ``keep`` columns
    (default: every column that is not a rater).

    >>> t = pd.DataFrame({"text": ["p", "q"], "s1": ["a", "a"], "s2": ["a", "b"], "s3": ["a", "c"]})
    >>> disputed(t, ["s1", "s2", "s3"])[["text", "majority", "disagreement"]].round(2).values.tolist()
    [['q', 'a/b/c', 0.67], ['p', 'a', 0.0]]
    """
    table = _ratings(data, raters)
    keep = [c for c in data.columns if c not in raters] if keep is None else keep
    out = data[keep].copy()
    majority, share, n = [], [], []
    for _, row in table.iterrows():
        counts = row.dropna().value_counts()
        n.append(int(counts.sum()))
        if counts.empty:
            majority.append(None)
            share.append(np.nan)
            continue
        top = counts[counts == counts.max()].index
        majority.append("/".join(sorted(top)))
        share.append(float(counts.max() / counts.sum()))
    out["n_ratings"] = n
    out["majority"] = majority
    out["majority_share"] = share
    out["disagreement"] = 1 - out["majority_share"]
    out = pd.concat([out, table], axis=1)
    return out.sort_values(["disagreement", "n_ratings"], ascending=[False, False], kind="stable")
