"""The versions a result records: this package's, Python's and the libraries' that made it.

One place for the lookup (``importlib.metadata``, about a millisecond a name), cached per
process, so a run's ``run.json``, a sweep's part files, a calibration's manifest and a
discovery's ``discover.json`` record versions the same way. Imports nothing of ``sim``, so the
command line can ask for the version before it loads the model.
"""

from __future__ import annotations

import functools
import importlib.metadata
import platform
from collections.abc import Sequence

PACKAGE = "compound-sim"
"""This project's distribution name."""

LIBRARIES = ("mesa", "numpy", "scipy", "networkx", "pandas", "pydantic")
"""The libraries every run records."""


@functools.cache
def version_of(dist: str) -> str:
    """The installed version of the distribution ``dist``, or "unknown" where it is not."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def package_version() -> str:
    """Installed version of this package ("unknown" when run from a bare checkout)."""
    return version_of(PACKAGE)


def versions(extra: Sequence[str] = ()) -> dict[str, str]:
    """Python's, this package's and the libraries' versions, and those of ``extra`` (a new dict).

    Args:
        extra: More distributions a result depends on (``pyabc`` for a calibration, the EMA
            Workbench and scikit-learn for a discovery).
    """
    found = {"python": platform.python_version(), PACKAGE: package_version()}
    for dist in (*LIBRARIES, *extra):
        found[dist] = version_of(dist)
    return found
