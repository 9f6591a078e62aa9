"""Embedding backend speed: `stance` against a bare `SentenceTransformer.encode`, side by side.

    python benchmarks/embedding_speed.py --n 6000

Both use the packaged all-MiniLM-L6-v2, loaded once in this process (start-up is thus
excluded from both), on the same distinct statements of 8-60 words; the classifier runs
one scheme (tone) without the cache. The model's float32 library (MKL or oneDNN,
``stance.backends.gemm``) is the one stance chose, for both. They alternate, ``--repeats`` times each; the best
time of each is compared.
"""
from __future__ import annotations

import argparse
import os
import time

import common

from stance.backends import gemm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--scheme", default="tone")
    args = parser.parse_args()

    import stance

    texts = common.make_statements(args.n, seed=3)
    clf = stance.Classifier(progress=False, cache=False).load()
    os.environ[gemm.OVERRIDE] = "mkl"  # a second copy of the model on PyTorch's default library
    try:
        mkl_model = stance.Classifier(progress=False, cache=False).load().backend_.model
    finally:
        del os.environ[gemm.OVERRIDE]
    model = clf.backend_.model
    for m in (model, mkl_model):
        m.encode(texts[:64], batch_size=32)  # warm-up
    bare, ours, bare_mkl = [], [], []
    for _ in range(args.repeats):
        for times, run in ((bare, lambda: encode(model, texts)), (ours, lambda: clf.classify(texts, scheme=args.scheme)),
                           (bare_mkl, lambda: encode(mkl_model, texts))):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        print(f"  bare encode {bare[-1]:.1f} s, stance classify {ours[-1]:.1f} s, bare encode on MKL "
              f"{bare_mkl[-1]:.1f} s", flush=True)
    print(f"embedding, {args.n} distinct statements, scheme {args.scheme!r}: bare encode "
          f"{args.n / min(bare):.0f} statements/s, stance {args.n / min(ours):.0f} statements/s, "
          f"ratio {min(bare) / min(ours):.2f} (float32 products on {clf.backend_.gemm}, for both: same model)")
    print(f"  a bare encode on {clf.backend_.gemm} / on MKL (PyTorch's default): {min(bare_mkl) / min(bare):.2f}x; "
          f"stance / a bare encode on MKL: {min(bare_mkl) / min(ours):.2f}x")


def encode(model, texts):
    return model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)


if __name__ == "__main__":
    main()
