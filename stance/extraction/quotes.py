"""Quoted statements out of article text, with their attribution.

:func:`extract_quotes` finds quoted material and returns one row per statement (one row per
cited source when a parenthetical citation names several). The algorithm is a chain of small
pure functions, each testable alone:

1. :func:`find_quotes` pairs quotation marks: straight and curly double quotes, guillemets
   (« » and » «), German „ “, the CJK corner brackets 「」『』, full-width ＂ and 〝〞; single
   quotes (‘ ’ and ') only where an opening mark before a word meets a closing mark after
   one, so apostrophes (China’s, don't, the states' rights) are never quotes. Quotes nest
   (only the outermost becomes a row) and end at a paragraph break; an unclosed quote is
   reported in the ``problems`` list, never guessed at, unless its paragraph ends with the
   reporting clause its writer forgot to close it before (", he added."). A quote that runs over paragraphs (its
   marks open again at the next paragraph, with no closing mark before it) is a row per
   paragraph, and a paragraph the rules name nobody for goes to the speaker of the paragraphs
   after it.
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
   and ``speaker_reason`` says why.
5. When spaCy ran (:mod:`stance.extraction.attribution`), the speaker ranker
   (:mod:`stance.extraction.speaker_ranker`) chooses among the rules' speaker, no speaker, the
   speakers of the quotes around it and the names the text gives nearby, with weights learned on
   real news texts; a speaker it changes says so in ``attribution`` ("ranked: ...").

Columns of the result (``QUOTE_COLUMNS``): ``id, text, quote, sentence, kind, speaker,
speaker_reason, attribution, source, source_type, date, date_text, citation, target,
document, quote_no, start, end, sentence_start, sentence_end, speaker_confidence, speaker_review``.
``speaker_confidence`` is the chance that the speaker is right (the ranker's probability, calibrated
on real news texts: :mod:`stance.extraction.speaker_review`; NaN when spaCy did not run), and ``speaker_review`` flags
the rows to check by hand (below 0.6, or not measured). ``text`` is what a
classifier should read: the quote for a full statement, the whole sentence for a term
(a single quoted word says little on its own). ``start``/``end`` are offsets of the quoted
words (inside the marks) in the text given, so ``text[start:end] == quote``.
"""
from __future__ import annotations

import bisect
import dataclasses
import re
import warnings
from pathlib import Path

import pandas as pd

from stance.errors import InputError
from stance.extraction.spans import CONTEXT, PARSE_LIMIT, Quote, QuoteWarning, find_quotes, quote_kind, sentence_bounds, sentence_ends
from stance.extraction.speaker_review import review_flags
from stance.extraction.rules import _PASSIVE, _mask_quotes, antecedent, clean_speaker, find_citation, is_pronoun, needs_antecedent, parse_date, speaker_after, speaker_before


QUOTE_COLUMNS = ["id", "text", "quote", "sentence", "kind", "speaker", "speaker_reason", "attribution",
                 "source", "source_type", "date", "date_text", "citation", "target", "document", "quote_no",
                 "start", "end", "sentence_start", "sentence_end", "speaker_confidence", "speaker_review"]

# Outlets whose type is public knowledge; users add theirs with source_types=.
KNOWN_SOURCE_TYPES = {
    "nato": "official", "global times": "state_media", "china daily": "state_media", "xinhua": "state_media",
    "people's daily": "state_media", "people’s daily": "state_media", "cgtn": "state_media",
    "cctv": "state_media", "tass": "state_media", "ria novosti": "state_media", "rt": "state_media",
}

def is_surname(name: str) -> bool:
    """True for a speaker of one capitalised word ("Wang", "Zakharova"), which may stand for a
    full name the text gave before.

    >>> is_surname("Wang"), is_surname("Wang Wenbin"), is_surname("he")
    (True, False, False)
    """
    return bool(re.fullmatch(r"[A-Z][\w’'-]+", name))


