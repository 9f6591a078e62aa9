"""Who said a quote: speakers found with spaCy's parser and named entities.

:func:`stance.extraction.quotes.extract_quotes` finds the quotation marks (its own, well-tested span
finder); this module names the speaker of each quote in an English text:

1. **Turns.** In a transcript ("Q: ...", "Mao Ning: ...", "MR PRICE: ..."), a quote inside a
   turn belongs to the turn's speaker (:func:`transcript_turns`); "A:" is the spokesperson the
   header names, and a question's quote is the questioner's (the outlet when the label names one).
2. **Reporting verbs.** In the quote's sentence, the reporting verb (``say``, ``tell``,
   ``according to``, ``call``, ``describe``... :data:`REPORTING`) whose clause holds the quote,
   else the nearest one outside any quote; its subject (or the ``according to`` object, the
   passive's ``by`` agent, the subject of ``was quoted as saying``) is the speaker
   (:func:`reporting_verb`, :func:`subject_of`).
3. **Names, never fragments.** The subject becomes the named entity it is or stands beside (an
   appositive, a title before a name: "Secretary General Jens Stoltenberg" is "Jens Stoltenberg"),
   else its noun phrase without relative clauses (:func:`mention`); a bare surname becomes the
   full name the text gave earlier, and a person is named by the fullest name the text gives,
   without titles ("J. Blinken", "Coast Guard Spokesperson Gan Yu": :func:`fullest_name`). Nothing
   crosses a sentence break.
4. **Resolution.** A pronoun or a description ("he", "the spokesperson", "Russia's top diplomat",
   "the alliance") is resolved to the nearest compatible name before it: a person for "he"/"she"
   and person nouns, an organisation or place for "it" and institution nouns; earlier speakers
   first, then named entities (:func:`resolve`). When the text names nobody, the description
   stays, and a pronoun gives an empty speaker with its reason.
5. **Nested speech.** A quote inside another quote takes a speaker named inside the outer quote,
   else the speaker of an earlier quote that held the same words, else the outer quote's speaker.
6. **Discourse.** A quote whose sentence has no reporting verb gets a headline's subject or the
   paragraph's latest speaker as ``context`` (:mod:`stance.extraction.attribution_discourse`).

spaCy's pipeline loads on first use (:func:`stance.extraction.pipeline.load_english`), never at import; only the sentences
around quotes are parsed (:func:`windows`). Coreference components (coreferee) need an English
model that is not on PyPI, so resolution is by the rules above.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, replace

from stance.evaluate import split_joint
from stance.extraction.attribution_discourse import discourse_speaker, first_utterer, header_speaker, remarks_makers
from stance.extraction.attribution_resolve import (can_speak, description_wants, document_owner, introduces, is_specific,
                                                   resolve, resolve_ahead, unnamed_people)
from stance.extraction.attribution_rules import (RELATIVE, author_of, join_names, lemma, mention, reporting_verb,
                                                  subject_of)
from stance.extraction.entities import ENTITY_TYPES, NAMED, mend_names, pos
from stance.extraction.mentions import (Mention, _mentions, clean_name, complete_names, full_name, issuers,
                                        joint_mentions, name_in_text, surname_mentions, without_common_word)
from stance.extraction.names import HONORIFICS, fullest_name, is_news_agency, is_outlet, names_a_person, strip_titles
from stance.extraction.pipeline import load_english
from stance.extraction.rules import _VERB

__all__ = ["ENTITY_TYPES", "NAMED", "Attribution", "Mention", "Turn", "frame_speaker", "full_name", "is_name_like",
           "load_english", "speakers", "transcript_turns", "turn_speaker", "windows"]

# not labels of a speaker's turn, though they open a line with a colon
NOT_TURNS = frozenset("photo photos source editor related read note caption video image credit tags tag file "
                      "update updated date by share see also watch listen topics keywords key words".split())
_TURN = re.compile(r"^[ \t•*-]*(?P<label>Q|A|Question|Answer|(?:(?:Mr|Ms|Mrs|Dr|H\.E\.)\.?\s+)?"
                   r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3})(?P<title>,\s+[^:\n]{3,60}?)?\s*[:：]\s+(?=\S)",
                   re.MULTILINE)
# a turn inside a line, after a sentence ("... press conference. Reporter: ... on this? Taiwan Affairs
# Office Spokesman Chen Binhua: ..."), where a page lost its line breaks
_INLINE_TURN = re.compile(r"(?<=[.?!”\"] )(?P<label>Q|A|Question|Answer|[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,6})"
                          r"(?P<title>)[:：]\s+(?=\S)")
QUESTION_LABELS = {"q", "question", "reporter", "journalist", "correspondent"}
ANSWER_LABELS = {"a", "answer"}


# --- 1. what to parse ----------------------------------------------------------------------------

def windows(spans: list[tuple[int, int]], text: str, back: int = 2) -> list[tuple[int, int]]:
    """Character ranges to parse: each quote's sentence (``spans``) widened to the start of the
    paragraph ``back`` paragraphs before it (for names that pronouns refer to), merged.

    >>> t = "P1 first.\\nP2 he said “x”.\\nP3."
    >>> windows([(t.index("he"), t.index(".\\nP3") + 1)], t)
    [(0, 25)]
    """
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        start, steps = a, 0
        while steps <= back and start > 0:  # blank lines are not paragraphs
            line = text.rfind("\n", 0, max(0, start - 1)) + 1
            steps += bool(text[line:start].strip()) or start == a
            start = line
        start = max(start, a - 1500)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((start, b))
    return out


# --- 2. transcripts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Turn:
    start: int
    end: int
    label: str


def transcript_turns(text: str, header: str = "") -> list[Turn]:
    """Speaker turns of a transcript: lines that open with a label and a colon ("Q:", "Mao Ning:",
    "MR PRICE:"), each running to the next label. Empty unless the labels look like a transcript:
    a question or answer label, a label that opens two turns or more, or a name that the text's
    ``header`` gives ("Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference").

    >>> [t.label for t in transcript_turns("Q: Your comment?\\nMao Ning: We oppose it.\\nQ: And?")]
    ['Q', 'Mao Ning', 'Q']
    >>> transcript_turns("Photo: Reuters\\nSource: Xinhua\\nThe talks went on.")
    []
    >>> [t.label for t in transcript_turns("Mr. HAYASHI Yoshimasa, Minister for Foreign Affairs: I have two.")]
    ['Mr. HAYASHI Yoshimasa']
    >>> [t.label for t in transcript_turns("It met. Reporter: Your view? Office Spokesman Chen Bo: We oppose it.")]
    ['Reporter', 'Office Spokesman Chen Bo']
    """
    found = [m for m in _TURN.finditer(text) if len(m.group("label")) <= 40 and "\n" not in m.group("label")
             and m.group("label").lower() not in NOT_TURNS
             and not _VERB.search(m.group("title") or "")]  # a sentence, not a title: "Meanwhile, Wang told Iwaya:"
    inline = [m for m in _INLINE_TURN.finditer(text) if m.group("label").lower() not in NOT_TURNS]
    if any(m.group("label").lower() in QUESTION_LABELS | ANSWER_LABELS for m in inline):  # never ordinary prose
        found = sorted(found + [m for m in inline if not any(f.start() <= m.start() < f.end() for f in found)],
                       key=lambda m: m.start())
    labels = [m.group("label").lower() for m in found]
    # a speaker named with an honorific or a title ("Mr. HAYASHI Yoshimasa, Minister for Foreign Affairs:")
    introduced = any(m.group("title") or HONORIFICS.match(m.group("label"))
                     or " " in m.group("label") and m.start() >= len(header) and m.group("label") in header
                     or " " in m.group("label") and _named_before(m.group("label"), text, m.start())
                     for m in found)
    transcript = any(lab in QUESTION_LABELS | ANSWER_LABELS for lab in labels) or \
        any(labels.count(lab) >= 2 for lab in labels)
    if not found or not (transcript and len(found) >= 2 or introduced):
        return []
    ends = [m.start() for m in found[1:]] + [len(text)]
    return [Turn(m.end(), e, m.group("label")) for m, e in zip(found, ends)]


def _named_before(label: str, text: str, at: int) -> bool:
    """True when the text names ``label`` (a name of two words or more) before ``at``, outside a turn label."""
    return any(not re.fullmatch(r"[ \t•*-]*", text[text.rfind("\n", 0, m.start()) + 1:m.start()])
               or text[m.end():m.end() + 1] not in ":："
               for m in re.finditer(r"\b" + re.escape(label) + r"\b", text[:at]))


_FRAME = re.compile(r"\b(?:issued|released|made|published|delivered|gave|read)\s+the\s+following\s+(?:[\w-]+\s+){0,3}?"
                    r"(?:statement|remarks|speech|message|communiqu[ée]|release|answers?|reply|comments?)\b[^\n]*?[:：]\s*$",
                    re.MULTILINE | re.IGNORECASE)


def frame_speaker(text: str, mentions: list[Mention]) -> tuple[int, str, str]:
    """``(offset, name, kind)`` of a statement the text gives whole after introducing it ("Kwon Jong
    Gun ... issued the following press statement on Sunday:"): what follows the colon is the
    subject's words. ``(len(text), "", "")`` when the text has no such line.

    >>> t = "Pyongyang (KCNA) -- Kwon Jong Gun issued the following press statement:\\nThe U.S. lies."
    >>> frame_speaker(t, [Mention(20, "Kwon Jong Gun", "PERSON", "", True, False)])[1:]
    ('Kwon Jong Gun', 'PERSON')
    """
    m = _FRAME.search(text)
    if m is None:
        return len(text), "", ""
    line = text.rfind("\n", 0, m.start()) + 1
    subjects = [x for x in mentions if line <= x.at < m.start() and x.subject and x.kind in ENTITY_TYPES]
    who = next((x for x in subjects[::-1] if x.kind == "PERSON"), subjects[-1] if subjects else None)
    return (m.end(), who.text, who.kind) if who is not None else (len(text), "", "")


def turn_speaker(label: str, header_person: str) -> str:
    """The speaker a turn label names: "" for a question with no outlet, the header's spokesperson
    for "A:", else the label without honorifics ("MR PRICE" -> "Price").

    >>> turn_speaker("Q", "Mao Ning"), turn_speaker("A", "Mao Ning"), turn_speaker("MR PRICE", "")
    ('', 'Mao Ning', 'Price')
    """
    low = label.lower()
    if low in QUESTION_LABELS:
        return ""
    if low in ANSWER_LABELS:
        return header_person
    name = strip_titles(HONORIFICS.sub("", label).strip())  # "Office Spokesman Chen Binhua" -> "Chen Binhua"
    return name.title() if name.isupper() and len(name) > 4 else name


_ROLE = re.compile(r"((?:[A-Z][\w-]*\s+){0,4}Spokes(?:person|man|woman))(?:[’']s)?\s+(?:Regular\s+)?Press\s+Conference")


def header_role(header: str) -> str:
    """The answering role a transcript's header names when it names no person ("Extracts from
    Foreign Ministry Spokesperson's Regular Press Conference" -> "Foreign Ministry Spokesperson").

    >>> header_role("Extracts from Foreign Ministry Spokesperson’s Regular Press Conference on March 28")
    'Foreign Ministry Spokesperson'
    """
    m = _ROLE.search(header)
    return m.group(1) if m else ""


# --- 5. putting it together ----------------------------------------------------------------------

@dataclass
class Attribution:
    """A quote's speaker, how it was found, and why it is empty when it is."""

    speaker: str = ""
    attribution: str = ""
    reason: str = ""
    kind: str = ""  # PERSON, ORG, GPE, NORP, DESC: what the speaker is; NONE: the words have no speaker
    people: tuple[str, ...] = ()  # the people named before the quote, for a surname's full name
    context: str = ""  # when the quote's sentence has no reporting verb: the headline's or paragraph's speaker
    context_how: str = ""
    nearby: tuple[Mention, ...] = ()  # what the text names around the quote: the speaker ranker's candidates


EMBEDDED = frozenset({"advcl", "relcl", "ccomp", "acl"})  # clauses whose pronoun the sentence before it binds
NEVER_SPEAKERS = RELATIVE | {"whose", "what"}  # relative and interrogative words the tagger may call nouns
NEARBY = (1000, 200)  # characters before a quote and after its sentence whose mentions are ranked as its speaker
LEAD = 400  # the start of a text, where people are introduced, is parsed (to the end of its line, at most twice as far)
# with the sentences around quotes; its first line, when shorter, is the header of a transcript's turns


@functools.lru_cache(maxsize=4096)
def is_name_like(speaker: str) -> bool:
    """True for a name or a short noun phrase; False for a fragment of a sentence ("Smith added. The
    Secretary General", "the UK would echo measures", "him").

    >>> is_name_like("the foreign ministry spokesperson (synthetic)"), is_name_like("the UK would echo measures")
    (True, False)
    >>> is_name_like("Smith added. The Secretary General"), is_name_like("him"), is_name_like("which")
    (False, False, False)
    """
    if not speaker or len(speaker.split()) > 12 or re.search(r"[.!?]\s+[A-Z]|\n|•|[“”\"«»‹›「」『』]", speaker) \
            or not re.search(r"\w", speaker):
        return False
    doc = next(load_english().pipe([speaker], disable=["parser", "ner"]))  # the tags are enough
    if any(pos(t) in ("VERB", "AUX") and t.tag_ not in ("VBN", "VBG") for t in doc):
        return False
    return not (len(doc) == 1 and (pos(doc[0]) == "PRON" or doc[0].lower_ in NEVER_SPEAKERS))


def owned(found: Attribution, before: int, mentions: list[Mention], sentence: int) -> Attribution:
    """A description owned by a pronoun ("its defence ministry") with the owner named ("China's
    defence ministry"), when the pronoun resolves; else ``found`` unchanged."""
    first, _, rest = found.speaker.partition(" ")
    if first.lower() not in ("its", "their") or not rest:
        return found
    owner = resolve(first.lower().replace("its", "it").replace("their", "they"), "ORG", before, mentions,
                    sentence=sentence)
    if owner is None or owner.kind not in ("ORG", "GPE", "NORP"):
        return found
    return Attribution(f"{owner.text}'s {rest}", f"reference: {found.speaker} {found.attribution}", kind="DESC")


def tokens_between(doc, starts: list[int], lo: int, hi: int) -> list:
    """The tokens of ``doc`` that start at a character in ``[lo, hi)``; ``starts``: each token's
    ``idx``, in order (a bisection, not a walk over the whole parsed window for each quote)."""
    return [doc[i] for i in range(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi))]


