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
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli_base import (  # noqa: F401  (re-exported for callers of sim.cli)
    EXIT_USAGE,
    PROG,
    SET_HELP,
    HelpFormatter,
    Parser,
    UsageError,
    add_output_options,
    add_scenario_options,
    build_scenario,
    parse_set,
)
from sim.errors import ConfigError
from sim.fonts import CJKFontError
from sim.text import section
from sim.versions import package_version

if TYPE_CHECKING:
    from sim.config import Scenario

DESCRIPTION = """\
Simulate collective action and governance designs in Chinese residential compounds.
小区治理仿真：模拟居民集体行动与不同治理模式（如南岸“131”、和平路红色院落）的效果。

Run 'sim COMMAND --help' for the options of a command.
运行 'sim 命令 --help' 查看各命令的选项。
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

MESSAGES: dict[str, dict[str, str]] = section("cli")
"""Messages printed after a run, by language."""


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
    from sim.fonts import use_cjk_font
    from sim.model import CompoundModel
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
    model = CompoundModel(scn, rng=scn.run.seed)
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

COMMAND_MODULES = ("sim.experiments.compare", "sim.experiments.explain", "sim.experiments.report",
                   "sim.experiments.sweep",
                   "sim.experiments.analyze", "sim.appserver", "sim.community_cli", "sim.params",
                   "sim.schedule_cli", "sim.experiments.discover", "sim.targets_cli",
                   "sim.calibrate_cli")
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


def build_parser() -> Parser:
    """Return the ``sim`` argument parser with every subcommand."""
    parser = Parser(prog=PROG, description=DESCRIPTION, formatter_class=HelpFormatter,
                    allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
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
        0 on success (also when the reader of a pipe stops early, as ``| head`` does), 2 for
        invalid input or Ctrl-C (reported on one line).
        Unexpected exceptions propagate with their traceback: they are bugs.
    """
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            raise _unrecognized(parser, args.command, extras)
        status = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe is reported here, not at interpreter exit
        return status
    except BrokenPipeError:  # `sim params | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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
