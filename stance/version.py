"""The installed package's version (``0+unknown`` in a source tree that was not installed)."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stance")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