def _tail_end(text: str, end: int, limit: int = 160) -> int:
    """Where a short attribution after a sentence-final quote ends ('... democracy?" Zhao asked.')."""
    m = re.match(r"[^\n“”\"«»]{1,%d}?(?:[.!?](?=\s|$)|(?=\n)|$)" % limit, text[end:])  # a headline ends at its line
    if m and len(m.group(0).split()) <= 12:
        return end + m.end()
    return end


def speakers(text: str, quotes: list[tuple[int, int, int, int]], sentences: list[tuple[int, int]],
             nlp=None) -> list[Attribution]:
    """One :class:`Attribution` per quote of an English ``text``.

    ``quotes``: each quote's (start, end) of its words and (outer start, outer end) with its marks,
    sorted; ``sentences``: each quote's sentence range. Only the text's start (:data:`LEAD`) and the
    paragraphs around quotes are parsed (:func:`windows`).

    >>> t = ("NATO Secretary General Jens Stoltenberg spoke in Brussels. "
    ...      "“We are united,” he told reporters. The alliance called Moscow’s plan “a sham”.")
    >>> qs = [(t.index("We"), t.index(",”"), t.index("“We"), t.index(",”") + 2),
    ...       (t.index("a sham"), t.index("”."), t.index("“a sham"), t.index("”.") + 1)]
    >>> [(a.speaker, a.attribution) for a in speakers(t, qs, [(59, 94), (95, len(t))])]
    [('Jens Stoltenberg', 'pronoun: he tell'), ('NATO', 'reference: The alliance call')]
    """
    nlp = nlp or load_english()
    outer = [(q[2], q[3]) for q in quotes]
    position = {span: k for k, span in enumerate(outer)}
    top, reach = [], -1  # the outermost quotes (those no earlier quote reaches past), which never overlap
    for a, b in outer:
        if b > reach:
            top.append((a, b))
            reach = b
    top_starts = [a for a, _ in top]

    def enclosing(i: int) -> tuple[int, int] | None:
        """The outermost quote around offset ``i``, or None."""
        k = bisect.bisect_right(top_starts, i) - 1
        return top[k] if k >= 0 and i < top[k][1] else None

    def inside(i: int) -> bool:
        return enclosing(i) is not None

    spans = [(a, max(b, _tail_end(text, q[3]))) for (a, b), q in zip(sentences, quotes)]
    lead = text.find("\n", 0, LEAD) if "\n" in text[:LEAD] else min(len(text), LEAD)  # a header line
    line_end = text.find("\n", LEAD, 2 * LEAD)
    intro = line_end if line_end >= 0 else min(len(text), 2 * LEAD)  # the paragraphs that introduce people
    ranges = windows([(0, intro)] + spans, text) if spans else []
    docs = list(zip(ranges, map(mend_names, nlp.pipe(text[a:b] for a, b in ranges))))
    range_starts = [a for a, _ in ranges]  # merged windows: sorted, not overlapping
    token_starts = [[t.idx for t in d] for _, d in docs]
    mentions = sorted((m for (a, _), d in docs
                       for m in _mentions(d, a, inside) + issuers(d, a, inside) + joint_mentions(d, a, inside)),
                      key=lambda m: m.at)
    mentions = [replace(m, text=without_common_word(m.text, text)) if m.kind == "PERSON" else m for m in mentions]
    mentions = complete_names(sorted(mentions + [m for (a, _), d in docs
                                                 for m in surname_mentions(d, a, inside, mentions, text)],
                                     key=lambda m: m.at))
    turns = transcript_turns(text, text[:lead])
    frame = frame_speaker(text, mentions)
    header = header_speaker(text)
    host = next((m.text for m in mentions if m.kind == "PERSON" and turns and m.at < turns[0].start), "")
    role = "" if host or not turns else header_role(text[:turns[0].start])  # "Foreign Ministry Spokesperson"
    results: list[Attribution] = []
    nearby: list[tuple[Mention, ...]] = []
    for n, ((q_start, q_end, o_start, o_end), (s_start, s_end)) in enumerate(zip(quotes, spans)):
        k = bisect.bisect_right(range_starts, s_start) - 1
        offset, doc = (ranges[k][0], docs[k][1]) if k >= 0 and s_end <= ranges[k][1] else (None, None)
        starts = token_starts[k] if doc is not None else []
        found = Attribution()
        subject_at, embedded, verb, first_person = o_start, False, None, False
        container = enclosing(o_start)
        container = container if container != (o_start, o_end) else None
        if doc is not None:
            if container is not None:  # nested: verbs inside the outer quote count
                lo, hi = container
                tokens = tokens_between(doc, starts, lo - offset, hi - offset)
                outside = lambda i: any(a <= i < b for a, b in outer if (a, b) != container and lo <= a)  # noqa: E731
            else:
                lo, hi = s_start, s_end
                tokens = tokens_between(doc, starts, lo - offset, hi - offset)
                outside = inside
            quote_tokens = {t.i for t in tokens if q_start <= t.idx + offset < q_end}
            verb = reporting_verb(tokens, quote_tokens, lambda i: outside(i + offset))
            if verb is not None:
                subject = subject_of(verb)
                if subject is not None and not lo <= subject.idx + offset < hi:
                    subject = None  # never across a sentence break
                if subject is not None:
                    words, kind = mention(author_of(subject))
                    subject_at = subject.right_edge.idx + offset  # names inside the subject come before it
                    embedded = subject.head.dep_ in EMBEDDED  # "Lai's speech, in which he said"
                    if verb.lower_ == "according" and is_news_agency(words):  # "'...,' according to AP"
                        found.reason = f"the news agency {words!r} reported the words; it did not say them"
                    elif kind in NAMED or kind == "PRON" or is_name_like(clean_name(words)) and can_speak(clean_name(words)):
                        found = Attribution(clean_name(words), lemma(verb), kind=kind)
                elif lemma(verb) in ("entitle", "title"):  # "a press conference entitled '...'": a name
                    found = Attribution(reason=f"the title of what {verb.text!r} names has no speaker", kind="NONE")
                elif verb.lower_ != "according":
                    passive = any(c.dep_ == "nsubjpass" for c in verb.children)
                    found.reason = (f"the passive {verb.text!r} names no speaker" if passive
                                    else f"the verb {verb.text!r} has no subject in this sentence")
            if found.kind == "DESC":  # "its defence ministry" -> "China's defence ministry"
                found = owned(found, min(o_start, subject_at), mentions, s_start)
                issuer = document_owner(found.speaker)  # "The Pentagon statement" -> "Pentagon"
                if issuer:
                    found = Attribution(issuer, f"the writing of: {found.speaker} {found.attribution}", kind="ORG")
            first_person = found.kind == "PRON" and found.speaker.lower() in ("i", "we")
            if found.speaker and found.kind in ("PRON", "DESC"):
                wants = description_wants(found.speaker) if not is_specific(found.speaker) else None
                resolved = (resolve(found.speaker, wants, min(o_start, subject_at), mentions, sentence=s_start,
                                    embedded=embedded) if wants and not introduces(found.speaker) else None)
                if resolved is None and found.kind == "DESC" and wants == "PERSON" \
                        and not unnamed_people(found.speaker):
                    resolved = resolve_ahead(found.speaker, subject_at, mentions)
                elif resolved is None and found.speaker.lower() in ("he", "she") and not any(
                        m.kind == "PERSON" for m in mentions if m.at < o_start):  # "..., he said" opens an excerpt
                    resolved = resolve_ahead(found.speaker, subject_at, mentions, reach=600)
                if resolved is not None:
                    how = "pronoun" if found.kind == "PRON" else "reference"
                    found = Attribution(resolved.text, f"{how}: {found.speaker} {found.attribution}",
                                        kind=resolved.kind)
                elif found.kind == "PRON":
                    found = Attribution(reason=f"{found.speaker!r} refers to no one named before it")
            people = tuple(m.text for m in mentions if m.kind == "PERSON" and m.at < o_start)
            if found.kind in NAMED and " " not in found.speaker:  # "Sun" (tagged ORG too) after "Sun Weidong"
                whole = full_name(found.speaker, list(people))
                if whole == found.speaker and found.kind == "PERSON":
                    whole = name_in_text(found.speaker, text[:o_start])
                elif whole == found.speaker and found.kind == "ORG" and found.speaker.istitle():
                    # a surname the tagger took for an organisation ("Wang" after "Wang Yi" outside the parse),
                    # named in the body, not a title-case headline ("Kremlin Tempers Expectations")
                    whole = name_in_text(found.speaker, text[text.find("\n") + 1:o_start])
                found.speaker, found.kind = whole, "PERSON" if whole != found.speaker else found.kind
            found.people = people
        if container is not None and not found.speaker:
            parent = results[position[container]]  # a container starts earlier: already attributed
            before = [k for k in range(n) if quotes[k][3] <= o_start]  # earlier quotes, not the containers
            echo = first_utterer(text[q_start:q_end], [text[quotes[k][0]:quotes[k][1]] for k in before],
                                 [(results[k].speaker, results[k].kind) for k in before])
            if echo is not None and echo[0] != parent.speaker:  # "Zakharova asked 'what “global rules”'"
                found = Attribution(echo[0], "words an earlier quote gave to their speaker", kind=echo[1])
            elif parent.speaker:
                found = Attribution(parent.speaker, "inside the quote of its speaker", kind=parent.kind)
        if not found.speaker and o_start >= frame[0]:
            found = Attribution(frame[1], "in the statement its speaker issued", kind=frame[2], people=found.people)
        turn = next((t for t in turns if t.start <= o_start < t.end), None)
        if not found.speaker and o_start >= header[0] and (turn is None or turn.label.lower() not in QUESTION_LABELS):
            found = Attribution(header[1], "in the remarks its title gives to the speaker", kind="DESC",
                                people=found.people)
        generic = (found.kind == "DESC" and container is None  # not a name, nor "the two leaders"
                   and not re.search(r"\b(?:[A-Z]|two|three|both)", found.speaker[:1].lower() + found.speaker[1:])
                   and turn is not None and turn.label.lower() not in QUESTION_LABELS and not is_outlet(turn.label))
        if turn is not None and (not found.speaker or first_person or generic):  # "We urge ...", "countries
            # reaffirmed ...": the words of the turn's speaker
            who = turn_speaker(turn.label, host or role)
            if who:
                found = Attribution(full_name(who, [m.text for m in mentions if m.kind == "PERSON"]),
                                    f"transcript turn: {turn.label}", kind="DESC" if who == role else "PERSON")
            elif not found.speaker:
                found.reason = found.reason or (f"asked by an unnamed questioner ({turn.label}:)"
                                                if turn.label.lower() not in ANSWER_LABELS else
                                                f"answered by someone the transcript does not name ({turn.label}:)")
        if doc is not None and verb is None and container is None and not found.speaker:
            found.context, found.context_how = discourse_speaker(text, doc, offset, o_start, s_start, mentions)
        nearby.append(tuple(m for m in mentions if o_start - NEARBY[0] <= m.at < s_end + NEARBY[1]))
        if found.speaker and found.kind != "PRON":
            titles = next((m.titles for m in reversed(mentions) if m.text == found.speaker and m.titles), "")
            bisect.insort(mentions, Mention(o_start, found.speaker, found.kind or "DESC", titles, True, True),
                          key=lambda m: m.at)
        results.append(found)
    for k, maker in remarks_makers(text, [q[2] for q in quotes], [r.kind for r in results]).items():
        results[k] = Attribution(maker, f"{results[k].speaker or 'the lede'}'s words: {maker} made the remarks",
                                 kind="PERSON", people=results[k].people)
    people = [m.text for m in mentions if m.kind == "PERSON"]
    for found, around in zip(results, nearby):  # each person by the fullest name the text gives ("Von der Leyen",
        found.nearby = around  # "Ursula von der Leyen")
        if found.speaker and (found.kind == "PERSON" or names_a_person(found.speaker, people)):
            found.speaker = fullest_name(found.speaker, people)
        elif found.kind == "JOINT":
            found.speaker = join_names([fullest_name(p, people) for p in split_joint(found.speaker)])
    return results

