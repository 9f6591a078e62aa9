"""Who a text names before its quotes: the mentions that pronouns and descriptions resolve to.

:func:`_mentions` lists the named entities of a parsed paragraph with their titles and roles
(the subject of a reporting verb, of reported words); :func:`issuers` adds whoever issued a
writing ("the office issued a white paper"); :func:`joint_mentions` adds names given together
("Joe Biden and Fumio Kishida"); :func:`surname_mentions` and :func:`complete_names` give a surname
the full name the text gave before it (:func:`full_name`, :func:`name_in_text`), and
:func:`without_common_word` takes a headline's word out of a name ("Putin Press").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from stance.evaluate import split_joint
from stance.extraction.attribution_rules import (DOCUMENT_NOUNS, is_reporting, issues, join_names, joint, lemma,
                                                 mention)
from stance.extraction.entities import ENTITY_TYPES, POSTED, entity_kind, entity_name, pos, post_end, posted
from stance.extraction.names import HONORIFICS, ORG_NOUNS, PERSON_NOUNS, title_word, trim_speaker


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
    parsed windows; ``name`` when the text has none, or two different ones. A word before the name
    that the text also gives apart from it (a place: "in Seoul Xing Haiming"), or after it that the
    text also writes in lower case (a headline's "Putin Press Conference"), is not part of it.

    >>> name_in_text("Lin", "Spokesperson Lin Jian said so. On Monday Lin added"), name_in_text("Lin", "Lin said")
    ('Lin Jian', 'Lin')
    >>> name_in_text("Xing", "In Seoul Xing Haiming spoke; in Seoul, Xing")
    'Xing Haiming'
    >>> name_in_text("Putin", "Putin Press Day. The press"), name_in_text("Oberlin", "President Kassym-Jomart Oberlin")
    ('Putin', 'Kassym-Jomart Oberlin')
    """
    found = set()
    for m in re.finditer(rf"\b{re.escape(name)}\b", before):
        left = re.search(r"(?<![\w-])([A-Z][a-z]+(?:-[A-Za-z][a-z]+)?) $", before[:m.start()])
        right = re.match(r" ([A-Z][a-z]+(?:-[a-z]+)?)\b", before[m.end():])
        if left and left.group(1).lower() not in NOT_NAMES and not re.search(  # not "in Seoul Xing Haiming"
                rf"\b{left.group(1)}\b(?! {re.escape(name)}\b)", before):
            found.add(f"{left.group(1)} {name}")
        if right and right.group(1).lower() not in NOT_NAMES and not re.search(  # not "Putin Press Conference"
                rf"(?<![\w-]){right.group(1).lower()}(?![\w-])", before):
            found.add(f"{name} {right.group(1)}")
    return found.pop() if len(found) == 1 else name


def without_common_word(name: str, text: str) -> str:
    """A person's name without a last word that a title-case headline joined to it ("Putin Press"
    in "The Trump and Putin Press Conference Started", "Joseph Wu Photo"): a word the ``text``
    also writes in lower case, after a name the ``text`` also gives without it.

    >>> t = "The Putin Press Conference Started. Putin said the press was welcome."
    >>> without_common_word("Putin Press", t), without_common_word("Ned Price", "Ned Price said oil price rose.")
    ('Putin', 'Ned Price')
    """
    words = name.split()
    if len(words) < 2 or not words[-1][:1].isupper() or words[-1].isupper():
        return name
    rest = " ".join(words[:-1])
    common = re.search(rf"(?<![\w-]){re.escape(words[-1].lower())}(?![\w-])", text)
    alone = len(re.findall(rf"\b{re.escape(rest)}\b", text)) > len(re.findall(rf"\b{re.escape(name)}\b", text))
    return rest if common and alone else name


def clean_name(text: str) -> str:
    """A name without a leading title word, a trailing possessive or a trailing time.

    >>> clean_name("Mr. Blinken's"), clean_name("a senior White House official last week"), clean_name("• Zelenskiy")
    ('Blinken', 'a senior White House official', 'Zelenskiy')
    """
    text = re.sub(r"[’']s$", "", text.strip(" ,;:\n\t•·▪●"))
    return HONORIFICS.sub("", trim_speaker(text))




