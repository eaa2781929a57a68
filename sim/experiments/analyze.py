"""Reading sweep results, and ``sim analyze``: Sobol and Morris sensitivity indices.

:func:`load_results` (also ``sim.load_results``) returns a sweep's data as one tidy frame:
a row per run and month, with ``run_id``, ``sample``, ``seed``, ``month``, one column per
parameter and every model column. It reads the part files with :mod:`pyarrow.dataset` and can
read only some columns.

``sim analyze DIR`` summarises each run by the mean of each outcome over its last
``outcome_months`` months, averages the runs of a sample over their seeds, and computes per
outcome (and per combination of categorical levers, e.g. per design):

- after a ``sobol`` sweep, Sobol indices (``SALib.analyze.sobol``): first-order ``S1`` and
  total ``ST`` with their bootstrap confidence intervals (``S2`` with ``second_order``);
- after a ``morris`` sweep, elementary effects (``SALib.analyze.morris``): ``mu``,
  ``mu_star``, ``sigma`` and the confidence interval ``mu_star_conf``.

It writes ``indices.csv``, ``summary.csv`` (one row per sample) and one bar chart per
outcome with error bars into ``DIR/analysis``. Latin hypercube and full factorial sweeps have
no indices: analyse their data with :func:`load_results`.

**Part files are checked, not trusted by name.** Both readers go through
:func:`sim.experiments.storage.check_parts`, the rule ``--resume`` uses: a part file of no
run of the manifest, one holding another run (swapped), one of the wrong length, one
computed from other inputs, or one that is not Parquet is a one-line error naming the file.
Runs of an unfinished sweep that have no part file yet: :func:`load_results` returns the
finished runs and warns how many are missing; ``sim analyze`` refuses (Saltelli's and
Morris's estimators need every sample).

**Indices too uncertain to read are flagged, never clipped.** A small sample gives Sobol
indices such as S1 = −0.08 ± 0.3 or 1.03 ± 0.3. Every index whose confidence interval is
wider than the index itself (``conf > |index|``: even its sign is uncertain) or that lies
outside [0, 1] by more than its interval (Sobol indices are shares of variance) gets a flag
in the ``warning`` column of ``indices.csv`` (``S1:wide``, ``ST:outside``, ``mu_star:wide``;
empty when the index is usable), a hatched bar and a note in its figure, and a line on
stdout telling how to get narrower intervals (a larger ``sampler.n``).
"""

from __future__ import annotations

import argparse
import fnmatch
import itertools
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.experiments.storage import (
    ANALYSIS_PATTERNS,
    INDICES_CSV,
    S2_CSV,
    STORED_COMMANDS,
    SUMMARY_CSV,
    check_parts,
    check_path_length,
    read_manifest,
    write_error,
)
from sim.metrics import COLUMNS, label
from sim.text import section

INDEX_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "sigma", "mu_star_conf"),
}
"""Columns of ``indices.csv`` for each method, after outcome, group values and parameter."""

CONF_LEVEL = 0.95
NUM_RESAMPLES = 1000
READ_GROUP = 256
"""Part files read together by :func:`read_parts`."""

AGAIN = "nothing was written: free some space, then run sim analyze again"
"""What to do after a full disk, for :func:`~sim.experiments.storage.write_error`."""

CHECKED = {"sobol": (("S1", "S1_conf", True), ("ST", "ST_conf", True)),
           "morris": (("mu_star", "mu_star_conf", False),)}
"""Indices checked for usable intervals: (index, its interval, a share bounded by [0, 1])."""