def combine(parsed, rule_speaker: str, rule_attribution: str, rule_reason: str) -> tuple[str, str, str]:
    """One speaker from the parse (:mod:`stance.extraction.attribution`) and from the word rules above:
    a name the parse found or resolved comes first; then the rules' speaker when it is a name or
    a noun phrase (never a fragment: :func:`stance.extraction.attribution.is_name_like`) and the parse has
    only a shorter description inside it, or nothing; then the parse's description; else empty,
    with a reason."""
    from stance.extraction.attribution import NAMED, full_name, is_name_like
    from stance.extraction.attribution_resolve import can_speak, document_owner
    from stance.extraction.names import fullest_name, names_a_person

    if parsed.speaker and parsed.kind in NAMED:
        return parsed.speaker, parsed.attribution, ""
    if parsed.kind == "NONE":  # the parse knows the words are nobody's (the title of an event)
        return "", "", parsed.reason
    if is_surname(rule_speaker):  # the full name the text gave before
        rule_speaker = full_name(rule_speaker, list(parsed.people))
    elif names_a_person(rule_speaker, list(parsed.people)):  # "EU Ambassador to China Jorge Toledo"
        rule_speaker = fullest_name(rule_speaker, list(parsed.people))
    rule_ok = bool(rule_speaker) and is_name_like(rule_speaker) and can_speak(rule_speaker)
    if rule_ok and (not parsed.speaker or parsed.speaker.lower() in rule_speaker.lower()):
        owner = document_owner(rule_speaker)  # "the white paper released by the Japanese government"
        if owner:
            return owner, f"the writing of: {rule_speaker} {rule_attribution}", ""
        return rule_speaker, rule_attribution, ""
    if parsed.speaker:
        return parsed.speaker, parsed.attribution, ""
    return "", "", rule_reason or parsed.reason or ("" if not rule_speaker else
                                                     f"the words before the verb ({rule_speaker!r}) are not a name")


