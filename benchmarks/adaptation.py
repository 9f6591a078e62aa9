"""Few-shot adaptation on a corpus and targets the built-in schemes were not written for.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/adaptation.py [--draws 5] [--finetune] [--schemes stance]
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/adaptation.py --corpus adapt_civic --part heldout   # another genre

``data/adapt/adapt.csv``: 367 real statements (officials and state media, verbatim, with urls)
about nine targets the built-in schemes never saw (AUKUS, the WHO, BRICS, sanctions, nuclear
power, the G7, the Paris Agreement, the ICC, the Belt and Road Initiative), double-coded like
``data/real``. For k labelled statements per label, drawn at random, :meth:`stance.Classifier.fit`
adapts the scheme (choosing by cross-validation between the recalibration + prototype blend and
a correction to the zero-shot log-probabilities learnt from the embeddings, ``fit_residual``) and
both it and the out-of-the-box scheme are scored on the
rows not drawn (:func:`stance.learning.learning_curve`). The reference is a head trained on all
the other labelled rows (5-fold cross-validation over the whole corpus). ``--finetune`` lets
``fit`` choose a contrastively fine-tuned encoder too (:mod:`stance.finetune`; five fine-tunes
per draw, minutes each on a CPU).

``--corpus adapt_civic`` (``data/adapt_civic/adapt.csv``) measures the same on another genre: real
statements from public debate on twelve domestic policy questions (rent control, AI regulation,
fracking, the four-day work week...) by advocacy groups, unions, businesses, experts, columnists and
members of the public, double-coded the same way. Its six held-out targets (``--part heldout``) are
scored once per change; few-shot methods are developed on the other six (``--part dev``).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stance import Classifier  # noqa: E402
from stance.evaluate import macro_f1  # noqa: E402
from stance.fewshot import _zero_shot, fit_head, head_probabilities  # noqa: E402
from stance.learning import learning_curve  # noqa: E402
from stance.heads import stratified_folds  # noqa: E402
from stance.learning import summarise_curve  # noqa: E402
from stance.schemes import load_scheme  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def reference(clf: Classifier, table: pd.DataFrame, scheme: str, l2: float = 0.1) -> float:
    """Macro-F1 of a head trained on all the other labelled rows (5-fold cross-validation)."""
    sch = load_scheme(scheme)
    names = list(sch.label_names)
    y = table[f"gold_{scheme}"].map(names.index).to_numpy()
    p0, emb, _ = _zero_shot(clf, sch, table, "target" if sch.target_aware else None, "text")
    pred = np.empty(len(y), dtype=int)
    fold = stratified_folds(y, 5)
    for f in range(5):
        head = fit_head(p0[fold != f], emb[fold != f], y[fold != f], len(names), l2)
        pred[fold == f] = head_probabilities(head, p0[fold == f], emb[fold == f]).argmax(1)
    return macro_f1(y, pred, labels=list(range(len(names))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--finetune", action="store_true", help="fit(..., finetune=True)")
    parser.add_argument("--schemes", default="stance,tone", help="comma-separated: stance, tone")
    parser.add_argument("--corpus", default="adapt", choices=("adapt", "adapt_civic"),
                        help="data/adapt (officials and state media, new targets) or data/adapt_civic (civic debate)")
    parser.add_argument("--part", default="all", choices=("all", "dev", "heldout"),
                        help="adapt_civic: its dev targets (for developing), its held-out targets, or all rows")
    args = parser.parse_args()
    table = pd.read_csv(ROOT / "data" / args.corpus / "adapt.csv", dtype=str, keep_default_na=False)
    if args.part != "all":
        if "split" not in table.columns:
            parser.error(f"--part {args.part}: data/{args.corpus} has no split; use --part all")
        table = table[table["split"] == args.part].reset_index(drop=True)
    clf = Classifier(progress=False)
    for scheme, wanted in (("stance", (16, 64)), ("tone", (16,))):
        if scheme not in args.schemes.split(","):
            continue
        fewest = table[f"gold_{scheme}"].value_counts().min()
        ks = tuple(k for k in wanted if k + 5 <= fewest)  # leave test rows of every label
        if ks != wanted:
            print(f"{scheme}: k={sorted(set(wanted) - set(ks))} per label skipped (the rarest label has {fewest} rows)")
        if not ks:
            continue
        curve = learning_curve(clf, table, scheme, gold=f"gold_{scheme}", ks=ks, draws=args.draws, seed=0,
                               finetune=args.finetune)
        summary = summarise_curve(curve)
        ref = reference(clf, table, scheme)
        print(f"{scheme}: {len(table)} statements {table[f'gold_{scheme}'].value_counts().to_dict()}; "
              f"head on all other rows (5-fold CV) macro-F1 {ref:.3f}")
        for _, r in summary.iterrows():
            methods = curve[curve["k"] == r["k"]]["method"].value_counts().to_dict()
            print(f"  k={int(r['k']):>3} per label, {int(r['draws'])} draws: out of the box {r['zero_shot']:.3f}, "
                  f"fitted {r['few_shot']:.3f} (sd {r['few_shot_sd']:.3f}), gain {r['gain']:+.3f}, "
                  f"{ref - r['few_shot']:.3f} below the reference; methods chosen {methods}")


if __name__ == "__main__":
    main()
