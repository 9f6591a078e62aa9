"""How likely an extracted speaker is to be right, and which rows to check by hand.

Whether :func:`stance.extraction.quotes.extract_quotes` names the right speaker depends mostly on
how it found the speaker (its ``attribution``) and on the quote's kind: a statement after "X said"
is right far more often than a scare-quoted term whose sentence names nobody. ``speaker_accuracy.json``
holds, per kind and :func:`attribution_path`, the share of speakers that were right on real dev
texts no attribution rule was written on (``data/real_articles`` batches 5 and 6; made by
``benchmarks/speaker_review.py``), each pulled toward its kind's mean by five pseudo-rows.

``speaker_confidence`` is that share, ``speaker_review`` is true below :data:`REVIEW_BELOW` (the
labels' own threshold, :data:`stance.schemes.REVIEW_BELOW`) and where nothing was measured: rows
named by the word rules alone (``parse=False``, texts over the parse limit) and texts in another
language.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from stance.schemes import REVIEW_BELOW

TABLE = Path(__file__).with_name("speaker_accuracy.json")
PATHS = ("verb", "words", "pronoun", "reference", "discourse", "nested", "turn", "citation", "empty", "other")


def attribution_path(attribution: str, speaker: str) -> str:
    """How a speaker was found, as one of :data:`PATHS`.

    >>> attribution_path("say", "NATO"), attribution_path("pronoun: he tell", "Mark Rutte")
    ('verb', 'pronoun')
    >>> attribution_path("verb after: said", "the ministry"), attribution_path("", "")
    ('words', 'empty')
    """
    a = str(attribution or "").lower()
    if not speaker:
        return "empty"
    if a.startswith(("verb after", "verb before", "passive")):
        return "words"
    if a.startswith(("pronoun", "reference")):
        return a.split(":", 1)[0]
    if a.startswith(("continues", "headline")):
        return "discourse"
    if a.startswith(("inside the quote", "words an earlier")):
        return "nested"
    if a.startswith(("transcript", "in the statement")):
        return "turn"
    if a.startswith("citation"):
        return "citation"
    return "verb" if re.fullmatch(r"[a-z ]+", a) else "other"


@functools.lru_cache(maxsize=1)
def accuracy_table() -> dict:
    """The shares of speakers right per kind and path, and per kind (``speaker_accuracy.json``)."""
    return json.loads(TABLE.read_text(encoding="utf-8"))


def speaker_confidence(kind: str, attribution: str, speaker: str) -> float:
    """The chance that a speaker found this way is right, measured on real text.

    >>> 0.0 < speaker_confidence("statement", "say", "NATO") <= 1.0
    True
    >>> speaker_confidence("term", "", "") < speaker_confidence("statement", "say", "NATO")
    True
    """
    table = accuracy_table()
    kind = kind if kind in table["by_kind"] else "statement"
    return float(table["by_path"][kind].get(attribution_path(attribution, speaker), table["by_kind"][kind]))


def review_flags(confidences) -> list[bool]:
    """True for a confidence below :data:`REVIEW_BELOW` or missing (NaN)."""
    return [not (c >= REVIEW_BELOW) for c in confidences]
