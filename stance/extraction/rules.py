"""The word rules of attribution: parenthetical citations and their dates, reporting verbs before
and after a quote with their subjects, pronouns and their antecedents. The fallback of the
spaCy attribution (:mod:`stance.extraction.attribution`), and all of it with ``parse=False``."""
from __future__ import annotations

import bisect
import re

import pandas as pd

from stance.extraction.names import is_news_agency, trim_speaker
from stance.extraction.spans import Quote, _CJK, find_quotes  # noqa: F401 (find_quotes: doctests)


MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = re.compile(
    rf"(?P<iso>(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}}))"
    rf"|(?P<mdy>(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?)"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})(?:,?\s+(?P<y2>\d{{4}}))?)"
    rf"|(?P<my>(?P<m3>{_MONTH})\s+(?P<y3>\d{{4}}))"
    rf"|(?P<y>\d{{4}})"
)
_CITATION = re.compile(r"[(（]([^()（）\n]{3,300})[)）]")


def parse_date(date_text: str, default_year: int | None = None) -> str:
    """An ISO date from a citation's date, or "" when it has no day (or no year to assume).

    >>> parse_date("March 15", 2022), parse_date("June 6, 2004"), parse_date("March 15"), parse_date("2020")
    ('2022-03-15', '2004-06-06', '', '')
    """
    m = _DATE.fullmatch(date_text.strip())
    if not m:
        return ""
    if m.group("iso"):
        y, mo, d = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
    elif m.group("mdy") or m.group("dmy"):
        mo = MONTHS.get((m.group("m1") or m.group("m2")).lower()[:3])
        d = int(m.group("d1") or m.group("d2"))
        y = int(m.group("y1") or m.group("y2") or 0) or default_year
    else:
        return ""
    if not y or not mo:
        return ""
    try:
        return pd.Timestamp(year=y, month=mo, day=d).strftime("%Y-%m-%d")
    except ValueError:
        return ""


def parse_citation(inner: str) -> list[tuple[str, str]] | None:
    """``(name, date text)`` pairs of a parenthetical citation, or None when it is not one.

    >>> parse_citation("China Daily, June 6, 2004; Global Times, October 11, 2020")
    [('China Daily', 'June 6, 2004'), ('Global Times', 'October 11, 2020')]
    >>> parse_citation("NATO, March 15"), parse_citation("Quad")
    ([('NATO', 'March 15')], None)
    """
    parts = []
    for part in re.split(r"\s*[;；]\s*", inner.strip()):
        m = re.fullmatch(r"(?P<name>[^,，\d][^,，]{0,100}?)\s*[,，]\s*(?P<date>.+?)\s*", part)
        if not m or not _DATE.fullmatch(m.group("date")):
            return None
        parts.append((m.group("name").strip(), m.group("date").strip()))
    return parts or None


def find_citation(text: str, start: int, stop: int) -> tuple[int, int, list[tuple[str, str]]] | None:
    """The first parenthetical citation in ``text[start:stop]``: its span and its parts."""
    for m in _CITATION.finditer(text, start, stop):
        parts = parse_citation(m.group(1))
        if parts:
            return m.start(), m.end(), parts
    return None


# --- 5. speakers ---------------------------------------------------------------------------------

_VERB_WORDS = (
    "called on|called for|calls on|calls for|referred to|refers to|spoke of|speaks of|according to|went on|"
    "said|says|told|tells|added|adds|stated|declared|declares|wrote|writes|argued|argues|claimed|insisted|"
    "insists|warned|warns|urged|urges|noted|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|asserted|asserts|"
    "announced|remarked|replied|replies|responded|responds|commented|tweeted|posted|vowed|vows|pledged|"
    "promised|cautioned|complained|complains|lamented|praised|praises|hailed|hails|welcomed|rejected|"
    "criti[cs]i[sz]ed|criti[cs]i[sz]es|condemned|condemns|denounced|denounces|slammed|slams|blasted|blasts|"
    "mocked|mocks|derided|derides|ridiculed|ridicules|accused|accuses|asked|explained|explains|suggested|"
    "described|describes|termed|dubbed|dubs|called|calls|labell?ed|branded|characteri[sz]ed|dismissed|"
    "dismisses|admitted|admits|acknowledged|conceded|concluded|maintained|maintains|reiterated|reiterates|"
    "demanded|proclaimed|quipped|scoffed|retorted|countered|observed|predicted|threatened|boasted|reported|"
    "editoriali[sz]ed|opined|likened|compared|put it|read|reads|denied|denies|"
    "say|tell|describe|accuse|warn|urge|claim|insist|argue|deny|dub|brand|label|condemn|denounce")
