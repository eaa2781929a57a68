"""The mechanisms of the model, each with a documented off switch.

"Why does 131 work?" has two answers: which *institutions* carry its effect (knock-outs and
Shapley values, :mod:`sim.experiments.attribution`), and which *mechanisms* — the terms of
the decision rule and the channels by which institutions act (face, door-to-door
mobilisation, learning to wait for government, pooled money, supervision, …). Each
mechanism here has an off switch made of ``--set`` values of *existing* parameters that
remove its term and nothing else; ``sim explain`` runs the design and the reference with
each switch and reports what the design's effect loses (:func:`switch_off`).

A switch may name parameters of institutions a scenario lacks; they are skipped there, as a
prior's values are (:func:`sim.priors.apply`), so one switch means the same in every design.
A mechanism whose parameters are all absent from a scenario does not apply to it
(:func:`applies`).

Mechanisms without a clean switch among the existing parameters are not listed (see
:data:`WITHOUT_SWITCH`): adding a parameter only to switch them off is a change of the
institutions, not of this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError
from sim.priors import INSTITUTION_PREFIX, apply

if TYPE_CHECKING:
    from sim.config import Scenario


@dataclass(frozen=True)
class Mechanism:
    """One mechanism and its off switch.

    Attributes:
        name: Its key (``face``), in ``attribution.csv``.
        label_zh: Its name in Chinese.
        label_en: Its name in English.
        what_zh: What it is, in Chinese.
        what_en: What it is, in English.
        switch: The ``--set`` values that switch it off (dotted path → value).
        removes: What the switch removes, in the code's terms (what the tests check).
        sources: Institutions without which the mechanism's term is 0 anyway (empty: it
            acts in every scenario). In a scenario with none of them the switch changes no
            result, so it does not apply there (:func:`applies`); a test checks that the
            runs are bit-identical.
    """

    name: str
    label_zh: str
    label_en: str
    what_zh: str
    what_en: str
    switch: Mapping[str, Any] = field(default_factory=dict)
    removes: str = ""
    sources: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """Its name in ``lang``."""
        return self.label_zh if lang == "zh" else self.label_en


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "face", "面子压力", "Face (mianzi) pressure",
        "邻里看得见时，做得比邻居少会丢面子：决策效用中的面子项。",
        "Doing less than the neighbours one is seen by costs face: the face term of the "
        "decision rule.",
        {"behaviour.weights.face": 0.0},
        "w_face = 0: the face factor w_face·sensitivity·visibility is 0 for every household"),
    Mechanism(
        "visibility", "机构带来的可见度", "Visibility added by institutions",
        "好人榜、线上群、楼道长使住户的选择更容易被看见（在邻里关系、同单元之外）。",
        "Public rolls, online groups and stairwell leaders make a household's choice more "
        "visible (beyond its ties and stairwell).",
        {f"{INSTITUTION_PREFIX}public_rolls.credit_visibility": 0.0,
         f"{INSTITUTION_PREFIX}public_rolls.good_people_visibility": 0.0,
         f"{INSTITUTION_PREFIX}online_tools.visibility": 0.0,
         f"{INSTITUTION_PREFIX}stairwell_leaders.visibility": 0.0},
        "compounds.visibility_bonus is 0: visibility is the network's alone"),
    Mechanism(
        "mobilisation", "入户动员", "Door-to-door mobilisation",
        "党员、楼道长上门走访后，住户在一段时间内更愿意参与：效用中的动员项。",
        "A household visited by a party member or stairwell leader is more willing to act "
        "for a while: the mobilisation term of the decision rule.",
        {"behaviour.weights.mobilisation": 0.0},
        "w_mobilisation = 0: the utility does not depend on population.mobilisation",
        ("party_branch", "stairwell_leaders", "three_affairs_triage")),  # mobilise()'s callers
    Mechanism(
        "visit_trust", "走访增信与去依赖", "Trust and self-reliance from visits",
        "走访使住户更信任、更少依赖政府"
        "（党支部、楼道长、三事分流走访的 trust_gain、dependence_cut）。",
        "A visit raises the household's trust and lowers its reliance on government "
        "(trust_gain and dependence_cut of the party branch, stairwell leaders and "
        "three-affairs triage visits).",
        {f"{INSTITUTION_PREFIX}party_branch.trust_gain": 0.0,
         f"{INSTITUTION_PREFIX}party_branch.dependence_cut": 0.0,
         f"{INSTITUTION_PREFIX}stairwell_leaders.trust_gain": 0.0,
         f"{INSTITUTION_PREFIX}three_affairs_triage.trust_gain": 0.0},
        "visits leave trust and dependence unchanged"),
    Mechanism(
        "dependence_learning", "等靠要习得", "Learning to wait for government (等靠要)",
        "政府出钱越多，住户越依赖政府：依赖程度的月度调整。",
        "The more of the money government puts in, the more households rely on it: the "
        "monthly adjustment of dependence.",
        {"behaviour.learning.dependence": 0.0},
        "learning.dependence = 0: dependence moves only by visits"),
    Mechanism(
        "trust_learning", "信任调整", "Trust learning",
        "环境状况和事项处理使住户对'钱和力气会被用好'的信任逐月调整。",
        "Households' trust that money and effort will be used well adjusts month by month "
        "to condition and to how matters are handled.",
        {"behaviour.learning.trust": 0.0},
        "learning.trust = 0: trust moves only by what institutions do to it"),
    Mechanism(
        "coordination_cost", "协调成本", "Coordination cost",
        "小区里机构越多，相互协调的损耗越大（意大利面效应），党支部与业委会分设还有摩擦。",
        "The more bodies in a compound, the more is lost coordinating them (the spaghetti "
        "effect), with friction where a branch and a committee are led by different people.",
        {"coordination.cost_per_link": 0.0, "coordination.friction": 0.0},
        "cost_per_link = friction = 0: coordination efficiency is 1 in every compound",
        # the institutions that create bodies (sim.selfgov.BODIES): with none, a compound has
        # at most its firm, so no link, and no branch and committee, so no friction
        ("party_branch", "deliberation_council", "owners_committee", "supervisory_committee",
         "cobuilding_council", "social_organisation", "cobuilding_units", "stairwell_leaders")),
    Mechanism(
        "council_legitimacy", "议事增信", "Legitimacy of deliberation",
        "议事会达到法定人数议事后，住户信任上升。",
        "A council meeting with a quorum raises residents' trust.",
        {f"{INSTITUTION_PREFIX}deliberation_council.legitimacy_trust": 0.0},
        "legitimacy_trust = 0"),
    Mechanism(
        "pooled_money", "打平伙筹资", "Pooled money (打平伙)",
        "居民议定后由业委会按户分摊筹资、解决小事；没有事项可议，就不会筹资。",
        "Residents decide on a matter and the owners' committee asks every household for a "
        "share and fixes it; with no matter they may take up, nothing is pooled.",
        {f"{INSTITUTION_PREFIX}deliberation_council.categories": [],
         f"{INSTITUTION_PREFIX}owners_committee.categories": [],
         f"{INSTITUTION_PREFIX}cobuilding_council.categories": []},
        "no category of matter may be taken up by residents: no project starts"),
    Mechanism(
        "supervision", "监督", "Supervision",
        "监委会震慑、发现挪用并公开账目，公开账目增进信任。",
        "The supervisory committee deters and finds misuse and publishes the accounts, "
        "which builds trust.",
        {f"{INSTITUTION_PREFIX}supervisory_committee.deterrence": 0.0,
         f"{INSTITUTION_PREFIX}supervisory_committee.detect_prob": 0.0,
         f"{INSTITUTION_PREFIX}supervisory_committee.detect_trust_loss": 0.0,
         f"{INSTITUTION_PREFIX}supervisory_committee.publish_trust_gain": 0.0},
        "deterrence 0 everywhere; nothing found, nothing published"),
    Mechanism(
        "covenant_rules", "公约规则", "Covenant rules",
        "每件居民办成的事变成公约的一条规则：同类事项少发生，相应行为的规范增强。",
        "Each matter residents settle becomes a rule of the covenant: that kind of matter "
        "recurs less and the norm of its action grows.",
        {f"{INSTITUTION_PREFIX}covenant.recurrence_cut": 0.0,
         f"{INSTITUTION_PREFIX}covenant.norm_step": 0.0},
        "rules change neither arrival rates nor norms"),
    Mechanism(
        "petition_pressure", "上访与参与促办", "Pressure on government",
        "上访和参与越多，政府处理事项越快。",
        "The more residents petition and take part, the faster government takes up "
        "matters.",
        {f"{INSTITUTION_PREFIX}government_service.petition_boost": 0.0,
         f"{INSTITUTION_PREFIX}government_service.participation_boost": 0.0},
        "government's speed does not depend on petitions or participation"),
    Mechanism(
        "triage_relief", "社区减负", "Relief of community staff",
        "三事分流为社区减负，政府处理大事更快。",
        "Three-affairs triage relieves community staff, so government handles big matters "
        "faster.",
        {f"{INSTITUTION_PREFIX}three_affairs_triage.relief": 0.0},
        "big matters are taken up at the speed without triage"),
)
"""Every mechanism with an off switch, in the order of the decision rule, then the
institutions' channels."""