@dataclass(frozen=True)
class Mention:
    """A name or description in the text before a quote, with what resolution needs to know."""

    at: int          # character offset
    text: str
    kind: str        # PERSON, ORG, GPE, NORP, FAC, DESC or JOINT (names given together)
    titles: str      # lower-case words just before a name ("secretary general", "spokesperson")
    subject: bool    # the subject of a verb
    speaker: bool    # already a quote's speaker
    reports: bool = False  # the subject of a reporting verb ("Stoltenberg said ...", "Zhu repeated ...")
    reported: bool = False  # the subject of the words a verb reports ("..., Taiwan's government is ...", it said)
    issued: bool = False  # the subject of a verb that issues a writing ("the office issued a white paper")
    joint: bool = False  # names given together ("Joe Biden and Fumio Kishida agreed", :func:`joint_mentions`)


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
        # "the spokesperson, Lin Jian, said", "Ambassador to the US Anatoly Antonov said"
        root = e.root.head if e.root.dep_ == "appos" else e.label_ == "PERSON" and posted(e.root) or e.root
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


def joint_mentions(doc, offset: int, inside) -> list[Mention]:
    """Names coordinated with each other ("Joe Biden and Fumio Kishida agreed", "protests with China
    and Russia"), outside quotes: one joint mention each (:func:`~stance.extraction.attribution_rules.joint`),
    which "they" and "the two leaders" can stand for."""
    out = []
    for t in doc:
        if t.dep_ == "conj" or not any(c.dep_ == "conj" for c in t.children) or inside(t.idx + offset):
            continue
        both = joint(t)
        if both is not None:
            reports = t.dep_ == "nsubj" and is_reporting(t.head)
            out.append(Mention(t.left_edge.idx + offset, both[0], both[1], "", t.dep_ in ("nsubj", "nsubjpass"), False,
                               reports, joint=True))
    return out


def issuers(doc, offset: int, inside) -> list[Mention]:
    """Who issued a writing, as speakers a later "the statement said" can stand for: the subject of
    a verb that issues one ("The Chinese Foreign Ministry's spokesperson issued remarks on
    Saturday"), or its agent ("a statement issued on Sunday by the Ministry of Defence"), outside quotes."""
    out = []
    for verb in doc:
        if pos(verb) != "VERB" or not issues(verb):
            continue
        # its object, or a writing right after it where the parse went astray ("issued a white paper laying out")
        writing = next((c for c in [*verb.children, *doc[verb.i + 1:verb.i + 4]] if (c.dep_ == "dobj" or c.i > verb.i)
                        and pos(c) == "NOUN" and (lemma(c) in DOCUMENT_NOUNS or c.lower_ in ("remarks", "paper"))), None)
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if verb.dep_ == "acl" and lemma(verb.head) in DOCUMENT_NOUNS:  # the writing it describes, issued by someone
            writing = verb.head
            subject = next((g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"), None)
        if writing is None or subject is None or inside(subject.idx + offset):
            continue
        words, kind = mention(subject)
        if kind != "PRON" and words:
            out.append(Mention(subject.idx + offset, clean_name(words), kind, "", True, True, True, issued=True))
    return out


def complete_names(mentions: list[Mention]) -> list[Mention]:
    """Mentions of a person by one name ("Ryabkov", "Sun") as the full name given before it
    ("Sergey Ryabkov", "Sun Weidong"), with that mention's titles, and so the people of a joint
    mention; ``mentions`` sorted by offset.

    >>> ms = [Mention(0, "Sergey Ryabkov", "PERSON", "deputy minister", True, False), Mention(50, "Ryabkov", "PERSON", "", True, False)]
    >>> complete_names(ms)[1].text, complete_names(ms)[1].titles
    ('Sergey Ryabkov', 'deputy minister')
    """
    full: dict[str, Mention] = {}
    out = []
    for m in mentions:
        words = m.text.split()
        if m.joint:  # "Biden and Kishida" -> "Joe Biden and Fumio Kishida"
            m = replace(m, text=join_names([full[w].text if w in full else w for w in split_joint(m.text)]))
        elif m.kind == "PERSON" and len(words) == 1 and m.text in full:
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
    the capitalised noun subject of a reporting verb ("Scholz said"; "Zelenskyy said", which the
    tagger may take for a common noun) whose full name the ``text`` before it gives outside the
    parsed paragraphs (:func:`name_in_text`). ``mentions`` are sorted by offset."""
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
        elif reports and pos(t) in ("PROPN", "NOUN") and len(t.text) > 2 and not title_word(t.text):
            whole = name_in_text(t.text, text[:at])
            if whole.endswith(" " + t.text):  # a surname: "Scholz" as "Olaf Scholz"
                out.append(Mention(at, whole, "PERSON", "", True, False, True))
    return out
