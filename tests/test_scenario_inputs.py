"""Scenario inputs that used to be lost, accepted or crash (issue 9, items 3–6 and 16).

A test whose docstring names an item failed before that item's fix; the others
guard what must keep working (a mapping still adds an institution, a file path
still loads).
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

import sim
from sim.config import preset_path, read_yaml
from sim.errors import ConfigError, InstitutionAbsentError


@pytest.fixture(scope="module")
def baseline() -> sim.Scenario:
    return sim.load_config("baseline")


def one_line(exc: pytest.ExceptionInfo[ConfigError], field: str) -> str:
    """The error is a ConfigError naming ``field`` (or a part of it), on one line."""
    text = str(exc.value)
    assert isinstance(exc.value, ConfigError)
    assert "\n" not in text
    assert exc.value.field == field or exc.value.field.startswith(f"{field}."), text
    return text


# ----------------------------------------------------------------- 3: order of overrides

DEEP_THEN_PRESET = {"community.network.acquaintance": 0.3, "community": "heping_road"}


def test_override_applies_shallow_paths_first_whatever_the_order(baseline):
    """Item 3: a deeper path given before its preset used to be reset to the preset's."""
    scn = baseline.override(DEEP_THEN_PRESET)
    assert scn.community.name == "heping_road"
    assert scn.community.network.acquaintance == 0.3
    assert scn == baseline.override(dict(reversed(DEEP_THEN_PRESET.items())))


def test_keyword_fields_apply_shallow_paths_first():
    """Item 3: what mesa.batch_run and the EMA Workbench pass to CompoundModel."""
    model = sim.CompoundModel("baseline", rng=1, community__network__acquaintance=0.3,
                              community="heping_road")
    assert model.config.community.name == "heping_road"
    assert model.config.community.network.acquaintance == 0.3


def test_set_applies_shallow_paths_first():
    """Item 3: ``--set`` in that order."""
    from sim.cli import build_scenario

    scn = build_scenario("baseline", ["community.network.acquaintance=0.3",
                                      "community=heping_road"])
    assert (scn.community.name, scn.community.network.acquaintance) == ("heping_road", 0.3)


def test_section_mapping_then_field_inside_it(baseline):
    """Item 3: a whole section and a field inside it: the field is applied last."""
    scn = baseline.override({"behaviour.noise": 0.2, "behaviour": {"noise": 0.7}})
    assert scn.behaviour.noise == 0.2


def test_same_path_in_two_spellings_is_refused(baseline):
    """Item 3: one path given twice (dots and underscores) in one mapping is ambiguous."""
    with pytest.raises(ConfigError) as exc:
        baseline.override({"behaviour.noise": 0.2, "behaviour__noise": 0.3})
    assert "twice" in one_line(exc, "behaviour.noise")


def test_ordered_changes_is_the_one_rule():
    """Item 3: the rule is one function (the sweep can call it too)."""
    from sim.config import ordered_changes

    assert list(ordered_changes({"a.b.c": 1, "a__b": 2, "a": 3})) == ["a", "a.b", "a.b.c"]


# ----------------------------------------------------------------- 4: absent institution

def test_parameter_of_an_absent_institution_is_refused(baseline):
    """Item 4: this used to add a party branch with default parameters to the baseline."""
    field = "design.institutions.party_branch.visits_per_member"
    with pytest.raises(InstitutionAbsentError) as exc:
        baseline.override({field: 6})
    text = one_line(exc, field)
    assert exc.value.institution == "party_branch"
    assert exc.value.field == field
    assert "design.institutions.party_branch=" in text


def test_a_mapping_still_adds_an_institution(baseline):
    """Item 4: setting the institution itself to a mapping adds it, explicitly."""
    scn = baseline.override({"design.institutions.party_branch": {"visits_per_member": 6}})
    assert scn.design.institutions["party_branch"]["visits_per_member"] == 6
    scn = baseline.override({"design.institutions.party_branch": {},
                             "design.institutions.party_branch.visits_per_member": 6})
    assert scn.design.institutions["party_branch"]["visits_per_member"] == 6


