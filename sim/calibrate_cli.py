"""``sim calibrate TARGETS``: fit the priors to observed figures by ABC-SMC, and check the fit.

The command reads its options into a :class:`sim.calibration.Problem`
(:func:`~sim.calibration.build_problem`, which refuses bad input on one line before anything
runs), calibrates it into ``DIR`` (:func:`~sim.calibration.calibrate`), printing one line per
generation (epsilon, acceptance rate, effective sample size), and says where the report is.
The method, the distance and the outputs are in :mod:`sim.calibration` and
``docs/calibration.md``.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.calibration import (
    DEFAULT_GENERATIONS,
    DEFAULT_MIN_EPSILON,
    DEFAULT_POPULATION,
    DEFAULT_SEED,
    DEFAULT_SEEDS_PER_PARTICLE,
    HTML,
    OUTPUT_FILES,
    TEXT,
    Generation,
)
from sim.errors import ConfigError

DESCRIPTION = """\
Calibrate the model's uncertain parameters to observed figures (ABC-SMC with pyabc), and
check the fit on every target, held-out ones included.
把模型中不确定的参数校准到观测数字上（近似贝叶斯计算 ABC-SMC，pyabc），
并用全部目标（含留出的目标）检验。

TARGETS is a targets file (configs/targets/*.yaml), or several fitted together (the
seeds' figures and the plausible ranges: configs/targets/seeds.yaml
configs/targets/plausible.yaml). Every community × design pair their targets cover is run
for each particle; --design/--community keep only some pairs.
Without --hold-out the file's own split is used: kind: calibration targets are fitted,
kind: validation ones held out; with --hold-out, the named targets are held out and all
others fitted. 不指定 --hold-out 时，kind 为 calibration 的目标用于拟合，validation 的留出检验。
"""

EPILOG = f"""\
examples / 示例:
  sim calibrate configs/targets/seeds.yaml
  sim calibrate configs/targets/seeds.yaml --design nanan_131 --generations 3 --lang en
  sim calibrate configs/targets/seeds.yaml --hold-out nanan_satisfaction_trend
  sim calibrate configs/targets/seeds.yaml configs/targets/plausible.yaml --design baseline
  sim calibrate configs/targets/seeds.yaml --params behaviour.weights.face,behaviour.base.volunteer
  sim calibrate configs/targets/seeds.yaml --out out/cal --resume     # after it was killed

defaults / 默认值: {DEFAULT_POPULATION} particles per generation, {DEFAULT_GENERATIONS}
  generations, {DEFAULT_SEEDS_PER_PARTICLE} seeds per particle, minimum epsilon
  {DEFAULT_MIN_EPSILON:g}; --params: the priors of behaviour.weights.* and behaviour.base.*
  (the decision rule every household uses).

outputs in DIR / 输出文件:
  calibration.html     the report, self-contained, zh or en / 报告
  posterior.parquet    every generation's particles, weights, distances / 后验粒子与权重
  diagnostics.csv      per generation: epsilon, acceptance rate, ESS / 各代诊断
  identifiability.csv  per parameter: prior and posterior 90 % widths, ratio, median / 可识别性
  ppc.csv, holdout.csv posterior predictive checks; the held-out targets / 后验预测检验
  figures/*.png        diagnostics, prior vs posterior, pairs, predictive checks / 图
  history.db           pyabc's history (sqlite), which --resume continues / pyabc 历史数据库
  manifest.json        command, seed, inputs, resolved configs, versions / 命令、输入、版本

exit status / 退出码: 0 done; 2 invalid input or interrupted, reported on one line
  'sim: error: FIELD: message'. Killed or interrupted, the generations done are kept in
  history.db: rerun the same command with --resume.
"""


def default_out(targets: Sequence[str]) -> Path:
    """``out/calibrate-<targets file stem>`` (stems joined by ``+`` for several files)."""
    stem = "+".join(re.sub(r"[^\w.-]+", "_", Path(t).stem).strip("._") or "targets"
                    for t in targets)
    return Path("out") / f"calibrate-{stem}"


def split_params(values: list[str] | None) -> list[str] | None:
    """``--params a,b --params c`` as ``[a, b, c]`` (None when not given)."""
    if not values:
        return None
    found = [p.strip() for v in values for p in v.split(",")]
    if any(not p for p in found):
        raise ConfigError("--params", "give dotted parameter paths separated by commas, "
                                      "with none empty (see `sim params`)")
    return found


def command_line(args: argparse.Namespace) -> str:
    """A ``sim calibrate`` command line that gives the same calibration."""
    parts = ["sim", "calibrate", *args.targets]
    for d in args.design or ():
        parts += ["--design", d]
    for c in args.community or ():
        parts += ["--community", c]
    if args.params:
        parts += ["--params", ",".join(split_params(args.params) or [])]
    if args.hold_out:
        parts += ["--hold-out", *args.hold_out]
    parts += ["--population", str(args.population), "--generations", str(args.generations),
              "--min-epsilon", f"{args.min_epsilon:g}",
              "--seeds-per-particle", str(args.seeds_per_particle), "--seed", str(args.seed)]
    if args.months is not None:
        parts += ["--months", str(args.months)]
    parts += ["--lang", args.lang]
    if args.out is not None:
        parts += ["--out", args.out]
    return shlex.join(parts)


def calibrate_command(args: argparse.Namespace) -> int:
    """Run ``sim calibrate``: check, calibrate with progress, write, say where."""
    from sim.calibration import build_problem, calibrate, generations_done

    t = TEXT[args.lang]
    problem = build_problem(args.targets, designs=args.design or (),
                            communities=args.community or (),
                            params=split_params(args.params), hold_out=args.hold_out,
                            months=args.months, seeds_per_particle=args.seeds_per_particle,
                            seed=args.seed)
    out = Path(args.out) if args.out is not None else default_out(args.targets)
    say = (lambda _: None) if args.quiet else print

    def start() -> None:
        if args.resume:
            say(t["resuming"].format(out=out, done=generations_done(out)))
        say(t["starting"].format(n=len(problem.params), fitted=len(problem.fitted),
                                 held=len(problem.held_out), pairs=len(problem.scenarios),
                                 population=args.population, generations=args.generations))

    def progress(gen: Generation) -> None:
        eps = "∞" if gen.epsilon == float("inf") else f"{gen.epsilon:.4g}"
        say(t["progress"].format(t=gen.t, eps=eps, acc=f"{gen.acceptance:.0%}", ess=gen.ess,
                                 samples=gen.samples, seconds=gen.seconds))

    result = calibrate(problem, out, population=args.population,
                       generations=args.generations, min_epsilon=args.min_epsilon,
                       workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                       force=args.force, lang=args.lang, command=command_line(args),
                       on_start=start, on_generation=progress,
                       bar=not args.quiet and sys.stdout.isatty())
    if args.quiet:
        print(out)
        return 0
    print(result.reading)
    print(t["wrote"].format(out=out, files=("、" if args.lang == "zh" else ", ")
                            .join(OUTPUT_FILES)))
    print(t["open"].format(report=out / HTML))
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim calibrate``."""
    from sim.cli_base import (
        REPORT_LANG_HELP,
        HelpFormatter,
        add_executor_options,
        add_output_options,
    )

    parser = subparsers.add_parser(
        "calibrate", help="fit the priors to observed figures (ABC-SMC) / 校准参数",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("targets", metavar="TARGETS", nargs="+",
                        help="a targets YAML file, e.g. configs/targets/seeds.yaml, or "
                             "several fitted together (required). 目标文件（可多个）")
    parser.add_argument("--design", metavar="D", action="append",
                        help="keep the targets' runs under this design preset; repeatable "
                             "(default: all the file covers). 治理模式")
    parser.add_argument("--community", metavar="C", action="append",
                        help="keep the targets' runs on this community preset; repeatable "
                             "(default: all the file covers). 社区")
    parser.add_argument("--params", metavar="PATH,…", action="append",
                        help="priors to fit, dotted paths separated by commas; repeatable "
                             "(default: behaviour.weights.* and behaviour.base.*). 校准的参数")
    parser.add_argument("--hold-out", metavar="NAME", nargs="+",
                        help="targets to hold out for validation; all others are fitted "
                             "(default: the file's kind: validation targets). 留出的目标")
    parser.add_argument("--population", metavar="N", type=int, default=DEFAULT_POPULATION,
                        help=f"particles per generation (default: {DEFAULT_POPULATION}). "
                             "每代粒子数")
    parser.add_argument("--generations", metavar="G", type=int, default=DEFAULT_GENERATIONS,
                        help="generations in all, the stored ones included (default: "
                             f"{DEFAULT_GENERATIONS}). 代数")
    parser.add_argument("--min-epsilon", metavar="E", type=float, default=DEFAULT_MIN_EPSILON,
                        help="stop once a generation's epsilon is at most E (default: "
                             f"{DEFAULT_MIN_EPSILON:g}: run every generation). 最小阈值")
    parser.add_argument("--seeds-per-particle", metavar="K", type=int,
                        default=DEFAULT_SEEDS_PER_PARTICLE,
                        help="model seeds per particle and pair (default: "
                             f"{DEFAULT_SEEDS_PER_PARTICLE}). 每个粒子的种子数")
    parser.add_argument("--months", metavar="M", type=int,
                        help="months per run (default: what the targets' windows need, "
                             "usually run.steps = 120). 模拟月数")
    parser.add_argument("--seed", metavar="S", type=int, default=DEFAULT_SEED,
                        help="seed of the particles' model seeds and of the predictive draws "
                             f"(default: {DEFAULT_SEED}). 随机种子")
    add_executor_options(
        parser, resume_help="continue the calibration in DIR from its last generation "
                            "(default: off). 从最后一代继续",
        scheduler_help="run the particles on a Dask cluster: address of its scheduler, e.g. "
                       "tcp://127.0.0.1:8786 (default: locally). Dask 调度器地址")
    add_output_options(parser, "out/calibrate-<TARGETS>", lang_help=REPORT_LANG_HELP,
                       force_help="replace an earlier calibration in DIR; a directory with "
                                  "other files is refused (default: off). 覆盖旧结果")
    parser.set_defaults(handler=calibrate_command)
