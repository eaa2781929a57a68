"""The residents' covenant (居民公约): each settled matter becomes a rule.

Seed 001: "一事一议、一议一制、一制管一事" and "把解决'小事'的方法在广泛征求群众意见的基础上形成制度
固定下来,纳入小区居民公约,大家共同遵守". Seed 000 (Chongchuan) calls the covenant the compound's
constitution and relies on it as part of the internal pressure mechanism.

When residents settle a matter of some type through their own bodies, the compound adopts
a rule for that type: that kind of matter recurs less often there, and the norm on the
action the rule is about (paying for lights, not building illegally, …) grows stronger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.population import ACTIONS

if TYPE_CHECKING:
    from sim.model import CompoundModel

SETTLED_BY = ("residents",)
"""Handlers whose resolutions count as residents settling a matter."""


class CovenantParams(Params):
    """Parameters of ``covenant``."""

    recurrence_cut: float = Field(0.5, ge=0, le=1, description="Share by which a rule lowers "
                                                               "the arrival rate of its matter "
                                                               "type in the compound.",
                                  json_schema_extra={"prior": {"low": 0.25, "high": 0.75,
                                                               "source": "assumption"}})
    norm_step: float = Field(0.15, ge=0, le=5, description="Utility added to the rule's action "
                                                           "per rule adopted.",
                             json_schema_extra={"prior": {"low": 0.075, "high": 0.225,
                                                          "source": "assumption"}})
    norm_max: float = Field(0.6, ge=0, le=10, description="Largest total utility rules add to "
                                                          "one action.",
                            json_schema_extra={"prior": {"low": 0.3, "high": 0.9,
                                                         "source": "assumption"}})


class Covenant(Institution[CovenantParams]):
    """居民公约: 一事一议、一议一制、一制管一事."""

    name = "covenant"
    source = "001 (Nan'an): 一事一议、一议一制、一制管一事; 000 (Chongchuan): 居民公约"
    Params = CovenantParams
    replicate = axes(_added="compound")
    contract = Contract(
        month_end=Access(
            reads=("matters.resolved", "selfgov.rules", "matters.rate_factor", "compounds.norm"),
            writes=("selfgov.rules", "matters.rate_factor", "compounds.norm"),
        ),
    )

    def __init__(self, model: CompoundModel, params: CovenantParams) -> None:
        super().__init__(model, params)
        self._added = np.zeros((model.n_compounds, len(ACTIONS)))  # this covenant's own norm

    def month_end(self, model: CompoundModel) -> None:
        """Adopt a rule for each matter type residents settled this month."""
        p = self.params
        comps, kinds = model.matters.resolved_in(model.steps, SETTLED_BY)
        if comps.size == 0:
            return
        sg = model.selfgov
        new = ~sg.rules[kinds, comps]
        comps, kinds = comps[new], kinds[new]
        if comps.size == 0:
            return
        pairs = np.unique(np.column_stack((kinds, comps)), axis=0)
        kinds, comps = pairs[:, 0], pairs[:, 1]
        sg.rules[kinds, comps] = True
        model.matters.rate_factor[kinds, comps] *= 1.0 - p.recurrence_cut
        actions = np.array([ACTIONS.index(t.rule_action) for t in model.config.matters.types])
        # norm_max caps what the rules add, not what other institutions put in the norm.
        before = self._added.copy()
        np.add.at(self._added, (comps, actions[kinds]), p.norm_step)
        np.minimum(self._added, p.norm_max, out=self._added)
        model.compounds.norm += self._added - before
