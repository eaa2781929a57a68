"""Government in the administrative 大社区 mode: slow handling and renovation campaigns.

Seed 001 (Nan'an): in old compounds "就算政府花大力气进行整治,但居民'等、靠、要'
思想影响,并没有主人翁意识,过不了多久问题就会反弹" — even when government makes a
great effort to renovate, residents wait, rely and ask, and before long the
problems rebound. Two institutions make up that mode:

* ``government_service`` — the street office and residents' committee take up
  reported matters one by one, slowly; petitions and participation in
  consultation make them faster. Government pays.
* ``renovation_campaign`` — every few years the district renovates
  compounds: a large one-off spend on upkeep that also clears their open
  matters, and optionally brings a property firm back where residents have
  been paying. By default it picks the compounds in worst condition
  (need-based); it can also spread the same budget over every compound, let
  compounds compete on readiness (seed 000, Chongchuan) or rank them by need
  and will (seed 001, Nan'an).

Both act through the :class:`Government` agent, which keeps the money it spent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

import mesa
import numpy as np
from pydantic import Field

from sim import firm
from sim.arrays import weighted_sum
from sim.institutions.base import Access, Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.institutions.codesign import Codesign
    from sim.institutions.funding import DynamicAssessment
    from sim.model import CompoundModel


class Government(mesa.Agent):
    """The street office and district government (街道 / 区), one per model.

    Attributes:
        spent: Total yuan of government money paid into compounds.
        campaigns: Months in which a renovation campaign ran.
        funded: Per campaign (parallel to ``campaigns``), the indices of the
            compounds that got renovation money.
    """

    def __init__(self, model: CompoundModel) -> None:
        super().__init__(model)
        self.spent = 0.0
        self.campaigns: list[int] = []
        self.funded: list[np.ndarray] = []

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
                                                               "matter (大事).",
                              json_schema_extra={"prior": {"low": 3.0, "high": 12.0,
                                                           "source": "assumption"}})
    months_small: float = Field(36.0, ge=1, le=1200, description="Mean months to take up a "
                                                                  "small matter (小事).",
                                json_schema_extra={"prior": {"low": 18.0, "high": 60.0,
                                                             "source": "assumption"}})
    petition_boost: float = Field(4.0, ge=0, le=100, description="Speed-up per unit of the "
                                                                 "compound's petition rate "
                                                                 "(share of households).",
                                  json_schema_extra={"prior": {"low": 2.0, "high": 6.0,
                                                               "source": "assumption"}})
    participation_boost: float = Field(1.0, ge=0, le=100, description="Speed-up per unit of "
                                                                      "the compound's "
                                                                      "participation rate.",
                                       json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                                    "source": "assumption"}})


class GovernmentService(Institution[GovernmentServiceParams]):
    """Government takes up big and small matters with delay and pays for them."""

    name = "government_service"
    source = "001 (Nan'an), 003 (Huli): the 大社区 administrative mode"
    Params = GovernmentServiceParams
    replicate = axes()  # no state of its own
    contract = Contract(
        after_decisions=Access(
            reads=("selfgov.government_handles_small", "selfgov.big_speedup", "matters.open",
                   "population.decisions", "ledger.accounts", "government.spent"),
            writes=("model.rng", "matters.open", "matters.resolved", "ledger.accounts",
                    "government.spent"),
        ),
    )

    def after_decisions(self, model: CompoundModel) -> None:
        """Resolve each open big or small matter with its monthly probability."""
        p = self.params
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
        take = (model.runs.random(model.runs.of(book.compound)) < prob) & ~book.in_project
        if not np.any(take):
            return
        cost = np.bincount(book.compound[take], weights=book.cost[take],
                           minlength=model.n_compounds)
        model.government.pay(cost)
        model.ledger.spend("matters", cost)
        book.resolve(take, model.steps, "government")


RATE_NAMES = ("contribution_rate", "compliance_rate", "volunteer_rate", "participation_rate")
"""Rates kept by :class:`RecentRates`, in :data:`sim.population.ACTIONS` order."""

INCENTIVE_ACTIONS = (0, 1, 3)
"""Columns of ``Compounds.norm`` the competition incentive raises: contribute, comply,
participate."""


class RecentRates:
    """Rolling buffer of the last months' action rates per compound.

    An institution pushes ``model.compound_rates()`` at month end and reads the
    mean over the months kept (fewer at the start of a run).

    Args:
        months: Months kept.
        n_compounds: Number of compounds.
    """

    def __init__(self, months: int, n_compounds: int) -> None:
        self.months = months
        self.data = np.zeros((months, len(RATE_NAMES), n_compounds))
        self.count = 0

    def push(self, rates: dict[str, np.ndarray]) -> None:
        """Remember one month's rates (overwriting the oldest once full)."""
        self.data[self.count % self.months] = [rates[name] for name in RATE_NAMES]
        self.count += 1

    def mean(self, name: str, fallback: np.ndarray | None = None) -> np.ndarray:
        """Mean of one rate over the months kept; ``fallback`` (or zeros) before any month."""
        filled = min(self.count, self.months)
        if filled == 0:
            return np.zeros(self.data.shape[2]) if fallback is None else np.array(fallback)
        return self.data[:filled, RATE_NAMES.index(name)].mean(axis=0)


