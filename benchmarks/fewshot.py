"""Zero-shot vs few-shot macro-F1 of the default model on dev sets A and B.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fewshot.py [--repeats 10]

For k = 4, 8, 16 labelled statements per label: draw k per label from the 320 rows of
data/dev/synthetic_a.csv + synthetic_b.csv, fit the few-shot prototypes and blend weight
on them (stance.fewshot), and score the other rows, zero-shot and few-shot; repeat with
different draws (repeated random sub-sampling cross-validation) and print mean and standard
deviation. data/dev/synthetic_c.csv (held out) is not used. Note: the zero-shot calibration
was fitted on all of A and B, which favours the zero-shot baseline here.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import stance
from stance.evaluate import macro_f1
from stance.fewshot import FewShot, fit_arrays

ROOT = Path(__file__).resolve().parent.parent
GOLD = {"stance": "gold_stance", "tone": "gold_tone"}


def run(clf, data: pd.DataFrame, scheme: str, ks=(4, 8, 16), repeats: int = 10, seed: int = 0) -> pd.DataFrame:
    """One row per (k, repeat): zero-shot and few-shot macro-F1 on the rows not drawn."""
    names = list(stance.load_scheme(scheme).label_names)
    zero = clf.classify(data, scheme, target_col="target", progress=False, _zero_shot=True)
    p0 = zero[[f"{scheme}_p_{n}" for n in names]].to_numpy(dtype=float)
    emb = clf.backend_.encode(data["text"].tolist(), progress=False)
    y = np.array([names.index(v) for v in data[GOLD[scheme]]])
    rng = np.random.default_rng(seed)
    rows = []
    for k in ks:
        for r in range(repeats):
            train = np.concatenate([rng.choice(np.flatnonzero(y == j), k, replace=False) for j in range(len(names))])
            test = np.setdiff1d(np.arange(len(y)), train)
            protos, weight, _ = fit_arrays(p0[train], emb[train], y[train], len(names))
            state = FewShot(scheme, names, clf.backend_.name, protos, weight)
            p = state.adapt(p0[test], emb[test])
            gold = [names[i] for i in y[test]]
            rows.append({"scheme": scheme, "k": k, "repeat": r, "weight": weight,
                         "zero_shot": macro_f1(gold, [names[i] for i in p0[test].argmax(1)], labels=names),
                         "few_shot": macro_f1(gold, [names[i] for i in p.argmax(1)], labels=names)})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", help="write the per-draw table here (CSV)")
    args = parser.parse_args()
    clf = stance.Classifier(progress=False).load()
    data = pd.concat([pd.read_csv(ROOT / "data" / "dev" / f) for f in ("synthetic_a.csv", "synthetic_b.csv")],
                     ignore_index=True)
    table = pd.concat([run(clf, data, s, repeats=args.repeats) for s in GOLD], ignore_index=True)
    summary = table.groupby(["scheme", "k"]).agg(
        zero_shot=("zero_shot", "mean"), few_shot=("few_shot", "mean"), few_shot_sd=("few_shot", "std"),
        gain=("few_shot", "mean"), wins=("few_shot", "size"), weight=("weight", "median"))
    summary["gain"] = summary["few_shot"] - summary["zero_shot"]
    summary["wins"] = table.assign(win=table["few_shot"] > table["zero_shot"]).groupby(["scheme", "k"])["win"].sum()
    print(f"macro-F1 on the rows not drawn, mean over {args.repeats} draws (dev sets A + B, 320 rows)")
    print(summary.round(3).to_string())
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
