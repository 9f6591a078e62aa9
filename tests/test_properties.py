"""Property-based tests (hypothesis) of the public functions on hostile text.

Each property runs 200 generated examples plus explicit ones: empty, whitespace only, 100,000
characters, emoji, right-to-left, NUL bytes, mixed scripts, lone surrogates, HTML entities.
"""
from __future__ import annotations

import string
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import stance
from stance.core import normalise_text
from stance.errors import StanceError
from stance.language import detect_language
from stance.longtext import split_text

PROPERTY = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

HUNDRED_K = "NATO " * 20_000
EMOJI = "🙂🇺🇦👨‍👩‍👧 NATO 🔥 stop the war ✊🏽"
RTL = "حلف الناتو دمية في يد الولايات المتحدة \u202e reversed \u202c"
NUL = "NATO\x00 is a\x00 puppet\x00"
MIXED = "NATO 北约 НАТО الناتو נאט\"ו is bad, 坏, плохо."
ENTITIES = "We &amp; they &lt;3 &#x200b;dialogue&nbsp;&#0;"
SPECIALS = ["", "   \n\t\r ", HUNDRED_K, EMOJI, RTL, NUL, MIXED, ENTITIES, "\ud800 lone surrogate \udfff",
            "\u200b\u200d\ufeff", "A.", "?!…", "。", "e\u0301\u200b\u0301"]

any_unicode = st.text(alphabet=st.characters(blacklist_categories=()), max_size=200)  # surrogates too
words = st.lists(st.sampled_from(["NATO", "China", "Russia", "peace", "war", "puppet", "blood", "we", "support",
                                  "oppose", "the", "talks", ",", ".", "!", "北约", "НАТО", "🙂", "&amp;", "\x00"]),
                 max_size=40).map(" ".join)
texts = st.one_of(st.text(max_size=300), any_unicode, words, st.text(alphabet=string.printable, max_size=300),
                  st.sampled_from(SPECIALS))
# what the model sees is kept short (the slow machine encodes ~10 texts a second); the long cases
# are explicit examples
short_texts = st.one_of(st.text(max_size=60), st.text(alphabet=st.characters(blacklist_categories=()), max_size=60),
                        words, st.text(alphabet=string.printable, max_size=60), st.sampled_from(SPECIALS))
cells = st.one_of(short_texts, short_texts, short_texts, st.none(), st.integers(), st.floats(allow_nan=True))


def same(a, b) -> bool:
    """Equal, NaN equal to NaN and None to None."""
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a is b or a == b


# Long-text and language warnings are expected here; they are tested in test_robustness.py.
pytestmark = [pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.filterwarnings("ignore::stance.errors.StanceWarning")]


@PROPERTY
@given(rows=st.lists(cells, max_size=6))
@example(rows=[""]).via("empty")
@example(rows=["   \n\t "]).via("whitespace only")
@example(rows=[HUNDRED_K]).via("100,000 characters")
@example(rows=[EMOJI, RTL, NUL, MIXED]).via("emoji, RTL, NUL, mixed scripts")
@example(rows=SPECIALS + [None, 3, float("nan")]).via("all of them")
@example(rows=[]).via("no rows")
def test_classify_any_rows(clf, rows):
    df = pd.DataFrame({"text": pd.Series(rows, dtype=object, index=pd.RangeIndex(len(rows)) * 3 + 7)})
    out = clf.classify(df, scheme="tone")
    assert len(out) == len(rows) and out.index.equals(df.index)  # one row out per row in, in order
    assert all(same(a, b) for a, b in zip(out["text"].tolist(), rows))  # the original, unchanged
    p = out.filter(like="tone_p_").to_numpy(dtype=float)
    ok = (out["tone_error"] == "").to_numpy(dtype=bool)
    assert np.isfinite(p[ok]).all() and np.allclose(p[ok].sum(axis=1), 1.0, atol=1e-9)
    assert np.isnan(p[~ok]).all() and out.loc[~ok, "tone"].isna().all()
    assert (out.loc[ok, "tone_parts"] >= 1).all() and (out.loc[~ok, "tone_parts"] == 0).all()
    assert all(c == "" or (len(c) == 2 and c.isalpha() and c.islower()) for c in out["language"])
    again = clf.classify(df, scheme="tone")  # from the result cache now
    np.testing.assert_array_equal(again.filter(like="tone_p_").to_numpy(dtype=float), p)
    assert again["tone"].fillna("").tolist() == out["tone"].fillna("").tolist()
    assert again["tone_parts"].tolist() == out["tone_parts"].tolist()


