"""Quoted statements out of article text, with their attribution.

:func:`extract_quotes` finds quoted material and returns one row per statement (one row per
cited source when a parenthetical citation names several). The algorithm is a chain of small
pure functions, each testable alone:

1. :func:`find_quotes` pairs quotation marks: straight and curly double quotes, guillemets
   (« » and » «), German „ “, the CJK corner brackets 「」『』, full-width ＂ and 〝〞; single
   quotes (‘ ’ and ') only where an opening mark before a word meets a closing mark after
   one, so apostrophes (China’s, don't, the states' rights) are never quotes. Quotes nest
   (only the outermost becomes a row) and end at a paragraph break; an unclosed quote is
   reported in the ``problems`` list, never guessed at.
2. :func:`sentence_bounds` finds the sentence a quote stands in (sentence ends inside
   quotes do not count; abbreviations like U.S. and Mr. do not end sentences).
3. :func:`quote_kind`: ``statement`` (a full utterance) or ``term`` (a scare-quoted word or
   phrase, such as "brutal" or "stained with blood").
4. Attribution, in this order: a parenthetical citation after the quote in its sentence
   (:func:`parse_citation`: ``(NATO, March 15)``, ``(China Daily, June 6, 2004; Global
   Times, October 11, 2020)``); a reporting verb after the quote (``", said the
   spokesperson``, ``", the ministry said``, ``", according to ...``), or before it
   (``X said``, ``X called on``, ``X told``, ``X criticised ... as``, ``X issued a
   criticism of ... as``, ``according to X``) with its subject as the speaker; a pronoun
   speaker (he, she, they, it) is resolved to the last named speaker in the same or the
   previous paragraph; a quote that is a sentence of its own right after an attributed one
   in the same paragraph continues that speaker. A citation names the ``source``; when
   nothing names a speaker, the cited source is the speaker. Otherwise ``speaker`` is empty
   and ``speaker_reason`` says why: the extractor never guesses.

Columns of the result (``QUOTE_COLUMNS``): ``id, text, quote, sentence, kind, speaker,
speaker_reason, attribution, source, source_type, date, date_text, citation, target,
document, quote_no, start, end, sentence_start, sentence_end``. ``text`` is what a
classifier should read: the quote for a full statement, the whole sentence for a term
(a single quoted word says little on its own). ``start``/``end`` are offsets of the quoted
words (inside the marks) in the text given, so ``text[start:end] == quote``.
"""
from __future__ import annotations

import bisect
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stance.errors import InputError, StanceWarning

QUOTE_COLUMNS = ["id", "text", "quote", "sentence", "kind", "speaker", "speaker_reason", "attribution",
                 "source", "source_type", "date", "date_text", "citation", "target", "document", "quote_no",
                 "start", "end", "sentence_start", "sentence_end"]

# Outlets whose type is public knowledge; users add theirs with source_types=.
KNOWN_SOURCE_TYPES = {
    "nato": "official", "global times": "state_media", "china daily": "state_media", "xinhua": "state_media",
    "people's daily": "state_media", "people’s daily": "state_media", "cgtn": "state_media",
    "cctv": "state_media", "tass": "state_media", "ria novosti": "state_media", "rt": "state_media",
}

MAX_QUOTE = 3000   # characters; a longer "quote" is an unbalanced mark, not a quote
MAX_SINGLE = 400   # single-quoted spans are shorter still: apostrophes abound
MAX_DEPTH = 6      # quotes nest this deep at most; deeper marks are stray
CONTEXT = 600      # characters of the sentence either side of a quote used for attribution
PARSE_LIMIT = 500_000  # longer texts (a whole book, a corpus in one file) get the word rules only


class QuoteWarning(StanceWarning):
    """An unbalanced quotation mark: reported, and the quote skipped."""


@dataclass(frozen=True)
class Quote:
    """A pair of quotation marks: ``start``/``end`` bound the words inside the marks."""

    start: int
    end: int
    open_mark: str
    close_mark: str

    @property
    def outer(self) -> tuple[int, int]:
        return self.start - len(self.open_mark), self.end + len(self.close_mark)


