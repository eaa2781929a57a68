"""What a comparison is: its designs, its data and statistics, and its directory's files.

The bottom module of ``sim compare`` (:mod:`sim.experiments.compare` runs comparisons,
:mod:`sim.experiments.report` writes their reports from the stored runs, and
:mod:`sim.experiments.compare_report` draws and renders them): the names of the files,
the :class:`Arm` and :class:`Comparison` records, and the statistics of ``summary.csv``
(:func:`window_means`, :func:`summarise`, with the intervals of
:mod:`sim.experiments.intervals`). It imports nothing of the package at import time,
so each of those modules imports it without a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from sim.config import Scenario
    from sim.output import Output

WINDOW = 24
"""Months at the end of each run over which outcomes are averaged."""

LEVEL = 0.95
"""Confidence level of every interval."""

TIMESERIES = "timeseries.parquet"
TIMESERIES_CSV = "timeseries.csv"
RUNS = "runs.csv"
SUMMARY = "summary.csv"
XLSX = "summary.xlsx"
REPORT = "report.html"
MANIFEST = "manifest.json"
FIGURES = "figures"
OUTPUT_FILES = (REPORT, SUMMARY, RUNS, TIMESERIES, TIMESERIES_CSV, f"{FIGURES}/", MANIFEST,
                "runs/")
"""What a comparison directory holds, in the order messages list them (and
:data:`XLSX` with ``--xlsx``)."""

COMMAND = "compare"
"""The command recorded in ``manifest.json`` (``"command"``), by which ``--force`` knows its
own outputs (see :data:`sim.output.OUTPUT_MARKERS`)."""

OWN_FILES = (REPORT, SUMMARY, RUNS, TIMESERIES, TIMESERIES_CSV, XLSX, f"{FIGURES}/*.png",
             MANIFEST, "runs/part-*.parquet")
"""The files ``sim compare`` writes (and ``sim report`` rewrites): ``--force`` replaces only
a directory holding no others."""

DESIGN = "design"
"""The comparison's one parameter, categorical: a column of every part file and of
:func:`sim.load_results`."""

REPRODUCE = ("A run's scenario is the design's resolved scenario in group_configs (the "
             "design with --community, then the --set values it got, then --steps); the "
             "model is CompoundModel(scenario, rng=seed).")

RUN_SCALARS = ("households", "compounds", "firm_entries", "firm_exits", "petitions_total",
               "gov_spending_total")
"""Per-run numbers besides the outcomes (``runs.csv``); totals are over months 1–steps."""

SUMMARY_COLUMNS = ("design", "design_label", "reference", "outcome", "outcome_label", "unit",
                   "n", "mean", "ci_low", "ci_high", "sd", "diff", "diff_low", "diff_high",
                   "p_wilcoxon")
"""Columns of ``summary.csv``, in order."""

# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Arm:
    """One design in a comparison.

    Attributes:
        key: Its name in the outputs: the preset name or the file's stem.
        config: The CONFIG argument as given.
        scenario: The resolved scenario it runs (community, ``--set`` and
            ``--steps`` applied).
        sets_applied: The ``--set`` arguments (``KEY=VALUE``) this design got.
        sets_skipped: The ``--set`` arguments of an institution this design
            does not have, which it therefore did not get.
    """

    key: str
    config: str
    scenario: Scenario
    sets_applied: tuple[str, ...] = ()
    sets_skipped: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """Return the design's label in ``lang`` (its key when it has none).

        A scenario file that runs a preset design with other settings is told
        apart from the design itself by its key.
        """
        design = self.scenario.design
        text = (design.label_en if lang == "en" else design.label_zh) or design.label_en \
            or design.label_zh or design.name
        return text if self.key == design.name else f"{self.key}: {text}"

    def description(self, lang: str) -> str:
        """Return what the design does in ``lang`` (the other language if missing)."""
        design = self.scenario.design
        first, second = ((design.description, design.description_zh) if lang == "en"
                         else (design.description_zh, design.description))
        return " ".join((first or second).split())


@dataclass
class Comparison:
    """A finished comparison: its inputs, data and statistics.

    Attributes:
        arms: The designs; the first is the reference.
        seeds: The seeds, the same for every design.
        steps: Months per run.
        window: Months averaged at the end of each run.
        timeseries: One row per design, seed and month (``design``, ``seed``,
            ``month`` and every outcome).
        runs: One row per design and seed: :data:`RUN_SCALARS` and each
            outcome's mean over the window.
        summary: One row per design and outcome (:data:`SUMMARY_COLUMNS`).
        lang: Language of labels in ``summary`` and of the report.
        command: A command line that reproduces the comparison.
        created: When it was made (UTC, ISO 8601).
        versions: Python and library versions.
        community_source: The ``--community`` argument as given (a preset
            name or a community file), None if the designs' own was used.
    """

    arms: list[Arm]
    seeds: list[int]
    steps: int
    window: int
    timeseries: pd.DataFrame
    runs: pd.DataFrame
    summary: pd.DataFrame
    lang: str = "zh"
    command: str = ""
    created: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    community_source: str | None = None

    @property
    def reference(self) -> Arm:
        """The design the others are compared with."""
        return self.arms[0]

    @property
    def partial_sets(self) -> dict[str, list[str]]:
        """Each ``--set`` that only some designs got, with the keys of the designs that got it.

        A ``--set`` of an institution's parameter applies only to the designs
        with that institution (see :func:`resolve_designs`); empty when every
        ``--set`` applied to every design.
        """
        partial: dict[str, list[str]] = {}
        for arm in self.arms:
            for pair in arm.sets_skipped:
                partial.setdefault(pair, [])
        for pair in partial:
            partial[pair] = [arm.key for arm in self.arms if pair in arm.sets_applied]
        return partial

    @property
    def window_months(self) -> tuple[int, int]:
        """First and last month of the averaging window."""
        return self.steps - self.window + 1, self.steps


def compare_output() -> Output:
    """Return what ``sim compare`` writes, for :func:`sim.output.check_outdir`.

    (A function, so that listing the command does not import :mod:`sim.output`.)
    """
    from sim.output import Output

    return Output(COMMAND, OWN_FILES)


def window_means(timeseries: pd.DataFrame, steps: int, window: int = WINDOW) -> pd.DataFrame:
    """Return each run's mean of every outcome over its last ``window`` months.

    Args:
        timeseries: Rows per design, seed and month.
        steps: Months per run.
        window: Months to average (month 0, the state before any decision,
            is never included).

    Returns:
        One row per design and seed, in the order of ``timeseries``.
    """
    from sim.metrics import COLUMNS

    first = steps - min(window, steps) + 1
    last = timeseries[timeseries["month"] >= first]
    return (last.groupby(["design", "seed"], sort=False)[list(COLUMNS)].mean()
            .reset_index())


def summarise(runs: pd.DataFrame, arms: Sequence[Arm], lang: str = "zh") -> pd.DataFrame:
    """Return the table of ``summary.csv``: per design and outcome, means and differences.

    Args:
        runs: One row per design and seed with each outcome (the window means).
        arms: The designs; the first is the reference.
        lang: Language of the label columns.

    Returns:
        One row per design and outcome (:data:`SUMMARY_COLUMNS`): the mean over
        seeds with its t interval (``ci_low``, ``ci_high``) and sd; the mean
        difference from the reference over paired seeds with its t interval
        (``diff_low``, ``diff_high``) and the Wilcoxon p-value (NaN for the
        reference itself, whose difference is 0).
    """
    import pandas as pd

    from sim.experiments.intervals import t_interval, wilcoxon_p
    from sim.metrics import COLUMNS, label

    by_design = {key: frame.set_index("seed").sort_index()
                 for key, frame in runs.groupby("design", sort=False)}
    ref = by_design[arms[0].key]
    rows = []
    for i, arm in enumerate(arms):
        data = by_design[arm.key]
        if list(data.index) != list(ref.index):
            raise ValueError(f"design {arm.key} has other seeds than the reference")
        for outcome, column in COLUMNS.items():
            x = data[outcome].to_numpy(dtype=float)
            mean, low, high, sd = t_interval(x)
            if i == 0:
                diff, diff_low, diff_high, p = 0.0, 0.0, 0.0, float("nan")
            else:
                d = x - ref[outcome].to_numpy(dtype=float)
                diff, diff_low, diff_high, _ = t_interval(d)
                p = wilcoxon_p(d)
            rows.append({"design": arm.key, "design_label": arm.label(lang), "reference": i == 0,
                         "outcome": outcome, "outcome_label": label(outcome, lang),
                         "unit": column.unit, "n": int(x.size), "mean": mean, "ci_low": low,
                         "ci_high": high, "sd": sd, "diff": diff, "diff_low": diff_low,
                         "diff_high": diff_high, "p_wilcoxon": p})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
