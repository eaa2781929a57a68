"""The bilingual catalogue of user-facing text (``sim/catalogue.yaml``, :mod:`sim.text`)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
import yaml

from sim import text

ROOT = Path(__file__).resolve().parents[1] / "sim"


def _fields(template: str) -> set[str]:
    """The ``{placeholders}`` of a format string (their names, without format specs)."""
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name}


def _sections_used() -> set[str]:
    """The section names that modules of the package ask for with ``section("…")``.

    Also under another name (``from sim.text import section as text_section``) or as
    ``text.section("…")``.
    """
    used = set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {"section"} | {alias.asname for node in ast.walk(tree)
                               if isinstance(node, ast.ImportFrom) and node.module == "sim.text"
                               for alias in node.names if alias.name == "section" and alias.asname}
        for node in ast.walk(tree):
            func = node.func if isinstance(node, ast.Call) else None
            called = getattr(func, "id", None) or (
                "section" if isinstance(func, ast.Attribute) and func.attr == "section"
                and getattr(func.value, "id", None) == "text" else None)
            if (called in names and isinstance(node, ast.Call) and node.args
                    and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    return used


def test_every_entry_has_chinese_and_english() -> None:
    """Each entry of each section has non-empty zh and en text (the loader checks it)."""
    cat = text.catalogue()
    assert cat, "the catalogue is empty"
    for name, entries in cat.items():
        for key, entry in entries.items():
            assert tuple(entry) == text.LANGUAGES, f"{name}.{key}"
            assert all(isinstance(v, str) and v.strip() for v in entry.values()), f"{name}.{key}"


def test_both_languages_use_the_same_placeholders() -> None:
    """A message formatted with the same values works in both languages."""
    for name, entries in text.catalogue().items():
        for key, entry in entries.items():
            assert _fields(entry["zh"]) == _fields(entry["en"]), f"{name}.{key}"


def test_every_section_is_used_and_every_use_exists() -> None:
    """No orphan section in the file, no module asking for a section that is not there."""
    assert _sections_used() == set(text.catalogue())


def test_a_section_has_the_shape_modules_use() -> None:
    plots = text.section("plots")
    assert set(plots) == {"zh", "en"} and set(plots["zh"]) == set(plots["en"])
    assert plots["zh"]["none"] == "本次运行无"


def test_an_entry_missing_a_language_is_refused(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader fails on an entry without English (the check can fail)."""
    bad = tmp_path / "catalogue.yaml"
    bad.write_text(yaml.safe_dump({"plots": {"month": {"zh": "月"}}}, allow_unicode=True),
                   encoding="utf-8")
    monkeypatch.setattr(text, "CATALOGUE", bad)
    text.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"plots\.month"):
            text.catalogue()
    finally:
        monkeypatch.undo()
        text.catalogue.cache_clear()


