"""Dask: throughput of 1 against 2 worker processes, and model loads per worker, side by side.

    python benchmarks/dask_workers.py --n 20000

The packaged all-MiniLM-L6-v2 (embedding backend), one scheme (tone), ``--n`` distinct
statements of 8-60 words in ``--partitions`` partitions, no result cache (every statement is
computed). For each cluster size, a ``LocalCluster`` of that many worker processes with one
thread each is started and warmed up (every worker loads the model and classifies a few
other statements), then the classification of the whole table is timed from submission to
the last row back on the client. Model loads are counted on every worker afterwards.
"""
from __future__ import annotations

import argparse
import os
import time

import pandas as pd

import common


def warm_up(spec: dict, scheme: str, texts: list[str]) -> int:
    """On a worker: load the model and classify a few statements; the loads so far."""
    from stance.classifier import Classifier
    from stance.daskrun import classify_partition, model_loads

    classify_partition(pd.DataFrame({"text": texts}), Classifier, spec, scheme, {})
    return model_loads()


def run(n_workers: int, table: pd.DataFrame, partitions: int, scheme: str) -> tuple[float, dict]:
    """Seconds to classify ``table`` on ``n_workers`` workers, and the model loads per worker."""
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import stance
    from stance.daskrun import classifier_spec, model_loads

    clf = stance.Classifier(progress=False, cache=False)
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        client.run(warm_up, classifier_spec(clf), scheme, common.make_statements(16, seed=99))
        with dask.config.set({"dataframe.convert-string": False}):
            ddf = dd.from_pandas(table, npartitions=partitions, sort=False)
        lazy = clf.classify(ddf, scheme=scheme)
        start = time.perf_counter()
        out = client.compute(lazy).result()
        seconds = time.perf_counter() - start
        loads = client.run(model_loads)
    assert len(out) == len(table) and out[f"{scheme}_error"].eq("").all()
    return seconds, loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--partitions", type=int, default=40)
    parser.add_argument("--scheme", default="tone")
    args = parser.parse_args()

    table = pd.DataFrame({"text": common.make_statements(args.n, seed=6)})
    print(f"dask, embedding (packaged MiniLM), {args.n} distinct statements, scheme {args.scheme!r}, "
          f"{args.partitions} partitions, {os.cpu_count()} cores, load average at start "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    rates = {}
    for n_workers in (1, 2):
        seconds, loads = run(n_workers, table, args.partitions, args.scheme)
        rates[n_workers] = args.n / seconds
        print(f"  {n_workers} worker(s) x 1 thread: {seconds:.1f} s, {rates[n_workers]:.1f} statements/s; "
              f"model loads per worker: {sorted(loads.values())}; load average {os.getloadavg()[0]:.1f}",
              flush=True)
    print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x throughput")


if __name__ == "__main__":
    main()
