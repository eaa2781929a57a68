"""Government in the administrative 大社区 mode: slow handling and renovation campaigns.

Seed 001 (Nan'an): in old compounds "就算政府花大力气进行整治,但居民'等、靠、要'
思想影响,并没有主人翁意识,过不了多久问题就会反弹" — even when government makes a
great effort to renovate, residents wait, rely and ask, and before long the
problems rebound. Two institutions make up that mode:

* ``government_service`` — the street office and residents' committee take up
  reported matters one by one, slowly; petitions and participation in
  consultation make them faster. Government pays.
* ``renovation_campaign`` — every few years the district renovates the
  compounds in worst condition (need-based): a large one-off spend on upkeep
  that also clears their open matters, and optionally brings a property firm
  back where residents have been paying.

Both act through the :class:`Government` agent, which keeps the money it spent.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np
from pydantic import Field

from sim import firm
from sim.institutions import Institution, Params, register

if TYPE_CHECKING:
    from sim.model import CompoundModel


class Government(mesa.Agent):
    """The street office and district government (街道 / 区), one per model.

    Attributes:
        spent: Total yuan of government money paid into compounds.
        campaigns: Months in which a renovation campaign ran.
    """

    def __init__(self, model: CompoundModel) -> None:
        super().__init__(model)
        self.spent = 0.0
        self.campaigns: list[int] = []

    def pay(self, amounts: np.ndarray, source: str = "government") -> None:
        """Put government money into each compound's ledger (one entry per compound).

        ``source`` is "government", or "reward" for money paid after residents
        delivered (以奖代补), which does not teach households to wait for government.
        """
        self.model.ledger.deposit(source, amounts)
        self.spent += float(amounts.sum())


class GovernmentServiceParams(Params):
    """Parameters of ``government_service``."""

    months_big: float = Field(6.0, ge=1, le=1200, description="Mean months to take up a big "
                                                               "matter (大事).")
    months_small: float = Field(36.0, ge=1, le=1200, description="Mean months to take up a "
                                                                  "small matter (小事).")
    petition_boost: float = Field(4.0, ge=0, le=100, description="Speed-up per unit of the "
                                                                 "compound's petition rate "
                                                                 "(share of households).")
    participation_boost: float = Field(1.0, ge=0, le=100, description="Speed-up per unit of "
                                                                      "the compound's "
                                                                      "participation rate.")


@register
class GovernmentService(Institution):
    """Government takes up big and small matters with delay and pays for them."""

    name = "government_service"
    priority = 85
    label_zh = "政府兜底处理"
    label_en = "Government handling of matters"
    source = "001 (Nan'an), 003 (Huli): the 大社区 administrative mode"
    Params = GovernmentServiceParams

    def after_decisions(self, model: CompoundModel) -> None:
        """Resolve each open big or small matter with its monthly probability."""
        p: GovernmentServiceParams = self.params  # type: ignore[assignment]
        book = model.matters
        if book.n_open == 0:
            return
        rates = model.compound_rates()
        sg = model.selfgov
        small = 1.0 / p.months_small if sg.government_handles_small else 0.0
        per_month = np.array([sg.big_speedup / p.months_big, small, 0.0])
        speed = (1.0 + p.petition_boost * rates["petition_rate"]
                 + p.participation_boost * rates["participation_rate"])
        prob = np.minimum(1.0, per_month[book.category] * speed[book.compound])
        take = (model.rng.random(book.n_open) < prob) & ~book.in_project
        if not np.any(take):
            return
        cost = np.bincount(book.compound[take], weights=book.cost[take],
                           minlength=model.n_compounds)
        model.government.pay(cost)
        model.ledger.spend("matters", cost)
        book.resolve(take, model.steps, "government")


class RenovationCampaignParams(Params):
    """Parameters of ``renovation_campaign``."""

    interval: int = Field(48, ge=1, le=1200, description="Months between campaigns.")
    first: int = Field(24, ge=1, le=1200, description="Month of the first campaign.")
    share: float = Field(0.25, ge=0, le=1, description="Share of compounds renovated per "
                                                       "campaign, worst condition first "
                                                       "(rounded up: at least one).")
    spend: float = Field(600.0, ge=0, le=1e6, description="Yuan per household spent on "
                                                          "upkeep in a renovated compound.")
    clear_matters: bool = Field(True, description="A renovation also resolves the compound's "
                                                  "open big and small matters.")
    invite_firm: bool = Field(True, description="Bring a property firm into a renovated "
                                                "compound without one if residents have been "
                                                "paying.")
    invite_min_collection: float = Field(0.7, ge=0, le=1, description="Contribution rate over "
                                                                      "the last 6 months (of "
                                                                      "the cleaning fee) needed "
                                                                      "to invite a firm; the "
                                                                      "firm then charges the "
                                                                      "property fee.")


@register
class RenovationCampaign(Institution):
    """Periodic top-down renovation (整治) of the compounds in worst condition."""

    name = "renovation_campaign"
    priority = 90
    label_zh = "运动式整治"
    label_en = "Renovation campaign"
    source = "001 (Nan'an): 整治 → 反弹 → 再整治; 000 (Chongchuan): 2 亿元/年 on old compounds"
    Params = RenovationCampaignParams

    def after_decisions(self, model: CompoundModel) -> None:
        """In a campaign month, renovate the worst compounds."""
        p: RenovationCampaignParams = self.params  # type: ignore[assignment]
        month = model.steps
        if month < p.first or (month - p.first) % p.interval != 0:
            return
        comps = model.compounds
        k = math.ceil(p.share * comps.n)  # at least one compound when share > 0
        if k == 0:
            return
        chosen = np.argsort(comps.condition, kind="stable")[:k]
        model.government.campaigns.append(month)
        self.renovate(model, chosen)

    def renovate(self, model: CompoundModel, chosen: np.ndarray) -> None:
        """Spend on upkeep in ``chosen`` compounds, clear their matters, maybe invite a firm."""
        p: RenovationCampaignParams = self.params  # type: ignore[assignment]
        comps, book = model.compounds, model.matters
        in_campaign = np.zeros(comps.n, dtype=bool)
        in_campaign[chosen] = True
        upkeep = np.where(in_campaign, p.spend * comps.households, 0.0)
        model.government.pay(upkeep)
        comps.upkeep += model.ledger.spend("upkeep", upkeep)
        if p.clear_matters and book.n_open:
            clear = in_campaign[book.compound] & (book.category != book.category_index("private"))
            cost = np.bincount(book.compound[clear], weights=book.cost[clear], minlength=comps.n)
            model.government.pay(cost)
            model.ledger.spend("matters", cost)
            book.resolve(clear, model.steps, "campaign")
        if p.invite_firm:
            ready = in_campaign & ~comps.firm_present & (
                comps.recent_contribution() >= p.invite_min_collection)
            firm.bring_in(model, np.flatnonzero(ready))
