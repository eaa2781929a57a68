"""The parts of the ``sim`` command that every subcommand's module builds on.

Parser, help formatter, the one-line usage error, ``--set`` parsing and the
options shared by commands live here, below :mod:`sim.cli` and the command
modules: ``sim.cli`` imports every command module (``COMMAND_MODULES``), so a
command module that imported these from ``sim.cli`` would import it back — an
import cycle. This module imports no command module and nothing of the
package at import time except the error type.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.config import Scenario

PROG = "sim"
EXIT_USAGE = 2
"""Exit status for invalid input, as for argparse's own errors."""

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


REPORT_LANG_HELP = ("language of the report, figures and messages: zh = Chinese, "
                    "en = English (default: zh). 报告语言")
"""``--lang`` of the commands that write a report (compare, explain, discover, calibrate)."""


def add_output_options(parser: argparse.ArgumentParser, default_out: str, *,
                       force_help: str | None = None, lang_help: str | None = None) -> None:
    """Add ``--out``, ``--force``, ``--lang`` and ``--quiet``.

    Args:
        parser: The command's parser.
        default_out: The default output directory, as shown in ``--help``.
        force_help: What ``--force`` replaces for this command (default: an earlier run).
        lang_help: What ``--lang`` sets for this command (default: figures and messages).
    """
    parser.add_argument("--out", metavar="DIR",
                        help="output directory; must be new or empty, or an earlier run with "
                             f"--force (default: {default_out}). 输出目录")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help=lang_help or ("language of figures and messages: zh = Chinese, "
                                           "en = English (default: zh). 图表语言"))
    parser.add_argument("--force", action="store_true",
                        help=force_help or ("replace DIR if it holds an earlier run (has "
                                            "run.json); other directories are never replaced "
                                            "(default: off). 覆盖旧的结果目录"))
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar; print only the output directory "
                             "(default: off). 安静模式")


def add_executor_options(parser: argparse.ArgumentParser, *, resume_help: str,
                         workers_help: str | None = None,
                         scheduler_help: str | None = None) -> None:
    """Add ``--workers``, ``--scheduler`` and ``--resume`` (commands that run many models).

    The results never depend on the first two (:mod:`sim.experiments.executors`), so their
    help says so once here; what ``--resume`` continues is the command's own.

    Args:
        parser: The command's parser.
        resume_help: What ``--resume`` continues, for this command.
        workers_help: Replaces the standard help of ``--workers``.
        scheduler_help: Replaces the standard help of ``--scheduler``.
    """
    parser.add_argument("--workers", metavar="N", type=int,
                        help=workers_help or ("worker processes; 1 runs in this process; the "
                                              "results do not depend on it (default: one per "
                                              "CPU). 并行进程数"))
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help=scheduler_help or ("run on a Dask cluster: address of its "
                                                "scheduler, e.g. tcp://127.0.0.1:8786; its "
                                                "workers must see DIR at the same path "
                                                "(default: run locally). Dask 调度器地址"))
    parser.add_argument("--resume", action="store_true", help=resume_help)
