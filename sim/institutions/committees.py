"""The three bodies of Nan'an's "131": whether, how, how well.

Seed 001: "议事会民主商议决定'办不办',业委会决策执行确定'怎么办',
监委会全程监督'办得怎么样'".
For the street lights of the 移民小区:
"召开多次议事会讨论,最后决定每家每户'打平伙'解决路灯维修问题";
"业委会、监委会货比三家,选择价廉物美的新路灯,小区里有电工手艺的居民自告奋勇,修好了路灯没收一分钱".

* ``deliberation_council`` — meets monthly on the oldest open matter it may take up; with
  a quorum of participating households, one household one vote, it approves the matter
  when a majority of those attending are paying households.
* ``owners_committee`` — turns an approved matter into a project: compares prices, finds a
  volunteer for the labour if one volunteers, asks every household for an equal share
  (打平伙), pays and resolves the matter when the money is in. It keeps what is left as the
  compound's fund and spends part of it on upkeep each month (以院养院). Unsupervised, it
  may divert money (misuse); a rumour of misuse costs trust.
* ``supervisory_committee`` — deters misuse, finds it out, and publishes the accounts of
  each completed project, which builds trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sim import kernels
from sim.arrays import isin, run_starts
from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.institutions.congress import Congress, CongressParams
from sim.selfgov import shift_trust

if TYPE_CHECKING:
    from sim.model import CompoundModel

Category = Literal["big", "small", "private"]


def eligible_matters(model: CompoundModel, compounds: np.ndarray,
                     categories: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The oldest open matter of the given categories in each compound of the mask.

    Returns:
        ``(compounds, matter_positions)`` for the compounds that have one.
    """
    book = model.matters
    cats = [book.category_index(c) for c in categories]
    ok = compounds[book.compound] & isin(book.category, cats) & ~book.in_project
    pos = np.flatnonzero(ok)
    if pos.size == 0:
        return pos, pos
    order = np.lexsort((book.opened[pos], book.compound[pos]))
    pos = pos[order]
    comp = book.compound[pos]
    first = run_starts(comp)
    return comp[first], pos[first]


class CouncilParams(Params):
    """Parameters of ``deliberation_council``."""

    quorum: float = Field(0.08, ge=0, le=1, description="Share of households that must take "
                                                        "part for the council to decide.",
                          json_schema_extra={"prior": {"low": 0.04, "high": 0.12,
                                                       "source": "assumption"}})
    majority: float = Field(0.5, ge=0, le=1, description="Share of those taking part who must "
                                                         "be paying households to approve.",
                            json_schema_extra={"prior": {"low": 0.5, "high": 0.67,
                                                         "source": "assumption"}})
    categories: list[Category] = Field(["small"], description="Categories of matters the "
                                                              "council takes up.")
    legitimacy_trust: float = Field(0.03, ge=0, le=1, description="Share of the gap to full "
                                                                  "trust closed for everyone "
                                                                  "when a decision is made in "
                                                                  "the open.",
                                    json_schema_extra={"prior": {"low": 0.015, "high": 0.045,
                                                                 "source": "assumption"}})


