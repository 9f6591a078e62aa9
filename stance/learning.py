"""Learning curves: how much few-shot adaptation gains over zero-shot for ``k`` labelled
statements per label, measured by repeated random sub-sampling on labelled rows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from stance.errors import InputError
from stance.fewshot import HEAD_MIN_PER_LABEL, MARGIN, _labelled, _zero_shot, adapt_any, adapted_probabilities


def learning_curve(clf, data, scheme="stance", *, gold: str, ks=(4, 8, 16), draws: int = 10,
                   calibrate_on=None, uncalibrated: bool = False, target_col: str | None = None,
                   text_col: str = "text", seed: int = 0, margin: float = MARGIN,
                   finetune: bool = False) -> pd.DataFrame:
    """Zero-shot vs few-shot macro-F1 for ``k`` labelled statements per label, over random draws.

    For each ``k`` and draw: ``k`` statements per label are drawn from ``data``, few-shot
    adaptation is fitted on them exactly as :meth:`stance.Classifier.fit` does, and both the
    zero-shot and the adapted classifier are scored (macro-F1) on the rest of ``data``
    (repeated random sub-sampling cross-validation).

    ``calibrate_on``: labelled statements disjoint from ``data`` (same ``gold`` and target
    columns) on which the zero-shot calibration of an embedding model is refitted first. Pass
    it whenever the scheme's shipped calibration was fitted on ``data`` itself (the built-in
    schemes' was fitted on ``data/dev/synthetic_a.csv`` + ``synthetic_b.csv``): otherwise the
    zero-shot baseline is scored in-sample and the comparison is unfair to few-shot.
    ``uncalibrated=True`` instead drops the scheme's calibration for the model, so that the
    baseline is zero-shot in the strict sense: no labelled statement used at all. Either drops
    the scheme's trained head (:mod:`stance.heads`) for the model too. ``finetune``: as in
    :meth:`stance.Classifier.fit` (minutes per draw on a CPU).

    Returns one row per (k, draw): ``scheme``, ``k``, ``draw``, ``n_test``, ``zero_shot``,
    ``few_shot`` (macro-F1 on the rows not drawn), the fitted blend ``weight`` and whether the
    draw was ``recalibrated``;
    :func:`stance.plot.plot_fewshot` draws it and :func:`summarise_curve` sums it up.

    >>> import stance
    >>> from pathlib import Path
    >>> dev = pd.read_csv(Path(stance.__file__).parents[1] / "data" / "dev" / "synthetic_a.csv")
    >>> curve = learning_curve(stance.Classifier(progress=False), dev, "tone", gold="gold_tone", ks=(4,), draws=2)
    >>> curve.columns.tolist()
    ['scheme', 'k', 'draw', 'n_test', 'zero_shot', 'few_shot', 'weight', 'recalibrated', 'method']
    """
    from dataclasses import replace

    from stance.evaluate import macro_f1
    from stance.finetune import tuner

    sch, table, y, counts = _labelled(clf, data, scheme, gold, text_col)
    names = list(sch.label_names)
    ks = [int(k) for k in ks]
    if not ks or min(ks) < 2 or max(ks) >= counts.min():
        raise InputError(f"ks must be at least 2 and below the smallest label count, so that rows are left "
                         f"to score; got ks={ks} with {dict(zip(names, counts.tolist()))}")
    if target_col is None and sch.target_aware and "target" in table.columns:
        target_col = "target"
    if finetune and min(ks) < HEAD_MIN_PER_LABEL:
        raise InputError(f"finetune=True needs k of at least {HEAD_MIN_PER_LABEL} per label, to cross-validate it; "
                         f"got ks={ks}")
    if calibrate_on is not None and uncalibrated:
        raise InputError("pass calibrate_on= or uncalibrated=True, not both")
    if uncalibrated or calibrate_on is not None:  # the trained head was fitted on labelled rows too
        sch = replace(sch, heads={m: h for m, h in sch.heads.items() if m != clf.backend_.name})
    if uncalibrated:
        sch = replace(sch, calibration={m: c for m, c in sch.calibration.items() if m != clf.backend_.name})
    if calibrate_on is not None:
        from stance.calibrate import fit_calibration

        current = clf.backend_.calibration(sch)
        cal = fit_calibration(clf, calibrate_on, replace(sch, calibration={}), gold=gold, top_k=current.top_k,
                              clauses=current.clauses, target_col=target_col, text_col=text_col,
                              fitted_on="calibrate_on")
        sch = replace(sch, calibration={**sch.calibration, clf.backend_.name: cal})
    p0, emb, texts = _zero_shot(clf, sch, table, target_col, text_col)
    rng = np.random.default_rng(seed)
    rows = []
    for k in ks:
        for draw in range(int(draws)):
            train = np.concatenate([rng.choice(np.flatnonzero(y == j), k, replace=False)
                                    for j in range(len(names))])
            test = np.setdiff1d(np.arange(len(y)), train)
            tune = tuner(clf.backend_, [texts[i] for i in train], y[train], clf.progress) if finetune else None
            fitted = adapt_any(p0[train], emb[train], y[train], len(names), margin, tune=tune)
            tuned = fitted["encoder"]
            emb_test = (emb[test] if tuned is None
                        else clf.backend_.encode([texts[i] for i in test], progress=False, model=tuned))
            adapted = adapted_probabilities(fitted, p0[test], emb_test)
            gold_test = [names[i] for i in y[test]]
            rows.append({"scheme": sch.name, "k": k, "draw": draw, "n_test": len(test),
                         "zero_shot": macro_f1(gold_test, [names[i] for i in p0[test].argmax(1)], labels=names),
                         "few_shot": macro_f1(gold_test, [names[i] for i in adapted.argmax(1)], labels=names),
                         "weight": fitted["weight"], "recalibrated": bool(fitted["temperature"] != 1.0
                                                                          or np.any(fitted["bias"])),
                         "method": fitted["method"]})
    return pd.DataFrame(rows, columns=["scheme", "k", "draw", "n_test", "zero_shot", "few_shot", "weight",
                                       "recalibrated", "method"])


def summarise_curve(curve: pd.DataFrame) -> pd.DataFrame:
    """Per scheme and ``k``: mean and sd of zero-shot and few-shot macro-F1 over draws, the mean
    gain, the share of draws few-shot wins, ties and loses, and the share that adapted (recalibrated
    or a prototype weight above 0).

    >>> curve = pd.DataFrame({"scheme": "tone", "k": 8, "draw": [0, 1], "n_test": 10,
    ...                       "zero_shot": [0.8, 0.8], "few_shot": [0.9, 0.8], "weight": [1.0, 0.0]})
    >>> summarise_curve(curve)[["gain", "win_rate", "adapted"]].round(2).to_dict("records")
    [{'gain': 0.05, 'win_rate': 0.5, 'adapted': 0.5}]
    """
    d = curve.assign(gain=curve["few_shot"] - curve["zero_shot"], win=curve["few_shot"] > curve["zero_shot"],
                     tie=curve["few_shot"] == curve["zero_shot"], loss=curve["few_shot"] < curve["zero_shot"],
                     adapted=(curve["weight"] > 0) | curve.get("recalibrated", False)
                     | (curve["method"].isin(["head", "residual", "finetune"]) if "method" in curve else False))
    return d.groupby(["scheme", "k"], sort=False).agg(
        draws=("draw", "size"), zero_shot=("zero_shot", "mean"), zero_shot_sd=("zero_shot", "std"),
        few_shot=("few_shot", "mean"), few_shot_sd=("few_shot", "std"), gain=("gain", "mean"),
        gain_sd=("gain", "std"), win_rate=("win", "mean"), tie_rate=("tie", "mean"),
        loss_rate=("loss", "mean"), adapted=("adapted", "mean")).reset_index()
