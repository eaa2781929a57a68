"""The residents' covenant (sim.institutions.covenant): 一事一议、一议一制、一制管一事.

Unit tests resolve matters by hand (``MatterBook.resolve``) and let the covenant act at
month end; run tests check that the rules a run adopts are exactly the matter types
residents settled in each compound, and that a rule makes its matter type rarer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.covenant import SETTLED_BY, Covenant
from sim.population import ACTIONS


def scenario(covenant: dict[str, Any] | None = None, count: int = 3,
             institutions: dict[str, Any] | None = None, **sections: Any) -> sim.Scenario:
    data: dict[str, Any] = {
        "community": {"groups": [{"name": "c", "count": count, "households": 60,
                                  "buildings": 3, "units_per_building": 2}]},
        "design": {"name": "t", "institutions": {"covenant": covenant or {},
                                                 **(institutions or {})}},
        "matters": {"arrival_scale": 0.0},
    }
    data.update(sections)
    return sim.load_config(data)


def covenant_of(model: sim.CompoundModel) -> Covenant:
    return next(i for i in model.institutions if isinstance(i, Covenant))


def settle(model: sim.CompoundModel, compound: int, name: str, handler: str) -> None:
    """Open a matter of type ``name`` in ``compound``, resolve it by ``handler``, month end."""
    book = model.matters
    book.add([compound], [book.type_index(name)], [compound], model.steps)
    book.resolve(book.ids == book.ids[-1], model.steps, handler)
    covenant_of(model).month_end(model)


def action_of(model: sim.CompoundModel, name: str) -> int:
    kind = model.matters.type_index(name)
    return ACTIONS.index(model.config.matters.types[kind].rule_action)


@pytest.mark.parametrize("handler", SETTLED_BY)
def test_a_settled_matter_becomes_a_rule(handler):
    model = sim.CompoundModel(scenario({"recurrence_cut": 0.4, "norm_step": 0.2}), rng=0)
    settle(model, 1, "lights", handler)
    lights = model.matters.type_index("lights")
    expected_rules = np.zeros_like(model.selfgov.rules)
    expected_rules[lights, 1] = True
    np.testing.assert_array_equal(model.selfgov.rules, expected_rules)
    expected_rate = np.ones_like(model.matters.rate_factor)
    expected_rate[lights, 1] = 0.6
    np.testing.assert_allclose(model.matters.rate_factor, expected_rate)
    expected_norm = np.zeros((3, 4))
    expected_norm[1, ACTIONS.index("contribute")] = 0.2  # lights: paying for them
    np.testing.assert_allclose(model.compounds.norm, expected_norm)


@pytest.mark.parametrize("handler", ["government", "campaign", "firm", "household", "other"])
def test_no_rule_from_matters_others_resolved(handler):
    model = sim.CompoundModel(scenario(), rng=0)
    settle(model, 0, "lights", handler)
    settle(model, 2, "garbage", handler)
    assert not model.selfgov.rules.any()
    assert (model.matters.rate_factor == 1.0).all()
    assert (model.compounds.norm == 0.0).all()


def test_one_rule_per_matter_type_and_compound():
    """A second lights matter settled in the same compound adds nothing."""
    model = sim.CompoundModel(scenario({"recurrence_cut": 0.5, "norm_step": 0.1}), rng=0)
    lights = model.matters.type_index("lights")
    settle(model, 0, "lights", "residents")
    settle(model, 0, "lights", "residents")
    assert model.matters.rate_factor[lights, 0] == 0.5
    assert model.compounds.norm[0, action_of(model, "lights")] == pytest.approx(0.1)


def test_two_matters_of_a_type_settled_in_one_month_make_one_rule():
    model = sim.CompoundModel(scenario({"recurrence_cut": 0.5, "norm_step": 0.1}), rng=0)
    book = model.matters
    lights = book.type_index("lights")
    book.add([0, 0, 1], [lights] * 3, [0, 0, 1], 0)
    book.resolve(np.ones(book.n_open, dtype=bool), 0, "residents")
    covenant_of(model).month_end(model)
    np.testing.assert_allclose(book.rate_factor[lights], [0.5, 0.5, 1.0])
    np.testing.assert_allclose(model.compounds.norm[:, action_of(model, "lights")],
                               [0.1, 0.1, 0.0])


def test_rules_strengthen_the_norm_of_their_action_up_to_norm_max():
    model = sim.CompoundModel(scenario({"norm_step": 0.25, "norm_max": 0.6}), rng=0)
    contribute, comply = ACTIONS.index("contribute"), ACTIONS.index("comply")
    norm = model.compounds.norm
    # lights, drains and walls_roofs are all about paying (rule_action contribute).
    settle(model, 0, "lights", "residents")
    assert norm[0, contribute] == pytest.approx(0.25)
    settle(model, 0, "drains", "residents")
    assert norm[0, contribute] == pytest.approx(0.5)
    settle(model, 0, "walls_roofs", "residents")
    assert norm[0, contribute] == pytest.approx(0.6)  # capped
    assert model.selfgov.rules[model.matters.type_index("walls_roofs"), 0]
    # garbage is about complying: a different action, its own room under the cap.
    settle(model, 0, "garbage", "residents")
    assert norm[0, comply] == pytest.approx(0.25)
    assert norm[0, contribute] == pytest.approx(0.6)
    assert (norm[1:] == 0).all()


def test_only_this_months_resolutions_count():
    model = sim.CompoundModel(scenario(), rng=0)
    book = model.matters
    lights = book.type_index("lights")
    book.add([0], [lights], [0], 0)
    book.resolve(np.ones(1, dtype=bool), 0, "residents")  # month 0
    model.run(1)  # month 1: nothing resolved this month
    assert not model.selfgov.rules.any()


def test_a_stronger_norm_raises_contributions():
    """The norm enters every household's utility for the rule's action."""
    scn = scenario(count=1, behaviour={"noise": 0.5}, population={"trust": 0.5})
    rates = []
    for norm in (0.0, 1.0):
        model = sim.CompoundModel(scn, rng=3)
        model.compounds.norm[:, ACTIONS.index("contribute")] = norm
        model.step()
        rates.append(model.compound_rates()["contribution_rate"][0])
    assert rates[1] > rates[0] + 0.1


# ----------------------------------------------------------------------------- runs


def run_131(seed: int, covenant: bool = True, months: int = 36) -> sim.CompoundModel:
    institutions = {"deliberation_council": {}, "owners_committee": {},
                    "government_service": {}}
    scn = scenario(count=4, institutions=institutions, matters={"arrival_scale": 2.0})
    if not covenant:
        scn = scn.override({"design.institutions": institutions})
    return sim.CompoundModel(scn, rng=seed).run(months)


def test_rules_are_exactly_what_residents_settled():
    for seed in range(3):
        model = run_131(seed)
        log = model.matters.log_frame()
        book = model.matters
        settled = log[log["handler"].isin(SETTLED_BY)]
        assert len(settled) > 0 and (log["handler"] == "government").any()
        expected = np.zeros_like(model.selfgov.rules)
        for name, comp in zip(settled["type"], settled["compound"], strict=True):
            expected[book.type_index(name), int(comp)] = True
        np.testing.assert_array_equal(model.selfgov.rules, expected)
        cut = model.config.design.institutions["covenant"]["recurrence_cut"]
        np.testing.assert_allclose(book.rate_factor, np.where(expected, 1.0 - cut, 1.0))


def test_without_covenant_no_rules_are_made():
    model = run_131(0, covenant=False)
    assert (model.matters.log_frame()["handler"] == "residents").any()
    assert not model.selfgov.rules.any()
    assert (model.compounds.norm == 0).all()
    assert (model.matters.rate_factor == 1.0).all()


def test_a_rule_makes_its_matter_rarer():
    """With a lights rule in compound 0 only, lights break half as often there."""
    scn = scenario({"recurrence_cut": 0.5}, count=2,
                   matters={"arrival_scale": 40.0, "condition_sensitivity": 0.0})
    model = sim.CompoundModel(scn, rng=0)
    settle(model, 0, "lights", "residents")
    book = model.matters
    lights = book.type_index("lights")
    counts = np.zeros(2)
    for _ in range(60):
        before = set(book.ids.tolist())
        book.arrive(model)
        new = ~np.isin(book.ids, list(before)) & (book.kind == lights)
        counts += np.bincount(book.compound[new], minlength=2)
        book.resolve(np.ones(book.n_open, dtype=bool), model.steps, "other")
    # Expected 0.03 × 40 / 100 × 60 households × 60 months = 43.2 (and 21.6 with the rule).
    assert counts[1] == pytest.approx(43.2, abs=5 * 43.2 ** 0.5)
    assert counts[0] == pytest.approx(21.6, abs=5 * 21.6 ** 0.5)
    assert counts[0] < counts[1]


def test_a_rule_never_lowers_a_norm_other_institutions_set():
    model = sim.CompoundModel(scenario({"norm_step": 0.15, "norm_max": 0.6}), rng=0)
    contribute = ACTIONS.index("contribute")
    norm = model.compounds.norm
    norm[:, contribute] = 0.8  # e.g. a competition incentive plus an assessment status
    settle(model, 0, "lights", "residents")
    assert norm[1, contribute] == pytest.approx(0.8)  # no rule there: untouched
    assert norm[2, contribute] == pytest.approx(0.8)
    assert norm[0, contribute] >= 0.8  # the rule adds to the compound's norm
