"""Agreement between gold labels and predictions."""
from __future__ import annotations

import numpy as np
import pandas as pd


def macro_f1(gold, pred, labels: list[str] | None = None) -> float:
    """Macro-averaged F1 over ``labels`` (default: the labels that occur in ``gold``).

    A prediction that is missing (no label) counts as wrong.

    >>> macro_f1(["a", "b", "b"], ["a", "b", "a"])
    0.6666666666666666
    """
    gold = pd.Series(list(gold), dtype=object)
    pred = pd.Series(list(pred), dtype=object).where(lambda s: s.notna(), None)
    labels = labels or sorted(gold.dropna().unique())
    scores = []
    for label in labels:
        tp = float(((gold == label) & (pred == label)).sum())
        fp = float(((gold != label) & (pred == label)).sum())
        fn = float(((gold == label) & (pred != label)).sum())
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))
