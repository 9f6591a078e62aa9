"""The language identifier's unpacked model, kept in the cache folder between processes."""
from __future__ import annotations

import numpy as np
import pytest

from stance import language


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_CACHE_DIR", str(tmp_path))
    return tmp_path


def same_arrays(a: dict, b: dict) -> bool:
    return sorted(a) == sorted(b) and all(np.array_equal(a[k], b[k]) for k in a)


def test_first_use_writes_the_unpacked_model_and_later_ones_read_it(cache_dir, monkeypatch):
    path = language.unpacked_model_path()
    assert path.parent == cache_dir and not path.exists()
    first = language.model_arrays()
    assert path.exists() and same_arrays(first, language._unpack_model())
    assert not list(cache_dir.glob("*.partial"))

    def no_unpacking():
        raise AssertionError("unpacked again although the file is there")

    monkeypatch.setattr(language, "_unpack_model", no_unpacking)
    assert same_arrays(language.model_arrays(), first)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other arrays"])
def test_a_damaged_file_is_unpacked_again_and_replaced(cache_dir, damage):
    reference = language.model_arrays()
    path = language.unpacked_model_path()
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a zip file" * 100)
    else:
        np.savez(path, ptc=np.zeros(3))
    assert language._read_unpacked(path) is None
    assert same_arrays(language.model_arrays(), reference)
    assert same_arrays(language._read_unpacked(path), reference)  # rewritten whole


def test_an_unwritable_cache_folder_costs_only_the_unpacking(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("STANCE_CACHE_DIR", str(blocker / "cache"))  # its parent is a file: cannot be made
    arrays = language.model_arrays()
    assert sorted(arrays) == sorted(language._ARRAYS) and not (blocker / "cache").exists()


def test_the_identifier_built_from_the_file_detects_as_before(cache_dir, monkeypatch):
    language.model_arrays()  # the file is there now
    monkeypatch.setattr(language, "_unpack_model", lambda: pytest.fail("unpacked again although the file is there"))
    language._read_identifier.cache_clear()
    try:
        texts = ["We firmly oppose NATO's expansion.", "北约是美国的傀儡。", "НАТО — марионетка США.",
                 "Nous condamnons fermement cette invasion brutale et injustifiée."]
        assert language.detect_languages(texts) == ["en", "zh", "ru", "fr"]
    finally:
        language._read_identifier.cache_clear()
