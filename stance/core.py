"""The text-level core: texts in, one row of label probabilities per text out.

Every path that needs a model's probabilities goes through :func:`predict` (``classify`` and
its Dask partitions, ``predict_proba``, ``explain``, ``sensitivity``, few-shot fitting):

    normalise → row problems → language check → cache → split long texts → backend → adapt → combine

so that what ``explain`` explains is what ``classify`` reported. The table handling (columns,
targets per row, result columns, provenance) lives in :mod:`stance.classifier`.
"""
from __future__ import annotations

import html
import json
import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stance.backends import is_model_object
from stance.schemes import Scheme

# Distinct texts per backend call; each call's results are committed to the cache before the next.
CHUNK_TEXTS = {"embedding": 2048, "nli": 256}
MIN_WINDOW = 64  # tokens: no model's window is smaller, so shorter texts are never measured
_SPACES = re.compile(r"\s+")
_DROPPED = {"Cc", "Cf", "Cs"}  # control, format (zero-width, bidi marks), lone surrogates


def normalise_text(text: str) -> str:
    """The form in which texts are hashed, deduplicated and classified: HTML entities decoded,
    Unicode NFC, control, format (zero-width, bidi) and lone surrogate characters removed,
    runs of whitespace collapsed, stripped. The output keeps the original text.

    >>> normalise_text("  NATO   is\\n a puppet ")
    'NATO is a puppet'
    >>> normalise_text("NATO&amp;EU\\u200b are\\x00 cafe\\u0301s")
    'NATO&EU are cafés'
    """
    if text.isascii() and text.isprintable() and "&" not in text:
        return _SPACES.sub(" ", text).strip()  # the common case, quickly
    text = html.unescape(text)
    text = "".join(" " if c.isspace() else c for c in text if c.isspace() or unicodedata.category(c) not in _DROPPED)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def row_problem(text) -> str:
    """Why a text cannot be classified, or "" when it can.

    >>> row_problem("   "), row_problem(3.5), row_problem("ok")
    ('empty text', 'text is not a string (float)', '')
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return "missing text"
    if not isinstance(text, str):
        return f"text is not a string ({type(text).__name__})"
    if not text.strip():
        return "empty text"
    if not normalise_text(text):
        return "empty text (only control or invisible characters)"
    return ""


@dataclass
class Prediction:
    """What :func:`predict` returns: per text, its probabilities (NaN rows for texts without a
    label), why it has none (``""`` when it has one), how many parts it was classified in, and
    its language (ISO 639-1, ``""`` when undetermined)."""

    probs: np.ndarray
    problems: list[str]
    n_parts: np.ndarray
    languages: list[str]

    @property
    def split_rows(self) -> int:
        """How many texts were longer than the model's window and split into parts."""
        return int((self.n_parts > 1).sum())


def predict(clf, texts: list, sch: Scheme, targets: list[str | None], *, progress: bool = False,
            adapt: bool = True, check_language: bool = True) -> Prediction:
    """Probabilities of ``texts`` under ``sch`` (one target per text; None for schemes without one).

    ``adapt``: apply the few-shot state fitted for this scheme, if any. ``check_language``: under
    a model that reads English only, a text in another language gets a problem instead of a label.
    """
    from stance.longtext import combine

    problems = [row_problem(t) for t in texts]
    problems = [p or ("missing target" if sch.target_aware and targets[i] is None else "")
                for i, p in enumerate(problems)]
    keys = [normalise_text(t) if not p else "" for t, p in zip(texts, problems)]
    if not clf.cache and not all(problems):
        clf.load()  # needed for sure: it loads beside the language identifier
    languages = languages_of(clf, keys, problems) if check_language else [""] * len(keys)
    probs = np.full((len(keys), len(sch.labels)), np.nan)
    n_parts = np.zeros(len(keys), dtype=np.int64)
    fewshot = clf._fewshot(sch) if adapt else None
    by_target: dict = {}
    for i, p in enumerate(problems):
        if not p:
            by_target.setdefault(targets[i], []).append(i)
    for target, rows in by_target.items():
        group = [keys[i] for i in rows]
        unique = list(dict.fromkeys(group))
        parts_of = text_parts(clf, unique, sch, target)
        pieces = list(dict.fromkeys(p for k in unique for p in parts_of[k]))
        found = cached_scores(clf, pieces, sch, target, progress)
        if fewshot is not None:
            adapted = fewshot.adapt(np.stack([found[k] for k in pieces]), fewshot.embed(pieces, clf.backend_))
            found = dict(zip(pieces, adapted))
        combined = {k: combine(np.stack([found[p] for p in parts_of[k]]), sch.multi_label) for k in unique}
        probs[rows] = np.stack([combined[k] for k in group])
        n_parts[rows] = [len(parts_of[k]) for k in group]
    return Prediction(probs, problems, n_parts, languages)


