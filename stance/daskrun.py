"""Classification on a Dask cluster: the same results as the pandas path, one partition at a time.

:meth:`stance.Classifier.classify` hands a ``dask.dataframe.DataFrame`` to :func:`classify_dask`,
which returns a lazy Dask DataFrame with the columns, dtypes and provenance of the pandas path
(its ``meta`` is the pandas path's result on an empty table, computed without loading the
model). Each partition is classified on a worker by :func:`classify_partition`:

- the model is loaded once per worker process and kept (:func:`worker_classifier`, a
  cache keyed by the model and the classifier's options; :func:`model_loads` counts loads);
- a worker's torch threads are set to its Dask thread count, and its partitions run one at a
  time, so that workers do not oversubscribe the cores;
- the device is the classifier's ``device``, else the worker's own best one (CUDA, as
  ``CUDA_VISIBLE_DEVICES`` exposes it, then MPS, then CPU): on GPU workers (``dask-cuda``)
  each worker uses its GPU;
- deduplication applies within each partition, and the result cache (:mod:`stance.cache`)
  across partitions: a ``cache_dir`` on a shared disk is shared by all workers (SQLite with
  WAL and busy waits), otherwise each worker keeps its own default cache.

A partition that fails (a worker that dies) is recomputed by Dask; its rows come out once.
:func:`cmd_classify_dask` is ``stance classify INPUT... --workers N | --scheduler ADDRESS``.

Dask is an optional extra: ``pip install "stance[dask]"``. ``import stance`` never imports it.
"""
from __future__ import annotations

import glob
import json
import logging
import os
import shutil
import threading
from pathlib import Path

import pandas as pd

from stance.errors import InputError, StanceError, choices
from stance.io.files import FOLDER_SIDECAR as PROVENANCE_FILE

INSTALL_HINT = 'pip install "stance[dask]"'
READ_FORMATS = (".csv", ".tsv", ".jsonl", ".parquet")
_CLASSIFIERS: dict[str, object] = {}  # this process's classifiers, by spec (see worker_classifier)
_LOADS: dict[str, int] = {}
_LOCK = threading.RLock()


def is_dask_collection(data) -> bool:
    """True for a Dask collection (checked by its type's module: dask is not imported).

    >>> is_dask_collection(pd.DataFrame()), is_dask_collection([1])
    (False, False)
    """
    return type(data).__module__.split(".")[0] in ("dask", "dask_expr", "dask_cudf")


def require_dask(distributed: bool = False):
    """``dask.dataframe`` (and ``distributed``), or a one-line error naming the extra to install."""
    try:
        import dask.dataframe as dd

        if distributed:
            import distributed as _  # noqa: F401
    except ImportError as exc:
        raise StanceError(f"running on Dask needs the optional dask extra ({exc.name or exc} is not "
                          f"installed): {INSTALL_HINT}") from None
    return dd


def classifier_spec(clf) -> dict:
    """What a worker needs to build the same classifier: its options, JSON-able.

    >>> from stance import Classifier
    >>> classifier_spec(Classifier(batch_size=64))["init"]["batch_size"]
    64
    """
    from stance.backends import is_model_object

    if is_model_object(clf.model):
        raise InputError(f"a ready model object ({type(clf.model).__name__}) cannot be sent to Dask workers: "
                         "pass the model's hub id or folder, Classifier('name-or-folder'), and each worker "
                         "loads it once")
    model = clf.model
    if model is not None and Path(model).expanduser().exists():
        model = str(Path(model).expanduser().resolve())
    cache_dir = str(Path(clf.cache_dir).expanduser().resolve()) if clf.cache_dir else None
    init = dict(model=None if model is None else str(model), device=clf.device, batch_size=clf.batch_size,
                revision=clf.revision, trust_remote_code=clf.trust_remote_code, precision=clf.precision,
                cache=clf.cache, cache_dir=cache_dir)
    fitted = {name: state.to_dict() for name, state in sorted(getattr(clf, "fitted_", {}).items())}
    unsaved = [name for name, state in fitted.items() if state["method"] == "finetune" and not state["encoder_file"]]
    if unsaved:
        raise InputError(f"the fine-tuned encoder of {choices(unsaved)} is only in memory: call "
                         f"clf.save_fitted('fewshot.json') first, so that each Dask worker can load it")
    return {"init": init, "fitted": fitted}


