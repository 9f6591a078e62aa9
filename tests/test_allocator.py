"""The glibc allocator settings applied when an NLI model is loaded for the CPU.

Each check runs in a fresh subprocess, since the settings are process-wide and
this test process has them already once any NLI model is loaded. What is counted
is minor page faults, not time.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stance.backends import allocator

ROOT = Path(__file__).resolve().parents[1]

# Eight 10 MB arrays live at once, then freed, ten times over: glibc trims the freed heap
# back to the kernel each round and faults it in again the next, unless the thresholds are raised.
WORKLOAD = """
import resource, sys
import numpy as np
from stance.backends.allocator import tune_allocator
tuned = tune_allocator() if sys.argv[1] == "tune" else False
def work():
    arrays = [np.ones(10 * 2**20 // 8) for _ in range(8)]
    del arrays
work()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    work()
print(tuned, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

needs_glibc = pytest.mark.skipif(allocator.glibc() is None, reason="the allocator settings apply to glibc only")


def run_workload(mode: str, **env) -> tuple[bool, int]:
    out = subprocess.run([sys.executable, "-c", WORKLOAD, mode], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, **env}, check=True, timeout=120)
    tuned, faults = out.stdout.split()
    return tuned == "True", int(faults)


@needs_glibc
def test_tuning_stops_the_page_faults_of_repeated_large_allocations():
    untuned, faults_before = run_workload("plain")
    tuned, faults_after = run_workload("tune")
    assert (untuned, tuned) == (False, True)
    assert faults_before > 20_000  # 80 MB faulted in again each of 10 rounds: ~20,000 pages a round
    assert faults_after < faults_before / 20


@needs_glibc
def test_the_environment_variable_opts_out():
    tuned, faults = run_workload("tune", STANCE_MALLOC_TUNING="0")
    assert tuned is False
    assert faults > 20_000


def test_opted_out_reads_the_usual_false_spellings(monkeypatch):
    for value in ("0", "false", "No", " off "):
        monkeypatch.setenv(allocator.OPT_OUT, value)
        assert allocator.opted_out()
    for value in ("1", "", "yes"):
        monkeypatch.setenv(allocator.OPT_OUT, value)
        assert not allocator.opted_out()


def test_no_tuning_without_glibc(monkeypatch):
    monkeypatch.setattr(allocator, "_tuned", False)
    monkeypatch.setattr(allocator, "glibc", lambda: None)
    assert allocator.tune_allocator() is False


def test_loading_an_nli_model_for_the_cpu_tunes_the_allocator(monkeypatch, tmp_path):
    import stance.testing as nli_models
    from stance.backends import nli
    from stance.backends.models import locate

    calls = []
    monkeypatch.setattr(nli, "tune_allocator", lambda: calls.append(True) or True)
    path = nli_models.build_model(tmp_path / "nli")
    nli.NLIBackend.from_files(locate(str(path)), device="cpu")
    assert calls == [True]
