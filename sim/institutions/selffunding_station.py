"""A community station's fund (社区公益站基金) kept by an elected accountant.

Seed 001 (Nan'an): "蔡廷惠是东路社区群众选举产生的公益站会计,管理着11000多元社区公共基金,
这些基金来源于社区停车场的公共受益、群众自发回收废旧物品等收入,还有社会企业的捐赠,有了这笔活钱,社区里开展评选社区好人、
节假日举办百家宴等再也不“捉襟见肘”了。"

``station_fund`` keeps one account for the whole community (a :class:`~sim.ledger.Ledger` of
one entry, checked every month like the compounds' ledger). Each month it receives the
community car park's income (``parking_income``, source "assets"), residents' recycling
(``recycling_per_volunteer`` for every household that volunteers this month, source
"recycling" — 群众自发回收废旧物品) and enterprises' gifts (``donation_per_year`` / 12,
source "donation" — 社会企业的捐赠). It spends up to ``spend_share`` of its balance a month on
the community's oldest open small matters that no residents' project holds, each paid in full
in order of age until the next does not fit the month's budget: the money goes into the
compound's ledger as source "station" and out as "matters", and the matter is resolved by
"station". The seed names activities (评选社区好人, 百家宴) as its uses; the model has no such
activity, so small matters stand for them (an assumption, documented in docs/mechanisms.md).

Its keeper may divert money: each month with a balance, with chance ``misuse_prob`` — lowered
by ``accountant_deterrence`` where the accountant is elected (``elected_accountant``,
群众选举产生的公益站会计) — ``misuse_share`` of the balance is taken (use "misuse").

Off switches: the three incomes 0 (no money, no draw: the run is that without the
institution); ``accountant_deterrence = 0`` (an elected accountant deters nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.ledger import Ledger

if TYPE_CHECKING:
    from sim.model import CompoundModel


def station_income(parking: float, recycling_per_volunteer: float,
                   volunteers: float | np.ndarray,
                   donation_per_year: float) -> dict[str, float | np.ndarray]:
    """The station fund's income in one month by ledger source, yuan (a pure function).

    ``volunteers`` may be one count per run (then the recycling income is one per run).
    """
    return {"assets": parking, "recycling": recycling_per_volunteer * volunteers,
            "donation": donation_per_year / 12.0}


def misuse_chance(misuse_prob: float, elected: bool, deterrence: float) -> float:
    """Monthly chance the fund's keeper diverts money: lower with an elected accountant."""
    return misuse_prob * (1.0 - deterrence) if elected else misuse_prob


class StationFundParams(Params):
    """Parameters of ``station_fund``."""

    parking_income: float = Field(
        300.0, ge=0, le=1e6,
        description="Yuan a month from the community car park (社区停车场的公共受益). "
                    "社区停车场每月收益(元)。",
        json_schema_extra={"prior": {"low": 100.0, "high": 600.0, "source": "assumption"}})
    recycling_per_volunteer: float = Field(
        0.2, ge=0, le=1e4,
        description="Yuan a month each volunteering household's recycling brings in "
                    "(群众自发回收废旧物品). 每户志愿者每月回收废旧物品的收入(元)。",
        json_schema_extra={"prior": {"low": 0.05, "high": 0.5, "source": "assumption"}})
    donation_per_year: float = Field(
        2000.0, ge=0, le=1e8,
        description="Yuan a year social enterprises give (社会企业的捐赠), paid in monthly "
                    "twelfths. 社会企业每年捐赠(元)。",
        json_schema_extra={"prior": {"low": 500.0, "high": 4000.0, "source": "assumption"}})
    spend_share: float = Field(
        0.1, ge=0, le=1,
        description="Share of the balance the station may spend a month on small matters; "
                    "the seed's fund held about 11,000 yuan (11000多元); the balance grows "
                    "while no small matter is open. "
                    "每月可用于小事的余额比例。",
        json_schema_extra={"prior": {"low": 0.05, "high": 0.2,
                                     "source": "assumption"}})
    elected_accountant: bool = Field(
        True, description="The accountant is elected by residents (seed 001: "
                          "群众选举产生的公益站会计). 会计由群众选举产生。")
    misuse_prob: float = Field(
        0.02, ge=0, le=1,
        description="Monthly chance the fund's keeper diverts money when the accountant is "
                    "not elected (as the owners' committee's misuse_prob). 会计非选举产生时每月挪用"
                    "概率。",
        json_schema_extra={"prior": {"low": 0.005, "high": 0.05, "source": "assumption"}})
    accountant_deterrence: float = Field(
        0.7, ge=0, le=1,
        description="Share by which an elected accountant lowers the chance of misuse (as "
                    "the supervisory committee's deterrence). 选举产生的会计使挪用概率降低的比例。",
        json_schema_extra={"prior": {"low": 0.5, "high": 0.9, "source": "assumption"}})
    misuse_share: float = Field(
        0.3, ge=0, le=1, description="Share of the balance diverted. 挪用占余额的比例。",
        json_schema_extra={"prior": {"low": 0.1, "high": 0.5, "source": "assumption"}})


