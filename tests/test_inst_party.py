"""Party organisation (sim.institutions.party): party_branch, dual_report, one_shoulder.

Branch formation is decided at setup from the registered members of each compound, so the
scenarios build compounds whose groups have ``party_share`` 0 or 1 (every household, or
none, has a member) and ``population.party_registered_share`` 1, which makes the number of
registered member households of a compound known exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import sim
from sim.institutions.party import PartyBranch


def group(name: str, households: int, party_share: float, count: int = 1,
          **extra: Any) -> dict[str, Any]:
    """A compound group of one building and one stairwell unit."""
    return {"name": name, "count": count, "households": households, "buildings": 1,
            "units_per_building": 1, "party_share": party_share, **extra}


def scenario(groups: list[dict[str, Any]], institutions: dict[str, Any],
             registered: float = 1.0, **sections: Any) -> sim.Scenario:
    """An inline scenario; matters off unless ``sections`` says otherwise."""
    data: dict[str, Any] = {
        "community": {"groups": groups},
        "design": {"name": "t", "institutions": institutions},
        "population": {"party_registered_share": registered},
        "matters": {"arrival_scale": 0.0},
    }
    data.update(sections)
    return sim.load_config(data)


def branch_of(model: sim.CompoundModel) -> PartyBranch:
    """The model's party_branch institution."""
    return next(i for i in model.institutions if isinstance(i, PartyBranch))


# ----------------------------------------------------------------------------- formation


def small_compounds() -> list[dict[str, Any]]:
    """Compounds with 0, 2 and 3 registered member households (and 3 households each)."""
    return [group("two_members", 2, 1.0), group("three_members", 3, 1.0),
            group("no_members", 3, 0.0), group("many_members", 10, 1.0)]


def test_branch_needs_three_registered_members():
    model = sim.CompoundModel(scenario(small_compounds(), {"party_branch": {}}), rng=0)
    np.testing.assert_array_equal(PartyBranch.registered(model), [2, 3, 0, 10])
    np.testing.assert_array_equal(model.selfgov.bodies["branch"], [False, True, False, True])


def test_min_members_sets_the_threshold():
    scn = scenario(small_compounds(), {"party_branch": {"min_members": 2}})
    model = sim.CompoundModel(scn, rng=0)
    np.testing.assert_array_equal(model.selfgov.bodies["branch"], [True, True, False, True])
    scn = scenario(small_compounds(), {"party_branch": {"min_members": 11}})
    model = sim.CompoundModel(scn, rng=0)
    assert not model.selfgov.bodies["branch"].any()


def test_unregistered_members_do_not_count():
    # Every household has a member, but none has reported to the compound.
    model = sim.CompoundModel(scenario(small_compounds(), {"party_branch": {}},
                                       registered=0.0), rng=0)
    assert model.population.party.sum() == 15
    assert not model.selfgov.bodies["branch"].any()


def test_grid_branch_serves_every_compound():
    scn = scenario(small_compounds(), {"party_branch": {"grid_branch": True}})
    model = sim.CompoundModel(scn, rng=0)
    assert model.selfgov.bodies["branch"].all()


def test_no_branch_without_the_institution():
    model = sim.CompoundModel(scenario(small_compounds(), {}), rng=0)
    assert not model.selfgov.bodies["branch"].any()


# ----------------------------------------------------------------------------- agenda


def test_agenda_grace_lengthens_grace_in_branch_compounds_only():
    scn = scenario(small_compounds(), {"party_branch": {"agenda_grace": 5}},
                   matters={"arrival_scale": 0.0, "grace_months": 2})
    model = sim.CompoundModel(scn, rng=0)
    np.testing.assert_array_equal(model.matters.grace, [2, 7, 2, 7])
    # Without the branch every compound keeps the configured grace.
    model = sim.CompoundModel(scn.override({"design.institutions": {}}), rng=0)
    np.testing.assert_array_equal(model.matters.grace, [2, 2, 2, 2])


def test_agenda_grace_delays_grievance():
    """A broken light raises grievance only after the (longer) grace in a branch compound."""
    groups = [group("branch", 30, 1.0, open_matters=["lights"]),
              group("none", 30, 0.0, open_matters=["lights"])]
    scn = scenario(groups, {"party_branch": {"agenda_grace": 6, "visits_per_member": 0.0}},
                   matters={"arrival_scale": 0.0, "grace_months": 1})
    model = sim.CompoundModel(scn, rng=1)
    pop = model.population
    first_grievance = {}
    for month in range(1, 12):
        model.step()
        for c in (0, 1):
            if c not in first_grievance and pop.grievance[pop.compound == c].max() > 0:
                first_grievance[c] = month
    assert first_grievance == {0: 7, 1: 1}


