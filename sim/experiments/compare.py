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
   p-value, Holm-corrected over the table (``p_holm``).

The window leaves out campaign months (:func:`comparison_months`): the months of any
design's ``renovation_campaign`` (from its resolved ``first`` and ``interval``) are
skipped when counting back the last 24 months, so a campaign's one-month spending and
its lift on the day are not averaged into the state a design reaches, and every design
is averaged over the same months. Government spending is also given over every month
and over the months without campaigns (``runs.csv``).

Under parameter uncertainty (``--uncertainty N``, :func:`resolve_uncertainty`), N
parameter sets are drawn once from the priors (:mod:`sim.priors`) and every design runs
with every set and every seed (:func:`sim.experiments.sampling.crossed_plan`); the
statistics are over parameter sets, with the seed noise given separately
(:func:`sim.experiments.comparison.summarise_uncertain`).

A comparison is a sweep whose one parameter, categorical, is the design: the
same plan → executor → storage path as ``sim sweep`` (:func:`run_comparison`).
Its runs are numbered design by design and seed by seed; each is written, as it
ends, to ``runs/part-<run_id>.parquet`` (``run_id``, ``sample``, ``seed``,
``month``, ``design`` and every model column, with units) beside a
``manifest.json`` of the sweep format with ``"command": "compare"`` (resolved
configs, seeds, the ``--set`` values each design got, versions). So a
comparison runs on local processes or a Dask cluster (``--scheduler``),
continues after a kill (``--resume``), and is read by :func:`sim.load_results`.
Results do not depend on the number of worker processes nor on the cluster.

