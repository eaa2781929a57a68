"""Every pattern test says what it is: a finding or a consistency check.

A *finding* emerges from interaction and has a negative control that switches off the
mechanism credited with it; a *consistency check* follows from an assumed form or an input
(docs/ODD.md §1.2). The label is a docstring line starting ``Finding:`` or ``Consistency
check:``, so a reader of the test, and this test, can tell them apart. Fast: it reads the
test files, it runs nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PATTERN_FILES = ("tests/test_patterns.py", "tests/test_patterns_designs.py")
LABELS = ("Finding:", "Consistency check:")


def pattern_tests(path: str) -> list[ast.FunctionDef]:
    """The test functions of one pattern-test file."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return [node for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


@pytest.mark.parametrize("path", PATTERN_FILES)
def test_every_pattern_test_is_labelled(path):
    tests = pattern_tests(path)
    assert tests, f"no tests found in {path}"
    unlabelled = [
        node.name for node in tests
        if not any(line.strip().startswith(LABELS)
                   for line in (ast.get_docstring(node) or "").splitlines())]
    assert not unlabelled, f"{path}: no 'Finding:' or 'Consistency check:' line in {unlabelled}"


def test_findings_have_a_negative_control():
    """A finding's docstring names its negative control (the mechanism switched off)."""
    missing = []
    for path in PATTERN_FILES:
        for node in pattern_tests(path):
            doc = ast.get_docstring(node) or ""
            finding = any(line.strip().startswith("Finding:") for line in doc.splitlines())
            if finding and not any(word in doc.lower() for word in ("control", "without")):
                missing.append(node.name)
    assert not missing, f"findings without a named negative control: {missing}"
