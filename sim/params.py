"""``sim params [NAME]``: what every parameter means, its unit, range, prior and default.

Without NAME, lists every parameter of a scenario, one line each (the dotted
path that ``--set`` takes, unit, range, default), grouped by section; the
parameters of every registered institution are included as
``design.institutions.<name>.<param>``. With NAME — a dotted path, a part of
one (``noise``, ``weights.face``, ``fee``), a section (``behaviour.weights``)
or an institution (``party_branch``) — prints for each matching parameter
what it means, its unit, range, prior, default and the exact ``--set`` line
that changes it. An unknown NAME is an error naming the nearest parameters.

Everything shown comes from :func:`sim.schema.sections`, the same walk that
writes ``docs/parameters.md``. The prior is the plausible range a field
declares in ``json_schema_extra={"prior": {"low": …, "high": …, "source": …}}``
(what ``sim compare --uncertainty``, ``sim explain`` and ``sim discover`` draw
from), shown as "0.75 to 2.25 (uniform); source: assumption"; a parameter
without one says why (an input, a switch or one of
:data:`sim.schema.PRIOR_EXEMPT`). A ``label_zh`` there is shown instead of the
English description with ``--lang zh``.
"""

from __future__ import annotations

import argparse
import difflib
import shlex
import unicodedata
from typing import Any

import yaml

from sim.errors import ConfigError
from sim.schema import (
    INSTITUTIONS_PATH,
    PRIOR_TEXT,
    Param,
    Section,
    default_basis,
    fmt_number,
    no_prior_reason,
    sections,
)
from sim.text import section

SECTION_ZH = {
    "scenario": "情景",
    "community": "社区",
    "community.groups[]": "小区类型",
    "community.network": "邻里网络",
    "design": "治理模式",
    "design.institutions": "治理机构",
    "behaviour": "居民决策规则",
    "behaviour.weights": "决策权重",
    "behaviour.base": "行动基准效用",
    "behaviour.visibility": "行为可见度",
    "behaviour.petition": "上访",
    "behaviour.learning": "信念调整",
    "population": "居民特征",
    "economy": "收费、物业与环境",
    "matters": "事项",
    "matters.types[]": "事项类型",
    "coordination": "协调成本",
    "initial": "初始状态",
    "initial.acting": "首月行动比例",
    "run": "运行",
}
"""Chinese names of the config sections (institutions carry their own ``label_zh``)."""

UNIT_ZH = {
    "share": "比例", "share/month": "比例/月", "utility": "效用", "months": "月数",
    "month": "月", "yuan": "元", "yuan/household": "元/户", "yuan/household/month": "元/户/月",
    "households": "户", "factor": "倍数", "matters/100 households/month": "件/百户/月",
    "ties/household": "关系/户", "ln(yuan)": "ln(元)", "compounds": "小区数",
    "buildings": "楼栋数", "stairwell units": "单元数",
}
"""Chinese names of the units :func:`sim.schema.infer_unit` gives."""

TEXT: dict[str, dict[str, str]] = section("params")
"""Labels of the output, by language."""

PARAMS_DESCRIPTION = """\
List every parameter of a scenario, or explain one: what it means, its unit, range,
prior and default, and the --set line that changes it.
列出情景的全部参数，或解释某个参数：含义、单位、范围、先验、默认值，以及修改它的 --set 写法。
"""

PARAMS_EPILOG = """\
NAME may be / NAME 可以是:
  a dotted path 点分路径           behaviour.noise, design.institutions.party_branch.min_members
  a part of one 路径的一部分       noise, weights.face, fee
  a section 一个部分               behaviour.weights, community.groups
  an institution 一个治理机构      party_branch, owners_committee

examples / 示例:
  sim params                          every parameter, one line each, by section / 全部参数
  sim params noise                    behaviour.noise explained / 解释 behaviour.noise
  sim params party_branch --lang en   the parameters of the party branch, in English
  sim params community.groups         what a compound has / 小区的各项属性

Paths are those of --set (sim run/compare ... --set PATH=VALUE), of YAML files and of
docs/parameters.md. An unknown NAME is an error listing the nearest ones (exit 2).
路径与 --set、YAML 文件和 docs/parameters.md 中的写法相同。
"""


# --------------------------------------------------------------------------- lookup


