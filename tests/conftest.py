"""Shared fixtures: one packaged MiniLM classifier per session, offline."""
from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing waits on a network that is not there
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def clf():
    """The default classifier (packaged all-MiniLM-L6-v2), loaded once."""
    import stance

    return stance.Classifier(progress=False).load()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def results(clf):
    """The bundled statements labelled by stance, tone and rhetoric, once per session."""
    import stance

    out = clf.classify(stance.load_statements(), scheme="stance", target_col="target", progress=False)
    out = clf.classify(out, scheme="tone", progress=False)
    return clf.classify(out, scheme="rhetoric", progress=False)