def is_analysis_file(name: str) -> bool:
    """True for the name of a file :func:`analyze` writes (``sim sweep --force`` deletes it)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in ANALYSIS_PATTERNS)


# --------------------------------------------------------------------------- reading


def load_results(path: str | os.PathLike[str], *,
                 columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Load a sweep's or a comparison's results as one tidy frame.

    Args:
        path: The sweep directory (``sim sweep ... --out DIR``) or comparison directory
            (``sim compare ... --out DIR``, whose one parameter is ``design``).
        columns: Columns to read (default: all); ``run_id`` and ``month`` are always read.

    Returns:
        One row per run and month, sorted by ``run_id`` then ``month``: ``run_id``,
        ``sample``, ``seed``, ``month``, one column per parameter (named by its dotted path),
        then the model columns of :data:`sim.metrics.COLUMNS`. Only finished runs are present
        (a run's file is written whole or not at all); if some are missing (an unfinished
        sweep), a ``UserWarning`` says how many.

    Raises:
        ConfigError: If ``path`` is not a sweep directory, has no finished run, a column is
            unknown, or a part file is not one of the manifest's runs, holds another run, or
            cannot be read (:func:`~sim.experiments.storage.check_parts`; the error names the
            file).
    """
    import pyarrow.dataset as ds

    out = Path(path)
    manifest = read_manifest(out, STORED_COMMANDS)
    files, missing = check_parts(out, manifest)
    if not files:
        raise ConfigError(str(out), "the sweep has no finished run yet (no runs/part-*.parquet)")
    if missing:
        again = (f"'{manifest['command_line']} --resume'" if manifest.get("command") == "compare"
                 else f"'sim sweep SWEEP --out {out} --resume'")
        warnings.warn(f"{out}: {len(missing)} of {len(manifest['runs'])} runs have no part "
                      f"file yet (first: {missing[0]}); the frame holds the finished runs "
                      f"only: finish it with {again}", UserWarning, stacklevel=2)
    names = ds.dataset([str(files[0])], format="parquet").schema.names
    if columns is not None:
        unknown = [c for c in columns if c not in names]
        if unknown:
            from sim.config import _unknown

            raise ConfigError("columns", _unknown(unknown[0], names, "column"))
        wanted = ["run_id", "month", *(c for c in columns if c not in ("run_id", "month"))]
        columns = [c for c in names if c in wanted]
    df = read_parts(files, columns=list(columns) if columns is not None else None).to_pandas()
    return df.sort_values(["run_id", "month"], kind="stable").reset_index(drop=True)


