"""Figures and the self-contained HTML report of ``sim compare``.

:func:`make_figures` draws one time-series figure per outcome (mean over
seeds and its 95 % band, one colour per design) and a forest plot of the
differences from the reference; :func:`render_report` writes them, embedded
as base64 PNG, into one HTML file with inline CSS and no external link,
script or font, so the report can be mailed or opened offline. All text comes
in Chinese or English; labels come from :mod:`sim.metrics` and the designs'
``label_zh``/``label_en``/``description``/``description_zh``.

Python computes, templates lay out: this module makes every number, interval,
sentence and label of the report, in the chosen language (:func:`report_context`),
and the Jinja2 templates in ``sim/templates`` (``report.html.j2``, its macros in
``macros.html.j2`` and the style sheet ``report.css``, package data) place them on
the page (:func:`render_report`). The templates escape every value, except HTML
that this module built from escaped parts and marked :class:`markupsafe.Markup`
(the readings, config prose, the command line, the figures' ``data:`` URIs), and
a value a template names but the context lacks is an error
(:class:`jinja2.StrictUndefined`).

The plain-language reading is generated from the numbers: a change is named
("raises condition by 0.29 [0.28, 0.30]") only when its 95 % interval
excludes zero; the others are listed as "no clear difference".

Design labels are never shortened: the report shows them whole and the figures
wrap them over lines (:func:`sim.plots.wrap_label`), because the part a cut
would drop ("(无监委会)", "without supervision") is often what tells two designs
apart. Units come from :func:`sim.plots.unit_of` (per month for flows), English
counts are pluralised (:func:`say`) and the configs' prose, written for
markdown, shows its `code` spans as ``<code>`` (:func:`prose`).
"""

from __future__ import annotations

import base64
import functools
import html
import math
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.experiments.comparison import BETTER_HIGHER, BETTER_LOWER, better_sign
from sim.fonts import CJKFontError, use_cjk_font
from sim.metrics import COLUMNS, label
from sim.plots import (
    LABEL_WIDTH,
    axis_label,
    displayed,
    mark_none,
    tick_text,
    unit_of,
    wrap_label,
)
from sim.text import section

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.comparison import Arm, Comparison

KEY_OUTCOMES = ("condition", "contribution_rate", "participation_rate", "petitions",
                "dependence", "trust", "satisfaction", "self_funded_share", "gov_spending",
                "firm_present_share")
"""Outcomes shown first in the figures (the rest are in a folded section)."""

READING_OUTCOMES = ("condition", "contribution_rate", "participation_rate", "petitions",
                    "dependence", "self_funded_share", "gov_spending")
"""Outcomes named in the plain-language reading of each design."""

UNCERTAINTY_FIGURE = "uncertainty"
""":attr:`FigureFile.outcome` of the figure of the differences across parameter sets."""

UNCERTAIN_OUTCOMES = ("condition", "petitions", "self_funded_share", "contribution_rate",
                      "participation_rate", "dependence")
"""Outcomes of the uncertainty figure and reading (the acceptance's three first)."""

PALETTE = ("#4d4d4d", "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
           "#e377c2", "#17becf", "#bcbd22")
"""Design colours; the reference is dark grey."""

TICK_WIDTH = 26
"""Width of a wrapped design label on the forest plot's y-axis, in half-width characters."""

BASE_DECIMALS = {"share": 2, "households": 1, "matters": 1, "yuan": 0}
"""Fewest decimals shown per unit (more when intervals are narrow)."""

TEXT: dict[str, dict[str, str]] = section("compare_report")
"""Report and figure text by language."""

UTEXT: dict[str, dict[str, str]] = section("compare_uncertainty")
"""Text of the uncertainty section (``sim compare --uncertainty``) by language."""



class _Counting(string.Formatter):
    """:meth:`str.format` with a count spec: ``{n:,|household|households}``.

    The part before the first ``|`` formats the number; the noun follows it,
    singular for exactly 1 and plural otherwise ("1 compound", "5,188
    households"). Chinese text needs no such spec, as Chinese has no plural.
    """

    def format_field(self, value: object, format_spec: str) -> str:
        """Format one field; a spec with ``|`` adds the noun in the right number."""
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        spec, one, many = format_spec.split("|", 2)
        return f"{format(value, spec)} {one if value == 1 else many}"


_COUNTING = _Counting()


def say(template: str, **values: object) -> str:
    """Fill a :data:`TEXT` template, pluralising counted nouns (see :class:`_Counting`)."""
    return _COUNTING.format(template, **values)


def prose(text: str) -> str:
    """Return config prose as HTML: escaped, its markdown `code` spans as ``<code>``.

    Descriptions and sources in the YAML files are written for markdown (the
    README and docs render them), so a literal backtick would otherwise show.
    """
    parts = re.split(r"`([^`]+)`", " ".join(text.split()))
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p)
                   for i, p in enumerate(parts))


@dataclass(frozen=True)
class FigureFile:
    """A figure written to disk, with what the report needs to embed it.

    Attributes:
        path: The PNG file.
        data: Its bytes.
        caption: Caption in the report's language.
        outcome: The outcome it shows, or "" for the forest plot.
    """

    path: Path
    data: bytes
    caption: str
    outcome: str = ""


