"""The result cache: a second run of the same `stance classify` command against the first.

    python benchmarks/cache_speed.py --model minilm --n 300

Both runs are whole processes of the same command line, with a fresh cache folder for the
first; the NLI model is a random one of MiniLM shape (``--model``), or the packaged
embedding model (``--model embedding``), with 6 ad-hoc labels.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["embedding", *sorted(common.SHAPES)], default="minilm")
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="stance-bench-cache-"))
    pd.DataFrame({"text": common.make_statements(args.n, seed=4)}).to_csv(work / "in.csv", index=False)
    model = [] if args.model == "embedding" else ["--model", str(common.bench_model(args.model))]
    command = [sys.executable, "-m", "stance.cli", "classify", str(work / "in.csv"), *model,
               "--labels", ",".join(common.LABELS), "--cache-dir", str(work / "cache"), "--quiet"]
    times = []
    for run in ("first", "second"):
        start = time.perf_counter()
        subprocess.run([*command, "--out", str(work / f"{run}.csv")], check=True,
                       env={**os.environ, "PYTHONPATH": str(common.ROOT)})
        times.append(time.perf_counter() - start)
    same = (work / "first.csv").read_bytes() == (work / "second.csv").read_bytes()
    print(f"cache, {args.model}, {args.n} statements x {len(common.LABELS)} labels: first run {times[0]:.1f} s, "
          f"second run {times[1]:.2f} s: {times[0] / times[1]:.1f}x faster; outputs identical: {same}")


if __name__ == "__main__":
    main()
