"""Wording of the compare report and of the figures (issue 9, items 10 and 12).

Design labels are shown whole (tables, text) or wrapped over lines (figures), never cut;
English counts are pluralised; backticks of configs' prose become ``<code>``; no runner-up
sentence when only two designs are compared; monthly flows carry a per-month unit
(户/月, 件/月, 元/月); an undefined self-funded share is a gap, not a 0; a flat-zero panel
shows one 0 tick and says there was none.
"""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim import plots
from sim.experiments import compare_report
from sim.experiments.compare import Comparison, compare
from sim.metrics import COLUMNS, label
from sim.plots import PANELS, axis_label, draw_panel, plot_timeseries

LABEL_ZH = "党建引领 + 议事会 + 业委会(无监委会)"
LABEL_EN = "Branch, council and committee without supervision"
BASELINE_ZH = "行政主导基线(大社区模式)"
BASELINE_EN = 'Administrative baseline ("big community" mode)'
DESIGN_YAML = f"""kind: design
label_zh: {LABEL_ZH}
label_en: {LABEL_EN}
description: What happens to 131 without its supervisory committee?
institutions:
  party_branch: {{min_members: 3, visits_per_member: 2}}
  deliberation_council: {{quorum: 0.1}}
  owners_committee: {{price_saving: 0.1}}
  covenant: {{}}
  government_service: {{months_small: 24}}
  renovation_campaign: {{allocation: competition}}
"""


@pytest.fixture(scope="module")
def design_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's own example design, with its two long labels."""
    path = tmp_path_factory.mktemp("design") / "my_design.yaml"
    path.write_text(DESIGN_YAML, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def comp(design_file: Path) -> Comparison:
    """Baseline vs the README design on the one-compound default community."""
    return compare(["baseline", str(design_file)], seeds=range(3), steps=12)


@pytest.fixture(scope="module")
def yimin(design_file: Path) -> Comparison:
    """A tiny comparison on the Yimin compound, whose description has backticks."""
    return compare(["baseline", "nanan_131"], community="yimin_compound", seeds=range(2),
                   steps=2)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Every matplotlib figure saved while the test runs."""
    figures: list[Figure] = []
    save = Figure.savefig

    def record(self: Figure, *args: object, **kwargs: object) -> None:
        figures.append(self)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    return figures


def report(comp: Comparison, lang: str, folder: Path) -> str:
    """The report's HTML, unescaped."""
    figures = compare_report.make_figures(comp, lang, folder)
    return html.unescape(compare_report.render_report(comp, lang, figures))


def squash(text: str) -> str:
    """Text without any whitespace (wrapping only adds or turns spaces into newlines)."""
    return re.sub(r"\s+", "", text)


def figure_texts(fig: Figure) -> list[str]:
    """Every piece of text drawn on a figure: titles, legends, tick labels, notes."""
    out = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.get_yticklabels()]
    return [t for t in out if t]


# --------------------------------------------------------------------------- item 10


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_design_labels_are_whole_in_the_html(comp, tmp_path, lang):
    text = report(comp, lang, tmp_path)
    whole, ref = (LABEL_ZH, BASELINE_ZH) if lang == "zh" else (LABEL_EN, BASELINE_EN)
    table = text[text.index('<table class="results">'):]
    findings = text[text.index('<div class="findings">'):text.index('<p class="caveat">')]
    for part in (table, findings):
        assert whole in part and ref in part
    assert f"<b>{whole}</b>" in findings and f"<b>{ref}</b>" in findings
    cut = "党建引领 + 议事会 + 业委会" if lang == "zh" else "Branch"
    assert f"<b>{cut}</b>" not in text and f"{cut}</th>" not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_design_labels_are_whole_in_the_figures(comp, tmp_path, drawn, lang):
    compare_report.make_figures(comp, lang, tmp_path)
    whole, ref = (LABEL_ZH, BASELINE_ZH) if lang == "zh" else (LABEL_EN, BASELINE_EN)
    forest, series = drawn[0], drawn[1:]
    ticks = [t.get_text() for t in forest.axes[0].get_yticklabels()]
    assert [squash(t) for t in ticks] == [squash(whole)]
    assert squash(ref) in squash(forest.get_suptitle())
    for fig in series:
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert [squash(t) for t in legend] == [squash(ref), squash(whole)]
        for text in legend:
            assert all(plots.text_width(line) <= 40 for line in text.splitlines()), text


