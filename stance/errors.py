"""Errors that carry a one-line message naming the problem and the fix.

Every error the package raises on bad input derives from :class:`StanceError`, so
the command line can print it as one line, and notebook users can catch one type.
"""
from __future__ import annotations


class StanceError(ValueError):
    """Base class: a problem with the user's input or set-up, with a one-line fix."""


class SchemeError(StanceError):
    """An unknown, malformed or misused label scheme."""


class InputError(StanceError):
    """A missing column, an empty or unreadable file, an unsupported format."""


class ModelNotAvailableError(StanceError):
    """A model that is neither cached nor reachable, or that cannot do the job."""


def choices(values) -> str:
    """Format valid choices for an error message.

    >>> choices(["a", "b"])
    "'a', 'b'"
    """
    return ", ".join(repr(v) for v in values)


class StanceWarning(UserWarning):
    """Something the user should know about a run that still gave every row a result or a reason."""


class LongTextWarning(StanceWarning):
    """Rows longer than the model's window were split into parts (see the ``S_parts`` column)."""


class LanguageWarning(StanceWarning):
    """Rows in a language the model does not read (see the ``language`` and ``S_error`` columns)."""


class ModelIntegrityError(ModelNotAvailableError):
    """A model's weights differ from the pinned SHA-256."""
