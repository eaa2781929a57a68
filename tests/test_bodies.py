"""Bodies of self-governance as Mesa agents (sim.bodies, issue 12 item 1)."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

import sim
from sim.bodies import Body, bodies, sync
from sim.elections import KIND
from sim.selfgov import BODIES


@pytest.fixture(scope="module")
def huli() -> sim.CompoundModel:
    """Huli's six-party linkage on Heping Road (108 compounds), three months."""
    return sim.CompoundModel({"community": "heping_road", "design": "huli_six_party"},
                             rng=5).run(3)


def test_committee_agents_of_huli_on_heping_are_listed_with_members(huli):
    agents = huli.agents_by_type[Body]
    sg = huli.selfgov
    # one agent per body that exists, of every kind
    assert len(agents) == sum(int(flags.sum()) for flags in sg.bodies.values()) > 0
    assert all(isinstance(a, mesa.Agent) and a.model is huli for a in agents)
    committees = bodies(huli, "committee")
    assert [a.compound for a in committees] == np.flatnonzero(sg.bodies["committee"]).tolist()
    seats = huli.config.elections.seats.committee
    pop = huli.population
    for agent in committees:
        who = agent.members
        assert 0 < who.size <= seats
        assert (pop.compound[who] == agent.compound).all()
        assert (pop.tenure[who] == 0).all()  # owners only
        assert agent.funds == huli.ledger.balance[agent.compound]
        assert agent.record["projects_done"] == sg.projects_done[agent.compound]
    # the party branch's members are the compound's registered party members
    for agent in bodies(huli, "branch"):
        expect = np.flatnonzero(pop.registered & (pop.compound == agent.compound))
        assert agent.members.tolist() == expect.tolist()
    # at most one stairwell leader per stairwell unit (a seat falls vacant when its holder
    # moves out), and one in every unit when the leaders are first chosen
    for agent in bodies(huli, "leaders")[:10]:
        units = pop.unit[agent.members]
        assert np.unique(units).size == units.size
    first = sim.CompoundModel({"community": "heping_road", "design": "huli_six_party"}, rng=5)
    for agent in bodies(first, "leaders")[:10]:
        units = np.unique(first.population.unit[first.population.compound == agent.compound])
        assert sorted(first.population.unit[agent.members].tolist()) == units.tolist()


def test_a_dissolved_body_loses_its_agent_and_members(huli):
    model = sim.CompoundModel({"community": "heping_road", "design": "huli_six_party"}, rng=6)
    sg = model.selfgov
    c = int(np.flatnonzero(sg.bodies["committee"])[0])
    agent = next(a for a in bodies(model, "committee", c))
    assert agent in model.agents
    sg.bodies["committee"][c] = False  # the owners' committee lapses
    sync(model)
    assert agent not in model.agents
    assert not bodies(model, "committee", c)
    assert not sg.members[KIND["committee"], model.population.compound == c].any()
    assert sg.elected_at[KIND["committee"], c] == -1
    sg.bodies["committee"][c] = True  # re-formed: a new agent, members chosen again
    sync(model)
    again = bodies(model, "committee", c)
    assert len(again) == 1 and again[0] is not agent and again[0].members.size > 0


def test_no_bodies_no_agents_and_sync_is_idle_when_nothing_changed():
    model = sim.CompoundModel({"community": "heping_road", "design": "baseline"}, rng=1)
    sg = model.selfgov
    expected = sum(int(flags.sum()) for flags in sg.bodies.values())
    assert len(model.agents_by_type.get(Body, [])) == expected
    state = sg._agents_state
    sync(model)
    assert sg._agents_state is state  # nothing recomputed


def test_every_kind_is_a_body_name():
    assert set(KIND) == set(BODIES)


def test_page_lists_and_marks_the_members_of_each_body(huli):
    from sim.views import BODY_MARKS, bodies_text, body_members, compound_figure

    c = int(np.flatnonzero(huli.selfgov.bodies["committee"])[0])
    found = dict(body_members(huli, c))
    assert set(found) == {a.kind for a in bodies(huli, compound=c)}
    for lang, name in (("zh", "业委会"), ("en", "owners' committee")):
        listing = bodies_text(huli, c, lang)
        line = next(ln for ln in listing.splitlines() if name in ln)
        assert all(str(int(i)) in line for i in found["committee"])
        fig = compound_figure(huli, c, lang)
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert any(name in label for label in labels)
    # every member is marked once in the drawing (one mark per household)
    fig = compound_figure(huli, c, "en")
    marked = sum(len(col.get_offsets()) for col in fig.axes[0].collections[1:])
    members = set().union(*(set(w.tolist()) for k, w in found.items() if k in BODY_MARKS))
    assert marked == len(members)
    empty = sim.CompoundModel({"community": "heping_road", "design": "huli_six_party"}, rng=5)
    empty.selfgov.bodies = {k: np.zeros_like(v) for k, v in empty.selfgov.bodies.items()}
    sync(empty)
    assert bodies_text(empty, 0, "en") == "This compound has no body of self-governance yet."
