"""How much labels depend on the wording of a scheme's hypotheses.

A scheme gives each label several hypothesis phrasings. :func:`sensitivity` reruns the
scheme once per phrasing: in that variant, the phrasing's label is represented by that
phrasing alone, every other label keeps all of its own. A statement "flips" under a variant
when its label differs from the full scheme's (for a multi-label scheme: when its set of
labels differs). A finding that rests on statements that flip under one rewording is fragile.

Backends:

* NLI: the variant's label is scored by the entailment of that one hypothesis, as the
  zero-shot pipeline would score a one-template label.
* Embedding: only the label's *hypotheses* are phrasings; its *prototypes* (example
  statements in the genre's own voice, which carry most of the embedding backend's score)
  are kept in every variant, and so is the model's calibration. The embedding backend is
  therefore measured on what a user rewording the hypotheses would change.

Few-shot adaptation (:meth:`stance.Classifier.fit`) is not applied: this measures the
zero-shot scheme.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from stance.errors import InputError

PHRASING_COLUMNS = ["label", "phrasing", "hypothesis", "changed", "n_changed", "n"]


def variants(scheme) -> list[tuple[str, int, str, object]]:
    """``(label, phrasing index, hypothesis, variant scheme)`` for each hypothesis of each label.

    >>> from stance.schemes import load_scheme
    >>> [(label, i) for label, i, _, _ in variants(load_scheme("stance"))][:3]
    [('favor', 0), ('favor', 1), ('favor', 2)]
    >>> variants(load_scheme("stance"))[0][3].labels[0].hypotheses
    ('The speaker supports {target}.',)
    """
    out = []
    for j, label in enumerate(scheme.labels):
        for i, hypothesis in enumerate(label.hypotheses):
            labels = list(scheme.labels)
            labels[j] = replace(label, hypotheses=(hypothesis,))
            out.append((label.name, i, hypothesis, replace(scheme, labels=tuple(labels))))
    return out


@dataclass
class Sensitivity:
    """The result of :func:`sensitivity`.

    ``phrasings``: one row per phrasing (``label``, ``phrasing`` index, ``hypothesis``,
    ``changed`` = share of statements whose label differs from the full scheme's,
    ``n_changed``, ``n``). ``statements``: one row per input row with the full scheme's label,
    ``n_flips`` (variants under which it changes) and ``flipped`` (under at least one), in the
    input's index. ``flip_any``: the share of labelled statements that flip under at least one
    phrasing. Rows without a label (``S_error``) are left out of the shares and have
    ``flipped`` missing.
    """

    scheme: str
    backend: str
    n: int
    flip_any: float
    phrasings: pd.DataFrame
    statements: pd.DataFrame

    def to_dict(self) -> dict:
        """A JSON-ready dict (what ``stance sensitivity --json`` prints)."""
        return {"scheme": self.scheme, "backend": self.backend, "n_statements": self.n,
                "flip_any": None if np.isnan(self.flip_any) else float(self.flip_any),
                "phrasings": [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                              for row in self.phrasings.to_dict(orient="records")]}


def sensitivity(clf, data, scheme="stance", *, target: str | None = None, target_col: str | None = None,
                text_col: str = "text", progress: bool | None = None) -> Sensitivity:
    """Rerun ``scheme`` with each hypothesis phrasing alone and measure how many labels change.

    Parameters are those of :meth:`stance.Classifier.classify`; see the module docstring for
    what a variant is on each backend.

    >>> import stance
    >>> result = sensitivity(stance.Classifier(progress=False), ["NATO is a puppet stained with blood.",
    ...                      "The meeting is on Monday."], "tone")
    >>> result.phrasings.columns.tolist()
    ['label', 'phrasing', 'hypothesis', 'changed', 'n_changed', 'n']
    >>> len(result.phrasings) == sum(len(label.hypotheses) for label in stance.load_scheme("tone").labels)
    True
    """
    from tqdm.auto import tqdm

    from stance.io.tables import as_table

    sch = clf.resolve_scheme(scheme)
    data = as_table(data, text_col)
    options = dict(target=target, target_col=target_col, text_col=text_col, progress=False)
    zero_shot = clf.zero_shot()  # the phrasings are varied on the scheme itself, not on a few-shot state
    full = zero_shot.classify(data, sch, **options)
    name = sch.name
    valid = full[f"{name}_error"].fillna("").eq("").to_numpy()
    base = full[name].fillna("").astype(str).to_numpy()
    todo = variants(sch)
    if not todo:
        raise InputError(f"scheme {name!r} has no hypotheses to vary")
    show = clf.progress if progress is None else progress
    flips = np.zeros(len(full), dtype=int)
    rows = []
    for label, i, hypothesis, variant in tqdm(todo, desc=f"{name} phrasings", disable=not show, leave=False):
        out = zero_shot.classify(data, variant, **options)
        changed = valid & (out[name].fillna("").astype(str).to_numpy() != base)
        flips += changed
        rows.append({"label": label, "phrasing": i, "hypothesis": hypothesis,
                     "changed": float(changed.sum() / valid.sum()) if valid.any() else np.nan,
                     "n_changed": int(changed.sum()), "n": int(valid.sum())})
    statements = pd.DataFrame({text_col: full[text_col], name: full[name], "n_flips": np.where(valid, flips, 0)}, index=full.index)
    statements["flipped"] = pd.array([bool(f > 0) if v else None for f, v in zip(flips, valid)], dtype="boolean")
    flip_any = float(np.mean(flips[valid] > 0)) if valid.any() else np.nan
    clf.load()
    return Sensitivity(name, clf.backend_.kind, int(valid.sum()), flip_any,
                       pd.DataFrame(rows, columns=PHRASING_COLUMNS), statements)
