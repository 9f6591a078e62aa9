"""Speakers that the discourse gives when a quote's own sentence names none.

Three conventions of news writing (``CODING.md``), for a quote whose own sentence names no speaker:

- **Headlines.** A scare-quoted phrase in a headline ("Starmer gives 'unwavering support'") is the
  words of the headline's subject, when that subject is a name (:func:`headline_subject`); a
  headline whose subject is not a name ("Japan's move 'irresponsible'") names no speaker.
- **Echoes.** Words quoted inside someone's quote that an earlier quote of the text gave to
  another speaker are that speaker's: the text says they first uttered them (:func:`first_utterer`).
- **Titles and ledes.** A text titled as someone's remarks ("Embassy Spokesperson's Remarks on
  ...") is that speaker's words (:func:`header_speaker`); a lede's words are the person's who, a
  later paragraph says, "made the remarks" (:func:`remarks_makers`).
- **Paragraphs.** A sentence that follows reported speech in the same paragraph ("The council
  stressed that ... . The '1992 Consensus' is ...") continues it: its speaker is the latest one
  named as a speaker in that paragraph before the sentence (:func:`paragraph_speaker`), unless a
  parenthetical citation of a source comes between them (the author's own text, citing others).

:mod:`stance.extraction.quotes` applies them to terms only, after the sentence's own attribution.
"""
from __future__ import annotations

import bisect
import re

from stance.extraction.attribution_resolve import resolve_ahead
from stance.extraction.entities import NAMED, entity_kind, entity_of, pos
from stance.extraction.mentions import Mention, name_in_text
from stance.extraction.names import PERSON_NOUNS, strip_titles, title_word
from stance.extraction.rules import find_citation

HEADLINE_WORDS = 25  # a longer line is a paragraph, not a headline


def line_of(text: str, at: int) -> tuple[int, int]:
    """The start and end of the line holding offset ``at``.

    >>> line_of("Title\\nBody text.", 8)
    (6, 16)
    """
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, len(text) if end < 0 else end


def is_headline(text: str, at: int) -> bool:
    """True when offset ``at`` is in a headline: a short line without a sentence's final stop, above
    the first paragraph of the text (no line before it is a paragraph).

    >>> t = "Daily Star\\nMinister gives ‘full support’ to plan\\nThe minister said on Monday that it works."
    >>> is_headline(t, t.index("full")), is_headline(t, t.index("works"))
    (True, False)
    """
    start, end = line_of(text, at)
    line = text[start:end].strip()
    if not line or len(line.split()) >= HEADLINE_WORDS or re.search(r"[.!?:;][\s”’\"'»)]*$", line):
        return False
    return all(len(previous.split()) < HEADLINE_WORDS for previous in text[:start].split("\n"))


def headline_subject(doc, offset: int, start: int, end: int, mentions: list[Mention]) -> tuple[str, str]:
    """``(name, kind)`` of the subject of a headline's main verb (the headline is ``text[start:end]``,
    parsed in ``doc`` from ``offset``) when that subject is a name: a named entity, or a word that is
    the surname of a person the text names (headlines say "Starmer", the article "Sir Keir Starmer",
    and the tagger often misses names in headline capitals); else ``("", "")``."""
    tokens = [t for t in doc if start <= t.idx + offset < end]
    roots = [t for t in tokens if (t.head.i == t.i or not start <= t.head.idx + offset < end)
             and pos(t) in ("VERB", "AUX")]
    for root in roots:
        subject = next((c for c in root.children if c.dep_ == "nsubj" and c.i < root.i), None)
        if subject is None:
            continue
        ent = entity_of(subject)
        words = ent.text if ent is not None else subject.text
        person = next((m for m in mentions if m.kind == "PERSON" and len(m.text.split()) >= 2
                       and m.text.split()[-1] == words), None)
        if person is not None:
            return person.text, "PERSON"
        if ent is not None and entity_kind(ent) in NAMED:
            return ent.text, entity_kind(ent)
    return "", ""


