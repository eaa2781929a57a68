"""Figures of a run's monthly model-level columns, in Chinese or English.

:func:`plot_timeseries` draws one small panel per group of related columns
(action rates; condition and attitudes; matters; petitions; firm and
money shares; government spending), so that a reader can
see at a glance what happened over the months. Columns' labels and units come from
:mod:`sim.metrics`, the single place where columns are defined; all text (labels, unit
words, panel titles) is in the bilingual catalogue, ``sim/catalogue.yaml``. Figures are
drawn with matplotlib's Agg canvas directly (no ``pyplot``), so plotting
works without a display and never changes the caller's pyplot backend.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.fonts import CJKFontError, use_cjk_font
from sim.metrics import COLUMNS, label
from sim.text import section

LANGS = ("zh", "en")
"""Languages of figure text."""


@dataclass(frozen=True)
class Panel:
    """One small multiple: related columns sharing a unit and a y-axis.

    Attributes:
        zh: Panel title in Chinese.
        en: Panel title in English.
        columns: Column names drawn in this panel, in legend order.
        key: Name of the panel's title in the catalogue's ``plot_panels`` section
            (``""`` for the extra panels of :func:`panels_for`), so code picks panels by
            name, not by their text.
    """

    zh: str
    en: str
    columns: tuple[str, ...]
    key: str = ""


TEXT: dict[str, dict[str, str]] = section("plots")
"""Other figure text by language."""

PANEL_TITLES: dict[str, dict[str, str]] = section("plot_panels")
"""Title of each panel of :data:`PANELS` by language, from the catalogue."""


def _panel(key: str, columns: tuple[str, ...]) -> Panel:
    """Define a panel, its titles taken from :data:`PANEL_TITLES` by ``key``."""
    return Panel(PANEL_TITLES["zh"][key], PANEL_TITLES["en"][key], columns, key)


PANELS: tuple[Panel, ...] = (
    _panel("actions",
           ("contribution_rate", "compliance_rate", "volunteer_rate", "participation_rate")),
    _panel("attitudes", ("condition", "satisfaction", "trust", "dependence", "grievance")),
    _panel("matters", ("matters_open", "matters_resolved")),
    _panel("petitions", ("petitions",)),
    _panel("firm_money", ("firm_present_share", "self_funded_share")),
    _panel("government", ("gov_spending",)),
)
"""Default grouping of :data:`sim.metrics.COLUMNS` into panels.

Petitions get their own panel because they are a key outcome and are counted
in tens while open matters run into hundreds: on a shared axis they would be
a flat line near zero.
"""

NOT_DRAWN: dict[str, str] = {
    "violations": "compliance_rate",
}
"""Columns left out of the figure, mapped to the drawn column that shows the same thing.

Violations are households × (1 − compliance rate): the compliance line
already shows them, and as a count they would dwarf petitions.
"""

_UNIT_TEXT = section("plot_units")
UNITS: dict[str, tuple[str, str]] = {unit: (zh, _UNIT_TEXT["en"][unit])
                                     for unit, zh in _UNIT_TEXT["zh"].items()}
"""Axis text of each unit used in :mod:`sim.metrics`, as (Chinese, English), from the catalogue."""

PER_MONTH = (TEXT["zh"]["per_month"], TEXT["en"]["per_month"])
"""What follows the unit of a flow (:attr:`sim.metrics.Column.flow`), as (Chinese, English)."""

MONTHLY = (TEXT["zh"]["monthly"], TEXT["en"]["monthly"])
"""Words by which a label already says "per month" (:func:`axis_label`), as (Chinese, English)."""

UNDEFINED_AT_MONTH_0 = tuple(name for name, c in COLUMNS.items() if c.aggregate == "money")
"""Shares of money: at month 0, before any decision, no money has come in.

