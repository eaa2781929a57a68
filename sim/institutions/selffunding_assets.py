"""Shared assets put to use (以院养院): parking spaces and rooms earn the compound's fund.

Seed 001 (Nan'an): "在环境整治的基础上,小区还通过清理、腾挪、规范物管用房、社区用房、
规划停车位等措施,进一步挖掘、增加小区的造血功能,为“以院养院”创造条件,逐步实现小区自治资金由“政府资助为主,居民自筹为辅”
向“居民自筹和社会资金为主、政府补贴为辅”的转变。"

``shared_assets`` gives each compound a number of parking spaces, drawn once in the first
month (Poisson with mean ``spaces_per_household`` × households), and a room put to use. Every
month a compound whose owners' committee exists (the body that can hold money) earns
``space_income`` per space and ``room_income`` for its room, booked as ledger source "assets",
which counts as self-funding (the owners' income, 民法典 art. 282;
:data:`sim.ledger.RESIDENT_SOURCES`). The committee then spends it as it spends its fund
(upkeep, ``owners_committee.fund_upkeep``). With ``after_renovation`` the assets earn only in
compounds the renovation campaign has renovated in full (the seed's 在环境整治的基础上); a
design without a campaign then earns nothing.

Off switch: ``space_income = 0`` and ``room_income = 0``; with ``spaces_per_household = 0``
nothing is drawn either, and the run is that without the institution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.institutions.government import find_institution

if TYPE_CHECKING:
    from sim.institutions.government import RenovationCampaign
    from sim.model import CompoundModel


def asset_income(spaces: np.ndarray, space_income: float, room_income: float,
                 earning: np.ndarray) -> np.ndarray:
    """Monthly yuan each compound earns from its shared assets (a pure function).

    Args:
        spaces: Parking spaces per compound.
        space_income: Yuan per space per month, net of its running cost.
        room_income: Yuan per compound per month from a room put to use.
        earning: Compounds whose assets earn this month (a body holds the money).

    Returns:
        ``earning × (spaces × space_income + room_income)``, yuan per compound.
    """
    return np.where(earning, spaces * space_income + room_income, 0.0)


class SharedAssetsParams(Params):
    """Parameters of ``shared_assets``."""

    spaces_per_household: float = Field(
        0.1, ge=0, le=2,
        description="Mean parking spaces per household a compound can plan and let "
                    "(规划停车位); each compound's number is drawn once (Poisson). Old "
                    "compounds have few; the size is our assumption. "
                    "每户平均可规划出租的停车位数(各小区按泊松分布抽取一次);老旧小区车位少,数值为假设。",
        json_schema_extra={"prior": {"low": 0.03, "high": 0.25, "source": "assumption"}})
    space_income: float = Field(
        60.0, ge=0, le=1e4,
        description="Yuan a parking space earns the compound's fund per month, net of its "
                    "running cost (民法典 art. 282: 扣除合理成本之后). 每个车位每月为小区基金带来的"
                    "净收入(元)。",
        json_schema_extra={"prior": {"low": 20.0, "high": 150.0, "source": "assumption"}})
    room_income: float = Field(
        200.0, ge=0, le=1e6,
        description="Yuan per month a compound earns from rooms put to use (物管用房、社区用房 "
                    "let or used for services). 小区腾挪规范的用房每月收入(元)。",
        json_schema_extra={"prior": {"low": 0.0, "high": 600.0, "source": "assumption"}})
    after_renovation: bool = Field(
        False, description="Earn only in compounds the renovation campaign has renovated in "
                           "full (seed 001: 在环境整治的基础上). 仅在整治完成的小区产生收入。")


class SharedAssets(Institution[SharedAssetsParams]):
    """以院养院: parking spaces and rooms earn income for the compound's fund.

    Attributes:
        spaces: Parking spaces per compound (drawn in the first month).
        earned: Yuan earned so far, per compound.
    """

    name = "shared_assets"
    source = "001 (Nan'an): 规范物管用房、社区用房、规划停车位 … 为“以院养院”创造条件"
    Params = SharedAssetsParams
    replicate = axes(spaces="compound", earned="compound", _campaign="institution", _drawn="same")
    contract = Contract(
        after_decisions=Access(
            reads=("selfgov.bodies.committee", "renovation_campaign.renovated"),
            writes=("model.rng", "ledger.accounts"),
        ),
    )

    def __init__(self, model: CompoundModel, params: SharedAssetsParams) -> None:
        super().__init__(model, params)
        self.spaces = np.zeros(model.n_compounds)
        self.earned = np.zeros(model.n_compounds)
        self._campaign: RenovationCampaign | None = None
        self._drawn = False

    def draw_spaces(self, model: CompoundModel) -> None:
        """Draw each compound's parking spaces once (no draw when there are none to draw).

        Drawn in the first month rather than at setup, so that the setup phase of the designs
        is what it was (``sim schedule`` numbers it).
        """
        p = self.params
        self._drawn = True
        self._campaign = cast("RenovationCampaign | None",
                              find_institution(model, "renovation_campaign"))
        if p.spaces_per_household > 0:
            mean = p.spaces_per_household * model.compounds.households
            self.spaces = model.runs.poisson(mean, model.runs.compounds).astype(np.float64)

    def earning(self, model: CompoundModel) -> np.ndarray:
        """Compounds whose assets earn this month.

        A committee must hold the money and, with ``after_renovation``, the compound must
        have been renovated in full.
        """
        earning = model.selfgov.bodies["committee"].copy()
        if self.params.after_renovation:
            if self._campaign is None:
                return np.zeros_like(earning)
            earning &= self._campaign.renovated
        return earning

    def after_decisions(self, model: CompoundModel) -> None:
        """Pay the month's asset income into the compounds' funds (source "assets")."""
        p = self.params
        if not self._drawn:
            self.draw_spaces(model)
        if p.space_income == 0 and p.room_income == 0:
            return
        income = asset_income(self.spaces, p.space_income, p.room_income, self.earning(model))
        if income.any():
            model.ledger.deposit("assets", income)
            self.earned += income
