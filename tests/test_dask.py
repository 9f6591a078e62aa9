"""Classification on a real Dask cluster (worker processes on this machine): the same table as
the pandas path, one model load per worker, a worker killed mid-run, the CLI, and no Dask."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import dask  # the dask extra: `make install` installs it (pip install -e ".[dev,dask]")
import dask.dataframe as dd
import distributed

from stance import Classifier, load_statements  # noqa: E402
from stance.cache import FILE_NAME, ResultCache  # noqa: E402
from stance.core import normalise_text  # noqa: E402
from stance.daskrun import model_loads  # noqa: E402

# Scores from Dask workers (one torch thread each) against this process (two): float32 sums in
# another order differ by up to ~1.3e-6 here (MKL on an AMD EPYC), so not bit-for-bit.
CROSS_PROCESS = 1e-5

pytestmark = pytest.mark.slow


def synthetic_statements(n: int, seed: int) -> list[str]:
    """``n`` distinct synthetic statements made of the bundled English statements' words."""
    from stance.language import detect_language

    texts = load_statements()["text"]
    words = " ".join(t for t in texts if detect_language(t) == "en").split()
    rng = np.random.default_rng(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        out[" ".join(words[i] for i in rng.integers(0, len(words), int(rng.integers(6, 25)))) + "."] = None
    return list(out)


def start_cluster():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    return cluster, distributed.Client(cluster)


@pytest.fixture(scope="module")
def client():
    cluster, client = start_cluster()
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def table():
    """100 rows: the bundled statements, repeats, missing and empty texts, a shuffled index."""
    base = load_statements()[["id", "text", "target"]]
    df = pd.concat([base] * 3, ignore_index=True).iloc[:100].copy()
    df["text"] = df["text"].astype(object)
    df.loc[[3, 77], "text"] = None
    df.loc[[5, 50], "text"] = "   "
    df.loc[9, "target"] = None
    df.index = pd.Index(np.random.default_rng(0).permutation(np.arange(1000, 1100)), name="row")
    return df


def test_import_stance_does_not_import_dask():
    code = "import sys, stance; sys.exit(1 if {'dask', 'distributed'} & set(sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_twenty_partitions_give_the_pandas_table(client, table, clf, tmp_path):
    expected = clf.classify(table, scheme="stance", target_col="target")
    expected = clf.classify(expected, scheme="rhetoric")
    dask_clf = Classifier(progress=False, cache_dir=tmp_path / "cache")
    with dask.config.set({"dataframe.convert-string": False}):  # keep the input's dtypes as they are
        ddf = dd.from_pandas(table, npartitions=20, sort=False)
    assert ddf.npartitions == 20
    lazy = dask_clf.classify(dask_clf.classify(ddf, scheme="stance", target_col="target"), scheme="rhetoric")
    assert not hasattr(dask_clf, "backend_")  # the client built the meta without loading the model
    assert list(lazy.columns) == list(expected.columns)
    assert lazy.dtypes.to_dict() == expected.dtypes.to_dict()
    assert lazy._meta.attrs["stance"] == expected.attrs["stance"]
    out = client.compute(lazy).result()
    pd.testing.assert_frame_equal(out, expected, check_exact=False, rtol=0, atol=CROSS_PROCESS)
    assert out.index.tolist() == table.index.tolist()
    other = out["language"].isin(["zh", "ru"])  # the bundled Chinese and Russian rows: no label from MiniLM
    assert other.sum() > 0 and out.loc[other, "stance"].isna().all()
    assert (out.loc[~other, "stance_error"] != "").sum() == 5  # 2 missing, 2 empty texts, 1 missing target
    assert out.attrs["stance"] == expected.attrs["stance"]
    # each worker process loaded the model once, for all its partitions, and runs torch on its 1 thread
    assert sorted(client.run(model_loads).values()) == [1, 1]
    assert set(client.run(lambda: __import__("torch").get_num_threads()).values()) == {1}
    # both worker processes wrote to the one shared cache: every distinct valid English text, per scheme
    from stance.language import detect_language

    valid = table["text"].map(lambda t: isinstance(t, str) and bool(t.strip()) and detect_language(t) not in ("zh", "ru"))
    stance_keys = {(normalise_text(t), g) for t, g, v in zip(table["text"], table["target"], valid) if v and isinstance(g, str)}
    rhetoric_keys = {normalise_text(t) for t, v in zip(table["text"], valid) if v}
    cache = ResultCache(tmp_path / "cache" / FILE_NAME)
    assert len(cache) == len(stance_keys) + len(rhetoric_keys)
    cache.close()


def test_a_dask_series_of_texts(client, clf, tmp_path):
    texts = pd.Series(["NATO is a puppet stained with blood.", "We welcome dialogue.", "The meeting is on Monday."])
    out = client.compute(Classifier(progress=False, cache_dir=tmp_path).classify(
        dd.from_pandas(texts, npartitions=3), scheme="tone")).result()
    pd.testing.assert_frame_equal(out, clf.classify(texts.tolist(), scheme="tone"), check_exact=False, atol=CROSS_PROCESS,
                                  check_dtype=False)


def test_a_bad_column_fails_before_anything_runs(clf):
    ddf = dd.from_pandas(pd.DataFrame({"body": ["x", "y"]}), npartitions=2)
    with pytest.raises(Exception, match="no text column 'text'; the columns are 'body'"):
        clf.classify(ddf, scheme="tone")


def test_a_worker_killed_mid_run_loses_and_repeats_no_row(clf, tmp_path):
    texts = synthetic_statements(1600, seed=6)
    df = pd.DataFrame({"id": np.arange(len(texts)), "text": texts})
    cache = ResultCache(tmp_path / FILE_NAME)
    cluster, client = start_cluster()
    try:
        with dask.config.set({"dataframe.convert-string": False}):
            ddf = dd.from_pandas(df, npartitions=20, sort=False)
        lazy = Classifier(progress=False, cache_dir=tmp_path).classify(ddf, scheme="tone")
        future = client.compute(lazy)
        deadline = time.monotonic() + 300
        while len(cache) == 0 and time.monotonic() < deadline:  # until some partition is done
            time.sleep(0.2)
        busy = {w: keys for w, keys in client.processing().items() if keys}
        assert busy and not future.done(), "the run ended before a worker could be killed: give it more rows"
        victim = next(iter(busy))
        pids = client.run(os.getpid)
        os.kill(pids[victim], signal.SIGKILL)
        out = future.result(timeout=600)
        after = client.run(os.getpid)
    finally:
        cache.close()
        client.close()
        cluster.close()
    assert pids[victim] not in after.values()  # the process is gone; the nanny started a new one
    assert out["id"].tolist() == df["id"].tolist()  # every row once, in order
    assert out.index.tolist() == df.index.tolist()
    assert (out["tone_error"] == "").all() and out["tone"].notna().all()
    sample = df.sample(40, random_state=0)
    expected = clf.classify(sample, scheme="tone")
    pd.testing.assert_frame_equal(out.loc[sample.index], expected, check_exact=False, rtol=0, atol=CROSS_PROCESS)


def test_cli_with_workers_writes_parquet_parts(root, clf, tmp_path):
    base = load_statements()[["id", "text", "target"]]
    (tmp_path / "in").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(base)), 3)):
        base.iloc[rows].to_csv(tmp_path / "in" / f"part{i}.csv", index=False)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-m", "stance.cli", "classify", str(tmp_path / "in" / "*.csv"),
                             "--workers", "2", "--scheme", "tone", "--out", str(out),
                             "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"wrote {len(base)} rows to {out}/part-*.parquet" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["_provenance.json", "part-00000.parquet",
                                                     "part-00001.parquet", "part-00002.parquet"]
    provenance = json.loads((out / "_provenance.json").read_text())
    assert list(provenance["runs"]) == ["tone"]
    written = pd.read_parquet(out)
    expected = clf.classify(pd.read_csv(root / "data" / "statements.csv", dtype=str, keep_default_na=False,
                                        na_values=[""])[["id", "text", "target"]], scheme="tone")
    assert written["id"].tolist() == expected["id"].tolist()
    pd.testing.assert_series_equal(written["tone"], expected["tone"], check_index=False, check_dtype=False)
    np.testing.assert_allclose(written.filter(like="tone_p_").to_numpy(),
                               expected.filter(like="tone_p_").to_numpy(), atol=CROSS_PROCESS, rtol=0)