def headline_label(text: str, start: int, end: int, at: int, mentions: list[Mention]) -> str:
    """The speaker a headline ``text[start:end]`` names as a label beside its words, for a quote at
    ``at``: "Zelenskyy: Referendums will 'bury' ..." or "... 'typical protectionism': spokesperson".
    A surname is the full name the text gives later, a title ("spokesperson") the person it titles;
    ``""`` when the headline has no such label.

    >>> ms = [Mention(80, "Lin Jian", "PERSON", "foreign ministry spokesperson", True, False, True)]
    >>> t = "Probe 'typical protectionism': spokesperson\\nThe probe is wrong, spokesperson Lin Jian said."
    >>> headline_label(t, 0, t.index("\\n"), 7, ms), headline_label("Rain 'soon': forecast", 0, 21, 6, ms)
    ('Lin Jian', '')
    """
    line = text[start:end]
    before = re.match(r"\s*([^:“”\"‘’'«»]{2,40}?):\s", line)
    after = re.search(r"(?::|\s[-–—])\s+([^:“”\"‘’'«»]{2,40}?)\s*$", line)  # "...: spokesperson", "... - Lavrov"
    if before and at >= start + before.end():
        label = before.group(1).strip()
    elif after and at < start + after.start():
        label = after.group(1).strip()
    else:
        return ""
    words = label.split()
    head = re.split(r"\s+(?:to|of|at|for|in)\s+", label, maxsplit=1)[0].split()[-1]  # "Russian Envoy to UN": envoy
    if not 1 <= len(words) <= 5 or not (label[:1].isupper() or head.lower() in PERSON_NOUNS):
        return ""
    later = [m for m in mentions if m.at >= end]
    named = next((m for m in later if m.kind in NAMED and m.text.lower() in (label.lower(), "the " + label.lower())),
                 None)
    if len(words) == 1 and label.lower() not in PERSON_NOUNS:  # "Zelenskyy", the article's "Volodymyr Zelenskyy"
        person = next((m for m in later if m.kind == "PERSON" and label in (m.text.split()[-1], m.text.split()[0])
                       and len(m.text.split()) >= 2), None)
        if person is not None:
            return person.text
        whole = name_in_text(label, text[end:end + 1500]) if named is None else label
        if whole != label:  # "Councillor Edda Quill says", outside the parse
            return whole
    if head.lower() in PERSON_NOUNS:  # "spokesperson": the person the article gives that title
        person = resolve_ahead(label, end, mentions)
        if person is not None:
            return person.text
        titled = re.search(rf"(?i:{re.escape(head)})\s+([A-Z][a-z]+(?: [A-Z][a-z]+){{1,2}})", text[end:end + 1500])
        if titled:  # "... spokesperson Lin Jian said", outside the parse
            return titled.group(1)
        # "... - Russian Envoy to UN" over a story whose first speaker is "Nebenzia told ...", untitled
        reporter = next((m for m in later if m.kind == "PERSON" and m.reports and m.at < end + 1500), None)
        return reporter.text if reporter is not None else label
    return named.text if named is not None else ""


def paragraph_speaker(text: str, sentence_start: int, mentions: list[Mention]) -> Mention | None:
    """The latest name before ``sentence_start`` in the same paragraph that is a quote's speaker or
    the subject of a reporting verb; ``mentions`` sorted by offset. None when there is none.

    >>> ms = [Mention(0, "MAC", "ORG", "", True, False, True)]
    >>> t = "The MAC stressed that talks matter. The ‘consensus’ is wrong."
    >>> paragraph_speaker(t, t.index("The ‘"), ms).text, paragraph_speaker("x\\n" + t, 2, ms)
    ('MAC', None)
    """
    paragraph = text.rfind("\n", 0, sentence_start) + 1
    lo = bisect.bisect_left(mentions, paragraph, key=lambda m: m.at)
    hi = bisect.bisect_left(mentions, sentence_start, key=lambda m: m.at)
    m = next((m for m in reversed(mentions[lo:hi]) if (m.speaker or m.reports) and m.kind in NAMED), None)
    if m is not None and find_citation(text, m.at, sentence_start):
        return None  # a citation of a source after the speaker: the text is no longer their speech
    return m


def opening_speaker(text: str, at: int, mentions: list[Mention]) -> Mention | None:
    """For a quote that opens its paragraph (nothing but its mark before it on the line), the
    latest speaker of the paragraph before, which reported someone's speech ("Macron stressed that
    ... .\\n"The question ..."): a quote set off after reported speech goes on with it. None else.

    >>> ms = [Mention(0, "Edda Quill", "PERSON", "", True, False, True)]
    >>> t = "Edda Quill stressed that fees stay.\\n“They will not rise.”"
    >>> opening_speaker(t, t.index("“"), ms).text, opening_speaker(t, 3, ms)
    ('Edda Quill', None)
    """
    start = text.rfind("\n", 0, at) + 1
    if start == 0 or text[start:at].strip():
        return None
    return paragraph_speaker(text, start - 1, mentions) if text[:start - 1].strip() else None


def discourse_speaker(text: str, doc, offset: int, at: int, sentence_start: int,
                      mentions: list[Mention]) -> tuple[str, str]:
    """``(speaker, how)`` the discourse gives a quote at ``at`` whose sentence names no speaker: the
    headline's subject in a headline, else the paragraph's latest speaker; ``("", "")`` for none."""
    if is_headline(text, at):
        name, _ = headline_subject(doc, offset, *line_of(text, at), mentions)
        if name:
            return name, "headline: its subject"
        name = headline_label(text, *line_of(text, at), at, mentions)
        return (name, "headline: its speaker label") if name else ("", "")
    m = paragraph_speaker(text, sentence_start, mentions)
    if m is None:
        m = opening_speaker(text, at, mentions)
        return (m.text, f"continues the previous paragraph's speech ({m.text})") if m is not None else ("", "")
    return (m.text, f"continues the paragraph's speech ({m.text})")


