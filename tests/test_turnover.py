"""Turnover (sim.turnover, issue 12 item 8): households move out, strangers move in.

Checks by construction and with binomial tolerances: the number of movers per tenure is
rate × households (within four binomial standard deviations), a newcomer's state is a
stranger's, traits are redrawn by the draws of creation (a trait given per household keeps
the flat's value), institutions' per-household state does not leak, and with every rate 0
the run is bit-identical to a run whose month has no turnover step at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim import behaviour, turnover
from sim.population import FLOATING, OWNER, RENTER

RATES = {"owner": 0.05, "renter": 0.1, "floating": 0.2}


def model_of(design: str = "baseline", community: str = "generic_old_compound",
             rng: int = 3, **changes: Any) -> sim.CompoundModel:
    """A model of ``design`` on ``community`` with ``changes`` (dotted paths)."""
    scn = sim.load_config(f"configs/designs/{design}.yaml").override(
        {"community": community, **changes})
    return sim.CompoundModel(scn, rng=rng)


def test_movers_per_month_are_rate_times_households_per_tenure() -> None:
    """Movers of each tenure ≈ Σ rate over that tenure's households (binomial, 4 sd)."""
    model = model_of(community="heping_road", **{f"turnover.{k}": v for k, v in RATES.items()})
    rate = np.array([RATES["owner"], RATES["renter"], RATES["floating"]])
    moved = np.zeros(3)
    expected = np.zeros(3)
    variance = np.zeros(3)
    for _ in range(12):
        tenure = model.population.tenure.copy()
        movers = turnover.move(model)
        moved += np.bincount(tenure[movers], minlength=3)
        p = rate[tenure]
        expected += np.bincount(tenure, weights=p, minlength=3)
        variance += np.bincount(tenure, weights=p * (1 - p), minlength=3)
    assert np.all(expected > 100)  # every tenure is present in numbers
    assert np.all(np.abs(moved - expected) < 4 * np.sqrt(variance)), (moved, expected)


def test_only_the_tenure_with_a_rate_moves() -> None:
    model = model_of(**{"turnover.owner": 0.0, "turnover.renter": 0.0,
                        "turnover.floating": 1.0})
    tenure = model.population.tenure.copy()
    movers = turnover.move(model)
    assert np.array_equal(movers, np.flatnonzero(tenure == FLOATING))
    assert np.array_equal(model.population.arrived, movers)


def test_newcomers_arrive_as_strangers_with_traits_drawn_anew() -> None:
    model = model_of("nanan_131", **{"turnover.owner": 0.0, "turnover.renter": 0.0,
                                     "turnover.floating": 0.0})
    model.run(24)  # beliefs, reputation and mobilisation have moved
    pop = model.population
    old_spirit = pop.public_spirit.copy()
    old_threshold = pop.threshold.copy()
    committed = pop.committed.copy()
    network_ties = model.network.adjacency.copy()
    model.config = model.config.override({"turnover.owner": 1.0, "turnover.renter": 1.0,
                                          "turnover.floating": 1.0})
    movers = turnover.move(model)
    assert movers.size == pop.n  # everybody moved
    assert np.all(pop.grievance == 0.0)
    assert np.all(pop.reputation == 0.5)
    assert np.all(pop.mobilisation == 0.0)
    assert not pop.petition.any()
    assert np.array_equal(pop.satisfaction, model.compounds.condition[pop.compound])
    assert np.array_equal(pop.committed, committed)  # the flat's flag
    assert not np.array_equal(pop.public_spirit, old_spirit)
    assert not np.array_equal(pop.threshold, old_threshold)
    assert set(np.unique(pop.tenure)) <= {OWNER, RENTER, FLOATING}
    assert np.allclose(pop.cost_per_yuan, 1.0 / (pop.ability * model.config.behaviour.burden_unit))
    assert (model.network.adjacency != network_ties).nnz == 0  # the flat keeps its ties
    fresh = behaviour.RuleConstants.derive(model)  # the rule sees the newcomers' traits
    assert np.array_equal(model.rule.static_common, fresh.static_common)
    assert np.array_equal(model.rule.face, fresh.face)


def test_newcomers_actions_are_drawn_as_at_month_zero() -> None:
    """Month-0 shares: with comply 1 and the others 0, newcomers only comply."""
    model = model_of(**{"turnover.floating": 1.0, "initial.acting.contribute": 0.0,
                        "initial.acting.comply": 1.0, "initial.acting.volunteer": 0.0,
                        "initial.acting.participate": 0.0})
    model.run(3)
    movers = turnover.move(model)
    assert movers.size
    acts = model.population.acts[movers]
    assert acts[:, 1].all() and not acts[:, [0, 2, 3]].any()


