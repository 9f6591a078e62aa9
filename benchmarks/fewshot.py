"""Zero-shot vs few-shot macro-F1 of the default model on dev sets A and B.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fewshot.py [--draws 50] [--margin 2]

For k = 4, 8, 16 labelled statements per label, k per label are drawn from the evaluation set,
few-shot adaptation is fitted on them (stance.fewshot, as Classifier.fit does: recalibration, then
prototypes, each kept only when it wins in leave-one-out) and both classifiers are scored on the rest
of that set; repeated over --draws random draws per set (stance.learning.learning_curve). Prints mean
and sd over all draws of both sets, the mean gain, and the shares of draws few-shot wins, ties and
loses. --margin -inf turns off the conservative rule (always adapt), for comparison.

Two baselines for the built-in schemes:
- "zero-shot" in the strict sense (rows "stance, no calibration" and "tone, no calibration"): the
  scheme's hypotheses and prototype sentences, without the calibration fitted on labelled dev
  statements; no labelled statement is used at all;
- the shipped calibration, cross-fitted (rows "stance" and "tone"): it was fitted on all of A + B,
  so to score on set A it is refitted on set B only (and vice versa): 160 labelled statements of the
  same genre behind the baseline.
The scheme "plain-stance" (benchmarks/plain_stance.toml: one hypothesis per label, no prototypes,
no calibration) shows the adaptation where the zero-shot scheme fits the corpus badly.
data/dev/synthetic_c.csv (held out) is not used.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import stance
from stance.fewshot import MARGIN
from stance.learning import learning_curve, summarise_curve

ROOT = Path(__file__).resolve().parent.parent
GOLD = {"stance, no calibration": "gold_stance", "tone, no calibration": "gold_tone", "stance": "gold_stance",
        "tone": "gold_tone", "plain-stance": "gold_stance"}
PLAIN = ROOT / "benchmarks" / "plain_stance.toml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=50, help="draws per k and evaluation set")
    parser.add_argument("--margin", type=float, default=MARGIN, help="standard errors of the weight rule")
    parser.add_argument("--scheme", action="append", choices=list(GOLD), help="only these schemes")
    parser.add_argument("--out", help="write the per-draw table here (CSV)")
    args = parser.parse_args()
    clf = stance.Classifier(progress=False).load()
    sets = {f: pd.read_csv(ROOT / "data" / "dev" / f"synthetic_{f}.csv") for f in ("a", "b")}
    parts = []
    for row in args.scheme or list(GOLD):
        scheme, _, baseline = row.partition(", ")
        for ev, other in (("a", "b"), ("b", "a")):
            plain = scheme == "plain-stance"
            curve = learning_curve(clf, sets[ev], PLAIN if plain else scheme, gold=GOLD[row], ks=(4, 8, 16),
                                   draws=args.draws, calibrate_on=None if plain or baseline else sets[other],
                                   uncalibrated=bool(baseline), margin=args.margin, seed=0)
            parts.append(curve.assign(eval_set=ev, scheme=row))
    table = pd.concat(parts, ignore_index=True)
    print(f"macro-F1 on the rows not drawn; calibration of the 'stance' and 'tone' rows cross-fitted (A scored "
          f"with B's, B with A's); {args.draws} draws per k and set; margin {args.margin}")
    print(summarise_curve(table).round(3).to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
