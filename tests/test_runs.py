"""The run axis's draws (:mod:`sim.runs`): each run's numbers are the ones it draws alone.

Known answers: with one run, every method is the generator's own call; with several, the
draws owned by run r are exactly what run r's generator gives when called alone for that
many elements, in the elements' order, whatever the other runs own and however the owners
are interleaved. And every draw a model makes while stepping goes through its runs: after
building, the model's own generator may not be called by any design.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.config import preset_names
from sim.model import CompoundModel
from sim.runs import Runs
from sim.selfgov import top_per_group

SEEDS = (5, 17, 23)


def fresh(seeds: tuple[int, ...] = SEEDS) -> list[np.random.Generator]:
    """One new generator per seed."""
    return [np.random.default_rng(s) for s in seeds]


def several(households: tuple[int, ...] = (4, 0, 6), compounds: tuple[int, ...] = (2, 1, 3)
            ) -> Runs:
    """Three runs (the second has no households), each with its own generator."""
    return Runs(fresh(), list(households), list(compounds))


def test_one_run_is_the_generators_own_call():
    """Every method with one run gives the stream of the same call on the generator."""
    runs, alone = Runs.single(np.random.default_rng(9), 5, 2), np.random.default_rng(9)
    owners = runs.households
    np.testing.assert_array_equal(runs.random(owners), alone.random(5))
    np.testing.assert_array_equal(runs.random(owners, columns=4, dtype=np.float32),
                                  alone.random((5, 4), dtype=np.float32))
    np.testing.assert_array_equal(runs.random_rows(2, owners), alone.random((2, 5)))
    lam = np.array([[0.5, 3.0], [1.0, 7.0]])
    np.testing.assert_array_equal(runs.per_compound(lambda g, c: g.poisson(lam[:, c])),
                                  alone.poisson(lam))
    np.testing.assert_array_equal(runs.gumbel(owners), alone.gumbel(size=5))
    np.testing.assert_array_equal(runs.normal(1.0, 2.0, owners), alone.normal(1.0, 2.0, 5))
    np.testing.assert_array_equal(runs.permutation(owners), alone.permutation(5))
    assert runs.generator(owners) is runs.generators[0]


def test_each_run_draws_what_it_draws_alone_in_element_order():
    """Interleaved owners: run r's elements get run r's stream, in their order."""
    runs = several()
    owners = np.array([2, 0, 2, 0, 0, 2])
    got = runs.random(owners)
    alone = fresh()
    expect = np.empty(6)
    expect[owners == 0] = alone[0].random(3)
    expect[owners == 2] = alone[2].random(3)
    np.testing.assert_array_equal(got, expect)
    # The generator of run 1, which owned nothing, did not move.
    np.testing.assert_array_equal(runs.generators[1].random(3), alone[1].random(3))


def test_rows_columns_and_compound_blocks_follow_each_runs_own_layout():
    """2-D draws: (n, k) rows per owner, (rows, n) columns per owner, (types, compounds)."""
    runs = several()
    owners = runs.households  # 4 of run 0, 6 of run 2
    got = runs.random(owners, columns=3, dtype=np.float32)
    alone = fresh()
    np.testing.assert_array_equal(got[:4], alone[0].random((4, 3), dtype=np.float32))
    np.testing.assert_array_equal(got[4:], alone[2].random((6, 3), dtype=np.float32))

    runs, alone = several(), fresh()
    got = runs.random_rows(2, owners)
    np.testing.assert_array_equal(got[:, :4], alone[0].random((2, 4)))
    np.testing.assert_array_equal(got[:, 4:], alone[2].random((2, 6)))

    runs, alone = several(), fresh()
    lam = np.arange(12, dtype=float).reshape(2, 6) + 0.5  # 2 types × (2 + 1 + 3) compounds
    got = runs.per_compound(lambda g, c: g.poisson(lam[:, c]))
    np.testing.assert_array_equal(got[:, :2], alone[0].poisson(lam[:, :2]))
    np.testing.assert_array_equal(got[:, 2:3], alone[1].poisson(lam[:, 2:3]))
    np.testing.assert_array_equal(got[:, 3:], alone[2].poisson(lam[:, 3:]))


def test_poisson_permutation_and_chains_stay_within_runs():
    """Means per element; shuffles within a run's own places; chains of draws per run."""
    runs, alone = several(), fresh()
    owners = runs.compounds
    lam = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    got = runs.poisson(lam, owners)
    np.testing.assert_array_equal(got[:2], alone[0].poisson(lam[:2]))
    np.testing.assert_array_equal(got[2:3], alone[1].poisson(lam[2:3]))
    np.testing.assert_array_equal(got[3:], alone[2].poisson(lam[3:]))

    runs, alone = several(), fresh()
    order = runs.permutation(owners)
    np.testing.assert_array_equal(order[:2], alone[0].permutation(2))
    np.testing.assert_array_equal(order[2:3], 2 + alone[1].permutation(1))
    np.testing.assert_array_equal(order[3:], 3 + alone[2].permutation(3))

    runs, alone = several(), fresh()
    chain = runs.generator(np.array([2, 0, 2]))  # one chain of draws for three elements
    first, second = chain.random(3), chain.normal(0.0, 1.0, 3)
    rows = chain.random((3, 2))
    np.testing.assert_array_equal(first[[1]], alone[0].random(1))
    np.testing.assert_array_equal(first[[0, 2]], alone[2].random(2))
    np.testing.assert_array_equal(second[[1]], alone[0].normal(0.0, 1.0, 1))
    np.testing.assert_array_equal(second[[0, 2]], alone[2].normal(0.0, 1.0, 2))
    np.testing.assert_array_equal(rows[[0, 2]], alone[2].random((2, 2)))
    with pytest.raises(ValueError, match="3 elements"):
        chain.random(4)
    one = Runs.single(alone[1], 3, 1)
    assert one.generator(np.zeros(3, dtype=int)) is alone[1]


