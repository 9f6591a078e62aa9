"""Scores of predicted labels against gold labels: accuracy, per-label precision, recall and
F1, macro-F1, SemEval-2016's F_avg, a confusion matrix and bootstrap confidence intervals.

Only numpy and pandas are needed; the tests check every number against scikit-learn.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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


NO_LABEL = "(no label)"


def _as_labels(values) -> pd.Series:
    """Labels as an object Series of str, with missing values as None."""
    s = pd.Series(list(values), dtype=object)
    return s.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v))


def _metrics(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy and per-label precision, recall, F1 from confusion counts.

    ``counts`` has shape (..., k, k + 1): gold label by predicted label, the last column
    holding predictions outside the labels (or none). Division by zero gives 0, as
    scikit-learn's ``zero_division=0``.
    """
    k = counts.shape[-2]
    tp = np.diagonal(counts[..., :k], axis1=-2, axis2=-1)
    support = counts.sum(axis=-1)
    predicted = counts[..., :k].sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), 0.0)
        recall = np.where(support > 0, tp / np.maximum(support, 1), 0.0)
        f1 = np.where(support + predicted > 0, 2 * tp / np.maximum(support + predicted, 1), 0.0)
    total = counts.sum(axis=(-2, -1))
    accuracy = tp.sum(axis=-1) / np.maximum(total, 1)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support, "accuracy": accuracy}


@dataclass
class Evaluation:
    """The result of :func:`evaluate`: scores of predictions against gold labels.

    Attributes: ``labels`` (in the order used), ``n`` (rows scored), ``accuracy``,
    ``macro_f1``, ``f_avg`` (SemEval-2016's mean F1 of ``favor`` and ``against``; None
    unless both are labels), ``per_label`` (DataFrame: precision, recall, f1, support),
    ``confusion`` (DataFrame: gold labels as rows, predictions as columns, plus a
    ``(no label)`` column when some predictions are missing or outside the labels),
    ``ci`` (DataFrame: bootstrap interval per metric), ``level``, ``n_boot`` and ``seed``.
    """

    labels: list[str]
    n: int
    accuracy: float
    macro_f1: float
    f_avg: float | None
    per_label: pd.DataFrame
    confusion: pd.DataFrame
    ci: pd.DataFrame
    level: float = 0.95
    n_boot: int = 1000
    seed: int | None = 0

    def to_dict(self) -> dict:
        """A JSON-ready dict (what ``stance evaluate --json`` prints)."""
        return {
            "n": self.n,
            "labels": list(self.labels),
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "f_avg": self.f_avg,
            "per_label": {label: {k: (int(v) if k == "support" else float(v)) for k, v in row.items()}
                          for label, row in self.per_label.to_dict(orient="index").items()},
            "confusion": {g: {p: int(c) for p, c in row.items()}
                          for g, row in self.confusion.to_dict(orient="index").items()},
            "ci": {m: [float(r["low"]), float(r["high"])] for m, r in self.ci.to_dict(orient="index").items()},
            "ci_level": self.level,
            "n_boot": self.n_boot,
            "seed": self.seed,
        }

    def summary(self) -> str:
        """A short plain-text report."""
        def line(name, value):
            if value is None:
                return None
            lo, hi = self.ci.loc[name, ["low", "high"]] if name in self.ci.index else (np.nan, np.nan)
            return f"{name:<9} {value:.3f}  [{lo:.3f}, {hi:.3f}]"

        head = [f"n = {self.n}; {int(self.level * 100)}% bootstrap intervals ({self.n_boot} resamples, seed {self.seed})"]
        rows = [line(m, getattr(self, m)) for m in ("accuracy", "macro_f1", "f_avg")]
        return "\n".join(head + [r for r in rows if r] + ["", self.per_label.round(3).to_string(),
                                                           "", "confusion (rows: gold, columns: predicted)",
                                                           self.confusion.to_string()])

    def __repr__(self) -> str:
        f_avg = "None" if self.f_avg is None else f"{self.f_avg:.3f}"
        return (f"Evaluation(n={self.n}, accuracy={self.accuracy:.3f}, macro_f1={self.macro_f1:.3f}, "
                f"f_avg={f_avg})")


