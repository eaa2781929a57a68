"""Turnover (搬离与迁入): households move out, newcomers move into the same flat as strangers.

Issue 12, item 8. Old compounds are not closed populations: renters and floating households
(流动人口) leave and others arrive. Each month, before anything else happens, every household
moves out with the monthly probability of its tenure (``turnover.owner``, ``turnover.renter``,
``turnover.floating``; :data:`sim.population.TENURE_NAMES`) — one draw per household, one
vectorised comparison ``rng.random(n) < rate[tenure]``. A household that moves out is replaced
at once, in the same flat, by a newcomer (the number of households per compound is fixed):

* its traits are drawn anew with the draws of creation (:func:`sim.population.draw_traits`;
  floating or not with its group's ``floating_share``);
* it arrives a stranger (:meth:`sim.population.Population.renew`): trust and dependence as
  drawn at creation, no grievance, the initial reputation (nobody knows it yet), not
  mobilised, satisfied with the compound as it is now; this month's actions as at month 0;
* the flat keeps its ties. Ties in :mod:`sim.network` are drawn by location (stairwell,
  building, compound), so the newcomer has the neighbours of its flat; what it is *known*
  for is reset (its reputation), not who lives next to it. Visibility stays that of the
  flat (its degree and stairwell acquaintance), which is a simplification: a newcomer is
  seen by the neighbours next door but has no record with them.

Per-household state of institutions that would leak from the old household to the new one
is cleared here (grep for arrays of size ``population.n``): ``selfgov.paid`` (the newcomer
has not paid its share of the compound's current project, so it is asked for it;
``compounds.extra_due`` is refreshed accordingly). Matters stay: a household-scope matter is
a matter of the flat. The decision rule's constants (:class:`sim.behaviour.RuleConstants`,
from public spirit and face sensitivity) are derived again when someone moved.

Rates 0 draw nothing, so a run is bit-identical to one before turnover existed (a test,
``tests/test_turnover.py``). Cost: one uniform draw per household per month and O(movers)
work besides, plus one O(n) derivation of the rule's constants in a month with movers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import behaviour

if TYPE_CHECKING:
    from sim.model import CompoundModel

_NONE = np.zeros(0, dtype=np.int64)


def rates(model: CompoundModel) -> np.ndarray:
    """Monthly move-out probability per tenure, in the order of ``TENURE_NAMES``."""
    t = model.config.turnover
    return np.array([t.owner, t.renter, t.floating])


def move(model: CompoundModel) -> np.ndarray:
    """This month's moves: households move out and newcomers move into their flats.

    Sets ``population.arrived`` to the flats a newcomer moved into (sorted) and returns it.
    With every rate 0 nothing is drawn.
    """
    pop = model.population
    rate = rates(model)
    if not rate.any():
        pop.arrived = _NONE
        return pop.arrived
    movers = np.flatnonzero(model.runs.random(model.runs.households) < rate[pop.tenure])
    pop.arrived = movers
    if movers.size == 0:
        return movers
    groups = model.config.community.groups
    share = np.array([g.floating_share for g in groups])[pop.group[movers]]
    floating = model.runs.random(model.runs.households[movers]) < share
    # One chain of draws for the newcomers, each run's from its own generator (sim.runs).
    pop.renew(model.config, movers, floating, model.compounds.condition,
              model.runs.generator(model.runs.households[movers]))
    _clear_institution_state(model, movers)
    model.rule = behaviour.RuleConstants.derive(model)  # public spirit, face sensitivity
    return movers


def _clear_institution_state(model: CompoundModel, movers: np.ndarray) -> None:
    """Forget what institutions hold about the households that left (see module docstring)."""
    sg = model.selfgov
    if sg.paid[movers].any():
        sg.paid[movers] = False
        sg.refresh_due(model)
