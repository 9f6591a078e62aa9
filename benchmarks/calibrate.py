"""Fit the packaged model's calibrations for the built-in schemes and write them into
the scheme files; print cross-fitted macro-F1 (fit on one dev set, score the other).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/calibrate.py            # report only
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/calibrate.py --write    # and update the TOML files

The dev sets are synthetic and written for this project (data/README.md); nothing else
is used for fitting.
"""
from __future__ import annotations

import argparse
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import stance
from stance.calibrate import fit_calibration
from stance.evaluate import macro_f1
from stance.backends.models import DEFAULT_MODEL_NAME

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "data" / "dev"
# scheme -> (dev files, gold column(s), top_k, clauses); top_k and clauses were chosen by
# the cross-fitted scores this script prints (see data/README.md)
SETUP = {
    "stance": (["synthetic_a.csv", "synthetic_b.csv"], "gold_stance", 5, True),
    "tone": (["synthetic_a.csv", "synthetic_b.csv"], "gold_tone", 0, False),
    "rhetoric": (["rhetoric_synthetic.csv"], list(stance.load_scheme("rhetoric").label_names), 0, False),
}


def score(clf, df, scheme, gold) -> float:
    """Macro-F1 (single-label), or the mean over labels of each label's F1 (multi-label)."""
    out = clf.classify(df, scheme, target_col="target", progress=False)
    if not scheme.multi_label:
        return macro_f1(df[gold], out[scheme.name])
    return float(np.mean([macro_f1(df[g].astype(bool), out[f"{scheme.name}_{g}"].astype(bool), labels=[True])
                          for g in gold]))


def halves(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Two halves of one dev set (odd and even rows), for cross-fitting."""
    return {"odd rows": df.iloc[::2].reset_index(drop=True), "even rows": df.iloc[1::2].reset_index(drop=True)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write the calibrations into stance/schemes/*.toml")
    parser.add_argument("--scheme", action="append", help="only these schemes")
    parser.add_argument("--top-k", type=int, help="override top_k (to compare settings)")
    parser.add_argument("--clauses", choices=["on", "off"], help="override clauses (to compare settings)")
    args = parser.parse_args()
    clf = stance.Classifier(progress=False).load()
    parser_options = vars(args)
    for name, (files, gold, top_k, by_clause) in SETUP.items():
        if parser_options["scheme"] and name not in parser_options["scheme"]:
            continue
        top_k = top_k if args.top_k is None else args.top_k
        by_clause = by_clause if args.clauses is None else args.clauses == "on"
        base = replace(stance.load_scheme(name), calibration={}, heads={})
        sets = {f: pd.read_csv(DEV / f) for f in files}
        if len(sets) == 1:
            sets = {f"{files[0]} {half}": part for half, part in halves(sets[files[0]]).items()}
        for fit_file, df in sets.items():
            cal = fit_calibration(clf, df, base, gold=gold, top_k=top_k, clauses=by_clause,
                                  target_col="target")
            fitted = replace(base, calibration={DEFAULT_MODEL_NAME: cal})
            for test_file, test in sets.items():
                if test_file != fit_file:
                    f1 = score(clf, test, fitted, gold)
                    print(f"{name}: fit on {fit_file}, macro-F1 on {test_file} = {f1:.3f}")
        both = pd.concat(sets.values(), ignore_index=True)
        cal = fit_calibration(clf, both, base, gold=gold, top_k=top_k, clauses=by_clause, target_col="target",
                              fitted_on=" + ".join(f"data/dev/{f}" for f in files))
        uncalibrated = score(clf, both, base, gold)
        print(f"{name}: uncalibrated macro-F1 on all = {uncalibrated:.3f}")
        print(f"{name}: fitted on all: scale={cal.scale:.2f} offsets={cal.offsets} "
              f"top_k={top_k} clauses={by_clause}")
        if args.write:
            write_calibration(Path(stance.load_scheme(name).source), DEFAULT_MODEL_NAME, cal)


def write_calibration(path: Path, model: str, cal) -> None:
    """Replace the scheme file's calibration section for ``model`` (it is kept last in the file)."""
    text = path.read_text(encoding="utf-8")
    header = f'[calibration."{model}"]'
    text = text.split(header)[0].rstrip() + "\n"
    offsets = ", ".join(f"{k} = {v}" for k, v in cal.offsets.items())
    text += (f"\n{header}\n# fitted by benchmarks/calibrate.py; do not edit by hand\n"
             f"top_k = {cal.top_k}\nclauses = {str(cal.clauses).lower()}\nscale = {cal.scale:.4f}\noffsets = {{ {offsets} }}\n"
             f'fitted_on = "{cal.fitted_on}"\n')
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
