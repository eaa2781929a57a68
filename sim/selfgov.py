"""Self-governance state of every compound: bodies, coordination, residents' projects.

Which bodies exist, how well they work together, and the residents' project that turns a
matter into pooled money and a repair.

Institutions (``sim/institutions/``) create bodies and act through this state; the model keeps
one :class:`SelfGovernance` per run. A *project* is seed 001's path for a small matter:
the deliberation council decides *whether* (办不办), the owners' committee decides *how*
(怎么办: price comparison, volunteer labour, pooled money 打平伙) and executes, the supervisory
committee checks *how well* (办得怎么样). One project runs per compound at a time.

Coordination (seed 004: "意大利面條效應", "機制擁堵"): with k bodies in a compound there are
k(k−1)/2 links to keep up, or k − 1 when a hub (the party branch under six-party linkage)
joins them; each link costs efficiency, and a branch and an owners' committee that are not
led by one person (一肩挑) add friction. The efficiency in (0, 1] scales how often bodies
meet, decide and reach households.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import kernels
from sim.arrays import isin, run_starts

if TYPE_CHECKING:
    from sim.model import CompoundModel

BODIES = ("branch", "council", "committee", "supervisory", "cobuilding_council", "social_org",
          "cobuilding_units", "leaders")
"""Bodies an institution can create in a compound (the firm counts too when present)."""


class SelfGovernance:
    """Bodies, coordination and residents' projects, one entry per compound.

    Attributes:
        bodies: Maps a name in :data:`BODIES` to a bool array over compounds.
        hub: Compounds whose bodies are joined by a hub (six-party linkage).
        one_shoulder: Compounds whose branch secretary chairs the owners' committee.
        efficiency: Coordination efficiency in (0, 1], updated monthly.
        project: Id of the matter a compound's project handles, −1 if none.
        project_cost: Money the project needs, yuan (after savings).
        project_collected: Pooled money collected so far, yuan.
        project_share: Yuan asked of each household that has not yet paid.
        project_start: Month the project started.
        project_funders: Yuan promised by others (government reward and co-building units)
            per compound; paid in on completion.
        project_reward: The government's part of ``project_funders``.
        paid: Households that paid their share of the current project.
        misuse_pending: Yuan misused and not yet found out, per compound.
        misused_total: Yuan misused so far, per compound.
        misuse_detected: Misuse cases found by supervision, per compound.
        projects_done: Projects completed, per compound.
        rules: ``(types, compounds)`` covenant rules adopted (一制管一事).
        grievance_relief: Extra monthly grievance decay (mediation), per compound.
        private_fix_bonus: Extra monthly probability of fixing private matters, per compound.
        government_handles_small: Government takes up small matters (no triage).
        big_speedup: Multiplies government's speed on big matters (社区减负 under triage).
        deterrence: Share by which supervision lowers the chance of misuse, per compound.
        matching_share: Share of a residents' project government pays on completion
            (以奖代补, reward instead of subsidy), per compound.
        cobuilding_share: Share of a residents' project co-building units pay on
            completion (共建单位认领), per compound.
        approved: Id of a matter the deliberation council approved this month, −1 if none.
        completed: Compounds whose project was completed this month.
        misuse_factor: Multiplies the owners' committee's monthly chance of diverting money,
            per compound (1 unless who sits on the committee changes it, :mod:`sim.elections`).
        quality: Multiplies coordination efficiency, per compound (1 unless who was elected
            changes it, :mod:`sim.elections`); the product is capped at 1.
        members: ``(len(BODIES), households)`` bool: who sits on each kind of body of their
            compound (:mod:`sim.elections` fills it; :class:`sim.bodies.Body` views a row).
        elected_at: ``(len(BODIES), compounds)`` month each body's members were last chosen,
            −1 where the body does not exist.
        agents: The :class:`sim.bodies.Body` agent of each ``(kind, compound)`` that exists
            (:func:`sim.bodies.sync` keeps it in step with :attr:`bodies`).
    """

    def __init__(self, model: CompoundModel) -> None:
        n_c = model.n_compounds
        self.n = n_c
        self.bodies = {name: np.zeros(n_c, dtype=bool) for name in BODIES}
        self.hub = np.zeros(n_c, dtype=bool)
        self.one_shoulder = np.zeros(n_c, dtype=bool)
        self.efficiency = np.ones(n_c)
        self._efficiency_state: bytes | None = None  # inputs of the last efficiency
        self.project = np.full(n_c, -1, dtype=np.int64)
        self.project_cost = np.zeros(n_c)
        self.project_collected = np.zeros(n_c)
        self.project_share = np.zeros(n_c)
        self.project_start = np.zeros(n_c, dtype=np.int64)
        self.project_funders = np.zeros(n_c)
        self.project_reward = np.zeros(n_c)
        self.paid = np.zeros(model.population.n, dtype=bool)
        self.misuse_pending = np.zeros(n_c)
        self.misused_total = np.zeros(n_c)
        self.misuse_detected = np.zeros(n_c, dtype=np.int64)
        self.projects_done = np.zeros(n_c, dtype=np.int64)
        self.rules = np.zeros((len(model.config.matters.types), n_c), dtype=bool)
        self.grievance_relief = np.zeros(n_c)
        self.private_fix_bonus = np.zeros(n_c)
        self.government_handles_small = True
        self.big_speedup = 1.0
        self.deterrence = np.zeros(n_c)
        self.matching_share = np.zeros(n_c)
        self.cobuilding_share = np.zeros(n_c)
        self.approved = np.full(n_c, -1, dtype=np.int64)
        self.completed = np.zeros(n_c, dtype=bool)
        self.misuse_factor = np.ones(n_c)
        self.quality = np.ones(n_c)
        self.members = np.zeros((len(BODIES), model.population.n), dtype=bool)
        self.elected_at = np.full((len(BODIES), n_c), -1, dtype=np.int64)
        self.agents: dict[tuple[str, int], Any] = {}
        self._agents_state: bytes | None = None  # body flags when the agents were last synced
        self._next_election = math.inf  # first month a term ends (sim.bodies.sync)
        self._agent_flags = {name: np.zeros(n_c, dtype=bool) for name in BODIES}

    # ------------------------------------------------------------------ coordination

    def body_count(self, model: CompoundModel) -> np.ndarray:
        """Number of bodies in each compound, the property firm included."""
        count = sum(b.astype(np.int64) for b in self.bodies.values())
        return count + model.compounds.firm_present.astype(np.int64)

    def update_efficiency(self, model: CompoundModel) -> None:
        """Recompute coordination efficiency from the bodies present.

        Efficiency depends only on which bodies and firms exist, the hub, 一肩挑 and the
        members' :attr:`quality`; it is recomputed only when one of them changed since the
        last call.
        """
        state = b"".join(flags.tobytes() for flags in (
            *self.bodies.values(), self.hub, self.one_shoulder, model.compounds.firm_present,
            self.quality))
        if state == self._efficiency_state:
            return
        self._efficiency_state = state
        cfg = model.config.coordination
        k = self.body_count(model)
        links = np.where(self.hub & self.bodies["branch"], np.maximum(k - 1, 0), k * (k - 1) / 2)
        eff = 1.0 / (1.0 + cfg.cost_per_link * links)
        both = self.bodies["branch"] & self.bodies["committee"] & ~self.one_shoulder
        self.efficiency = np.where(both, eff * (1.0 - cfg.friction), eff)
        if (self.quality != 1.0).any():  # who was elected (sim.elections); 1 leaves it exact
            self.efficiency = np.minimum(self.efficiency * self.quality, 1.0)

    # ------------------------------------------------------------------ projects

    def active(self) -> np.ndarray:
        """Compounds with a project under way."""
        return self.project >= 0

    def start(self, model: CompoundModel, compounds: np.ndarray, matter_ids: np.ndarray,
              costs: np.ndarray, shares: np.ndarray) -> None:
        """Start projects: each compound raises ``costs`` by asking ``shares`` per household.

        Government (``matching_share``) and co-building units (``cobuilding_share``)
        promise their parts of the cost, paid in when the project completes.
        """
        book = model.matters
        self.project[compounds] = matter_ids
        self.project_cost[compounds] = costs
        self.project_collected[compounds] = 0.0
        self.project_share[compounds] = shares
        self.project_start[compounds] = model.steps
        self.project_reward[compounds] = costs * self.matching_share[compounds]
        self.project_funders[compounds] = self.project_reward[compounds] + (
            costs * self.cobuilding_share[compounds])
        members = isin(model.population.compound, compounds)
        self.paid[members] = False
        book.in_project[isin(book.ids, matter_ids)] = True
        self.refresh_due(model)

    def stop(self, model: CompoundModel, compounds: np.ndarray) -> None:
        """End the projects of ``compounds`` (done or abandoned)."""
        book = model.matters
        book.in_project[isin(book.ids, self.project[compounds])] = False
        self.project[compounds] = -1
        self.project_share[compounds] = 0.0
        self.project_funders[compounds] = 0.0
        self.project_reward[compounds] = 0.0
        self.refresh_due(model)

    def drop_resolved_elsewhere(self, model: CompoundModel) -> None:
        """End projects whose matter someone else (firm, government, campaign) resolved."""
        active = np.flatnonzero(self.active())
        gone = active[~isin(self.project[active], model.matters.ids)]
        if gone.size:
            self.stop(model, gone)

    def refresh_due(self, model: CompoundModel) -> None:
        """Set the pooled share each household is asked on top of its fee."""
        if not self.active().any():
            model.compounds.extra_due = None
            return
        share = self.project_share[model.population.compound]
        model.compounds.extra_due = np.where(self.paid, 0.0, share)


def choose_households(model: CompoundModel, counts: np.ndarray,
                      priority: np.ndarray | None = None) -> np.ndarray:
    """Pick up to ``counts[c]`` households in each compound c, highest priority first.

    Args:
        model: The model (its runs' generators break ties at random).
        counts: Households to pick per compound (0 where none).
        priority: Optional score per household; higher is picked first.

    Returns:
        Indices of the chosen households.
    """
    pop = model.population
    want = counts[pop.compound]
    candidates = (want > 0).nonzero()[0]
    if candidates.size == 0:
        return candidates
    key = model.runs.random(model.runs.households[candidates])
    if priority is not None:
        key = key + priority[candidates]
    return top_per_group(candidates, pop.compound[candidates], key, want[candidates])


def top_per_group(items: np.ndarray, group: np.ndarray, key: np.ndarray,
                  want: np.ndarray) -> np.ndarray:
    """The items of highest ``key`` in each group, ``want`` of them (as many as there are).

    Args:
        items: Candidates (e.g. household indices).
        group: Group of each candidate (non-negative integers, e.g. compound).
        key: Score of each candidate; higher is taken first (finite).
        want: How many to take from the candidate's group, given per candidate.

    Returns:
        The chosen items, grouped by ascending group, best first within a group.
    """
    if items.size == 0:
        return items
    if items.size > 1 and bool((group[1:] >= group[:-1]).all()):  # groups contiguous
        out = np.empty(items.size, dtype=np.int64)
        taken = kernels.top_in_sorted_groups(group, np.ascontiguousarray(key, dtype=float),
                                             np.asarray(want, dtype=np.int64), out)
        return items[out[:taken]]
    # By group, then by descending key within it (ties by position). Exact: a combined key
    # group × span − key would round keys apart in large groups' numbers.
    order = np.lexsort((-key, group))
    ranked = items[order]
    group_sorted = group[order]
    starts = run_starts(group_sorted).nonzero()[0]
    first = np.repeat(starts, np.diff(np.concatenate((starts, [group_sorted.size]))))
    rank = np.arange(ranked.size) - first
    return ranked[rank < want[order]]


def mobilise(model: CompoundModel, households: np.ndarray, trust_gain: float = 0.0,
             dependence_cut: float = 0.0) -> None:
    """A visit: the household is mobilised, trusts a little more and relies a little less."""
    if households.size == 0:
        return
    pop = model.population
    pop.mobilisation[households] = 1.0
    model.compounds.mobilised = True
    if trust_gain:
        pop.trust[households] += trust_gain * (1.0 - pop.trust[households])
    if dependence_cut:
        pop.dependence[households] *= 1.0 - dependence_cut


def shift_trust(model: CompoundModel, compounds: np.ndarray, amount: float) -> None:
    """Move the trust of every household in ``compounds`` (mask) by ``amount`` of its room."""
    if not compounds.any() or amount == 0:
        return
    pop = model.population
    who = compounds[pop.compound]
    if amount > 0:
        pop.trust[who] += amount * (1.0 - pop.trust[who])
    else:
        pop.trust[who] *= 1.0 + amount