The share is then 0/0; the column stores 0 (as :mod:`sim.metrics` documents),
but a figure leaves a gap there (:func:`displayed`) rather than draw a drop to 0.
"""

LABEL_WIDTH = 40
"""Width of a wrapped design label in a legend, in half-width characters."""


def unit_text(unit: str, lang: str) -> str:
    """Return the axis text of a unit in a language (the unit itself if unknown)."""
    zh, en = UNITS.get(unit, (unit, unit))
    return zh if lang == "zh" else en


def unit_of(name: str, lang: str) -> str:
    """Return the unit of one column as written after a number or on an axis.

    ``"0–1"`` for a share; the unit of :data:`UNITS` otherwise, per month when
    the column is a flow (``户/月``, ``元/月``, ``households/month``) and
    without when it is a stock (``件``). The one rule for units in figures and
    in the compare report.
    """
    col = COLUMNS[name]
    if col.unit == "share":
        return "0–1"
    per = PER_MONTH[0] if lang == "zh" else PER_MONTH[1]
    return unit_text(col.unit, lang) + (per if col.flow else "")


def axis_label(name: str, lang: str) -> str:
    """Return the y-axis label of one column: its label with its unit (:func:`unit_of`).

    The unit is omitted when the label already names it: its unit word
    ("Open matters") and, for a flow, "per month" ("Matters resolved per
    month"), so that no label reads "per month (matters/month)".
    """
    text = label(name, lang)
    unit = unit_of(name, lang)
    word = unit_text(COLUMNS[name].unit, lang)
    monthly = not COLUMNS[name].flow or any(w in text for w in MONTHLY)
    if unit in text or (COLUMNS[name].unit != "share" and word.lower() in text.lower()
                        and monthly):
        return text
    return TEXT[lang]["with_unit"].format(label=text, unit=unit)


def text_width(text: str) -> int:
    """Return the width of a line of text in half-width characters (CJK counts 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_NO_BREAK_BEFORE = set(")）]】」』,，、。：:;；!！?？·")
"""Characters a line never starts with (closing brackets, punctuation)."""

_OPENING = set("(（[【「『")
_SOFT_AFTER = set(",，、;；:：·")


def wrap_label(text: str, width: int = LABEL_WIDTH) -> str:
    """Return ``text`` wrapped over lines of at most ``width``, never dropping a character.

    :mod:`textwrap` breaks only at spaces and counts every character as one,
    which suits English but not Chinese: Chinese has no spaces and its
    characters are twice as wide. So widths count CJK as 2
    (:func:`text_width`) and a line breaks, in order of preference, at a
    space (dropped), before an opening bracket or after a comma — if that
    keeps at least half the line — else before any wide character; never
    before closing punctuation. A word longer than ``width`` stays whole on
    its own line. Lines are balanced: the narrowest width that needs no more
    lines is used, so no last line holds a single character.
    """
    lines = _wrap(text, width)
    for narrower in range(width - 1, 0, -1):
        tried = _wrap(text, narrower)
        if len(tried) > len(lines):
            break
        lines = tried
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy line breaking of :func:`wrap_label` (without balancing)."""
    lines: list[str] = []
    line = ""
    soft = hard = -1  # where ``line`` may break: preferred, and anywhere allowed
    for ch in text:
        if ch.isspace():
            soft = hard = len(line)
            line += " "
            continue
        prev = line[-1:]
        if line and ch not in _NO_BREAK_BEFORE:
            if ch in _OPENING or prev in _SOFT_AFTER:
                soft = hard = len(line)
            elif text_width(ch) == 2 or text_width(prev) == 2:
                hard = len(line)
        if text_width(line + ch) > width and max(soft, hard) > 0:
            cut = soft if soft > 0 and text_width(line[:soft]) * 2 >= width else max(soft, hard)
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
            soft = hard = -1
        line += ch
    lines.append(line.strip())
    return [part for part in lines if part]


def displayed(df: pd.DataFrame) -> pd.DataFrame:
    """Return the values a figure draws: undefined values as NaN (a gap in the line).

    Only :data:`UNDEFINED_AT_MONTH_0` at month 0 are undefined for certain;
    the data itself is not changed (a copy is returned when anything is masked).
    """
    names = [n for n in UNDEFINED_AT_MONTH_0 if n in df.columns]
    start = (_months(df) == 0).to_numpy()
    if not names or not start.any():
        return df
    out = df.copy()
    out.loc[start, names] = np.nan
    return out


def tick_text(value: float, _pos: int | None = None) -> str:
    """Format a tick value: thousands separated (``12,000``), decimals only when needed.

    A range below one (``0.1, 0.2``) keeps its decimals, so that ticks never
    all read ``0``.
    """
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:g}"


def mark_none(ax: Axes, values: np.ndarray, note: str) -> bool:
    """Show a panel whose values are all zero as "none": one 0 tick and a note.

    Without this, matplotlib spreads a flat line at 0 over a tiny range whose
    ticks all print as ``0``.

    Returns:
        True if the values were all zero (or none was defined) and the panel was marked.
    """
    finite = values[np.isfinite(values)]
    if finite.size and np.any(finite != 0):
        return False
    ax.set_ylim(-0.05, 1.0)
    ax.set_yticks([0.0])
    ax.yaxis.set_major_formatter(FuncFormatter(tick_text))
    ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center",
            color="#777777", fontsize=10)
    return True


def panels_for(columns: Sequence[str]) -> list[Panel]:
    """Return the panels to draw for the given data columns.

    Known columns are grouped as in :data:`PANELS`; panels with none of their
    columns present are dropped. Columns of :data:`sim.metrics.COLUMNS` that
    no panel lists (added later) get one extra panel per unit, so a new
    column is never silently left out of the figure.
    """
    present = [c for c in columns if c in COLUMNS]
    panels = []
    for panel in PANELS:
        cols = tuple(c for c in panel.columns if c in present)
        if cols:
            panels.append(replace(panel, columns=cols))
    placed = {c for panel in PANELS for c in panel.columns} | set(NOT_DRAWN)
    by_unit: dict[str, list[str]] = {}
    for name in present:
        if name not in placed:
            by_unit.setdefault(COLUMNS[name].unit, []).append(name)
    for unit, cols in by_unit.items():
        panels.append(Panel(TEXT["zh"]["other"].format(unit=unit_text(unit, "zh")),
                            TEXT["en"]["other"].format(unit=unit), tuple(cols)))
    return panels


def _months(df: pd.DataFrame) -> pd.Series:
    """Return the month of each row: the ``month`` column if present, else the index."""
    if "month" in df.columns:
        return df["month"]
    return pd.Series(df.index, index=df.index)


def draw_panel(ax: Axes, df: pd.DataFrame, panel: Panel, lang: str) -> None:
    """Draw the lines of one panel with its title, axis labels and legend.

    Shared by :func:`plot_timeseries` and the page's outcome figure (:mod:`sim.views`).
    When the panel's columns have different units (open matters, 件, and
    matters resolved, 件/月) each legend entry carries its own unit. A panel
    with nothing but zeros gets one 0 tick and "none in this run"
    (:func:`mark_none`); undefined values are gaps (:func:`displayed`).
    """
    months = _months(df)
    shown = displayed(df)
    units = {COLUMNS[c].unit for c in panel.columns}
    mixed = len({unit_of(c, lang) for c in panel.columns}) > 1
    for name in panel.columns:
        ax.plot(months, shown[name], label=axis_label(name, lang) if mixed else label(name, lang),
                linewidth=1.6)
    ax.set_title(panel.zh if lang == "zh" else panel.en, fontsize=11)
    ax.set_xlabel(TEXT[lang]["month"])
    if len(panel.columns) == 1:
        ax.set_ylabel(axis_label(panel.columns[0], lang))
    else:
        ax.set_ylabel(" / ".join(unit_text(u, lang) for u in sorted(units)) if mixed
                      or units == {"share"} else unit_of(panel.columns[0], lang))
        ax.legend(fontsize=8, frameon=False, loc="best")
    if units == {"share"}:
        ax.set_ylim(-0.03, 1.03)
    elif not mark_none(ax, shown[list(panel.columns)].to_numpy(float).ravel(),
                       TEXT[lang]["none"]):
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=units <= {"households",
                                                                         "matters"}))
        ax.yaxis.set_major_formatter(FuncFormatter(tick_text))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    if len(months):
        ax.set_xlim(float(months.min()), max(float(months.max()), float(months.min()) + 1))
    ax.grid(True, alpha=0.3, linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def plot_timeseries(
    df: pd.DataFrame,
    lang: str = "zh",
    title: str | None = None,
    path: str | Path = "figure.png",
    *,
    dpi: int = 130,
) -> Path:
    """Draw a run's monthly model-level columns as a grid of small panels.

    Args:
        df: Monthly model-level data, as returned by
            ``model.datacollector.get_model_vars_dataframe()``: index = month
            (or a ``month`` column), columns = names in
            :data:`sim.metrics.COLUMNS`. Other columns are ignored.
        lang: Language of all figure text: ``"zh"`` (Chinese) or ``"en"``.
        title: Figure title; a generic title in ``lang`` when omitted.
        path: Where to write the figure; the format follows the suffix
            (``.png`` recommended).
        dpi: Resolution of raster output.

    Returns:
        The path written.

    Raises:
        ValueError: If ``lang`` is not supported or ``df`` has no known column.
        CJKFontError: If ``lang="zh"`` (or a title needs it) and the Chinese
            font cannot be found.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)} (got {lang!r})")
    panels = panels_for(list(df.columns))
    if not panels:
        raise ValueError("the data frame has none of the columns in sim.metrics.COLUMNS")
    title = TEXT[lang]["title"] if title is None else title
    try:
        use_cjk_font()
    except CJKFontError:
        # English text renders with matplotlib's own font; only Chinese needs the CJK one.
        if lang == "zh" or not title.isascii():
            raise
    ncols = 2 if len(panels) > 1 else 1
    nrows = math.ceil(len(panels) / ncols)
    fig = Figure(figsize=(6.0 * ncols, 3.1 * nrows + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for ax, panel in zip(axes.flat, panels, strict=False):
        draw_panel(ax, df, panel, lang)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    # With shared x-axes, hidden tick labels would leave the last visible panel
    # of a column without month labels; show them on every visible panel.
    for ax in axes.flat[: len(panels)]:
        ax.tick_params(labelbottom=True)
    fig.suptitle(title, fontsize=14)
    out = Path(path)
    fig.savefig(out, dpi=dpi)
    return out