def test_wrap_label_keeps_every_character_and_counts_chinese_double():
    assert plots.wrap_label("Branch", 40) == "Branch"
    zh = plots.wrap_label(LABEL_ZH * 2, 20)
    assert squash(zh) == squash(LABEL_ZH * 2)
    assert all(plots.text_width(line) <= 20 for line in zh.splitlines())
    assert len(zh.splitlines()) >= 3
    en = plots.wrap_label(LABEL_EN, 20)
    assert en.replace("\n", " ") == LABEL_EN
    assert all(plots.text_width(line) <= 20 for line in en.splitlines())
    assert plots.text_width("议事会") == 6 and plots.text_width("abc") == 3
    assert plots.wrap_label("Supercalifragilistic", 5) == "Supercalifragilistic"  # a word is whole


# --------------------------------------------------------------------------- item 12


def test_english_counts_are_pluralised(comp, tmp_path):
    text = report(comp, "en", tmp_path)
    assert comp.reference.scenario.community.n_compounds == 1
    assert "in 1 compound (courtyard)" in text
    assert not re.search(r"\b1 (compounds|seeds|designs|months|households)\b", text)
    one = dataclasses.replace(comp, seeds=comp.seeds[:1])
    sub = compare_report.TEXT["en"]["subtitle"]
    assert "1 seed " in compare_report.say(sub, designs=2, seeds=1, steps=12)
    assert "1 seeds" not in compare_report._method_html(one, "en")


def test_backticks_of_config_prose_become_code(yimin, tmp_path):
    text = compare_report.render_report(yimin, "en", [])
    assert "`" not in text
    assert "<code>lights</code>" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_runner_up_with_two_designs(comp, lang):
    sentence = compare_report.best_reading(comp, "condition", True, lang)
    assert "runner-up" not in sentence and "第二名" not in sentence
    assert (LABEL_ZH if lang == "zh" else LABEL_EN) in html.unescape(sentence) \
        or (BASELINE_ZH if lang == "zh" else BASELINE_EN) in html.unescape(sentence)


def test_runner_up_is_named_with_three_designs(comp):
    three = dataclasses.replace(comp, arms=[*comp.arms,
                                            dataclasses.replace(comp.arms[1], key="again")])
    rows = comp.summary[comp.summary["design"] == comp.arms[1].key].copy()
    rows["design"] = "again"
    three.summary = pd.concat([comp.summary, rows], ignore_index=True)
    runs = comp.runs[comp.runs["design"] == comp.arms[1].key].copy()
    runs["design"] = "again"
    three.runs = pd.concat([comp.runs, runs], ignore_index=True)
    assert "runner-up" in compare_report.best_reading(three, "condition", True, "en")


def test_flows_have_per_month_units_and_stocks_do_not():
    assert axis_label("petitions", "zh") == "上访户数（户/月）"
    assert axis_label("petitions", "en") == "Petitions (households/month)"
    assert axis_label("violations", "zh") == "违规户数（户/月）"
    assert axis_label("violations", "en") == "Violations (households/month)"
    assert axis_label("matters_resolved", "zh") == "每月解决事项（件/月）"
    assert axis_label("matters_resolved", "en") == "Matters resolved per month"
    assert axis_label("matters_open", "zh") == "未解决事项（件）"
    assert axis_label("gov_spending", "zh") == "政府投入（元/月）"
    assert axis_label("gov_spending", "en") == "Government spending (yuan/month)"
    assert axis_label("trust", "en") == "Trust (0–1)"
    for name, col in COLUMNS.items():  # the unit is never given twice
        word = plots.unit_text(col.unit, "en").lower()
        assert axis_label(name, "en").lower().count(word) <= 1, name


