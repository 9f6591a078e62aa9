"""Speaker confidence: how well the speaker ranker's probability says how often a speaker is right.

    python benchmarks/speaker_review.py    # calibration and review flags, dev and held-out

``speaker_confidence`` is the probability that the speaker ranker
(:mod:`stance.extraction.speaker_ranker`, fitted on the dev texts by
``benchmarks/train_speaker_ranker.py``) gives the speaker it chose. On the dev texts that is
in-sample; the held-out part is only scored: expected calibration error (10 bins), and for
``speaker_review`` the share of rows flagged, the share of flagged and unflagged speakers right, and
the share of wrong speakers flagged.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def scored_rows() -> pd.DataFrame:
    """One row per gold quote the extractor found: split, confidence, review flag, right or not."""
    import extract_accuracy

    from stance.evaluate import match_gold, same_speaker

    gold = pd.read_csv(extract_accuracy.CORPUS / "gold.csv", keep_default_na=False)
    found, _ = extract_accuracy.extracted()
    rows = []
    for g, hit in zip(gold.itertuples(), match_gold(found, gold)):
        if hit is not None:
            r = found.loc[hit]
            rows.append({"split": g.split, "confidence": r["speaker_confidence"], "review": bool(r["speaker_review"]),
                         "right": same_speaker(r["speaker"], g.speaker)})
    return pd.DataFrame(rows)


def report(part: str, rows: pd.DataFrame) -> str:
    from stance.evaluate import expected_calibration_error

    conf = rows["confidence"].to_numpy(float)
    right = rows["right"].to_numpy(bool)
    ece = expected_calibration_error(conf, right)
    flagged = rows["review"].to_numpy(bool)
    return (f"{part:<9} {len(rows):4d} quotes: speakers right {right.mean():.3f}, mean speaker_confidence "
            f"{conf.mean():.3f}, ECE {ece:.3f}; speaker_review flags {flagged.mean():.3f} of rows "
            f"(right {right[flagged].mean():.3f} of them, {right[~flagged].mean():.3f} of the others) "
            f"and {(flagged & ~right).sum() / (~right).sum():.3f} of the wrong speakers")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    rows = scored_rows()
    for part, sel in (("dev", rows["split"] == "dev"), ("held-out", rows["split"] == "heldout")):
        print(report(part, rows[sel]))


if __name__ == "__main__":
    main()
