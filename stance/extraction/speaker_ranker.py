"""A learned choice among a quote's possible speakers, and the chance that the choice is right.

The attribution rules (:mod:`stance.extraction.attribution`, :mod:`stance.extraction.rules`) name one
speaker per quote, or none. On real news they are right for about 0.87 of statements and 0.74 of
terms on the texts they were written on, less on new text, and how often a rule is right depends on
more than the rule: a term in a sentence whose subject is a country is often the words of the
spokesperson the paragraph quotes. The ranker weighs each quote's candidates:

- the rules' speaker, with how the rules found it (:func:`stance.extraction.speaker_review.attribution_path`);
- no speaker (the author's own scare quote);
- the speakers the rules gave the quotes before and after it;
- the names the text gives around it (:attr:`stance.extraction.attribution.Attribution.nearby`), with
  what the parse says of each: subject of a reporting verb, in the quote's sentence, nearest...
  (never a dateline's agency, nor a person a "he" or "she" of the rules cannot be).

:func:`candidates` lists them with their features (a small dict each, pure and testable);
:func:`choose` scores them with a conditional logit, a linear score per candidate and a softmax over
the quote's candidates, whose weights (``speaker_ranker.json``, plain JSON) were fitted on the dev
part of ``data/real_articles`` by ``benchmarks/train_speaker_ranker.py`` (never on the held-out
part). The softmax probability of the chosen candidate, calibrated on dev texts that no rule was
written on (:func:`calibrated`), is the row's ``speaker_confidence``.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

WEIGHTS = Path(__file__).with_name("speaker_ranker.json")
NAMED_KINDS = ("PERSON", "ORG", "GPE", "NORP", "DESC", "JOINT")
# the agency in a dateline ("BEIJING, May 26 (Xinhua) --") carried the story, it did not say the words: never
# a candidate (63 dev candidates, none the gold speaker)
DATELINE = re.compile(r"^[A-Z][\w .’'-]*,[^\n(]{0,40}\(([^)\n]{2,60})\)\s*(?:--|—|–|-)", re.MULTILINE)
WHEN_RULES_NAME_NOBODY = ("prev", "next", "nearest", "sentence_before", "subject", "reports", "kind_PERSON",
                          "kind_ORG", "kind_GPE", "prev_paragraph", "next_paragraph", "was_speaker")


@dataclass
class Candidate:
    """A possible speaker of one quote and what speaks for it."""

    name: str
    features: dict[str, float] = field(default_factory=dict)

    def add(self, features: dict) -> None:
        for k, v in features.items():
            self.features[k] = max(self.features.get(k, 0.0), float(v))


@functools.lru_cache(maxsize=65536)
def _same(a: str, b: str) -> bool:
    """One speaker: :func:`stance.evaluate.same_speaker`, or a name with titles before it ("NATO
    Secretary General Jens Stoltenberg", "Jens Stoltenberg")."""
    from stance.evaluate import same_speaker

    short, long = sorted((a, b), key=len)
    return same_speaker(a, b) or (" " in short and long.endswith(" " + short))


def _merge(cands: list[Candidate], name: str, features: dict) -> None:
    """Add ``features`` to the candidate that names the same speaker as ``name``, or a new one; the
    rules' form of a name is kept, else the longest."""
    for c in cands:
        if (not name and not c.name) or (name and c.name and _same(c.name, name)):
            if len(name) > len(c.name) and not c.features.get("rule"):
                c.name = name
            c.add(features)
            return
    cands.append(Candidate(name, {k: float(v) for k, v in features.items()}))


def person_name(name: str, people: list[str]) -> str:
    """A person's name as a candidate: without titles, and a surname as the full name the text gives
    around the quote ("Spokesperson Lin Tao", "Lin" -> "Lin Tao").

    >>> person_name("Spokesperson Lin Tao", []), person_name("Lin", ["Lin Tao"])
    ('Lin Tao', 'Lin Tao')
    """
    from stance.extraction.mentions import full_name
    from stance.extraction.names import strip_titles

    name = strip_titles(name)
    return full_name(name, people) if " " not in name else name


def candidates(text: str, rows: list[dict], nearby: list[tuple]) -> list[list[Candidate]]:
    """Each row's candidate speakers with their features.

    ``rows``: the rules' rows of one text (``speaker``, ``attribution``, ``speaker_reason``, ``kind``,
    ``start``, ``end``, ``sentence_start``, ``sentence_end``), in order; ``nearby``: per row, the
    :class:`~stance.extraction.mentions.Mention` objects around its quote.

    >>> from stance.extraction.mentions import Mention
    >>> t = "Spokesperson Lin Tao (synthetic) said on Monday that the plan was a “fantasy”."
    >>> row = dict(speaker="Lin Tao", attribution="say", speaker_reason="", kind="term", start=t.index("fantasy"),
    ...            end=t.index("”"), sentence_start=0, sentence_end=len(t))
    >>> near = (Mention(13, "Lin Tao", "PERSON", "spokesperson", True, False, True),)
    >>> [(c.name, c.features.get("rule", 0), c.features.get("reports", 0)) for c in candidates(t, [row], [near])[0]]
    [('Lin Tao', 1.0, 1.0), ('', 0, 0)]
    """
    from stance.extraction.attribution_resolve import gender_fits
    from stance.extraction.speaker_review import attribution_path

    first_line = text.find("\n") if "\n" in text else len(text)
    datelines = [m.span(1) for m in DATELINE.finditer(text)]
    said: dict[str, int] = {}
    for r in rows:
        if r["speaker"]:
            said[r["speaker"]] = said.get(r["speaker"], 0) + 1
    out = []
    for i, (r, around) in enumerate(zip(rows, nearby)):
        term = r["kind"] == "term"
        pronoun = re.match(r"pronoun: (\w+)", r["attribution"])  # "he" is never a woman the text names
        fits = (lambda name, titles="": gender_fits(pronoun.group(1).lower(), titles, name)) if pronoun else \
            (lambda name, titles="": True)
        cands: list[Candidate] = []
        if r["speaker"]:
            path = attribution_path(r["attribution"], r["speaker"])
            _merge(cands, r["speaker"], {"rule": 1, f"rule_{path}": 1, f"rule_term_{path}": term, "rule_term": term,
                                         "rule_capital": r["speaker"][:1].isupper()})
        _merge(cands, "", {"empty": 1, "empty_term": term, "empty_rules_empty": not r["speaker"],
                           "empty_headline": r["start"] < first_line,
                           "empty_author": "author" in r["speaker_reason"]})
        for step, tag in ((-1, "prev"), (1, "next")):
            other = next((rows[j] for j in range(i + step, -1 if step < 0 else len(rows), step) if rows[j]["speaker"]),
                         None)
            if other is not None and fits(other["speaker"]):
                lo, hi = sorted((other["start"], r["start"]))
                _merge(cands, other["speaker"], {
                    tag: 1, f"{tag}_term": term, f"{tag}_paragraph": "\n" not in text[lo:hi],
                    f"{tag}_sentence": other["sentence_start"] == r["sentence_start"]})
        mentions = [m for m in around if m.kind in NAMED_KINDS and m.text
                    and (m.kind != "PERSON" or fits(m.text, m.titles)) and not any(a <= m.at < b for a, b in datelines)]
        people = [m.text for m in mentions if m.kind == "PERSON" and " " in m.text]
        mentions = [dataclasses.replace(m, text=person_name(m.text, people)) if m.kind == "PERSON" else m
                    for m in mentions]
        order: dict[str, int] = {}
        for k, m in enumerate(sorted((m for m in mentions if m.at < r["start"]), key=lambda m: -m.at)):
            order.setdefault(m.text, k)
        for m in mentions:
            gap = r["start"] - m.at
            in_sentence = r["sentence_start"] <= m.at < r["sentence_end"]
            _merge(cands, m.text, {
                "mention": 1, f"kind_{m.kind}": 1, "subject": m.subject, "reports": m.reports, "reported": m.reported,
                "issued": m.issued, "was_speaker": m.speaker, "titled": bool(m.titles),
                "sentence_before": in_sentence and gap > 0, "sentence_after": in_sentence and gap < 0,
                "sentence_before_term": in_sentence and gap > 0 and term,
                "subject_in_sentence": in_sentence and m.subject,
                "reports_in_sentence": in_sentence and m.reports,
                "reports_in_paragraph": m.reports and "\n" not in text[min(m.at, r["start"]):max(m.at, r["start"])],
                "closeness": max(0.0, 1 - abs(gap) / 1000), "nearest": order.get(m.text) == 0,
                "second_nearest": order.get(m.text) == 1, "after": gap < 0,
                "person_term": m.kind == "PERSON" and term, "place_term": m.kind == "GPE" and term})
        rule = next((c for c in cands if c.features.get("rule")), None)
        rule_kind = next((m.kind for m in mentions if rule is not None and _same(m.text, rule.name)), "DESC")
        for c in cands:
            f = c.features
            if c.name and not f.get("rule"):
                if rule is None:  # the rules named nobody
                    f.update({f"alone_{k}": f[k] for k in WHEN_RULES_NAME_NOBODY if f.get(k)})
                    f.update({f"alone_term_{k}": f[k] for k in WHEN_RULES_NAME_NOBODY if f.get(k) and term})
                elif rule_kind in ("GPE", "NORP", "ORG") and f.get("kind_PERSON"):  # a person over a place
                    f.update({f"person_over_{rule_kind}": 1, "person_over_term": term,
                              "person_over_speaker": bool(f.get("prev") or f.get("next"))})
            f["rows_said"] = math.log1p(sum(n for s, n in said.items() if c.name and _same(s, c.name)))
        out.append(cands)
    return out


@functools.lru_cache(maxsize=1)
def _model() -> dict:
    return json.loads(WEIGHTS.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def weights() -> dict[str, float]:
    """The ranker's weights by feature name (``speaker_ranker.json``), read once: every quote's
    candidates are scored with them."""
    return dict(zip(_model()["features"], _model()["weights"]))


def provenance() -> dict:
    """What the weights were fitted on and how (``speaker_ranker.json``)."""
    return _model()["provenance"]


def calibrated(p: float, ab: tuple[float, float] | None = None) -> float:
    """The chance that the chosen speaker is right: the ranker's probability ``p`` mapped by
    ``sigmoid(a * logit(p) + b)``, fitted on dev texts that no attribution rule was written on
    (the rules are right less often on new text than on the texts they were written on).

    >>> round(calibrated(0.9, (1.0, 0.0)), 3), calibrated(0.9, (0.5, -0.2)) < 0.9
    (0.9, True)
    """
    a, b = _model()["calibration"] if ab is None else ab
    p = min(max(p, 1e-6), 1 - 1e-6)
    return 1 / (1 + math.exp(-(a * math.log(p / (1 - p)) + b)))


def probabilities(cands: list[Candidate], w: dict[str, float] | None = None) -> list[float]:
    """The softmax over the candidates' scores (the sum of their features' weights).

    >>> probabilities([Candidate("NATO", {"rule": 1.0}), Candidate("", {"empty": 1.0})], {"rule": 1.0})
    [0.7310585786300049, 0.2689414213699951]
    """
    w = weights() if w is None else w
    scores = [sum(w.get(k, 0.0) * v for k, v in c.features.items()) for c in cands]
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    return [e / sum(exp) for e in exp]


def choose(cands: list[Candidate], w: dict[str, float] | None = None) -> tuple[Candidate, float]:
    """The most likely candidate and its probability (the first of equals: the rules' speaker).

    >>> choose([Candidate("NATO", {"rule": 1.0}), Candidate("", {"empty": 1.0})], {"rule": 1.0})[0].name
    'NATO'
    """
    p = probabilities(cands, w)
    k = max(range(len(cands)), key=p.__getitem__)
    return cands[k], p[k]


SOURCES = (("rule", "the rules' speaker"), ("prev", "the previous quote's speaker"),
           ("next", "the next quote's speaker"), ("mention", "named nearby"))


def rank_rows(text: str, rows: list[dict], nearby: list[tuple], w: dict[str, float] | None = None,
              fixed: list[bool] | None = None) -> None:
    """Give each row (in place) the ranker's speaker and its probability as ``speaker_confidence``.
    A row that a citation attributes, or that is ``fixed`` (the parse knows the words are nobody's:
    the title of an event), keeps the rules' speaker. A changed speaker's ``attribution`` names the
    ranker and the rules' choice; a speaker the ranker empties gets a ``speaker_reason``."""
    fixed = fixed or [False] * len(rows)
    for r, cands, keep in zip(rows, candidates(text, rows, nearby), fixed):
        p = probabilities(cands, w)
        k = max(range(len(cands)), key=p.__getitem__)
        rule = next((j for j, c in enumerate(cands) if c.features.get("rule")), None)
        if r["attribution"] == "citation" or keep:
            k = rule if rule is not None else next(j for j, c in enumerate(cands) if not c.name)
        best = cands[k]
        r["speaker_confidence"] = calibrated(p[k]) if w is None else p[k]
        if rule is not None and k == rule or rule is None and not best.name:
            continue
        was = f"the rules' {r['speaker']!r} ({r['attribution']}) had {p[rule]:.2f}" if rule is not None \
            else "the rules named nobody"
        if best.name:
            why = ", ".join(words for tag, words in SOURCES if best.features.get(tag))
            r.update(speaker=best.name, attribution=f"ranked: {why}; {was}", speaker_reason="")
        else:
            r.update(speaker="", attribution="", speaker_reason=f"no speaker is more likely than none ({was})")
