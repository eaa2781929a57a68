"""Society in the compound: social organisations and co-building units.

Seed 003 (Huli) gives social organisations two roles, services and the coordination of
interests: "小区律师和小区调解员的形成,承接了原本司法部门的司法援助和纠纷化解等职能" and
"将小区居民间的矛盾纠纷化解在小区内部"; the compound's volunteers work under their own
rules ("在小区内部自主制定《小区志愿者章程》等协约"). Outside units sign co-building agreements
and adopt the compound's service projects: "湖里区492家驻区机关、事业单位、企业、社会团体、
社工组织等与小区党支部签订共建协议,认领小区服务项目892个".

Seed 004 (Pujiang) warns that most registered organisations do nothing:
"登記在冊并能有效參與社區治理的社會組織不足10%" and "近一半社會組織對蒲江縣政府的依附性較強".

* ``social_organisation`` — mediation settles private matters (disputes, leaks) sooner and
  lets grievance fade faster; volunteer teams make volunteering more attractive.
* ``cobuilding_units`` — pay a share of every residents' project, and now and then adopt
  (认领) an open matter outright and pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.arrays import run_starts
from sim.institutions.base import Access, Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.model import CompoundModel

CO_BUILDING = "co_building"
"""Ledger source and matter-log handler of co-building units."""


class SocialOrganisationParams(Params):
    """Parameters of ``social_organisation``."""

    mediation: float = Field(0.1, ge=0, le=1, description="Extra monthly probability that a "
                                                          "household's private matter is "
                                                          "settled (小区调解员), at full "
                                                          "coordination efficiency; our "
                                                          "assumption.",
                             json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                          "source": "assumption"}})
    relief: float = Field(0.02, ge=0, le=1, description="Extra share of grievance that fades "
                                                        "per month (disputes settled inside "
                                                        "the compound), at full coordination "
                                                        "efficiency; our assumption.",
                          json_schema_extra={"prior": {"low": 0.01, "high": 0.03,
                                                       "source": "assumption"}})
    volunteer_norm: float = Field(0.161, ge=0, le=5, description="Utility added to "
                                                                 "volunteering by organised "
                                                                 "volunteer teams "
                                                                 "(《小区志愿者章程》); the prior "
                                                                 "is our assumption, the "
                                                                 "default its posterior median "
                                                                 "under huli_six_party's "
                                                                 "volunteering bound.",
                                  json_schema_extra={"prior": {
                                      "low": 0.15, "high": 0.45, "source": "assumption",
                                      "calibrated": "plausible.yaml (Xiamen's bound), "
                                                    "huli_six_party; docs/calibration.md"}})
    effective_share: float = Field(1.0, ge=0, le=1, description="Share of compounds whose "
                                                                "organisation actually works "
                                                                "(drawn at setup); 1 for a "
                                                                "design that cultivates them; "
                                                                "seed 004 reports under 0.1 "
                                                                "(不足10%).",
                                   json_schema_extra={"prior": {"low": 0.1, "high": 1.0,
                                                                "source": "seed 004: "
                                                                          "能有效參與社區治理"
                                                                          "的社會組織不足10% "
                                                                          "(the low end: no "
                                                                          "cultivation)",
                                                                "default_source":
                                                                    "assumption"}})


class SocialOrganisation(Institution[SocialOrganisationParams]):
    """社会组织: mediation and volunteer teams inside the compound.

    A social organisation is registered in every compound, but only in a share
    ``effective_share`` of them does it work (seed 004: "登記在冊并能有效參與社區治理的社會組織
    不足10%"). Where it works, its mediators settle private matters and disputes inside the
    compound (seed 003: "将小区居民间的矛盾纠纷化解在小区内部"), which lets grievance fade
    faster, and its volunteer teams make volunteering more attractive (a norm term). Mediation
    reaches households as often as coordination allows, so its monthly effect is scaled by the
    compound's coordination efficiency. A registered organisation that does not work still
    counts as a body, adding coordination links (seed 004's "機制擁堵").
    """

    name = "social_organisation"
    source = "003 (Huli): 小区律师和小区调解员; 004 (Pujiang): 有效參與社區治理的社會組織不足10%"
    Params = SocialOrganisationParams
    replicate = axes(active="compound", _fix="compound", _relief="compound")
    contract = Contract(
        setup=Access(
            reads=("compounds.norm",),
            writes=("model.rng", "selfgov.bodies.social_org", "compounds.norm"),
        ),
        before_decisions=Access(
            reads=("selfgov.bodies.social_org", "selfgov.efficiency", "selfgov.private_fix_bonus",
                   "selfgov.grievance_relief"),
            writes=("selfgov.private_fix_bonus", "selfgov.grievance_relief"),
        ),
    )

    def __init__(self, model: CompoundModel, params: SocialOrganisationParams) -> None:
        super().__init__(model, params)
        self.active = np.zeros(model.n_compounds, dtype=bool)
        self._fix = np.zeros(model.n_compounds)
        self._relief = np.zeros(model.n_compounds)

    def setup(self, model: CompoundModel) -> None:
        """Register an organisation everywhere; draw where it works; add volunteer norms."""
        p = self.params
        sg = model.selfgov
        sg.bodies["social_org"][:] = True
        self.active = model.rng.random(sg.n) < p.effective_share
        model.compounds.norm[:, 2] += np.where(self.active, p.volunteer_norm, 0.0)

    def before_decisions(self, model: CompoundModel) -> None:
        """Mediation this month, scaled by coordination efficiency where the body works."""
        p = self.params
        sg = model.selfgov
        reach = np.where(self.active & sg.bodies["social_org"], sg.efficiency, 0.0)
        fix, relief = p.mediation * reach, p.relief * reach
        sg.private_fix_bonus += fix - self._fix
        sg.grievance_relief += relief - self._relief
        self._fix, self._relief = fix, relief


class CobuildingUnitsParams(Params):
    """Parameters of ``cobuilding_units``."""

    share: float = Field(0.3, ge=0, le=1, description="Share of the cost of a residents' "
                                                      "project that co-building units pay on "
                                                      "completion; our assumption.",
                         json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                      "source": "assumption"}})
    adopt_rate: float = Field(0.05, ge=0, le=1, description="Monthly probability that a unit "
                                                            "adopts (认领) an open big or small "
                                                            "matter of the compound, at full "
                                                            "coordination efficiency; our "
                                                            "assumption (seed 003: 892 "
                                                            "projects adopted by 492 units "
                                                            "over several years).",
                              json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                           "source": "assumption"}})


class CobuildingUnits(Institution[CobuildingUnitsParams]):
    """共建单位: outside units that pay part of residents' projects and adopt matters.

    Government offices, public institutions, firms and associations near the compound sign
    co-building agreements with its branch (seed 003: "与小区党支部签订共建协议,认领小区服务
    项目892个"). Two effects:

    * they promise ``share`` of the cost of every residents' project (paid in on completion
      through the owners' committee, as ``co_building`` money);
    * each month, with probability ``adopt_rate`` × coordination efficiency, a unit adopts the
      compound's most expensive open big or small matter that no residents' project handles,
      pays for it (``co_building`` in the ledger) and resolves it (handler ``co_building``).
    """

    name = "cobuilding_units"
    source = "003 (Huli): 签订共建协议,认领小区服务项目892个"
    Params = CobuildingUnitsParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            writes=("selfgov.bodies.cobuilding_units", "selfgov.cobuilding_share"),
        ),
        after_decisions=Access(
            reads=("selfgov.bodies.cobuilding_units", "selfgov.efficiency", "matters.open",
                   "ledger.accounts"),
            writes=("model.rng", "matters.open", "matters.resolved", "ledger.accounts"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Units in every compound; they promise a share of residents' projects."""
        p = self.params
        sg = model.selfgov
        sg.bodies["cobuilding_units"][:] = True
        sg.cobuilding_share[:] = p.share

    def after_decisions(self, model: CompoundModel) -> None:
        """Adopt and pay for the most expensive open public matter in some compounds."""
        p = self.params
        sg, book = model.selfgov, model.matters
        adopting = sg.bodies["cobuilding_units"] & (
            model.runs.random(model.runs.compounds) < p.adopt_rate * sg.efficiency)
        if not adopting.any() or book.n_open == 0:
            return
        public = book.category != book.category_index("private")
        pos = np.flatnonzero(adopting[book.compound] & public & ~book.in_project)
        if pos.size == 0:
            return
        # Most expensive first within each compound; the first of each compound is adopted.
        order = np.lexsort((-book.cost[pos], book.compound[pos]))
        pos = pos[order]
        comp = book.compound[pos]
        pos = pos[run_starts(comp)]
        amounts = np.bincount(book.compound[pos], weights=book.cost[pos], minlength=sg.n)
        model.ledger.deposit(CO_BUILDING, amounts)
        model.ledger.spend("matters", amounts)
        mask = np.zeros(book.n_open, dtype=bool)
        mask[pos] = True
        book.resolve(mask, model.steps, CO_BUILDING)