def first_utterer(words: str, earlier: list[str], speakers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """``(speaker, kind)`` of the latest earlier quote (``earlier``, with their ``speakers``) that
    holds ``words`` whole, case and spacing aside, when it has a speaker; else None. The quotes
    around ``words`` are not among ``earlier``.

    >>> first_utterer("global rules", ["plotting to undermine global rules", "we keep our word"],
    ...               [("Mark Rutte", "PERSON"), ("Maria Zakharova", "PERSON")])
    ('Mark Rutte', 'PERSON')
    """
    key = " ".join(re.findall(r"\w+", words.lower()))
    if not key:
        return None
    for quote, (speaker, kind) in reversed(list(zip(earlier, speakers))):
        said = " ".join(re.findall(r"\w+", quote.lower()))
        if speaker and key != said and re.search(rf"(?:^| ){re.escape(key)}(?: |$)", said):
            return speaker, kind
    return None


_ROLE_WORDS = r"(?:[Ss]pokes(?:person|man|woman)|Minister|Ambassador|Embassy|Ministry|Mission|Consulate|Office|Council)"
_TITLED = r"(?:[A-Z][\w.’'-]*|of|the|in|to|for|and)"  # a title-case name: "Spokesperson of the Chinese Embassy in the US"
_HEADER = re.compile(  # "Embassy Spokesperson's Remarks on ...", "Remarks by Spokesperson of ... on ...", "X Spokesperson on ..."
    rf"^(?:(?:Remarks|Statement|Comments|Answers?)\s+(?:by|of)\s+(?P<by>(?:{_TITLED}\s+){{0,10}}?{_ROLE_WORDS}"
    rf"(?:\s+{_TITLED}){{0,8}}?)\s+on\s"
    rf"|(?P<own>(?:{_TITLED}\s+){{0,10}}?{_ROLE_WORDS}(?:\s+{_TITLED}){{0,4}}?)[’']s\s+(?:Remarks|Statement|Comments|Answers?)"
    rf"\s+(?:on|to|at|about)\s"
    rf"|(?P<on>(?:{_TITLED}\s+){{0,10}}?{_ROLE_WORDS})\s+on\s+(?:the\s+)?[A-Z\"“])")


def header_speaker(text: str) -> tuple[int, str]:
    """``(offset, name)`` of a text whose first line titles it as someone's remarks ("Embassy
    Spokesperson's Remarks on the Summit", "Remarks by Spokesperson of the Chinese Embassy in the US
    on ..."): quotes from that line on that nothing else attributes are that speaker's words (the
    title's own included). ``(len(text), "")`` for any other text.

    >>> header_speaker("Embassy Spokesperson's Remarks on the Summit\\nThe “summit” smeared us.")
    (0, 'Embassy Spokesperson')
    >>> header_speaker("Xi's remarks on Taiwan spark concern\\nThe speech ...")[1]
    ''
    """
    line = text.split("\n", 1)[0]
    m = _HEADER.match(line) if len(line) <= 250 else None  # a title, not a paragraph
    if m is None or len(line) >= len(text):
        return len(text), ""
    return 0, strip_titles(next(g for g in m.groups() if g).strip())


_MADE_REMARKS = re.compile(r"(?P<who>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){1,3})\s+made\s+the\s+(?:remarks|comments|statement)\b")


def remarks_makers(text: str, starts: list[int], kinds: list[str]) -> dict[int, str]:
    """For quotes (their outer ``starts``) whose speaker is a country, a body or nobody (``kinds``):
    the person a later paragraph says "made the remarks" ("China urged the US to avoid 'treading
    further down the wrong path'. ... Spokesperson Hua Chunying made the remarks"), by quote index;
    never for a headline's words, which are whoever the headline names.

    >>> t = "Title\\nChina urged restraint: “stop it.”\\nSpokesperson Hua Chunying made the remarks on Monday."
    >>> remarks_makers(t, [t.index("“")], ["GPE"])
    {0: 'Hua Chunying'}
    """
    headline = text.find("\n")
    out = {}
    for k, (start, kind) in enumerate(zip(starts, kinds)):
        made = _MADE_REMARKS.search(text, start, start + 600)
        if kind not in ("GPE", "ORG", "NORP", "DESC", "") or made is None or start < headline:
            continue
        maker = strip_titles(made.group("who"))
        if "\n" in text[start:made.start()] and len(maker.split()) >= 2 and not any(map(title_word, maker.split())):
            out[k] = maker
    return out
