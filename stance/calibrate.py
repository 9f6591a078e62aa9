"""Fitting an embedding model's calibration for a scheme from labelled statements.

The calibration (see :class:`stance.schemes.Calibration`) has a shared scale and one
offset per label: ``n_labels + 1`` numbers, fitted by maximum likelihood, so a few
hundred labelled statements fit it without overfitting. The built-in schemes' calibrations
for the packaged model were fitted with ``benchmarks/calibrate.py`` on the synthetic dev sets.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from stance.errors import InputError, choices
from stance.schemes import Calibration, Scheme


def fit_offsets(scores: np.ndarray, gold: np.ndarray, multi_label: bool = False) -> tuple[float, np.ndarray]:
    """Maximum-likelihood ``scale`` and per-label ``offsets`` for pooled similarity scores.

    Single-label: ``gold`` holds label indices and the model is softmax(scale * (scores - offsets)),
    with the offsets centred (mean 0). Multi-label: ``gold`` is a 0/1 matrix and each label is
    sigmoid(scale * (score - offset)).

    >>> s = np.array([[0.6, 0.4], [0.3, 0.5], [0.55, 0.45], [0.35, 0.6]])
    >>> scale, offsets = fit_offsets(s, np.array([0, 1, 0, 1]))
    >>> bool(scale > 0)
    True
    """
    from scipy.optimize import minimize

    scores = np.asarray(scores, dtype=float)
    n, k = scores.shape

    def loss(theta):
        z = theta[0] * (scores - theta[1:])
        if multi_label:
            return np.mean(np.logaddexp(0, z) - gold * z)
        z = z - z.max(axis=1, keepdims=True)
        return -np.mean(z[np.arange(n), gold] - np.log(np.exp(z).sum(axis=1)))

    start = np.r_[30.0, scores.mean(axis=0)]
    theta = minimize(loss, start, method="L-BFGS-B",
                     bounds=[(1e-3, 1e3)] + [(-1.0, 1.0)] * k).x
    offsets = theta[1:] if multi_label else theta[1:] - theta[1:].mean()
    return float(theta[0]), offsets


def fit_calibration(clf, data: pd.DataFrame, scheme: Scheme, *, gold: str | list[str], top_k: int = 0,
                    clauses: bool = False, target_col: str | None = None, text_col: str = "text", fitted_on: str = "") -> Calibration:
    """Fit ``scheme``'s calibration for the embedding model of ``clf`` on labelled rows.

    ``gold`` is the column of gold labels (single-label) or, for a multi-label scheme, the
    list of 0/1 columns in label order.
    """
    from stance.core import normalise_text

    clf.load()
    if clf.backend_.kind != "embedding":
        raise InputError("calibration applies to embedding models; NLI models need none")
    names = list(scheme.label_names)
    cols = gold if isinstance(gold, list) else [gold]
    missing = [c for c in cols + [text_col] if c not in data.columns]
    if missing:
        raise InputError(f"no column(s) {choices(missing)} to calibrate on; the columns are {choices(data.columns)}")
    scores = np.empty((len(data), len(names)))
    groups = data.groupby(target_col).indices if scheme.target_aware else {None: np.arange(len(data))}
    for target, rows in groups.items():
        texts = [normalise_text(t) for t in data[text_col].iloc[rows]]  # as the core classifies them
        scores[rows] = clf.backend_.label_scores(texts, scheme, target, top_k, clauses)
    if scheme.multi_label:
        y = data[cols].to_numpy(dtype=float)
    else:
        unknown = sorted(set(data[gold]) - set(names))
        if unknown:
            raise InputError(f"gold labels {choices(unknown)} are not in scheme {scheme.name!r}: {choices(names)}")
        y = np.array([names.index(v) for v in data[gold]])
    scale, offsets = fit_offsets(scores, y, scheme.multi_label)
    return Calibration(scale, dict(zip(names, offsets.round(5).tolist())), top_k, clauses, fitted_on)
