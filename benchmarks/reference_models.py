"""Reference implementations of a synchronous linear-threshold cascade.

Two independent implementations of the *same* deterministic dynamics are kept here so the
benchmarks can time the project's model against them and check that all three give exactly
the same final cascade:

* :class:`IdiomaticCascade` is the way a Mesa 3 user would naturally write it: one
  ``CellAgent`` per household on a ``mesa.discrete_space.Network``, each agent looking at
  ``self.cell.neighborhood`` (the style of Mesa's own ``conways_game_of_life`` and
  ``virus_on_network`` examples). It is the "slow but obvious" baseline.
* :func:`bare_cascade` is the floor: a sparse matrix-vector product per step with no
  framework at all.

Dynamics (identical in both):

* ``x[i]`` is True when household ``i`` is active. At step 0 only the seeds are active.
* One step computes, from the *old* states only, each household's share of active
  neighbours ``share[i] = (#active neighbours) / degree``; the new state is
  ``share >= phi - 1e-9`` (the tolerance absorbs rounding of thresholds such as ``k / 99``),
  or'ed with the seed mask so committed households always stay active. Households with no
  neighbours have no share and never activate unless seeded.
* Steps repeat until a step changes nothing. ``steps`` counts every step executed,
  *including* the final step that found no change.

Because the update map is monotone and the seeds never switch off, the active set only grows,
so the loop ends after at most ``n + 1`` steps.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Cell, CellAgent, Network

#: Tolerance subtracted from thresholds so that ``k / d >= k / d`` survives rounding.
TOLERANCE = 1e-9

#: Thresholds: one value for everybody, or one value per node in ``graph.nodes`` order.
Thresholds = float | Sequence[float] | np.ndarray


def _per_node_thresholds(phi: Thresholds, n: int) -> np.ndarray:
    """Broadcast ``phi`` to a float array of length ``n``.

    Args:
        phi: A scalar threshold or one threshold per node.
        n: Number of nodes.

    Returns:
        A float64 array of shape ``(n,)``.

    Raises:
        ValueError: If a per-node sequence has the wrong length.
    """
    arr = np.asarray(phi, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"phi has shape {arr.shape}, expected a scalar or ({n},)")
    return arr


class ThresholdAgent(CellAgent):
    """A household that becomes active once enough of its neighbours are active.

    Attributes:
        phi: Activation threshold (share of active neighbours needed).
        committed: Seeded households are always active.
        active: Current state.
    """

    def __init__(self, model: IdiomaticCascade, cell: Cell, phi: float, committed: bool) -> None:
        super().__init__(model)
        self.cell = cell
        self.phi = phi
        self.committed = committed
        self.active = committed
        self._next_active = committed

    def determine_state(self) -> None:
        """Compute the next state from the neighbours' *current* states (phase 1 of a step)."""
        if self.committed:
            self._next_active = True
            return
        n_neighbours = 0
        n_active = 0
        for neighbour in self.cell.neighborhood.agents:
            n_neighbours += 1
            n_active += neighbour.active
        self._next_active = n_neighbours > 0 and n_active / n_neighbours >= self.phi - TOLERANCE

    def assume_state(self) -> bool:
        """Apply the state computed in :meth:`determine_state` (phase 2 of a step).

        Returns:
            True if the state changed, so the model can detect a stable configuration.
        """
        changed = self._next_active != self.active
        self.active = self._next_active
        return changed


