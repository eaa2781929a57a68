"""The ``sim`` command: run scenarios from the shell.

Each subcommand is added by one ``add_<name>`` function that builds its
parser and names its handler; :data:`COMMANDS` lists them. Options shared by
several commands (the scenario and its overrides, where outputs go) are
added by :func:`add_scenario_options` and :func:`add_output_options`, and the
scenario is built by :func:`build_scenario`, so ``compare``, ``sweep``,
``analyze`` and ``app`` can reuse them.

Errors in the user's input (:class:`sim.errors.ConfigError`, bad arguments,
Ctrl-C) are printed as one line, ``sim: error: FIELD: message``, with exit
status 2 and no traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

from sim.errors import ConfigError
from sim.fonts import CJKFontError

if TYPE_CHECKING:
    from sim.config import Scenario

PROG = "sim"
EXIT_USAGE = 2
"""Exit status for invalid input, as for argparse's own errors."""

DESCRIPTION = """\
Simulate collective action and governance designs in Chinese residential compounds.
小区治理仿真：模拟居民集体行动与不同治理模式（如南岸“131”、和平路红色院落）的效果。

Run 'sim COMMAND --help' for the options of a command.
运行 'sim 命令 --help' 查看各命令的选项。
"""

SET_HELP = """\
how --set works / --set 用法:
  KEY is a dotted path into the scenario (behaviour.noise, economy.firm_fee,
  run.steps, ...); VALUE is read as YAML, so numbers, true/false, lists and
  mappings work and anything else is text. Repeat --set for several changes.
  They are applied together, shallower keys first whatever their order: a
  preset or a whole section (community=heping_road, behaviour={...}) is put in
  place before keys inside it (community.network.acquaintance=0.3) are changed.
  The same KEY given twice: the later value wins. --steps/--seed are applied
  after all of them. Every change is validated: an unknown key or a value out
  of range (or not finite: .nan, .inf) is an error. A parameter of an
  institution the design lacks is an error too; add the institution with
  design.institutions.NAME={...} ({} for its defaults).
  KEY 为参数的点分路径；VALUE 按 YAML 解析（数字、true/false、列表、映射，其余为文本）。
  可重复使用；各项一起生效，路径较浅的先生效（与顺序无关）：先换预设或整节，再改其中的参数；
  同一 KEY 重复时以后者为准；--steps/--seed 最后生效；每项修改都会校验（不接受 .nan、.inf）。
  修改治理模式中没有的机构的参数会报错；要添加机构，请设置 design.institutions.名称={...}。

    --set behaviour.noise=0.2              a number / 数值
    --set community=heping_road            a community preset (configs/communities/) / 社区预设
    --set design=baseline                  a design preset (configs/designs/) / 治理模式预设
    --set design=my_design.yaml            a design file (a path ending in .yaml) / 治理模式文件
    --set 'behaviour.threshold={dist: normal, mean: 0.25, sd: 0.1}'
                                           a distribution; quote it for the shell / 分布（需加引号）
    --set 'design.institutions.party_branch={visits_per_member: 6}'
                                           add an institution / 添加一个机构
"""

RUN_DESCRIPTION = """\
Run one scenario for some months and write its outputs to a directory.
运行一个情景若干个月，并把结果写入输出目录。

CONFIG is a scenario, design or community YAML file, or a preset name.
A design file runs on the default community; a community file under the
baseline design. CONFIG 可以是情景、治理模式或社区 YAML 文件，也可以是预设名称。
"""

RUN_EPILOG = f"""\
{SET_HELP}
examples / 示例:
  sim run configs/designs/baseline.yaml --steps 12
  sim run configs/designs/baseline.yaml --set community=heping_road --steps 120 --out out/demo
  sim run threshold --seed 42 --lang en --quiet
  sim run configs/designs/baseline.yaml --set behaviour.noise=0 --set economy.firm_fee=20

outputs in DIR / 输出文件:
  timeseries.parquet, timeseries.csv   monthly community indicators / 社区月度指标
  compounds.parquet                    monthly indicators per compound / 各小区月度指标
  figure.png                           figure of the indicators / 指标图
  run.json                             seed, resolved config, versions / 种子、完整配置、版本
  Rerun with the same CONFIG, --set options and --seed to get identical results.
  使用相同的 CONFIG、--set 和 --seed 重新运行，结果完全相同。

exit status / 退出码: 0 done; 2 invalid input or interrupted, reported on one line
  'sim: error: FIELD: message' with nothing written. A scenario too large for this
  machine's memory is refused before it starts, naming the field that sets its size.
  情景所需内存超过本机内存时，运行前即报错，并指出决定规模的参数。
"""

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {"wrote": "结果已写入 {out}/（{files}）",
           "seed": "随机种子：{seed}（加 --seed {seed} 可复现本次结果）"},
    "en": {"wrote": "Wrote {out}/ ({files})",
           "seed": "Seed: {seed} (pass --seed {seed} to reproduce this run)"},
}
"""Messages printed after a run, by language."""


