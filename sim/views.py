"""Pictures of one moment of a model: households in their buildings, and the main outcomes.

These are the figures of the interactive page (:mod:`sim.app`), kept free of any web
framework so that notebooks and tests can draw them too. A compound is drawn the way a
resident would sketch it: its buildings side by side, each stairwell unit (单元) a column
pair with two flats per floor (一梯两户), households stacked floor by floor, each coloured by
what it did this month. Figures are built on matplotlib's Agg canvas without ``pyplot``, so
drawing never changes the caller's backend and is safe from a server thread.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sim.bodies import bodies
from sim.fonts import use_cjk_font
from sim.plots import PANELS, Panel, draw_panel
from sim.text import section

if TYPE_CHECKING:
    from sim.model import CompoundModel

FLATS_PER_FLOOR = 2
"""Flats per floor of a stairwell unit (一梯两户), used only to place households in the view."""

STATE_COLOURS: dict[str, str] = {
    "nothing": "#d9d9d9", "pays": "#6baed6", "volunteers": "#31a354", "petitions": "#de2d26",
}
"""Colour of each state a household can be shown in, by its key in the catalogue's
``view_states`` section, from least to most visible."""

_STATE_TEXT = section("view_states")
STATES: tuple[tuple[str, str, str], ...] = tuple(
    (_STATE_TEXT["zh"][key], _STATE_TEXT["en"][key], colour)
    for key, colour in STATE_COLOURS.items())
"""What a household did this month, as (Chinese, English, colour), from least to most visible
(text from the catalogue).

A household that petitions is shown as petitioning whatever else it did; one that volunteers
or takes part in deliberation is shown so even if it did not pay.
"""

VIOLATION_EDGE = "#000000"
"""Edge colour of households that broke a rule this month (不守规)."""

TITLE_WIDTH = 24
"""Characters of a panel title's line in :func:`outcomes_figure`; longer titles wrap."""

FONT_SIZE = 10.0
"""Smallest text of these figures, in points: the page shows them at their own size
(:data:`sim.app.FIGURE_DPI`), so every label reads as at least 10 pt text."""

TEXT: dict[str, dict[str, str]] = section("views")
"""Figure text by language."""

BODY_TEXT: dict[str, dict[str, str]] = section("bodies")
"""Names of the bodies and the text of their list, by language."""

BODY_MARKS: dict[str, str] = {
    "committee": "o", "supervisory": "D", "council": "^", "cobuilding_council": "v",
    "social_org": "P", "leaders": "*", "branch": "X",
}
"""Mark drawn inside a member's square, by body (co-building units have no household
members); a household on several bodies shows the mark of the first in
:data:`sim.selfgov.BODIES` order, the legend gives each body's number of members and the
list under the drawing (:func:`bodies_text`) names them all."""

OUTCOME_PANELS: tuple[Panel, ...] = tuple(
    p for p in PANELS if p.key in ("actions", "attitudes", "petitions", "firm_money"))
"""The four panels of :func:`outcomes_figure`, taken from the run figure's
:data:`sim.plots.PANELS`: actions, condition and attitudes, petitions, firm and self-funding."""


@dataclass(frozen=True)
class Placement:
    """Where the households of one compound sit in the drawing.

    Attributes:
        households: Household indices, in the order of ``x`` and ``y``.
        x: Horizontal position (flat column; buildings separated by a gap of one).
        y: Floor, from 0 (ground floor).
        buildings: For each building, its ``(left, right, top floor)`` in drawing units.
    """

    households: np.ndarray
    x: np.ndarray
    y: np.ndarray
    buildings: tuple[tuple[float, float, int], ...]


