"""The :class:`Classifier`: runs a label scheme over a table of statements."""
from __future__ import annotations

import os
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from stance.backends import is_model_object
from stance.errors import InputError, choices
from stance.io.tables import as_table
from stance.results import add_results
from stance.schemes import Scheme, adhoc_scheme, load_scheme

DEFAULT_TEMPLATE = "This example is {}."


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
            language.preload(**self.language_cache())  # the language identifier loads in a thread of its own meanwhile
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
        """The model's files (:class:`stance.backends.models.ModelFiles`), located once."""
        if not hasattr(self, "files_"):
            from stance.backends.models import locate

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

    def language_cache(self) -> dict:
        """Where the language identifier's unpacked model is kept: the cache folder, or nowhere
        when ``cache=False`` (keyword arguments of :func:`stance.language.detect_languages`)."""
        folder = Path(self.cache_dir).expanduser() if self.cache_dir else None
        return {"folder": folder, "keep": bool(self.cache)}

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
                 threshold: float | None = None, progress: bool | None = None) -> pd.DataFrame:
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
        sch = self.resolve_scheme(scheme, labels, template, multi_label, name)
        table = as_table(data, text_col)
        targets, target_col = self._targets(table, sch, target, target_col)
        show = self.progress if progress is None else progress
        pred = self._predict(table[text_col].tolist(), sch, targets, progress=show)
        cut = sch.threshold if threshold is None else threshold
        provenance = self._provenance(sch, target, target_col, cut)
        if self._fewshot(sch) is not None:
            provenance["fewshot"] = self._fewshot(sch).summary()
        if "language" not in table.columns:  # an input column of that name is kept
            table["language"] = pd.array(pred.languages, dtype="string")
        return add_results(table, sch, pred.probs, pred.problems, cut, provenance, pred.n_parts)

    def predict_proba(self, texts, scheme: str | Path | Scheme = "stance", target: str | None = None, *,
                      progress: bool | None = None) -> np.ndarray:
        """The probability of each label of ``scheme`` for each text: the array behind :meth:`classify`.

        Rows follow ``texts``; columns follow the scheme's labels (``load_scheme(scheme).label_names``).
        A text without a label (empty, missing, in a language the model does not read) has a
        row of NaN; :meth:`classify` says why in ``S_error``.

        >>> p = Classifier(progress=False).predict_proba(["NATO is a puppet stained with blood."], "tone")
        >>> p.shape, bool(abs(p.sum() - 1) < 1e-6)
        ((1, 4), True)
        """
        sch = self.resolve_scheme(scheme)
        texts = [texts] if isinstance(texts, str) else list(texts)
        if sch.target_aware and target is None:
            raise InputError(f"scheme {sch.name!r} needs a target: pass target='NATO'")
        show = self.progress if progress is None else progress
        return self._predict(texts, sch, [target if sch.target_aware else None] * len(texts), progress=show).probs

    def _predict(self, texts: list, sch: Scheme, targets: list, *, progress: bool = False, adapt: bool = True,
                 check_language: bool = True):
        """:func:`stance.core.predict`, with one warning for texts split into parts."""
        from stance.backends import check_precision
        from stance.core import predict

        check_precision(self.precision)
        pred = predict(self, texts, sch, targets, progress=progress, adapt=adapt, check_language=check_language)
        if pred.split_rows:
            from stance.errors import LongTextWarning

            warnings.warn(f"stance: {pred.split_rows} row(s) longer than the model's window were split into parts "
                          f"(up to {int(pred.n_parts.max())}), each part classified and the parts combined "
                          f"({'max' if sch.multi_label else 'mean'} of probabilities); see {sch.name}_parts",
                          LongTextWarning, stacklevel=3)
        return pred

    def fit(self, data, scheme: str | Path | Scheme = "stance", *, gold: str, target_col: str | None = None,
            text_col: str = "text", finetune: bool = False) -> "Classifier":
        """Adapt ``scheme`` to a corpus with a few labelled statements (4 to 32 per label).

        Embedding backend only. Two stages, each kept only when it beats not adapting in
        leave-one-out on the labelled rows (:mod:`stance.fewshot`): a recalibration of the
        zero-shot probabilities (a temperature and one bias per label), then a prototype per
        label (the mean embedding of its labelled statements) blended in by a weight chosen the
        same way; with 8 or more per label, a correction to the zero-shot log-probabilities learnt
        from the embeddings competes with them by cross-validation. ``finetune=True`` (8 or more
        per label) adds the same correction on an encoder fine-tuned contrastively on the
        labelled rows (SetFit-style, :mod:`stance.finetune`; five fine-tunes, a minute or two
        each on a laptop CPU for 16 per label). Later :meth:`classify` calls with this scheme
        use the adapted model (their provenance says so); :meth:`save_fitted` writes the state
        as JSON (and a fine-tuned encoder as safetensors beside it). ``fitted_`` maps scheme
        names to their state.

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

        state = fit(self, data, scheme, gold=gold, target_col=target_col, text_col=text_col, finetune=finetune)
        self.fitted_ = {**getattr(self, "fitted_", {}), state.scheme: state}
        return self

    def save_fitted(self, path: str | Path) -> Path:
        """Write the few-shot state of every fitted scheme to a JSON file."""
        from stance.fewshot import save

        if not getattr(self, "fitted_", None):
            raise InputError("nothing to save: call fit() first")
        return save(self.fitted_, path)

    def load_fitted(self, source: str | Path | dict) -> "Classifier":
        """Use the few-shot states saved by :meth:`save_fitted` (for the same model): a path to
        that JSON file, or its ``{scheme: state}`` mapping as a dict."""
        from stance.fewshot import FewShot, load

        states = ({name: FewShot.from_dict(state) for name, state in source.items()} if isinstance(source, dict)
                  else load(source))
        self.fitted_ = {**getattr(self, "fitted_", {}), **states}
        return self

    def zero_shot(self) -> "Classifier":
        """This classifier without its few-shot states: the same options, loaded model and cache.

        >>> Classifier().zero_shot().model is None
        True
        """
        import copy

        plain = copy.copy(self)
        plain.__dict__.pop("fitted_", None)
        return plain

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
        from stance.version import __version__

        return {
            "package_version": __version__,
            "model": self.model_info(),
            "precision": self.precision,
            "scheme": sch.provenance() | {"threshold": threshold if sch.multi_label else None},
            "target": target,
            "target_col": target_col,
        }
