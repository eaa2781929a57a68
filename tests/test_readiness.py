"""Readiness that ranks (sim.institutions.government): the weighted score on seed 000's criteria.

A community of 12 compounds of 30 households, no arriving matters, the first campaign in
month 1 with a one-month window, and the state the criteria read (rates, bodies, covenant
rules) set by hand, so each compound's score is known: the budget (54,000 yuan) pays for
three full renovations of 18,000, so the three highest scores are funded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.government import RATE_NAMES, RenovationCampaign
from sim.mechanisms import mechanism, switch_off

N, HH = 12, 30


def campaign_model(allocation: str, **params: Any) -> tuple[sim.CompoundModel,
                                                            RenovationCampaign]:
    inst = {"renovation_campaign": {"allocation": allocation, "first": 1, "interval": 1,
                                    "window": 1, "invite_firm": False, **params}}
    scn = sim.load_config({
        "community": {"groups": [{"name": "old", "count": N, "households": HH,
                                  "buildings": 3, "units_per_building": 2}]},
        "design": {"name": "t", "institutions": inst},
        "matters": {"arrival_scale": 0.0},
        "coordination": {"cost_per_link": 0.0},
    })
    model = sim.CompoundModel(scn, rng=3)
    return model, next(i for i in model.institutions if isinstance(i, RenovationCampaign))


PARTICIPATION = np.array([0.30, 0.10, 0.50, 0.20, 0.05, 0.40, 0.15, 0.25, 0.35, 0.12, 0.45, 0.0])
COMPLIANCE = np.array([0.90, 0.99, 0.88, 0.95, 0.97, 0.86, 0.93, 0.91, 0.89, 0.96, 0.87, 0.5])
CONTRIBUTION = np.array([0.85, 0.95, 0.90, 0.80, 0.99, 0.88, 0.97, 0.84, 0.86, 0.93, 0.82, 0.5])
COMMITTEE = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0], dtype=bool)
RULE = np.array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0], dtype=bool)
"""Hand-made compounds: rates over the window, an owners' committee, a covenant rule."""


def set_state(model: sim.CompoundModel, campaign: RenovationCampaign) -> None:
    rates = {name: np.zeros(N) for name in RATE_NAMES}
    rates["participation_rate"] = PARTICIPATION.copy()
    rates["compliance_rate"] = COMPLIANCE.copy()
    rates["contribution_rate"] = CONTRIBUTION.copy()
    sg = model.selfgov
    sg.bodies["committee"][:] = COMMITTEE
    sg.bodies["branch"][:] = False
    sg.rules[:] = False
    sg.rules[0, RULE] = True
    campaign.recent.push(rates)


def by_hand(weights: tuple[float, float, float, float]) -> np.ndarray:
    """The score the docstring of ``criterion_scores`` defines, computed here again."""
    table = np.vstack((PARTICIPATION, COMPLIANCE, COMMITTEE.astype(float),
                       np.where(RULE, 1.0, CONTRIBUTION)))
    w = np.array(weights)
    return (w @ table) / w.sum()


def funded_after_one_campaign(allocation: str, **params: Any) -> list[int]:
    model, campaign = campaign_model(allocation, **params)
    set_state(model, campaign)
    model.step()
    return sorted(campaign.allocations[0]["compounds"].tolist())


def test_score_is_the_weighted_mean_of_the_criteria():
    model, campaign = campaign_model("competition")
    set_state(model, campaign)
    np.testing.assert_allclose(campaign.score(model), by_hand((1, 1, 1, 1)), rtol=1e-12)
    weighted = campaign.params.model_copy(update={"weight_consensus": 3.0, "weight_plan": 0.5})
    campaign.params = weighted
    np.testing.assert_allclose(campaign.score(model), by_hand((3, 1, 1, 0.5)), rtol=1e-12)


def test_competition_funds_the_highest_scores_within_the_budget():
    """Equal weights: the scores (by hand) put compounds 2, 3 and 8 first; three fit the
    budget. The gate (one criterion) lets every compound but 11 compete, so the order is the
    score's."""
    expected = sorted(np.argsort(-by_hand((1, 1, 1, 1)), kind="stable")[:3].tolist())
    assert expected == [2, 3, 8]
    assert funded_after_one_campaign("competition", min_criteria=1, incentive=0.0) == expected


