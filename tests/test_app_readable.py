"""The classroom page reads well (issue 9, item 17): names, values, fonts and legends.

A teacher sees the presets' names, not their ids, in the community and design choices;
the number each slider is set to; figure text of at least 10 pt on the page; and legends
that leave the lines visible. The browser test (``tests/test_app_browser.py``) checks the
same page as drawn by Chromium: figures not scaled down, the design card's table in full.
"""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
import yaml
from matplotlib.text import Text

import sim
from sim import app, views
from sim.config import config_dirs


@pytest.fixture(scope="module")
def month30() -> sim.CompoundModel:
    model = sim.CompoundModel(community="heping_road", design="nanan_131", rng=1)
    model.run(30)
    return model


def _render_inputs(lang: str) -> tuple[solara.Reactive, object]:
    values = solara.reactive(app.input_values(sim.CompoundModel(**app.START)))
    _, rc = solara.render(app.Inputs(values, lang), handle_error=False)
    return values, rc


def _preset_yaml(kind: str, name: str) -> dict:
    path = next(root / kind / f"{name}.yaml" for root in config_dirs()
                if (root / kind / f"{name}.yaml").is_file())
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_choices_show_preset_names_and_give_the_model_ids(lang: str):
    values, rc = _render_inputs(lang)
    community, design = rc.find(v.Select).widgets
    for select, kind in ((community, "communities"), (design, "designs")):
        for item in select.items:
            assert item["text"] == _preset_yaml(kind, item["value"])[f"label_{lang}"]
            assert item["text"] != item["value"]
    if lang == "zh":
        assert '南岸"131"院落自治(三事分流)' in [i["text"] for i in design.items]
    design.v_model = "nanan_131"  # what choosing 南岸"131" sends back
    assert values.value["design"] == "nanan_131"
    assert sim.CompoundModel(**values.value).config.design.name == "nanan_131"


def test_every_slider_shows_its_value():
    values, rc = _render_inputs("zh")

    def shown() -> list[str]:
        return [w.children[0] for w in rc.find(v.Html).widgets if "sim-value" in (w.class_ or "")]

    sliders = rc.find(v.Slider).widgets
    assert len(shown()) == len(sliders) == sum(c.kind != "Select" for c in app.CONTROLS)
    assert shown()[:3] == ["1.5", "0.50", "6"]  # face, acquaintance, cleaning fee
    activists = next(s for s in sliders if s.label == "积极分子")
    activists.v_model = 50
    assert values.value["initial__committed"] == 50
    assert "50" in shown()


def _texts(fig) -> list[Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_figures_read_at_10_points_at_least(month30: sim.CompoundModel, lang: str):
    df = month30.datacollector.get_model_vars_dataframe()
    figures = {"compound": views.compound_figure(month30, 0, lang, size=app.COMPOUND_SIZE),
               "outcomes": views.outcomes_figure(df, lang, size=app.OUTCOMES_SIZE)}
    for name, fig in figures.items():
        # the page shows a figure at its own size: FIGURE_DPI dots in 96 CSS pixels an inch
        smallest = min(t.get_fontsize() for t in _texts(fig)) * app.FIGURE_DPI / 96
        assert smallest >= 10, (name, smallest)
        # and nothing drawn is cut off at the figure's edge
        drawn = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
        assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, (name, drawn)
        assert drawn.x1 <= fig.get_figwidth() + 0.01, (name, drawn)
        assert drawn.y1 <= fig.get_figheight() + 0.01, (name, drawn)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legends_leave_the_lines_visible(month30: sim.CompoundModel, lang: str):
    df = month30.datacollector.get_model_vars_dataframe()
    for fig in (views.outcomes_figure(df, lang, size=app.OUTCOMES_SIZE),
                views.compound_figure(month30, 0, lang, size=app.COMPOUND_SIZE)):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legends = [leg for leg in fig.findobj(lambda a: type(a).__name__ == "Legend")]
        assert legends
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for ax in fig.axes:
                assert not box.overlaps(ax.get_window_extent(renderer)), \
                    (legend.get_texts()[0].get_text(), ax.get_title())
