"""The grammar of attribution: reporting verbs, their subjects, and the names they stand for.

Pure functions over spaCy tokens, used by :mod:`stance.extraction.attribution` (which parses) and
:mod:`stance.extraction.attribution_resolve` (which resolves pronouns and descriptions):

- :func:`reporting_verb` picks a quote's reporting verb (:data:`REPORTING`) in its sentence;
- :func:`subject_of` names who speaks through it (subject, ``according to`` object, ``by`` agent...);
- :func:`mention` turns that token into a name (an entity, an appositive) or a short description.

The entities and the coarse part of speech come from :mod:`stance.extraction.entities`.
"""
from __future__ import annotations

import functools
import re

from stance.extraction.entities import POSTED, entity_kind, entity_name, entity_of, pos, posted
from stance.extraction.names import PERSON_NOUNS

REPORTING = frozenset("""
say tell add state declare write argue claim insist warn urge note stress emphasize emphasise assert
announce remark reply respond comment tweet post vow pledge promise caution complain lament praise hail
welcome reject criticize criticise condemn denounce slam blast mock deride ridicule accuse ask explain
suggest describe term dub call label brand characterize characterise dismiss admit acknowledge concede
conclude maintain reiterate demand proclaim quip scoff retort counter observe predict threaten boast
report deny quote express voice decry lash blame charge mention recall affirm confirm underline
highlight point question refer liken compare read brief denote hit rap lambast chide continue wonder
elaborate reaffirm underscore clarify assure cite allege contend repeat refute deplore applaud thank
inform answer emphasise describe recount joke trumpet gloss inquire tout portray entitle title
detail outline propose believe regard share
""".split())
IRREGULAR = {"said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write", "spoke": "speak",
             "read": "read", "hit": "hit", "quoted": "quote", "according": "accord", "statements": "statement",
             "remarks": "remarks", "replied": "reply", "replies": "reply", "denied": "deny", "denies": "deny",
             "criticised": "criticise", "criticized": "criticize", "lambasted": "lambast",
             "regarding": "regarding"}  # a preposition, not "regard"


@functools.lru_cache(maxsize=8192)
def _lemma(word: str) -> str:
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ying", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
                         ("d", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)] + repl
            if base in REPORTING or base in DOCUMENT_NOUNS:
                return base
            if len(base) > 3 and base[-1] == base[-2] and base[:-1] in REPORTING:  # "slammed", "chatting"
                return base[:-1]
    return word


def lemma(token) -> str:
    """A reporting verb's or document noun's base form ("said" -> "say", "slammed" -> "slam"),
    without spaCy's lemmatizer (left out of the pipeline for speed); other words in lower case.

    >>> import types
    >>> [lemma(types.SimpleNamespace(lower_=w)) for w in ("said", "slammed", "urges", "statements", "Paris")]
    ['say', 'slam', 'urge', 'statement', 'Paris']
    """
    return _lemma(token.lower_)


# --- verbs, subjects and names -----------------------------------------------------------------

def is_reporting(token) -> bool:
    """A reporting verb (:data:`REPORTING`) or the ``according`` of "according to"."""
    if token.lower_ == "according":
        return any(c.lower_ == "to" for c in token.children)
    if token.lower_ == "per":  # "..., per Bloomberg": a source, as "according to" names one
        return token.dep_ == "prep" and any(c.dep_ == "pobj" and c.ent_type_ in ("PERSON", "ORG") for c in token.children)
    if token.lower_ in ("put", "puts") and any(c.dep_ == "dobj" and c.lower_ == "it" for c in token.children):
        return True  # "as Lavrov put it"
    if pos(token) not in ("VERB", "AUX") or lemma(token) not in REPORTING or token.dep_ == "amod":
        return False  # a participle as an adjective ("so-called", "much-touted") reports nothing
    # "would continue to provide": not the words' verb
    return not (lemma(token) == "continue" and any(c.dep_ in ("xcomp", "dobj") for c in token.children))