class UsageError(Exception):
    """A command-line syntax error found by argparse, reported as ``field: message``."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class Parser(argparse.ArgumentParser):
    """ArgumentParser that raises :class:`UsageError` instead of printing usage and exiting.

    argparse normally prints the whole usage text; the ``sim`` command
    reports every input problem on one line instead, naming the argument.

    Attributes:
        commands: On the top-level parser, the subcommand parsers by name.
    """

    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        """Turn argparse's message into a :class:`UsageError` naming the argument."""
        hint = f"see '{self.prog} --help'"
        if m := re.match(r"argument (?P<field>[^:]+): (?P<msg>.*)", message):
            raise UsageError(m["field"], f"{m['msg']} ({hint})")
        if m := re.match(r"the following arguments are required: (?P<fields>.*)", message):
            raise UsageError(m["fields"], f"required ({hint})")
        if m := re.match(r"unrecognized arguments: (?P<args>.*)", message):
            raise UsageError(m["args"], f"unrecognized argument ({hint})")
        raise UsageError(self.prog, f"{message} ({hint})")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the line breaks of descriptions and examples; wrap option help at 92 columns.

    The margin leaves room for Chinese characters, which are two columns wide
    on a terminal although argparse counts them as one.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=92)


# --------------------------------------------------------------------------- shared helpers


def parse_set(pairs: Sequence[str]) -> dict[str, Any]:
    """Turn ``--set KEY=VALUE`` strings into an override mapping.

    VALUE is parsed as YAML by the config reader (:func:`sim.config.parse_yaml`:
    no duplicate keys, bounded nesting), except that YAML 1.1's surprising
    booleans (``yes``, ``no``, ``on``, ``off``) stay text: only ``true`` and
    ``false`` are booleans, so ``--set community=no_firm`` and names like ``on``
    work. The order in which the changes are applied is not decided here but by
    :meth:`Scenario.override <sim.config.Scenario.override>` (shallower keys first).

    Args:
        pairs: The ``--set`` arguments in the order given.

    Returns:
        Dotted keys mapped to parsed values (a key repeated, in either spelling,
        ``a.b`` or ``a__b``, keeps its last value).

    Raises:
        ConfigError: (field ``--set``) for a pair without ``=``, an empty key or
            a value that is not valid YAML.
    """
    from sim.config import parse_yaml

    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip().replace("__", ".")
        if not sep or not key:
            raise ConfigError("--set", f"expected KEY=VALUE, got {pair!r} "
                                       "(e.g. --set behaviour.noise=0.2)")
        try:
            value = parse_yaml(raw)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise ConfigError("--set", f"{key}: value {raw!r} is not valid YAML ({problem}); "
                                       "quote it for the shell, e.g. "
                                       "--set 'behaviour.threshold={dist: normal, mean: 0.3, "
                                       "sd: 0.1}'") from None
        if isinstance(value, bool) and raw.strip().lower() not in {"true", "false"}:
            value = raw.strip()
        changes.pop(key, None)
        changes[key] = value
    return changes


