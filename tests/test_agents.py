"""Mesa agents (sim.population, sim.firm, sim.institutions.government).

Households are Mesa agents whose attributes are views on the population arrays.
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest

import sim
from sim.firm import PropertyFirm
from sim.institutions.government import Government


@pytest.fixture(scope="module")
def heping() -> sim.CompoundModel:
    """Heping Road: 5,188 households in 108 compounds, 22 of them with a firm."""
    return sim.CompoundModel("heping_road", rng=3)


def households(model: sim.CompoundModel) -> list[sim.Resident]:
    return [a for a in model.agents if isinstance(a, sim.Resident)]


def test_one_household_agent_per_household(heping):
    by_type = heping.agents_by_type
    n = len(by_type[sim.Resident]) + len(by_type[sim.PartyMember])
    assert n == heping.population.n == heping.config.community.n_households
    indices = sorted(a.index for a in households(heping))
    assert indices == list(range(heping.population.n))


def test_party_members_are_the_party_households(heping):
    pop = heping.population
    assert len(heping.agents_by_type[sim.PartyMember]) == int(pop.party.sum()) > 0
    for agent in heping.agents_by_type[sim.PartyMember]:
        assert pop.party[agent.index]
    for agent in heping.agents_by_type[sim.Resident]:
        assert not pop.party[agent.index]
    assert issubclass(sim.PartyMember, sim.Resident)
    assert issubclass(sim.Resident, mesa.Agent)


def test_one_government_and_one_firm_per_firm_compound(heping):
    govs = heping.agents_by_type[Government]
    assert len(govs) == 1
    assert next(iter(govs)) is heping.government
    firms = heping.agents_by_type[PropertyFirm]
    firm_compounds = np.flatnonzero(heping.compounds.firm_present)
    assert len(firm_compounds) == 22  # 17 dormitories + 5 commercial blocks (seed 002)
    assert sorted(f.compound for f in firms) == firm_compounds.tolist()
    assert all(isinstance(f, mesa.Agent) and f.model is heping for f in firms)


def test_agent_ids_are_unique(heping):
    ids = [a.unique_id for a in heping.agents]
    assert len(set(ids)) == len(ids)


def test_attribute_reads_are_array_entries(heping):
    pop = heping.population
    for agent in list(heping.agents_by_type[sim.Resident])[:50:7] + list(
            heping.agents_by_type[sim.PartyMember])[:20:5]:
        i = agent.index
        assert agent.compound == pop.compound[i]
        assert agent.building == pop.building[i]
        assert agent.unit == pop.unit[i]
        assert agent.tenure == pop.tenure[i]
        assert agent.ability == pop.ability[i]
        assert agent.threshold == pop.threshold[i]
        assert agent.trust == pop.trust[i]
        assert agent.committed == bool(pop.committed[i])
        assert agent.contributes == bool(pop.acts[i, 0])
        assert agent.complies == bool(pop.acts[i, 1])
        assert agent.volunteers == bool(pop.acts[i, 2])
        assert agent.participates == bool(pop.acts[i, 3])
        assert isinstance(agent.trust, float)  # plain Python values, not numpy scalars
    member = next(iter(heping.agents_by_type[sim.PartyMember]))
    assert member.registered == bool(heping.population.registered[member.index])


def test_attribute_writes_change_the_arrays():
    model = sim.CompoundModel("generic_old_compound", rng=4)
    pop = model.population
    agent = next(a for a in households(model) if a.index == 17)
    agent.trust = 0.91
    agent.grievance = 0.33
    agent.committed = True
    assert pop.trust[17] == 0.91
    assert pop.grievance[17] == 0.33
    assert pop.committed[17]
    # The other households are untouched.
    assert (pop.trust == 0.91).sum() == 1
    # Array writes are seen by the agent.
    pop.reputation[17] = 0.05
    assert agent.reputation == 0.05


def test_an_agent_write_is_used_by_the_model():
    model = sim.CompoundModel("generic_old_compound", rng=5)
    agent = next(a for a in households(model) if a.index == 3)
    agent.committed = True  # a committed household always acts
    model.run(6)
    assert agent.contributes and agent.complies and agent.volunteers and agent.participates


def test_agent_views_follow_the_vectorised_update():
    model = sim.CompoundModel("generic_old_compound", rng=6).run(3)
    pop = model.population
    residents = households(model)
    assert [a.trust for a in residents] == [pop.trust[a.index] for a in residents]
    assert sum(a.contributes for a in residents) == int(pop.acts[:, 0].sum())


def test_agentset_select_and_agg(heping):
    pop = heping.population
    in_zero = heping.agents.select(lambda a: isinstance(a, sim.Resident) and a.compound == 0)
    assert len(in_zero) == int((pop.compound == 0).sum())
    members = heping.agents.select(agent_type=sim.PartyMember)
    assert len(members) == int(pop.party.sum())
    floating = heping.agents_by_type[sim.Resident].select(lambda a: a.tenure == 2)
    assert len(floating) == int(((pop.tenure == 2) & ~pop.party).sum())
    mean_trust = heping.agents_by_type[sim.Resident].agg("trust", np.mean)
    assert mean_trust == pytest.approx(pop.trust[~pop.party].mean())
    few = heping.agents.select(agent_type=sim.Resident, at_most=10)
    assert len(few) == 10


def test_firm_agent_leaves_model_agents_on_exit():
    scn = sim.load_config({
        "community": {"groups": [{"name": "g", "households": 30, "firm": True}]},
        "design": {"institutions": {}},
        "behaviour": {"noise": 0.0, "base": {"contribute": -20.0}},
        "economy": {"firm_exit_patience": 1},
    })
    model = sim.CompoundModel(scn, rng=7)
    firm = next(iter(model.agents_by_type[PropertyFirm]))
    assert firm in model.agents
    model.step()
    assert firm not in model.agents
    assert len(model.agents) == model.population.n + 1
