"""The compiled kernels (sim/kernels.py) give bit-identical results to the numpy reference."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import sim
from sim import kernels
from sim.errors import ConfigError

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")

DESIGNS = ("baseline", "nanan_131", "huli_six_party", "chongchuan_plus", "kunming_red_courtyard")
COMMUNITIES = ("heping_road", "yimin_compound", "generic_old_compound")
STATE = ("decisions", "trust", "dependence", "grievance", "reputation", "mobilisation",
         "satisfaction")


@contextmanager
def backend(name: str) -> Iterator[None]:
    """Run the block with one backend, then restore the previous one."""
    before = kernels.backend()
    kernels.set_backend(name)
    try:
        yield
    finally:
        kernels.set_backend(before)


def run(backend_name: str, scenario, steps: int, until_stable: bool = False,
        **kwargs) -> sim.CompoundModel:
    with backend(backend_name):
        model = sim.CompoundModel(scenario, **kwargs)
        model.run(steps, until_stable=until_stable)
    return model


def assert_identical(a: sim.CompoundModel, b: sim.CompoundModel) -> None:
    """Every output and every household array agrees bit for bit."""
    pd.testing.assert_frame_equal(a.datacollector.get_model_vars_dataframe(),
                                  b.datacollector.get_model_vars_dataframe(), check_exact=True)
    pd.testing.assert_frame_equal(a.compound_dataframe(), b.compound_dataframe(),
                                  check_exact=True)
    pd.testing.assert_frame_equal(a.matters.log_frame(), b.matters.log_frame(),
                                  check_exact=True)
    for name in STATE:
        x, y = getattr(a.population, name), getattr(b.population, name)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name
    assert a.steps == b.steps


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("community", COMMUNITIES)
def test_every_design_and_community_gives_identical_runs(design, community):
    for seed in (5, 6):
        scn = {"design": design, "community": community}
        assert_identical(run("numpy", scn, 36, rng=seed), run("numba", scn, 36, rng=seed))


@pytest.mark.parametrize("seed", range(8))
def test_threshold_cascades_on_random_graphs_are_identical(threshold_scenario, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 400))
    graph = nx.gnp_random_graph(n, float(rng.uniform(0.005, 0.05)), seed=seed)  # isolates too
    scn = threshold_scenario.override({
        "behaviour.threshold": rng.uniform(0.0, 0.5, n).round(3).tolist(),
        "initial.committed": int(rng.integers(1, 5)),
    })
    a = run("numpy", scn, 100, until_stable=True, rng=seed, network=graph)
    b = run("numba", scn, 100, until_stable=True, rng=seed, network=graph)
    assert_identical(a, b)


@pytest.mark.parametrize("noise", [0.0, 0.3])
@pytest.mark.parametrize("seed", range(3))
def test_every_term_of_the_rule_gives_identical_runs(seed, noise):
    # Every optional term of the rule at once: trust, dependence, cost, mobilisation,
    # norms, per-action visibility and published rates (huli: public rolls), with noise
    # (numpy draws) and without (the kernel chooses).
    scn = {"design": "huli_six_party", "community": "yimin_compound",
           "behaviour": {"noise": noise, "weights": {"trust": 0.7, "dependence": 0.4,
                                                     "cost": 0.5}}}
    assert_identical(run("numpy", scn, 30, rng=seed), run("numba", scn, 30, rng=seed))


@pytest.mark.parametrize("design", ["huli_six_party", "chongchuan_plus", "kunming_red_courtyard"])
def test_kernel_utility_is_numpys_bit_for_bit(design):
    # Not only the same choices: the same utilities (no fused multiply-add, same order).
    from sim.behaviour import compiled_cooperative, cooperative_utility, neighbour_shares

    scn = {"design": design, "community": "yimin_compound",
           "behaviour": {"weights": {"trust": 0.6, "dependence": 0.3, "mobilisation": 0.8}}}
    with backend("numba"):
        model = sim.CompoundModel(scn, rng=2)
        for _ in range(12):
            model.step()
            want = cooperative_utility(model, neighbour_shares(model))
            got = np.full_like(want, np.nan)
            before = model.population.decisions.copy()
            assert compiled_cooperative(model, got) is False
            assert got.tobytes() == want.tobytes()
            assert np.array_equal(model.population.decisions, before)


def test_graph_with_compounds_out_of_order_gives_identical_runs(threshold_scenario):
    # Compounds given as node attributes in no particular order: the households of a
    # compound are not contiguous, so the per-compound sums take numpy's bincount path.
    rng = np.random.default_rng(3)
    graph = nx.watts_strogatz_graph(300, 6, 0.2, seed=3)
    nx.set_node_attributes(graph, {v: int(rng.integers(0, 7)) for v in graph.nodes}, "compound")
    scn = threshold_scenario.override({"behaviour.noise": 0.2, "behaviour.threshold": 0.3,
                                       "initial.committed": 10})
    assert_identical(run("numpy", scn, 25, rng=3, network=graph),
                     run("numba", scn, 25, rng=3, network=graph))


def test_a_household_with_more_than_65535_neighbours_is_counted_exactly(threshold_scenario):
    # A star of 70,000 leaves: the hub's counts do not fit 16 bits, so the kernel counts
    # action by action (the "wide" path).
    graph = nx.star_graph(70_000)
    scn = threshold_scenario.override({"behaviour.threshold": 0.5,
                                       "initial.committed": list(range(1, 40_001))})
    a = run("numpy", scn, 5, until_stable=True, rng=1, network=graph)
    b = run("numba", scn, 5, until_stable=True, rng=1, network=graph)
    assert b.network.wide
    assert_identical(a, b)
    assert b.population.acts[0, 0]  # 40,000 of 70,000 neighbours ≥ 0.5


def test_pairwise_sum_and_compound_totals_match_numpy_bit_for_bit():
    rng = np.random.default_rng(0)
    totals = kernels.kernel("compound_totals")
    for trial in range(200):
        n = int(rng.integers(200_000, 1_200_000)) if trial < 3 else int(rng.integers(1, 3000))
        cuts = np.sort(rng.choice(np.arange(1, n), size=min(int(rng.integers(0, 30)), n - 1),
                                  replace=False)) if n > 1 else np.zeros(0, dtype=np.int64)
        first = np.concatenate(([0], cuts)).astype(np.int64)
        sizes = np.diff(np.concatenate((first, [n]))).astype(np.int64)
        columns = tuple((rng.random(n) - 0.3) * rng.choice([1e-6, 1.0, 1e9]) for _ in range(4))
        want = np.add.reduceat(np.column_stack(columns), first, axis=0, dtype=np.float64)
        assert totals(columns, first, sizes).tobytes() == want.tobytes()
        whole = columns[0]
        assert kernels.kernel("cooperative_decisions") is not None
        assert kernels.pairwise_sum(whole, 0, n) == whole.sum()  # numpy's 1-D sum


def test_backend_is_chosen_by_environment_variable(monkeypatch):
    before = kernels.backend()
    try:
        monkeypatch.setenv(kernels.ENV_VAR, "numpy")
        assert kernels.set_backend(None) == "numpy"
        assert not kernels.compiled()
        monkeypatch.setenv(kernels.ENV_VAR, "numba")
        assert kernels.set_backend(None) == "numba"
        assert kernels.compiled()
        monkeypatch.delenv(kernels.ENV_VAR)
        assert kernels.set_backend(None) == "auto"
        monkeypatch.setenv(kernels.ENV_VAR, "fortran")
        with pytest.raises(ConfigError, match="SIM_KERNELS"):
            kernels.set_backend(None)
        with pytest.raises(ConfigError, match="auto, numba, numpy"):
            kernels.set_backend("cuda")
    finally:
        kernels.set_backend(before)


AUTO_CHOICE = """
import sys
import sim
from sim import kernels
base = sim.load_config({})  # baseline on the generic compound: 200 households per compound
for households in map(int, sys.argv[1:]):
    sim.CompoundModel(base.override({"community.groups.0.count": households // 200}), rng=1)
    print(int(kernels.compiled()), end="")
"""


@pytest.mark.parametrize(("sizes", "expected"), [
    ([200], "0"),  # one small model (sim run): never pays numba's start-up
    ([200, 200, 200], "011"),  # several models: compiled from the second on
    ([kernels.LARGE_MODEL], "1"),  # one large model: compiled at once
])
def test_auto_compiles_from_the_second_model_or_for_a_large_one(sizes, expected):
    out = subprocess.run([sys.executable, "-c", AUTO_CHOICE, *map(str, sizes)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, kernels.ENV_VAR: "auto"})
    assert out.stdout == expected


def test_counts_by_compound_match_numpy_for_any_width_and_split():
    rng = np.random.default_rng(1)
    count = kernels.kernel("count_by_compound")
    for trial in range(500):
        n = int(rng.integers(300_000, 600_000)) if trial < 2 else int(rng.integers(1, 2000))
        width = int(rng.integers(1, 9))
        values = rng.random((n, width)) < rng.random()
        cuts = np.sort(rng.choice(np.arange(1, n), size=min(int(rng.integers(0, 40)), n - 1),
                                  replace=False)) if n > 1 else np.zeros(0, dtype=np.int64)
        first = np.concatenate(([0], cuts)).astype(np.int64)
        sizes = np.diff(np.concatenate((first, [n]))).astype(np.int64)
        want = np.add.reduceat(values.view(np.uint8), first, axis=0,
                               dtype=np.int64).astype(np.float64)
        assert np.array_equal(count(values, first, sizes), want)