def build_scenario(config: str, sets: Sequence[str] = (), steps: int | None = None,
                   seed: int | None = None) -> Scenario:
    """Load CONFIG and apply ``--set``, ``--steps`` and ``--seed``, validating each.

    Args:
        config: A YAML path or preset name.
        sets: ``KEY=VALUE`` strings from ``--set``.
        steps: ``--steps``, overriding ``run.steps`` when given.
        seed: ``--seed``, overriding ``run.seed`` when given.

    Returns:
        The validated scenario.

    Raises:
        ConfigError: Naming the file, the ``--set`` key, ``--steps`` or ``--seed``.
    """
    from sim.config import load_config

    scn = load_config(config)
    changes = parse_set(sets)
    if changes:
        scn = scn.override(changes)
    for option, field, value in (("--steps", "run.steps", steps), ("--seed", "run.seed", seed)):
        if value is None:
            continue
        try:
            scn = scn.override({field: value})
        except ConfigError as exc:
            raise ConfigError(option, f"{exc.message} [{field}]") from None
    return scn


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """Add CONFIG, ``--set``, ``--steps`` and ``--seed`` (for every command that runs models)."""
    parser.add_argument("config", metavar="CONFIG",
                        help="scenario, design or community YAML file, or a preset name "
                             "(required). 配置文件或预设名称")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="change one config value; repeatable; VALUE is YAML, see below "
                             "(default: none). 修改一个参数，可重复")
    parser.add_argument("--steps", metavar="N", type=int,
                        help="months to simulate, overrides run.steps "
                             "(default: run.steps of CONFIG, 120 if unset). 模拟月数")
    parser.add_argument("--seed", metavar="S", type=int,
                        help="seed of the random generator, overrides run.seed (default: run.seed "
                             "of CONFIG; if unset a seed is drawn, printed and saved in "
                             "run.json). 随机种子")


def add_output_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    """Add ``--out``, ``--force``, ``--lang`` and ``--quiet``."""
    parser.add_argument("--out", metavar="DIR",
                        help="output directory; must be new or empty, or an earlier run with "
                             f"--force (default: {default_out}). 输出目录")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of figures and messages: zh = Chinese, en = English "
                             "(default: zh). 图表语言")
    parser.add_argument("--force", action="store_true",
                        help="replace DIR if it holds an earlier run (has run.json); other "
                             "directories are never replaced (default: off). 覆盖旧的结果目录")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar; print only the output directory "
                             "(default: off). 安静模式")


def run_name(scn: Scenario) -> str:
    """Name a run's outputs by what was run: ``<design>-<community>`` or ``<scenario>-<community>``.

    A scenario file or preset (``threshold``) is named by itself, not by its
    design, which may be a placeholder such as ``none``; a design or community
    file gives the scenario its own name, so the design's is used then.
    """
    first = scn.design.name if scn.name in (scn.design.name, scn.community.name) else scn.name
    return f"{first}-{scn.community.name}"


def default_outdir(name: str, seed: int) -> Path:
    """Return ``out/<name>-<seed>``, with the name made safe as a folder name."""
    safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "scenario"
    return Path("out") / f"{safe}-{seed}"


def figure_title(scn: Scenario, seed: int, lang: str) -> str:
    """Return a figure title naming the design, the community and the seed in ``lang``.

    Labels come from the presets (``label_zh``/``label_en``), falling back to
    names; the scenario name is left out when it is just the design's name.
    """
    en = lang == "en"
    design = (scn.design.label_en if en else scn.design.label_zh) or scn.design.name
    community = (scn.community.label_en if en else scn.community.label_zh) or scn.community.name
    title = f"{design} · {community}"
    if scn.name != scn.design.name:
        title = f"{scn.name}{': ' if en else '：'}{title}"
    return f"{title} (seed {seed})" if en else f"{title}（种子 {seed}）"


def _report(field: str, message: str) -> None:
    """Print one error line, ``sim: error: FIELD: message``, to stderr."""
    text = f"{field}: {message}" if field else message
    print(f"{PROG}: error: {' '.join(text.split())}", file=sys.stderr)


# --------------------------------------------------------------------------- sim run