def test_newcomers_are_floating_at_the_groups_share() -> None:
    """The newcomer's tenure is drawn: floating with the group's floating_share (binomial)."""
    model = model_of(community="heping_road", **{"turnover.owner": 1.0,
                                                 "turnover.renter": 1.0,
                                                 "turnover.floating": 1.0})
    movers = turnover.move(model)
    share = np.array([g.floating_share for g in model.config.community.groups])
    p = share[model.population.group[movers]]
    floating = (model.population.tenure[movers] == FLOATING).sum()
    assert abs(floating - p.sum()) < 4 * np.sqrt((p * (1 - p)).sum())


def test_a_trait_given_per_household_stays_with_the_flat() -> None:
    n = 200
    values = [k / (n - 1) for k in range(n)]
    model = model_of(**{"behaviour.threshold": values, "turnover.floating": 1.0,
                        "turnover.renter": 1.0, "turnover.owner": 1.0})
    turnover.move(model)
    assert np.array_equal(model.population.threshold, np.array(values))


def test_a_newcomer_owes_its_share_of_the_current_project() -> None:
    """selfgov.paid is the old household's: cleared, and the newcomer is asked its share."""
    model = model_of("nanan_131", community="yimin_compound",
                     **{"turnover.owner": 0.0, "turnover.renter": 0.0,
                        "turnover.floating": 0.0})
    sg = model.selfgov
    for _ in range(60):
        model.step()
        if sg.paid.any() and sg.active().any():
            break
    assert sg.paid.any(), "a project with paying households is needed"
    payer = int(np.flatnonzero(sg.paid & sg.active()[model.population.compound])[0])
    model.population.tenure[:] = OWNER
    model.population.tenure[payer] = FLOATING
    model.config = model.config.override({"turnover.floating": 1.0})
    assert np.array_equal(turnover.move(model), [payer])
    assert not sg.paid[payer]
    due = model.compounds.extra_due
    assert due is not None and due[payer] == sg.project_share[model.population.compound[payer]]


@pytest.mark.parametrize("design", ["baseline", "chongchuan_plus", "huli_six_party"])
def test_rates_zero_is_bit_identical_to_a_month_without_turnover(design: str,
                                                                 monkeypatch) -> None:
    """With every rate 0 no draw is made: the run equals one whose month skips turnover."""
    off = {"turnover.owner": 0.0, "turnover.renter": 0.0, "turnover.floating": 0.0}
    a = model_of(design, community="heping_road", rng=5, **off).run(36)
    monkeypatch.setattr(turnover, "move", lambda model: None)
    b = model_of(design, community="heping_road", rng=5, **off).run(36)
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe())
    assert a.compound_dataframe().equals(b.compound_dataframe())
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


def test_default_turnover_changes_a_run_and_the_threshold_preset_has_none(
        threshold_scenario) -> None:
    t = threshold_scenario.turnover
    assert (t.owner, t.renter, t.floating) == (0.0, 0.0, 0.0)
    on = model_of(rng=2).run(24)
    off = model_of(rng=2, **{"turnover.owner": 0.0, "turnover.renter": 0.0,
                             "turnover.floating": 0.0}).run(24)
    assert not on.datacollector.get_model_vars_dataframe().equals(
        off.datacollector.get_model_vars_dataframe())


def test_a_rate_outside_its_range_is_refused() -> None:
    with pytest.raises(sim.ConfigError) as err:
        model_of(**{"turnover.renter": 1.5})
    assert "turnover.renter" in str(err.value)


def test_dual_report_registers_the_newcomers_members_at_its_share() -> None:
    """A newcomer's party member registers at dual_report's share, not the population's."""
    share = 0.9
    scn = sim.load_config({
        "community": {"groups": [{"name": "g", "households": 4000, "party_share": 1.0}]},
        "design": {"name": "t", "institutions": {"dual_report": {"share": share}}},
        "population": {"party_registered_share": 0.1},
        "matters": {"arrival_scale": 0.0},
        "turnover": {"owner": 1.0, "renter": 1.0, "floating": 1.0},
    })
    model = sim.CompoundModel(scn, rng=1)
    model.step()  # everybody moves in; the design's dual report registers them
    pop = model.population
    assert pop.arrived.size == pop.n and pop.party.all()
    k = pop.n
    assert abs(pop.registered.sum() - share * k) < 4 * np.sqrt(k * share * (1 - share))
