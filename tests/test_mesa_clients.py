"""Mesa's own clients work unchanged: keyword fields, batch_run, pickling, agent views."""

from __future__ import annotations

import pickle

import mesa
import numpy as np
import pytest

import sim


def test_keyword_fields_build_the_scenario():
    model = sim.CompoundModel(design="baseline", community="yimin_compound",
                              behaviour__noise=0.2, economy__cleaning_fee=3.0, rng=1)
    assert model.config.community.name == "yimin_compound"
    assert model.config.behaviour.noise == 0.2
    assert model.config.economy.cleaning_fee == 3.0
    assert model.population.n == 351


def test_keyword_fields_are_validated():
    with pytest.raises(sim.ConfigError, match="noise"):
        sim.CompoundModel(behaviour__noize=0.2, rng=1)
    with pytest.raises(sim.ConfigError, match="design"):
        sim.CompoundModel(design="no_such_design", rng=1)


def test_default_model_needs_no_arguments():
    model = sim.CompoundModel()
    model.step()
    assert model.steps == 1
    assert isinstance(model.seed, int)


def test_batch_run_with_scenario_fields():
    results = mesa.batch_run(
        sim.CompoundModel,
        parameters={"community": "generic_old_compound", "behaviour__noise": [0.2, 0.8]},
        rng=[1, 2],
        max_steps=6,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 4
    assert {r["behaviour__noise"] for r in results} == {0.2, 0.8}
    for row in results:
        assert row["Step"] == 6
        assert 0.0 <= row["contribution_rate"] <= 1.0


def test_model_pickles_and_continues_identically():
    model = sim.CompoundModel(community="generic_old_compound", rng=4)
    model.run(5)
    clone = pickle.loads(pickle.dumps(model))
    model.run(5)
    clone.run(5)
    assert model.datacollector.get_model_vars_dataframe().equals(
        clone.datacollector.get_model_vars_dataframe())


def test_households_are_mesa_agents_viewing_the_arrays():
    model = sim.CompoundModel(community="generic_old_compound", rng=2)
    residents = model.agents.select(lambda a: isinstance(a, sim.Resident))
    assert len(residents) == model.population.n
    members = model.agents_by_type.get(sim.PartyMember, [])
    assert len(members) == int(model.population.party.sum())
    agent = residents.to_list()[0]
    agent.trust = 0.9
    assert model.population.trust[agent.index] == 0.9
    model.population.acts[agent.index, 0] = True
    assert agent.contributes
    trusts = np.array(residents.get("trust"))
    assert np.allclose(np.sort(trusts), np.sort(model.population.trust))


def test_solara_reset_rebuilds_the_model_from_keywords():
    # SolaraViz's reset calls type(model)(**params, scenario=<Mesa Scenario>) (Mesa 3.5,
    # mesa.visualization.solara_viz._build_model_init_kwargs with add_scenario_when_empty):
    # `rng` is one of our init parameters, so it stays a keyword and the Mesa Scenario is empty.
    from mesa.experimental.scenarios import Scenario as MesaScenario

    params = {"community": "yimin_compound", "behaviour__noise": 0.4, "rng": 3}
    model = sim.CompoundModel(**params)
    rebuilt = type(model)(**params, scenario=MesaScenario())
    assert rebuilt.config == model.config
    assert rebuilt.seed == model.seed == 3
    from_scenario_rng = type(model)(**{k: v for k, v in params.items() if k != "rng"},
                                    scenario=MesaScenario(rng=3))
    assert from_scenario_rng.seed == 3
    model.run(3)
    rebuilt.run(3)
    assert model.datacollector.get_model_vars_dataframe().equals(
        rebuilt.datacollector.get_model_vars_dataframe())
