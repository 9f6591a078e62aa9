"""Trained heads: a small softmax layer over sentence-embedding features, for one scheme and model.

Zero-shot similarity to hand-written prototypes misreads real diplomatic and state-media text
(see ``data/real/README.md``). For the built-in schemes and the packaged MiniLM, a head trained
on real, double-coded statements (plus the synthetic dev sets) turns the embedding backend's
features into probabilities:

- the statement's embedding (384 numbers for MiniLM);
- for a target-aware scheme, the mean embedding of the sentences and clauses that mention the
  target (:func:`target_pattern`; the whole text when none does), so that stance is read where
  the target is spoken of, not from the statement's overall polarity;
- the scheme's zero-shot label scores (similarities to its hypotheses and prototypes);
- a few cues of degrading language (:func:`cue_features`): name-calling words, scare quotes,
  "so-called", exclamations, rhetorical questions; and whether the target is mentioned at all.

Probabilities are ``softmax((features - mean) / scale @ weight + bias) / temperature``; the
temperature is fitted on cross-validated predictions, so that the top probability is the
chance that the label is right.

A head is right only on text like the text it was trained on. Its **domain** is a set of
centroids of the training statements' embeddings (512, in half precision) and a similarity
threshold (:func:`fit_domain`): a statement whose cosine similarity to every centroid is below
the threshold (a forum post about rent control, a column on wind farms: another genre, other
targets) gets the scheme's calibrated zero-shot scores instead (:meth:`Head.in_domain`). On
civic-debate statements the stance head reads at 0.30 macro-F1 against 0.43 for the zero-shot
scores, while on official and state-media statements it gains 0.04 even for a target it never
saw (``benchmarks/head_domain.py``, which stores the domain in the heads).

A head is stored as a safetensors file of plain arrays with its description in the metadata (no
pickle), named in the scheme TOML and in every result's provenance (file name and SHA-256).
``benchmarks/train_heads.py`` trains them.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stance.errors import SchemeError

FORMAT = "stance-head/1"

# Aliases that count as the target (CODING.md): matched case-insensitively on word boundaries.
TARGET_ALIASES: dict[str, tuple[str, ...]] = {
    "NATO": ("NATO", "North Atlantic Treaty Organization", "the alliance", "the bloc", "Atlantic alliance",
             "Stoltenberg", "Rutte"),
    "China": ("China", "Chinese", "Beijing", "PRC", "People's Republic", "CPC", "Communist Party of China",
              "Xi Jinping", "Xi"),
    "Russia": ("Russia", "Russian", "Russians", "Moscow", "Kremlin", "Putin", "Russian Federation", "Lavrov"),
    "the United States": ("United States", "U.S.", "US", "USA", "America", "American", "Americans",
                          "Washington", "White House", "Biden", "Trump", "Blinken", "Pentagon"),
    "Ukraine": ("Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev", "Zelensky", "Zelenskyy", "Kiev regime"),
    "the EU": ("EU", "European Union", "Brussels", "European Commission", "von der Leyen", "Borrell", "Europe",
               "European"),
    "Taiwan": ("Taiwan", "Taiwanese", "Taipei", "DPP", "Tsai Ing-wen", "Lai Ching-te", "Taiwan region"),
    "Japan": ("Japan", "Japanese", "Tokyo", "Kishida", "Abe", "Fukushima"),
}
# other ways a user may write a built-in target (lower case, without a leading "the")
_SYNONYMS = {alias: name for name, aliases in {
    "the United States": ("us", "u.s.", "usa", "u.s.a.", "united states", "united states of america", "america"),
    "the EU": ("eu", "european union"),
    "NATO": ("north atlantic treaty organization", "north atlantic treaty organisation", "north atlantic alliance"),
    "China": ("prc", "people's republic of china", "people’s republic of china"),
    "Russia": ("russian federation",),
}.items() for alias in aliases}

# Degrading language (CODING.md, "hostile"): name-calling, dehumanising and blood imagery.
DEGRADING = re.compile(
    r"\b(puppets?|clowns?|idiots?|junkies?|lackeys?|vassals?|lapdogs?|thugs?|bandits?|gangsters?|hegemon\w*|"
    r"bull(?:y|ies)|warmonger\w*|nazis?|neo-?nazis?|fascis\w*|terrorists?|criminals?|murderers?|"
    r"butchers?|barbar\w*|savages?|liars?|lies|lying|hypocri\w*|shameless\w*|disgust\w*|despicable|"
    r"rogue|evil|vile|scum|parasites?|cancer|tumou?r|blood(?:y|stained|thirsty)?|stained|hysteri\w*|"
    r"paranoi\w*|delusion\w*|ridiculous|absurd|nonsense|laughable|farce|circus|pathetic|senile|"
    r"master'?s?|servants?|stooges?|henchm[ae]n|minions?|regime|junta|mad|insane|crazy|"
    r"devil\w*|demon\w*|monsters?|beasts?|rats?|dogs?|cowboys?)\b", re.IGNORECASE)
_SO_CALLED = re.compile(r"\bso-called\b", re.IGNORECASE)
_SCARE = re.compile(r"[\"“”‘’'](?:\w[\w\s-]{0,30}?)[\"“”‘’']")
CUES = ("degrading", "so_called", "scare_quotes", "exclamation", "question", "target_mentioned")


def canonical_target(target: str | None) -> str | None:
    """The built-in name of a target, or the target as given.

    >>> canonical_target("the US"), canonical_target("U.S."), canonical_target("the Russian Federation")
    ('the United States', 'the United States', 'Russia')
    >>> canonical_target("Mars")
    'Mars'
    """
    if target is None:
        return None
    return _SYNONYMS.get(re.sub(r"^the\s+", "", target.strip().lower()), target.strip())


def target_pattern(target: str) -> re.Pattern:
    """A regex that finds the target or one of its aliases (:data:`TARGET_ALIASES`).

    >>> bool(target_pattern("NATO").search("The alliance must stop")), bool(target_pattern("Japan").search("Abed"))
    (True, False)
    """
    name = canonical_target(target)
    words = TARGET_ALIASES.get(name, (name,)) + (name,)
    alternatives = sorted({re.escape(w.removeprefix("the ")) for w in words}, key=len, reverse=True)
    case_sensitive = [a for a in alternatives if a in ("US", "Xi", "Abe", "EU")]
    loose = [a for a in alternatives if a not in case_sensitive]
    parts = [f"(?i:{'|'.join(loose)})"] + ([f"(?:{'|'.join(case_sensitive)})"] if case_sensitive else [])
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?!\w)")


def cue_features(texts: list[str], target: str | None = None) -> np.ndarray:
    """Counts of cues of degrading or mocking language, per 20 words (capped at 3), and whether
    the target is mentioned: one row per text, columns :data:`CUES`.

    >>> cue_features(["NATO is a puppet stained with blood!"], "NATO").round(2).tolist()
    [[3.0, 0.0, 0.0, 2.86, 0.0, 1.0]]
    """
    pattern = target_pattern(target) if target else None
    rows = []
    for t in texts:
        per = 20.0 / max(len(t.split()), 5)
        counts = [len(DEGRADING.findall(t)), len(_SO_CALLED.findall(t)), len(_SCARE.findall(t)),
                  t.count("!"), t.count("?")]
        rows.append([min(c * per, 3.0) for c in counts] + [float(bool(pattern and pattern.search(t)))])
    return np.asarray(rows, dtype=np.float64).reshape(len(texts), len(CUES))


NGRAM_BUCKETS = 4096
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def ngram_features(texts: list[str], target: str | None = None, buckets: int = NGRAM_BUCKETS) -> np.ndarray:
    """Hashed word unigrams and bigrams (present or not), with every mention of the target
    replaced by one token ``targetx``, so that "urge targetx to stop" means the same for
    any target. One row per text, ``buckets`` columns (CRC-32 of the n-gram, modulo).

    >>> x = ngram_features(["We urge NATO to stop."], "NATO")
    >>> x.shape, int(x.sum())
    ((1, 4096), 9)
    """
    import zlib

    pattern = target_pattern(target) if target else None
    out = np.zeros((len(texts), buckets))
    for i, t in enumerate(texts):
        words = _WORD.findall((pattern.sub(" TARGETX ", t) if pattern else t).lower())
        grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
        for g in set(grams):
            out[i, zlib.crc32(g.encode("utf-8")) % buckets] = 1.0
    return out


def mentions(parts: list[str], target: str) -> list[bool]:
    """Which parts of a text mention the target."""
    pattern = target_pattern(target)
    return [bool(pattern.search(p)) for p in parts]


@dataclass(frozen=True)
class Head:
    """A trained softmax head (see the module docstring). ``weight`` is (features, labels)."""

    labels: tuple[str, ...]
    model: str
    groups: tuple[str, ...]  # feature groups, in order: "text", "target_text", "scores", "cues"
    mean: np.ndarray
    scale: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    temperature: float = 1.0
    info: dict | None = None  # how it was trained (data, regularisation, cross-validated scores)
    sha256: str = ""
    file: str = ""
    domain: np.ndarray | None = None  # (centroids, embedding size), unit rows: where the head applies
    domain_threshold: float = -1.0

    def in_domain(self, text_embeddings: np.ndarray) -> np.ndarray:
        """True for each text (its L2-normalised embedding) whose cosine similarity to some centroid of
        the head's domain reaches the threshold: text like the text the head was trained on. All
        True for a head without a domain.

        >>> h = Head(("a", "b"), "m", ("text",), *np.zeros((4, 1)), domain=np.array([[1.0, 0.0]]), domain_threshold=0.5)
        >>> h.in_domain(np.array([[1.0, 0.0], [0.0, 1.0]])).tolist()
        [True, False]
        """
        if self.domain is None:
            return np.ones(len(text_embeddings), dtype=bool)
        return domain_similarity(self.domain, text_embeddings) >= self.domain_threshold

    def logits(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weight + self.bias

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, one row per row of ``features``."""
        return softmax(self.logits(features) / self.temperature)

    def provenance(self) -> dict:
        out = {"file": self.file, "sha256": self.sha256, "format": FORMAT, "groups": list(self.groups),
               "temperature": self.temperature}
        if self.domain is not None:
            out["domain"] = {"centroids": len(self.domain), "threshold": self.domain_threshold}
        return out