# --------------------------------------------------------------------------- numbers


def colours(n: int) -> list[str]:
    """Return ``n`` design colours, the reference's first."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def decimals_for(summary: pd.DataFrame, outcome: str) -> int:
    """Return the decimals to show an outcome with: enough for its narrowest intervals.

    Starts from :data:`BASE_DECIMALS` of the unit and adds up to two so that
    the narrowest interval of the outcome still shows its width (one
    significant digit), so that no interval reads ``[0.81, 0.81]``. Counts
    and money with wide intervals lose their decimals (``2 081 [2 023, 2 139]``).
    """
    rows = summary[summary["outcome"] == outcome]
    widths = np.concatenate([(rows["ci_high"] - rows["ci_low"]).to_numpy(float),
                             (rows["diff_high"] - rows["diff_low"]).to_numpy(float)])
    widths = widths[np.isfinite(widths) & (widths > 0)]
    return decimals_of(outcome, 0.0, float(widths.min()) if widths.size else float("nan"))


def decimals_of(outcome: str, low: float, high: float) -> int:
    """Return the decimals to show one interval with (see :func:`decimals_for`)."""
    unit = COLUMNS[outcome].unit
    base = BASE_DECIMALS.get(unit, 2)
    width = high - low
    if not (np.isfinite(width) and width > 0):
        return base
    least = base if unit == "share" else 0
    return int(min(max(least, -math.floor(math.log10(width))), base + 2))


def fmt(value: float, decimals: int, sign: bool = False) -> str:
    """Format a number for reading: "12 345.6", "−0.29", "+0.29"; "—" for NaN.

    Thousands are separated by a narrow no-break space rather than a comma
    (a comma would be ambiguous inside an interval ``[61,801, 73,705]``), the
    minus sign is a true minus, and negative zero is shown as zero.
    """
    if value is None or not np.isfinite(value):
        return "—"
    value = round(float(value), decimals) + 0.0
    text = f"{value:+,.{decimals}f}" if sign else f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace("-", "\u2212")


def fmt_interval(low: float, high: float, decimals: int, sign: bool = False) -> str:
    """Format an interval as ``[low, high]`` (empty when undefined)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return ""
    return f"[{fmt(low, decimals, sign)}, {fmt(high, decimals, sign)}]"


def fmt_p(p: float) -> str:
    """Format a p-value (``p < 0.001``, ``p = 0.03``)."""
    if p is None or not np.isfinite(p):
        return ""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def direction(outcome: str, diff: float, low: float, high: float) -> str:
    """Return "good", "bad" or "" for a difference whose interval excludes 0."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
        return ""
    if outcome in BETTER_HIGHER:
        return "good" if diff > 0 else "bad"
    if outcome in BETTER_LOWER:
        return "good" if diff < 0 else "bad"
    return ""


def unit_suffix(outcome: str, lang: str) -> str:
    """Return the unit written after a number of this outcome ("" for shares)."""
    if COLUMNS[outcome].unit == "share":
        return ""
    return f" {unit_of(outcome, lang)}"


def outcome_name(outcome: str, lang: str) -> str:
    """Return an outcome's label for running text (without a unit in brackets)."""
    text = label(outcome, lang)
    for mark in ("(", "（"):
        text = text.split(mark, 1)[0]
    return text if lang == "zh" else text[:1].lower() + text[1:]


# --------------------------------------------------------------------------- reading


def _row(summary: pd.DataFrame, design: str, outcome: str) -> pd.Series:
    """The summary row of one design and outcome."""
    rows = summary[(summary["design"] == design) & (summary["outcome"] == outcome)]
    return rows.iloc[0]


def design_reading(comp: Comparison, arm: Arm, lang: str) -> str:
    """Return the plain-language sentence comparing one design with the reference (HTML)."""
    t = TEXT[lang]
    clauses = []
    unclear = []
    for outcome in READING_OUTCOMES:
        row = _row(comp.summary, arm.key, outcome)
        low, high, diff = float(row["diff_low"]), float(row["diff_high"]), float(row["diff"])
        dec = decimals_of(outcome, low, high)
        name = outcome_name(outcome, lang)
        if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
            unclear.append(name)
            continue
        if diff > 0:
            value = f"{fmt(diff, dec)} {fmt_interval(low, high, dec)}"
            text = say(t["raise"], label=name, value="\x02")
        else:
            value = f"{fmt(-diff, dec)} {fmt_interval(-high, -low, dec)}"
            text = say(t["lower"], label=name, value="\x02")
        number = html.escape(value + unit_suffix(outcome, lang))
        text = html.escape(text).replace("\x02", f'<span class="num">{number}</span>')
        adverse = direction(outcome, diff, low, high) == "bad"
        clauses.append(f'<span class="bad">{text}</span>' if adverse else text)
    if unclear and clauses:
        clauses.append(html.escape(say(t["unclear"], labels=t["list_sep"].join(unclear))))
    if not clauses:
        clauses.append(html.escape(t["no_change"]))
    lead = say(t["vs"], ref=f"<b>{html.escape(comp.reference.label(lang))}</b>",
               design=f"<b>{html.escape(arm.label(lang))}</b>")
    return lead + t["sep"].join(clauses) + t["end"]


