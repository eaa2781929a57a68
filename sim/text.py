"""The one bilingual catalogue of user-facing text (``sim/catalogue.yaml``).

Messages of the ``sim`` command, the report, the classroom page and the
figures live in one YAML file, a section per module, every entry in Chinese
and English. Modules take their section with :func:`section`, in the shape
they have always used (``{"zh": {key: text}, "en": {key: text}}``), so text
is edited in one place and code holds none. This module imports nothing of
the package, so any module can use it without an import cycle.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

CATALOGUE = Path(__file__).resolve().parent / "catalogue.yaml"
"""The catalogue file, package data beside this module."""

LANGUAGES = ("zh", "en")
"""The languages every entry has, Chinese first."""


@functools.cache
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """Read and check the catalogue once: ``{section: {key: {"zh": …, "en": …}}}``.

    Raises:
        ValueError: If an entry lacks a language, has another, or is not text.
    """
    data: Any = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{CATALOGUE}: must be a mapping of sections")
    for name, entries in data.items():
        if not isinstance(entries, dict):
            raise ValueError(f"{CATALOGUE}: section {name!r} must map keys to entries")
        for key, entry in entries.items():
            if not isinstance(entry, dict) or tuple(entry) != LANGUAGES or not all(
                    isinstance(v, str) and v for v in entry.values()):
                raise ValueError(f"{CATALOGUE}: {name}.{key} must have non-empty zh and en "
                                 "text, in that order")
    return data


def section(name: str) -> dict[str, dict[str, str]]:
    """Return one section by language: ``{"zh": {key: text}, "en": {key: text}}``.

    Raises:
        KeyError: If the catalogue has no such section.
    """
    entries = catalogue()[name]
    return {lang: {key: entry[lang] for key, entry in entries.items()} for lang in LANGUAGES}