class DeliberationCouncil(Institution[CouncilParams]):
    """议事会: decides *whether* a matter is taken up (quorum, one household one vote)."""

    name = "deliberation_council"
    source = "001 (Nan'an): 议事会民主商议决定'办不办'"
    Params = CouncilParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            writes=("selfgov.bodies.council",),
        ),
        after_decisions=Access(
            reads=("selfgov.bodies.council", "selfgov.project", "selfgov.approved",
                   "selfgov.efficiency", "matters.open", "population.decisions",
                   "population.trust"),
            writes=("model.rng", "population.trust", "selfgov.approved"),
        ),
        month_end=Access(
            writes=("selfgov.approved",),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """A council in every compound."""
        model.selfgov.bodies["council"][:] = True

    def after_decisions(self, model: CompoundModel) -> None:
        """Meet (as often as coordination allows) and vote on the oldest open matter."""
        p = self.params
        sg = model.selfgov
        free = sg.bodies["council"] & ~sg.active() & (sg.approved < 0)
        meets = free & (model.runs.random(model.runs.compounds) < sg.efficiency)
        comps, pos = eligible_matters(model, meets, list(p.categories))
        if comps.size == 0:
            return
        pop = model.population
        attending = pop.acts[:, 3]
        voters = model.compounds.total(attending)
        yes = model.compounds.total(attending & pop.acts[:, 0])
        hh = np.maximum(model.compounds.households, 1)
        quorum = voters[comps] / hh[comps] >= p.quorum
        passed = quorum & (yes[comps] >= p.majority * np.maximum(voters[comps], 1))
        sg.approved[comps[passed]] = model.matters.ids[pos[passed]]
        decided = np.zeros(sg.n, dtype=bool)
        decided[comps[quorum]] = True
        shift_trust(model, decided, p.legitimacy_trust)

    def month_end(self, model: CompoundModel) -> None:
        """An approval nobody took up this month lapses (no committee, or it was busy)."""
        model.selfgov.approved[:] = -1


class CommitteeParams(CongressParams):
    """Parameters of ``owners_committee``.

    Those of the owners' congress (:mod:`sim.institutions.congress`) act only with
    ``formation: congress``.
    """

    formation: Literal["all", "endogenous", "congress"] = Field(
        "all", description="'all': a committee in every compound from the start; "
                           "'endogenous': it forms where participation stays at or above "
                           "`formation_participation` for `formation_months` months; "
                           "'congress': there a preparatory group forms and an owners' "
                           "congress must elect it by law (sim.institutions.congress), and "
                           "it may lapse.")
    formation_participation: float = Field(0.1, ge=0, le=1, description="Participation rate "
                                                                        "that forms a "
                                                                        "committee.",
                                           json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                                        "source": "assumption"}})
    formation_months: int = Field(3, ge=1, le=120, description="Consecutive months of that "
                                                               "participation needed.",
                                  json_schema_extra={"prior": {"low": 2, "high": 6,
                                                               "source": "assumption"}})
    categories: list[Category] = Field(["small"], description="Categories it takes up "
                                                              "without a council.")
    self_approve: float = Field(0.2, ge=0, le=1, description="Monthly chance it takes up a "
                                                             "matter itself where no council "
                                                             "decides.",
                                json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                             "source": "assumption"}})
    price_saving: float = Field(0.1, ge=0, le=1, description="Share of the cost saved by "
                                                             "comparing prices (货比三家).",
                                json_schema_extra={"prior": {"low": 0.05, "high": 0.2,
                                                             "source": "assumption"}})
    skill_rarity: float = Field(20.0, gt=0, le=1e6, description="Volunteering households for "
                                                                "a 63 % chance that one can do "
                                                                "the labour for free.",
                                json_schema_extra={"prior": {"low": 10.0, "high": 40.0,
                                                             "source": "assumption"}})
    target_rate: float = Field(0.8, gt=0, le=1, description="Share of households whose equal "
                                                            "shares are meant to cover the "
                                                            "cost.",
                               json_schema_extra={"prior": {"low": 0.6, "high": 0.95,
                                                            "source": "assumption"}})
    max_months: int = Field(12, ge=1, le=600, description="Months after which an unfinished "
                                                          "project is abandoned.",
                            json_schema_extra={"prior": {"low": 6, "high": 18,
                                                         "source": "assumption"}})
    fund_upkeep: float = Field(0.1, ge=0, le=1, description="Share of the compound fund spent "
                                                            "on upkeep each month (以院养院).",
                               json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                            "source": "assumption"}})
    misuse_prob: float = Field(0.02, ge=0, le=1, description="Monthly chance an unsupervised "
                                                             "committee diverts money.",
                               json_schema_extra={"prior": {"low": 0.005, "high": 0.05,
                                                            "source": "assumption"}})
    misuse_share: float = Field(0.3, ge=0, le=1, description="Share of the balance diverted.",
                                json_schema_extra={"prior": {"low": 0.1, "high": 0.5,
                                                             "source": "assumption"}})
    rumour_prob: float = Field(0.1, ge=0, le=1, description="Monthly chance undetected misuse "
                                                            "becomes known.",
                               json_schema_extra={"prior": {"low": 0.05, "high": 0.2,
                                                            "source": "assumption"}})
    rumour_trust_loss: float = Field(0.2, ge=0, le=1, description="Share of trust lost when "
                                                                  "misuse becomes known.",
                                     json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                                  "source": "assumption"}})


