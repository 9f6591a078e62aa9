"""The language of each statement, offline (``py3langid``: a naive-Bayes model inside the package).

Short English political statements are easy to misread as another Latin-script language, so
detection is conservative: a text written mostly in Latin letters is reported as another
language than English only when the detector is very sure (:data:`LATIN_MIN_CONFIDENCE`) and
the text has at least :data:`LATIN_MIN_WORDS` words; otherwise it is ``"en"`` when the detector
says so and ``""`` (undetermined) when it does not. A text mostly in another script (Han,
Cyrillic, Arabic...) is not English whatever the detector's confidence, and gets its best code. Codes are ISO 639-1 (``"en"``, ``"zh"``, ``"ru"``).
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

LATIN_MIN_CONFIDENCE = 0.9
LATIN_MIN_WORDS = 4
SAMPLE_CHARS = 2000  # a long text's language is read from its first characters
# Models known to read English only; rows in other languages get no label from them.
ENGLISH_ONLY_MODELS = frozenset({
    "sentence-transformers/all-MiniLM-L6-v2", "facebook/bart-large-mnli", "roberta-large-mnli",
    "FacebookAI/roberta-large-mnli", "microsoft/deberta-large-mnli", "typeform/distilbert-base-uncased-mnli",
})
MULTILINGUAL_HINT = ("pass a multilingual NLI model, e.g. model='MoritzLaurer/bge-m3-zeroshot-v2.0' "
                     "(CLI: --model MoritzLaurer/bge-m3-zeroshot-v2.0)")


_LOADING = threading.Lock()
_KEEP: dict = {}  # where the first load of this process keeps the unpacked model (see _identifier)


def _identifier(folder: Path | None = None, keep: bool = True):
    """py3langid's identifier, loaded once per process (callers wait while another thread loads
    it). The first load keeps the unpacked model in ``folder`` (default: the cache folder), or
    nowhere when ``keep`` is false (``cache=False``, CLI ``--no-cache``)."""
    with _LOADING:
        if _read_identifier.cache_info().currsize == 0:
            _KEEP.clear()
            _KEEP.update(folder=folder, keep=keep)
        return _read_identifier()


def preload(folder: Path | None = None, keep: bool = True) -> None:
    """Start loading the identifier in a background thread (about 0.1 s from its unpacked copy
    in the cache folder; 0.5 s the first time, mostly unpacking LZMA, which releases the GIL), so
    that it loads while something else does, e.g. the model's weights; :func:`detect_language`
    then finds it ready.

    >>> preload(); detect_language("We support NATO.")
    'en'
    """
    if _read_identifier.cache_info().currsize == 0:
        threading.Thread(target=_identifier, args=(folder, keep), name="stance-language-model", daemon=True).start()


# py3langid's model, as stored in the package and as unpacked here.
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def unpacked_model_path(folder: Path | None = None) -> Path:
    """Where the unpacked identifier model is kept between processes: ``folder``, by default
    the cache folder (:func:`stance.cache.default_cache_dir`); one file per py3langid model file.

    >>> unpacked_model_path().name.startswith("langid-")
    True
    """
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from stance.cache import default_cache_dir

    stat = (MODEL_DIR / MODEL_FILE).stat()
    folder = default_cache_dir() if folder is None else Path(folder).expanduser()
    return folder / f"langid-{stat.st_size}-{stat.st_mtime_ns}.npz"


def _unpack_model() -> dict:
    """py3langid's model arrays, from its LZMA-compressed .npz (no pickle), read in memory:
    py3langid's own loader unpacks it to a temporary file, which fails on a full disk."""
    import io
    import lzma

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    with lzma.open(MODEL_DIR / MODEL_FILE) as packed, np.load(io.BytesIO(packed.read()), allow_pickle=False) as data:
        return {name: data[name] for name in _ARRAYS}


