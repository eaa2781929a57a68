"""Bodies of self-governance as Mesa agents: a thin view on ``model.selfgov``.

Each body of each compound — party branch, deliberation council, owners' committee,
supervisory committee, co-building council, social organisation, co-building units,
stairwell leaders (names in :data:`sim.selfgov.BODIES`) — is one :class:`Body` agent while
it exists: created when its flag in ``selfgov.bodies`` turns on, removed (``agent.remove()``)
when it turns off. All of them are ``model.agents_by_type[Body]``; one class with a ``kind``
rather than a subclass per kind, because every kind is the same view (members, funds,
record) and Mesa's ``agents_by_type`` keys on the exact class, so one class lists every
body at once (``bodies(model, "committee")`` selects one kind).

Like :class:`sim.population.Resident`, a Body holds no state of its own: its members are
a row of ``selfgov.members`` (filled by :mod:`sim.elections`), its record is read from the
``selfgov`` arrays. :func:`sync` runs once a month after the institutions' month end (and
after set-up); when no flag changed, no term ended and nobody moved, it costs one byte
comparison.

The residents' committee (居委会) is not a Body: it serves the whole community, and the
model already has it as the :class:`~sim.institutions.government.Government` agent.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim import elections
from sim.selfgov import BODIES

if TYPE_CHECKING:
    from sim.model import CompoundModel

FUNDS_HELD = ("committee",)
"""Bodies that hold the compound's money (the ledger balance): the owners' committee."""


class Body(mesa.Agent):
    """One body of one compound (e.g. the owners' committee of compound 3).

    Attributes:
        kind: Its name in :data:`sim.selfgov.BODIES`.
        compound: Index of its compound.
    """

    def __init__(self, model: CompoundModel, kind: str, compound: int) -> None:
        super().__init__(model)
        self.kind = kind
        self.compound = compound
        self._row = elections.KIND[kind]

    @property
    def members(self) -> np.ndarray:
        """Household indices of its members (ascending)."""
        comps = self.model.compounds
        start = int(comps.first_household[self.compound])
        own = comps.members[start:start + int(comps.households[self.compound])]
        return np.sort(own[self.model.selfgov.members[self._row, own]])

    @property
    def elected_at(self) -> int:
        """Month its members were last chosen."""
        return int(self.model.selfgov.elected_at[self._row, self.compound])

    @property
    def funds(self) -> float | None:
        """Yuan it holds: the compound's ledger balance for the owners' committee, else None."""
        if self.kind not in FUNDS_HELD:
            return None
        return float(self.model.ledger.balance[self.compound])

    @property
    def decisions(self) -> dict[str, int]:
        """What it has under way, matter ids (−1 if none).

        ``project``: the matter of the compound's residents' project; ``approved``: the matter
        the deliberation council approved this month.
        """
        sg, c = self.model.selfgov, self.compound
        return {"project": int(sg.project[c]), "approved": int(sg.approved[c])}

    @property
    def record(self) -> dict[str, float]:
        """Its record, read from ``selfgov``.

        The compound's projects done, misuse found and yuan misused, and its members' mean
        public spirit and reputation (NaN with no member).
        """
        sg, c, pop = self.model.selfgov, self.compound, self.model.population
        who = self.members
        return {
            "projects_done": int(sg.projects_done[c]),
            "misuse_detected": int(sg.misuse_detected[c]),
            "misused_yuan": float(sg.misused_total[c]),
            "members_public_spirit": float(pop.public_spirit[who].mean()) if who.size
            else math.nan,
            "members_reputation": float(pop.reputation[who].mean()) if who.size else math.nan,
        }


def bodies(model: CompoundModel, kind: str | None = None,
           compound: int | None = None) -> list[Body]:
    """The Body agents of ``kind`` and/or ``compound`` (all when None), by kind then compound."""
    found = [agent for (k, c), agent in model.selfgov.agents.items()
             if (kind is None or k == kind) and (compound is None or c == compound)]
    return sorted(found, key=lambda a: (elections.KIND[a.kind], a.compound))


def _state(model: CompoundModel) -> bytes:
    return b"".join(flags.tobytes() for flags in model.selfgov.bodies.values())


def _next_election(model: CompoundModel) -> float:
    """The first month a term ends (inf with no term or no body)."""
    sg, term = model.selfgov, model.config.elections.term_months
    held = sg.elected_at[sg.elected_at >= 0]
    return float(held.min() + term) if term > 0 and held.size else math.inf


def sync(model: CompoundModel) -> None:
    """Bring members (:func:`sim.elections.update`) and Body agents in step with the flags.

    Creates an agent for each body that formed and removes the agent of each that dissolved.
    """
    sg = model.selfgov
    state = _state(model)
    quiet = (state == sg._agents_state and model.steps < sg._next_election
             and not model.population.arrived.size)
    if quiet:
        return
    formed = state != sg._agents_state or model.steps >= sg._next_election
    elections.update(model, formed)
    if not formed:
        return
    sg._next_election = _next_election(model)
    if state == sg._agents_state:
        return
    sg._agents_state = state
    agents: dict[tuple[str, int], Any] = sg.agents
    for kind in BODIES:
        flags = sg.bodies[kind]
        had = sg._agent_flags[kind]
        for c in np.flatnonzero(flags & ~had).tolist():
            agents[kind, c] = Body(model, kind, c)
        for c in np.flatnonzero(had & ~flags).tolist():
            agents.pop((kind, c)).remove()
        sg._agent_flags[kind] = flags.copy()