def evaluate(data, gold: str | None = None, pred: str | None = None, *, labels: list[str] | None = None,
             n_boot: int = 1000, level: float = 0.95, seed: int | None = 0) -> Evaluation:
    """Score predicted labels against gold labels.

    Parameters
    ----------
    data : DataFrame with columns ``gold`` and ``pred``, or a pair ``(gold_labels, predicted_labels)``
    gold, pred : the column names (for a DataFrame)
    labels : the labels, in order (default: the sorted labels occurring in gold or predictions)
    n_boot : bootstrap resamples for the confidence intervals (0: none)
    level : the intervals' coverage (percentile bootstrap)
    seed : random seed of the bootstrap

    Rows without a gold label are left out; a missing prediction, or one outside
    ``labels``, counts as wrong. Per-label scores equal scikit-learn's
    ``precision_recall_fscore_support(..., zero_division=0)``.

    Examples
    --------
    >>> df = pd.DataFrame({"gold": ["favor", "against", "neutral", "against"],
    ...                    "pred": ["favor", "against", "against", "against"]})
    >>> result = evaluate(df, gold="gold", pred="pred", n_boot=200)
    >>> round(result.accuracy, 2), round(result.macro_f1, 3), round(result.f_avg, 2)
    (0.75, 0.6, 0.9)
    >>> result.confusion.loc["neutral", "against"]
    np.int64(1)
    """
    from stance.errors import InputError, choices

    if isinstance(data, pd.DataFrame):
        missing = [c for c, what in ((gold, "gold"), (pred, "pred")) if c is None or c not in data.columns]
        if missing:
            raise InputError(f"name the gold and predicted label columns (gold=, pred=; CLI: --gold-col, --pred-col): "
                             f"got gold={gold!r}, pred={pred!r}; the columns are {choices(data.columns)}")
        g, p = _as_labels(data[gold]), _as_labels(data[pred])
    else:
        try:
            g_values, p_values = data
        except (TypeError, ValueError):
            raise InputError(f"data must be a DataFrame or a pair (gold, pred), got {type(data).__name__}") from None
        g, p = _as_labels(g_values), _as_labels(p_values)
        if len(g) != len(p):
            raise InputError(f"gold and predicted labels differ in length: {len(g)} and {len(p)}")
    keep = g.notna().to_numpy()
    g, p = g[keep].reset_index(drop=True), p[keep].reset_index(drop=True)
    if not len(g):
        raise InputError("no rows with a gold label to evaluate")
    if labels is None:
        labels = sorted(set(g) | set(p.dropna()))
    labels = [str(label) for label in labels]
    unknown = sorted(set(g) - set(labels))
    if unknown:
        raise InputError(f"gold labels {choices(unknown)} are not among the labels {choices(labels)}")
    k = len(labels)
    index = {label: i for i, label in enumerate(labels)}
    gi = g.map(index).to_numpy(dtype=int)
    pi = p.map(lambda v: index.get(v, k)).to_numpy(dtype=int)
    codes = gi * (k + 1) + pi
    counts = np.bincount(codes, minlength=k * (k + 1)).reshape(k, k + 1)
    m = _metrics(counts)
    has_favor_against = "favor" in index and "against" in index
    fa = [index["favor"], index["against"]] if has_favor_against else None

    def summaries(mm):
        out = {"accuracy": mm["accuracy"], "macro_f1": mm["f1"].mean(axis=-1)}
        if fa:
            out["f_avg"] = mm["f1"][..., fa].mean(axis=-1)
        return out

    point = {name: float(v) for name, v in summaries(m).items()}
    ci = pd.DataFrame(columns=["low", "high"], dtype=float)
    if n_boot:
        rng = np.random.default_rng(seed)
        n = len(codes)
        draws = codes[rng.integers(0, n, size=(n_boot, n))]
        boot = np.zeros((n_boot, k * (k + 1)))
        np.add.at(boot, (np.repeat(np.arange(n_boot), n), draws.ravel()), 1)
        bs = summaries(_metrics(boot.reshape(n_boot, k, k + 1)))
        alpha = (1 - level) / 2
        ci = pd.DataFrame({name: np.quantile(v, [alpha, 1 - alpha]) for name, v in bs.items()},
                          index=["low", "high"]).T
    per_label = pd.DataFrame({"precision": m["precision"], "recall": m["recall"], "f1": m["f1"],
                              "support": m["support"].astype(int)}, index=pd.Index(labels, name="label"))
    columns = labels + ([NO_LABEL] if counts[:, k].any() else [])
    confusion = pd.DataFrame(counts[:, :len(columns)], index=pd.Index(labels, name="gold"),
                             columns=pd.Index(columns, name="predicted"))
    return Evaluation(labels, len(codes), point["accuracy"], point["macro_f1"], point.get("f_avg"),
                      per_label, confusion, ci, level, n_boot, seed)


