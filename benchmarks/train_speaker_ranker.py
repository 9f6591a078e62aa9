"""Fit the speaker ranker (:mod:`stance.extraction.speaker_ranker`) on the dev texts of data/real_articles.

    python benchmarks/train_speaker_ranker.py           # cross-validated figures on the dev texts
    python benchmarks/train_speaker_ranker.py --write   # ... and write stance/extraction/speaker_ranker.json

Each dev quote the extractor finds is a choice among its candidates (:func:`candidates`); the gold
speaker is the candidate that :func:`stance.evaluate.same_speaker` matches (quotes whose gold speaker
is no candidate count as wrong in the figures and are left out of the fit). The weights are a
conditional logit with an L2 penalty, chosen among a few by 5-fold cross-validation over whole texts;
the script prints, per kind, the share of speakers right by the rules alone and by the ranker on the
folds, and the expected calibration error of the ranker's probability. The held-out part is never
read here.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "real_articles"
PENALTIES = (1.0, 3.0, 10.0)
FOLDS = 5
# dev texts of the batches that no attribution rule was written on (13 to 16, 18, 19): the rules are less
# often right on them than on the dev texts they were written on, as on any new text, so the
# probability is calibrated there
FRESH = ("zy", "zz", "yb", "yc", "yd", "ye", "yf", "yg", "yh", "yi", "yj", "yk", "yl", "ym", "yn", "yo",
         "yt", "yu", "yv", "yw", "yx", "yy", "yz", "xa")


def dev_choices() -> list[dict]:
    """One item per dev quote found: its file, gold kind, candidates, the gold candidate's index (-1:
    none) and whether the rules' speaker is right."""
    from stance.evaluate import match_gold, same_speaker
    from stance.extraction.documents import read_document
    from stance.extraction.quotes import quote_rows
    from stance.extraction.speaker_ranker import candidates

    gold = pd.read_csv(CORPUS / "gold.csv", keep_default_na=False)
    gold = gold[gold["split"] == "dev"]
    items = []
    for file, g in gold.groupby("file"):
        doc = read_document(str(CORPUS / "texts" / file))
        rows, parsed, _ = quote_rows(doc.text, warn=False)
        if parsed is None:
            continue
        nearby = [parsed[r["quote_no"] - 1].nearby for r in rows]
        found = pd.DataFrame({"file": file, "start": [doc.to_raw(r["start"]) for r in rows],
                              "end": [doc.to_raw(r["end"]) for r in rows]})
        quote_of = {hit: k for k, hit in zip(g.index, match_gold(found, g)) if hit is not None}
        for n, (r, cands) in enumerate(zip(rows, candidates(doc.text, rows, nearby))):
            if n not in quote_of:
                continue
            speaker, kind = g.at[quote_of[n], "speaker"], g.at[quote_of[n], "kind"]
            items.append({"file": file, "kind": kind, "cands": cands,
                          "gold": next((k for k, c in enumerate(cands) if same_speaker(c.name, speaker)), -1),
                          "rules_right": same_speaker(r["speaker"], speaker)})
    return items


def matrices(items: list[dict]) -> tuple[list[str], list[np.ndarray]]:
    names = sorted({k for it in items for c in it["cands"] for k in c.features})
    return names, [np.array([[c.features.get(k, 0.0) for k in names] for c in it["cands"]]) for it in items]


def fit(xs: list[np.ndarray], ys: list[int], penalty: float) -> np.ndarray:
    """Weights of a conditional logit (softmax over each item's rows) with an L2 penalty."""
    def loss(w):
        total, grad = penalty * w @ w / 2, penalty * w
        for x, y in zip(xs, ys):
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            total -= math.log(max(p[y], 1e-12))
            grad = grad + x.T @ p - x[y]
        return total, grad
    return minimize(loss, np.zeros(xs[0].shape[1]), jac=True, method="L-BFGS-B").x


def cross_validate(items, xs, penalty: float) -> tuple[list[int], list[float]]:
    """Each item's chosen candidate and its probability, from weights fitted on the other folds."""
    files = sorted({it["file"] for it in items})
    order = np.random.default_rng(0).permutation(len(files))
    fold = {files[i]: k % FOLDS for k, i in enumerate(order)}
    chosen, prob = [0] * len(items), [0.0] * len(items)
    for k in range(FOLDS):
        train = [i for i, it in enumerate(items) if fold[it["file"]] != k and it["gold"] >= 0]
        w = fit([xs[i] for i in train], [items[i]["gold"] for i in train], penalty)
        for i, it in enumerate(items):
            if fold[it["file"]] == k:
                s = xs[i] @ w
                p = np.exp(s - s.max())
                p /= p.sum()
                chosen[i], prob[i] = int(np.argmax(p)), float(p.max())
    return chosen, prob


