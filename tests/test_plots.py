"""Figures: the CJK font is found and used, and Chinese labels render with no missing glyph."""

from __future__ import annotations

import importlib.util
import logging
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

import sim.fonts
from sim.fonts import CJKFontError, find_cjk_font, use_cjk_font
from sim.metrics import COLUMNS, Column, label
from sim.plots import NOT_DRAWN, PANELS, TEXT, UNITS, axis_label, panels_for, plot_timeseries

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def synthetic_frame(months: int = 25) -> pd.DataFrame:
    """A model-level frame shaped like the DataCollector's: index = month, COLUMNS."""
    rng = np.random.default_rng(1)
    data = {}
    for name, col in COLUMNS.items():
        if col.unit == "share":
            data[name] = np.clip(0.5 + np.cumsum(rng.normal(0, 0.05, months)), 0, 1)
        elif col.unit == "yuan":
            data[name] = rng.uniform(0, 40_000, months)
        else:
            data[name] = rng.poisson(5, months).astype(float)
    return pd.DataFrame(data)


def glyph_problems(records: list[warnings.WarningMessage]) -> list[str]:
    """Warnings that mean some character was drawn as an empty box."""
    texts = [str(w.message) for w in records]
    return [t for t in texts if "missing from font" in t or "Glyph" in t]


@pytest.fixture
def frame() -> pd.DataFrame:
    return synthetic_frame()


def registrations() -> int:
    path = str(find_cjk_font())
    return sum(f.fname == path for f in font_manager.fontManager.ttflist)


def test_use_cjk_font_is_idempotent_and_sets_rcparams():
    family = use_cjk_font()
    registered = registrations()
    assert family == use_cjk_font() == "Noto Sans CJK SC"
    assert mpl.rcParams["font.family"] == ["sans-serif"]
    assert mpl.rcParams["font.sans-serif"][0] == family
    assert mpl.rcParams["font.sans-serif"].count(family) == 1
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert registered >= 1
    use_cjk_font()
    assert registrations() == registered  # the file is added to the font manager once


def test_use_cjk_font_restores_settings_after_rcdefaults():
    use_cjk_font()
    with mpl.rc_context():
        mpl.rcdefaults()
        assert mpl.rcParams["font.sans-serif"][0] != "Noto Sans CJK SC"
        use_cjk_font()
        assert mpl.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"


def test_sans_serif_resolves_to_the_cjk_file():
    family = use_cjk_font()
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]),
                                  fallback_to_default=False)
    assert Path(found) == find_cjk_font()
    assert family in {f.name for f in font_manager.fontManager.ttflist}


def test_font_has_every_character_of_the_chinese_figure_text():
    font = FT2Font(str(find_cjk_font()))
    texts = [label(name, "zh") for name in COLUMNS]
    texts += [p.zh for p in PANELS] + list(TEXT["zh"].values())
    texts += [zh for zh, _en in UNITS.values()] + [axis_label(n, "zh") for n in COLUMNS]
    missing = {ch for text in texts for ch in text
               if not ch.isspace() and font.get_char_index(ord(ch)) == 0}
    assert not missing, f"characters without a glyph: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plot_renders_without_missing_glyphs(frame, tmp_path, caplog, lang):
    path = tmp_path / f"figure-{lang}.png"
    title = "南岸131 · 和平路社区（种子 7）−1" if lang == "zh" else "Nan'an 131 (seed 7) −1"
    with warnings.catch_warnings(record=True) as records, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        result = plot_timeseries(frame, lang=lang, title=title, path=path)
    assert result == path
    assert not glyph_problems(records), glyph_problems(records)
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 20_000  # six panels of lines, not an empty canvas


def test_plot_default_title_and_month_column(frame, tmp_path):
    with_month = frame.rename_axis("month").reset_index()
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        plot_timeseries(with_month, lang="zh", path=tmp_path / "f.png")
    assert not glyph_problems(records)
    assert (tmp_path / "f.png").read_bytes().startswith(PNG_MAGIC)


def test_plot_uses_agg_without_pyplot_state(frame, tmp_path):
    backend = mpl.get_backend()
    plot_timeseries(frame, lang="en", path=tmp_path / "f.png")
    assert mpl.get_backend() == backend


def test_panels_group_every_column_once():
    panels = panels_for(list(COLUMNS))
    placed = [c for p in panels for c in p.columns]
    assert sorted(placed + list(NOT_DRAWN)) == sorted(COLUMNS)
    assert all(shown in placed for shown in NOT_DRAWN.values())
    assert len(placed) == len(set(placed))
    for panel in panels:  # one y-axis per panel: its columns share a unit
        assert len({COLUMNS[c].unit for c in panel.columns}) == 1


def test_panels_skip_absent_and_unknown_columns():
    panels = panels_for(["trust", "gov_spending", "not_a_column"])
    assert [p.columns for p in panels] == [("trust",), ("gov_spending",)]


def test_new_metric_column_gets_its_own_panel(monkeypatch):
    monkeypatch.setitem(COLUMNS, "inspection_score", Column(
        "inspection_score", "points", "考核得分", "Inspection score", "Score.", "compounds"))
    panels = panels_for(list(COLUMNS))
    assert panels[-1].columns == ("inspection_score",)


def test_axis_label_has_unit_once():
    assert axis_label("gov_spending", "zh") == "政府投入（元/月）"  # a monthly flow
    assert axis_label("gov_spending", "en") == "Government spending (yuan/month)"
    assert axis_label("petitions", "zh") == "上访户数（户/月）"
    assert axis_label("petitions", "en") == "Petitions (households/month)"
    assert axis_label("matters_open", "zh") == "未解决事项（件）"  # a stock: no /月
    assert axis_label("trust", "en") == "Trust (0–1)"


def test_plot_rejects_bad_lang_and_empty_frame(frame, tmp_path):
    with pytest.raises(ValueError, match="lang"):
        plot_timeseries(frame, lang="fr", path=tmp_path / "f.png")
    with pytest.raises(ValueError, match="COLUMNS"):
        plot_timeseries(pd.DataFrame({"x": [1, 2]}), path=tmp_path / "f.png")
    assert not (tmp_path / "f.png").exists()


def test_missing_font_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(sim.fonts, "font_dir", lambda: tmp_path / "fonts")
    with pytest.raises(CJKFontError, match="mplfonts"):
        use_cjk_font()


def test_missing_font_package_is_a_clear_error(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "mplfonts" else real(name, *args, **kwargs)

    monkeypatch.setattr(sim.fonts.importlib.util, "find_spec", find_spec)
    with pytest.raises(CJKFontError, match="pip install mplfonts"):
        use_cjk_font()


def test_english_figure_does_not_need_the_cjk_font(monkeypatch, frame, tmp_path):
    monkeypatch.setattr(sim.fonts, "font_dir", lambda: tmp_path / "fonts")
    with mpl.rc_context():
        plot_timeseries(frame, lang="en", path=tmp_path / "en.png")
        with pytest.raises(CJKFontError):
            plot_timeseries(frame, lang="zh", path=tmp_path / "zh.png")
    assert (tmp_path / "en.png").exists()
