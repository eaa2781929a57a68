"""Property firms under party building and how compounds get a firm.

Seed 003 (Huli) builds "red" firms and owners' committees: "打造“红色物业”“红色业委会”、党员
先锋队等". Seed 002 (Heping Road, Kunming) names bringing in a firm as one of its three
difficulties and solves it through the former work-unit owners of the courtyards:
"聯系社區樓院產權單位結合“三供一業”改造,引入物業管理公司參與社區治理".

* ``red_property_firm`` — party building lowers the firm's overhead and makes it stay
  longer when collection falls, before it walks away (弃管).
* ``firm_introduction`` — in compounds without a firm, an owners' committee whose residents
  pay hires one, and a former work-unit owner brings one into its dormitory courtyards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim import firm
from sim.institutions.base import Access, Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.model import CompoundModel


class RedPropertyFirmParams(Params):
    """Parameters of ``red_property_firm``."""

    cost_factor: float = Field(0.8, gt=0, le=2, description="Multiplies the firm's fixed cost "
                                                            "(party-building support lowers "
                                                            "overhead); our assumption.",
                               json_schema_extra={"prior": {"low": 0.6, "high": 1.0,
                                                            "source": "assumption"}})
    patience_bonus: int = Field(12, ge=0, le=600, description="Extra consecutive loss months "
                                                              "a red firm bears before it "
                                                              "exits; our assumption.",
                                json_schema_extra={"prior": {"low": 6, "high": 18,
                                                             "source": "assumption"}})


class RedPropertyFirm(Institution[RedPropertyFirmParams]):
    """红色物业: property firms led by party members, cheaper to run and slower to leave.

    Every firm serving the community, now or later, is "red" (seed 003: "打造“红色物业”"):
    its fixed staff and overhead cost is multiplied by ``cost_factor`` and it bears
    ``patience_bonus`` more months of low collection before it exits. Red firms are marked
    ``red=True`` on their :class:`~sim.firm.PropertyFirm` agents.
    """

    name = "red_property_firm"
    source = "003 (Huli): 打造“红色物业”“红色业委会”"
    Params = RedPropertyFirmParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            reads=("compounds.firm_cost_factor", "compounds.firm_patience_bonus", "model.firms"),
            writes=("compounds.firm_cost_factor", "compounds.firm_patience_bonus", "firms.red"),
        ),
        month_end=Access(
            reads=("model.firms",),
            writes=("firms.red",),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Lower the firm's cost and raise its patience in every compound; mark firms red."""
        p = self.params
        comps = model.compounds
        comps.firm_cost_factor *= p.cost_factor
        comps.firm_patience_bonus += p.patience_bonus
        self.mark(model)

    def month_end(self, model: CompoundModel) -> None:
        """Firms that entered this month are red too."""
        self.mark(model)

    @staticmethod
    def mark(model: CompoundModel) -> None:
        """Mark every firm serving now as red."""
        for agent in model.firms:
            agent.red = True


class FirmIntroductionParams(Params):
    """Parameters of ``firm_introduction``."""

    committee_rate: float = Field(0.1, ge=0, le=1, description="Monthly probability that an "
                                                               "owners' committee hires a firm "
                                                               "once collection is high "
                                                               "enough, at full coordination "
                                                               "efficiency; our assumption.",
                                  json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                               "source": "assumption"}})
    committee_min_collection: float = Field(0.8, ge=0, le=1, description="Share of households "
                                                                         "paying, averaged "
                                                                         "over the last 6 "
                                                                         "months, an owners' "
                                                                         "committee needs "
                                                                         "before it hires a "
                                                                         "firm; our "
                                                                         "assumption.",
                                            json_schema_extra={"prior": {"low": 0.7, "high": 0.9,
                                                                         "source": "assumption"}})
    work_unit_rate: float = Field(0.03, ge=0, le=1, description="Monthly probability that a "
                                                                "former work-unit owner brings "
                                                                "a firm into its compound; our "
                                                                "assumption.",
                                  json_schema_extra={"prior": {"low": 0.015, "high": 0.045,
                                                               "source": "assumption"}})
    work_unit_min_collection: float = Field(0.5, ge=0, le=1, description="Share of households "
                                                                         "paying, averaged "
                                                                         "over the last 6 "
                                                                         "months, a work-unit "
                                                                         "owner needs before "
                                                                         "it brings a firm in; "
                                                                         "our assumption.",
                                            json_schema_extra={"prior": {"low": 0.4, "high": 0.6,
                                                                         "source": "assumption"}})


class FirmIntroduction(Institution[FirmIntroductionParams]):
    """引入物业: compounds without a firm get one through a committee or a work-unit owner.

    Each month, in every compound without a firm:

    * an owners' committee (业委会) whose residents have been paying (recent contribution at
      least ``committee_min_collection``) hires a firm with probability ``committee_rate`` ×
      coordination efficiency;
    * in compounds still owned by a former work unit (group field ``work_unit_owner``), the
      unit brings a firm in with probability ``work_unit_rate`` if recent contribution is at
      least ``work_unit_min_collection`` (seed 002: "聯系社區樓院產權單位結合“三供一業”改造,
      引入物業管理公司").

    The firm is red if the design also has ``red_property_firm``.
    """

    name = "firm_introduction"
    source = ("002 (Heping Road): 聯系社區樓院產權單位結合“三供一業”改造,引入物業管理公司; "
              "003 (Huli): 业委会")
    Params = FirmIntroductionParams
    replicate = axes(work_unit="compound")
    contract = Contract(
        after_decisions=Access(
            reads=("compounds.firm_present", "compounds.contribution_history",
                   "selfgov.bodies.committee", "selfgov.efficiency"),
            writes=("model.rng", "compounds.firm_present", "compounds.firm_loss_months",
                    "model.firms", "model.firm_entries"),
        ),
    )

    def __init__(self, model: CompoundModel, params: FirmIntroductionParams) -> None:
        super().__init__(model, params)
        groups = model.config.community.groups
        self.work_unit = np.array([groups[g].work_unit_owner for g in model.compounds.group],
                                  dtype=bool)

    def after_decisions(self, model: CompoundModel) -> None:
        """Bring firms into the compounds that get one this month."""
        p = self.params
        comps, sg = model.compounds, model.selfgov
        draw_committee = model.runs.random(model.runs.compounds)
        draw_unit = model.runs.random(model.runs.compounds)
        recent = comps.recent_contribution()
        none = ~comps.firm_present
        by_committee = (none & sg.bodies["committee"] & (recent >= p.committee_min_collection)
                        & (draw_committee < p.committee_rate * sg.efficiency))
        by_unit = (none & self.work_unit & (recent >= p.work_unit_min_collection)
                   & (draw_unit < p.work_unit_rate))
        chosen = np.flatnonzero(by_committee | by_unit)
        if chosen.size:
            red = "red_property_firm" in model.config.design.institutions
            firm.bring_in(model, chosen, red=red)