def platt(prob: list[float], right: list[bool]) -> tuple[float, float]:
    """``(a, b)`` of the map ``sigmoid(a * logit(p) + b)`` that best predicts ``right`` (log loss)."""
    z = np.log(np.clip(prob, 1e-6, 1 - 1e-6) / (1 - np.clip(prob, 1e-6, 1 - 1e-6)))
    y = np.asarray(right, float)

    def loss(ab):
        q = 1 / (1 + np.exp(-(ab[0] * z + ab[1])))
        q = np.clip(q, 1e-9, 1 - 1e-9)
        return -(y * np.log(q) + (1 - y) * np.log(1 - q)).sum()
    a, b = minimize(loss, np.array([1.0, 0.0]), method="Nelder-Mead").x
    return float(a), float(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write stance/extraction/speaker_ranker.json")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from stance.evaluate import expected_calibration_error
    from stance.extraction.speaker_ranker import WEIGHTS

    items = dev_choices()
    names, xs = matrices(items)
    print(f"{len(items)} dev quotes in {len({it['file'] for it in items})} texts, {len(names)} features; "
          f"gold speaker among the candidates for {np.mean([it['gold'] >= 0 for it in items]):.3f}")
    best = None
    for penalty in PENALTIES:
        chosen, prob = cross_validate(items, xs, penalty)
        right = np.array([c == it["gold"] for c, it in zip(chosen, items)])
        line = [f"L2 {penalty:>4}:"]
        for kind in ("statement", "term"):
            m = np.array([it["kind"] == kind for it in items])
            rules = np.mean([it["rules_right"] for it, k in zip(items, m) if k])
            line.append(f"{kind}s right, rules {rules:.3f} -> ranked {right[m].mean():.3f};")
        ece = expected_calibration_error(pd.Series(prob), pd.Series(right))
        print(" ".join(line), f"ECE {ece:.3f}")
        if best is None or right.mean() > best[1]:
            best = (penalty, right.mean(), ece, prob, right)
    penalty, _, _, prob, right = best
    print(f"chosen L2 {penalty} (cross-validated share right {best[1]:.3f}, ECE {best[2]:.3f})")
    fresh = np.array([it["file"].startswith(FRESH) for it in items])
    a, b = platt([p for p, f in zip(prob, fresh) if f], right[fresh])
    from stance.extraction.speaker_ranker import calibrated

    cal = pd.Series([calibrated(p, (a, b)) for p in prob])
    for part, sel in (("fresh dev", fresh), ("other dev", ~fresh)):
        rules = np.mean([it["rules_right"] for it, f in zip(items, sel) if f])
        raw, ok = pd.Series(np.array(prob)[sel]), pd.Series(right[sel])
        print(f"{part:<9} {sel.sum():4d} quotes: rules right {rules:.3f}, ranked right {ok.mean():.3f}, "
              f"probability {raw.mean():.3f} (ECE {expected_calibration_error(raw, ok):.3f}), "
              f"calibrated {cal[sel].mean():.3f} "
              f"(ECE {expected_calibration_error(cal[sel].reset_index(drop=True), ok):.3f})")
    print(f"calibration on the fresh dev texts: sigmoid({a:.3f} * logit(p) + {b:.3f})")
    if args.write:
        train = [i for i, it in enumerate(items) if it["gold"] >= 0]
        w = fit([xs[i] for i in train], [items[i]["gold"] for i in train], penalty)
        data = {"features": names, "weights": [round(float(v), 6) for v in w],
                "calibration": [round(a, 6), round(b, 6)],
                "provenance": {"corpus": "data/real_articles", "split": "dev", "quotes": len(train),
                               "texts": sorted({it["file"] for it in items}), "l2": penalty,
                               "cv_right": round(float(best[1]), 4), "cv_ece": round(float(best[2]), 4),
                               "calibrated_on": f"the dev texts of {', '.join(FRESH)}* (no rule written on them)",
                               "made_by": "benchmarks/train_speaker_ranker.py --write"}}
        WEIGHTS.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
