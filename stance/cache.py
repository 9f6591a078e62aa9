"""The result cache: label probabilities on disk, in SQLite, so that a re-run is instant.

One row per (model, scheme, target, text): the model key hashes the model's name,
revision, weights hash and the precision; the scheme key hashes the scheme's name,
version, labels, hypotheses and calibration (for ad-hoc labels: the labels and template);
the text key is the SHA-256 of the whitespace-normalised text. Probabilities are stored
as little-endian float64 bytes (no pickle). Rows are committed as they are computed, so an
interrupted run (Ctrl-C, a crash, a killed kernel) loses at most the chunk in flight, and a
re-run picks up where it stopped.

A cache file that is corrupt, or that another program wrote, is moved aside
(``results.sqlite3.corrupt-<time>``) and rebuilt, with a :class:`CacheWarning`. A cache
that cannot be opened at all (a read-only folder, a lock held too long) is skipped with a
warning: results are never wrong or lost because of the cache, at worst recomputed.

The default folder follows the platform's conventions (``platformdirs.user_cache_dir``:
``$XDG_CACHE_HOME/stance`` or ``~/.cache/stance`` on Linux, ``~/Library/Caches/stance`` on
macOS, ``%LOCALAPPDATA%\\stance\\Cache`` on Windows); ``STANCE_CACHE_DIR`` overrides it.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
import warnings
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from stance.errors import StanceWarning

FORMAT = "stance-result-cache"
SCHEMA_VERSION = "1"
FILE_NAME = "results.sqlite3"
_QUERY_CHUNK = 500  # parameters per SELECT ... IN (...), well under SQLite's limit

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    model TEXT NOT NULL, scheme TEXT NOT NULL, target TEXT NOT NULL, text TEXT NOT NULL,
    probs BLOB NOT NULL, PRIMARY KEY (model, scheme, target, text)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS digests (files TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
"""


class CacheWarning(StanceWarning):
    """The result cache was rebuilt or skipped; the results themselves are unaffected."""


def default_cache_dir() -> Path:
    """The cache folder: ``$STANCE_CACHE_DIR``, else the platform's user cache folder for ``stance``.

    >>> (default_cache_dir() / FILE_NAME).name
    'results.sqlite3'
    """
    if os.environ.get("STANCE_CACHE_DIR"):
        return Path(os.environ["STANCE_CACHE_DIR"]).expanduser()
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # the XDG rule, and the macOS and Windows equivalents
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "stance"
        if os.name == "nt":
            return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "stance" / "Cache"
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stance"
    return Path(user_cache_dir("stance", appauthor=False))


def digest(value) -> str:
    """A short, stable hash of a JSON-able value (dict keys sorted).

    >>> digest({"b": 1, "a": [2]}) == digest({"a": [2], "b": 1})
    True
    """
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


