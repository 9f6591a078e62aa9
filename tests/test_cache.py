"""The SQLite result cache: keys, reuse without loading the model, resume, repair."""
from __future__ import annotations

import sqlite3
import warnings
from dataclasses import replace

import numpy as np
import pytest

import stance
from stance.cache import (FILE_NAME, CacheWarning, ResultCache, default_cache_dir, digest, model_description,
                          scheme_description)

TEXTS = ["NATO is a puppet stained with blood.", "We welcome dialogue with NATO.",
         "The ministers met on Tuesday.", "  NATO is a   puppet stained with blood. "]
MODEL = {"backend": "nli", "model": "org/m", "revision": "abc", "weights_sha256": "f" * 64}


def new_classifier(clf, tmp_path, **options):
    """A classifier sharing the session's loaded model, with its own cache folder."""
    fresh = stance.Classifier(progress=False, cache_dir=tmp_path / "cache", **options)
    fresh.backend_ = clf.backend_
    return fresh


def spy(clf):
    """Record the texts each backend call computes."""
    calls = []
    original = clf.backend_.probabilities

    def probabilities(texts, scheme, target):
        calls.append(list(texts))
        return original(texts, scheme, target)

    clf.backend_ = replace_backend(clf.backend_, probabilities)
    return calls


class replace_backend:
    """A backend proxy whose ``probabilities`` is replaced."""

    def __init__(self, backend, probabilities):
        self._backend = backend
        self.probabilities = probabilities

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def __setattr__(self, name, value):
        if name in ("_backend", "probabilities"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._backend, name, value)


# ----------------------------------------------------------------------------- keys


def test_keys_differ_by_model_revision_weights_and_precision():
    base = digest(model_description(MODEL, "float32"))
    assert digest(model_description(MODEL, "float32")) == base
    for change in ({"model": "org/other"}, {"revision": "def"}, {"weights_sha256": "e" * 64}):
        assert digest(model_description({**MODEL, **change}, "float32")) != base
    assert digest(model_description(MODEL, "bf16")) != base
    assert model_description({**MODEL, "weights_sha256": None}, "float32") is None  # unknown weights: no cache


def test_keys_differ_by_scheme_version_labels_template_and_calibration():
    tone = stance.load_scheme("tone")
    base = digest(scheme_description(tone))
    assert digest(scheme_description(stance.load_scheme("tone"))) == base
    assert digest(scheme_description(replace(tone, source="elsewhere/tone.toml"))) == base  # not the file
    assert digest(scheme_description(replace(tone, threshold=0.9))) == base  # applied after the cache
    assert digest(scheme_description(replace(tone, version=tone.version + ".1"))) != base
    assert digest(scheme_description(replace(tone, labels=tone.labels[:3]))) != base
    assert digest(scheme_description(replace(tone, multi_label=True))) != base
    assert digest(scheme_description(replace(tone, calibration={}))) != base
    adhoc = [digest(scheme_description(stance.adhoc_scheme(labels, template)))
             for labels, template in ((["war", "peace"], "This is {}."), (["war", "peace"], "About {}."),
                                      (["war", "trade"], "This is {}."), (["peace", "war"], "This is {}."))]
    assert len(set(adhoc)) == 4


def test_rows_are_kept_per_target(tmp_path):
    cache = ResultCache(tmp_path / FILE_NAME)
    cache.put("m", "s", "NATO", {"t": np.array([0.1, 0.9])})
    cache.put("m", "s", "the EU", {"t": np.array([0.7, 0.3])})
    assert cache.get("m", "s", "NATO", ["t"], 2)["t"].tolist() == [0.1, 0.9]
    assert cache.get("m", "s", "the EU", ["t"], 2)["t"].tolist() == [0.7, 0.3]
    assert cache.get("m", "s", "Russia", ["t"], 2) == {}
    assert cache.get("m", "other", "NATO", ["t"], 2) == {}
    assert cache.get("m", "s", "NATO", ["t"], 3) == {}  # a row of the wrong width is recomputed
    assert len(cache) == 2
    cache.close()


# ----------------------------------------------------------------------------- reuse and resume


def test_second_run_reads_the_cache_without_loading_the_model(clf, tmp_path):
    first = new_classifier(clf, tmp_path)
    calls = spy(first)
    out1 = first.classify(TEXTS, scheme="stance", target="NATO")
    assert calls == [TEXTS[:3]]  # the 4th text is the 1st up to whitespace
    second = stance.Classifier(progress=False, cache_dir=tmp_path / "cache")
    out2 = second.classify(TEXTS, scheme="stance", target="NATO")
    assert not hasattr(second, "backend_")  # everything came from the cache
    cols = [c for c in out1.columns if c.startswith("stance_p_")]
    np.testing.assert_array_equal(out1[cols].to_numpy(), out2[cols].to_numpy())
    assert out1["stance"].tolist() == out2["stance"].tolist()
    # another target, scheme or precision is computed afresh
    third = stance.Classifier(progress=False, cache_dir=tmp_path / "cache")
    third.classify(TEXTS[:1], scheme="stance", target="the EU")
    assert hasattr(third, "backend_")
    uncached = stance.Classifier(progress=False, cache=False)
    uncached.backend_ = clf.backend_
    np.testing.assert_allclose(uncached.classify(TEXTS, scheme="stance", target="NATO")[cols].to_numpy(),
                               out1[cols].to_numpy(), rtol=0, atol=1e-6)


