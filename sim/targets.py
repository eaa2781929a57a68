"""Calibration targets as data: what was observed, how sure it is, where it comes from.

A model a paper cites is fitted to what was observed and checked on figures it was not
fitted to. This module is the one reader of those figures: a *targets file*
(``configs/targets/*.yaml``, ``kind: targets``) lists targets, each

- a figure: a ``value`` (optionally ``± tolerance``) or an ``interval`` ``[low, high]``
  whose ends may be open (``null``), exactly one of the two;
- the *model quantity* it is compared with — a named, documented summary of a run's
  outputs from :data:`QUANTITIES` (``contribution_rate_mean``, ``months_to_resolve`` of a
  matter type, …) with its unit, which the target's ``unit`` must repeat (a share written
  as a percentage is refused, not silently compared);
- the community and design presets it applies to, the months of the run it summarises,
  and a hint whether it is meant for ``calibration`` or held out for ``validation``;
- its ``source``: a seed file and the exact Chinese phrase (``tests/test_targets.py`` checks
  the phrase is verbatim in ``../shared/seeds/``), or a publication (author, year, title,
  table or page, URL), and a ``note`` saying how the figure was read.

:func:`load_targets` validates a file (one-line errors naming the field, as for every
config); :func:`evaluate` compares the targets that apply to a run with what the run gives
(observed, simulated, inside, distance); :func:`run_recorded` runs a model keeping what each
household did each month, for the quantities that follow households over time.
``sim targets FILE`` (:mod:`sim.targets_cli`) prints the same at the current defaults.
``docs/targets.md`` lists every shipped target, what each quantity computes and what was
searched for but not found.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator
from scipy import stats

from sim.config import load_config, model_at, preset_names, read_yaml
from sim.errors import ConfigError
from sim.strict import Strict, unknown_name, validation_error
from sim.text import section

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.model import CompoundModel

TEXT: dict[str, dict[str, str]] = section("targets")
"""User-facing text of targets: quantity labels and the messages of ``sim targets``."""

Finite = Annotated[float, Field(allow_inf_nan=False)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1)]

SEED_NAME = re.compile(r"seed_\d{3}")
"""How a seed is named in a source: ``seed_001`` is ``../shared/seeds/001_*.txt``."""

MAX_MONTH = 1200
"""Latest month a target's window may name (a hundred years; runs are far shorter)."""


# --------------------------------------------------------------------------- run outputs


@dataclass(frozen=True)
class Outputs:
    """What a run produced, as the quantities read it.

    Attributes:
        timeseries: One row per month (column ``month`` first), the columns of
            :data:`sim.metrics.COLUMNS` (:func:`sim.output.timeseries_frame`).
        compounds: One row per month and compound (:meth:`CompoundModel.compound_dataframe`).
        scenario: The run's resolved scenario (for the number of households).
        matters: Every matter of the run, resolved or still open: ``type``, ``opened``,
            ``resolved`` (NaN while open), ``handler`` ("" while open) and ``paid`` (yuan,
            0 while open); ``None`` when the run's matter log is not at hand (files written
            by ``sim run`` do not carry it), and then the matter quantities refuse.
        steps: Months the run lasted (its last month).
        history: What each household did each month, which the data frames do not keep,
            from :func:`run_recorded`; ``None`` for a run recorded otherwise, and then the
            household quantities refuse.
    """

    timeseries: pd.DataFrame
    compounds: pd.DataFrame
    scenario: Scenario
    matters: pd.DataFrame | None
    steps: int
    history: History | None = None


@dataclass(frozen=True)
class History:
    """Each household's petitions, volunteering and participation, month by month.

    Attributes:
        petitioned: ``(months + 1, households)`` bool: row ``m`` is whether each household
            petitioned in month ``m`` (row 0, before anyone decided, is all False).
        volunteered: The same for giving volunteer labour.
        participated: The same for taking part in deliberation or consultation.
    """

    petitioned: np.ndarray
    volunteered: np.ndarray
    participated: np.ndarray


