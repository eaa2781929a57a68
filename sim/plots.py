"""Figures of a run's monthly model-level columns, in Chinese or English.

:func:`plot_timeseries` draws one small panel per group of related columns
(action rates; condition and attitudes; matters; petitions; firm and
money shares; government spending), so that a reader can
see at a glance what happened over the months. Labels and units come from
:mod:`sim.metrics`, the single place where columns are defined. Figures are
drawn with matplotlib's Agg canvas directly (no ``pyplot``), so plotting
works without a display and never changes the caller's pyplot backend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.fonts import CJKFontError, use_cjk_font
from sim.metrics import COLUMNS, label

LANGS = ("zh", "en")
"""Languages of figure text."""


@dataclass(frozen=True)
class Panel:
    """One small multiple: related columns sharing a unit and a y-axis.

    Attributes:
        zh: Panel title in Chinese.
        en: Panel title in English.
        columns: Column names drawn in this panel, in legend order.
    """

    zh: str
    en: str
    columns: tuple[str, ...]


PANELS: tuple[Panel, ...] = (
    Panel("行动比例", "Action rates",
          ("contribution_rate", "compliance_rate", "volunteer_rate", "participation_rate")),
    Panel("环境与民情", "Condition and attitudes",
          ("condition", "satisfaction", "trust", "dependence", "grievance")),
    Panel("事项", "Matters", ("matters_open", "matters_resolved")),
    Panel("上访", "Petitions", ("petitions",)),
    Panel("物业与自筹", "Property firm and self-funding",
          ("firm_present_share", "self_funded_share")),
    Panel("政府投入", "Government spending", ("gov_spending",)),
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

UNITS: dict[str, tuple[str, str]] = {
    "share": ("比例（0–1）", "share (0–1)"),
    "households": ("户", "households"),
    "matters": ("件", "matters"),
    "yuan": ("元", "yuan"),
}
"""Axis text of each unit used in :mod:`sim.metrics`, as (Chinese, English)."""

TEXT: dict[str, dict[str, str]] = {
    "zh": {"month": "月", "title": "小区治理仿真：月度指标"},
    "en": {"month": "month", "title": "Compound governance simulation: monthly indicators"},
}
"""Other figure text by language."""


def unit_text(unit: str, lang: str) -> str:
    """Return the axis text of a unit in a language (the unit itself if unknown)."""
    zh, en = UNITS.get(unit, (unit, unit))
    return zh if lang == "zh" else en


def axis_label(name: str, lang: str) -> str:
    """Return the y-axis label of one column: its label with its unit.

    The unit is omitted when the label already names it (``政府投入(元)``).
    """
    text = label(name, lang)
    unit = "0–1" if COLUMNS[name].unit == "share" else unit_text(COLUMNS[name].unit, lang)
    if unit in text:
        return text
    return f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"


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
            panels.append(Panel(panel.zh, panel.en, cols))
    placed = {c for panel in PANELS for c in panel.columns} | set(NOT_DRAWN)
    by_unit: dict[str, list[str]] = {}
    for name in present:
        if name not in placed:
            by_unit.setdefault(COLUMNS[name].unit, []).append(name)
    for unit, cols in by_unit.items():
        panels.append(Panel(f"其他（{unit_text(unit, 'zh')}）", f"Other ({unit})", tuple(cols)))
    return panels


def _months(df: pd.DataFrame) -> pd.Series:
    """Return the month of each row: the ``month`` column if present, else the index."""
    if "month" in df.columns:
        return df["month"]
    return pd.Series(df.index, index=df.index)


def _thousands(value: float, _pos: int) -> str:
    """Format a tick value with thousands separators (``12,000``)."""
    return f"{value:,.0f}"


def draw_panel(ax: Axes, df: pd.DataFrame, panel: Panel, lang: str) -> None:
    """Draw the lines of one panel with its title, axis labels and legend.

    Shared by :func:`plot_timeseries` and the page's outcome figure (:mod:`sim.views`).
    """
    months = _months(df)
    for name in panel.columns:
        ax.plot(months, df[name], label=label(name, lang), linewidth=1.6)
    ax.set_title(panel.zh if lang == "zh" else panel.en, fontsize=11)
    ax.set_xlabel(TEXT[lang]["month"])
    units = {COLUMNS[c].unit for c in panel.columns}
    if len(panel.columns) == 1:
        ax.set_ylabel(axis_label(panel.columns[0], lang))
    else:
        ax.set_ylabel(" / ".join(unit_text(u, lang) for u in sorted(units)))
        ax.legend(fontsize=8, frameon=False, loc="best")
    if units == {"share"}:
        ax.set_ylim(-0.03, 1.03)
    else:
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=units <= {"households",
                                                                         "matters"}))
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
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