def test_weights_change_who_is_funded():
    """All weight on demolition (compliance): the three most compliant, 1, 4 and 9."""
    only_b = {"weight_consensus": 0.0, "weight_organisation": 0.0, "weight_plan": 0.0}
    assert funded_after_one_campaign("competition", min_criteria=1, **only_b) == [1, 4, 9]
    assert sorted(np.argsort(-COMPLIANCE)[:3].tolist()) == [1, 4, 9]


def test_weights_zero_give_need_order():
    """The readiness_selection switch: every score 0, so compounds are funded worst first."""
    condition = np.linspace(0.8, 0.2, N)  # compound 11 is worst, then 10, 9
    switch = dict(mechanism("readiness_selection").switch)
    params = {k.rsplit(".", 1)[1]: v for k, v in switch.items()}
    for allocation, gate in (("competition", {"min_criteria": 1}), ("need_and_will", {})):
        model, campaign = campaign_model(allocation, **params, **gate)
        set_state(model, campaign)
        np.testing.assert_array_equal(campaign.score(model), 0.0)
        model.compounds.condition = condition.copy()
        model.step()
        funded = sorted(campaign.allocations[0]["compounds"].tolist())
        # competition's gate still excludes compound 11 (it meets no criterion)
        assert funded == ([8, 9, 10] if allocation == "competition" else [9, 10, 11])
    model, campaign = campaign_model("need")
    model.compounds.condition = condition.copy()
    model.step()
    assert sorted(campaign.allocations[0]["compounds"].tolist()) == [9, 10, 11]


def test_need_and_will_ranks_by_need_times_score():
    """Seed 001: 环境改造愿望迫切且自治意愿强烈 — need (1 − condition) × readiness score."""
    condition = np.array([0.3, 0.1, 0.6, 0.5, 0.2, 0.4, 0.7, 0.35, 0.45, 0.15, 0.55, 0.05])
    model, campaign = campaign_model("need_and_will")
    set_state(model, campaign)
    model.compounds.condition = condition.copy()
    model.step()
    key = (1.0 - condition) * by_hand((1, 1, 1, 1))
    expected = sorted(np.argsort(-key, kind="stable")[:3].tolist())
    assert expected == [0, 1, 9]
    assert sorted(campaign.allocations[0]["compounds"].tolist()) == expected
    # not need alone (that would be 11, 1, 9) and not readiness alone (2, 3, 8)
    assert expected not in ([1, 9, 11], [2, 3, 8])


def test_the_incentive_alone_does_not_change_who_is_funded():
    """Selection and incentive are separate parameters: with the same state, the incentive
    (announced or not, under any rule) leaves the funded compounds as they were."""
    for allocation, gate in (("competition", {"min_criteria": 1}), ("need_and_will", {}),
                             ("need", {})):
        funded = {(incentive, everywhere): funded_after_one_campaign(
                      allocation, incentive=incentive, incentive_everywhere=everywhere, **gate)
                  for incentive in (0.0, 0.4, 2.0) for everywhere in (False, True)}
        assert len({tuple(v) for v in funded.values()}) == 1, (allocation, funded)


def test_the_gate_still_counts_criteria_met():
    """readiness() is the share of criteria met (the gate); the score ranks among those
    passing it. With all four required (the default), compounds 0, 2, 3, 6 and 8 qualify
    (the others have no organisation, criterion c); of them the three
    highest scores, 2, 3 and 8, are funded."""
    model, campaign = campaign_model("competition", incentive=0.0)
    set_state(model, campaign)
    qualify = np.flatnonzero(campaign.criteria(model).sum(axis=0) >= 4)
    assert qualify.tolist() == [0, 2, 3, 6, 8]
    np.testing.assert_allclose(campaign.readiness(model)[qualify], 1.0)
    score = campaign.score(model)
    top = sorted(qualify[np.argsort(-score[qualify], kind="stable")][:3].tolist())
    model.step()
    assert sorted(campaign.allocations[0]["compounds"].tolist()) == top == [2, 3, 8]


@pytest.mark.parametrize("design", ["chongchuan_plus", "nanan_131"])
def test_switch_applies_to_the_designs_that_rank(design: str):
    scn = sim.load_config(f"configs/designs/{design}.yaml")
    off = switch_off(scn, mechanism("readiness_selection"))
    params = off.design.institutions["renovation_campaign"]
    assert all(params[f"weight_{k}"] == 0.0
               for k in ("consensus", "demolition", "organisation", "plan"))
