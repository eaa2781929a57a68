"""Figures a lesson's or a document's text quotes, checked against the runs that give them.

A lesson's discussion quotes figures ("face raises the contribution rate by about 0.14"),
and the text does not change when the model does: a figure that a later model no longer
gives stays in the lesson, and the reader is told something the code no longer shows.
:func:`check_quotes` ties each quoted figure to the value the lesson computed. Its cell
runs after the computation, so the figure is checked every time the lesson runs
(``tests/test_notebooks.py`` runs every lesson in a fresh kernel), and a stale figure stops
the lesson with the figure, what was quoted and what the run gave.

A quoted figure is the text as written — ``"0.14"``, ``"+0.036"``, ``"−0.12"``, ``"13"``,
``"76 %"``, ``"2,700"`` — and agrees with the run when it is the run's value rounded to the
digits quoted: they differ by at most half a unit of the last digit (0.005 for ``"0.14"``, 0.5
for ``"13"``, half a percentage point for ``"76 %"``), so a count must be exact. The lessons
quote rounded figures ("about 0.14") of seeded runs, so a figure moves only when the model
does.

The documents (README, ODD, mechanisms) quote the figures of the pattern tests, which run 20
seeds; :func:`check_documents` lets a pattern test check that a document still says what the
test measured: each phrase must appear in the document as written (line breaks aside), and
each figure marked in it must be the test's value rounded as quoted.

课程讨论中引用的数字与本课运行结果的核对：引用的数字应是本次运行结果按所引位数四舍五入的值（相差
不超过最后一位的半个单位）；不一致时本课停止，并指出哪个数字已经过时。
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.text import section

TEXT = section("quotes")
"""The column names and messages, in Chinese and English (``sim/catalogue.yaml``)."""

FIGURE = re.compile(
    r"^(?P<sign>[+\-−]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d+))?\s*(?P<pct>%?)$")
"""A quoted figure: optional sign (ASCII or the minus sign), digits (thousands may be
separated by commas, as in ``"2,700"``), decimals, ``%``."""


class StaleQuoteError(AssertionError):
    """A figure the lesson quotes is not what the lesson's run gives."""


@dataclass(frozen=True)
class Quote:
    """One quoted figure and the value the run gave for it.

    Attributes:
        what: What the figure is, as the lesson names it.
        quoted: The figure as written in the text.
        value: The value the run gave, in the figure's unit (a share, not a percentage).
    """

    what: str
    quoted: str
    value: float

    @property
    def figure(self) -> float:
        """The quoted figure as a number (a percentage as a share)."""
        match = _parse(self.quoted)
        number = float(f"{match['int'].replace(',', '')}.{match['dec'] or '0'}")
        if match["sign"] in ("-", "−"):
            number = -number
        return number / 100 if match["pct"] else number

    @property
    def tolerance(self) -> float:
        """Half a unit of the last digit quoted, in the figure's unit: rounding's error."""
        match = _parse(self.quoted)
        half = 0.5 * 10.0 ** -len(match["dec"] or "")
        return half / 100 if match["pct"] else half

    @property
    def agrees(self) -> bool:
        """Whether the run's value rounds to the quoted figure (ties either way)."""
        return math.isfinite(self.value) and (
            abs(self.value - self.figure) <= self.tolerance * (1 + 1e-9))


def _parse(quoted: str) -> re.Match[str]:
    """Match a quoted figure, or say what is allowed."""
    match = FIGURE.match(quoted.strip())
    if match is None:
        raise ValueError(f"quoted figure {quoted!r}: must be digits with an optional sign, "
                         "decimals and %, as in '0.14', '−0.12', '13', '76 %'")
    return match


def check_quotes(figures: Mapping[str, tuple[str, float]]) -> pd.DataFrame:
    """Check every quoted figure against the run's value; show them side by side.

    Args:
        figures: ``{what: (quoted, value)}`` — what the figure is, the figure as the text
            writes it, and the value this run computed (a share for a percentage).

    Returns:
        A table of what, quoted, this run and whether they agree, for the notebook to show.

    Raises:
        StaleQuoteError: If any figure disagrees; the message lists every one that does.
        ValueError: If a quoted figure is not a number as the text would write it.
    """
    quotes = [Quote(what, quoted, float(value)) for what, (quoted, value) in figures.items()]
    stale = [q for q in quotes if not q.agrees]
    if stale:
        lines = [TEXT["zh"]["stale"].format(n=len(stale)), TEXT["en"]["stale"].format(
            n=len(stale))]
        lines += [f"  {q.what}: {q.quoted} ≠ {q.value:.4g}" for q in stale]
        raise StaleQuoteError("\n".join(lines))
    columns = {key: f"{TEXT['zh'][key]} {TEXT['en'][key]}"
               for key in ("what", "quoted", "run", "agrees")}
    return pd.DataFrame({
        columns["what"]: [q.what for q in quotes],
        columns["quoted"]: [q.quoted for q in quotes],
        columns["run"]: [round(q.value, 4) for q in quotes],
        columns["agrees"]: ["✓" for _ in quotes],
    })


MARKED = re.compile(r"\{([^{}]+)\}")
"""A figure marked in a phrase of :func:`check_documents`: ``{0.712}``."""


def _squash(text: str) -> str:
    """``text`` with every run of whitespace one space (documents wrap their lines)."""
    return " ".join(text.split())


def check_documents(quotes: Sequence[tuple[str, str, Sequence[float]]], root: Path) -> None:
    """Check that documents still say what a test measured, figure by figure.

    Args:
        quotes: ``(document, phrase, values)`` each: the document's path under ``root``, a
            phrase it contains as written (whitespace runs count as one space) with each
            quoted figure in braces — ``"the hub's edge ({0.712} vs {0.689})"`` — and the
            test's value for each marked figure, in order (a share for a percentage).
        root: The repository root.

    Raises:
        StaleQuoteError: If a document no longer contains a phrase, or a marked figure is not
            the value rounded to the digits quoted; the message lists every problem.
        ValueError: If a phrase marks a different number of figures than values are given,
            or a marked figure is not a number as the text would write it.
    """
    texts: dict[str, str] = {}
    problems: list[str] = []
    for document, phrase, values in quotes:
        figures = MARKED.findall(phrase)
        if len(figures) != len(values):
            raise ValueError(f"{phrase!r}: {len(figures)} marked figure(s), "
                             f"{len(values)} value(s)")
        if document not in texts:
            texts[document] = _squash((root / document).read_text(encoding="utf-8"))
        plain = _squash(MARKED.sub(lambda m: m.group(1), phrase))
        if plain not in texts[document]:
            problems.append(f"  {document}: no longer says {plain!r}")
        for quoted, value in zip(figures, values, strict=True):
            if not Quote(plain, quoted, float(value)).agrees:
                problems.append(f"  {document}: {quoted} ≠ {float(value):.4g} in {plain!r}")
    if problems:
        n = len(problems)
        raise StaleQuoteError("\n".join([TEXT["zh"]["stale_document"].format(n=n),
                                         TEXT["en"]["stale_document"].format(n=n), *problems]))
