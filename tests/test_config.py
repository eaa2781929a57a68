"""Scenario configuration (sim.config): presets, overrides and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.config import CONFIG_ROOT, preset_names
from sim.errors import ConfigError


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    return sim.load_config({})


def assert_one_line_error(exc: pytest.ExceptionInfo[ConfigError], field: str) -> str:
    """The error is a ConfigError naming ``field`` (or a part of it) on one line."""
    err = exc.value
    text = str(err)
    assert isinstance(err, ConfigError)
    assert "\n" not in text and "\r" not in text
    assert err.field == field or err.field.startswith(f"{field}.")
    assert text.startswith(f"{err.field}: ")
    assert err.message and err.message in text
    return text


# ----------------------------------------------------------------------------- presets


def test_there_are_presets_of_every_kind():
    assert "baseline" in preset_names("designs")
    assert "threshold" in preset_names("presets")
    assert {"generic_old_compound", "heping_road", "yimin_compound"} <= set(
        preset_names("communities"))


@pytest.mark.parametrize("kind", ["communities", "designs", "presets"])
def test_every_preset_loads_by_name_and_by_path(kind):
    for name in preset_names(kind):
        by_name = sim.load_config(name)
        by_path = sim.load_config(CONFIG_ROOT / kind / f"{name}.yaml")
        assert isinstance(by_name, sim.Scenario)
        assert by_name == by_path
        if kind == "communities":
            assert by_name.community.name == name
            assert by_name.design.name == "baseline"
        elif kind == "designs":
            assert by_name.design.name == name
            assert by_name.community.name == "generic_old_compound"


def test_every_community_preset_builds_a_model():
    for name in preset_names("communities"):
        scn = sim.load_config(name)
        model = sim.CompoundModel(scn, rng=0)
        assert model.population.n == scn.community.n_households
        assert model.n_compounds == scn.community.n_compounds


def test_defaults_are_the_baseline_on_the_generic_compound(base):
    assert base.design.name == "baseline"
    assert base.community.name == "generic_old_compound"
    assert base.community.n_households == 200


def test_threshold_preset_switches_off_everything_but_face():
    scn = sim.load_config("threshold")
    assert scn.behaviour.noise == 0.0
    assert scn.design.institutions == {}
    assert scn.matters.arrival_scale == 0.0
    w = scn.behaviour.weights
    assert (w.cost, w.public_spirit, w.trust, w.dependence, w.mobilisation) == (0, 0, 0, 0, 0)


# ----------------------------------------------------------------------------- override


def test_override_returns_a_new_scenario_and_leaves_the_old_unchanged(base):
    before = base.to_dict()
    new = base.override({"behaviour.noise": 0.2, "run.steps": 12})
    assert new is not base
    assert new.behaviour.noise == 0.2 and new.run.steps == 12
    assert base.behaviour.noise == 0.5 and base.run.steps == 120
    assert base.to_dict() == before
    # Untouched fields are kept.
    assert new.economy == base.economy and new.community == base.community


def test_scenarios_are_frozen(base):
    with pytest.raises((TypeError, ValueError)):
        base.behaviour.noise = 0.1  # type: ignore[misc]


def test_dotted_and_double_underscore_paths_are_the_same(base):
    dotted = base.override({"behaviour.weights.face": 2.5, "economy.firm_fee": 12})
    under = base.override({"behaviour__weights__face": 2.5, "economy__firm_fee": 12})
    assert dotted == under
    assert dotted.behaviour.weights.face == 2.5
    assert dotted.economy.firm_fee == 12.0


def test_override_reaches_into_lists(base):
    scn = base.override({"community.groups.0.households": 60,
                         "community.network.acquaintance": 0.1})
    assert scn.community.groups[0].households == 60
    assert scn.community.network.acquaintance == 0.1
    assert scn.community.n_households == 60


def test_override_swaps_the_community_by_name(base):
    scn = base.override({"community": "heping_road"})
    assert scn.community.name == "heping_road"
    assert scn.community.n_compounds == 108
    assert scn.community.n_households == sim.load_config("heping_road").community.n_households
    assert scn.design == base.design
    assert base.community.name == "generic_old_compound"


def test_override_swaps_the_design_inline(base):
    scn = base.override({"design": {"name": "none", "institutions": {}}})
    assert scn.design.institutions == {}
    assert "government_service" in base.design.institutions


def test_model_keyword_fields_are_overrides():
    model = sim.CompoundModel("generic_old_compound", rng=1, behaviour__noise=0.0,
                              community="yimin_compound")
    assert model.config.behaviour.noise == 0.0
    assert model.config.community.name == "yimin_compound"


def test_override_reaches_into_a_distribution(base):
    scn = base.override({"behaviour.threshold.mean": 0.3})
    assert scn.behaviour.threshold.mean == 0.3
    assert scn.behaviour.threshold.sd == base.behaviour.threshold.sd
    with pytest.raises(ConfigError) as exc:
        base.override({"behaviour.threshold.meen": 0.3})
    assert "did you mean 'mean'" in assert_one_line_error(exc, "behaviour.threshold.meen")


@pytest.mark.parametrize("name", ["threshold", "baseline", "heping_road"])
def test_resolved_config_round_trips(name):
    scn = sim.load_config(name).override({"behaviour.noise": 0.25})
    assert sim.load_config(scn.to_dict()) == scn


def test_distributions_lists_and_numbers_are_accepted(base):
    scn = base.override({"behaviour.threshold": {"dist": "uniform", "low": 0.1, "high": 0.3},
                         "population.trust": 0.4})
    model = sim.CompoundModel(scn, rng=2)
    assert model.population.threshold.min() >= 0.1
    assert model.population.threshold.max() <= 0.3
    assert (model.population.trust == 0.4).all()
    listed = base.override({"behaviour.threshold": [0.1] * 100 + [0.9] * 100})
    model = sim.CompoundModel(listed, rng=2)
    assert model.population.threshold.tolist() == [0.1] * 100 + [0.9] * 100


# ----------------------------------------------------------------------------- errors


def test_unknown_key_suggests_the_near_name(base):
    with pytest.raises(ConfigError) as exc:
        base.override({"behaviour.noize": 0.1})
    text = assert_one_line_error(exc, "behaviour.noize")
    assert "did you mean 'noise'" in text


def test_unknown_top_level_key(base):
    with pytest.raises(ConfigError) as exc:
        base.override({"behavior": {}})
    assert "did you mean 'behaviour'" in assert_one_line_error(exc, "behavior")


def test_unknown_key_in_a_mapping_suggests_the_near_name():
    with pytest.raises(ConfigError) as exc:
        sim.load_config({"community": {"groups": [{"name": "a", "housholds": 3}]}})
    text = assert_one_line_error(exc, "community.groups.0.housholds")
    assert "did you mean 'households'" in text


def test_a_value_is_not_a_section(base):
    with pytest.raises(ConfigError) as exc:
        base.override({"behaviour.noise.low": 1})
    assert_one_line_error(exc, "behaviour.noise")


def test_list_index_out_of_range(base):
    with pytest.raises(ConfigError) as exc:
        base.override({"community.groups.3.households": 10})
    assert_one_line_error(exc, "community.groups.3")


@pytest.mark.parametrize(("changes", "field"), [
    ({"behaviour.noise": -1}, "behaviour.noise"),
    ({"behaviour__noise": 1000}, "behaviour.noise"),
    ({"economy.decay": 1.5}, "economy.decay"),
    ({"behaviour.weights.face": -0.1}, "behaviour.weights.face"),
    ({"community.groups.0.households": 0}, "community.groups.0.households"),
    ({"community.groups.0.floating_share": 1.2}, "community.groups.0.floating_share"),
    ({"initial.committed": -3}, "initial.committed"),
    ({"run.steps": -1}, "run.steps"),
])
def test_out_of_range_values(base, changes, field):
    with pytest.raises(ConfigError) as exc:
        base.override(changes)
    text = assert_one_line_error(exc, field)
    assert repr(next(iter(changes.values()))) in text  # says what it got


@pytest.mark.parametrize(("changes", "field"), [
    ({"behaviour.noise": "loud"}, "behaviour.noise"),
    ({"run.steps": 1.5}, "run.steps"),
    ({"run.steps": "ten"}, "run.steps"),
    ({"community.groups.0.firm": "maybe"}, "community.groups.0.firm"),
    ({"behaviour.threshold": "high"}, "behaviour.threshold"),
    ({"design": 7}, "design"),
])
def test_wrong_types(base, changes, field):
    with pytest.raises(ConfigError) as exc:
        base.override(changes)
    assert_one_line_error(exc, field)


@pytest.mark.parametrize("changes", [{"run.steps": True}, {"initial.committed": True},
                                     {"behaviour.noise": True}])
def test_booleans_are_not_numbers(base, changes):
    with pytest.raises(ConfigError):
        base.override(changes)


@pytest.mark.parametrize("field", ["design", "community"])
def test_unknown_preset_names(base, field):
    with pytest.raises(ConfigError) as exc:
        base.override({field: "atlantis"})
    text = assert_one_line_error(exc, field)
    assert "'atlantis'" in text
    assert "allowed" in text


def test_unknown_community_name_suggests_the_near_name(base):
    with pytest.raises(ConfigError) as exc:
        base.override({"community": "heping_raod"})
    assert "did you mean 'heping_road'" in assert_one_line_error(exc, "community")


def test_unknown_community_message_says_community(base):
    with pytest.raises(ConfigError) as exc:
        base.override({"community": "atlantis"})
    assert "unknown community 'atlantis'" in str(exc.value)


def test_unknown_institution_in_an_inline_design(base):
    with pytest.raises(ConfigError) as exc:
        base.override({"design": {"institutions": {"gouvernment_service": {}}}})
    text = assert_one_line_error(exc, "design.institutions")
    assert "gouvernment_service" in text
    assert "did you mean 'government_service'" in text


@pytest.mark.parametrize(("params", "words"), [
    ({"months_big": 0}, ["government_service.months_big", "0"]),
    ({"months_big": "soon"}, ["government_service.months_big", "'soon'"]),
    ({"month_big": 3}, ["government_service.month_big", "did you mean 'months_big'"]),
])
def test_bad_institution_parameters(base, params, words):
    with pytest.raises(ConfigError) as exc:
        base.override({"design": {"institutions": {"government_service": params}}})
    text = assert_one_line_error(exc, "design.institutions")
    for word in words:
        assert word in text


def test_institution_parameters_are_validated_through_override(base):
    scn = base.override({"design.institutions.government_service.months_big": 3})
    assert scn.design.institutions["government_service"]["months_big"] == 3
    with pytest.raises(ConfigError) as exc:
        base.override({"design.institutions.renovation_campaign.share": 2})
    assert "renovation_campaign.share" in assert_one_line_error(exc, "design.institutions")


@pytest.mark.parametrize("spec", [
    {"dist": "normal", "mean": 0.2},
    {"dist": "normal", "mean": 0.2, "sd": 0.1, "low": 0.0},
    {"dist": "beta", "a": 1.0},
    {"dist": "gaussian", "mean": 0.2, "sd": 0.1},
])
def test_bad_distributions_are_config_errors_naming_the_field(base, spec):
    with pytest.raises(ConfigError) as exc:
        base.override({"behaviour.threshold": spec})
    assert_one_line_error(exc, "behaviour.threshold")


@pytest.mark.parametrize(("spec", "word"), [
    ({"dist": "normal", "mean": 0.2}, "sd"),
    ({"dist": "normal", "mean": 0.2, "sd": 0.1, "low": 0.0}, "low"),
])
def test_bad_distribution_message_names_the_parameter(base, spec, word):
    with pytest.raises(ConfigError) as exc:
        base.override({"behaviour.threshold": spec})
    assert word in exc.value.message
    assert "valid number" not in exc.value.message


def test_threshold_list_of_the_wrong_length_fails_when_building_the_model(base):
    scn = base.override({"behaviour.threshold": [0.2, 0.3, 0.4]})  # 3 values, 200 households
    with pytest.raises(ConfigError) as exc:
        sim.CompoundModel(scn, rng=0)
    text = assert_one_line_error(exc, "behaviour.threshold")
    assert "200" in text and "3" in text


def test_threshold_list_values_out_of_range(base):
    scn = base.override({"behaviour.threshold": [1.5] * 200})
    with pytest.raises(ConfigError) as exc:
        sim.CompoundModel(scn, rng=0)
    assert_one_line_error(exc, "behaviour.threshold")


@pytest.mark.parametrize("committed", [201, [0, 5, 200]])
def test_committed_households_beyond_the_community(base, committed):
    scn = base.override({"initial.committed": committed})
    with pytest.raises(ConfigError) as exc:
        sim.CompoundModel(scn, rng=0)
    text = assert_one_line_error(exc, "initial.committed")
    assert ("≤ 200" in text) if isinstance(committed, int) else ("0–199" in text)


def test_committed_count_equal_to_households_is_fine(base):
    model = sim.CompoundModel(base.override({"initial.committed": 200}), rng=0)
    assert model.population.committed.all()


# ----------------------------------------------------------------------------- files


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_syntax_error(tmp_path):
    path = write(tmp_path, "bad.yaml", "behaviour:\n  noise: [0.1\n")
    with pytest.raises(ConfigError) as exc:
        sim.load_config(path)
    text = assert_one_line_error(exc, str(path))
    assert "YAML syntax error" in text and "line" in text


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as exc:
        sim.load_config(path)
    assert "not found" in assert_one_line_error(exc, str(path))


def test_directory_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError) as exc:
        sim.load_config(tmp_path)
    assert_one_line_error(exc, str(tmp_path))


def test_top_level_list(tmp_path):
    path = write(tmp_path, "list.yaml", "- behaviour\n- noise\n")
    with pytest.raises(ConfigError) as exc:
        sim.load_config(path)
    assert "mapping" in assert_one_line_error(exc, str(path))


def test_unknown_kind(tmp_path):
    path = write(tmp_path, "kind.yaml", "kind: widget\n")
    with pytest.raises(ConfigError) as exc:
        sim.load_config(path)
    assert "widget" in assert_one_line_error(exc, "kind")


def test_errors_inside_a_yaml_file_name_the_field(tmp_path):
    path = write(tmp_path, "typo.yaml", "behaviour:\n  noize: 0.1\n")
    with pytest.raises(ConfigError) as exc:
        sim.load_config(path)
    assert "did you mean 'noise'" in assert_one_line_error(exc, "behaviour.noize")


def test_a_scenario_file_with_an_inline_community(tmp_path):
    path = write(tmp_path, "scn.yaml", (
        "name: tiny\n"
        "community:\n"
        "  groups:\n"
        "    - {name: a, households: 10, buildings: 2, units_per_building: 1}\n"
        "    - {name: b, count: 2, households: 5, firm: true}\n"
        "design: baseline\n"
        "behaviour: {noise: 0.1}\n"))
    scn = sim.load_config(path)
    assert scn.name == "tiny"
    assert scn.community.n_households == 20 and scn.community.n_compounds == 3
    assert scn.behaviour.noise == 0.1
    model = sim.CompoundModel(scn, rng=0)
    assert model.compounds.firm_present.tolist() == [False, True, True]


def test_a_design_file_becomes_a_scenario(tmp_path):
    path = write(tmp_path, "mine.yaml", (
        "kind: design\n"
        "institutions:\n"
        "  government_service: {months_big: 2}\n"))
    scn = sim.load_config(path)
    assert scn.design.name == "mine"
    assert scn.design.institutions["government_service"]["months_big"] == 2
    assert scn.community.name == "generic_old_compound"
