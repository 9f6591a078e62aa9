"""stance: zero-shot stance, tone and rhetoric labels for quoted political statements.

``import stance`` is light: torch and transformers load when a model is first needed.
The data flow and where each concern lives: ``docs/architecture.md``.

>>> import stance
>>> stance.list_schemes()
['rhetoric', 'stance', 'tone']
"""
from __future__ import annotations

import sys
import types

from stance import agreement, compare, evaluate, io, plot, report, sensitivity
from stance.classifier import Classifier
from stance.data import load_statements, read_statements
from stance.errors import InputError, ModelNotAvailableError, SchemeError, StanceError
from stance.explain import explain_html
from stance.learning import learning_curve
from stance.io import read_table, write_table
from stance.extraction.quotes import extract_quotes
from stance.schemes import Scheme, adhoc_scheme, list_schemes, load_scheme
from stance.version import __version__


class _CallableModule(types.ModuleType):
    """A module that runs its main function (the function of the module's own name) when called:
    ``stance.compare(df)`` is ``stance.compare.compare(df)``, and ``stance.compare.scheme_labels``
    stays reachable, since the package's functions do not hide their modules."""

    def __call__(self, *args, **kwargs):
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


for _module in (agreement, compare, evaluate, sensitivity):
    sys.modules[_module.__name__].__class__ = _CallableModule
del _module

__all__ = [
    "Classifier", "InputError", "ModelNotAvailableError", "Scheme", "SchemeError", "StanceError",
    "__version__", "adhoc_scheme", "agreement", "compare", "evaluate", "explain_html", "extract_quotes", "io",
    "learning_curve", "list_schemes", "load_scheme", "load_statements", "plot", "read_statements", "read_table",
    "report", "sensitivity", "write_table",
]
