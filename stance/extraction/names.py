"""How a person's name is written: title words, particles, and the fullest form a text gives.

Speakers are names, never titles or fragments: "Coast Guard Spokesperson Gan Yu" is "Gan Yu"
(:func:`strip_titles`), "von der" takes the word after it, a first name the tagger left out comes
back (:func:`first_name`), "Von der Leyen" is "Ursula von der Leyen" when the text gives the full
name (:func:`fullest_name`), and a dateline, an opening participle or a time the parser left in the
words goes (:func:`trim_speaker`).
:func:`is_outlet` tells a news outlet's name. Pure functions of strings (and, for
:func:`first_name`, a spaCy token); the word lists are shared with the attribution rules.
"""
from __future__ import annotations

import re

PERSON_NOUNS = frozenset("""
spokesperson spokesman spokeswoman minister chief secretary president diplomat envoy ambassador official
leader premier chancellor general head director adviser advisor commander spokespeople officials
lawmaker senator representative analyst expert professor scholar researcher fellow prime king queen
emperor governor mayor deputy counselor councillor aide negotiator delegate representative woman man
journalist reporter editor commentator columnist host anchor founder ceo chairman chairwoman chair
""".split())
ORG_NOUNS = frozenset("""
ministry alliance bloc government newspaper paper agency outlet office council embassy commission
kremlin department tabloid daily administration cabinet parliament committee union organization
organisation group country nation state party army military navy mission delegation statement
editorial commentary report article broadcaster network channel website site white house
force guard coastguard command bureau
""".split())
HONORIFICS = re.compile(r"^(?:mr|mrs|ms|miss|dr|sir|madam|mme|m)\.?\s+", re.IGNORECASE)
PARTICLES = frozenset("von van der den de da di du del della la le al el bin ibn ter ten dos das".split())


# given names of women in public life, and whole names where the given name comes last or is not
# telling (East Asian names): a pronoun's gender where no title says it ("he" is never Jen Psaki)
FEMALE_GIVEN = frozenset("""jen jennifer karine karoline carolyn caroline kaja ursula annalena penny liz elizabeth kamala
nancy victoria hillary condoleezza madeleine theresa angela giorgia sanae yoko melanie mélanie chrystia linda samantha
gina janet katherine kathy avril wendy catherine sanna mette ingrida roberta margrethe kristi tulsi marine elisabeth
julia kristalina agnès christine federica helga jacinda julie anne anna maria olena iryna yulia natalia svetlana
valentina margarita lyudmila ella margaret mary susan sarah emily emma laura lisa karen amy ann rachel claire tammy
marsha elise nikki heather jessica michelle stephanie rebecca deborah hanna hannah jill melania ivanka marise sophie
ségolène alexandria jacqueline vlora viola zuzana maia salome kersti marie nathalie ilhan""".split())
FEMALE_NAMES = frozenset("""hua chunying|mao ning|zhu fenglian|tsai ing-wen|hsiao bi-khim|fu ying|wu yi|takaichi sanae
|kamikawa yoko|park geun-hye|kang kyung-wha|choe son hui|kim yo jong""".replace("\n", "").split("|"))


def is_female(name: str) -> bool:
    """True for a person's name the text gives that names a woman by :data:`FEMALE_GIVEN` or
    :data:`FEMALE_NAMES` (no guess for any other name).

    >>> is_female("Jen Psaki"), is_female("Mao Ning"), is_female("Joe Biden"), is_female("Psaki")
    (True, True, False, False)
    """
    words = name.lower().split()
    return len(words) >= 2 and (words[0] in FEMALE_GIVEN or " ".join(words) in FEMALE_NAMES)


