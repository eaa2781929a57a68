"""Party organisation in the compound: the branch, dual report and one shoulder.

Seed 003 (Huli): "凡在册正式党员达3名以上的居住小区,成立建制性党支部" — a compound with three
or more registered members forms its own branch; "在职党员到居住小区报到" (双报到); "小区支部书记
直接兼任业委会主任" (一肩挑). Seed 001
(Nan'an): the branch organises the deliberation ("在小区党支部的组织下,移民小区召开多次议事会讨论")
and community staff go from door to door. Seed 000 (Chongchuan): "社区干部和邻里代表会专门上门
进行提醒和劝诫".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.selfgov import choose_households, mobilise

if TYPE_CHECKING:
    from sim.model import CompoundModel


class DualReportParams(Params):
    """Parameters of ``dual_report``."""

    share: float = Field(0.719, ge=0, le=1, description="Share of party-member households "
                                                        "registered at their home compound; "
                                                        "the prior is our assumption, the "
                                                        "default its posterior median under "
                                                        "huli_six_party's volunteering bound.",
                         json_schema_extra={"prior": {
                             "low": 0.7, "high": 1.0, "source": "assumption",
                             "calibrated": "plausible.yaml (Xiamen's bound), huli_six_party; "
                                           "docs/calibration.md"}})


class DualReport(Institution[DualReportParams]):
    """双报到: in-service party members register with the compound they live in."""

    name = "dual_report"
    source = "003 (Huli): 在职党员到居住小区报到"
    Params = DualReportParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            reads=("population.party",),
            writes=("model.rng", "population.registered"),
        ),
        before_decisions=Access(
            reads=("population.party", "population.arrived"),
            writes=("model.rng", "population.registered"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Register members: the share registered rises to ``share``."""
        p = self.params
        pop = model.population
        pop.registered = pop.party & (model.rng.random(pop.n) < p.share)

    def before_decisions(self, model: CompoundModel) -> None:
        """Newcomers' members register at ``share`` too (:mod:`sim.turnover`)."""
        pop = model.population
        new = pop.arrived
        if new.size:
            pop.registered[new] = pop.party[new] & (
                model.runs.random(model.runs.households[new]) < self.params.share)


class OneShoulderParams(Params):
    """``one_shoulder`` has no parameters."""


class OneShoulder(Institution[OneShoulderParams]):
    """一肩挑: the branch secretary also chairs the owners' committee (no friction)."""

    name = "one_shoulder"
    source = "003 (Huli): 小区支部书记直接兼任业委会主任"
    Params = OneShoulderParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            writes=("selfgov.one_shoulder",),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Every compound's branch and committee are led by one person."""
        model.selfgov.one_shoulder[:] = True


class PartyBranchParams(Params):
    """Parameters of ``party_branch``."""

    min_members: int = Field(3, ge=1, le=1000, description="Registered member households a "
                                                           "compound needs to form a branch "
                                                           "(seed 003: 3).",
                             json_schema_extra={"prior": {"low": 2, "high": 4,
                                                          "source": "seed 003: "
                                                                    "在册正式党员达3名以上 "
                                                                    "(members; the model counts "
                                                                    "households)"}})
    grid_branch: bool = Field(False, description="A grid or functional branch serves every "
                                                 "compound, whatever its members (seeds 001 "
                                                 "网格党支部, 002 红邻党支部).")
    visits_per_member: float = Field(4.0, ge=0, le=1000, description="Households visited per "
                                                                     "registered member per "
                                                                     "month (入户).",
                                     json_schema_extra={"prior": {"low": 2.0, "high": 6.0,
                                                                  "source": "assumption"}})
    trust_gain: float = Field(0.05, ge=0, le=1, description="Share of the gap to full trust "
                                                            "a visit closes.",
                              json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                           "source": "assumption"}})
    dependence_cut: float = Field(0.05, ge=0, le=1, description="Share of dependence a visit "
                                                                "removes.",
                                  json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                               "source": "assumption"}})
    agenda_grace: int = Field(4, ge=0, le=120, description="Extra months an open matter may "
                                                           "wait before it causes grievance: "
                                                           "the branch puts it on the agenda.",
                              json_schema_extra={"prior": {"low": 2, "high": 6,
                                                           "source": "assumption"}})
    triggered_visit: float = Field(0.0, ge=0, le=1, description="Probability that a household "
                                                                "that broke the rules last "
                                                                "month is visited this month "
                                                                "(违规时上门劝导, seed 000); 0: "
                                                                "visits by quota only.",
                                   json_schema_extra={"label_zh": "违规触发上门劝导的概率",
                                                      "prior": {"low": 0.0, "high": 0.8,
                                                                "source": "assumption"}})
    visit_mode: Literal["both", "triggered"] = Field(
        "both", description="'both': the monthly quota of visits and the visits triggered by a "
                            "violation; 'triggered': only the visits a violation triggers "
                            "(按违规上门, 不设定额).")


