"""Reminders at fixed moments (固定环节的告知提示制度): moving in and renovating.

Seed 000 (Chongchuan): "二是固定环节的告知提示制度。在居民迁户入住、装修、通过社区平台办理事务、
邻里社工定期走访等环节对居民进行针对性的告知提示。" The compound reminds a household of its rules
at the moments when it is most likely to break them, not on a monthly round: when it moves in
(a newcomer of :mod:`sim.turnover`, who does not know the rules yet) and when it renovates its
flat (装修, the seed's example of a violation: "装修时建筑垃圾未能袋装化").

A reminder acts as a visit does, through mobilisation: the reminded household's
``population.mobilisation`` rises to ``strength`` (never falls), so in the decision rule its
utility of every cooperative action, complying included, rises by w_mobilisation × strength
this month, and the effect fades at ``behaviour.learning.mobilisation_decay``. That a reminder
works like a visit is our assumption; the seed names the moments, not the size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.model import CompoundModel


class RemindersParams(Params):
    """Parameters of ``reminders``."""

    renovation_rate: float = Field(0.004, ge=0, le=1, description="Monthly probability that a "
                                                                  "household renovates its "
                                                                  "flat (装修) and is reminded "
                                                                  "of the rules; about once in "
                                                                  "20 years, our assumption.",
                                   json_schema_extra={"label_zh": "住户每月装修的概率",
                                                      "prior": {"low": 0.002, "high": 0.008,
                                                                "source": "assumption"}})
    at_move_in: bool = Field(True, description="Remind every household that moves in "
                                               "(迁户入住).")
    strength: float = Field(1.0, ge=0, le=1, description="Mobilisation a reminder gives the "
                                                         "household (a door-to-door visit gives "
                                                         "1); 0 switches reminders off (告知提示"
                                                         "的动员强度).",
                            json_schema_extra={"label_zh": "告知提示的动员强度",
                                               "prior": {"low": 0.5, "high": 1.0,
                                                         "source": "assumption"}})


class Reminders(Institution[RemindersParams]):
    """告知提示: a reminder of the rules when a household moves in or renovates.

    Each month, before households decide, every newcomer (``population.arrived``, when
    ``at_move_in``) and every household that starts renovating (one draw per household
    with ``renovation_rate``) is reminded: its mobilisation rises to ``strength``. With
    ``strength`` 0 nothing is drawn and nothing changes, so the run is the run without the
    institution.
    """

    name = "reminders"
    source = "000 (Chongchuan): 固定环节的告知提示制度 (迁户入住、装修)"
    Params = RemindersParams
    replicate = axes(reminded="household id", renovating="household id")
    contract = Contract(
        before_decisions=Access(
            reads=("population.arrived", "population.mobilisation"),
            writes=("model.rng", "population.mobilisation", "compounds.mobilised"),
        ),
    )

    def __init__(self, model: CompoundModel, params: RemindersParams) -> None:
        super().__init__(model, params)
        self.reminded = np.zeros(0, dtype=np.int64)  # this month's, for inspection
        self.renovating = np.zeros(0, dtype=np.int64)

    def before_decisions(self, model: CompoundModel) -> None:
        """Remind the households that moved in or started renovating this month."""
        p = self.params
        pop = model.population
        if p.strength <= 0:
            return
        runs = model.runs
        self.renovating = (np.flatnonzero(runs.random(runs.households) < p.renovation_rate)
                           if p.renovation_rate > 0 else np.zeros(0, dtype=np.int64))
        who = self.renovating
        if p.at_move_in and pop.arrived.size:
            who = np.union1d(who, pop.arrived)
        self.reminded = who
        if who.size == 0:
            return
        pop.mobilisation[who] = np.maximum(pop.mobilisation[who], p.strength)
        model.compounds.mobilised = True
