"""The domain of the trained heads: where they apply, and what falls back to the zero-shot scores.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/head_domain.py           # figures
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/head_domain.py --write   # ... and store the domain in both heads

The heads of the built-in ``stance`` and ``tone`` schemes were trained on official and
state-media statements (``data/real``, dev split) and the synthetic dev sets. Their domain
(:func:`stance.heads.fit_domain`) is 512 centroids of those statements' embeddings and the
similarity that 99% of them reach to centroids fitted without them (cross-fitted); a statement
below it gets the scheme's calibrated zero-shot scores (:meth:`stance.heads.Head.in_domain`).

Printed: the threshold; the share of each corpus that falls outside (real dev rows cross-fitted,
the synthetic sets, and the dev targets of ``data/adapt_civic``); and on those civic dev rows the
macro-F1 of the head, of the zero-shot scores and of the two joined by the domain. The held-out
rows of ``data/real`` and of ``data/adapt_civic`` are not read (``validity.py`` and
``adaptation.py`` score them).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import train_heads as th  # noqa: E402

from stance import Classifier  # noqa: E402
from stance.core import normalise_text  # noqa: E402
from stance.evaluate import macro_f1  # noqa: E402
from stance.heads import domain_similarity, fit_domain, load_head, save_head  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the domain in stance/schemes/heads/*.safetensors")
    args = parser.parse_args()
    clf = Classifier(progress=False)
    backend = clf.load().backend_
    encode = lambda texts: backend.encode([normalise_text(t) for t in texts], progress=False)  # noqa: E731
    dev, synthetic = th.load_rows()
    trained_on = encode([*dev["text"], *synthetic["text"]])
    centroids, threshold = fit_domain(trained_on)
    print(f"domain: {len(centroids)} centroids of {len(trained_on)} training statements ({len(dev)} real dev, "
          f"{len(synthetic)} synthetic); threshold {threshold:.3f} (1% of them fall below, cross-fitted)")
    civic = pd.read_csv(ROOT / "data" / "adapt_civic" / "adapt.csv", dtype=str, keep_default_na=False)
    civic = civic[civic["split"] == "dev"].reset_index(drop=True)  # its held-out targets stay unread
    synthetic_c = pd.read_csv(ROOT / "data" / "dev" / "synthetic_c.csv", dtype=str)
    inside = {name: domain_similarity(centroids, encode(list(texts))) >= threshold
              for name, texts in (("synthetic a + b", synthetic["text"]), ("synthetic c", synthetic_c["text"]),
                                  ("adapt_civic dev", civic["text"]))}
    for name, rows in inside.items():
        print(f"  {name:<16} {len(rows):4d} statements, {1 - rows.mean():.3f} outside")
    for scheme in ("stance", "tone"):
        sch = clf.resolve_scheme(scheme)
        target = "target" if sch.target_aware else None
        trained = sch.head(backend.name)  # on every row, whatever its domain
        features = th.blocks(clf, civic, scheme, set(trained.groups))
        p = trained.probabilities(np.hstack([features[g] for g in trained.groups]))
        head = pd.Series(np.array(trained.labels)[p.argmax(1)], index=civic.index)
        zero = clf.classify(civic, replace(sch, heads={}), target_col=target)[scheme]
        joined = head.where(inside["adapt_civic dev"], zero)
        labels = list(sch.label_names)
        f1 = {name: macro_f1(civic[f"gold_{scheme}"], pred, labels=labels)
              for name, pred in (("head", head), ("zero-shot", zero), ("by domain", joined))}
        print(f"  adapt_civic dev {scheme}: " + ", ".join(f"{k} {v:.3f}" for k, v in f1.items()))
    if args.write:
        for scheme in ("stance", "tone"):
            path = th.HEADS / f"{scheme}.all-MiniLM-L6-v2.safetensors"
            head = load_head(path)
            domain = {"centroids": len(centroids), "quantile": 0.01, "threshold": threshold,
                      "fitted_on": f"{len(dev)} real dev + {len(synthetic)} synthetic", "script": "benchmarks/head_domain.py"}
            info = {**(head.info or {}), "domain": domain}
            save_head(replace(head, domain=centroids, domain_threshold=threshold, info=info), path)
            print(f"wrote the domain into {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
