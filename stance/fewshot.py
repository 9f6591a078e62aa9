"""Few-shot adaptation of the embedding backend with a handful of labelled statements.

Each label gets a prototype: the normalised mean embedding of its labelled statements.
A statement's adapted log-probabilities are its zero-shot ones plus
``weight * scale * (similarity to each prototype, centred)``, so with ``weight = 0`` the
classifier is the zero-shot one. ``weight`` is chosen by leave-one-out likelihood on the
labelled statements themselves (each left out of its own prototype), from :data:`WEIGHTS`.
The fitted state is a few numbers and one vector per label, stored as JSON (no pickle).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from stance.errors import InputError, choices

WEIGHTS = (0.0, 0.125, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
SCALE = 30.0
FORMAT = "stance-fewshot/1"


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

    def adapt(self, p0: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        """Adapted probabilities for texts with zero-shot probabilities ``p0`` and these embeddings."""
        return blend(p0, embeddings @ self.prototypes.T, self.weight, self.scale)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "scheme": self.scheme, "labels": self.labels, "model": self.model,
                "weight": self.weight, "scale": self.scale, "n_per_label": self.n_per_label,
                "loo_accuracy": self.loo_accuracy, "prototypes": np.round(self.prototypes, 7).tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "FewShot":
        if d.get("format") != FORMAT:
            raise InputError(f"not a stance few-shot file (format {d.get('format')!r}, expected {FORMAT!r})")
        return cls(d["scheme"], list(d["labels"]), d["model"], np.asarray(d["prototypes"], dtype=float),
                   float(d["weight"]), float(d["scale"]), dict(d.get("n_per_label", {})),
                   dict(d.get("loo_accuracy", {})))

    def summary(self) -> dict:
        """What a results table's provenance records."""
        return {k: v for k, v in self.to_dict().items() if k != "prototypes"}


def fit_arrays(p0: np.ndarray, embeddings: np.ndarray, y: np.ndarray, n_labels: int,
               weights=WEIGHTS, scale: float = SCALE) -> tuple[np.ndarray, float, dict]:
    """Prototypes (n_labels, d), the blend weight, and leave-one-out accuracy per weight.

    ``p0``: zero-shot probabilities of the labelled rows; ``embeddings``: their L2-normalised
    embeddings; ``y``: their label indices. Every label needs at least two rows.
    """
    y = np.asarray(y, dtype=int)
    sums = np.stack([embeddings[y == j].sum(axis=0) for j in range(n_labels)])
    prototypes = _normalise(sums)
    loo = np.repeat(sums[None], len(y), axis=0)  # each row's prototypes without itself
    loo[np.arange(len(y)), y] -= embeddings
    sims = np.einsum("nd,nkd->nk", embeddings, _normalise(loo))
    best, best_ll, accuracy = 0.0, -np.inf, {}
    for w in weights:
        p = blend(p0, sims, w, scale)
        ll = float(np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1))))
        accuracy[str(w)] = float(np.mean(p.argmax(axis=1) == y))
        if ll > best_ll + 1e-9:
            best, best_ll = float(w), ll
    return prototypes, best, accuracy


def fit(clf, data, scheme="stance", *, gold: str, target_col: str | None = None, text_col: str = "text",
        weights=WEIGHTS) -> FewShot:
    """Fit a :class:`FewShot` for ``scheme`` on labelled rows (see :meth:`stance.Classifier.fit`)."""
    from stance.classifier import as_table

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
    y = np.array([names.index(v) for v in table[gold].astype(str)])
    counts = np.bincount(y, minlength=len(names))
    if counts.min() < 2:
        raise InputError(f"few-shot needs at least 2 labelled statements per label; got "
                         f"{dict(zip(names, counts.tolist()))}")
    clf.load()
    if clf.backend_.kind != "embedding":
        raise InputError("few-shot adaptation needs the embedding backend (e.g. the default Classifier())")
    zero = clf.classify(table, sch, target_col=target_col, text_col=text_col, progress=False, _zero_shot=True)
    p0 = zero[[f"{sch.name}_p_{n}" for n in names]].to_numpy(dtype=float)
    emb = clf.backend_.encode(table[text_col].tolist(), progress=False)
    prototypes, weight, accuracy = fit_arrays(p0, emb, y, len(names), weights)
    return FewShot(sch.name, names, clf.backend_.name, prototypes, weight, SCALE,
                   dict(zip(names, counts.tolist())), accuracy)


def save(states: dict[str, FewShot], path: str | Path) -> Path:
    """Write fitted few-shot states to a JSON file."""
    path = Path(path)
    path.write_text(json.dumps({"format": FORMAT, "schemes": {k: v.to_dict() for k, v in states.items()}}),
                    encoding="utf-8")
    return path


def load(path: str | Path) -> dict[str, FewShot]:
    """Read few-shot states written by :func:`save`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"few-shot file {str(path)!r} does not exist: check the path")
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"few-shot file {str(path)!r} is not valid JSON: {exc}") from None
    if d.get("format") != FORMAT:
        raise InputError(f"{str(path)!r} is not a stance few-shot file (format {d.get('format')!r})")
    return {k: FewShot.from_dict(v) for k, v in d["schemes"].items()}
