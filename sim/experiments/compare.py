"""``sim compare``: several designs on one community, with uncertainty, figures and a report.

The question of a policy analyst — "what if we adopt 131 here?" — is answered
by running every design on the same community with the same seeds and
comparing what comes out:

1. every design × seed is one run (in parallel over processes); seed ``s``
   gives every design the same households and the same neighbour network at
   month 0, so runs with the same seed form a *pair* (a block);
2. each run is summarised by each outcome's mean over its last 24 months
   (:data:`WINDOW`; all months but month 0 when fewer are run);
3. per design and outcome: the mean over seeds with a 95 % t interval; and
   the difference from the reference (the first design), computed seed by
   seed, with its 95 % t interval and a two-sided Wilcoxon signed-rank
   p-value.

The directory written (atomically, see :func:`sim.output.write_directory`)
holds ``timeseries.parquet`` and ``timeseries.csv`` (design × seed × month),
``runs.csv`` (one row per run), ``summary.csv`` (design × outcome),
``figures/*.png``, a self-contained ``report.html``, ``manifest.json``
(``"command": "compare"``, resolved configs, seeds, the ``--set`` values each
design got, versions) and, with ``--xlsx``, ``summary.xlsx``. Results do not
depend on the number of worker processes.

``--community`` takes whatever :func:`sim.communities.resolve_community` does
(a preset, a community file) and is applied to every design before the
``--set`` values. A ``--set`` of an institution's parameter
(``design.institutions.NAME.PARAM``) applies only to the designs that have
that institution — setting it never adds the institution — and is refused if
no design has it (:func:`resolve_designs`). The size of a comparison is
checked against the memory available before anything runs
(:func:`check_resources`).

From Python::

    from sim.experiments.compare import compare, write_comparison
    comp = compare(["baseline", "nanan_131"], community="heping_road", seeds=range(10))
    comp.summary                     # the table of summary.csv
    write_comparison("out/cmp", comp)
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError, InstitutionAbsentError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sim.config import Scenario
    from sim.output import Output

DEFAULT_SEEDS = 20
"""Seeds per design unless ``--seeds`` says otherwise."""

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
OUTPUT_FILES = (REPORT, SUMMARY, RUNS, TIMESERIES, TIMESERIES_CSV, f"{FIGURES}/", MANIFEST)
"""What a comparison directory holds, in the order messages list them (and
:data:`XLSX` with ``--xlsx``)."""

COMMAND = "compare"
"""The command recorded in ``manifest.json`` (``"command"``), by which ``--force`` knows its
own outputs (see :data:`sim.output.OUTPUT_MARKERS`)."""

OWN_FILES = (REPORT, SUMMARY, RUNS, TIMESERIES, TIMESERIES_CSV, XLSX, f"{FIGURES}/*.png",
             MANIFEST)
"""The files ``sim compare`` writes: ``--force`` replaces only a directory holding no others."""

RUN_BYTES = 40_000
"""Memory a finished run takes in the driver besides its monthly values (frame objects, the
task, its scalars): measured about 42 kB per run on the default community."""

MONTH_BYTES = 8 * 5
"""Bytes per monthly value of a run in the driver: 8-byte numbers held in about five copies
while the results are gathered, concatenated and summarised (measured: 0.72 kB per month of
a run with 20 columns)."""

WORKER_BYTES = 250 * 2**20
"""Memory of one worker process with ``sim`` imported and a model run (measured: about
200 MB resident on the default and Heping Road communities)."""

HOUSEHOLD_BYTES = 4_000
"""Memory per household of the model a worker runs (arrays, network, agents), generously."""

RUN_SCALARS = ("households", "compounds", "firm_entries", "firm_exits", "petitions_total",
               "gov_spending_total")
"""Per-run numbers besides the outcomes (``runs.csv``); totals are over months 1–steps."""

SUMMARY_COLUMNS = ("design", "design_label", "reference", "outcome", "outcome_label", "unit",
                   "n", "mean", "ci_low", "ci_high", "sd", "diff", "diff_low", "diff_high",
                   "p_wilcoxon")
"""Columns of ``summary.csv``, in order."""

DESCRIPTION = """\
Compare governance designs on one community and write a report with uncertainty.
在同一社区上比较多种治理模式，生成带不确定性（置信区间）的比较报告。

Every design runs with the same seeds 0..N-1: seed s gives every design the same
households and neighbour network at month 0, so the comparison is paired by seed.
每种模式使用相同的随机种子 0..N-1；同一种子下各模式的住户与邻里网络完全相同（配对比较）。

