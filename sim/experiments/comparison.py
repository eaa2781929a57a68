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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sim.config import Scenario
    from sim.output import Output

WINDOW = 24
"""Months at the end of each run over which outcomes are averaged (campaign months left out:
see :func:`averaged_months`)."""

CAMPAIGN = "renovation_campaign"
"""The institution whose months are left out of the window (its ``first`` and ``interval``)."""

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
             "model is CompoundModel(scenario, rng=seed). Under --uncertainty the run's "
             "parameter set (its columns in the part file) is applied to that scenario with "
             "sim.priors.apply, which skips the parameters of institutions the design lacks "
             "and the design's levers, which it holds at a mechanism's off value or sets to "
             "another value than the default (manifest: uncertainty.held; their columns "
             "are recorded, the same for every design, but not used).")

RUN_SCALARS = ("households", "compounds", "firm_entries", "firm_exits", "petitions_total",
               "gov_spending_total", "gov_spending_no_campaigns_total")
"""Per-run numbers besides the outcomes (``runs.csv``); totals are over months 1–steps
(``gov_spending_no_campaigns_total``: over those that are no campaign month)."""

SUMMARY_COLUMNS = ("design", "design_label", "reference", "outcome", "outcome_label", "unit",
                   "n", "mean", "ci_low", "ci_high", "sd", "diff", "diff_low", "diff_high",
                   "p_wilcoxon", "p_holm")
"""Columns of ``summary.csv``, in order."""

PARAM_SET = "param_set"
"""The number of a run's parameter set under ``--uncertainty``: a column of every part file."""

UNCERTAINTY_COLUMNS = ("n_params", "n_seeds", "diff_params", "diff_params_low",
                       "diff_params_high", "diff_spread_low", "diff_spread_high",
                       "diff_seeds_low", "diff_seeds_high", "p_better", "regret_mean",
                       "regret_max", "threshold", "meets_threshold")
"""Columns ``summary.csv`` adds under ``--uncertainty`` (after :data:`SUMMARY_COLUMNS`).

With ``d_k`` the mean over seeds of the paired differences in parameter set ``k``:
``diff_params`` is the mean of the ``d_k`` and ``diff_params_low/high`` its 95 % t interval
over parameter sets (also in ``diff``, ``diff_low``, ``diff_high``); ``diff_spread_low/high``
the 2.5 and 97.5 % percentiles of the ``d_k`` (where the answer lies across the prior);
``diff_seeds_low/high`` the pooled within-set interval (seed noise only, not uncertainty
about the world); ``p_better`` the share of parameter sets with ``d_k`` in the better
direction; ``regret_mean/max`` the shortfall from the best design of each parameter set;
``meets_threshold`` the share of parameter sets whose mean meets ``threshold``."""

BETTER_HIGHER = frozenset({"contribution_rate", "compliance_rate", "volunteer_rate",
                           "participation_rate", "condition", "trust", "satisfaction",
                           "firm_present_share", "self_funded_share"})
BETTER_LOWER = frozenset({"violations", "matters_open", "petitions", "dependence",
                          "grievance"})
"""Desired direction of each outcome (colouring, P(better), regret, thresholds); other
outcomes (government spending, matters resolved) are not judged."""


def better_sign(outcome: str) -> int:
    """+1 if more of ``outcome`` is better, −1 if less is, 0 if it is not judged."""
    return 1 if outcome in BETTER_HIGHER else -1 if outcome in BETTER_LOWER else 0

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
        months: The months averaged per run (:func:`averaged_months`); empty for the
            last ``window`` months (a comparison made before campaign months were left out).
        campaigns: The campaign months of any run, left out of ``months``.
        uncertainty: Under ``--uncertainty``: ``n``, ``method``, ``seed``, ``parameters``
            (:meth:`sim.priors.Uncertainty.as_dict`) and ``thresholds``; None otherwise.
        param_sets: Under ``--uncertainty``: the values of each parameter set, by number.
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
    months: tuple[int, ...] = ()
    campaigns: tuple[int, ...] = ()
    uncertainty: dict[str, Any] | None = None
    param_sets: list[dict[str, Any]] = field(default_factory=list)

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
        if self.months:
            return self.months[0], self.months[-1]
        return self.steps - self.window + 1, self.steps

    @property
    def skipped_months(self) -> tuple[int, ...]:
        """Campaign months inside the window's span, which are not averaged."""
        first, last = self.window_months
        return tuple(m for m in self.campaigns if first <= m <= last)


