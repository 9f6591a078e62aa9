"""The result columns a scheme's run adds to a table, and the provenance that goes with them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from stance.errors import InputError, choices
from stance.schemes import Scheme


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
