"""The tagger's tokens and named entities, read for attribution: the coarse part of speech
(:func:`pos`), the entities mended where the small English model errs (people given with their
post, names cut at a hyphen or joined to a title: :func:`mend_names`), and an entity's name and
kind as a speaker (:func:`entity_name`, :func:`entity_kind`). Pure functions over spaCy tokens.
"""
from __future__ import annotations

from stance.extraction.names import (ORG_NOUNS, PARTICLES, PERSON_NOUNS, first_name, posted_at, strip_titles,
                                     title_word, titled)

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "NORP", "FAC")
NAMED = ENTITY_TYPES + ("JOINT",)  # what a resolved or named speaker is (JOINT: "Joe Biden and Fumio Kishida")


def pos(token) -> str:
    """The coarse part of speech (VERB, AUX, NOUN, PROPN, PRON, ADJ, OTHER) from the tagger's
    fine tag, so that the attribute ruler, which maps one to the other, can stay out of the pipeline."""
    tag = token.tag_
    if tag == "MD":
        return "AUX"
    if tag.startswith("VB"):
        return "VERB"
    if tag in ("NNP", "NNPS"):
        return "PROPN"
    if tag.startswith("NN"):
        return "NOUN"
    if tag in ("PRP", "PRP$", "WP", "WP$", "EX"):
        return "PRON"
    if tag.startswith("JJ"):
        return "ADJ"
    return "OTHER"


def entity_of(token):
    """The named entity (:data:`ENTITY_TYPES`) a token is part of, or None."""
    if token.ent_type_ in ENTITY_TYPES:
        return next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
    return None


POSTED = frozenset("embassy mission consulate delegation chamber commerce".split())  # named with where they serve


def posted_people(doc):
    """``doc`` with the names of people given with their post ("Ambassador to the US Anatoly Antonov",
    "EU Ambassador to China Jorge Toledo") as PERSON entities, which the tagger takes into the
    place ("the US Anatoly Antonov", ORG) or misses: two or three capitalised words, no title among
    them, after a title and its post (:func:`~stance.extraction.names.posted_at`)."""
    found = []
    for t in doc:
        if t.lower_ not in ("to", "in", "at") or t.i == 0 or not (doc[t.i - 1].text[:1].isupper()
                                                                  and title_word(doc[t.i - 1].text)):
            continue
        words = [w.text for w in doc[t.i:t.i + 8]]
        post = posted_at(words)
        end = t.i + post
        while end < len(doc) and end - t.i - post < 4 and doc[end].text[:1].isupper() and doc[end].is_alpha \
                and not title_word(doc[end].text):
            end += 1
        if post and end - t.i - post in (2, 3) and (end == len(doc) or not doc[end].text[:1].isupper()):
            place = t.i + (2 if doc[t.i + 1].lower_ == "the" else 1)
            found += [(place, t.i + post, "GPE"), (t.i + post, end, "PERSON")]
    if found:
        from spacy.tokens import Span

        kept = [e for e in doc.ents if not any(e.start < b and a < e.end for a, b, _ in found)]
        doc.ents = sorted(kept + [Span(doc, a, b, label=label) for a, b, label in found], key=lambda e: e.start)
    return doc


def mend_names(doc):
    """``doc`` with its people's names mended: people given with their post (:func:`posted_people`),
    a name the tagger cut at a hyphen ("Yoon Suk" of "Yoon Suk-yeol") taken through it, a name it
    joined to the end of a title ("State Pompeo" in "Secretary of State Pompeo", "Belarus Alexander
    Lukashenko" in "President of Belarus Alexander Lukashenko") taken apart, and a
    "person" in lower case ("to the max") no name."""
    from spacy.tokens import Span

    doc = posted_people(doc)
    ents = []
    for e in doc.ents:
        end = e.end
        if e.label_ == "PERSON" and not e.text[:1].isupper() and e[0].lower_ not in PARTICLES:
            continue  # not "von der Leyen"
        if e.label_ == "ORG" and len(e) >= 2 and e[0].text == "State" and e.start >= 2 and doc[e.start - 1].lower_ == "of" \
                and title_word(doc[e.start - 2].text) and all(t.text[:1].isupper() and t.is_alpha for t in e[1:]):
            e = Span(doc, e.start + 1, end, label="PERSON")  # "Secretary of" + "State Pompeo"
        elif e.label_ in ("PERSON", "ORG") and len(e) == 3 and e.start >= 2 and doc[e.start - 1].lower_ == "of" \
                and title_word(doc[e.start - 2].text) and all(t.is_title and t.is_alpha for t in e):
            e = Span(doc, e.start + 1, end, label="PERSON")  # "President of" + "Belarus Alexander Lukashenko"
        if e.label_ == "PERSON" and end + 1 < len(doc) and doc[end].text in "-‐" and not doc[end - 1].whitespace_ \
                and not doc[end].whitespace_ and doc[end + 1].is_alpha and not doc[end + 1].ent_type_:
            e = Span(doc, e.start, end + 2, label="PERSON")
        ents.append(e)
    if [(e.start, e.end) for e in ents] != [(e.start, e.end) for e in doc.ents]:
        doc.ents = ents
    return doc