class OwnersCommittee(Institution[CommitteeParams]):
    """业委会: decides *how* and executes with pooled money (打平伙)."""

    name = "owners_committee"
    source = "001 (Nan'an): 业委会决策执行确定'怎么办'; 打平伙; 货比三家"
    Params = CommitteeParams
    replicate = axes(_streak="compound", congress="nested")
    contract = Contract(
        setup=Access(
            writes=("model.rng", "selfgov.bodies.committee"),
        ),
        before_decisions=Access(
            reads=("selfgov.project", "selfgov.project_share", "selfgov.paid"),
            writes=("compounds.extra_due",),
        ),
        after_decisions=Access(
            reads=("selfgov.bodies.committee", "selfgov.bodies.council",
                   "selfgov.bodies.cobuilding_council", "selfgov.approved", "selfgov.efficiency",
                   "selfgov.matching_share", "selfgov.cobuilding_share", "selfgov.deterrence",
                   "selfgov.project", "selfgov.project_cost", "selfgov.project_collected",
                   "selfgov.project_share", "selfgov.project_start", "selfgov.project_funders",
                   "selfgov.project_reward", "selfgov.paid", "matters.open",
                   "population.decisions", "ledger.accounts", "compounds.upkeep",
                   "selfgov.misuse_factor", "selfgov.misuse_pending"),
            writes=("model.rng", "selfgov.approved", "selfgov.completed", "selfgov.project",
                    "selfgov.project_cost", "selfgov.project_collected", "selfgov.project_share",
                    "selfgov.project_start", "selfgov.project_funders", "selfgov.project_reward",
                    "selfgov.paid", "selfgov.projects_done", "selfgov.misuse_pending",
                    "selfgov.misused_total", "matters.open", "matters.resolved",
                    "ledger.accounts", "government.spent", "compounds.extra_due",
                    "compounds.upkeep"),
        ),
        month_end=Access(
            reads=("selfgov.misuse_pending", "population.trust", "population.decisions",
                   "selfgov.bodies.committee", "selfgov.bodies.branch", "selfgov.project",
                   "compounds.firm_present"),
            writes=("model.rng", "population.trust", "selfgov.misuse_pending",
                    "selfgov.bodies.committee", "selfgov.project", "selfgov.project_share",
                    "selfgov.project_funders", "selfgov.project_reward", "matters.open",
                    "compounds.extra_due"),
        ),
    )

    def __init__(self, model: CompoundModel, params: CommitteeParams) -> None:
        super().__init__(model, params)
        self._streak = np.zeros(model.n_compounds, dtype=np.int64)
        self.congress = Congress(model, params) if params.formation == "congress" else None

    def setup(self, model: CompoundModel) -> None:
        """Committees everywhere, or none until they form (by congress: floor areas drawn)."""
        p = self.params
        model.selfgov.bodies["committee"][:] = p.formation == "all"
        if self.congress is not None:
            self.congress.setup(model)

    def _live(self, model: CompoundModel) -> np.ndarray:
        """Per run: a committee somewhere, or something of one left to do.

        Where neither holds the committee acts and draws nothing (under ``formation: all``
        there is always a committee, so every run is live). Per run, so that runs merged on
        a replicate axis (:mod:`sim.replicates`) each open or shut their own gate.
        """
        sg = model.selfgov
        return model.runs.touched(sg.bodies["committee"] | sg.active()
                                  | (sg.misuse_pending > 0))

    def before_decisions(self, model: CompoundModel) -> None:
        """Tell households the share they are asked this month."""
        model.selfgov.refresh_due(model)

    def after_decisions(self, model: CompoundModel) -> None:
        """Start, fund and finish projects; spend the fund; maybe divert money."""
        sg = model.selfgov
        sg.completed[:] = False
        live = self._live(model)
        if not live.any():
            return
        where = model.runs.where(live, model.runs.compounds)  # None: every run acts
        sg.drop_resolved_elsewhere(model)
        self._start_projects(model, where)
        self._collect(model)
        self._finish(model)
        self._spend_fund(model)
        self._misuse(model, where)

    def month_end(self, model: CompoundModel) -> None:
        """Rumours of misuse; committees form where residents keep taking part."""
        p = self.params
        sg = model.selfgov
        live = self._live(model)
        if live.any():
            where = model.runs.where(live, model.runs.compounds)
            heard = model.runs.random_where(model.runs.compounds, where) < p.rumour_prob
            known = (sg.misuse_pending > 0) & heard
            shift_trust(model, known, -p.rumour_trust_loss)
            sg.misuse_pending[known] = 0.0
        if p.formation == "all":
            return
        rate = model.compound_rates()["participation_rate"]
        self._streak = np.where(rate >= p.formation_participation, self._streak + 1, 0)
        sustained = self._streak >= p.formation_months
        if self.congress is None:
            sg.bodies["committee"] |= sustained
            return
        has = self.congress.month_end(model, sustained, rate, p.formation_months)
        gone = np.flatnonzero(sg.bodies["committee"] & ~has & sg.active())
        if gone.size:
            sg.stop(model, gone)  # a lapsed committee's project is abandoned
        sg.bodies["committee"][:] = has

    # ---------------------------------------------------------------- steps

    def _start_projects(self, model: CompoundModel, where: np.ndarray | None) -> None:
        """Turn this month's approvals (or the committee's own choice) into projects.

        ``where``: the compounds of the runs whose committee acts (``None``: all).
        """
        p = self.params
        sg, book = model.selfgov, model.matters
        acting = slice(None) if where is None else where
        ready = sg.bodies["committee"] & ~sg.active()
        approved = ready & (sg.approved >= 0)
        comps = np.flatnonzero(approved)
        pos = np.flatnonzero(isin(book.ids, sg.approved[comps]))
        pos = pos[np.argsort(book.compound[pos], kind="stable")]
        # Without a deciding body the committee takes a matter up itself, now and then.
        deciders = sg.bodies["council"] | sg.bodies["cobuilding_council"]
        own = ready & ~deciders & (model.runs.random_where(model.runs.compounds, where)
                                   < p.self_approve * sg.efficiency)
        own_comps, own_pos = eligible_matters(model, own, list(p.categories))
        comps = np.concatenate((comps, own_comps))
        pos = np.concatenate((pos, own_pos))
        if comps.size == 0:
            sg.approved[acting] = -1
            return
        volunteers = model.compounds.total(model.population.acts[:, 2])[comps]
        skilled = (model.runs.random(model.runs.of(comps))
                   < 1.0 - kernels.exp(-volunteers / p.skill_rarity))
        labour = np.array([t.labour_share for t in model.config.matters.types])[book.kind[pos]]
        cost = book.cost[pos] * (1.0 - p.price_saving) * (1.0 - labour * skilled)
        others = sg.matching_share[comps] + sg.cobuilding_share[comps]
        hh = model.compounds.households[comps]
        share = cost * np.maximum(1.0 - others, 0.0) / (hh * p.target_rate)
        sg.start(model, comps, book.ids[pos], cost, share)
        sg.approved[acting] = -1

    def _collect(self, model: CompoundModel) -> None:
        sg = model.selfgov
        active = sg.active()
        collecting = model.runs.touched(active)  # per run: a project under way
        if not collecting.any():
            return
        pop = model.population
        where = model.runs.where(collecting, model.runs.households)
        reached = (model.runs.random_where(model.runs.households, where)
                   < sg.efficiency[pop.compound])
        payers = active[pop.compound] & ~sg.paid & pop.acts[:, 0] & reached
        money = model.compounds.total(payers) * sg.project_share
        model.ledger.deposit("pooled", money)
        sg.project_collected += money
        sg.paid |= payers

    def _finish(self, model: CompoundModel) -> None:
        """Pay and resolve the matters whose money is in; abandon stale projects."""
        p = self.params
        sg, book = model.selfgov, model.matters
        need = sg.project_cost - sg.project_funders
        done = sg.active() & (sg.project_collected >= need - 1e-9) & (
            model.ledger.balance >= need - 1e-9)
        comps = np.flatnonzero(done)
        if comps.size:
            reward = np.where(done, sg.project_reward, 0.0)
            if reward.any():
                model.government.pay(reward, source="reward")
            outside = np.where(done, sg.project_funders - sg.project_reward, 0.0)
            if outside.any():
                model.ledger.deposit("co_building", outside)
            model.ledger.spend("matters", np.where(done, sg.project_cost, 0.0))
            mask = isin(book.ids, sg.project[comps])
            book.resolve(mask, model.steps, "residents", sg.project_cost[book.compound[mask]])
            sg.projects_done[comps] += 1
            sg.completed[comps] = True
            sg.stop(model, comps)
        stale = sg.active() & (model.steps - sg.project_start >= p.max_months)
        if stale.any():
            sg.stop(model, np.flatnonzero(stale))

    def _spend_fund(self, model: CompoundModel) -> None:
        p = self.params
        sg = model.selfgov
        idle = sg.bodies["committee"] & ~sg.active()
        amount = np.where(idle, p.fund_upkeep * model.ledger.balance, 0.0)
        model.compounds.upkeep += model.ledger.spend("upkeep", amount)

    def _misuse(self, model: CompoundModel, where: np.ndarray | None) -> None:
        p = self.params
        sg = model.selfgov
        chance = p.misuse_prob * (1.0 - sg.deterrence) * sg.misuse_factor
        diverts = sg.bodies["committee"] & (model.runs.random_where(model.runs.compounds, where)
                                            < chance)
        amount = np.where(diverts, p.misuse_share * model.ledger.balance, 0.0)
        taken = model.ledger.spend("misuse", amount)
        sg.misuse_pending += taken
        sg.misused_total += taken


