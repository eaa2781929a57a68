"""Reminders at fixed moments (sim.institutions.reminders; seed 000 固定环节的告知提示制度).

A household that moves in or starts renovating is reminded of the rules: its mobilisation
rises to ``strength``, so its utility of complying rises by w_mobilisation × strength and,
with noise, its probability of complying rises. Renovations are drawn at
``renovation_rate`` (binomial tolerance); ``strength: 0`` gives the run without the
institution, bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

import sim
from sim import behaviour
from sim.mechanisms import mechanism, switch_off

N = 3000


def model_of(params: dict[str, Any], rng: int = 1, **changes: Any) -> sim.CompoundModel:
    """One compound of ``N`` households with ``reminders`` only; matters off."""
    scn = sim.load_config({
        "community": {"groups": [{"name": "g", "households": N, "buildings": 15,
                                  "units_per_building": 2}]},
        "design": {"name": "t", "institutions": {"reminders": params}},
        "matters": {"arrival_scale": 0.0},
    })
    return sim.CompoundModel(scn.override(changes) if changes else scn, rng=rng)


def reminders(model: sim.CompoundModel) -> Any:
    """The model's reminders institution."""
    return next(i for i in model.institutions if i.name == "reminders")


def test_newcomers_are_reminded_when_they_move_in() -> None:
    model = model_of({"renovation_rate": 0.0, "strength": 0.7})
    pop = model.population
    pop.mobilisation[:] = 0.0
    pop.mobilisation[50] = 0.9  # a reminder never lowers mobilisation
    pop.arrived = np.array([3, 50, 77])
    reminders(model).before_decisions(model)
    assert np.allclose(pop.mobilisation[[3, 50, 77]], [0.7, 0.9, 0.7])
    assert np.count_nonzero(pop.mobilisation) == 3
    assert model.compounds.mobilised


def test_at_move_in_false_reminds_no_newcomer() -> None:
    model = model_of({"renovation_rate": 0.0, "at_move_in": False})
    model.population.mobilisation[:] = 0.0
    model.population.arrived = np.arange(10)
    reminders(model).before_decisions(model)
    assert not model.population.mobilisation.any()


def test_renovations_are_drawn_at_the_rate() -> None:
    rate, months = 0.02, 10
    model = model_of({"renovation_rate": rate})
    inst = reminders(model)
    total = 0
    for _ in range(months):
        model.population.arrived = np.zeros(0, dtype=np.int64)
        inst.before_decisions(model)
        total += inst.renovating.size
        assert np.array_equal(inst.reminded, inst.renovating)
    expected = rate * N * months
    assert abs(total - expected) < 4 * np.sqrt(expected * (1 - rate))


def test_a_reminder_raises_the_households_probability_of_complying() -> None:
    """Utility of complying rises by w_mobilisation × strength; so does P(comply)."""
    model = model_of({"renovation_rate": 0.0, "strength": 1.0})
    pop = model.population
    pop.mobilisation[:] = 0.0
    model.compounds.mobilised = True
    before = behaviour.cooperative_utility(model)[:, 1]
    pop.arrived = np.array([10, 20])
    reminders(model).before_decisions(model)
    after = behaviour.cooperative_utility(model)[:, 1]
    w = model.config.behaviour.weights.mobilisation
    assert np.allclose(after[[10, 20]] - before[[10, 20]], w * 1.0)
    others = np.setdiff1d(np.arange(N), [10, 20])
    assert np.array_equal(after[others], before[others])
    noise = model.config.behaviour.noise
    assert np.all(expit(after[[10, 20]] / noise) > expit(before[[10, 20]] / noise))


def test_strength_zero_is_the_run_without_reminders() -> None:
    scn = sim.load_config("configs/designs/chongchuan_plus.yaml").override(
        {"community": "heping_road"})
    assert "reminders" in scn.design.institutions  # seed 000 is Chongchuan
    off = switch_off(scn, mechanism("reminders"))
    without = scn.model_copy(deep=True)
    del without.design.institutions["reminders"]
    without = sim.load_config(without.to_dict())
    a = sim.CompoundModel(off, rng=2).run(36)
    b = sim.CompoundModel(without, rng=2).run(36)
    on = sim.CompoundModel(scn, rng=2).run(36)
    frame = lambda m: m.datacollector.get_model_vars_dataframe()  # noqa: E731
    assert frame(a).equals(frame(b))
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert not frame(a).equals(frame(on))