def posted(token):
    """The title whose post a name ends ("Ambassador" for "Antonov" in "Ambassador to the US Anatoly
    Antonov", which the parser reads as the object of "to"), or None."""
    head = token.head
    if token.dep_ == "pobj" and head.lower_ in ("to", "in", "at") and head.dep_ == "prep" and \
            title_word(head.head.text) and posted_at([w.text for w in head.doc[head.i:token.i + 1]]):
        return head.head
    return None


def entity_name(ent) -> str:
    """A person's name as the entity gives it, mended: a name never ends in a particle, so
    "von der" takes the capitalised word after it ("von der Leyen", which the tagger splits); a first
    name the tagger left out comes in ("Antony" of "Antony J. Blinken", at most two words); a title
    word the tagger took into the name goes ("Spokeswoman Maria Zakharova")."""
    doc, start, end = ent.doc, ent.start, ent.end
    while end > ent.start and doc[end - 1].lower_ in PARTICLES and end < len(doc) and \
            (doc[end].text[:1].isupper() or doc[end].lower_ in PARTICLES):
        end += 1
    while ent.label_ == "PERSON" and start > max(ent.sent.start, ent.start - 2) and first_name(doc[start - 1]) \
            and not (start >= 2 and doc[start - 2].lower_ == "of"):  # "President of Belarus" is no first name
        start -= 1
    if ent.label_ in ("ORG", "FAC") and ent.root.lower_ in POSTED:
        end = post_end(doc, end)
    if ent.label_ == "ORG" and start > 0 and all(t.lower_ in GENERIC_OFFICE for t in doc[start:end]):
        owner = entity_of(doc[start - 1]) or (entity_of(doc[start - 2]) if start > 1 else None)
        possessive = doc[start - 1].lower_ in ("’s", "'s")
        if owner is not None and (owner.label_ == "NORP" and owner.end == start or possessive and owner.label_ in (
                "GPE", "ORG") and owner.end in (start, start - 1)):
            start = owner.start  # whose office: "Japanese Foreign Ministry", "Seoul's Foreign Ministry"
    text = doc[start:end].text if (start, end) != (ent.start, ent.end) else ent.text
    return strip_titles(text) if ent.label_ == "PERSON" or titled(text) else text


# the words of an office's name that do not say whose it is ("Foreign Ministry", "Coast Guard")
GENERIC_OFFICE = ORG_NOUNS | frozenset("""the foreign defence defense commerce trade finance economy interior justice
presidential coast guard air force navy""".split())


def post_end(doc, end: int) -> int:
    """Where the name of a mission that ends at token ``end`` ends with its post: "the Embassy of
    China" + "in Japan", "China's mission" + "to the European Union"; ``end`` when no post follows."""
    if end + 1 >= len(doc) or doc[end].lower_ not in ("in", "to"):
        return end
    post = next((e for e in doc.ents if e.start in (end + 1, end + 2) and e.label_ in ("GPE", "ORG")
                 and all(t.lower_ == "the" for t in doc[end + 1:e.start])), None)
    return post.end if post is not None else end


def entity_kind(ent) -> str:
    """A named entity's type, PERSON where an appositive says it is a person ("Fengshan, a
    spokesman for ...", "the spokesman, Fengshan,") though the tagger took it for another type."""
    if ent.label_ == "PERSON" or titled(getattr(ent, "text", "")):
        return "PERSON"
    root = ent.root
    beside = [c for c in root.children if c.dep_ == "appos"] + ([root.head] if root.dep_ == "appos" else [])
    return "PERSON" if any(b.lower_ in PERSON_NOUNS and pos(b) == "NOUN" for b in beside) else ent.label_
