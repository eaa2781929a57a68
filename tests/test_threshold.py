"""The threshold preset reduces the decision rule to Granovetter's linear threshold rule."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import sim


def cascade(scn: sim.Scenario, graph: nx.Graph, steps: int = 200, rng: int = 1) -> np.ndarray:
    model = sim.CompoundModel(scn, rng=rng, network=graph)
    model.run(steps, until_stable=True)
    return model.population.acts[:, 0].copy()


def test_granovetter_uniform_thresholds_everyone_acts(threshold_scenario):
    # Granovetter (1978): thresholds 0, 1, …, 99 people (k/99 of the 99 others) → all act.
    scn = threshold_scenario.override({"behaviour.threshold": [k / 99 for k in range(100)],
                                       "initial.committed": 0})
    assert cascade(scn, nx.complete_graph(100)).sum() == 100


def test_granovetter_moving_one_threshold_stops_the_riot(threshold_scenario):
    # Move the threshold-1 person to 2: only the instigator acts.
    thresholds = [k / 99 for k in range(100)]
    thresholds[1] = 2 / 99
    scn = threshold_scenario.override({"behaviour.threshold": thresholds, "initial.committed": 0})
    acts = cascade(scn, nx.complete_graph(100))
    assert acts.sum() == 1
    assert acts[0]


def test_cascade_takes_one_step_per_household(threshold_scenario):
    scn = threshold_scenario.override({"behaviour.threshold": [k / 99 for k in range(100)],
                                       "initial.committed": 0})
    model = sim.CompoundModel(scn, rng=1, network=nx.complete_graph(100))
    model.run(10)
    # After t months exactly the households with threshold < t/99 + tolerance act.
    assert model.population.acts[:, 0].sum() == 10


def test_isolated_households_never_act_unless_committed(threshold_scenario):
    graph = nx.empty_graph(10)
    scn = threshold_scenario.override({"behaviour.threshold": 0.0, "initial.committed": [3]})
    acts = cascade(scn, graph, steps=20)
    assert acts.tolist() == [i == 3 for i in range(10)]


def test_committed_count_is_drawn_and_always_acts(threshold_scenario):
    # Threshold 1 on a ring: nobody follows, the committed keep acting.
    scn = threshold_scenario.override({"behaviour.threshold": 1.0, "initial.committed": 5})
    model = sim.CompoundModel(scn, rng=7, network=nx.cycle_graph(50))
    model.run(20)
    assert model.population.acts[:, 0].sum() == 5
    assert np.array_equal(model.population.acts[:, 0], model.population.committed)


def test_threshold_distribution_is_drawn_from_the_model_generator(threshold_scenario):
    spec = {"dist": "normal", "mean": 0.25, "sd": 0.1, "clip": [0.0, 1.0]}
    scn = threshold_scenario.override({"behaviour.threshold": spec})
    a = sim.CompoundModel(scn, rng=3).population.threshold
    b = sim.CompoundModel(scn, rng=3).population.threshold
    c = sim.CompoundModel(scn, rng=4).population.threshold
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert abs(a.mean() - 0.25) < 0.03 and a.min() >= 0.0


@pytest.mark.parametrize("k", [1, 2, 3])
def test_thresholds_k_over_degree_are_exact(threshold_scenario, k):
    # Complete graph of 8: with k committed, the others see exactly k/7 acting: must count.
    n = 8
    graph = nx.complete_graph(n)
    thresholds = [k / (n - 1)] * n
    scn = threshold_scenario.override({"behaviour.threshold": thresholds,
                                       "initial.committed": list(range(k))})
    assert cascade(scn, graph).sum() == n
    scn = threshold_scenario.override({"behaviour.threshold": thresholds,
                                       "initial.committed": list(range(k - 1))})
    assert cascade(scn, graph).sum() == k - 1


def test_watts_cascade_matches_a_bare_loop(threshold_scenario):
    # Same cascade as a direct implementation of the rule on an Erdős–Rényi graph.
    n = 2000
    graph = nx.fast_gnp_random_graph(n, 4 / (n - 1), seed=11)
    scn = threshold_scenario.override({"behaviour.threshold": 0.18, "initial.committed": [0]})
    ours = cascade(scn, graph, steps=500)
    adj = nx.to_scipy_sparse_array(graph, format="csr")
    deg = np.asarray(adj.sum(axis=1)).ravel()
    x = np.zeros(n, dtype=bool)
    x[0] = True
    while True:
        share = np.divide(adj @ x.astype(float), deg, out=np.full(n, -1.0), where=deg > 0)
        new = (share >= 0.18 - 1e-9) | (np.arange(n) == 0)
        if np.array_equal(new, x):
            break
        x = new
    assert np.array_equal(ours, x)