# ----------------------------------------------------------------------------- visits


def visit_model(visits_per_member: float, seed: int = 3) -> sim.CompoundModel:
    """One compound of 200 households, ~5 % registered members; trust 0.5 everywhere."""
    scn = scenario([group("c", 200, 0.05)],
                   {"party_branch": {"visits_per_member": visits_per_member,
                                     "trust_gain": 0.1}},
                   population={"party_registered_share": 1.0, "trust": 0.5})
    return sim.CompoundModel(scn, rng=seed)


def test_visits_reach_visits_per_member_times_registered_households():
    for per_member in (0.5, 2.0, 4.0):
        model = visit_model(per_member)
        members = int(PartyBranch.registered(model)[0])
        assert members >= 3 and model.selfgov.bodies["branch"][0]
        assert model.selfgov.efficiency[0] == 1.0  # a lone body: no coordination cost
        branch_of(model).before_decisions(model)
        visited = model.population.trust > 0.5  # only visits raise trust
        assert visited.sum() == round(per_member * members)
        np.testing.assert_allclose(model.population.trust[visited], 0.55)


def test_visited_households_are_mobilised_and_rely_less_on_government():
    model = visit_model(2.0)
    pop = model.population
    before = pop.dependence.copy()
    branch_of(model).before_decisions(model)
    visited = pop.trust > 0.5
    assert (pop.mobilisation[visited] == 1.0).all()
    np.testing.assert_allclose(pop.dependence[visited], before[visited] * 0.95)
    np.testing.assert_array_equal(pop.dependence[~visited], before[~visited])


def test_members_lead_by_example():
    model = visit_model(0.0)
    pop = model.population
    branch_of(model).before_decisions(model)
    np.testing.assert_array_equal(pop.mobilisation == 1.0, pop.registered)
    assert (pop.trust == 0.5).all()  # no visits were made