_NOUNS = ("criticism|statement|editorial|commentary|rebuke|warning|attack|denunciation|condemnation|remarks?|"
          "comments?|response|reply|article|op-ed|piece|column|message|post|speech|note|communiqu[eé]|"
          "broadside|retort|description")
_SUPPORT = "issued|made|published|released|delivered|voiced|ran|carried|posted|offered|launched|levell?ed|gave"
_VERB = re.compile(rf"(?<![-\w])(?:{_VERB_WORDS})\b|\b(?:{_SUPPORT})\s+(?:[\w-]+\s+){{0,3}}?(?:{_NOUNS})\b", re.IGNORECASE)
_CN_VERB = re.compile(r"(?:表示|说|称|指出|强调|宣称|回应|批评|谴责|声称|写道|认为|警告|呼吁|述べた|語った|と述べ)")
_PASSIVE = re.compile(rf"\b(?:is|are|was|were|been|being|be|aptly|widely|often|once|sometimes|also)\s+"
                      rf"(?:{_VERB_WORDS})(?:\s+as)?(?:\s+(?:the|a|an))?\s*$|^\s*(?:aptly|widely|often)?\s*described\s+as\s*$",
                      re.IGNORECASE)
PRONOUNS = {"he", "she", "they", "it", "i", "we", "you", "his", "her", "their", "its"}
_LEAD = re.compile(r"^(?:(?:however|but|and|meanwhile|then|yet|so|still|moreover|also|now|later|earlier|"
                   r"separately|similarly|likewise|instead|indeed|after|before|when|while|since|until|because|"
                   r"although|though|once|whereas|as)\s+)+", re.IGNORECASE)
_LEAD_PHRASE = re.compile(r"^(?:in\s+(?:a|an|its|his|her|their|the)\s+(?:[\w-]+\s+){0,3}?(?:" + _NOUNS +
                          r")(?:\s+(?:on|to|at|from)\s+[\w’'-]+(?:\s+\w+)?)?\s+"
                          r"|(?:on|in|at|during|by)\s+(?:[A-Z][\w-]*|\d+|the\s+\w+)(?:\s+\d{1,2})?(?:,?\s+\d{4})?\s+"
                          r"(?=(?:the|a|an|its|his|her|their|[A-Z])\b))", re.IGNORECASE)
_TRAIL = {"also", "has", "have", "had", "later", "then", "again", "further", "once", "previously",
          "recently", "earlier", "would", "will", "did", "does", "do", "had", "once", "twice", "first",
          "on", "last", "this", "yesterday", "today", "tonight", "not", "never", "who", "which", "that",
          "reportedly", "promptly", "sharply", "strongly", "publicly", "openly", "bluntly", "repeatedly",
          "angrily", "firmly", "flatly", "quickly", "immediately", "even", "just", "is", "was", "were", "are",
          "being", "been", "could", "should", "may", "might", "must", "can", "monday", "tuesday",
          "wednesday", "thursday", "friday", "saturday", "sunday"}
_BASE_FORMS = {"say", "tell", "describe", "accuse", "warn", "urge", "claim", "insist", "argue", "deny", "dub",
               "brand", "label", "condemn", "denounce"}
_INFINITIVE = re.compile(r"\b(?:to|will|would|shall|should|must|can|could|may|might|not|never|did|does|do)\s+$",
                         re.IGNORECASE)
_FUNCTION_WORDS = {"and", "or", "but", "then", "so", "yet", "also", "which", "that", "who", "to", "as", "nor",
                   "while", "when", "if", "because"}
_NP_STOP = re.compile(r"\s(?:in|on|at|during|when|after|before|while|as|who|which|adding|citing|last|this|"
                      r"yesterday|today|earlier|later|to|from|with|because|and\s+(?:added|said|warned))\b|$")


