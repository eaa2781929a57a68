"""The classroom page without a browser: its figures, its inputs and the ``sim app`` command."""

from __future__ import annotations

import socket
import warnings

import numpy as np
import pytest

import sim
from sim import app, appserver, views
from sim.cli import main


@pytest.fixture(scope="module")
def heping() -> sim.CompoundModel:
    model = sim.CompoundModel(**app.START)
    model.run(6)
    return model


def test_households_fill_two_flats_per_floor_unit_by_unit():
    building = np.array([0] * 7 + [1] * 4)
    unit = np.array([0] * 5 + [1] * 2 + [2] * 4)
    place = views.place_households(building, unit)
    assert place.y.tolist() == [0, 0, 1, 1, 2, 0, 0, 0, 0, 1, 1]
    # unit 1 stands right of unit 0; building 1 starts after a gap of one
    assert place.x.tolist() == [0, 1, 0, 1, 0, 2, 3, 5, 6, 5, 6]
    assert place.buildings == ((-0.5, 3.5, 2), (4.5, 6.5, 1))
    assert len(set(zip(place.x, place.y, strict=True))) == building.size  # no two flats meet


def test_the_most_visible_action_colours_a_household():
    acts = np.array([[0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [1, 1, 0, 1], [1, 1, 1, 1]],
                    dtype=bool)
    petition = np.array([False, False, False, False, True])
    assert views.household_states(acts, petition).tolist() == [0, 1, 2, 2, 3]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_draw_every_glyph(heping: sim.CompoundModel, lang: str):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would fail here
        for compound in (0, 99, heping.compounds.condition.size - 1):
            fig = views.compound_figure(heping, compound, lang)
            fig.canvas.draw()
        fig = views.outcomes_figure(heping.datacollector.get_model_vars_dataframe(), lang)
        fig.canvas.draw()
        empty = views.outcomes_figure(heping.datacollector.get_model_vars_dataframe().iloc[:0],
                                      lang)
        empty.canvas.draw()


def test_figure_arguments_are_checked(heping: sim.CompoundModel):
    with pytest.raises(ValueError, match=r"compound must be in 0\.\.107"):
        views.compound_figure(heping, 108)
    with pytest.raises(ValueError, match="lang"):
        views.outcomes_figure(heping.datacollector.get_model_vars_dataframe(), "fr")


def test_inputs_rebuild_the_model_they_show(heping: sim.CompoundModel):
    # Reset gives every input's value as a keyword: that must rebuild the same model.
    values = app.input_values(heping)
    assert list(values) == [c.key for c in app.CONTROLS]
    rebuilt = sim.CompoundModel(**values)
    assert rebuilt.config == heping.config
    assert rebuilt.seed == heping.seed


def test_moved_inputs_reach_the_model():
    model = sim.CompoundModel(community="yimin_compound", design="nanan_131",
                              behaviour__weights__face=0.5, initial__committed=20,
                              design__institutions__renovation_campaign__spend=900.0, rng=3)
    shown = app.input_values(model)
    assert shown["community"] == "yimin_compound"
    assert shown["design"] == "nanan_131"
    assert shown["behaviour__weights__face"] == 0.5
    assert shown["initial__committed"] == 20
    assert shown["design__institutions__renovation_campaign__spend"] == 900.0
    assert shown["rng"] == 3
    assert "| Activists | 20 |" in app.run_table(model, "en")


@pytest.mark.parametrize("community", app.COMMUNITIES)
@pytest.mark.parametrize("design", app.DESIGNS)
def test_every_preset_lies_inside_the_sliders(community: str, design: str):
    model = sim.CompoundModel(community=community, design=design, rng=0)
    for c in app.CONTROLS:
        value = app.current_value(model, c.key)
        if c.kind == "Select":
            assert value in c.values
        else:
            assert c.low <= value <= c.high, (c.key, value)


def test_page_text_exists_in_both_languages():
    assert set(app.TEXT["zh"]) == set(app.TEXT["en"])
    assert all(c.zh and c.en and (c.kind == "Select" or (c.about_zh and c.about_en))
               for c in app.CONTROLS)
    for lang in app.LANGS:
        assert set(views.TEXT[lang]) == set(views.TEXT["zh"])


def test_app_help_teaches(capsys):
    assert main(["app", "--help"]) == 0
    out = capsys.readouterr().out
    assert "127.0.0.1" in out and "示例" in out and "--lang" in out


@pytest.mark.parametrize(("argv", "field"), [
    (["app", "--port", "70000"], "port: must be between 1 and 65535"),
    (["app", "--port", "-1"], "port: must be between"),
    (["app", "--port", "x"], "--port: invalid int value"),
    (["app", "--lang", "fr"], "--lang: invalid choice"),
])
def test_bad_app_arguments_are_one_line_errors(capsys, argv, field):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert field in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_taken_port_is_refused(capsys):
    with socket.socket() as taken:
        taken.bind((appserver.HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    assert f"port: {port} is in use" in capsys.readouterr().err


def test_server_binds_loopback_only():
    cmd = appserver.server_command(8765)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert "--production" in cmd
    assert appserver.SERVER_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
