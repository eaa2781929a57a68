"""Where self-funded money comes from (issue 12 item 6): shared assets, foundation, station.

By construction: a year of asset income is 12 × (spaces × space_income + room_income) in
every compound with an owners' committee and nothing elsewhere; the foundation's grants in a
budget year never exceed capital × payout_rate / communities; a station fund that spends
nothing holds exactly its incomes' sum; an elected accountant lowers the chance of misuse by
``accountant_deterrence``. Every ledger (the compounds' and the station's) balances, and each
off switch gives the run without the institution bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.selffunding_assets import SharedAssets, asset_income
from sim.institutions.selffunding_foundation import CommunityFoundation, cap_grants
from sim.institutions.selffunding_station import StationFund, misuse_chance, station_income
from sim.ledger import RESIDENT_SOURCES, SOURCES
from sim.mechanisms import BY_NAME, applies, switch_off


def scenario(institutions: dict[str, Any], **sections: Any) -> sim.Scenario:
    data: dict[str, Any] = {
        "community": {"groups": [{"name": "a", "households": 60,
                                  "open_matters": ["lights", "drains", "leak"]},
                                 {"name": "b", "households": 40,
                                  "open_matters": ["lights", "drains"]}]},
        "design": {"name": "t", "institutions": institutions},
    }
    data.update(sections)
    return sim.load_config(data)


def find[T](model: sim.CompoundModel, cls: type[T]) -> T:
    return next(i for i in model.institutions if isinstance(i, cls))


# ------------------------------------------------------------------ shared assets


def test_asset_income_is_the_parameters_arithmetic():
    spaces = np.array([3.0, 0.0, 10.0])
    earning = np.array([True, True, False])
    assert asset_income(spaces, 60.0, 200.0, earning).tolist() == [380.0, 200.0, 0.0]


def test_a_year_of_asset_income_on_a_hand_made_compound():
    model = sim.CompoundModel(scenario({
        "owners_committee": {"formation": "all", "misuse_prob": 0.0, "fund_upkeep": 0.0},
        "shared_assets": {"spaces_per_household": 0.1, "space_income": 50.0,
                          "room_income": 150.0}}), rng=5)
    assets = find(model, SharedAssets)
    model.run(12)
    assert assets.spaces.tolist() == np.round(assets.spaces).tolist()  # whole spaces
    assert assets.spaces.sum() > 0
    want = 12 * (assets.spaces * 50.0 + 150.0)
    np.testing.assert_allclose(assets.earned, want, rtol=1e-12)
    np.testing.assert_allclose(model.ledger.total_in[:, SOURCES.index("assets")], want,
                               rtol=1e-12)
    model.ledger.check()
    assert "assets" in RESIDENT_SOURCES  # the owners' income (民法典 art. 282)


def test_asset_income_needs_a_committee_to_hold_it_and_optionally_a_renovation():
    model = sim.CompoundModel(scenario({
        "owners_committee": {"formation": "endogenous", "formation_participation": 1.0},
        "shared_assets": {}}), rng=1)
    model.run(6)
    assert not model.selfgov.bodies["committee"].any()
    assert model.ledger.total_in[:, SOURCES.index("assets")].sum() == 0.0
    model = sim.CompoundModel(scenario({"owners_committee": {}, "shared_assets":
                                        {"after_renovation": True}}), rng=1)
    model.run(6)  # no campaign, so nothing is ever renovated
    assert model.ledger.total_in[:, SOURCES.index("assets")].sum() == 0.0


def test_spaces_are_drawn_with_the_mean_the_parameter_gives():
    model = sim.CompoundModel(sim.load_config("configs/designs/baseline.yaml").override({
        "community": "heping_road", "design.institutions.shared_assets": {
            "spaces_per_household": 0.2}}), rng=2)
    model.step()  # drawn in the first month
    spaces = find(model, SharedAssets).spaces
    mean = 0.2 * model.compounds.households.sum()
    # Poisson: the total has variance equal to its mean; 4 standard deviations.
    assert abs(spaces.sum() - mean) < 4 * np.sqrt(mean)


# ------------------------------------------------------------------ foundation


def test_cap_grants_pays_in_order_and_never_exceeds_the_budget():
    asked = np.array([400.0, 300.0, 500.0, 100.0])
    assert cap_grants(asked, 800.0).tolist() == [400.0, 300.0, 100.0, 0.0]
    assert cap_grants(asked, 5000.0).tolist() == asked.tolist()
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.exponential(100.0, rng.integers(1, 20))
        budget = float(rng.uniform(0, 1000))
        g = cap_grants(a, budget)
        assert np.all((g >= 0) & (g <= a))
        assert g.sum() == pytest.approx(min(a.sum(), budget), abs=1e-9)


def foundation_model(capital: float, seed: int = 3, steps: int = 36) -> sim.CompoundModel:
    scn = sim.load_config("configs/designs/nanan_131.yaml").override({
        "community": "yimin_compound",
        "design.institutions.community_foundation": {"capital": capital}})
    return sim.CompoundModel(scn, rng=seed).run(steps)


@pytest.mark.parametrize("capital", [3e5, 14e6])
def test_grants_never_exceed_the_yearly_budget(capital):
    model = foundation_model(capital)
    found = find(model, CommunityFoundation)
    budget = capital * 0.08 / 70
    assert found.yearly_budget == pytest.approx(budget)
    assert len(found.yearly) == 3
    assert all(g <= budget + 1e-9 for g in found.yearly)
    granted = model.ledger.total_in[:, SOURCES.index("foundation")].sum()
    assert granted == pytest.approx(sum(found.yearly)) and granted > 0
    model.ledger.check()


def test_a_grant_lowers_what_households_are_asked_in_proportion():
    model = foundation_model(14e6, steps=0)
    sg = model.selfgov
    found = find(model, CommunityFoundation)
    model.steps = 1
    found.after_decisions(model)  # opens the year's budget; no project yet
    c = 0
    sg.project[c] = model.matters.ids[0]
    sg.project_cost[c] = 1000.0
    sg.project_share[c] = 10.0
    sg.project_start[c] = 1
    found.after_decisions(model)
    assert sg.project_collected[c] == pytest.approx(500.0)  # grant_share 0.5
    assert sg.project_share[c] == pytest.approx(5.0)
    assert found.budget_left == pytest.approx(found.yearly_budget - 500.0)


# ------------------------------------------------------------------ station fund


def test_station_income_and_misuse_chance_are_the_parameters_arithmetic():
    assert station_income(300.0, 0.2, 50, 2400.0) == {"assets": 300.0, "recycling": 10.0,
                                                       "donation": 200.0}
    assert misuse_chance(0.02, True, 0.7) == pytest.approx(0.006)
    assert misuse_chance(0.02, False, 0.7) == 0.02


def test_a_station_that_spends_nothing_holds_exactly_its_income():
    model = sim.CompoundModel(scenario({"station_fund": {"spend_share": 0.0,
                                                          "misuse_prob": 0.0}}), rng=4)
    volunteers = 0
    for _ in range(12):
        model.step()
        volunteers += int(model.population.acts[:, 2].sum())
    st = find(model, StationFund)
    assert st.balance == pytest.approx(12 * 300.0 + 0.2 * volunteers + 2000.0)
    st.account.check()


def test_the_station_pays_the_oldest_small_matters_and_both_ledgers_balance():
    model = sim.CompoundModel(scenario({"station_fund": {"parking_income": 5000.0}}), rng=4)
    model.run(12)
    st = find(model, StationFund)
    log = model.matters.log_frame()
    paid = log[log["handler"] == "station"]
    assert len(paid) > 0
    assert paid["paid"].sum() == pytest.approx(st.paid_to.sum())
    assert st.account.spent[0, 1] == pytest.approx(st.paid_to.sum())  # use "matters"
    np.testing.assert_allclose(model.ledger.total_in[:, SOURCES.index("station")], st.paid_to)
    st.account.check()
    model.ledger.check()


def test_an_elected_accountant_means_less_misuse():
    def misused(elected: bool) -> float:
        total = 0.0
        for seed in range(8):
            model = sim.CompoundModel(scenario({"station_fund": {
                "elected_accountant": elected, "misuse_prob": 0.2, "spend_share": 0.0}}),
                rng=seed).run(24)
            total += float(find(model, StationFund).account.misused[0])
        return total

    assert misused(True) < 0.6 * misused(False)


# ------------------------------------------------------------------ off switches


MINE = ("shared_assets", "community_foundation", "station_fund")


def nanan(extra: dict[str, Any]) -> sim.Scenario:
    """nanan_131 on the 移民小区 without this module's institutions, plus ``extra``."""
    scn = sim.load_config("configs/designs/nanan_131.yaml").override(
        {"community": "yimin_compound"})
    data = scn.model_dump(mode="json")
    inst = {k: v for k, v in data["design"]["institutions"].items() if k not in MINE}
    data["design"]["institutions"] = {**inst, **extra}
    return sim.load_config(data)