def languages_of(clf, keys: list[str], problems: list[str]) -> list[str]:
    """Each text's language. Under a model that reads English only, texts in another language
    get a problem (no label; ``problems`` is updated in place) and one warning counts them."""
    from stance.errors import LanguageWarning
    from stance.language import MULTILINGUAL_HINT, detect_languages, reads_english_only

    languages = detect_languages(keys, **clf.language_cache())
    model = clf.model_info()["model"]
    if reads_english_only(model):
        foreign = [i for i, (lang, p) in enumerate(zip(languages, problems)) if not p and lang not in ("", "en")]
        for i in foreign:
            problems[i] = f"language {languages[i]!r} is not English, and model {model!r} reads English only: " \
                          + MULTILINGUAL_HINT
        if foreign:
            counts = ", ".join(f"{lang}: {n}" for lang, n in Counter(languages[i] for i in foreign).most_common())
            warnings.warn(f"stance: {len(foreign)} row(s) are not in English ({counts}) and model {model!r} "
                          f"reads English only: they have no label (see the *_error column); {MULTILINGUAL_HINT}",
                          LanguageWarning, stacklevel=5)
    return languages


def _model_key(clf) -> str | None:
    """The cache's key of the model and precision, or None when results are not cached."""
    from stance.cache import digest, model_description

    if clf.result_cache() is None or is_model_object(clf.model):
        return None
    return digest(model_description(clf.model_info(), clf.precision))


def text_parts(clf, unique: list[str], sch: Scheme, target: str | None) -> dict[str, list[str]]:
    """Each text as the parts it is classified in: itself when it fits the model's window,
    else overlapping windows of whole sentences (:mod:`stance.longtext`). The split is memoised
    in the result cache, so that a cached re-run of long texts loads no model."""
    from stance.cache import digest
    from stance.longtext import byte_bound, split_text

    parts = {k: [k] for k in unique}
    long = [k for k in unique if byte_bound(k) > MIN_WINDOW]
    if not long:
        return parts
    budget = text_budget(clf, sch, target)
    model_key = _model_key(clf)
    for k in (k for k in long if byte_bound(k) > budget):
        def compute(k=k) -> str:
            return json.dumps(split_text(k, clf.load().backend_.count_tokens, budget), ensure_ascii=False)

        split = compute() if model_key is None else clf.result_cache().memo(
            f"split:{model_key}:{budget}:{digest(k)}", compute)
        parts[k] = json.loads(split)
    return parts


def text_budget(clf, sch: Scheme, target: str | None) -> int:
    """How many tokens of a text the model reads with this scheme and target (memoised in the
    result cache, so that a re-run from the cache need not load the model)."""
    from stance.cache import digest, scheme_description

    def compute() -> str:
        return str(clf.load().backend_.text_budget(sch, target))

    model_key = _model_key(clf)
    if model_key is None:
        return int(compute())
    key = f"budget:{model_key}:{digest(scheme_description(sch))}:{target or ''}"
    return int(clf.result_cache().memo(key, compute))


def cached_scores(clf, unique: list[str], sch: Scheme, target: str | None, progress: bool) -> dict[str, np.ndarray]:
    """Probabilities of distinct normalised texts: from the cache, the rest computed in chunks
    (each chunk cached as soon as it is done)."""
    from tqdm.auto import tqdm

    from stance.cache import digest, model_description, scheme_description

    cache = clf.result_cache()
    described = model_description(clf.model_info(), clf.precision) if cache is not None else None
    model_key = scheme_key = None
    if described is not None:
        model_key, scheme_key = digest(described), digest(scheme_description(sch))
        keys = {model_key: described, scheme_key: scheme_description(sch)}
    found = cache.get(model_key, scheme_key, target or "", unique, len(sch.labels)) if model_key else {}
    missing = [t for t in unique if t not in found]
    if not missing:
        return found
    clf.load()
    clf.backend_.progress = False  # one bar here, not one per chunk
    step = CHUNK_TEXTS.get(clf.backend_.kind, 256)
    with tqdm(total=len(missing), desc=sch.name, unit="text", disable=not progress or len(missing) < 2,
              leave=False) as bar:
        for start in range(0, len(missing), step):
            chunk = missing[start:start + step]
            done = dict(zip(chunk, clf.backend_.probabilities(chunk, sch, target)))
            if model_key:
                cache.put(model_key, scheme_key, target or "", done, descriptions=keys)
            found.update(done)
            bar.update(len(chunk))
    return found
