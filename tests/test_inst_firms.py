"""Institutions of sim.institutions.firms: red_property_firm and firm_introduction."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.ledger import USES

NOBODY_PAYS = {"behaviour.noise": 0.0, "behaviour.base.contribute": -20.0}
EVERYONE_PAYS = {"behaviour.noise": 0.0, "behaviour.base.contribute": 20.0}


def scenario(institutions: dict[str, Any], groups: list[dict[str, Any]],
             **over: Any) -> sim.Scenario:
    base = {"households": 40, "buildings": 2, "units_per_building": 2}
    data = {
        "community": {"groups": [{**base, **g} for g in groups]},
        "design": {"name": "t", "institutions": institutions},
    }
    scn = sim.load_config(data)
    return scn.override(over) if over else scn


def firm_months(model: sim.CompoundModel, months: int) -> list[int]:
    """Number of firms serving after each month."""
    out = []
    for _ in range(months):
        model.step()
        out.append(len(model.firms))
    return out


# ----------------------------------------------------------------------- red property firm


def test_red_firm_is_cheaper_more_patient_and_marked():
    scn = scenario({"red_property_firm": {"cost_factor": 0.8, "patience_bonus": 12}},
                   [{"name": "firm", "count": 2, "firm": True},
                    {"name": "none", "count": 1, "firm": False}])
    model = sim.CompoundModel(scn, rng=1)
    np.testing.assert_allclose(model.compounds.firm_cost_factor, 0.8)
    assert model.compounds.firm_patience_bonus.tolist() == [12, 12, 12]
    assert len(model.firms) == 2
    assert all(agent.red for agent in model.firms)


def test_red_firm_exits_later_than_a_normal_firm_under_zero_collection():
    groups = [{"name": "firm", "count": 2, "firm": True}]
    over = {**NOBODY_PAYS, "economy.firm_exit_patience": 12}
    normal = firm_months(sim.CompoundModel(scenario({}, groups, **over), rng=1), 30)
    red = firm_months(sim.CompoundModel(
        scenario({"red_property_firm": {"patience_bonus": 12}}, groups, **over), rng=1), 30)
    assert normal.index(0) + 1 == 12
    assert red.index(0) + 1 == 24


def test_red_firm_costs_less_overhead():
    groups = [{"name": "firm", "count": 2, "firm": True}]
    normal = sim.CompoundModel(scenario({}, groups, **EVERYONE_PAYS), rng=1).run(6)
    red = sim.CompoundModel(scenario({"red_property_firm": {"cost_factor": 0.5}}, groups,
                                     **EVERYONE_PAYS), rng=1).run(6)
    overhead = USES.index("overhead")
    np.testing.assert_allclose(red.ledger.total_out[:, overhead],
                               0.5 * normal.ledger.total_out[:, overhead])


def test_firms_that_enter_later_are_red_too():
    # A renovation campaign brings a plain firm in; the red design marks it at month end.
    scn = scenario({"red_property_firm": {},
                    "renovation_campaign": {"first": 2, "share": 1.0,
                                            "invite_min_collection": 0.5}},
                   [{"name": "none", "count": 2, "firm": False}], **EVERYONE_PAYS)
    model = sim.CompoundModel(scn, rng=1)
    assert firm_months(model, 2) == [0, 2]
    assert all(agent.red for agent in model.firms)


# ----------------------------------------------------------------------- firm introduction


def work_unit_groups() -> list[dict[str, Any]]:
    return [{"name": "dormitory", "count": 3, "firm": False, "work_unit_owner": True},
            {"name": "commercial", "count": 3, "firm": False},
            {"name": "served", "count": 1, "firm": True, "work_unit_owner": True}]


def test_work_unit_owners_bring_firms_into_their_compounds():
    scn = scenario({"firm_introduction": {"work_unit_rate": 1.0}}, work_unit_groups(),
                   **EVERYONE_PAYS)
    model = sim.CompoundModel(scn, rng=1).run(1)
    assert model.compounds.firm_present.tolist() == [True] * 3 + [False] * 3 + [True]
    assert model.firm_entries == 3
    assert not any(agent.red for agent in model.firms)


def test_work_unit_firms_arrive_at_the_monthly_rate():
    groups = [{"name": "dormitory", "count": 40, "households": 10, "firm": False,
               "work_unit_owner": True}]
    scn = scenario({"firm_introduction": {"work_unit_rate": 0.1}}, groups, **EVERYONE_PAYS)
    model = sim.CompoundModel(scn, rng=1).run(6)
    # Expected share served after 6 months: 1 − 0.9⁶ ≈ 0.47.
    assert 0.25 < model.compounds.firm_present.mean() < 0.7


def test_work_unit_owner_needs_residents_to_pay():
    scn = scenario({"firm_introduction": {"work_unit_rate": 1.0}}, work_unit_groups(),
                   **NOBODY_PAYS)
    model = sim.CompoundModel(scn, rng=1).run(6)
    assert model.compounds.firm_present.tolist() == [False] * 6 + [True]
    assert model.firm_entries == 0


def test_an_owners_committee_hires_a_firm_when_residents_pay():
    groups = [{"name": "commercial", "count": 3, "firm": False}]
    intro = {"committee_rate": 1.0, "work_unit_rate": 1.0}
    with_committee = sim.CompoundModel(scenario(
        {"firm_introduction": intro, "owners_committee": {}}, groups, **EVERYONE_PAYS),
        rng=1).run(1)
    assert with_committee.compounds.firm_present.all()
    without = sim.CompoundModel(scenario({"firm_introduction": intro}, groups,
                                         **EVERYONE_PAYS), rng=1).run(6)
    assert not without.compounds.firm_present.any()
    unpaid = sim.CompoundModel(scenario(
        {"firm_introduction": intro, "owners_committee": {}}, groups, **NOBODY_PAYS),
        rng=1).run(6)
    assert not unpaid.compounds.firm_present.any()


def test_committee_needs_its_minimum_collection():
    groups = [{"name": "commercial", "count": 20, "households": 20, "firm": False}]
    intro = {"committee_rate": 1.0, "committee_min_collection": 0.85}
    # members of average spirit (elections' effects 0): quality 1, so efficiency 1 and a
    # committee that collected enough hires at committee_rate 1 for certain
    model = sim.CompoundModel(scenario({"firm_introduction": intro, "owners_committee": {}},
                                       groups, **{"elections.misuse_spirit": 0.0,
                                                  "elections.efficiency_spirit": 0.0}), rng=1)
    model.step()
    recent = model.compounds.recent_contribution()
    assert (recent < 0.85).any() and (recent >= 0.85).any()
    np.testing.assert_array_equal(model.compounds.firm_present, recent >= 0.85)


def test_introduced_firms_are_red_in_a_red_design():
    scn = scenario({"firm_introduction": {"work_unit_rate": 1.0}, "red_property_firm": {}},
                   work_unit_groups(), **EVERYONE_PAYS)
    model = sim.CompoundModel(scn, rng=1)
    model.step()
    assert len(model.firms) == 4
    assert all(agent.red for agent in model.firms)


# ----------------------------------------------------------------------- parameters


@pytest.mark.parametrize(("name", "params"), [
    ("red_property_firm", {"cost_factor": 0}),
    ("red_property_firm", {"patience_bonus": -1}),
    ("red_property_firm", {"patience_bonus": 2.5}),
    ("firm_introduction", {"committee_rate": 1.5}),
    ("firm_introduction", {"work_unit_min_collection": -0.1}),
    ("firm_introduction", {"work_unit": 0.1}),
])
def test_bad_parameters_are_config_errors(name, params):
    with pytest.raises(ConfigError, match=name):
        scenario({name: params}, [{"name": "c"}])