def test_no_module_keeps_a_message_table_of_its_own() -> None:
    """No ``TEXT``/``MESSAGES`` = {"zh": …, "en": …} literal is left in the package."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = getattr(node, "value", None)
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(value, ast.Dict):
                keys = {k.value for k in value.keys if isinstance(k, ast.Constant)}
                if {"zh", "en"} <= keys:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


# --- The tables moved from code (issue 10, item 6): labels, units, panels, institutions, page ---

CJK = re.compile(r"[\u4e00-\u9fff]")

NOT_MOVED_YET = {
    # Tables of user-facing text in modules owned elsewhere, still in code; remove a line when its
    # table moves to the catalogue (the test then fails if the table comes back).
    "params.py": {"SECTION_ZH", "UNIT_ZH"},
}
"""Module-level tables of Chinese text not in the catalogue yet, by module (relative to sim/)."""


@pytest.mark.parametrize(("section", "key", "entry"), [
    ("metrics", "contribution_rate", {"en": "Contribution rate"}),
    ("metrics", "contribution_rate", {"zh": "缴费/出资率"}),
    ("institutions", "party_branch", {"zh": "小区党支部", "en": ""}),
    ("plot_units", "yuan", {"en": "yuan", "zh": "元"}),
    ("plot_panels", "actions", {"zh": "行动比例", "en": "Action rates", "fr": "Taux"}),
])
def test_a_moved_entry_without_both_languages_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str, key: str,
        entry: dict[str, str]) -> None:
    """Missing zh, missing en, empty text, the wrong order or a third language: each fails."""
    bad = tmp_path / "catalogue.yaml"
    bad.write_text(yaml.safe_dump({section: {key: entry}}, allow_unicode=True, sort_keys=False),
                   encoding="utf-8")
    monkeypatch.setattr(text, "CATALOGUE", bad)
    text.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=rf"{section}\.{key} must have non-empty zh and en"):
            text.catalogue()
    finally:
        monkeypatch.undo()
        text.catalogue.cache_clear()


def test_column_labels_are_the_text_they_were() -> None:
    """Frozen copies of the labels of metrics.COLUMNS before they moved (same bytes)."""
    from sim import metrics

    col = metrics.COLUMNS["contribution_rate"]
    assert (col.zh, col.en) == ("缴费/出资率", "Contribution rate")
    assert metrics.label("matters_resolved", "zh") == "每月解决事项"
    assert metrics.label("matters_resolved", "en") == "Matters resolved per month"
    assert metrics.label("firm_present_share") == "Firm present"
    assert set(metrics.LABELS["zh"]) == set(metrics.COLUMNS), "one label per column"


def test_a_column_without_a_label_fails_when_defined() -> None:
    from sim import metrics

    with pytest.raises(KeyError, match="not_a_column"):
        metrics._column("not_a_column", "share", "A column the catalogue does not name.")


def test_units_and_panels_are_the_text_they_were() -> None:
    """Frozen copies of plots.UNITS, PER_MONTH and panel titles, and the axis text built on them."""
    from sim import plots

    assert plots.UNITS == {"share": ("比例（0–1）", "share (0–1)"),
                           "households": ("户", "households"), "matters": ("件", "matters"),
                           "yuan": ("元", "yuan")}
    assert plots.PER_MONTH == ("/月", "/month")
    assert [(p.zh, p.en) for p in plots.PANELS[:2]] == [("行动比例", "Action rates"),
                                                        ("环境与民情", "Condition and attitudes")]
    assert {p.key for p in plots.PANELS} == set(plots.PANEL_TITLES["zh"])
    assert plots.axis_label("gov_spending", "zh") == "政府投入（元/月）"
    assert plots.axis_label("petitions", "en") == "Petitions (households/month)"
    assert plots.axis_label("matters_resolved", "zh") == "每月解决事项（件/月）"
    assert plots.axis_label("matters_resolved", "en") == "Matters resolved per month"
    assert plots.axis_label("matters_open", "en") == "Open matters"
    assert plots.unit_text("compounds", "zh") == "compounds"  # unknown unit: itself


def test_a_column_no_panel_lists_gets_an_other_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extra panel's titles, formatted from the catalogue, are those of the old f-strings."""
    from sim import metrics, plots

    extra = metrics.Column("fines", "yuan", "罚款", "Fines", "Fines paid.", "sum", flow=True)
    monkeypatch.setitem(plots.COLUMNS, "fines", extra)
    panel = plots.panels_for(["fines"])[-1]
    assert (panel.zh, panel.en, panel.columns, panel.key) == ("其他（元）", "Other (yuan)",
                                                              ("fines",), "")


def test_institution_names_come_from_the_catalogue() -> None:
    """Every registered institution is named in the catalogue, by the text it had in its class."""
    from sim.institutions.registry import REGISTRY

    names = text.section("institutions")
    assert set(names["zh"]) == set(REGISTRY), "one entry per registered institution"
    assert (REGISTRY["party_branch"].label_zh, REGISTRY["party_branch"].label_en) == (
        "小区党支部", "Party branch")
    assert REGISTRY["online_tools"].label_zh == "线上议事、电子投票、电子缴费"
    assert REGISTRY["owners_committee"].label_en == "Owners' committee"
    for name, cls in REGISTRY.items():
        assert (cls.label_zh, cls.label_en) == (names["zh"][name], names["en"][name]), name


def test_sim_schedule_prints_the_names_it_printed() -> None:
    """Frozen lines of ``sim schedule nanan_131`` (both languages) before the names moved."""
    from sim.schedule_cli import load_design, render

    design = load_design("nanan_131")
    zh, en = render(design, "zh").splitlines(), render(design, "en").splitlines()
    assert zh[3] == "    1. party_branch — 小区党支部"
    assert "    2. deliberation_council — 议事会" in zh
    assert en[3] == "    1. party_branch — Party branch"
    assert "    5. three_affairs_triage — Three-affairs triage" in en


def test_an_institution_naming_itself_beside_the_catalogue_is_refused() -> None:
    """A label in the class of a name the catalogue has is two places for one text."""
    from sim.institutions.base import Institution, Params

    with pytest.raises(TypeError, match=r"Branch2 sets label_zh.*section institutions"):
        class Branch2(Institution[Params]):
            name = "party_branch"
            label_zh = "另一个党支部"

    class Outside(Institution[Params]):  # not in the catalogue: keeps its own labels
        name = "outside_example"
        label_zh = "外部示例"
        label_en = "Outside example"

    assert (Outside.label_zh, Outside.label_en) == ("外部示例", "Outside example")


