"""Build the real corpus (see README.md beside this file).

    python data/real/build.py merge   # raw/collect_*.csv -> statements.csv, coding/to_code.csv, the split
    python data/real/build.py gold    # coding/coder_*.csv + coding/third_reading*.csv -> real.csv, agreement
    python data/real/build.py gold-adapt   # the same for the adaptation corpus, data/adapt -> adapt.csv
    python data/real/build.py merge-civic  # data/adapt_civic/raw/collect_*.csv -> statements.csv, coding/to_code.csv
    python data/real/build.py gold-civic   # ... coder labels -> data/adapt_civic/adapt.csv, agreement

``merge`` draws the held-out split at random (seeded) before anyone labels or tunes anything;
``gold`` writes the gold table, prints Krippendorff's alpha per scheme and the SHA-256 of the
held-out rows, which the data card records and ``tests/test_real_corpus.py`` checks.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TARGETS = ("NATO", "China", "Russia", "the United States", "Ukraine", "the EU", "Taiwan", "Japan")
COLUMNS = ["id", "text", "target", "speaker", "outlet", "source_type", "speaker_country", "date", "url", "query"]
SEED = 20261204
HELDOUT_SHARE = 0.3
DEVICES = ("name_calling", "loaded_language", "appeal_to_fear", "doubt", "whataboutism", "flag_waving",
           "exaggeration")


def heldout_sha256(real: pd.DataFrame) -> str:
    """SHA-256 of the held-out rows' id, text, target and gold labels, in id order."""
    rows = real[real["split"] == "heldout"].sort_values("id")
    lines = ["\t".join(str(r[c]) for c in ("id", "text", "target", "gold_stance", "gold_tone", "gold_rhetoric"))
             for _, r in rows.iterrows()]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def recorded_heldout_sha256(folder: Path = HERE) -> str:
    """The held-out split's SHA-256 as the data card (README.md in ``folder``) records it."""
    card = (folder / "README.md").read_text(encoding="utf-8")
    return card.split("held-out SHA-256: `")[1].split("`")[0]


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """The text's runs of ``n`` consecutive words (lower case): two statements that share one overlap."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def overlapping(texts: pd.Series, earlier: list[str]) -> np.ndarray:
    """True for each text that shares 8 consecutive words with an earlier text or an earlier one of ``texts``."""
    seen = set().union(*(shingles(t) for t in earlier)) if earlier else set()
    out = []
    for text in texts:
        own = shingles(text)
        out.append(bool(own & seen))
        seen |= own
    return np.array(out, dtype=bool)


def collected(folder: Path) -> pd.DataFrame:
    """Every collector's rows (``raw/collect_*.csv`` in ``folder``), with the collection each came from."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False).assign(collection=p.stem.removeprefix("collect_"))
              for p in sorted((folder / "raw").glob("collect_*.csv"))]
    return pd.concat(frames, ignore_index=True)


def screened(raw: pd.DataFrame, checks: list[tuple[str, pd.Series]]) -> pd.DataFrame:
    """The rows of ``raw`` that pass every check and repeat no earlier text (after whitespace and case).
    ``checks``: ``(reason, failing rows)`` in order; a row is dropped for the first it fails, and the
    drops are counted by reason."""
    key = raw["text"].str.split().str.join(" ").str.lower()
    problems = np.full(len(raw), "", dtype=object)
    for reason, failing in reversed([*checks, ("duplicate text", key.duplicated())]):
        problems = np.where(np.asarray(failing, dtype=bool), reason, problems)
    for reason, n in pd.Series(problems[problems != ""]).value_counts().items():
        print(f"dropped {n} row(s): {reason}")
    return raw[problems == ""].reset_index(drop=True)


