"""Build the real-articles gold set (see README.md beside this file).

    python data/real_articles/build.py gold    # coding/coder_*.csv + coding/third_reading*.csv -> gold.csv

The held-out split is a fixed rule on the file name (:func:`split_of`), fixed before anyone coded
or tuned anything; ``gold`` writes the gold table, the coders' agreement (``agreement.json``) and
prints the SHA-256 of the held-out texts and gold rows, which the data card records and
``tests/test_real_articles.py`` checks.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pandas as pd

from stance.evaluate import _norm_speaker as norm_speaker, same_speaker

HERE = Path(__file__).resolve().parent
HELDOUT_SALT = "stance-real-articles-heldout:"
HELDOUT_PERCENT = 30
GOLD_COLUMNS = ["file", "start", "end", "quote", "kind", "speaker", "split"]


def split_of(file: str) -> str:
    """``heldout`` for about 30% of the texts, drawn by a hash of the file name, else ``dev``.

    >>> split_of("c01.txt"), split_of("c02.txt")
    ('heldout', 'dev')
    """
    digest = int(hashlib.sha256((HELDOUT_SALT + file).encode()).hexdigest(), 16)
    return "heldout" if digest % 100 < HELDOUT_PERCENT else "dev"


def heldout_sha256(gold: pd.DataFrame) -> str:
    """SHA-256 of the held-out texts (name and content) and their gold rows, in file and offset order."""
    digest = hashlib.sha256()
    rows = gold[gold["split"] == "heldout"].sort_values(["file", "start"])
    for file in sorted(rows["file"].unique()):
        digest.update(file.encode() + b"\0" + (HERE / "texts" / file).read_bytes() + b"\0")
    for _, r in rows.iterrows():
        digest.update("\t".join(str(r[c]) for c in GOLD_COLUMNS).encode() + b"\n")
    return digest.hexdigest()


def recorded_heldout_sha256() -> str:
    """The held-out split's SHA-256 as the data card records it."""
    card = (HERE / "README.md").read_text(encoding="utf-8")
    return re.search(r"held-out SHA-256: `([0-9a-f]{64})`", card).group(1)


def _coder(letter: str) -> pd.DataFrame:
    parts = sorted((HERE / "coding").glob(f"coder_{letter}_*.csv"))
    d = pd.concat([pd.read_csv(p, keep_default_na=False, dtype=str) for p in parts], ignore_index=True)
    d["start"] = d["start"].astype(int)
    d["n"] = d["quote"].str.len()
    return d


def _alpha(values_a: list[str], values_b: list[str]) -> float:
    from stance.agreement import krippendorff_alpha

    return float(krippendorff_alpha(pd.DataFrame({"a": values_a, "b": values_b})))


def gold() -> pd.DataFrame:
    a, b = _coder("a"), _coder("b")
    both = a.merge(b, on=["file", "start", "n"], how="outer", suffixes=("_a", "_b"))
    third = pd.concat([pd.read_csv(p, keep_default_na=False, dtype=str)
                       for p in sorted((HERE / "coding").glob("third_reading*.csv"))], ignore_index=True)
    third["start"] = third["start"].astype(int)
    third["n"] = third["quote"].str.len()
    settled = {(r.file, r.start, r.n): r for r in third.itertuples()}
    rows, agreed = [], {"is_quote": ([], []), "kind": ([], []), "speaker": ([], [])}
    for r in both.itertuples():
        listed = isinstance(r.is_quote_a, str) and isinstance(r.is_quote_b, str)
        if listed:
            agreed["is_quote"][0].append(r.is_quote_a)
            agreed["is_quote"][1].append(r.is_quote_b)
            if r.is_quote_a == r.is_quote_b == "yes":
                agreed["kind"][0].append(r.kind_a)
                agreed["kind"][1].append(r.kind_b)
                agreed["speaker"][0].append(norm_speaker(r.speaker_a))
                agreed["speaker"][1].append(norm_speaker(r.speaker_a) if same_speaker(r.speaker_a, r.speaker_b)
                                            else norm_speaker(r.speaker_b))
        key = (r.file, r.start, r.n)
        if key in settled:
            s = settled[key]
            if s.decision == "drop" or s.is_quote != "yes":
                continue
            quote, kind, speaker = s.quote, s.kind, s.speaker
        elif listed and r.is_quote_a == r.is_quote_b == "yes" and same_speaker(r.speaker_a, r.speaker_b):
            quote, kind, speaker = r.quote_a, r.kind_a, r.speaker_a
            if r.kind_a != r.kind_b:
                kind = "statement" if len(quote.split()) > 4 else "term"
        elif listed and r.is_quote_a == r.is_quote_b == "no":
            continue
        else:
            raise SystemExit(f"{r.file} at {r.start}: the coders disagree and no third reading settles it")
        text = (HERE / "texts" / r.file).read_text(encoding="utf-8")
        assert text[r.start:r.start + len(quote)] == quote, (r.file, r.start)
        rows.append({"file": r.file, "start": r.start, "end": r.start + len(quote), "quote": quote,
                     "kind": kind, "speaker": speaker, "split": split_of(r.file)})
    table = pd.DataFrame(rows, columns=GOLD_COLUMNS).sort_values(["file", "start"], ignore_index=True)
    table.to_csv(HERE / "gold.csv", index=False)
    report = {name: {"krippendorff_alpha": round(_alpha(*pair), 3), "items": len(pair[0]),
                     "raw_agreement": round(sum(x == y for x, y in zip(*pair)) / len(pair[0]), 3)}
              for name, pair in agreed.items()}
    report["third_readings"] = int(len(third))
    report["heldout_sha256"] = heldout_sha256(table)
    (HERE / "agreement.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    counts = table.groupby(["split"]).agg(texts=("file", "nunique"), quotes=("file", "size"))
    print(counts.to_string())
    print(json.dumps(report, indent=2))
    return table


if __name__ == "__main__":
    if sys.argv[1:] != ["gold"]:
        raise SystemExit(__doc__)
    gold()
