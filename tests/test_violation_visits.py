"""Door-to-door visits triggered by a violation (issue 12 item 8; seed 000).

Seed 000: "违规时的特别干预提示。比如,装修时建筑垃圾未能袋装化,社区干部和邻里代表会专门上门进行提醒
和劝诫". A household that broke the rules last month is visited this month with probability
``triggered_visit`` by the party branch (``party_branch``) and by its stairwell leader
(``stairwell_leaders``). The scenarios give every compound a branch (``grid_branch``) with
no member household, so the quota is ``visits_per_member`` × 1 and members mobilise nobody:
who was visited is exactly who became mobilised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.party import visit_violators
from sim.mechanisms import mechanism, switch_off

N = 4000


def model_of(institutions: dict[str, Any], rng: int = 1) -> sim.CompoundModel:
    """One compound of ``N`` households, no party members, matters off."""
    return sim.CompoundModel(sim.load_config({
        "community": {"groups": [{"name": "g", "households": N, "buildings": 20,
                                  "units_per_building": 2, "party_share": 0.0}]},
        "design": {"name": "t", "institutions": institutions},
        "matters": {"arrival_scale": 0.0},
    }), rng=rng)


def set_violators(model: sim.CompoundModel, share: float = 0.5) -> np.ndarray:
    """Make the first ``share`` of households last month's violators (the rest pay and comply)."""
    pop = model.population
    violator = np.arange(pop.n) < share * pop.n
    pop.acts[:, 0] = True
    pop.acts[:, 1] = ~violator
    pop.mobilisation[:] = 0.0
    return violator


def inst(model: sim.CompoundModel, name: str) -> Any:
    """The model's institution called ``name``."""
    return next(i for i in model.institutions if i.name == name)


@pytest.mark.parametrize("p", [0.2, 0.6])
def test_a_violator_is_visited_with_the_stated_probability(p: float) -> None:
    model = model_of({"party_branch": {"grid_branch": True, "visits_per_member": 0.0,
                                       "triggered_visit": p}})
    violator = set_violators(model)
    inst(model, "party_branch").before_decisions(model)
    visited = model.population.mobilisation == 1.0
    k = violator.sum()
    assert abs(visited[violator].sum() - p * k) < 4 * np.sqrt(k * p * (1 - p))
    assert not visited[~violator].any()  # compliant households are not called on


def test_the_quota_visits_first_and_the_trigger_adds_to_it() -> None:
    """visit_mode both: the quota's visits, then violators the quota missed, never twice."""
    model = model_of({"party_branch": {"grid_branch": True, "visits_per_member": 100.0,
                                       "triggered_visit": 1.0, "trust_gain": 0.5,
                                       "dependence_cut": 0.0}})
    violator = set_violators(model)
    trust = model.population.trust.copy()
    inst(model, "party_branch").before_decisions(model)
    pop = model.population
    assert (pop.mobilisation[violator] == 1.0).all()  # p = 1: every violator
    assert not (pop.mobilisation[~violator] == 1.0).any()
    # one visit each: trust closes half its gap once, not twice
    assert np.allclose(pop.trust[violator], trust[violator] + 0.5 * (1 - trust[violator]))


def test_visit_mode_triggered_drops_the_quota() -> None:
    """Non-payers who comply are the quota's laggards; only violators are visited."""
    model = model_of({"party_branch": {"grid_branch": True, "visits_per_member": 1000.0,
                                       "triggered_visit": 1.0, "visit_mode": "triggered"}})
    violator = set_violators(model, 0.25)
    model.population.acts[:, 0] = False  # nobody paid: all are laggards for the quota
    inst(model, "party_branch").before_decisions(model)
    visited = model.population.mobilisation == 1.0
    assert np.array_equal(visited, violator)


def test_a_newcomer_is_not_visited_for_its_month_zero_draw() -> None:
    model = model_of({"party_branch": {"grid_branch": True, "visits_per_member": 0.0,
                                       "triggered_visit": 1.0}})
    violator = set_violators(model)
    model.population.arrived = np.arange(10)
    inst(model, "party_branch").before_decisions(model)
    visited = model.population.mobilisation == 1.0
    assert not visited[:10].any() and visited[10:][violator[10:]].all()


def test_stairwell_leaders_visit_violators_too() -> None:
    p = 0.4
    model = model_of({"stairwell_leaders": {"visits_per_leader": 0.0, "triggered_visit": p}})
    violator = set_violators(model)
    inst(model, "stairwell_leaders").before_decisions(model)
    visited = model.population.mobilisation == 1.0
    k = violator.sum()
    assert abs(visited[violator].sum() - p * k) < 4 * np.sqrt(k * p * (1 - p))
    assert not visited[~violator].any()


def test_violators_of_one_month_are_visited_the_next() -> None:
    """End to end: who broke the rules in month t is mobilised in month t + 1 (p = 1)."""
    model = model_of({"party_branch": {"grid_branch": True, "visits_per_member": 0.0,
                                       "triggered_visit": 1.0}}, rng=4)
    model.config = model.config.override({"turnover.owner": 0.0, "turnover.renter": 0.0,
                                          "turnover.floating": 0.0})
    model.step()
    violators = ~model.population.acts[:, 1]
    assert violators.any()
    seen: list[np.ndarray] = []
    branch = inst(model, "party_branch")
    original = branch.before_decisions

    def spy(m: sim.CompoundModel) -> None:
        original(m)
        seen.append(m.population.mobilisation.copy())

    branch.before_decisions = spy
    model.step()
    assert np.array_equal(seen[0] == 1.0, violators)


def test_probability_zero_draws_nothing() -> None:
    model = model_of({"party_branch": {"grid_branch": True}})
    set_violators(model)
    state = model.rng.bit_generator.state
    where = np.ones(model.n_compounds, dtype=bool)
    assert visit_violators(model, where, 0.0, np.zeros(0, dtype=np.int64)).size == 0
    assert model.rng.bit_generator.state == state


def test_the_switch_gives_the_run_without_triggered_visits() -> None:
    """chongchuan_plus with the switch = chongchuan_plus whose YAML sets no trigger."""
    scn = sim.load_config("configs/designs/chongchuan_plus.yaml").override(
        {"community": "heping_road"})
    assert scn.design.institutions["party_branch"]["triggered_visit"] > 0
    off = switch_off(scn, mechanism("triggered_visits"))
    plain = scn.override({"design.institutions.party_branch": {},
                          "design.institutions.stairwell_leaders": {}})
    a = sim.CompoundModel(off, rng=3).run(36).datacollector.get_model_vars_dataframe()
    b = sim.CompoundModel(plain, rng=3).run(36).datacollector.get_model_vars_dataframe()
    on = sim.CompoundModel(scn, rng=3).run(36).datacollector.get_model_vars_dataframe()
    assert a.equals(b)
    assert not a.equals(on)
