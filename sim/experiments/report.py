"""``sim report DIR``: the report of a comparison, as an analysis step over its stored runs.

``sim compare`` stores its runs as a sweep does (one Parquet part file per design and seed
in ``DIR/runs/`` and ``DIR/manifest.json``, :mod:`sim.experiments.storage`), then calls
this step, which reads them back and writes, beside them::

    report.html          the report (self-contained)
    summary.csv          per design and outcome: means, intervals, differences, p-values
    runs.csv             one row per run: the window means and the totals
    timeseries.parquet   one row per design, seed and month (units in the file)
    timeseries.csv       the same table as CSV
    figures/*.png        time series with 95 % bands; the differences
    summary.xlsx         with --xlsx: the summary and runs tables and the columns

The numbers depend only on the stored runs, so ``sim report DIR`` regenerates the same
report (in another language with ``--lang``) from a finished comparison, and refuses an
unfinished one (a run has no part file yet: ``sim compare ... --resume`` finishes it). The
report files are written into a hidden folder in ``DIR`` and moved into place once all are
written, so a failed report leaves the previous one (or none) and the runs untouched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError
from sim.experiments.comparison import (
    COMMAND,
    DESIGN,
    FIGURES,
    MANIFEST,
    PARAM_SET,
    REPORT,
    RUN_SCALARS,
    RUNS,
    SUMMARY,
    TIMESERIES,
    TIMESERIES_CSV,
    XLSX,
)
from sim.text import section

if TYPE_CHECKING:
    from sim.experiments.comparison import Comparison

DESCRIPTION = """\
Write (again) the report of a finished comparison from its stored runs.
根据已保存的运行结果（重新）生成比较报告。

DIR is the output of 'sim compare' (its runs/ and manifest.json). The report files are
replaced; the runs are only read. 读取 DIR 中 sim compare 保存的运行结果，重写报告文件。
"""

EPILOG = """\
examples / 示例:
  sim compare baseline nanan_131 --community heping_road --seeds 10 --out out/131
  sim report out/131 --lang en          # the same report in English / 英文报告
  sim report out/131 --xlsx             # add summary.xlsx

