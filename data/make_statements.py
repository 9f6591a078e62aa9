"""Build data/statements.csv: the seed article's statements (verbatim, cited) plus a
stratified sample of the synthetic dev sets. Run: python data/make_statements.py"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ARTICLE = (HERE / "china-nato-article.txt").read_text(encoding="utf-8")
CITE = ("Jagannath P. Panda, 'Shifting China-NATO Relations: From Selective Cooperation to Strategic "
        "Rivalry?', China Brief, The Jamestown Foundation; the article cites ({})")

STOLTENBERG = ("On March 15, North Atlantic Treaty Organization (NATO) General Secretary Jens Stoltenberg "
               "called on China to withdraw its support for Russia and to condemn its “brutal” invasion of Ukraine")
GLOBAL_TIMES = ("The next day, the nationalistic state media outlet Global Times issued a scathing criticism of "
                "NATO as a “puppet” of the United States that is “stained with blood”")
ASIAN_NATO = ("Beijing’s fears that U.S. is seeking to establish an “Asian NATO” via partnerships like the "
              "Quadrilateral Security Dialogue (Quad), have also increased")

REAL = [
    # id, text, speaker, source, source_type, date, target, cited as
    ("r01", STOLTENBERG, "Jens Stoltenberg, NATO Secretary General", "NATO", "official", "2022-03-15",
     "Russia", "NATO, March 15"),
    ("r02", STOLTENBERG, "Jens Stoltenberg, NATO Secretary General", "NATO", "official", "2022-03-15",
     "China", "NATO, March 15"),
    ("r03", GLOBAL_TIMES, "Global Times", "Global Times", "state_media", "2022-03-16", "NATO",
     "Global Times, March 16"),
    ("r04", ASIAN_NATO, "China Daily", "China Daily", "state_media", "2004-06-06", "the United States",
     "China Daily, June 6, 2004"),
    ("r05", ASIAN_NATO, "Global Times", "Global Times", "state_media", "2020-10-11", "the United States",
     "Global Times, October 11, 2020"),
]


def main() -> None:
    rows = []
    for id_, text, speaker, source, source_type, date, target, cited in REAL:
        assert text in ARTICLE, f"{id_} is not verbatim from the seed article"
        rows.append(dict(id=id_, text=text, speaker=speaker, source=source, source_type=source_type,
                         date=date, target=target, citation=CITE.format(cited), synthetic=False,
                         kind="paraphrase in the seed article, with the quoted words verbatim",
                         gold_stance=None, gold_tone=None))
    real = pd.DataFrame(rows)
    synthetic = []
    for name in ("synthetic_a.csv", "synthetic_b.csv"):
        dev = pd.read_csv(HERE / "dev" / name)
        # 3 rows of each source type x stance (18 per file), then 3 more for tone balance: 21 + 21 rows
        sample = dev.groupby(["source_type", "gold_stance"]).sample(n=3, random_state=0)
        extra = dev.drop(sample.index).groupby("gold_tone").sample(n=1, random_state=0).head(3)
        synthetic.append(pd.concat([sample, extra]).assign(kind="synthetic statement"))
    out = pd.concat([real, *synthetic], ignore_index=True)
    out.to_csv(HERE / "statements.csv", index=False)
    print(f"wrote {len(out)} rows ({len(real)} real, {len(out) - len(real)} synthetic)")


if __name__ == "__main__":
    main()