# words before a name that are not part of it: titles, and (for a first name) dates
TITLE_WORDS = PERSON_NOUNS | frozenset("""foreign vice senior former acting sen rep gen adm col lt sgt lieutenant
captain colonel major admiral commodore brigadier sergeant marshal officer mr mrs ms dr sir madam speaker""".split())
DATE_WORDS = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december""".split())


def title_word(word: str) -> bool:
    """True for a word before a name that is no part of it: a title ("Consul-General", "Lt.") or an
    institution ("Ministry").

    >>> title_word("Consul-General"), title_word("Ministry"), title_word("Antony")
    (True, True, False)
    """
    word = re.sub(r"[’']s$", "", word.rstrip(".").lower())
    return any(part in TITLE_WORDS or part in ORG_NOUNS for part in re.split(r"[-‐]", word))


def first_name(token) -> bool:
    """A word the tagger left out of the person's name after it ("Antony" in "Antony J. Blinken"):
    a capitalised proper noun compounded into the name, in no entity, neither a title nor a date."""
    return (token.tag_ == "NNP" and token.dep_ == "compound" and not token.ent_type_ and token.text[:1].isupper()
            and (not token.text.endswith(".") or len(token.text) == 2) and not title_word(token.text)
            and token.lower_ not in DATE_WORDS)


def titled(text: str) -> bool:
    """A name the tagger took for an organisation though a person's title heads it and a name of
    two words or more follows ("Spokeswoman Talia Morvane"; not "General Motors")."""
    rest = strip_titles(text)
    return rest != text and len(rest.split()) >= 2 and not any(w.lower() in ORG_NOUNS for w in rest.split())


def strip_titles(name: str) -> str:
    """A person's name without the words before its last title ("Spokeswoman", "Ministry") and the
    post after it ("Ambassador to China"), when what is left is capitalised words (or particles:
    "von der") and no title.

    >>> strip_titles("Spokeswoman Maria Zakharova"), strip_titles("Prime Minister Li Qiang"), strip_titles("President")
    ('Maria Zakharova', 'Li Qiang', 'President')
    >>> strip_titles("Coast Guard Spokesperson Gan Yu"), strip_titles("Secretary of State Antony J. Blinken")
    ('Gan Yu', 'Antony J. Blinken')
    >>> strip_titles("EU Ambassador to China Jorge Toledo"), strip_titles("Ambassador to the United States Anatoly Antonov")
    ('Jorge Toledo', 'Anatoly Antonov')
    >>> strip_titles("Foreign Ministry Spokesperson"), strip_titles("General Motors")
    ('Foreign Ministry Spokesperson', 'Motors')
    """
    words = name.split()
    last = max((i for i, w in enumerate(words[:-1]) if title_word(w)), default=-1)
    rest = words[last + 1:]
    post = posted_at(rest)
    if post and len(rest) - post in (2, 3):  # "to the US" between the title and the name
        rest = rest[post:]
    if last < 0 or re.search(r"[’']s$", words[last]) or not rest[0][:1].isupper() or any(
            title_word(w) or not w[:1].isupper() and w.lower() not in PARTICLES or re.search(r"[’']s$", w) for w in rest):
        return name
    return " ".join(rest)


# the places an ambassador or envoy is posted to that take two words ("Ambassador to the United States")
TWO_WORD_PLACES = frozenset("""united states|united kingdom|european union|united nations|south korea|north korea|
new zealand|saudi arabia|south africa|african union|holy see|czech republic|sri lanka|hong kong""".replace("\n", "").split("|"))


def posted_at(words: list[str]) -> int:
    """How many of ``words`` (those after a title) name a post: "to"/"in"/"at" and a place of one
    word, or of two (:data:`TWO_WORD_PLACES`), "the" allowed between; 0 when they do not start so.

    >>> posted_at("to the United States Anatoly Antonov".split()), posted_at("to China Jorge Toledo".split())
    (4, 2)
    >>> posted_at("Jorge Toledo".split()), posted_at("to the".split())
    (0, 0)
    """
    if len(words) < 2 or words[0] not in ("to", "in", "at"):
        return 0
    k = 2 if words[1] == "the" else 1
    if " ".join(words[k:k + 2]).lower() in TWO_WORD_PLACES:
        return k + 2
    return k + 1 if k < len(words) and words[k][:1].isupper() else 0


def fullest_name(name: str, people: list[str]) -> str:
    """A person's name in the fullest form the text gives it: without the words before it up to
    its last title ("Coast Guard Spokesperson Gan Yu" -> "Gan Yu"); spelt as the text first spells
    it, where transliterations differ ("Sergey Ryabkov" after "Sergei Ryabkov"); and a name that
    ends one longer name of the text as that name ("Von der Leyen" -> "Ursula von der Leyen",
    "J. Blinken" -> "Antony J. Blinken", "Zelensky" -> "Volodymyr Zelenskyy"). ``people``: the
    names of the people the text names, in the text's order. A name that ends two different longer
    names is kept as it is.

    >>> fullest_name("Von der Leyen", ["Ursula von der Leyen"]), fullest_name("Coast Guard Spokesperson Gan Yu", [])
    ('Ursula von der Leyen', 'Gan Yu')
    >>> fullest_name("Sergey Ryabkov", ["Sergei Ryabkov"]), fullest_name("Zelensky", ["Volodymyr Zelenskyy"])
    ('Sergei Ryabkov', 'Volodymyr Zelenskyy')
    >>> fullest_name("Kim Jong Un", ["Jong Un"]), fullest_name("Joe Biden", ["Hunter Biden"])
    ('Kim Jong Un', 'Joe Biden')
    >>> fullest_name("S Jaishankar", ["Subrahmanyam Jaishankar"])
    'Subrahmanyam Jaishankar'
    """
    name = strip_titles(name)
    names = [strip_titles(p) for p in people]
    words = name.split()
    name = next((p for p in names if len(p.split()) == len(words) and all(map(spelt_alike, p.split(), words))), name)
    if len(words) >= 2 and re.fullmatch(r"[A-Z]\.?", words[0]):  # "S Jaishankar": "Subrahmanyam Jaishankar"
        whole = {p for p in names if len(p.split()) == len(words) and p[:1] == words[0][0] and len(p.split()[0]) > 2
                 and ends_with(p, " ".join(words[1:]))}
        name = whole.pop() if len(whole) == 1 else name
    words = name.split()
    if len(words) < 2:  # a surname: the one person whose name ends with it, spelt alike
        longer = {p for p in names if len(p.split()) > 1 and spelt_alike(p.split()[-1], name)}
    else:
        longer = {p for p in names if len(p.split()) > len(words) and ends_with(p, name)}
    return longer.pop() if len(longer) == 1 else name


def ends_with(name: str, end: str) -> bool:
    """True when the words of ``end`` are the last words of ``name``, case aside.

    >>> ends_with("Ursula von der Leyen", "Von der Leyen"), ends_with("Hunter Biden", "Joe Biden")
    (True, False)
    """
    words = end.lower().split()
    return bool(words) and name.lower().split()[-len(words):] == words


def names_a_person(speaker: str, people: list[str]) -> bool:
    """True for a speaker (of any kind the tagger gave it) that, without titles, is the end of two
    words or more of the name of one of ``people`` ("Von der Leyen", tagged a place; "Consul-General
    Xue Jian").

    >>> names_a_person("Von der Leyen", ["Ursula von der Leyen"]), names_a_person("Leyen", ["Ursula von der Leyen"])
    (True, False)
    """
    name = strip_titles(speaker)
    return len(name.split()) >= 2 and any(ends_with(p, name) for p in people)


def spelt_alike(a: str, b: str) -> bool:
    """Two spellings of one name: equal without case, or, for names of five letters or more,
    one letter added, dropped or changed ("Sergei"/"Sergey", "Zelensky"/"Zelenskyy").

    >>> spelt_alike("Sergei", "Sergey"), spelt_alike("Zelensky", "Zelenskyy"), spelt_alike("Yi", "Yu")
    (True, True, False)
    """
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


# a time left at the end of a speaker's words ("a senior official last week"; the "late" of "late Wednesday")
TRAILING_TIME = re.compile(r"\s+(?:(?:on|late|early)\s+)?(?:(?:last|this|next|earlier this)\s+(?:week|month|year|weekend|"
                           r"night|morning|afternoon|evening)|yesterday|today|recently|earlier|(?:mon|tues|wednes|thurs|"
                           r"fri|satur|sun)day)(?:\s*\([^)]{1,30}\))?$|\s+(?:late|early)$", re.IGNORECASE)
# a dateline before the words ("Nov. 23 (UPI) -- ", "BEIJING, May 26 (Xinhua) -- ") and a participle
# that opened the sentence ("Speaking at an event, ...")
_LEADING = re.compile(r"^(?:[^\n]{0,40}?\([\w .-]{2,30}\)\s*(?:--|—|–)\s*|[A-Z][a-z]{4,}ing\s+(?=[A-Z]))")


def trim_speaker(words: str) -> str:
    """Speaker words without a time at their end, a dateline or an opening participle before them.

    >>> trim_speaker("a senior White House official last week"), trim_speaker("Yoon on Wednesday (April 19)")
    ('a senior White House official', 'Yoon')
    >>> trim_speaker("Nov. 23 (UPI) -- China's foreign ministry"), trim_speaker("Speaking Jorge Toledo")
    ("China's foreign ministry", 'Jorge Toledo')
    >>> trim_speaker("a spokesperson of the Chinese Mission late")
    'a spokesperson of the Chinese Mission'
    """
    return _LEADING.sub("", TRAILING_TIME.sub("", words))


# nouns for a news outlet, and words that end or make up an outlet's name
MEDIA_NOUNS = frozenset("newspaper paper tabloid daily outlet broadcaster agency network channel website".split())
_OUTLET = re.compile(r"\b(?:Times|Daily|News|Post|Journal|Herald|Tribune|Telegraph|Guardian|Gazette|Observer|Press|Agency|"
                     r"TV|Television|Radio|Broadcasting|Xinhua|TASS|Sputnik|RT|CGTN|CCTV|Reuters|AFP|AP|Bloomberg|Kyodo|"
                     r"Yonhap|Interfax|Novosti|Izvestia|Kommersant|Pravda|Asahi|Yomiuri|Nikkei|Shimbun)\b")


def is_outlet(name: str) -> bool:
    """True for a name that reads as a news outlet's ("Global Times", "Xinhua", "RIA Novosti").

    >>> is_outlet("Global Times"), is_outlet("TASS"), is_outlet("NATO")
    (True, True, False)
    """
    return bool(_OUTLET.search(name))


# news agencies: "according to Reuters" after someone's words names who reported them, not who said them
_AGENCY = re.compile(r"(?:the\s+)?(?:[\w’']+\s+)?(?:Reuters|AP|AFP|Associated Press|Agence France-Presse|Bloomberg|"
                     r"Kyodo|Jiji|Yonhap|Interfax|TASS|RIA Novosti|Xinhua|dpa|ANI|PTI|IANS|CNA|Anadolu)"
                     r"(?:\s+(?:news\s+)?agency|\s+News(?:\s+Agency)?)?", re.IGNORECASE)


def is_news_agency(name: str) -> bool:
    """True for a news agency's name ("Reuters", "the AP", "Russia's TASS agency"), which relays
    other people's words.

    >>> is_news_agency("Reuters"), is_news_agency("Russia's TASS agency"), is_news_agency("Global Times")
    (True, True, False)
    """
    return bool(_AGENCY.fullmatch(name.strip()))