The report is an analysis step over the stored runs
(:mod:`sim.experiments.report`, also ``sim report DIR``): ``timeseries.parquet``
and ``timeseries.csv`` (design × seed × month), ``runs.csv`` (one row per run),
``summary.csv`` (design × outcome), ``figures/*.png``, a self-contained
``report.html`` and, with ``--xlsx``, ``summary.xlsx``.

``--community`` takes whatever :func:`sim.communities.resolve_community` does
(a preset, a community file) and is applied to every design before the
``--set`` values. A ``--set`` of an institution's parameter
(``design.institutions.NAME.PARAM``) applies only to the designs that have
that institution — setting it never adds the institution — and is refused if
no design has it (:func:`resolve_designs`). The size of a comparison is
checked against the memory available before anything runs
(:func:`check_resources`).

From Python::

    from sim.experiments.compare import compare
    comp = compare(["baseline", "nanan_131"], community="heping_road", seeds=range(10))
    comp.summary                     # the table of summary.csv (nothing kept on disk)
    compare(["baseline", "nanan_131"], seeds=range(10), out="out/cmp")  # runs and report
    sim.load_results("out/cmp")      # one row per run and month, with a design column
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError, InstitutionAbsentError
from sim.experiments.comparison import (  # noqa: F401  (the names of sim compare's outputs)
    BETTER_HIGHER,
    BETTER_LOWER,
    CAMPAIGN,
    COMMAND,
    DESIGN,
    FIGURES,
    LEVEL,
    MANIFEST,
    OUTPUT_FILES,
    OWN_FILES,
    PARAM_SET,
    REPORT,
    REPRODUCE,
    RUN_SCALARS,
    RUNS,
    SUMMARY,
    SUMMARY_COLUMNS,
    TIMESERIES,
    TIMESERIES_CSV,
    UNCERTAINTY_COLUMNS,
    WINDOW,
    XLSX,
    Arm,
    Comparison,
    averaged_months,
    campaign_months,
    compare_output,
    summarise,
    window_means,
)
from sim.text import section

if TYPE_CHECKING:

    from sim.config import Scenario
    from sim.experiments.executors import Job
    from sim.experiments.sampling import Plan
    from sim.priors import Uncertainty

DEFAULT_SEEDS = 20
"""Seeds per design unless ``--seeds`` says otherwise."""

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
  1. each run is summarised by each outcome's mean over its last {WINDOW} months that are
     no campaign month (the months of any design's renovation_campaign, from its first
     and interval, are skipped: with 120 months and campaigns at 24, 72, 120 the window
     is months 96-119); runs.csv gives government spending over every month
     (gov_spending_total) and without the campaign months (gov_spending_no_campaigns_total);
     每次运行取各指标最后 {WINDOW} 个非整治月的平均值（整治月份由各模式的 first、interval 得出）；
  2. per design: the mean over seeds with a 95 % t interval;
     每种模式：各种子结果的平均值及 95% t 置信区间；
  3. per other design: the difference from the reference seed by seed, its mean with
     a 95 % t interval, a two-sided Wilcoxon signed-rank p-value and its Holm correction
     over every design and outcome (p_holm).
     其他模式：与参照模式按种子配对的差值、其平均值与 95% 置信区间、Wilcoxon p 值及 Holm 校正。

--uncertainty N / 参数不确定性:
  draws N parameter sets once from the priors (docs/parameters.md) of the parameters that
  apply to any compared design (or only --uncertain PATH,...), by scrambled Sobol' or a
  Latin hypercube (--uncertainty-method, --uncertainty-seed), and runs every design with
  the same sets and the same seeds (designs × N × seeds runs). With d_k the mean over seeds
  of the paired differences in parameter set k, summary.csv adds per design and outcome:
    diff_params, diff_params_low/high  mean of d_k, 95 % t interval over parameter sets
                                       (also in diff, diff_low, diff_high)
    diff_spread_low/high               2.5-97.5 % percentiles of d_k (across the prior)
    diff_seeds_low/high                pooled within-set interval: seed noise ONLY,
                                       not uncertainty about the world
    p_better                           share of parameter sets with d_k in the better direction
    regret_mean, regret_max            shortfall from the best design of each parameter set
    threshold, meets_threshold         with --threshold OUTCOME=VALUE: share of sets meeting it
    p_wilcoxon, p_holm                 Wilcoxon test of the d_k, Holm-corrected
  从先验中抽取 N 组参数，各模式使用相同的参数组与种子；summary.csv 分列参数区间、分布范围、
  仅种子噪声的区间（不是对世界的不确定性）、P(更好)、遗憾值与达标比例。
  --posterior DIR (a finished 'sim calibrate' output): the parameters it calibrated are
  resampled by weight from its last generation instead of their priors; the others keep
  their prior draws; the report names which, and the targets file they were fitted to.
  --posterior DIR：已校准的参数改从校准后验中抽取，其余参数仍抽自先验；报告会说明。

examples / 示例:
  sim compare baseline nanan_131 huli_six_party chongchuan_plus kunming_red_courtyard \\
      --community heping_road --seeds 20
  sim compare baseline nanan_131 --community heping_road --seeds 10 --lang en --out out/131
  sim compare baseline my_design.yaml --community yimin_compound --steps 60 --workers 4
  sim compare baseline nanan_131 --community heping_road --set behaviour.noise=0.3
  sim compare baseline nanan_131 --community my_community.yaml --xlsx
  sim compare baseline nanan_131 --set design.institutions.party_branch.visits_per_member=6
      (only nanan_131 has a party branch: the baseline runs without one / 仅用于有党支部的模式)
  sim compare baseline nanan_131 --community heping_road --uncertainty 64 --seeds 4 \\
      --threshold condition=0.6      (512 runs, a few minutes on 2 cores / 参数不确定性)

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
                       design and the --set values it got, seeds, versions, every run /
                       各模式完整配置、所用参数、种子、版本
  runs/part-*.parquet  one file per run (design × seed), as sim sweep writes them /
                       每次运行一个文件
  The same CONFIG..., --community, --set, --steps, --seeds and --seed-start give
  identical results, whatever --workers is. 相同参数（与 --workers 无关）结果完全相同。

{{set_help}}
--force / 覆盖:
  replaces DIR only if it is an earlier `sim compare` output holding nothing but its files;
  a run's or a sweep's directory, or one with a file of yours, is refused (the error lists
  the files to move), so --force never deletes anything but an old comparison.
  仅覆盖旧的比较结果；目录中若有其他文件则拒绝并列出这些文件。

--resume, --scheduler and the stored runs / 断点续算与集群:
  every run is written to DIR/runs/part-<run_id>.parquet as it ends, and manifest.json has
  the format of a sweep's ("command": "compare"): read them with sim.load_results("DIR")
  (one row per run and month, with a design column). A comparison killed outright (the OOM
  killer, a lost node) continues with the same command and --resume, which checks that the
  arguments and what the designs resolve to are unchanged and runs only the missing runs.
  --scheduler ADDRESS runs on a Dask cluster (its workers must see DIR at the same path);
  the data are the same as locally. 'sim report DIR [--lang en]' writes the report again.
  每次运行结束即写入 runs/；被强行终止后用相同命令加 --resume 继续；--scheduler 使用 Dask 集群。

exit status / 退出码: 0 done; 2 invalid input, too large for the memory (--seeds,
  --workers), a full disk or interrupted, reported on one line
  'sim: error: FIELD: message' with nothing written (a resumed comparison keeps its runs).
"""

MESSAGES: dict[str, dict[str, str]] = section("compare")
"""Messages printed after a comparison, by language."""


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
    from sim.cli_base import parse_set
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
    from sim.cli_base import build_scenario

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


# --------------------------------------------------------------------------- uncertainty


@dataclass(frozen=True)
class UncertaintySpec:
    """The parameter uncertainty of a comparison (``--uncertainty N``).

    Attributes:
        n: Parameter sets drawn, the same for every design.
        method: ``"sobol"`` (scrambled Sobol') or ``"lhs"`` (Latin hypercube).
        seed: Seed of the sequence (the same seed gives the same sets).
        params: The uncertain parameters with their priors (:mod:`sim.priors`).
        only: The ``--uncertain`` paths as given, or None for every prior that applies.
        thresholds: Outcome → the value a design should meet (``--threshold``).
        posterior: What :func:`sim.posterior.provenance` records of the ``sim calibrate``
            posterior the calibrated parameters are drawn from (``--posterior DIR``), or
            None for the priors alone.
    """

    n: int
    method: str
    seed: int
    params: tuple[Uncertainty, ...]
    only: tuple[str, ...] | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    posterior: dict[str, Any] | None = None

    def sets(self) -> list[dict[str, float | int]]:
        """The parameter sets (:func:`sim.posterior.parameter_sets`)."""
        from sim.posterior import parameter_sets

        return parameter_sets(self.params, self.n, self.seed, self.method,
                              self.posterior["dir"] if self.posterior else None)

    def record(self) -> dict[str, Any]:
        """What the manifest records (``"uncertainty"``; also in ``spec``)."""
        return {"n": self.n, "method": self.method, "seed": self.seed,
                "parameters": [u.as_dict() for u in self.params],
                "uncertain": list(self.only) if self.only is not None else None,
                "thresholds": dict(self.thresholds),
                **({"posterior": dict(self.posterior)} if self.posterior else {})}


def parse_thresholds(values: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """Read ``--threshold OUTCOME=VALUE`` arguments.

    Raises:
        ConfigError: (field ``--threshold``) for a missing ``=``, an unknown outcome, one
            whose better direction is not known (it cannot be "met"), a value that is not
            a finite number, or an outcome given twice.
    """
    import math

    from sim.metrics import COLUMNS

    pairs = (list(values.items()) if isinstance(values, Mapping)
             else [tuple(v.partition("=")[::2]) if "=" in v else (v, None) for v in values])
    out: dict[str, float] = {}
    judged = sorted(BETTER_HIGHER | BETTER_LOWER)
    for name, raw in pairs:
        name = str(name).strip()
        if raw is None:
            raise ConfigError("--threshold", f"'{name}': give OUTCOME=VALUE, e.g. "
                                             "condition=0.6")
        if name not in COLUMNS:
            near = difflib.get_close_matches(name, list(COLUMNS), n=1, cutoff=0.6)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise ConfigError("--threshold", f"unknown outcome '{name}'; {hint}outcomes with "
                                             f"a better direction: {', '.join(judged)}")
        if name not in judged:
            raise ConfigError("--threshold", f"'{name}' has no better direction, so it cannot "
                                             f"be met; outcomes with one: {', '.join(judged)}")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = float("nan")
        if not math.isfinite(value):
            raise ConfigError("--threshold", f"{name}: the value must be a finite number "
                                             f"(got {raw!r})")
        if name in out:
            raise ConfigError("--threshold", f"'{name}' is given twice; give each outcome once")
        out[name] = value
    return out


def resolve_uncertainty(arms: Sequence[Arm], n: int | None, *, method: str | None = None,
                        seed: int | None = None,
                        uncertain: Sequence[str | Uncertainty] | None = None,
                        thresholds: Sequence[str] | Mapping[str, float] = (),
                        sets: Sequence[str] = (),
                        posterior: str | Path | None = None) -> UncertaintySpec | None:
    """Check the uncertainty arguments of a comparison and find its uncertain parameters.

    The parameters are those with a prior that apply to any compared design
    (:func:`sim.priors.uncertainties`), or only the ``uncertain`` ones (paths, or
    :class:`~sim.priors.Uncertainty` objects taken as they are). With ``posterior`` (a
    ``sim calibrate`` directory) the parameters it calibrated are drawn from it
    (:func:`sim.posterior.parameter_sets`).

    Returns:
        None when ``n`` is None (a comparison at the designs' values).

    Raises:
        ConfigError: (field ``--uncertainty``, ``--uncertainty-method``,
            ``--uncertainty-seed``, ``--uncertain`` or ``--threshold``) for a count below
            1, an unknown method, a negative seed, an unknown path or one without a prior,
            a path also given with ``--set``, no parameter with a prior at all, a bad
            threshold, or any of these without ``--uncertainty``; (field ``--posterior``)
            for a directory without a finished calibration or one that calibrated none of
            the uncertain parameters.
    """
    from sim.priors import METHODS, Uncertainty, uncertainties

    if n is None:
        for given, name in ((method, "--uncertainty-method"), (seed, "--uncertainty-seed"),
                            (uncertain, "--uncertain"), (list(thresholds) or None,
                                                         "--threshold"),
                            (posterior, "--posterior")):
            if given is not None:
                raise ConfigError(name, "needs --uncertainty N (the number of parameter sets "
                                        "to draw from the priors)")
        return None
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError("--uncertainty", f"must be a whole number ≥ 1 (got {n!r}): the "
                                           "number of parameter sets drawn from the priors")
    method = method or "sobol"
    if method not in METHODS:
        raise ConfigError("--uncertainty-method", f"must be one of {', '.join(METHODS)} "
                                                  f"(got {method!r})")
    seed = 0 if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError("--uncertainty-seed", f"must be a whole number ≥ 0 (got {seed!r})")
    scenarios = [arm.scenario for arm in arms]
    only: tuple[str, ...] | None = None
    if uncertain is None:
        params = uncertainties(scenarios)
    else:
        given = [u for u in uncertain if isinstance(u, Uncertainty)]
        paths = [p.strip() for u in uncertain if not isinstance(u, Uncertainty)
                 for p in str(u).split(",") if p.strip()]
        if not given and not paths:
            raise ConfigError("--uncertain", "give at least one parameter path "
                                             "(see sim params)")
        found = {u.path: u for u in uncertainties(scenarios, only=paths)} if paths else {}
        by_path = {**found, **{u.path: u for u in given}}
        only = tuple(dict.fromkeys([*(u.path for u in given), *paths]))
        params = tuple(by_path[p] for p in only)
    if not params:
        raise ConfigError("--uncertainty", "none of the compared designs' parameters "
                                           "declares a prior (docs/parameters.md), so there "
                                           "is nothing to draw")
    set_keys = {pair.partition("=")[0].strip().replace("__", ".") for pair in sets}
    clash = [u.path for u in params if u.path in set_keys]
    if clash:
        raise ConfigError("--uncertain", f"'{clash[0]}' is also fixed with --set; the prior "
                                         "would override it: drop one (list the others with "
                                         "--uncertain PATH,...)")
    found_posterior = None
    if posterior is not None:
        from sim.posterior import provenance

        found_posterior = provenance(posterior, [u.path for u in params])
    return UncertaintySpec(n=n, method=method, seed=seed, params=tuple(params), only=only,
                           thresholds=parse_thresholds(thresholds), posterior=found_posterior)


def comparison_months(arms: Sequence[Arm], steps: int, window: int,
                      uncertainty: UncertaintySpec | None = None
                      ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The campaign months of any run, and the months averaged (:func:`averaged_months`).

    The campaign months are read from each design's resolved scenario (with each parameter
    set applied, under ``--uncertainty``, in case a prior moves the campaigns).

    Returns:
        ``(campaigns, months)``.
    """
    from sim.experiments.comparison import study_campaign_months

    sets = uncertainty.sets() if uncertainty is not None else ()
    campaigns = study_campaign_months([arm.scenario for arm in arms], steps, sets)
    return campaigns, averaged_months(steps, window, campaigns)


# --------------------------------------------------------------------------- running


def simulate(job: Job, runs: Sequence[dict[str, Any]]) -> list[str]:
    """Run one design's seeds of one parameter set and write their part files.

    What every executor calls for a task of a comparison: a comparison's runs are a sweep's
    runs, batched by sample (a design, or a design under one parameter set) and advanced
    together on the replicate axis (:func:`sim.experiments.executors.run_batch`); the
    design's resolved scenario is the runs' group, each seed a run.

    Args:
        job: The comparison's shared data (:func:`comparison_job`).
        runs: Runs of the plan (:func:`comparison_plan`) of one sample.

    Returns:
        The paths of the part files written, in the order of ``runs``.
    """
    from sim.experiments.executors import run_batch

    return run_batch(job, runs)


def comparison_plan(arms: Sequence[Arm], seeds: Sequence[int],
                    uncertainty: UncertaintySpec | None = None) -> Plan:
    """The runs of a comparison: a sweep whose one (categorical) parameter is the design.

    Design by design, seed by seed (``run_id`` 000000 is the reference's first seed), as
    :func:`sim.experiments.sampling.build_plan` numbers a sweep's runs. Under
    ``--uncertainty``, design by design, parameter set by parameter set, seed by seed
    (:func:`sim.experiments.sampling.crossed_plan`): every design gets the same sets and
    the same seeds.
    """
    from sim.experiments.sampling import crossed_plan, groups_plan

    groups = [{DESIGN: arm.key} for arm in arms]
    if uncertainty is None:
        return groups_plan(groups, seeds)
    return crossed_plan(groups, uncertainty.sets(), seeds, index=PARAM_SET)


def comparison_job(arms: Sequence[Arm], out: str | Path,
                   uncertainty: UncertaintySpec | None = None) -> Job:
    """The :class:`~sim.experiments.executors.Job` of a comparison.

    Each group is a design's resolved scenario (community, ``--set`` and ``--steps``
    applied), which every worker rebuilds with :func:`sim.config.scenario_from_dict`.
    Under ``--uncertainty`` each run also applies its parameter set
    (:func:`sim.priors.apply`, which skips the parameters of institutions a design lacks),
    and its part file has the columns ``param_set`` and one per uncertain parameter.
    """
    from sim.experiments.executors import Job, fingerprint

    groups = tuple(arm.scenario.to_dict() for arm in arms)
    steps = arms[0].scenario.run.steps
    if uncertainty is None:
        return Job(key=fingerprint(COMMAND, groups, steps), out=os.path.abspath(out),
                   steps=steps, groups=groups, ranges=(), params=((DESIGN, "str"),))
    paths = tuple(u.path for u in uncertainty.params)
    return Job(key=fingerprint(COMMAND, groups, steps, paths), out=os.path.abspath(out),
               steps=steps, groups=groups, ranges=paths,
               params=((DESIGN, "str"), (PARAM_SET, "int"),
                       *((u.path, "int" if u.integer else "float")
                         for u in uncertainty.params)),
               uncertain=True)


def comparison_manifest(arms: Sequence[Arm], plan: Plan, runs: Sequence[dict[str, Any]], *,
                        seeds: Sequence[int], window: int, command: str,
                        community: str | None, sets: Sequence[str], lang: str,
                        xlsx: bool, uncertainty: UncertaintySpec | None = None
                        ) -> dict[str, Any]:
    """Return the manifest of a comparison: the format of a sweep's, with its designs.

    The common keys (:func:`sim.experiments.storage.stored_manifest`) let ``--resume``,
    :func:`sim.load_results` and ``sim report`` read a comparison as they read a sweep;
    ``spec`` holds the arguments that decide the runs (``--resume`` refuses others). The
    keys of comparisons before they stored their runs stay: ``command_line``,
    ``community``, ``reference``, ``seeds``, ``statistics``, ``designs`` (each with the
    ``--set`` values it got and its resolved ``scenario``), ``versions``, ``files``.
    ``campaign_months`` and ``window_months`` say which months are averaged
    (:func:`comparison_months`). Under ``--uncertainty``, ``uncertainty`` (``n``,
    ``method``, ``seed``, ``parameters``, ``uncertain``, ``thresholds``), also in ``spec``.
    """
    from sim.experiments.storage import stored_manifest

    scenario = arms[0].scenario
    c = scenario.community
    steps = scenario.run.steps
    campaigns, months = comparison_months(arms, steps, window, uncertainty)
    inside = [m for m in campaigns if months and months[0] <= m <= months[-1]]
    averaged = (f"mean over months {months[0]}-{months[-1]} (the last {len(months)} months "
                "that are no campaign month" +
                (f"; month {', '.join(map(str, inside))} left out" if inside else "") +
                f"; campaign months of any design: {', '.join(map(str, campaigns)) or 'none'})")
    spec: dict[str, Any] = {"designs": [arm.config for arm in arms], "community": community,
                            "sets": list(sets), "seeds": list(seeds), "steps": steps,
                            "window": window}
    params = [{"name": DESIGN, "role": "levers", "low": None, "high": None,
               "values": [arm.key for arm in arms], "integer": False, "kind": "str"}]
    statistics = {
        "outcome_per_run": averaged,
        "spending": "gov_spending in summary.csv is the window mean (no campaign month); "
                    "runs.csv has gov_spending_total over every month 1-steps and "
                    "gov_spending_no_campaigns_total over the months that are no campaign "
                    "month",
        "interval": f"{LEVEL:.0%} t interval over seeds",
        "difference": "paired by seed: design minus reference, seed by seed; mean with "
                      f"its {LEVEL:.0%} t interval",
        "test": "two-sided Wilcoxon signed-rank test of the paired differences; p_holm: "
                "Holm's step-down correction over every design and outcome of summary.csv",
    }
    extra: dict[str, Any] = {}
    if uncertainty is not None:
        from sim.priors import held_by_design

        extra["uncertainty"] = {**uncertainty.record(), "held": held_by_design(
            {arm.key: arm.scenario for arm in arms}, [u.path for u in uncertainty.params])}
        spec["uncertainty"] = extra["uncertainty"]
        params += [{"name": PARAM_SET, "role": "uncertainties", "low": 0,
                    "high": uncertainty.n - 1, "values": None, "integer": True, "kind": "int"},
                   *({"name": u.path, "role": "uncertainties", "low": u.low, "high": u.high,
                      "values": None, "integer": u.integer,
                      "kind": "int" if u.integer else "float"} for u in uncertainty.params)]
        statistics.update({
            "parameter_sets": f"{uncertainty.n} sets drawn from the priors of "
                              f"{len(uncertainty.params)} parameters ({uncertainty.method}, "
                              f"seed {uncertainty.seed}); every design gets the same sets "
                              "and seeds" + (
                                  f"; {', '.join(uncertainty.posterior['parameters'])} "
                                  "from the posterior of sim calibrate in "
                                  f"{uncertainty.posterior['dir']} (targets "
                                  f"{uncertainty.posterior['targets']})"
                                  if uncertainty.posterior else ""),
            "interval": f"{LEVEL:.0%} t interval over parameter sets of the design's "
                        "per-set means (mean over seeds)",
            "difference": "d_k = mean over seeds of the paired differences (design minus "
                          "reference) in parameter set k; diff_params = mean of d_k with "
                          f"its {LEVEL:.0%} t interval over parameter sets (also diff, "
                          "diff_low, diff_high); diff_spread_low/high = 2.5 and 97.5 % "
                          "percentiles of d_k; diff_seeds_low/high = pooled within-set "
                          "t interval of the seed differences (seed noise only, NOT "
                          "uncertainty about the world)",
            "p_better": "share of parameter sets whose d_k is in the outcome's better "
                        "direction",
            "regret": "per parameter set, the best design's mean minus this design's (in "
                      "the better direction); mean and max over sets",
            "threshold": "share of parameter sets whose per-set mean meets --threshold",
            "test": "two-sided Wilcoxon signed-rank test of the d_k over parameter sets; "
                    "p_holm: Holm's step-down correction over every design and outcome",
        })
    return stored_manifest(
        COMMAND, name=f"compare-{c.name}", spec=spec, steps=steps, outcome_months=window,
        params=params, plan=plan, runs=runs, base_config=scenario.to_dict(),
        group_configs=[arm.scenario.to_dict() for arm in arms], reproduce=REPRODUCE,
        command_line=command, versions={},
        community={"name": c.name, "label_zh": c.label_zh, "label_en": c.label_en,
                   "households": c.n_households, "compounds": c.n_compounds,
                   "given": community},
        reference=arms[0].key, seeds=list(seeds),
        campaign_months=list(campaigns), window_months=list(months),
        statistics=statistics, **extra,
        designs=[{"key": arm.key, "config": arm.config,
                  "label_zh": arm.label("zh"), "label_en": arm.label("en"),
                  "sets_applied": list(arm.sets_applied),
                  "sets_skipped": list(arm.sets_skipped),
                  "scenario": arm.scenario.to_dict()} for arm in arms],
        report={"lang": lang, "xlsx": xlsx}, files=[])


def __getattr__(name: str) -> Any:
    """``t_interval`` and ``wilcoxon_p`` live in :mod:`sim.experiments.intervals`.

    (Imported on first use, so that listing the command does not import scipy.)
    """
    if name in ("t_interval", "wilcoxon_p"):
        from sim.experiments import intervals

        return getattr(intervals, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
                    workers: int | None, available: int | None = None,
                    n_sets: int = 1, arms: str = "designs") -> None:
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
        n_sets: Parameter sets per design and seed (``--uncertainty``; 1 without).
        arms: What the ``n_designs`` are called in the message (``sim explain`` runs
            ``variants`` of two designs).

    Raises:
        ConfigError: (field ``--seeds``, ``--uncertainty`` — whichever is the larger
            factor — or ``--workers``) naming the estimate and the memory available.
    """
    from sim.metrics import COLUMNS

    free = available if available is not None else available_memory()
    if free is None:
        return
    runs = n_designs * n_seeds * n_sets
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
        field, fewer = (("--uncertainty", "parameter sets") if n_sets > n_seeds
                        else ("--seeds", "seeds"))
        sets = f" × {n_sets:,} parameter sets" if n_sets > 1 else ""
        raise ConfigError(field, f"{runs:,} runs ({n_designs:,} {arms}{sets} × {n_seeds:,} "
                                 f"seeds) × {steps + 1:,} months × {columns} columns need "
                                 f"about {_size(results)} of memory, but {_size(free)} is "
                                 f"available; use fewer {fewer} or months")
    raise ConfigError("--workers", f"{n_workers:,} worker processes need about "
                                   f"{_size(per_worker)} each, {_size(pool)} in all, with "
                                   f"{_size(results)} for the results, but {_size(free)} is "
                                   f"available; use at most {most:,} (this machine has {cpus} "
                                   "CPUs)")


def compare(configs: Sequence[str] | Sequence[Arm], *, community: str | None = None,
            seeds: Iterable[int] = range(DEFAULT_SEEDS), steps: int | None = None,
            sets: Sequence[str] = (), workers: int | None = 1, progress: bool = False,
            lang: str = "zh", window: int = WINDOW, command: str = "",
            out: str | Path | None = None, scheduler: str | None = None,
            resume: bool = False, force: bool = False, xlsx: bool = False,
            uncertainty: int | None = None, uncertainty_method: str | None = None,
            uncertainty_seed: int | None = None,
            uncertain: Sequence[str | Uncertainty] | None = None,
            thresholds: Sequence[str] | Mapping[str, float] = (),
            posterior: str | Path | None = None) -> Comparison:
    """Run every design with every seed and compute the statistics.

    The runs go through the sweep engine (:func:`run_comparison`): with ``out`` they stay
    there with the report (what ``sim compare`` writes); without it they are run in a
    temporary directory that is removed once the results are read.

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
        out: The comparison directory to write (runs, manifest and report); None to
            keep nothing on disk.
        scheduler: Address of a Dask scheduler to run on instead of ``workers``.
        resume: Finish the comparison in ``out`` (see :func:`run_comparison`).
        force: Replace an earlier comparison in ``out``.
        xlsx: Also write ``summary.xlsx`` (with ``out``).
        uncertainty: Draw this many parameter sets from the priors and give every design
            the same sets and seeds (``--uncertainty``); None runs at the designs' values.
        uncertainty_method: ``"sobol"`` (default) or ``"lhs"``.
        uncertainty_seed: Seed of the parameter sets (default 0).
        uncertain: Only these parameters (paths, or :class:`~sim.priors.Uncertainty`
            objects with their own ranges); default: every prior that applies.
        thresholds: ``OUTCOME=VALUE`` strings or a mapping: the summary gives the share
            of parameter sets in which each design meets them.
        posterior: A ``sim calibrate`` output directory: the parameters it calibrated are
            drawn from its posterior, the others from their priors (``--posterior``; needs
            ``uncertainty``).

    Returns:
        The finished :class:`Comparison` (under ``uncertainty``, its summary has the
        columns :data:`~sim.experiments.comparison.UNCERTAINTY_COLUMNS`).

    Raises:
        ConfigError: For invalid designs or arguments, or a comparison too
            large for the memory available (nothing is run).
    """
    import shutil
    import tempfile

    given = list(configs)
    arms = ([c for c in given if isinstance(c, Arm)] if given and isinstance(given[0], Arm)
            else resolve_designs([str(c) for c in given], community, sets, steps))
    spec = resolve_uncertainty(arms, uncertainty, method=uncertainty_method,
                               seed=uncertainty_seed, uncertain=uncertain,
                               thresholds=thresholds, sets=sets, posterior=posterior)
    n_sets = spec.n if spec is not None else 1
    n_steps = arms[0].scenario.run.steps
    households = arms[0].scenario.community.n_households
    if isinstance(seeds, Sized):  # before a range of 10^9 seeds is made into a list
        check_resources(len(arms), len(seeds), n_steps, households, workers,
                        n_sets=n_sets)
    seed_list = sorted(set(int(s) for s in seeds))
    if not seed_list:
        raise ConfigError("--seeds", "must be at least 1 (got 0)")
    if seed_list[0] < 0:
        raise ConfigError("--seed-start", f"seeds must be ≥ 0 (got {seed_list[0]})")
    if not isinstance(seeds, Sized):
        check_resources(len(arms), len(seed_list), n_steps, households, workers,
                        n_sets=n_sets)
    if not command:
        command = command_line([a.config for a in arms], community, len(seed_list),
                               seed_list[0], steps, sets, lang, uncertainty=spec)
        if seed_list != list(range(seed_list[0], seed_list[0] + len(seed_list))):
            command += f"  # but with the seeds {seed_list}, which the command cannot give"
    keep = out is not None
    tmp = None if keep else Path(tempfile.mkdtemp(prefix="sim-compare-"))
    target = Path(out) if out is not None else (tmp or Path()) / "comparison"
    try:
        run_comparison(arms, target, seeds=seed_list, community=community, sets=sets,
                       workers=workers, scheduler=scheduler, resume=resume, force=force,
                       progress=progress, lang=lang, window=window, command=command,
                       xlsx=xlsx, report=keep, uncertainty=spec)
        from sim.experiments.report import load_comparison

        return load_comparison(target, lang)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def run_comparison(arms: Sequence[Arm], out: str | Path, *, seeds: Sequence[int],
                   community: str | None = None, sets: Sequence[str] = (),
                   workers: int | None = None, scheduler: str | None = None,
                   resume: bool = False, force: bool = False, progress: bool = True,
                   lang: str = "zh", window: int = WINDOW, command: str = "",
                   xlsx: bool = False, report: bool = True,
                   uncertainty: UncertaintySpec | None = None) -> Path:
    """Run a comparison into ``out`` by the sweep engine, then write its report.

    Plan (:func:`comparison_plan`), executor (:class:`~sim.experiments.executors.Executor`:
    this process, local workers or a Dask cluster) and storage (one part file per run and
    the manifest, :mod:`sim.experiments.storage`) are a sweep's; the report is the
    analysis step :func:`sim.experiments.report.write_report` over what is stored.

    A driver killed outright (``SIGKILL``, the OOM killer, a lost node) leaves its finished
    runs, which ``resume`` continues: the same arguments (they are checked against the
    manifest, and so is what every design's presets and files resolve to) then run only
    the runs without a valid part file. A comparison that stops with an error it can
    report (Ctrl-C, a full disk, a failed run or report) leaves ``out`` as it found it: a
    new directory is removed, one replaced with ``force`` is restored, and a resumed one
    keeps its part files.

    Args:
        arms: The designs, resolved (:func:`resolve_designs`).
        out: The comparison directory.
        seeds: The seeds, the same for every design.
        community: The ``--community`` argument as given, recorded.
        sets: The ``--set`` arguments, recorded.
        workers: Local processes (None: one per CPU, at most one per run).
        scheduler: Address of a Dask scheduler (then ``workers`` must be None).
        resume: Finish the comparison already in ``out``.
        force: Replace the comparison already in ``out`` (only its own files).
        progress: Show a progress bar (on a terminal only).
        lang: Language of the report.
        window: Months averaged at the end of each run (at most the months run).
        command: The command line that reproduces the comparison.
        xlsx: Also write ``summary.xlsx``.
        report: Write the report files (``sim report`` can write them later).
        uncertainty: The parameter sets every design runs with (:func:`resolve_uncertainty`),
            or None to run at the designs' values.

    Returns:
        ``out``.

    Raises:
        ConfigError: For an ``out`` that may not be used, other arguments or inputs on
            ``resume``, an unreachable scheduler, a full disk, a failed run.
    """
    from sim.experiments import storage
    from sim.experiments.executors import Executor, fingerprint_runs
    from sim.experiments.report import load_comparison, write_report

    target = Path(out)
    mode = prepare_outdir(target, resume=resume, force=force)
    steps = arms[0].scenario.run.steps
    used_window = min(window, steps)
    plan = comparison_plan(arms, seeds, uncertainty)
    job = comparison_job(arms, target, uncertainty)
    runs = fingerprint_runs(job, plan.runs)
    manifest = comparison_manifest(arms, plan, runs, seeds=seeds, window=used_window,
                                   command=command, community=community, sets=sets,
                                   lang=lang, xlsx=xlsx, uncertainty=uncertainty)
    if mode == "resume":
        recorded = storage.read_manifest(target, (COMMAND,))
        storage.check_same_sweep(recorded, manifest)
        storage.check_inputs(recorded, manifest)
        manifest = recorded
    with Executor(workers, scheduler) as executor:  # connects before anything is written
        undo = _start(target, mode)
        try:
            if mode != "resume":
                storage.write_manifest(target, manifest)
            todo = storage.pending(target, runs, steps + 1)
            executor.run(job, todo, progress=progress, total=len(runs),
                         desc=MESSAGES.get(lang, MESSAGES["en"])["bar"], func=simulate)
            if manifest.get("finished") is None:
                storage.mark_finished(target, manifest)
            if report:
                write_report(target, load_comparison(target, lang), lang, xlsx=xlsx)
        except ConfigError as exc:
            if mode == "resume":
                raise
            undo(False)  # nothing is kept: say so, not what a sweep would keep
            raise ConfigError(exc.field, re.sub(r"[;:,]? *finished runs are kept.*$",
                                                "; nothing was kept: run the comparison again",
                                                exc.message)) from None
        except KeyboardInterrupt:
            if mode != "resume":
                undo(False)
                raise
            raise ConfigError("interrupted", f"stopped by Ctrl-C; finished runs are kept in "
                                             f"{target}: continue with the same command and "
                                             "--resume") from None
        except BaseException:
            if mode != "resume":
                undo(False)
            raise
        undo(True)
    return target


def prepare_outdir(out: Path, *, resume: bool, force: bool) -> str:
    """Check that a comparison may write to ``out``, and say how.

    The checks of every command's output (:func:`sim.output.check_outdir`: not the current
    directory, names the file system can hold, leftovers of a killed writer cleaned, an
    existing directory only with ``--force`` and only if it is an earlier comparison
    holding nothing but a comparison's files), with ``--resume`` taking the place of
    ``--force`` for a comparison that stored its runs.

    Returns:
        ``"new"`` (missing or empty), ``"resume"`` or ``"replace"``.

    Raises:
        ConfigError: (field ``--out``, ``--force`` or ``--resume``) when ``out`` may not be
            used so.
    """
    from sim.experiments import storage
    from sim.output import check_outdir, output_command

    if resume and force:
        raise ConfigError("--force", "cannot be combined with --resume: --resume finishes "
                                     "the comparison in DIR, --force replaces it")
    if (force or resume) and output_command(out) == COMMAND:
        storage.remove_temporary(out)  # a killed comparison's half-written part files
    check_outdir(out, force or resume, output=compare_output())
    storage.check_path_length(out)
    if not out.is_dir() or not any(out.iterdir()):
        return "new"
    if not resume:
        return "replace"
    data = storage._load_json(out / MANIFEST)
    if storage.manifest_command(data) != COMMAND:
        raise ConfigError("--resume", f"{out} holds a comparison that did not store its runs "
                                      "(written by an older sim); start it again with --force")
    return "resume"


def _start(out: Path, mode: str) -> Callable[[bool], None]:
    """Create ``out`` for a comparison; return what ends it: ``undo(ok)``.

    ``replace`` moves the earlier comparison aside, into a hidden directory beside ``out``
    named as :func:`sim.output.clean_stale` knows (it puts it back if this process dies
    before the new one is started, and deletes it otherwise); ``undo(True)`` deletes it,
    ``undo(False)`` removes the new ``out`` (and the parents created for it) and puts the
    earlier one back. Every mode removes the temporary files of killed writers.
    """
    import shutil
    import tempfile

    from sim.experiments import storage
    from sim.output import _make_parents, _remove_empty, _tmp_prefix

    target = Path(os.path.abspath(out))
    backup: Path | None = None
    existed = target.is_dir()
    try:
        created = _make_parents(target)
        if mode == "replace":
            backup = Path(tempfile.mkdtemp(prefix=_tmp_prefix(target.name, "old", COMMAND),
                                           dir=target.parent))
            os.replace(target, backup / target.name)
        (target / storage.RUNS_DIR).mkdir(parents=True, exist_ok=True)
        storage.remove_temporary(target)
    except OSError as exc:
        raise ConfigError("--out", f"cannot create {out}: {exc.strerror or exc}") from None

    def undo(ok: bool) -> None:
        if not ok and mode != "resume":
            shutil.rmtree(target, ignore_errors=True)
            if backup is not None and (backup / target.name).exists():
                os.replace(backup / target.name, target)
            elif existed:
                target.mkdir(exist_ok=True)  # the empty directory it was given
            _remove_empty(created)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)

    return undo


def command_line(configs: Sequence[str], community: str | None, n_seeds: int, seed_start: int,
                 steps: int | None, sets: Sequence[str], lang: str,
                 out: str | Path | None = None,
                 uncertainty: UncertaintySpec | None = None) -> str:
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
    if uncertainty is not None:
        parts += ["--uncertainty", str(uncertainty.n), "--uncertainty-method",
                  uncertainty.method, "--uncertainty-seed", str(uncertainty.seed)]
        if uncertainty.only is not None:
            parts += ["--uncertain", ",".join(uncertainty.only)]
        if uncertainty.posterior is not None:
            parts += ["--posterior", uncertainty.posterior["dir"]]
        for name, value in uncertainty.thresholds.items():
            parts += ["--threshold", f"{name}={value:g}"]
    parts += ["--lang", lang]
    if out is not None:
        parts += ["--out", str(out)]
    return shlex.join(parts)


# --------------------------------------------------------------------------- command


def default_out(community: str) -> Path:
    """Return ``out/compare-<community>``, with the name made safe as a folder name."""
    safe = re.sub(r"[^\w.-]+", "_", community).strip("._") or "community"
    return Path("out") / f"compare-{safe}"


def compare_command(args: argparse.Namespace) -> int:
    """Run ``sim compare``: check every input, run, write the report, say where."""
    from sim.fonts import use_cjk_font

    if args.seeds < 1:
        raise ConfigError("--seeds", f"must be at least 1 (got {args.seeds})")
    if args.seed_start < 0:
        raise ConfigError("--seed-start", f"must be ≥ 0 (got {args.seed_start})")
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", f"must be at least 1 (got {args.workers})")
    if args.workers is not None and args.scheduler is not None:
        raise ConfigError("--workers", "cannot be combined with --scheduler: the cluster's "
                                       "workers run the comparison")
    arms = resolve_designs(args.configs, args.community, args.set, args.steps)
    spec = resolve_uncertainty(arms, args.uncertainty, method=args.uncertainty_method,
                               seed=args.uncertainty_seed, uncertain=args.uncertain,
                               thresholds=args.threshold or (), sets=args.set,
                               posterior=args.posterior)
    n_sets = spec.n if spec is not None else 1
    scenario = arms[0].scenario
    check_resources(len(arms), args.seeds, scenario.run.steps,
                    scenario.community.n_households, args.workers, n_sets=n_sets)
    if args.lang == "zh":
        use_cjk_font()  # fail before the runs, not after them
    out = Path(args.out) if args.out is not None else default_out(scenario.community.name)
    seeds = list(range(args.seed_start, args.seed_start + args.seeds))
    command = command_line(args.configs, args.community, args.seeds, args.seed_start,
                           args.steps, args.set, args.lang, args.out, uncertainty=spec)
    out = run_comparison(arms, out, seeds=seeds, community=args.community, sets=args.set,
                         workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                         force=args.force, progress=not args.quiet, lang=args.lang,
                         command=command, xlsx=args.xlsx, uncertainty=spec)
    if args.quiet:
        print(out)
        return 0
    from sim.experiments.report import load_comparison

    comp = load_comparison(out, args.lang)
    text = MESSAGES[args.lang]
    if spec is None:
        print(text["runs"].format(n=len(arms) * args.seeds, designs=len(arms),
                                  seeds=args.seeds, steps=comp.steps))
    else:
        line = section("compare_uncertainty")[args.lang]["runs_uncertain"]
        print(line.format(n=len(arms) * args.seeds * spec.n, designs=len(arms), sets=spec.n,
                          seeds=args.seeds, steps=comp.steps, params=len(spec.params)))
        if spec.posterior is not None:
            from sim.posterior import describe

            print(describe(spec.posterior, args.lang))
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
    from sim.cli_base import (
        REPORT_LANG_HELP,
        SET_HELP,
        HelpFormatter,
        add_executor_options,
        add_output_options,
    )

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
    add_executor_options(
        parser, resume_help="finish the comparison in DIR after it was killed: skip the runs "
                            "whose part file is complete, run the rest, write the report; the "
                            "arguments and what the designs resolve to must be unchanged "
                            "(default: off). 继续被中断的比较")
    parser.add_argument("--uncertainty", metavar="N", type=int,
                        help="draw N parameter sets from the priors of the parameters that "
                             "apply to any compared design (docs/parameters.md) and run every "
                             "design with the same sets and the same seeds (N × seeds runs per "
                             "design); the report then separates the interval over parameter "
                             "sets from the seed noise (default: off, the designs' values). "
                             "参数不确定性：从先验分布抽取 N 组参数，各模式使用相同的参数组与种子")
    parser.add_argument("--uncertainty-method", metavar="METHOD", choices=("sobol", "lhs"),
                        help="how the sets spread over the priors: sobol (scrambled Sobol') or "
                             "lhs (Latin hypercube) (default: sobol). 抽样方法")
    parser.add_argument("--uncertainty-seed", metavar="S", type=int,
                        help="seed of the parameter sets; the same seed gives the same sets "
                             "(default: 0). 参数抽样的随机种子")
    parser.add_argument("--uncertain", metavar="PATH,...", action="append",
                        help="only these parameters are uncertain (dotted paths as for --set, "
                             "comma-separated, repeatable; each must declare a prior) "
                             "(default: every prior that applies). 只对这些参数抽样")
    parser.add_argument("--posterior", metavar="DIR",
                        help="with --uncertainty: draw the parameters that the 'sim calibrate' "
                             "in DIR calibrated from its posterior (resampled by weight), the "
                             "others from their priors; the report says which (default: the "
                             "priors alone). 从校准后验抽取已校准参数")
    parser.add_argument("--threshold", metavar="OUTCOME=VALUE", action="append",
                        help="with --uncertainty: report the share of parameter sets in which "
                             "each design meets VALUE (≥ for outcomes where more is better, ≤ "
                             "where less is, e.g. condition=0.6, petitions=5); repeatable "
                             "(default: none). 达标阈值：报告各模式达标的参数组比例")
    add_output_options(
        parser, "out/compare-<community>", lang_help=REPORT_LANG_HELP,
        force_help=f"replace DIR if it is an earlier comparison (its {MANIFEST} says sim "
                   "compare) holding only a comparison's files; a run's or a sweep's "
                   "directory, or one with other files, is never replaced (the error lists "
                   "the files to move) (default: off). 仅覆盖旧的比较结果目录")
    parser.set_defaults(handler=compare_command)