def outputs_of(model: CompoundModel, history: History | None = None) -> Outputs:
    """Collect a finished run's :class:`Outputs` (its data frames and its matter log)."""
    from sim.output import timeseries_frame

    book = model.matters
    resolved = book.log_frame()
    still_open = book.open_frame()
    matters = pd.concat([
        pd.DataFrame({"type": resolved["type"], "opened": resolved["opened"].astype(float),
                      "resolved": resolved["resolved"].astype(float),
                      "handler": resolved["handler"].astype(str),
                      "paid": resolved["paid"].astype(float)}),
        pd.DataFrame({"type": still_open["type"], "opened": still_open["opened"].astype(float),
                      "resolved": np.nan, "handler": "", "paid": 0.0}),
    ], ignore_index=True)
    return Outputs(timeseries_frame(model), model.compound_dataframe(), model.config, matters,
                   int(model.steps), history)


def run_recorded(model: CompoundModel, steps: int) -> Outputs:
    """Run a new model ``steps`` months, keeping each household's monthly history.

    The months are the model's own (:meth:`CompoundModel.step`, as :meth:`~CompoundModel.run`
    takes them), so the run and its data frames are the same as without recording; the
    history adds three booleans per household and month.

    Raises:
        ConfigError: If the model has already run, or ``steps`` exceeds the scenario's
            ``run.steps`` (its memory was checked for that many).
    """
    from sim.population import ACTIONS

    if model.steps != 0:
        raise ConfigError("steps", f"the model has already run {model.steps} months; "
                                   "record a new one")
    if not 0 <= steps <= model.config.run.steps:
        raise ConfigError("steps", f"must be between 0 and run.steps = "
                                   f"{model.config.run.steps} (got {steps})")
    n = model.population.n
    petitioned, volunteered, participated = (np.zeros((steps + 1, n), dtype=bool)
                                             for _ in range(3))
    volunteer, participate = ACTIONS.index("volunteer"), ACTIONS.index("participate")
    for month in range(1, steps + 1):
        model.step()
        petitioned[month] = model.population.petition
        volunteered[month] = model.population.acts[:, volunteer]
        participated[month] = model.population.acts[:, participate]
    return outputs_of(model, History(petitioned, volunteered, participated))


# --------------------------------------------------------------------------- quantities

Window = tuple[int, int]
QuantityFn = Callable[[Outputs, Window, str | None], float]


@dataclass(frozen=True)
class Quantity:
    """A named summary of a run's outputs that a target can be compared with.

    Attributes:
        name: The name targets use in ``quantity``.
        unit: Its unit; a target's ``unit`` must be the same.
        fn: ``fn(outputs, (first, last), matter) -> float``: the value over the months
            ``first``–``last`` (both included) of the run; ``matter`` is the matter type for
            the quantities that take one, else ``None``.
        needs_matter: Whether a target must name a matter type (``matter: lights``).
        needs_history: Whether it reads the households' monthly history, which only a run
            by :func:`run_recorded` has.
        default_first: First month of the default window (1 for monthly rates: month 0 is
            the initial state, before anyone has acted; 0 for matters, so that the matters
            open at the start count).
        doc: What it computes, in one or two sentences (shown in ``docs/targets.md``).
    """

    name: str
    unit: str
    fn: QuantityFn
    needs_matter: bool = False
    needs_history: bool = False
    default_first: int = 1
    doc: str = ""

    def label(self, lang: str = "en") -> str:
        """Its label in ``lang`` (``zh`` or ``en``), from the catalogue."""
        return TEXT[lang][f"q_{self.name}"]


def _months(out: Outputs, window: Window) -> pd.DataFrame:
    """The timeseries rows of the months ``window[0]``–``window[1]``."""
    ts = out.timeseries
    return ts[(ts["month"] >= window[0]) & (ts["month"] <= window[1])]


def _column_mean(column: str) -> QuantityFn:
    """A quantity: the mean over the window's months of one timeseries column."""

    def fn(out: Outputs, window: Window, matter: str | None) -> float:
        return float(_months(out, window)[column].mean())

    return fn


def violation_rate_mean(out: Outputs, window: Window, matter: str | None) -> float:
    """Mean monthly share of households breaking a rule: one minus ``compliance_rate``."""
    return float(1.0 - _months(out, window)["compliance_rate"].mean())