def read_parts(files: Sequence[Path], *, columns: list[str] | None = None,
               filter: Any = None) -> Any:
    """Read part files with :mod:`pyarrow.dataset` into one table of few chunks.

    Files are read :data:`READ_GROUP` at a time and each group's chunks are joined at once:
    one chunk per file and column would cost about 80 kB of bookkeeping per file (800 MB for a
    10,000-run sweep), for tables of a few kilobytes.

    Args:
        files: Part files, in run order.
        columns: Columns to read (default: all).
        filter: A :mod:`pyarrow.dataset` filter expression on the rows.

    Returns:
        A ``pyarrow.Table`` with the rows of ``files`` in order.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    schema = ds.dataset([str(files[0])], format="parquet").schema
    tables = []
    for start in range(0, len(files), READ_GROUP):
        group = ds.dataset([str(f) for f in files[start:start + READ_GROUP]], format="parquet",
                           schema=schema)
        tables.append(group.to_table(columns=columns, filter=filter).combine_chunks())
    return pa.concat_tables(tables).combine_chunks()


def summarise(out: str | os.PathLike[str], outcomes: Sequence[str],
              manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """Mean of each outcome over the last ``outcome_months`` months, averaged over seeds.

    Only the months and columns needed are read, so memory stays small for large sweeps.

    Args:
        out: The sweep directory.
        outcomes: Model columns to summarise.
        manifest: The sweep's manifest (read from ``out`` when None).

    Returns:
        One row per sample, in sample order: ``sample``, ``group``, ``seeds`` (runs
        averaged), one column per parameter, then one column per outcome.

    Raises:
        ConfigError: If runs are missing (the sweep is unfinished).
    """
    import pyarrow.dataset as ds

    manifest = read_manifest(out) if manifest is None else manifest
    runs = manifest["runs"]
    files, missing = check_parts(out, manifest)
    if missing:
        raise ConfigError(str(out), f"{len(missing)} of {len(runs)} runs are missing (first: "
                                    f"{missing[0]}); finish the sweep with 'sim sweep SWEEP "
                                    f"--out {out} --resume'")
    cutoff = manifest["steps"] - manifest["outcome_months"]
    table = read_parts(files, columns=["sample", "seed", "month", *outcomes],
                       filter=ds.field("month") > cutoff)
    per_run = table.to_pandas().groupby(["sample", "seed"])[list(outcomes)].mean()
    per_sample = per_run.groupby(level="sample")
    y = per_sample.mean()
    y["seeds"] = per_sample.size()
    kinds = {p["name"]: p for p in manifest["params"]}
    samples = pd.DataFrame([{"sample": s["sample"], "group": s["group"],
                             **{k: _cell(kinds[k], v) for k, v in s["params"].items()}}
                            for s in manifest["samples"]])
    frame = samples.merge(y.reset_index(), on="sample", how="left", validate="one_to_one")
    params = [p["name"] for p in manifest["params"]]
    return frame[["sample", "group", "seeds", *params, *outcomes]]


# --------------------------------------------------------------------------- indices


def compute_indices(manifest: dict[str, Any], summary: pd.DataFrame,
                    outcomes: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sobol or Morris indices of each outcome, per group of categorical values.

    Args:
        manifest: The sweep's manifest (sampler, SALib problem, samples, groups).
        summary: :func:`summarise`'s frame.
        outcomes: Outcomes to analyse.

    Returns:
        ``(indices, second_order)``: the first has one row per outcome, group and parameter
        with the columns of :data:`INDEX_COLUMNS` and ``warning`` (:func:`index_warning`);
        the second has Sobol's ``S2`` per pair of parameters (None unless the sweep sampled
        for second-order indices).

    Raises:
        ConfigError: For a sweep sampled with latin or full_factorial.
    """
    sampler = manifest["sampler"]
    method = sampler["method"]
    if method not in INDEX_COLUMNS:
        raise ConfigError("sampler", f"this sweep used {method}, which gives no sensitivity "
                                     "indices: use sobol or morris for indices (read the data "
                                     "with sim.load_results)")
    problem = manifest["problem"]
    names = problem["names"]
    cats = [p for p in manifest["params"] if p["values"] is not None]
    rows: list[dict[str, Any]] = []
    s2_rows: list[dict[str, Any]] = []
    points = np.array([s["point"] for s in manifest["samples"]], dtype=float)
    for outcome in outcomes:
        for g, group in enumerate(manifest["groups"]):
            ids = summary.index[summary["group"] == g]
            y = summary.loc[ids, outcome].to_numpy(dtype=float)
            x = points[summary.loc[ids, "sample"].to_numpy()]
            where = {"outcome": outcome, **{p["name"]: _cell(p, group[p["name"]])
                                           for p in cats}}
            result = _analyse(method, problem, x, y, sampler)
            for i, name in enumerate(names):
                values = {k: float(np.asarray(result[k])[i]) for k in INDEX_COLUMNS[method]}
                rows.append({**where, "parameter": name, **values,
                             "warning": index_warning(method, values)})
            if method == "sobol" and sampler.get("second_order"):
                for a, b in itertools.combinations(range(len(names)), 2):
                    s2_rows.append({**where, "parameter_1": names[a], "parameter_2": names[b],
                                    "S2": float(result["S2"][a][b]),
                                    "S2_conf": float(result["S2_conf"][a][b])})
    return pd.DataFrame(rows), (pd.DataFrame(s2_rows) if s2_rows else None)


def index_warning(method: str, values: dict[str, float]) -> str:
    """Flags of the indices of one row that are too uncertain to read, or ``""``.

    An index is flagged ``wide`` when its confidence interval (the ± half-width SALib
    reports) is wider than the index (``conf > |index|``: the interval holds 0, so not even
    the sign is known), and ``outside`` when a share of variance (Sobol S1, ST) lies outside
    [0, 1] by more than its interval; ``undefined`` when it is not a number (an outcome that
    did not vary). Nothing is clipped: the values stay as SALib computed them.

    Args:
        method: ``sobol`` or ``morris``.
        values: The row's indices and intervals (columns of :data:`INDEX_COLUMNS`).

    Returns:
        Flags such as ``"S1:wide;ST:outside"``, separated by ``;``.
    """
    flags = []
    for index, conf, share in CHECKED[method]:
        value, half = values[index], values[conf]
        if not (np.isfinite(value) and np.isfinite(half)):
            flags.append(f"{index}:undefined")
        elif half > abs(value):
            flags.append(f"{index}:wide")
        elif share and (value < -half or value > 1 + half):
            flags.append(f"{index}:outside")
    return ";".join(flags)


