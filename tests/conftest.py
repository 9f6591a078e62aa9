"""Shared fixtures: one packaged MiniLM classifier per session, offline, with a throw-away cache."""
from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing waits on a network that is not there
os.environ.setdefault("MPLBACKEND", "Agg")
# The result cache goes to a folder of this test session (subprocesses and notebook kernels
# inherit it), never to the user's own cache.
import tempfile  # noqa: E402

TEST_CACHE = os.environ["STANCE_CACHE_DIR"] = tempfile.mkdtemp(prefix="stance-test-cache-")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def clf():
    """The default classifier (packaged all-MiniLM-L6-v2), loaded once."""
    import stance

    return stance.Classifier(progress=False).load()


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a test module (``pytestmark = pytest.mark.usefixtures("one_torch_thread")``):
    tiny models and many tiny batches run much faster so (thread wake-ups dominate, worse on busy CPUs)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session", autouse=True)
def remove_test_cache():
    yield
    import shutil

    shutil.rmtree(TEST_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def results(clf):
    """The bundled statements labelled by stance, tone and rhetoric, once per session."""
    import stance

    out = clf.classify(stance.load_statements(), scheme="stance", target_col="target", progress=False)
    out = clf.classify(out, scheme="tone", progress=False)
    return clf.classify(out, scheme="rhetoric", progress=False)
