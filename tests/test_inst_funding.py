"""Allocation rules of the renovation campaign and the funding institutions.

sim.institutions.government (``renovation_campaign`` with ``allocation``: need, equal,
competition, need_and_will) and sim.institutions.funding (``dynamic_assessment``,
``reward_instead_of_subsidy``). Campaign tests use a community of 12 compounds of 30
households with no arriving matters, run the first campaign in month 1 and set the state
the readiness criteria read (rates of the last months, bodies, covenant rules) by hand, so
which compounds qualify is known. Budget per campaign: 600 × 0.25 × 360 = 54,000 yuan,
three full renovations of 18,000.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.funding import (
    COMPLIANT,
    DEMONSTRATION,
    NONE,
    DynamicAssessment,
    assessment_score,
    update_status,
)
from sim.institutions.government import RATE_NAMES, RenovationCampaign

N, HH = 12, 30
BUDGET = 600.0 * 0.25 * N * HH
FULL = 600.0 * HH


def scenario(institutions: dict[str, Any], count: int = N, households: int = HH,
             open_matters: tuple[str, ...] = (), **sections: Any) -> sim.Scenario:
    data: dict[str, Any] = {
        "community": {"groups": [{"name": "old", "count": count, "households": households,
                                  "buildings": 3, "units_per_building": 2,
                                  "open_matters": list(open_matters)}]},
        "design": {"name": "t", "institutions": institutions},
        "matters": {"arrival_scale": 0.0},
        "coordination": {"cost_per_link": 0.0},
    }
    data.update(sections)
    return sim.load_config(data)


def find(model: sim.CompoundModel, cls: type) -> Any:
    return next(i for i in model.institutions if isinstance(i, cls))


def campaign_model(allocation: str, **params: Any) -> tuple[sim.CompoundModel, Any]:
    inst: dict[str, Any] = {"renovation_campaign": {"allocation": allocation, "first": 1,
                                                    "interval": 1, "window": 1,
                                                    "invite_firm": False, **params}}
    model = sim.CompoundModel(scenario(inst), rng=3)
    return model, find(model, RenovationCampaign)


def set_readiness(model: sim.CompoundModel, campaign: Any, met: dict[int, str]) -> None:
    """Make compound c meet exactly the criteria in ``met[c]`` (letters a–d); others none."""
    rates = {name: np.zeros(N) for name in RATE_NAMES}
    sg = model.selfgov
    sg.bodies["committee"][:] = False
    sg.bodies["branch"][:] = False
    sg.rules[:] = False
    for c, letters in met.items():
        if "a" in letters:
            rates["participation_rate"][c] = 0.3
        if "b" in letters:
            rates["compliance_rate"][c] = 0.95
        if "c" in letters:
            sg.bodies["committee"][c] = True
        if "d" in letters:
            rates["contribution_rate"][c] = 0.9
    campaign.recent.push(rates)


# ============================================================================ allocation


def test_every_rule_spends_the_same_budget():
    spent = {}
    for rule in ("need", "equal", "competition", "need_and_will"):
        model, campaign = campaign_model(rule)
        set_readiness(model, campaign, {c: "abcd" for c in range(N)})
        model.step()
        record = campaign.allocations[0]
        assert record["budget"] == pytest.approx(BUDGET)
        assert record["upkeep"].sum() == pytest.approx(BUDGET)
        assert model.government.spent == pytest.approx(BUDGET)  # no matters were open
        assert record["carried"] == pytest.approx(0.0)
        assert model.government.campaigns == [1]
        np.testing.assert_array_equal(model.government.funded[0], record["compounds"])
        spent[rule] = record["upkeep"]
    assert np.count_nonzero(spent["need"]) == 3
    assert np.count_nonzero(spent["competition"]) == 3
    assert np.count_nonzero(spent["need_and_will"]) == 3


def test_need_picks_the_worst_compounds():
    model, campaign = campaign_model("need")
    q = np.linspace(0.9, 0.3, N)
    q[[4, 7, 1]] = [0.05, 0.1, 0.15]
    model.compounds.condition = q
    model.step()
    assert sorted(campaign.allocations[0]["compounds"]) == [1, 4, 7]
    assert campaign.allocations[0]["upkeep"][[1, 4, 7]] == pytest.approx([FULL] * 3)


def test_equal_gives_every_compound_spend_times_share_per_household():
    model, campaign = campaign_model("equal")
    model.step()
    record = campaign.allocations[0]
    assert sorted(record["compounds"]) == list(range(N))
    np.testing.assert_allclose(record["upkeep"], 600.0 * 0.25 * HH)
    assert not campaign.renovated.any()  # nothing was renovated in full


def test_competition_funds_only_qualifiers_and_carries_the_rest():
    model, campaign = campaign_model("competition")
    model.compounds.condition = np.full(N, 0.5)
    model.compounds.condition[9] = 0.2
    set_readiness(model, campaign, {2: "abc", 5: "abcd", 7: "bcd", 9: "abcd", 11: "ab"})
    np.testing.assert_allclose(campaign.readiness(model)[[2, 5, 7, 9, 11, 0]],
                               [0.75, 1, 0.75, 1, 0.5, 0])
    model.step()
    first = campaign.allocations[0]
    assert list(first["compounds"]) == [5, 9]
    assert first["upkeep"].sum() == pytest.approx(2 * FULL)
    assert first["carried"] == pytest.approx(BUDGET - 2 * FULL)
    assert campaign.carry == pytest.approx(BUDGET - 2 * FULL)
    # Next campaign: nobody qualifies, so the whole budget is carried on top.
    set_readiness(model, campaign, {})
    model.step()
    second = campaign.allocations[1]
    assert second["available"] == pytest.approx(2 * BUDGET - 2 * FULL)
    assert second["compounds"].size == 0
    assert second["carried"] == pytest.approx(2 * BUDGET - 2 * FULL)
    # Then eight qualify: budget and carry-over (126,000) pay for seven of them.
    set_readiness(model, campaign, {c: "abcd" for c in (0, 1, 3, 4, 6, 8, 10, 11)})
    model.step()
    third = campaign.allocations[2]
    assert third["available"] == pytest.approx(3 * BUDGET - 2 * FULL)
    assert third["compounds"].size == 7
    assert third["upkeep"].sum() == pytest.approx(7 * FULL)
    assert third["carried"] == pytest.approx(0.0)


def test_competition_most_ready_first_with_fewer_criteria():
    model, campaign = campaign_model("competition", min_criteria=3)
    model.compounds.condition = np.linspace(0.2, 0.8, N)
    set_readiness(model, campaign, {0: "abc", 1: "ab", 3: "abcd", 6: "bcd", 10: "abcd"})
    model.step()
    record = campaign.allocations[0]
    # ranked by the readiness score (equal weights): 3 and 10 score highest (0.79); then 6
    # (criteria b, c, d: 0.71) before 0 (a, b, c: 0.56) although 0 is in worse condition
    assert list(record["compounds"]) == [3, 6, 10]
    assert record["carried"] == pytest.approx(0.0)


def test_need_and_will_ranks_by_need_times_readiness():
    model, campaign = campaign_model("need_and_will")
    q = np.full(N, 0.9)
    q[[0, 1, 2, 3]] = [0.1, 0.5, 0.3, 0.2]
    model.compounds.condition = q
    # Readiness 0, 1, 0.5, 0.75 → need × readiness 0, 0.5, 0.35, 0.6; the others 0.1 × r.
    set_readiness(model, campaign, {1: "abcd", 2: "ab", 3: "abc", 5: "abcd", 6: "abcd"})
    model.step()
    assert sorted(campaign.allocations[0]["compounds"]) == [1, 2, 3]
    need_model, need_campaign = campaign_model("need")
    need_model.compounds.condition = q.copy()
    need_model.step()
    assert sorted(need_campaign.allocations[0]["compounds"]) == [0, 2, 3]


def test_competition_incentive_is_added_before_and_removed_after_renovation():
    model, campaign = campaign_model("competition", incentive=0.4)
    norm = model.compounds.norm
    np.testing.assert_allclose(norm[:, [0, 1, 3]], 0.4)
    np.testing.assert_allclose(norm[:, 2], 0.0)
    set_readiness(model, campaign, {4: "abcd", 8: "abcd"})
    model.step()
    norm = model.compounds.norm
    np.testing.assert_array_equal(norm[[4, 8]], 0.0)
    others = np.setdiff1d(np.arange(N), [4, 8])
    np.testing.assert_allclose(norm[others][:, [0, 1, 3]], 0.4)
    assert campaign.renovated[[4, 8]].all() and campaign.renovated.sum() == 2
    # No incentive under the other rules.
    need_model, _ = campaign_model("need")
    np.testing.assert_array_equal(need_model.compounds.norm, 0.0)


def test_incentive_moves_households():
    """The incentive enters the decision: more households comply with it than without."""
    rates = []
    for incentive in (0.0, 2.0):
        model, _ = campaign_model("competition", incentive=incentive, first=100)
        model.run(3)
        rates.append(model.compound_rates()["compliance_rate"].mean())
    assert rates[1] > rates[0] + 0.05


# ============================================================================ assessment


def run_statuses(scores: list[float], status: int = NONE) -> list[int]:
    """Statuses of one compound after each score in turn."""
    s = np.array([status])
    streaks = np.zeros((4, 1), dtype=np.int64)
    out = []
    for score in scores:
        s, streaks, _ = update_status(s, streaks, np.array([score]))
        out.append(int(s[0]))
    return out


@pytest.mark.parametrize(("start", "scores", "expected"), [
    # none → compliant after two in a row at or above 90; a break restarts the count
    (NONE, [92, 89, 91, 93], [0, 0, 0, 1]),
    (NONE, [90, 90], [0, 1]),
    # compliant loses its status after two in a row below 90
    (COMPLIANT, [89, 91, 89, 88], [1, 1, 1, 0]),
    (COMPLIANT, [89.99, 89.99], [1, 0]),
    # compliant → demonstration after two in a row at or above 95
    (COMPLIANT, [96, 94, 96, 97], [1, 1, 1, 2]),
    (COMPLIANT, [95, 95], [1, 2]),
    # demonstration loses the plaque after two in a row below 95
    (DEMONSTRATION, [94, 96, 94, 93], [2, 2, 2, 1]),
    (DEMONSTRATION, [94.99, 92], [2, 1]),
    # …and everything after two below 90 (it is a compliant compound too)
    (DEMONSTRATION, [89, 85], [2, 0]),
    # streaks restart when the status changes: the new status needs two fresh scores
    (NONE, [91, 92, 89, 88, 89], [0, 1, 1, 0, 0]),
    (COMPLIANT, [96, 96, 94, 96, 94, 93], [1, 2, 2, 2, 2, 1]),
    (NONE, [96, 96, 96, 96], [0, 1, 1, 2]),
])
def test_status_transitions(start, scores, expected):
    assert run_statuses(scores, start) == expected


def test_update_status_is_pure_and_vectorised():
    status = np.array([NONE, COMPLIANT, DEMONSTRATION, COMPLIANT])
    streaks = np.array([[0, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 0], [1, 0, 0, 1]])
    before = status.copy(), streaks.copy()
    new, s, lost = update_status(status, streaks, np.array([91.0, 80.0, 93.0, 97.0]))
    np.testing.assert_array_equal(status, before[0])
    np.testing.assert_array_equal(streaks, before[1])
    np.testing.assert_array_equal(new, [COMPLIANT, NONE, COMPLIANT, DEMONSTRATION])
    np.testing.assert_array_equal(lost, [False, True, True, False])
    np.testing.assert_array_equal(s, 0)  # all four changed status


def test_assessment_score():
    weights = (0.3, 0.3, 0.3, 0.1)
    score = assessment_score(np.array([1.0, 0.85, 0.5, 0.0]), np.array([1.0, 0.97, 0.6, 0.0]),
                             np.array([1.0, 0.95, 0.55, 0.0]),
                             np.array([0.5, 0.2, 0.04, 0.0]), weights, 0.2)
    assert score[0] == pytest.approx(100.0)
    assert score[1] == pytest.approx(93.1)  # a well-run compound passes
    assert score[2] == pytest.approx(51.5)  # the baseline's typical compound does not
    assert score[3] == pytest.approx(0.0)


def assessment_model(**params: Any) -> tuple[sim.CompoundModel, Any]:
    model = sim.CompoundModel(scenario({"dynamic_assessment": {"interval": 1, **params}},
                                       count=3), rng=1)
    return model, find(model, DynamicAssessment)


def test_assessment_drives_status_norm_and_eligibility(monkeypatch):
    model, da = assessment_model(status_norm=0.2)
    scores = iter([[96, 91, 50], [96, 91, 50], [96, 80, 50], [97, 80, 50], [80, 80, 50],
                   [80, 80, 50], [80, 80, 50]])
    monkeypatch.setattr(da, "score", lambda model: np.array(next(scores), dtype=float))
    model.run(2)
    np.testing.assert_array_equal(da.status, [COMPLIANT, COMPLIANT, NONE])
    np.testing.assert_allclose(model.compounds.norm[:2, :2], 0.2)
    np.testing.assert_array_equal(model.compounds.norm[:2, 2:], 0.0)
    np.testing.assert_array_equal(model.compounds.norm[2], 0.0)
    model.run(2)
    np.testing.assert_array_equal(da.status, [DEMONSTRATION, NONE, NONE])
    np.testing.assert_array_equal(da.eligible, [True, False, True])
    np.testing.assert_array_equal(model.compounds.norm[1], 0.0)
    model.run(2)
    np.testing.assert_array_equal(da.status, [NONE, NONE, NONE])
    np.testing.assert_array_equal(model.compounds.norm, 0.0)
    assert da.months == [1, 2, 3, 4, 5, 6]
    assert len(da.scores) == 6 and da.scores[0].tolist() == [96, 91, 50]
    assert [s.tolist() for s in da.statuses][:4] == [[0, 0, 0], [1, 1, 0], [1, 1, 0],
                                                     [2, 0, 0]]


def test_real_scores_rank_a_cooperative_compound_higher():
    everyone = {"noise": 0.0, "base": {"contribute": 20.0, "comply": 20.0,
                                       "volunteer": 20.0, "participate": 20.0}}
    nobody = {"noise": 0.0, "base": {"contribute": -20.0, "comply": -20.0,
                                     "volunteer": -20.0, "participate": -20.0}}
    scores = []
    for beh in (everyone, nobody):
        model = sim.CompoundModel(scenario({"dynamic_assessment": {"interval": 2}}, count=2,
                                           behaviour=beh), rng=2)
        model.compounds.condition[:] = 1.0
        model.run(4)
        scores.append(find(model, DynamicAssessment).scores[-1])
    assert (scores[0] > 90).all() and (scores[1] < 40).all()


def test_renovation_makes_compliant_and_lost_status_excludes_from_competition():
    inst = {"renovation_campaign": {"allocation": "competition", "first": 1, "interval": 1,
                                    "window": 1, "invite_firm": False, "incentive": 0.4},
            "dynamic_assessment": {"interval": 100, "status_norm": 0.2}}
    model = sim.CompoundModel(scenario(inst), rng=4)
    campaign, da = find(model, RenovationCampaign), find(model, DynamicAssessment)
    set_readiness(model, campaign, {2: "abcd", 3: "abcd"})
    model.step()
    assert da.status[[2, 3]].tolist() == [COMPLIANT, COMPLIANT]
    assert (da.status[[0, 1, 4]] == NONE).all()
    # The incentive is gone and the status utility is there, both exactly.
    np.testing.assert_allclose(model.compounds.norm[2], [0.2, 0.2, 0.0, 0.0])
    np.testing.assert_allclose(model.compounds.norm[0], [0.4, 0.4, 0.0, 0.4])
    # Compound 5 lost a status: it is passed over once, then eligible again.
    da.eligible[5] = False
    set_readiness(model, campaign, {5: "abcd", 6: "abcd"})
    model.step()
    assert list(campaign.allocations[1]["compounds"]) == [6]
    assert da.eligible.all()
    set_readiness(model, campaign, {5: "abcd"})
    model.step()
    assert list(campaign.allocations[2]["compounds"]) == [5]


# ============================================================================ reward


def reward_model(reward: bool) -> sim.CompoundModel:
    inst: dict[str, Any] = {"deliberation_council": {}, "owners_committee": {}}
    if reward:
        inst["reward_instead_of_subsidy"] = {"reward_share": 0.3}
    beh = {"noise": 0.0, "base": {"contribute": 20.0, "comply": 20.0, "volunteer": -20.0,
                                  "participate": 20.0}}
    model = sim.CompoundModel(scenario(inst, count=2, households=40, open_matters=("lights",),
                                       behaviour=beh, population={"trust": 0.5}), rng=5)
    model.run(8)
    return model


def test_reward_instead_of_subsidy_pays_its_share_of_residents_projects():
    model = reward_model(True)
    ledger = model.ledger
    reward = ledger.total_in[:, ledger.source_index("reward")]
    project_costs = ledger.total_out[:, ledger.use_index("matters")]
    assert model.selfgov.projects_done.sum() >= 2
    assert (reward > 0).all()
    np.testing.assert_allclose(reward, 0.3 * project_costs)
    np.testing.assert_allclose(model.selfgov.matching_share, 0.3)
    assert ledger.total_in[:, ledger.source_index("government")].sum() == 0.0
    # Households were asked less than without the reward.
    pooled = ledger.total_in[:, ledger.source_index("pooled")].sum()
    plain = reward_model(False)
    assert plain.ledger.total_in[:, ledger.source_index("reward")].sum() == 0.0
    assert pooled < plain.ledger.total_in[:, ledger.source_index("pooled")].sum()
