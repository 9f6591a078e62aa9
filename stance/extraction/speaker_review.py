"""How likely an extracted speaker is to be right, and which rows to check by hand.

``speaker_confidence`` is the speaker ranker's probability for the speaker it chose
(:mod:`stance.extraction.speaker_ranker`, fitted on the dev texts of ``data/real_articles``; on the
held-out texts its expected calibration error is printed by ``benchmarks/speaker_review.py``).
``speaker_review`` is true below :data:`REVIEW_BELOW` (the labels' own threshold,
:data:`stance.schemes.REVIEW_BELOW`) and where nothing was measured: rows named by the word rules
alone (``parse=False``, texts over the parse limit) and texts in another language.
:func:`attribution_path` names how the rules found a speaker, one of the ranker's features.
"""
from __future__ import annotations

import re

from stance.schemes import REVIEW_BELOW

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


def review_flags(confidences) -> list[bool]:
    """True for a confidence below :data:`REVIEW_BELOW` or missing (NaN)."""
    return [not (c >= REVIEW_BELOW) for c in confidences]