CONFIG... are design (or scenario) YAML files or preset names; the FIRST is the
reference that the others are compared with.
CONFIG... 为治理模式（或情景）YAML 文件或预设名称；第一个为参照，其余与之比较。
"""

EPILOG = f"""\
how the numbers are made / 计算方法:
  1. each run is summarised by each outcome's mean over its last {WINDOW} months
     (all months after month 0 if fewer are run);
     每次运行取各指标最后 {WINDOW} 个月的平均值；
  2. per design: the mean over seeds with a 95 % t interval;
     每种模式：各种子结果的平均值及 95% t 置信区间；
  3. per other design: the difference from the reference seed by seed, its mean with
     a 95 % t interval, and a two-sided Wilcoxon signed-rank p-value.
     其他模式：与参照模式按种子配对的差值、其平均值与 95% 置信区间，以及 Wilcoxon 符号秩检验 p 值。

examples / 示例:
  sim compare baseline nanan_131 huli_six_party chongchuan_plus kunming_red_courtyard \\
      --community heping_road --seeds 20
  sim compare baseline nanan_131 --community heping_road --seeds 10 --lang en --out out/131
  sim compare baseline my_design.yaml --community yimin_compound --steps 60 --workers 4
  sim compare baseline nanan_131 --community heping_road --set behaviour.noise=0.3
  sim compare baseline nanan_131 --community my_community.yaml --xlsx
  sim compare baseline nanan_131 --set design.institutions.party_branch.visits_per_member=6
      (only nanan_131 has a party branch: the baseline runs without one / 仅用于有党支部的模式)

--community and --set / 社区与参数:
  --community (a preset or a community YAML file) is applied to every design first, then
  the --set values. A --set of an institution's parameter (design.institutions.NAME.PARAM)
  applies only to the designs that have NAME; it never adds the institution to the others,
  and is refused if no design has it. manifest.json (sets_applied, sets_skipped per design)
  and the report say which designs got it.
  先对所有模式应用 --community，再应用 --set。机构参数只修改已有该机构的模式，不会给其他
  模式添加该机构；若没有任何模式有该机构则报错。

