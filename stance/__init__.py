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

from stance.agreement import agreement
from stance.classifier import Classifier
from stance.compare import compare
from stance.data import load_statements, read_statements, read_table, write_table
from stance.explain import explain_html
from stance.evaluate import evaluate  # the function; the module stays importable as stance.evaluate
from stance.errors import InputError, ModelNotAvailableError, SchemeError, StanceError
from stance.fewshot import learning_curve
from stance.quotes import extract_quotes
from stance.schemes import Scheme, adhoc_scheme, list_schemes, load_scheme
from stance.sensitivity import sensitivity

__all__ = [
    "Classifier", "InputError", "ModelNotAvailableError", "Scheme", "SchemeError", "StanceError",
    "__version__", "adhoc_scheme", "agreement", "compare", "evaluate", "explain_html", "extract_quotes",
    "learning_curve", "list_schemes", "load_scheme", "load_statements", "read_statements", "read_table", "sensitivity",
    "write_table",
]