def text_key(text: str) -> str:
    """The key of a (whitespace-normalised) text: its SHA-256.

    >>> text_key("NATO is a puppet")[:12]
    '30324b2553eb'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_description(model: dict, precision: str) -> dict | None:
    """What identifies a model's results: name, revision, weights hash and precision.

    ``None`` when the weights hash is unknown (a ready model object): such results are not cached.

    >>> model_description({"backend": "nli", "model": "m", "revision": None, "weights_sha256": None}, "float32")
    """
    if not model.get("weights_sha256"):
        return None
    return {"backend": model["backend"], "model": model["model"], "revision": model.get("revision"),
            "weights_sha256": model["weights_sha256"], "precision": precision}


def scheme_description(scheme) -> dict:
    """What identifies a scheme's results: name, version, labels, hypotheses, multi-label,
    calibration, trained heads (an ad-hoc scheme's hypotheses are its labels in its template). Not
    the file it came from, nor the threshold or ``review_below`` (applied after the cache), nor the
    presentation (``display_order``, ``colours``): changing how labels look never changes a key.

    >>> from stance.schemes import adhoc_scheme
    >>> scheme_description(adhoc_scheme(["war", "peace"]))["hypotheses"]
    {'war': ['This example is war.'], 'peace': ['This example is peace.']}
    """
    info = scheme.provenance()
    info.pop("source", None)
    info.pop("review_below", None)  # applied after the cache, like the threshold
    info.pop("display_order", None)  # presentation only
    info.pop("colours", None)
    return info


class ResultCache:
    """Label probabilities keyed by (model key, scheme key, target, text key), in a SQLite file.

    Examples
    --------
    >>> import tempfile
    >>> cache = ResultCache(Path(tempfile.mkdtemp()) / FILE_NAME)
    >>> cache.put("m", "s", "", {"hello": np.array([0.25, 0.75])})
    >>> cache.get("m", "s", "", ["hello", "other"], n_labels=2)
    {'hello': array([0.25, 0.75])}
    >>> cache.close()
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    # ------------------------------------------------------------------ opening and repair

    def connection(self) -> sqlite3.Connection | None:
        """The open connection (opened, checked and if need be rebuilt on first use); None if unusable."""
        if not hasattr(self, "connection_"):
            self.connection_ = self._open()
        return self.connection_

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect_checked()
        except ForeignCacheError as exc:
            return self._rebuild(exc)
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                return self._rebuild(exc)
            warnings.warn(f"stance: result cache {str(self.path)!r} cannot be used ({exc}); "
                          "running without it", CacheWarning, stacklevel=4)
        except OSError as exc:
            warnings.warn(f"stance: result cache folder {str(self.path.parent)!r} cannot be used "
                          f"({exc.strerror or exc}); running without it", CacheWarning, stacklevel=4)
        return None

    def _connect_checked(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            check_format(con)
        except BaseException:
            con.close()
            raise
        return con

    def _rebuild(self, reason: Exception) -> sqlite3.Connection | None:
        aside = set_aside(self.path)
        warnings.warn(f"stance: result cache {str(self.path)!r} is corrupt or not a stance cache ({reason}); "
                      f"moved it to {aside.name!r} and started a new one", CacheWarning, stacklevel=4)
        try:
            return self._connect_checked()
        except (sqlite3.DatabaseError, OSError, ForeignCacheError) as exc:
            warnings.warn(f"stance: result cache {str(self.path)!r} cannot be rebuilt ({exc}); "
                          "running without it", CacheWarning, stacklevel=4)
            return None

    def _failed(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection | None:
        """After an error in use: rebuild a corrupt cache, or stop using an unusable one."""
        self.close()
        if is_corruption(exc):
            self.connection_ = self._rebuild(exc)
        else:
            warnings.warn(f"stance: result cache {str(self.path)!r} failed ({exc}); running without it",
                          CacheWarning, stacklevel=4)
            self.connection_ = None
        return self.connection_

    def close(self) -> None:
        con = getattr(self, "connection_", None)
        if con is not None:
            con.close()
        if hasattr(self, "connection_"):
            del self.connection_

    # ------------------------------------------------------------------ reading and writing

    def get(self, model: str, scheme: str, target: str, texts: Iterable[str], n_labels: int) -> dict[str, np.ndarray]:
        """The cached probabilities of those ``texts`` (normalised) that are in the cache."""
        texts = list(texts)
        keys = {text_key(t): t for t in texts}
        for attempt in range(2):
            con = self.connection()
            if con is None:
                return {}
            try:
                return lookup(con, model, scheme, target, keys, n_labels)
            except sqlite3.DatabaseError as exc:
                self._failed(exc)
        return {}

    def put(self, model: str, scheme: str, target: str, probs: dict[str, np.ndarray],
            descriptions: dict[str, dict] | None = None) -> None:
        """Store (and commit) the probabilities of normalised texts; ``descriptions`` name the keys."""
        rows = [(model, scheme, target, text_key(t), np.asarray(p, dtype="<f8").tobytes()) for t, p in probs.items()]
        described = [(k, json.dumps(v, sort_keys=True, default=str)) for k, v in (descriptions or {}).items()]
        for attempt in range(2):
            con = self.connection()
            if con is None:
                return
            try:
                with transaction(con):
                    con.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", described)
                    con.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", rows)
                return
            except sqlite3.DatabaseError as exc:
                self._failed(exc)

    def memo(self, key: str, compute: Callable[[], str]) -> str:
        """A stored value for ``key`` (e.g. a weights hash by file sizes and times), else ``compute()``."""
        con = self.connection()
        try:
            row = con and con.execute("SELECT sha256 FROM digests WHERE files = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            con, row = self._failed(exc), None
        if row:
            return row[0]
        value = compute()
        try:
            if con is not None:
                with transaction(con):
                    con.execute("INSERT OR REPLACE INTO digests VALUES (?, ?)", (key, value))
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
        return value

    def __len__(self) -> int:
        con = self.connection()
        return con.execute("SELECT COUNT(*) FROM results").fetchone()[0] if con else 0


class ForeignCacheError(Exception):
    """The file is an SQLite database, but not a stance result cache of this version."""


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """True for a damaged or non-database file, False for a lock, a read-only file, a full disk."""
    name = getattr(exc, "sqlite_errorname", "")
    if name:
        return name in {"SQLITE_CORRUPT", "SQLITE_NOTADB"} or name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return not isinstance(exc, sqlite3.OperationalError)


def check_format(con: sqlite3.Connection) -> None:
    """Create the tables in a new file; refuse (ForeignCacheError) a file that is something else."""
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        con.execute("PRAGMA journal_mode = WAL")
        with transaction(con):
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", [("format", FORMAT), ("version", SCHEMA_VERSION)])
    elif "meta" not in tables:
        raise ForeignCacheError(f"tables {sorted(tables)}, no 'meta'")
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FORMAT or meta.get("version") != SCHEMA_VERSION:
        raise ForeignCacheError(f"format {meta.get('format')!r} version {meta.get('version')!r}")
    con.execute("PRAGMA synchronous = NORMAL")


class transaction:
    """``with transaction(con):`` BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def __enter__(self):
        self.con.execute("BEGIN IMMEDIATE")
        return self.con

    def __exit__(self, kind, exc, tb):
        if kind is None:
            self.con.execute("COMMIT")
        else:
            try:
                self.con.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        return False


def lookup(con: sqlite3.Connection, model: str, scheme: str, target: str, keys: dict[str, str],
           n_labels: int) -> dict[str, np.ndarray]:
    """Rows of ``keys`` (text key -> text) found for (model, scheme, target), as text -> probabilities."""
    found: dict[str, np.ndarray] = {}
    key_list = list(keys)
    for start in range(0, len(key_list), _QUERY_CHUNK):
        part = key_list[start:start + _QUERY_CHUNK]
        marks = ",".join("?" * len(part))
        rows = con.execute(f"SELECT text, probs FROM results WHERE model = ? AND scheme = ? AND target = ? "
                           f"AND text IN ({marks})", (model, scheme, target, *part))
        for key, blob in rows:
            p = np.frombuffer(blob, dtype="<f8")
            if len(p) == n_labels:  # anything else is not ours: recompute it
                found[keys[key]] = p.astype(np.float64)
    return found


def set_aside(path: Path) -> Path:
    """Rename a bad cache file (and its -wal / -shm companions) to ``<name>.corrupt-<time>``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.replace(aside.with_name(aside.name + suffix))
    return aside
