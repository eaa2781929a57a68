"""The neighbour network: who sees whom act.

Built from the physical layout (seed 003 on 梯长制: the stairwell as "a
micro public space and network of relations"): dense ties inside a stairwell
unit, fewer across a building, a few long-range ties across the compound;
floating households keep fewer ties; ``acquaintance`` scales all ties,
moving a compound between 熟人 (acquaintances) and 陌生人 (strangers).

The network is built directly as a sparse matrix (a networkx graph of a
million households would not fit in memory); :func:`to_networkx` converts it
on request. A user-supplied networkx graph is converted once with
:func:`from_networkx`. Every random draw uses the model's generator.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:  # annotations only: sim.config builds on the institutions, which use this
    from sim.config import NetworkConfig


@dataclass
class Layout:
    """Where each household lives (all arrays have one entry per household).

    Attributes:
        compound: Compound index.
        building: Global building index.
        unit: Global stairwell-unit index.
        floating: Whether the household is floating population.
    """

    compound: np.ndarray
    building: np.ndarray
    unit: np.ndarray
    floating: np.ndarray

    @property
    def n(self) -> int:
        """Number of households."""
        return int(self.compound.size)


@dataclass
class Network:
    """Adjacency (CSR, symmetric, 0/1, no self-loops) and derived quantities.

    Attributes:
        adjacency: Sparse n × n matrix; ``adjacency @ x`` sums x over neighbours.
        degree: Number of neighbours of each household.
        unit_known: Share of the household's stairwell unit it is tied to,
            in [0, 1]; drives the visibility of its own choices.
        inverse_degree: 1 / degree, 0 for households without neighbours.
        isolated: Indices of households without neighbours.
    """

    adjacency: sp.csr_array
    degree: np.ndarray
    unit_known: np.ndarray

    def __post_init__(self) -> None:
        self.inverse_degree = 1.0 / np.maximum(self.degree, 1).astype(np.float64)
        self.inverse_degree[self.degree == 0] = 0.0
        self.isolated = np.flatnonzero(self.degree == 0)

    @functools.cached_property
    def tie_rows(self) -> np.ndarray:
        """Household each stored tie belongs to (the CSR row of each entry), sorted.

        Made on first use: only the compiled decision kernel (:mod:`sim.kernels`) loops over
        ties. int32 where it fits, to halve its memory.
        """
        return np.repeat(np.arange(self.degree.size, dtype=_row_dtype(self.degree.size)),
                         self.degree)

    @functools.cached_property
    def wide(self) -> bool:
        """Whether some household has 2¹⁶ or more neighbours (see :mod:`sim.kernels`)."""
        return bool(self.degree.size) and int(self.degree.max()) >= 2**16


def _row_dtype(n: int) -> type[np.signedinteger]:
    """Index type for household numbers: int32 where it fits (half the memory)."""
    return np.int32 if n < 2**31 else np.int64


def _runs(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each run of equal, contiguous ids (ids sorted)."""
    change = np.flatnonzero(np.diff(ids)) + 1
    starts = np.concatenate(([0], change))
    lengths = np.diff(np.concatenate((starts, [ids.size])))
    return starts, lengths


def _unit_pairs(unit: np.ndarray, p: float, rng: np.random.Generator) -> np.ndarray:
    """Each pair of households in one stairwell unit is tied with probability p."""
    if p <= 0:
        return np.empty((0, 2), dtype=np.int64)
    starts, lengths = _runs(unit)
    chunks = []
    for size in np.unique(lengths):
        if size < 2:
            continue
        offsets = starts[lengths == size]
        iu, ju = np.triu_indices(int(size), 1)
        keep = rng.random((offsets.size, iu.size)) < p
        rows, cols = np.nonzero(keep)
        chunks.append(np.column_stack((offsets[rows] + iu[cols], offsets[rows] + ju[cols])))
    return np.concatenate(chunks) if chunks else np.empty((0, 2), dtype=np.int64)


def _random_partners(group: np.ndarray, mean_ties: float,
                     rng: np.random.Generator) -> np.ndarray:
    """Each household draws Poisson(mean_ties) partners uniformly in its group."""
    if mean_ties <= 0:
        return np.empty((0, 2), dtype=np.int64)
    starts, lengths = _runs(group)
    start_of = np.repeat(starts, lengths)
    size_of = np.repeat(lengths, lengths)
    k = rng.poisson(mean_ties, group.size)
    src = np.repeat(np.arange(group.size), k)
    dst = start_of[src] + (rng.random(src.size) * size_of[src]).astype(np.int64)
    pairs = np.column_stack((src, dst))
    return pairs[pairs[:, 0] != pairs[:, 1]]


