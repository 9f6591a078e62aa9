"""Accuracy of the default model on the synthetic dev sets, through `stance classify`.

The shipped calibrations were fitted on sets A and B, so their figures are in-sample and
serve as a regression guard; set C is held out (see data/README.md).
"""
from __future__ import annotations

import importlib.util

import pytest


@pytest.mark.slow
def test_dev_set_macro_f1(root):
    spec = importlib.util.spec_from_file_location("accuracy", root / "benchmarks" / "accuracy.py")
    accuracy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(accuracy)
    results = accuracy.main(("synthetic_a.csv", "synthetic_b.csv", "synthetic_c.csv"))  # printed with -s
    for name, scores in results.items():
        assert scores["stance"] >= 0.78, (name, scores)
        assert scores["tone"] >= 0.86, (name, scores)