def reporting_verb(tokens, quote_tokens: set[int], inside) -> object | None:
    """The reporting verb of a quote among a sentence's ``tokens``: one whose clause holds the quote
    (the quote's words descend from it), else the nearest one; verbs inside quotes do not count."""
    verbs = [t for t in tokens if not inside(t.idx) and is_reporting(t)]
    nouns = [t for t in tokens if not inside(t.idx) and speech_owner(t) is not None
             and any(q.i in quote_tokens for q in speech_content(t))]  # "Trump's assessment that peace is '...'"
    if not (verbs or nouns) or not quote_tokens:
        return None

    def holds(v) -> bool:  # the quote is in the verb's clause, or is what a relative clause reports
        if any(t.i in quote_tokens for t in v.subtree):
            return True
        nouns = (v.head, v.head.head) if v.head.dep_ == "conj" else (v.head,)  # "the 'success' and 'strength'"
        return reports_antecedent(v) and any(n.i in quote_tokens for n in nouns)

    def distance(v) -> int:
        return min(abs(v.i - i) for i in quote_tokens)

    def coordinated(v) -> bool:  # "residents who oppose 'X' and call for talks": the quote is the other verb's
        return v.dep_ == "conj" and any(t.i in quote_tokens for t in v.head.subtree)

    holding = [v for v in verbs if holds(v)] + nouns
    pool = holding or [v for v in verbs if not coordinated(v)]
    if not pool:
        return None
    # the innermost holding verb: fewest words under it
    verb = min(pool, key=lambda v: (sum(1 for _ in v.subtree), distance(v))) if holding else min(pool, key=distance)
    if holding and verb.i > max(quote_tokens):  # "Japan ..., claiming '...', the Japan Times reported":
        first = [v for v in holding if v.i < min(quote_tokens) and v.lower_ != "according"]
        if first:  # the words are whoever the text says first uttered them
            verb = max(first, key=lambda v: v.i)
    while verb.dep_ == "xcomp" and is_reporting(verb.head) and not any(c.dep_ == "nsubj" for c in verb.children):
        verb = verb.head  # "called on China to condemn": the governing verb reports
    return verb


# verbs whose clause is the speaker's words: a reporting verb coordinated inside that clause is the speaker's too
SAYING = frozenset("say tell add state write note stress emphasize emphasise explain insist argue".split())


SPEECH_NOUNS = frozenset("remark remarks comment assessment claim words statement accusation warning description "
                         "assertion allegation insistence characterization characterisation pledge definition "
                         "argument denial threat vow promise demand proposal suggestion announcement declaration "
                         "criticism rhetoric narrative slogan label labelling labeling framing".split())


TOPIC_PREPOSITIONS = frozenset({"of", "about", "on", "over", "regarding"})


def speech_content(noun):
    """The words a noun of speech reports: its subtree without its topic ("the definition of the
    '1992 Consensus'", "remarks on 'Taiwan independence'": the topic is not the owner's words)."""
    topics = {t.i for c in noun.children if c.dep_ == "prep" and c.lower_ in TOPIC_PREPOSITIONS for t in c.subtree}
    return [t for t in noun.subtree if t.i not in topics]


def speech_owner(token):
    """For a noun of speech with its speaker ("Trump's assessment", "remarks by Koizumi"), the
    speaker's token; else None."""
    if pos(token) != "NOUN" or (token.lower_ not in SPEECH_NOUNS and token.lower_[:-1] not in SPEECH_NOUNS):
        return None
    by = [g for c in token.children if c.dep_ == "prep" and c.lower_ == "by" for g in c.children
          if g.dep_ == "pobj" and pos(g) == "PROPN"]
    # a name, or a pronoun or description that resolution turns into one ("his claim", "the ministry's denial")
    owner = [c for c in token.children if c.dep_ == "poss" and pos(c) in ("PROPN", "PRON", "NOUN")
             and c.ent_type_ not in ("DATE", "TIME")]
    return (by or owner or [None])[0]  # "Sunday's remarks by Koizumi": Koizumi


def reports_antecedent(verb) -> bool:
    """True for a relative clause whose verb reports the noun it follows ("the 'success' of which
    NATO boasts", "the 'peace' that Washington touts"), not a clause around it ("in which")."""
    if verb.dep_ != "relcl":
        return False
    for c in verb.children:
        if c.dep_ == "dobj" and c.lower_ in RELATIVE:
            return True
        if c.dep_ in ("prep", "dep") and c.lower_ in ("of", "about") and any(g.lower_ in RELATIVE for g in c.children):
            return True
    return False


DOCUMENT_NOUNS = frozenset("statement tweet post report article editorial note letter communique communiqué "
                           "declaration message column commentary op-ed piece release remarks".split())
RELATIVE = frozenset({"which", "who", "that", "whom"})
# institution nouns that stand for a named body (CODING.md's aliases)
ALIASES = {"alliance": ("NATO",), "bloc": ("EU", "European Union", "NATO", "G7", "BRICS"),
           "union": ("EU", "European Union"), "kremlin": ("Kremlin",), "organisation": ("NATO",),
           "organization": ("NATO",)}