def frames(extra: dict[str, Any]) -> tuple[Any, np.ndarray]:
    model = sim.CompoundModel(nanan(extra), rng=3).run(36)
    return model.datacollector.get_model_vars_dataframe(), model.ledger.total_in


@pytest.mark.parametrize("mech, inst", [("asset_income", "shared_assets"),
                                        ("foundation_grants", "community_foundation"),
                                        ("station_fund_money", "station_fund")])
def test_each_off_switch_gives_the_run_without_the_institution_bit_for_bit(mech, inst):
    on = {inst: {"after_renovation": False} if inst == "shared_assets" else {}}
    scn = nanan(on)
    assert applies(scn, BY_NAME[mech])
    off = switch_off(scn, BY_NAME[mech]).design.institutions[inst]
    a, in_a = frames({})
    b, in_b = frames({inst: off})
    c, _ = frames(on)
    assert a.equals(b)
    assert np.array_equal(in_a, in_b)
    assert not a.equals(c)  # the mechanism does something when on


def test_the_accountant_switch_removes_only_the_deterrence():
    scn = scenario({"station_fund": {}})
    off = switch_off(scn, BY_NAME["elected_accountant"])
    assert off.design.institutions["station_fund"]["accountant_deterrence"] == 0.0
    assert off.design.institutions["station_fund"]["elected_accountant"] is True


# ------------------------------------------------------------------ ledger


def test_shares_without_the_new_sources_are_those_the_first_six_columns_gave():
    """Appending sources must not move the last bits of a share (regression: it did, because
    numpy sums 9 terms in another order than 5, which changed every design's dependence)."""
    from sim.ledger import Ledger

    rng = np.random.default_rng(7)
    ledger = Ledger(40)
    for _ in range(14):
        ledger.new_month()
        for source in SOURCES[:6]:
            ledger.deposit(source, rng.exponential(1000.0, 40) * (rng.random(40) < 0.7))
    win = ledger._window_sum()[:, :6]
    gov = win[:, 2]
    others = win[:, [0, 1, 3, 4, 5]].sum(axis=1)  # the sums before issue 12
    old = np.divide(gov, gov + others, out=np.full(40, np.nan), where=gov + others > 0)
    assert np.array_equal(ledger.government_share(), old, equal_nan=True)
    part = float(win[:, [0, 1]].sum())
    rest = float(win[:, [2, 3, 4, 5]].sum())
    assert ledger.self_funded_share_total() == part / (part + rest)
