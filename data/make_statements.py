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

# Two synthetic statements in other languages (written for this project; no real speaker or outlet):
# they show language detection and the English-only warning of the default model, and the Chinese
# one has its quoted terms in CJK brackets.
OTHER_LANGUAGES = [
    # id, text, speaker, source, date, target, gold_stance, gold_tone, language, English gloss
    ("x01", "所谓「防御性联盟」的北约，正把对抗带到亚太地区。我们坚决反对北约的「亚洲化」。",
     "Commentator (synthetic)", "Synthetic state media commentary", "2024-07-10", "NATO", "against", "critical",
     "zh", "NATO, the so-called 'defensive alliance', is bringing confrontation to the Asia-Pacific. "
     "We firmly oppose the 'Asianisation' of NATO."),
    ("x02", "Расширение НАТО на восток подрывает безопасность Европы, и мы призываем альянс вернуться к диалогу.",
     "Commentator (synthetic)", "Synthetic state media commentary", "2024-07-11", "NATO", "against", "critical",
     "ru", "NATO's eastward expansion undermines Europe's security, and we call on the alliance to return to "
     "dialogue."),
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
    other = pd.DataFrame([dict(id=id_, text=text, speaker=speaker, source=source, source_type="state_media",
                               date=date, target=target,
                               citation=f"synthetic example written for the stance project ({lang}; in English: "
                                        f"{gloss}) (not a real quote)",
                               synthetic=True, kind="synthetic statement", gold_stance=stance_, gold_tone=tone)
                          for id_, text, speaker, source, date, target, stance_, tone, lang, gloss in OTHER_LANGUAGES])
    out = pd.concat([real, *synthetic, other], ignore_index=True)
    out.to_csv(HERE / "statements.csv", index=False)
    print(f"wrote {len(out)} rows ({len(real)} real, {len(out) - len(real)} synthetic)")


if __name__ == "__main__":
    main()