# --- 1. quotation marks -------------------------------------------------------------------------

# opening mark -> the closing marks that end it
PAIRS = {"“": "”", "„": "“”", "«": "»", "»": "«", "‹": "›", "「": "」", "『": "』", "〝": "〞〟",
         "‘": "’", '"': '"', "＂": "＂", "'": "'"}
SYMMETRIC = {'"', "＂", "'"}
SINGLE = {"‘", "'"}
_MARKS = re.compile(r"[“”„«»‹›「」『』〝〞〟＂\"‘’']|\n[ \t]*\n\s*|\n")
_OPEN_BEFORE = set(" \t\n([{—–-/:;,") | set("“„«»‹「『〝‘")
_SENT_END_LINE = re.compile(r"[.!?…。！？:][\s”’\"'»)」』]*$")


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _can_open(text: str, i: int, mark: str) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if mark not in SYMMETRIC | SINGLE:
        return True  # directional marks (“ « 「 ...) always open
    if mark in SINGLE:
        return (before in _OPEN_BEFORE or before == '"') and (after.isalpha() or after in "“\"")
    return not after.isspace() and (before in _OPEN_BEFORE or before in "\"'" or not _is_word(before)
                                     or bool(_CJK.match(before)))


def _can_close(text: str, i: int, mark: str) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not _is_word(after)


def find_quotes(text: str, nested: bool = False) -> tuple[list[Quote], list[str]]:
    """Pair the quotation marks of ``text``: the outermost quotes (and, with ``nested``, the quotes
    inside them), sorted by start, and the problems met.

    >>> t = "It called NATO a “puppet” and ‘special’; China’s view: «non»."
    >>> [t[q.start:q.end] for q in find_quotes(t)[0]]
    ['puppet', 'special', 'non']
    >>> t = "“They call it ‘defence’,” he said."
    >>> [t[q.start:q.end] for q in find_quotes(t, nested=True)[0]]
    ['They call it ‘defence’,', 'defence']
    >>> find_quotes('He said "we will win.')[1]
    ['unbalanced quote: " opened at line 1, column 9 is not closed before the paragraph ends']
    """
    quotes: list[Quote] = []
    problems: list[str] = []
    stack: list[tuple[str, int]] = []  # (opening mark, index of the mark)

    def unclosed(mark: str, i: int) -> None:
        if mark not in SINGLE:
            line = text.count("\n", 0, i) + 1
            col = i - (text.rfind("\n", 0, i) + 1) + 1
            problems.append(f"unbalanced quote: {mark} opened at line {line}, column {col} "
                            "is not closed before the paragraph ends")

    skip_open_at = -1
    for m in _MARKS.finditer(text):
        ch, i = m.group(0), m.start()
        if ch[0] == "\n":
            if not stack:
                continue
            blank = len(ch) > 1
            if not blank and not _SENT_END_LINE.search(text, max(0, i - 12), i):
                continue  # a wrapped line inside a paragraph
            if text[m.end():m.end() + 1] == stack[0][0]:
                skip_open_at = m.end()  # a quote running on opens again in the next paragraph
                continue
            for mark, j in stack:
                unclosed(mark, j)
            stack.clear()
            continue
        if i == skip_open_at:
            continue
        if stack and ch in PAIRS[stack[-1][0]] and (ch not in SYMMETRIC | {"’"} or _can_close(text, i, ch)):
            mark, j = stack.pop()
            limit = MAX_SINGLE if mark in SINGLE else MAX_QUOTE
            if i - j - 1 <= limit and (not stack or nested) and i > j + 1:
                quotes.append(Quote(j + 1, i, mark, ch))
            elif i - j - 1 > limit:
                unclosed(mark, j)
            continue
        if any(ch in PAIRS[o] for o, _ in stack[:-1]) and ch not in SYMMETRIC | SINGLE | {"’"}:
            # closes an outer quote: the inner ones were never closed
            while stack and ch not in PAIRS[stack[-1][0]]:
                unclosed(*stack.pop())
            mark, j = stack.pop()
            if not stack:
                quotes.append(Quote(j + 1, i, mark, ch))
            continue
        if ch in SYMMETRIC and any(o == ch for o, _ in stack):
            continue  # straight quotes do not nest: a second opener while one is open is stray
        if len(stack) >= MAX_DEPTH:
            continue
        if ch in PAIRS and _can_open(text, i, ch) and not (ch == "»" and not stack and "«" not in text[i:i + MAX_QUOTE]):
            if ch in SINGLE and stack and stack[-1][0] in SINGLE:
                continue
            stack.append((ch, i))
            continue
        if ch in "”»』」〞〟" and not stack:
            line = text.count("\n", 0, i) + 1
            problems.append(f"unbalanced quote: closing {ch} at line {line} has no opening mark")
    for mark, j in stack:
        unclosed(mark, j)
    quotes.sort(key=lambda q: q.start)
    return quotes, problems


