"""Institutions of sim.institutions.visibility: public_rolls and online_tools."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.behaviour import neighbour_shares
from sim.errors import ConfigError


def scenario(institutions: dict[str, Any], *, acquaintance: float = 0.6,
             **over: Any) -> sim.Scenario:
    """Four compounds of 60 households; acquaintance 0 is a compound of strangers."""
    data = {
        "community": {"groups": [{"name": "c", "count": 4, "households": 60, "buildings": 3,
                                  "units_per_building": 2}],
                      "network": {"acquaintance": acquaintance}},
        "design": {"name": "t", "institutions": {**institutions, "government_service": {}}},
    }
    scn = sim.load_config(data)
    return scn.override(over) if over else scn


def mean_rates(scn: sim.Scenario, months: int = 36, seed: int = 3) -> pd.Series:
    model = sim.CompoundModel(scn, rng=seed).run(months)
    return model.datacollector.get_model_vars_dataframe().iloc[1:].mean()


# ----------------------------------------------------------------------- public rolls


def test_rolls_set_visibility_and_reach_of_paying_and_volunteering():
    model = sim.CompoundModel(scenario({"public_rolls": {}}), rng=1)
    comps = model.compounds
    np.testing.assert_allclose(comps.visibility_bonus, np.tile([0.3, 0, 0.2, 0], (4, 1)))
    np.testing.assert_allclose(comps.public_weight, np.tile([0.5, 0, 0.3, 0], (4, 1)))


def test_rolls_keep_a_larger_reach_set_by_another_institution():
    scn = scenario({"public_rolls": {"credit_reach": 0.5}, "online_tools": {"reach": 0.6}})
    model = sim.CompoundModel(scn, rng=1)
    np.testing.assert_allclose(model.compounds.public_weight[:, 0], 0.6)
    np.testing.assert_allclose(model.compounds.public_weight[:, 1], 0.6)
    np.testing.assert_allclose(model.compounds.visibility_bonus[:, 0], 0.3 + 0.1)


def test_strangers_see_the_roll_instead_of_nobody():
    model = sim.CompoundModel(scenario({"public_rolls": {}}, acquaintance=0.0), rng=1)
    model.step()
    assert model.network.isolated.size == model.population.n  # nobody knows anybody
    shares = neighbour_shares(model)
    rate = model.compounds.last_rates[model.population.compound]
    np.testing.assert_allclose(shares[:, 0], rate[:, 0], rtol=1e-6)


def test_rolls_raise_contribution_in_a_compound_of_strangers():
    base = mean_rates(scenario({}, acquaintance=0.0))
    rolls = mean_rates(scenario({"public_rolls": {}}, acquaintance=0.0))
    assert base["contribution_rate"] < 0.8  # payment lags among strangers
    assert rolls["contribution_rate"] > base["contribution_rate"] + 0.04


def test_rolls_need_someone_paying_to_show():
    # The credit roll shows the compound's payment rate: where nobody pays it shames nobody
    # into paying (face needs visibility *and* examples).
    over = {"behaviour.noise": 0.0, "behaviour.base.contribute": -20.0}
    model = sim.CompoundModel(scenario({"public_rolls": {}}, acquaintance=0.0, **over),
                              rng=1).run(6)
    assert model.current_metrics["contribution_rate"] == 0.0


# ----------------------------------------------------------------------- online tools


def test_online_tools_set_norms_visibility_and_reach():
    scn = scenario({"online_tools": {"participation_gain": 0.5, "payment_gain": 0.1,
                                     "visibility": 0.1, "reach": 0.2}})
    model = sim.CompoundModel(scn, rng=1)
    comps = model.compounds
    np.testing.assert_allclose(comps.norm, np.tile([0.1, 0, 0, 0.5], (4, 1)))
    np.testing.assert_allclose(comps.visibility_bonus, 0.1)
    np.testing.assert_allclose(comps.public_weight, 0.2)


def test_online_tools_raise_participation():
    base = mean_rates(scenario({}))
    online = mean_rates(scenario({"online_tools": {}}))
    assert online["participation_rate"] > base["participation_rate"] + 0.05
    assert online["contribution_rate"] >= base["contribution_rate"]


def test_online_participation_gain_alone_raises_participation():
    quiet = {"payment_gain": 0.0, "visibility": 0.0, "reach": 0.0}
    base = mean_rates(scenario({"online_tools": {"participation_gain": 0.0, **quiet}}))
    online = mean_rates(scenario({"online_tools": {"participation_gain": 1.0, **quiet}}))
    assert online["participation_rate"] > 1.5 * base["participation_rate"]


# ----------------------------------------------------------------------- parameters


@pytest.mark.parametrize(("name", "params"), [
    ("public_rolls", {"credit_visibility": 1.2}),
    ("public_rolls", {"credit_reach": -0.5}),
    ("public_rolls", {"good_people_reach": "high"}),
    ("online_tools", {"participation_gain": -1}),
    ("online_tools", {"reach": 2}),
    ("online_tools", {"wechat": True}),
])
def test_bad_parameters_are_config_errors(name, params):
    with pytest.raises(ConfigError, match=name):
        scenario({name: params})
