"""Checks that the two reference cascades implement the same dynamics.

Not collected by the project's default ``pytest`` run (``testpaths = ["tests"]``); run with
``.venv/bin/python -m pytest benchmarks/test_reference_models.py``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from reference_models import IdiomaticCascade, bare_cascade


def _both(
    graph: nx.Graph, phi: object, seeds: list[int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Run both references on the same input."""
    return IdiomaticCascade(graph, phi, seeds, rng=0).run(), bare_cascade(graph, phi, seeds)


@pytest.mark.parametrize("seeds", [[], [0]])
def test_granovetter_complete_graph_full_riot(seeds: list[int]) -> None:
    # Thresholds k/99 on K_100: each activation enables exactly the next household.
    graph = nx.complete_graph(100)
    phi = np.arange(100) / 99
    idiomatic, bare = _both(graph, phi, seeds)
    assert idiomatic == bare
    assert idiomatic[0] == 100


def test_granovetter_perturbed_stops_early() -> None:
    # Raising household 1's threshold from 1/99 to 2/99 stops the riot at household 0.
    graph = nx.complete_graph(100)
    phi = np.arange(100) / 99
    phi[1] = 2 / 99
    idiomatic, bare = _both(graph, phi, [])
    assert idiomatic == bare
    assert idiomatic[0] == 1


def test_isolated_nodes_never_activate_unless_seeded() -> None:
    graph = nx.empty_graph(5)
    idiomatic, bare = _both(graph, 0.0, [3])
    assert idiomatic == bare == (1, 1)


@pytest.mark.parametrize("graph_seed", range(8))
@pytest.mark.parametrize("phi", [0.1, 0.18, 0.25, 0.4])
def test_random_graphs_agree(graph_seed: int, phi: float) -> None:
    graph = nx.fast_gnp_random_graph(400, 4 / 399, seed=graph_seed)
    idiomatic, bare = _both(graph, phi, [0, 7])
    assert idiomatic == bare


def test_heterogeneous_thresholds_agree() -> None:
    rng = np.random.default_rng(3)
    graph = nx.watts_strogatz_graph(300, 6, 0.1, seed=3)
    phi = rng.uniform(0.0, 0.5, size=300)
    idiomatic, bare = _both(graph, phi, [0])
    assert idiomatic == bare
