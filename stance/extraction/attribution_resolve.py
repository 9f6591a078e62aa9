"""Resolving pronouns and descriptions to the names a text gave earlier.

:func:`resolve` finds the :class:`~stance.extraction.mentions.Mention` ("Mao Ning", "the Russian
defense ministry") that a pronoun ("he", "it") or a description ("the spokesperson", "the
alliance", "the statement") stands for; :func:`can_speak` and :func:`description_wants` tell
what a description may stand for.
"""
from __future__ import annotations

import bisect
import re

from stance.evaluate import same_speaker, split_joint
from stance.extraction.attribution_rules import ALIASES, DOCUMENT_NOUNS, join_names
from stance.extraction.mentions import Mention
from stance.extraction.names import MEDIA_NOUNS, ORG_NOUNS, PERSON_NOUNS, is_female, is_outlet



def description_wants(words: str) -> str | None:
    """What a pronoun or description refers to: "PERSON", "ORG", or None when it is neither.

    >>> description_wants("he"), description_wants("the alliance"), description_wants("Russia's top diplomat")
    ('PERSON', 'ORG', 'PERSON')
    >>> description_wants("the American"), description_wants("the Americans")
    ('PERSON', None)
    """
    low = words.lower().split()
    if not low:
        return None
    if low[-1] in ("he", "she", "him", "her", "i"):
        return "PERSON"
    if low[-1] in ("it", "they", "we"):
        return "ORG" if low[-1] == "it" else "ANY"
    if GROUP.fullmatch(words.strip()):
        return "ANY"  # "the two leaders"
    head = _head_noun(words)
    nationality = len(low) == 2 and low[0] == "the" and head[:4] in NATIONS and words.split()[1][:1].isupper() \
        and not head.endswith("s")
    if head in PERSON_NOUNS or nationality:  # "the spokesperson", "the American"
        return "PERSON"
    if head in ORG_NOUNS:
        return "ORG"
    return None


# a description of two or more people at once, resolved to the names a joint mention gives ("the two sides"
# stays as written: coders keep it)
GROUP = re.compile(r"(?i)(?:the|both)\s+(?:(two|three|four)\s+)?(?:leaders|presidents|prime\s+ministers|premiers|"
                   r"foreign\s+ministers|ministers|heads\s+of\s+state|top\s+diplomats|men)")
COUNTS = {"two": 2, "three": 3, "four": 4}
JOINT_REACH = 400  # characters before "they" within which names given together are what it stands for


def unnamed_people(description: str) -> bool:
    """True for a description of several people headed by a plural noun ("Chinese officials",
    "some diplomats", "NATO leaders"), not a count of people named together ("the two leaders",
    :data:`GROUP`): it stands for no one person the text names.

    >>> unnamed_people("German defense officials"), unnamed_people("the two leaders"), unnamed_people("the official")
    (True, False, False)
    """
    head = _head_noun(description)
    return (head in ("officials", "spokespeople") or head.endswith("s") and head[:-1] in PERSON_NOUNS) \
        and not GROUP.fullmatch(description.strip())