def expected_ties(households: int, units: int, floating_share: float,
                  cfg: NetworkConfig) -> tuple[int, float]:
    """Pairs :func:`build_network` draws for, and ties it keeps, in one compound.

    Cheap arithmetic (no drawing), for the memory check made before a model is
    built: every pair of households in a stairwell unit draws one random
    number, so a unit of s households costs s(s − 1)/2 draws whatever the tie
    probability; ties are the expected unit ties plus the building and compound
    partners, thinned by floating households (duplicates are not removed, so
    this is slightly more than the degree sum / 2).

    Args:
        households: Households of the compound.
        units: Its stairwell units (buildings × units per building).
        floating_share: Share of floating households.
        cfg: Tie parameters.

    Returns:
        ``(candidate pairs, expected ties)`` of the compound.
    """
    a = cfg.acquaintance
    size, larger = divmod(households, units)  # ``larger`` units hold size + 1
    candidates = 0
    if cfg.unit_tie_prob * a > 0:
        candidates = ((units - larger) * (size * (size - 1) // 2)
                      + larger * ((size + 1) * size // 2))
    keep = (1.0 - floating_share + floating_share * cfg.floating_tie_factor) ** 2
    ties = (cfg.unit_tie_prob * a * candidates
            + households * (cfg.building_ties + cfg.compound_ties) * a) * keep
    return candidates, ties


def build_network(layout: Layout, cfg: NetworkConfig, rng: np.random.Generator) -> Network:
    """Draw the neighbour network of a community from its layout.

    Args:
        layout: Household positions; households of a unit, building and
            compound must be contiguous.
        cfg: Tie parameters.
        rng: The model's generator.

    Returns:
        The network with degree and stairwell-unit acquaintance.
    """
    a = cfg.acquaintance
    unit_pairs = _unit_pairs(layout.unit, cfg.unit_tie_prob * a, rng)
    other = np.concatenate((
        _random_partners(layout.building, cfg.building_ties * a, rng),
        _random_partners(layout.compound, cfg.compound_ties * a, rng),
    ))
    pairs = np.concatenate((unit_pairs, other))
    # A tie survives each floating endpoint with probability floating_tie_factor.
    n_floating = layout.floating[pairs[:, 0]].astype(int) + layout.floating[pairs[:, 1]]
    keep = rng.random(pairs.shape[0]) < cfg.floating_tie_factor ** n_floating
    return _finish(pairs[keep], layout)


def _finish(pairs: np.ndarray, layout: Layout) -> Network:
    """Symmetrise, de-duplicate and derive degree and unit acquaintance."""
    n = layout.n
    rows = np.concatenate((pairs[:, 0], pairs[:, 1]))
    cols = np.concatenate((pairs[:, 1], pairs[:, 0]))
    # float32 counts neighbours exactly (below 2**24) and halves the memory traffic.
    adj = sp.csr_array((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n))
    adj.sum_duplicates()
    adj.data[:] = 1.0
    adj.eliminate_zeros()
    return _with_degrees(adj, layout)


def _with_degrees(adj: sp.csr_array, layout: Layout) -> Network:
    """Derive degree and unit acquaintance from a canonical 0/1 adjacency matrix."""
    n = layout.n
    degree = np.diff(adj.indptr).astype(np.int64)
    unit_size = np.bincount(layout.unit)[layout.unit]
    if unit_size.size and unit_size[0] == n:
        # One stairwell unit holds everybody (a graph without layout attributes): every
        # neighbour is in one's own unit, so the ties within it are all of one's ties.
        unit_ties = degree
    else:
        # Ties within one's own unit, counted on the de-duplicated matrix.
        coo_rows = np.repeat(np.arange(n), degree)
        same_unit = layout.unit[coo_rows] == layout.unit[adj.indices]
        unit_ties = np.bincount(coo_rows[same_unit], minlength=n)
    unit_known = np.where(unit_size > 1, unit_ties / np.maximum(unit_size - 1, 1), 0.0)
    return Network(adjacency=adj, degree=degree, unit_known=np.clip(unit_known, 0.0, 1.0))


def from_networkx(graph: nx.Graph, layout: Layout) -> Network:
    """Use a given networkx graph; nodes are households in ``list(graph.nodes)`` order.

    Self-loops and edge weights are ignored; directed graphs are symmetrised.
    The adjacency dictionaries are read directly (``number_of_edges`` and
    ``to_scipy_sparse_array`` are several times slower on large graphs).
    """
    nodes = list(graph.nodes)
    n = len(nodes)
    # networkx's own dict of neighbour dicts; the public ``graph.adj`` wraps every
    # inner dict in a view object, which triples the cost of reading it.
    adj = getattr(graph, "_adj", None) or graph.adj
    lengths = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
    flat = itertools.chain.from_iterable(adj.values())
    total = int(lengths.sum())
    if nodes == list(range(n)):
        cols = np.fromiter(flat, dtype=np.int64, count=total)
    else:
        index = {node: i for i, node in enumerate(nodes)}
        cols = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=total)
    rows = np.repeat(np.arange(n, dtype=_row_dtype(n)), lengths)
    if graph.is_directed():  # ties in either direction count: symmetrise and de-duplicate
        keep = rows != cols
        return _finish(np.column_stack((rows[keep], cols[keep])), layout)
    # An undirected graph lists each tie from both ends, once per end, so the neighbour
    # lists already are the rows of the symmetric adjacency matrix: drop self-loops, sort
    # each row, and skip the COO sort and de-duplication of _finish (same matrix).
    loops = rows == cols
    if loops.any():
        cols = cols[~loops]
        lengths = lengths - np.bincount(rows[loops], minlength=n)
        rows = rows[~loops]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    adj = sp.csr_array((np.ones(cols.size, dtype=np.float32), cols, indptr), shape=(n, n))
    adj.sort_indices()
    network = _with_degrees(adj, layout)
    network.tie_rows = rows  # sorting within rows leaves each tie's row as it is
    return network


def to_networkx(network: Network, layout: Layout) -> nx.Graph:
    """Convert to a networkx graph with ``compound``, ``building``, ``unit`` node attributes."""
    graph = nx.from_scipy_sparse_array(network.adjacency)
    for key in ("compound", "building", "unit", "floating"):
        values = getattr(layout, key)
        nx.set_node_attributes(graph, {i: values[i].item() for i in range(layout.n)}, key)
    return graph
