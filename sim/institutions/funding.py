"""Funding that rewards self-governance: dynamic assessment and reward instead of subsidy.

* ``dynamic_assessment`` (动态考核) — seed 000 (Chongchuan): "面向所有老旧小区,按照全国文明城市测评
  体系要求和有关细则实施达标验收,在已达标的小区中开展示范创建活动" and, from 2018,
  "对连续两次考核低于90分的达标小区,取消达标小区资格;对连续两次考核低于95分的文明城市长效管理
  示范小区,予以摘牌". Compounds are scored every few months; the score decides a status
  (none, compliant 达标, demonstration 示范) that households take pride in and that a
  competition for renovation money (``renovation_campaign`` with ``allocation:
  competition``) takes into account.
* ``reward_instead_of_subsidy`` (以奖代补) — seed 003 (Huli): "湖里区全力打造小额“以奖代补”项目,
  让小区居民充分参与项目的申报、实施、验收和监管等全流程": government pays a share of a
  residents' project after it is done, instead of paying for the matter itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.arrays import weighted_sum
from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.institutions.government import RecentRates

if TYPE_CHECKING:
    from sim.model import CompoundModel

NONE, COMPLIANT, DEMONSTRATION = 0, 1, 2
"""Assessment statuses: none, compliant (达标), demonstration (示范, with a plaque)."""

STATUS_ACTIONS = (0, 1)
"""Columns of ``Compounds.norm`` that holding a status raises: contribute, comply."""

STREAKS = ("below_pass", "below_plaque", "at_pass", "at_plaque")
"""Rows of the streak array: consecutive assessments below / at or above each threshold,
counted since the compound's status last changed."""


def assessment_score(condition: np.ndarray, compliance: np.ndarray, contribution: np.ndarray,
                     participation: np.ndarray, weights: Sequence[float],
                     participation_full: float) -> np.ndarray:
    """Score 0–100 per compound: 100 × the weighted mean of four parts in [0, 1].

    The parts are the condition Q, the compliance rate, the contribution rate and the
    participation rate relative to ``participation_full`` (capped at 1).

    Args:
        condition: Condition per compound.
        compliance: Compliance rate per compound.
        contribution: Contribution rate per compound.
        participation: Participation rate per compound.
        weights: Weights of the four parts, in that order (normalised to sum 1).
        participation_full: Participation rate that earns the full participation part.
    """
    parts = np.vstack((condition, compliance, contribution,
                       np.minimum(1.0, np.asarray(participation) / participation_full)))
    w = np.asarray(weights, dtype=float)
    return 100.0 * weighted_sum(w, np.clip(parts, 0.0, 1.0)) / w.sum()