def flagged(indices: pd.DataFrame, index: str) -> np.ndarray:
    """Boolean mask of the rows whose ``index`` carries a flag of :func:`index_warning`."""
    if "warning" not in indices:
        return np.zeros(len(indices), dtype=bool)
    text = indices["warning"].fillna("").astype(str)
    return text.str.split(";").map(lambda f: any(x.split(":")[0] == index for x in f)).to_numpy(
        dtype=bool)


def _cell(param: dict[str, Any], value: Any) -> Any:
    from sim.experiments.spec import column_value

    return column_value(param["kind"], value)


def bootstrap_seed(sampler_seed: int) -> int:
    """Seed of SALib's bootstrap intervals, derived from the sampler's seed.

    SALib's Sobol analysis treats a seed of 0 as "no seed" (``if seed:``) and would draw its
    bootstrap from the global state, so the intervals of a sweep sampled with seed 0 (the
    default) changed between calls. A seed derived from the sampler's, never 0, keeps them
    reproducible for every sampler seed.
    """
    state = np.random.SeedSequence([int(sampler_seed), 0x5A11B]).generate_state(1, np.uint32)
    return int(state[0]) or 1


def _analyse(method: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray,
             sampler: dict[str, Any]) -> Any:
    """One SALib analysis (warnings about constant outputs silenced: they give NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            if method == "sobol":
                from SALib.analyze import sobol

                return sobol.analyze(problem, y, calc_second_order=bool(sampler["second_order"]),
                                     num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                                     seed=bootstrap_seed(sampler["seed"]))
            from SALib.analyze import morris

            return morris.analyze(problem, x, y, num_resamples=NUM_RESAMPLES,
                                  conf_level=CONF_LEVEL, num_levels=sampler["levels_used"],
                                  seed=bootstrap_seed(sampler["seed"]))


# --------------------------------------------------------------------------- figures

TEXT: dict[str, dict[str, str]] = section("analyze")
"""Figure text by language; outcome labels come from :mod:`sim.metrics`."""


def plot_indices(indices: pd.DataFrame, outcome: str, method: str, group_columns: Sequence[str],
                 path: Path, lang: str = "zh") -> Path:
    """Draw the indices of one outcome as bar charts with error bars, one panel per group.

    Args:
        indices: :func:`compute_indices`'s first frame.
        outcome: The outcome to draw.
        method: ``sobol`` or ``morris``.
        group_columns: Categorical parameters that split the indices into groups.
        path: Where to write the PNG.
        lang: ``zh`` or ``en``.

    Returns:
        ``path``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from sim.plots import unit_text

    text = TEXT[lang]
    data = indices[indices["outcome"] == outcome]
    groups = (list(data.groupby(list(group_columns), sort=False)) if group_columns
              else [((), data)])
    n_params = data["parameter"].nunique()
    fig = Figure(figsize=(max(6.0, 1.1 * n_params + 2.5), 3.4 * len(groups) + 0.8),
                 layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    bars = (("S1", "S1_conf"), ("ST", "ST_conf")) if method == "sobol" else (
        ("mu_star", "mu_star_conf"), ("sigma", None))
    hatched = []
    for ax, (key, rows) in zip(axes, groups, strict=True):
        xs = np.arange(len(rows))
        width = 0.38
        for k, (col, conf) in enumerate(bars):
            err = rows[conf].to_numpy(dtype=float) if conf else None
            drawn = ax.bar(xs + (k - 0.5) * width, rows[col].to_numpy(dtype=float), width,
                           yerr=err, capsize=3, label=text[col])
            hatched += [patch for patch, bad in zip(drawn.patches, flagged(rows, col),
                                                    strict=True) if bad]
        ax.set_xticks(xs, rows["parameter"].tolist(), rotation=20, ha="right", fontsize=8)
        ax.axhline(0, color="0.5", linewidth=0.6)
        unit = COLUMNS[outcome].unit
        ax.set_ylabel(text["sobol_y"] if method == "sobol" else text["morris_y"].format(
            unit="0–1" if unit == "share" else unit_text(unit, lang)))
        keys = key if isinstance(key, tuple) else (key,)
        title = ", ".join(f"{c} = {v}" for c, v in zip(group_columns, keys, strict=True))
        ax.set_title(title or text["all"], fontsize=10)
        ax.legend(fontsize=8)  # before the hatching, so the legend shows plain bars
    for patch in hatched:  # drawn, not hidden or clipped: hatched and pale
        patch.set_hatch("///")
        patch.set_alpha(0.45)
    fig.suptitle(text[method].format(label=label(outcome, lang)), fontsize=13)
    note = text["note"].format(level=CONF_LEVEL)
    if hatched:
        note += "    " + text["flagged"]
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))  # room for the note
    fig.text(0.01, 0.004, note, fontsize=7, color="firebrick" if hatched else "0.4")
    fig.savefig(path, dpi=110)
    return path


