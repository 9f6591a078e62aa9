"""Few-shot adaptation of a scheme with a handful of labelled statements (4 to 64 per label).

Candidates, each kept only when it clearly helps:

1. **Recalibration**: ``softmax(a * log p0 + c)`` of the zero-shot probabilities ``p0``, a
   temperature and one bias per label fitted by maximum likelihood with a weak pull towards
   ``a = 1, c = 0`` (Zhao et al. 2021, "Calibrate before use").
2. **Prototypes** on top: the normalised mean embedding of each label's statements, whose
   centred similarities are added to the log-probabilities with a weight.
   Each stage is kept only when its leave-one-out log-likelihood beats not adapting by more
   than ``margin`` (default :data:`MARGIN`) standard errors of the per-statement difference:
   with a handful of examples a lucky draw otherwise makes the adapted model worse.
3. With :data:`HEAD_MIN_PER_LABEL` or more per label, a **correction** to the zero-shot
   log-probabilities learnt from the embeddings (:func:`fit_residual`), whose L2 penalty pulls
   it back to the scheme: it keeps what a trained scheme head knows (a head fitted from scratch
   on 48 rows forgets it). It competes with the blend of 1 and 2 by cross-validation on the
   labelled rows (:func:`choose_method`); on request (``finetune=True``), so does the same
   correction on the embeddings of an encoder fine-tuned contrastively on the labelled rows
   (:mod:`stance.finetune`, SetFit-style). No change (method ``"none"``) competes too and wins ties.

The fitted state is a few numbers and vectors per label, stored as JSON (no pickle), and a tuned
encoder as safetensors beside it. How much it helps: :func:`stance.learning.learning_curve`,
``benchmarks/adaptation.py`` and ``benchmarks/fewshot_targets.py``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from stance.errors import InputError, choices

WEIGHTS = (0.0, 0.125, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
SCALE = 30.0
MARGIN = 1.0  # standard errors by which a stage must beat not adapting in leave-one-out likelihood
PRIOR = 1.0  # weight of the pull of the recalibration towards a = 1, c = 0 (in labelled statements)
FORMAT = "stance-fewshot/4"
FORMATS = ("stance-fewshot/1", "stance-fewshot/2", "stance-fewshot/3", FORMAT)  # older: a = 1, c = 0; "blend"
RESIDUAL_L2 = (1.0, 3.0, 10.0, 30.0)  # penalties tried for the correction to log p0 (method "residual")
HEAD_MIN_PER_LABEL = 8  # below this, only the blend is fitted (too few rows to cross-validate a head)
CV_FOLDS = 4


def _normalise(m: np.ndarray) -> np.ndarray:
    return m / np.maximum(np.linalg.norm(m, axis=-1, keepdims=True), 1e-12)


def blend(p0: np.ndarray, sims: np.ndarray, weight: float, scale: float = SCALE) -> np.ndarray:
    """Zero-shot probabilities ``p0`` (n, k) adapted by prototype similarities ``sims`` (n, k).

    >>> blend(np.array([[0.5, 0.5]]), np.array([[0.9, 0.1]]), 0.0)
    array([[0.5, 0.5]])
    >>> bool(blend(np.array([[0.5, 0.5]]), np.array([[0.9, 0.1]]), 1.0)[0, 0] > 0.99)
    True
    """
    z = np.log(np.clip(p0, 1e-12, 1.0)) + weight * scale * (sims - sims.mean(axis=1, keepdims=True))
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def recalibrate(p0: np.ndarray, temperature: float, bias: np.ndarray) -> np.ndarray:
    """``softmax(temperature * log p0 + bias)``, row by row.

    >>> recalibrate(np.array([[0.5, 0.5]]), 1.0, np.array([0.0, 0.0]))
    array([[0.5, 0.5]])
    >>> recalibrate(np.array([[0.8, 0.2]]), 0.0, np.array([0.0, np.log(3)])).round(3)
    array([[0.25, 0.75]])
    """
    z = temperature * np.log(np.clip(p0, 1e-12, 1.0)) + np.asarray(bias, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_recalibration(p0: np.ndarray, y: np.ndarray, prior: float = PRIOR,
                      start: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Maximum-likelihood temperature and centred biases of :func:`recalibrate` for rows ``p0``
    with label indices ``y``; ``prior`` pseudo-statements' worth of a pull towards (1, 0).

    >>> p0 = np.array([[0.6, 0.4], [0.55, 0.45], [0.5, 0.5], [0.45, 0.55]])  # label 1 under-scored
    >>> a, c = fit_recalibration(p0, np.array([0, 1, 1, 1]))
    >>> bool(c[1] > c[0])
    True
    """
    from scipy.optimize import minimize

    logp = np.log(np.clip(p0, 1e-12, 1.0))
    n, k = logp.shape
    onehot = np.eye(k)[np.asarray(y, dtype=int)]

    def loss(theta):
        a, c = theta[0], theta[1:]
        z = a * logp + c
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        value = -np.sum(np.log(np.clip((p * onehot).sum(axis=1), 1e-300, 1))) + prior / 2 * ((a - 1) ** 2 + c @ c)
        residual = p - onehot
        grad = np.r_[np.sum(residual * logp) + prior * (a - 1), residual.sum(axis=0) + prior * c]
        return value, grad

    theta0 = np.r_[1.0, np.zeros(k)] if start is None else start
    theta = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=[(0.0, 100.0)] + [(-30.0, 30.0)] * k).x
    return float(theta[0]), theta[1:] - theta[1:].mean()


