"""Speaker confidence: the table behind ``speaker_confidence``, and how well it sorts right from wrong.

    python benchmarks/speaker_review.py           # measure: calibration and review flags, dev and held-out
    python benchmarks/speaker_review.py --write   # ... after writing stance/extraction/speaker_accuracy.json

The table (:mod:`stance.extraction.speaker_review`) is the share of speakers right per quote kind
and attribution path on the dev texts of ``data/real_articles`` batches 5 and 6 (file names
starting with a, b, h, i, j, k, l or m): real texts that no attribution rule of the shipped code
was written on, so the shares are what the rules do on unseen text. Each share is pulled toward
its kind's mean by five pseudo-rows. The held-out part is only scored: expected calibration error
of ``speaker_confidence`` (10 bins), and for ``speaker_review`` the share of rows flagged, the
share of flagged and unflagged speakers right, and the share of wrong speakers flagged.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
FRESH = tuple("abhijklm")  # batches 5 and 6: coded after the shipped rules were written
PSEUDO = 5


def scored_rows() -> pd.DataFrame:
    """One row per gold quote the extractor found: split, file, extracted kind and path, right or not."""
    import extract_accuracy

    from stance.evaluate import same_speaker
    from stance.extraction.speaker_review import attribution_path

    gold = pd.read_csv(extract_accuracy.CORPUS / "gold.csv", keep_default_na=False)
    found, _ = extract_accuracy.extracted()
    rows = []
    for g in gold.itertuples():
        hit = found[(found["file"] == g.file) & ((found["start"] - g.start).abs() <= 2)]
        if len(hit):
            r = hit.iloc[0]
            rows.append({"split": g.split, "file": g.file, "kind": r["kind"], "confidence": r["speaker_confidence"],
                         "review": bool(r["speaker_review"]), "path": attribution_path(r["attribution"], r["speaker"]),
                         "right": same_speaker(r["speaker"], g.speaker)})
    return pd.DataFrame(rows)


def table_of(rows: pd.DataFrame) -> dict:
    """Shares right per kind and path (pulled toward the kind's mean by :data:`PSEUDO` rows), and per kind."""
    by_kind = rows.groupby("kind")["right"].mean().to_dict()
    by_path = {kind: {path: round((g["right"].sum() + PSEUDO * by_kind[kind]) / (len(g) + PSEUDO), 3)
                      for path, g in rows[rows["kind"] == kind].groupby("path")} for kind in by_kind}
    counts = {kind: rows[rows["kind"] == kind].groupby("path").size().to_dict() for kind in by_kind}
    return {"by_kind": {k: round(v, 3) for k, v in by_kind.items()}, "by_path": by_path, "counts": counts,
            "provenance": {"texts": sorted(rows["file"].unique()), "quotes": len(rows), "pseudo_rows": PSEUDO,
                           "made_by": "benchmarks/speaker_review.py --write"}}


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write stance/extraction/speaker_accuracy.json first")
    args = parser.parse_args()
    if args.write:
        path = ROOT / "stance" / "extraction" / "speaker_accuracy.json"
        if not path.exists():  # a first table to extract with; the speakers do not depend on it
            path.write_text(json.dumps({"by_kind": {"statement": 0.5, "term": 0.5},
                                        "by_path": {"statement": {}, "term": {}}}), encoding="utf-8")
        rows = scored_rows()
        fresh = rows[(rows["split"] == "dev") & rows["file"].str.startswith(FRESH)]
        path.write_text(json.dumps(table_of(fresh), indent=1) + "\n", encoding="utf-8")
        from stance.extraction import speaker_review

        speaker_review.accuracy_table.cache_clear()
    rows = scored_rows()
    fresh = (rows["split"] == "dev") & rows["file"].str.startswith(FRESH)
    for part, sel in (("fresh dev", fresh), ("other dev", (rows["split"] == "dev") & ~fresh),
                      ("held-out", rows["split"] == "heldout")):
        print(report(part, rows[sel]))


if __name__ == "__main__":
    main()
