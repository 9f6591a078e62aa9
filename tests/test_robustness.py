"""Robustness: long texts, other languages, input hygiene, model safety."""
from __future__ import annotations

import logging
import shutil
import sqlite3
import time
import warnings

import numpy as np
import pandas as pd
import pytest

import stance
from stance.core import normalise_text
from stance.errors import LanguageWarning, LongTextWarning, ModelIntegrityError
from stance.language import detect_language, detect_languages
from stance.longtext import split_sentences, split_text

SPEECH_SENTENCES = [
    "The alliance has expanded eastward {n} times despite the promises made to us.",
    "We call on all parties to return to dialogue and to respect the sovereignty of nations.",
    "Our people will never accept a bloc that seeks confrontation in the Asia-Pacific, year after year.",
    "Trade between our countries grew by {n} percent, and we welcome further cooperation.",
    "Those who preach democracy abroad have stained their hands with the blood of {n} villages.",
]


def speech(n_words: int) -> str:
    """A synthetic speech of at least ``n_words`` words (no real speaker)."""
    sentences, words, i = [], 0, 0
    while words < n_words:
        s = SPEECH_SENTENCES[i % len(SPEECH_SENTENCES)].format(n=i)
        sentences.append(s)
        words += len(s.split())
        i += 1
    return " ".join(sentences)


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


# ----------------------------------------------------------------------------- long texts


@pytest.mark.slow
def test_20000_word_speech_is_split_not_truncated(clf, monkeypatch, capsys):
    text = speech(20_000)
    run = stance.Classifier(progress=False, cache=False)
    run.backend_ = clf.backend_
    backend = clf.backend_
    seen: list[str] = []
    encode = backend.encode

    def spy(texts, progress=None):
        seen.extend(texts)
        return encode(texts, progress)

    monkeypatch.setattr(backend, "encode", spy)
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("transformers", "sentence_transformers")]
    for logger in loggers:
        logger.addHandler(handler)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = run.classify([text, "We support NATO."], scheme="tone")
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    seconds = time.perf_counter() - start
    parts = int(out["tone_parts"].iloc[0])
    assert parts > 50 and out["tone_parts"].iloc[1] == 1
    assert out["tone"].notna().all() and np.isclose(out.filter(like="tone_p_").iloc[0].sum(), 1.0)
    # no warning from transformers / sentence-transformers, and no text the model saw was cut
    assert not [m for m in handler.messages if "length" in m.lower() or "truncat" in m.lower()], handler.messages
    assert not [w for w in caught if not issubclass(w.category, LongTextWarning)], [str(w.message) for w in caught]
    long_warnings = [str(w.message) for w in caught if issubclass(w.category, LongTextWarning)]
    assert len(long_warnings) == 1 and "1 row(s)" in long_warnings[0] and f"up to {parts}" in long_warnings[0]
    budget = backend.text_budget()
    assert max(backend.count_tokens(seen)) <= budget < backend.model.max_seq_length
    # every word of the speech reaches the model
    assert set(text.split()) <= set(" ".join(seen).split())
    with capsys.disabled():
        print(f"\n20,000-word speech ({len(text.split())} words): {parts} parts of <= {budget} tokens, "
              f"{seconds:.1f} s, tone {out['tone'].iloc[0]}")


def test_long_text_parts_are_cached_and_deduplicated(clf, tmp_path):
    text = speech(600)
    first = stance.Classifier(progress=False, cache_dir=tmp_path / "cache")
    first.backend_ = clf.backend_
    with pytest.warns(LongTextWarning, match=r"2 row\(s\) longer"):
        out = first.classify([text, "  " + text.replace(". ", ".  "), "Short."], scheme="stance", target="NATO")
    assert out["stance_parts"].iloc[0] == out["stance_parts"].iloc[1] > 1 and out["stance_parts"].iloc[2] == 1
    again = stance.Classifier(progress=False, cache_dir=tmp_path / "cache")
    with pytest.warns(LongTextWarning):
        out2 = again.classify([text, "Short."], scheme="stance", target="NATO")
    cols = [c for c in out.columns if c.startswith("stance_p_")]
    np.testing.assert_array_equal(out2[cols].to_numpy(), out.iloc[[0, 2]][cols].to_numpy())