def test_an_interrupted_run_resumes_with_what_was_cached(clf, tmp_path):
    texts = [f"Statement number {i} about the alliance and its {w}." for i, w in
             enumerate(["members", "enemies", "budget", "summit", "army", "leaders"] * 3)]
    expected = new_classifier(clf, tmp_path / "a").classify(texts, scheme="tone")
    crashing = new_classifier(clf, tmp_path / "b")
    original = crashing.backend_.probabilities
    calls = []

    def crash_on_second_chunk(chunk, scheme, target):
        calls.append(list(chunk))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(chunk, scheme, target)

    crashing.backend_ = replace_backend(crashing.backend_, crash_on_second_chunk)
    import stance.core as classifier_module

    step = classifier_module.CHUNK_TEXTS["embedding"]
    classifier_module.CHUNK_TEXTS["embedding"] = 5
    try:
        with pytest.raises(KeyboardInterrupt):
            crashing.classify(texts, scheme="tone")
        resumed = new_classifier(clf, tmp_path / "b")
        calls2 = spy(resumed)
        out = resumed.classify(texts, scheme="tone")
    finally:
        classifier_module.CHUNK_TEXTS["embedding"] = step
    assert calls[0] == texts[:5]
    assert sorted(t for c in calls2 for t in c) == sorted(texts[5:])  # nothing done twice, nothing lost
    assert len(ResultCache(tmp_path / "b" / "cache" / FILE_NAME)) == len(texts)
    cols = [c for c in out.columns if c.startswith("tone_p_")]
    np.testing.assert_allclose(out[cols].to_numpy(), expected[cols].to_numpy(), rtol=0, atol=1e-5)  # other batches


def test_cache_off_writes_nothing(clf, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_CACHE_DIR", str(tmp_path / "default"))
    off = stance.Classifier(progress=False, cache=False)
    off.backend_ = clf.backend_
    off.classify(TEXTS[:2], scheme="tone")
    assert not (tmp_path / "default").exists()
    assert default_cache_dir() == tmp_path / "default"


def test_default_cache_dir_follows_platform_conventions(monkeypatch, tmp_path):
    import sys

    monkeypatch.delenv("STANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == tmp_path / "xdg" / "stance"
    assert "stance" in default_cache_dir().parts


# ----------------------------------------------------------------------------- repair


@pytest.mark.parametrize("damage", ["garbage", "foreign", "truncated"])
def test_corrupt_or_foreign_cache_is_set_aside_and_rebuilt(clf, tmp_path, damage):
    folder = tmp_path / "cache"
    folder.mkdir()
    path = folder / FILE_NAME
    if damage == "garbage":
        path.write_bytes(b"this is not a database\x00" * 100)
    elif damage == "foreign":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE photos (id INTEGER, name TEXT)")
        con.commit()
        con.close()
    else:
        cache = ResultCache(path)
        cache.put("m", "s", "", {f"t{i}": np.arange(3.0) for i in range(2000)})
        cache.close()
        data = path.read_bytes()
        path.write_bytes(data[:100] + b"\xff" * 4000 + data[4100:len(data) // 2])
    reference = stance.Classifier(progress=False, cache=False)
    reference.backend_ = clf.backend_
    expected = reference.classify(TEXTS, scheme="tone")
    fresh = new_classifier(clf, tmp_path)
    with pytest.warns(CacheWarning, match="corrupt or not a stance cache"):
        out = fresh.classify(TEXTS, scheme="tone")
    assert out["tone"].tolist() == expected["tone"].tolist()
    aside = list(folder.glob(f"{FILE_NAME}.corrupt-*"))
    assert len(aside) == 1
    # the rebuilt cache works: a second run is served from it, without warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = stance.Classifier(progress=False, cache_dir=folder).classify(TEXTS, scheme="tone")
    assert again["tone"].tolist() == expected["tone"].tolist()
    assert len(ResultCache(path)) == 3


def test_unusable_cache_folder_runs_without_cache(clf, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    fresh = stance.Classifier(progress=False, cache_dir=blocker / "cache")
    fresh.backend_ = clf.backend_
    with pytest.warns(CacheWarning, match="running without it"):
        out = fresh.classify(TEXTS[:2], scheme="tone")
    assert out["tone"].notna().all()


def test_bad_precision_is_one_line_error(clf):
    with pytest.raises(stance.StanceError, match="unknown precision 'half'.*'bf16'"):
        stance.Classifier(precision="half").classify(["x"], scheme="tone")
    with pytest.raises(stance.StanceError, match="needs a GPU"):
        stance.Classifier(precision="fp16", device="cpu", cache=False).load()