def merge() -> None:
    raw = collected(HERE)
    kept = screened(raw, [("under 4 words", raw["text"].str.split().str.len() < 4),
                          ("target not in the list", ~raw["target"].isin(TARGETS)),
                          ("no url or outlet", (raw["url"] == "") | (raw["outlet"] == ""))])
    previous = HERE / "statements.csv"
    if previous.is_file():  # append-only: earlier rows keep their ids and their split
        old = pd.read_csv(previous, dtype=str, keep_default_na=False)
        new = kept[~kept["text"].isin(set(old["text"]))]
        # the same words quoted on another page must not land on both sides of the split
        adapt = pd.read_csv(HERE.parent / "adapt" / "statements.csv", dtype=str, keep_default_na=False)
        overlap = overlapping(new["text"], [*old["text"], *adapt["text"]])
        if overlap.any():
            print(f"dropped {int(overlap.sum())} row(s): overlaps an earlier statement (8 words in common)")
        new = new[~overlap].copy()
        start = int(old["id"].str[4:].astype(int).max())
        new.insert(0, "id", [f"real{start + i + 1:04d}" for i in range(len(new))])
        # later batches: held out when a hash of the text falls in the held-out share (random, reproducible)
        share = np.array([int(hashlib.sha256(t.encode()).hexdigest()[:8], 16) / 16 ** 8 for t in new["text"]])
        new["split"] = np.where(share < HELDOUT_SHARE, "heldout", "dev")
        print(f"{len(old)} earlier statements kept as they were; {len(new)} added "
              f"({(new['split'] == 'heldout').sum()} held out)")
        kept = pd.concat([old, new[old.columns.intersection(new.columns)]], ignore_index=True)
    else:
        kept.insert(0, "id", [f"real{i + 1:04d}" for i in range(len(kept))])
        rng = np.random.default_rng(SEED)
        heldout = rng.permutation(len(kept))[: int(np.ceil(HELDOUT_SHARE * len(kept)))]
        kept["split"] = "dev"
        kept.loc[heldout, "split"] = "heldout"
    kept[COLUMNS + ["collection", "split"]].to_csv(HERE / "statements.csv", index=False)
    to_code = kept.sample(frac=1.0, random_state=SEED)[["id", "text", "target"]]  # coders see no source
    (HERE / "coding").mkdir(exist_ok=True)
    coded = HERE / "coding" / "coder_a.csv"
    if coded.is_file():  # only the rows not coded yet
        to_code = to_code[~to_code["id"].isin(set(pd.read_csv(coded, dtype=str)["id"]))]
        numbers = [int(m.group(1)) for p in (HERE / "coding").glob("to_code_batch*.csv")
                   if (m := re.fullmatch(r"to_code_batch(\d+)\.csv", p.name))]
        to_code.to_csv(HERE / "coding" / f"to_code_batch{max(numbers, default=1) + 1}.csv", index=False)
    else:
        to_code.to_csv(HERE / "coding" / "to_code.csv", index=False)
    print(f"{len(kept)} statements ({(kept['split'] == 'heldout').sum()} held out); "
          f"by source_type: {kept['source_type'].value_counts().to_dict()}; by target: {kept['target'].value_counts().to_dict()}")


CIVIC_TARGETS = ("rent control", "a higher minimum wage", "universal basic income", "AI regulation", "cryptocurrency",
                 "self-driving cars", "smartphone bans in schools", "the four-day work week", "remote work",
                 "fracking", "wind farms", "electric vehicles")
CIVIC_SOURCES = ("advocacy", "union", "business", "expert", "commentary", "public", "official")
# the collections whose six targets are held out: few-shot methods are developed on the other six targets' rows
CIVIC_HELDOUT = ("c", "d")


def merge_civic(folder: Path = HERE.parent / "adapt_civic") -> None:
    """The civic-debate adaptation corpus: collectors' rows -> ``statements.csv`` and the coders' input.
    The rows of the :data:`CIVIC_HELDOUT` collections (six of the twelve targets) are held out: few-shot
    methods may be developed on the dev targets, and are scored on the held-out ones."""
    raw = collected(folder)
    kept = screened(raw, [("under 4 words", raw["text"].str.split().str.len() < 4),
                          ("target not in the list", ~raw["target"].isin(CIVIC_TARGETS)),
                          ("no url or outlet", ~raw["url"].str.match(r"https?://") | (raw["outlet"] == "")),
                          ("unknown source_type", ~raw["source_type"].isin(CIVIC_SOURCES))])
    overlap = overlapping(kept["text"], [])
    if overlap.any():
        print(f"dropped {int(overlap.sum())} row(s): overlaps an earlier statement (8 words in common)")
    kept = kept[~overlap].reset_index(drop=True)
    kept.insert(0, "id", [f"civic{i + 1:04d}" for i in range(len(kept))])
    kept["split"] = np.where(kept["collection"].isin(CIVIC_HELDOUT), "heldout", "dev")
    columns = ["id", "text", "target", "speaker", "outlet", "source_type", "date", "url", "query", "collection",
               "split"]
    kept[columns].to_csv(folder / "statements.csv", index=False)
    (folder / "coding").mkdir(exist_ok=True)
    kept.sample(frac=1.0, random_state=SEED)[["id", "text", "target"]].to_csv(folder / "coding" / "to_code.csv",
                                                                            index=False)
    print(f"{len(kept)} statements; by source_type: {kept['source_type'].value_counts().to_dict()}; "
          f"by target: {kept['target'].value_counts().to_dict()}")