# the end of a sentence: a stop after a word that is no capital's initial ("U.S.") nor an abbreviation ("Mr.",
# :data:`_ABBREVIATIONS`), then a capital or an opening mark; a stop with no space after it, where a page lost the
# space ("security.Lin"); a line break; a bullet. The same breaks as :func:`stance.evaluate.has_sentence_break`, plus
# the lost space, minus the abbreviations.
_SENTENCE_END = re.compile(r"(?<![A-Z])[.!?]\s+(?=[A-Z“\"])|(?<=[a-z]{2})\.(?=[A-Z][a-z])|\n|•")
_ABBREVIATIONS = {"mr", "ms", "mrs", "dr", "st", "gen", "sen", "rep", "col", "lt", "gov", "jr", "sr", "prof", "adm",
                  "capt", "sgt", "maj", "no", "vs"}


# where the words were said, after the speaker ("in a joint statement", "at a press conference")
_WHERE_SAID = re.compile(r"\s+(?:in|at|during|on)\s+(?:a|an|the|its|their|his|her)\s+(?:[\w-]+\s+){0,3}?"
                         r"(?:statement|interview|press conference|news conference|briefing|post|tweet|speech|letter|"
                         r"communiqu[eé]|message|video)$", re.IGNORECASE)


def last_sentence(np: str) -> str:
    """The part of a word span after its last sentence break: a speaker is never a piece of two
    sentences ("he said. Qin" -> "Qin").

    >>> last_sentence("in Wales. NATO Secretary-General Edda Quill"), last_sentence("Mr. Tolle")
    ('NATO Secretary-General Edda Quill', 'Mr. Tolle')
    """
    cut = 0
    for m in _SENTENCE_END.finditer(np):
        before = re.search(r"(\w+)$", np[:m.start()])
        if m.group(0)[:1] in ".!?" and before and before.group(1).lower() in _ABBREVIATIONS:
            continue
        cut = m.end()
    return np[cut:]


def clean_speaker(np: str) -> str:
    """A speaker noun phrase, trimmed of openers, auxiliaries, adverbs and time words, within one
    sentence.

    >>> clean_speaker("On Tuesday the foreign ministry spokesperson also")
    'the foreign ministry spokesperson'
    >>> clean_speaker("The ministry's statement"), clean_speaker("Aptly"), clean_speaker("as he")
    ('The ministry', '', 'he')
    >>> clean_speaker("just weeks before the invasion. Qin"), clean_speaker("The ministers in a joint statement")
    ('Qin', 'The ministers')
    """
    np = re.sub(r"\s+", " ", last_sentence(np)).strip(" ,;:—–-\t\n•·▪●")
    np = _WHERE_SAID.sub("", np)  # "The ministers in a joint statement": the ministers
    np = _LEAD.sub("", np)
    for _ in range(2):
        np = _LEAD_PHRASE.sub("", np)
        np = _LEAD.sub("", np)
    words = np.split()
    while words and (words[-1].lower().strip(",") in _TRAIL
                     or (words[-1].endswith("ly") and words[-1].islower())):
        words.pop()
    while words and words[0].endswith("ly") and words[0].lower() == words[0] or \
            (words and words[0].istitle() and words[0].lower().endswith("ly") and len(words) == 1):
        words.pop(0)
    np = " ".join(words)
    np = trim_speaker(re.sub(rf"[’']s\s+(?:{_NOUNS})$", "", np))
    if np.lower() in _FUNCTION_WORDS:
        return ""  # "... and urged": a second verb of an earlier subject
    if len(np.split()) > 14 or not re.search(r"\w", np):
        return ""
    return np


_CLAUSE = re.compile(r"[,;:—–“”\"«»‹›「」『』。，；：]|\s-\s")
_COMPLEMENT = re.compile(r"\s(?:what|that|which|who|whom|whose|where|when|if|whether|because)\s", re.IGNORECASE)
_NAME = re.compile(r"(?:[A-Z][\w’'.-]*\s?){1,4}")


_TIME_OPENING = re.compile(r"(?:On|In|At|Late|Early|Earlier|Later|Last|This|Since|By|Until)\s")