def choose_recalibration(p0: np.ndarray, y: np.ndarray, margin: float = MARGIN,
                         prior: float = PRIOR) -> tuple[float, np.ndarray]:
    """The recalibration fitted on all labelled rows if, in leave-one-out, it beats the zero-shot
    probabilities by more than ``margin`` standard errors of the per-row log-likelihood gain;
    else the identity (``1.0``, zeros). ``margin=-inf``: always recalibrate.

    >>> y = np.repeat([0, 1], 8)
    >>> p0 = np.where(y[:, None] == 0, [0.8, 0.2], [0.6, 0.4])  # label 1 under-scored: always lost
    >>> float((p0.argmax(1) == y).mean())
    0.5
    >>> a, c = choose_recalibration(p0, y)
    >>> float((recalibrate(p0, a, c).argmax(1) == y).mean())
    1.0
    """
    y = np.asarray(y, dtype=int)
    if margin == np.inf:
        return 1.0, np.zeros(p0.shape[1])
    full = fit_recalibration(p0, y, prior)
    if margin == -np.inf:
        return full
    start = np.r_[full[0], full[1]]
    gain = np.empty(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        a, c = fit_recalibration(p0[keep], y[keep], prior, start=start)
        gain[i] = np.log(recalibrate(p0[i:i + 1], a, c)[0, y[i]]) - np.log(max(p0[i, y[i]], 1e-12))
    if gain.mean() > margin * gain.std(ddof=1) / np.sqrt(len(y)):
        return full
    return 1.0, np.zeros(p0.shape[1])


@dataclass
class FewShot:
    """A scheme's few-shot state: label order, prototypes, blend weight and provenance."""

    scheme: str
    labels: list[str]
    model: str
    prototypes: np.ndarray
    weight: float
    scale: float = SCALE
    n_per_label: dict = field(default_factory=dict)
    loo_accuracy: dict = field(default_factory=dict)
    temperature: float = 1.0  # recalibration: softmax(temperature * log p0 + bias)
    bias: list = field(default_factory=list)  # one per label; empty: none
    method: str = "blend"  # "blend", "residual", "finetune" (residual on a tuned encoder), "none", "head" (format 3)
    head: dict = field(default_factory=dict)  # the head's arrays (mean, scale, weight, bias) and l2
    cv: dict = field(default_factory=dict)  # cross-validated macro-F1 of each candidate method
    encoder_file: str = ""  # method "finetune": the tuned encoder's weights (safetensors) and their SHA-256
    encoder_sha256: str = ""
    encoder: object = field(default=None, repr=False, compare=False)  # the tuned encoder, once fitted or loaded

    def embed(self, texts: list[str], backend) -> np.ndarray:
        """The embeddings :meth:`adapt` reads: the backend's, or the fine-tuned encoder's."""
        if self.method != "finetune":
            return backend.encode(texts, progress=False)
        from stance.finetune import load_encoder

        if self.encoder is None:
            self.encoder = load_encoder(backend.model, self.encoder_file, self.encoder_sha256)
        return backend.encode(texts, progress=False, model=self.encoder)

    def adapt(self, p0: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        """Adapted probabilities for texts with zero-shot probabilities ``p0`` and these embeddings."""
        fitted = {"method": self.method, "head": {k: np.asarray(v, dtype=float) for k, v in self.head.items()},
                  "temperature": self.temperature, "bias": self.bias or np.zeros(p0.shape[1]),
                  "prototypes": self.prototypes, "weight": self.weight}
        return adapted_probabilities(fitted, p0, embeddings, self.scale)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "scheme": self.scheme, "labels": self.labels, "model": self.model,
                "weight": self.weight, "scale": self.scale, "n_per_label": self.n_per_label,
                "loo_accuracy": self.loo_accuracy, "temperature": self.temperature,
                "bias": [float(b) for b in self.bias], "method": self.method, "cv": self.cv,
                "encoder_file": self.encoder_file, "encoder_sha256": self.encoder_sha256,
                "head": {k: (np.round(np.asarray(v, dtype=float), 7).tolist() if k != "l2" else v)
                         for k, v in self.head.items()},
                "prototypes": np.round(self.prototypes, 7).tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "FewShot":
        if d.get("format") not in FORMATS:
            raise InputError(f"not a stance few-shot file (format {d.get('format')!r}, expected {FORMAT!r})")
        return cls(d["scheme"], list(d["labels"]), d["model"], np.asarray(d["prototypes"], dtype=float),
                   float(d["weight"]), float(d["scale"]), dict(d.get("n_per_label", {})),
                   dict(d.get("loo_accuracy", {})), float(d.get("temperature", 1.0)),
                   [float(b) for b in d.get("bias", [])], d.get("method", "blend"), dict(d.get("head", {})),
                   dict(d.get("cv", {})), d.get("encoder_file", ""), d.get("encoder_sha256", ""))

    def summary(self) -> dict:
        """What a results table's provenance records."""
        return {k: v for k, v in self.to_dict().items() if k not in ("prototypes", "head")}


def fit_arrays(p0: np.ndarray, embeddings: np.ndarray, y: np.ndarray, n_labels: int,
               weights=WEIGHTS, scale: float = SCALE, margin: float = MARGIN) -> tuple[np.ndarray, float, dict]:
    """Prototypes (n_labels, d), the blend weight, and leave-one-out accuracy per weight.

    ``p0``: zero-shot probabilities of the labelled rows; ``embeddings``: their L2-normalised
    embeddings; ``y``: their label indices. Every label needs at least two rows. The weight
    with the best leave-one-out log-likelihood is kept only if it beats weight 0 by more than
    ``margin`` standard errors of the per-row difference (``margin=-inf``: always kept).

    >>> y = np.repeat([0, 1], 4)
    >>> emb = np.eye(2)[y] + 0.05 * np.arange(8)[:, None]
    >>> emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    >>> _, weight, _ = fit_arrays(np.full((8, 2), 0.5), emb, y, 2)
    >>> weight > 0
    True
    """
    y = np.asarray(y, dtype=int)
    sums = np.stack([embeddings[y == j].sum(axis=0) for j in range(n_labels)])
    prototypes = _normalise(sums)
    loo = np.repeat(sums[None], len(y), axis=0)  # each row's prototypes without itself
    loo[np.arange(len(y)), y] -= embeddings
    sims = np.einsum("nd,nkd->nk", embeddings, _normalise(loo))
    loglik, accuracy = {}, {}
    for w in dict.fromkeys((0.0, *weights)):
        p = blend(p0, sims, w, scale)
        loglik[w] = np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1))
        if w in weights:
            accuracy[str(w)] = float(np.mean(p.argmax(axis=1) == y))
    best = max(weights, key=lambda w: (loglik[w].mean(), -w))
    gain = loglik[best] - loglik[0.0]
    if margin > -np.inf and gain.mean() <= margin * gain.std(ddof=1) / np.sqrt(len(y)):
        best = 0.0
    return prototypes, float(best), accuracy


