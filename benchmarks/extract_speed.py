"""Quote extraction speed: spaCy attribution against the word rules alone, side by side.

    python benchmarks/extract_speed.py            # 100 articles of about 600 words, and a 5 MB text
    python benchmarks/extract_speed.py --no-big   # the articles only

Articles are made of the paragraphs of the real texts in ``data/real_articles/texts``, taken in
order until each article has at least 600 words. Each article is extracted with
``extract_quotes(parse=True)`` (spaCy, the default) and ``parse=False`` (the rules alone: the
extractor before spaCy), interleaved, after one warm-up that loads the pipeline; a third run
parses with thinc's default matrix products (BLIS) instead of NumPy's, which stance uses
(``stance.extraction.pipeline.numpy_products``). The 5 MB text is the same texts repeated.
"""
from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def articles(n: int = 100, words: int = 600) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "real_articles" / "texts").glob("*.txt"))]
    paragraphs = [para for t in texts for para in t.split("\n") if para.strip()]
    out, k = [], 0
    while len(out) < n:
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < words:
            parts.append(paragraphs[k % len(paragraphs)])
            k += 1
        out.append("\n\n".join(parts))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--no-big", action="store_true")
    args = parser.parse_args()
    from thinc.api import NumpyOps

    from stance.extraction.pipeline import load_english, use_ops
    from stance.extraction.quotes import QuoteWarning, extract_quotes

    warnings.simplefilter("ignore", QuoteWarning)
    docs = articles(args.n)
    extract_quotes(docs[0])  # loads spaCy's pipeline once
    nlp = load_english()
    ours, blis = nlp.get_pipe("parser").model.ops, NumpyOps(use_blis=True)
    runs = {"spaCy attribution": (True, ours), "spaCy on BLIS (thinc default)": (True, blis),
            "word rules alone": (False, ours)}
    seconds = dict.fromkeys(runs, 0.0)
    rows = dict.fromkeys(runs, 0)
    for doc in docs:
        for name, (parse, ops) in runs.items():
            use_ops(nlp, ops)
            start = time.perf_counter()
            rows[name] += len(extract_quotes(doc, parse=parse))
            seconds[name] += time.perf_counter() - start
    use_ops(nlp, ours)
    mean_words = sum(len(d.split()) for d in docs) / len(docs)
    print(f"{len(docs)} articles of {mean_words:.0f} words on average (real texts joined):")
    for name in runs:
        print(f"  {name:<28} {seconds[name] / len(docs) * 1000:6.1f} ms per article ({rows[name]} quotes)")
    spacy_s, rules_s = seconds["spaCy attribution"], seconds["word rules alone"]
    print(f"  ratio {spacy_s / rules_s:.1f}x (goal: spaCy <= 100 ms per 600-word article); NumPy's products "
          f"{seconds['spaCy on BLIS (thinc default)'] / spacy_s:.2f}x as fast as BLIS")
    if not args.no_big:
        unit = "\n\n".join(docs)
        big = (unit * (5_000_000 // len(unit) + 1))[:5_000_000]
        big = big[:big.rfind("\n\n")]
        start = time.perf_counter()
        n = len(extract_quotes(big))
        print(f"  a {len(big) / 1e6:.1f} MB text: {time.perf_counter() - start:.1f} s, {n} quotes (goal: <= 30 s)")


if __name__ == "__main__":
    main()