def test_the_registry_refuses_an_institution_without_a_name(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A registered class the catalogue does not name fails when the registry is built."""
    from sim import schedule
    from sim.institutions.base import Access, Contract, Institution, Params
    from sim.institutions.registry import INSTITUTIONS, make_registry

    class Unnamed(Institution[Params]):
        name = "unnamed_example"
        contract = Contract(month_end=Access())

        def month_end(self, model: object) -> None:
            """Do nothing."""

    order = {**schedule.PHASE_ORDER,
             "month_end": (*schedule.PHASE_ORDER["month_end"], "unnamed_example")}
    with pytest.raises(TypeError, match=r"unnamed_example has no Chinese or English name.*"
                                        r"sim/catalogue\.yaml"):
        make_registry((*INSTITUTIONS, Unnamed), order)
    monkeypatch.setattr(Unnamed, "label_zh", "无名", raising=False)
    monkeypatch.setattr(Unnamed, "label_en", "Unnamed", raising=False)
    assert make_registry((*INSTITUTIONS, Unnamed), order)["unnamed_example"] is Unnamed


def test_institution_classes_hold_no_labels() -> None:
    """No ``label_zh``/``label_en`` is assigned in the body of an institution class.

    (The base class declares them, empty, for the catalogue to fill.)
    """
    offenders = []
    for path in (ROOT / "institutions").glob("*.py"):
        if path.name == "base.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    targets = (stmt.targets if isinstance(stmt, ast.Assign) else
                               [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value
                               else [])
                    if any(getattr(t, "id", "") in ("label_zh", "label_en") for t in targets):
                        offenders.append(f"{path.name}:{stmt.lineno}")
    assert not offenders, offenders


def test_page_text_is_the_text_it_was() -> None:
    """Frozen copies of the page's controls, its table head and the view's legend."""
    from sim import app, views

    face = next(c for c in app.CONTROLS if c.key == "behaviour__weights__face")
    assert (face.zh, face.en, face.kind, face.low, face.high, face.step) == (
        "面子压力", "Face pressure", "SliderFloat", 0.0, 4.0, 0.1)
    assert face.about_zh == "面子项的权重：看到邻居行动而自己不行动的压力"
    assert face.about_en == ("weight of face: the pressure of being seen not acting when "
                             "neighbours act")
    design = next(c for c in app.CONTROLS if c.key == "design")
    assert (design.zh, design.en, design.about_zh, design.about_en) == (
        "治理模式", "Design", "", "")
    assert {c.key for c in app.CONTROLS} == set(app.CONTROL_TEXT["zh"])
    assert set(app.CONTROL_ABOUT["zh"]) <= set(app.CONTROL_TEXT["zh"])
    assert app.TEXT["zh"]["table_head"] == "| 参数 | 取值 | 含义 |"
    assert views.STATES[0] == ("未出力", "does nothing for the compound", "#d9d9d9")
    assert views.STATES[3] == ("上访", "petitions", "#de2d26")
    assert set(views.STATE_COLOURS) == set(text.section("view_states")["zh"])
    assert [p.en for p in views.OUTCOME_PANELS] == [
        "Action rates", "Condition and attitudes", "Petitions", "Property firm and self-funding"]


def _chinese_tables() -> dict[str, set[str]]:
    """Module-level assignments whose value holds Chinese text, by module (docstrings aside).

    Argparse help (``DESCRIPTION``, ``EPILOG``, ``*_HELP``, ``parser``…), which each command
    writes in both languages in one string, and quotations of the seeds are not tables.
    """
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            name = ast.unparse(target)
            if any(part in name for part in ("DESCRIPTION", "EPILOG", "HELP", "HINT")):
                continue
            if any(isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)
                   for n in ast.walk(node.value)):
                found.setdefault(str(path.relative_to(ROOT)), set()).add(name)
    return found


def test_no_table_of_chinese_text_is_left_in_code() -> None:
    """Tables of user-facing text are in the catalogue; the ones still in code are listed."""
    found = _chinese_tables()
    allowed = {**NOT_MOVED_YET,
               # Not display text: the column meanings quote Chinese terms inside English; a
               # community table's Chinese headers and yes/no words are what it accepts as input;
               # the default matter types are scenario data (a YAML file sets its own label_zh).
               "metrics.py": {"COLUMNS"}, "config.py": {"DEFAULT_MATTERS"},
               "communities.py": {"TABLE_COLUMNS", "TRUE_WORDS", "FALSE_WORDS"}}
    extra = {mod: names - allowed.get(mod, set()) for mod, names in found.items()}
    assert not {m: n for m, n in extra.items() if n}, extra
