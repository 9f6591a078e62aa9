"""Embedding backend speed: `stance` against a bare `SentenceTransformer.encode`, side by side.

    python benchmarks/embedding_speed.py --n 6000

Both use the packaged all-MiniLM-L6-v2, loaded once in this process (start-up is thus
excluded from both), on the same distinct statements of 8-60 words; the classifier runs
one scheme (tone) without the cache. They alternate, ``--repeats`` times each; the best
time of each is compared.
"""
from __future__ import annotations

import argparse
import time

import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--scheme", default="tone")
    args = parser.parse_args()

    import stance

    texts = common.make_statements(args.n, seed=3)
    clf = stance.Classifier(progress=False, cache=False).load()
    model = clf.backend_.model
    model.encode(texts[:64], batch_size=32)  # warm-up
    bare, ours = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        clf.classify(texts, scheme=args.scheme)
        ours.append(time.perf_counter() - start)
        print(f"  bare encode {bare[-1]:.1f} s, stance classify {ours[-1]:.1f} s", flush=True)
    print(f"embedding, {args.n} distinct statements, scheme {args.scheme!r}: bare encode "
          f"{args.n / min(bare):.0f} statements/s, stance {args.n / min(ours):.0f} statements/s, "
          f"ratio {min(bare) / min(ours):.2f}")


if __name__ == "__main__":
    main()