class StationFund(Institution[StationFundParams]):
    """社区公益站基金: a community fund from parking, recycling and gifts, spent on small matters.

    Attributes:
        account: The fund's own books, one entry (the community; one per run where a
            model advances several).
        paid_to: Yuan paid for matters so far, per compound.
        balances: Balance at the end of each month's turn, yuan.
    """

    name = "station_fund"
    source = "001 (Nan'an): 群众选举产生的公益站会计,管理着11000多元社区公共基金"
    Params = StationFundParams
    contract = Contract(
        after_decisions=Access(
            reads=("population.decisions", "matters.open"),
            writes=("model.rng", "ledger.accounts", "matters.open", "matters.resolved"),
        ),
    )

    replicate = axes(account="ledger", paid_to="compound", balances="records")

    def __init__(self, model: CompoundModel, params: StationFundParams) -> None:
        super().__init__(model, params)
        self.account = Ledger(model.runs.n)  # one entry per run: each run's community fund
        self.paid_to = np.zeros(model.n_compounds)
        self.balances: list[float | np.ndarray] = []

    @property
    def balance(self) -> float:
        """Yuan the fund holds (the first run's, where a model advances several)."""
        return float(self.account.balance[0])

    def after_decisions(self, model: CompoundModel) -> None:
        """Take in the month's income, pay small matters, maybe lose money; check the books.

        The fund is one per community: where a model advances several runs
        (:mod:`sim.replicates`), one per run, each an entry of :attr:`account`.
        """
        p = self.params
        runs = model.runs
        self.account.new_month()
        acts = model.population.acts[:, 2]
        volunteers = runs.count(acts, runs.households) * 1.0  # per run (a float, one run)
        for source, amount in station_income(p.parking_income, p.recycling_per_volunteer,
                                             volunteers, p.donation_per_year).items():
            amounts = np.broadcast_to(amount, (runs.n,))
            if (amounts > 0).any():
                self.account.deposit(source, np.where(amounts > 0, amounts, 0.0))
        held = self.account.balance
        if (held > 0).any():
            self._pay_matters(model, np.where(held > 0, p.spend_share * held, -np.inf))
        chance = misuse_chance(p.misuse_prob, p.elected_accountant, p.accountant_deterrence)
        if chance > 0:
            held = self.account.balance
            taken = np.zeros(runs.n)
            for r in range(runs.n):  # one draw per run whose fund holds money
                if held[r] > 0 and runs.random_of(r) < chance:
                    taken[r] = p.misuse_share * held[r]
            if taken.any():
                self.account.misuse(taken)
        self.account.check()
        self.balances.append(self.balance if runs.n == 1 else self.account.balance.copy())

    def _pay_matters(self, model: CompoundModel, budget: np.ndarray) -> None:
        """Pay each run's oldest open small matters outside projects, each in full.

        The longest run of them in order of age (then id) whose total fits the run's
        ``budget`` (yuan per run; −inf where the fund pays nothing).
        """
        book = model.matters
        pos = np.flatnonzero((book.category == book.category_index("small")) & ~book.in_project)
        if pos.size == 0:
            return
        owner = model.runs.of(book.compound[pos])
        pos = pos[np.lexsort((book.ids[pos], book.opened[pos], owner))]
        owner = model.runs.of(book.compound[pos])
        bounds = np.searchsorted(owner, np.arange(model.runs.n + 1))
        keep = np.zeros(pos.size, dtype=bool)
        paid = np.zeros(model.runs.n)
        for r in range(model.runs.n):  # the longest prefix of each run's matters that fits
            seg = slice(int(bounds[r]), int(bounds[r + 1]))
            costs = book.cost[pos[seg]]
            fits = np.cumsum(costs) <= budget[r]
            keep[seg] = fits
            paid[r] = float(costs[fits].sum())
        pos = pos[keep]
        if pos.size == 0:
            return
        amounts = np.bincount(book.compound[pos], weights=book.cost[pos],
                              minlength=model.n_compounds)
        self.account.spend("matters", paid)
        model.ledger.deposit("station", amounts)
        model.ledger.spend("matters", amounts)
        self.paid_to += amounts
        mask = np.zeros(book.ids.size, dtype=bool)
        mask[pos] = True
        book.resolve(mask, model.steps, "station")