# --- 2. sentences --------------------------------------------------------------------------------

ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "gen", "sen", "rep", "gov", "st", "jr", "sr", "vol",
                 "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "e.u", "jan", "feb", "mar", "apr", "jun",
                 "jul", "aug", "sep", "sept", "oct", "nov", "dec", "lt", "col", "maj", "capt", "adm", "rev",
                 "hon", "amb", "inc", "ltd", "co", "corp", "dept", "est", "approx", "fig", "p", "pp"}
_SENT_END = re.compile(r"[.!?…]+[”’\"'»)\]」』]*(?=\s+[\"“‘'«「『(\[A-Z0-9])|[。！？]+[」』”]*|\n")


def sentence_ends(text: str, quotes: list[Quote]) -> list[int]:
    """Offsets where sentences end (exclusive), outside quotes; abbreviations and initials skipped.

    >>> t = "The U.S. said no. Mr. Li said “Go. Now.” Then he left."
    >>> [t[:e].rsplit(" ", 1)[-1] for e in sentence_ends(t, find_quotes(t)[0])]
    ['no.', 'Now.”', 'left.']
    """
    spans = [q.outer for q in quotes]
    starts = [s for s, _ in spans]
    ends = []
    for m in _SENT_END.finditer(text):
        e = m.end() if m.group(0) != "\n" else m.start()
        k = bisect.bisect_right(starts, m.start()) - 1
        if k >= 0 and spans[k][0] <= m.start() and m.end() < spans[k][1] and m.group(0) != "\n":
            continue  # inside a quote
        if m.group(0)[0] == ".":
            word = re.search(r"([\w.]+)$", text[max(0, m.start() - 12):m.start()])
            if word and (word.group(1).lower() in ABBREVIATIONS or re.fullmatch(r"[A-Z]", word.group(1))
                         or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word.group(1))):
                continue
        ends.append(e)
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    return ends