def expected_calibration_error(confidence, correct, bins: int = 10) -> float:
    """Expected calibration error: the mean gap between confidence and accuracy over ``bins``
    equal-width confidence bins, weighted by the rows in each (Guo et al. 2017).

    >>> expected_calibration_error([0.9, 0.9, 0.6, 0.6], [True, True, True, False])
    0.1
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    keep = ~np.isnan(conf)
    conf, ok = conf[keep], ok[keep]
    if not len(conf):
        return float("nan")
    which = np.minimum((conf * bins).astype(int), bins - 1)
    gap = 0.0
    for b in np.unique(which):
        inside = which == b
        gap += inside.sum() * abs(conf[inside].mean() - ok[inside].mean())
    return round(float(gap / len(conf)), 12)


# --- quote extraction ----------------------------------------------------------------------------

def _norm_speaker(name) -> str:
    import re

    s = re.sub(r"^(?:the|an?)\s+", "", str(name or "").lower().strip())
    s = re.sub(r"[’']s$", "", s)
    return " ".join(re.sub(r"[^\w ]", " ", s).split())


def same_speaker(a, b) -> bool:
    """True when two speaker strings name the same speaker: equal without case, a leading article
    ("the", "a"), a possessive or punctuation; joint speakers in any order ("Xi and Putin"), each by
    any of these forms; one is the other's surname ("Rutte", "Mark Rutte") or its acronym ("MAC",
    "Mainland Affairs Council"); two empty speakers agree.

    >>> same_speaker("Mark Rutte", "Rutte"), same_speaker("the Kremlin", "Kremlin"), same_speaker("", "NATO")
    (True, True, False)
    >>> same_speaker("CCP", "Chinese Communist Party"), same_speaker("UK", "United States")
    (True, False)
    >>> same_speaker("The European Union", "EU"), same_speaker("a US official", "US official")
    (True, True)
    >>> same_speaker("Xi Jinping and Vladimir Putin", "Vladimir Putin and Xi Jinping")
    True
    >>> same_speaker("Yoon Suk Yeol, Joe Biden and Shigeru Ishiba", "Biden, Ishiba and Yoon Suk Yeol")
    True
    """
    for long, short in ((a, b), (b, a)):
        if _acronym(long) and _acronym(long) == _norm_speaker(short).replace(" ", ""):
            return True
    parts_a, parts_b = split_joint(a), split_joint(b)
    if len(parts_a) > 1 and len(parts_a) == len(parts_b):  # joint speakers, in any order, each by a name form
        rest = list(parts_b)
        for p in parts_a:
            match = next((q for q in rest if same_speaker(p, q)), None)
            if match is None:
                break
            rest.remove(match)
        else:
            return True
    a, b = _norm_speaker(a), _norm_speaker(b)
    if a == b:
        return True
    return bool(a and b and (a.split()[-1] == b or b.split()[-1] == a))


def split_joint(speaker) -> list[str]:
    """The speakers of a joint speaker string, in its order; one name is a list of one.

    >>> split_joint("Yoon Suk Yeol, Joe Biden and Shigeru Ishiba"), split_joint("Mao Ning")
    (['Yoon Suk Yeol', 'Joe Biden', 'Shigeru Ishiba'], ['Mao Ning'])
    """
    return [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", str(speaker or "").strip()) if p]


def _acronym(name: str) -> str:
    """The initials of a name's capitalised words ("Mainland Affairs Council" -> "mac"), or ""."""
    words = [w for w in str(name).split() if w[:1].isupper() and w.lower() != "the"]
    return "".join(w[0] for w in words).lower() if len(words) >= 2 else ""


