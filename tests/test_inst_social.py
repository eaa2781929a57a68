"""Institutions of sim.institutions.social: social_organisation and cobuilding_units."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.ledger import SOURCES, USES


def scenario(institutions: dict[str, Any], *, count: int = 4, households: int = 60,
             **over: Any) -> sim.Scenario:
    """``count`` compounds of ``households`` households, government service, the given bodies."""
    data = {
        "community": {"groups": [{"name": "c", "count": count, "households": households,
                                  "buildings": 3, "units_per_building": 2}]},
        "design": {"name": "t", "institutions": {**institutions, "government_service": {}}},
    }
    scn = sim.load_config(data)
    return scn.override(over) if over else scn


def institution(model: sim.CompoundModel, name: str):
    return next(inst for inst in model.institutions if inst.name == name)


def run(scn: sim.Scenario, months: int, seed: int = 5) -> sim.CompoundModel:
    return sim.CompoundModel(scn, rng=seed).run(months)


# ----------------------------------------------------------------------- social organisation


def test_social_org_is_a_body_everywhere_and_works_in_effective_share():
    scn = scenario({"social_organisation": {"effective_share": 0.5, "mediation": 0.2,
                                            "relief": 0.04, "volunteer_norm": 0.3}},
                   count=60, households=10)
    model = sim.CompoundModel(scn, rng=1)
    inst = institution(model, "social_organisation")
    sg = model.selfgov
    assert sg.bodies["social_org"].all()
    assert 0.3 < inst.active.mean() < 0.7
    model.step()
    active = inst.active
    np.testing.assert_allclose(sg.private_fix_bonus, np.where(active, 0.2 * sg.efficiency, 0))
    np.testing.assert_allclose(sg.grievance_relief, np.where(active, 0.04 * sg.efficiency, 0))
    np.testing.assert_allclose(model.compounds.norm[:, 2], np.where(active, 0.3, 0.0))
    assert np.all(model.compounds.norm[:, [0, 1, 3]] == 0)


def test_social_org_effects_follow_coordination_efficiency_month_by_month():
    scn = scenario({"social_organisation": {"mediation": 0.2}})
    model = sim.CompoundModel(scn, rng=1)
    sg = model.selfgov
    for _ in range(3):
        model.step()
        np.testing.assert_allclose(sg.private_fix_bonus, 0.2 * sg.efficiency)
    # A change in efficiency replaces last month's contribution instead of adding to it.
    model.selfgov.bodies["council"][:] = True
    model.step()
    assert sg.efficiency[0] < 1.0
    np.testing.assert_allclose(sg.private_fix_bonus, 0.2 * sg.efficiency)


def test_ineffective_organisations_do_nothing():
    model = sim.CompoundModel(scenario({"social_organisation": {"effective_share": 0.0}}),
                              rng=1).run(3)
    assert model.selfgov.bodies["social_org"].all()
    assert not model.selfgov.private_fix_bonus.any()
    assert not model.selfgov.grievance_relief.any()
    assert not model.compounds.norm.any()


def private_waits(model: sim.CompoundModel) -> np.ndarray:
    log = model.matters.log_frame()
    private = log[log["type"].isin(["dispute", "leak"])]
    return (private["resolved"] - private["opened"]).to_numpy()


def test_mediation_settles_private_matters_faster():
    quiet = {"relief": 0.0, "volunteer_norm": 0.0}
    busy = {"matters.arrival_scale": 4.0}
    without = private_waits(run(scenario({}, **busy), 60))
    with_org = private_waits(run(scenario({"social_organisation": {"mediation": 0.3, **quiet}},
                                          **busy), 60))
    assert without.size > 150 and with_org.size > 150
    # Monthly settlement 0.3 → 0.6: mean wait (1 − p)/p falls from about 2.3 to about 0.7.
    assert with_org.mean() < 0.5 * without.mean()


def test_relief_lowers_grievance():
    quiet = {"mediation": 0.0, "volunteer_norm": 0.0}
    base = run(scenario({}, count=10), 60).datacollector.get_model_vars_dataframe()
    relief = run(scenario({"social_organisation": {"relief": 0.1, **quiet}}, count=10), 60)
    eased = relief.datacollector.get_model_vars_dataframe()
    assert eased["grievance"].iloc[12:].mean() < 0.8 * base["grievance"].iloc[12:].mean()


def test_volunteer_teams_raise_volunteering():
    quiet = {"mediation": 0.0, "relief": 0.0}
    base = run(scenario({}), 36).datacollector.get_model_vars_dataframe()
    teams = run(scenario({"social_organisation": {"volunteer_norm": 0.5, **quiet}}), 36)
    more = teams.datacollector.get_model_vars_dataframe()
    assert more["volunteer_rate"].iloc[1:].mean() > base["volunteer_rate"].iloc[1:].mean() + 0.02


# ----------------------------------------------------------------------- co-building units


def quiet_model(institutions: dict[str, Any], **over: Any) -> sim.CompoundModel:
    """Three compounds, no new matters arrive."""
    scn = scenario(institutions, count=3, **{"matters.arrival_scale": 0.0, **over})
    return sim.CompoundModel(scn, rng=2)


def test_cobuilding_units_promise_a_share_of_projects():
    model = quiet_model({"cobuilding_units": {"share": 0.25}})
    assert model.selfgov.bodies["cobuilding_units"].all()
    np.testing.assert_allclose(model.selfgov.cobuilding_share, 0.25)


def test_units_adopt_the_most_expensive_open_public_matter():
    model = quiet_model({"cobuilding_units": {"adopt_rate": 1.0}})
    book = model.matters
    kind = book.type_index
    # Compound 0: walls (20000, big), lights (5000, small), leak (500, private).
    # Compound 1: leak (500, private) and garbage (300, small): the public one is adopted.
    # Compound 2: only walls, already in a residents' project: nothing is adopted.
    comps = np.array([0, 0, 0, 1, 1, 2])
    kinds = np.array([kind("walls_roofs"), kind("lights"), kind("leak"), kind("leak"),
                      kind("garbage"), kind("walls_roofs")])
    book.add(comps, kinds, np.zeros(6, dtype=np.int64), 0)
    book.in_project[5] = True
    institution(model, "cobuilding_units").after_decisions(model)
    log = book.log_frame()
    assert sorted(zip(log["compound"], log["type"], strict=True)) == [
        (0, "walls_roofs"), (1, "garbage")]
    assert set(log["handler"]) == {"co_building"}
    inflow = model.ledger.total_in[:, SOURCES.index("co_building")]
    np.testing.assert_allclose(inflow, [20000.0, 300.0, 0.0])
    np.testing.assert_allclose(model.ledger.total_out[:, USES.index("matters")], inflow)
    model.ledger.check()
    assert book.n_open == 4


def test_units_adopt_nothing_at_rate_zero():
    model = quiet_model({"cobuilding_units": {"adopt_rate": 0.0}},
                        **{"community.groups.0.open_matters": ["lights", "drains"]})
    model.run(12)
    assert "co_building" not in set(model.matters.log_frame()["handler"])
    assert model.ledger.total_in[:, SOURCES.index("co_building")].sum() == 0


def test_units_pay_matters_over_a_run():
    model = run(scenario({"cobuilding_units": {"adopt_rate": 0.3}}), 36)
    log = model.matters.log_frame()
    adopted = log[log["handler"] == "co_building"]
    assert len(adopted) > 10
    assert not adopted["type"].isin(["dispute", "leak"]).any()
    inflow = model.ledger.total_in[:, SOURCES.index("co_building")]
    assert inflow.sum() == pytest.approx(adopted["paid"].sum())


def test_units_pay_their_share_of_a_residents_project():
    model = quiet_model({"cobuilding_units": {"share": 0.3, "adopt_rate": 0.0},
                         "owners_committee": {"self_approve": 1.0}},
                        **{"community.groups.0.open_matters": ["lights"],
                           "behaviour.noise": 0.0, "behaviour.base.contribute": 20.0,
                           # members of average spirit: quality 1, so coordination alone
                           # sets who is reached this month
                           "elections.misuse_spirit": 0.0, "elections.efficiency_spirit": 0.0})
    model.step()  # the committee takes the lights up and everyone pays at once
    assert model.selfgov.projects_done.tolist() == [1, 1, 1]
    inflow = model.ledger.total_in[:, SOURCES.index("co_building")]
    cost = model.matters.log_frame()["paid"].to_numpy()
    np.testing.assert_allclose(inflow, 0.3 * cost)


# ----------------------------------------------------------------------- parameters


@pytest.mark.parametrize(("name", "params"), [
    ("social_organisation", {"effective_share": 1.5}),
    ("social_organisation", {"mediation": -0.1}),
    ("social_organisation", {"volunteer_norm": True}),
    ("social_organisation", {"mediaton": 0.1}),
    ("cobuilding_units", {"share": 2}),
    ("cobuilding_units", {"adopt_rate": -1}),
])
def test_bad_parameters_are_config_errors(name, params):
    with pytest.raises(ConfigError, match=name):
        scenario({name: params})