def sentence_bounds(text: str, ends: list[int], start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``: from the previous sentence end to the next one.

    >>> t = "First. NATO is a “puppet”, it said. Last."
    >>> a, b = sentence_bounds(t, sentence_ends(t, find_quotes(t)[0]), 18, 24)
    >>> t[a:b]
    'NATO is a “puppet”, it said.'
    """
    k = bisect.bisect_right(ends, start)
    a = ends[k - 1] if k > 0 else 0
    k2 = bisect.bisect_left(ends, end)
    b = ends[k2] if k2 < len(ends) else len(text)
    while a < start and text[a].isspace():
        a += 1
    return max(a, start - 2 * CONTEXT), min(b, end + 2 * CONTEXT)


# --- 3. kind -------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def quote_kind(quote: str, before: str = "") -> str:
    """``statement`` for a full utterance, ``term`` for a scare-quoted word or phrase.

    >>> quote_kind("brutal"), quote_kind("stained with blood"), quote_kind("Asian NATO")
    ('term', 'term', 'term')
    >>> quote_kind("We will not accept this."), quote_kind("No,", "he said, ")
    ('statement', 'statement')
    """
    q = quote.strip()
    if not q:
        return "term"
    cjk = len(_CJK.findall(q))
    words = cjk / 2 if cjk > len(q) / 2 else len(q.split())
    ends_punct = q[-1] in ".!?,;…。！？，；"
    if words >= 6 or before.rstrip().endswith((":", "：")):
        return "statement"
    if cjk:
        return "statement" if ends_punct or cjk >= 8 else "term"
    first = next((c for c in q if c.isalpha()), "")
    if first.isupper() and (ends_punct or (words >= 3 and before.rstrip().endswith(","))):
        return "statement"
    return "term"


# --- 4. citations --------------------------------------------------------------------------------

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
                   r"although|though|once|whereas)\s+)+", re.IGNORECASE)
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


def clean_speaker(np: str) -> str:
    """A speaker noun phrase, trimmed of openers, auxiliaries, adverbs and time words.

    >>> clean_speaker("On Tuesday the foreign ministry spokesperson also")
    'the foreign ministry spokesperson'
    >>> clean_speaker("The ministry's statement"), clean_speaker("Aptly")
    ('The ministry', '')
    """
    np = re.sub(r"\s+", " ", np).strip(" ,;:—–-\t\n")
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
    np = re.sub(rf"[’']s\s+(?:{_NOUNS})$", "", np)
    if np.lower() in _FUNCTION_WORDS:
        return ""  # "... and urged": a second verb of an earlier subject
    if len(np.split()) > 14 or not re.search(r"\w", np):
        return ""
    return np


_CLAUSE = re.compile(r"[,;:—–“”\"«»‹›「」『』。，；：]|\s-\s")
_COMPLEMENT = re.compile(r"\s(?:what|that|which|who|whom|whose|where|when|if|whether|because)\s", re.IGNORECASE)
_NAME = re.compile(r"(?:[A-Z][\w’'.-]*\s?){1,4}")


def _subject_before(head: str, verb_start: int) -> str:
    """The subject of a verb: its clause (after ``that``/``what``...), an appositive kept with its name.

    >>> h = "Arven Tolle, a spokesperson for the guard (synthetic), said"
    >>> _subject_before(h, h.index("said"))
    'Arven Tolle, a spokesperson for the guard (synthetic)'
    >>> h = "The alliance has denounced what it calls"
    >>> _subject_before(h, h.index("calls"))
    'it'
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
    if len(clauses) > 1 and re.match(r"(?:a|an)\s", subject) and _NAME.fullmatch(clauses[-2].strip() + " "):
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
        if speaker and speaker.split()[0].lower() not in ("that", "to", "by", "it"):
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
    """
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


def combine(parsed, rule_speaker: str, rule_attribution: str, rule_reason: str) -> tuple[str, str, str]:
    """One speaker from the parse (:mod:`stance.attribution`) and from the word rules above:
    a name the parse found or resolved comes first; then the rules' speaker when it is a name or
    a noun phrase (never a fragment: :func:`stance.attribution.is_name_like`) and the parse has
    only a shorter description inside it, or nothing; then the parse's description; else empty,
    with a reason."""
    from stance.attribution import NAMED, full_name, is_name_like

    if parsed.speaker and parsed.kind in NAMED:
        return parsed.speaker, parsed.attribution, ""
    if re.fullmatch(r"[A-Z][\w’'-]+", rule_speaker):  # a surname: the full name the text gave before
        rule_speaker = full_name(rule_speaker, list(parsed.people))
    rule_ok = bool(rule_speaker) and is_name_like(rule_speaker)
    if rule_ok and (not parsed.speaker or parsed.speaker.lower() in rule_speaker.lower()):
        return rule_speaker, rule_attribution, ""
    if parsed.speaker:
        return parsed.speaker, parsed.attribution, ""
    return "", "", rule_reason or parsed.reason or ("" if not rule_speaker else
                                                     f"the words before the verb ({rule_speaker!r}) are not a name")


def _attribute(text: str, quotes: list[Quote], bounds: list[tuple[int, int]]):
    """Each quote's :class:`stance.attribution.Attribution` for an English text (spaCy), or None
    and the reason when the text is in another language (quote spans are kept, speakers left empty)."""
    if not quotes:
        return [], ""
    if len(text) > PARSE_LIMIT:
        warnings.warn(f"a text of {len(text):,} characters: its speakers are named by the word rules alone (spaCy "
                      f"attribution reads texts up to {PARSE_LIMIT:,} characters; split it into articles for that)",
                      QuoteWarning, stacklevel=3)
        return None, ""
    from stance.language import detect_language

    language = detect_language(text)
    if language not in ("en", ""):
        return None, (f"the text is in another language than English ({language!r}): speakers are named "
                      "in English text only")
    from stance.attribution import speakers

    return speakers(text, [(q.start, q.end, *q.outer) for q in quotes], bounds), ""


def _paragraph_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\n", text)]


def source_type_of(name: str, source_types: dict[str, str] | None = None) -> str:
    """The type of a cited outlet: the user's mapping first, then the few well-known ones.

    >>> source_type_of("Global Times"), source_type_of("the Daily Courier (synthetic)")
    ('state_media', '')
    """
    table = {k.lower(): v for k, v in {**KNOWN_SOURCE_TYPES, **(source_types or {})}.items()}
    return table.get(name.strip().lower(), "")


def extract_quotes(text: str, source: str | None = None, date: str | None = None, *,
                   source_type: str | None = None, document: str = "", id_prefix: str = "q",
                   source_types: dict[str, str] | None = None, warn: bool = True, parse: bool = True) -> pd.DataFrame:
    """One row per quoted statement in ``text``, with its sentence, kind, speaker and citation.

    ``parse=False`` names speakers by the word rules alone, without spaCy (faster, less right on
    real news: ``benchmarks/extract_accuracy.py``).

    ``source``, ``source_type`` and ``date`` describe the document (the outlet that published it);
    a quote's own citation overrides them. ``date`` (ISO, or a year such as ``"2022"``) also
    supplies the year of citation dates written without one. Unbalanced quotation marks are
    reported with a :class:`QuoteWarning` (and in ``df.attrs["problems"]``) and skipped.

    >>> t = ('The spokesperson of the ministry (synthetic) said NATO was a “relic”. '
    ...      '“We will respond,” she told reporters.')
    >>> df = extract_quotes(t, date="2024-05-02")
    >>> df[["quote", "kind", "speaker", "attribution"]].values.tolist()
    [['relic', 'term', 'The spokesperson of the ministry (synthetic)', 'verb before: said'], \
['We will respond,', 'statement', 'The spokesperson of the ministry (synthetic)', 'pronoun: she told']]
    >>> bool((df["quote"] == [t[s:e] for s, e in zip(df["start"], df["end"])]).all())
    True
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a string, got {type(text).__name__}")
    doc_year = None
    if date:
        m = re.match(r"(\d{4})", str(date))
        doc_year = int(m.group(1)) if m else None
        if not m:
            raise InputError(f"date {date!r} is not a date: use ISO 'YYYY-MM-DD' (or a year, 'YYYY')")
    doc_date = parse_date(str(date)) if date and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", str(date)) else ""
    quotes, problems = find_quotes(text, nested=True)
    if warn:
        for p in problems:
            warnings.warn(f"{document + ': ' if document else ''}{p}; that quote was skipped",
                          QuoteWarning, stacklevel=2)
    inner, reach = [], -1  # a quote is nested when an earlier (outer) quote's words reach past it
    for q in quotes:
        inner.append(reach >= q.outer[1])
        reach = max(reach, q.end)
    outers = [q for q, nested in zip(quotes, inner) if not nested]  # marks and sentences: the outermost quotes
    ends = sentence_ends(text, outers)
    quote_ends = [q.end for q in outers]
    paragraphs = _paragraph_starts(text)
    bounds = [sentence_bounds(text, ends, *q.outer) for q in quotes]
    found_speakers, language_reason = _attribute(text, quotes, bounds) if parse else (None, "")
    rows: list[dict] = []
    last = {"speaker": "", "paragraph": -9, "end": -1}
    for n, q in enumerate(quotes, start=1):
        a, b = bounds[n - 1]
        head = _mask_quotes(text, a, q.outer[0], outers, quote_ends)
        following = next((p for p, nested in zip(quotes[n:], inner[n:]) if not nested), None)
        tail_stop = min(following.outer[0], b) if following is not None else b  # the next quote
        tail = text[q.outer[1]:tail_stop]
        quote = text[q.start:q.end]
        kind = quote_kind(quote, head[-CONTEXT:])
        paragraph = bisect.bisect_right(paragraphs, q.start) - 1
        # a citation after the quote, in its sentence or right after it
        cite = find_citation(text, q.outer[1], min(len(text), b + 80))
        if cite and cite[0] > b + 2 and not re.fullmatch(r"[\s\"”’»」』]*", text[b:cite[0]]):
            cite = None
        if cite and n < len(quotes) and quotes[n].end <= cite[0] and kind == "statement" \
                and text[q.outer[1]:cite[0]].count(".") > 1:
            cite = None
        if inner[n - 1]:
            cite = None  # a nested quote takes no citation of its own
        speaker, attribution, reason = "", "", ""
        found = speaker_after(tail[:CONTEXT]) if kind == "statement" or tail.lstrip().startswith(",") else None
        if found:
            attribution = f"verb after: {found[1]}"
            if quote.strip()[:1].isupper():
                kind = "statement"  # «Nous ne céderons pas», the chief said
        else:
            found = speaker_before(head[-CONTEXT:])
            if found:
                attribution = f"verb before: {found[1]}"
        if found:
            speaker = found[0]
            if needs_antecedent(speaker):
                earlier = antecedent(text, outers, a, quote_ends=quote_ends)
                if not earlier and last["speaker"] and paragraph - last["paragraph"] <= 1:
                    earlier = last["speaker"]
                if earlier:
                    attribution = f"{'pronoun' if is_pronoun(speaker) else 'reference'}: {speaker} {found[1]}"
                    speaker = earlier
                else:
                    reason = f"{speaker!r} refers to no speaker named earlier in this or the previous paragraph"
                    speaker, attribution = "", ""
        passive = _PASSIVE.search(head[-80:])
        if passive and not cite:
            by = re.match(r"[\s,]*by\s+([^,.;:!?“”\"]{2,80})", tail)
            if by and clean_speaker(by.group(1)):
                speaker, attribution, reason = clean_speaker(by.group(1)), "passive: by", ""
            elif not found or attribution.startswith("verb before"):
                speaker, attribution = "", ""
                reason = f"the passive {passive.group(0).strip()!r} names no speaker"
        if found_speakers is not None and not cite:  # the parse's speaker, or the rules' where it names nobody
            speaker, attribution, reason = combine(found_speakers[n - 1], speaker, attribution, reason)
        elif found_speakers is None and language_reason:
            speaker, attribution, reason = "", "", language_reason
        if not speaker and not reason and kind == "statement" and last["speaker"] and not inner[n - 1] and \
                0 <= paragraph - last["paragraph"] <= 1 and not cite and \
                re.fullmatch(r"[\s\W]*", text[a:q.outer[0]] + tail.strip()[:1]):
            speaker, attribution = last["speaker"], "continues the previous quote"
        if speaker and not inner[n - 1]:
            last = {"speaker": speaker, "paragraph": paragraph, "end": q.end}
        sources = cite[2] if cite else [(source or "", "")]
        for k, (cited, date_text) in enumerate(sources):
            row_speaker, row_attr, row_reason = speaker, attribution, reason
            if not row_speaker and cited and cite:
                row_speaker, row_attr, row_reason = cited, "citation", ""
            if not row_speaker and not row_reason:
                row_reason = ("no citation, reporting verb or speaker in the sentence"
                              + (" (the quotation marks may be the author's own)" if kind == "term" else ""))
            iso = parse_date(date_text, doc_year) if date_text else doc_date
            rows.append({
                "id": f"{id_prefix}{n:03d}" + (chr(ord("a") + k) if len(sources) > 1 else ""),
                "text": quote.strip() if kind == "statement" else re.sub(r"\s+", " ", text[a:b]).strip(),
                "quote": quote, "sentence": re.sub(r"\s+", " ", text[a:b]).strip(), "kind": kind,
                "speaker": row_speaker, "speaker_reason": row_reason, "attribution": row_attr,
                "source": cited, "source_type": (source_type_of(cited, source_types) if cite else "")
                or (source_type or "" if not cite else ""),
                "date": iso, "date_text": date_text, "citation": text[cite[0] + 1:cite[1] - 1] if cite else "",
                "target": "", "document": document, "quote_no": n, "start": q.start, "end": q.end,
                "sentence_start": a, "sentence_end": b,
            })
    df = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    df[["quote_no", "start", "end", "sentence_start", "sentence_end"]] = \
        df[["quote_no", "start", "end", "sentence_start", "sentence_end"]].astype("int64")
    df.attrs["problems"] = problems
    return df


def extract_document(doc, source_types: dict[str, str] | None = None, warn: bool = True,
                     id_prefix: str | None = None, parse: bool = True) -> pd.DataFrame:
    """:func:`extract_quotes` on a :class:`~stance.documents.Document`, with offsets into its file.

    Adds ``file_start``/``file_end``: the quote's offsets in the decoded file (``doc.raw``),
    beside ``start``/``end`` in its plain text (``doc.text``). Ids start with ``id_prefix``
    (default: the file's name without its suffix, then ``-q``).
    """
    prefix = id_prefix or ((Path(doc.path).stem + "-" if doc.path else "") + "q")
    df = extract_quotes(doc.text, doc.source or None, doc.date or None, source_type=doc.source_type or None,
                        document=doc.path, id_prefix=prefix, source_types=source_types, warn=warn, parse=parse)
    df["file_start"] = pd.Series([doc.to_raw(s) for s in df["start"]], index=df.index, dtype="int64")
    df["file_end"] = pd.Series([doc.to_raw(e, end=True) for e in df["end"]], index=df.index, dtype="int64")
    return df


def extract_files(inputs, *, meta_csv: str | Path | None = None, encoding: str | None = None,
                  source: str | None = None, source_type: str | None = None, date: str | None = None,
                  source_types: dict[str, str] | None = None, parse: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Extract the quotes of files and folders: the statements table and the problems met.

    Ids are unique in the run: files with the same name in different folders get their folders
    in their ids (:func:`id_prefixes`).

    Metadata precedence: the arguments, then the side CSV ``meta_csv``, then each file's header.
    """
    from stance.documents import document_paths, read_document, read_side_csv, side_meta

    paths = document_paths(list(inputs))
    side = read_side_csv(meta_csv) if meta_csv else {}
    tables, problems = [], []
    for path, prefix in zip(paths, id_prefixes(paths)):
        meta = {**side_meta(path, side),
                **{k: v for k, v in (("source", source), ("source_type", source_type), ("date", date)) if v}}
        doc = read_document(path, encoding=encoding, **meta)
        table = extract_document(doc, source_types=source_types, warn=False, id_prefix=prefix, parse=parse)
        problems += [f"{path}: {p}" for p in table.attrs["problems"]]
        tables.append(table)
    df = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=QUOTE_COLUMNS)
    df.attrs = {"problems": problems, "documents": len(paths)}
    return df, problems


def id_prefixes(paths) -> list[str]:
    """An id prefix per file, unique in the run: the name without its suffix, with as many of its
    folders as it takes to tell files of the same name apart.

    >>> id_prefixes(["x/report.txt", "y/report.txt", "z/other.md"])
    ['x-report-q', 'y-report-q', 'other-q']
    """
    parts = [Path(p).with_suffix("").parts for p in paths]
    out = []
    for mine in parts:
        depth = 1
        while depth < len(mine) and sum(1 for other in parts if other[-depth:] == mine[-depth:]) > 1:
            depth += 1
        out.append("-".join(mine[-depth:]) + "-q")
    return out