def group(words: str, earlier: list[Mention]) -> Mention | None:
    """The people a group description stands for ("the two leaders" -> "Xi Jinping and Vladimir
    Putin"): the latest joint mention of that many people (any number for "the leaders"), else the
    latest that many different people the text names; ``earlier`` latest first.

    >>> ms = [Mention(40, "Vladimir Putin", "PERSON", "", False, False),
    ...       Mention(0, "Xi Jinping", "PERSON", "", True, False)]
    >>> group("the two leaders", ms).text, group("the leaders", ms)
    ('Xi Jinping and Vladimir Putin', None)
    """
    m = GROUP.fullmatch(words.strip())
    if m is None:
        return None
    n = COUNTS.get((m.group(1) or "").lower(), 2 if words.lower().startswith("both") else 0)
    people = [x for x in earlier if x.kind == "PERSON"]
    joint = next((x for x in earlier if x.kind == "JOINT" and (not n or len(split_joint(x.text)) == n)
                  and all(any(same_speaker(p, k.text) for k in people) for p in split_joint(x.text))), None)
    if joint is not None or not n:
        return joint
    names: list[Mention] = []
    for x in people:
        if not any(same_speaker(x.text, y.text) for y in names):
            names.append(x)
        if len(names) == n:
            names.sort(key=lambda x: x.at)
            return Mention(names[0].at, join_names([x.text for x in names]), "JOINT", "", True, False, joint=True)
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
    >>> document_owner("The 2023 defense white paper recently released by the Ruritanian government")
    'the Ruritanian government'
    >>> document_owner("a statement from the Ruritanian foreign ministry")
    'the Ruritanian foreign ministry'
    """
    by = re.search(r"\b(?:(?:released|issued|published|written|signed)\s+by|by|from)\s+(.+)$", description)
    if by and _head_noun(re.sub(r"(?:\s+\w+ly)*\s*$", "", description[:by.start()])) in DOCUMENT_NOUNS | {"paper"}:
        return by.group(1)  # "the white paper (recently) released by ...", "a statement from ..."
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
               "diplomat": ("diplomat", "minister", "spokeswoman", "spokesman", "spokesperson", "ambassador", "envoy"),
               "chief": ("chief", "head", "secretary", "director")}  # "the NATO chief": its secretary general
RANKS = frozenset({"deputy", "vice", "former", "ex", "assistant"})  # a deputy minister is not "the minister"
# offices a person holds one of: "the spokesperson" is not a minister the text titles so
OFFICES = frozenset("""spokesperson spokesman spokeswoman president minister premier prime ambassador chancellor
secretary senator governor mayor""".split())


def office_differs(description: str, titles: str) -> bool:
    """True when a description names an office ("the spokesperson") and a person's titles name
    another one and not that one ("foreign minister"); a former office says nothing of the present.

    >>> office_differs("the spokesperson", "japanese foreign minister"), office_differs("the spokesperson", "")
    (True, False)
    >>> office_differs("the premier", "japan prime minister"), office_differs("the official", "foreign minister")
    (False, False)
    """
    head = _head_noun(description)
    if head not in OFFICES or {"former", "ex"} & set(description.lower().replace("-", " ").split()):
        return False  # "the former Dutch prime minister" now holds another office
    words = set(titles.replace("-", " ").split())
    return bool(words & OFFICES) and not words & set(SAME_OFFICE.get(head, (head,)))


def gender_fits(pronoun: str, titles: str, name: str = "") -> bool:
    """False when a person's titles, or their ``name`` (:func:`is_female`), say the other gender
    than the pronoun ("she" and "spokesman", "he" and "Jen Psaki").

    >>> gender_fits("she", "spokeswoman"), gender_fits("she", "spokesman"), gender_fits("he", "minister")
    (True, False, True)
    >>> gender_fits("he", "press secretary", "Jen Psaki")
    False
    """
    words = set(titles.split())
    if pronoun in FEMALE:
        return not words & MALE
    if pronoun in MALE:
        return not words & FEMALE and not is_female(name)
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
    Foreign Minister" and "deputy foreign minister"), or lack one it has: a former holder of the
    office is not the one the text titles with it now ("the former Dutch prime minister" and "Dutch
    Prime Minister Dick Schoof"); a generic description ("the senior diplomat") fits any rank.

    >>> rank_differs("Russian Foreign Minister", "deputy foreign minister"), rank_differs("the diplomat", "deputy minister")
    (True, False)
    >>> rank_differs("the former Dutch prime minister", "dutch prime minister")
    True
    """
    words = set(titles.replace("-", " ").split())
    own = set(description.lower().replace("-", " ").split())
    return _head_noun(description) in words and bool(words & RANKS - own or own & {"former", "ex"} - words)


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
            "ANY": ("PERSON", "ORG", "GPE", "NORP", "DESC", "JOINT")}[wants]
    # ``mentions`` are sorted by offset: the ones within reach before the quote, latest first
    lo = bisect.bisect_left(mentions, before - reach, key=lambda m: m.at)
    hi = bisect.bisect_left(mentions, before, key=lambda m: m.at)
    earlier = mentions[lo:hi][::-1]
    head = _head_noun(words)
    pronoun = words.lower() in PRONOUNS
    if GROUP.fullmatch(words.strip()):
        return group(words, earlier)
    plural = words.lower() in ("they", "them", "their")
    # "they" stands for names given together, not for one of them; nothing else stands for a joint
    members = {(x.at, part) for j in earlier if j.joint for part in split_joint(j.text) for x in earlier
               if not x.joint and j.at <= x.at < j.at + len(j.text) + 80 and x.text == part}
    earlier = [x for x in earlier
               if plural and (x.joint or (x.at, x.text) not in members) or not plural and not x.joint]
    if not pronoun and head and unnamed_people(words):  # "Chinese officials": the same group, never one person
        return next((m for m in earlier if m.kind == "DESC" and m.speaker and _head_noun(m.text) == head), None)
    if not pronoun and head:
        return _description(words, head, wants, earlier)
    woman = lambda m: m.kind == "PERSON" and is_female(m.text)  # noqa: E731
    kin = [m for m in earlier if (m.kind in fits and (m.kind != "DESC" or m.speaker)
                                  or wants == "PERSON" and _unnamed_person(m))
           and gender_fits(words.lower(), m.titles, m.text if m.kind == "PERSON" else "")]
    if words.lower() in FEMALE and any(map(woman, kin)):
        kin = [m for m in kin if woman(m)]  # "she": a woman the text names, when there is one
    if plural:  # "they": names given together just before, else never one person
        together = [m for m in kin if m.joint and before - m.at <= JOINT_REACH]
        kin = together[:1] or [m for m in kin if m.kind != "PERSON"]
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
                             and not rank_differs(words, m.titles) and not office_differs(words, m.titles)]
        return ranked[0] if ranked else None
    same = [m for m in earlier if m.kind in ("DESC", "ORG") and _head_noun(m.text) == head and m.speaker]
    if same:
        return same[0]
    if head in MEDIA_NOUNS:  # "the newspaper": the latest outlet named; "the paper" may be a white paper
        outlets = [m for m in earlier if head == "paper" and m.issued] + \
            [m for m in earlier if m.kind in ("ORG", "DESC") and is_outlet(m.text)]
        if outlets:
            return outlets[0]
    names = ALIASES.get(head, ())
    named = [m for m in earlier if m.kind in ("ORG", "FAC", "GPE") and (head in m.text.lower().split()
                                                                      or m.text in names)]
    if named:
        return named[0]
    if head in DOCUMENT_NOUNS:  # "the statement said": whoever issued the last one, else the latest speaker
        issued = [m for m in earlier if m.issued] or [m for m in earlier if m.speaker]
        return issued[0] if issued else None
    return None