def domain_similarity(centroids: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """Each embedding's highest cosine similarity to the centroids (both L2-normalised)."""
    return (np.asarray(embeddings, dtype=float) @ np.asarray(centroids, dtype=float).T).max(axis=1)


def spherical_kmeans(x: np.ndarray, k: int, seed: int = 0, iterations: int = 30) -> np.ndarray:
    """``k`` unit centroids of the unit rows of ``x`` (k-means on cosine similarity, started from
    ``k`` rows drawn at random).

    >>> x = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0], [0.14, 0.99]])
    >>> sorted(spherical_kmeans(x / np.linalg.norm(x, axis=1, keepdims=True), 2).round(1).tolist())
    [[0.1, 1.0], [1.0, 0.1]]
    """
    rng = np.random.default_rng(seed)
    k = min(k, len(x))
    centroids = x[rng.choice(len(x), k, replace=False)]
    for _ in range(iterations):
        nearest = (x @ centroids.T).argmax(axis=1)
        sums = np.stack([x[nearest == j].sum(axis=0) if (nearest == j).any() else centroids[j] for j in range(k)])
        centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return centroids


def fit_domain(embeddings: np.ndarray, k: int = 512, quantile: float = 0.01, folds: int = 5,
               seed: int = 0) -> tuple[np.ndarray, float]:
    """A head's domain from the embeddings of the statements it was trained on: ``k`` centroids of
    all of them (:func:`spherical_kmeans`), and the threshold below which a text counts as unlike
    them: the ``quantile`` of the training statements' similarity to centroids fitted without them
    (``folds``-fold cross-fitting), so that about that share of text like the training text falls
    outside.

    >>> rng = np.random.default_rng(0); x = rng.normal(size=(200, 8)) + 3.0
    >>> x /= np.linalg.norm(x, axis=1, keepdims=True)
    >>> centroids, threshold = fit_domain(x, k=8)
    >>> centroids.shape, bool(domain_similarity(centroids, -x[:1])[0] < threshold < 1)
    ((8, 8), True)
    """
    x = np.asarray(embeddings, dtype=float)
    fold = np.random.default_rng(seed).permutation(len(x)) % folds
    outside = np.concatenate([domain_similarity(spherical_kmeans(x[fold != f], k, seed), x[fold == f])
                              for f in range(folds)])
    return spherical_kmeans(x, k, seed), float(np.quantile(outside, quantile))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax.

    >>> softmax(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_softmax(x: np.ndarray, y: np.ndarray, n_labels: int, l2: float = 1.0,
                sample_weight: np.ndarray | None = None, offset: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features, labels) and biases of an L2-regularised multinomial logistic
    regression on standardised ``x``, by L-BFGS. ``l2`` is the penalty per unit of total weight;
    ``offset`` (rows, labels), when given, is added to every row's logits and stays fixed (the
    regression learns a correction to it).

    >>> x = np.array([[0.0], [0.1], [1.0], [1.1]]); y = np.array([0, 0, 1, 1])
    >>> w, b = fit_softmax(x, y, 2, l2=0.01)
    >>> softmax(x @ w + b).argmax(1).tolist()
    [0, 0, 1, 1]
    """
    from scipy.optimize import minimize

    n, d = x.shape
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    sw = sw / sw.mean()
    onehot = np.eye(n_labels)[np.asarray(y, dtype=int)]
    fixed = np.zeros((n, n_labels)) if offset is None else np.asarray(offset, dtype=float)

    def loss(theta):
        w = theta[: d * n_labels].reshape(d, n_labels)
        b = theta[d * n_labels:]
        p = softmax(x @ w + b + fixed)
        value = -np.sum(sw * np.log(np.clip((p * onehot).sum(1), 1e-300, None))) / n + l2 / 2 * np.sum(w * w)
        r = (p - onehot) * sw[:, None] / n
        return value, np.r_[(x.T @ r + l2 * w).ravel(), r.sum(0)]

    theta = minimize(loss, np.zeros(d * n_labels + n_labels), jac=True, method="L-BFGS-B",
                     options={"maxiter": 2000}).x
    return theta[: d * n_labels].reshape(d, n_labels), theta[d * n_labels:]


def stratified_folds(y: np.ndarray, n_folds: int, seed: int = 0) -> np.ndarray:
    """A fold number per row, each label spread evenly over the folds (seeded).

    >>> stratified_folds(np.array([0, 0, 1, 1]), 2).tolist().count(0)
    2
    """
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=int)
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        fold[rows] = np.arange(len(rows)) % n_folds
    return fold


def balanced_weights(y: np.ndarray, n_labels: int, base: np.ndarray | None = None) -> np.ndarray:
    """Sample weights that give every label the same total weight (``base``: each row's own
    weight before balancing, 1 by default).

    >>> balanced_weights(np.array([0, 0, 0, 1]), 2).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    base = np.ones(len(y)) if base is None else np.asarray(base, dtype=float)
    counts = np.bincount(y, weights=base, minlength=n_labels)
    return base * (base.sum() / (n_labels * np.maximum(counts, 1e-9)))[y]


def fit_standardised(x: np.ndarray, y: np.ndarray, n_labels: int, l2: float,
                     sample_weight: np.ndarray | None = None, floor=0.0, offset: np.ndarray | None = None):
    """:func:`fit_softmax` on standardised columns: ``(mean, scale, weight, bias)``, a column's
    scale being at least its ``floor`` (so that a rare 0/1 indicator is not blown up)."""
    mean, scale = x.mean(0), x.std(0)
    scale = np.maximum(np.where(scale > 1e-9, scale, 1.0), floor)
    weight, bias = fit_softmax((x - mean) / scale, y, n_labels, l2=l2, sample_weight=sample_weight, offset=offset)
    return mean, scale, weight, bias


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that maximises the likelihood of held-out ``logits`` (Guo et al. 2017).

    >>> z = np.array([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])  # 3 of 4 right, overconfident
    >>> fit_temperature(z, np.array([0, 1, 1, 0])) > 1
    True
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(y, dtype=int)

    def nll(log_t):
        p = softmax(logits / np.exp(log_t))
        return -np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-300, None)))

    return float(np.exp(minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded").x))


def save_head(head: Head, path: str | Path) -> Path:
    """Write a head as safetensors (arrays) with its description as metadata."""
    from safetensors.numpy import save_file

    path = Path(path)
    meta = {"format": FORMAT, "labels": json.dumps(list(head.labels)), "model": head.model,
            "groups": json.dumps(list(head.groups)), "temperature": repr(float(head.temperature)),
            "info": json.dumps(head.info or {}, sort_keys=True)}
    arrays = {"mean": head.mean, "scale": head.scale, "weight": head.weight, "bias": head.bias}
    if head.domain is not None:
        arrays["domain"] = head.domain
        meta["domain_threshold"] = repr(float(head.domain_threshold))
    tmp = path.with_name(path.name + ".partial")
    save_file({k: np.ascontiguousarray(v, dtype=np.float16 if k == "domain" else np.float32)  # similarities need
               for k, v in arrays.items()}, str(tmp), metadata=meta)  # no more than half precision
    tmp.replace(path)
    return path


def load_head(path: str | Path) -> Head:
    """Read a head written by :func:`save_head`; the SHA-256 of its file is kept for provenance."""
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise SchemeError(f"head file {str(path)!r} does not exist: reinstall stance or retrain the head "
                          "(benchmarks/train_heads.py)")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata() or {}
        if meta.get("format") != FORMAT:
            raise SchemeError(f"head file {str(path)!r} has format {meta.get('format')!r}, expected {FORMAT!r}")
        arrays = {k: f.get_tensor(k).astype(np.float64) for k in ("mean", "scale", "weight", "bias")}
        domain = f.get_tensor("domain").astype(np.float64) if "domain" in f.keys() else None
    return Head(labels=tuple(json.loads(meta["labels"])), model=meta["model"],
                groups=tuple(json.loads(meta["groups"])), temperature=float(meta["temperature"]),
                info=json.loads(meta.get("info", "{}")), sha256=sha, file=path.name, domain=domain,
                domain_threshold=float(meta.get("domain_threshold", -1.0)), **arrays)