def subject_of(verb):
    """The token naming who speaks through ``verb``: its subject, the object of "according to",
    the ``by`` agent of a passive, the subject of "was quoted as saying", the noun after an
    inverted "says" ("..., says the minister"); a relative pronoun stands for the noun it follows
    ("a tweet, which read"); a conjoined or infinitive verb takes its head's subject. None when
    it has none."""
    if pos(verb) == "NOUN":
        return speech_owner(verb)
    if verb.lower_ == "according":
        to = next((c for c in verb.children if c.lower_ == "to"), None)
        return next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if verb.lower_ == "per":
        return next((c for c in verb.children if c.dep_ == "pobj"), None)
    quoted = quoted_subject(verb)
    if quoted is not None:
        return quoted
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        return next((c for c in agent.children if c.dep_ == "pobj"), None)
    # the subject nearest the verb: a second one is a misparse, often a word of the quote ("[North Korea],"
    # the diplomat asserted)
    subjects = sorted((c for c in verb.children if c.dep_ in ("nsubj", "csubj")), key=lambda c: abs(c.i - verb.i))
    if subjects:
        c = subjects[0]
        return verb.head if c.lower_ in RELATIVE and verb.dep_ == "relcl" else c
    passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    if passive is not None or verb.dep_ == "acl" and verb.tag_ == "VBN":
        agent = agent_inside_as(verb)
        if agent is not None or passive is not None:
            return agent  # "was described as": a passive with no agent names no speaker
    head = verb.head
    reporter = participle_reporter(verb)
    if reporter is not None:
        return subject_of(reporter)
    if lemma(verb) in ("entitle", "title"):  # "a report entitled ...": the report's author
        return head if lemma(head) in DOCUMENT_NOUNS else None
    if verb.dep_ == "acl" and verb.tag_ == "VBD" and head.i < verb.i and pos(head) in ("NOUN", "PROPN"):
        return head  # "The alliance called ...", misread as a reduced relative clause
    if head.i != verb.i and verb.dep_ in ("conj", "xcomp", "advcl", "pcomp"):
        if lemma(head) == "quote":  # "X was quoted as saying"
            return next((c for c in head.children if c.dep_ in ("nsubjpass", "nsubj")), None)
        if pos(head) in ("VERB", "AUX"):
            if verb.dep_ == "conj" and head.dep_ == "ccomp" and is_reporting(verb) and lemma(head.head) in SAYING:
                return subject_of(head.head)  # "Wang said China took ..., but urged": Wang urged, not China
            return subject_of(head)
        if verb.dep_ == "pcomp" and head.dep_ == "prep":  # "is applying double standards by claiming"
            if pos(head.head) in ("VERB", "AUX"):
                return subject_of(head.head)
            if head.head.dep_ == "nsubj":  # "The senator, in repeating the cliché, attempted"
                return head.head
    if lemma(verb) in ("say", "add", "tell", "write", "warn"):  # "..., says the next EU foreign policy chief"
        after = [c for c in verb.children if c.i > verb.i and c.dep_ in ("dobj", "attr", "npadvmod", "dep", "appos")
                 and pos(c) in ("NOUN", "PROPN")]
        if after:
            return after[0]
    return name_before(verb)


def agent_inside_as(verb):
    """The "by" agent of a passive ``verb`` that the parser put inside its "as" phrase ("described as
    a 'special military operation' by Russia": Russia), or None."""
    by = next((t for t in verb.subtree if t.lower_ == "by" and t.dep_ == "prep" and t.i > verb.i
               and t.head.i > verb.i and any(a.lower_ == "as" for a in t.head.ancestors if a.i > verb.i)), None)
    return next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None


def quoted_subject(verb):
    """Who "X was quoted (by the agency) as saying" and "the agency quoted X as saying" name: X
    spoke; the agency is only the medium that quoted them. None for any other verb."""
    if lemma(verb) not in ("quote", "cite") or not any(c.lower_ == "as" or lemma(c) == "say" for c in verb.children):
        return None
    return next((c for c in verb.children if c.dep_ == "nsubjpass"), None) or \
        next((c for c in verb.children if c.dep_ == "dobj" and (c.ent_type_ == "PERSON" or pos(c) == "PROPN" or
                                                                c.lower_ in PERSON_NOUNS | {"source", "sources"})), None)


