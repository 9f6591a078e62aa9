"""Quote extraction on real news texts: quotes found, speakers right, spurious rows.

    python benchmarks/extract_accuracy.py            # dev and held-out parts of data/real_articles
    python benchmarks/extract_accuracy.py --misses   # also list the dev quotes with a wrong speaker
    python benchmarks/extract_accuracy.py --dev-only --files 'z*'   # a new batch's dev texts alone

Runs ``stance extract``'s library path (:func:`stance.extraction.quotes.extract_files`) on every text of
``data/real_articles/texts`` and scores it against ``data/real_articles/gold.csv`` (two coders
and a third reading; ``data/real_articles/README.md``) with :func:`stance.evaluate.extraction_scores`.
The held-out part is for scoring only: never tune on it.
"""
from __future__ import annotations

import argparse
import fnmatch
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "real_articles"


def extracted() -> tuple[pd.DataFrame, float]:
    """Every text's extracted quotes (``file``, ``start``, ``end`` in the file, ``speaker``...)
    and the seconds it took."""
    from stance.extraction.quotes import extract_files

    start = time.perf_counter()
    df, _ = extract_files([str(CORPUS / "texts")])
    seconds = time.perf_counter() - start
    df = df.assign(file=[Path(p).name for p in df["document"]], start=df["file_start"], end=df["file_end"])
    return df, seconds


def scores(found: pd.DataFrame, gold: pd.DataFrame) -> dict[str, dict]:
    from stance.evaluate import extraction_scores

    return {part: extraction_scores(found[found["file"].isin(set(g["file"]))].reset_index(drop=True), g)
            for part, g in gold.groupby("split")}


def by_text(found: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Per text: statements and terms scored, and how many of each have the right speaker."""
    from stance.evaluate import extraction_scores

    rows = []
    for file, g in gold.groupby("file"):
        s = extraction_scores(found[found["file"] == file].reset_index(drop=True), g.reset_index(drop=True))
        rows.append({"file": file, "statements": s["statements"], "terms": s["terms"],
                     "statements_ok": round(s["statements"] * np.nan_to_num(s["statements_right"])),
                     "terms_ok": round(s["terms"] * np.nan_to_num(s["terms_right"]))})
    return pd.DataFrame(rows)


def text_bootstrap(counts: pd.DataFrame, kind: str, n_boot: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% interval of the share of ``kind`` ("statements" or "terms") with the right speaker,
    resampling whole texts (quotes in one text share its style, so they are not independent)."""
    rng = np.random.default_rng(seed)
    ok, n = counts[f"{kind}_ok"].to_numpy(float), counts[kind].to_numpy(float)
    draws = rng.integers(0, len(counts), size=(n_boot, len(counts)))
    shares = ok[draws].sum(1) / np.maximum(n[draws].sum(1), 1)
    return float(np.quantile(shares, 0.025)), float(np.quantile(shares, 0.975))


def line(part: str, s: dict) -> str:
    return (f"{part:<8} {s['gold']:4d} gold quotes in {s['texts']:2d} texts: found {s['recall']:.3f}; speakers right "
            f"{s['statements_right']:.3f} of {s['statements']} statements, {s['terms_right']:.3f} of {s['terms']} terms; "
            f"spurious {s['spurious']:.3f} of {s['found']} rows; speakers with a sentence break: {s['sentence_breaks']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list dev quotes whose speaker is wrong")
    parser.add_argument("--dev-only", action="store_true", help="score the dev part only (while developing)")
    parser.add_argument("--files", default="*", metavar="GLOB",
                        help="score only the texts whose file name matches (a new batch, scored before any rule is "
                             "written on it)")
    args = parser.parse_args()
    gold = pd.read_csv(CORPUS / "gold.csv", keep_default_na=False)
    gold = gold[[fnmatch.fnmatch(f, args.files) for f in gold["file"]]]
    if args.dev_only:
        gold = gold[gold["split"] == "dev"]
    found, seconds = extracted()
    result = scores(found, gold)
    for part, s in result.items():
        s["texts"] = gold[gold["split"] == part]["file"].nunique()
        print(line(part, s))
        counts = by_text(found, gold[gold["split"] == part])
        (sl, sh), (tl, th) = text_bootstrap(counts, "statements"), text_bootstrap(counts, "terms")
        print(f"{'':<8} 95% intervals, whole texts resampled: statements [{sl:.3f}, {sh:.3f}], terms [{tl:.3f}, {th:.3f}]")
    print(f"({len(gold['file'].unique())} texts scored; the whole folder extracted in {seconds:.1f} s)")
    if args.misses:
        from stance.evaluate import match_gold, same_speaker

        dev = gold[gold["split"] == "dev"]
        for g, hit in zip(dev.itertuples(), match_gold(found, dev)):
            got = found.at[hit, "speaker"] if hit is not None else "<not found>"
            if hit is None or not same_speaker(got, g.speaker):
                why = found.at[hit, "attribution"] or found.at[hit, "speaker_reason"] if hit is not None else ""
                print(f"  {g.file} {g.start:5d} {g.kind:<9} gold {g.speaker!r:<32} got {got!r:<32} {why[:60]} "
                      f"| {g.quote[:50]!r}")


if __name__ == "__main__":
    main()