def test_multi_label_parts_combine_by_max(clf):
    text = speech(600)
    with pytest.warns(LongTextWarning, match="max of probabilities"):
        out = clf.classify([text], scheme="rhetoric")
    parts = split_text(normalise_text(text), clf.backend_.count_tokens, clf.backend_.text_budget())
    each = clf.classify(parts, scheme="rhetoric")
    cols = [c for c in out.columns if c.startswith("rhetoric_p_")]
    np.testing.assert_allclose(out[cols].to_numpy()[0], each[cols].to_numpy().max(axis=0), atol=1e-12)
    assert out["rhetoric_parts"].iloc[0] == len(parts)


def test_sentences_and_windows():
    assert split_sentences("Stop it! Now. 我们反对。你呢？") == ["Stop it!", "Now.", "我们反对。", "你呢？"]
    count = lambda texts: [len(t.split()) for t in texts]  # noqa: E731
    text = " ".join(f"Sentence {i} has five words." for i in range(40))
    parts = split_text(text, count, budget=30, overlap=6)
    assert max(count(parts)) <= 30 and len(parts) > 5
    assert parts[1].split(". ")[0] + "." in parts[0]  # overlap: the next window repeats a sentence
    cjk = "北约" * 400  # no spaces, no sentence end
    pieces = split_text(cjk, lambda ts: [len(t) for t in ts], budget=100)
    assert "".join(pieces) == cjk and max(map(len, pieces)) <= 100


# ----------------------------------------------------------------------------- languages


def test_bundled_chinese_and_russian_rows_under_the_english_only_model(clf):
    statements = stance.load_statements()
    with pytest.warns(LanguageWarning, match=r"2 row\(s\) are not in English \((zh: 1, ru: 1|ru: 1, zh: 1)\)") as w:
        out = clf.classify(statements, scheme="tone")
    assert "MoritzLaurer/bge-m3-zeroshot-v2.0" in str(w[0].message)
    other = out.set_index("id").loc[["x01", "x02"]]
    assert other["language"].tolist() == ["zh", "ru"]
    assert other["tone"].isna().all() and (other["tone_parts"] == 0).all()
    assert other["tone_error"].str.contains("reads English only: pass a multilingual NLI model").all()
    rest = out[~out["id"].isin(["x01", "x02"])]
    assert (rest["language"] == "en").all() and rest["tone"].notna().all()
    assert out["text"].tolist() == statements["text"].tolist()


def test_no_english_row_is_flagged_as_another_language(root, capsys):
    files = [root / "data" / "statements.csv", *sorted((root / "data" / "dev").glob("*.csv"))]
    checked = flagged = undetermined = 0
    for path in files:
        table = pd.read_csv(path)
        if "id" in table.columns:
            table = table[~table["id"].isin(["x01", "x02"])]
        languages = detect_languages(table["text"].tolist())
        checked += len(languages)
        flagged += sum(lang not in ("", "en") for lang in languages)
        undetermined += sum(lang == "" for lang in languages)
    assert flagged == 0
    with capsys.disabled():
        print(f"\nlanguage detection on {len(files)} bundled files: {checked} English rows, {flagged} flagged as "
              f"another language, {undetermined} undetermined")


def test_language_detection_is_conservative_and_iso_639_1():
    assert detect_language("Nein.") == ""  # too short to tell from English
    assert detect_language("Wir lehnen die Erweiterung der NATO entschieden ab.") == "de"
    assert detect_language("حلف الناتو دمية في يد الولايات المتحدة") == "ar"
    assert detect_language("北约") == "zh"  # py3langid would say 'wuu': only ISO 639-1 codes are kept
    assert detect_language("NATO") in ("", "en")


def test_chinese_quotes_in_cjk_brackets_flow_through_extraction_and_classification(clf):
    article = ("评论员指出：「北约正在把对抗带到亚太地区，我们坚决反对。」发言人表示：“美国应当停止挑拨离间。”"
               "文章称北约为『冷战的残余』。")  # synthetic text, no real speaker
    quotes = stance.extract_quotes(article)
    assert quotes["text"].tolist()[:2] == ["北约正在把对抗带到亚太地区，我们坚决反对。", "美国应当停止挑拨离间。"]
    assert any("冷战的残余" in q for q in quotes["quote"])
    with pytest.warns(LanguageWarning, match="zh"):
        out = clf.classify(quotes, scheme="tone")
    assert len(out) == len(quotes) and (out["language"] == "zh").all()
    assert out["tone_error"].str.contains("English only").all()