def run_command(args: argparse.Namespace) -> int:
    """Run one scenario and write its outputs (``sim run``)."""
    import sim
    from sim.fonts import use_cjk_font
    from sim.output import (
        COMPOUNDS_PARQUET,
        FIGURE,
        RUN_JSON,
        TIMESERIES_CSV,
        TIMESERIES_PARQUET,
        check_outdir,
        write_run,
    )

    scn = build_scenario(args.config, args.set, args.steps, args.seed)
    if args.lang == "zh":
        use_cjk_font()  # fail before a long run, not after it
    if args.out is not None:
        check_outdir(args.out, args.force)
    model = sim.CompoundModel(scn, rng=scn.run.seed)
    out = (Path(args.out) if args.out is not None
           else default_outdir(run_name(scn), model.seed))
    check_outdir(out, args.force)
    model.run(scn.run.steps, progress=not args.quiet)
    text = MESSAGES[args.lang]
    title = figure_title(scn, model.seed, args.lang)
    out = write_run(out, model, args.lang, force=args.force, title=title)
    if args.quiet:
        print(out)
        return 0
    files = [TIMESERIES_PARQUET, TIMESERIES_CSV, FIGURE, RUN_JSON]
    if (out / COMPOUNDS_PARQUET).exists():
        files.insert(2, COMPOUNDS_PARQUET)
    print(text["wrote"].format(out=out, files=", ".join(files)))
    print(text["seed"].format(seed=model.seed))
    return 0


def presets_help() -> str:
    """Return the help section listing the shipped presets, by kind."""
    from sim.config import preset_names

    lines = ["presets (CONFIG names and --set values) / 预设:"]
    for kind, where in (("presets", "CONFIG"), ("designs", "design="),
                        ("communities", "community=")):
        names = preset_names(kind)
        if names:
            lines.append(f"  {kind + ':':<13} {', '.join(names)}   ({where})")
    return "\n".join(lines) + "\n" if len(lines) > 1 else ""


def add_run(subparsers: Any) -> None:
    """Add ``sim run``."""
    parser = subparsers.add_parser(
        "run", help="run one scenario and write its outputs / 运行一个情景",
        description=RUN_DESCRIPTION, epilog=RUN_EPILOG + "\n" + presets_help(),
        formatter_class=HelpFormatter, allow_abbrev=False)
    add_scenario_options(parser)
    add_output_options(parser, "out/<design>-<community>-<seed>")
    parser.set_defaults(handler=run_command)


# --------------------------------------------------------------------------- entry point

COMMAND_MODULES = ("sim.experiments.compare", "sim.experiments.report", "sim.experiments.sweep",
                   "sim.experiments.analyze", "sim.appserver", "sim.community_cli", "sim.params",
                   "sim.schedule_cli")
"""Modules that each add one subcommand through their ``add_command(subparsers)``."""


def _module_commands() -> tuple[Callable[[Any], None], ...]:
    """``add_command`` of every command module that is present."""
    import importlib

    found = []
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a missing dependency inside the module is a real error
                raise
            continue
        found.append(module.add_command)
    return tuple(found)


COMMANDS: tuple[Callable[[Any], None], ...] = (add_run, *_module_commands())
"""One ``add_<name>(subparsers)`` function per subcommand, in the order of ``sim --help``."""


def _version() -> str:
    """Return the installed package version, or "unknown" when run from a source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("compound-sim")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> Parser:
    """Return the ``sim`` argument parser with every subcommand."""
    parser = Parser(prog=PROG, description=DESCRIPTION, formatter_class=HelpFormatter,
                    allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(title="commands / 命令", dest="command",
                                       metavar="COMMAND", required=True, parser_class=Parser)
    for add in COMMANDS:
        add(subparsers)
    parser.commands = subparsers.choices
    return parser


def _unrecognized(parser: Parser, command: str, extras: list[str]) -> UsageError:
    """Report arguments the command does not know, suggesting the closest option."""
    sub = parser.commands[command]
    options = {s.lstrip("-"): s for action in sub._actions for s in action.option_strings}
    first = extras[0]
    near = difflib.get_close_matches(first.split("=")[0].lstrip("-"), list(options), n=1,
                                     cutoff=0.6) if first.startswith("-") else []
    hint = f"; did you mean {options[near[0]]}?" if near else ""
    return UsageError(first, f"unrecognized argument{hint} (see '{sub.prog} --help')")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sim`` command and return its exit status.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns:
        0 on success, 2 for invalid input or Ctrl-C (reported on one line).
        Unexpected exceptions propagate with their traceback: they are bugs.
    """
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            raise _unrecognized(parser, args.command, extras)
        return int(args.handler(args))
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except UsageError as exc:
        _report(exc.field, exc.message)
    except ConfigError as exc:
        _report(exc.field, exc.message)
    except CJKFontError as exc:
        _report("font", str(exc))
    except KeyboardInterrupt:
        _report("interrupted", "stopped by Ctrl-C; no output was written")
    return EXIT_USAGE