def visit_violators(model: CompoundModel, where: np.ndarray, probability: float,
                    already: np.ndarray) -> np.ndarray:
    """Households visited because they broke the rules last month (seed 000).

    Seed 000: "违规时的特别干预提示。比如,装修时建筑垃圾未能袋装化,社区干部和邻里代表会专门上门进行
    提醒和劝诫". Each household of a compound in ``where`` that did not comply last month is
    visited with ``probability`` (one draw each, only when ``probability`` > 0), unless it was
    visited already this month or has just moved in (its "violation" is the month-0 draw of a
    newcomer, not an act seen by anyone).

    Args:
        model: The model.
        where: Compounds whose visitors act (bool per compound).
        probability: Chance that a violator is visited.
        already: Households visited already this month (indices).

    Returns:
        Indices of the households visited, sorted.
    """
    pop = model.population
    if probability <= 0 or not where.any():
        return np.zeros(0, dtype=np.int64)
    violator = ~pop.acts[:, 1] & where[pop.compound]
    violator[already] = False
    violator[pop.arrived] = False
    candidates = np.flatnonzero(violator)
    return candidates[model.runs.random(model.runs.households[candidates]) < probability]


class PartyBranch(Institution[PartyBranchParams]):
    """党支部: forms with enough registered members; visits households; sets the agenda.

    Each month the registered members of a branch visit households, those who did not pay
    or broke the rules first (上门劝导): a visited household is mobilised, trusts a little
    more and relies a little less on government. Members lead by example (they are
    mobilised themselves). Open matters go on the branch's agenda, so they wait longer
    before they turn into grievance. With ``triggered_visit`` > 0 a violation itself brings
    a visit (seed 000: 违规时的特别干预提示): each household that broke the rules last month
    and was not visited by the quota is visited with that probability
    (:func:`visit_violators`); ``visit_mode: triggered`` drops the quota.
    """

    name = "party_branch"
    source = "003 (Huli): 支部建在小区上; 001 (Nan'an): 网格党支部"
    Params = PartyBranchParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            reads=("population.registered", "matters.grace"),
            writes=("selfgov.bodies.branch", "matters.grace"),
        ),
        before_decisions=Access(
            reads=("selfgov.bodies.branch", "selfgov.efficiency", "population.registered",
                   "population.decisions", "population.trust", "population.dependence",
                   "population.arrived"),
            writes=("model.rng", "population.mobilisation", "population.trust",
                    "compounds.mobilised", "population.dependence"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Form branches and put open matters on their agenda."""
        p = self.params
        sg = model.selfgov
        if p.grid_branch:
            sg.bodies["branch"][:] = True
        else:
            sg.bodies["branch"] = self.registered(model) >= p.min_members
        model.matters.grace = np.where(sg.bodies["branch"],
                                       model.matters.grace + p.agenda_grace, model.matters.grace)

    @staticmethod
    def registered(model: CompoundModel) -> np.ndarray:
        """Registered party-member households per compound."""
        return model.compounds.total(model.population.registered).astype(np.int64)

    def before_decisions(self, model: CompoundModel) -> None:
        """Door-to-door visits, laggards first; members lead by example."""
        p = self.params
        sg = model.selfgov
        pop = model.population
        branch = sg.bodies["branch"]
        if not branch.any():
            return
        visited = np.zeros(0, dtype=np.int64)
        if p.visit_mode == "both":
            members = np.maximum(self.registered(model), 1)
            counts = np.where(branch, np.round(p.visits_per_member * members * sg.efficiency),
                              0)
            laggard = (~pop.acts[:, 0] | ~pop.acts[:, 1]).astype(float)
            visited = choose_households(model, counts.astype(np.int64), priority=laggard)
        triggered = visit_violators(model, branch, p.triggered_visit, visited)
        mobilise(model, visited, p.trust_gain, p.dependence_cut)
        mobilise(model, triggered, p.trust_gain, p.dependence_cut)
        leaders = np.flatnonzero(pop.registered & branch[pop.compound])
        mobilise(model, leaders)