class IdiomaticCascade(mesa.Model):
    """Linear-threshold cascade written the idiomatic Mesa 3 way.

    The network is wrapped in ``mesa.discrete_space.Network`` with ``layout=None``; the
    default spring layout would spend minutes computing coordinates nobody uses here.

    Attributes:
        grid: The Mesa network space, one cell per node of ``graph``.
        changed: Whether the last step changed any agent's state.
    """

    def __init__(
        self,
        graph: nx.Graph,
        phi: Thresholds,
        seeds: Iterable[Hashable],
        rng: int | np.random.Generator | None = None,
    ) -> None:
        """Build the space and one agent per node.

        Args:
            graph: Undirected graph; one household per node.
            phi: Threshold for everybody, or one per node in ``graph.nodes`` order.
            seeds: Node labels of committed households (always active).
            rng: Seed or generator for Mesa's random streams (the dynamics are deterministic;
                it only matters for Mesa's own bookkeeping).
        """
        super().__init__(rng=rng)
        nodes = list(graph.nodes)
        thresholds = _per_node_thresholds(phi, len(nodes))
        seed_set = set(seeds)
        missing = seed_set.difference(graph.nodes)
        if missing:
            raise ValueError(f"seeds not in graph: {sorted(missing, key=str)[:5]}")
        self.grid = Network(graph, layout=None, random=self.random)
        for node, node_phi in zip(nodes, thresholds, strict=True):
            ThresholdAgent(self, self.grid[node], float(node_phi), node in seed_set)
        self.changed = True

    def step(self) -> None:
        """One synchronous update: everybody decides from old states, then everybody applies."""
        self.agents.do("determine_state")
        self.changed = any(self.agents.map("assume_state"))
        self.running = self.changed

    @property
    def active_count(self) -> int:
        """Number of active households."""
        return sum(agent.active for agent in self.agents)

    def run(self, max_steps: int | None = None) -> tuple[int, int]:
        """Step until nothing changes.

        Args:
            max_steps: Safety cap; defaults to ``n + 1``, which the monotone dynamics never
                exceed.

        Returns:
            ``(final_active_count, steps)``, where ``steps`` includes the final no-change step.
        """
        cap = len(self.agents) + 1 if max_steps is None else max_steps
        steps = 0
        while self.running and steps < cap:
            self.step()
            steps += 1
        return self.active_count, steps


def graph_to_csr(graph: nx.Graph) -> tuple[object, np.ndarray, list[Hashable]]:
    """Convert a graph to an unweighted CSR adjacency matrix in ``graph.nodes`` order.

    Args:
        graph: Undirected simple graph.

    Returns:
        ``(A, degree, nodelist)`` with ``A`` a ``scipy.sparse`` CSR array of float64 ones.
    """
    nodelist = list(graph.nodes)
    adjacency = nx.to_scipy_sparse_array(
        graph, nodelist=nodelist, weight=None, dtype=np.float64, format="csr"
    )
    degree = np.diff(adjacency.indptr).astype(np.float64)
    return adjacency, degree, nodelist


def bare_cascade_matrix(
    adjacency: object,
    degree: np.ndarray,
    phi: Thresholds,
    seed_mask: np.ndarray,
    max_steps: int | None = None,
) -> tuple[int, int]:
    """Run the cascade on a prepared adjacency matrix (the "steps only" part).

    Args:
        adjacency: ``(n, n)`` sparse adjacency with entries 1.0.
        degree: Number of neighbours per node.
        phi: Threshold for everybody or one per node.
        seed_mask: Boolean mask of committed nodes.
        max_steps: Safety cap; defaults to ``n + 1``.

    Returns:
        ``(final_active_count, steps)``, where ``steps`` includes the final no-change step.
    """
    n = degree.shape[0]
    cutoff = _per_node_thresholds(phi, n) - TOLERANCE
    has_neighbours = degree > 0
    share = np.zeros(n)
    x = seed_mask.copy()
    cap = n + 1 if max_steps is None else max_steps
    steps = 0
    while steps < cap:
        np.divide(adjacency @ x.astype(np.float64), degree, out=share, where=has_neighbours)
        new = ((share >= cutoff) & has_neighbours) | seed_mask
        steps += 1
        if np.array_equal(new, x):
            break
        x = new
    return int(x.sum()), steps


def bare_cascade(graph: nx.Graph, phi: Thresholds, seeds: Iterable[Hashable]) -> tuple[int, int]:
    """Run the cascade with plain scipy, graph-to-matrix conversion included.

    The conversion is deliberately inside this function: the project's model is also handed a
    ``networkx`` graph and has to convert it, so timing this function is a like-for-like floor.

    Args:
        graph: Undirected simple graph; one household per node.
        phi: Threshold for everybody, or one per node in ``graph.nodes`` order.
        seeds: Node labels of committed households.

    Returns:
        ``(final_active_count, steps)``, where ``steps`` includes the final no-change step.
    """
    adjacency, degree, nodelist = graph_to_csr(graph)
    index = {node: i for i, node in enumerate(nodelist)}
    seed_mask = np.zeros(len(nodelist), dtype=bool)
    seed_mask[[index[s] for s in seeds]] = True
    return bare_cascade_matrix(adjacency, degree, phi, seed_mask)