def find_institution(model: CompoundModel, name: str) -> Institution[Any] | None:
    """The model's institution registered as ``name``, or ``None`` if the design has none."""
    found = [inst for inst in model.institutions if inst.name == name]
    return found[0] if found else None


def find_assessment(model: CompoundModel) -> DynamicAssessment | None:
    """The design's ``dynamic_assessment``, typed (its module imports this one)."""
    return cast("DynamicAssessment | None", find_institution(model, "dynamic_assessment"))


def _first(compounds: slice) -> int:
    """Index of a run's first compound (``slice(None)``: 0)."""
    return compounds.start or 0


def first_fit(costs: np.ndarray, available: float) -> tuple[np.ndarray, float]:
    """Fund items in the order given, each in full, skipping those that no longer fit.

    Returns:
        ``(funded mask, money left)``.
    """
    funded = np.zeros(costs.size, dtype=bool)
    left = float(available)
    for i, cost in enumerate(costs):
        if cost <= left + 1e-9:
            funded[i] = True
            left -= float(cost)
    return funded, max(left, 0.0)


Allocation = Literal["need", "equal", "competition", "need_and_will"]


class RenovationCampaignParams(Params):
    """Parameters of ``renovation_campaign``."""

    interval: int = Field(48, ge=1, le=1200, description="Months between campaigns.")
    first: int = Field(24, ge=1, le=1200, description="Month of the first campaign.")
    share: float = Field(0.25, ge=0, le=1, description="Share of compounds renovated per "
                                                       "campaign under `need`, worst condition "
                                                       "first (a fraction rounded at random); "
                                                       "under the other rules the budget per "
                                                       "campaign is spend × share × all "
                                                       "households.",
                         json_schema_extra={"prior": {"low": 0.15, "high": 0.35,
                                                      "source": "assumption"}})
    spend: float = Field(600.0, ge=0, le=1e6, description="Yuan per household spent on "
                                                          "upkeep in a renovated compound.",
                         json_schema_extra={"prior": {"low": 300.0, "high": 900.0,
                                                      "source": "assumption"}})
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
                                                                      "property fee.",
                                         json_schema_extra={"prior": {"low": 0.6, "high": 0.8,
                                                                      "source": "assumption"}})
    allocation: Allocation = Field(
        "need", description="Who gets the money. 'need': the worst condition first (the "
                            "administrative rule of seed 001's 整治 → 反弹 cycle); 'equal': "
                            "the same budget spread over every compound, spend × share per "
                            "household (a comparison rule, our assumption); 'competition': "
                            "only compounds meeting the readiness criteria, the most ready "
                            "first, unspent budget carried to the next campaign (seed 000: "
                            "引入了竞争机制); 'need_and_will': ranked by need × readiness "
                            "(seed 001: 环境改造愿望迫切且自治意愿强烈的小区).")
    window: int = Field(6, ge=1, le=120, description="Months of action rates averaged for the "
                                                     "readiness criteria (assumption).",
                        json_schema_extra={"prior": {"low": 3, "high": 12, "source": "assumption"}})
    consensus_participation: float = Field(
        0.1, ge=0, le=1, description="Share of households taking part in consultation, over "
                                     "the window, that counts as a management consensus "
                                     "(criterion a, seed 000 取得管理共识; a deliberation "
                                     "council's decision also counts). Assumption: the "
                                     "participation that forms an owners' committee.",
        json_schema_extra={"prior": {"low": 0.05, "high": 0.15, "source": "assumption"}})
    compliance_needed: float = Field(
        0.85, ge=0, le=1, description="Share of households complying over the window for "
                                      "criterion b (seed 000: 先拆完小区内现有违章). "
                                      "Assumption.",
        json_schema_extra={"prior": {"low": 0.75, "high": 0.95, "source": "assumption"}})
    plan_contribution: float = Field(
        0.8, ge=0, le=1, description="Share of households paying over the window that counts "
                                     "as a long-term management plan where no covenant rule "
                                     "exists (criterion d, seed 000: 长效管理方案). "
                                     "Assumption.",
        json_schema_extra={"prior": {"low": 0.7, "high": 0.9, "source": "assumption"}})
    min_criteria: int = Field(4, ge=1, le=4, description="Criteria (of the four, a–d) a "
                                                         "compound must meet to qualify under "
                                                         "`competition`; 4 reads seed 000's "
                                                         "list as cumulative (assumption).",
                              json_schema_extra={"prior": {"low": 3, "high": 4,
                                                           "source": "assumption"}})
    weight_consensus: float = Field(
        1.0, ge=0, le=10, description="Weight of criterion a (management consensus) in the "
                                      "readiness score that ranks compounds: its score is the "
                                      "participation rate over the window, 1 where a "
                                      "deliberation council decided. Assumption.",
        json_schema_extra={"prior": {"low": 0.5, "high": 1.5, "source": "assumption"}})
    weight_demolition: float = Field(
        1.0, ge=0, le=10, description="Weight of criterion b (illegal structures demolished) "
                                      "in the readiness score: its score is the compliance "
                                      "rate over the window. Assumption.",
        json_schema_extra={"prior": {"low": 0.5, "high": 1.5, "source": "assumption"}})
    weight_organisation: float = Field(
        1.0, ge=0, le=10, description="Weight of criterion c (a recognised self-governance "
                                      "organisation) in the readiness score: its score is 1 "
                                      "with an owners' committee or a party branch, else 0. "
                                      "Assumption.",
        json_schema_extra={"prior": {"low": 0.5, "high": 1.5, "source": "assumption"}})
    weight_plan: float = Field(
        1.0, ge=0, le=10, description="Weight of criterion d (a long-term management plan) in "
                                      "the readiness score: its score is 1 with a covenant "
                                      "rule, else the contribution rate over the window. "
                                      "Assumption. All four weights 0: every score is 0 and "
                                      "the order is need's (worst condition first).",
        json_schema_extra={"prior": {"low": 0.5, "high": 1.5, "source": "assumption"}})
    incentive: float = Field(
        0.4, ge=0, le=5, description="Utility added to contributing, complying and taking "
                                     "part in compounds not yet renovated while a competition "
                                     "is announced: the prospect of 优先获得资金投入整治 "
                                     "(seed 000). Size is our assumption; 0 switches it off.",
        json_schema_extra={"prior": {"low": 0.2, "high": 0.6, "source": "assumption"}})
    incentive_everywhere: bool = Field(
        False, description="Announce the incentive under every allocation rule, not only "
                           "under `competition`: a control that separates competition's "
                           "choice of ready compounds (selection) from its incentive "
                           "(`need` with the incentive). Default: only a competition "
                           "announces it.")