def has_sentence_break(speaker) -> bool:
    """True for a speaker string that runs across a sentence ("Smith added. The Secretary General").

    >>> has_sentence_break("Smith added. The Secretary General"), has_sentence_break("U.S. President Joe Biden")
    (True, False)
    """
    import re

    return bool(re.search(r"(?<![A-Z])[.!?]\s+[A-Z“\"]|\n|•", str(speaker or "")))


def match_gold(found: pd.DataFrame, gold: pd.DataFrame, slack: int = 2) -> pd.Series:
    """For each gold quote (indexed as ``gold``), the index label of the first ``found`` row in the
    same ``file`` that starts and ends within ``slack`` characters of it, or None: the one matching
    rule of every extraction score.

    >>> gold = pd.DataFrame({"file": ["a", "a"], "start": [5, 40], "end": [20, 46]})
    >>> found = pd.DataFrame({"file": ["a", "a"], "start": [60, 4], "end": [70, 21]}, index=[7, 8])
    >>> match_gold(found, gold).tolist()
    [8, None]
    """
    out = pd.Series([None] * len(gold), index=gold.index, dtype=object)
    by_file = {f: rows for f, rows in found.groupby("file")}
    for key, g in zip(gold.index, gold.itertuples()):
        rows = by_file.get(g.file)
        if rows is None:
            continue
        hit = rows.index[((rows["start"] - g.start).abs() <= slack) & ((rows["end"] - g.end).abs() <= slack)]
        if len(hit):
            out[key] = hit.tolist()[0]
    return out


def extraction_scores(found: pd.DataFrame, gold: pd.DataFrame, slack: int = 2) -> dict:
    """Quote extraction against gold quotes: recall, spurious share, speakers right (statements,
    terms) and speakers with a sentence break.

    ``found`` and ``gold`` have ``file``, ``start``, ``end`` (offsets of the quoted words in the
    file) and ``speaker``; gold also ``kind``. A gold quote is found when a row starts and ends
    within ``slack`` characters of it. A found row matching no gold quote is spurious.

    >>> gold = pd.DataFrame({"file": ["a"] * 2, "start": [5, 40], "end": [20, 46], "kind": ["statement", "term"],
    ...                      "speaker": ["Mark Rutte", ""]})
    >>> found = pd.DataFrame({"file": ["a"] * 2, "start": [5, 60], "end": [21, 70], "speaker": ["Rutte", "x"]})
    >>> s = extraction_scores(found, gold)
    >>> s["recall"], s["spurious"], s["statements_right"], s["statements"]
    (0.5, 0.5, 1.0, 1)
    """
    matched_found: set = set()
    right = {"statement": [], "term": []}
    for g, hit in zip(gold.itertuples(), match_gold(found, gold, slack)):
        if hit is None:
            continue
        matched_found.add(hit)
        right.setdefault(g.kind, []).append(same_speaker(found.at[hit, "speaker"], g.speaker))
    n_found = len(found)
    return {
        "gold": len(gold), "found": n_found, "matched": len(matched_found),
        "recall": len(matched_found) / len(gold) if len(gold) else float("nan"),
        "spurious": (n_found - len(matched_found)) / n_found if n_found else 0.0,
        "statements": len(right["statement"]), "terms": len(right["term"]),
        "statements_right": float(np.mean(right["statement"])) if right["statement"] else float("nan"),
        "terms_right": float(np.mean(right["term"])) if right["term"] else float("nan"),
        "sentence_breaks": int(sum(has_sentence_break(s) for s in found["speaker"])),
    }
