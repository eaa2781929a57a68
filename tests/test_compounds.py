"""Compounds (sim.compounds): condition decay, restoration by upkeep, violations, fees.

The condition update documented in sim/compounds.py:

    Q ← Q − Q·min(1, decay + violation_decay·violation_rate)
          + (1 − Q)·(1 − exp(−upkeep per household / restore_scale))
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.compounds import Compounds


def make(conditions=(0.2, 0.5, 0.9), households=(10, 20, 40), **economy) -> Compounds:
    """Compounds built from an inline community, one group per compound."""
    groups = [{"name": f"g{i}", "households": h, "condition": q, "firm": i == 0}
              for i, (q, h) in enumerate(zip(conditions, households, strict=True))]
    scn = sim.load_config({"community": {"groups": groups}, "design": {"institutions": {}},
                           "economy": economy})
    compound = np.repeat(np.arange(len(households)), households)
    population = SimpleNamespace(compound=compound)
    return Compounds(scn.community, scn.economy, population, np.arange(len(households)))


def test_initial_state_comes_from_the_community():
    comps = make()
    np.testing.assert_array_equal(comps.condition, [0.2, 0.5, 0.9])
    np.testing.assert_array_equal(comps.households, [10, 20, 40])
    np.testing.assert_array_equal(comps.first_household, [0, 10, 30])
    np.testing.assert_array_equal(comps.firm_present, [True, False, False])
    eco = comps.economy
    np.testing.assert_array_equal(comps.fee_due(), [eco.firm_fee, eco.cleaning_fee,
                                                    eco.cleaning_fee])


def test_without_upkeep_condition_decays_geometrically():
    comps = make(decay=0.05)
    q0 = comps.condition.copy()
    for month in range(1, 61):
        comps.update_condition(np.zeros(3))
        np.testing.assert_allclose(comps.condition, q0 * 0.95 ** month, rtol=1e-12)


def test_upkeep_restores_with_the_documented_formula():
    comps = make(decay=0.02, restore_scale=400.0)
    q = comps.condition.copy()
    upkeep_per_household = np.array([0.0, 100.0, 1000.0])
    comps.upkeep[:] = upkeep_per_household * comps.households
    comps.update_condition(np.zeros(3))
    expected = q - q * 0.02 + (1 - q) * (1 - np.exp(-upkeep_per_household / 400.0))
    np.testing.assert_allclose(comps.condition, expected, rtol=1e-12)
    # This month's upkeep is used up.
    assert not comps.upkeep.any() and not comps.volunteer_upkeep.any()


def test_volunteer_upkeep_counts_like_money():
    money = make(conditions=(0.3,), households=(50,))
    labour = make(conditions=(0.3,), households=(50,))
    money.upkeep[:] = 2000.0
    labour.volunteer_upkeep[:] = 2000.0
    money.update_condition(np.zeros(1))
    labour.update_condition(np.zeros(1))
    assert money.condition[0] == labour.condition[0] > 0.3


def test_restore_scale_restores_63_percent_of_the_gap():
    comps = make(conditions=(0.0,), households=(100,), decay=0.0, restore_scale=250.0)
    comps.upkeep[:] = 250.0 * 100
    comps.update_condition(np.zeros(1))
    assert comps.condition[0] == pytest.approx(1 - np.exp(-1))


def test_upkeep_has_diminishing_returns():
    spends = np.arange(0.0, 2001.0, 100.0)
    gains = []
    for spend in spends:
        comps = make(conditions=(0.4,), households=(100,), decay=0.0)
        comps.upkeep[:] = spend * 100
        comps.update_condition(np.zeros(1))
        gains.append(comps.condition[0] - 0.4)
    gains = np.array(gains)
    assert gains[0] == 0.0
    assert np.all(np.diff(gains) > 0)            # more money, better condition
    assert np.all(np.diff(gains, n=2) < 0)        # each extra 100 yuan buys less
    assert gains[-1] < 0.6                        # never beyond perfect condition


def test_the_same_upkeep_gains_less_in_a_better_compound():
    comps = make(conditions=(0.2, 0.5, 0.9), households=(10, 10, 10), decay=0.0)
    comps.upkeep[:] = 300.0 * 10
    comps.update_condition(np.zeros(3))
    gains = comps.condition - np.array([0.2, 0.5, 0.9])
    assert gains[0] > gains[1] > gains[2] > 0


def test_violations_speed_decay_exactly():
    comps = make(decay=0.01, violation_decay=0.05)
    q = comps.condition.copy()
    rate = np.array([0.0, 0.4, 1.0])
    comps.update_condition(rate)
    np.testing.assert_allclose(comps.condition, q * (1 - (0.01 + 0.05 * rate)), rtol=1e-12)


def test_more_violations_faster_decay():
    final = []
    for rate in (0.0, 0.3, 0.9):
        comps = make(conditions=(0.6,), households=(20,))
        for _ in range(24):
            comps.upkeep[:] = 5.0 * 20
            comps.update_condition(np.array([rate]))
        final.append(comps.condition[0])
    assert final[0] > final[1] > final[2]


def test_loss_is_capped_at_the_whole_condition():
    # decay 1 and violation_decay 1 with every household violating: Q drops to exactly 0.
    comps = make(decay=1.0, violation_decay=1.0)
    comps.update_condition(np.ones(3))
    np.testing.assert_array_equal(comps.condition, 0.0)


def test_condition_stays_in_unit_interval_under_extremes():
    rng = np.random.default_rng(0)
    comps = make(decay=0.5, violation_decay=1.0, restore_scale=1.0)
    for _ in range(500):
        comps.upkeep[:] = rng.choice([0.0, 1e-3, 1.0, 1e9]) * comps.households
        comps.update_condition(rng.random(3))
        assert np.all((comps.condition >= 0.0) & (comps.condition <= 1.0))


def test_condition_stays_in_unit_interval_in_full_runs():
    for source, seed in (("heping_road", 1), ("yimin_compound", 2)):
        model = sim.CompoundModel(source, rng=seed).run(60)
        q = model.compound_dataframe()["condition"]
        assert q.between(0.0, 1.0).all()


def test_contribution_history_is_a_recent_mean():
    comps = make()
    np.testing.assert_array_equal(comps.recent_contribution(), 0.0)
    comps.record_contributions(np.array([1.0, 0.0, 0.5]), step=1)
    comps.record_contributions(np.array([0.0, 0.0, 0.5]), step=2)
    np.testing.assert_allclose(comps.recent_contribution(), [0.5, 0.0, 0.5])
    for step in range(3, 20):  # only the last HISTORY (6) months count
        comps.record_contributions(np.array([0.2, 0.4, 0.6]), step=step)
    np.testing.assert_allclose(comps.recent_contribution(), [0.2, 0.4, 0.6])