@PROPERTY
@given(rows=st.lists(short_texts, min_size=1, max_size=4))
@example(rows=[HUNDRED_K, EMOJI]).via("100,000 characters")
@example(rows=["", NUL, RTL]).via("empty, NUL, RTL")
def test_classify_multi_label_any_rows(clf, rows):
    out = clf.classify(rows, scheme="rhetoric")
    assert len(out) == len(rows) and out["text"].tolist() == rows
    p = out.filter(like="rhetoric_p_").to_numpy(dtype=float)
    ok = (out["rhetoric_error"] == "").to_numpy(dtype=bool)
    assert np.isfinite(p[ok]).all() and ((p[ok] >= 0) & (p[ok] <= 1)).all()
    again = clf.classify(rows, scheme="rhetoric")
    np.testing.assert_array_equal(again.filter(like="rhetoric_p_").to_numpy(dtype=float), p)


@PROPERTY
@given(text=st.one_of(any_unicode, texts))
@example(text="").via("empty")
@example(text=HUNDRED_K).via("100,000 characters")
@example(text=ENTITIES).via("entities")
@example(text="e\u0301\u200b\u0301").via("combining marks around a zero-width space")
def test_normalise_text(text):
    clean = normalise_text(text)
    assert isinstance(clean, str) and clean == clean.strip() and "  " not in clean
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Cs"} for c in clean)
    assert not any(c.isspace() and c != " " for c in clean)
    assert unicodedata.is_normalized("NFC", clean)
    assert normalise_text(text) == clean  # deterministic


@PROPERTY
@given(text=texts, budget=st.integers(min_value=16, max_value=120))
@example(text=HUNDRED_K, budget=64).via("100,000 characters")
@example(text=MIXED * 30, budget=16).via("mixed scripts")
@example(text="北约" * 500, budget=20).via("no spaces")
def test_split_text_fits_and_keeps_every_character(clf, text, budget):
    count = clf.backend_.count_tokens
    text = normalise_text(text)
    parts = split_text(text, count, budget)
    assert parts and max(count(parts)) <= budget
    # every non-space character of the text appears in the parts, in order (overlaps repeat some)
    joined = iter("".join(parts).replace(" ", ""))
    assert all(c in joined for c in text.replace(" ", ""))


@PROPERTY
@given(text=st.one_of(texts, any_unicode))
@example(text=HUNDRED_K).via("100,000 characters")
@example(text=NUL).via("NUL")
def test_detect_language(text):
    code = detect_language(normalise_text(text))
    assert code == "" or (len(code) == 2 and code.isalpha() and code.islower())
    assert detect_language(normalise_text(text)) == code


@PROPERTY
@given(text=texts)
@example(text="").via("empty")
@example(text="「北约」是『傀儡』。“NATO” said: «non».").via("brackets of every kind")
@example(text='"' * 500 + "「" * 300).via("unbalanced quotes")
def test_extract_quotes_any_text(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skipped quotes are reported as warnings: tested in test_quotes
        table = stance.extract_quotes(text)
    assert isinstance(table, pd.DataFrame) and set(table["kind"]) <= {"statement", "term"}
    for row in table.itertuples():
        assert text[row.start:row.end] == row.quote  # the offsets point at the quote, verbatim


@PROPERTY
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]))
@example(data=b"", suffix=".csv").via("empty file")
@example(data=b"\xef\xbb\xbftext\r\n\"a\r\nb\"\r\n", suffix=".csv").via("BOM, CRLF, quoted newline")
@example(data=b"text;id\nx;1\ny;2;3\n", suffix=".csv").via("ragged semicolons")
@example(data=b'{"text": 1}\n{bad\n', suffix=".jsonl").via("bad JSON line")
def test_read_table_any_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"in{suffix}"
    path.write_bytes(data)
    try:
        table = stance.read_table(path)
    except StanceError as exc:  # the only way it may fail: one line naming the file
        assert "\n" not in str(exc) and str(path) in str(exc)
    else:
        assert isinstance(table, pd.DataFrame) and len(table) >= 1
