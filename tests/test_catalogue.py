"""The bilingual catalogue of user-facing text (``sim/catalogue.yaml``, :mod:`sim.text`)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
import yaml

from sim import text

ROOT = Path(__file__).resolve().parents[1] / "sim"


def _fields(template: str) -> set[str]:
    """The ``{placeholders}`` of a format string (their names, without format specs)."""
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name}


def _sections_used() -> set[str]:
    """The section names that modules of the package ask for with ``section("…")``."""
    used = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "section"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    return used


def test_every_entry_has_chinese_and_english() -> None:
    """Each entry of each section has non-empty zh and en text (the loader checks it)."""
    cat = text.catalogue()
    assert cat, "the catalogue is empty"
    for name, entries in cat.items():
        for key, entry in entries.items():
            assert tuple(entry) == text.LANGUAGES, f"{name}.{key}"
            assert all(isinstance(v, str) and v.strip() for v in entry.values()), f"{name}.{key}"


def test_both_languages_use_the_same_placeholders() -> None:
    """A message formatted with the same values works in both languages."""
    for name, entries in text.catalogue().items():
        for key, entry in entries.items():
            assert _fields(entry["zh"]) == _fields(entry["en"]), f"{name}.{key}"


def test_every_section_is_used_and_every_use_exists() -> None:
    """No orphan section in the file, no module asking for a section that is not there."""
    assert _sections_used() == set(text.catalogue())


def test_a_section_has_the_shape_modules_use() -> None:
    plots = text.section("plots")
    assert set(plots) == {"zh", "en"} and set(plots["zh"]) == set(plots["en"])
    assert plots["zh"]["none"] == "本次运行无"


def test_an_entry_missing_a_language_is_refused(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader fails on an entry without English (the check can fail)."""
    bad = tmp_path / "catalogue.yaml"
    bad.write_text(yaml.safe_dump({"plots": {"month": {"zh": "月"}}}, allow_unicode=True),
                   encoding="utf-8")
    monkeypatch.setattr(text, "CATALOGUE", bad)
    text.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"plots\.month"):
            text.catalogue()
    finally:
        monkeypatch.undo()
        text.catalogue.cache_clear()


def test_no_module_keeps_a_message_table_of_its_own() -> None:
    """No ``TEXT``/``MESSAGES`` = {"zh": …, "en": …} literal is left in the package."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = getattr(node, "value", None)
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(value, ast.Dict):
                keys = {k.value for k in value.keys if isinstance(k, ast.Constant)}
                if {"zh", "en"} <= keys:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
