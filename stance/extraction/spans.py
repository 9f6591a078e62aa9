"""Quote spans: quotation marks paired (straight, curly, guillemets, German, CJK; single quotes
only where they cannot be apostrophes), sentence bounds around a quote, and a quote's kind
(a statement or a scare-quoted term). Steps 1-3 of :mod:`stance.extraction.quotes`."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from stance.errors import StanceWarning


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
PAIRS = {"“": "”\"", "„": "“”", "«": "»", "»": "«", "‹": "›", "「": "」", "『": "』", "〝": "〞〟",
         "‘": "’", '"': '"”', "＂": "＂", "'": "'", "`": "’'"}  # "`unity’": a backtick for ‘ (TASS)
# pages that mix straight and curly marks close "… with ” and “… with " ("Price said, "… tension,” he said")
SYMMETRIC = {'"', "＂", "'"}
SINGLE = {"‘", "'", "`"}
_MARKS = re.compile(r"[“”„«»‹›「」『』〝〞〟＂\"‘’'`]|\n[ \t]*\n\s*|\n")
_OPEN_BEFORE = set(" \t\n([{—–-/:;,") | set("“„«»‹「『〝‘")
# the reporting clause that ends a paragraph whose quotation mark was never closed: ", he added.", ", the
# source said." (the words before it are the quote)
_UNCLOSED_TAG = re.compile(r",\s+(?:he|she|they|it|we|the \w+(?: \w+)?|[A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,2})\s+"
                           r"(?:said|added|says|adds|noted|stressed|told \w+)\.?\s*$")
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
    if before == "\n" and after == " " and text[i + 2:i + 3].isalnum():
        return True  # a paragraph that opens with a straight quote and a stray space: '" We also agree ...'
    return not after.isspace() and (before in _OPEN_BEFORE or before in "\"'" or not _is_word(before)
                                     or bool(_CJK.match(before)))


def _can_close(text: str, i: int, mark: str) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before in ".!?" and after.isupper():  # a page that lost the space after it: 'a wrong signal."Lin Jian added'
        return True
    if stray_space_before(text, i):
        return True
    return not before.isspace() and not _is_word(after)


def stray_space_before(text: str, i: int) -> bool:
    """True for a straight double quote at ``i`` that closes a sentence after a stray space:
    'it is "premature to talk about it. " Ryabkov said' (a space on both sides, a sentence end before).

    >>> stray_space_before('"premature to talk. " Ryabkov', 20), stray_space_before('we "call it" so', 4)
    (True, False)
    """
    return (text[i] == '"' and i >= 2 and text[i - 1] == " " and text[i - 2] in ".!?,"
            and (i + 1 == len(text) or text[i + 1].isspace()))


def nested_straight(text: str, i: int) -> bool:
    """True for a straight double quote at ``i`` that opens a short quote inside a straight-quoted
    one ("We back the "one China" principle," he said): a space before it, a word after it, and
    within four words a straight quote that closes it, with no sentence end between."""
    if i == 0 or text[i - 1] not in " (" or not text[i + 1:i + 2].isalnum():
        return False
    inner = re.match(r'[^"\n.!?]{1,40}?"(?=[\s,.;:!?)])', text[i + 1:i + 50])
    return bool(inner) and len(inner.group(0).split()) <= 4


def find_quotes(text: str, nested: bool = False) -> tuple[list[Quote], list[str]]:
    """Pair the quotation marks of ``text``: the outermost quotes (and, with ``nested``, the quotes
    inside them), sorted by start, and the problems met.

    >>> t = "It called NATO a “puppet” and ‘special’; China’s view: «non»."
    >>> [t[q.start:q.end] for q in find_quotes(t)[0]]
    ['puppet', 'special', 'non']
    >>> t = "NATO wants to show `strength’ and `unity’."
    >>> [t[q.start:q.end] for q in find_quotes(t)[0]]
    ['strength', 'unity']
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

    def close_at_tag(i: int) -> bool:
        """Close the one open quote before ``i`` at the reporting clause its writer left it open before
        ("“So far, no partner has fallen, he added."); False when there is none."""
        if len(stack) != 1 or stack[0][0] in SINGLE:
            return False
        tag = _UNCLOSED_TAG.search(text, stack[0][1] + 1, i)
        if tag is None or tag.start() - stack[0][1] - 1 > MAX_QUOTE:
            return False
        quotes.append(Quote(stack[0][1] + 1, tag.start(), stack[0][0], ""))
        return True

    skip_open_at = -1
    for m in _MARKS.finditer(text):
        ch, i = m.group(0), m.start()
        if ch[0] == "\n":
            if not stack:
                continue
            blank = len(ch) > 1
            if not blank and not _SENT_END_LINE.search(text, max(0, i - 12), i):
                continue  # a wrapped line inside a paragraph
            reopens = text[m.end():m.end() + 1] == stack[0][0]
            if (blank or not reopens) and close_at_tag(i):
                stack.clear()
                continue
            if reopens:  # a quote running on opens again in the next paragraph
                if len(stack) == 1 and blank:  # each paragraph is a quote of its own, with no closing mark
                    mark, j = stack.pop()
                    end = len(text[:i].rstrip())
                    if 0 < end - j - 1 <= MAX_QUOTE:
                        quotes.append(Quote(j + 1, end, mark, ""))
                    elif end - j - 1 > MAX_QUOTE:
                        unclosed(mark, j)
                    continue
                skip_open_at = m.end()  # a line break inside the quote, or a nested quote open: one quote
                continue
            for mark, j in stack:
                unclosed(mark, j)
            stack.clear()
            continue
        if i == skip_open_at:
            continue
        if stack and (ch in PAIRS[stack[-1][0]] and (ch not in SYMMETRIC | {"’"} or _can_close(text, i, ch))
                      or ch == stack[-1][0] == "“" and _can_close(text, i, ch)):  # “...“ typed for “...”
            mark, j = stack.pop()
            limit = MAX_SINGLE if mark in SINGLE else MAX_QUOTE
            if i - j - 1 <= limit and (not stack or nested) and i > j + 1:
                pad = int(mark == '"' and text[j + 1] == " ")  # a stray space after a straight mark ("« non »" keeps its)
                back = int(stray_space_before(text, i))  # ... or before its closing one
                quotes.append(Quote(j + 1 + pad, i - back, mark + " " * pad, " " * back + ch))
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
        if ch in SYMMETRIC and any(o == ch for o, _ in stack) and not (
                nested_straight(text, i) and len(stack) == 1):
            continue  # a second straight opener while one is open is stray, unless it opens a term: "the "one China" policy"
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
    if stack and not close_at_tag(len(text)):
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

