"""``sim schedule DESIGN``: a design's month — the steps, who acts in each phase, what it touches.

The order comes from :mod:`sim.schedule` (the one table of the month) and each institution's
declared reads and writes from its ``contract`` (:mod:`sim.institutions.base`), so what is
printed is what the model runs. For a teacher it says who acts when; for a developer adding
an institution, where it must go.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import Any

from sim.institutions.base import FIELD_GROUPS
from sim.schedule import CALLED_BY, MONTH, PHASE_ORDER, SETUP, Step
from sim.text import section

DESCRIPTION = """\
Print the month of a governance design: the steps of a month in order, the institutions
that act in each phase in the order they act, and the shared state each reads and writes.
打印治理模式的月度流程：每月各步骤的顺序、各阶段中依次行动的机构，以及每个机构读取和写入的状态。
"""

EPILOG = """\
examples / 示例:
  sim schedule nanan_131
  sim schedule huli_six_party --lang en
  sim schedule configs/designs/kunming_red_courtyard.yaml
"""

TEXT: dict[str, dict[str, str]] = section("schedule")
"""User-facing text of ``sim schedule``, in both languages."""


def load_design(design: str) -> Any:
    """The :class:`~sim.config.Design` named by a preset name or a YAML file.

    A file, or a scenario preset (``threshold``), may be a design or a scenario (its design
    is used).

    Raises:
        ConfigError: An unknown preset or an invalid file, naming what is allowed.
    """
    from sim.config import load_config, preset_names

    if Path(design).suffix or Path(design).exists() or (
            design in preset_names("presets") and design not in preset_names("designs")):
        return load_config(design).design
    return load_config({"design": design}).design


def called_in(caller: str, phase: str, used: set[str]) -> list[str]:
    """The institutions of ``used`` that ``caller`` calls in ``phase`` (:data:`CALLED_BY`).

    One is called there when the caller's declared reads or writes in ``phase`` name one of
    its attributes (``codesign.passed``): what is printed is what the contract declares.
    """
    from sim.institutions.registry import REGISTRY

    access = REGISTRY[caller].contract[phase]
    return [name for name, by in CALLED_BY.items()
            if by == caller and name in used
            and any(f.startswith(f"{name}.") for f in (*access.reads, *access.writes))]


def render(design: Any, lang: str = "zh") -> str:
    """The month of ``design`` as text, in ``lang`` (``zh`` or ``en``).

    An institution with no phase of its own (:data:`~sim.schedule.CALLED_BY`) is listed,
    unnumbered, under its caller in the phases where the caller calls it.
    """
    from sim.institutions.registry import REGISTRY

    text = TEXT[lang]
    used = set(design.institutions)
    label = (design.label_zh if lang == "zh" else design.label_en) or design.name
    lines = [text["title"].format(name=design.name, label=label), ""]
    groups: set[str] = set()

    def phase_block(phase: str, indent: str) -> None:
        names = [n for n in PHASE_ORDER[phase] if n in used]
        if not names:
            lines.append(f"{indent}{text['no_one']}")
        for i, name in enumerate(names, 1):
            cls = REGISTRY[name]
            access = cls.contract[phase]
            lines.append(f"{indent}{i}. {name} — {cls.label_zh if lang == 'zh' else cls.label_en}")
            for key, fields in ((text["reads"], access.reads), (text["writes"], access.writes)):
                groups.update(f for f in fields if f in FIELD_GROUPS)
                body = ", ".join(fields) if fields else text["none"]
                lines.extend(textwrap.wrap(f"{key}: {body}", width=96,
                                           initial_indent=f"{indent}   ",
                                           subsequent_indent=f"{indent}     "))
            for called in called_in(name, phase, used):
                sub = REGISTRY[called]
                lines.append(f"{indent}   ↳ {called} — "
                             f"{sub.label_zh if lang == 'zh' else sub.label_en}")
                lines.append(f"{indent}     {text['called_by'].format(caller=name)}")

    def step_lines(number: int, step: Step) -> list[str]:
        label = step.label_zh if lang == "zh" else step.label_en
        return textwrap.wrap(f"{number:>2}. {step.key} — {label}", width=96,
                             subsequent_indent="      ")

    lines.append(f"{text['setup']}: {SETUP.label_zh if lang == 'zh' else SETUP.label_en}")
    phase_block("setup", "    ")
    lines += ["", f"{text['month']}:"]
    for number, step in enumerate(MONTH, 1):
        lines.extend(step_lines(number, step))
        if step.phase:
            phase_block(step.key, "      ")
    if groups:
        lines += ["", f"{text['groups']}:"]
        for group in sorted(groups):
            lines.extend(textwrap.wrap(f"{group} = {', '.join(FIELD_GROUPS[group])}", width=96,
                                       initial_indent="  ", subsequent_indent="      "))
    lines += ["", text["own"]]
    return "\n".join(lines)


def schedule_command(args: argparse.Namespace) -> int:
    """Print the schedule of ``args.design``; 0 on success."""
    design = load_design(args.design)
    print(render(design, args.lang))  # a reader that stops early (`| head`): see sim.cli.main
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim schedule`` to the ``sim`` command."""
    from sim.cli_base import HelpFormatter

    parser = subparsers.add_parser(
        "schedule", help="print a design's month: phases, order, reads and writes / 打印月度流程",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("design", metavar="DESIGN",
                        help="a design preset name (nanan_131) or a design or scenario YAML "
                             "file (required). 治理模式名称或文件")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the text (default: zh). 语言")
    parser.set_defaults(handler=schedule_command)
