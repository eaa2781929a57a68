"""The neighbour network (sim.network): layout-based ties, floating households, conversions."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

import sim
from sim.network import Layout, build_network, from_networkx, to_networkx
from sim.population import build_layout


def community(*, count: int = 1, households: int = 400, buildings: int = 10,
              units_per_building: int = 2, floating_share: float = 0.2,
              **network: float) -> sim.config.Community:
    """A one-group community with the given layout and network parameters."""
    scn = sim.load_config({
        "community": {
            "groups": [{"name": "g", "count": count, "households": households,
                        "buildings": buildings, "units_per_building": units_per_building,
                        "floating_share": floating_share}],
            "network": dict(network),
        },
        "design": {"institutions": {}},
    })
    return scn.community


def layout_and_network(comm: sim.config.Community, seed: int = 0) -> tuple[Layout, object]:
    rng = np.random.default_rng(seed)
    layout, _ = build_layout(comm, rng)
    return layout, build_network(layout, comm.network, rng)


def upper_pairs(adj: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    coo = sp.triu(sp.coo_array(adj), k=1).tocoo()
    return coo.row, coo.col


def small_layout(n: int) -> Layout:
    zeros = np.zeros(n, dtype=np.int64)
    return Layout(compound=zeros, building=zeros, unit=zeros, floating=np.zeros(n, dtype=bool))


# ----------------------------------------------------------------------------- structure


def test_ties_are_densest_in_a_stairwell_unit_then_building_then_compound():
    # 400 households, 10 buildings × 2 units of 20 households, nobody floating.
    # Expected densities at acquaintance 0.6: unit ≈ 0.7·0.6 = 0.42 plus ≈ 0.04 from
    # building partners drawn inside one's own unit; other units of the building ≈ 0.06;
    # rest of the compound ≈ 0.003. Margins of 3× between levels are far below the
    # expected ratios (≈ 7× and ≈ 20×) yet well above sampling noise (seeds 0–4 checked).
    comm = community(floating_share=0.0)
    layout, net = layout_and_network(comm, seed=1)
    i, j = upper_pairs(net.adjacency)
    same_unit = layout.unit[i] == layout.unit[j]
    same_bld = (layout.building[i] == layout.building[j]) & ~same_unit
    rest = ~same_unit & ~same_bld

    def pairs(ids: np.ndarray) -> int:
        sizes = np.bincount(ids)
        return int((sizes * (sizes - 1) // 2).sum())

    n = layout.n
    unit_pairs = pairs(layout.unit)
    bld_pairs = pairs(layout.building) - unit_pairs
    rest_pairs = n * (n - 1) // 2 - pairs(layout.building)
    d_unit = same_unit.sum() / unit_pairs
    d_bld = same_bld.sum() / bld_pairs
    d_rest = rest.sum() / rest_pairs
    assert 0.42 <= d_unit <= 0.52
    assert d_unit > 3 * d_bld
    assert d_bld > 3 * d_rest > 0


def test_floating_households_have_fewer_ties():
    # 5,000 households, 30 % floating, floating_tie_factor 0.4: a floating household's
    # expected degree is ≈ 0.4× a settled one's. Margin: require < 0.7× and a Welch t-test
    # p < 1e-10 (thousands of households per group, so the effect is unmistakable).
    comm = community(count=20, households=250, buildings=5, floating_share=0.3)
    layout, net = layout_and_network(comm, seed=2)
    floating = net.degree[layout.floating]
    settled = net.degree[~layout.floating]
    assert floating.mean() < 0.7 * settled.mean()
    assert stats.ttest_ind(floating, settled, equal_var=False).pvalue < 1e-10


def test_floating_makes_no_difference_when_ties_are_kept():
    # Control for the test above: with floating_tie_factor 1 the layout alone gives
    # floating and settled households the same expected degree (ratio within 10 %).
    comm = community(count=20, households=250, buildings=5, floating_share=0.3,
                     floating_tie_factor=1.0)
    layout, net = layout_and_network(comm, seed=2)
    ratio = net.degree[layout.floating].mean() / net.degree[~layout.floating].mean()
    assert ratio == pytest.approx(1.0, abs=0.1)


def test_acquaintance_zero_means_no_ties():
    _, net = layout_and_network(community(acquaintance=0.0), seed=3)
    assert net.adjacency.nnz == 0
    assert np.all(net.degree == 0)
    assert np.all(net.unit_known == 0.0)


def test_more_acquaintance_more_ties():
    _, low = layout_and_network(community(acquaintance=0.3), seed=4)
    _, high = layout_and_network(community(acquaintance=0.9), seed=4)
    # Expected mean degree scales roughly with acquaintance (×3 here); require ×2.
    assert high.degree.mean() > 2 * low.degree.mean() > 0


@pytest.mark.parametrize("seed", [0, 5])
def test_adjacency_is_symmetric_binary_without_self_loops(seed):
    comm = sim.load_config("heping_road").community
    _, net = layout_and_network(comm, seed=seed)
    adj = net.adjacency
    assert adj.shape == (comm.n_households, comm.n_households)
    assert (adj != adj.T).nnz == 0
    assert np.all(adj.data == 1.0)
    assert np.all(adj.diagonal() == 0)
    assert np.array_equal(net.degree, np.asarray(adj.sum(axis=1)).ravel().astype(int))


def test_unit_known_is_the_share_of_ones_unit_one_knows():
    comm = community(households=90, buildings=3, units_per_building=3)
    layout, net = layout_and_network(comm, seed=6)
    assert np.all((net.unit_known >= 0.0) & (net.unit_known <= 1.0))
    dense = net.adjacency.toarray()
    same_unit = layout.unit[:, None] == layout.unit[None, :]
    unit_size = np.bincount(layout.unit)[layout.unit]
    expected = (dense * same_unit).sum(axis=1) / (unit_size - 1)
    np.testing.assert_allclose(net.unit_known, expected)
    assert net.unit_known.max() > 0.5  # dense stairwell ties: some know most of their unit


def test_unit_known_is_zero_for_a_household_alone_in_its_unit():
    layout = Layout(compound=np.zeros(3, dtype=np.int64), building=np.zeros(3, dtype=np.int64),
                    unit=np.array([0, 1, 1]), floating=np.zeros(3, dtype=bool))
    net = from_networkx(nx.complete_graph(3), layout)
    np.testing.assert_allclose(net.unit_known, [0.0, 1.0, 1.0])


def test_same_seed_same_network_other_seed_other_network():
    comm = community()
    _, a = layout_and_network(comm, seed=11)
    _, b = layout_and_network(comm, seed=11)
    _, c = layout_and_network(comm, seed=12)
    assert (a.adjacency != b.adjacency).nnz == 0
    assert (a.adjacency != c.adjacency).nnz > 0


def test_model_network_is_reproducible_from_its_seed():
    m1 = sim.CompoundModel("generic_old_compound", rng=21)
    m2 = sim.CompoundModel("generic_old_compound", rng=21)
    assert (m1.network.adjacency != m2.network.adjacency).nnz == 0


# ----------------------------------------------------------------------------- networkx


def test_from_networkx_keeps_edges_in_node_order_with_string_labels():
    graph = nx.Graph()
    graph.add_nodes_from(["x", "y", "z", "w", "lonely"])
    graph.add_edge("x", "y", weight=5.0)  # weights are ignored
    graph.add_edge("y", "z")
    graph.add_edge("w", "x")
    graph.add_edge("z", "z")  # self-loop, ignored
    net = from_networkx(graph, small_layout(5))
    expected = np.zeros((5, 5))
    for u, v in [(0, 1), (1, 2), (3, 0)]:
        expected[u, v] = expected[v, u] = 1.0
    np.testing.assert_array_equal(net.adjacency.toarray(), expected)
    np.testing.assert_array_equal(net.degree, [2, 2, 1, 1, 0])


def test_from_networkx_symmetrises_a_directed_graph():
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "c")])
    net = from_networkx(graph, small_layout(3))
    dense = net.adjacency.toarray()
    np.testing.assert_array_equal(dense, dense.T)
    np.testing.assert_array_equal(dense, [[0, 1, 0], [1, 0, 1], [0, 1, 0]])


def test_model_accepts_a_graph_with_string_labels():
    base = nx.karate_club_graph()
    graph = nx.relabel_nodes(base, {v: f"hh-{v}" for v in base.nodes})
    graph.add_edge("hh-0", "hh-0")
    model = sim.CompoundModel({"design": {"institutions": {}}}, rng=1, network=graph)
    assert model.population.n == base.number_of_nodes()
    got = {tuple(sorted(e)) for e in model.graph().edges}
    want = {tuple(sorted(e)) for e in base.edges}
    assert got == want
    model.run(2)  # and the model runs on it


def test_to_networkx_round_trip_keeps_edges_and_layout_attributes():
    comm = sim.load_config("heping_road").community
    layout, net = layout_and_network(comm, seed=8)
    graph = to_networkx(net, layout)
    assert graph.number_of_nodes() == layout.n  # isolated households are kept
    i, j = upper_pairs(net.adjacency)
    assert {tuple(sorted(e)) for e in graph.edges} == set(zip(i.tolist(), j.tolist(),
                                                              strict=True))
    for key in ("compound", "building", "unit"):
        attrs = nx.get_node_attributes(graph, key)
        assert [attrs[v] for v in range(layout.n)] == getattr(layout, key).tolist()
    back = from_networkx(graph, layout)
    assert (back.adjacency != net.adjacency).nnz == 0
    np.testing.assert_array_equal(back.unit_known, net.unit_known)


def test_model_graph_round_trips_through_the_network_argument():
    model = sim.CompoundModel("generic_old_compound", rng=3)
    graph = model.graph()
    again = sim.CompoundModel("generic_old_compound", rng=4, network=graph)
    assert (again.network.adjacency != model.network.adjacency).nnz == 0
    np.testing.assert_array_equal(again.population.unit, model.population.unit)
    np.testing.assert_array_equal(again.population.building, model.population.building)


def test_graph_node_attributes_place_households():
    # Nodes carry compound and building attributes, interleaved (not contiguous).
    graph = nx.erdos_renyi_graph(60, 0.1, seed=1)
    for v in graph.nodes:
        graph.nodes[v]["compound"] = v % 3
        graph.nodes[v]["building"] = v % 6
    model = sim.CompoundModel({"design": {"institutions": {}}}, rng=1, network=graph)
    pop = model.population
    np.testing.assert_array_equal(pop.compound, np.arange(60) % 3)
    np.testing.assert_array_equal(pop.building, np.arange(60) % 6)
    np.testing.assert_array_equal(pop.unit, pop.building)  # unit defaults to building
    assert model.compounds.households.tolist() == [20, 20, 20]
    model.run(12)
    rates = model.compound_rates()["contribution_rate"]
    direct = np.bincount(pop.compound, weights=pop.action("contribute")) / 20
    np.testing.assert_allclose(rates, direct)


def test_graph_of_the_communitys_size_uses_the_communitys_layout():
    comm = sim.load_config("generic_old_compound").community
    graph = nx.path_graph(comm.n_households)
    model = sim.CompoundModel("generic_old_compound", rng=2, network=graph)
    reference = sim.CompoundModel("generic_old_compound", rng=2)
    np.testing.assert_array_equal(model.population.unit, reference.population.unit)
    np.testing.assert_array_equal(model.network.degree[1:-1], 2)


def test_compounds_smaller_than_their_stairwell_units_get_a_valid_network():
    comm = sim.load_config({"community": {"groups": [
        {"name": "tiny", "households": 3, "buildings": 4, "units_per_building": 2},
        {"name": "single", "households": 1, "count": 3},
        {"name": "normal", "households": 50},
    ]}, "design": {"institutions": {}}}).community
    layout, net = layout_and_network(comm, seed=3)
    assert layout.n == 56
    assert (net.adjacency != net.adjacency.T).nnz == 0
    assert np.all(net.degree[3:6] == 0)  # a household alone in its compound knows nobody
    # No tie crosses compounds.
    i, j = upper_pairs(net.adjacency)
    assert np.all(layout.compound[i] == layout.compound[j])


def test_from_networkx_builds_the_same_matrix_as_the_pairs_it_lists():
    # Undirected graphs take a direct CSR path; it must equal symmetrising the edge list.
    from sim.network import _finish

    rng = np.random.default_rng(4)
    for seed in range(40):
        n = int(rng.integers(1, 200))
        graph = nx.gnp_random_graph(n, float(rng.uniform(0.0, 0.1)), seed=seed)
        for _ in range(int(rng.integers(0, 4))):  # self-loops are ignored
            v = int(rng.integers(0, n))
            graph.add_edge(v, v)
        if seed % 3 == 0:
            graph = nx.relabel_nodes(graph, {v: f"h{(7 * v) % 1000}" for v in graph.nodes})
        units = rng.integers(0, 3, n) if seed % 2 else np.zeros(n, dtype=np.int64)
        layout = Layout(compound=np.zeros(n, dtype=np.int64), building=np.zeros(n, dtype=np.int64),
                        unit=np.unique(units, return_inverse=True)[1].astype(np.int64),
                        floating=np.zeros(n, dtype=bool))
        index = {v: i for i, v in enumerate(graph.nodes)}
        pairs = np.array([(index[u], index[v]) for u, v in graph.edges if u != v],
                         dtype=np.int64).reshape(-1, 2)
        fast, general = from_networkx(graph, layout), _finish(pairs, layout)
        for name in ("indptr", "indices", "data"):
            a, b = getattr(fast.adjacency, name), getattr(general.adjacency, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        for name in ("degree", "unit_known", "inverse_degree", "isolated"):
            assert getattr(fast, name).tobytes() == getattr(general, name).tobytes(), name
        rows = np.repeat(np.arange(n), fast.degree)
        assert np.array_equal(fast.tie_rows, rows) and np.array_equal(general.tie_rows, rows)