# nations by the stem a description or a title shares ("chin" for China and Chinese)
NATIONS = frozenset(w[:4] for w in """chinese china russian russia american america ukrainian ukraine japanese japan
korean korea french france german germany british britain indian india taiwanese taiwan philippine filipino
european europe turkish turkey iranian iran israeli israel polish poland canadian canada australian australia""".split())


SAME_NATION = {"poli": "pola", "fren": "fran", "fili": "phil"}  # stems that differ: Polish and Poland


def _nation(word: str) -> str:
    """The stem a nation's name and adjective share ("Polish", "poland" -> "pola")."""
    stem = word.lower()[:4]
    return SAME_NATION.get(stem, stem)


def nation_differs(description: str, titles: str) -> bool:
    """True when a description names a nation ("the Chinese leader", "Russia's top diplomat") and
    a person's titles name only another ("@russian president"); nations compared by their stem.

    >>> nation_differs("the Chinese leader", "@russian president"), nation_differs("the Chinese leader", "@china president")
    (True, False)
    >>> nation_differs("the Polish", "@poland president")
    False
    """
    said = {_nation(w[1:]) for w in titles.split() if w.startswith("@")}
    named = {_nation(w) for w in re.findall(r"\b[A-Z][a-z]+", description) if w.lower() not in ("the", "this", "that")}
    return bool(said) and bool(named) and not said & named and bool(named & NATIONS)


def resolve_ahead(words: str, at: int, mentions: list[Mention], reach: int = 1200) -> Mention | None:
    """The person a description titles, or a pronoun stands for, when the text names them only
    after it (a headline's "..., says Japanese premier", a lede's "China's top envoy ..." before
    "Zhang Jun, China's permanent representative", an excerpt that opens with "..., he said" before
    "According to Rutte"): the first person within ``reach`` characters after ``at`` whose titles
    fit (:func:`titles_fit`), or, for "he" and "she", who is the subject or source of a verb and
    whose titles fit the pronoun's gender; or None.

    >>> ms = [Mention(90, "Shigeru Ishiba", "PERSON", "japan prime minister", True, False)]
    >>> resolve_ahead("Japanese premier", 10, ms).text, resolve_ahead("he", 10, ms).text
    ('Shigeru Ishiba', 'Shigeru Ishiba')
    """
    lo = bisect.bisect_right(mentions, at, key=lambda m: m.at)
    hi = bisect.bisect_right(mentions, at + reach, key=lambda m: m.at)
    pronoun = words.lower() if words.lower() in ("he", "she") else ""
    return next((m for m in mentions[lo:hi] if m.kind == "PERSON" and (
        (m.subject or m.reports) and gender_fits(pronoun, m.titles) if pronoun else titles_fit(words, m.titles))), None)