def test_report_table_and_reading_use_the_same_units(comp, tmp_path):
    text = report(comp, "zh", tmp_path)
    table = text[text.index('<table class="results">'):]
    for name in ("petitions", "violations"):
        assert f'{label(name, "zh")}<br><span class="unit">户/月</span>' in table
    assert f'{label("gov_spending", "zh")}<br><span class="unit">元/月</span>' in table
    assert f'{label("matters_open", "zh")}<br><span class="unit">件</span>' in table
    assert compare_report.unit_suffix("petitions", "en") == " households/month"


def test_matters_panel_says_which_line_is_a_flow(tmp_path, drawn):
    plot_timeseries(frame(), lang="zh", path=tmp_path / "f.png")
    (fig,) = drawn
    ax = next(a for a in fig.axes if a.get_title() == "事项")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["未解决事项（件）", "每月解决事项（件/月）"]


def frame(months: int = 13, **columns: np.ndarray) -> pd.DataFrame:
    """A model-level frame with every column; the given ones replaced."""
    rng = np.random.default_rng(2)
    data = {name: rng.uniform(0.1, 0.9, months) if col.unit == "share"
            else rng.poisson(5, months).astype(float) for name, col in COLUMNS.items()}
    data["self_funded_share"][0] = 0.0  # month 0: no money has come in yet
    data.update(columns)
    return pd.DataFrame(data)


def test_undefined_self_funded_share_is_a_gap_in_the_run_figure():
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    panel = next(p for p in PANELS if "self_funded_share" in p.columns)
    draw_panel(ax, frame(), panel, "en")
    line = ax.get_lines()[list(panel.columns).index("self_funded_share")]
    y = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(y[0]) and np.isfinite(y[1:]).all()


def test_undefined_self_funded_share_is_a_gap_in_the_compare_figure(comp, tmp_path, drawn):
    assert (comp.timeseries.loc[comp.timeseries["month"] == 0, "self_funded_share"] == 0).all()
    compare_report.plot_outcome(comp, "self_funded_share", "en", tmp_path / "s.png")
    lines = [line for line in drawn[-1].axes[0].get_lines() if line.get_label() in
             {plots.wrap_label(arm.label("en")) for arm in comp.arms}]
    assert len(lines) == len(comp.arms)
    for line in lines:
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        assert np.isnan(y[x == 0]).all() and np.isfinite(y[x > 0]).all()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flat_zero_panel_has_one_zero_tick_and_a_note(lang):
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    panel = next(p for p in PANELS if p.columns == ("petitions",))
    draw_panel(ax, frame(petitions=np.zeros(13)), panel, lang)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0"]
    note = "本次运行无" if lang == "zh" else "none in this run"
    assert note in [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flat_zero_compare_figure_has_one_zero_tick_and_a_note(comp, tmp_path, drawn, lang):
    ts = comp.timeseries.copy()
    ts["petitions"] = 0.0
    zero = dataclasses.replace(comp, timeseries=ts)
    compare_report.plot_outcome(zero, "petitions", lang, tmp_path / "p.png")
    ax = drawn[-1].axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0"]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert ("运行均无" if lang == "zh" else "none in any run") in texts


def test_small_ranges_get_distinct_tick_labels(tmp_path, drawn):
    gov = np.linspace(0.0, 0.3, 13)
    plot_timeseries(frame(gov_spending=gov), lang="en", path=tmp_path / "f.png")
    ax = next(a for a in drawn[0].axes if a.get_title() == "Government spending")
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) == len(set(ticks)) > 1, ticks
