"""Accuracy of the default model through `stance classify`, on the synthetic dev sets.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/accuracy.py

The shipped calibrations were fitted on these same dev sets (n_labels + 1 numbers per
scheme), so these figures are in-sample; benchmarks/calibrate.py prints the cross-fitted
ones (fit on one set, score the other), which are the honest estimate for new statements.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from stance.evaluate import macro_f1

ROOT = Path(__file__).resolve().parent.parent


def classify(path: Path, out: Path) -> pd.DataFrame:
    subprocess.run([sys.executable, "-m", "stance.cli", "classify", str(path), "--scheme", "stance", "--scheme",
                    "tone", "--target-col", "target", "--out", str(out), "--quiet"], check=True)
    return pd.read_csv(out)


def main() -> dict[str, dict[str, float]]:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("synthetic_a.csv", "synthetic_b.csv"):
            out = classify(ROOT / "data" / "dev" / name, Path(tmp) / name)
            results[name] = {s: macro_f1(out[f"gold_{s}"], out[s]) for s in ("stance", "tone")}
    for name, scores in results.items():
        print(f"{name}: stance macro-F1 {scores['stance']:.3f}, tone macro-F1 {scores['tone']:.3f}")
    return results


if __name__ == "__main__":
    main()