class SupervisoryParams(Params):
    """Parameters of ``supervisory_committee``."""

    deterrence: float = Field(0.7, ge=0, le=1, description="Share by which supervision lowers "
                                                           "the chance of misuse.",
                              json_schema_extra={"prior": {"low": 0.5, "high": 0.9,
                                                           "source": "assumption"}})
    detect_prob: float = Field(0.5, ge=0, le=1, description="Monthly chance that pending "
                                                            "misuse is found and published.",
                               json_schema_extra={"prior": {"low": 0.25, "high": 0.75,
                                                            "source": "assumption"}})
    detect_trust_loss: float = Field(0.05, ge=0, le=1, description="Share of trust lost when "
                                                                   "supervision finds misuse "
                                                                   "and publishes it (the "
                                                                   "money is not recovered).",
                                     json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                                  "source": "assumption"}})
    publish_trust_gain: float = Field(0.05, ge=0, le=1, description="Share of the gap to full "
                                                                    "trust closed when a "
                                                                    "project's accounts are "
                                                                    "published.",
                                      json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                                   "source": "assumption"}})


class SupervisoryCommittee(Institution[SupervisoryParams]):
    """监委会: checks *how well*: deters and finds misuse, publishes accounts."""

    name = "supervisory_committee"
    source = "001 (Nan'an): 监委会全程监督'办得怎么样'"
    Params = SupervisoryParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            reads=("selfgov.bodies.committee",),
            writes=("selfgov.bodies.supervisory", "selfgov.deterrence"),
        ),
        before_decisions=Access(
            reads=("selfgov.bodies.committee",),
            writes=("selfgov.bodies.supervisory", "selfgov.deterrence"),
        ),
        month_end=Access(
            reads=("selfgov.bodies.supervisory", "selfgov.misuse_pending",
                   "selfgov.misuse_detected", "selfgov.completed", "population.trust"),
            writes=("model.rng", "population.trust", "selfgov.misuse_pending",
                    "selfgov.misuse_detected"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Watch the committees that exist from the start."""
        self.before_decisions(model)

    def before_decisions(self, model: CompoundModel) -> None:
        """A supervisory committee watches every owners' committee (new ones too)."""
        p = self.params
        sg = model.selfgov
        sg.bodies["supervisory"] = sg.bodies["committee"].copy()
        sg.deterrence = np.where(sg.bodies["supervisory"], p.deterrence, 0.0)

    def month_end(self, model: CompoundModel) -> None:
        """Find misuse; publish the accounts of completed projects."""
        p = self.params
        sg = model.selfgov
        found = sg.bodies["supervisory"] & (sg.misuse_pending > 0) & (
            model.runs.random(model.runs.compounds) < p.detect_prob)
        shift_trust(model, found, -p.detect_trust_loss)
        sg.misuse_detected[found] += 1
        sg.misuse_pending[found] = 0.0
        shift_trust(model, sg.completed & sg.bodies["supervisory"], p.publish_trust_gain)