def place_households(building: np.ndarray, unit: np.ndarray) -> Placement:
    """Place households by building, stairwell unit and floor.

    Households of a unit fill its floors in index order, :data:`FLATS_PER_FLOOR` per floor;
    units of a building stand side by side, buildings with a gap between them. The
    population has no floor numbers of its own: the floor is only a way to draw it.

    Args:
        building: Building index of each household of the compound (any integers).
        unit: Stairwell-unit index of each household (any integers).

    Returns:
        The placement of every household given, in the order given.
    """
    n = building.size
    x = np.zeros(n)
    y = np.zeros(n, dtype=int)
    outlines = []
    left = 0.0
    for b in np.unique(building):
        in_building = np.flatnonzero(building == b)
        top = 0
        for k, u in enumerate(np.unique(unit[in_building])):
            members = in_building[unit[in_building] == u]
            rank = np.arange(members.size)
            x[members] = left + k * FLATS_PER_FLOOR + rank % FLATS_PER_FLOOR
            y[members] = rank // FLATS_PER_FLOOR
            top = max(top, int(y[members].max()))
        width = FLATS_PER_FLOOR * np.unique(unit[in_building]).size
        outlines.append((left - 0.5, left + width - 0.5, top))
        left += width + 1
    return Placement(np.arange(n), x, y, tuple(outlines))


def household_states(acts: np.ndarray, petition: np.ndarray) -> np.ndarray:
    """Return each household's state this month as an index into :data:`STATES`.

    Args:
        acts: Boolean array (households × 4) in the order contribute, comply, volunteer,
            participate (:data:`sim.population.ACTIONS`).
        petition: Boolean array, one entry per household.

    Returns:
        Integer array: 0 nothing, 1 pays, 2 volunteers or deliberates, 3 petitions.
    """
    state = np.where(acts[:, 0], 1, 0)
    state = np.where(acts[:, 2] | acts[:, 3], 2, state)
    return np.where(petition, 3, state)


def _readable(ax: Axes) -> None:
    """Give an axes' tick labels and axis labels :data:`FONT_SIZE` (ticks made later too)."""
    ax.tick_params(labelsize=FONT_SIZE)
    ax.xaxis.label.set_fontsize(FONT_SIZE)
    ax.yaxis.label.set_fontsize(FONT_SIZE)


def _legend_below(ax: Axes, subfig: SubFigure, ncol: int) -> None:
    """Move an axes' legend under it, outside the plotting area, so it covers no line.

    The legend takes at most ``ncol`` columns, fewer if that is wider than the panel.

    :func:`sim.plots.draw_panel` puts the legend inside the axes, where it is in the way
    of the lines of a small panel; here it becomes the legend of the panel's own subfigure,
    which constrained layout places below the axes and its month label.
    """
    legend = ax.get_legend()
    if legend is None:
        return
    handles, labels = ax.get_legend_handles_labels()
    legend.remove()
    renderer = subfig.figure.canvas.get_renderer()
    for columns in range(ncol, 0, -1):  # as many columns as fit the panel's width
        legend = subfig.legend(handles, labels, loc="outside lower center", ncol=columns,
                               fontsize=FONT_SIZE, frameon=False, handlelength=1.4,
                               handletextpad=0.4, columnspacing=1.0)
        if columns == 1 or legend.get_window_extent(renderer).width <= subfig.bbox.width:
            return
        legend.remove()


