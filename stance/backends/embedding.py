"""Zero-shot classification by sentence-embedding similarity.

Each label is represented by its hypotheses and prototypes (with the target filled
in); a statement's score for a label is the mean of its ``top_k`` highest cosine
similarities to them (all of them when ``top_k`` is 0); with ``clauses`` on, the
highest such score of the whole text and of each of its sentences and clauses, so that a
statement mixing support for one side with criticism of another is scored on the part
that speaks to each label. Scores become probabilities
through a per-label offset and a shared scale. The scheme file stores ``top_k``, the
offsets and the scale per model, fitted on the project's synthetic dev sets
(``benchmarks/calibrate.py``). Without a calibration for the model: the mean of all,
offsets of 0 (single-label) or :data:`DEFAULT_MULTI_OFFSET` (multi-label), and
:data:`DEFAULT_SCALE`.
"""
from __future__ import annotations

import re

import numpy as np

from stance.backends import gemm
from stance.backends.base import model_provenance, precision_context
from stance.schemes import Calibration, Scheme

DEFAULT_SCALE = 30.0
DEFAULT_MULTI_OFFSET = 0.25  # cosine similarity at which an uncalibrated multi-label label turns on


def label_scores(text_emb: np.ndarray, hyp_emb: np.ndarray, owners: np.ndarray, n_labels: int,
                 top_k: int = 0) -> np.ndarray:
    """Each text's score for each label: the mean of its ``top_k`` highest similarities
    to the label's hypotheses (``top_k=0``: the mean of all).

    ``text_emb`` (n, d) and ``hyp_emb`` (h, d) are L2-normalised; ``owners`` (h,) gives the
    label index of each hypothesis.

    >>> t = np.array([[1.0, 0.0]]); h = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    >>> label_scores(t, h, np.array([0, 1, 1]), 2)
    array([[1. , 0.3]])
    >>> label_scores(t, h, np.array([0, 1, 1]), 2, top_k=1)
    array([[1. , 0.6]])
    """
    sims = text_emb @ hyp_emb.T
    scores = np.empty((len(text_emb), n_labels))
    for label in range(n_labels):
        own = np.sort(sims[:, owners == label], axis=1)
        k = own.shape[1] if top_k <= 0 else min(top_k, own.shape[1])
        scores[:, label] = own[:, -k:].mean(axis=1)
    return scores


_CLAUSE_BREAK = re.compile(r"(?<=[.!?;:])\s+|,\s+(?:while|but|yet|whereas|and)\s+|\s+while\s+")


def clauses(text: str, min_words: int = 4) -> list[str]:
    """The sentences and clauses of a statement (none when it has only one).

    Breaks at sentence ends, semicolons and colons, and at ", but", ", yet", ", while",
    ", whereas", ", and" and "while"; parts under ``min_words`` words are dropped.

    >>> clauses("We stand with Ukraine, while the aggressor keeps shelling its cities.")
    ['We stand with Ukraine', 'the aggressor keeps shelling its cities.']
    >>> clauses("A short one.")
    []
    """
    parts = [p.strip() for p in _CLAUSE_BREAK.split(text) if len(p.split()) >= min_words]
    return parts if len(parts) > 1 else []


