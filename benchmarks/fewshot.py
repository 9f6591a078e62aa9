"""Zero-shot vs few-shot macro-F1 of the default model, cross-fitted on dev sets A and B.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fewshot.py [--draws 50] [--margin 2]

The shipped calibration of the built-in schemes was fitted on all of A + B, so scoring the
zero-shot baseline on those rows would be in-sample. Here instead (cross-fitting): to score
on set A, the zero-shot calibration is refitted on set B only (and vice versa); then for
k = 4, 8, 16 labelled statements per label, k per label are drawn from the evaluation set,
few-shot adaptation is fitted on them (stance.fewshot, as Classifier.fit does) and both
classifiers are scored on the rest of that set; repeated over --draws random draws per set
(stance.fewshot.learning_curve). Prints mean and sd over all draws of both sets, the mean
gain, and the shares of draws few-shot wins, ties and loses. --margin -inf turns off the
conservative weight rule (always take the best leave-one-out weight), for comparison.
The scheme "plain-stance" (benchmarks/plain_stance.toml: one hypothesis per label, no prototypes,
no calibration, so nothing in it was fitted on A or B) shows the adaptation where the zero-shot
scheme fits the corpus badly. data/dev/synthetic_c.csv (held out) is not used.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import stance
from stance.fewshot import MARGIN, learning_curve, summarise_curve

ROOT = Path(__file__).resolve().parent.parent
GOLD = {"stance": "gold_stance", "tone": "gold_tone", "plain-stance": "gold_stance"}
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
    for scheme in args.scheme or list(GOLD):
        for ev, other in (("a", "b"), ("b", "a")):
            plain = scheme == "plain-stance"
            curve = learning_curve(clf, sets[ev], PLAIN if plain else scheme, gold=GOLD[scheme], ks=(4, 8, 16),
                                   draws=args.draws, calibrate_on=None if plain else sets[other],
                                   margin=args.margin, seed=0)
            parts.append(curve.assign(eval_set=ev, scheme=scheme))
    table = pd.concat(parts, ignore_index=True)
    print(f"macro-F1 on the rows not drawn; zero-shot calibration cross-fitted (A scored with B's, B with A's); "
          f"{args.draws} draws per k and set; margin {args.margin}")
    print(summarise_curve(table).round(3).to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