def _plain_path(path: str) -> str:
    """A path without list markers or indices: ``community.groups.households``."""
    return ".".join(part for part in path.replace("[]", "").split(".") if not part.isdigit())


def section_title(sec: Section, lang: str) -> str:
    """The section's path with its names in Chinese and English."""
    zh = sec.label_zh if sec.kind == "institution" else SECTION_ZH.get(sec.path, "")
    en = sec.label_en if sec.kind == "institution" else sec.doc.split(". ")[0].rstrip(".")
    names = " / ".join(n for n in ((zh, en) if lang == "zh" else (en, zh)) if n)
    return f"{sec.path} — {names}" if names else sec.path


def find(name: str, secs: list[Section] | None = None) -> list[Param]:
    """The parameters NAME refers to, tried in order until one rule matches.

    1. NAME is a whole path (list indices and ``[]`` ignored);
    2. NAME is an institution, or a section: all its parameters;
    3. NAME is the end of paths (``noise``, ``weights.face``);
    4. NAME is a part of paths (``fee``).

    Args:
        name: What the user typed.
        secs: The sections to search (default: :func:`sim.schema.sections`).

    Returns:
        The matching parameters in section order, possibly none.
    """
    secs = secs if secs is not None else sections()
    params = [p for s in secs for p in s.params]
    key = _plain_path(name.strip())
    if not key:
        return []
    exact = [p for p in params if _plain_path(p.path) == key]
    if exact:
        return exact
    inside = [p for s in secs
              for p in s.params
              if _plain_path(s.path) == key or _plain_path(s.path).startswith(key + ".")
              or (s.kind == "institution" and s.path.rsplit(".", 1)[1] == key)]
    if inside:
        return inside
    ending = [p for p in params if _plain_path(p.path).endswith("." + key)]
    if ending:
        return ending
    return [p for p in params if key in _plain_path(p.path)]


def nearest(name: str, params: list[Param], n: int = 5) -> list[str]:
    """The paths closest to NAME, compared whole and by their last parts."""
    key = _plain_path(name.strip())
    by_tail: dict[str, list[str]] = {}
    for p in params:
        parts = _plain_path(p.path).split(".")
        for i in range(len(parts)):
            by_tail.setdefault(".".join(parts[i:]), []).append(p.path)
    out: list[str] = []
    for near in difflib.get_close_matches(key, list(by_tail), n=n, cutoff=0.6):
        out += [path for path in by_tail[near] if path not in out]
    return out[:n]


# --------------------------------------------------------------------------- formatting


def display_width(text: str) -> int:
    """Columns a text takes on a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns, and at least one space."""
    return text + " " * max(1, width - display_width(text))


