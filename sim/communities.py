"""Where a community comes from: a preset name, a community YAML file or a table.

``sim compare --community VALUE`` (and any caller that lets a user name a
community) passes VALUE through :func:`resolve_community`, which returns what
``Scenario.override({"community": ...})`` accepts: a preset name or a mapping.

A table (CSV or XLSX, :func:`read_community_table`) describes one's own
community with one row per compound. Its columns are fields of
:class:`sim.config.CompoundGroup` (:data:`TABLE_COLUMNS`; Chinese headers are
aliases), so the ranges are the schema's and a compound from a table is
exactly a compound from a YAML file. Every bad cell is an error naming the
file, the row as a spreadsheet numbers it (the header is row 1), the column
and what is allowed; nothing is skipped but wholly empty rows and columns.
``sim community import`` (:mod:`sim.community_cli`) writes the same mapping as a
community YAML file for editing (:func:`community_yaml`).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ConfigError

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
"""File endings read as a table of compounds."""


@dataclass(frozen=True)
class Column:
    """A column of a community table: the compound field it fills and its Chinese header.

    Attributes:
        field: The :class:`sim.config.CompoundGroup` field (``compound`` fills ``name``).
        header: The English header.
        zh: Chinese headers accepted as aliases (the first is shown in help).
        required: Whether every table must have the column.
        text: What the column holds, where the field's own description does not fit a
            table (``""``: the schema's description).
    """

    field: str
    header: str
    zh: tuple[str, ...]
    required: bool = False
    text: str = ""


TABLE_COLUMNS: tuple[Column, ...] = (
    Column("name", "compound", ("小区", "小区名称", "名称"), required=True,
           text="Name of the compound (Chinese is fine), different in every row."),
    Column("households", "households", ("户数",), required=True),
    Column("buildings", "buildings", ("楼栋数", "楼栋"), required=True),
    Column("firm", "firm", ("有无物业", "物业"), required=True),
    Column("floating_share", "floating_share", ("流动人口比例",), required=True),
    Column("units_per_building", "units_per_building", ("每栋单元数", "单元数")),
    Column("owner_share", "owner_share", ("业主比例", "自有住房比例")),
    Column("condition", "condition", ("初始状况", "环境状况")),
    Column("ability_median", "ability_median", ("收入中位数",)),
    Column("party_share", "party_share", ("党员户比例",)),
    Column("work_unit_owner", "work_unit_owner", ("单位产权",)),
    Column("open_matters", "open_matters", ("待解决事项",)),
)
"""The columns a community table may have, in the order of ``sim community import --help``."""

TRUE_WORDS = ("1", "true", "yes", "是", "有")
FALSE_WORDS = ("0", "false", "no", "否", "无")
"""Cells accepted for a yes/no column (case does not matter)."""

LIST_SEPARATORS = r"[;；、,，\s]+"
"""What separates the matter types of one ``open_matters`` cell."""


def resolve_community(value: str, field: str = "--community") -> str | dict[str, Any]:
    """Return a community preset name or the mapping of a community file.

    Args:
        value: A preset name (``heping_road``), the path of a community YAML file or
            of a table of compounds (``.csv``, ``.xlsx``; see :func:`read_community_table`).
        field: The option or field named in errors.

    Returns:
        The preset name, the validated-later mapping read from a YAML file, or the
        validated mapping built from a table.

    Raises:
        ConfigError: For an unknown preset (naming the nearest one), a file that
            is not a community, or a bad cell of a table.
    """
    from sim.config import preset_names, read_yaml

    path = Path(value)
    if path.suffix.lower() in TABLE_SUFFIXES or path.suffix.lower() == ".xls":
        return read_community_table(path, field=field)
    if path.suffix.lower() in {".yaml", ".yml"} or path.is_file():
        data = read_yaml(path, field)
        kind = data.get("kind", "community")
        if kind != "community":
            raise ConfigError(field, f"{value} is a {kind} file, not a community (kind: "
                                     "community)")
        data = {key: val for key, val in data.items() if key != "kind"}
        data.setdefault("name", path.stem)
        return data
    communities = preset_names("communities")
    if value in communities:
        return value
    near = difflib.get_close_matches(value, communities, n=1, cutoff=0.6)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    raise ConfigError(field, f"unknown community '{value}'{hint} (presets: "
                             f"{', '.join(communities)}; or a community YAML file, or a table "
                             f"{'/'.join(TABLE_SUFFIXES)})")


# --------------------------------------------------------------------------- tables


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _header_key(text: str) -> str:
    """Normalise a header for lookup: trimmed, lower case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", text.strip()).lower()


def _header_lookup() -> dict[str, Column]:
    """Every accepted header (English and Chinese, normalised) mapped to its column."""
    lookup: dict[str, Column] = {}
    for col in TABLE_COLUMNS:
        for name in (col.header, *col.zh):
            lookup[_header_key(name)] = col
    return lookup


def _is_empty(value: Any) -> bool:
    """Whether a cell holds nothing (``None`` or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _read_rows(path: Path, field: str) -> tuple[str, Iterator[list[Any]]]:
    """Open a CSV or XLSX table and return the name its cells are reported by and its rows.

    CSV is read as UTF-8 (with or without the byte-order mark Excel writes) or,
    failing that, GB18030 (what Chinese Excel writes); XLSX is read with
    openpyxl, first sheet, cell values as last computed.

    Args:
        path: The table.
        field: Named in errors about the file as a whole (an option such as
            ``--community``, or the file itself).

    Raises:
        ConfigError: If the file is missing, unreadable or not a table.
    """
    where = str(path)
    if not path.exists():
        raise ConfigError(field, f"file not found: {path}")
    if not path.is_file():
        raise ConfigError(field, f"not a file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ConfigError(field, "old Excel .xls files cannot be read; save the sheet as .xlsx "
                                 "or .csv (另存为 .xlsx 或 .csv)")
    if suffix == ".csv":
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(field, f"cannot read {path}: {exc.strerror or exc}") from None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ConfigError(field, "cannot decode the CSV file; save it as UTF-8")
        return where, iter(list(csv.reader(io.StringIO(text, newline=""))))
    try:
        import openpyxl
    except ModuleNotFoundError:
        raise ConfigError(field, "reading .xlsx needs openpyxl: .venv/bin/pip install openpyxl "
                                 "(or save the sheet as .csv)") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ConfigError(field, f"cannot read the workbook: {exc}") from None
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return f"{where} [{sheet.title}]", iter(rows)


def _number(value: Any) -> float:
    """A cell as a finite number (``"35%"`` is 0.35); ``ValueError`` otherwise."""
    if isinstance(value, bool):
        raise ValueError("is true/false, not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        scale = 1.0
        if text.endswith(("%", "％")):
            text, scale = text[:-1].strip(), 0.01
        try:
            number = float(text) * scale
        except ValueError:
            raise ValueError("is not a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _cell_value(value: Any, annotation: Any) -> Any:
    """Convert one non-empty cell to the type of its field; ``ValueError`` with what is wrong."""
    from sim.config import DEFAULT_MATTERS, _unknown

    if annotation is bool:
        text = str(int(value)) if isinstance(value, int | float) and value in (0, 1) else (
            str(value).strip().lower())
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError("is not a yes/no value")
    if annotation is int:
        number = _number(value)
        if number != int(number):
            raise ValueError("must be a whole number")
        return int(number)
    if annotation is float:
        return _number(value)
    if annotation == list[str]:
        names = [n for n in re.split(LIST_SEPARATORS, str(value).strip()) if n]
        known = [m.name for m in DEFAULT_MATTERS]
        for name in names:
            if name not in known:
                raise ValueError(_unknown(name, known, "matter type"))
        return names
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a name such as 101 typed in a number cell
    return str(value).strip()


def _allowed(field: str) -> str:
    """What a compound field allows, from the schema (range, yes/no, or list of matters)."""
    from sim.config import CompoundGroup
    from sim.schema import params_of

    param = next(p for p in params_of(CompoundGroup, "") if p.name == field)
    if param.type == "true/false":
        return (f"0 or 1, also {'/'.join(TRUE_WORDS[1:])} or {'/'.join(FALSE_WORDS[1:])}")
    if param.type == "text":
        return "the compound's name, any text"
    if field == "open_matters":
        return "matter types separated by ';' (e.g. lights;drains)"
    kind = "a whole number" if param.type == "integer" else "a number"
    return f"{kind} in {param.range}" if param.range.startswith(("[", "(")) else (
        f"{kind} {param.range}")


def read_community_table(path: str | Path, name: str | None = None,
                         field: str | None = None) -> dict[str, Any]:
    """Read a table with one row per compound into a community mapping.

    Row 1 holds the headers (:data:`TABLE_COLUMNS`, English or Chinese); each
    further row is one compound, a :class:`sim.config.CompoundGroup` with
    ``count`` 1 named by its ``compound`` cell. An empty cell of an optional
    column takes the field's default; wholly empty rows are skipped.

    Args:
        path: A ``.csv`` or ``.xlsx`` file.
        name: The community's name (default: the file name without its ending).
        field: Named in errors about the file as a whole, e.g. ``--community``
            (default: the path); errors about cells always name the file.

    Returns:
        The validated community as plain data (every field explicit), as
        ``Scenario.override({"community": ...})`` and a community YAML file take it.

    Raises:
        ConfigError: Naming the file, the row and column and what is allowed, for a
            missing file, an unknown, repeated, missing or unnamed column, an
            empty table, an empty required cell, a value of the wrong type, out of
            range or not finite, fewer households than buildings, or a compound
            name used twice.
    """
    from sim.config import Community, CompoundGroup, _config_error, _unknown

    path = Path(path)
    where, rows = _read_rows(path, field or str(path))
    header = next(rows, None) or []
    body = [(i, r) for i, r in enumerate(rows, start=2) if not all(_is_empty(v) for v in r)]
    # A column without a header is an error if anything is in it; else it is padding.
    columns: dict[int, Column] = {}
    lookup = _header_lookup()
    known = [c.header for c in TABLE_COLUMNS] + [z for c in TABLE_COLUMNS for z in c.zh]
    for j, head in enumerate(header):
        letter = column_letter(j)
        if _is_empty(head):
            if any(j < len(r) and not _is_empty(r[j]) for _, r in body):
                raise ConfigError(f"{where}, column {letter}",
                                  "has values but no header in row 1 (allowed headers: "
                                  f"{', '.join(c.header for c in TABLE_COLUMNS)})")
            continue
        col = lookup.get(_header_key(str(head)))
        if col is None:
            raise ConfigError(f"{where}, column {letter}", _unknown(str(head).strip(), known,
                                                                  "column"))
        if col in columns.values():
            first = next(k for k, c in columns.items() if c is col)
            raise ConfigError(f"{where}, column {letter}",
                              f"'{str(head).strip()}' repeats column {column_letter(first)} "
                              f"'{header[first]}' ({col.header}); keep one")
        columns[j] = col
    missing = [c for c in TABLE_COLUMNS if c.required and c not in columns.values()]
    if missing:
        raise ConfigError(where, "missing column(s) " + ", ".join(
            f"{c.header} ({c.zh[0]})" for c in missing) + " in row 1 (required: "
            + ", ".join(c.header for c in TABLE_COLUMNS if c.required) + ")")
    if not body:
        raise ConfigError(where, "has no compounds: add one row per compound below the "
                                 "headers")
    fields = CompoundGroup.model_fields
    groups: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r, cells in body:
        if len(cells) > len(header) and any(not _is_empty(v) for v in cells[len(header):]):
            raise ConfigError(f"{where}, row {r}", f"has {len(cells)} cells but row 1 has "
                                                   f"{len(header)} headers")
        data: dict[str, Any] = {"count": 1}
        for j, col in columns.items():
            at = f"{where}, row {r}, column {column_letter(j)} ({header[j]})"
            value = cells[j] if j < len(cells) else None
            if _is_empty(value):
                if col.required:
                    raise ConfigError(at, f"is empty; required ({_allowed(col.field)})")
                continue
            try:
                data[col.field] = _cell_value(value, fields[col.field].annotation)
            except ValueError as exc:
                raise ConfigError(at, f"{exc} (allowed: {_allowed(col.field)}; "
                                      f"got {value!r})") from None
        try:
            group = CompoundGroup.model_validate(data)
        except ValidationError as exc:
            err = _config_error(exc)
            j = next(k for k, c in columns.items() if c.field == err.field)
            raise ConfigError(f"{where}, row {r}, column {column_letter(j)} ({header[j]})",
                              f"must be {_allowed(err.field)} (got {data[err.field]!r})"
                              ) from None
        if group.households < group.buildings:
            j = next(k for k, c in columns.items() if c.field == "households")
            raise ConfigError(f"{where}, row {r}, column {column_letter(j)} ({header[j]})",
                              f"{group.households} households in {group.buildings} buildings:"
                              " a compound needs at least one household per building")
        if group.name in seen:
            j = next(k for k, c in columns.items() if c.field == "name")
            raise ConfigError(f"{where}, row {r}, column {column_letter(j)} ({header[j]})",
                              f"compound '{group.name}' is already in row {seen[group.name]}; "
                              "compound names must differ")
        seen[group.name] = r
        groups.append(group.model_dump(mode="json"))
    community = Community.model_validate({
        "name": name or path.stem,
        "source": f"table {path.name}, one row per compound",
        "description": f"{len(groups)} compounds imported from {path.name}.",
        "groups": groups,
    })
    data = community.model_dump(mode="json")
    data.pop("kind")
    return data


def community_yaml(community: dict[str, Any], source: str | Path) -> str:
    """The text of a community YAML file for a community read from a table.

    A header comment says where it came from and that it can be edited; the
    body lists every field, defaults included, so each can be seen and changed.

    Args:
        community: A mapping from :func:`read_community_table`.
        source: The table it came from, named in the header.
    """
    head = ("# Community imported by `sim community import` from the table\n"
            f"#   {source}\n"
            "# This file can be edited: every compound's fields are listed, defaults included\n"
            "# (meanings: docs/parameters.md, section community.groups[], or\n"
            "# `sim params community.groups`).\n"
            "# 由 `sim community import` 从上面的表格生成；可以直接编辑本文件，各字段含义见\n"
            "# docs/parameters.md 或 `sim params community.groups`。\n")
    body = yaml.safe_dump({"kind": "community", **community}, allow_unicode=True,
                          sort_keys=False, width=92)
    return head + body
