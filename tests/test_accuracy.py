"""Accuracy of the default model on the synthetic dev sets, through `stance classify`.

The shipped calibrations were fitted on these sets, so these are in-sample figures and
serve as a regression guard; benchmarks/calibrate.py reports the cross-fitted ones.
"""
from __future__ import annotations

import importlib.util

import pytest


@pytest.mark.slow
def test_dev_set_macro_f1(root):
    spec = importlib.util.spec_from_file_location("accuracy", root / "benchmarks" / "accuracy.py")
    accuracy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(accuracy)
    results = accuracy.main()  # prints the figures (shown with pytest -s)
    for name, scores in results.items():
        assert scores["stance"] >= 0.74, (name, scores)
        assert scores["tone"] >= 0.88, (name, scores)