def petitions_per_100_households_per_year(out: Outputs, window: Window,
                                          matter: str | None) -> float:
    """Petitions in the window per 100 households, scaled to twelve months."""
    rows = _months(out, window)
    if rows.empty:
        return math.nan
    households = out.scenario.community.n_households
    return float(rows["petitions"].sum() / households * 100 * 12 / len(rows))


def satisfaction_change_per_year(out: Outputs, window: Window, matter: str | None) -> float:
    """Least-squares slope of monthly mean satisfaction over the window, times twelve."""
    rows = _months(out, window)
    if len(rows) < 2:
        return math.nan
    fit = stats.linregress(rows["month"].to_numpy(float), rows["satisfaction"].to_numpy(float))
    return float(fit.slope * 12)


def _matters_opened(out: Outputs, window: Window, matter: str | None) -> pd.DataFrame:
    """Matters of type ``matter`` opened in the window (resolved or still open)."""
    if out.matters is None:
        raise ConfigError("quantity", "needs the run's matter log (evaluate a model, not "
                                      "files written by 'sim run')")
    m = out.matters
    return m[(m["type"] == matter) & (m["opened"] >= window[0]) & (m["opened"] <= window[1])]


def months_to_resolve(out: Outputs, window: Window, matter: str | None) -> float:
    """Median months from opening to resolution of the matters of a type opened in the window.

    A matter still open when the run ends counts with its age at the end, so when more than
    half stay open the value is a lower bound (the run ended first); NaN if none opened.
    """
    m = _matters_opened(out, window, matter)
    if m.empty:
        return math.nan
    ends = m["resolved"].fillna(float(out.steps))
    return float(np.median(ends - m["opened"]))


def resolved_by_residents_share(out: Outputs, window: Window, matter: str | None) -> float:
    """Share of the matters of a type opened in the window that residents' pooled money fixed.

    The numerator is the matters resolved by handler ``residents`` (a project of the owners'
    committee paid from pooled money, 打平伙) by the end of the run; the denominator all
    matters of the type opened in the window, still open ones included. NaN if none opened.
    """
    m = _matters_opened(out, window, matter)
    if m.empty:
        return math.nan
    return float((m["handler"] == "residents").mean())


def matter_paid_total(out: Outputs, window: Window, matter: str | None) -> float:
    """Yuan paid, by whoever resolved them, for the matters of a type opened in the window."""
    return float(_matters_opened(out, window, matter)["paid"].sum())


def former_petitioners_activity_ratio(out: Outputs, window: Window,
                                      matter: str | None) -> float:
    """How often former petitioners volunteer or deliberate, relative to all households.

    The window is split in two halves (the first has the extra month when it is odd);
    households that petitioned at least once in the first half are the former petitioners,
    and the value is the share of their household-months in the second half in which they
    volunteered or took part in deliberation, divided by the same share of all households.
    NaN without a petitioner or without any such activity.
    """
    if out.history is None:
        raise ConfigError("quantity", "needs the households' monthly history (run with "
                                      "sim.targets.run_recorded)")
    first, last = window
    if last <= first:
        return math.nan
    middle = first + (last - first + 1 + 1) // 2 - 1
    former = out.history.petitioned[first:middle + 1].any(axis=0)
    later = (out.history.volunteered[middle + 1:last + 1]
             | out.history.participated[middle + 1:last + 1])
    overall = later.mean()
    if not former.any() or overall == 0:
        return math.nan
    return float(later[:, former].mean() / overall)


