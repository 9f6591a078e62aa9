"""Resolving pronouns and descriptions to the names a text gave earlier.

:func:`resolve` finds the :class:`Mention` ("Mao Ning", "the Russian defense ministry") that a
pronoun ("he", "it") or a description ("the spokesperson", "the alliance", "the statement")
stands for; :func:`full_name` turns a surname into the full name given before.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from stance.extraction.attribution_rules import (ALIASES, DOCUMENT_NOUNS, ENTITY_TYPES, HONORIFICS, ORG_NOUNS, PERSON_NOUNS,
                                                 POSTED, entity_kind, entity_name, is_reporting, pos, post_end)
from stance.extraction.names import MEDIA_NOUNS, is_outlet, title_word, trim_speaker



def description_wants(words: str) -> str | None:
    """What a pronoun or description refers to: "PERSON", "ORG", or None when it is neither.

    >>> description_wants("he"), description_wants("the alliance"), description_wants("Russia's top diplomat")
    ('PERSON', 'ORG', 'PERSON')
    """
    low = words.lower().split()
    if not low:
        return None
    if low[-1] in ("he", "she", "him", "her", "i"):
        return "PERSON"
    if low[-1] in ("it", "they", "we"):
        return "ORG" if low[-1] == "it" else "ANY"
    head = _head_noun(words)
    if head in PERSON_NOUNS:
        return "PERSON"
    if head in ORG_NOUNS:
        return "ORG"
    return None


def is_specific(description: str) -> bool:
    """True for a description that names an institution by itself ("the Russian defense ministry",
    "China's defence ministry"): an institution noun with a capitalised word before it. Such a
    description is the speaker; a generic one ("the ministry", "the spokesperson") is resolved.

    >>> is_specific("the Russian defense ministry"), is_specific("the ministry"), is_specific("the NATO chief")
    (True, False, False)
    >>> is_specific("the Chinese newspaper"), is_specific("the Communist Party newspaper")
    (False, True)
    """
    words = description.replace("’s", " ").replace("'s", " ").split()
    head = _head_noun(description)
    named = [w for w in words[:-1] if w[:1].isupper() and w.lower() != "the"]
    if head in MEDIA_NOUNS:  # "the Chinese newspaper" stands for the outlet the text names
        named = [w for w in named if w.lower()[:4] not in NATIONS and not re.search(r"(?:an|ese|ish|i)$", w)]
    return len(words) >= 2 and head in ORG_NOUNS and bool(named)


# heads of descriptions that name a thing, an event or an abstraction, which never speak ("this support
# continued", "the findings respond"); any other description may name someone (an open class: "the
# presidential palace", "the coordinator")
THINGS = frozenset("""support finding exercise drill incident claim attitude legislation move decision action measure
policy situation war conflict attack crisis tension relation talk visit meeting trip tariff sanction deal development
event step effort process issue problem concern threat pressure trend rise growth impact effect result outcome
behavior behaviour activity operation invasion aggression escalation deployment presence incursion provocation
violation rhetoric narrative idea view position stance approach strategy aid assistance plan proposal
initiative project program programme agenda framework mechanism system order rule right interest value principle
security stability peace economy market trade price cost number figure rate share amount percent""".split())


def can_speak(words: str) -> bool:
    """True for words that can name a speaker: a name, or a description of someone or of a writing
    ("the spokesperson", "the presidential palace", "the statement"); False for a thing, an event
    or an abstraction ("the findings", "Tokyo’s claim", "this support"), a number or a bracket.

    >>> can_speak("Mark Rutte"), can_speak("the presidential palace"), can_speak("The findings"), can_speak("Tokyo’s claim")
    (True, True, False, False)
    """
    words = re.sub(r"\s*\([^)]*\)$", "", words)  # "the minister (synthetic)"
    head = _head_noun(words)
    if not head:
        return False
    last = re.split(r"\s(?:of|for|at|from|in)\s", words)[0].replace("’s", "").replace("'s", "").split()[-1]
    if last[:1].isupper() or not last.isalpha():
        return last[:1].isupper()  # a name ("Rutte", "NATO"), never a number or a bracket
    singular = {head, head.removesuffix("s"), head.removesuffix("es"), re.sub(r"ies$", "y", head)}
    return not singular & THINGS


def document_owner(description: str) -> str:
    """Who issued the writing a description names ("The Pentagon statement" -> "Pentagon", "A New
    York Times report" -> "New York Times", "the white paper released by the Japanese government"
    -> "the Japanese government"), or "" when it names none.

    >>> document_owner("The Pentagon statement"), document_owner("the report"), document_owner("China's statement")
    ('Pentagon', '', 'China')
    >>> document_owner("The South China Morning Post")  # a name, not a post
    ''
    """
    by = re.search(r"\b(?:released|issued|published|written|signed)\s+by\s+(.+)$", description)
    if by and _head_noun(description.split(" by ")[0]) in DOCUMENT_NOUNS | {"paper"}:
        return by.group(1)
    words = description.split()
    if len(words) < 2 or _head_noun(description) not in DOCUMENT_NOUNS or _head_noun(description) != words[-1]:
        return ""
    owner = [w for w in words[:-1] if w.lower() not in ("the", "a", "an", "this", "that", "its", "their")]
    owner = " ".join(owner)
    owner = re.sub(r"[’']s$", "", owner)
    return owner if owner[:1].isupper() and owner.split()[-1][:1].isupper() else ""


def introduces(description: str) -> bool:
    """True for an indefinite description ("a senior White House official", "an EU diplomat"): it
    brings in someone new, so it is the speaker as written and never stands for a name given before.

    >>> introduces("a Foreign Ministry spokesperson"), introduces("the spokesperson"), introduces("he")
    (True, False, False)
    """
    return description.split(maxsplit=1)[0].lower() in ("a", "an", "one", "another")


def full_name(name: str, earlier: list[str]) -> str:
    """A surname as the full name the text gave before ("Rutte" -> "Mark Rutte").

    >>> full_name("Rutte", ["NATO", "Mark Rutte"]), full_name("Wang", ["Wang Wenbin", "Wang Yi"])
    ('Mark Rutte', 'Wang Yi')
    >>> full_name("Kim", ["Kim Jong Un"])
    'Kim Jong Un'

    """
    if " " in name:
        return name
    for e in reversed(earlier):
        if e != name and e.split()[-1] == name or e.split()[0] == name and len(e.split()) in (2, 3):  # "Yoon Suk Yeol"
            return e
    return name


NOT_NAMES = frozenset("""the a an and but or when if as after before while since said says told according
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december mr mrs ms dr sir madam foreign deputy vice senior former acting""".split()) \
    | PERSON_NOUNS | ORG_NOUNS  # capitalised words beside a name that are not part of it


def name_in_text(name: str, before: str) -> str:
    """A one-word name as the two-word name ``before`` (the text before the quote) wrote once or
    more ("spokesperson Lin Jian said" -> "Lin Jian"), for a name whose full form lies outside the
    parsed windows; ``name`` when the text has none, or two different ones.

    >>> name_in_text("Lin", "Spokesperson Lin Jian said so. On Monday Lin added"), name_in_text("Lin", "Lin said")
    ('Lin Jian', 'Lin')
    """
    found = set()
    for m in re.finditer(rf"\b{re.escape(name)}\b", before):
        left = re.search(r"\b([A-Z][a-z]+(?:-[a-z]+)?) $", before[:m.start()])
        right = re.match(r" ([A-Z][a-z]+(?:-[a-z]+)?)\b", before[m.end():])
        if left and left.group(1).lower() not in NOT_NAMES:
            found.add(f"{left.group(1)} {name}")
        if right and right.group(1).lower() not in NOT_NAMES:
            found.add(f"{name} {right.group(1)}")
    return found.pop() if len(found) == 1 else name


def clean_name(text: str) -> str:
    """A name without a leading title word, a trailing possessive or a trailing time.

    >>> clean_name("Mr. Blinken's"), clean_name("a senior White House official last week")
    ('Blinken', 'a senior White House official')
    """
    text = re.sub(r"[’']s$", "", text.strip(" ,;:\n\t"))
    return HONORIFICS.sub("", trim_speaker(text))




@dataclass(frozen=True)
class Mention:
    """A name or description in the text before a quote, with what resolution needs to know."""

    at: int          # character offset
    text: str
    kind: str        # PERSON, ORG, GPE, NORP, FAC or DESC
    titles: str      # lower-case words just before a name ("secretary general", "spokesperson")
    subject: bool    # the subject of a verb
    speaker: bool    # already a quote's speaker
    reports: bool = False  # the subject of a reporting verb ("Stoltenberg said ...", "Zhu repeated ...")
    reported: bool = False  # the subject of the words a verb reports ("..., Taiwan's government is ...", it said)


def _mentions(doc, offset: int, inside) -> list[Mention]:
    """The named entities of a parsed piece of text, outside quotes, with their titles."""
    out = []
    for e in doc.ents:
        if e.label_ not in ENTITY_TYPES or inside(e.start_char + offset) or "\n" in e.text.strip():
            continue  # no name runs across a line break ("Jagannath P. Panda\nIntroduction")
        before = doc[max(e.sent.start, e.start - 6):e.start]
        stops = [t.i for t in before if pos(t) in ("VERB", "AUX") or t.is_punct and t.text not in "-‐–"]
        before = doc[stops[-1] + 1:e.start] if stops else before  # not "official" in "The official said Xing's"
        titles = " ".join(t.lower_ for t in before if pos(t) in ("NOUN", "PROPN", "ADJ") and not t.ent_type_)
        titles += " " + " ".join(t.lower_ for t in e if t.lower_ in PERSON_NOUNS)  # "Spokeswoman Maria Zakharova"
        titles += " " + " ".join("@" + t.lower_ for t in before if t.ent_type_ == "NORP" or  # "Chinese President"
                                 t.ent_type_ == "GPE" and t.nbor(1).lower_ in ("’s", "'s"))  # "China's President"
        appos = [t for t in e.root.head.subtree if e.root.dep_ == "appos"] if e.root.dep_ == "appos" else []
        titles += " " + " ".join(t.lower_ for t in appos if pos(t) == "NOUN")
        # ", the alliance's chief," after the name
        for c in e.root.children:
            if c.dep_ == "appos":
                titles += " " + " ".join(t.lower_ for t in c.subtree if pos(t) in ("NOUN", "ADJ"))
        root = e.root.head if e.root.dep_ == "appos" else e.root  # "the spokesperson, Lin Jian, said"
        name, kind = clean_name(entity_name(e)), entity_kind(e)
        body = e.root.head
        if e.root.dep_ == "poss" and e.label_ in ("GPE", "ORG", "NORP") and body.lower_ in ORG_NOUNS \
                and body.lower_ not in DOCUMENT_NOUNS and body.i > e.end and "\n" not in doc[e.start:body.i + 1].text:
            root, kind = body, "ORG"  # "China’s military put out ...": the military, not the country
            name = doc[e.start:post_end(doc, body.i + 1) if body.lower_ in POSTED else body.i + 1].text
        subject = root.dep_ in ("nsubj", "nsubjpass")
        reports = root.dep_ == "nsubj" and is_reporting(root.head) or (  # "According to Zelensky, ..."
            root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.head.lower_ == "according")
        reported = subject and root.head.dep_ == "ccomp" and is_reporting(root.head.head)
        out.append(Mention(e.start_char + offset, name, kind, titles.replace(".", "").strip(),
                           subject, False, reports, reported))
    return out


def complete_names(mentions: list[Mention]) -> list[Mention]:
    """Mentions of a person by one name ("Ryabkov", "Sun") as the full name given before it
    ("Sergey Ryabkov", "Sun Weidong"), with that mention's titles; ``mentions`` sorted by offset.

    >>> ms = [Mention(0, "Sergey Ryabkov", "PERSON", "deputy minister", True, False), Mention(50, "Ryabkov", "PERSON", "", True, False)]
    >>> complete_names(ms)[1].text, complete_names(ms)[1].titles
    ('Sergey Ryabkov', 'deputy minister')
    """
    full: dict[str, Mention] = {}
    out = []
    for m in mentions:
        words = m.text.split()
        if m.kind == "PERSON" and len(words) == 1 and m.text in full:
            m = Mention(m.at, full[m.text].text, "PERSON", f"{full[m.text].titles} {m.titles}".strip(), m.subject,
                        m.speaker, m.reports, m.reported)
        elif m.kind == "PERSON" and len(words) >= 2:
            full[words[-1]] = full[words[0]] = m
        out.append(m)
    return out


def surname_mentions(doc, offset: int, inside, mentions: list[Mention], text: str = "") -> list[Mention]:
    """Mentions of people by a surname the named-entity tagger missed ("Trump caused concern ...",
    after "President-elect Donald Trump"): a capitalised token, outside quotes and entities, that is
    the surname (or a Chinese name's first word) of a person named before it, as that person; and
    the proper-noun subject of a reporting verb ("Scholz said") whose full name the ``text`` before
    it gives outside the parsed paragraphs (:func:`name_in_text`). ``mentions`` are sorted by offset."""
    people = [m for m in mentions if m.kind == "PERSON" and len(m.text.split()) >= 2]
    short = {w for m in people for w in (m.text.split()[-1], m.text.split()[0]) if len(w) > 2}
    out = []
    for t in doc:
        if t.ent_type_ or not t.text[:1].isupper() or inside(t.idx + offset):
            continue
        at = t.idx + offset
        reports = t.dep_ == "nsubj" and is_reporting(t.head)
        full = next((m for m in reversed(people) if m.at < at and t.text in (m.text.split()[-1],
                                                                          m.text.split()[0])), None) \
            if t.text in short else None
        if full is not None:
            out.append(Mention(at, full.text, "PERSON", full.titles, t.dep_ in ("nsubj", "nsubjpass"), False, reports))
        elif reports and pos(t) == "PROPN" and len(t.text) > 2 and not title_word(t.text):
            whole = name_in_text(t.text, text[:at])
            if whole.endswith(" " + t.text):  # a surname: "Scholz" as "Olaf Scholz"
                out.append(Mention(at, whole, "PERSON", "", True, False, True))
    return out


def _head_noun(words: str) -> str:
    """The head noun of a description: its last word before "of"/"for"/"at"/"from".

    >>> _head_noun("the spokesperson of the ministry"), _head_noun("Russia’s top diplomat")
    ('spokesperson', 'diplomat')
    """
    words = re.split(r"\s(?:of|for|at|from|in)\s", words.lower().replace("’s", "").replace("'s", ""))[0].split()
    return words[-1].strip(",.()") if words else ""


PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "him", "her"})
FEMALE = frozenset("she her spokeswoman chairwoman congresswoman woman ms mrs miss madam queen".split())
MALE = frozenset("he him spokesman chairman congressman man mr king".split())
# a description's head noun and the title words that name the same office
SAME_OFFICE = {"premier": ("premier", "prime"), "envoy": ("envoy", "ambassador", "representative"),
               "diplomat": ("diplomat", "minister", "spokeswoman", "spokesman", "spokesperson", "ambassador", "envoy")}
RANKS = frozenset({"deputy", "vice", "former", "ex", "assistant"})  # a deputy minister is not "the minister"


def gender_fits(pronoun: str, titles: str) -> bool:
    """False when a person's titles say the other gender than the pronoun ("she" and "spokesman").

    >>> gender_fits("she", "spokeswoman"), gender_fits("she", "spokesman"), gender_fits("he", "minister")
    (True, False, True)
    """
    words = set(titles.split())
    if pronoun in FEMALE:
        return not words & MALE
    if pronoun in MALE:
        return not words & FEMALE
    return True


def titles_fit(description: str, titles: str) -> bool:
    """True when a person's titles hold the description's head noun (or a title of the same office:
    "premier", "prime minister") and no rank the description lacks ("deputy", "vice").

    >>> titles_fit("the premier", "japan prime minister"), titles_fit("Russian Foreign Minister", "deputy minister")
    (True, False)
    """
    head = _head_noun(description)
    words = set(titles.replace("-", " ").split())
    if not words & set(SAME_OFFICE.get(head, (head,))):
        return False
    return not rank_differs(description, titles)


def rank_differs(description: str, titles: str) -> bool:
    """True when a person's titles hold the description's own title with a rank it lacks ("Russian
    Foreign Minister" and "deputy foreign minister"); a generic description ("the senior diplomat")
    fits any rank.

    >>> rank_differs("Russian Foreign Minister", "deputy foreign minister"), rank_differs("the diplomat", "deputy minister")
    (True, False)
    """
    words = set(titles.replace("-", " ").split())
    return _head_noun(description) in words and bool(words & RANKS - set(description.lower().replace("-", " ").split()))


def _unnamed_person(m: Mention) -> bool:
    """True for a speaker the text only describes as a person, in lower case ("a senior official")."""
    return m.kind == "DESC" and m.speaker and description_wants(m.text) == "PERSON" and _head_noun(m.text) in m.text.split()


def _bare(words: str) -> str:
    """A description in lower case without its article ("A Presidential official" -> "presidential official")."""
    return re.sub(r"^(?:the|a|an)\s+", "", words.lower())


def _ranks(words: str) -> set[str]:
    return set(words.lower().replace("-", " ").split()) & RANKS


def resolve(words: str, wants: str, before: int, mentions: list[Mention], reach: int = 2500,
            sentence: int | None = None, embedded: bool = False) -> Mention | None:
    """The earlier mention a pronoun or description stands for, or None.

    A description first looks for a name it titles ("the premier" -> "Prime Minister Shigeru
    Ishiba" when "premier" or its head noun stands before that name) or an earlier speaker with the
    same head noun ("the ministry" -> "the Russian defense ministry"); a pronoun takes the latest
    subject in its own sentence (from ``sentence``), then the latest speaker or subject of a
    reporting verb of its kind (and gender, where titles tell it), then the latest subject; then
    the latest mention of its kind, within ``reach`` characters. A pronoun in an ``embedded`` clause
    (relative, adverbial, complement: "Lai's speech, in which he said", "Trump ... when he called")
    takes the latest name of its kind before it in its own sentence next, whatever its role.

    ``mentions`` are sorted by their offset.

    >>> ms = [Mention(10, "Mao Ning", "PERSON", "spokesperson", True, True), Mention(40, "Japan", "GPE", "", False, False)]
    >>> resolve("the spokesperson", "PERSON", 90, ms).text, resolve("it", "ORG", 90, ms).text
    ('Mao Ning', 'Japan')
    """
    fits = {"PERSON": ("PERSON",), "ORG": ("ORG", "GPE", "NORP", "FAC", "DESC"),
            "ANY": ("PERSON", "ORG", "GPE", "NORP", "DESC")}[wants]
    # ``mentions`` are sorted by offset: the ones within reach before the quote, latest first
    lo = bisect.bisect_left(mentions, before - reach, key=lambda m: m.at)
    hi = bisect.bisect_left(mentions, before, key=lambda m: m.at)
    earlier = mentions[lo:hi][::-1]
    head = _head_noun(words)
    pronoun = words.lower() in PRONOUNS
    if not pronoun and head:
        return _description(words, head, wants, earlier)
    kin = [m for m in earlier if (m.kind in fits and (m.kind != "DESC" or m.speaker)
                                  or wants == "PERSON" and _unnamed_person(m)) and gender_fits(words.lower(), m.titles)]
    here = before if sentence is None else sentence
    for ok in (lambda m: m.subject and not m.reported and m.at >= here, lambda m: embedded and m.at >= here,
               lambda m: m.speaker or m.reports, lambda m: m.subject):
        ranked = [m for m in kin if ok(m)]
        if ranked:
            return ranked[0]
    return kin[0] if kin and pronoun else None


def _description(words: str, head: str, wants: str, earlier: list[Mention]) -> Mention | None:
    """The earlier mention (latest first) a description ("the spokesperson", "the alliance") stands for."""
    earlier = [m for m in earlier if m.kind != "PERSON" or not nation_differs(words, m.titles)]
    described = [m for m in earlier if wants == "PERSON" and m.kind == "DESC" and m.speaker
                 and _bare(m.text) == _bare(words)]  # "the presidential official" for "a presidential official"
    titled = [m for m in earlier if m.kind == "PERSON" and titles_fit(words, m.titles)]
    if described or titled:
        return (described or titled)[0]
    if wants == "PERSON":  # someone unnamed the text described with the same noun ("a spokesperson for the
        # mission"), else the latest person speaking, unless their rank differs ("deputy minister")
        unnamed = [m for m in earlier if m.kind == "DESC" and m.speaker and _head_noun(m.text) == head
                   and _ranks(words) == _ranks(m.text)]
        ranked = unnamed or [m for m in earlier if m.kind == "PERSON" and (m.speaker or m.subject)
                             and not rank_differs(words, m.titles)]
        return ranked[0] if ranked else None
    same = [m for m in earlier if m.kind in ("DESC", "ORG") and _head_noun(m.text) == head and m.speaker]
    if same:
        return same[0]
    if head in MEDIA_NOUNS:  # "the newspaper": the latest outlet named
        outlets = [m for m in earlier if m.kind in ("ORG", "DESC") and is_outlet(m.text)]
        if outlets:
            return outlets[0]
    names = ALIASES.get(head, ())
    named = [m for m in earlier if m.kind in ("ORG", "FAC", "GPE") and (head in m.text.lower().split()
                                                                      or m.text in names)]
    if named:
        return named[0]
    if head in DOCUMENT_NOUNS:  # "the statement said": whoever issued the last one
        issued = [m for m in earlier if m.speaker]
        return issued[0] if issued else None
    return None


# nations by the stem a description or a title shares ("chin" for China and Chinese)
NATIONS = frozenset(w[:4] for w in """chinese china russian russia american america ukrainian ukraine japanese japan
korean korea french france german germany british britain indian india taiwanese taiwan philippine filipino
european europe turkish turkey iranian iran israeli israel polish poland canadian canada australian australia""".split())


def nation_differs(description: str, titles: str) -> bool:
    """True when a description names a nation ("the Chinese leader", "Russia's top diplomat") and
    a person's titles name only another ("@russian president"); nations compared by their stem.

    >>> nation_differs("the Chinese leader", "@russian president"), nation_differs("the Chinese leader", "@china president")
    (True, False)
    """
    said = {w[1:5] for w in titles.split() if w.startswith("@")}
    named = {w.lower()[:4] for w in re.findall(r"\b[A-Z][a-z]+", description) if w.lower() not in ("the", "this", "that")}
    return bool(said) and bool(named) and not said & named and bool(named & NATIONS)


def resolve_ahead(words: str, at: int, mentions: list[Mention], reach: int = 1200) -> Mention | None:
    """The person a description titles when the text names them only after it (a headline's
    "..., says Japanese premier", a lede's "China's top envoy ..." before "Zhang Jun, China's
    permanent representative"): the first person within ``reach`` characters after ``at`` whose
    titles fit (:func:`titles_fit`), or None.

    >>> ms = [Mention(90, "Shigeru Ishiba", "PERSON", "japan prime minister", True, False)]
    >>> resolve_ahead("Japanese premier", 10, ms).text
    'Shigeru Ishiba'
    """
    lo = bisect.bisect_right(mentions, at, key=lambda m: m.at)
    hi = bisect.bisect_right(mentions, at + reach, key=lambda m: m.at)
    return next((m for m in mentions[lo:hi] if m.kind == "PERSON" and titles_fit(words, m.titles)), None)
