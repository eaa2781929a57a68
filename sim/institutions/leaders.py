"""Stairwell leaders (楼道长 / 楼栋长 / 梯长): resident activists of each stairwell unit.

Seed 003 (Huli): "广泛推行小区梯长制,发挥贤能的模范引领作用,在楼栋中构筑一个微型公共空间和
人际关系网,有助于化解人与人之间的冷漠关系、构建熟人社区". Seed 000 (Chongchuan): residents
choose their leaders, "通过群众评议出楼道长、邻里理事、业委会(物业管理委员会)候选成员".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.institutions.party import visit_violators
from sim.selfgov import choose_households, mobilise

if TYPE_CHECKING:
    from sim.model import CompoundModel


class StairwellLeadersParams(Params):
    """Parameters of ``stairwell_leaders``."""

    visibility: float = Field(0.15, ge=0, le=1, description="Share added to the visibility of "
                                                            "every action of every household "
                                                            "(the leader knows who does "
                                                            "what); our assumption.",
                              json_schema_extra={"prior": {"low": 0.075, "high": 0.225,
                                                           "source": "assumption"}})
    visits_per_leader: float = Field(1.0, ge=0, le=1000, description="Households visited "
                                                                     "per stairwell unit (by "
                                                                     "its leader) per month, "
                                                                     "at full coordination "
                                                                     "efficiency; our "
                                                                     "assumption.",
                                     json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                                  "source": "assumption"}})
    trust_gain: float = Field(0.02, ge=0, le=1, description="Share of the gap to full trust a "
                                                            "leader's visit closes; our "
                                                            "assumption.",
                              json_schema_extra={"prior": {"low": 0.01, "high": 0.03,
                                                           "source": "assumption"}})
    triggered_visit: float = Field(0.0, ge=0, le=1, description="Probability that the leader "
                                                                "visits a household of the "
                                                                "compound that broke the rules "
                                                                "last month (邻里代表上门提醒和"
                                                                "劝诫, seed 000); 0: none.",
                                   json_schema_extra={"label_zh": "楼道长对违规住户上门提醒的"
                                                                  "概率",
                                                      "prior": {"low": 0.0, "high": 0.8,
                                                                "source": "assumption"}})


class StairwellLeaders(Institution[StairwellLeadersParams]):
    """楼道长/梯长: a leader in every stairwell unit builds a small public space.

    The leader makes neighbours' choices more visible ("在楼栋中构筑一个微型公共空间和人际关系
    网"): the visibility of every action rises by ``visibility`` in every compound, which
    strengthens face pressure. Each month every unit's leader visits ``visits_per_leader``
    households of the compound (times coordination efficiency), those who did not pay or
    broke the rules first; a visit mobilises the household and adds a little trust. Seed 000's
    neighbourhood representatives also call on a violator ("社区干部和邻里代表会专门上门进行提醒
    和劝诫"): with ``triggered_visit`` > 0 each household that broke the rules last month and
    was not visited is visited with that probability
    (:func:`sim.institutions.party.visit_violators`).
    """

    name = "stairwell_leaders"
    source = "003 (Huli): 广泛推行小区梯长制; 000 (Chongchuan): 通过群众评议出楼道长"
    Params = StairwellLeadersParams
    replicate = axes(units="compound")
    contract = Contract(
        setup=Access(
            reads=("compounds.visibility_bonus",),
            writes=("selfgov.bodies.leaders", "compounds.visibility_bonus"),
        ),
        before_decisions=Access(
            reads=("selfgov.bodies.leaders", "selfgov.efficiency", "population.decisions",
                   "population.trust", "population.arrived"),
            writes=("model.rng", "population.mobilisation", "population.trust",
                    "compounds.mobilised"),
        ),
    )

    def __init__(self, model: CompoundModel, params: StairwellLeadersParams) -> None:
        super().__init__(model, params)
        self.units = np.zeros(model.n_compounds, dtype=np.int64)

    def setup(self, model: CompoundModel) -> None:
        """A leader per stairwell unit; choices become more visible."""
        p = self.params
        model.selfgov.bodies["leaders"][:] = True
        self.units = self.units_per_compound(model)
        model.compounds.visibility_bonus += p.visibility

    @staticmethod
    def units_per_compound(model: CompoundModel) -> np.ndarray:
        """Number of distinct stairwell units with households in each compound."""
        pop = model.population
        pairs = np.unique(np.column_stack((pop.compound, pop.unit)), axis=0)
        return np.bincount(pairs[:, 0], minlength=model.n_compounds).astype(np.int64)

    def before_decisions(self, model: CompoundModel) -> None:
        """Leaders visit households, laggards first."""
        p = self.params
        sg = model.selfgov
        pop = model.population
        counts = np.where(sg.bodies["leaders"],
                          np.round(self.units * p.visits_per_leader * sg.efficiency), 0)
        visited = np.zeros(0, dtype=np.int64)
        if counts.any():
            laggard = (~pop.acts[:, 0] | ~pop.acts[:, 1]).astype(float)
            visited = choose_households(model, counts.astype(np.int64), priority=laggard)
            mobilise(model, visited, p.trust_gain)
        mobilise(model, visit_violators(model, sg.bodies["leaders"], p.triggered_visit,
                                        visited), p.trust_gain)