def participle_reporter(verb):
    """For a participle of speech set off by a comma (", adding ...", ", saying that ..."), the
    reporting verb whose subject speaks it, whatever the parser hung it on: the nearest reporting
    verb before it outside quotes ("the bloc mentioned China 15 times, saying"), or, when that verb
    is itself inside reported words, the outermost reporting verb around them ("she said the EU
    needed X, adding", "Zakharova asked what Rutte was referring to, calling on"). None when no
    reporting verb comes before it (a source tag after it, "..., claiming '...', the paper reported",
    names who reported, not who claimed)."""
    if verb.tag_ != "VBG" or verb.dep_ != "advcl" or verb.i == 0 or verb.doc[verb.i - 1].text != ",":
        return None
    depth, before = 0, []
    for t in verb.doc[verb.sent.start:verb.i]:
        if t.tag_ in ("``", "''"):
            depth = depth + 1 if t.tag_ == "``" else max(0, depth - 1)
        elif depth == 0 and t.lower_ != "according" and is_reporting(t):
            before.append(t)
    if not before:
        return None
    outer = [a for a in before[-1].ancestors if a.i < verb.i and a.lower_ != "according" and is_reporting(a)]
    return outer[-1] if outer else before[-1]


AUXILIARIES = frozenset("has have had was is were are also then later".split())


def name_before(verb):
    """A name right before a verb the parser left without a subject ("..., Kaja Kallas, has said"),
    with only commas and auxiliaries between them; None otherwise."""
    j = verb.i - 1
    while j >= verb.sent.start and (verb.doc[j].lower_ in AUXILIARIES or verb.doc[j].text == ","):
        j -= 1
    if j >= verb.sent.start and verb.doc[j].ent_type_ in ("PERSON", "ORG"):
        return verb.doc[j]
    return None


ISSUING = frozenset("issue release publish post put unveil adopt deliver make send present submit".split())


def issues(verb) -> bool:
    """True for a verb that issues a writing ("issued", "releases", "put out")."""
    return verb.lower_.rstrip("sd") in ISSUING | {"issu", "releas", "publish"}


def author_of(token):
    """For a document noun, who wrote it: its possessor ("Blinken's tweet"), the ``from``/``by``
    object ("a report from China's state broadcaster CCTV"), the subject of the verb that issued it
    ("Blinken issued a statement, which read ..."); else the token."""
    if lemma(token) in DOCUMENT_NOUNS:
        owner = next((c for c in token.children if c.dep_ == "poss"), None)
        if owner is not None:
            return owner
        source = next((g for c in token.children if c.dep_ == "prep" and c.lower_ in ("from", "by")
                       for g in c.children if g.dep_ == "pobj"), None)
        if source is not None:
            return source
        if token.dep_ == "dobj" and issues(token.head):
            issuer = subject_of(token.head)
            if issuer is not None:
                return issuer
    return token


