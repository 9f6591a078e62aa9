"""Few-shot adaptation to a target the scheme head never saw, simulated on the real DEV rows.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fewshot_targets.py --scheme stance --k 16 [--finetune]

For each target of ``data/real/real.csv`` (dev rows only; the held-out rows and ``data/adapt``
stay unread) with at least ``k + 5`` dev rows of every label, the scheme's head is retrained
(its shipped feature groups, L2 and synthetic weight) on the other targets' dev rows plus the
synthetic dev sets; ``k`` rows per label of the left-out target are drawn, :func:`stance.fewshot.adapt_any`
adapts to them, and both are scored (macro-F1) on the target's other rows. This is how the
few-shot methods were developed without touching the corpus that evaluates them
(``benchmarks/adaptation.py``). ``--finetune``: ``adapt_any`` may choose a contrastively
fine-tuned encoder too (:mod:`stance.finetune`), and the tuned candidate alone (``finetune l2=3``,
no choice) is printed beside it.
"""
from __future__ import annotations

import argparse
import os

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import train_heads as th  # noqa: E402

from stance import Classifier  # noqa: E402
from stance.evaluate import macro_f1  # noqa: E402
from stance.core import normalise_text  # noqa: E402
from stance.fewshot import adapt_any, adapted_probabilities, fit_residual, residual_probabilities  # noqa: E402
from stance.finetune import tuner  # noqa: E402
from stance.heads import balanced_weights, fit_standardised, softmax  # noqa: E402
from stance.schemes import load_scheme  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", choices=["stance", "tone"], default="stance")
    parser.add_argument("--k", type=int, default=16)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--finetune", action="store_true")
    parser.add_argument("--targets", default="", help="comma-separated: only these left-out targets")
    args = parser.parse_args()
    dev, synthetic = th.load_rows()
    clf = Classifier(progress=False)
    sch = load_scheme(args.scheme)
    labels, gold = list(sch.label_names), f"gold_{args.scheme}"
    k = len(labels)
    real = dev[dev[gold].isin(labels)].reset_index(drop=True)
    syn = synthetic[synthetic[gold].isin(labels)].reset_index(drop=True)
    y, y_syn = real[gold].map(labels.index).to_numpy(), syn[gold].map(labels.index).to_numpy()
    head = sch.head(clf.load().backend_.name)
    groups = head.groups
    rb, sb = th.blocks(clf, real, args.scheme, {*groups, "text"}), th.blocks(clf, syn, args.scheme, {*groups, "text"})
    features, features_syn, emb = np.hstack([rb[g] for g in groups]), np.hstack([sb[g] for g in groups]), rb["text"]
    syn_w = head.info["trained_on"]["synthetic_weight"]
    rng = np.random.default_rng(0)
    scores: dict[str, list[float]] = {"zero-shot": [], "adapted": [], "finetune l2=3 alone": []}
    texts = [normalise_text(t) for t in real["text"]]
    for target, idx in real.groupby("target").groups.items():
        idx = np.asarray(idx)
        if np.bincount(y[idx], minlength=k).min() < args.k + 5:
            continue
        if args.targets and target not in args.targets.split(","):
            continue
        rest_rows = np.setdiff1d(np.arange(len(y)), idx)
        x = np.vstack([features[rest_rows], features_syn])
        yy = np.r_[y[rest_rows], y_syn]
        base = np.r_[np.ones(len(rest_rows)), np.full(len(y_syn), syn_w)]
        mean, scale, w, b = fit_standardised(x, yy, k, head.info["l2"], balanced_weights(yy, k, base))
        p0 = softmax((((features[idx] - mean) / scale) @ w + b) / head.temperature)
        yt, et = y[idx], emb[idx]
        for draw in range(args.draws):
            pick = np.concatenate([rng.choice(np.flatnonzero(yt == c), args.k, replace=False) for c in range(k)])
            test = np.setdiff1d(np.arange(len(idx)), pick)
            picked, tested = [texts[idx[i]] for i in pick], [texts[idx[i]] for i in test]
            tune = tuner(clf.backend_, picked, yt[pick]) if args.finetune else None
            fitted = adapt_any(p0[pick], et[pick], yt[pick], k, tune=tune)
            e_test = (et[test] if fitted["encoder"] is None
                      else clf.backend_.encode(tested, progress=False, model=fitted["encoder"]))
            zero = macro_f1(yt[test], p0[test].argmax(1), labels=list(range(k)))
            adapted = macro_f1(yt[test], adapted_probabilities(fitted, p0[test], e_test).argmax(1),
                               labels=list(range(k)))
            scores["zero-shot"].append(zero)
            scores["adapted"].append(adapted)
            alone = ""
            if args.finetune:
                encoder = fitted["encoder"] if fitted["encoder"] is not None else tune(np.arange(len(pick)))[0]
                tuned_pick = clf.backend_.encode(picked, progress=False, model=encoder)
                tuned_test = clf.backend_.encode(tested, progress=False, model=encoder)
                correction = fit_residual(p0[pick], tuned_pick, yt[pick], k, 3.0)
                scores["finetune l2=3 alone"].append(macro_f1(
                    yt[test], residual_probabilities(correction, p0[test], tuned_test).argmax(1),
                    labels=list(range(k))))
                alone = f", fine-tune alone {scores['finetune l2=3 alone'][-1]:.3f}"
            print(f"  {target:<18} draw {draw}: {len(test)} test rows, zero-shot {zero:.3f}, adapted {adapted:.3f} "
                  f"({fitted['method']}){alone}", flush=True)
    z, a = np.mean(scores["zero-shot"]), np.mean(scores["adapted"])
    alone = f", fine-tune alone {np.mean(scores['finetune l2=3 alone']):.3f}" if args.finetune else ""
    print(f"{args.scheme}, k={args.k} per label, {len(scores['adapted'])} draws over left-out targets: "
          f"zero-shot {z:.3f}, adapted {a:.3f}, gain {a - z:+.3f}{alone}")


if __name__ == "__main__":
    main()