def _canvas(width: float, height: float) -> Figure:
    """Return an empty figure on the Agg canvas, with the CJK font active."""
    use_cjk_font()
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def compound_figure(model: CompoundModel, compound: int = 0, lang: str = "zh", *,
                    size: tuple[float, float] = (9.0, 4.6)) -> Figure:
    """Draw one compound's households by building and floor, coloured by what they did.

    A small map of every compound's condition sits beside it (when the community has more
    than one), so that a class sees where the compound stands in its community.

    Args:
        model: The model, at any month.
        compound: Index of the compound to draw (0 … number of compounds − 1).
        lang: ``"zh"`` or ``"en"``.
        size: Figure size in inches (width, height).

    Returns:
        The figure (not saved).

    Raises:
        ValueError: If ``compound`` is out of range or ``lang`` unknown.
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {', '.join(TEXT)} (got {lang!r})")
    n_compounds = model.compounds.condition.size
    if not 0 <= compound < n_compounds:
        raise ValueError(f"compound must be in 0..{n_compounds - 1} (got {compound})")
    text = TEXT[lang]
    pop = model.population
    members = np.flatnonzero(pop.compound == compound)
    place = place_households(pop.building[members], pop.unit[members])
    state = household_states(pop.acts[members], pop.petition[members])
    violates = ~pop.acts[members, 1]

    fig = _canvas(*size)
    # the map of every compound's condition only helps when there is more than one
    with_map = n_compounds > 1
    ax, ax_map = fig.subplots(1, 2, width_ratios=[3.2, 1.0]) if with_map else (
        fig.subplots(), None)
    width_share = 0.7 if with_map else 0.9  # of the figure, taken by the drawing
    colours = np.array([s[2] for s in STATES])
    top_floor = max(t for _, _, t in place.buildings)
    span_x = max(r for _, r, _ in place.buildings) + 1.5
    # a square as wide as 75 % of a flat's cell, in points², so neighbours never overlap
    cell = min(size[0] * 72 * width_share / span_x, size[1] * 72 * 0.7 / (top_floor + 2.8))
    ax.scatter(place.x, place.y, c=colours[state], s=(0.75 * cell) ** 2, marker="s",
               edgecolors=np.where(violates, VIOLATION_EDGE, "white"), linewidths=1.2)
    marked = np.zeros(members.size, dtype=bool)
    body_handles = []
    for kind, who in body_members(model, compound):
        if kind not in BODY_MARKS:
            continue
        mark = np.isin(members, who) & ~marked
        marked |= mark
        ax.scatter(place.x[mark], place.y[mark], s=(0.35 * cell) ** 2, marker=BODY_MARKS[kind],
                   c="#000000", linewidths=0)
        body_handles.append(Line2D([], [], marker=BODY_MARKS[kind], linestyle="",
                                   markersize=7, color="#000000",
                                   label=f"{BODY_TEXT[lang][kind]} ({who.size})"))
    for left, right, top in place.buildings:
        ax.add_patch(Rectangle((left, -0.6), right - left, top + 1.2, fill=False,
                               edgecolor="#555555", linewidth=1.0))
    ax.set_xlim(-1.0, span_x - 1.0)
    ax.set_ylim(-0.8, top_floor + 1.0)
    # buildings numbered under their outlines, the word once as the axis label, so that
    # sixteen buildings still fit at a readable size
    ax.set_xticks([(left + right) / 2 for left, right, _ in place.buildings],
                  [str(b) for b in range(1, len(place.buildings) + 1)])
    ax.tick_params(axis="x", length=0)
    ax.set_xlabel(text["building"])
    floors = np.arange(0, top_floor + 1, max(1, (top_floor + 1) // 10))
    ax.set_yticks(floors, [str(f + 1) for f in floors])  # floors counted from 1 (一层)
    ax.set_ylabel(text["floor"])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    _readable(ax)
    group = model.config.community.groups[int(model.compounds.group[compound])]
    name = group.label_zh if lang == "zh" and group.label_zh else group.name.replace("_", " ")
    condition = float(model.compounds.condition[compound])
    ax.set_title(text["compound"].format(i=compound + 1, n=n_compounds, group=name)
                 + f"\n{text['month'].format(m=model.steps)} · {text['condition']} "
                 f"{condition:.2f}", fontsize=FONT_SIZE + 1)
    handles = [Line2D([], [], marker="s", linestyle="", markersize=8, markerfacecolor=c,
                      markeredgecolor="white", label=zh if lang == "zh" else en)
               for zh, en, c in STATES]
    handles.append(Line2D([], [], marker="s", linestyle="", markersize=8,
                          markerfacecolor="white", markeredgecolor=VIOLATION_EDGE,
                          label=text["violates"]))
    handles.extend(body_handles)
    renderer = fig.canvas.get_renderer()
    for columns in range(5 if lang == "zh" else 2, 0, -1):  # as many columns as fit
        legend = fig.legend(handles=handles, loc="outside lower center", ncol=columns,
                            fontsize=FONT_SIZE, frameon=False, handletextpad=0.2,
                            columnspacing=0.8)
        if columns == 1 or legend.get_window_extent(renderer).width <= fig.bbox.width:
            break
        legend.remove()
    if ax_map is not None:
        _condition_map(ax_map, model.compounds.condition, compound, text["overview"])
    return fig


def body_members(model: CompoundModel, compound: int) -> list[tuple[str, np.ndarray]]:
    """The bodies of one compound and their members (household indices), in body order.

    Read from the :class:`sim.bodies.Body` agents, so the page shows what the model has.
    """
    return [(agent.kind, agent.members) for agent in bodies(model, compound=compound)]


def bodies_text(model: CompoundModel, compound: int, lang: str) -> str:
    """Markdown list of one compound's bodies: each with its members and, if any, its funds."""
    text = BODY_TEXT[lang]
    found = bodies(model, compound=compound)
    if not found:
        return text["none"]
    colon, sep = ("：", "、") if lang == "zh" else (": ", ", ")
    lines = [f"**{text['heading']}**", ""]
    for agent in found:
        who = agent.members
        if agent.kind == "cobuilding_units":
            shown = text["outside"]
        else:
            shown = sep.join(str(int(i)) for i in who) if who.size else text["vacant"]
        funds = agent.funds
        left, right = ("（", "）") if lang == "zh" else (" (", ")")
        extra = f"{left}{text['funds'].format(yuan=funds)}{right}" if funds is not None else ""
        lines.append(f"- {text[agent.kind]}{extra}{colon}{shown}")
    return "\n".join(lines)


