"""Households: their state in numpy arrays, and the Mesa agents that view it.

One household (户) is one fee and one vote (一户一票). All household state
lives in arrays of the :class:`Population` (structure of arrays) so that the
monthly decision of every household is one vectorised update. ``Resident``
and ``PartyMember`` are Mesa agents whose attributes read and write those
arrays, so Mesa's agent APIs (``model.agents``, ``AgentSet.select``, agent
reporters) still work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import networkx as nx
import numpy as np

from sim import kernels
from sim.distributions import draw
from sim.errors import ConfigError
from sim.network import Layout

if TYPE_CHECKING:  # annotations only: sim.config builds on the institutions, which use this
    from sim.config import Community, Scenario
    from sim.model import CompoundModel

ACTIONS = ("contribute", "comply", "volunteer", "participate")
"""Cooperative actions, in the column order of ``Population.acts``."""

OWNER, RENTER, FLOATING = 0, 1, 2
TENURE_NAMES = ("owner", "renter", "floating")


def build_layout(community: Community, rng: np.random.Generator) -> tuple[Layout, np.ndarray]:
    """Place households in compounds, buildings and stairwell units.

    Households of a compound are split as evenly as possible over its
    buildings and units. Returns the layout and the group index of each
    compound.
    """
    compound, building, unit, group_of_compound = [], [], [], []
    n_comp = n_bld = n_unit = 0
    for g_idx, g in enumerate(community.groups):
        units = g.buildings * g.units_per_building
        sizes = np.full(units, g.households // units)
        sizes[: g.households % units] += 1
        unit_local = np.repeat(np.arange(units), sizes)
        bld_local = unit_local // g.units_per_building
        comp_local = np.arange(g.count)
        compound.append(np.repeat(comp_local + n_comp, g.households))
        building.append((bld_local[None, :] + (comp_local[:, None] * g.buildings + n_bld)).ravel())
        unit.append((unit_local[None, :] + (comp_local[:, None] * units + n_unit)).ravel())
        group_of_compound.append(np.full(g.count, g_idx))
        n_comp += g.count
        n_bld += g.count * g.buildings
        n_unit += g.count * units
    comp = np.concatenate(compound)
    groups = np.concatenate(group_of_compound)
    share = np.array([g.floating_share for g in community.groups])[groups][comp]
    floating = rng.random(comp.size) < share
    layout = Layout(compound=comp, building=np.concatenate(building),
                    unit=_compact(np.concatenate(unit)), floating=floating)
    return layout, groups


def _compact(ids: np.ndarray) -> np.ndarray:
    """Renumber ids to 0..k-1, keeping contiguity (empty units vanish)."""
    _, inverse = np.unique(ids, return_inverse=True)
    return inverse.astype(np.int64)


def layout_for_graph(graph: nx.Graph, community: Community,
                     rng: np.random.Generator) -> tuple[Layout, np.ndarray]:
    """Layout for a user-supplied graph.

    Nodes are households in ``list(graph.nodes)`` order. If every node has
    integer ``compound`` (and optionally ``building``, ``unit``) attributes
    they are used and each compound takes the first group's properties; else
    if the graph has exactly the community's number of households the
    community's layout is used; else all households form one compound, one
    building, one stairwell unit with the first group's properties.
    """
    n = graph.number_of_nodes()
    nodes = list(graph.nodes)
    attrs = graph.nodes
    if n and all("compound" in attrs[v] for v in nodes):
        comp = _compact(np.array([int(attrs[v]["compound"]) for v in nodes]))
        bld = _compact(np.array([int(attrs[v].get("building", attrs[v]["compound"]))
                                 for v in nodes]))
        unt = _compact(np.array([int(attrs[v].get("unit", attrs[v].get("building",
                                                                       attrs[v]["compound"])))
                                 for v in nodes]))
        groups = np.zeros(int(comp.max()) + 1, dtype=int)
    elif n == community.n_households:
        return build_layout(community, rng)
    else:
        comp = bld = unt = np.zeros(n, dtype=np.int64)
        groups = np.zeros(1, dtype=int)
    share = np.array([g.floating_share for g in community.groups])[groups][comp]
    floating = rng.random(n) < share
    return Layout(compound=comp, building=bld, unit=unt, floating=floating), groups


class Population:
    """State of every household, one array entry per household.

    Attributes:
        compound, building, unit: Where the household lives.
        tenure: 0 owner, 1 renter, 2 floating.
        party: Household has a party member; ``registered``: that member has
            reported to the compound (双报到).
        ability: Disposable income, yuan per month.
        public_spirit, face_sensitivity, threshold: Fixed traits.
        trust, dependence, grievance, reputation, mobilisation, satisfaction:
            Beliefs and feelings in [0, 1] that change monthly.
            ``reputation`` (声誉) is the household's standing among those who know it:
            1 known to pay and keep the rules, 0 known to default and break them, 0.5
            (the start, and a newcomer's) not yet known either way. It moves toward what
            those who see the household saw it do, at the learning rate × visibility, and
            toward its neighbours' standing by gossip
            (:func:`sim.kernels.update_reputation`); paying and complying weigh it
            (:mod:`sim.behaviour`), and whoever chooses among residents by standing reads it.
        committed: Households that always act (threshold preset).
        acts: ``(n, 4)`` bool, this month's cooperative actions in
            :data:`ACTIONS` order (a view of ``decisions``).
        petition: Petitioned this month (a view of ``decisions``).
        decisions: ``(n, 5)`` bool, the four actions and petitioning, kept in
            one block so that per-compound rates are one reduction.
        cost_per_yuan: Utility cost of one yuan for the household,
            1 / (ability × burden_unit).
        arrived: Flats a newcomer moved into this month (:mod:`sim.turnover`), sorted.
    """

    def __init__(self, scenario: Scenario, layout: Layout, groups: np.ndarray,
                 rng: np.random.Generator) -> None:
        community = scenario.community
        n = layout.n
        self.n = n
        self.compound = layout.compound
        self.building = layout.building
        self.unit = layout.unit
        group_of = groups[layout.compound]
        self.group = group_of
        traits = draw_traits(scenario, group_of, layout.floating, rng)
        self.tenure = traits["tenure"]
        self.party = traits["party"]
        self.registered = traits["registered"]
        self.ability = traits["ability"]
        self.cost_per_yuan = traits["cost_per_yuan"]
        self.public_spirit = traits["public_spirit"]
        self.face_sensitivity = traits["face_sensitivity"]
        self.threshold = traits["threshold"]
        self.trust = traits["trust"]
        self.dependence = traits["dependence"]
        self.arrived = np.zeros(0, dtype=np.int64)  # households that moved in this month
        self.grievance = np.zeros(n)
        self.reputation = np.full(n, 0.5)
        self.mobilisation = np.zeros(n)
        condition = np.array([community.groups[g].condition for g in groups])
        self.satisfaction = condition[layout.compound]  # no grievance yet
        self.committed = _committed(scenario.initial.committed, n, rng)
        shares = scenario.initial.acting
        init = np.array([shares.contribute, shares.comply, shares.volunteer, shares.participate])
        self.decisions = np.zeros((n, len(ACTIONS) + 1), dtype=bool)
        self.acts = rng.random((n, len(ACTIONS))) < init
        self.acts[self.committed] = True

    @property
    def acts(self) -> np.ndarray:
        """This month's cooperative actions, ``(n, 4)``; assigning copies into place."""
        return self.decisions[:, : len(ACTIONS)]

    @acts.setter
    def acts(self, value: np.ndarray) -> None:
        self.decisions[:, : len(ACTIONS)] = value

    @property
    def petition(self) -> np.ndarray:
        """Whether each household petitioned this month; assigning copies into place."""
        return self.decisions[:, len(ACTIONS)]

    @petition.setter
    def petition(self, value: np.ndarray) -> None:
        self.decisions[:, len(ACTIONS)] = value

    def action(self, name: str) -> np.ndarray:
        """Column of ``acts`` for one action name."""
        return self.acts[:, ACTIONS.index(name)]

    def renew(self, scenario: Scenario, index: np.ndarray, floating: np.ndarray,
              condition: np.ndarray, rng: np.random.Generator) -> None:
        """Newcomers move into the flats ``index``: traits drawn anew, a stranger's state.

        Used by :mod:`sim.turnover`. Traits come from :func:`draw_traits` (the draws of
        creation); beliefs and feelings are those of a household at month 0 — trust and
        dependence drawn, no grievance, the initial reputation, not mobilised, satisfied
        with the compound's present condition — and this month's actions are drawn from
        ``initial.acting`` as at month 0 (committed flats act, as drawn at creation: the
        flag belongs to the flat, as ``initial.committed`` names household ids).

        Args:
            scenario: The scenario.
            index: Flats whose household moves out, sorted, without repeats.
            floating: Whether each newcomer is floating population.
            condition: Condition of every compound now.
            rng: The model's generator.
        """
        traits = draw_traits(scenario, self.group[index], floating, rng, index)
        for name, values in traits.items():
            getattr(self, name)[index] = values
        self.grievance[index] = 0.0
        self.reputation[index] = 0.5
        self.mobilisation[index] = 0.0
        self.satisfaction[index] = condition[self.compound[index]]
        shares = scenario.initial.acting
        init = np.array([shares.contribute, shares.comply, shares.volunteer, shares.participate])
        acts = rng.random((index.size, len(ACTIONS))) < init
        acts[self.committed[index]] = True
        self.acts[index] = acts
        self.petition[index] = False


TRAITS = ("tenure", "party", "registered", "ability", "cost_per_yuan", "public_spirit",
          "face_sensitivity", "threshold", "trust", "dependence")
"""What :func:`draw_traits` draws for a household, when it is created or moves in."""


def draw_traits(scenario: Scenario, group_of: np.ndarray, floating: np.ndarray,
                rng: np.random.Generator, index: np.ndarray | None = None
                ) -> dict[str, np.ndarray]:
    """Draw the traits of :data:`TRAITS` for households, as at creation.

    The one rule for a household's traits: :class:`Population` draws them for every
    household when the model is built, and :mod:`sim.turnover` for the newcomers who move
    into a flat, with the same draws in the same order.

    Args:
        scenario: The scenario (``population``, ``behaviour.threshold``, the community).
        group_of: Compound group of each household drawn.
        floating: Whether each household drawn is floating population.
        rng: The model's generator.
        index: Which households of the population these are, or ``None`` for all of them;
            a trait given as a list with one value per household takes these entries.

    Returns:
        Each trait's values, one per household drawn.
    """
    community, pop, beh = scenario.community, scenario.population, scenario.behaviour
    n = group_of.size
    g_attr = _group_arrays(community, group_of)
    owner = rng.random(n) < g_attr["owner_share"]
    out: dict[str, np.ndarray] = {}
    out["tenure"] = np.where(floating, FLOATING, np.where(owner, OWNER, RENTER)).astype(np.int8)
    out["party"] = rng.random(n) < g_attr["party_share"]
    out["registered"] = out["party"] & (rng.random(n) < pop.party_registered_share)
    out["ability"] = g_attr["ability_median"] * kernels.exp(rng.normal(0.0, pop.ability_sigma, n))
    out["cost_per_yuan"] = 1.0 / (out["ability"] * beh.burden_unit)

    def trait(spec: Any, field: str, bounds: tuple[float, float]) -> np.ndarray:
        if index is not None and isinstance(spec, list):  # one value per household
            return np.asarray(spec, dtype=float)[index]
        return draw(spec, n, rng, field, bounds)

    spirit = trait(pop.public_spirit, "population.public_spirit", (0.0, 1.0))
    spirit = spirit + pop.floating_spirit_shift * floating
    spirit = spirit + pop.party_spirit_shift * out["party"]
    out["public_spirit"] = np.clip(spirit, 0.0, 1.0)
    out["face_sensitivity"] = trait(pop.face_sensitivity, "population.face_sensitivity",
                                    (0.0, 10.0))
    out["threshold"] = trait(beh.threshold, "behaviour.threshold", (0.0, 1.0))
    out["trust"] = trait(pop.trust, "population.trust", (0.0, 1.0))
    out["dependence"] = trait(pop.dependence, "population.dependence", (0.0, 1.0))
    return out


def _group_arrays(community: Community, group_of: np.ndarray) -> dict[str, np.ndarray]:
    """Per-household copies of the group attributes traits are drawn from."""
    keys = ("owner_share", "party_share", "ability_median")
    table = {k: np.array([getattr(g, k) for g in community.groups], dtype=float) for k in keys}
    return {k: v[group_of] for k, v in table.items()}


def _committed(spec: int | list[int], n: int, rng: np.random.Generator) -> np.ndarray:
    """Mask of committed households from a count or a list of ids."""
    mask = np.zeros(n, dtype=bool)
    if isinstance(spec, int):
        if spec > n:
            raise ConfigError("initial.committed", f"count must be ≤ {n} households (got {spec})")
        mask[rng.choice(n, size=spec, replace=False)] = True
    else:
        ids = np.asarray(spec, dtype=np.int64)
        if ids.size and ids.max() >= n:
            raise ConfigError("initial.committed", f"household ids must be 0–{n - 1} "
                                                   f"(got {int(ids.max())})")
        mask[ids] = True
    return mask


class _Field:
    """Descriptor exposing one population array entry as an agent attribute."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.model.population, self.name)[agent.index].item()

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.model.population, self.name)[agent.index] = value


class Resident(mesa.Agent):
    """A household (户): a thin Mesa view on one row of the population arrays.

    Reading or writing an attribute such as ``trust`` reads or writes the
    array entry, so agent-level code and the vectorised monthly update see
    the same state. Households do not step individually: the model updates
    all of them at once.
    """

    compound = _Field()
    building = _Field()
    unit = _Field()
    tenure = _Field()
    ability = _Field()
    public_spirit = _Field()
    face_sensitivity = _Field()
    threshold = _Field()
    trust = _Field()
    dependence = _Field()
    grievance = _Field()
    reputation = _Field()
    mobilisation = _Field()
    satisfaction = _Field()
    committed = _Field()
    petition = _Field()

    def __init__(self, model: CompoundModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def contributes(self) -> bool:
        """Paid its fee or pooled share this month."""
        return bool(self.model.population.acts[self.index, 0])

    @property
    def complies(self) -> bool:
        """Committed no violation this month."""
        return bool(self.model.population.acts[self.index, 1])

    @property
    def volunteers(self) -> bool:
        """Gave volunteer labour this month."""
        return bool(self.model.population.acts[self.index, 2])

    @property
    def participates(self) -> bool:
        """Took part in deliberation this month."""
        return bool(self.model.population.acts[self.index, 3])


class PartyMember(Resident):
    """A household with a party member (党员中心户).

    ``registered`` says whether the member has reported to the home compound
    (双报到); institutions such as a party branch count registered members.
    """

    registered = _Field()


def create_agents(model: CompoundModel) -> None:
    """Create one Resident or PartyMember agent per household."""
    party = model.population.party
    for i in range(model.population.n):
        (PartyMember if party[i] else Resident)(model, i)