def test_parameter_of_an_unknown_institution_names_it(baseline):
    with pytest.raises(ConfigError) as exc:
        baseline.override({"design.institutions.party_brunch.visits_per_member": 6})
    assert "unknown institution 'party_brunch'" in one_line(exc, "design.institutions")


def test_present_institution_parameter_still_works():
    scn = sim.load_config("nanan_131").override(
        {"design.institutions.party_branch.visits_per_member": 6})
    assert scn.design.institutions["party_branch"]["visits_per_member"] == 6


def test_run_set_absent_institution_is_one_line(tmp_path, capsys):
    """Item 4: ``sim run --set`` gets the error as one line, exit 2, nothing written."""
    from sim.cli import main

    out = tmp_path / "out"
    code = main(["run", "baseline", "--set",
                 "design.institutions.party_branch.visits_per_member=6", "--out", str(out),
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("sim: error: design.")
    assert not out.exists()


# ----------------------------------------------------------------- 5: non-finite numbers

NON_FINITE = [
    ("behaviour.threshold", math.nan),
    ("behaviour.threshold", [math.nan] * 200),
    ("behaviour.threshold", {"dist": "normal", "mean": math.nan, "sd": 0.1}),
    ("behaviour.threshold", {"dist": "uniform", "low": -math.inf, "high": 0.5}),
    ("behaviour.threshold", {"dist": "normal", "mean": 0.3, "sd": 0.1,
                             "clip": [0, math.inf]}),
    ("behaviour.weights.face", math.nan),
    ("behaviour.weights.face", math.inf),
    ("behaviour.base.contribute", math.nan),
    ("economy.restore_scale", math.inf),
    ("matters.types.0.cost", math.inf),
    ("population.public_spirit", math.nan),
    ("design.institutions.government_service.petition_boost", math.nan),
]


@pytest.mark.parametrize(("field", "value"), NON_FINITE)
def test_non_finite_numbers_are_refused(baseline, field, value):
    """Item 5: NaN slipped through bounds checks (nan < low is false) and inf into run.json."""
    with pytest.raises(ConfigError) as exc:
        baseline.override({field: value})
    if "institutions" in field:  # refused by the parameter's bounds (sim/institutions)
        one_line(exc, "design.institutions")
    else:
        assert "finite" in one_line(exc, field)


def test_yaml_nan_in_a_file_is_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("design: baseline\nbehaviour:\n  threshold: {dist: normal, mean: .nan, "
                    "sd: 0.1}\n")
    with pytest.raises(ConfigError) as exc:
        sim.load_config(path)
    assert "finite" in one_line(exc, "behaviour.threshold")


def test_draw_refuses_nan_even_when_given_directly():
    """Item 5: the bounds check of a trait list holds for NaN (defence behind the schema)."""
    import numpy as np

    from sim.distributions import draw

    with pytest.raises(ConfigError):
        draw([0.1, math.nan], 2, np.random.default_rng(0), "behaviour.threshold", (0.0, 1.0))


def test_schema_config_refuses_non_finite_everywhere():
    """Item 5: every section and the distribution share one setting."""
    from sim.config import STRICT_CONFIG, Strict
    from sim.distributions import Dist

    assert STRICT_CONFIG["allow_inf_nan"] is False
    assert Strict.model_config["allow_inf_nan"] is False
    assert Dist.model_config["allow_inf_nan"] is False


# ----------------------------------------------------------------- 6: sizes

def test_too_many_households_are_refused_before_allocation(baseline):
    """Item 6: 10^11 households ended in a MemoryError traceback."""
    scn = baseline.override({"community.groups.0.count": 100_000,
                             "community.groups.0.households": 1_000_000})
    with pytest.raises(ConfigError) as exc:
        sim.CompoundModel(scn, rng=1)
    text = one_line(exc, "community.groups.0")
    assert "GB" in text and "memory" in text


def test_huge_stairwell_unit_is_refused(baseline):
    """Item 6: one unit of 10^6 households would draw 5·10^11 candidate ties."""
    scn = baseline.override({"community.groups.0.households": 1_000_000,
                             "community.groups.0.buildings": 1,
                             "community.groups.0.units_per_building": 1})
    with pytest.raises(ConfigError) as exc:
        sim.CompoundModel(scn, rng=1)
    one_line(exc, "community.groups.0")


def test_absurd_matter_rate_is_refused(baseline):
    """Item 6: a matter rate of 1e12 ended in a MemoryError traceback."""
    with pytest.raises(ConfigError) as exc:
        baseline.override({"matters.types.0.rate": 1e12})
    one_line(exc, "matters.types.0.rate")


def test_too_many_matters_are_refused_before_allocation(baseline):
    """Item 6: within the schema's bounds, the run's matters still have to fit."""
    scn = baseline.override({"matters.types.0.rate": 100, "matters.arrival_scale": 100,
                             "run.steps": 100_000,
                             "community.groups.0.households": 1_000_000})
    with pytest.raises(ConfigError) as exc:
        sim.CompoundModel(scn, rng=1)
    text = one_line(exc, "matters")
    assert "GB" in text


def test_memory_estimate_is_cheap_and_small_for_presets():
    import time

    from sim.model import estimate_memory

    scn = sim.load_config("heping_road")
    start = time.perf_counter()
    need = estimate_memory(scn)
    assert time.perf_counter() - start < 0.01
    assert 0 < need.total < 2e9


# ----------------------------------------------------------------- 16: YAML, graphs, names

def test_duplicate_yaml_keys_are_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("design: baseline\nbehaviour:\n  noise: 0.2\n  noise: 0.4\n")
    with pytest.raises(ConfigError) as exc:
        read_yaml(path)
    text = str(exc.value)
    assert "noise" in text and "line 4" in text and "\n" not in text


def test_deep_yaml_nesting_is_one_line(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    with pytest.raises(ConfigError) as exc:
        read_yaml(path)
    assert "nest" in str(exc.value) and "\n" not in str(exc.value)


def test_deep_set_value_is_one_line():
    from sim.cli import parse_set

    with pytest.raises(ConfigError) as exc:
        parse_set(["behaviour.threshold=" + "[" * 10_000 + "]" * 10_000])
    assert exc.value.field == "--set"


def test_empty_graph_is_refused(baseline):
    with pytest.raises(ConfigError) as exc:
        sim.CompoundModel(baseline, rng=1, network=nx.Graph())
    one_line(exc, "network")


def test_graph_with_an_empty_compound_attribute_layout_is_fine(baseline):
    graph = nx.path_graph(10)
    model = sim.CompoundModel(baseline, rng=1, network=graph)
    assert model.population.n == 10


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", "..", "x.yaml", "", "a b"])
def test_preset_names_cannot_walk_out(name):
    with pytest.raises(ConfigError) as exc:
        preset_path("designs", name, "design")
    assert "file path" in str(exc.value) and "\n" not in str(exc.value)


def test_set_design_to_a_path_is_refused(baseline):
    with pytest.raises(ConfigError) as exc:
        baseline.override({"design": "../x"})
    one_line(exc, "design")


def test_run_config_without_suffix_cannot_walk_out(tmp_path):
    with pytest.raises(ConfigError) as exc:
        sim.load_config("../../something")
    assert "file path" in str(exc.value)


def test_config_file_path_still_loads(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(Path("configs/designs/baseline.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    assert sim.load_config(path).design.name == "mine"


def test_moderate_yaml_nesting_still_reads(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 50 + "]" * 50 + "\n")
    assert isinstance(read_yaml(path)["a"], list)


def test_set_design_to_a_file_path_reads_the_file(baseline, tmp_path):
    """Item 16: the error says to give a file path, so a file path works."""
    path = tmp_path / "my_design.yaml"
    path.write_text(Path("configs/designs/nanan_131.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    scn = baseline.override({"design": str(path)})
    assert scn.design.name == "my_design"
    assert "party_branch" in scn.design.institutions
    with pytest.raises(ConfigError) as exc:
        baseline.override({"community": str(path)})
    assert "design file" in one_line(exc, "community")