def _condition_map(ax: object, condition: np.ndarray, current: int, title: str) -> None:
    """Draw every compound's condition as a grid of squares, boxing the current one."""
    n = condition.size
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    grid = np.full(rows * cols, np.nan)
    grid[:n] = condition
    image = ax.imshow(grid.reshape(rows, cols), cmap="RdYlGn", vmin=0.0, vmax=1.0)
    r, c = divmod(current, cols)
    ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="black",
                           linewidth=2.0))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=FONT_SIZE)
    bar = ax.figure.colorbar(image, ax=ax, orientation="horizontal", fraction=0.08, pad=0.04,
                             ticks=[0.0, 0.5, 1.0])
    _readable(bar.ax)


def outcomes_figure(df: pd.DataFrame, lang: str = "zh", *,
                    size: tuple[float, float] = (9.0, 5.4)) -> Figure:
    """Draw the main monthly outcomes of a run in four small panels.

    Args:
        df: ``model.datacollector.get_model_vars_dataframe()`` (one row per month).
        lang: ``"zh"`` or ``"en"``.
        size: Figure size in inches (width, height).

    Returns:
        The figure (not saved); empty panels before the first month.

    Raises:
        ValueError: If ``lang`` is unknown.
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {', '.join(TEXT)} (got {lang!r})")
    fig = _canvas(*size)
    # one subfigure per panel, so that each panel's legend sits under its own axes
    for subfig, panel in zip(fig.subfigures(2, 2).flat, OUTCOME_PANELS, strict=True):
        ax = subfig.subplots()
        draw_panel(ax, df, panel, lang)
        _readable(ax)
        # a long title on two lines, so that it fits the panel's quarter of the figure
        ax.set_title(textwrap.fill(ax.get_title(), TITLE_WIDTH), fontsize=FONT_SIZE + 0.5)
        _legend_below(ax, subfig, ncol=2 if lang == "zh" else 1)
    fig.suptitle(TEXT[lang]["outcomes"], fontsize=FONT_SIZE + 2)
    return fig