def best_reading(comp: Comparison, outcome: str, highest: bool, lang: str) -> str:
    """Return a sentence naming the design with the highest (lowest) outcome (HTML).

    With three designs or more, the leader is compared with the runner-up seed
    by seed (a paired t interval), so the sentence says whether the lead is
    clear. With two, the runner-up is the other design and the difference is
    already in the sentence comparing it with the reference, so nothing is
    said about a runner-up.
    """
    from sim.experiments.intervals import t_interval

    t = TEXT[lang]
    rows = comp.summary[comp.summary["outcome"] == outcome].sort_values(
        "mean", ascending=not highest, kind="stable")
    first, second = rows.iloc[0], rows.iloc[1]
    dec = decimals_of(outcome, float(first["ci_low"]), float(first["ci_high"]))
    labels = {arm.key: arm.label(lang) for arm in comp.arms}
    value = f"{fmt(first['mean'], dec)} {fmt_interval(first['ci_low'], first['ci_high'], dec)}"
    first_month, last_month = comp.window_months
    text = say(t["best"], window=len(comp.months) or comp.window, first=first_month,
               last=last_month, label=outcome_name(outcome, lang),
                            which=t["highest"] if highest else t["lowest"],
                            design=f"\x00{labels[first['design']]}\x01",
                            value=value.strip() + unit_suffix(outcome, lang))
    if len(comp.arms) < 3:
        return html.escape(text + t["end"]).replace("\x00", "<b>").replace("\x01", "</b>")
    keys = ["design", "param_set"] if comp.uncertainty else ["design", "seed"]
    runs = comp.runs.groupby(keys, sort=True)[outcome].mean()  # per parameter set or seed
    d = (runs.loc[first["design"]].sort_index() - runs.loc[second["design"]].sort_index())
    mean, low, high, _ = t_interval(d.to_numpy(float))
    lead = mean if highest else -mean
    lo, hi = (low, high) if highest else (-high, -low)
    dec = decimals_of(outcome, lo, hi)
    value = f"{fmt(lead, dec)} {fmt_interval(lo, hi, dec)}".strip() + unit_suffix(outcome, lang)
    if np.isfinite(lo) and lo > 0:
        text += say(t["runner_up"], design=f"\x00{labels[second['design']]}\x01", value=value,
                                      dir=t["more"] if highest else t["less"])
    else:
        text += say(t["tie"], design=f"\x00{labels[second['design']]}\x01", value=value)
    return html.escape(text + t["end"]).replace("\x00", "<b>").replace("\x01", "</b>")


# --------------------------------------------------------------------------- figures


def _font(lang: str, texts: list[str]) -> None:
    """Set up the CJK font; only Chinese text needs it (as in :mod:`sim.plots`)."""
    try:
        use_cjk_font()
    except CJKFontError:
        if lang == "zh" or not all(text.isascii() for text in texts):
            raise


