from __future__ import annotations

import subprocess
import sys


def test_import_stance_is_light():
    code = ("import sys, stance; heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', "
            "'matplotlib') if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_changes_no_warning_filters_or_logging():
    # numpy and pandas add filters of their own when imported; stance adds none
    code = ("import warnings, logging, numpy, pandas; before = (list(warnings.filters), logging.root.level); import stance; "
            "assert (list(warnings.filters), logging.root.level) == before")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
