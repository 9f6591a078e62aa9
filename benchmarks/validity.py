"""Validity on real text: the held-out real statements through `stance classify`, beside the synthetic sets.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/validity.py [--fewshot]

For the `stance` and `tone` schemes with the default model it prints, per evaluation set:
macro-F1 with a 95% bootstrap interval, accuracy, per-class precision / recall / F1, the
confusion table, the expected calibration error (ECE) of ``S_confidence``, and how many rows
``S_review`` flags (with the accuracy of the rest). The real held-out split
(``data/real/real.csv``, ``split == "heldout"``) is never used for training or choosing: it is
scored once per shipped change; its SHA-256 is checked against the data card first. Beside it:
the cross-validated estimate on the real dev rows (stored with each head by
``benchmarks/train_heads.py``), the coders' agreement (the ceiling), and the synthetic dev sets.
``--fewshot`` adds learning curves of :meth:`stance.Classifier.fit` on a target held out of
the real dev rows.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "data" / "real"))

from build import heldout_sha256, recorded_heldout_sha256  # noqa: E402

from stance.evaluate import evaluate, expected_calibration_error  # noqa: E402
from stance.schemes import load_scheme  # noqa: E402

SCHEMES = ("stance", "tone")


def classify(table: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Labels from the CLI, as a user gets them."""
    src, out = folder / "in.csv", folder / "out.csv"
    table[["id", "text", "target"]].to_csv(src, index=False)
    subprocess.run([sys.executable, "-m", "stance.cli", "classify", str(src), "--scheme", "stance", "--scheme",
                    "tone", "--target-col", "target", "--out", str(out), "--quiet"], check=True)
    return pd.read_csv(out, dtype={"id": str}, keep_default_na=False, na_values=[""])


def score(name: str, table: pd.DataFrame, results: pd.DataFrame, scheme: str, details: bool) -> dict:
    labels = list(load_scheme(scheme).label_names)
    gold = table[f"gold_{scheme}"].where(table[f"gold_{scheme}"].isin(labels)).to_numpy()
    pred = results[scheme].to_numpy()
    ev = evaluate((gold, pred), labels=labels, n_boot=2000, seed=0)
    keep = pd.notna(gold)
    conf = results[f"{scheme}_confidence"].to_numpy(dtype=float)[keep]
    right = (pred[keep] == gold[keep])
    ece = expected_calibration_error(conf, right)
    review = results[f"{scheme}_review"].astype(str).str.lower().eq("true").to_numpy()[keep]
    low, high = ev.ci.loc["macro_f1"]
    print(f"{name:<34} {scheme:<6} n={ev.n:<4} macro-F1 {ev.macro_f1:.3f} [{low:.3f}, {high:.3f}]  "
          f"accuracy {ev.accuracy:.3f}  ECE {ece:.3f}  mean confidence {np.nanmean(conf):.3f}  "
          f"review {review.sum()}/{len(review)} (accuracy of the rest {right[~review].mean():.3f})")
    if details:
        print(ev.per_label.round(3).to_string())
        print(ev.confusion.to_string())
        print()
    return {"n": ev.n, "macro_f1": ev.macro_f1, "ci": [low, high], "accuracy": ev.accuracy, "ece": ece,
            "per_label_f1": ev.per_label["f1"].round(3).to_dict(), "review": int(review.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fewshot", action="store_true", help="also print few-shot learning curves (slow)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    real = pd.read_csv(ROOT / "data" / "real" / "real.csv", dtype=str, keep_default_na=False)
    sha = heldout_sha256(real)
    if sha != recorded_heldout_sha256():
        sys.exit(f"the held-out split's SHA-256 {sha} differs from the data card's: the split was changed")
    heldout = real[real["split"] == "heldout"].reset_index(drop=True)
    sets = {"real held-out (never tuned on)": heldout}
    for s in "abc":
        sets[f"synthetic_{s}" + (" (synthetic held-out)" if s == "c" else "")] = pd.read_csv(
            ROOT / "data" / "dev" / f"synthetic_{s}.csv", dtype=str, keep_default_na=False)
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in sets.items():
            results = classify(table, Path(tmp))
            for scheme in SCHEMES:
                figures[f"{name}/{scheme}"] = score(name, table, results, scheme, details=name.startswith("real"))
    print("\nFor comparison, the same held-out rows without the trained heads (the zero-shot scoring of scheme v1):")
    from dataclasses import replace

    from stance import Classifier

    clf = Classifier(progress=False, cache=False)
    for scheme in SCHEMES:
        bare = replace(load_scheme(scheme), heads={})
        out = clf.classify(heldout[["id", "text", "target"]], bare, target_col="target" if bare.target_aware else None)
        figures[f"zero-shot v1/{scheme}"] = score("real held-out, zero-shot v1", heldout, out, scheme, details=False)
    print("\nCross-validated estimate on the real dev rows (5-fold x2; benchmarks/train_heads.py):")
    for scheme in SCHEMES:
        head = load_scheme(scheme).head("sentence-transformers/all-MiniLM-L6-v2")
        if head is not None:
            print(f"  {scheme:<6} macro-F1 {head.info['cv']['macro_f1']:.3f}  ECE {head.info['cv']['ece']:.3f}  "
                  f"({head.info['trained_on']['real_dev_rows']} real dev rows)")
    agreement = ROOT / "data" / "real" / "agreement.json"
    if agreement.is_file():
        print("Coder agreement (the ceiling):", json.loads(agreement.read_text()))
    if args.fewshot:
        from fewshot_real import print_curves

        print_curves(real[real["split"] == "dev"].reset_index(drop=True))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=float))


if __name__ == "__main__":
    main()