def update_status(status: np.ndarray, streaks: np.ndarray, score: np.ndarray,
                  pass_score: float = 90.0, plaque_score: float = 95.0,
                  times: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply one assessment to each compound's status (a pure function).

    Streaks count consecutive assessments since the compound's status last changed.
    After this assessment:

    * a compliant or demonstration compound ``times`` times in a row below
      ``pass_score`` loses its status (取消达标小区资格; a demonstration compound is a
      compliant one too);
    * else a demonstration compound ``times`` times in a row below ``plaque_score``
      loses its plaque and is compliant again (予以摘牌);
    * a compound without status ``times`` times in a row at or above ``pass_score``
      becomes compliant (达标就入选);
    * a compliant compound ``times`` times in a row at or above ``plaque_score`` becomes a
      demonstration compound (在已达标的小区中开展示范创建活动).

    Every streak of a compound whose status changed restarts at 0.

    Args:
        status: Status per compound (0 none, 1 compliant, 2 demonstration).
        streaks: ``(4, compounds)`` streaks in :data:`STREAKS` order.
        score: This assessment's score per compound, 0–100.
        pass_score: Score a compliant compound must reach (seed 000: 90).
        plaque_score: Score a demonstration compound must reach (seed 000: 95).
        times: Consecutive assessments that count (seed 000: 连续两次, 2).

    Returns:
        ``(new status, new streaks, lost)``, where ``lost`` marks compounds whose status
        fell. The inputs are not changed.
    """
    status = np.asarray(status)
    below_pass = score < pass_score
    below_plaque = score < plaque_score
    s = np.array(streaks, dtype=np.int64, copy=True)
    for row, hit in enumerate((below_pass, below_plaque, ~below_pass, ~below_plaque)):
        s[row] = np.where(hit, s[row] + 1, 0)
    new = status.copy()
    new[(status >= COMPLIANT) & (s[0] >= times)] = NONE
    new[(status == DEMONSTRATION) & (s[0] < times) & (s[1] >= times)] = COMPLIANT
    new[(status == NONE) & (s[2] >= times)] = COMPLIANT
    new[(status == COMPLIANT) & (s[3] >= times)] = DEMONSTRATION
    changed = new != status
    s[:, changed] = 0
    return new, s, new < status


class AssessmentParams(Params):
    """Parameters of ``dynamic_assessment``."""

    interval: int = Field(6, ge=1, le=120, description="Months between assessments; the "
                                                       "first is at this month. The seed "
                                                       "gives no frequency: half-yearly is "
                                                       "our assumption.",
                          json_schema_extra={"prior": {"low": 3, "high": 12,
                                                       "source": "assumption"}})
    pass_score: float = Field(90.0, ge=0, le=100, description="Score (0–100) a compliant "
                                                              "compound must reach (seed 000: "
                                                              "低于90分).",
                              json_schema_extra={"prior": {"low": 85.0, "high": 92.0,
                                                           "source": "seed 000: "
                                                                     "连续两次考核低于90分 "
                                                                     "(the model's own score)"}})
    plaque_score: float = Field(95.0, ge=0, le=100, description="Score (0–100) a "
                                                                "demonstration compound must "
                                                                "reach (seed 000: 低于95分).",
                                json_schema_extra={"prior": {"low": 93.0, "high": 98.0,
                                                             "source": "seed 000: "
                                                                       "连续两次考核低于95分 "
                                                                       "(the model's own score)"}})
    times: int = Field(2, ge=1, le=20, description="Consecutive assessments below a "
                                                   "threshold that cost the status, or at or "
                                                   "above it that earn the next (seed 000: "
                                                   "连续两次).")
    weight_condition: float = Field(0.3, ge=0, le=10, description="Relative weight of the "
                                                                  "condition Q in the score; "
                                                                  "the four are normalised "
                                                                  "to sum 1 (assumption).",
                                    json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                                 "source": "assumption"}})
    weight_compliance: float = Field(0.3, ge=0, le=10, description="Relative weight of the "
                                                                   "compliance rate (no "
                                                                   "violations, seed 000's "
                                                                   "违章) in the score "
                                                                   "(assumption).",
                                     json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                                  "source": "assumption"}})
    weight_contribution: float = Field(0.3, ge=0, le=10, description="Relative weight of the "
                                                                     "contribution rate (fee "
                                                                     "payment, seed 000's "
                                                                     "诚信榜) in the score "
                                                                     "(assumption).",
                                       json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                                    "source": "assumption"}})
    weight_participation: float = Field(0.1, ge=0, le=10, description="Relative weight of "
                                                                      "participation in the "
                                                                      "score (assumption).",
                                        json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                                     "source": "assumption"}})
    participation_full: float = Field(0.2, gt=0, le=1, description="Share of households "
                                                                   "taking part that earns "
                                                                   "the full participation "
                                                                   "part (assumption).",
                                      json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                                   "source": "assumption"}})
    status_norm: float = Field(0.2, ge=0, le=5, description="Utility added to contributing "
                                                            "and complying in a compound that "
                                                            "holds a status: pride and face "
                                                            "of the plaque that 予以摘牌 takes "
                                                            "away (seed 000); size is our "
                                                            "assumption.",
                               json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                            "source": "assumption"}})
    renovation_status: bool = Field(True, description="A compound renovated in full by "
                                                      "``renovation_campaign`` becomes "
                                                      "compliant (it passed acceptance, "
                                                      "达标验收).")


class DynamicAssessment(Institution[AssessmentParams]):
    """动态考核: score compounds, grant and withdraw compliant and demonstration status.

    Every ``interval`` months each compound is scored 0–100 by
    :func:`assessment_score`: the condition Q at the assessment and the compliance,
    contribution and participation rates averaged over the months since the last one
    (participation relative to ``participation_full``), weighted 0.3, 0.3, 0.3 and 0.1 by
    default. The weights are chosen so that a well-run compound scores 90 or more (Q 0.85,
    compliance 0.97, contribution 0.95, participation ≥ 0.2 → 93) while the administrative
    baseline's typical compound (Q 0.5, rates 0.55–0.6, participation 0.04) scores about
    52; a demonstration score (95) needs Q ≈ 0.9 and near-universal compliance and payment.
    Status follows :func:`update_status`; a compound renovated in full by the campaign
    becomes compliant.

    Consequences of the status:

    * holding a status adds ``status_norm`` utility to contributing and complying
      (the plaque is a matter of face), removed exactly when the status is lost;
    * a compound that lost a status is not eligible in the next ``competition``
      campaign (``renovation_campaign`` reads :attr:`eligible`).

    Attributes:
        status: Status per compound (0 none, 1 compliant, 2 demonstration).
        streaks: ``(4, compounds)`` streaks in :data:`STREAKS` order.
        eligible: False for compounds that lost a status since the last competition.
        scores: Scores of each assessment (one array per assessment).
        months: Month of each assessment.
        statuses: Status after each assessment (one array per assessment).
        norm_added: ``(compounds, 4)`` utility this institution has added to
            ``Compounds.norm`` and not yet removed.
    """

    name = "dynamic_assessment"
    source = "000 (Chongchuan): 连续两次考核低于90分 … 取消达标小区资格; 低于95分 … 予以摘牌"
    Params = AssessmentParams
    replicate = axes(status="compound", streaks="compound:1", eligible="compound",
                     scores="records", months="records", statuses="records", norm_added="compound",
                     recent="recent")
    contract = Contract(
        month_end=Access(
            reads=("compounds.condition", "population.decisions", "compounds.norm"),
            writes=("compounds.norm",),
        ),
    )

    def __init__(self, model: CompoundModel, params: AssessmentParams) -> None:
        super().__init__(model, params)
        n = model.n_compounds
        self.status = np.zeros(n, dtype=np.int64)
        self.streaks = np.zeros((len(STREAKS), n), dtype=np.int64)
        self.eligible = np.ones(n, dtype=bool)
        self.scores: list[np.ndarray] = []
        self.months: list[int] = []
        self.statuses: list[np.ndarray] = []
        self.norm_added = np.zeros((n, 4))
        self.recent = RecentRates(params.interval, n)

    def score(self, model: CompoundModel) -> np.ndarray:
        """This month's score per compound, 0–100."""
        p = self.params
        now = model.compound_rates()
        rate = {name: self.recent.mean(name, now[name])
                for name in ("compliance_rate", "contribution_rate", "participation_rate")}
        return assessment_score(model.compounds.condition, rate["compliance_rate"],
                                rate["contribution_rate"], rate["participation_rate"],
                                (p.weight_condition, p.weight_compliance,
                                 p.weight_contribution, p.weight_participation),
                                p.participation_full)

    def month_end(self, model: CompoundModel) -> None:
        """Remember the month's rates; in an assessment month, score and update status."""
        p = self.params
        self.recent.push(model.compound_rates())
        if model.steps % p.interval != 0:
            return
        score = self.score(model)
        self.status, self.streaks, lost = update_status(
            self.status, self.streaks, score, p.pass_score, p.plaque_score, p.times)
        self.eligible &= ~lost
        self.scores.append(score)
        self.months.append(int(model.steps))
        self.statuses.append(self.status.copy())
        self.apply_norm(model)

    def award(self, model: CompoundModel, compounds: np.ndarray) -> None:
        """Make ``compounds`` (renovated in full) compliant if they hold no status."""
        p = self.params
        if not p.renovation_status:
            return
        gain = np.zeros(self.status.size, dtype=bool)
        gain[compounds] = self.status[compounds] == NONE
        self.status[gain] = COMPLIANT
        self.streaks[:, gain] = 0
        self.apply_norm(model)

    def apply_norm(self, model: CompoundModel) -> None:
        """Set the status utility in ``Compounds.norm`` to match the current status."""
        p = self.params
        target = np.zeros_like(self.norm_added)
        target[:, STATUS_ACTIONS] = np.where(self.status >= COMPLIANT, p.status_norm,
                                             0.0)[:, None]
        model.compounds.norm += target - self.norm_added
        self.norm_added = target


class RewardParams(Params):
    """Parameters of ``reward_instead_of_subsidy``."""

    reward_share: float = Field(0.3, ge=0, le=1, description="Share of a residents' project's "
                                                             "cost government pays once the "
                                                             "project is done (小额 grants; "
                                                             "size is our assumption).",
                                json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                             "source": "assumption"}})


class RewardInsteadOfSubsidy(Institution[RewardParams]):
    """以奖代补: government pays a share of residents' projects after they are delivered.

    Seed 003 (Huli): "项目申报主要由小区党支部和业委会联名发起;项目实施由小区居民成立小组具体落实,
    并由小区党支部和共建理事会负责监督;项目完成后需在小区进行公示". The projects are those of the
    owners' committee (with a deliberation council deciding whether); government promises
    ``reward_share`` of the cost, so each household is asked less, and pays it on
    completion as source "reward" (ledger), which does not teach households to wait for
    government.
    """

    name = "reward_instead_of_subsidy"
    source = "003 (Huli): 小额“以奖代补”项目"
    Params = RewardParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            writes=("selfgov.matching_share",),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Government promises ``reward_share`` of every residents' project."""
        p = self.params
        model.selfgov.matching_share[:] = p.reward_share