def adapt_arrays(p0: np.ndarray, embeddings: np.ndarray, y: np.ndarray, n_labels: int,
                 margin: float = MARGIN, weights=WEIGHTS) -> tuple[float, np.ndarray, np.ndarray, float, dict]:
    """Both stages on labelled rows: the recalibration (:func:`choose_recalibration`), then the
    prototypes on top of it (:func:`fit_arrays`). Returns ``(temperature, bias, prototypes,
    weight, leave-one-out accuracy per weight)``; :meth:`FewShot.adapt` applies them."""
    temperature, bias = choose_recalibration(p0, y, margin)
    prototypes, weight, accuracy = fit_arrays(recalibrate(p0, temperature, bias), embeddings, y, n_labels,
                                              weights, margin=margin)
    return temperature, bias, prototypes, weight, accuracy


def head_features(p0: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """The few-shot head's input: zero-shot log-probabilities beside the embedding."""
    return np.hstack([np.log(np.clip(p0, 1e-12, 1.0)), embeddings])


def fit_head(p0: np.ndarray, embeddings: np.ndarray, y: np.ndarray, n_labels: int, l2: float) -> dict:
    """A regularised softmax head over :func:`head_features` (class-balanced), as plain arrays."""
    from stance.heads import balanced_weights, fit_standardised

    mean, scale, w, b = fit_standardised(head_features(p0, embeddings), y, n_labels, l2,
                                         balanced_weights(y, n_labels))
    return {"mean": mean, "scale": scale, "weight": w, "bias": b, "l2": l2}


def head_probabilities(head: dict, p0: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    from stance.heads import softmax

    x = (head_features(p0, embeddings) - head["mean"]) / head["scale"]
    return softmax(x @ head["weight"] + head["bias"])


def fit_residual(p0: np.ndarray, embeddings: np.ndarray, y: np.ndarray, n_labels: int, l2: float) -> dict:
    """A correction to the zero-shot log-probabilities learnt from the embeddings:
    ``softmax(log p0 + embedding @ w + b)`` (class-balanced, standardised), as plain arrays. The
    L2 penalty on ``w`` pulls it back to the zero-shot scheme (up to the per-label biases ``b``,
    which are free: label baselines are what a new corpus shifts first), so a few labelled rows
    move a trained scheme's head only as far as they clearly show; a head fitted from scratch
    forgets it.

    >>> y = np.repeat([0, 1], 8); emb = np.eye(2)[y] + 0.1 * np.arange(16)[:, None]
    >>> p0 = np.full((16, 2), 0.5)
    >>> strong, weak = (fit_residual(p0, emb, y, 2, l2) for l2 in (1e6, 0.1))
    >>> residual_probabilities(strong, p0, emb).round(2)[0].tolist(), residual_probabilities(weak, p0, emb).argmax(1).tolist() == y.tolist()
    ([0.5, 0.5], True)
    """
    from stance.heads import balanced_weights, fit_standardised

    mean, scale, w, b = fit_standardised(embeddings, y, n_labels, l2, balanced_weights(y, n_labels),
                                         offset=np.log(np.clip(p0, 1e-12, 1.0)))
    return {"mean": mean, "scale": scale, "weight": w, "bias": b, "l2": l2}


def residual_probabilities(head: dict, p0: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    from stance.heads import softmax

    x = (embeddings - head["mean"]) / head["scale"]
    return softmax(np.log(np.clip(p0, 1e-12, 1.0)) + x @ head["weight"] + head["bias"])


def choose_method(p0: np.ndarray, embeddings: np.ndarray, y: np.ndarray, n_labels: int,
                  margin: float = MARGIN, weights=WEIGHTS, tune=None) -> tuple[str, float | None, dict]:
    """Which adaptation to keep, by stratified cross-validation (:data:`CV_FOLDS` folds) on the
    labelled rows: the blend (:func:`adapt_arrays`) or a correction to the zero-shot scores
    (:func:`fit_residual`) with one of :data:`RESIDUAL_L2`, on the embeddings or, when ``tune``
    is given, also on those of an encoder fine-tuned on each fold's training rows (``tune(rows)``
    returns the tuned encoder and the embeddings of all labelled rows under it), or no change (``"none"``).
    Returns ``(method, l2, cv)``, ``cv`` mapping each candidate to its cross-validated macro-F1; with fewer
    than :data:`HEAD_MIN_PER_LABEL` rows for some label, the blend. Ties go to no change, then to the
    blend, then to the packaged encoder, then to the strongest pull."""
    from stance.evaluate import macro_f1
    from stance.heads import stratified_folds

    y = np.asarray(y, dtype=int)
    if np.bincount(y, minlength=n_labels).min() < HEAD_MIN_PER_LABEL:
        return "blend", None, {}
    fold = stratified_folds(y, CV_FOLDS)
    methods = ("residual", "finetune") if tune is not None else ("residual",)
    pred = {"none": p0.argmax(1), "blend": np.empty(len(y), dtype=int),
            **{f"{m} l2={l2}": np.empty(len(y), dtype=int) for m in methods for l2 in RESIDUAL_L2}}
    for f in range(CV_FOLDS):
        tr, te = fold != f, fold == f
        temperature, bias, protos, weight, _ = adapt_arrays(p0[tr], embeddings[tr], y[tr], n_labels, margin, weights)
        pred["blend"][te] = blend(recalibrate(p0[te], temperature, bias), embeddings[te] @ protos.T, weight).argmax(1)
        for m in methods:
            emb = embeddings if m == "residual" else tune(np.flatnonzero(tr))[1]
            for l2 in RESIDUAL_L2:
                head = fit_residual(p0[tr], emb[tr], y[tr], n_labels, l2)
                pred[f"{m} l2={l2}"][te] = residual_probabilities(head, p0[te], emb[te]).argmax(1)
    cv = {name: round(macro_f1(y, p, labels=list(range(n_labels))), 4) for name, p in pred.items()}
    cost = {"none": -1, "blend": 0, "residual": 1, "finetune": 2}
    best = max(cv, key=lambda name: (cv[name], -cost[name.split()[0]], float(name.partition("=")[2] or 0)))
    return (best, None, cv) if best in ("none", "blend") else (best.split()[0], float(best.split("=")[1]), cv)


def adapt_any(p0: np.ndarray, embeddings: np.ndarray, y: np.ndarray, n_labels: int, margin: float = MARGIN,
              weights=WEIGHTS, tune=None) -> dict:
    """The adaptation :func:`choose_method` picks, fitted on all labelled rows, as :class:`FewShot` fields
    (``method``, ``head``, ``cv``, the blend's numbers, and ``encoder``: the tuned one for ``"finetune"``)."""
    method, l2, cv = choose_method(p0, embeddings, y, n_labels, margin, weights, tune)
    temperature, bias, prototypes, weight, accuracy = adapt_arrays(p0, embeddings, y, n_labels, margin, weights)
    encoder, head = None, {}
    if method == "none":  # an identity blend (readers of format 4 apply it so): the scheme as it is
        temperature, bias, weight = 1.0, np.zeros(n_labels), 0.0
    elif method == "finetune":
        encoder, tuned = tune(np.arange(len(y)))
        head = fit_residual(p0, tuned, y, n_labels, l2)
    elif method == "residual":
        head = fit_residual(p0, embeddings, y, n_labels, l2)
    return {"method": method, "head": head, "cv": cv, "temperature": temperature, "bias": [float(b) for b in bias],
            "prototypes": prototypes, "weight": weight, "loo_accuracy": accuracy, "encoder": encoder}


def adapted_probabilities(fitted: dict, p0: np.ndarray, embeddings: np.ndarray, scale: float = SCALE) -> np.ndarray:
    """Probabilities under the fields :func:`adapt_any` returns (or a :class:`FewShot`'s); for the
    method ``"finetune"``, ``embeddings`` are the tuned encoder's (:meth:`FewShot.embed`)."""
    if fitted["method"] in ("residual", "finetune"):
        return residual_probabilities(fitted["head"], p0, embeddings)
    if fitted["method"] == "head":  # files of format 3
        return head_probabilities(fitted["head"], p0, embeddings)
    return blend(recalibrate(p0, fitted["temperature"], np.asarray(fitted["bias"], dtype=float)),
                 embeddings @ fitted["prototypes"].T, fitted["weight"], scale)


def _labelled(clf, data, scheme, gold: str, text_col: str):
    """The scheme, the usable labelled rows, their label indices and counts per label."""
    from stance.io.tables import as_table

    sch = clf.resolve_scheme(scheme)
    if sch.multi_label:
        raise InputError(f"few-shot adaptation is for single-label schemes; {sch.name!r} is multi-label")
    table = as_table(data, text_col)
    if gold not in table.columns:
        raise InputError(f"no gold column {gold!r}; the columns are {choices(table.columns)}")
    table = table[table[gold].notna() & table[text_col].map(lambda t: isinstance(t, str) and bool(t.strip()))]
    names = list(sch.label_names)
    unknown = sorted(set(table[gold].astype(str)) - set(names))
    if unknown:
        raise InputError(f"gold labels {choices(unknown)} are not in scheme {sch.name!r}: {choices(names)}")
    y = np.array([names.index(v) for v in table[gold].astype(str)], dtype=int)
    clf.load()
    if clf.backend_.kind != "embedding":
        raise InputError("few-shot adaptation needs the embedding backend (e.g. the default Classifier())")
    return sch, table, y, np.bincount(y, minlength=len(names))


def _zero_shot(clf, sch, table, target_col, text_col) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Zero-shot probabilities and embeddings of the rows of ``table``, and their texts as embedded."""
    zero = clf.zero_shot().classify(table, sch, target_col=target_col, text_col=text_col, progress=False)
    p0 = zero[[f"{sch.name}_p_{n}" for n in sch.label_names]].to_numpy(dtype=float)
    from stance.core import normalise_text  # the texts as the core embeds them when it adapts

    texts = [normalise_text(t) for t in table[text_col]]
    return p0, clf.backend_.encode(texts, progress=False), texts


def fit(clf, data, scheme="stance", *, gold: str, target_col: str | None = None, text_col: str = "text",
        weights=WEIGHTS, margin: float = MARGIN, finetune: bool = False) -> FewShot:
    """Fit a :class:`FewShot` for ``scheme`` on labelled rows (see :meth:`stance.Classifier.fit`);
    ``margin`` as in :func:`choose_recalibration` and :func:`fit_arrays`."""
    from stance.finetune import tuner

    sch, table, y, counts = _labelled(clf, data, scheme, gold, text_col)
    names = list(sch.label_names)
    if counts.min() < 2:
        raise InputError(f"few-shot needs at least 2 labelled statements per label; got "
                         f"{dict(zip(names, counts.tolist()))}")
    if finetune and counts.min() < HEAD_MIN_PER_LABEL:
        raise InputError(f"finetune=True needs at least {HEAD_MIN_PER_LABEL} labelled statements per label, to "
                         f"cross-validate it; got {dict(zip(names, counts.tolist()))}: label more, or drop finetune")
    p0, emb, texts = _zero_shot(clf, sch, table, target_col, text_col)
    tune = tuner(clf.backend_, texts, y, clf.progress) if finetune else None
    fitted = adapt_any(p0, emb, y, len(names), margin, weights, tune)
    state = FewShot(sch.name, names, clf.backend_.name, fitted["prototypes"], fitted["weight"], SCALE,
                    dict(zip(names, counts.tolist())), fitted["loo_accuracy"], fitted["temperature"],
                    fitted["bias"], fitted["method"], fitted["head"], fitted["cv"])
    state.encoder = fitted["encoder"]
    return state


def save(states: dict[str, FewShot], path: str | Path) -> Path:
    """Write fitted few-shot states to a JSON file; a fine-tuned encoder goes beside it, as
    ``<name>.<scheme>.safetensors``, and its state points there from then on (for Dask workers)."""
    from stance.finetune import keep_encoder
    from stance.io import write_text

    path, payload = Path(path), {}
    for name, state in states.items():
        payload[name] = state.to_dict()
        if state.method == "finetune":
            weights = path.with_name(f"{path.stem}.{name}.safetensors")
            state.encoder_sha256, state.encoder_file = keep_encoder(state, weights), str(weights.resolve())
            payload[name].update(encoder_file=weights.name, encoder_sha256=state.encoder_sha256)
    return write_text(path, json.dumps({"format": FORMAT, "schemes": payload}))


def load(path: str | Path) -> dict[str, FewShot]:
    """Read few-shot states written by :func:`save`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"few-shot file {str(path)!r} does not exist: check the path")
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"few-shot file {str(path)!r} is not valid JSON: {exc}") from None
    if d.get("format") not in FORMATS:
        raise InputError(f"{str(path)!r} is not a stance few-shot file (format {d.get('format')!r})")
    states = {k: FewShot.from_dict(v) for k, v in d["schemes"].items()}
    for state in states.values():
        if state.encoder_file:  # found next to the JSON file, wherever it was moved to
            state.encoder_file = str(path.parent / state.encoder_file)
    return states
