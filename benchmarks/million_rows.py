"""Streaming: 1,000,000 rows through `stance classify`, peak memory and row order.

    python benchmarks/million_rows.py --rows 1000000 --distinct 3000

The rows repeat ``--distinct`` statements of 8-60 words (so that the embedding model
runs in minutes); each has an ``id``. The command is `stance classify --scheme tone`
with the packaged model and a fresh cache; peak RSS is the child process's maximum
resident set size. The output is checked to have one row per input row, in order.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=3000)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="stance-bench-1m-"))
    texts = np.array(common.make_statements(args.distinct, seed=5), dtype=object)
    pick = np.random.default_rng(0).integers(0, args.distinct, args.rows)
    pd.DataFrame({"id": np.arange(args.rows), "text": texts[pick]}).to_csv(work / "in.csv", index=False)
    size = (work / "in.csv").stat().st_size / 1e6
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "stance.cli", "classify", str(work / "in.csv"), "--scheme", "tone",
                    "--chunk-size", str(args.chunk_size), "--cache-dir", str(work / "cache"), "--quiet",
                    "--out", str(work / "out.csv")], check=True, env={**os.environ, "PYTHONPATH": str(common.ROOT)})
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    ids = pd.read_csv(work / "out.csv", usecols=["id"])["id"].to_numpy()
    labels = pd.read_csv(work / "out.csv", usecols=["tone"])["tone"]
    in_order = len(ids) == args.rows and bool((ids == np.arange(args.rows)).all())
    print(f"{args.rows:,} rows ({args.distinct} distinct texts, {size:.0f} MB CSV), chunks of {args.chunk_size}: "
          f"{elapsed:.0f} s ({args.rows / elapsed:,.0f} rows/s), peak RSS {peak:,.0f} MiB, "
          f"{len(ids):,} output rows, in input order: {in_order}, labelled: {labels.notna().sum():,}")
    for path in work.glob("*.csv"):
        path.unlink()


if __name__ == "__main__":
    main()
