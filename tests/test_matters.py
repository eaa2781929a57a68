"""Matters (sim.matters): arrival, targets, resolution and the households they touch.

Arrival tests call ``MatterBook.arrive`` directly on a built (unstepped) model whose
condition is set by hand and whose compliance comes from ``initial.acting.comply`` and
committed households, so the expected Poisson means are known.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.config import DEFAULT_MATTERS
from sim.matters import SCOPES, MatterBook

NON_VIOLATION_RATE = sum(t.rate for t in DEFAULT_MATTERS if not t.violation_driven)


def make_model(matters: dict | None = None, seed: int = 0, comply: float = 1.0,
               committed: int | list[int] = 0) -> sim.CompoundModel:
    """Two compounds of 200 households (5 buildings × 2 units), no institutions.

    ``comply`` is the share of households complying at month 0 (what arrival of
    violation-driven matters sees); committed households comply too.
    """
    scn = sim.load_config({
        "community": {"groups": [{"name": "g", "count": 2, "households": 200,
                                  "buildings": 5, "units_per_building": 2}]},
        "design": {"institutions": {}},
        "matters": matters or {},
        "initial": {"acting": {"comply": comply}, "committed": committed},
    })
    return sim.CompoundModel(scn, rng=seed)


def arrivals(model: sim.CompoundModel, months: int, condition: float) -> MatterBook:
    """A fresh book after ``months`` monthly arrivals at a fixed condition."""
    model.compounds.condition[:] = condition
    book = MatterBook(model.config.matters, model.n_compounds)
    for _ in range(months):
        book.arrive(model)
    return book


def poisson_ok(count: int, mean: float, k: float = 5.0) -> bool:
    """Within k standard deviations of a Poisson mean (k = 5: a false alarm ≈ 1e-6)."""
    return abs(count - mean) <= k * np.sqrt(mean)


# ----------------------------------------------------------------------------- arrival


def test_arrival_scale_zero_means_no_matters():
    model = make_model({"arrival_scale": 0.0}, comply=0.0)
    book = arrivals(model, 200, condition=0.0)
    assert book.n_open == 0
    model = make_model({"arrival_scale": 0.0})
    model.run(24)
    assert model.matters.n_open == 0
    assert len(model.matters.log_frame()) == 0
    assert model.datacollector.get_model_vars_dataframe()["matters_open"].eq(0).all()


def test_no_matter_types_means_no_matters():
    model = make_model({"types": []}, comply=0.0)
    assert arrivals(model, 50, condition=0.0).n_open == 0
    model.run(12)
    assert model.matters.n_open == 0


@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_arrivals_match_documented_rate_and_scale_with_arrival_scale(scale):
    # At condition 0.5 and full compliance, each month brings Poisson(scale × Σ rate ×
    # households / 100) matters: rates are "per 100 households per month at Q = 0.5".
    # 300 months → a mean of ≈ 980 (scale 1) or ≈ 2460 (scale 2.5); 5 σ margin.
    model = make_model({"arrival_scale": scale}, seed=1)
    months = 300
    book = arrivals(model, months, condition=0.5)
    mean = months * scale * NON_VIOLATION_RATE * model.population.n / 100
    assert poisson_ok(book.n_open, mean)


def test_more_matters_at_low_condition_than_at_high():
    # Arrival factor 1 + 2·(0.5 − Q): 1.8 at Q = 0.1, 0.2 at Q = 0.9 (9× apart). Over
    # 200 months and three seeds require each count within 5 σ of its mean and low > 4× high.
    for seed in (2, 3, 4):
        model = make_model(seed=seed)
        low = arrivals(model, 200, condition=0.1).n_open
        high = arrivals(model, 200, condition=0.9).n_open
        per_month = NON_VIOLATION_RATE * model.population.n / 100
        assert poisson_ok(low, 200 * 1.8 * per_month)
        assert poisson_ok(high, 200 * 0.2 * per_month)
        assert low > 4 * high


def test_arrival_factor_is_floored_at_zero():
    # condition_sensitivity 4 at Q = 0.9: 1 + 4·(0.5 − 0.9) < 0 → no condition-driven matters.
    model = make_model({"condition_sensitivity": 4.0})
    assert arrivals(model, 100, condition=0.9).n_open == 0


def test_violation_driven_matters_need_violations():
    types = [{"name": "illegal_structure", "category": "big", "scope": "building",
              "rate": 0.5, "cost": 2000, "violation_driven": True}]
    # Everyone complies: none, whatever the condition.
    model = make_model({"types": types}, seed=5, comply=1.0)
    assert arrivals(model, 200, condition=0.0).n_open == 0
    # Nobody complies except the committed households 100–399: the first 100 households
    # of compound 0 violate, compound 1 complies. Matters only in compound 0, at rate
    # 0.5 per 100 violators per month (100 violators × 200 months → mean 100; 5 σ).
    model = make_model({"types": types}, seed=5, comply=0.0, committed=list(range(100, 400)))
    assert model.population.compound[:100].max() == 0
    assert model.population.action("comply").sum() == 300
    book = arrivals(model, 200, condition=0.5)
    assert set(book.compound.tolist()) == {0}
    assert poisson_ok(book.n_open, 100.0)


def test_new_matters_carry_their_type_and_a_target_in_their_compound():
    model = make_model(seed=6, comply=0.0)
    book = arrivals(model, 100, condition=0.3)
    pop = model.population
    assert book.n_open > 100
    assert set(book.kind.tolist()) == set(range(len(DEFAULT_MATTERS)))
    types = [DEFAULT_MATTERS[k] for k in book.kind]
    np.testing.assert_array_equal(book.cost, [t.cost for t in types])
    np.testing.assert_array_equal(book.scope, [SCOPES.index(t.scope) for t in types])
    np.testing.assert_array_equal(book.opened, 0)
    for scope, ids in ((0, None), (1, pop.building), (2, pop.unit), (3, np.arange(pop.n))):
        sel = book.scope == scope
        assert sel.any()
        if ids is None:
            np.testing.assert_array_equal(book.target[sel], book.compound[sel])
        else:
            compound_of = {int(i): int(c) for i, c in zip(ids, pop.compound, strict=True)}
            assert [compound_of[int(t)] for t in book.target[sel]] == book.compound[sel].tolist()


# ----------------------------------------------------------------------------- resolve


def test_resolve_removes_matters_and_logs_them_with_handler():
    model = make_model(seed=7)
    book = arrivals(model, 20, condition=0.3)
    n = book.n_open
    assert n >= 10
    mask = np.zeros(n, dtype=bool)
    mask[::3] = True
    kept_kinds = book.kind[~mask].copy()
    resolved_comps = book.compound[mask].copy()
    resolved_costs = book.cost[mask].copy()
    book.resolve(mask, step=9, handler="firm")
    assert book.n_open == n - mask.sum()
    np.testing.assert_array_equal(book.kind, kept_kinds)
    log = book.log_frame()
    assert len(log) == mask.sum()
    assert set(log["handler"]) == {"firm"}
    assert log["resolved"].eq(9).all()
    np.testing.assert_array_equal(log["compound"], resolved_comps)
    np.testing.assert_array_equal(log["paid"], resolved_costs)
    np.testing.assert_array_equal(book.resolved_this_month,
                                  np.bincount(resolved_comps, minlength=2))
    # A second resolution with explicit payments and another handler is appended.
    mask2 = np.zeros(book.n_open, dtype=bool)
    mask2[0] = True
    book.resolve(mask2, step=10, handler="government", paid=np.array([123.0]))
    log = book.log_frame()
    assert len(log) == mask.sum() + 1
    assert log.iloc[-1]["handler"] == "government"
    assert log.iloc[-1]["paid"] == 123.0
    assert set(log["type"]) <= {t.name for t in DEFAULT_MATTERS}


def test_resolving_nothing_changes_nothing():
    model = make_model(seed=8)
    book = arrivals(model, 5, condition=0.3)
    n = book.n_open
    book.resolve(np.zeros(n, dtype=bool), step=1, handler="firm")
    assert book.n_open == n
    assert len(book.log_frame()) == 0


def test_model_logs_resolutions_by_known_handlers():
    model = sim.CompoundModel("generic_old_compound", rng=9).run(36)
    log = model.matters.log_frame()
    assert len(log) > 0
    assert set(log["handler"]) <= {"firm", "government", "household", "campaign"}
    assert (log["resolved"] >= log["opened"]).all()


# ----------------------------------------------------------------------------- touching


def add_matter(book: MatterBook, model: sim.CompoundModel, type_name: str, compound: int,
               target: int, age: int) -> None:
    """Open one matter of a given type and target, ``age`` months old (internal helper)."""
    kind = np.array([book.type_index(type_name)])
    book._append(np.array([compound]), kind, np.array([target]), model.steps - age)


def test_a_compound_matter_touches_every_household_of_its_compound_only():
    model = make_model(seed=10)
    book = model.matters
    add_matter(book, model, "lights", compound=1, target=1, age=3)
    counts = book.touching(model, min_age=0)
    in_one = model.population.compound == 1
    assert np.all(counts[in_one] == 1)
    assert np.all(counts[~in_one] == 0)


def test_touching_counts_by_scope():
    model = make_model(seed=11)
    pop = model.population
    book = model.matters
    hh = 250  # a household in compound 1
    bld, unit = int(pop.building[hh]), int(pop.unit[hh])
    add_matter(book, model, "parking", compound=1, target=1, age=5)       # compound
    add_matter(book, model, "garbage", compound=1, target=bld, age=5)     # building
    add_matter(book, model, "drains", compound=1, target=bld, age=5)      # building
    add_matter(book, model, "dispute", compound=1, target=unit, age=5)    # unit
    add_matter(book, model, "leak", compound=1, target=hh, age=5)         # household
    counts = book.touching(model, min_age=0)
    expected = ((pop.compound == 1).astype(float) + 2 * (pop.building == bld)
                + (pop.unit == unit) + (np.arange(pop.n) == hh))
    np.testing.assert_array_equal(counts, expected)
    assert counts[hh] == 5


def test_touching_respects_min_age():
    model = make_model(seed=12)
    book = model.matters
    add_matter(book, model, "lights", compound=0, target=0, age=2)
    add_matter(book, model, "parking", compound=0, target=0, age=4)
    in_zero = model.population.compound == 0
    for min_age, expected in ((0, 2), (2, 2), (3, 1), (4, 1), (5, 0)):
        counts = book.touching(model, min_age=min_age)
        assert np.all(counts[in_zero] == expected), min_age
        assert np.all(counts[~in_zero] == 0)


def test_touching_is_zero_without_matters():
    model = make_model(seed=13)
    assert not model.matters.touching(model, min_age=0).any()
