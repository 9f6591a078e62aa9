"""Accuracy of the default model through `stance classify`, on the synthetic dev sets.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/accuracy.py [DEV_FILE ...]

It also prints the baseline: one plain template per label ("This statement supports {target}.").

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


PLAIN = {"supports": "favor", "opposes": "against", "is neutral toward": "neutral"}


def plain_template(path: Path, out: Path) -> float:
    """Stance macro-F1 of one plain template per label, uncalibrated: the baseline."""
    subprocess.run([sys.executable, "-m", "stance.cli", "classify", str(path), "--labels", ",".join(PLAIN),
                    "--template", "This statement {} {target}.", "--target-col", "target", "--out", str(out),
                    "--quiet"], check=True)
    table = pd.read_csv(out)
    return macro_f1(table["gold_stance"], table["label"].map(PLAIN))


def main(files=("synthetic_a.csv", "synthetic_b.csv"), baseline: bool = False) -> dict[str, dict[str, float]]:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            out = classify(ROOT / "data" / "dev" / name, Path(tmp) / name)
            results[name] = {s: macro_f1(out[f"gold_{s}"], out[s]) for s in ("stance", "tone")}
            if baseline:
                results[name]["plain_template_stance"] = plain_template(ROOT / "data" / "dev" / name,
                                                                        Path(tmp) / f"plain-{name}")
    for name, scores in results.items():
        print(f"{name}: " + ", ".join(f"{k} macro-F1 {v:.3f}" for k, v in scores.items()))
    return results


if __name__ == "__main__":
    main(tuple(sys.argv[1:]) or ("synthetic_a.csv", "synthetic_b.csv"), baseline=True)
