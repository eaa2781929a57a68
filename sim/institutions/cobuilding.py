"""Huli's joint bodies: the co-building council and six-party linkage (seed 003).

The co-building council joins the compound's main groups as its decision body:
"湖里区创新搭建以党支部、业委会、物业公司、居民小组和社会组织为核心的“共建理事会”(见图1)
作为民主协商的载体和小区的决策机构". On major matters its representatives consult and propose,
the branch and the owners' committee review, the owners' congress representatives vote, the
decision is published and the council supervises it: "理事会代表要在广泛听取各方意见基础上
提出议案,交由党支部和业委会审核,再经业主大会代表会议讨论形成决议,并向全体居民公布,由理事会
对决议的执行实施监督". It also publishes the accounts: "通过公布财务收支情况、监督重大公共
事务进展等活动,履行对党支部、业委会和物业公司的日常监督功能".

Six-party linkage makes the branch the hub of the five other parties: "在小区党支部的辐辏和
带动下,把业主委员会、物业公司、社会组织、共建单位、居民小组等五个小区治理主体进行有机融合".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.institutions.committees import eligible_matters
from sim.selfgov import shift_trust

if TYPE_CHECKING:
    from sim.model import CompoundModel

Category = Literal["big", "small", "private"]


class CobuildingCouncilParams(Params):
    """Parameters of ``cobuilding_council``."""

    stage_months: int = Field(2, ge=0, le=120, description="Months a matter must have been "
                                                           "open before the council can put "
                                                           "it to the vote (consult, propose "
                                                           "and review take time); our "
                                                           "assumption.",
                              json_schema_extra={"prior": {"low": 1, "high": 3,
                                                           "source": "assumption"}})
    quorum: float = Field(0.05, ge=0, le=1, description="Share of households taking part in "
                                                        "the month needed for the owners' "
                                                        "congress representatives to adopt a "
                                                        "proposal; our assumption.",
                          json_schema_extra={"prior": {"low": 0.025, "high": 0.1,
                                                       "source": "assumption"}})
    categories: list[Category] = Field(["big", "small"], description="Categories of matters "
                                                                     "the council takes up "
                                                                     "(seed 003: 重大事项, "
                                                                     "major matters).")
    publish_trust_gain: float = Field(0.05, ge=0, le=1, description="Share of the gap to full "
                                                                    "trust closed for every "
                                                                    "household when the "
                                                                    "council publishes the "
                                                                    "accounts of a completed "
                                                                    "project; our assumption.",
                                      json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                                   "source": "assumption"}})
    council_deterrence: float = Field(0.5, ge=0, le=1, description="Share by which the "
                                                                   "council's supervision "
                                                                   "lowers the chance that "
                                                                   "the owners' committee "
                                                                   "misuses money (the larger "
                                                                   "of this and a supervisory "
                                                                   "committee's applies); our "
                                                                   "assumption.",
                                      json_schema_extra={"prior": {"low": 0.25, "high": 0.75,
                                                                   "source": "assumption"}})


class CobuildingCouncil(Institution[CobuildingCouncilParams]):
    """共建理事会: seed 003's joint decision body (consult → propose → review → vote → publish).

    Each month (as often as coordination efficiency allows) a council in a compound with no
    project under way and no approval pending takes up the oldest open matter of its
    categories once it has been open ``stage_months`` (the time to "广泛听取各方意见基础上提出
    议案,交由党支部和业委会审核"). The owners' congress representatives adopt it when the share of
    households taking part that month reaches ``quorum``; the approval goes to the owners'
    committee, which executes it (``owners_committee``; without one the approval lapses at
    month end). The council supervises execution (deterrence of misuse) and publishes the
    accounts of every completed project ("公布财务收支情况"), which builds trust.
    """

    name = "cobuilding_council"
    source = "003 (Huli): 以党支部、业委会、物业公司、居民小组和社会组织为核心的“共建理事会”"
    Params = CobuildingCouncilParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            writes=("selfgov.bodies.cobuilding_council",),
        ),
        after_decisions=Access(
            reads=("selfgov.bodies.cobuilding_council", "selfgov.deterrence", "selfgov.project",
                   "selfgov.approved", "selfgov.efficiency", "matters.open",
                   "population.decisions"),
            writes=("model.rng", "selfgov.deterrence", "selfgov.approved"),
        ),
        month_end=Access(
            reads=("selfgov.bodies.cobuilding_council", "selfgov.bodies.committee",
                   "selfgov.completed", "population.trust"),
            writes=("population.trust", "selfgov.approved"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """A council in every compound."""
        model.selfgov.bodies["cobuilding_council"][:] = True

    def after_decisions(self, model: CompoundModel) -> None:
        """Supervise the committee; meet and put a ripe matter to the representatives' vote."""
        p = self.params
        sg = model.selfgov
        body = sg.bodies["cobuilding_council"]
        # After the supervisory committee (before_decisions) and before misuse (committee).
        sg.deterrence = np.where(body, np.maximum(sg.deterrence, p.council_deterrence),
                                 sg.deterrence)
        free = body & ~sg.active() & (sg.approved < 0)
        meets = free & (model.runs.random(model.runs.compounds) < sg.efficiency)
        comps, pos = eligible_matters(model, meets, list(p.categories))
        if comps.size == 0:
            return
        # The oldest matter is the one open longest: if it is not ripe, none is.
        ripe = model.steps - model.matters.opened[pos] >= p.stage_months
        comps, pos = comps[ripe], pos[ripe]
        rate = model.compound_rates()["participation_rate"]
        adopted = rate[comps] >= p.quorum
        sg.approved[comps[adopted]] = model.matters.ids[pos[adopted]]

    def month_end(self, model: CompoundModel) -> None:
        """Publish the accounts of completed projects; drop approvals nobody executed."""
        p = self.params
        sg = model.selfgov
        body = sg.bodies["cobuilding_council"]
        shift_trust(model, sg.completed & body, p.publish_trust_gain)
        sg.approved[body & ~sg.bodies["committee"]] = -1


class SixPartyLinkageParams(Params):
    """Parameters of ``six_party_linkage``."""

    firm_cost_factor: float = Field(0.9, gt=0, le=2, description="Multiplies the property "
                                                                 "firm's fixed cost where a "
                                                                 "branch joins it in joint "
                                                                 "meetings (a responsive "
                                                                 "firm); our assumption.",
                                    json_schema_extra={"prior": {"low": 0.8, "high": 1.0,
                                                                 "source": "assumption"}})


class SixPartyLinkage(Institution[SixPartyLinkageParams]):
    """六方联动: the branch is the hub joining the five other parties.

    The branch joins the owners' committee, the property firm, social organisations,
    co-building units and residents' groups ("在小区党支部的辐辏和带动下 … 进行有机融合"). Where a
    branch exists, the compound's bodies keep k − 1 links through the hub instead of
    k(k − 1)/2 among themselves (:meth:`sim.selfgov.SelfGovernance.update_efficiency`), so
    stacking bodies costs less coordination (seed 004's remedy against the "意大利面條效應":
    integrate mechanisms under one hub). Joint meetings also make the firm responsive: its
    fixed cost is multiplied by ``firm_cost_factor`` where a branch exists. Without a branch
    there is no hub and the linkage does nothing.
    """

    name = "six_party_linkage"
    source = "003 (Huli): “六方联动”是小区党支部提出的创新小区治理的工作方法"
    Params = SixPartyLinkageParams
    replicate = axes(_linked="compound")
    contract = Contract(
        setup=Access(
            writes=("selfgov.hub",),
        ),
        before_decisions=Access(
            reads=("selfgov.bodies.branch", "compounds.firm_cost_factor"),
            writes=("compounds.firm_cost_factor",),
        ),
    )

    def __init__(self, model: CompoundModel, params: SixPartyLinkageParams) -> None:
        super().__init__(model, params)
        self._linked = np.zeros(model.n_compounds, dtype=bool)

    def setup(self, model: CompoundModel) -> None:
        """The branch is the hub wherever one exists."""
        model.selfgov.hub[:] = True

    def before_decisions(self, model: CompoundModel) -> None:
        """Apply the firm cost factor where a branch exists (branches form after setup)."""
        p = self.params
        branch = model.selfgov.bodies["branch"]
        if np.array_equal(branch, self._linked):
            return
        cost = model.compounds.firm_cost_factor
        cost[branch & ~self._linked] *= p.firm_cost_factor
        cost[self._linked & ~branch] /= p.firm_cost_factor
        self._linked = branch.copy()
