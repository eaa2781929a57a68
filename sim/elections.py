"""Residents choose the members of their bodies by reputation (群众评议, seed 000).

Seed 000 (Chongchuan): "通过群众评议出楼道长、邻里理事、业委会候选成员". When a body forms in a
compound (and again at the end of each term, ``elections.term_months``) its seats are filled
from the compound's candidates:

* the deliberation council (邻里理事), co-building council and social organisation: any
  household of the compound (one household, one vote, one possible seat);
* the owners' committee (业委会) and supervisory committee: owner households only (业主);
* stairwell leaders (楼道长): one per stairwell unit, among the unit's households;
* the party branch: its members are the registered party members (双报到), not elected;
* co-building units: outside organisations, no household members.

Choice rule: seats are filled one after another, each time a candidate with probability
∝ exp(``selectivity`` × reputation) among those not yet chosen (successive softmax, i.e.
Plackett–Luce). It is drawn in one pass with the Gumbel-top-k trick: key = selectivity ×
reputation + Gumbel noise, the ``seats`` highest keys win (Kool, van Hoof & Welling 2019,
"Stochastic beams and where to find them", ICML). Selectivity 0 is a uniform draw without
replacement. Reputation is ``population.reputation``, the household's standing among those
who know it, in [0, 1].

Who is chosen changes how the body works, through its members' mean public spirit s̄ compared
with the community mean μ (an assumed form, 1 at the mean so that a body of average members
works as before this module):

* ``selfgov.misuse_factor`` of the owners' committee = exp(−misuse_spirit × (s̄ − μ)) (lower
  spirit, more likely to divert money);
* ``selfgov.quality`` = exp(efficiency_spirit × (s̄ − μ)) over all elected members of the
  compound, which multiplies its coordination efficiency (capped at 1): the smallest channel,
  since efficiency already scales how often every body meets, decides and reaches households.

When both effects are 0, who sits changes nothing, and seats are filled without a draw (by
reputation, ties by household order): the model's random stream, and so every run, is then
exactly what it was without elections (the ``elections`` mechanism's switch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.population import OWNER
from sim.selfgov import BODIES, top_per_group

if TYPE_CHECKING:
    from sim.model import CompoundModel

ELECTED = ("council", "committee", "supervisory", "cobuilding_council", "social_org")
"""Bodies whose seats (``elections.seats.KIND``) are filled by the compound's choice."""
OWNERS_ONLY = ("committee", "supervisory")
"""Bodies whose candidates are owner households (业主)."""
PER_UNIT = ("leaders",)
"""Bodies with one seat per stairwell unit, chosen among the unit's households."""
APPOINTED = ("branch",)
"""Bodies whose members are the registered party members of the compound."""
KIND = {name: i for i, name in enumerate(BODIES)}
"""Row of each kind in ``selfgov.members`` and ``selfgov.elected_at``."""


def effects_on(model: CompoundModel) -> bool:
    """True if who sits on a body changes how it works (then seats are drawn)."""
    cfg = model.config.elections
    return cfg.misuse_spirit > 0 or cfg.efficiency_spirit > 0


def choose(model: CompoundModel, group: np.ndarray, candidates: np.ndarray,
           seats: np.ndarray) -> np.ndarray:
    """Fill ``seats[g]`` seats in each group g from ``candidates`` by reputation.

    Args:
        model: The model (its runs draw the Gumbel noise when :func:`effects_on`).
        group: Group of every household (compound or stairwell unit).
        candidates: Indices of the households that stand.
        seats: Seats to fill per group (0 where none).

    Returns:
        Indices of the chosen households (at most ``seats[g]`` per group, fewer if the group
        has fewer candidates).
    """
    candidates = candidates[seats[group[candidates]] > 0]
    if candidates.size == 0:
        return candidates
    key = model.config.elections.selectivity * model.population.reputation[candidates]
    if effects_on(model):
        key = key + model.runs.gumbel(model.runs.households[candidates])
    else:  # no draw: a stable order, by reputation then household
        local, size = model.runs.within(candidates)  # the run's own numbering
        key = key - local / (2.0 * size)
    g = group[candidates]
    return top_per_group(candidates, g, key, seats[g])


