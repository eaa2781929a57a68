"""``sim targets FILE``: check a targets file; with a design or community, test the defaults.

Without options it validates the file (:func:`sim.targets.load_targets`) and lists its
targets: figure, unit, quantity, where it applies, calibration or validation, source. With
``--community`` and/or ``--design`` (or ``--seeds``) it runs every community × design pair
the chosen targets cover at the current defaults, ``--seeds K`` seeds each (seeds 0 … K−1,
as long as the targets' windows need), and prints for each target the figure, the simulated
median and range over the seeds, in how many seeds the run is inside, and the verdict; then
it says plainly which targets the defaults miss. That is what a calibration has to fix.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.targets import (
    TEXT,
    Target,
    TargetsFile,
    evaluate,
    load_targets,
    source_text,
    steps_needed,
)

DESCRIPTION = """\
Check a targets file (observed figures with their source), or test the current defaults
against it. 检查目标文件（带出处的观测数字），或检验当前默认参数是否符合这些数字。

Without --community/--design/--seeds the file is validated and its targets listed. With
them, every community × design pair the chosen targets cover runs at the defaults.
不带 --community/--design/--seeds 时只检查并列出目标；带上则按默认参数运行并比较。
"""

EPILOG = """\
examples / 示例:
  sim targets configs/targets/seeds.yaml
  sim targets configs/targets/seeds.yaml --design nanan_131 --seeds 4 --lang en
  sim targets configs/targets/seeds.yaml --community yimin_compound --design baseline

exit status / 退出码: 0 done (also when targets are missed); 2 invalid file or options,
  reported on one line 'sim: error: FIELD: message'.
"""

DEFAULT_SEEDS = 3
"""Seeds per pair when ``--seeds`` is not given."""


def select(spec: TargetsFile, community: str | None, design: str | None) -> list[Target]:
    """The targets of ``spec`` that apply to ``community`` and ``design`` (``None``: any).

    Raises:
        ConfigError: For a name that is not a shipped preset (with the nearest), or if no
            target applies, naming the option and what the file covers.
    """
    from sim.config import preset_names
    from sim.strict import unknown_name

    for option, name, kind, what in (("--community", community, "communities", "community"),
                                     ("--design", design, "designs", "design")):
        if name is not None and name not in preset_names(kind):
            raise ConfigError(option, unknown_name(name, preset_names(kind), what))
    chosen = [t for t in spec.targets
              if (community is None or community in t.communities)
              and (design is None or design in t.designs)]
    if not chosen:
        field = "--community" if community is not None else "--design"
        covered = sorted({f"{c}/{d}" for t in spec.targets for c in t.communities
                          for d in t.designs})
        raise ConfigError(field, f"no target of the file applies to community "
                                 f"{community or 'any'} under design {design or 'any'} "
                                 f"(the file covers: {', '.join(covered)})")
    return chosen


def pairs(targets: list[Target], community: str | None, design: str | None
          ) -> list[tuple[str, str]]:
    """The community × design pairs the targets cover, within the options, in file order."""
    found: list[tuple[str, str]] = []
    for t in targets:
        for c in t.communities:
            for d in t.designs:
                if (community in (None, c)) and (design in (None, d)) and (c, d) not in found:
                    found.append((c, d))
    return found


def run_pair(targets: list[Target], community: str, design: str, seeds: list[int]
             ) -> pd.DataFrame:
    """Evaluate the targets on one pair at the defaults, over seeds; one row per target.

    Columns: target, observed, unit, kind, simulated (median over seeds), sim_low and
    sim_high (range over seeds), inside (seeds inside, NA when a target is not judged),
    n (seeds with a value) and verdict (``hit``: the median is inside; ``miss``;
    ``unjudged``: a bare value without tolerance; ``novalue``: the quantity had no value).
    """
    from sim.config import load_config
    from sim.model import CompoundModel
    from sim.targets import run_recorded

    scn = load_config({"community": community, "design": design})
    steps = steps_needed(targets, scn.run.steps)
    frames = []
    for seed in seeds:
        model = CompoundModel(scn.override({"run.steps": steps}), rng=seed)
        frames.append(evaluate(targets, run_recorded(model, steps)).assign(seed=seed))
    runs = pd.concat(frames, ignore_index=True)
    rows = []
    for name, group in runs.groupby("target", sort=False):
        first = group.iloc[0]
        values = group["simulated"].dropna()
        median = float(np.median(values)) if len(values) else np.nan
        judged = group["inside"].notna()
        if not len(values):
            verdict = "novalue"
        elif not judged.any():
            verdict = "unjudged"
        else:
            verdict = "hit" if first["low"] <= median <= first["high"] else "miss"
        rows.append({"target": name, "observed": first["observed"], "unit": first["unit"],
                     "kind": first["kind"], "simulated": median,
                     "sim_low": values.min() if len(values) else np.nan,
                     "sim_high": values.max() if len(values) else np.nan,
                     "inside": int(group["inside"].fillna(False).sum()) if judged.any()
                     else pd.NA,
                     "n": len(values), "verdict": verdict, "steps": steps})
    return pd.DataFrame(rows)


def _fmt(x: float) -> str:
    """A simulated value, four significant digits."""
    return "—" if pd.isna(x) else f"{x:.4g}"


def unit_text(unit: str, lang: str) -> str:
    """A target's unit in ``lang`` (the catalogue's ``unit_*``; the unit itself if none)."""
    return TEXT[lang].get("unit_" + unit.replace(" ", "_"), unit)


def list_targets(spec: TargetsFile, path: str, lang: str) -> str:
    """The file's targets as text, one block each."""
    text = TEXT[lang]
    lines = [text["valid"].format(path=path, n=len(spec.targets)), ""]
    for t in spec.targets:
        label = t.label_zh if lang == "zh" else t.label_en
        lines.append(f"{t.name} — {label}")
        lines.append(text["line_target"].format(
            observed=t.observed(), unit=unit_text(t.unit, lang), quantity=t.quantity,
            matter=f" ({t.matter})" if t.matter else "", kind=text["kind_" + t.kind]))
        lines.append(text["line_applies"].format(communities=", ".join(t.communities),
                                                 designs=", ".join(t.designs)))
        lines.append(text["line_source"].format(source=source_text(t.source)))
    return "\n".join(lines)