class _Refuse:
    """Stands in for a model's generator after building: any draw is a test failure."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"model.rng.{name} called while stepping: draw through "
                             f"model.runs (sim.runs) so that each run draws its own numbers")


@pytest.mark.parametrize("design", preset_names("designs"))
@pytest.mark.parametrize("community", ["generic_old_compound", "yimin_compound"])
def test_no_step_draws_from_the_models_generator(design, community):
    """Every design steps (24 months, campaigns and turnover included) without ``model.rng``."""
    model = CompoundModel(design=design, community=community, rng=3)
    model.rng = _Refuse()  # type: ignore[assignment]
    model.run(24)
    assert model.steps == 24


def test_households_are_numbered_within_their_run():
    """``within`` gives the index a household has in its run alone, and the run's size."""
    local, size = several().within(np.array([0, 3, 4, 9]))
    assert local.tolist() == [0, 3, 0, 5]
    assert size.tolist() == [4, 4, 6, 6]


def test_ranking_within_groups_is_exact_whatever_the_group_numbers():
    """``top_per_group`` (who is visited, who is elected): best first per group, exactly.

    Merged runs number their compounds and units after the other runs', so group numbers
    grow; the ranking must not round keys together there (a combined key group × span − key
    would: at group 10⁷ it cannot tell 0.5 from 0.5 + 10⁻⁹).
    """
    items = np.arange(6)
    got = top_per_group(items, np.array([3, 1, 3, 1, 3, 2]),
                        np.array([0.1, 0.5, 0.9, 0.2, 0.4, 0.3]), np.array([2, 1, 2, 1, 2, 0]))
    assert got.tolist() == [1, 2, 4]  # group 1: best of 2; group 2: none wanted; group 3: 2
    big = np.full(3, 10**7)
    got = top_per_group(np.arange(3), big, np.array([0.5, 0.5 + 1e-9, 0.5 - 1e-9]),
                        np.ones(3, dtype=int))
    assert got.tolist() == [1]


def test_each_runs_community_values_come_from_its_own_compounds_alone():
    """``community_metrics`` over two runs' compounds gives each run what it got alone.

    Known answer: two runs of Heping Road (108 compounds each, more than numpy's pairwise
    block of 8, so a sum over both runs' compounds would round differently) are run alone;
    their per-compound values and ledgers are laid one after the other as merged runs would
    hold them, and each run's community values over its block of compounds
    must equal, bit for bit, the values the run computed alone.
    """
    from types import SimpleNamespace

    from sim.ledger import Ledger
    from sim.metrics import community_metrics

    runs = [CompoundModel(design="nanan_131", community="heping_road", rng=s).run(14)
            for s in (3, 4)]
    sizes = [m.n_compounds for m in runs]
    assert min(sizes) > 8
    axis = Runs([m.rng for m in runs], [m.population.n for m in runs], sizes)
    ledger = Ledger(sum(sizes))
    for name in ("total_in", "total_out", "balance", "shortfall", "month_in", "month_out"):
        setattr(ledger, name, np.concatenate([getattr(m.ledger, name) for m in runs]))
    ledger._window = np.concatenate([m.ledger._window for m in runs], axis=1)
    ledger._month = runs[0].ledger._month
    merged = SimpleNamespace(ledger=ledger, compounds=SimpleNamespace(
        households_float=np.concatenate([m.compounds.households_float for m in runs])))
    per = {name: np.concatenate([m.current_compound_metrics[name] for m in runs])
           for name in runs[0].current_compound_metrics}
    assert len(axis.compound_slices) == 2
    got = community_metrics(merged, per, 2)  # type: ignore[arg-type]
    assert got == [model.current_metrics for model in runs]
    assert Runs.single(runs[0].rng, 1, 1).compound_slices == (slice(None),)