def yaml_value(value: Any) -> str:
    """A value as ``--set`` takes it (YAML flow style; distributions as mappings)."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, tuple):
        value = list(value)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000,
                          sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def set_line(param: Param) -> str:
    """The ``--set`` option that changes a parameter, its default as the value.

    Entries of a list are addressed by index (the first: ``0``); a parameter
    without a default gets ``VALUE``.
    """
    path = param.path.replace("[]", ".0")
    value = "VALUE" if param.required or param.value is None else yaml_value(param.value)
    return f"--set {shlex.quote(f'{path}={value}')}"


def unit_text(unit: str, lang: str) -> str:
    """The unit, with its Chinese name in Chinese output."""
    if lang == "zh" and unit in UNIT_ZH:
        return f"{UNIT_ZH[unit]} ({unit})"
    return unit


def prior_text(param: Param, lang: str) -> str:
    """The declared prior (low to high, and its source), or why the parameter has none.

    A prior in the schema's format (``low``, ``high``, ``source``) reads "0.75 to 2.25
    (uniform); source: assumption"; a parameter without one says why (an input, a switch,
    one of :data:`sim.schema.PRIOR_EXEMPT`), or "not declared yet" for a numeric
    parameter that lacks one.
    """
    prior, t = param.prior, PRIOR_TEXT[lang]
    if isinstance(prior, dict) and {"low", "high"} <= set(prior):
        source = str(prior.get("source", "assumption"))
        return t["prior"].format(low=fmt_number(prior["low"]), high=fmt_number(prior["high"]),
                                 source=t["assumption"] if source == "assumption" else source)
    if prior is not None:
        return prior if isinstance(prior, str) else yaml_value(prior)
    reason = no_prior_reason(param)
    return t[reason] if reason else TEXT[lang]["no_prior"]


def describe(param: Param, sec: Section, lang: str) -> list[str]:
    """The lines that explain one parameter."""
    t = TEXT[lang]
    meaning = param.label_zh if lang == "zh" and param.label_zh else param.description
    rows = [(t["meaning"], meaning), (t["section"], section_title(sec, lang)),
            (t["type"], param.type), (t["unit"], unit_text(param.unit, lang)),
            (t["range"], param.range or t["any"]), (t["default"], param.default),
            (t["basis"], default_basis(param, lang) or "—"),
            (t["prior"], prior_text(param, lang)), (t["change"], set_line(param))]
    if "[]" in param.path:
        rows.append(("", t["list_entry"]))
    if param.institution:
        add = f"--set 'design.institutions.{param.institution}={{}}'"
        rows.append((t["institution"], t["needs"].format(name=param.institution, add=add)))
    width = max(display_width(label) for label, _ in rows) + 2
    return [param.path, *(f"  {pad(label + ':' if label else '', width)}{text}"
                          for label, text in rows)]


def listing(secs: list[Section], lang: str) -> list[str]:
    """Every parameter, one line each (path, unit, range, default), grouped by section."""
    t = TEXT[lang]
    params = [p for s in secs for p in s.params]
    width = max(len(p.path) for p in params) + 2
    units = min(24, max(display_width(unit_text(p.unit, lang)) for p in params) + 2)
    ranges = 16  # longer ranges (lists of choices) push the default to the right

    def line(path: str, unit: str, allowed: str, default: str) -> str:
        return (pad(path, width) + pad(unit, units) + pad(allowed, ranges) + default).rstrip()

    lines = [line("path (--set)", t["unit"], t["range"], t["default"])]
    for sec in secs:
        if not sec.params and sec.kind == "model":
            continue
        lines += ["", f"[{section_title(sec, lang)}]"]
        if not sec.params and sec.kind == "institution":
            lines.append(f"{sec.path}  ({t['no_params']})")
        lines += [line(p.path, unit_text(p.unit, lang), p.range or t["any"], p.default)
                  for p in sec.params]
    return [*lines, "", t["count"].format(n=len(params))]


def explain(name: str, lang: str = "zh") -> list[str]:
    """The lines ``sim params NAME`` prints.

    Raises:
        ConfigError: (field ``NAME``) if nothing matches, naming the nearest paths.
    """
    secs = sections()
    found = find(name, secs)
    bare = [s for s in secs if s.kind == "institution" and not s.params
            and s.path.rsplit(".", 1)[1] == name.strip()]
    if not found and bare:
        add = f"--set 'design.institutions.{name.strip()}={{}}'"
        return [section_title(bare[0], lang), f"  {TEXT[lang]['no_params']}; {add}"]
    if not found:
        params = [p for s in secs for p in s.params]
        near = nearest(name, params)
        hint = f"; nearest: {', '.join(near)}" if near else ""
        raise ConfigError("NAME", f"no parameter matches '{name}'{hint} (every parameter: "
                                  "sim params)")
    by_path = {p.path: s for s in secs for p in s.params}
    lines = [] if len(found) == 1 else [TEXT[lang]["matches"].format(name=name, n=len(found)),
                                        ""]
    for i, param in enumerate(found):
        lines += ([""] if i else []) + describe(param, by_path[param.path], lang)
    return lines


# --------------------------------------------------------------------------- command


def params_command(args: argparse.Namespace) -> int:
    """Handle ``sim params [NAME]``."""
    lines = explain(args.name, args.lang) if args.name else listing(sections(), args.lang)
    print("\n".join(lines))  # a reader that stops early (`| head`) is handled by sim.cli.main
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim params`` to the ``sim`` command."""
    from sim.cli_base import HelpFormatter

    parser = subparsers.add_parser(
        "params", help="every parameter: meaning, unit, range, default / 参数说明",
        description=PARAMS_DESCRIPTION, epilog=PARAMS_EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("name", metavar="NAME", nargs="?",
                        help="a parameter path, part of one, section or institution "
                             f"(e.g. noise, {INSTITUTIONS_PATH}.party_branch.min_members, "
                             "party_branch; default: list all). 参数名")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of labels: zh = Chinese, en = English (default: zh). "
                             "语言")
    parser.set_defaults(handler=params_command)