writes in DIR / 写入: report.html, summary.csv, runs.csv, timeseries.parquet,
  timeseries.csv, figures/*.png and, with --xlsx, summary.xlsx (see 'sim compare --help').
  The numbers are the same whenever the report is made: they come from the stored runs.
  报告中的数字只取决于已保存的运行结果。

exit status / 退出码: 0 done; 2 not a comparison, an unfinished one (finish it with
  'sim compare ... --resume'), a file of yours among the report's, or a full disk,
  reported on one line 'sim: error: FIELD: message'.
"""

MESSAGES: dict[str, dict[str, str]] = section("report")
"""Messages printed by ``sim report``, by language."""

REPORT_FILES = (REPORT, SUMMARY, RUNS, TIMESERIES, TIMESERIES_CSV)
"""The report's files besides ``figures/`` and ``summary.xlsx``."""

RUN_SCALAR_UNITS = {"households": "households", "compounds": "compounds",
                    "firm_entries": "count", "firm_exits": "count",
                    "petitions_total": "household-months", "gov_spending_total": "yuan",
                    "gov_spending_no_campaigns_total": "yuan"}
"""Units of :data:`~sim.experiments.compare.RUN_SCALARS`, for the headers of ``summary.xlsx``."""


# --------------------------------------------------------------------------- reading


def read_comparison_manifest(out: str | Path) -> dict[str, Any]:
    """The manifest of the comparison in ``out``.

    Raises:
        ConfigError: (field ``DIR``) if ``out`` is not a comparison that stored its runs.
    """
    from sim.experiments.storage import read_manifest

    path = Path(out)
    if not (path / MANIFEST).is_file():
        raise ConfigError(str(out), f"not a comparison (no {MANIFEST}); run 'sim compare "
                                    "CONFIG... --out DIR' first")
    try:
        return read_manifest(path, (COMMAND,))
    except ConfigError as exc:
        from sim.output import output_command

        owner = output_command(path)
        if owner == COMMAND:
            raise ConfigError(str(out), "a comparison written by an older sim, before "
                                        "comparisons stored their runs; run it again with "
                                        "'sim compare ... --force'") from None
        what = f"the output of 'sim {owner}'" if owner else exc.message
        raise ConfigError(str(out), f"not a comparison ({what}); 'sim report' reads the "
                                    "output of 'sim compare'") from None


def load_comparison(out: str | Path, lang: str | None = None) -> Comparison:
    """Read a finished comparison back from its stored runs, with its statistics.

    Args:
        out: The comparison directory.
        lang: Language of the labels in the summary (default: the one it was run with).

    Returns:
        The :class:`~sim.experiments.compare.Comparison`: the same tables, to the last
        bit, as the runs gave when they were made.

    Raises:
        ConfigError: (field ``DIR``) if ``out`` is not a comparison, or is unfinished;
            (field: a part file) for a part file that is not one of its runs.
    """
    import pandas as pd

    from sim.config import scenario_from_dict
    from sim.experiments.analyze import read_parts
    from sim.experiments.comparison import Arm, Comparison, summarise, window_means
    from sim.experiments.storage import check_parts, part_run_id, part_run_info
    from sim.metrics import COLUMNS

    manifest = read_comparison_manifest(out)
    files, missing = check_parts(out, manifest)
    if missing or manifest.get("finished") is None:
        again = manifest.get("command_line") or "sim compare ..."
        raise ConfigError(str(out), f"the comparison is unfinished ({len(missing)} of "
                                    f"{len(manifest['runs'])} runs have no part file yet); "
                                    f"finish it with '{again} --resume'")
    lang = lang or manifest.get("report", {}).get("lang", "zh")
    arms = [Arm(d["key"], d["config"], scenario_from_dict(config),
                sets_applied=tuple(d["sets_applied"]), sets_skipped=tuple(d["sets_skipped"]))
            for d, config in zip(manifest["designs"], manifest["group_configs"], strict=True)]
    steps, window = int(manifest["steps"]), int(manifest["outcome_months"])
    uncertainty = manifest.get("uncertainty")
    keys = [DESIGN, *([PARAM_SET] if uncertainty else []), "seed"]
    paths = [u["path"] for u in uncertainty["parameters"]] if uncertainty else []
    table = read_parts(files, columns=[*keys, "month", *COLUMNS]).to_pandas()
    timeseries = table.reset_index(drop=True)
    for name in (*keys[1:], "month"):
        timeseries[name] = timeseries[name].astype("int64")
    by_id = {run["run_id"]: run for run in manifest["runs"]}
    campaigns = tuple(int(m) for m in manifest.get("campaign_months", ()))
    months = tuple(int(m) for m in manifest.get("window_months", ()))
    scalars = []
    versions: dict[str, str] = {}
    rows = steps + 1
    for i, path in enumerate(files):
        run = by_id[part_run_id(path)]
        info = part_run_info(path)
        versions = versions or dict(info.get("versions", {}))
        frame = timeseries.iloc[i * rows:(i + 1) * rows]
        after = frame[frame["month"] > 0]
        quiet = after[~after["month"].isin(campaigns)]
        scalars.append({DESIGN: run["params"][DESIGN],
                        **({PARAM_SET: int(run["params"][PARAM_SET])} if uncertainty else {}),
                        "seed": int(run["seed"]),
                        **{path_: run["params"].get(path_, float("nan")) for path_ in paths},
                        "households": float(info.get("households", float("nan"))),
                        "compounds": float(info.get("compounds", float("nan"))),
                        "firm_entries": float(info.get("firm_entries", float("nan"))),
                        "firm_exits": float(info.get("firm_exits", float("nan"))),
                        "petitions_total": float(after["petitions"].sum()),
                        "gov_spending_total": float(after["gov_spending"].sum()),
                        "gov_spending_no_campaigns_total": float(quiet["gov_spending"].sum())})
    means = window_means(timeseries, steps, window, months)
    runs = pd.DataFrame(scalars).merge(means, on=keys, how="left", validate="one_to_one")
    runs = runs[[*keys, *paths, *RUN_SCALARS, *COLUMNS]]
    param_sets: list[dict[str, Any]] = []
    if uncertainty:
        firsts = runs.drop_duplicates(PARAM_SET).sort_values(PARAM_SET)
        param_sets = [{p: row[p] for p in paths} for _, row in firsts.iterrows()]
    thresholds = dict((uncertainty or {}).get("thresholds") or {})
    return Comparison(arms=arms, seeds=[int(s) for s in manifest["seeds"]], steps=steps,
                      window=window, timeseries=timeseries, runs=runs,
                      summary=summarise(runs, arms, lang, thresholds), lang=lang,
                      command=manifest.get("command_line", ""),
                      created=manifest.get("created", ""), versions=versions,
                      community_source=manifest.get("community", {}).get("given"),
                      months=months, campaigns=campaigns, uncertainty=uncertainty,
                      param_sets=param_sets)


# --------------------------------------------------------------------------- writing


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


def _write_files(tmp: Path, comp: Comparison, lang: str, xlsx: bool) -> list[str]:
    """Write every report file of a comparison into ``tmp``; return their names."""
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
    return [*REPORT_FILES, *([XLSX] if xlsx else []),
            *(f"{FIGURES}/{fig.path.name}" for fig in figures), MANIFEST]


def write_report(out: str | Path, comp: Comparison, lang: str | None = None, *,
                 xlsx: bool = False) -> list[str]:
    """Write the report files of a comparison into its directory, replacing earlier ones.

    They are written into a hidden folder ``DIR/.report.tmp-*`` and moved into place when
    all are complete; the manifest then lists them (``files``), with the language and
    whether ``summary.xlsx`` was asked (``report``), and the versions that ran the runs.

    Args:
        out: The comparison directory (its runs stay as they are).
        comp: The comparison, as :func:`load_comparison` reads it.
        lang: Language of the report and figures (default ``comp.lang``).
        xlsx: Also write ``summary.xlsx`` (an earlier one is removed otherwise).

    Returns:
        The files of the comparison, as the manifest lists them.

    Raises:
        ConfigError: (field ``--out``) for a file of the user's in ``figures/`` (which is
            replaced as a whole), or a full disk (nothing is replaced).
    """
    from sim.experiments import storage
    from sim.experiments.comparison import compare_output
    from sim.output import listed, refused_write

    target = Path(out)
    lang = lang or comp.lang
    foreign = [name for name in compare_output().foreign(target)
               if name.startswith(f"{FIGURES}/")]  # figures/ is replaced as a whole
    if foreign:
        shown = listed(foreign)
        raise ConfigError("--out", f"{target} holds files that 'sim compare' does not write "
                                   f"({shown}); the report replaces only its own files, so "
                                   "move them elsewhere")
    for stale in target.glob(".report.tmp-*"):  # what a killed report left
        shutil.rmtree(stale, ignore_errors=True)
    tmp: Path | None = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".report.tmp-", dir=target))
        files = _write_files(tmp, comp, lang, xlsx)
        manifest = storage.read_manifest(target, (COMMAND,))
        manifest.update(files=files, report={"lang": lang, "xlsx": xlsx},
                        versions=comp.versions)
        if (target / FIGURES).exists():
            os.replace(target / FIGURES, tmp / f".old-{FIGURES}")
        os.replace(tmp / FIGURES, target / FIGURES)
        for name in (*REPORT_FILES, *([XLSX] if xlsx else [])):
            os.replace(tmp / name, target / name)
        if not xlsx:
            (target / XLSX).unlink(missing_ok=True)
        storage.write_manifest(target, manifest)
    except OSError as exc:
        raise refused_write(exc, target, "the report was not written") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return files


# --------------------------------------------------------------------------- command


def report_command(args: argparse.Namespace) -> int:
    """Run ``sim report``."""
    from sim.fonts import use_cjk_font

    manifest = read_comparison_manifest(args.dir)
    recorded = manifest.get("report", {})
    lang = args.lang or recorded.get("lang", "zh")
    if lang == "zh":
        use_cjk_font()
    comp = load_comparison(args.dir, lang)
    files = write_report(args.dir, comp, lang, xlsx=args.xlsx or bool(recorded.get("xlsx")))
    if args.quiet:
        print(args.dir)
        return 0
    text = MESSAGES[lang]
    out = Path(args.dir)
    shown = [name for name in files if not name.startswith(f"{FIGURES}/")]
    shown.insert(len(REPORT_FILES), f"{FIGURES}/")
    print(text["wrote"].format(out=out, files=("、" if lang == "zh" else ", ").join(shown)))
    print(text["open"].format(report=out / REPORT))
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim report``."""
    from sim.cli_base import HelpFormatter

    parser = subparsers.add_parser(
        "report", help="write the report of a finished comparison again / 重新生成比较报告",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("dir", metavar="DIR",
                        help="the output directory of 'sim compare' (required). 比较结果目录")
    parser.add_argument("--lang", choices=("zh", "en"),
                        help="language of the report, figures and messages (default: the one "
                             "the comparison was run with). 报告语言")
    parser.add_argument("--xlsx", action="store_true",
                        help=f"also write {XLSX} (default: if the comparison asked for it). "
                             "另存 Excel 汇总表")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the directory (default: off). 安静模式")
    parser.set_defaults(handler=report_command)