def _read_unpacked(path: Path) -> dict | None:
    """The arrays of an unpacked model file, or None when it is missing or not a complete one."""
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            if set(data.files) != set(_ARRAYS):
                return None
            return {name: data[name] for name in _ARRAYS}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def _write_unpacked(path: Path, arrays: dict) -> None:
    """Keep the unpacked arrays for the next process (written whole, then renamed into place);
    a folder that cannot be written only costs the next process the unpacking again."""
    import os
    import tempfile

    import numpy as np

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".partial", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def model_arrays(folder: Path | None = None, keep: bool = True) -> dict:
    """py3langid's model arrays. Unpacking its LZMA file takes about 0.3 s of CPU in every
    process, so the unpacked arrays (about 70 MB) are kept in the cache folder
    (:func:`unpacked_model_path`) and read from there; a missing, partial or damaged file is
    unpacked again and rewritten. ``keep=False`` reads a kept copy but never writes one.

    >>> sorted(model_arrays())
    ['classes', 'nextmove', 'nextmove_row', 'out_feat', 'pc', 'ptc']
    """
    path = unpacked_model_path(folder)
    arrays = _read_unpacked(path)
    if arrays is None:
        arrays = _unpack_model()
        if keep:
            _write_unpacked(path, arrays)
    return arrays


@lru_cache(maxsize=1)
def _read_identifier():
    """py3langid's identifier, restricted to ISO 639-1 codes."""
    from py3langid.langid import LanguageIdentifier
    from py3langid.modelio import _to_array

    data = model_arrays(_KEEP.get("folder"), _KEEP.get("keep", True))
    identifier = LanguageIdentifier(data["ptc"], data["pc"], data["classes"].tolist(),
                                    _to_array(data["nextmove"]), data["out_feat"].tolist(), norm_probs=True,
                                    tk_row=_to_array(data["nextmove_row"]))
    identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])  # ISO 639-1 only
    return identifier


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A


def latin_share(text: str) -> float:
    """The share of a text's letters that are Latin (0.0 when it has no letters).

    >>> latin_share("NATO 北约"), latin_share("123")
    (0.6666666666666666, 0.0)
    """
    letters = [c for c in text if c.isalpha()]
    return sum(map(_is_latin, letters)) / len(letters) if letters else 0.0


def detect_language(text: str, *, folder: Path | None = None, keep: bool = True) -> str:
    """The ISO 639-1 code of a text's language, or ``""`` when it cannot be told.

    >>> detect_language("We firmly oppose NATO's expansion.")
    'en'
    >>> detect_language("北约是美国的傀儡。"), detect_language("НАТО — марионетка США.")
    ('zh', 'ru')
    >>> detect_language("😀 123"), detect_language("")
    ('', '')

    ``folder`` and ``keep``: where the first detection of the process keeps the unpacked
    identifier model (see :func:`model_arrays`).
    """
    if not isinstance(text, str):
        return ""
    sample = text[:SAMPLE_CHARS]
    letters = sum(c.isalpha() for c in sample)
    if letters < 2:
        return ""
    label, confidence = _identifier(folder, keep).classify(sample)
    if latin_share(sample) >= 0.5:
        if label == "en":
            return "en"
        sure = confidence >= LATIN_MIN_CONFIDENCE and len(sample.split()) >= LATIN_MIN_WORDS
        return label if sure else ""
    return label  # not Latin script: not English, whatever the detector's confidence


def detect_languages(texts, *, folder: Path | None = None, keep: bool = True) -> list[str]:
    """:func:`detect_language` of each text, in order (repeated texts are detected once).

    >>> detect_languages(["We support NATO.", "We support NATO.", "Мы поддерживаем мир."])
    ['en', 'en', 'ru']
    """
    seen: dict[str, str] = {}
    return [seen.setdefault(t, detect_language(t, folder=folder, keep=keep)) if isinstance(t, str) else ""
            for t in texts]


def reads_english_only(model_name: str) -> bool:
    """True for a model known to read English only (:data:`ENGLISH_ONLY_MODELS`).

    >>> reads_english_only("sentence-transformers/all-MiniLM-L6-v2")
    True
    """
    return model_name in ENGLISH_ONLY_MODELS