def from_spec(cls, spec: dict):
    """A classifier of class ``cls`` (:class:`stance.Classifier` or a subclass) built from a
    :func:`classifier_spec`, with its few-shot states, not yet loaded."""
    clf = cls(progress=False, **spec["init"])
    if spec.get("fitted"):
        clf.load_fitted(spec["fitted"])
    return clf


def classify_dask(clf, ddf, scheme="stance", **options):
    """Classify a Dask DataFrame (or Series of texts) partition by partition; lazy.

    Keyword arguments are those of :meth:`stance.Classifier.classify`. The result is a Dask
    DataFrame whose ``meta`` (columns, dtypes, ``attrs["stance"]`` provenance) is the pandas
    path's result on an empty table; computed, it equals the pandas path on the whole table.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from stance import Classifier
    >>> texts = pd.DataFrame({"text": ["NATO is a puppet stained with blood.", "We welcome dialogue."]})
    >>> lazy = Classifier(progress=False).classify(dd.from_pandas(texts, npartitions=2), scheme="tone")
    >>> lazy.npartitions, lazy.columns[:4].tolist()
    (2, ['text', 'language', 'tone', 'tone_confidence'])
    >>> lazy.compute(scheduler="sync")["tone"].tolist()
    ['hostile', 'conciliatory']
    """
    require_dask()
    options.pop("progress", None)
    if not hasattr(ddf, "map_partitions") or not hasattr(ddf, "_meta"):
        raise InputError(f"a Dask input must be a dask DataFrame or Series, got {type(ddf).__name__}: "
                         "e.g. dask.dataframe.read_parquet(...) or dask.dataframe.from_pandas(df, npartitions=8)")
    if getattr(ddf, "ndim", 2) == 1:
        ddf = ddf.to_frame(name=options.get("text_col", "text"))
    spec = classifier_spec(clf)
    meta = clf.classify(ddf._meta, scheme, progress=False, **options)  # validates; never loads the model
    out = ddf.map_partitions(classify_partition, type(clf), spec, scheme, options, meta=meta, align_dataframes=False)
    return out


def classify_partition(part: pd.DataFrame, cls, spec: dict, scheme, options: dict) -> pd.DataFrame:
    """Classify one partition with this process's classifier for ``spec`` (loaded once)."""
    clf = worker_classifier(cls, spec)
    with _LOCK:  # one partition at a time per process; torch uses the worker's threads
        try:
            return clf.classify(part, scheme, progress=False, **options)
        finally:
            if getattr(clf, "cache_", None) is not None:
                clf.cache_.close()  # reopened by the next partition, in whatever thread runs it


def worker_classifier(cls, spec: dict):
    """This process's classifier of class ``cls`` for ``spec``, built and loaded on first use, then kept."""
    key = json.dumps(spec, sort_keys=True, default=str)
    with _LOCK:
        if key not in _CLASSIFIERS:
            threads = worker_threads()
            if threads:
                import torch

                torch.set_num_threads(threads)
            clf = from_spec(cls, spec).load()
            _CLASSIFIERS[key] = clf
            _LOADS[key] = _LOADS.get(key, 0) + 1
        return _CLASSIFIERS[key]