outputs in DIR / 输出文件:
  report.html          the report: designs, method, table, figures, reading (open it in a
                       browser; self-contained) / 比较报告（可直接用浏览器打开）
  summary.csv          per design and outcome: mean, 95 % interval, difference from the
                       reference with its interval, n, Wilcoxon p / 汇总表
  runs.csv             one row per run: the {WINDOW}-month means and totals / 每次运行一行
  timeseries.parquet   one row per design, seed and month (units in the file) / 逐月数据
  timeseries.csv       the same table as CSV, for spreadsheets / 逐月数据（CSV）
  summary.xlsx         with --xlsx: sheets summary, runs (units in headers), columns /
                       Excel 汇总表
  figures/*.png        time series with 95 % bands; differences (forest plot) / 图
  manifest.json        "command": "compare", the command line, resolved config of every
                       design and the --set values it got, seeds, versions /
                       各模式完整配置、所用参数、种子、版本
  The same CONFIG..., --community, --set, --steps, --seeds and --seed-start give
  identical results, whatever --workers is. 相同参数（与 --workers 无关）结果完全相同。

{{set_help}}
--force / 覆盖:
  replaces DIR only if it is an earlier `sim compare` output holding nothing but its files;
  a run's or a sweep's directory, or one with a file of yours, is refused (the error lists
  the files to move), so --force never deletes anything but an old comparison.
  仅覆盖旧的比较结果；目录中若有其他文件则拒绝并列出这些文件。

exit status / 退出码: 0 done; 2 invalid input, too large for the memory (--seeds,
  --workers), a full disk or interrupted, reported on one line
  'sim: error: FIELD: message' with nothing written.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {"wrote": "比较结果已写入 {out}/（{files}）",
           "partial": "--set {pair} 只用于有该机构的模式：{designs}",
           "open": "用浏览器打开 {report} 查看报告",
           "runs": "{n} 次运行（{designs} 种模式 × {seeds} 个种子，每次 {steps} 个月）",
           "bar": "比较"},
    "en": {"wrote": "Wrote {out}/ ({files})",
           "partial": "--set {pair} applied only to the designs with that institution: {designs}",
           "open": "Open {report} in a browser to read the report",
           "runs": "{n} runs ({designs} designs × {seeds} seeds, {steps} months each)",
           "bar": "compare"},
}
"""Messages printed after a comparison, by language."""


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


@dataclass(frozen=True)
class Task:
    """One run: a design (by position) and a seed."""

    index: int
    scenario: Scenario
    seed: int
    steps: int


@dataclass
class RunResult:
    """What a run sends back: its monthly frame and a few numbers.

    Attributes:
        index: Position of the design in the comparison.
        seed: The seed.
        frame: ``month`` plus every column of :data:`sim.metrics.COLUMNS`.
        scalars: The numbers of :data:`RUN_SCALARS`.
        versions: Python and library versions of the process that ran it.
    """

    index: int
    seed: int
    frame: pd.DataFrame
    scalars: dict[str, float]
    versions: dict[str, str] = field(default_factory=dict)


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


# --------------------------------------------------------------------------- designs


def _design_key(config: str) -> str:
    """Return the name of a design in the outputs: a preset name or a file's stem."""
    path = Path(config)
    return path.stem if path.suffix or path.exists() else config


def _check_known(config: str) -> None:
    """Reject a CONFIG that is neither a file nor a design or scenario preset.

    Raises:
        ConfigError: Naming the nearest design preset, or saying that a
            community preset belongs in ``--community``.
    """
    from sim.config import preset_names

    if Path(config).exists() or Path(config).suffix:
        return  # a file, or a path whose absence load_config reports
    designs = preset_names("designs")
    if config in designs or config in preset_names("presets"):
        return
    if config in preset_names("communities"):
        raise ConfigError(config, f"'{config}' is a community, not a design; pass it as "
                                  f"--community {config}")
    near = difflib.get_close_matches(config, designs, n=1, cutoff=0.6)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    raise ConfigError(config, f"unknown design '{config}'{hint} (design presets: "
                              f"{', '.join(designs)}; or give a YAML file)")


def resolve_designs(configs: Sequence[str], community: str | None = None,
                    sets: Sequence[str] = (), steps: int | None = None) -> list[Arm]:
    """Load every design and apply ``--community``, ``--set`` and ``--steps`` to each.

    The community (a preset name or a community file, through
    :func:`sim.communities.resolve_community`) is applied first, then the
    ``--set`` values, then ``--steps``. A ``--set`` of an institution's
    parameter (``design.institutions.NAME.PARAM``) is applied only to the
    designs that have the institution: setting a parameter never adds an
    institution (:class:`~sim.errors.InstitutionAbsentError`), and adding it
    to some designs only would change what is compared. Each design records
    what it got (:attr:`Arm.sets_applied`, :attr:`Arm.sets_skipped`).

    Args:
        configs: Design or scenario files or preset names; the first is the reference.
        community: A community preset or file for all designs, or None to keep
            theirs (which must then be the same).
        sets: ``KEY=VALUE`` overrides applied to every design (that has the
            institution, for an institution's parameter), after the community.
        steps: Months per run, or None for the designs' ``run.steps`` (which
            must then agree).

    Returns:
        The designs, in the order given.

    Raises:
        ConfigError: For fewer than two designs, an unknown or repeated design,
            an unknown community, a bad ``--set``, a ``--set`` of an
            institution no design has, fewer than one month, or designs that
            would run on different communities or for different numbers of
            months.
    """
    from sim.cli import parse_set
    from sim.communities import resolve_community

    if len(configs) < 2:
        raise ConfigError("CONFIG", "give at least two designs; the first is the reference "
                                    "(e.g. sim compare baseline nanan_131); to run one design "
                                    "use sim run")
    if steps is not None and steps < 1:
        raise ConfigError("--steps", f"must be at least 1 month (got {steps})")
    community_value = resolve_community(community) if community is not None else None
    changes = parse_set(sets)
    if "design" in changes:
        raise ConfigError("--set", "design=... would give every design the same institutions; "
                                   "give the designs to compare as CONFIG arguments")
    pairs = {pair.partition("=")[0].strip(): pair for pair in sets}  # the last one of a key
    arms: list[Arm] = []
    for config in configs:
        _check_known(config)
        key = _design_key(config)
        if any(arm.key == key for arm in arms):
            raise ConfigError(config, f"the design '{key}' is given twice; give each design "
                                      "once (files need different names)")
        scenario, skipped = _design_scenario(config, community_value, changes, steps)
        arms.append(Arm(key, config, scenario,
                        sets_applied=tuple(pairs[k] for k in changes if k not in skipped),
                        sets_skipped=tuple(pairs[k] for k in changes if k in skipped)))
    for key_, pair in pairs.items():
        if all(pair in arm.sets_skipped for arm in arms):
            institution = _institution_of(key_)
            raise ConfigError("--set", f"{key_}: none of the designs has the institution "
                                       f"'{institution}', so this --set would change nothing "
                                       "(setting a parameter never adds an institution); "
                                       "compare designs that have it, or leave it out")
    reference = arms[0].scenario
    for arm in arms[1:]:
        if arm.scenario.community != reference.community:
            raise ConfigError("--community", f"'{arms[0].key}' runs on "
                                             f"'{reference.community.name}' but '{arm.key}' on "
                                             f"'{arm.scenario.community.name}'; pass "
                                             "--community NAME to run all on one community")
    lengths = {arm.scenario.run.steps for arm in arms}
    if len(lengths) > 1:
        listed = ", ".join(f"{arm.key}: {arm.scenario.run.steps}" for arm in arms)
        raise ConfigError("--steps", f"the designs run for different numbers of months "
                                     f"({listed}); pass --steps N")
    if lengths == {0}:
        raise ConfigError("--steps", "the designs run for 0 months (run.steps); pass --steps N "
                                     "with N ≥ 1")
    return arms


def _institution_of(key: str) -> str | None:
    """Return NAME of a ``design.institutions.NAME.PARAM`` key, or None for any other key."""
    path = key.replace("__", ".").split(".")
    return path[2] if len(path) > 3 and path[:2] == ["design", "institutions"] else None


def _design_scenario(config: str, community: str | dict[str, Any] | None,
                     changes: dict[str, Any], steps: int | None) -> tuple[Scenario, set[str]]:
    """Return one design's scenario and the ``--set`` keys it did not get.

    The keys of an institution the design lacks are left out (the override is
    retried without them), every other key is applied together, as ``sim
    run`` applies them; ``--steps`` is applied last as in
    :func:`sim.cli.build_scenario`.
    """
    from sim.cli import build_scenario

    scenario = build_scenario(config)
    if community is not None:
        try:
            scenario = scenario.override({"community": community})
        except ConfigError as exc:
            raise ConfigError("--community", f"{exc.message} [{exc.field}]") from None
    pending = dict(changes)
    skipped: set[str] = set()
    while pending:
        try:
            scenario = scenario.override(pending)
            break
        except InstitutionAbsentError as exc:
            absent = {k for k in pending
                      if _institution_of(k) == exc.institution or k == exc.field}
            if not absent:
                raise
            skipped |= absent
            pending = {k: v for k, v in pending.items() if k not in absent}
    if steps is not None:
        try:
            scenario = scenario.override({"run.steps": steps})
        except ConfigError as exc:
            raise ConfigError("--steps", f"{exc.message} [run.steps]") from None
    return scenario, skipped


# --------------------------------------------------------------------------- running


def simulate(task: Task) -> RunResult:
    """Run one design with one seed and return its monthly frame (runs in a worker).

    Args:
        task: The design's scenario, the seed and the number of months.

    Returns:
        The run's model-level monthly frame and its per-run numbers.
    """
    import sim
    from sim.metrics import COLUMNS
    from sim.output import timeseries_frame

    model = sim.CompoundModel(task.scenario, rng=task.seed)
    model.run(task.steps)
    frame = timeseries_frame(model)[["month", *COLUMNS]].astype({"month": "int64"})
    after = frame[frame["month"] > 0]
    meta = model.metadata()
    scalars = {
        "households": float(meta["households"]),
        "compounds": float(meta["compounds"]),
        "firm_entries": float(model.firm_entries),
        "firm_exits": float(model.firm_exits),
        "petitions_total": float(after["petitions"].sum()),
        "gov_spending_total": float(after["gov_spending"].sum()),
    }
    return RunResult(task.index, task.seed, frame, scalars, dict(meta["versions"]))


def run_tasks(tasks: Sequence[Task], workers: int = 1, progress: bool = False,
              desc: str = "compare") -> list[RunResult]:
    """Run tasks in ``workers`` processes (in this process when 1), with a progress bar.

    The workers are a :class:`sim.children.WorkerPool`: they die with this
    process (a killed driver leaves no worker running) and ignore Ctrl-C,
    which stops them here at once (:meth:`~sim.children.WorkerPool.terminate`)
    so the command reports one line.

    Args:
        tasks: The runs.
        workers: Worker processes; 1 runs everything here, one after another.
        progress: Show a bar of runs done and time left on stderr, if stderr
            is a terminal (a log file or a pipe gets no bar).
        desc: Label of the bar.

    Returns:
        The results sorted by design and seed, whatever order they finished in.
    """
    from tqdm.auto import tqdm

    results: list[RunResult] = []
    shown = progress and sys.stderr is not None and sys.stderr.isatty()
    bar = tqdm(total=len(tasks), desc=desc, unit="run", disable=not shown, leave=False)
    try:
        if workers <= 1:
            for task in tasks:
                results.append(simulate(task))
                bar.update(1)
        else:
            from concurrent.futures import as_completed

            from sim.children import WorkerPool

            pool = WorkerPool(workers)
            try:
                futures = [pool.submit(simulate, task) for task in tasks]
                for future in as_completed(futures):
                    results.append(future.result())
                    bar.update(1)
            except BaseException:
                pool.terminate()
                raise
            pool.shutdown(wait=True)
    finally:
        bar.close()
    return sorted(results, key=lambda r: (r.index, r.seed))


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float]:
    """Return the mean, the ends of its t interval and the standard deviation.

    Args:
        values: One number per seed.
        level: Confidence level.

    Returns:
        ``(mean, low, high, sd)``; the interval and sd are NaN with fewer than two values.
    """
    import numpy as np
    from scipy import stats

    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan"), float("nan")
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1)) * sd / float(np.sqrt(x.size))
    return mean, mean - half, mean + half, sd


def wilcoxon_p(diffs: np.ndarray) -> float:
    """Return the two-sided Wilcoxon signed-rank p-value of paired differences.

    All-zero differences give 1.0 (no evidence of a difference); fewer than
    one pair gives NaN.
    """
    import numpy as np
    from scipy import stats

    d = np.asarray(diffs, dtype=float)
    if d.size == 0:
        return float("nan")
    if np.all(d == 0):
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small samples, ties: scipy picks the method
        return float(stats.wilcoxon(d).pvalue)


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


def available_memory() -> int | None:
    """Return the bytes of memory this process can still use, or None if unknown.

    Linux's ``MemAvailable`` (free memory plus what the kernel can reclaim),
    lowered to the room left under a cgroup limit (a container or a job
    scheduler's allocation) when there is one.
    """
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            found.append(max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError, AttributeError):
            return None
    return min(found)


def _size(n: float) -> str:
    """Return a byte count for people (``3.2 GB``)."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"


def check_resources(n_designs: int, n_seeds: int, steps: int, households: int,
                    workers: int | None, available: int | None = None) -> None:
    """Refuse, before any run, a comparison that cannot fit in memory.

    The driver keeps every run's monthly values until the statistics are done:
    runs × months × columns × :data:`MONTH_BYTES` plus :data:`RUN_BYTES` per
    run. Each worker process holds ``sim`` and a model (:data:`WORKER_BYTES`
    plus :data:`HOUSEHOLD_BYTES` per household); the workers asked for must
    fit even if fewer are started (at most one per run), since a value that
    large is a mistake. Both are estimates from measurement; they only catch
    sizes that are off by far (``--seeds 1000000000``, ``--workers
    100000000``), which otherwise end in a ``MemoryError`` after minutes or
    a machine swapping.

    Args:
        n_designs: Designs compared.
        n_seeds: Seeds per design.
        steps: Months per run.
        households: Households of the community.
        workers: Worker processes asked for (None: one per CPU).
        available: Bytes of memory available; :func:`available_memory` when None.

    Raises:
        ConfigError: (field ``--seeds`` or ``--workers``) naming the estimate
            and the memory available.
    """
    from sim.metrics import COLUMNS

    free = available if available is not None else available_memory()
    if free is None:
        return
    runs = n_designs * n_seeds
    columns = len(COLUMNS) + 3  # design, seed, month
    results = runs * (RUN_BYTES + (steps + 1) * columns * MONTH_BYTES)
    per_worker = WORKER_BYTES + households * HOUSEHOLD_BYTES
    most = max((free - min(results, free)) // per_worker, 1)
    cpus = os.cpu_count() or 1
    if workers is not None and workers > 1 and workers * per_worker > free:
        raise ConfigError("--workers", f"{workers:,} worker processes need about "
                                       f"{_size(per_worker)} each, {_size(workers * per_worker)} "
                                       f"in all, but {_size(free)} is available; use at most "
                                       f"{most:,} (this machine has {cpus} CPUs)")
    n_workers = min(workers or cpus, runs)
    pool = n_workers * per_worker if n_workers > 1 else 0
    if results + pool <= free:
        return
    if results > free or n_workers <= 1:
        raise ConfigError("--seeds", f"{runs:,} runs ({n_designs} designs × {n_seeds:,} seeds) × "
                                     f"{steps + 1:,} months × {columns} columns need about "
                                     f"{_size(results)} of memory, but {_size(free)} is "
                                     "available; use fewer seeds or months")
    raise ConfigError("--workers", f"{n_workers:,} worker processes need about "
                                   f"{_size(per_worker)} each, {_size(pool)} in all, with "
                                   f"{_size(results)} for the results, but {_size(free)} is "
                                   f"available; use at most {most:,} (this machine has {cpus} "
                                   "CPUs)")


def compare(configs: Sequence[str] | Sequence[Arm], *, community: str | None = None,
            seeds: Iterable[int] = range(DEFAULT_SEEDS), steps: int | None = None,
            sets: Sequence[str] = (), workers: int | None = 1, progress: bool = False,
            lang: str = "zh", window: int = WINDOW, command: str = "") -> Comparison:
    """Run every design with every seed and compute the statistics.

    Args:
        configs: Design files or preset names (the first is the reference), or
            designs already resolved by :func:`resolve_designs`.
        community: Community preset or file for all designs (see
            :func:`resolve_designs`); recorded as :attr:`Comparison.community_source`.
        seeds: The seeds, the same for every design.
        steps: Months per run; None for the designs' ``run.steps``.
        sets: ``KEY=VALUE`` overrides for every design.
        workers: Worker processes; None for one per CPU, 1 to run in this process.
        progress: Show a progress bar (on stderr, if it is a terminal).
        lang: Language of labels in the summary and report.
        window: Months averaged at the end of each run.
        command: The command line to record (made up from the arguments if empty).

    Returns:
        The finished :class:`Comparison`.

    Raises:
        ConfigError: For invalid designs or arguments, or a comparison too
            large for the memory available (nothing is run).
    """
    import pandas as pd

    from sim.metrics import COLUMNS

    given = list(configs)
    arms = ([c for c in given if isinstance(c, Arm)] if given and isinstance(given[0], Arm)
            else resolve_designs([str(c) for c in given], community, sets, steps))
    n_steps = arms[0].scenario.run.steps
    households = arms[0].scenario.community.n_households
    if isinstance(seeds, Sized):  # before a range of 10^9 seeds is made into a list
        check_resources(len(arms), len(seeds), n_steps, households, workers)
    seed_list = sorted(set(int(s) for s in seeds))
    if not seed_list:
        raise ConfigError("--seeds", "must be at least 1 (got 0)")
    if seed_list[0] < 0:
        raise ConfigError("--seed-start", f"seeds must be ≥ 0 (got {seed_list[0]})")
    if not isinstance(seeds, Sized):
        check_resources(len(arms), len(seed_list), n_steps, households, workers)
    tasks = [Task(i, arm.scenario, seed, n_steps)
             for seed in seed_list for i, arm in enumerate(arms)]
    n_workers = min(workers or os.cpu_count() or 1, len(tasks))
    results = run_tasks(tasks, n_workers, progress, MESSAGES.get(lang, MESSAGES["en"])["bar"])

    frames = []
    scalars = []
    for result in results:
        key = arms[result.index].key
        frame = result.frame.copy()
        frame.insert(0, "seed", result.seed)
        frame.insert(0, "design", key)
        frames.append(frame)
        scalars.append({"design": key, "seed": result.seed, **result.scalars})
    timeseries = pd.concat(frames, ignore_index=True)
    timeseries["seed"] = timeseries["seed"].astype("int64")
    used_window = min(window, n_steps)
    means = window_means(timeseries, n_steps, used_window)
    runs = pd.DataFrame(scalars).merge(means, on=["design", "seed"], how="left",
                                       validate="one_to_one")
    runs = runs[["design", "seed", *RUN_SCALARS, *COLUMNS]]
    summary = summarise(runs, arms, lang)
    if not command:
        command = command_line([a.config for a in arms], community, len(seed_list),
                               seed_list[0], steps, sets, lang)
        if seed_list != list(range(seed_list[0], seed_list[0] + len(seed_list))):
            command += f"  # but with the seeds {seed_list}, which the command cannot give"
    return Comparison(arms=arms, seeds=seed_list, steps=n_steps, window=used_window,
                      timeseries=timeseries, runs=runs, summary=summary, lang=lang,
                      command=command,
                      created=datetime.now(UTC).replace(microsecond=0).isoformat(),
                      versions=results[0].versions if results else {},
                      community_source=community)


def command_line(configs: Sequence[str], community: str | None, n_seeds: int, seed_start: int,
                 steps: int | None, sets: Sequence[str], lang: str,
                 out: str | Path | None = None) -> str:
    """Return a ``sim compare`` command line that reproduces a comparison.

    ``--workers`` is left out: it does not change the results.
    """
    parts = ["sim", "compare", *configs]
    if community is not None:
        parts += ["--community", community]
    parts += ["--seeds", str(n_seeds)]
    if seed_start:
        parts += ["--seed-start", str(seed_start)]
    if steps is not None:
        parts += ["--steps", str(steps)]
    for pair in sets:
        parts += ["--set", pair]
    parts += ["--lang", lang]
    if out is not None:
        parts += ["--out", str(out)]
    return shlex.join(parts)


# --------------------------------------------------------------------------- writing


def manifest(comp: Comparison, files: Sequence[str]) -> dict[str, Any]:
    """Return the content of ``manifest.json``: everything needed to redo the comparison."""
    from sim.model import package_version

    community = comp.reference.scenario.community
    first, last = comp.window_months
    return {
        "command": COMMAND,
        "command_line": comp.command,
        "created": comp.created,
        "package_version": package_version(),
        "versions": comp.versions,
        "community": {"name": community.name, "label_zh": community.label_zh,
                      "label_en": community.label_en, "households": community.n_households,
                      "compounds": community.n_compounds, "given": comp.community_source},
        "reference": comp.reference.key,
        "seeds": comp.seeds,
        "steps": comp.steps,
        "statistics": {
            "outcome_per_run": f"mean over months {first}-{last} (the last {comp.window})",
            "interval": f"{LEVEL:.0%} t interval over seeds",
            "difference": "paired by seed: design minus reference, seed by seed; mean with "
                          f"its {LEVEL:.0%} t interval",
            "test": "two-sided Wilcoxon signed-rank test of the paired differences "
                    "(no correction for multiple comparisons)",
        },
        "designs": [{"key": arm.key, "config": arm.config,
                     "label_zh": arm.label("zh"), "label_en": arm.label("en"),
                     "sets_applied": list(arm.sets_applied),
                     "sets_skipped": list(arm.sets_skipped),
                     "scenario": arm.scenario.to_dict()} for arm in comp.arms],
        "files": list(files),
    }


def _write_files(tmp: Path, comp: Comparison, lang: str, xlsx: bool = False) -> list[str]:
    """Write every output file of a comparison into ``tmp``; return their names."""
    from sim.experiments import compare_report
    from sim.output import write_parquet

    write_parquet(comp.timeseries, tmp / TIMESERIES)
    comp.timeseries.to_csv(tmp / TIMESERIES_CSV, index=False)
    comp.summary.to_csv(tmp / SUMMARY, index=False, encoding="utf-8-sig")
    comp.runs.to_csv(tmp / RUNS, index=False)
    if xlsx:
        write_xlsx(comp, tmp / XLSX)
    (tmp / FIGURES).mkdir()
    figures = compare_report.make_figures(comp, lang, tmp / FIGURES)
    html = compare_report.render_report(comp, lang, figures)
    (tmp / REPORT).write_text(html, encoding="utf-8")
    files = [REPORT, SUMMARY, RUNS, TIMESERIES, TIMESERIES_CSV, *([XLSX] if xlsx else []),
             *(f"{FIGURES}/{fig.path.name}" for fig in figures), MANIFEST]
    text = json.dumps(manifest(comp, files), ensure_ascii=False, indent=2)
    (tmp / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return files


RUN_SCALAR_UNITS = {"households": "households", "compounds": "compounds",
                    "firm_entries": "count", "firm_exits": "count",
                    "petitions_total": "household-months", "gov_spending_total": "yuan"}
"""Units of :data:`RUN_SCALARS`, for the headers of ``summary.xlsx``."""


def write_xlsx(comp: Comparison, path: Path) -> None:
    """Write the tables of ``summary.csv`` and ``runs.csv`` to one workbook.

    Sheets: ``summary`` (as ``summary.csv``, which has a ``unit`` column),
    ``runs`` (as ``runs.csv``, each numeric header with its unit in brackets,
    ``condition [share]``, as the Parquet files record them) and ``columns``
    (every outcome's key, Chinese and English label, unit and meaning), so a
    spreadsheet user reads the numbers without the Parquet metadata.

    Args:
        comp: The finished comparison.
        path: The ``.xlsx`` file to write.
    """
    import pandas as pd

    from sim.metrics import COLUMNS

    units = {**RUN_SCALAR_UNITS, **{name: col.unit for name, col in COLUMNS.items()}}
    runs = comp.runs.rename(columns={name: f"{name} [{unit}]" for name, unit in units.items()
                                     if unit})
    columns = pd.DataFrame([{"column": name, "label_zh": col.zh, "label_en": col.en,
                             "unit": col.unit, "meaning": col.meaning}
                            for name, col in COLUMNS.items()])
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, frame in (("summary", comp.summary), ("runs", runs), ("columns", columns)):
            frame.to_excel(writer, sheet_name=sheet, index=False, freeze_panes=(1, 0))
            for cells in writer.sheets[sheet].columns:
                width = max(len(str(cell.value or "")) for cell in cells[:200])
                writer.sheets[sheet].column_dimensions[cells[0].column_letter].width = \
                    min(max(width + 2, 8), 60)


def write_comparison(outdir: str | Path, comp: Comparison, lang: str | None = None, *,
                     force: bool = False, xlsx: bool = False) -> Path:
    """Write a comparison's directory, all or nothing.

    Args:
        outdir: The directory to create.
        comp: The finished comparison.
        lang: Language of the report and figures; ``comp.lang`` when None.
        force: Replace ``outdir`` if it is an earlier comparison holding only
            a comparison's files (see :func:`sim.output.check_outdir`).
        xlsx: Also write ``summary.xlsx`` (:func:`write_xlsx`).

    Returns:
        The directory written.

    Raises:
        ConfigError: (field ``--out``) if ``outdir`` may not be written.
    """
    from sim.output import write_directory

    write: Callable[[Path], Any] = lambda tmp: _write_files(tmp, comp, lang or comp.lang,  # noqa: E731
                                                            xlsx)
    return write_directory(outdir, write, force=force, output=compare_output())


# --------------------------------------------------------------------------- command


def default_out(community: str) -> Path:
    """Return ``out/compare-<community>``, with the name made safe as a folder name."""
    safe = re.sub(r"[^\w.-]+", "_", community).strip("._") or "community"
    return Path("out") / f"compare-{safe}"


def compare_command(args: argparse.Namespace) -> int:
    """Run ``sim compare``: check every input, run, write, report where."""
    from sim.fonts import use_cjk_font
    from sim.output import check_outdir

    if args.seeds < 1:
        raise ConfigError("--seeds", f"must be at least 1 (got {args.seeds})")
    if args.seed_start < 0:
        raise ConfigError("--seed-start", f"must be ≥ 0 (got {args.seed_start})")
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", f"must be at least 1 (got {args.workers})")
    arms = resolve_designs(args.configs, args.community, args.set, args.steps)
    scenario = arms[0].scenario
    check_resources(len(arms), args.seeds, scenario.run.steps, scenario.community.n_households,
                    args.workers)
    if args.lang == "zh":
        use_cjk_font()  # fail before the runs, not after them
    out = Path(args.out) if args.out is not None else default_out(scenario.community.name)
    check_outdir(out, args.force, output=compare_output())
    seeds = range(args.seed_start, args.seed_start + args.seeds)
    command = command_line(args.configs, args.community, args.seeds, args.seed_start,
                           args.steps, args.set, args.lang, args.out)
    comp = compare(arms, community=args.community, seeds=seeds, workers=args.workers,
                   progress=not args.quiet, lang=args.lang, command=command)
    out = write_comparison(out, comp, args.lang, force=args.force, xlsx=args.xlsx)
    if args.quiet:
        print(out)
        return 0
    text = MESSAGES[args.lang]
    print(text["runs"].format(n=len(arms) * args.seeds, designs=len(arms), seeds=args.seeds,
                              steps=comp.steps))
    for pair, designs in comp.partial_sets.items():
        print(text["partial"].format(pair=pair, designs=", ".join(designs)))
    files = [*OUTPUT_FILES, *([XLSX] if args.xlsx else [])]
    print(text["wrote"].format(out=out, files=("、" if args.lang == "zh" else ", ").join(files)))
    print(text["open"].format(report=out / REPORT))
    return 0


def _presets_help() -> str:
    """Return the help section listing the presets a comparison takes, and where."""
    from sim.config import preset_names

    lines = ["presets / 预设:"]
    for kind, where in (("designs", "CONFIG"), ("communities", "--community"),
                        ("presets", "CONFIG")):
        names = preset_names(kind)
        if names:
            lines.append(f"  {kind + ':':<13} {', '.join(names)}   ({where})")
    return "\n".join(lines) + "\n"


def add_command(subparsers: Any) -> None:
    """Add ``sim compare``."""
    from sim.cli import SET_HELP, HelpFormatter, add_output_options

    parser = subparsers.add_parser(
        "compare", help="compare designs on one community, with a report / 比较治理模式",
        description=DESCRIPTION,
        epilog=EPILOG.replace("{set_help}", SET_HELP) + "\n" + _presets_help(),
        formatter_class=HelpFormatter, allow_abbrev=False)
    parser.add_argument("configs", metavar="CONFIG", nargs="+",
                        help="design or scenario YAML files or preset names; the first is the "
                             "reference (at least two). 治理模式文件或预设名称，第一个为参照")
    parser.add_argument("--community", metavar="NAME",
                        help="community for every design: a preset name or a community YAML "
                             "file, applied before --set (default: the designs' own, which "
                             "must agree). 社区（预设名称或社区文件），适用于所有模式")
    parser.add_argument("--seeds", metavar="N", type=int, default=DEFAULT_SEEDS,
                        help="seeds per design, the same for every design "
                             f"(default: {DEFAULT_SEEDS}). 每种模式的随机种子数")
    parser.add_argument("--seed-start", metavar="S", type=int, default=0,
                        help="first seed; the seeds are S..S+N-1 (default: 0). 起始种子")
    parser.add_argument("--steps", metavar="N", type=int,
                        help="months per run, overrides run.steps (default: the designs' "
                             "run.steps, 120). 模拟月数")
    parser.add_argument("--workers", metavar="N", type=int,
                        help="worker processes; 1 runs in this process; the results do not "
                             "depend on it (default: one per CPU). 并行进程数")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="change one config value of every design; repeatable; VALUE is "
                             "YAML, see below. A parameter of an institution "
                             "(design.institutions.NAME.PARAM) is set only in the designs that "
                             "have NAME, never added to the others (refused if none has it); "
                             "the report and manifest.json say which designs got it "
                             "(default: none). 修改参数（所有模式）；机构参数只用于有该机构的模式")
    parser.add_argument("--xlsx", action="store_true",
                        help=f"also write {XLSX}: the summary and runs tables (units in the "
                             "headers) and a sheet describing each column, for spreadsheets "
                             "(default: off). 另存 Excel 汇总表")
    add_output_options(parser, "out/compare-<community>")
    for action in parser._actions:
        if action.dest == "force":
            action.help = ("replace DIR if it is an earlier comparison (its "
                           f"{MANIFEST} says sim compare) holding only a comparison's files; "
                           "a run's or a sweep's directory, or one with other files, is never "
                           "replaced (the error lists the files to move) (default: off). "
                           "仅覆盖旧的比较结果目录")
        elif action.dest == "lang":
            action.help = ("language of the report, figures and messages: zh = Chinese, "
                           "en = English (default: zh). 报告语言")
    parser.set_defaults(handler=compare_command)