def _devices(value: str) -> frozenset:
    return frozenset(d.strip() for d in str(value).split(";") if d.strip() in DEVICES)


def gold(folder: Path = HERE, out_name: str = "real.csv") -> None:
    sys.path.insert(0, str(HERE.parents[1]))
    from stance.agreement import krippendorff_alpha

    statements = pd.read_csv(folder / "statements.csv", dtype=str, keep_default_na=False)
    coders = {name: pd.read_csv(folder / "coding" / f"coder_{name}.csv", dtype=str, keep_default_na=False)
              .set_index("id") for name in ("a", "b")}
    a, b = (coders[n].reindex(statements["id"]) for n in ("a", "b"))
    agreement = {}
    for scheme in ("stance", "tone"):
        both = pd.DataFrame({"a": a[scheme].to_numpy(), "b": b[scheme].to_numpy()})
        agreement[scheme] = {"alpha": round(krippendorff_alpha(both), 3),
                             "raw": round(float((both["a"] == both["b"]).mean()), 3), "rows": len(both)}
        print(f"{scheme}: Krippendorff's alpha {agreement[scheme]['alpha']:.3f}, "
              f"raw agreement {agreement[scheme]['raw']:.3f} over {len(both)} rows")
    for device in DEVICES:
        both = pd.DataFrame({"a": a["rhetoric"].map(lambda v: device in _devices(v)).to_numpy(),
                             "b": b["rhetoric"].map(lambda v: device in _devices(v)).to_numpy()}).astype(str)
        agreement[f"rhetoric/{device}"] = {"alpha": round(krippendorff_alpha(both), 3)}
        print(f"rhetoric/{device}: alpha {agreement[f'rhetoric/{device}']['alpha']:.3f}")
    (folder / "agreement.json").write_text(json.dumps(agreement, indent=1) + "\n")
    readings = sorted((folder / "coding").glob("third_reading*.csv"))  # id, scheme, label ("drop": no label)
    third = (pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in readings]) if readings
             else pd.DataFrame(columns=["id", "scheme", "label"]))
    out = statements.copy()
    for scheme in ("stance", "tone"):
        settle = dict(zip(*third[third["scheme"] == scheme][["id", "label"]].to_numpy().T)) if len(third) else {}
        # A disagreement is settled by the third reading when it sides with one coder; else the row is dropped.
        out[f"gold_{scheme}"] = [x if x == y else (settle.get(i, "") if settle.get(i, "") in (x, y) else "")
                                 for i, x, y in zip(out["id"], a[scheme].fillna(""), b[scheme].fillna(""))]
    out["gold_rhetoric"] = [";".join(sorted(_devices(x) & _devices(y))) for x, y in zip(a["rhetoric"], b["rhetoric"])]
    dropped = (out["gold_stance"] == "") | (out["gold_tone"] == "")
    print(f"dropped {int(dropped.sum())} row(s) on which the coders and the third reading did not settle a label")
    real = out[~dropped].reset_index(drop=True)
    real.to_csv(folder / out_name, index=False)
    if "split" in real.columns:
        print(f"{out_name}: {len(real)} rows, {int((real['split'] == 'heldout').sum())} held out; "
              f"held-out SHA-256 {heldout_sha256(real)}")
    print("stance:", real["gold_stance"].value_counts().to_dict(), "tone:", real["gold_tone"].value_counts().to_dict())


if __name__ == "__main__":
    commands = {"merge": merge, "gold": gold, "merge-civic": merge_civic,
                # the adaptation corpora (data/adapt, data/adapt_civic): no held-out split
                "gold-adapt": lambda: gold(HERE.parent / "adapt", "adapt.csv"),
                "gold-civic": lambda: gold(HERE.parent / "adapt_civic", "adapt.csv")}
    if sys.argv[1:2] == [] or sys.argv[1] not in commands:
        sys.exit(f"build.py: give one command of {', '.join(commands)} (got {sys.argv[1:]!r})")
    commands[sys.argv[1]]()