def elect(model: CompoundModel, kind: str, compounds: np.ndarray) -> None:
    """Choose the members of body ``kind`` in ``compounds`` (bool mask), replacing any.

    Sets ``selfgov.members[kind]`` for the households of those compounds and records the
    month in ``selfgov.elected_at``.
    """
    sg, pop = model.selfgov, model.population
    row = KIND[kind]
    inside = compounds[pop.compound]
    sg.members[row, inside] = False
    sg.elected_at[row, compounds] = model.steps
    if kind in APPOINTED:
        sg.members[row, inside & pop.registered] = True
        return
    if kind in PER_UNIT:
        n_units = int(pop.unit.max()) + 1 if pop.n else 0
        seats = np.zeros(n_units, dtype=np.int64)
        seats[pop.unit[inside]] = 1
        chosen = choose(model, pop.unit, np.flatnonzero(inside), seats)
    elif kind in ELECTED:
        stand = inside & (pop.tenure == OWNER) if kind in OWNERS_ONLY else inside
        seats = np.where(compounds, getattr(model.config.elections.seats, kind), 0)
        chosen = choose(model, pop.compound, np.flatnonzero(stand), seats)
    else:  # outside organisations: no household sits on them
        return
    sg.members[row, chosen] = True


def member_spirit(model: CompoundModel, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Mean public spirit of the members of the bodies ``rows``, and their count, per compound.

    A household on two bodies counts once.
    """
    sg, pop = model.selfgov, model.population
    sits = sg.members[rows].any(axis=0)
    idx = np.flatnonzero(sits)
    count = np.bincount(pop.compound[idx], minlength=sg.n)
    total = np.bincount(pop.compound[idx], weights=pop.public_spirit[idx], minlength=sg.n)
    mean = np.divide(total, count, out=np.zeros(sg.n), where=count > 0)
    return mean, count


def apply_quality(model: CompoundModel, runs: np.ndarray | None = None) -> None:
    """Set ``selfgov.misuse_factor`` and ``selfgov.quality`` from who was chosen.

    Both are exactly 1 in compounds without the body (or without elected members) and when
    the effect's parameter is 0. The community mean of public spirit is each run's own
    (over its households).

    Args:
        model: The model.
        runs: With several runs merged (:mod:`sim.replicates`), whose memberships changed
            (bool per run): only their compounds are set again, as each run alone would.
    """
    sg, cfg = model.selfgov, model.config.elections
    if not effects_on(model):
        return
    spirit_all = model.population.public_spirit
    if model.runs.n == 1:
        mu: float | np.ndarray = float(spirit_all.mean())
    else:  # each run's mean over its own households: one row of a reshaped array each
        mu = spirit_all.reshape(model.runs.n, -1).mean(axis=1)[model.runs.compounds]
    spirit, count = member_spirit(model, [KIND["committee"]])
    has = sg.bodies["committee"] & (count > 0)
    misuse = np.where(has, kernels.exp(-cfg.misuse_spirit * (spirit - mu)), 1.0)
    spirit, count = member_spirit(model, [KIND[k] for k in (*ELECTED, *PER_UNIT)])
    quality = np.where(count > 0, kernels.exp(cfg.efficiency_spirit * (spirit - mu)), 1.0)
    if runs is not None and model.runs.n > 1:
        again = runs[model.runs.compounds]
        misuse = np.where(again, misuse, sg.misuse_factor)
        quality = np.where(again, quality, sg.quality)
    sg.misuse_factor, sg.quality = misuse, quality


def update(model: CompoundModel, bodies_changed: bool = True) -> bool:
    """Hold the elections due this month; returns True if any membership changed.

    Args:
        model: The model.
        bodies_changed: False when no body formed or dissolved and no term ended since the
            last call (:func:`sim.bodies.sync` knows): only movers' seats are then looked at.

    A body that formed since the last call is elected; a body that dissolved loses its
    members; a body whose term (``elections.term_months``) is over is elected again; seats of
    households that moved out (``population.arrived``: a newcomer took the flat) fall vacant
    until the next election, and a newcomer who is a registered party member joins the branch.
    """
    sg, pop = model.selfgov, model.population
    term = model.config.elections.term_months
    changed = np.zeros(model.runs.n, dtype=bool)  # per run: whose memberships changed
    for kind, flags in sg.bodies.items() if bodies_changed else ():
        row = KIND[kind]
        was = sg.elected_at[row] >= 0
        due = flags & ~was
        if term > 0:
            due |= flags & was & (model.steps - sg.elected_at[row] >= term)
        gone = was & ~flags
        if gone.any():
            sg.members[row, gone[pop.compound]] = False
            sg.elected_at[row, gone] = -1
            changed |= model.runs.touched(gone)
        if due.any():
            elect(model, kind, due)
            changed |= model.runs.touched(due)
    arrived = pop.arrived
    if arrived.size and sg.members[:, arrived].any():
        seated = arrived[sg.members[:, arrived].any(axis=0)]
        sg.members[:, arrived] = False  # elected seats fall vacant
        changed[np.unique(model.runs.households[seated])] = True
    if arrived.size:  # a newcomer who is a registered party member joins the branch
        for kind in APPOINTED:
            sg.members[KIND[kind], arrived] = (sg.bodies[kind][pop.compound[arrived]]
                                               & pop.registered[arrived])
    if changed.any():
        apply_quality(model, changed)
    return bool(changed.any())
