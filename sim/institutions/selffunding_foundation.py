"""A community foundation (社区基金会) that pays project grants within a yearly budget.

Seed 001 (Nan'an): "2014年,区政府积极引导,以社会捐赠为主体,居民出资为补充,创新建立了1400万元的
“重庆民泰社区公益事业发展基金会”,基金会实行项目化运作,用于支持社区公益项目活动开展".

``community_foundation`` holds a district's capital (``capital``, 14 million yuan) and spends
``payout_rate`` of it a year (the 基金会管理条例's floor for a non-fundraising foundation is 8 %
of the previous year's fund balance), shared among ``communities`` communities; the model's
community gets that share as its yearly budget, renewed every 12 months (months 1, 13, …; what
is not granted in a year lapses). A compound applies when its owners' committee starts a
residents' project (项目化运作): the foundation promises ``grant_share`` of the project's cost,
never more than the residents' part still to raise, and pays it at once as ledger source
"foundation" into the compound's fund, counted as money collected for the project; each
household's share is lowered in proportion. Applications of one month are taken in random
order (the run's generator), each paid in full while the budget lasts, the last in part, so the
year's grants never exceed the budget. A grant to a project later abandoned stays in the
compound's fund (the committee spends it on upkeep). Foundation money is not self-funding (seed
001: 社会资金, apart from 居民自筹).

Off switch: ``payout_rate = 0`` (no budget: no grant, no draw; the run is that without the
institution).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.model import CompoundModel


def cap_grants(asked: np.ndarray, budget: float) -> np.ndarray:
    """Pay requests in the order given, each in full while the budget lasts, the next in part.

    A pure function: grant i is ``min(asked_i, max(budget − Σ_{j<i} asked_j, 0))``, so the
    grants sum to ``min(Σ asked, budget)`` and never exceed the budget.
    """
    before = np.cumsum(asked) - asked
    return np.clip(budget - before, 0.0, asked)


class FoundationParams(Params):
    """Parameters of ``community_foundation``."""

    capital: float = Field(
        14e6, ge=0, le=1e10,
        description="The foundation's capital, yuan (seed 001: 1400万元). 基金会资金规模(元)。",
        json_schema_extra={"prior": {"low": 7e6, "high": 2.1e7,
                                     "source": "seed 001: 1400万元的“重庆民泰社区"
                                               "公益事业发展基金会” (±50 %)"}})
    payout_rate: float = Field(
        0.08, ge=0, le=1,
        description="Share of the capital granted each year; the default is the floor of "
                    "基金会管理条例 (2004) art. 29 for a non-fundraising foundation (不得低于上一年"
                    "基金余额的8%), the range our assumption. 每年用于资助的资金占资金规模的比例。",
        json_schema_extra={"prior": {"low": 0.05, "high": 0.12, "source": "assumption"}})
    communities: int = Field(
        70, ge=1, le=10000,
        description="Communities sharing the budget equally; the model's community gets one "
                    "share (seed 001 counts 70 community stations, 社区公益站达70个). "
                    "分享预算的社区数。",
        json_schema_extra={"prior": {"low": 40, "high": 100,
                                     "source": "seed 001: 社区公益站达70个 (a proxy for the "
                                               "communities served)"}})
    grant_share: float = Field(
        0.5, ge=0, le=1,
        description="Share of a residents' project's cost the foundation pays (capped by the "
                    "residents' part and the budget). 基金会资助居民项目费用的比例。",
        json_schema_extra={"prior": {"low": 0.25, "high": 0.75, "source": "assumption"}})


class CommunityFoundation(Institution[FoundationParams]):
    """社区基金会: project grants to residents' projects within a yearly budget.

    Attributes:
        budget_left: Yuan of this year's budget not yet granted, per run (one entry for a
            model built alone).
        granted: Yuan granted so far, per compound.
        yearly: Yuan granted in each budget year (index 0 is months 1–12), per run.
    """

    name = "community_foundation"
    source = "001 (Nan'an): 1400万元的“重庆民泰社区公益事业发展基金会”,基金会实行项目化运作"
    Params = FoundationParams
    contract = Contract(
        after_decisions=Access(
            reads=("selfgov.project", "selfgov.project_start", "selfgov.project_cost",
                   "selfgov.project_funders", "selfgov.project_collected",
                   "selfgov.project_share", "selfgov.paid"),
            writes=("model.rng", "ledger.accounts", "selfgov.project_collected",
                    "selfgov.project_share", "compounds.extra_due"),
        ),
    )

    replicate = axes(budget_left="run", granted="compound", yearly="records")

    def __init__(self, model: CompoundModel, params: FoundationParams) -> None:
        super().__init__(model, params)
        self.budget_left = np.zeros(model.runs.n)  # per run: each run's community budget
        self.granted = np.zeros(model.n_compounds)
        self.yearly: list[np.ndarray] = []

    @property
    def yearly_budget(self) -> float:
        """The community's yearly budget, yuan: capital × payout rate / communities."""
        p = self.params
        return p.capital * p.payout_rate / p.communities

    def after_decisions(self, model: CompoundModel) -> None:
        """Renew the budget in a year's first month; grant to projects started this month.

        The budget is one per community: where a model advances several runs
        (:mod:`sim.replicates`), one per run, and each run's projects share its own.
        """
        runs = model.runs
        if (model.steps - 1) % 12 == 0:
            self.budget_left[:] = self.yearly_budget
            self.yearly.append(np.zeros(runs.n))
        sg = model.selfgov
        open_budget = self.budget_left > 0
        if not open_budget.any() or not sg.active().any():
            return
        applied = np.flatnonzero(sg.active() & (sg.project_start == model.steps)
                                 & open_budget[runs.compounds])
        if applied.size == 0:
            return
        applied = applied[runs.permutation(runs.of(applied))]
        remaining = np.maximum(sg.project_cost[applied] - sg.project_funders[applied]
                               - sg.project_collected[applied], 0.0)
        asked = np.minimum(self.params.grant_share * sg.project_cost[applied], remaining)
        owner = runs.of(applied)  # runs one after another: applied is by compound
        bounds = np.searchsorted(owner, np.arange(runs.n + 1))
        grant = np.empty_like(asked)
        for r in np.unique(owner).tolist():
            seg = slice(int(bounds[r]), int(bounds[r + 1]))
            grant[seg] = cap_grants(asked[seg], float(self.budget_left[r]))
            total = float(grant[seg].sum())
            self.budget_left[r] = max(float(self.budget_left[r]) - total, 0.0)
            if self.yearly:
                self.yearly[-1][r] += total
        amounts = np.zeros(sg.n)
        amounts[applied] = grant
        model.ledger.deposit("foundation", amounts)
        self.granted += amounts
        sg.project_collected += amounts
        # Households are asked less, in proportion to what is left to raise.
        left = np.divide(remaining - grant, remaining, out=np.zeros_like(remaining),
                         where=remaining > 0)
        sg.project_share[applied] *= left
        sg.refresh_due(model)
