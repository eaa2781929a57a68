"""Property firms (sim.firm): fee collection, overhead, upkeep, exit (弃管) and entry."""

from __future__ import annotations

import numpy as np
import pytest

import sim
import sim.firm
from sim.firm import PropertyFirm
from sim.ledger import SOURCES, USES

NOBODY_PAYS = -20.0
"""Intercept of `contribute` so low that no household contributes at noise 0.

The other terms of the utility are bounded: face ≤ 1.5 · 1.5 · 1 = 2.25, public spirit,
trust and dependence ≤ 0.5 each, mobilisation 0 without institutions; so U < −15.
"""
EVERYONE_PAYS = 20.0


def scenario(contribute: float | None = None, *, firm_groups: int = 3, **changes):
    """Three 40-household compounds with a firm and one without; no institutions."""
    data = {
        "community": {"groups": [
            {"name": "with_firm", "count": firm_groups, "households": 40, "buildings": 2,
             "units_per_building": 2, "firm": True},
            {"name": "no_firm", "count": 1, "households": 40, "buildings": 2,
             "units_per_building": 2, "firm": False},
        ]},
        "design": {"name": "none", "institutions": {}},
    }
    scn = sim.load_config(data)
    over = {"behaviour.noise": 0.0} if contribute is not None else {}
    if contribute is not None:
        over["behaviour.base.contribute"] = contribute
    over.update(changes)
    return scn.override(over)


def n_firms(model: sim.CompoundModel) -> int:
    return len(model.agents_by_type.get(PropertyFirm, []))


# ----------------------------------------------------------------------------- exit


@pytest.mark.parametrize("patience", [1, 5])
def test_firm_exits_after_exactly_patience_months_when_nobody_pays(patience):
    scn = scenario(NOBODY_PAYS, **{"economy.firm_exit_patience": patience})
    model = sim.CompoundModel(scn, rng=1)
    assert n_firms(model) == 3
    assert {a.compound for a in model.agents_by_type[PropertyFirm]} == {0, 1, 2}
    for month in range(1, patience + 3):
        model.step()
        assert model.current_metrics["contribution_rate"] == 0.0  # precondition
        if month < patience:
            assert n_firms(model) == 3, month
            assert model.compounds.firm_present[:3].all()
            assert model.compounds.firm_loss_months[:3].tolist() == [month] * 3
        else:
            assert n_firms(model) == 0, month
            assert not model.compounds.firm_present.any()
            assert model.firm_exits == 3
    assert not any(isinstance(a, PropertyFirm) for a in model.agents)
    share = model.datacollector.get_model_vars_dataframe()["firm_present_share"]
    np.testing.assert_allclose(share.iloc[:patience], 0.75)
    np.testing.assert_allclose(share.iloc[patience:], 0.0)


def test_firm_never_exits_when_everyone_pays():
    scn = scenario(EVERYONE_PAYS, **{"economy.firm_exit_patience": 2})
    model = sim.CompoundModel(scn, rng=2).run(60)
    assert model.current_metrics["contribution_rate"] == 1.0
    assert n_firms(model) == 3
    assert model.firm_exits == 0
    assert model.compounds.firm_loss_months.max() == 0
    share = model.datacollector.get_model_vars_dataframe()["firm_present_share"]
    np.testing.assert_allclose(share, 0.75)


def test_loss_months_must_be_consecutive():
    scn = scenario(NOBODY_PAYS, **{"economy.firm_exit_patience": 4})
    model = sim.CompoundModel(scn, rng=3).run(3)
    assert model.compounds.firm_loss_months[:3].tolist() == [3, 3, 3]
    pop = model.population
    pop.committed[:] = True  # one good month: everyone pays
    model.step()
    assert model.compounds.firm_loss_months.max() == 0
    pop.committed[:] = False
    model.run(3)  # three more bad months: still below patience 4
    assert n_firms(model) == 3
    model.step()
    assert n_firms(model) == 0


def test_firm_agent_reports_its_collection_and_loss_months():
    scn = scenario(NOBODY_PAYS, **{"economy.firm_exit_patience": 10})
    model = sim.CompoundModel(scn, rng=4).run(2)
    agent = next(iter(model.agents_by_type[PropertyFirm]))
    assert agent.collection_rate == 0.0
    assert agent.loss_months == 2
    assert agent.entered == 0


# ----------------------------------------------------------------------------- entry


