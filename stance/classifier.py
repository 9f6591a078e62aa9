"""The :class:`Classifier`: runs a label scheme over a table of statements."""
from __future__ import annotations

import html
import json
import os
import re
import unicodedata
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from stance.backends import is_model_object
from stance.errors import InputError, choices
from stance.schemes import Scheme, adhoc_scheme, load_scheme

DEFAULT_TEMPLATE = "This example is {}."
# Distinct texts per backend call; each call's results are committed to the cache before the next.
CHUNK_TEXTS = {"embedding": 2048, "nli": 256}
MIN_WINDOW = 64  # tokens: no model's window is smaller, so shorter texts are never measured
_SPACES = re.compile(r"\s+")
_DROPPED = {"Cc", "Cf", "Cs"}  # control, format (zero-width, bidi marks), lone surrogates


def normalise_text(text: str) -> str:
    """The form in which texts are hashed, deduplicated and classified: HTML entities decoded,
    Unicode NFC, control, format (zero-width, bidi) and lone surrogate characters removed,
    runs of whitespace collapsed, stripped. The output keeps the original text.

    >>> normalise_text("  NATO   is\\n a puppet ")
    'NATO is a puppet'
    >>> normalise_text("NATO&amp;EU\\u200b are\\x00 cafe\\u0301s")
    'NATO&EU are cafés'
    """
    if text.isascii() and text.isprintable() and "&" not in text:
        return _SPACES.sub(" ", text).strip()  # the common case, quickly
    text = html.unescape(text)
    text = "".join(" " if c.isspace() else c for c in text if c.isspace() or unicodedata.category(c) not in _DROPPED)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def row_problem(text) -> str:
    """Why a text cannot be classified, or "" when it can.

    >>> row_problem("   "), row_problem(3.5), row_problem("ok")
    ('empty text', 'text is not a string (float)', '')
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return "missing text"
    if not isinstance(text, str):
        return f"text is not a string ({type(text).__name__})"
    if not text.strip():
        return "empty text"
    if not normalise_text(text):
        return "empty text (only control or invisible characters)"
    return ""


def as_table(data, text_col: str) -> pd.DataFrame:
    """A DataFrame from a DataFrame, a Series or list of strings, or a file path."""
    from stance.data import FORMATS, read_table

    if isinstance(data, pd.DataFrame):
        table = data.copy()
    elif isinstance(data, str) and Path(data).suffix.lower() not in FORMATS:
        raise InputError(f"data is a single string ({data[:40]!r}...), not a file of a known type "
                         f"({'/'.join(FORMATS)}): to classify one statement, pass a list: ['...']")
    elif isinstance(data, (str, os.PathLike)):
        table = read_table(Path(data))
    elif isinstance(data, pd.Series):
        table = data.to_frame(name=text_col)
    elif isinstance(data, (list, tuple)):
        table = pd.DataFrame({text_col: pd.Series(list(data), dtype=object)})
    else:
        raise InputError(f"data must be a DataFrame, a list of strings or a file path, got {type(data).__name__}")
    if text_col not in table.columns:
        raise InputError(
            f"no text column {text_col!r}; the columns are {choices(table.columns)}: "
            "pass text_col= (CLI: --text-col) naming the column with the statements"
        )
    return table


class Classifier:
    """Zero-shot stance, tone and rhetoric labels for quoted statements.

    Parameters
    ----------
    model : None, str, path or model object
        ``None`` (default): the packaged all-MiniLM-L6-v2, embedding backend, offline.
        A hub id or local folder: an NLI cross-encoder (``config.json`` with an entailment
        label) or a sentence-transformers model; the backend is chosen from the files.
        A ready ``SentenceTransformer`` or zero-shot ``Pipeline`` object is also accepted.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ``"mps"``...; default: CUDA, then MPS, then CPU. Loading an NLI
        model for the CPU on Linux also raises glibc's malloc thresholds for the whole process
        (see :mod:`stance.backends.allocator`; ``STANCE_MALLOC_TUNING=0`` opts out). A model
        loaded for the CPU in float32 runs its matrix products on oneDNN on AMD CPUs with
        AVX-512, MKL elsewhere (:mod:`stance.backends.gemm`; ``STANCE_GEMM=mkl`` or ``onednn``).
    batch_size : int, optional
        Statements (embedding, default 32) or premise-hypothesis pairs (NLI: at most) per forward pass.
        NLI default: batches of similar-length pairs within a token budget
        (:data:`stance.backends.nli.BATCH_TOKENS`: 2048 tokens on a CPU, 65536 on a GPU),
        split to waste the fewest padded tokens (:func:`stance.backends.nli.length_batches`).
    progress : bool
        Show progress bars on long runs.
    revision : str, optional
        Hub revision (branch, tag or commit) of a hub model.
    trust_remote_code : bool
        Passed to the model loaders; off unless you trust the model's code.
    precision : {"float32", "bf16", "fp16"}
        ``"float32"`` (default): exact, equal to transformers' pipeline. ``"bf16"``: bfloat16 (the
        model's weights converted once; autocast for a model object passed in), several times
        faster on CPUs with AMX / AVX-512-BF16 and on GPUs; probabilities drift by up to about 0.02.
        ``"fp16"``: float16 in the same way, GPU only.
    cache : bool
        Keep results in the on-disk result cache (:mod:`stance.cache`) and reuse them: a re-run
        is instant and an interrupted run resumes. Models passed as ready objects are not cached.
    cache_dir : str or path, optional
        The cache folder (default: ``$STANCE_CACHE_DIR``, else the platform's user cache folder).

    Attributes
    ----------
    backend_ : the loaded backend (after the first classification that needed the model).
    cache_ : the :class:`stance.cache.ResultCache`, or None when caching is off.

    Examples
    --------
    >>> clf = Classifier()
    >>> out = clf.classify(["NATO is a puppet stained with blood."], scheme="tone", progress=False)
    >>> out["tone"].iloc[0]
    'hostile'
    """

    def __init__(self, model=None, *, device: str | None = None, batch_size: int | None = None,
                 progress: bool = True, revision: str | None = None, trust_remote_code: bool = False,
                 precision: str = "float32", cache: bool = True, cache_dir: str | os.PathLike | None = None):
        self.model = model
        self.device = device
        self.batch_size = batch_size
        self.progress = progress
        self.revision = revision
        self.trust_remote_code = trust_remote_code
        self.precision = precision
        self.cache = cache
        self.cache_dir = cache_dir

    def load(self) -> "Classifier":
        """Load the model now (otherwise it loads on the first classification that needs it)."""
        if not hasattr(self, "backend_"):
            from concurrent.futures import ThreadPoolExecutor

            from stance import language
            from stance.backends import check_precision, load_backend

            check_precision(self.precision)
            options = dict(device=self.device, batch_size=self.batch_size, progress=self.progress,
                           revision=self.revision, trust_remote_code=self.trust_remote_code,
                           precision=self.precision)
            language.preload()  # the language identifier loads in a thread of its own meanwhile
            if is_model_object(self.model):
                self.backend_ = load_backend(self.model, **options)
                return self
            # The weights load in a worker thread while this one hashes them for provenance (or
            # finds the hash in the cache): hashing and most of loading release the GIL.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-load") as pool:
                loading = pool.submit(load_backend, self.model, files=self._files(), **options)
                info = self.model_info()
                self.backend_ = loading.result()
            self.backend_._provenance = info
        return self

    def _files(self):
        """The model's files (:class:`stance.models.ModelFiles`), located once."""
        if not hasattr(self, "files_"):
            from stance.models import locate

            self.files_ = locate(self.model, self.revision)
        return self.files_

    def model_info(self) -> dict:
        """The model's provenance (backend, name, revision, weights hash); a model named by a
        folder or hub id is located and hashed, not loaded (the hash is memoised in the cache)."""
        if not hasattr(self, "model_info_"):
            if is_model_object(self.model):
                self.load()
                self.model_info_ = self.backend_.provenance()
            else:
                files, cache = self._files(), self.result_cache()
                sha = (cache.memo(f"weights:{files.weights_signature()}", files.weights_sha256)
                       if cache is not None else None)
                self.model_info_ = files.provenance(sha)
        return dict(self.model_info_)

    def result_cache(self):
        """The result cache (opened on first use), or None when ``cache=False``."""
        if not self.cache:
            return None
        if not hasattr(self, "cache_"):
            from stance.cache import FILE_NAME, ResultCache, default_cache_dir

            folder = Path(self.cache_dir).expanduser() if self.cache_dir else default_cache_dir()
            self.cache_ = ResultCache(folder / FILE_NAME)
        return self.cache_

    def resolve_scheme(self, scheme: str | Path | Scheme = "stance", labels=None, template: str | None = None,
                       multi_label: bool | None = None, name: str | None = None) -> Scheme:
        """The scheme a call asks for: a named or file scheme, or ad-hoc ``labels`` + ``template``."""
        if labels is not None:
            if isinstance(labels, str):
                labels = labels.split(",")
            return adhoc_scheme(list(labels), template or DEFAULT_TEMPLATE, name=name or "label",
                                multi_label=bool(multi_label))
        resolved = load_scheme(scheme)
        if multi_label is not None:
            resolved = replace(resolved, multi_label=bool(multi_label))
        return replace(resolved, name=name) if name else resolved

    def classify(self, data, scheme: str | Path | Scheme = "stance", *, target: str | None = None,
                 target_col: str | None = None, text_col: str = "text", labels=None,
                 template: str | None = None, multi_label: bool | None = None, name: str | None = None,
                 threshold: float | None = None, progress: bool | None = None,
                 _zero_shot: bool = False) -> pd.DataFrame:
        """Label every row of ``data`` with ``scheme``; return the input with result columns added.

        Parameters
        ----------
        data : DataFrame, list of str, or path to a CSV / TSV / JSONL / Parquet file; or a Dask
            DataFrame, classified partition by partition on its cluster (:mod:`stance.daskrun`):
            the result is then a lazy Dask DataFrame with the same columns
        scheme : a built-in scheme name (``stance``, ``tone``, ``rhetoric``), a .toml path or a Scheme
        target, target_col : the target of a target-aware scheme, for all rows or per row
            (default: the ``target`` column when there is one)
        text_col : the column holding the statements
        labels, template : ad-hoc labels and template instead of a scheme, as in transformers'
            zero-shot pipeline (the scheme is then named ``name`` or ``"label"``)
        multi_label : treat labels independently (default: as the scheme says)
        threshold : multi-label probability at which a label is assigned (default: the scheme's)

        Returns
        -------
        DataFrame with the input's index and columns, plus for scheme ``S``: ``S`` (label, or
        for multi-label the ``;``-joined labels over threshold and a boolean ``S_<label>`` per
        label), ``S_confidence``, ``S_p_<label>`` per label in scheme order, ``S_error``
        (empty, or why the row has no label) and ``S_parts`` (how many parts the text was
        classified in: more than 1 for a text longer than the model's window, 0 for a row
        without a label); and ``language`` (ISO 639-1, "" when undetermined; an input column of
        that name is kept as it is). Texts are cleaned (:func:`normalise_text`) before they are
        hashed and classified; the text column is returned unchanged. Provenance is in
        ``.attrs["stance"]``.

        Examples
        --------
        >>> out = Classifier().classify(["We support NATO."], target="NATO", progress=False)
        >>> out.columns.tolist()
        ['text', 'language', 'stance', 'stance_confidence', 'stance_review', 'stance_p_favor', 'stance_p_against', 'stance_p_neutral', 'stance_error', 'stance_parts']
        """
        if type(data).__module__.split(".")[0] in ("dask", "dask_expr", "dask_cudf"):  # lazy, on Dask
            options = dict(locals())  # the arguments, whatever they are
            from stance.daskrun import classify_dask

            return classify_dask(self, data, **{k: v for k, v in options.items() if k not in ("self", "data")})
        from stance.backends import check_precision
        from stance.longtext import combine

        sch = self.resolve_scheme(scheme, labels, template, multi_label, name)
        check_precision(self.precision)
        table = as_table(data, text_col)
        targets, target_col = self._targets(table, sch, target, target_col)
        problems = [row_problem(t) for t in table[text_col]]
        problems = [p or ("missing target" if targets[i] is None and sch.target_aware else "")
                    for i, p in enumerate(problems)]
        texts = table[text_col].tolist()
        keys_all = [normalise_text(t) if not p else "" for t, p in zip(texts, problems)]
        if not self.cache and not all(problems):
            self.load()  # needed for sure: it loads beside the language identifier
        languages = self._languages(table, keys_all, problems)
        probs = np.full((len(table), len(sch.labels)), np.nan)
        n_parts = np.zeros(len(table), dtype=np.int64)
        fewshot = None if _zero_shot else self._fewshot(sch)
        by_target: dict = {}
        for i, p in enumerate(problems):
            if not p:
                by_target.setdefault(targets[i], []).append(i)
        self.model_info()
        show = self.progress if progress is None else progress
        split_rows = 0
        for tgt, rows in by_target.items():
            keys = [keys_all[i] for i in rows]
            unique = list(dict.fromkeys(keys))
            parts_of = self._parts(unique, sch, tgt)
            pieces = list(dict.fromkeys(p for k in unique for p in parts_of[k]))
            found = self._scores(pieces, sch, tgt, show)
            if fewshot is not None:
                adapted = fewshot.adapt(np.stack([found[k] for k in pieces]), self.backend_.encode(pieces, progress=False))
                found = dict(zip(pieces, adapted))
            combined = {k: combine(np.stack([found[p] for p in parts_of[k]]), sch.multi_label) for k in unique}
            probs[rows] = np.stack([combined[k] for k in keys])
            n_parts[rows] = [len(parts_of[k]) for k in keys]
            split_rows += sum(len(parts_of[k]) > 1 for k in keys)
        if split_rows:
            from stance.errors import LongTextWarning

            warnings.warn(f"stance: {split_rows} row(s) longer than the model's window were split into parts "
                          f"(up to {int(n_parts.max())}), each part classified and the parts combined "
                          f"({'max' if sch.multi_label else 'mean'} of probabilities); see {sch.name}_parts",
                          LongTextWarning, stacklevel=2)
        cut = sch.threshold if threshold is None else threshold
        provenance = self._provenance(sch, target, target_col, cut)
        if fewshot is not None:
            provenance["fewshot"] = fewshot.summary()
        if languages is not None:
            table["language"] = pd.array(languages, dtype="string")
        return add_results(table, sch, probs, problems, cut, provenance, n_parts)

    def _languages(self, table: pd.DataFrame, keys: list[str], problems: list[str]) -> list[str] | None:
        """Each row's language (None when the table has its own ``language`` column, which is kept).
        Under a model that reads English only, rows in another language get a problem (no label)
        and one warning counts them by language."""
        from stance.language import MULTILINGUAL_HINT, detect_languages, reads_english_only

        languages = detect_languages(keys)
        model = self.model_info()["model"]
        if reads_english_only(model):
            foreign = [i for i, (lang, p) in enumerate(zip(languages, problems)) if not p and lang not in ("", "en")]
            for i in foreign:
                problems[i] = (f"language {languages[i]!r} is not English, and model {model!r} reads English only: "
                               + MULTILINGUAL_HINT)
            if foreign:
                from collections import Counter

                from stance.errors import LanguageWarning

                counts = ", ".join(f"{lang}: {n}" for lang, n in Counter(languages[i] for i in foreign).most_common())
                warnings.warn(f"stance: {len(foreign)} row(s) are not in English ({counts}) and model {model!r} "
                              f"reads English only: they have no label (see the *_error column); {MULTILINGUAL_HINT}",
                              LanguageWarning, stacklevel=3)
        return None if "language" in table.columns else languages

    def _parts(self, unique: list[str], sch: Scheme, target: str | None) -> dict[str, list[str]]:
        """Each text as the parts it is classified in: itself when it fits the model's window,
        else overlapping windows of whole sentences (:mod:`stance.longtext`)."""
        from stance.longtext import byte_bound, split_text

        parts = {k: [k] for k in unique}
        long = [k for k in unique if byte_bound(k) > MIN_WINDOW]
        if not long:
            return parts
        budget = self._text_budget(sch, target)
        cache = self.result_cache() if not is_model_object(self.model) else None
        model_key = None
        if cache is not None:
            from stance.cache import digest, model_description

            model_key = digest(model_description(self.model_info(), self.precision))
        for k in (k for k in long if byte_bound(k) > budget):
            def compute(k=k) -> str:
                return json.dumps(split_text(k, self.load().backend_.count_tokens, budget), ensure_ascii=False)

            # memoised in the result cache, so that a cached re-run of long texts loads no model
            parts[k] = json.loads(compute() if cache is None else cache.memo(f"split:{model_key}:{budget}:{digest(k)}",
                                                                               compute))
        return parts

    def _text_budget(self, sch: Scheme, target: str | None) -> int:
        """How many tokens of a text the model reads with this scheme and target (memoised in the
        result cache, so that a re-run from the cache need not load the model)."""
        def compute() -> str:
            return str(self.load().backend_.text_budget(sch, target))

        cache = self.result_cache()
        if cache is None or is_model_object(self.model):
            return int(compute())
        from stance.cache import digest, model_description, scheme_description

        key = (f"budget:{digest(model_description(self.model_info(), self.precision))}:"
               f"{digest(scheme_description(sch))}:{target or ''}")
        return int(cache.memo(key, compute))

    def fit(self, data, scheme: str | Path | Scheme = "stance", *, gold: str, target_col: str | None = None,
            text_col: str = "text") -> "Classifier":
        """Adapt ``scheme`` to a corpus with a few labelled statements (4 to 32 per label).

        Embedding backend only. Two stages, each kept only when it beats not adapting in
        leave-one-out on the labelled rows (:mod:`stance.fewshot`): a recalibration of the
        zero-shot probabilities (a temperature and one bias per label), then a prototype per
        label (the mean embedding of its labelled statements) blended in by a weight chosen the
        same way. Later :meth:`classify` calls with this scheme
        use the adapted model (their provenance says so); :meth:`save_fitted` writes the state
        as JSON. ``fitted_`` maps scheme names to their state.

        >>> import pandas as pd
        >>> labelled = pd.DataFrame({"text": ["Lying thugs and puppets.", "Bloodthirsty vassals of the empire.",
        ...     "We regret this decision.", "We firmly oppose this move.", "The meeting is on Monday.",
        ...     "The report was published today.", "We welcome dialogue.", "Let us work together."],
        ...     "gold": ["hostile", "hostile", "critical", "critical", "neutral", "neutral",
        ...              "conciliatory", "conciliatory"]})
        >>> clf = Classifier(progress=False).fit(labelled, scheme="tone", gold="gold")
        >>> clf.fitted_["tone"].n_per_label
        {'hostile': 2, 'critical': 2, 'neutral': 2, 'conciliatory': 2}
        """
        from stance.fewshot import fit

        state = fit(self, data, scheme, gold=gold, target_col=target_col, text_col=text_col)
        self.fitted_ = {**getattr(self, "fitted_", {}), state.scheme: state}
        return self

    def save_fitted(self, path: str | Path) -> Path:
        """Write the few-shot state of every fitted scheme to a JSON file."""
        from stance.fewshot import save

        if not getattr(self, "fitted_", None):
            raise InputError("nothing to save: call fit() first")
        return save(self.fitted_, path)

    def load_fitted(self, path: str | Path) -> "Classifier":
        """Use the few-shot state saved by :meth:`save_fitted` (for the same model)."""
        from stance.fewshot import load

        self.fitted_ = {**getattr(self, "fitted_", {}), **load(path)}
        return self

    def _fewshot(self, sch: Scheme):
        """The few-shot state for this scheme, if fitted for this model and these labels."""
        state = getattr(self, "fitted_", {}).get(sch.name)
        if state is None:
            return None
        self.load()
        if self.backend_.kind != "embedding" or state.model != self.backend_.name:
            raise InputError(f"the few-shot state of {sch.name!r} was fitted for model {state.model!r}, "
                             f"not {self.backend_.name!r}")
        if list(state.labels) != list(sch.label_names):
            raise InputError(f"the few-shot state of {sch.name!r} has labels {choices(state.labels)}, "
                             f"the scheme {choices(sch.label_names)}")
        return state

    def explain(self, text: str, scheme: str | Path | Scheme = "stance", *, target: str | None = None,
                label: str | None = None, max_span: int = 3) -> pd.DataFrame:
        """Which words carry the label of ``text``, by occlusion.

        Every word, and every run of up to ``max_span`` words, is cut out in turn; its
        ``weight`` is the drop in the probability of ``label`` (default: the predicted label)
        without it. Returns one row per word or span: ``token``, ``start``, ``end`` (character
        offsets), ``n_words``, ``weight``, ``label``; ``.attrs["stance_explain"]`` holds the
        text, scheme, target, label and its probability. :func:`stance.explain_html` renders it.

        >>> table = Classifier(progress=False).explain("NATO is a puppet stained with blood.", scheme="tone")
        >>> table.columns.tolist()
        ['token', 'start', 'end', 'n_words', 'weight', 'label']
        >>> table.sort_values("weight").iloc[-1]["label"]
        'hostile'
        """
        from stance.explain import explain

        return explain(self, text, scheme, target=target, label=label, max_span=max_span)

    def _scores(self, unique: list[str], sch: Scheme, target: str | None, progress: bool) -> dict[str, np.ndarray]:
        """Probabilities of distinct normalised texts: from the cache, the rest computed in chunks
        (each chunk cached as soon as it is done)."""
        from tqdm.auto import tqdm

        from stance.cache import digest, model_description, scheme_description

        cache = self.result_cache()
        described = model_description(self.model_info(), self.precision) if cache is not None else None
        model_key = scheme_key = None
        if described is not None:
            model_key, scheme_key = digest(described), digest(scheme_description(sch))
            keys = {model_key: described, scheme_key: scheme_description(sch)}
        found = cache.get(model_key, scheme_key, target or "", unique, len(sch.labels)) if model_key else {}
        missing = [t for t in unique if t not in found]
        if not missing:
            return found
        self.load()
        self.backend_.progress = False  # one bar here, not one per chunk
        step = CHUNK_TEXTS.get(self.backend_.kind, 256)
        with tqdm(total=len(missing), desc=sch.name, unit="text", disable=not progress or len(missing) < 2,
                  leave=False) as bar:
            for start in range(0, len(missing), step):
                chunk = missing[start:start + step]
                p = self.backend_.probabilities(chunk, sch, target)
                done = dict(zip(chunk, p))
                if model_key:
                    cache.put(model_key, scheme_key, target or "", done, descriptions=keys)
                found.update(done)
                bar.update(len(chunk))
        return found

    def _targets(self, table: pd.DataFrame, sch: Scheme, target, target_col) -> tuple[list, str | None]:
        """Each row's target, and the column it came from (None when not from a column)."""
        if not sch.target_aware:
            return [None] * len(table), None
        if target is not None:
            return [str(target)] * len(table), None
        if target_col is None and "target" in table.columns:
            target_col = "target"
        if target_col is None:
            raise InputError(
                f"scheme {sch.name!r} needs a target: pass target='NATO' or target_col= a column "
                f"(CLI: --target / --target-col); the columns are {choices(table.columns)}"
            )
        if target_col not in table.columns:
            raise InputError(f"no target column {target_col!r}; the columns are {choices(table.columns)}")
        return [t.strip() if isinstance(t, str) and t.strip() else None for t in table[target_col]], target_col

    def _provenance(self, sch: Scheme, target, target_col, threshold) -> dict:
        from stance import __version__

        return {
            "package_version": __version__,
            "model": self.model_info(),
            "precision": self.precision,
            "scheme": sch.provenance() | {"threshold": threshold if sch.multi_label else None},
            "target": target,
            "target_col": target_col,
        }


def run_columns(name: str, scheme_info: dict) -> list[str]:
    """The columns a run of scheme ``name`` adds, given its provenance ``labels`` and ``multi_label``.

    >>> run_columns("tone", {"labels": ["a", "b"], "multi_label": False})
    ['tone', 'tone_confidence', 'tone_review', 'tone_p_a', 'tone_p_b', 'tone_error', 'tone_parts']
    """
    labels = scheme_info["labels"]
    cols = [name, f"{name}_confidence", f"{name}_review", *(f"{name}_p_{n}" for n in labels), f"{name}_error",
            f"{name}_parts"]
    return cols + ([f"{name}_{n}" for n in labels] if scheme_info["multi_label"] else [])


def add_results(table: pd.DataFrame, sch: Scheme, probs: np.ndarray, problems: list[str],
                threshold: float, provenance: dict, n_parts=None) -> pd.DataFrame:
    """Add a scheme's result columns (see :meth:`Classifier.classify`) to a copy of ``table``;
    ``n_parts`` is how many parts each row was classified in (default: 1 per labelled row)."""
    s = sch.name
    names = list(sch.label_names)
    earlier = table.attrs.get("stance", {}).get("runs", {})
    new_cols = run_columns(s, {"labels": names, "multi_label": sch.multi_label})
    clash = [c for c in new_cols if c in table.columns]
    if clash and s not in earlier:
        raise InputError(
            f"the input already has column(s) {choices(clash)}: rename them, or pass name= (CLI: --name) "
            "to give the results another prefix"
        )
    stale = [c for c in run_columns(s, earlier[s]["scheme"]) if c not in new_cols] if s in earlier else []
    out = table.drop(columns=[c for c in stale if c in table.columns])
    valid = np.array([not p for p in problems])
    if sch.multi_label:
        chosen = probs >= threshold
        label = [";".join(n for n, c in zip(names, row) if c) if v else None for row, v in zip(chosen, valid)]
        confidence = np.where(valid, np.nanmax(np.where(valid[:, None], probs, 0.0), axis=1), np.nan)
    else:
        best = np.nanargmax(np.where(valid[:, None], probs, 0.0), axis=1)
        label = [names[b] if v else None for b, v in zip(best, valid)]
        confidence = np.where(valid, probs[np.arange(len(probs)), best], np.nan)
    review = pd.array([bool(c < sch.review_below) if v else None for c, v in zip(confidence, valid)], dtype="boolean")
    columns = {s: pd.array(label, dtype="string"), f"{s}_confidence": confidence, f"{s}_review": review}
    for j, n in enumerate(names):
        columns[f"{s}_p_{n}"] = probs[:, j]
    columns[f"{s}_error"] = pd.array(problems, dtype="string")
    columns[f"{s}_parts"] = np.asarray(valid.astype(np.int64) if n_parts is None else n_parts, dtype=np.int64)
    if sch.multi_label:
        for j, n in enumerate(names):
            columns[f"{s}_{n}"] = pd.array([bool(c) if v else None for c, v in zip(chosen[:, j], valid)],
                                           dtype="boolean")
    for col, values in columns.items():  # a re-run replaces its columns in place
        out[col] = values
    out.attrs = {**table.attrs}
    runs = dict(earlier)
    runs[s] = provenance
    out.attrs["stance"] = {"package_version": provenance["package_version"], "runs": runs}
    return out
