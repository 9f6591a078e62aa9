"""Which words carry a label: attribution by occlusion.

Each word, and each run of up to ``max_span`` consecutive words, is cut out of the statement
in turn; its weight is how much the probability of the explained label drops without it
(positive: the words support the label; negative: they speak against it). Works with every
backend, since it only needs the model's probabilities.
"""
from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
_SPACES = re.compile(r"\s+")
COLUMNS = ["token", "start", "end", "n_words", "weight", "label"]


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of a text with their character offsets.

    >>> words("NATO's a 'puppet'.")
    [("NATO's", 0, 6), ('a', 7, 8), ('puppet', 10, 16)]
    """
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def occlusions(text: str, max_span: int = 3) -> list[tuple[int, int, int]]:
    """The (start, end, n_words) character spans to cut out: every word and run of up to ``max_span`` words.

    >>> occlusions("a b c", max_span=2)
    [(0, 1, 1), (2, 3, 1), (4, 5, 1), (0, 3, 2), (2, 5, 2)]
    """
    ws = words(text)
    return [(ws[i][1], ws[i + n - 1][2], n) for n in range(1, max_span + 1) for i in range(len(ws) - n + 1)]


def cut(text: str, start: int, end: int) -> str:
    """The text without ``text[start:end]``, spaces tidied.

    >>> cut("a puppet stained with blood.", 2, 9)
    'a stained with blood.'
    """
    return _SPACES.sub(" ", text[:start] + " " + text[end:]).strip()


def explain(clf, text: str, scheme="stance", *, target: str | None = None, label: str | None = None,
            max_span: int = 3) -> pd.DataFrame:
    """Occlusion attribution of one statement's label (see :meth:`stance.Classifier.explain`)."""
    from stance.errors import InputError, choices

    if not isinstance(text, str) or not text.strip():
        raise InputError(f"explain needs a non-empty text, got {text!r}")
    if max_span < 1:
        raise InputError(f"max_span must be at least 1, got {max_span}")
    sch = clf.resolve_scheme(scheme)
    if sch.target_aware and not target:
        raise InputError(f"scheme {sch.name!r} needs a target: pass target='NATO' (CLI: --target)")
    targets = [target if sch.target_aware else None]
    # The core path of classify (normalisation, cache, long-text split, language check, few-shot
    # adaptation), so that the probability explained is the one classify reports.
    whole = clf._predict([text], sch, targets)
    if whole.problems[0]:
        raise InputError(f"cannot explain this text: {whole.problems[0]}")
    spans = occlusions(text, max_span)
    variants = [cut(text, s, e) or "." for s, e, _ in spans]
    cuts = clf._predict(variants, sch, targets * len(variants), check_language=False).probs if variants else \
        np.empty((0, len(sch.labels)))
    probs = np.vstack([whole.probs, cuts])
    names = list(sch.label_names)
    if label is None:
        j = int(np.argmax(probs[0]))
    elif label in names:
        j = names.index(label)
    else:
        raise InputError(f"unknown label {label!r} for scheme {sch.name!r}: choose one of {choices(names)}")
    table = pd.DataFrame({
        "token": [text[s:e] for s, e, _ in spans],
        "start": [s for s, _, _ in spans],
        "end": [e for _, e, _ in spans],
        "n_words": [n for _, _, n in spans],
        "weight": probs[0, j] - probs[1:, j],
        "label": names[j],
    }, columns=COLUMNS)
    table.attrs["stance_explain"] = {"text": text, "scheme": sch.name, "target": target, "label": names[j],
                                     "probability": float(probs[0, j])}
    return table


def word_weights(table: pd.DataFrame) -> pd.DataFrame:
    """One row per word: the mean weight per word of every occluded span that covers it.

    A word that matters alone, or as part of a phrase, gets its share of that phrase's weight.
    """
    single = table[table["n_words"] == 1].reset_index(drop=True)
    totals = np.zeros(len(single))
    counts = np.zeros(len(single))
    for row in table.itertuples():
        covered = (single["start"] >= row.start).to_numpy() & (single["end"] <= row.end).to_numpy()
        totals[covered] += row.weight / row.n_words
        counts[covered] += 1
    out = single.copy()
    out["weight"] = totals / np.maximum(counts, 1)
    return out


def explain_html(table: pd.DataFrame, text: str | None = None, *, per_word: bool = True) -> str:
    """The statement as HTML, each word highlighted by its weight: vermillion supports the
    explained label, blue speaks against it (Okabe-Ito colours); hover for the number.

    ``table`` is what :meth:`stance.Classifier.explain` returns; ``text`` defaults to the
    explained text stored with it. ``per_word`` spreads span weights over their words
    (:func:`word_weights`); otherwise only single-word occlusions are shown.

    >>> t = pd.DataFrame({"token": ["bad"], "start": [4], "end": [7], "n_words": [1], "weight": [0.5],
    ...                   "label": ["against"]})
    >>> explain_html(t, "Not bad.")
    '<div class="stance-explain"><span style="font-size:85%;color:#555">against:</span> Not <span title="0.500" style="background:rgba(213,94,0,1.00);padding:0 2px;border-radius:3px">bad</span>.</div>'
    """
    meta = table.attrs.get("stance_explain", {})
    text = meta.get("text", "") if text is None else text
    rows = word_weights(table) if per_word else table[table["n_words"] == 1]
    top = float(rows["weight"].abs().max()) if len(rows) else 0.0
    parts, pos = [], 0
    for row in rows.sort_values("start").itertuples():
        parts.append(html.escape(text[pos:row.start]))
        strength = abs(row.weight) / top if top > 0 else 0.0
        rgb = "213,94,0" if row.weight >= 0 else "0,114,178"
        parts.append(f'<span title="{row.weight:.3f}" style="background:rgba({rgb},{strength:.2f});'
                     f'padding:0 2px;border-radius:3px">{html.escape(text[row.start:row.end])}</span>')
        pos = row.end
    parts.append(html.escape(text[pos:]))
    label = meta.get("label") or (rows["label"].iloc[0] if len(rows) else "")
    return (f'<div class="stance-explain"><span style="font-size:85%;color:#555">{html.escape(str(label))}:</span> '
            f"{''.join(parts)}</div>")