def _attribute(text: str, quotes: list[Quote], bounds: list[tuple[int, int]]):
    """Each quote's :class:`stance.extraction.attribution.Attribution` for an English text (spaCy), or None
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
    from stance.extraction.attribution import speakers

    return speakers(text, [(q.start, q.end, *q.outer) for q in quotes], bounds), ""


def _paragraph_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\n\s*", text)]  # blank lines are not paragraphs


def source_type_of(name: str, source_types: dict[str, str] | None = None) -> str:
    """The type of a cited outlet: the user's mapping first, then the few well-known ones.

    >>> source_type_of("Global Times"), source_type_of("the Daily Courier (synthetic)")
    ('state_media', '')
    """
    table = {k.lower(): v for k, v in {**KNOWN_SOURCE_TYPES, **(source_types or {})}.items()}
    return table.get(name.strip().lower(), "")


def as_date(date: str | None) -> str | None:
    """A document date as given, or in ISO when it is written out ("March 28, 2019").

    >>> as_date("March 28, 2019"), as_date("2024-05"), as_date("soon"), as_date(None)
    ('2019-03-28', '2024-05', 'soon', None)
    """
    if not date or re.match(r"\d{4}", str(date)):
        return date
    return parse_date(str(date)) or str(date)


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
    rows, parsed, problems = quote_rows(text, source, date, source_type=source_type, document=document,
                                        id_prefix=id_prefix, source_types=source_types, warn=warn, parse=parse)
    if parsed is not None:  # the ranker's choice among the rules' speaker and the names around each quote
        from stance.extraction.speaker_ranker import rank_rows

        found = [parsed[r["quote_no"] - 1] for r in rows]
        rank_rows(text, rows, [f.nearby for f in found], fixed=[f.kind == "NONE" for f in found])
    df = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    df[["quote_no", "start", "end", "sentence_start", "sentence_end"]] = \
        df[["quote_no", "start", "end", "sentence_start", "sentence_end"]].astype("int64")
    df["speaker_confidence"] = df["speaker_confidence"].astype("float64")  # NaN: the word rules alone, not measured
    df["speaker_review"] = pd.Series(review_flags(df["speaker_confidence"]), index=df.index, dtype=bool)
    df.attrs["problems"] = problems
    return df


def quote_rows(text: str, source: str | None = None, date: str | None = None, *,
               source_type: str | None = None, document: str = "", id_prefix: str = "q",
               source_types: dict[str, str] | None = None, warn: bool = True, parse: bool = True):
    """The rules' rows of :func:`extract_quotes` (dicts, before the speaker ranker), each quote's
    parsed :class:`~stance.extraction.attribution.Attribution` (None without spaCy or in another
    language) and the problems met. ``benchmarks/train_speaker_ranker.py`` trains on them."""
    if not isinstance(text, str):
        raise InputError(f"text must be a string, got {type(text).__name__}")
    doc_year = None
    date = as_date(date)
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
    enclosing = ""  # the speaker of the latest outermost quote, which holds the nested ones after it
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
        parsed = found_speakers[n - 1] if found_speakers is not None else None
        if parsed is not None and parsed.context and not speaker and not reason and not cite \
                and (kind == "term" or parsed.context_how.startswith(("continues the previous paragraph",
                                                                       "headline: its speaker label"))):
            speaker, attribution = parsed.context, parsed.context_how  # a headline's subject, the paragraph's speaker
            if is_surname(speaker):  # the full name the text gave before ("Wang" -> "Wang Wenbin")
                from stance.extraction.mentions import full_name

                speaker = full_name(speaker, list(parsed.people))
        if not speaker and not reason and kind == "statement" and last["speaker"] and not inner[n - 1] and \
                0 <= paragraph - last["paragraph"] <= 1 and not cite and (paragraph == last["paragraph"] or
                                                                        re.fullmatch(r"[\s\W]*", text[a:q.outer[0]] + tail.strip()[:1])):
            speaker, attribution = last["speaker"], "continues the previous quote"
        if inner[n - 1] and not speaker and not reason and enclosing:  # words quoted inside a quote are its speaker's
            speaker, attribution = enclosing, "inside the quote of its speaker"
        if not inner[n - 1]:
            enclosing = speaker
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
    _runs_on(text, rows, quotes)
    return rows, found_speakers, problems


def _runs_on(text: str, rows: list[dict], quotes: list[Quote]) -> None:
    """A quote that runs on into the next paragraph (no closing mark, and nothing but the paragraph
    break before the quote that opens again there: "“We regret the loss.\n\n“We want an inquiry,”
    the office said.") is the speaker's whose words go on there, when the rules named nobody for it or
    only continued the previous quote. ``quotes`` are sorted by start; row ``quote_no`` n is quote n."""
    by_quote = {r["quote_no"]: r for r in rows}
    starts = [q.start for q in quotes]
    for n in range(len(quotes), 0, -1):  # from the last, so that three paragraphs take the speaker of the third
        q = quotes[n - 1]
        k = bisect.bisect_left(starts, q.end)  # the first quote after it, not one nested in it
        row, after = by_quote.get(n), by_quote.get(k + 1)
        if row is None or after is None or q.close_mark or text[q.end:quotes[k].outer[0]].strip() \
                or not after["speaker"]:
            continue
        if not row["speaker"] or row["attribution"] == "continues the previous quote":
            row.update(speaker=after["speaker"], attribution="goes on in the next paragraph's quote", speaker_reason="")


def extract_document(doc, source_types: dict[str, str] | None = None, warn: bool = True,
                     id_prefix: str | None = None, parse: bool = True) -> pd.DataFrame:
    """:func:`extract_quotes` on a :class:`~stance.extraction.documents.Document`, with offsets into its file.

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
    """Extract the quotes of files and folders: the statements table and the problems met, each
    naming its file and what was done (a quote with unbalanced marks skipped, a date left out).

    Ids are unique in the run: files with the same name in different folders get their folders
    in their ids (:func:`id_prefixes`).

    Metadata precedence: the arguments, then the side CSV ``meta_csv``, then each file's header.
    """
    from stance.extraction.documents import document_paths, read_document, read_side_csv, side_meta

    date = as_date(date)
    if date and not re.match(r"\d{4}", date):
        raise InputError(f"date {date!r} is not a date: use ISO 'YYYY-MM-DD' (or a year, 'YYYY')")
    paths = document_paths(list(inputs))
    side = read_side_csv(meta_csv) if meta_csv else {}
    tables, problems = [], []
    for path, prefix in zip(paths, id_prefixes(paths)):
        meta = {**side_meta(path, side),
                **{k: v for k, v in (("source", source), ("source_type", source_type), ("date", date)) if v}}
        doc = read_document(path, encoding=encoding, **meta)
        if doc.date and not re.match(r"\d{4}", as_date(doc.date)):  # a header's or the side CSV's: one file's problem
            problems.append(f"{path}: its date {doc.date!r} is not a date and was left out (write it as YYYY-MM-DD)")
            doc = dataclasses.replace(doc, date="")
        table = extract_document(doc, source_types=source_types, warn=False, id_prefix=prefix, parse=parse)
        problems += [f"{path}: {p}; that quote was skipped" for p in table.attrs["problems"]]
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