# --------------------------------------------------------------------------- the command


def analyze(sweep_dir: str | os.PathLike[str], outcomes: Sequence[str] | None = None,
            out: str | os.PathLike[str] | None = None, lang: str = "zh") -> Path:
    """Compute and write the indices of a finished Sobol or Morris sweep (``sim analyze``).

    Args:
        sweep_dir: The sweep directory.
        outcomes: Model columns to analyse (default: the sweep file's ``outcomes``).
        out: Where to write (default ``DIR/analysis``); replaced if it holds an earlier
            analysis, never if it holds anything else.
        lang: Language of the charts.

    Returns:
        The analysis directory.

    Raises:
        ConfigError: For a directory that is not a finished sweep, an unknown outcome, or a
            sweep sampled without sobol or morris.
    """
    from sim.config import _unknown

    src = Path(sweep_dir)
    manifest = read_manifest(src)
    outcomes = list(outcomes) if outcomes else list(manifest["spec"]["outcomes"])
    for name in outcomes:
        if name not in COLUMNS:
            raise ConfigError("--outcome", _unknown(name, COLUMNS, "outcome"))
    method = manifest["sampler"]["method"]
    if method not in INDEX_COLUMNS:
        raise ConfigError("sampler", f"this sweep used {method}, which gives no sensitivity "
                                     "indices: use sobol or morris for indices (read the data "
                                     "with sim.load_results)")
    target = Path(out) if out is not None else src / "analysis"
    _check_target(target)
    if lang == "zh":
        from sim.fonts import use_cjk_font

        use_cjk_font()
    summary = summarise(src, outcomes, manifest)
    indices, s2 = compute_indices(manifest, summary, outcomes)
    cats = [p["name"] for p in manifest["params"] if p["values"] is not None]
    check_path_length(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as exc:
        raise ConfigError("--out", write_error(target, exc, AGAIN)) from None
    try:
        indices.to_csv(tmp / INDICES_CSV, index=False)
        summary.to_csv(tmp / SUMMARY_CSV, index=False)
        if s2 is not None:
            s2.to_csv(tmp / S2_CSV, index=False)
        for outcome in outcomes:
            plot_indices(indices, outcome, method, cats, tmp / f"{method}-{outcome}.png", lang)
        os.chmod(tmp, 0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except OSError as exc:  # disk full, permissions: nothing half-written is left
        shutil.rmtree(tmp, ignore_errors=True)
        raise ConfigError("--out", write_error(target, exc, AGAIN)) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _check_target(target: Path) -> None:
    """Refuse an output directory that holds something other than an earlier analysis."""
    if target.exists() and (not target.is_dir() or (
            any(target.iterdir()) and not (target / INDICES_CSV).is_file())):
        raise ConfigError("--out", f"{target} exists and is not an earlier analysis (no "
                                   f"{INDICES_CSV}); choose another directory")


ANALYZE_DESCRIPTION = """\
Sensitivity indices of a finished Sobol or Morris sweep, with confidence intervals.
对已完成的 Sobol 或 Morris 参数扫描计算敏感性指数（含置信区间）并作图。

Each run is summarised by the mean of the outcome over its last outcome_months months;
the runs of a sample are averaged over their seeds. Indices are computed per combination
of categorical levers (e.g. per design).
每次运行取最后 outcome_months 个月的均值，同一样本对各随机种子取平均；
按类别杠杆（如治理模式）分组计算。
"""

ANALYZE_EPILOG = """\
indices / 指数:
  sobol    S1 (first order), ST (total effect) and their confidence intervals S1_conf,
           ST_conf: share of the outcome's variance due to the parameter (alone / with
           interactions). 一阶与总效应指数（方差占比）
  morris   mu_star (mean absolute elementary effect, with mu_star_conf), mu, sigma
           (spread: non-linearity or interactions). 平均绝对效应及其离散度

examples / 示例:
  sim sweep configs/sweeps/sobol_behaviour.yaml && sim analyze out/sweep-sobol_behaviour
  sim analyze out/sweep-sobol_behaviour --outcome petitions --outcome trust --lang en

outputs in DIR/analysis (or --out) / 输出文件:
  indices.csv            one row per outcome, group and parameter; column warning flags an
                         index whose interval is wider than the index (S1:wide: it cannot
                         be told from 0) or that lies outside [0, 1] by more than it
                         (ST:outside); empty when usable. Hatched bars in the charts, a
                         line on stdout. 指数表；warning 列标出置信区间过宽或超出 [0, 1] 的指数
  summary.csv            one row per sample: parameters and outcome means / 各样本结果
  <method>-<outcome>.png bar chart with error bars / 柱状图（含误差线）
  Latin hypercube and full factorial sweeps have no indices: read their data with
  sim.load_results(DIR). 拉丁超立方与全因子扫描不计算指数，请用 sim.load_results 读取数据。
  Every part file is checked against manifest.json (run id, rows, inputs): a stray, swapped
  or corrupt file is an error naming it; an unfinished sweep is refused (finish it with
  sim sweep --resume). 每个结果文件都与 manifest.json 核对；未完成的扫描不做分析。
"""


def analyze_command(args: argparse.Namespace) -> int:
    """Run ``sim analyze``."""
    import sys

    target = analyze(args.dir, args.outcome, args.out, args.lang)
    indices = pd.read_csv(target / INDICES_CSV, keep_default_na=False, na_values=[""])
    n_flagged = sum(int(flagged(indices, index).sum())
                    for index, _conf, _share in CHECKED.get(_method(indices), ()))
    total = len(indices) * len(CHECKED.get(_method(indices), ()))
    warning = TEXT[args.lang]["warn"].format(n=n_flagged, total=total) if n_flagged else ""
    if args.quiet:
        print(target)
        if warning:
            print(warning, file=sys.stderr)
        return 0
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(indices.fillna({"warning": ""}).to_string(
            index=False, float_format=lambda v: f"{v:.3f}"))
    files = sorted(p.name for p in target.iterdir())
    print(("结果已写入 {out}/（{files}）" if args.lang == "zh" else "Wrote {out}/ ({files})")
          .format(out=target, files=", ".join(files)))
    if warning:
        print(warning)
    return 0


def _method(indices: pd.DataFrame) -> str:
    """``sobol`` or ``morris``, from the columns of an ``indices.csv``."""
    return "sobol" if "S1" in indices else "morris"


def add_command(subparsers: Any) -> None:
    """Add ``sim analyze`` to the ``sim`` command."""
    from sim.cli_base import HelpFormatter

    parser = subparsers.add_parser(
        "analyze", help="Sobol / Morris indices of a sweep / 敏感性分析",
        description=ANALYZE_DESCRIPTION, epilog=ANALYZE_EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("dir", metavar="DIR", help="a finished sweep directory (required). "
                                                   "扫描结果目录")
    parser.add_argument("--outcome", metavar="NAME", action="append", default=[],
                        help="model column to analyse; repeatable (default: the sweep file's "
                             "outcomes). 分析的指标")
    parser.add_argument("--out", metavar="DIR",
                        help="where to write; replaced if it holds an earlier analysis "
                             "(default: DIR/analysis). 输出目录")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the charts (default: zh). 图表语言")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the output directory (default: off). 安静模式")
    parser.set_defaults(handler=analyze_command)

