"""stance: zero-shot stance, tone and rhetoric labels for quoted political statements.

``import stance`` is light: torch and transformers load when a model is first needed.

>>> import stance
>>> stance.list_schemes()
['rhetoric', 'stance', 'tone']
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stance")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from stance.classifier import Classifier
from stance.compare import compare
from stance.data import load_statements, read_table, write_table
from stance.errors import InputError, ModelNotAvailableError, SchemeError, StanceError
from stance.schemes import Scheme, adhoc_scheme, list_schemes, load_scheme

__all__ = [
    "Classifier", "InputError", "ModelNotAvailableError", "Scheme", "SchemeError", "StanceError",
    "__version__", "adhoc_scheme", "compare", "list_schemes", "load_scheme", "load_statements", "read_table",
    "write_table",
]