QUANTITIES: dict[str, Quantity] = {q.name: q for q in [
    Quantity("contribution_rate_mean", "share", _column_mean("contribution_rate"),
             doc="Mean over the window's months of the share of households that paid their "
                 "fee or pooled share that month (column contribution_rate)."),
    Quantity("volunteer_rate_mean", "share", _column_mean("volunteer_rate"),
             doc="Mean monthly share of households giving volunteer labour "
                 "(column volunteer_rate)."),
    Quantity("participation_rate_mean", "share", _column_mean("participation_rate"),
             doc="Mean monthly share of households taking part in deliberation or "
                 "consultation (column participation_rate)."),
    Quantity("violation_rate_mean", "share", violation_rate_mean,
             doc="Mean monthly share of households breaking a rule (illegal structure, "
                 "dumping, occupying common space): 1 − compliance_rate."),
    Quantity("condition_mean", "share", _column_mean("condition"),
             doc="Mean household-weighted condition of the public goods, 0 derelict to "
                 "1 as new (column condition)."),
    Quantity("self_funded_share_mean", "share", _column_mean("self_funded_share"),
             doc="Mean over the window of the share of the last 12 months' money that came "
                 "from residents (fees and pooled funds; column self_funded_share)."),
    Quantity("firm_present_share_mean", "share", _column_mean("firm_present_share"),
             doc="Mean share of compounds served by a property firm (column "
                 "firm_present_share)."),
    Quantity("petitions_per_100_households_per_year", "petitions per 100 households per year",
             petitions_per_100_households_per_year,
             doc="Households petitioning in the window, summed, per 100 households of the "
                 "community, scaled to twelve months."),
    Quantity("satisfaction_change_per_year", "share per year", satisfaction_change_per_year,
             doc="Least-squares slope of the monthly mean satisfaction (condition discounted "
                 "by grievance) over the window, times 12 (scipy.stats.linregress); 0.04 is "
                 "four percentage points a year."),
    Quantity("former_petitioners_activity_ratio", "ratio",
             former_petitioners_activity_ratio, needs_history=True,
             doc="Share of months in the second half of the window in which the households "
                 "that petitioned in its first half volunteered or took part in "
                 "deliberation, divided by the same share of all households (1: as often "
                 "as anyone); needs a run recorded by run_recorded."),
    Quantity("months_to_resolve", "months", months_to_resolve, needs_matter=True,
             default_first=0,
             doc="Median months from opening to resolution of the matters of one type "
                 "opened in the window; a matter still open at the end counts with its age "
                 "then (a lower bound)."),
    Quantity("resolved_by_residents_share", "share", resolved_by_residents_share,
             needs_matter=True, default_first=0,
             doc="Share of the matters of one type opened in the window that residents "
                 "fixed with pooled money (handler residents) by the end of the run; open "
                 "ones count as not fixed."),
    Quantity("matter_paid_total", "yuan", matter_paid_total, needs_matter=True,
             default_first=0,
             doc="Yuan paid for the matters of one type opened in the window, whoever "
                 "resolved them (open ones have cost nothing yet)."),
]}
"""Every model quantity a target may name, by name."""


# --------------------------------------------------------------------------- schema


class Publication(Strict):
    """A published source: enough to find the figure again."""

    author: Text = Field(description="Author(s) or the body that published it.")
    year: int = Field(ge=1900, le=2100, description="Year of publication.")
    title: Text = Field(description="Title of the work, as published.")
    table_or_page: Text = Field(description="Table, figure, section or page of the figure.")
    url: str | None = Field(None, pattern=r"^https?://\S+$", description="Where it was read.")


class Source(Strict):
    """Where a figure comes from: a seed and its exact phrase, or a publication."""

    seed: str | None = Field(None, description="Seed file, as seed_NNN.")
    phrase: str | None = Field(None, min_length=1,
                               description="The exact Chinese phrase of the seed.")
    publication: Publication | None = None

    @field_validator("seed")
    @classmethod
    def _seed_name(cls, value: str | None) -> str | None:
        """A seed is named ``seed_NNN``."""
        if value is not None and not SEED_NAME.fullmatch(value):
            raise ValueError(f"must be seed_NNN, a seed file of ../shared/seeds "
                             f"(got {value!r})")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        """Exactly one kind of source; a seed needs its phrase."""
        if (self.seed is None) == (self.publication is None):
            raise ValueError("give either seed and phrase, or publication")
        if self.seed is not None and self.phrase is None:
            raise ValueError("phrase: a seed source needs the phrase it quotes")
        if self.publication is not None and self.phrase is not None:
            raise ValueError("phrase: goes with seed; a publication names table_or_page")
        return self


Names = Name | list[Name]