def calibrated_probabilities(scores: np.ndarray, offsets: np.ndarray, scale: float,
                             multi_label: bool) -> np.ndarray:
    """``softmax(scale * (scores - offsets))`` over labels, or a sigmoid per label if multi-label.

    >>> calibrated_probabilities(np.array([[0.5, 0.5]]), np.zeros(2), 10.0, False)
    array([[0.5, 0.5]])
    """
    z = scale * (scores - offsets)
    if multi_label:
        return 1.0 / (1.0 + np.exp(-z))
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class EmbeddingBackend:
    """Sentence-embedding zero-shot backend around a ``SentenceTransformer``."""

    kind = "embedding"

    def __init__(self, model, name: str, batch_size: int | None = None, progress: bool = True,
                 files=None, precision: str = "float32"):
        self.model = model
        self.name = name
        self.batch_size = batch_size or 32
        self.progress = progress
        self.files = files
        self.precision = precision
        self.gemm = None  # the float32 matrix-product library, for a model loaded here (stance.backends.gemm)
        self._hypotheses: dict[tuple[str, ...], np.ndarray] = {}  # encoded once per hypothesis set

    @classmethod
    def from_files(cls, files, *, device: str, trust_remote_code: bool = False, **options):
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(files.path), device=device, local_files_only=True,
                                    trust_remote_code=trust_remote_code)
        backend = cls(model, name=files.name, files=files, **options)
        backend.gemm = gemm.apply(model, device, backend.precision)
        return backend

    def provenance(self) -> dict:
        return model_provenance(self)

    def encode(self, texts: list[str], progress: bool | None = None, model=None) -> np.ndarray:
        """L2-normalised embeddings, one row per text; ``model``: another ``SentenceTransformer`` to run
        instead of the loaded one (a fine-tuned copy, :mod:`stance.finetune`), batched and at the
        precision of this backend."""
        import torch

        model = self.model if model is None else model
        with torch.inference_mode(), precision_context(model.device, self.precision):
            emb = model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                    normalize_embeddings=True,
                                    show_progress_bar=self.progress if progress is None else progress)
        return np.asarray(emb, dtype=np.float64)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Each text's length in the model's tokens, without special tokens."""
        encoded = self.model.tokenizer(list(texts), add_special_tokens=False, truncation=False,
                                       verbose=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def text_budget(self, scheme: Scheme | None = None, target: str | None = None) -> int:
        """The most tokens of a text the model reads (``max_seq_length`` less its special tokens);
        sentence-transformers silently cuts anything longer."""
        limit = self.model.max_seq_length or self.model.tokenizer.model_max_length
        return int(limit) - self.model.tokenizer.num_special_tokens_to_add(pair=False)

    def hypothesis_embeddings(self, hypotheses: tuple[str, ...]) -> np.ndarray:
        """The embeddings of a hypothesis set, encoded on first use and kept (a few per scheme and target)."""
        if hypotheses not in self._hypotheses:
            if len(self._hypotheses) >= 256:
                self._hypotheses.clear()
            self._hypotheses[hypotheses] = self.encode(list(hypotheses), progress=False)
        return self._hypotheses[hypotheses]

    def calibration(self, scheme: Scheme) -> Calibration:
        """The scheme's calibration for this model, or the uncalibrated default."""
        if self.name in scheme.calibration:
            return scheme.calibration[self.name]
        offset = DEFAULT_MULTI_OFFSET if scheme.multi_label else 0.0
        return Calibration(DEFAULT_SCALE, {n: offset for n in scheme.label_names})

    def label_scores(self, texts: list[str], scheme: Scheme, target: str | None,
                     top_k: int | None = None, by_clause: bool | None = None) -> np.ndarray:
        """Each text's pooled similarity to each label's hypotheses and prototypes
        (with ``by_clause``, the highest over the text and its clauses)."""
        return self._encode_and_score(texts, scheme, target, top_k, by_clause)[0]

    def _hypothesis_set(self, scheme: Scheme, target: str | None) -> tuple[np.ndarray, np.ndarray, int]:
        """The embeddings of a scheme's hypotheses and prototypes (target filled in), the label
        index of each, and the number of labels."""
        groups = scheme.hypotheses(target, prototypes=True)
        owners = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)])
        return self.hypothesis_embeddings(tuple(h for g in groups for h in g)), owners, len(groups)

    def _encode_and_score(self, texts: list[str], scheme: Scheme, target: str | None, top_k: int | None = None,
                          by_clause: bool | None = None, need_parts: bool = False):
        """Label scores (see :meth:`label_scores`), with the embeddings of each text and of its
        parts from the same forward pass: ``(scores, text_emb, parts, part_emb)``."""
        cal = self.calibration(scheme)
        top_k = cal.top_k if top_k is None else top_k
        by_clause = cal.clauses if by_clause is None else by_clause
        hyp_emb, owners, n_labels = self._hypothesis_set(scheme, target)
        parts = [[t, *clauses(t)] if by_clause or need_parts else [t] for t in texts]
        owner_text = np.concatenate([np.full(len(p), i) for i, p in enumerate(parts)])
        first = np.r_[0, np.cumsum([len(p) for p in parts])[:-1]]
        emb = self.encode([p for ps in parts for p in ps])
        scored = np.ones(len(emb), dtype=bool) if by_clause else np.isin(np.arange(len(emb)), first)
        scores = label_scores(emb[scored], hyp_emb, owners, n_labels, top_k)
        best = np.full((len(texts), n_labels), -np.inf)
        np.maximum.at(best, owner_text[scored], scores)
        return best, emb[first], parts, emb

    def feature_blocks(self, texts: list[str], scheme: Scheme, target: str | None,
                       groups: tuple[str, ...]) -> dict[str, np.ndarray]:
        """The feature groups a trained head reads (:mod:`stance.heads`), from one forward pass:
        ``text`` and ``target_text`` embeddings, the scheme's ``scores``, ``cues``, ``ngrams``, and
        ``scores:<scheme>`` / ``target_scores:<scheme>``: another built-in scheme's label scores
        of the text or of its target clauses."""
        from stance.heads import cue_features, mentions, ngram_features
        from stance.schemes import load_scheme

        need_parts = any(g.startswith("target_") for g in groups)
        scores, text_emb, parts, emb = self._encode_and_score(texts, scheme, target, need_parts=need_parts)
        blocks = {"text": text_emb, "scores": scores, "cues": cue_features(texts, target)}
        if "ngrams" in groups:
            blocks["ngrams"] = ngram_features(texts, target)
        target_emb = text_emb
        if need_parts:
            target_emb = text_emb.copy()
            start = 0
            for i, ps in enumerate(parts):
                hit = np.array(mentions(ps[1:], target), dtype=bool) if target and len(ps) > 1 else np.zeros(0, bool)
                if hit.any():
                    target_emb[i] = emb[start + 1:start + len(ps)][hit].mean(axis=0)
                start += len(ps)
            blocks["target_text"] = target_emb
        for g in (g for g in groups if ":" in g):
            kind, other = g.split(":", 1)
            other_scheme = load_scheme(other)
            hyp_emb, owners, n_labels = self._hypothesis_set(other_scheme, target)
            blocks[g] = label_scores(target_emb if kind == "target_scores" else text_emb, hyp_emb, owners, n_labels,
                                     self.calibration(other_scheme).top_k)
        return {g: blocks[g] for g in groups}

    def head_features(self, texts: list[str], scheme: Scheme, target: str | None, head) -> np.ndarray:
        """The features ``head`` reads, its groups (:meth:`feature_blocks`) side by side in its order."""
        return np.hstack(list(self.feature_blocks(texts, scheme, target, head.groups).values()))

    def probabilities(self, texts: list[str], scheme: Scheme, target: str | None) -> np.ndarray:
        """The scheme's trained head's probabilities, for the texts in its domain
        (:meth:`stance.heads.Head.in_domain`); the calibrated zero-shot scores elsewhere, and for a
        scheme without a head for this model."""
        head = scheme.head(self.name)
        if head is None:
            return self._calibrated(self.label_scores(texts, scheme, target, self.calibration(scheme).top_k), scheme)
        blocks = self.feature_blocks(texts, scheme, target, tuple(dict.fromkeys((*head.groups, "text", "scores"))))
        p = head.probabilities(np.hstack([blocks[g] for g in head.groups]))
        outside = ~head.in_domain(blocks["text"])
        if outside.any():  # the same scores the head reads: the calibration's top_k and clauses
            p[outside] = self._calibrated(blocks["scores"][outside], scheme)
        return p

    def _calibrated(self, scores: np.ndarray, scheme: Scheme) -> np.ndarray:
        cal = self.calibration(scheme)
        offsets = np.array([cal.offsets[n] for n in scheme.label_names])
        return calibrated_probabilities(scores, offsets, cal.scale, scheme.multi_label)