WITHOUT_SWITCH: tuple[tuple[str, str], ...] = (
    ("three_affairs_triage: small matters left to residents",
     "ThreeAffairsTriage.setup sets government_handles_small = False; no parameter keeps "
     "government taking up small matters while the triage stays"),
    ("renovation campaign's clearing of matters and inviting a firm",
     "clear_matters and invite_firm are switches, but the campaign's spending itself is "
     "the institution (spend = 0 removes the campaign, not a mechanism of it)"),
    ("owners' committee fund upkeep (以院养院)",
     "fund_upkeep = 0 stops upkeep from the fund, but the fund's money then stays idle; "
     "listed as a candidate, not a clean switch"),
)
"""Mechanisms named in the issue or the code that have no clean off switch among the
existing parameters (what would be needed, for the institutions' owners)."""

BY_NAME: dict[str, Mechanism] = {m.name: m for m in MECHANISMS}


def mechanism(name: str) -> Mechanism:
    """The mechanism called ``name``.

    Raises:
        ConfigError: (field ``--mechanisms``) naming the mechanisms there are.
    """
    try:
        return BY_NAME[name]
    except KeyError:
        raise ConfigError("--mechanisms", f"unknown mechanism '{name}' (known: "
                                          f"{', '.join(BY_NAME)})") from None


def switch_off(scenario: Scenario, mech: Mechanism) -> Scenario:
    """``scenario`` with ``mech`` switched off: :func:`sim.priors.apply` of its switch.

    Values of institutions ``scenario`` lacks are skipped (the one rule of priors); when none
    applies, ``scenario`` itself is returned.
    """
    return apply(scenario, mech.switch)


def applies(scenario: Scenario, mech: Mechanism) -> bool:
    """True if the mechanism can act in ``scenario`` and some value of its switch applies.

    It cannot act without one of its :attr:`Mechanism.sources` (when it has any).
    """
    if mech.sources and not set(mech.sources) & set(scenario.design.institutions):
        return False
    return switch_off(scenario, mech) is not scenario