def worker_threads() -> int | None:
    """The thread count of the Dask worker this runs on, or None outside a worker."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None
    state = getattr(worker, "state", None)
    return int(getattr(state, "nthreads", None) or getattr(worker, "nthreads", 1))


def model_loads() -> int:
    """How many models this process has loaded for Dask partitions (``client.run(model_loads)``
    gives it per worker: 1 per model and set of options).

    >>> isinstance(model_loads(), int)
    True
    """
    return sum(_LOADS.values())


# ---------------------------------------------------------------- the command line


def input_files(patterns: list[str]) -> list[Path]:
    """The files named by paths and glob patterns, in order (each pattern's matches sorted).

    >>> from stance.data import bundled_path
    >>> [p.name for p in input_files([str(bundled_path("statements.csv"))])]
    ['statements.csv']
    """
    from stance.io.tables import check_input_file

    files: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(os.path.expanduser(pattern), recursive=True)) if glob.has_magic(pattern) \
            else [pattern]
        if not matches:
            raise InputError(f"no files match {pattern!r}: check the pattern (quote it so the shell leaves it)")
        for match in matches:
            path = Path(match)
            if path.suffix.lower() not in READ_FORMATS:
                raise InputError(f"{str(path)!r}: Dask reads {choices(READ_FORMATS)} files as partitions; "
                                 "save it as CSV or Parquet")
            check_input_file(path)
            files.append(path)
    kinds = sorted({p.suffix.lower() for p in files})
    if len(kinds) > 1:
        raise InputError(f"the inputs mix formats ({choices(kinds)}): pass files of one format")
    return files


def read_partition(path: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One input file as one partition, read as ``stance classify`` reads it (CSV cells as text)."""
    from stance.io import iter_table

    table = pd.concat(list(iter_table(path, chunk_size=100_000)), ignore_index=True)
    if columns is not None and list(table.columns) != list(columns):
        raise InputError(f"{path!r} has columns {choices(table.columns)}, the first input {choices(columns)}: "
                         "give every input file the same columns")
    return table


def read_inputs(patterns: list[str]):
    """The input files as a Dask DataFrame, one partition per file."""
    from stance.io import iter_table

    dd = require_dask()
    files = input_files(patterns)
    meta = next(iter_table(files[0], chunk_size=100)).iloc[:0]
    return dd.from_map(read_partition, [str(p) for p in files], args=[list(meta.columns)], meta=meta,
                       label="stance-read", enforce_metadata=False)


def classify_files(clf, patterns: list[str], out: str | Path, runs: list[dict], options: dict, *,
                   workers: int | None = None, scheduler: str | None = None,
                   progress: bool = True) -> tuple[Path, int, int]:
    """Classify table files on a Dask cluster, one partition per file, into a folder of
    ``part-*.parquet`` files with ``_provenance.json``; return the folder, its rows and the rows
    without a label.

    ``runs``: the keyword arguments of each :meth:`stance.Classifier.classify` run (``scheme=`` or
    ``labels=`` + ``template=``), applied in turn with the shared ``options``. ``workers``: a
    cluster of that many processes on this machine; ``scheduler``: the address of a running
    cluster. The output appears, complete, only at the end (written to ``.<out>.partial``).
    """
    require_dask(distributed=True)
    import dask
    from distributed import Client, LocalCluster
    from distributed import progress as show_progress

    from stance.io import FORMATS, write_provenance

    if workers is not None and scheduler:
        raise StanceError("pass either --workers N (a cluster on this machine) or --scheduler ADDRESS, not both")
    if workers is None and not scheduler:
        raise StanceError("pass --workers N (a cluster on this machine) or --scheduler ADDRESS")
    if workers is not None and workers < 1:
        raise StanceError(f"--workers must be 1 or more, got {workers}")
    out = Path(out)
    if out.suffix.lower() in FORMATS:
        raise StanceError(f"with --workers / --scheduler, --out is a folder for part-*.parquet files, "
                          f"got {str(out)!r}: e.g. --out results/")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StanceError(f"output folder {str(out)!r} exists and is not empty: pass a new folder")
    partial = out.with_name(f".{out.name}.partial")
    with dask.config.set({"dataframe.convert-string": False}):  # cells as read, as the single-machine path
        table = read_inputs(patterns)
        for run in runs:
            table = clf.classify(table, **run, **options)
    provenance = table._meta.attrs.get("stance")
    if scheduler:
        try:
            cluster, client = None, Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise StanceError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}): check the address "
                              "(e.g. tcp://host:8786) and that the scheduler is running") from None
    else:
        cores = os.cpu_count() or 1
        cluster = LocalCluster(n_workers=workers, threads_per_worker=max(1, cores // workers),
                               processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        shutil.rmtree(partial, ignore_errors=True)
        write = table.to_parquet(str(partial), write_index=False, compute=False,
                                 name_function=lambda i: f"part-{i:05d}.parquet")
        future = client.compute(write)
        if progress:
            show_progress(future, notebook=False, interval="0.5s")
            print()
        future.result()
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # no half-written output under any name
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if out.exists():
        _move_into(partial, out)
    else:
        partial.replace(out)
    write_provenance(out, provenance)
    return (out, *summary(out, provenance))


def _move_into(partial: Path, out: Path) -> None:
    """Move the finished parts into an (empty) existing output folder."""
    for part in partial.iterdir():
        part.replace(out / part.name)
    partial.rmdir()


def summary(folder: Path, provenance: dict | None) -> tuple[int, int]:
    """Rows in a folder of results parts, and rows with an error in some run."""
    import pyarrow.parquet as pq

    runs = (provenance or {}).get("runs", {})
    rows = errors = 0
    for part in sorted(folder.glob("part-*.parquet")):
        table = pq.read_table(part, columns=[f"{s}_error" for s in runs]).to_pandas()
        rows += pq.ParquetFile(part).metadata.num_rows
        errors += sum(int((table[c].fillna("") != "").sum()) for c in table.columns)
    return rows, errors
