"""`stance classify` in chunks: row order, formats, and resuming after a kill."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from stance.cache import FILE_NAME
from stance.io import read_table
from stance.io import TableWriter, iter_table

WORDS = ("alliance", "sanctions", "peace", "talks", "warmongers", "cooperation", "blood", "summit")


def statements(n: int, distinct: int) -> pd.DataFrame:
    """``n`` rows cycling through ``distinct`` texts, with some empty and missing ones."""
    texts = [f"The {WORDS[i % 8]} and the {WORDS[(i * 3) % 8]} were discussed, statement {i}." for i in range(distinct)]
    rows = [texts[(i * 7) % distinct] for i in range(n)]
    rows[5] = ""
    rows[11] = "   "
    return pd.DataFrame({"id": [f"r{i:04d}" for i in range(n)], "text": rows,
                         "target": ["NATO" if i % 4 else "the EU" for i in range(n)],
                         "score": [i if i % 10 else None for i in range(n)]})


def cli(*args, env=None, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "stance.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, **kwargs)


def run(*args, env=None):
    proc = cli(*args, env=env)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out


def test_chunks_keep_every_row_in_input_order(clf, tmp_path):
    table = statements(60, 25)
    table.astype({"score": "Int64"}).to_csv(tmp_path / "in.csv", index=False)
    with open(tmp_path / "in.jsonl", "w") as fh:
        for record in table.to_dict("records"):
            fh.write(json.dumps({k: (None if isinstance(v, float) and np.isnan(v) else v)
                                 for k, v in record.items()}) + "\n")
    cache = tmp_path / "cache"
    run("classify", tmp_path / "in.csv", "--scheme", "stance", "--scheme", "tone", "--chunk-size", 7,
        "--cache-dir", cache, "--out", tmp_path / "out.csv", "--quiet")
    run("classify", tmp_path / "in.jsonl", "--scheme", "tone", "--chunk-size", 9, "--cache-dir", cache,
        "--out", tmp_path / "out2.jsonl", "--quiet")
    out = pd.read_csv(tmp_path / "out.csv", dtype={"score": str}, keep_default_na=False)
    assert out["id"].tolist() == table["id"].tolist()  # one row per input row, in order
    assert out["score"].tolist() == [str(i) if i % 10 else "" for i in range(60)]  # cells as read, no "3.0"
    whole = clf.classify(read_table(tmp_path / "in.csv"), scheme="stance")  # the whole file at once
    whole = clf.classify(whole, scheme="tone")
    for col in ("stance", "tone", "stance_error", "tone_error"):
        assert out[col].tolist() == whole[col].fillna("").tolist(), col
    cols = [c for c in whole.columns if "_p_" in c]
    np.testing.assert_allclose(out[cols].replace("", "nan").to_numpy(float), whole[cols].to_numpy(float), rtol=0, atol=1e-5)
    lines = [json.loads(line) for line in (tmp_path / "out2.jsonl").read_text().splitlines()]
    assert [r["id"] for r in lines] == table["id"].tolist()
    assert [r["score"] for r in lines] == [i if i % 10 else None for i in range(60)]  # ints stay ints
    assert [r["tone"] or "" for r in lines] == out["tone"].tolist()
    meta = json.loads((tmp_path / "out.provenance.json").read_text())
    assert set(meta["runs"]) == {"stance", "tone"}
    assert not list(tmp_path.glob(".*.partial"))


def test_table_writer_parquet_and_iter_table_round_trip(tmp_path):
    table = statements(23, 23)
    table.to_parquet(tmp_path / "in.parquet", index=False)
    chunks = list(iter_table(tmp_path / "in.parquet", chunk_size=5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    with TableWriter(tmp_path / "out.parquet", provenance={"x": 1}) as writer:
        for chunk in chunks:
            writer.write(chunk)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out.parquet"), table)


def test_failed_write_leaves_no_output(tmp_path):
    out = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with TableWriter(out) as writer:
            writer.write(pd.DataFrame({"a": [1]}))
            raise RuntimeError("interrupted")
    assert not out.exists() and not list(tmp_path.iterdir())


def cached_rows(path) -> int:
    if not path.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_output(tmp_path):
    """SIGKILL a run once some rows are cached; the re-run's output equals an uninterrupted run's."""
    n = 100
    statements(n, n).to_csv(tmp_path / "in.csv", index=False)
    args = ["classify", tmp_path / "in.csv", "--scheme", "tone", "--chunk-size", 2, "--quiet"]
    run(*args, "--cache-dir", tmp_path / "reference-cache", "--out", tmp_path / "reference.csv")

    cache = tmp_path / "cache"
    out = tmp_path / "out.csv"
    proc = cli(*args, "--cache-dir", cache, "--out", out)
    deadline = time.monotonic() + 300
    while cached_rows(cache / FILE_NAME) < 10 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    done = cached_rows(cache / FILE_NAME)
    assert 10 <= done < n - 2, f"the run was not stopped half-way ({done} of {n} cached)"
    assert not out.exists()  # a partial output never has the output's name

    run(*args, "--cache-dir", cache, "--out", out)
    assert cached_rows(cache / FILE_NAME) == n - 2  # two empty texts; nothing computed twice
    assert out.read_bytes() == (tmp_path / "reference.csv").read_bytes()
    assert not list(tmp_path.glob(".*.partial"))


def test_interrupted_run_exits_130_and_leaves_no_output(tmp_path):
    statements(300, 300).to_csv(tmp_path / "in.csv", index=False)
    cache = tmp_path / "cache"
    out = tmp_path / "out.csv"
    proc = cli("classify", tmp_path / "in.csv", "--scheme", "tone", "--chunk-size", 2, "--quiet",
               "--cache-dir", cache, "--out", out)
    deadline = time.monotonic() + 300
    while cached_rows(cache / FILE_NAME) < 4 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be interrupted")
    assert proc.returncode == 130 and "interrupted" in err
    assert not out.exists() and not list(tmp_path.glob(".*.partial"))
    assert cached_rows(cache / FILE_NAME) >= 4  # what was done is kept