def report_pair(table: pd.DataFrame, community: str, design: str, seeds: list[int],
                lang: str) -> list[str]:
    """One pair's table as lines of text."""
    text = TEXT[lang]
    steps = int(table["steps"].iloc[0])
    lines = [text["pair"].format(design=design, community=community, k=len(seeds),
                                 seeds=", ".join(map(str, seeds)), steps=steps)]
    for row in table.itertuples():
        inside = "" if pd.isna(row.inside) else text["inside"].format(inside=row.inside,
                                                                      n=row.n)
        lines.append(text["line_result"].format(
            target=row.target, observed=row.observed, unit=unit_text(str(row.unit), lang),
            simulated=_fmt(row.simulated), low=_fmt(row.sim_low), high=_fmt(row.sim_high),
            inside=inside, verdict=text["verdict_" + str(row.verdict)]))
    return lines


def targets_command(args: argparse.Namespace) -> int:
    """Validate a targets file and, if asked, test the defaults against it; 0 on success."""
    spec = load_targets(args.file)
    evaluate_defaults = (args.community is not None or args.design is not None
                         or args.seeds is not None)
    if not evaluate_defaults:
        print(list_targets(spec, args.file, args.lang))
        return 0
    n_seeds = DEFAULT_SEEDS if args.seeds is None else args.seeds
    if n_seeds < 1:
        raise ConfigError("--seeds", f"must be at least 1 (got {n_seeds})")
    chosen = select(spec, args.community, args.design)
    seeds = list(range(n_seeds))
    text = TEXT[args.lang]
    missed: list[str] = []
    for community, design in pairs(chosen, args.community, args.design):
        here = [t for t in chosen if community in t.communities and design in t.designs]
        table = run_pair(here, community, design, seeds)
        print("\n".join(report_pair(table, community, design, seeds, args.lang)))
        missed += [f"{r} ({design} · {community})"
                   for r in table.loc[table["verdict"] == "miss", "target"]]
    print()
    print(text["missed"].format(names="; ".join(missed)) if missed else text["all_hit"])
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim targets`` to the ``sim`` command."""
    from sim.cli_base import HelpFormatter

    parser = subparsers.add_parser(
        "targets", help="check a targets file; test the defaults against it / 检查观测目标",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("file", metavar="FILE",
                        help="a targets YAML file (kind: targets), e.g. "
                             "configs/targets/seeds.yaml (required). 目标文件")
    parser.add_argument("--community", metavar="NAME",
                        help="only the targets of this community preset; runs them. 社区")
    parser.add_argument("--design", metavar="NAME",
                        help="only the targets of this design preset; runs them. 治理模式")
    parser.add_argument("--seeds", metavar="K", type=int,
                        help=f"seeds per community × design pair (0 … K−1; default "
                             f"{DEFAULT_SEEDS}); runs the targets. 种子数")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the text (default: zh). 语言")
    parser.set_defaults(handler=targets_command)