def _subject_before(head: str, verb_start: int) -> str:
    """The subject of a verb: its clause (after ``that``/``what``...), an appositive kept with its name.

    >>> h = "Arven Tolle, a spokesperson for the guard (synthetic), said"
    >>> _subject_before(h, h.index("said"))
    'Arven Tolle, a spokesperson for the guard (synthetic)'
    >>> h = "The alliance has denounced what it calls"
    >>> _subject_before(h, h.index("calls"))
    'it'
    >>> h = "On Friday, a ministry spokesperson urged"
    >>> _subject_before(h, h.index("urged"))
    'a ministry spokesperson'
    """
    clauses = [c for c in _CLAUSE.split(head[:verb_start]) if c.strip()]
    if not clauses:
        return ""
    clause = clauses[-1]
    first = clause.strip().split(" ", 1)[0].lower()
    if first in ("who", "which", "whose") and len(clauses) > 1:
        clause = clauses[-2]
    parts = _COMPLEMENT.split(" " + clause)
    subject = clean_speaker(parts[-1])
    # an appositive name, but none across a line break (a caption above) nor a time ("On Friday, a spokesperson")
    if len(clauses) > 1 and re.match(r"(?:a|an)\s", subject) and _NAME.fullmatch(clauses[-2].strip() + " ") \
            and "\n" not in clauses[-2] + clause and not _TIME_OPENING.match(clauses[-2].strip()):
        subject = f"{clauses[-2].strip()}, {subject}"
    return subject


_REF_NOUN = re.compile(rf"(?:the|this|that|its|his|her|their)\s+(?:{_NOUNS}|report|paper|newspaper|outlet|"
                       r"ministry's statement)$", re.IGNORECASE)


def needs_antecedent(speaker: str) -> bool:
    """True for a pronoun or a back-reference (``the statement``, ``the editorial``) as speaker.

    >>> needs_antecedent("she"), needs_antecedent("the statement"), needs_antecedent("the ministry")
    (True, True, False)
    """
    return speaker.lower() in PRONOUNS or bool(_REF_NOUN.fullmatch(speaker))


def speaker_after(tail: str) -> tuple[str, str] | None:
    """``(speaker, verb)`` named right after a quote (``", said X"``, ``", X told ..."``), or None.

    >>> speaker_after(", said the foreign ministry spokesperson on Monday.")
    ('the foreign ministry spokesperson', 'said')
    >>> speaker_after(" the envoy (synthetic) told reporters.")
    ('the envoy (synthetic)', 'told')
    >>> speaker_after(" invasion of Ukraine") is None
    True
    >>> speaker_after(", stated the Secretary General of the alliance, Edda Quill, in Brussels.")
    ('Edda Quill', 'stated')
    """
    m = re.match(r"[\s,.!?…—–-]*", tail)
    rest = tail[m.end():]
    if re.match(r"[とっ]", rest):
        return None  # Japanese: the speaker comes before the quote (speaker_before)
    v = re.match(rf"(?:{_VERB_WORDS})\b\s+", rest, re.IGNORECASE)
    if v:
        np_text = rest[v.end():]
        stop = _NP_STOP.search(np_text)
        cut = min([stop.start()] + [i for i in (np_text.find(c) for c in ",.;:!?“”\"") if i >= 0])
        speaker = clean_speaker(np_text[:cut])
        name = re.match(r",\s+((?:[A-Z][\w’'.-]+\s+){1,3}[A-Z][\w’'.-]+)\s*[,.]", np_text[cut:])
        if name and re.match(r"(?:the|a|an)\s", speaker, re.IGNORECASE):  # "said the spokesperson, Mao Ning,"
            speaker = name.group(1)
        if speaker and speaker.split()[0].lower() not in ("that", "to", "by", "it") and not (
                v.group(0).lower().startswith("according") and is_news_agency(speaker)):  # it reported the words
            return speaker, v.group(0).strip().lower()
    n = re.match(rf"([^,.;:!?“”\"]{{1,100}}?)\s+(?:{_VERB_WORDS})\b", rest)
    if n:
        speaker = clean_speaker(n.group(1))
        if speaker and len(speaker.split()) <= 10:
            return speaker, rest[n.end(1):n.end()].strip().lower()
    c = re.match(r"([^，。：「」『』]{1,30}?)(" + _CN_VERB.pattern + ")", rest)
    if c and _CJK.search(c.group(1)):
        return c.group(1).strip(), c.group(2)
    return None


# a line that labels the quote after it with its speaker: "Quote from Kuleba: ...", "In the words of X: ..."
_LABEL = re.compile(r"(?:^|\n)[ \t]*(?i:quote|quotes|quoting|in the words of|words of)\s+(?i:from\s+)?"
                    r"((?:[A-Z][\w’'.-]*\s?){1,4}?)\s*:\s*$")