def compare_output() -> Output:
    """Return what ``sim compare`` writes, for :func:`sim.output.check_outdir`.

    (A function, so that listing the command does not import :mod:`sim.output`.)
    """
    from sim.output import Output

    return Output(COMMAND, OWN_FILES)


def campaign_months(scenario: Scenario, steps: int) -> tuple[int, ...]:
    """The months 1..``steps`` in which the scenario's renovation campaign acts.

    Read from the resolved scenario (``renovation_campaign.first`` and ``interval``, the
    rule of :class:`sim.institutions.government.RenovationCampaign`: every month
    ``m ≥ first`` with ``(m − first) % interval == 0``); none without the institution.
    """
    params = scenario.design.institutions.get(CAMPAIGN)
    if params is None:
        return ()
    first, interval = int(params["first"]), int(params["interval"])
    return tuple(range(first, steps + 1, interval))


TIMING = (f"design.institutions.{CAMPAIGN}.first", f"design.institutions.{CAMPAIGN}.interval")
"""The parameters that decide the campaign months (:func:`campaign_months`)."""


def study_campaign_months(scenarios: Sequence[Scenario], steps: int,
                          sets: Sequence[Mapping[str, Any]] = ()) -> tuple[int, ...]:
    """The campaign months of any run of a study: its scenarios, each with each set applied.

    Only a set's campaign timing (:data:`TIMING`) can move the months, so only those values
    are applied (with :func:`sim.priors.apply`, the rule of every run), once per distinct
    timing: a study of 241 variants × 32 parameter sets reads 241 scenarios, not 7,712.
    """
    from sim.priors import apply

    timings = {tuple(sorted((k, v) for k, v in values.items() if k in TIMING))
               for values in sets}
    timings.discard(())
    months: set[int] = set()
    for scenario in scenarios:
        months.update(campaign_months(scenario, steps))
        for timing in timings:
            months.update(campaign_months(apply(scenario, dict(timing)), steps))
    return tuple(sorted(months))


def averaged_months(steps: int, window: int, excluded: Sequence[int] = ()) -> tuple[int, ...]:
    """The months whose outcomes are averaged: the last ``window`` that are no campaign month.

    Counting back from ``steps``, every month that is in ``excluded`` (a campaign month of
    any compared run, :func:`campaign_months`) is skipped, so the window has ``window``
    months (fewer when the run is shorter) and none of them is a campaign month: a
    campaign's one-month spending and its lift on the day are not averaged into the state
    the designs reach, and every design is averaged over the same months (the comparison
    stays paired). Month 0, the state before any decision, is never included.
    """
    skip = set(excluded)
    months = [m for m in range(steps, 0, -1) if m not in skip][:max(min(window, steps), 0)]
    return tuple(sorted(months))


def window_means(timeseries: pd.DataFrame, steps: int, window: int = WINDOW,
                 months: Sequence[int] = ()) -> pd.DataFrame:
    """Return each run's mean of every outcome over the window.

    Args:
        timeseries: Rows per design, seed and month (and ``param_set``, if present).
        steps: Months per run.
        window: Months to average at the end of each run when ``months`` is empty (month
            0, the state before any decision, is never included).
        months: The months to average (:func:`averaged_months`).

    Returns:
        One row per run (design, parameter set if present, seed), in the order of
        ``timeseries``.
    """
    from sim.metrics import COLUMNS

    if months:
        last = timeseries[timeseries["month"].isin(list(months))]
    else:
        last = timeseries[timeseries["month"] >= steps - min(window, steps) + 1]
    keys = ["design", *([PARAM_SET] if PARAM_SET in timeseries.columns else []), "seed"]
    return last.groupby(keys, sort=False)[list(COLUMNS)].mean().reset_index()