def monthly_bands(timeseries: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Return per design and month: the mean over seeds and its 95 % t band.

    Returns:
        Columns ``design``, ``month``, ``mean``, ``low``, ``high`` (the band
        equals the mean with a single seed). Undefined values (NaN) are left
        out of a month's mean and band; a month with none defined is NaN.
    """
    from sim.experiments.intervals import t_band

    g = timeseries.groupby(["design", "month"], sort=False)[outcome]
    out = g.agg(["mean", "std", "count"]).reset_index()
    out["low"], out["high"] = t_band(out["mean"].to_numpy(float), out["std"].to_numpy(float),
                                     out["count"].to_numpy(float))
    return out


def _style(ax: Axes) -> None:
    """Light grid, no top and right spines."""
    ax.grid(True, alpha=0.3, linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def plot_outcome(comp: Comparison, outcome: str, lang: str, path: Path, dpi: int = 110) -> Path:
    """Draw one outcome over the months: the mean of each design and its 95 % band.

    The legend gives every design's whole label, wrapped over lines; shares
    keep the 0–1 range and counts start at 0 (a t band may reach past them,
    the values cannot), an undefined month is a gap (:func:`sim.plots.displayed`)
    and an outcome that is zero in every run says so (:func:`sim.plots.mark_none`).

    Args:
        comp: The comparison.
        outcome: A column of :data:`sim.metrics.COLUMNS`.
        lang: ``"zh"`` or ``"en"``.
        path: The PNG to write.
        dpi: Resolution.

    Returns:
        ``path``.
    """
    t = TEXT[lang]
    labels = [wrap_label(arm.label(lang), LABEL_WIDTH) for arm in comp.arms]
    _font(lang, labels)
    bands = monthly_bands(displayed(comp.timeseries), outcome)
    fig = Figure(figsize=(6.4, 4.3), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    first, last = comp.window_months
    ax.axvspan(first - 0.5, last + 0.5, color="#000000", alpha=0.06, linewidth=0)
    for month in comp.skipped_months:  # inside the window's span, not averaged
        ax.axvline(month, color="#888888", linewidth=0.8, linestyle=":")
    ax.text(first, 1.0, " " + say(t["window_text"], window=comp.window), fontsize=8,
            color="#666666", va="top", ha="left", transform=ax.get_xaxis_transform())
    for arm, text, colour in zip(comp.arms, labels, colours(len(comp.arms)), strict=True):
        b = bands[bands["design"] == arm.key]
        ax.fill_between(b["month"], b["low"], b["high"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(b["month"], b["mean"], color=colour, linewidth=1.7, label=text,
                linestyle="--" if arm is comp.reference else "-")
    ax.set_title(label(outcome, lang), fontsize=12)
    ax.set_xlabel(t["month"])
    ax.set_ylabel(axis_label(outcome, lang))
    ax.set_xlim(0, max(comp.steps, 1))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))
    if COLUMNS[outcome].unit == "share":
        ax.set_ylim(-0.03, 1.03)  # as in the run figure
    elif not mark_none(ax, bands[["low", "high"]].to_numpy(float).ravel(), t["none"]):
        ax.set_ylim(bottom=0)  # counts and money are never negative, whatever the band says
        ax.yaxis.set_major_formatter(FuncFormatter(tick_text))
    _style(ax)
    fig.legend(loc="outside lower center", ncol=2 if len(labels) > 2 else len(labels),
               fontsize=8.5, frameon=False)
    fig.savefig(path, dpi=dpi)
    return path


def plot_differences(comp: Comparison, lang: str, path: Path, dpi: int = 100) -> Path:
    """Draw the forest plot: each design's difference from the reference, per outcome.

    One small panel per outcome (its own unit on the x-axis), one row per
    design other than the reference: the mean paired difference and its 95 %
    interval, with a line at zero. Design labels are whole, wrapped to
    :data:`TICK_WIDTH`, and rows grow with the lines of the longest label.

    Args:
        comp: The comparison.
        lang: ``"zh"`` or ``"en"``.
        path: The PNG to write.
        dpi: Resolution.

    Returns:
        ``path``.
    """
    t = TEXT[lang]
    others = comp.arms[1:]
    labels = [wrap_label(arm.label(lang), TICK_WIDTH) for arm in others]
    _font(lang, labels)
    palette = colours(len(comp.arms))[1:]
    outcomes = list(COLUMNS)
    ncols = 4
    nrows = math.ceil(len(outcomes) / ncols)
    lines = max(text.count("\n") + 1 for text in labels)
    height = max(0.32, 0.13 * lines + 0.08) * len(others) + 1.3
    fig = Figure(figsize=(13.0, height * nrows + 1.0), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    ypos = np.arange(len(others))[::-1]
    for k, (ax, outcome) in enumerate(zip(axes.flat, outcomes, strict=False)):
        rows = comp.summary[comp.summary["outcome"] == outcome].set_index("design")
        ax.axvline(0, color="#444444", linewidth=0.9)
        for y, arm, colour in zip(ypos, others, palette, strict=True):
            r = rows.loc[arm.key]
            low, high = float(r["diff_low"]), float(r["diff_high"])
            err = ([[r["diff"] - low], [high - r["diff"]]] if np.isfinite(low) else None)
            ax.errorbar([r["diff"]], [y], xerr=err, fmt="o", color=colour, markersize=4.5,
                        elinewidth=1.8, capsize=2.5)
        ax.set_yticks(ypos, labels if k % ncols == 0 else [], fontsize=8)
        ax.set_ylim(-0.7, len(others) - 0.3)
        ax.set_title(axis_label(outcome, lang), fontsize=9.5)
        ax.tick_params(axis="x", labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        if COLUMNS[outcome].unit != "share":
            ax.xaxis.set_major_formatter(FuncFormatter(tick_text))
        ax.grid(True, axis="x", alpha=0.3, linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    ref = comp.reference.label(lang)
    fig.suptitle(f"{t['diff_axis']}：{ref}" if lang == "zh" else f"{t['diff_axis']}: {ref}",
                 fontsize=12)
    fig.savefig(path, dpi=dpi)
    return path


def plot_uncertainty(comp: Comparison, lang: str, path: Path, dpi: int = 100) -> Path:
    """Draw the differences across the parameter sets, with both intervals beside them.

    One panel per outcome of :data:`UNCERTAIN_OUTCOMES`; per design other than the
    reference, a strip of its ``d_k`` (one dot per parameter set, the mean over seeds of
    the paired differences, spread sideways so that equal values stay visible), beside it
    the 95 % interval over parameter sets (black) and the seed-only interval (grey): the
    reader sees at once that the second is not the uncertainty of the answer.

    Args:
        comp: A comparison run with ``--uncertainty``.
        lang: ``"zh"`` or ``"en"``.
        path: The PNG to write.
        dpi: Resolution.

    Returns:
        ``path``.
    """
    from sim.experiments.comparison import per_set_differences

    u = UTEXT[lang]
    others = comp.arms[1:]
    labels = [wrap_label(arm.label(lang), 18) for arm in others]
    _font(lang, labels)
    palette = colours(len(comp.arms))[1:]
    outcomes = list(UNCERTAIN_OUTCOMES)
    ncols = 3
    nrows = math.ceil(len(outcomes) / ncols)
    width = max(11.0, 1.6 * len(others) * ncols + 2.0)
    fig = Figure(figsize=(width, 3.6 * nrows + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    rows = comp.summary.set_index(["outcome", "design"])
    jitter = np.random.default_rng(0)  # layout only: the same picture for the same data
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        dk = per_set_differences(comp.runs, comp.arms, outcome)
        ax.axhline(0, color="#444444", linewidth=0.9)
        for x, arm, colour in zip(range(len(others)), others, palette, strict=True):
            values = dk[arm.key]
            ax.scatter(x - 0.12 + jitter.uniform(-0.08, 0.08, values.size), values, s=12,
                       color=colour, alpha=0.6, linewidths=0)
            r = rows.loc[(outcome, arm.key)]
            for dx, low, high, shade, text in (
                    (0.14, r["diff_params_low"], r["diff_params_high"], "#000000",
                     u["legend_params"]),
                    (0.26, r["diff_seeds_low"], r["diff_seeds_high"], "#999999",
                     u["legend_seeds"])):
                if np.isfinite(low) and np.isfinite(high):
                    ax.errorbar([x + dx], [r["diff_params"]],
                                yerr=[[r["diff_params"] - low], [high - r["diff_params"]]],
                                fmt="o", color=shade, markersize=3.5, elinewidth=2.0,
                                capsize=3, label=text if x == 0 else None)
        ax.set_xticks(range(len(others)), labels, fontsize=8)
        ax.set_xlim(-0.6, len(others) - 0.4)
        ax.set_title(axis_label(outcome, lang), fontsize=9.5)
        ax.tick_params(axis="y", labelsize=8)
        if COLUMNS[outcome].unit != "share":
            ax.yaxis.set_major_formatter(FuncFormatter(tick_text))
        _style(ax)
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    handles, names = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="outside lower center", ncol=2, fontsize=8.5,
                   frameon=False)
    ref = comp.reference.label(lang)
    fig.suptitle(f"{TEXT[lang]['diff_axis']}：{ref}" if lang == "zh"
                 else f"{TEXT[lang]['diff_axis']}: {ref}", fontsize=12)
    fig.savefig(path, dpi=dpi)
    return path


def make_figures(comp: Comparison, lang: str, folder: Path) -> list[FigureFile]:
    """Write every figure of a comparison into ``folder``.

    Returns:
        The forest plot first, then (under ``--uncertainty``) the differences across the
        parameter sets, then one time series per outcome (key outcomes first, in
        :data:`KEY_OUTCOMES` order, then the others in column order).
    """
    t = TEXT[lang]
    ref = comp.reference.label(lang)
    figures = []
    path = plot_differences(comp, lang, folder / "differences.png")
    figures.append(FigureFile(path, path.read_bytes(), say(t["fig_forest"], ref=ref)))
    if comp.uncertainty:
        path = plot_uncertainty(comp, lang, folder / "uncertainty.png")
        figures.append(FigureFile(path, path.read_bytes(), say(UTEXT[lang]["fig"], ref=ref),
                                  UNCERTAINTY_FIGURE))
    order = [*KEY_OUTCOMES, *(c for c in COLUMNS if c not in KEY_OUTCOMES)]
    for outcome in order:
        path = plot_outcome(comp, outcome, lang, folder / f"timeseries_{outcome}.png")
        figures.append(FigureFile(path, path.read_bytes(),
                                  say(t["fig_ts"], label=label(outcome, lang)), outcome))
    return figures


# --------------------------------------------------------------------------- HTML

TEMPLATES = "templates"
"""Folder of the report's Jinja2 templates inside the :mod:`sim` package (package data)."""


@functools.cache
def environment() -> jinja2.Environment:
    """Return the Jinja2 environment of the report's templates (``sim/templates``).

    Every value is escaped (autoescape) unless the Python side escaped it and
    marked it :class:`markupsafe.Markup`; a variable the template names but the
    context lacks is an error (:class:`jinja2.StrictUndefined`), not an empty
    string, so a renamed key cannot silently drop a part of the report.
    """
    return jinja2.Environment(loader=jinja2.PackageLoader("sim", TEMPLATES),
                              autoescape=jinja2.select_autoescape(("html", "j2")),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _macros() -> Any:
    """The macros of ``macros.html.j2`` as Python callables (each returns ``Markup``)."""
    return environment().get_template("macros.html.j2").module


def _figure(fig: FigureFile) -> dict[str, object]:
    """What the template needs of a figure: its PNG as a data URI, and its caption.

    The URI is base64 (letters, digits, ``+/=``), so it is marked safe as it is.
    """
    data = base64.b64encode(fig.data).decode("ascii")
    return {"src": Markup(f"data:image/png;base64,{data}"), "caption": fig.caption}


def _when(created: str) -> str:
    """Return an ISO time as "2026-11-22 03:36 UTC" (unchanged if it cannot be read)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(created).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return created


def _seed_range(seeds: list[int]) -> str:
    """Return "0–19" for consecutive seeds, else the list."""
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}–{seeds[-1]}" if len(seeds) > 1 else str(seeds[0])
    return ", ".join(str(s) for s in seeds)


def _designs(comp: Comparison, lang: str) -> list[dict[str, object]]:
    """Every design: colour, label, whether it is the reference, name, description, source."""
    return [{"colour": colour, "label": arm.label(lang), "reference": i == 0, "key": arm.key,
             "description": Markup(prose(arm.description(lang))),
             "source": Markup(prose(arm.scenario.design.source))}
            for i, (arm, colour) in enumerate(zip(comp.arms, colours(len(comp.arms)),
                                                  strict=True))]


def _community(comp: Comparison, lang: str) -> dict[str, object]:
    """The community: label, name, size, kinds of compound (unless described), source."""
    t = TEXT[lang]
    c = comp.reference.scenario.community
    name = (c.label_en if lang == "en" else c.label_zh) or c.label_en or c.label_zh or c.name
    groups = t["list_sep"].join(
        say(t["group"], label=(g.label_zh if lang == "zh" and g.label_zh
                                 else g.name.replace("_", " ")),
                          count=g.count, households=g.households,
                          firm=t["with_firm"] if g.firm and not (lang == "zh" and g.label_zh)
                          else "")
        for g in c.groups)
    description = c.description.strip() if lang == "en" else ""
    if description:
        groups = ""  # the English description already tells the kinds of compound
    colon, stop = ("：", "。") if lang == "zh" else (": ", ".")
    return {"name": name, "key": c.name, "colon": colon, "stop": stop,
            "size": say(t["size"], households=c.n_households, compounds=c.n_compounds),
            "description": Markup(prose(description)), "groups": groups,
            "source": Markup(prose(c.source))}


def _method(comp: Comparison, lang: str) -> list[str]:
    """The items of the method section, with this comparison's numbers."""
    t = TEXT[lang]
    first, last = comp.window_months
    n = len(comp.seeds)
    ref = comp.reference.label(lang)
    u = UTEXT[lang]
    skipped = comp.skipped_months
    window = len(comp.months) or comp.window
    items = [say(t["m_runs"], seeds=n, seed_range=_seed_range(comp.seeds), steps=comp.steps),
             say(t["m_window"], window=window, first=first, last=last,
                 skipped=say(u["skipped"], months=", ".join(map(str, skipped)))
                 if skipped else ""),
             say(t["m_ci"], seeds=n, df=n - 1),
             say(t["m_diff"], ref=ref),
             say(t["m_band"], window=window),
             t["m_colour"]]
    runs = comp.runs[comp.runs["design"] == comp.reference.key]
    items.insert(2, say(u["m_spending"], ref=ref,
                        with_campaigns=fmt(float(runs["gov_spending_total"].mean()), 0),
                        without=fmt(float(runs["gov_spending_no_campaigns_total"].mean()), 0)))
    if comp.uncertainty:  # the intervals and tests are over parameter sets, not seeds
        k = int(comp.uncertainty["n"])
        items = [*items[:3], say(u["m_uncertain"], sets=k, seeds=n, df=k - 1, ref=ref),
                 *items[5:]]
        return items
    if n < 2:
        items.append(t["m_one_seed"])
    elif n <= 50:  # scipy's exact test; the smallest p is 2 / 2^n
        items.insert(4, say(t["m_pmin"], seeds=n, pmin=f"{2.0 / 2**n:.2g}"))
    return items


def _method_html(comp: Comparison, lang: str) -> str:
    """The method section as HTML (the ``method`` macro of the templates)."""
    return str(_macros().method(_method(comp, lang)))


def _table(comp: Comparison, lang: str) -> dict[str, object]:
    """The results table: outcomes as rows, designs as columns, numbers formatted.

    A cell of a design other than the reference also has its difference from
    the reference, the class that colours it (:func:`direction`) and its p-value;
    the reference's cells have ``diff`` None.
    """
    head = [{"colour": colour, "label": arm.label(lang), "reference": i == 0}
            for i, (arm, colour) in enumerate(zip(comp.arms, colours(len(comp.arms)),
                                                  strict=True))]
    rows = []
    summary = comp.summary.set_index(["outcome", "design"])
    for outcome in COLUMNS:
        dec = decimals_for(comp.summary, outcome)
        cells = []
        for i, arm in enumerate(comp.arms):
            r = summary.loc[(outcome, arm.key)]
            cell: dict[str, object] = {
                "mean": fmt(r["mean"], dec), "ci": fmt_interval(r["ci_low"], r["ci_high"], dec),
                "diff": None, "diff_class": "", "diff_ci": "", "p": ""}
            if i > 0:
                cell.update(diff=fmt(r["diff"], dec, sign=True),
                            diff_class=_diff_class(outcome, r),
                            diff_ci=fmt_interval(r["diff_low"], r["diff_high"], dec, sign=True),
                            p=fmt_p(r["p_holm"]))
            cells.append(cell)
        rows.append({"label": label(outcome, lang), "unit": unit_of(outcome, lang),
                     "cells": cells})
    note = UTEXT[lang]["results_note"] if comp.uncertainty else TEXT[lang]["table_note"]
    return {"head": head, "rows": rows, "note": note}


def _findings(comp: Comparison, lang: str) -> dict[str, object]:
    """The key findings: one sentence per design, the leaders, and the caveat.

    The sentences are HTML built from escaped parts (:func:`design_reading`,
    :func:`best_reading`), hence ``Markup``. With one seed there are none:
    ``one_seed`` says why.
    """
    t = TEXT[lang]
    if len(comp.seeds) < 2 and not comp.uncertainty:
        return {"one_seed": t["m_one_seed"], "readings": [], "caveat": ""}
    items = [design_reading(comp, arm, lang) for arm in comp.arms[1:]]
    items.append(best_reading(comp, "condition", True, lang))
    items.append(best_reading(comp, "petitions", False, lang))
    caveat = UTEXT[lang]["caveat"] if comp.uncertainty else t["caveat"]
    return {"one_seed": "", "readings": [Markup(item) for item in items], "caveat": caveat}


def _share(value: float, lang: str) -> str:
    """A share as a percentage ("94%", "94 %"); "—" when undefined."""
    if value is None or not np.isfinite(value):
        return "—"
    return f"{100 * value:.0f}%" if lang == "zh" else f"{100 * value:.0f} %"


def _diff_class(outcome: str, row: pd.Series) -> str:
    """The CSS class of a difference: ``diff`` plus ``good``/``bad`` (:func:`direction`)."""
    kind = direction(outcome, row["diff"], row["diff_low"], row["diff_high"])
    return f"diff {kind}" if kind else "diff"


def _uncertainty(comp: Comparison, lang: str,
                 figures: list[FigureFile]) -> dict[str, object] | None:
    """The section of a comparison under parameter uncertainty (None without one).

    Its table gives, per outcome and design, the difference and its three intervals —
    over parameter sets, the spread across the prior, the seed-only one — named so that a
    reader can tell them apart, with P(better), regret, the share meeting a threshold and
    the Holm-corrected p-value; the readings say it in words, for the outcomes of
    :data:`UNCERTAIN_OUTCOMES`.
    """
    if not comp.uncertainty:
        return None
    from sim.posterior import describe

    u, t = UTEXT[lang], TEXT[lang]
    info = comp.uncertainty
    parameters = info.get("parameters", [])
    summary = comp.summary.set_index(["outcome", "design"])
    ref = comp.reference.label(lang)
    order = [*UNCERTAIN_OUTCOMES, *(c for c in COLUMNS if c not in UNCERTAIN_OUTCOMES)]
    rows = []
    for outcome in order:
        dec = decimals_for(comp.summary, outcome)
        for i, arm in enumerate(comp.arms):
            r = summary.loc[(outcome, arm.key)]
            regret = (f"{fmt(r['regret_mean'], dec)} / {fmt(r['regret_max'], dec)}"
                      if np.isfinite(r["regret_mean"]) else "—")
            rows.append({
                "outcome": label(outcome, lang) if i == 0 else "", "design": arm.label(lang),
                "reference": i == 0,
                "diff": fmt(r["diff"], dec, sign=True) if i else "",
                "diff_class": _diff_class(outcome, r) if i else "",
                "params": fmt_interval(r["diff_params_low"], r["diff_params_high"], dec,
                                       sign=True) if i else "",
                "spread": fmt_interval(r["diff_spread_low"], r["diff_spread_high"], dec,
                                       sign=True) if i else "",
                "seeds": fmt_interval(r["diff_seeds_low"], r["diff_seeds_high"], dec,
                                      sign=True) if i else "",
                "better": _share(r["p_better"], lang) if i else "",
                "regret": regret,
                "threshold": _share(r["meets_threshold"], lang),
                "p": fmt_p(r["p_holm"]) if i else ""})
    readings = []
    for outcome in UNCERTAIN_OUTCOMES[:3]:
        name = outcome_name(outcome, lang)
        for arm in comp.arms[1:]:
            r = summary.loc[(outcome, arm.key)]
            dec = decimals_of(outcome, float(r["diff_params_low"]), float(r["diff_params_high"]))
            readings.append(say(
                u["better"], design=arm.label(lang), ref=ref, outcome=name,
                share=_share(r["p_better"], lang),
                value=fmt(r["diff"], dec, sign=True) + unit_suffix(outcome, lang),
                params=fmt_interval(r["diff_params_low"], r["diff_params_high"], dec, True),
                seeds=fmt_interval(r["diff_seeds_low"], r["diff_seeds_high"], dec, True))
                + t["end"])
            seed_width = float(r["diff_seeds_high"] - r["diff_seeds_low"])
            param_width = float(r["diff_params_high"] - r["diff_params_low"])
            if np.isfinite(seed_width) and seed_width > 0 and np.isfinite(param_width):
                readings.append(say(u["wider"], outcome=name,
                                    ratio=f"{param_width / seed_width:.1f}"))
        rows_o = comp.summary[comp.summary["outcome"] == outcome]
        best = rows_o.sort_values("regret_mean", kind="stable").iloc[0]
        dec = decimals_for(comp.summary, outcome)
        readings.append(say(u["regret"], outcome=name,
                            design={a.key: a.label(lang) for a in comp.arms}[best["design"]],
                            value=fmt(best["regret_mean"], dec)) + t["end"])
    for outcome, value in (info.get("thresholds") or {}).items():
        op = "≥" if better_sign(outcome) > 0 else "≤"
        for arm in comp.arms:
            r = summary.loc[(outcome, arm.key)]
            readings.append(say(u["threshold"], design=arm.label(lang),
                                outcome=outcome_name(outcome, lang), op=op,
                                value=f"{value:g}", share=_share(r["meets_threshold"], lang))
                            + t["end"])
    params = [{"path": q["path"], "prior": f"[{q['low']:g}, {q['high']:g}]",
               "default": f"{q['default']:g}" if isinstance(q.get("default"), int | float)
               else str(q.get("default", "")), "source": q.get("source", "")}
              for q in parameters]
    figure = [_figure(f) for f in figures if f.outcome == UNCERTAINTY_FIGURE]
    return {"intro": say(u["intro"], sets=int(info["n"]), params=len(parameters),
                         method=info.get("method", ""), seed=info.get("seed", ""),
                         seeds=len(comp.seeds), runs=len(comp.runs)),
            "posterior": describe(info["posterior"], lang) if info.get("posterior") else "",
            "held": " ".join(say(u["held"], design=arm.label(lang),
                                 params=", ".join(info["held"][arm.key]))
                             for arm in comp.arms
                             if (info.get("held") or {}).get(arm.key)),
            "which": u["which"], "table_note": u["table_note"], "rows": rows,
            "readings": readings, "params": params, "figures": figure,
            "has_threshold": bool(info.get("thresholds"))}


def _command_html(command: str) -> str:
    """Return a command line whose lines break only between arguments ("--lang" stays whole)."""
    import shlex

    try:
        words = shlex.split(command)
    except ValueError:
        return html.escape(command)
    return " ".join(f'<span class="arg">{html.escape(shlex.quote(w))}</span>' for w in words)


def _meta(comp: Comparison, lang: str) -> dict[str, object]:
    """Run information: versions, seeds, months, date, files, and the command (HTML)."""
    from sim.versions import package_version

    t = TEXT[lang]
    libs = ", ".join(f"{k} {v}" for k, v in comp.versions.items() if k != "compound-sim")
    rows = [(t["m_version"], f"compound-sim {package_version()}"),
            (t["m_libs"], libs),
            (t["m_seeds"], _seed_range(comp.seeds)),
            (t["m_steps"], str(comp.steps)),
            (t["m_created"], _when(comp.created)),
            (t["m_files"], t["m_files_text"])]
    return {"rows": rows, "command": Markup(_command_html(comp.command))}


def report_context(comp: Comparison, lang: str,
                   figures: list[FigureFile]) -> dict[str, object]:
    """Return everything ``report.html.j2`` shows, computed, formatted and in ``lang``.

    Plain strings are escaped by the template; only HTML this module built
    from escaped parts is ``Markup``.

    Args:
        comp: The comparison.
        lang: ``"zh"`` or ``"en"``.
        figures: From :func:`make_figures`: the forest plot, then time series.
    """
    t = TEXT[lang]
    c = comp.reference.scenario.community
    community = (c.label_en if lang == "en" else c.label_zh) or c.name
    series = [f for f in figures if f.outcome and f.outcome != UNCERTAINTY_FIGURE]
    return {
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "text": t,
        "title": say(t["title"], community=community),
        "subtitle": say(t["subtitle"], designs=len(comp.arms), seeds=len(comp.seeds),
                        steps=comp.steps),
        "created": _when(comp.created),
        "findings": _findings(comp, lang),
        "designs": _designs(comp, lang),
        "community": _community(comp, lang),
        "method": _method(comp, lang),
        "table": _table(comp, lang),
        "figures": {"forest": [_figure(f) for f in figures if not f.outcome],
                    "key": [_figure(f) for f in series if f.outcome in KEY_OUTCOMES],
                    "rest": [_figure(f) for f in series if f.outcome not in KEY_OUTCOMES]},
        "meta": _meta(comp, lang),
        "uncertainty": _uncertainty(comp, lang, figures),
        "utext": UTEXT[lang],
    }


def render(context: dict[str, object], template: str = "report.html.j2") -> str:
    """Render a report template with a context from :func:`report_context`."""
    return environment().get_template(template).render(context)


def render_report(comp: Comparison, lang: str, figures: list[FigureFile]) -> str:
    """Return the report as one self-contained HTML document.

    Args:
        comp: The comparison.
        lang: ``"zh"`` or ``"en"``.
        figures: From :func:`make_figures`: the forest plot, then time series.

    Returns:
        HTML with inline CSS and figures embedded as base64 PNG; it links,
        loads and runs nothing (layout: ``sim/templates/report.html.j2``).
    """
    return render(report_context(comp, lang, figures))