def speaker_before(head: str) -> tuple[str, str] | None:
    """``(speaker, verb)`` from the last reporting verb before a quote, or None.

    A pronoun subject (``what it calls``) is replaced by the subject of an earlier verb in
    the same text when there is one.

    >>> speaker_before("On March 15, the alliance chief called on China to condemn its ")
    ('the alliance chief', 'called on')
    >>> speaker_before("According to the Daily Courier (synthetic), the talks were ")
    ('the Daily Courier (synthetic)', 'according to')
    >>> speaker_before("The paper issued a scathing criticism of NATO as a ")
    ('The paper', 'issued criticism')
    >>> speaker_before("The alliance has denounced what it calls ")
    ('The alliance', 'calls')
    >>> speaker_before("Source: Quill at a briefing\\n\\nQuote from Quill: ")
    ('Quill', 'label: quote from')
    """
    label = _LABEL.search(head)
    if label:
        return label.group(1), "label: quote from"
    pronoun = None
    for v in reversed(list(_VERB.finditer(head))):
        word = re.sub(r"\s+", " ", v.group(0).lower())
        if word == "according to":
            np_text = head[v.end():]
            cut = min([i for i in (np_text.find(c) for c in ",.;:“”\"") if i >= 0] + [len(np_text)])
            speaker = clean_speaker(np_text[:cut])
            if speaker:
                return speaker, "according to"
            continue
        if word in _BASE_FORMS and _INFINITIVE.search(head[:v.start()]):
            continue  # "called on China to condemn": the infinitive reports nothing
        if word in ("read", "reads") and not re.search(rf"(?:{_NOUNS})\s+$", head[:v.start()], re.IGNORECASE):
            continue
        speaker = _subject_before(head, v.start())
        if re.match(_SUPPORT + r"\s", word):
            word = f"{word.split()[0]} {word.split()[-1]}"
        if speaker and needs_antecedent(speaker):
            pronoun = pronoun or (speaker, word)
            continue
        if speaker:
            return (speaker, pronoun[1] if pronoun else word)
    if pronoun:
        return pronoun
    c = list(_CN_VERB.finditer(head))
    if c:
        before = re.split(r"[，。；：、「」『』“”\s]", head[:c[-1].start()])[-1]
        if before:
            return before, c[-1].group(0)
    j = re.search(r"([^、。，「」『』“”\s]{1,30}?)[はが]\s*$", head)
    if j and _CJK.search(j.group(1)):
        return j.group(1), "は…と"
    return None


def is_pronoun(speaker: str) -> bool:
    """True for a bare pronoun speaker (he, she, they, it...).

    >>> is_pronoun("He"), is_pronoun("the ministry")
    (True, False)
    """
    return speaker.lower() in PRONOUNS


# --- 6. putting it together ----------------------------------------------------------------------

def _mask_quotes(text: str, a: int, b: int, quotes: list[Quote], quote_ends: list[int] | None = None) -> str:
    """``text[a:b]`` with the words inside quotes blanked (verbs in quotes are not reporting verbs).

    ``quotes`` are sorted by start (as :func:`find_quotes` returns them); pass ``quote_ends``
    (their ends, in order) when masking many times, to keep long texts fast.
    """
    chars = list(text[a:b])
    ends = quote_ends if quote_ends is not None else [q.end for q in quotes]
    for q in quotes[bisect.bisect_right(ends, a):]:
        if q.start >= b:
            break
        for i in range(max(q.start, a), min(q.end, b)):
            chars[i - a] = " "
    return "".join(chars)


def antecedent(text: str, quotes: list[Quote], start: int, window: int = 800,
               quote_ends: list[int] | None = None) -> str:
    """The speaker a pronoun or ``the statement`` refers to: the last subject of a reporting verb
    in the sentences before ``start`` (at most ``window`` characters back), or "".

    >>> t = "The minister (synthetic) said the tariffs stay. “No deal,” she added."
    >>> antecedent(t, find_quotes(t)[0], t.index("“"))
    'The minister (synthetic)'
    """
    a = max(0, start - window)
    found = speaker_before(_mask_quotes(text, a, start, quotes, quote_ends) + " ")
    return found[0] if found and not needs_antecedent(found[0]) else ""