class Target(Strict):
    """One observed figure and the model quantity it constrains."""

    name: Name = Field(description="Identifier of the target (lower case, digits, _).")
    label_zh: Text = Field(description="Chinese label.")
    label_en: Text = Field(description="English label.")
    value: Finite | None = Field(None, description="The figure, when it is one number.")
    tolerance: Finite | None = Field(None, ge=0, description="Stated uncertainty of value "
                                                             "(±, in its unit).")
    interval: tuple[Finite | None, Finite | None] | None = Field(
        None, description="[low, high]; null for an open end.")
    unit: Text = Field(description="Unit of the figure; must be the quantity's unit.")
    quantity: str = Field(description="The model quantity it is compared with.")
    matter: str | None = Field(None, description="Matter type, for the matter quantities.")
    community: Names = Field(description="Community preset(s) it applies to.")
    design: Names = Field(description="Design preset(s) it applies to.")
    months: tuple[int, int] | None = Field(None, description="[first, last] month of the run "
                                                             "it summarises.")
    kind: Literal["calibration", "validation"] = Field(
        description="Meant for fitting (calibration) or held out (validation).")
    source: Source
    note: str = Field("", description="How the figure was read; what the mapping assumes.")

    @field_validator("quantity")
    @classmethod
    def _known_quantity(cls, value: str) -> str:
        """The quantity is one of :data:`QUANTITIES`."""
        if value not in QUANTITIES:
            raise ValueError(unknown_name(value, QUANTITIES, "quantity"))
        return value

    @field_validator("community")
    @classmethod
    def _known_community(cls, value: str | list[str]) -> str | list[str]:
        """Every community is a shipped preset."""
        return _check_presets(value, "communities", "community")

    @field_validator("design")
    @classmethod
    def _known_design(cls, value: str | list[str]) -> str | list[str]:
        """Every design is a shipped preset."""
        return _check_presets(value, "designs", "design")

    @field_validator("interval")
    @classmethod
    def _ordered(cls, value: tuple[float | None, float | None] | None
                 ) -> tuple[float | None, float | None] | None:
        """At least one end, and low ≤ high."""
        if value is None:
            return value
        low, high = value
        if low is None and high is None:
            raise ValueError("give at least one end (null leaves an end open)")
        if low is not None and high is not None and low > high:
            raise ValueError(f"low must be ≤ high (got [{low}, {high}])")
        return value

    @field_validator("months")
    @classmethod
    def _window(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        """0 ≤ first ≤ last ≤ :data:`MAX_MONTH`."""
        if value is not None and not 0 <= value[0] <= value[1] <= MAX_MONTH:
            raise ValueError(f"must be [first, last] with 0 ≤ first ≤ last ≤ {MAX_MONTH} "
                             f"(got {list(value)})")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        """One figure; the quantity's unit; a matter exactly for the matter quantities."""
        if (self.value is None) == (self.interval is None):
            raise ValueError("value: give exactly one of value and interval")
        if self.tolerance is not None and self.value is None:
            raise ValueError("tolerance: goes with value; an interval states its own ends")
        q = QUANTITIES[self.quantity]
        if self.unit != q.unit:
            raise ValueError(f"unit: must be {q.unit!r}, the unit of {q.name} "
                             f"(got {self.unit!r})")
        if q.needs_matter and self.matter is None:
            raise ValueError(f"matter: {q.name} needs the matter type it counts")
        if not q.needs_matter and self.matter is not None:
            takes = ", ".join(n for n, x in QUANTITIES.items() if x.needs_matter)
            raise ValueError(f"matter: {q.name} takes no matter (only {takes} do)")
        return self

    @property
    def communities(self) -> list[str]:
        """The community presets it applies to, as a list."""
        return [self.community] if isinstance(self.community, str) else list(self.community)

    @property
    def designs(self) -> list[str]:
        """The design presets it applies to, as a list."""
        return [self.design] if isinstance(self.design, str) else list(self.design)

    @property
    def bounds(self) -> tuple[float, float]:
        """The figure as ``(low, high)``: an open end is ∓infinity; a bare value is a point."""
        if self.interval is not None:
            low, high = self.interval
            return (-math.inf if low is None else low, math.inf if high is None else high)
        assert self.value is not None
        tol = self.tolerance or 0.0
        return self.value - tol, self.value + tol

    def observed(self) -> str:
        """The figure as text: ``0.04 ± 0.01``, ``3000``, ``[0.5, 1]``, ``≥ 24``, ``≤ 12``."""
        if self.value is not None:
            return _num(self.value) + (f" ± {_num(self.tolerance)}" if self.tolerance else "")
        assert self.interval is not None
        low, high = self.interval
        if low is None:
            return f"≤ {_num(high)}"
        if high is None:
            return f"≥ {_num(low)}"
        return f"[{_num(low)}, {_num(high)}]"

    def window(self, steps: int | None = None) -> Window:
        """The months it summarises: ``months``, or the quantity's default to ``steps``."""
        if self.months is not None:
            return self.months
        last = MAX_MONTH if steps is None else steps
        return QUANTITIES[self.quantity].default_first, last

    def judged(self) -> bool:
        """Whether a simulated value can be called inside or outside the figure.

        A bare value without tolerance states no uncertainty, so a run is never exactly on
        it: it is reported with its distance, not judged.
        """
        return self.interval is not None or self.tolerance is not None


def _num(x: float | None) -> str:
    """A figure as written: whole numbers without a decimal point."""
    assert x is not None
    return f"{x:g}"


def _check_presets(value: str | list[str], kind: str, what: str) -> str | list[str]:
    """Refuse a preset name that ``configs/<kind>/`` does not have, and an empty list."""
    names = [value] if isinstance(value, str) else value
    if not names:
        raise ValueError(f"give at least one {what}")
    shipped = preset_names(kind)
    for name in names:
        if name not in shipped:
            raise ValueError(unknown_name(name, shipped, what))
    return value


class TargetsFile(Strict):
    """A targets file: ``kind: targets`` and its list of targets."""

    kind: Literal["targets"] = "targets"
    name: str = ""
    description: str = ""
    targets: list[Target] = Field(min_length=1, description="The targets.")

    @model_validator(mode="after")
    def _unique(self) -> TargetsFile:
        """Target names are unique within a file."""
        seen: dict[str, int] = {}
        for i, t in enumerate(self.targets):
            if t.name in seen:
                raise ValueError(f"targets.{i}.name: {t.name!r} is given twice (first as "
                                 f"targets.{seen[t.name]}); give each name once")
            seen[t.name] = i
        return self


def _model_at(loc: list[str]) -> Any:
    """The schema class at a location of a targets file (None past plain data)."""
    return model_at(TargetsFile, loc)


FIELD_IN_MESSAGE = re.compile(r"([\w.]+): (.*)", re.DOTALL)
"""A check across fields names the field it is about first: ``unit: must be 'share'``."""


def _error(exc: ValidationError) -> ConfigError:
    """One line for pydantic's error on a targets file, naming the field.

    The rule is :func:`sim.strict.validation_error`'s; a check across fields of a target
    (unit against quantity, value against interval) starts its message with the field it is
    about, which is joined to the location (``targets.2`` + ``unit``).
    """
    err = validation_error(exc, _model_at)
    inner = FIELD_IN_MESSAGE.fullmatch(err.message)
    if inner is None:
        return err
    field = f"{err.field}.{inner[1]}" if err.field else inner[1]
    return ConfigError(field, inner[2])


@functools.cache
def _matter_types(community: str, design: str) -> tuple[str, ...]:
    """The matter types of the scenario of a community and a design presets."""
    return tuple(t.name for t in load_config({"community": community,
                                              "design": design}).matters.types)


def load_targets(source: str | Path | dict[str, Any]) -> TargetsFile:
    """Read and validate a targets file.

    Args:
        source: Path of a YAML file with ``kind: targets``, or its content as a mapping.

    Returns:
        The validated :class:`TargetsFile`.

    Raises:
        ConfigError: One line naming the field (``targets.2.unit``) for any problem: a
            missing file, a YAML error, an unknown key (with the near name), a value and an
            interval both or neither, a unit that is not the quantity's, an unknown
            quantity, community, design or matter type, a window out of order.
    """
    data = dict(source) if isinstance(source, dict) else read_yaml(Path(source))
    if data.get("kind", "targets") != "targets":
        raise ConfigError("kind", f"must be targets (got {data.get('kind')!r}); a targets "
                                  "file lists observed figures (see docs/targets.md)")
    try:
        spec = TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise _error(exc) from None
    for i, t in enumerate(spec.targets):
        if t.matter is None:
            continue
        for community in t.communities:
            for design in t.designs:
                types = _matter_types(community, design)
                if t.matter not in types:
                    raise ConfigError(f"targets.{i}.matter",
                                      unknown_name(t.matter, types, "matter type"))
    return spec


# --------------------------------------------------------------------------- evaluation

COLUMNS = ("target", "quantity", "kind", "observed", "low", "high", "simulated", "unit",
           "inside", "distance", "first_month", "last_month", "source")
"""Columns of :func:`evaluate`'s table."""


def applies(target: Target, scenario: Scenario) -> bool:
    """Whether a target applies to a scenario: its community and its design are the target's."""
    return (scenario.community.name in target.communities
            and scenario.design.name in target.designs)


def source_text(source: Source) -> str:
    """A source in one line: ``seed_001: 「phrase」`` or ``author (year), table, url``."""
    if source.seed is not None:
        return f"{source.seed}: 「{source.phrase}」"
    p = source.publication
    assert p is not None
    return f"{p.author} ({p.year}), {p.title}, {p.table_or_page}" + (f", {p.url}" if p.url
                                                                     else "")


def evaluate(targets: TargetsFile | Sequence[Target], model: CompoundModel | Outputs
             ) -> pd.DataFrame:
    """Compare the targets that apply to a run with what the run gives.

    Args:
        targets: A targets file or a list of targets. Those whose community and design are
            not the run's are left out; the names left out are in ``attrs["not_applicable"]``
            of the result (nothing is dropped without a trace).
        model: A finished run, or its :class:`Outputs`.

    Returns:
        One row per applicable target, columns :data:`COLUMNS`: the figure as text and as
        ``low``/``high`` (a bare value is a point; an open end is ∓inf), the simulated value,
        ``inside`` (True/False, or NA for a bare value without tolerance, which states no
        uncertainty), ``distance`` (0 inside, else how far outside, in the target's unit;
        NaN when the quantity has no value, e.g. no matter of the type opened) and the
        months summarised.

    Raises:
        ConfigError: If no target applies (naming the run's community and design), or a
            target's window ends after the run's last month.
    """
    out = model if isinstance(model, Outputs) else outputs_of(model)
    listed = list(targets.targets if isinstance(targets, TargetsFile) else targets)
    scn = out.scenario
    chosen = [t for t in listed if applies(t, scn)]
    if not chosen:
        covered = sorted({f"{c}/{d}" for t in listed for c in t.communities for d in t.designs})
        raise ConfigError("targets", f"none applies to community {scn.community.name!r} under "
                                     f"design {scn.design.name!r} (the file covers: "
                                     f"{', '.join(covered)})")
    rows = []
    for t in chosen:
        first, last = t.window(out.steps)
        if last > out.steps:
            raise ConfigError(f"targets.{listed.index(t)}.months",
                              f"ends at month {last}, after the run's last month "
                              f"{out.steps}; run at least {last} months")
        q = QUANTITIES[t.quantity]
        try:
            simulated = q.fn(out, (first, last), t.matter)
        except ConfigError as exc:
            raise ConfigError(f"targets.{listed.index(t)}.quantity",
                              f"{t.quantity} {exc.message}") from None
        low, high = t.bounds
        if math.isnan(simulated):
            inside: bool | None = None
            distance = math.nan
        else:
            distance = max(low - simulated, simulated - high, 0.0)
            inside = bool(distance == 0.0) if t.judged() else None
        rows.append({"target": t.name, "quantity": t.quantity, "kind": t.kind,
                     "observed": t.observed(), "low": low, "high": high,
                     "simulated": simulated, "unit": t.unit, "inside": inside,
                     "distance": distance, "first_month": first, "last_month": last,
                     "source": source_text(t.source)})
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["inside"] = frame["inside"].astype("boolean")
    frame.attrs["not_applicable"] = [t.name for t in listed if not applies(t, scn)]
    return frame


def steps_needed(targets: Sequence[Target], steps: int) -> int:
    """Months a run needs for the targets' windows.

    The latest end of their ``months`` when every target names its window and none counts
    matters; otherwise at least ``steps``, the scenario's run length (where a window without
    ``months`` ends, and how long a matter opened in the window has to be resolved).
    """
    ends = [t.months[1] for t in targets if t.months is not None]
    bounded = all(t.months is not None and not QUANTITIES[t.quantity].needs_matter
                  for t in targets)
    if bounded and ends:
        return max(ends)
    return max([steps, *ends])
