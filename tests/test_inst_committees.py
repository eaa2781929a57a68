"""The three bodies of Nan'an's "131" (sim.institutions.committees).

deliberation_council decides *whether*, owners_committee decides *how* and executes with
pooled money (打平伙), supervisory_committee checks *how well*. Most scenarios switch matter
arrival off and open one broken-lights matter (cost 5,000 yuan, labour share 0.4) at month
0, and make households deterministic (noise 0, action bases ±20) so that who pays, who
takes part and who volunteers is known; coordination costs nothing (efficiency 1), so every
household is reached. Members are of average spirit (``elections`` effects 0, so coordination
quality and the committee's misuse factor are 1): the tests compute efficiency and misuse by
the committees' own rules alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.committees import DeliberationCouncil, SupervisoryCommittee

LIGHTS_COST = 5000.0
LIGHTS_LABOUR = 0.4


def behaviour(contribute: float = 20.0, participate: float = 20.0,
              volunteer: float = -20.0) -> dict[str, Any]:
    """Deterministic households: each action is taken by everyone (+20) or no one (−20)."""
    return {"noise": 0.0, "base": {"contribute": contribute, "comply": 20.0,
                                   "volunteer": volunteer, "participate": participate}}


def scenario(institutions: dict[str, Any], households: tuple[int, ...] = (100,),
             lights: tuple[bool, ...] | None = None, **sections: Any) -> sim.Scenario:
    """One compound per entry of ``households``; broken lights open where ``lights``."""
    lights = lights if lights is not None else (True,) * len(households)
    groups = [{"name": f"c{i}", "households": hh, "buildings": 2, "units_per_building": 2,
               "open_matters": ["lights"] if lit else []}
              for i, (hh, lit) in enumerate(zip(households, lights, strict=True))]
    data: dict[str, Any] = {
        "community": {"groups": groups},
        "design": {"name": "t", "institutions": institutions},
        "matters": {"arrival_scale": 0.0},
        "coordination": {"cost_per_link": 0.0},
        # members of average spirit: quality and misuse factor 1 (the rules under test alone)
        "elections": {"misuse_spirit": 0.0, "efficiency_spirit": 0.0},
    }
    data.update(sections)
    return sim.load_config(data)


def find(model: sim.CompoundModel, cls: type) -> Any:
    return next(i for i in model.institutions if isinstance(i, cls))


def pooled_in(model: sim.CompoundModel) -> np.ndarray:
    return model.ledger.total_in[:, model.ledger.source_index("pooled")]


def used(model: sim.CompoundModel, use: str) -> np.ndarray:
    return model.ledger.total_out[:, model.ledger.use_index(use)]


# ============================================================================ council


def council_model(quorum: float = 0.1, majority: float = 0.5, **params: Any
                  ) -> sim.CompoundModel:
    """One compound of 100 households with a council only (efficiency 1) and broken lights."""
    scn = scenario({"deliberation_council": {"quorum": quorum, "majority": majority,
                                             **params}},
                   population={"trust": 0.5})
    model = sim.CompoundModel(scn, rng=0)
    assert model.selfgov.efficiency[0] == 1.0
    return model


def vote(model: sim.CompoundModel, participants: int, paying_participants: int,
         paying_others: int = 0) -> int:
    """Set who takes part and who pays, let the council meet; returns the approved id."""
    pop = model.population
    pop.acts = np.zeros_like(pop.acts)
    pop.decisions[:participants, 3] = True
    pop.decisions[:paying_participants, 0] = True
    pop.decisions[participants:participants + paying_others, 0] = True
    find(model, DeliberationCouncil).after_decisions(model)
    return int(model.selfgov.approved[0])


def test_council_in_every_compound():
    model = sim.CompoundModel(scenario({"deliberation_council": {}}, households=(50, 60, 70)),
                              rng=0)
    assert model.selfgov.bodies["council"].all()


def test_no_approval_without_quorum():
    lights = int(council_model().matters.ids[0])
    assert vote(council_model(), participants=9, paying_participants=9,
                paying_others=91) == -1
    assert vote(council_model(), participants=10, paying_participants=10) == lights


def test_majority_counts_participants_only():
    """One household one vote among those taking part; absent payers have no say."""
    lights = int(council_model().matters.ids[0])
    # 10 of 20 participants pay: exactly half, approved at majority 0.5.
    assert vote(council_model(), 20, 10) == lights
    # 9 of 20 pay: rejected, although every one of the 80 absent households pays.
    assert vote(council_model(), 20, 9, paying_others=80) == -1
    # A stricter majority.
    assert vote(council_model(majority=0.75), 20, 14) == -1
    assert vote(council_model(majority=0.75), 20, 15) == lights


def test_a_decision_in_the_open_builds_trust_even_when_rejected():
    model = council_model(legitimacy_trust=0.1)
    assert vote(model, 20, 0) == -1
    np.testing.assert_allclose(model.population.trust, 0.55)
    model = council_model(legitimacy_trust=0.1)
    assert vote(model, 5, 5) == -1  # no quorum: no meeting in the open
    np.testing.assert_allclose(model.population.trust, 0.5)


def test_council_takes_up_the_oldest_matter_of_its_categories():
    for categories, expected in ((["small"], "garbage"), (["big"], "drains"),
                                 (["big", "small"], "drains")):
        model = council_model(categories=categories)
        book = model.matters
        book.resolve(np.ones(book.n_open, dtype=bool), 0, "other")  # drop the lights
        for step, name in enumerate(("drains", "garbage", "lights", "parking")):
            book.add([0], [book.type_index(name)], [0], step)
        approved = vote(model, 50, 50)
        assert book.type_names[int(book.kind[book.ids == approved][0])] == expected


def test_council_waits_while_an_approval_or_project_is_pending():
    model = council_model()
    model.selfgov.approved[0] = 12345
    assert vote(model, 50, 50) == 12345
    model = council_model()
    model.selfgov.project[0] = 777  # a project under way
    assert vote(model, 50, 50) == -1


def test_council_meets_only_as_often_as_coordination_allows():
    model = council_model()
    model.selfgov.efficiency[:] = 0.0
    assert vote(model, 50, 50) == -1


def test_without_participation_nothing_is_approved_in_a_run():
    scn = scenario({"deliberation_council": {}, "owners_committee": {}},
                   households=(100, 80), behaviour=behaviour(participate=-20.0))
    model = sim.CompoundModel(scn, rng=1)
    for _ in range(12):
        model.step()
        assert model.compound_rates()["participation_rate"].max() == 0.0
        assert not model.selfgov.active().any()
    assert model.matters.n_open == 2
    assert model.matters.log_frame().empty
    assert pooled_in(model).sum() == 0.0


def test_with_quorum_and_paying_majority_residents_fix_the_lights():
    scn = scenario({"deliberation_council": {}, "owners_committee": {}},
                   households=(100, 80), behaviour=behaviour())
    model = sim.CompoundModel(scn, rng=1).run(1)
    log = model.matters.log_frame()
    assert sorted(log["compound"]) == [0, 1]
    assert (log["handler"] == "residents").all() and (log["resolved"] == 1).all()
    assert model.matters.n_open == 0


# ============================================================================ committee


def test_committee_asks_an_equal_share_per_household():
    """Nobody pays, so the project stays open and the share asked can be read."""
    scn = scenario({"owners_committee": {"self_approve": 1.0, "target_rate": 0.8}},
                   households=(100, 50, 40), lights=(True, True, False),
                   behaviour=behaviour(contribute=-20.0))
    model = sim.CompoundModel(scn, rng=0).run(1)
    sg, pop = model.selfgov, model.population
    np.testing.assert_array_equal(sg.active(), [True, True, False])
    due = model.compounds.extra_due
    assert due is not None
    expected = {0: LIGHTS_COST * 0.9 / (100 * 0.8), 1: LIGHTS_COST * 0.9 / (50 * 0.8), 2: 0.0}
    for c, share in expected.items():
        np.testing.assert_allclose(due[pop.compound == c], share)
    # The matter is in a project: nobody else (firm, government) may take it.
    assert model.matters.in_project.all()


def test_project_resolved_by_residents_at_the_compared_price():
    scn = scenario({"deliberation_council": {}, "owners_committee": {"price_saving": 0.1,
                                                                       "misuse_prob": 0.0}},
                   households=(100, 60), behaviour=behaviour())
    model = sim.CompoundModel(scn, rng=2).run(3)
    log = model.matters.log_frame()
    assert list(log["handler"]) == ["residents"] * 2
    np.testing.assert_allclose(log["paid"], LIGHTS_COST * 0.9)
    np.testing.assert_allclose(used(model, "matters"), LIGHTS_COST * 0.9)
    np.testing.assert_array_equal(model.selfgov.projects_done, [1, 1])
    # Every household paid its share once: 4500 / (households × 0.8) each.
    np.testing.assert_allclose(pooled_in(model), LIGHTS_COST * 0.9 / 0.8)
    assert not model.selfgov.active().any() and model.compounds.extra_due is None


def test_a_volunteer_electrician_saves_the_labour():
    """With many volunteers and common skills, the labour share of the cost is saved."""
    scn = scenario({"deliberation_council": {},
                    "owners_committee": {"price_saving": 0.2, "skill_rarity": 1e-3,
                                         "misuse_prob": 0.0}},
                   households=(100, 60), behaviour=behaviour(volunteer=20.0))
    model = sim.CompoundModel(scn, rng=2).run(2)
    log = model.matters.log_frame()
    assert (log["handler"] == "residents").all() and len(log) == 2
    np.testing.assert_allclose(log["paid"], LIGHTS_COST * 0.8 * (1 - LIGHTS_LABOUR))


def test_a_volunteer_is_found_about_as_often_as_skill_rarity_says():
    """P(skilled) = 1 − exp(−volunteers / skill_rarity); here 1 − exp(−1) ≈ 0.63."""
    scn = scenario({"deliberation_council": {},
                    "owners_committee": {"price_saving": 0.0, "skill_rarity": 100.0,
                                         "misuse_prob": 0.0}},
                   households=(100,) * 60, behaviour=behaviour(volunteer=20.0))
    model = sim.CompoundModel(scn, rng=3).run(1)
    paid = model.matters.log_frame()["paid"].to_numpy()
    assert len(paid) == 60
    skilled = np.isclose(paid, LIGHTS_COST * (1 - LIGHTS_LABOUR))
    assert (skilled | np.isclose(paid, LIGHTS_COST)).all()
    assert 0.4 < skilled.mean() < 0.85


def test_households_pay_once_per_project():
    """Payment spreads over months; nobody is asked (or pays) a second time."""
    scn = scenario({"owners_committee": {"self_approve": 1.0, "target_rate": 1.0,
                                         "max_months": 60, "misuse_prob": 0.0}},
                   households=(100, 80), behaviour={"noise": 1.0},
                   # nobody moves: a newcomer owes the share again (sim.turnover), paid once here
                   turnover={"owner": 0.0, "renter": 0.0, "floating": 0.0})
    model = sim.CompoundModel(scn, rng=4)
    sg, pop = model.selfgov, model.population
    model.step()
    share = sg.project_share.copy()
    assert (share > 0).all()
    payers = []
    for _ in range(8):
        if not sg.active().all():
            break
        paid = model.compounds.total(sg.paid)
        payers.append(paid.sum())
        np.testing.assert_allclose(pooled_in(model), paid * share)
        np.testing.assert_allclose(sg.project_collected, paid * share)
        sg.refresh_due(model)  # what the committee asks before households next decide
        assert (model.compounds.extra_due[sg.paid] == 0).all()
        np.testing.assert_allclose(model.compounds.extra_due[~sg.paid],
                                   share[pop.compound[~sg.paid]])
        model.step()
    assert len(payers) >= 3 and payers[-1] > payers[0]  # payment spread over months
    assert (pooled_in(model) <= model.compounds.households * share + 1e-6).all()


def test_project_abandoned_after_max_months_when_nobody_pays():
    scn = scenario({"owners_committee": {"self_approve": 1.0, "max_months": 3}},
                   behaviour=behaviour(contribute=-20.0))
    model = sim.CompoundModel(scn, rng=0)
    active = []
    for _ in range(9):
        model.step()
        active.append(bool(model.selfgov.active()[0]))
    # Started in month 1, abandoned in month 4, taken up again in month 5, and so on.
    assert active == [True, True, True, False, True, True, True, False, True]
    assert model.matters.n_open == 1 and model.matters.log_frame().empty
    assert pooled_in(model).sum() == 0.0


def test_abandoned_project_releases_its_matter():
    scn = scenario({"owners_committee": {"self_approve": 1.0, "max_months": 2}},
                   behaviour=behaviour(contribute=-20.0))
    model = sim.CompoundModel(scn, rng=0).run(3)
    assert not model.selfgov.active()[0]
    assert not model.matters.in_project.any()
    assert model.compounds.extra_due is None


def test_no_self_approval_where_a_council_decides():
    scn = scenario({"deliberation_council": {}, "owners_committee": {"self_approve": 1.0}},
                   behaviour=behaviour(participate=-20.0))
    model = sim.CompoundModel(scn, rng=0).run(6)
    assert model.selfgov.projects_done.sum() == 0 and model.matters.n_open == 1


def test_endogenous_committee_forms_after_sustained_participation():
    for participate, formed in ((20.0, True), (-20.0, False)):
        scn = scenario({"owners_committee": {"formation": "endogenous",
                                             "formation_participation": 0.1,
                                             "formation_months": 3}},
                       behaviour=behaviour(participate=participate))
        model = sim.CompoundModel(scn, rng=0)
        assert not model.selfgov.bodies["committee"].any()
        model.run(2)
        assert not model.selfgov.bodies["committee"].any()
        model.run(1)
        assert model.selfgov.bodies["committee"][0] == formed


def test_idle_committee_spends_its_fund_on_upkeep():
    scn = scenario({"deliberation_council": {},
                    "owners_committee": {"fund_upkeep": 0.25, "misuse_prob": 0.0}},
                   behaviour=behaviour())
    model = sim.CompoundModel(scn, rng=0).run(1)
    leftover = LIGHTS_COST * 0.9 / 0.8 - LIGHTS_COST * 0.9
    np.testing.assert_allclose(model.ledger.balance, leftover * 0.75)
    model.run(2)
    np.testing.assert_allclose(model.ledger.balance, leftover * 0.75 ** 3)


def test_ledger_conserved_and_matters_spending_matches_the_log():
    scn = scenario({"deliberation_council": {}, "owners_committee": {}},
                   households=(120, 80, 60), matters={"arrival_scale": 3.0})
    for seed in range(3):
        model = sim.CompoundModel(scn, rng=seed)
        for _ in range(24):
            model.step()
            model.ledger.check()
        log = model.matters.log_frame()
        assert (log["handler"] == "residents").sum() > 3
        by_compound = log.groupby("compound")["paid"].sum().reindex(range(3), fill_value=0)
        # Residents' projects and households' private matters are the only spending on
        # matters; households pay private matters from their own pockets.
        residents = log[log["handler"] == "residents"]
        spent = residents.groupby("compound")["paid"].sum().reindex(range(3), fill_value=0)
        np.testing.assert_allclose(used(model, "matters"), spent.to_numpy())
        assert (by_compound >= spent).all()
        np.testing.assert_allclose(model.selfgov.misused_total, used(model, "misuse"))


# ============================================================================ misuse


def misuse_scenario(supervision: dict[str, Any] | None, **committee: Any) -> sim.Scenario:
    """Projects that leave money in the fund (all pay, target 0.8), then a misuse-prone
    committee; ``supervision`` adds a supervisory committee with these parameters.
    """
    institutions: dict[str, Any] = {
        "deliberation_council": {},
        "owners_committee": {"misuse_prob": 1.0, "rumour_prob": 0.0, "fund_upkeep": 0.0,
                             **committee}}
    if supervision is not None:
        institutions["supervisory_committee"] = supervision
    return scenario(institutions, households=(100, 80), behaviour=behaviour())


def test_misuse_without_supervision_is_recorded_in_the_ledger():
    model = sim.CompoundModel(misuse_scenario(None), rng=0)
    model.step()
    sg = model.selfgov
    leftover = LIGHTS_COST * 0.9 / 0.8 - LIGHTS_COST * 0.9
    # The project completes, then 30 % of what is left is diverted the same month.
    np.testing.assert_allclose(sg.misused_total, 0.3 * leftover)
    np.testing.assert_allclose(used(model, "misuse"), 0.3 * leftover)
    np.testing.assert_allclose(model.ledger.balance, 0.7 * leftover)
    model.run(3)
    np.testing.assert_allclose(used(model, "misuse"), leftover * (1 - 0.7 ** 4))
    np.testing.assert_allclose(sg.misuse_pending, sg.misused_total)  # nobody finds out
    assert (sg.misuse_detected == 0).all()
    model.ledger.check()


def test_no_misuse_when_misuse_prob_is_zero():
    model = sim.CompoundModel(misuse_scenario(None, misuse_prob=0.0), rng=0).run(6)
    assert used(model, "misuse").sum() == 0.0


def test_full_deterrence_prevents_misuse():
    model = sim.CompoundModel(misuse_scenario({"deterrence": 1.0}), rng=0).run(6)
    assert model.selfgov.bodies["supervisory"].all()
    assert used(model, "misuse").sum() == 0.0


def misuse_events(scn: sim.Scenario, seed: int, months: int = 24) -> tuple[int, float]:
    """Compound-months with misuse, and yuan misused, in one run."""
    model = sim.CompoundModel(scn, rng=seed)
    events = 0
    j = model.ledger.use_index("misuse")
    for _ in range(months):
        model.step()
        events += int((model.ledger.month_out[:, j] > 0).sum())
    return events, float(model.selfgov.misused_total.sum())


def test_supervision_lowers_misuse():
    """Over several seeds, in realistic runs (logit households, matters arriving)."""
    groups = [{"name": "c", "count": 4, "households": 100, "buildings": 2,
               "units_per_building": 2, "open_matters": ["lights"]}]
    committee = {"misuse_prob": 0.5}
    plain = sim.load_config({"community": {"groups": groups},
                             "design": {"name": "t", "institutions": {
                                 "deliberation_council": {}, "owners_committee": committee}}})
    supervised = plain.override({"design.institutions.supervisory_committee": {}})
    without = [misuse_events(plain, seed) for seed in range(8)]
    with_sup = [misuse_events(supervised, seed) for seed in range(8)]
    events_without = sum(e for e, _ in without)
    events_with = sum(e for e, _ in with_sup)
    assert events_without > 0
    # Deterrence 0.7: about 30 % as many misuse events.
    assert events_with < 0.5 * events_without
    assert sum(y for _, y in with_sup) < 0.6 * sum(y for _, y in without)
    assert sum(e_w < e_wo for (e_w, _), (e_wo, _) in zip(with_sup, without,
                                                         strict=True)) >= 6


def test_rumours_of_misuse_cost_trust():
    """Same run, with and without a trust loss when misuse becomes known."""
    base = misuse_scenario(None, rumour_prob=1.0, rumour_trust_loss=0.0)
    lossy = base.override({"design.institutions.owners_committee.rumour_trust_loss": 0.5})
    a, b = sim.CompoundModel(base, rng=0), sim.CompoundModel(lossy, rng=0)
    trust_before = a.population.trust.copy()
    np.testing.assert_array_equal(trust_before, b.population.trust)
    a.step()
    b.step()
    assert (a.selfgov.misuse_pending == 0).all()  # the rumour spread at once
    np.testing.assert_allclose(b.population.trust, a.population.trust * 0.5)


# ============================================================================ supervision


def test_supervisory_committee_watches_every_owners_committee():
    scn = scenario({"owners_committee": {"formation": "endogenous"},
                    "supervisory_committee": {}},
                   households=(100, 80), behaviour=behaviour(participate=-20.0))
    model = sim.CompoundModel(scn, rng=0).run(2)
    assert not model.selfgov.bodies["supervisory"].any()
    model.selfgov.bodies["committee"][1] = True
    model.run(1)
    np.testing.assert_array_equal(model.selfgov.bodies["supervisory"], [False, True])
    np.testing.assert_array_equal(model.selfgov.deterrence, [0.0, 0.7])


def test_supervisory_committee_exists_from_the_start_and_counts_in_coordination():
    scn = scenario({"owners_committee": {}, "supervisory_committee": {}},
                   coordination={"cost_per_link": 0.06})
    model = sim.CompoundModel(scn, rng=0)
    two_bodies = 1.0 / 1.06  # committee and supervisory committee: one link
    assert model.selfgov.bodies["supervisory"].all()
    assert model.selfgov.efficiency[0] == pytest.approx(two_bodies)
    model.step()
    assert model.selfgov.efficiency[0] == pytest.approx(two_bodies)


def test_supervision_detects_pending_misuse():
    scn = misuse_scenario({"deterrence": 0.0, "detect_prob": 1.0})
    model = sim.CompoundModel(scn, rng=0)
    sg = model.selfgov
    for _ in range(4):
        model.step()
        assert (sg.misuse_pending == 0).all()  # found out the month it happens
    assert (sg.misused_total > 0).all()
    np.testing.assert_array_equal(sg.misuse_detected, [4, 4])


def test_detection_is_published_and_costs_some_trust():
    model = sim.CompoundModel(scenario({"owners_committee": {}, "supervisory_committee": {
        "detect_prob": 1.0, "detect_trust_loss": 0.2}}, households=(50, 50),
        population={"trust": 0.5}), rng=0)
    sup = find(model, SupervisoryCommittee)
    sup.before_decisions(model)
    model.selfgov.misuse_pending[:] = [100.0, 0.0]
    sup.month_end(model)
    pop = model.population
    np.testing.assert_allclose(pop.trust[pop.compound == 0], 0.4)
    np.testing.assert_allclose(pop.trust[pop.compound == 1], 0.5)
    np.testing.assert_array_equal(model.selfgov.misuse_detected, [1, 0])
    np.testing.assert_array_equal(model.selfgov.misuse_pending, [0.0, 0.0])


def test_published_accounts_of_a_completed_project_build_trust():
    model = sim.CompoundModel(scenario({"owners_committee": {}, "supervisory_committee": {
        "publish_trust_gain": 0.2}}, households=(50, 50), population={"trust": 0.5}), rng=0)
    sup = find(model, SupervisoryCommittee)
    sup.before_decisions(model)
    model.selfgov.completed[:] = [True, False]
    sup.month_end(model)
    pop = model.population
    np.testing.assert_allclose(pop.trust[pop.compound == 0], 0.6)
    np.testing.assert_allclose(pop.trust[pop.compound == 1], 0.5)


@pytest.mark.parametrize("gain", [0.05, 0.3])
def test_trust_rises_when_a_project_completes_compared_with_no_supervision(gain):
    """The same deterministic run with and without a supervisory committee.

    Coordination costs nothing (see :func:`scenario`) and nobody misuses money, so the two
    runs differ only in the accounts the supervisory committee publishes: trust in the
    compound whose lights were fixed rises by ``gain`` of its gap to full trust, and nowhere
    else.
    """
    sections = {"behaviour": behaviour()}
    committee = {"deliberation_council": {}, "owners_committee": {"misuse_prob": 0.0}}
    plain = scenario(committee, households=(100, 80), lights=(True, False), **sections)
    supervised = scenario({**committee, "supervisory_committee": {
        "publish_trust_gain": gain}}, households=(100, 80), lights=(True, False), **sections)
    a, b = sim.CompoundModel(plain, rng=0), sim.CompoundModel(supervised, rng=0)
    a.step()
    b.step()
    np.testing.assert_array_equal(a.selfgov.completed, [True, False])
    np.testing.assert_array_equal(b.selfgov.completed, [True, False])
    pop_a, pop_b = a.population, b.population
    fixed = pop_a.compound == 0
    np.testing.assert_allclose(pop_b.trust[fixed],
                               pop_a.trust[fixed] + gain * (1 - pop_a.trust[fixed]))
    np.testing.assert_array_equal(pop_b.trust[~fixed], pop_a.trust[~fixed])
