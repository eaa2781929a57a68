"""Institution sim.institutions.leaders: stairwell_leaders (楼道长/梯长)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.behaviour import visibility
from sim.errors import ConfigError


def scenario(institutions: dict[str, Any], **over: Any) -> sim.Scenario:
    """Two compounds of 5 × 2 = 10 stairwell units and one of 1 × 3 = 3 units."""
    data = {
        "community": {"groups": [
            {"name": "ten_units", "count": 2, "households": 60, "buildings": 5,
             "units_per_building": 2},
            {"name": "three_units", "count": 1, "households": 30, "buildings": 1,
             "units_per_building": 3},
        ]},
        "design": {"name": "t", "institutions": {**institutions, "government_service": {}}},
    }
    scn = sim.load_config(data)
    return scn.override(over) if over else scn


def leaders(model: sim.CompoundModel):
    return next(inst for inst in model.institutions if inst.name == "stairwell_leaders")


def test_a_leader_body_in_every_compound_and_units_counted():
    model = sim.CompoundModel(scenario({"stairwell_leaders": {}}), rng=1)
    assert model.selfgov.bodies["leaders"].all()
    assert leaders(model).units.tolist() == [10, 10, 3]


def test_units_counted_even_when_some_are_empty():
    # 4 households in 3 × 2 units: only 4 units have households.
    data = {"community": {"groups": [{"name": "tiny", "households": 4, "buildings": 3,
                                      "units_per_building": 2}]},
            "design": {"name": "t", "institutions": {"stairwell_leaders": {}}}}
    model = sim.CompoundModel(sim.load_config(data), rng=1)
    assert leaders(model).units.tolist() == [4]


def test_leaders_make_every_action_more_visible():
    model = sim.CompoundModel(scenario({"stairwell_leaders": {"visibility": 0.15}}), rng=1)
    np.testing.assert_allclose(model.compounds.visibility_bonus, 0.15)
    plain = sim.CompoundModel(scenario({}), rng=1)
    gain = visibility(model) - visibility(plain)
    assert np.all(gain >= 0) and np.all(gain <= 0.15 + 1e-12)
    assert gain.mean() > 0.1


@pytest.mark.parametrize("visits", [1.0, 2.0])
def test_each_leader_visits_households_laggards_first(visits):
    # Elected leaders of average spirit: quality 1, as the counts are units × visits at
    # efficiency 1 (the 3-unit compound's leaders would otherwise lower it to 0.59).
    scn = scenario({"stairwell_leaders": {"visits_per_leader": visits}},
                   **{"behaviour.base.contribute": -1.0, "elections.efficiency_spirit": 0.0})
    model = sim.CompoundModel(scn, rng=2)
    pop = model.population
    acts = pop.acts.copy()
    model.step()
    visited = pop.mobilisation > 0
    counts = np.bincount(pop.compound[visited], minlength=3)
    assert counts.tolist() == [10 * visits, 10 * visits, 3 * visits]
    laggard = ~acts[:, 0] | ~acts[:, 1]
    assert np.bincount(pop.compound[laggard], minlength=3).min() > 6 * visits  # enough laggards
    assert laggard[visited].all()


def test_visits_scale_with_coordination_efficiency():
    # Members of average spirit: quality 1, as this test computes efficiency by the
    # coordination rule alone.
    scn = scenario({"stairwell_leaders": {}}, **{"coordination.cost_per_link": 1.0,
                                                  "elections.efficiency_spirit": 0.0})
    model = sim.CompoundModel(scn, rng=2)
    model.selfgov.bodies["council"][:] = True  # two bodies: one link, efficiency 1/2
    model.step()
    assert model.selfgov.efficiency.tolist() == [0.5, 0.5, 0.5]
    counts = np.bincount(model.population.compound[model.population.mobilisation > 0],
                         minlength=3)
    assert counts.tolist() == [5, 5, 2]  # round(1.5) = 2


def test_leaders_raise_contribution_and_participation():
    def rates(institutions: dict[str, Any]) -> Any:
        model = sim.CompoundModel(scenario(institutions), rng=3).run(36)
        return model.datacollector.get_model_vars_dataframe().iloc[1:].mean()

    base, led = rates({}), rates({"stairwell_leaders": {}})
    assert led["contribution_rate"] > base["contribution_rate"] + 0.03
    assert led["participation_rate"] > base["participation_rate"] + 0.03


@pytest.mark.parametrize("params", [{"visibility": 1.5}, {"visits_per_leader": -1},
                                    {"trust_gain": 2}, {"visits": 1}])
def test_bad_parameters_are_config_errors(params):
    with pytest.raises(ConfigError, match="stairwell_leaders"):
        scenario({"stairwell_leaders": params})
