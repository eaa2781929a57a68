"""Figures a lesson quotes, checked against its run (:mod:`sim.quotes`).

Known answers: how a quoted figure is read, the rounding rule, and that a stale figure stops
the lesson with every stale figure named. ``tests/test_notebooks.py`` checks that every
lesson has such a cell, and runs the lessons.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.quotes import Quote, StaleQuoteError, check_documents, check_quotes


@pytest.mark.parametrize(("quoted", "figure", "tolerance"), [
    ("0.14", 0.14, 0.005),
    ("−0.12", -0.12, 0.005),
    ("-0.12", -0.12, 0.005),
    ("+0.036", 0.036, 0.0005),
    ("13", 13.0, 0.5),
    ("76 %", 0.76, 0.005),
    ("18%", 0.18, 0.005),
    ("2,700", 2700.0, 0.5),
    ("778,200", 778200.0, 0.5),
    ("0.1", 0.1, 0.05),
])
def test_a_quoted_figure_is_read_as_written(quoted: str, figure: float,
                                            tolerance: float) -> None:
    q = Quote("x", quoted, 0.0)
    assert q.figure == pytest.approx(figure, abs=1e-12)
    assert q.tolerance == pytest.approx(tolerance, abs=1e-15)


@pytest.mark.parametrize(("quoted", "value", "agrees"), [
    ("0.14", 0.1449, True),
    ("0.14", 0.1351, True),
    ("0.14", 0.1349, False),   # rounds to 0.13
    ("0.14", 0.1451, False),   # rounds to 0.15
    ("−0.13", -0.1251, True),
    ("−0.13", 0.13, False),    # the sign counts
    ("20", 20.0, True),
    ("20", 19.0, False),       # a count must be exact
    ("47 %", 0.4734, True),
    ("47 %", 0.4756, False),
    ("0.14", math.nan, False),
])
def test_a_figure_agrees_when_it_is_the_value_rounded(quoted: str, value: float,
                                                     agrees: bool) -> None:
    assert Quote("x", quoted, value).agrees is agrees


def test_agreeing_figures_give_a_table() -> None:
    table = check_quotes({"a": ("0.14", 0.1417), "b": ("2,700", 2700.0)})
    assert len(table) == 2
    assert list(table.iloc[:, 1]) == ["0.14", "2,700"]
    assert list(table.iloc[:, 3]) == ["✓", "✓"]


def test_a_stale_figure_stops_the_lesson_naming_every_one() -> None:
    with pytest.raises(StaleQuoteError) as caught:
        check_quotes({"face": ("0.14", 0.1349), "runs": ("20", 20.0),
                      "cost": ("776", 769.27)})
    message = str(caught.value)
    assert "2 figure(s)" in message and "本课讨论所引的 2 个数字" in message
    assert "face: 0.14 ≠ 0.1349" in message and "cost: 776 ≠ 769.3" in message
    assert "runs" not in message
    assert isinstance(caught.value, AssertionError)  # a failing cell, as pytest reads it


@pytest.mark.parametrize("quoted", ["about 0.14", "0.14–0.16", "", "1e-3", "0,14"])
def test_a_figure_that_is_not_a_number_is_refused(quoted: str) -> None:
    with pytest.raises(ValueError, match="quoted figure"):
        check_quotes({"x": (quoted, 0.14)})


def test_a_document_that_says_what_the_test_measured_passes(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("the hub's edge (0.712 vs\n  0.689) is the formula",
                                        encoding="utf-8")
    check_documents([("README.md", "the hub's edge ({0.712} vs {0.689})", (0.7121, 0.6894))],
                    tmp_path)


def test_a_stale_figure_or_a_rewritten_phrase_fails_with_both_named(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hub 0.712 vs 0.689; petitions 172 vs 1,824",
                                        encoding="utf-8")
    with pytest.raises(StaleQuoteError) as err:
        check_documents([("README.md", "hub {0.712} vs {0.689}", (0.7121, 0.70)),
                         ("README.md", "petitions {173} vs {1,824}", (173, 1824))], tmp_path)
    message = str(err.value)
    assert "0.689 ≠ 0.7" in message
    assert "no longer says 'petitions 173 vs 1,824'" in message
    assert "文档" in message and "documents" in message


def test_a_phrase_must_mark_one_figure_per_value(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("0.71", encoding="utf-8")
    with pytest.raises(ValueError, match="1 marked figure"):
        check_documents([("README.md", "{0.71}", (0.71, 0.2))], tmp_path)