class RenovationCampaign(Institution[RenovationCampaignParams]):
    """Periodic renovation (整治) of compounds, by need, equally, by competition or need and will.

    Every ``interval`` months from ``first`` the district spends ``spend`` yuan per household
    on upkeep in each compound it renovates, clears the compound's open big and small
    matters and, where residents have been paying, brings a property firm in.

    * ``need`` (default): the share × compounds compounds in worst condition (a fraction is
      rounded up with probability equal to it, so one compound is renovated in a share of
      campaigns). It
      spends ``spend`` × their households, which equals the budget of the other rules
      (``spend × share`` × all households) when compounds are of one size and
      ``share × compounds`` is whole; elsewhere (Heping Road) it differs a little.
    * ``equal``: the budget ``spend × share × households`` spread over every compound, each
      getting ``spend × share`` yuan per household: a partial renovation, which clears each
      open matter (and invites a firm) with probability ``share``.
    * ``competition`` — seed 000 (Chongchuan): "选谁不选谁,不拍脑袋、不听招呼,而是引入了竞争机制":
      "居民取得管理共识的优先获得资金投入整治" (a),
      "先拆完小区内现有违章的优先获得资金投入整治" (b),
      "先形成社区党委认可、活动积极有效的包括邻里理事会、业主委员会等形式的居民自治组织或团队的
      优先获得资金投入整治" (c), "先达成整治完毕之后的长效管理方案的优先获得资金投入整治" (d).
      Criteria: (a) participation over the last ``window`` months ≥
      ``consensus_participation``, or a deliberation council decided (a project under
      way or completed in the window); (b) compliance ≥ ``compliance_needed``; (c) an
      owners' committee or a party branch; (d) a covenant rule, or contribution ≥
      ``plan_contribution``. Readiness is the share of criteria met; compounds meeting
      ``min_criteria`` qualify (and, with ``dynamic_assessment``, have not just lost their
      status). The most ready are funded first (ties: not yet renovated, then worst
      condition), each in full, within the budget plus what earlier campaigns left;
      the rest is carried over.
      The announcement is the mechanism of 以奖代补、竞争性分配 (reward instead of subsidy,
      competitive allocation — money follows what residents have done, 引入了竞争机制):
      from month 0 households in compounds not yet renovated value contributing, complying
      and taking part by ``incentive`` more (through ``Compounds.norm``); the increment is
      removed, exactly, once the compound is renovated. Whether this yields more
      self-organisation is left to the model.
    * ``need_and_will`` — seed 001 (Nan'an): "我们选择环境改造愿望迫切且自治意愿强烈的小区":
      compounds ranked by (1 − condition) × readiness (ties: worst condition), funded in
      full within the budget; no carry-over.

    Attributes:
        renovated: Compounds that have had a full renovation.
        allocations: One record per campaign: ``month``, ``allocation``, ``budget``,
            ``available`` (budget plus carry-over), ``upkeep`` (yuan per compound),
            ``compounds`` (indices funded) and ``carried`` (yuan left for the next one).
        carry: Yuan carried to the next campaign (``competition``), one entry per run.
        incentive_added: ``(compounds, 4)`` utility this institution has added to
            ``Compounds.norm`` and not yet removed.
        recent: Action rates of the last ``window`` months.
    """

    name = "renovation_campaign"
    source = ("001 (Nan'an): 整治 → 反弹 → 再整治; 愿望迫切且自治意愿强烈; "
              "000 (Chongchuan): 2 亿元/年 on old compounds, 引入了竞争机制")
    Params = RenovationCampaignParams
    contract = Contract(
        setup=Access(
            reads=("compounds.norm",),
            writes=("compounds.norm",),
        ),
        after_decisions=Access(
            reads=("compounds.condition", "compounds.contribution_history", "compounds.norm",
                   "compounds.upkeep", "compounds.firm_present", "population.decisions",
                   "selfgov.bodies.council", "selfgov.bodies.cobuilding_council",
                   "selfgov.bodies.committee", "selfgov.bodies.branch", "selfgov.project",
                   "selfgov.approved", "selfgov.rules", "matters.open", "ledger.accounts",
                   "government.spent", "government.campaigns", "government.funded",
                   "dynamic_assessment.eligible", "dynamic_assessment.status",
                   "dynamic_assessment.norm_added", "population.trust", "codesign.turnout",
                   "codesign.passed", "codesign.votes", "codesign.stake_added"),
            writes=("model.rng", "compounds.norm", "compounds.upkeep", "compounds.firm_present",
                    "compounds.firm_loss_months", "model.firms", "model.firm_entries",
                    "matters.open", "matters.resolved", "ledger.accounts", "government.spent",
                    "government.campaigns", "government.funded", "dynamic_assessment.eligible",
                    "dynamic_assessment.status", "dynamic_assessment.streaks",
                    "dynamic_assessment.norm_added", "codesign.turnout", "codesign.passed",
                    "codesign.votes", "codesign.stake_added"),
        ),
        month_end=Access(
            reads=("selfgov.completed", "population.decisions", "compounds.norm",
                   "codesign.stake_added"),
            writes=("compounds.norm", "codesign.stake_added"),
        ),
    )

    replicate = axes(recent="recent", _completed="compound:1", renovated="compound",
                     allocations="records", carry="run", incentive_added="compound",
                     _codesign="institution")

    def __init__(self, model: CompoundModel, params: RenovationCampaignParams) -> None:
        super().__init__(model, params)
        n = model.n_compounds
        self.recent = RecentRates(params.window, n)
        self._completed = np.zeros((params.window, n), dtype=bool)
        self.renovated = np.zeros(n, dtype=bool)
        self.allocations: list[dict[str, Any]] = []
        self.carry = np.zeros(model.runs.n)  # per run (one, for a model built here)
        self.incentive_added = np.zeros((n, 4))
        self._codesign: Codesign | Literal[False] | None = False  # False: not looked up yet

    def setup(self, model: CompoundModel) -> None:
        """Announce the incentive from month 0: under competition, or any rule if told to."""
        p = self.params
        if (p.allocation == "competition" or p.incentive_everywhere) and p.incentive > 0:
            self.incentive_added[:, INCENTIVE_ACTIONS] = p.incentive
            model.compounds.norm += self.incentive_added

    def month_end(self, model: CompoundModel) -> None:
        """Remember this month's rates and completed projects (for readiness); fade the stake."""
        self._completed[self.recent.count % self.recent.months] = model.selfgov.completed
        self.recent.push(model.compound_rates())
        if self.codesign is not None:
            self.codesign.fade(model)

    @property
    def codesign(self) -> Codesign | None:
        """The design's ``codesign`` (the plan is put to residents), or ``None``."""
        if self._codesign is False:
            self._codesign = cast("Codesign | None", find_institution(self.model, "codesign"))
        return self._codesign

    # ---------------------------------------------------------------- readiness

    def evidence(self, model: CompoundModel) -> dict[str, np.ndarray]:
        """What the readiness criteria read, per compound (one rule for the gate and the score).

        Returns:
            ``participation``, ``compliance``, ``contribution`` (mean rates over the
            window; this month's before any is kept), ``decided`` (a deliberation or
            co-building council decided in the window), ``organised`` (an owners'
            committee or a party branch) and ``planned`` (a covenant rule).
        """
        sg = model.selfgov
        now = model.compound_rates()
        deciding = sg.bodies["council"] | sg.bodies["cobuilding_council"]
        return {
            "participation": self.recent.mean("participation_rate", now["participation_rate"]),
            "compliance": self.recent.mean("compliance_rate", now["compliance_rate"]),
            "contribution": self.recent.mean("contribution_rate", now["contribution_rate"]),
            "decided": deciding & (sg.active() | (sg.approved >= 0)
                                   | self._completed.any(axis=0)),
            "organised": sg.bodies["committee"] | sg.bodies["branch"],
            "planned": sg.rules.any(axis=0),
        }

    def criteria(self, model: CompoundModel) -> np.ndarray:
        """``(4, compounds)``: which of the readiness criteria a–d each compound meets."""
        p = self.params
        e = self.evidence(model)
        return np.vstack((
            (e["participation"] >= p.consensus_participation) | e["decided"],
            e["compliance"] >= p.compliance_needed,
            e["organised"],
            e["planned"] | (e["contribution"] >= p.plan_contribution),
        ))

    def readiness(self, model: CompoundModel) -> np.ndarray:
        """Share of the four readiness criteria each compound meets, in [0, 1] (the gate)."""
        return self.criteria(model).mean(axis=0)

    def criterion_scores(self, model: CompoundModel) -> np.ndarray:
        """``(4, compounds)``: how far each compound has got on criteria a–d, each in [0, 1].

        (a) the participation rate over the window, 1 where a council decided; (b) the
        compliance rate; (c) 1 with an owners' committee or a party branch, else 0; (d) 1
        with a covenant rule, else the contribution rate. Raw progress, not capped at the
        gate's thresholds: a gate every compound passes (107 of 108 on Heping Road) would
        otherwise leave nothing to rank by.
        """
        e = self.evidence(model)
        return np.vstack((
            np.where(e["decided"], 1.0, e["participation"]),
            e["compliance"],
            e["organised"].astype(float),
            np.where(e["planned"], 1.0, e["contribution"]),
        ))

    def weights(self) -> np.ndarray:
        """``(4,)`` weights of criteria a–d in the readiness score."""
        p = self.params
        return np.array([p.weight_consensus, p.weight_demolition, p.weight_organisation,
                         p.weight_plan])

    def score(self, model: CompoundModel) -> np.ndarray:
        """Readiness score per compound in [0, 1]: the weighted mean of :meth:`criterion_scores`.

        All weights 0: every score is 0, so ranking by score leaves need's order.
        """
        w = self.weights()
        if not w.any():
            return np.zeros(model.n_compounds)
        return weighted_sum(w, self.criterion_scores(model)) / w.sum()

    def budget(self, model: CompoundModel, compounds: slice = slice(None)) -> float:
        """Yuan per campaign for the budget-based rules: spend × share × all households.

        Args:
            model: The model.
            compounds: One run's compounds, where a model advances several
                (:mod:`sim.replicates`): each run's community has its own budget.
        """
        p = self.params
        return p.spend * p.share * float(model.compounds.households[compounds].sum())

    def need_counts(self, model: CompoundModel) -> np.ndarray:
        """Compounds each run renovates under ``need``: share × its compounds, rounded at random.

        The fraction is rounded with one draw from the run's own generator, so that a
        community of one compound is renovated in a share of campaigns, not in every one or
        in none.
        """
        p = self.params
        k = np.zeros(model.runs.n, dtype=np.int64)
        for r, sl in enumerate(model.runs.compound_slices):
            whole, frac = divmod(p.share * model.compounds.households[sl].size, 1.0)
            k[r] = int(whole) + int(frac > 1e-12 and model.runs.random_of(r) < frac)
        return k

    # ---------------------------------------------------------------- campaign

    def after_decisions(self, model: CompoundModel) -> None:
        """In a campaign month, allocate the money and renovate.

        Each run's community is allocated apart (its own budget, ranking and carry-over),
        so runs merged on a replicate axis (:mod:`sim.replicates`) are allocated as each
        would be alone; with one run the loops below run once, over all compounds.
        """
        p = self.params
        month = model.steps
        if month < p.first or (month - p.first) % p.interval != 0:
            return
        comps, runs = model.compounds, model.runs
        budgets = [self.budget(model, sl) for sl in runs.compound_slices]
        available = budgets
        plan = self.codesign
        passed: np.ndarray | None = None
        if p.allocation == "need":
            k = self.need_counts(model)
            acting = k > 0
            if not acting.any():
                return
            if plan is not None:  # rejected plans are passed over: the next worst instead
                passed = plan.vote(model, acting)
            fraction = np.zeros(comps.n)
            for r, sl in enumerate(runs.compound_slices):
                if acting[r]:
                    order = np.argsort(comps.condition[sl], kind="stable") + _first(sl)
                    if passed is not None:
                        order = order[passed[order]]
                    fraction[order[:k[r]]] = 1.0
        else:
            acting = np.ones(runs.n, dtype=bool)
            if plan is not None:
                passed = plan.vote(model)
            if p.allocation == "equal":
                fraction = np.full(comps.n, p.share)
                if passed is not None:
                    fraction[~passed] = 0.0
            else:
                fraction, available = self.allocate(model, budgets, passed)
        model.government.campaigns.extend([month] * int(acting.sum()))
        upkeep = self.renovate(model, fraction)
        if plan is not None:
            plan.stake_in(model, fraction)
        for r, sl in enumerate(runs.compound_slices):
            if not acting[r]:
                continue
            funded = np.flatnonzero(fraction[sl] > 0) + _first(sl)
            model.government.funded.append(funded)
            self.allocations.append({"month": month, "allocation": p.allocation,
                                     "budget": budgets[r], "available": available[r],
                                     "upkeep": upkeep[sl], "compounds": funded,
                                     "carried": float(self.carry[r]),
                                     "passed": None if passed is None else passed[sl].copy()})

    def allocate(self, model: CompoundModel, budgets: list[float],
                 passed: np.ndarray | None = None) -> tuple[np.ndarray, list[float]]:
        """Full renovations by readiness score (``competition``) or need × readiness score.

        Compounds are ranked by :meth:`score` (the weighted criteria); under ``competition``
        only those meeting ``min_criteria`` of the criteria (:meth:`criteria`) take part.
        Each run's compounds are ranked and funded within the run's budget.

        Args:
            model: The model.
            budgets: Yuan for this campaign, per run.
            passed: With ``codesign``, whose residents approved the plan; the others are
                passed over (``None``: everyone's plan stands).

        Returns:
            ``(fraction of a full renovation per compound, money available per run)``; under
            ``competition`` what is not spent is kept in :attr:`carry`.
        """
        p = self.params
        comps = model.compounds
        cost = p.spend * comps.households
        readiness = self.score(model)
        if p.allocation == "competition":
            qualify = self.criteria(model).sum(axis=0) >= p.min_criteria
            assessment = find_assessment(model)
            if assessment is not None:
                qualify &= assessment.eligible
                assessment.eligible[:] = True
        fraction = np.zeros(comps.n)
        available: list[float] = []
        for r, sl in enumerate(model.runs.compound_slices):
            condition = comps.condition[sl]
            if p.allocation == "competition":
                available.append(budgets[r] + float(self.carry[r]))
                order = np.lexsort((condition, self.renovated[sl], -readiness[sl])) + _first(sl)
                order = order[qualify[order]]
            else:
                available.append(budgets[r])
                order = np.lexsort((condition, -(1.0 - condition) * readiness[sl])) + _first(sl)
            if passed is not None:
                order = order[passed[order]]
            funded, left = first_fit(cost[order], available[r])
            self.carry[r] = left if p.allocation == "competition" else 0.0
            fraction[order[funded]] = 1.0
        return fraction, available

    def renovate(self, model: CompoundModel, fraction: np.ndarray | None = None,
                 chosen: np.ndarray | None = None) -> np.ndarray:
        """Spend on upkeep, clear matters, maybe invite a firm; returns upkeep per compound.

        Args:
            model: The model.
            fraction: Share of a full renovation (``spend`` per household) per compound;
                a partial one clears each open matter, and invites a firm, with that
                probability.
            chosen: Alternatively, indices of compounds renovated in full.
        """
        p = self.params
        comps, book = model.compounds, model.matters
        if fraction is None:
            fraction = np.zeros(comps.n)
            if chosen is not None:
                fraction[chosen] = 1.0
        full = fraction >= 1.0
        partial = (fraction > 0) & ~full
        upkeep = np.where(fraction > 0, fraction * p.spend * comps.households, 0.0)
        model.government.pay(upkeep)
        comps.upkeep += model.ledger.spend("upkeep", upkeep)
        if p.clear_matters and book.n_open:
            hit = full[book.compound]
            if partial.any():  # draws only for partial renovations (need draws nothing)
                hit = hit | (model.runs.random(model.runs.of(book.compound)) < np.where(
                    partial, fraction, 0.0)[book.compound])
            # Matters residents are already raising money for stay theirs.
            clear = hit & (book.category != book.category_index("private")) & ~book.in_project
            cost = np.bincount(book.compound[clear], weights=book.cost[clear], minlength=comps.n)
            model.government.pay(cost)
            model.ledger.spend("matters", cost)
            book.resolve(clear, model.steps, "campaign")
        if p.invite_firm:
            works = full
            if partial.any():
                works = full | (model.runs.random(model.runs.compounds)
                                < np.where(partial, fraction, 0.0))
            ready = works & ~comps.firm_present & (
                comps.recent_contribution() >= p.invite_min_collection)
            firm.bring_in(model, np.flatnonzero(ready))
        self._renovated(model, full)
        return upkeep

    def _renovated(self, model: CompoundModel, full: np.ndarray) -> None:
        """Remove the competition incentive where renovated; tell the assessment."""
        self.renovated |= full
        done = full & self.incentive_added.any(axis=1)
        if done.any():
            model.compounds.norm[done] -= self.incentive_added[done]
            self.incentive_added[done] = 0.0
        assessment = find_assessment(model)
        if assessment is not None and full.any():
            assessment.award(model, np.flatnonzero(full))