def summarise(runs: pd.DataFrame, arms: Sequence[Arm], lang: str = "zh",
              thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """Return the table of ``summary.csv``: per design and outcome, means and differences.

    Args:
        runs: One row per design and seed (and parameter set, under ``--uncertainty``:
            a ``param_set`` column) with each outcome (the window means).
        arms: The designs; the first is the reference.
        lang: Language of the label columns.
        thresholds: Under ``--uncertainty``: outcome → the value a design should meet.

    Returns:
        One row per design and outcome (:data:`SUMMARY_COLUMNS`): the mean over
        seeds with its t interval (``ci_low``, ``ci_high``) and sd; the mean
        difference from the reference over paired seeds with its t interval
        (``diff_low``, ``diff_high``), the Wilcoxon p-value and its Holm correction over
        every design and outcome of the table (NaN for the reference itself, whose
        difference is 0). With a ``param_set`` column, :func:`summarise_uncertain`.
    """
    import pandas as pd

    from sim.experiments.intervals import holm, t_interval, wilcoxon_p
    from sim.metrics import COLUMNS, label

    if PARAM_SET in runs.columns:
        return summarise_uncertain(runs, arms, lang, thresholds or {})
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
    table = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    table["p_holm"] = holm(table["p_wilcoxon"].to_numpy(float))
    return table


def _cube(runs: pd.DataFrame, arms: Sequence[Arm], outcome: str) -> Any:
    """One outcome as an array design × parameter set × seed (checked to be complete)."""
    import numpy as np

    table = runs.pivot_table(index=["design", PARAM_SET], columns="seed", values=outcome,
                             aggfunc="first", dropna=False)
    sets = sorted(runs[PARAM_SET].unique())
    seeds = sorted(runs["seed"].unique())
    index = [(arm.key, k) for arm in arms for k in sets]
    table = table.reindex(index=index, columns=seeds)
    if table.isna().all(axis=None) and runs[outcome].notna().any():
        raise ValueError("runs are not a design × parameter set × seed table")
    return np.asarray(table.to_numpy(float)).reshape(len(arms), len(sets), len(seeds))


def summarise_uncertain(runs: pd.DataFrame, arms: Sequence[Arm], lang: str = "zh",
                        thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """The table of ``summary.csv`` under parameter uncertainty.

    Every design ran with the same ``K`` parameter sets and the same ``S`` seeds. With
    ``x[d, k, s]`` a run's window mean and ``d_k`` the mean over seeds of the paired
    differences ``x[d, k, s] − x[ref, k, s]``, per design and outcome
    (:data:`SUMMARY_COLUMNS` then :data:`UNCERTAINTY_COLUMNS`):

    - ``mean``: over every run; ``ci_low/high``, ``sd``: the t interval and sd over
      parameter sets of the design's per-set means (what the prior leaves open);
    - ``diff_params`` (= ``diff``) and its 95 % t interval over the ``K`` values ``d_k``
      (``diff_params_low/high`` = ``diff_low/high``); ``p_wilcoxon``: the two-sided
      Wilcoxon signed-rank test of the ``d_k``; ``p_holm`` its Holm correction over
      every design and outcome of the table;
    - ``diff_spread_low/high``: the 2.5 and 97.5 % percentiles of the ``d_k``;
    - ``diff_seeds_low/high``: the pooled within-set interval of the seed differences
      (:func:`~sim.experiments.intervals.seed_interval`: seed noise only);
    - ``p_better``: the share of the ``d_k`` in the outcome's better direction
      (:func:`better_sign`; NaN for outcomes not judged);
    - ``regret_mean/max``: over parameter sets, how far the design's per-set mean falls
      short of the best design's in that set (every design, the reference included);
    - ``threshold``, ``meets_threshold``: with a threshold for the outcome, the share of
      parameter sets whose per-set mean meets it (≥ for outcomes where more is better,
      ≤ where less is).
    """
    import numpy as np
    import pandas as pd

    from sim.experiments.intervals import (
        holm,
        percentile_spread,
        regret,
        seed_interval,
        share_better,
        t_interval,
        wilcoxon_p,
    )
    from sim.metrics import COLUMNS, label

    thresholds = thresholds or {}
    nan = float("nan")
    rows = []
    for outcome, column in COLUMNS.items():
        cube = _cube(runs, arms, outcome)  # design × set × seed
        _, k, n_seeds = cube.shape
        per_set = cube.mean(axis=2)  # design × set
        sign = better_sign(outcome)
        regrets = regret(per_set, sign)
        limit = thresholds.get(outcome)
        for i, arm in enumerate(arms):
            mean = float(cube[i].mean())
            _, low, high, sd = t_interval(per_set[i])
            row: dict[str, Any] = {
                "design": arm.key, "design_label": arm.label(lang), "reference": i == 0,
                "outcome": outcome, "outcome_label": label(outcome, lang),
                "unit": column.unit, "n": int(cube[i].size), "mean": mean, "ci_low": low,
                "ci_high": high, "sd": sd, "n_params": int(k), "n_seeds": int(n_seeds),
                "regret_mean": float(np.mean(regrets[i])),
                "regret_max": float(np.max(regrets[i])),
                "threshold": nan if limit is None else float(limit),
                "meets_threshold": nan if limit is None or sign == 0
                else float(np.mean(sign * (per_set[i] - limit) >= 0))}
            if i == 0:
                row.update(diff=0.0, diff_low=0.0, diff_high=0.0, p_wilcoxon=nan,
                           diff_params=0.0, diff_params_low=0.0, diff_params_high=0.0,
                           diff_spread_low=0.0, diff_spread_high=0.0, diff_seeds_low=0.0,
                           diff_seeds_high=0.0, p_better=nan)
            else:
                paired = cube[i] - cube[0]  # set × seed
                dk = paired.mean(axis=1)
                diff, diff_low, diff_high, _ = t_interval(dk)
                spread = percentile_spread(dk)
                seeds_ci = seed_interval(paired)
                row.update(diff=diff, diff_low=diff_low, diff_high=diff_high,
                           p_wilcoxon=wilcoxon_p(dk), diff_params=diff,
                           diff_params_low=diff_low, diff_params_high=diff_high,
                           diff_spread_low=spread[0], diff_spread_high=spread[1],
                           diff_seeds_low=seeds_ci[0], diff_seeds_high=seeds_ci[1],
                           p_better=share_better(dk, sign))
            rows.append(row)
    table = pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, *UNCERTAINTY_COLUMNS])
    order = {arm.key: i for i, arm in enumerate(arms)}
    table = table.sort_values("design", key=lambda c: c.map(order), kind="stable")
    table = table.reset_index(drop=True)
    table["p_holm"] = holm(table["p_wilcoxon"].to_numpy(float))
    return table


def per_set_differences(runs: pd.DataFrame, arms: Sequence[Arm],
                        outcome: str) -> dict[str, Any]:
    """Each design's ``d_k`` (mean over seeds of the paired differences) per parameter set.

    For the report's figure of the differences across the prior.

    Returns:
        Design key → an array of ``K`` differences from the reference (designs other than
        the reference only).
    """
    cube = _cube(runs, arms, outcome)
    return {arm.key: (cube[i] - cube[0]).mean(axis=1) for i, arm in enumerate(arms) if i}