@pytest.mark.parametrize("extra, message", [
    (["--workers", "2", "--out", "out.csv"], "--out is a folder for part-*.parquet files, got 'out.csv'"),
    (["--workers", "0", "--out", "out"], "--workers must be 1 or more, got 0"),
    (["--workers", "2", "--scheduler", "tcp://x:1", "--out", "o"], "pass either --workers N"),
])
def test_cli_dask_errors_are_one_line(capsys, extra, message, tmp_path):
    from stance.cli import main

    assert main(["classify", str(tmp_path / "*.csv"), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_cli_glob_that_matches_nothing(capsys, tmp_path):
    from stance.cli import main

    assert main(["classify", str(tmp_path / "*.csv"), "--workers", "2", "--out", str(tmp_path / "o")]) == 2
    assert "no files match" in capsys.readouterr().err


def test_cli_several_inputs_need_a_cluster(capsys, tmp_path):
    from stance.cli import main

    assert main(["classify", "a.csv", "b.csv", "--out", str(tmp_path / "o.csv")]) == 2
    assert "pass one file, or several with --workers N" in capsys.readouterr().err


def test_without_dask_a_one_line_message_names_the_extra(root, tmp_path):
    code = """
import sys
sys.modules.update({"dask": None, "dask.dataframe": None, "distributed": None})  # as if not installed
import stance
from stance.cli import main
from stance.errors import StanceError

rc = main(["classify", "in/*.csv", "--workers", "2", "--out", "out"])
assert rc == 2, rc
fake = type("DataFrame", (), {"__module__": "dask.dataframe.dask_expr._collection"})()
try:
    stance.Classifier().classify(fake)
except StanceError as exc:
    print("api:", exc)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr
    hint = 'pip install "stance[dask]"'
    assert result.stderr.startswith("stance: error: ") and hint in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout.startswith("api: ") and hint in result.stdout


def test_input_files_must_share_format_and_columns(tmp_path):
    from stance.daskrun import input_files, read_partition
    from stance.errors import InputError

    pd.DataFrame({"text": ["a"], "id": [1]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"body": ["b"]}).to_csv(tmp_path / "b.csv", index=False)
    pd.DataFrame({"text": ["c"]}).to_parquet(tmp_path / "c.parquet")
    assert [p.name for p in input_files([str(tmp_path / "*.csv")])] == ["a.csv", "b.csv"]
    with pytest.raises(InputError, match=r"the inputs mix formats \('.csv', '.parquet'\)"):
        input_files([str(tmp_path / "*.csv"), str(tmp_path / "c.parquet")])
    with pytest.raises(InputError, match="has columns 'body', the first input 'text', 'id'"):
        read_partition(str(tmp_path / "b.csv"), ["text", "id"])
    assert read_partition(str(tmp_path / "a.csv"), ["text", "id"])["id"].tolist() == ["1"]  # CSV cells as text
