"""``sim community import``: turn a table of one's own compounds into a community YAML file.

A policy analyst has a spreadsheet of the compounds of a community (小区,
户数, 楼栋数, 有无物业, 流动人口比例…). ``sim compare --community my.csv``
reads it directly (:func:`sim.communities.resolve_community`); ``sim community
import my.csv`` writes the same community as YAML, every field explicit, so it
can be edited (network, labels, per-compound fees…) and reused as
``--community my.yaml`` or, placed in ``configs/communities/`` or a folder of
``$SIM_CONFIG_PATH``, as a preset name. The columns and their ranges come from
the schema (:data:`sim.communities.TABLE_COLUMNS`, :class:`sim.config.CompoundGroup`),
and so does the help text.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from sim.communities import TABLE_COLUMNS, TABLE_SUFFIXES, community_yaml, read_community_table
from sim.errors import ConfigError

EXAMPLE = Path("configs/communities/examples/my_community.csv")
"""The example table shipped with the package (also as ``.xlsx`` with Chinese headers)."""

COMMUNITY_DESCRIPTION = """\
Work with communities of one's own: import a table of compounds as a community file.
社区工具：把自己社区各小区的表格导入为社区配置文件。
"""

IMPORT_DESCRIPTION = """\
Read TABLE (CSV or XLSX, one row per compound, headers in row 1) and write it as a
community YAML file that can be edited and used as `--community FILE.yaml`.
读取表格（CSV 或 XLSX，第 1 行为列名，每行一个小区），写出可编辑的社区 YAML 文件。

The table itself also works directly: sim compare ... --community TABLE.
表格也可以直接使用：sim compare ... --community 表格文件。
"""


def columns_help() -> str:
    """The columns of a community table with Chinese header, allowed values and default.

    Generated from :data:`sim.communities.TABLE_COLUMNS` and the schema of
    :class:`sim.config.CompoundGroup`, so it always matches what is accepted.
    """
    from sim.config import CompoundGroup
    from sim.schema import params_of

    params = {p.name: p for p in params_of(CompoundGroup, "community.groups[]")}
    lines = ["columns / 列 (English or Chinese headers; * = required 必填):"]
    for col in TABLE_COLUMNS:
        param = params[col.field]
        allowed = ("0/1 (true/false, 是/否, 有/无)" if param.type == "true/false"
                   else "matter types, ';'-separated" if col.field == "open_matters"
                   else param.range or "text")
        default = "" if col.required else f"; default {param.default}"
        lines.append(f"  {'*' if col.required else ' '} {col.header:<19}{' / '.join(col.zh)}")
        lines += textwrap.wrap(f"{allowed}{default}. {col.text or param.description}", width=88,
                               initial_indent="      ", subsequent_indent="      ")
    lines.append("  An empty cell of an optional column takes the default; wholly empty rows\n"
                 "  are skipped; any other problem is an error naming row and column.\n"
                 "  可选列留空即取默认值；整行为空的行跳过；其他任何问题都会报错并指出行和列。")
    return "\n".join(lines)


def import_epilog() -> str:
    """The examples and column list shown by ``sim community import --help``."""
    return f"""\
{columns_help()}

example table / 示例表格 ({EXAMPLE}; {EXAMPLE.with_suffix('.xlsx').name} has Chinese headers):
  compound,households,buildings,firm,floating_share,units_per_building,condition
  幸福里小区,240,6,0,0.25,2,0.4
  滨江花园,480,8,1,0.15,4,0.7

examples / 示例:
  sim community import {EXAMPLE} --out my_community.yaml
  sim community import 我的社区.xlsx --name wode_shequ --out configs/communities/wode_shequ.yaml
  sim compare baseline nanan_131 --community my_community.yaml
  sim compare baseline nanan_131 --community {EXAMPLE}

The file written starts with a comment naming the table; an existing file is replaced
only with --force. 已有文件只有加 --force 才会被覆盖。
"""


def write_text_atomic(path: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``path`` whole or not at all; never replace a file without ``force``.

    Raises:
        ConfigError: (field ``--out``) if the file exists and ``force`` is off, or it
            cannot be written.
    """
    if path.exists() and not force:
        raise ConfigError("--out", f"{path} exists; pass --force to replace it (已存在，加 "
                                   "--force 覆盖)")
    if path.exists() and not path.is_file():
        raise ConfigError("--out", f"{path} is not a file")
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ConfigError("--out", f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def import_command(args: argparse.Namespace) -> int:
    """Handle ``sim community import``: read the table, check ``--out``, write the YAML."""
    table = Path(args.table)
    if table.suffix.lower() not in (*TABLE_SUFFIXES, ".xls"):
        raise ConfigError("TABLE", f"{table} is not a table: expected "
                                   f"{', '.join(TABLE_SUFFIXES)}")
    out = Path(args.out) if args.out else table.with_suffix(".yaml")
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ConfigError("--out", f"{out} must end in .yaml or .yml, so that --community "
                                   "reads it as a community file")
    if out.exists() and not args.force:  # before reading, so a long table is not read twice
        raise ConfigError("--out", f"{out} exists; pass --force to replace it (已存在，加 "
                                   "--force 覆盖)")
    community = read_community_table(table, name=args.name)
    write_text_atomic(out, community_yaml(community, table), args.force)
    n = len(community["groups"])
    households = sum(g["households"] for g in community["groups"])
    print(f"{out}: {n} compounds, {households} households / {n} 个小区，{households} 户"
          f" (--community {out})")
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim community`` (with its subcommand ``import``) to the ``sim`` command."""
    from sim.cli_base import HelpFormatter, Parser

    parser = subparsers.add_parser(
        "community", help="import a table of one's own compounds / 导入自己的社区",
        description=COMMUNITY_DESCRIPTION, formatter_class=HelpFormatter, allow_abbrev=False)
    actions = parser.add_subparsers(title="subcommands / 子命令", dest="action",
                                    metavar="ACTION", required=True, parser_class=Parser)
    imp = actions.add_parser(
        "import", help="table (CSV/XLSX) → community YAML / 表格 → 社区 YAML",
        description=IMPORT_DESCRIPTION, epilog=import_epilog(), formatter_class=HelpFormatter,
        allow_abbrev=False)
    imp.add_argument("table", metavar="TABLE",
                     help="a .csv or .xlsx file, one row per compound (required). 表格文件")
    imp.add_argument("--out", metavar="FILE.yaml",
                     help="where to write (default: TABLE with the ending .yaml). 输出文件")
    imp.add_argument("--name", metavar="NAME",
                     help="the community's name (default: TABLE's file name without "
                          "ending). 社区名称")
    imp.add_argument("--force", action="store_true",
                     help="replace FILE.yaml if it exists (default: off). 覆盖已有文件")
    imp.set_defaults(handler=import_command)