def test_bring_in_creates_a_firm_and_switches_the_fee():
    scn = scenario(EVERYONE_PAYS, firm_groups=1)
    model = sim.CompoundModel(scn, rng=5).run(3)
    eco = model.config.economy
    assert model.compounds.fee_due().tolist() == [eco.firm_fee, eco.cleaning_fee]
    assert n_firms(model) == 1
    sim.firm.bring_in(model, np.array([1]), red=True)
    assert n_firms(model) == 2
    new = [a for a in model.agents_by_type[PropertyFirm] if a.compound == 1]
    assert len(new) == 1
    assert new[0].red and new[0].entered == 3
    assert model.compounds.firm_present.tolist() == [True, True]
    assert model.compounds.fee_due().tolist() == [eco.firm_fee, eco.firm_fee]
    assert model.firm_entries == 1
    # Bringing a firm where one serves changes nothing.
    sim.firm.bring_in(model, np.array([0, 1]))
    assert n_firms(model) == 2 and model.firm_entries == 1
    # Next month every household of compound 1 pays the firm fee.
    model.step()
    fees = model.ledger.month_in[:, SOURCES.index("fees")]
    np.testing.assert_allclose(fees, [40 * eco.firm_fee, 40 * eco.firm_fee])
    assert model.current_metrics["firm_present_share"] == 1.0


def test_a_firm_brought_back_after_exit_can_exit_again():
    scn = scenario(NOBODY_PAYS, firm_groups=1, **{"economy.firm_exit_patience": 2})
    model = sim.CompoundModel(scn, rng=6).run(2)
    assert n_firms(model) == 0
    sim.firm.bring_in(model, np.array([0]))
    assert n_firms(model) == 1 and model.compounds.firm_present[0]
    model.run(2)
    assert n_firms(model) == 0
    assert model.firm_exits == 2 and model.firm_entries == 1


# ----------------------------------------------------------------------------- money


@pytest.mark.parametrize("fixed_cost", [8.0, 100.0])
def test_overhead_never_exceeds_fees(fixed_cost):
    # Default behaviour (noise 0.5): collection varies from month to month.
    scn = scenario(**{"economy.firm_fixed_cost": fixed_cost, "economy.firm_exit_patience": 600})
    model = sim.CompoundModel(scn, rng=7)
    hh = model.compounds.households
    firm = model.compounds.firm_present.copy()
    for _ in range(24):
        model.step()
        fees = model.ledger.month_in[:, SOURCES.index("fees")]
        overhead = model.ledger.month_out[:, USES.index("overhead")]
        assert np.all(overhead <= fees + 1e-9)
        np.testing.assert_allclose(overhead, np.where(firm, np.minimum(fees, fixed_cost * hh),
                                                      0.0))
    total = model.ledger.total_out[:, USES.index("overhead")]
    assert np.all(total <= model.ledger.total_in[:, SOURCES.index("fees")] + 1e-9)
    assert total[firm].min() > 0


def test_fees_are_collected_from_payers_only():
    model = sim.CompoundModel(scenario(), rng=8)
    eco = model.config.economy
    for _ in range(6):
        model.step()
        payers = np.bincount(model.population.compound,
                             weights=model.population.acts[:, 0].astype(float))
        fees = model.ledger.month_in[:, SOURCES.index("fees")]
        np.testing.assert_allclose(fees, payers * np.where(model.compounds.firm_present,
                                                           eco.firm_fee, eco.cleaning_fee))


def no_noise_upkeep_scenario(**changes):
    """Everyone pays and complies, nobody volunteers, no matters: only fees restore Q."""
    return scenario(EVERYONE_PAYS, **{"behaviour.base.comply": 20.0,
                                      "behaviour.base.volunteer": -20.0,
                                      "matters.arrival_scale": 0.0, **changes})


def test_upkeep_spending_raises_condition():
    paid = sim.CompoundModel(no_noise_upkeep_scenario(), rng=9)
    unpaid = sim.CompoundModel(no_noise_upkeep_scenario(**{"economy.firm_fee": 0.0,
                                                           "economy.cleaning_fee": 0.0}), rng=9)
    eco = paid.config.economy
    q0 = paid.compounds.condition.copy()
    np.testing.assert_array_equal(q0, unpaid.compounds.condition)
    # Upkeep per household: the firm fee less the firm's overhead; the cleaning fee elsewhere.
    per_household = np.where(paid.compounds.firm_present, eco.firm_fee - eco.firm_fixed_cost,
                             eco.cleaning_fee)
    expected = q0.copy()
    for month in range(1, 37):
        paid.step()
        unpaid.step()
        assert np.all(paid.compounds.condition > unpaid.compounds.condition)
        np.testing.assert_allclose(unpaid.compounds.condition, q0 * (1 - eco.decay) ** month)
        expected = (expected - expected * eco.decay
                    + (1 - expected) * (1 - np.exp(-per_household / eco.restore_scale)))
        np.testing.assert_allclose(paid.compounds.condition, expected)
    # The firm compounds (22 yuan upkeep) gain more than the cleaning-fee one (6 yuan).
    assert paid.compounds.condition[:3].min() > paid.compounds.condition[3]
    paid.ledger.check()
    np.testing.assert_allclose(paid.ledger.balance, 0.0, atol=1e-6)  # all fees are spent
