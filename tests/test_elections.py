"""Residents choose members by reputation (sim.elections, issue 12 item 2a)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sim
from sim import elections
from sim.mechanisms import mechanism, switch_off

ONE_COMPOUND = {
    "community": {"groups": [{"name": "g", "households": 40, "buildings": 2,
                              "units_per_building": 2, "owner_share": 1.0,
                              "floating_share": 0.0}]},
    "design": {"institutions": {"deliberation_council": {}}},
}


def _model(selectivity: float, **elect: float | int) -> sim.CompoundModel:
    scn = sim.load_config(ONE_COMPOUND).override(
        {"elections.selectivity": selectivity, **{f"elections.{k}": v for k, v in elect.items()}})
    return sim.CompoundModel(scn, rng=11)


def _draws(model: sim.CompoundModel, reputation: np.ndarray, times: int) -> np.ndarray:
    """Seat counts per household over ``times`` elections of the council (7 seats of 40)."""
    model.population.reputation[:] = reputation
    everyone = np.ones(1, dtype=bool)
    counts = np.zeros(model.population.n)
    for _ in range(times):
        elections.elect(model, "council", everyone)
        counts += model.selfgov.members[elections.KIND["council"]]
    return counts


def test_high_selectivity_chooses_members_of_high_standing():
    model = _model(50.0)
    reputation = np.linspace(0.0, 1.0, model.population.n)
    counts = _draws(model, reputation, 200)
    members_mean = float((counts * reputation).sum() / counts.sum())
    # mean of the whole compound is 0.5; the top 7 of 40 average 0.92; softmax at 50 is close
    assert members_mean > reputation.mean() + 0.35
    assert counts.sum() == 200 * 7


def test_selectivity_zero_is_a_uniform_draw():
    model = _model(0.0)
    reputation = np.linspace(0.0, 1.0, model.population.n)
    counts = _draws(model, reputation, 400)
    # each household sits with probability 7/40 in each election: counts are uniform
    result = stats.chisquare(counts)
    assert result.pvalue > 0.001
    members_mean = float((counts * reputation).sum() / counts.sum())
    assert abs(members_mean - 0.5) < 0.03


def test_softmax_matches_the_one_seat_probability():
    """With one seat the chance of household i is exp(βr_i) / Σ exp(βr_j) exactly."""
    model = _model(3.0, **{"seats.council": 1})
    reputation = np.linspace(0.0, 1.0, model.population.n)
    counts = _draws(model, reputation, 4000)
    p = np.exp(3.0 * reputation) / np.exp(3.0 * reputation).sum()
    result = stats.chisquare(counts, 4000 * p)
    assert result.pvalue > 0.001


def test_owners_committee_candidates_are_owners():
    scn = sim.load_config({"community": "heping_road", "design": "huli_six_party"})
    model = sim.CompoundModel(scn, rng=2)
    sits = model.selfgov.members[elections.KIND["committee"]]
    assert sits.any() and (model.population.tenure[sits] == 0).all()


def test_member_spirit_sets_misuse_factor_and_quality():
    model = sim.CompoundModel({"community": "heping_road", "design": "huli_six_party"}, rng=2)
    sg, pop, cfg = model.selfgov, model.population, model.config.elections
    mu = pop.public_spirit.mean()
    c = int(np.flatnonzero(sg.bodies["committee"])[0])
    who = sg.members[elections.KIND["committee"]] & (pop.compound == c)
    expect = np.exp(-cfg.misuse_spirit * (pop.public_spirit[who].mean() - mu))
    assert sg.misuse_factor[c] == pytest.approx(expect, rel=1e-12)
    assert (sg.misuse_factor[~sg.bodies["committee"]] == 1.0).all()
    assert sg.efficiency.max() <= 1.0
    # a committee of the most public-spirited owners misuses less, of the least more
    spirit = pop.public_spirit.copy()
    pop.public_spirit[who] = 1.0
    elections.apply_quality(model)
    assert sg.misuse_factor[c] < 1.0
    pop.public_spirit[who] = 0.0
    elections.apply_quality(model)
    assert sg.misuse_factor[c] > 1.0
    pop.public_spirit[:] = spirit


def test_members_are_rechosen_at_term_end():
    model = _model(5.0, term_months=2)
    row = elections.KIND["council"]
    assert (model.selfgov.elected_at[row] == 0).all()
    model.run(2)
    assert (model.selfgov.elected_at[row] == 2).all()


@pytest.mark.parametrize("design", ["huli_six_party", "nanan_131"])
def test_switch_off_is_a_run_without_elections(design, monkeypatch):
    """selectivity 0 and effects 0: no draw, factors exactly 1, runs bit-identical."""
    scn = switch_off(sim.load_config({"community": "yimin_compound", "design": design,
                                      "run": {"steps": 24}}), mechanism("elections"))
    off = sim.CompoundModel(scn, rng=4).run()
    assert (off.selfgov.misuse_factor == 1.0).all() and (off.selfgov.quality == 1.0).all()
    monkeypatch.setattr(sim.model, "sync_bodies", lambda model: None)
    without = sim.CompoundModel(scn, rng=4).run()
    assert off.datacollector.get_model_vars_dataframe().equals(
        without.datacollector.get_model_vars_dataframe())
    assert off.compound_dataframe().equals(without.compound_dataframe())