def test_visits_go_to_laggards_first():
    model = visit_model(2.0)
    pop = model.population
    members = int(PartyBranch.registered(model)[0])
    n_visits = round(2.0 * members)
    rng = np.random.default_rng(0)
    for n_laggards in (n_visits // 2, 3 * n_visits):
        pop.trust[:] = 0.5
        pop.acts = np.ones_like(pop.acts)
        laggards = rng.choice(pop.n, n_laggards, replace=False)
        half = n_laggards // 2
        pop.decisions[laggards[:half], 0] = False  # did not pay
        pop.decisions[laggards[half:], 1] = False  # broke a rule
        branch_of(model).before_decisions(model)
        visited = np.flatnonzero(pop.trust > 0.5)
        assert visited.size == n_visits
        lagging = np.isin(visited, laggards)
        if n_laggards <= n_visits:
            assert np.isin(laggards, visited).all()  # every laggard visited
        else:
            assert lagging.all()  # only laggards visited


def test_visits_scale_with_coordination_efficiency():
    model = visit_model(4.0)
    members = int(PartyBranch.registered(model)[0])
    model.selfgov.efficiency[:] = 0.5
    branch_of(model).before_decisions(model)
    assert (model.population.trust > 0.5).sum() == round(4.0 * members * 0.5)


def test_no_visits_where_there_is_no_branch():
    groups = [group("branch", 50, 1.0), group("none", 50, 0.0)]
    scn = scenario(groups, {"party_branch": {}}, population={"party_registered_share": 1.0,
                                                             "trust": 0.5})
    model = sim.CompoundModel(scn, rng=0)
    branch_of(model).before_decisions(model)
    pop = model.population
    assert (pop.trust[pop.compound == 0] > 0.5).all()  # 200 visits for 50 households
    assert (pop.trust[pop.compound == 1] == 0.5).all()
    assert (pop.mobilisation[pop.compound == 1] == 0.0).all()


def test_visits_raise_mobilisation_in_a_run():
    """Over a run, a branch whose members visit keeps more households mobilised."""
    base = scenario([group("c", 200, 0.05)], {"party_branch": {}},
                    population={"party_registered_share": 1.0})
    means = {}
    for per_member in (0.0, 4.0):
        scn = base.override({"design.institutions.party_branch.visits_per_member": per_member})
        model = sim.CompoundModel(scn, rng=5).run(6)
        means[per_member] = model.population.mobilisation.mean()
    assert means[4.0] > 2 * means[0.0]


# ----------------------------------------------------------------------------- dual report


def dual_report_community() -> list[dict[str, Any]]:
    """Forty compounds of 40 households, about 4 party-member households each."""
    return [group("c", 40, 0.1, count=40)]


def test_dual_report_raises_the_registered_share_and_the_number_of_branches():
    for seed in range(3):
        without = sim.CompoundModel(scenario(dual_report_community(), {"party_branch": {}},
                                             registered=0.3), rng=seed)
        with_dr = sim.CompoundModel(scenario(dual_report_community(),
                                             {"dual_report": {"share": 0.9},
                                              "party_branch": {}}, registered=0.3), rng=seed)
        # Same seed, same members: only their registration differs.
        np.testing.assert_array_equal(without.population.party, with_dr.population.party)
        party = with_dr.population.party
        assert not (with_dr.population.registered & ~party).any()
        share_without = without.population.registered.sum() / party.sum()
        share_with = with_dr.population.registered.sum() / party.sum()
        assert share_without < 0.45 < 0.8 < share_with
        branches_without = without.selfgov.bodies["branch"].sum()
        branches_with = with_dr.selfgov.bodies["branch"].sum()
        assert branches_with > branches_without + 10


def test_dual_report_share_one_registers_every_member():
    model = sim.CompoundModel(scenario(dual_report_community(),
                                       {"dual_report": {"share": 1.0}}, registered=0.0),
                              rng=0)
    np.testing.assert_array_equal(model.population.registered, model.population.party)


def test_dual_report_runs_before_the_branch_forms_whatever_the_design_order():
    # The design lists the branch first; priorities put dual report first anyway.
    scn = scenario(small_compounds(), {"party_branch": {}, "dual_report": {"share": 1.0}},
                   registered=0.0)
    model = sim.CompoundModel(scn, rng=0)
    np.testing.assert_array_equal(model.selfgov.bodies["branch"], [False, True, False, True])


# ----------------------------------------------------------------------------- one shoulder


def coexisting(one_shoulder: bool, formation: str = "all") -> sim.CompoundModel:
    institutions: dict[str, Any] = {"party_branch": {"grid_branch": True},
                                    "owners_committee": {"formation": formation}}
    if one_shoulder:
        institutions["one_shoulder"] = {}
    # Members of average spirit: quality 1, as these tests compute efficiency by the
    # coordination rule alone (quality × efficiency is capped at 1, which would hide friction).
    return sim.CompoundModel(scenario([group("c", 30, 0.1, count=3)], institutions,
                                      elections={"efficiency_spirit": 0.0}), rng=0)


def test_one_shoulder_removes_the_friction_between_branch_and_committee():
    plain, shoulder = coexisting(False), coexisting(True)
    assert plain.selfgov.bodies["committee"].all() and plain.selfgov.bodies["branch"].all()
    assert (shoulder.selfgov.efficiency > plain.selfgov.efficiency).all()
    friction = plain.config.coordination.friction
    np.testing.assert_allclose(plain.selfgov.efficiency,
                               shoulder.selfgov.efficiency * (1.0 - friction))
    # Two bodies, one link: efficiency 1 / (1 + cost_per_link) under one shoulder.
    cost = shoulder.config.coordination.cost_per_link
    np.testing.assert_allclose(shoulder.selfgov.efficiency, 1.0 / (1.0 + cost))


def test_one_shoulder_changes_nothing_without_a_committee():
    plain, shoulder = coexisting(False, "endogenous"), coexisting(True, "endogenous")
    assert not plain.selfgov.bodies["committee"].any()
    np.testing.assert_array_equal(plain.selfgov.efficiency, shoulder.selfgov.efficiency)
    np.testing.assert_array_equal(plain.selfgov.efficiency, 1.0)


def test_one_shoulder_keeps_efficiency_up_during_a_run():
    plain, shoulder = coexisting(False), coexisting(True)
    plain.run(3)
    shoulder.run(3)
    assert (shoulder.selfgov.efficiency > plain.selfgov.efficiency).all()
