"""Property-based tests over random scenarios: money is conserved, rates stay in [0, 1]."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.metrics import COLUMNS, RATE_COLUMNS

group = st.fixed_dictionaries({
    "name": st.just("g"),
    "count": st.integers(1, 4),
    "households": st.integers(1, 60),
    "buildings": st.integers(1, 4),
    "units_per_building": st.integers(1, 3),
    "firm": st.booleans(),
    "floating_share": st.floats(0, 1),
    "condition": st.floats(0, 1),
    "ability_median": st.floats(200, 20000),
    "party_share": st.floats(0, 0.5),
})

scenarios = st.fixed_dictionaries({
    "community": st.fixed_dictionaries({
        "groups": st.lists(group, min_size=1, max_size=3),
        "network": st.fixed_dictionaries({"acquaintance": st.floats(0, 1)}),
    }),
    "design": st.sampled_from(["baseline", "nanan_131", "huli_six_party", "chongchuan_plus",
                               "kunming_red_courtyard", "pujiang_situation", "pujiang_remedies",
                               {"name": "none", "institutions": {}}]),
    "behaviour": st.fixed_dictionaries({
        "noise": st.floats(0, 3),
        "threshold": st.floats(0, 1),
    }),
    "economy": st.fixed_dictionaries({
        "firm_fee": st.floats(0, 200),
        "cleaning_fee": st.floats(0, 50),
        "firm_fixed_cost": st.floats(0, 100),
        "decay": st.floats(0, 0.2),
        "firm_exit_patience": st.integers(1, 24),
    }),
    "matters": st.fixed_dictionaries({"arrival_scale": st.floats(0, 20)}),
    "initial": st.fixed_dictionaries({"committed": st.integers(0, 1)}),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios, seed=st.integers(0, 2**32))
def test_ledger_conserved_rates_bounded(data, seed):
    model = sim.CompoundModel(sim.load_config(data), rng=seed)
    ledger = model.ledger
    for _ in range(30):
        model.step()
        total_in = ledger.total_in.sum(axis=1)
        total_out = ledger.total_out.sum(axis=1)
        np.testing.assert_allclose(total_in, total_out + ledger.balance, rtol=1e-9, atol=1e-6)
        assert (ledger.balance >= 0).all()
        for name in RATE_COLUMNS:
            value = model.current_metrics[name]
            assert 0.0 <= value <= 1.0, (name, value)
            per = model.current_compound_metrics[name]
            assert ((per >= 0) & (per <= 1)).all(), name
        pop = model.population
        for arr in (pop.trust, pop.dependence, pop.grievance, pop.satisfaction,
                    pop.reputation, pop.mobilisation, model.compounds.condition):
            assert ((arr >= 0) & (arr <= 1)).all()
        assert model.current_metrics["gov_spending"] >= 0
        assert model.current_metrics["matters_open"] >= 0
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 31
