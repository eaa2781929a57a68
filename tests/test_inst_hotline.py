"""The 12345 hotline (sim.institutions.hotline): report → response → feedback.

By construction: with every aggrieved household calling and a sure response, every open
big or small matter of a compound that called is settled in the month, private matters and
compounds that did not call keep theirs, and exactly the callers of answered compounds gain
``feedback_trust`` of their gap to full trust. The off switch leaves a run bit-identical to
one without the hotline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.hotline import PRIVATE, Hotline


def scenario(institutions: dict[str, Any], **sections: Any) -> sim.Scenario:
    data: dict[str, Any] = {
        "community": {"groups": [{"name": "a", "households": 60,
                                  "open_matters": ["lights", "drains", "leak"]},
                                 {"name": "b", "households": 40,
                                  "open_matters": ["lights", "drains"]}]},
        "design": {"name": "t", "institutions": institutions},
        "matters": {"arrival_scale": 0.0},
        "population": {"trust": 0.5},
    }
    data.update(sections)
    return sim.load_config(data)


def hotline(model: sim.CompoundModel) -> Hotline:
    return next(i for i in model.institutions if isinstance(i, Hotline))


def test_the_full_chain_settles_the_matters_of_compounds_that_called_and_answers_callers():
    model = sim.CompoundModel(scenario({"hotline": {"report_rate": 1.0, "response": 1.0,
                                                    "feedback_trust": 0.2}}), rng=0)
    pop, book = model.population, model.matters
    assert book.n_open > 0
    pop.grievance[:] = 0.0
    pop.grievance[pop.compound == 0] = 1.0  # only compound a is aggrieved, so only it calls
    before_open = book.compound.copy(), book.category.copy()
    spent = model.government.spent
    hotline(model).after_decisions(model)
    # response: compound a keeps only its private matters; compound b keeps all of its own
    comp, cat = before_open
    kept_a = int(((comp == 0) & (cat == PRIVATE)).sum())
    kept_b = int((comp == 1).sum())
    assert kept_a > 0 and kept_b > 0
    assert int((book.compound == 0).sum()) == kept_a
    assert (book.category[book.compound == 0] == PRIVATE).all()
    assert int((book.compound == 1).sum()) == kept_b
    settled = int(((comp == 0) & (cat != PRIVATE)).sum())
    assert hotline(model).settled == settled and hotline(model).calls == 60
    assert model.government.spent > spent
    # feedback: every caller gains 0.2 of its gap (0.5 → 0.6), nobody else moves
    np.testing.assert_allclose(pop.trust[pop.compound == 0], 0.6)
    np.testing.assert_allclose(pop.trust[pop.compound == 1], 0.5)


def test_a_call_answered_by_nothing_teaches_nothing():
    """Response 0: calls are made, nothing is settled, nobody's trust moves."""
    model = sim.CompoundModel(scenario({"hotline": {"report_rate": 1.0, "response": 0.0}}), rng=0)
    model.population.grievance[:] = 1.0
    n_open = model.matters.n_open
    hotline(model).after_decisions(model)
    assert model.matters.n_open == n_open
    np.testing.assert_allclose(model.population.trust, 0.5)


def test_households_without_grievance_do_not_call():
    model = sim.CompoundModel(scenario({"hotline": {"report_rate": 1.0, "response": 1.0}}), rng=0)
    model.population.grievance[:] = 0.0
    n_open = model.matters.n_open
    hotline(model).after_decisions(model)
    assert hotline(model).calls == 0 and model.matters.n_open == n_open


@pytest.mark.parametrize("off", [{"report_rate": 0.0}, {"response": 0.0}])
def test_the_off_switch_gives_the_run_without_the_hotline_bit_for_bit(off):
    base = {"government_service": {}, "renovation_campaign": {}}
    data = {"design": {"name": "t", "institutions": base}, "community": "yimin_compound"}
    with_off = {"design": {"name": "t", "institutions": {**base, "hotline": off}},
                "community": "yimin_compound"}
    a = sim.CompoundModel(data, rng=3).run(24).datacollector.get_model_vars_dataframe()
    b = sim.CompoundModel(with_off, rng=3).run(24).datacollector.get_model_vars_dataframe()
    assert a.equals(b)


def test_the_hotline_leaves_fewer_matters_open_and_more_trust_over_seeds():
    """Default parameters on top of government handling: over 4 seeds and 36 months, the
    mean number of open matters falls and mean trust rises (a direction, not a size)."""
    base = {"government_service": {}}
    open_, trust = {}, {}
    for name, inst in (("without", base), ("with", {**base, "hotline": {}})):
        frames = [sim.CompoundModel({"design": {"name": name, "institutions": inst},
                                     "community": "yimin_compound"}, rng=seed)
                  .run(36).datacollector.get_model_vars_dataframe() for seed in range(4)]
        open_[name] = np.mean([f["matters_open"].iloc[-12:].mean() for f in frames])
        trust[name] = np.mean([f["trust"].iloc[-12:].mean() for f in frames])
    assert open_["with"] < open_["without"]
    assert trust["with"] > trust["without"]