# ----------------------------------------------------------------------------- input hygiene


def test_hygiene_before_hashing_and_classification(clf, tmp_path):
    variants = ["We welcome dialogue & cooperation with NATO.", "We welcome dialogue &amp; cooperation with NATO.",
                "We\u200b welcome dialogue & co\u00adoperation with NATO.\x00",
                "We welcome\u00a0dialogue &#38; cooperation\r\n with NATO.\u202e",
                "  We welcome dialogue & cooperation with NATO.  \t"]
    assert len({normalise_text(v) for v in variants}) == 1
    assert normalise_text("cafe\u0301") == normalise_text("café") == "café"  # NFC
    run = stance.Classifier(progress=False, cache_dir=tmp_path / "cache")
    run.backend_ = clf.backend_
    calls = []
    original = clf.backend_.probabilities

    def spy(texts, scheme, target):
        calls.append(list(texts))
        return original(texts, scheme, target)

    run.backend_ = type("Spy", (), {"__getattr__": lambda self, n: getattr(clf.backend_, n),
                                    "probabilities": staticmethod(spy)})()
    out = run.classify(variants, scheme="tone")
    assert calls == [[normalise_text(variants[0])]]  # one text computed, one cache key
    assert out["text"].tolist() == variants  # the originals, unchanged
    assert out["tone"].nunique() == 1 and out.filter(like="tone_p_").nunique().eq(1).all()
    invisible = run.classify(["\u200b\u200d\x00 \ufeff"], scheme="tone")
    assert invisible["tone_error"].iloc[0] == "empty text (only control or invisible characters)"


# ----------------------------------------------------------------------------- model safety


def test_tampered_packaged_weights_are_refused(tmp_path, monkeypatch):
    from stance.backends import models

    copy = tmp_path / "model"
    shutil.copytree(models.packaged_model_path(), copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # one byte of one weight
    weights.write_bytes(bytes(data))
    monkeypatch.setattr(models, "packaged_model_path", lambda: copy)
    with pytest.raises(ModelIntegrityError, match="not the pinned 53aa51172d142c89"):
        stance.Classifier(progress=False, cache=False).load()
    monkeypatch.undo()
    models.verify_weights(models.locate())  # the installed one is intact


def test_remote_code_off_schemes_are_data_and_cache_sql_is_parameterised(tmp_path, clf):
    import inspect

    from stance.backends import load_backend
    from stance.cache import FILE_NAME

    assert stance.Classifier().trust_remote_code is False
    assert inspect.signature(load_backend).parameters["trust_remote_code"].default is False
    marker = tmp_path / "executed"
    scheme = tmp_path / "evil.toml"
    scheme.write_text(f'name = "evil"\ndescription = "__import__(\'pathlib\').Path(\'{marker}\').touch()"\n'
                      '[[labels]]\nname = "a"\ndescription = "a"\nhypotheses = ["This is a."]\n'
                      '[[labels]]\nname = "b"\ndescription = "b"\nhypotheses = ["This is b."]\n', encoding="utf-8")
    loaded = stance.load_scheme(scheme)
    assert loaded.description.startswith("__import__(") and not marker.exists()  # a string, never run
    # Texts are hashed before they reach SQL, but targets are stored as given: a target that is
    # SQL must be a value, never a statement.
    hostile = "x'); DROP TABLE results; --"
    run = stance.Classifier(progress=False, cache_dir=tmp_path / "cache")
    run.backend_ = clf.backend_
    first = run.classify([hostile, "NATO is a puppet."], scheme="stance", target=hostile)
    again = stance.Classifier(progress=False, cache_dir=tmp_path / "cache")
    second = again.classify([hostile, "NATO is a puppet."], scheme="stance", target=hostile)
    assert first["stance"].tolist() == second["stance"].tolist()
    assert not hasattr(again, "backend_")  # found by the hostile target in the cache: no model loaded
    con = sqlite3.connect(tmp_path / "cache" / FILE_NAME)
    assert con.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2
    assert {t for (t,) in con.execute("SELECT target FROM results")} == {hostile}
    con.close()
