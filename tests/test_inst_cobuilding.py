"""Institutions of sim.institutions.cobuilding: cobuilding_council and six_party_linkage."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.errors import ConfigError

EVERYONE = {"behaviour.noise": 0.0, "behaviour.base.contribute": 20.0,
            "behaviour.base.participate": 20.0}
"""Everyone pays and takes part (deterministic rule)."""


def council_scenario(council: dict[str, Any] | None = None, *, committee: bool = True,
                     matters: tuple[str, ...] = ("lights",), **over: Any) -> sim.Scenario:
    """Three compounds with ``matters`` open at month 0, no new matters, no coordination cost."""
    institutions: dict[str, Any] = {"cobuilding_council": council or {}}
    if committee:
        institutions["owners_committee"] = {"self_approve": 0.0}
    data = {
        "community": {"groups": [{"name": "c", "count": 3, "households": 40, "buildings": 2,
                                  "units_per_building": 2, "open_matters": list(matters)}]},
        "design": {"name": "t", "institutions": institutions},
    }
    # members of average spirit (elections' effects 0): quality 1, so efficiency stays 1
    changes = {"matters.arrival_scale": 0.0, "coordination.cost_per_link": 0.0, **EVERYONE,
               "elections.misuse_spirit": 0.0, "elections.efficiency_spirit": 0.0, **over}
    return sim.load_config(data).override(changes)


def institution(model: sim.CompoundModel, name: str):
    return next(inst for inst in model.institutions if inst.name == name)


def resolved(model: sim.CompoundModel, handler: str = "residents"):
    log = model.matters.log_frame()
    return log[log["handler"] == handler]


# ----------------------------------------------------------------------- co-building council


def test_council_is_a_body_in_every_compound_and_runs_before_the_deliberation_council():
    model = sim.CompoundModel(council_scenario().override(
        {"design.institutions.deliberation_council": {}}), rng=1)
    assert model.selfgov.bodies["cobuilding_council"].all()
    names = [inst.name for inst in model.institutions]
    assert names.index("cobuilding_council") < names.index("deliberation_council")


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_a_matter_is_adopted_after_stage_months_and_executed_by_the_committee(stage):
    model = sim.CompoundModel(council_scenario({"stage_months": stage}), rng=1)
    lights = model.matters.ids.copy()
    for month in range(1, stage):
        model.step()
        assert model.matters.n_open == 3, month  # still consulting, proposing, reviewing
    model.step()
    done = resolved(model)
    assert sorted(done["id"]) == sorted(lights)
    assert (done["resolved"] == stage).all()
    assert model.selfgov.projects_done.tolist() == [1, 1, 1]


def test_big_matters_are_taken_up_too():
    model = sim.CompoundModel(council_scenario(matters=("drains",)), rng=1).run(2)
    assert sorted(resolved(model)["type"]) == ["drains"] * 3


def test_categories_limit_what_the_council_takes_up():
    model = sim.CompoundModel(council_scenario({"categories": ["small"]}, matters=("drains",)),
                              rng=1).run(6)
    assert resolved(model).empty


def test_without_quorum_nothing_is_adopted():
    scn = council_scenario({"quorum": 0.05}, **{"behaviour.base.participate": -20.0})
    model = sim.CompoundModel(scn, rng=1).run(8)
    assert model.current_metrics["participation_rate"] == 0.0
    assert resolved(model).empty
    assert model.matters.n_open == 3


def test_quorum_is_a_share_of_households():
    # Exactly 10 % take part: a 0.1 quorum adopts, a 0.11 quorum does not.
    committed = [i for c in range(3) for i in range(40 * c, 40 * c + 4)]
    over = {"behaviour.base.participate": -20.0, "initial.committed": committed}
    ok = sim.CompoundModel(council_scenario({"quorum": 0.1}, **over), rng=1).run(3)
    short = sim.CompoundModel(council_scenario({"quorum": 0.11}, **over), rng=1).run(3)
    assert ok.current_metrics["participation_rate"] == pytest.approx(0.1)
    assert len(resolved(ok)) == 3
    assert resolved(short).empty


def test_without_a_committee_approvals_lapse_at_month_end():
    model = sim.CompoundModel(council_scenario(committee=False), rng=1)
    inst = institution(model, "cobuilding_council")
    for _ in range(2):
        model.step()
    # Month 2: the council approved the lights, nobody executed them, the approval lapsed.
    assert (model.selfgov.approved == -1).all()
    assert model.matters.n_open == 3
    model.step()
    inst.after_decisions(model)
    assert np.isin(model.selfgov.approved, model.matters.ids).all()


def test_council_publishes_accounts_of_completed_projects():
    model = sim.CompoundModel(council_scenario({"publish_trust_gain": 0.5}), rng=1)
    pop, sg = model.population, model.selfgov
    before = pop.trust.copy()
    sg.completed[:] = [True, False, False]
    institution(model, "cobuilding_council").month_end(model)
    first = pop.compound == 0
    np.testing.assert_allclose(pop.trust[first], before[first] + 0.5 * (1 - before[first]))
    np.testing.assert_array_equal(pop.trust[~first], before[~first])


def test_council_supervises_committee_and_keeps_the_stronger_deterrence():
    alone = sim.CompoundModel(council_scenario({"council_deterrence": 0.4}), rng=1).run(1)
    np.testing.assert_allclose(alone.selfgov.deterrence, 0.4)
    scn = council_scenario({"council_deterrence": 0.4}).override(
        {"design.institutions.supervisory_committee": {"deterrence": 0.7}})
    both = sim.CompoundModel(scn, rng=1).run(1)
    np.testing.assert_allclose(both.selfgov.deterrence, 0.7)


def test_council_supervision_lowers_misuse():
    def misused(deterrence: float) -> float:
        institutions = {"owners_committee": {"misuse_prob": 0.3},
                        "cobuilding_council": {"council_deterrence": deterrence}}
        data = {"community": {"groups": [{"name": "c", "count": 10, "households": 40,
                                          "buildings": 2, "units_per_building": 2}]},
                "design": {"name": "t", "institutions": institutions}}
        model = sim.CompoundModel(sim.load_config(data), rng=3).run(36)
        return float(model.selfgov.misused_total.sum())

    assert misused(0.9) < 0.5 * misused(0.0)


# ----------------------------------------------------------------------- six-party linkage


def linkage_scenario(linkage: bool, **over: Any) -> sim.Scenario:
    """Two compounds with a branch (many members) and two without; five bodies and a firm."""
    group = {"count": 2, "households": 60, "buildings": 3, "units_per_building": 2,
             "firm": True}
    institutions: dict[str, Any] = {
        "party_branch": {}, "deliberation_council": {}, "owners_committee": {},
        "supervisory_committee": {}, "social_organisation": {}, "government_service": {}}
    if linkage:
        institutions["six_party_linkage"] = {}
    data = {
        "community": {"groups": [{"name": "members", "party_share": 0.5, **group},
                                 {"name": "none", "party_share": 0.0, **group}]},
        "design": {"name": "t", "institutions": institutions},
    }
    scn = sim.load_config(data)
    return scn.override(over) if over else scn


def test_linkage_raises_efficiency_where_a_branch_exists_and_only_there():
    plain = sim.CompoundModel(linkage_scenario(False), rng=4).run(1)
    linked = sim.CompoundModel(linkage_scenario(True), rng=4).run(1)
    branch = linked.selfgov.bodies["branch"]
    assert branch.tolist() == [True, True, False, False]
    assert np.array_equal(plain.selfgov.bodies["branch"], branch)
    assert (plain.selfgov.body_count(plain) == linked.selfgov.body_count(linked)).all()
    assert (linked.selfgov.body_count(linked)[branch] >= 5).all()
    assert (linked.selfgov.efficiency[branch] > plain.selfgov.efficiency[branch] + 0.1).all()
    np.testing.assert_allclose(linked.selfgov.efficiency[~branch],
                               plain.selfgov.efficiency[~branch])


def test_linkage_with_one_shoulder_removes_friction_and_hub_cost():
    # members of average spirit: quality 1, as this test computes efficiency by the
    # coordination rule alone
    scn = linkage_scenario(True, **{"elections.misuse_spirit": 0.0,
                                    "elections.efficiency_spirit": 0.0}).override(
        {"design.institutions.one_shoulder": {}})
    model = sim.CompoundModel(scn, rng=4).run(2)  # bodies are complete from month 2 on
    sg, cfg = model.selfgov, model.config.coordination
    k = sg.body_count(model)
    assert (k[:2] >= 6).all()
    np.testing.assert_allclose(sg.efficiency[:2], 1 / (1 + cfg.cost_per_link * (k[:2] - 1)))


def test_linkage_makes_the_firm_cheaper_where_a_branch_exists():
    model = sim.CompoundModel(linkage_scenario(True), rng=4)
    np.testing.assert_allclose(model.compounds.firm_cost_factor, 1.0)  # branches not yet met
    model.run(3)
    np.testing.assert_allclose(model.compounds.firm_cost_factor, [0.9, 0.9, 1.0, 1.0])
    plain = sim.CompoundModel(linkage_scenario(False), rng=4).run(3)
    np.testing.assert_allclose(plain.compounds.firm_cost_factor, 1.0)


def test_linkage_follows_branches_that_appear_or_go():
    model = sim.CompoundModel(linkage_scenario(True), rng=4).run(1)
    model.selfgov.bodies["branch"][:] = [False, True, True, False]
    institution(model, "six_party_linkage").before_decisions(model)
    np.testing.assert_allclose(model.compounds.firm_cost_factor, [1.0, 0.9, 0.9, 1.0])


def test_linkage_without_any_branch_changes_nothing():
    over = {"community.groups.0.party_share": 0.0}
    plain = sim.CompoundModel(linkage_scenario(False, **over), rng=4).run(12)
    linked = sim.CompoundModel(linkage_scenario(True, **over), rng=4).run(12)
    assert not linked.selfgov.bodies["branch"].any()
    np.testing.assert_allclose(linked.selfgov.efficiency, plain.selfgov.efficiency)
    np.testing.assert_allclose(linked.compounds.firm_cost_factor, 1.0)
    assert linked.current_metrics == plain.current_metrics


# ----------------------------------------------------------------------- parameters


@pytest.mark.parametrize(("name", "params"), [
    ("cobuilding_council", {"quorum": 2}),
    ("cobuilding_council", {"stage_months": -1}),
    ("cobuilding_council", {"stage_months": 1.5}),
    ("cobuilding_council", {"categories": ["huge"]}),
    ("cobuilding_council", {"council_deterrence": 1.1}),
    ("six_party_linkage", {"firm_cost_factor": 0}),
    ("six_party_linkage", {"hub": True}),
])
def test_bad_parameters_are_config_errors(name, params):
    with pytest.raises(ConfigError, match=name):
        sim.load_config({"design": {"name": "t", "institutions": {name: params}}})