def mention(token, together: bool = True) -> tuple[str, str]:
    """``(text, kind)`` for a subject token: kind is PERSON/ORG/GPE/NORP for a name, "PRON" for a
    pronoun, "DESC" for a description. A name beside the subject (an appositive, a title before
    it) is preferred; names coordinated with it are one joint speaker (:func:`joint`, unless
    ``together`` is false); a description is its noun phrase without clauses, within its sentence."""
    if pos(token) == "PRON":
        return token.text, "PRON"
    both = joint(token) if together else None
    if both is not None:
        return both
    ent = entity_of(token)
    if ent is not None and ent.end <= token.right_edge.i:  # a person named right after, within the subject:
        after = entity_of(token.doc[ent.end])  # "White House ... Coordinator for Strategic Communications" + "John Kirby"
        if after is not None and after.label_ == "PERSON" and after.start == ent.end:
            return entity_name(after), "PERSON"
    if ent is not None and ent.label_ == "NORP" and len(ent) == 1 and token.i == ent.start and token.i > 0 \
            and token.doc[token.i - 1].lower_ == "the" and not token.text.endswith("s"):
        return f"the {token.text}", "DESC"  # "what the American called": a person, as "the American official"
    if ent is not None:
        return entity_name(ent), entity_kind(ent)
    for child in token.children:  # "the spokesperson, Mao Ning," / "A rival paper, the Northgate Observer,"
        if child.dep_ in ("appos", "conj") and (child.dep_ == "appos" or token.nbor(1).text == ","):
            for t in child.subtree:
                e = entity_of(t)
                if e is not None and e.label_ in ("PERSON", "ORG"):
                    return entity_name(e), e.label_
    for t in token.subtree:  # "Chinese Foreign Ministry spokesperson Wang Wenbin", "Ambassador to the US Anatoly Antonov"
        if t.dep_ == "compound" and t.head.i == token.i or getattr(posted(t), "i", None) == token.i:
            e = entity_of(t)
            if e is not None and e.label_ == "PERSON":
                return entity_name(e), "PERSON"
    skip = {"relcl", "appos", "acl", "advcl", "punct", "cc", "conj", "prep", "npadvmod"}  # not "this time"
    keep = [token] + [t for t in token.subtree if t.i != token.i and not any(
        a.dep_ in skip and a.i != token.i for a in _path(t, token))]
    # "the spokesperson for the ministry": one short prepositional phrase stays
    preps = [c for c in token.children if c.dep_ == "prep" and (c.lower_ in ("of", "for", "at", "from") or
                                                                 c.lower_ in ("in", "to") and token.lower_ in POSTED)]
    post_named = bool(preps) and any(t.lower_ in POSTED for t in preps[0].subtree)  # "for the Chinese Embassy"
    if preps and len(_phrase(preps[0])) <= (8 if post_named else 5):
        keep += _phrase(preps[0])
        post = [c for c in token.children if c.dep_ == "prep" and c.lower_ in ("in", "to") and c.i > preps[0].i]
        if post and post_named and len(_phrase(post[0])) <= 5:
            keep += _phrase(post[0])  # "a spokesperson for the Chinese Mission to the EU"
    text = token.doc.text  # nothing across a line break (a headline above, a caption below)
    line_start = text.rfind("\n", 0, token.idx) + 1
    line_end = text.find("\n", token.idx)
    line_end = len(text) if line_end < 0 else line_end
    keep = sorted((t for t in keep if line_start <= t.idx < line_end), key=lambda t: t.i)
    words = " ".join(t.text for t in keep if not t.is_space)
    words = re.sub(r"\s+([’']s)\b", r"\1", words).strip(" ,;:")
    return words, "DESC"


def join_names(names: list[str]) -> str:
    """Joint speakers as one speaker string, in the text's order (:func:`stance.evaluate.split_joint`
    splits it again).

    >>> join_names(["Joe Biden", "Fumio Kishida"]), join_names(["Yoon Suk Yeol", "Joe Biden", "Shigeru Ishiba"])
    ('Joe Biden and Fumio Kishida', 'Yoon Suk Yeol, Joe Biden and Shigeru Ishiba')
    """
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def joint(token) -> tuple[str, str] | None:
    """``(names, "JOINT")`` for a subject token coordinated with other names ("Joe Biden and Fumio
    Kishida agreed", "China and Russia describe", "Biden, Kishida vow"): every conjunct a person, or
    every one a country, none joined by "or"/"but". None for a single subject (an organisation and a
    company that "released a report" are left to the first: coders name one of them)."""
    parts, todo = [token], [token]
    while todo:
        t = todo.pop()
        for c in t.children:
            if c.dep_ == "conj":
                parts.append(c)
                todo.append(c)
            elif c.dep_ in ("cc", "preconj") and c.lower_ in ("or", "nor", "but", "either", "neither"):
                return None
    if len(parts) < 2:
        return None
    names, kinds = [], set()
    for t in sorted(parts, key=lambda t: t.i):
        if pos(t) == "PRON" or t.is_upper and len(t) >= 4 and (t.i == 0 or "\n" in t.doc[t.i - 1].text_with_ws):
            return None  # not a dateline's place ("MANILA, July 5 -- ... and the Philippines")
        words, kind = mention(t, together=False)
        if kind not in ("PERSON", "GPE") or not words or "\n" in words:
            return None
        kinds.add(kind)
        if words not in names:
            names.append(words)
    return (join_names(names), "JOINT") if len(names) >= 2 and len(kinds) == 1 else None


def _phrase(prep) -> list:
    """A prepositional phrase's tokens up to an acronym in brackets ("to the European Union (EU)")."""
    words = list(prep.subtree)
    cut = next((k for k, t in enumerate(words) if t.text == "(" and k > 1), len(words))
    return words[:cut]


def _path(t, top):
    """The tokens from ``t`` up to (not including) ``top``."""
    out = []
    while t.i != top.i and t.head.i != t.i:
        out.append(t)
        t = t.head
    return out
