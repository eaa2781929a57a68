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
from sim.scenario_paths import INSTITUTION_PREFIX, set_present
from sim.text import section

if TYPE_CHECKING:
    from sim.config import Scenario


TEXT: dict[str, dict[str, str]] = section("mechanisms")
"""Each mechanism's name and what it is, by language."""


@dataclass(frozen=True)
class Mechanism:
    """One mechanism and its off switch.

    Its name and what it is, in Chinese and English, are in the catalogue (section
    ``mechanisms``: ``NAME`` and ``NAME_what``).

    Attributes:
        name: Its key (``face``), in ``attribution.csv``.
        switch: The ``--set`` values that switch it off (dotted path → value).
        removes: What the switch removes, in the code's terms (what the tests check).
        sources: Institutions without which the mechanism's term is 0 anyway (empty: it
            acts in every scenario). In a scenario with none of them the switch changes no
            result, so it does not apply there (:func:`applies`); a test checks that the
            runs are bit-identical.
    """

    name: str
    switch: Mapping[str, Any] = field(default_factory=dict)
    removes: str = ""
    sources: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """Its name in ``lang``."""
        return TEXT[lang][self.name]

    def what(self, lang: str) -> str:
        """What it is, in ``lang``."""
        return TEXT[lang][f"{self.name}_what"]


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "face",
        {"behaviour.weights.face": 0.0},
        "w_face = 0: the face factor w_face·sensitivity·visibility is 0 for every household"),
    Mechanism(
        "visibility",
        {f"{INSTITUTION_PREFIX}public_rolls.credit_visibility": 0.0,
         f"{INSTITUTION_PREFIX}public_rolls.good_people_visibility": 0.0,
         f"{INSTITUTION_PREFIX}online_tools.visibility": 0.0,
         f"{INSTITUTION_PREFIX}stairwell_leaders.visibility": 0.0},
        "compounds.visibility_bonus is 0: visibility is the network's alone"),
    Mechanism(
        "reputation_loss",
        {"behaviour.weights.reputation": 0.0},
        "w_reputation = 0: the utility of paying and complying does not depend on "
        "population.reputation (tests/test_reputation.py)"),
    Mechanism(
        "gossip",
        {"behaviour.learning.gossip": 0.0},
        "learning.gossip = 0: reputation moves only by what those who see the household saw, "
        "not toward the neighbours' (tests/test_reputation.py)"),
    Mechanism(
        "mobilisation",
        {"behaviour.weights.mobilisation": 0.0},
        "w_mobilisation = 0: the utility does not depend on population.mobilisation",
        ("party_branch", "stairwell_leaders", "three_affairs_triage")),  # mobilise()'s callers
    Mechanism(
        "visit_trust",
        {f"{INSTITUTION_PREFIX}party_branch.trust_gain": 0.0,
         f"{INSTITUTION_PREFIX}party_branch.dependence_cut": 0.0,
         f"{INSTITUTION_PREFIX}stairwell_leaders.trust_gain": 0.0,
         f"{INSTITUTION_PREFIX}three_affairs_triage.trust_gain": 0.0},
        "visits leave trust and dependence unchanged"),
    Mechanism(
        "dependence_learning",
        {"behaviour.learning.dependence": 0.0},
        "learning.dependence = 0: dependence moves only by visits"),
    Mechanism(
        "trust_learning",
        {"behaviour.learning.trust": 0.0},
        "learning.trust = 0: trust moves only by what institutions do to it"),
    Mechanism(
        "coordination_cost",
        {"coordination.cost_per_link": 0.0, "coordination.friction": 0.0},
        "cost_per_link = friction = 0: coordination efficiency is 1 in every compound",
        # the institutions that create bodies (sim.selfgov.BODIES): with none, a compound has
        # at most its firm, so no link, and no branch and committee, so no friction
        ("party_branch", "deliberation_council", "owners_committee", "supervisory_committee",
         "cobuilding_council", "social_organisation", "cobuilding_units", "stairwell_leaders")),
    Mechanism(
        "council_legitimacy",
        {f"{INSTITUTION_PREFIX}deliberation_council.legitimacy_trust": 0.0},
        "legitimacy_trust = 0"),
    Mechanism(
        "pooled_money",
        {f"{INSTITUTION_PREFIX}deliberation_council.categories": [],
         f"{INSTITUTION_PREFIX}owners_committee.categories": [],
         f"{INSTITUTION_PREFIX}cobuilding_council.categories": []},
        "no category of matter may be taken up by residents: no project starts"),
    Mechanism(
        "supervision",
        {f"{INSTITUTION_PREFIX}supervisory_committee.deterrence": 0.0,
         f"{INSTITUTION_PREFIX}supervisory_committee.detect_prob": 0.0,
         f"{INSTITUTION_PREFIX}supervisory_committee.detect_trust_loss": 0.0,
         f"{INSTITUTION_PREFIX}supervisory_committee.publish_trust_gain": 0.0},
        "deterrence 0 everywhere; nothing found, nothing published"),
    Mechanism(
        "congress",
        {f"{INSTITUTION_PREFIX}owners_committee.turnout_active": 0.0,
         f"{INSTITUTION_PREFIX}owners_committee.turnout_passive": 0.0},
        "no owner votes: under formation 'congress' no congress is held, nothing is drawn and "
        "no committee forms (the run equals one without owners_committee where the design "
        "has no other body, tests/test_inst_congress.py); other formations are unchanged",
        ("owners_committee",)),
    Mechanism(
        "covenant_rules",
        {f"{INSTITUTION_PREFIX}covenant.recurrence_cut": 0.0,
         f"{INSTITUTION_PREFIX}covenant.norm_step": 0.0},
        "rules change neither arrival rates nor norms"),
    Mechanism(
        "petition_pressure",
        {f"{INSTITUTION_PREFIX}government_service.petition_boost": 0.0,
         f"{INSTITUTION_PREFIX}government_service.participation_boost": 0.0},
        "government's speed does not depend on petitions or participation"),
    Mechanism(
        "triage_relief",
        {f"{INSTITUTION_PREFIX}three_affairs_triage.relief": 0.0},
        "big matters are taken up at the speed without triage"),
    Mechanism(
        "hotline_chain",
        {f"{INSTITUTION_PREFIX}hotline.report_rate": 0.0},
        "nobody calls the hotline: no response, no feedback (the run equals one without "
        "the hotline, tests/test_inst_hotline.py)"),
    Mechanism(
        "turnover",
        {"turnover.owner": 0.0, "turnover.renter": 0.0, "turnover.floating": 0.0},
        "move-out rates 0: nobody moves out, no draw is made, population.arrived stays empty "
        "(the run equals one without turnover, tests/test_turnover.py)"),
    Mechanism(
        "reminders",
        {f"{INSTITUTION_PREFIX}reminders.strength": 0.0},
        "strength = 0: nobody is reminded and nothing is drawn (the run equals one without "
        "the reminders institution, tests/test_inst_reminders.py)"),
    Mechanism(
        "triggered_visits",
        {f"{INSTITUTION_PREFIX}party_branch.triggered_visit": 0.0,
         f"{INSTITUTION_PREFIX}stairwell_leaders.triggered_visit": 0.0},
        "triggered_visit = 0: visits by quota only, no draw for violators (the run equals one "
        "before triggered visits, tests/test_violation_visits.py)"),
    Mechanism(
        "codesign_stake",
        {f"{INSTITUTION_PREFIX}codesign.stake": 0.0},
        "stake = 0: a renovation to a plan residents voted adds nothing to compounds.norm; "
        "the vote still decides who is funded (tests/test_codesign.py)"),
    Mechanism(
        "readiness_selection",
        {f"{INSTITUTION_PREFIX}renovation_campaign.weight_consensus": 0.0,
         f"{INSTITUTION_PREFIX}renovation_campaign.weight_demolition": 0.0,
         f"{INSTITUTION_PREFIX}renovation_campaign.weight_organisation": 0.0,
         f"{INSTITUTION_PREFIX}renovation_campaign.weight_plan": 0.0},
        "readiness weights 0: every score is 0, so competition and need_and_will fund in "
        "need's order (worst condition first; competition's gate and incentive stay; "
        "tests/test_readiness.py)"),
    Mechanism(
        "elections",
        {"elections.selectivity": 0.0, "elections.misuse_spirit": 0.0,
         "elections.efficiency_spirit": 0.0},
        "selectivity 0 and member effects 0: seats filled without a draw, misuse_factor and "
        "quality exactly 1 (the run equals one without elections, tests/test_elections.py)",
        # the institutions that create elected bodies (sim.elections.ELECTED, PER_UNIT)
        ("deliberation_council", "owners_committee", "supervisory_committee",
         "cobuilding_council", "social_organisation", "stairwell_leaders")),
    Mechanism(
        "asset_income",
        {f"{INSTITUTION_PREFIX}shared_assets.spaces_per_household": 0.0,
         f"{INSTITUTION_PREFIX}shared_assets.space_income": 0.0,
         f"{INSTITUTION_PREFIX}shared_assets.room_income": 0.0},
        "no parking spaces drawn, no income from spaces or rooms: nothing is paid into the "
        "compounds' funds as source assets (the run equals one without shared_assets, "
        "tests/test_inst_selffunding.py)"),
    Mechanism(
        "foundation_grants",
        {f"{INSTITUTION_PREFIX}community_foundation.payout_rate": 0.0},
        "payout_rate = 0: the yearly budget is 0, no grant and no draw (the run equals one "
        "without community_foundation, tests/test_inst_selffunding.py)"),
    Mechanism(
        "station_fund_money",
        {f"{INSTITUTION_PREFIX}station_fund.parking_income": 0.0,
         f"{INSTITUTION_PREFIX}station_fund.recycling_per_volunteer": 0.0,
         f"{INSTITUTION_PREFIX}station_fund.donation_per_year": 0.0},
        "the station's three incomes 0: its fund stays empty, pays nothing and draws "
        "nothing (the run equals one without station_fund, tests/test_inst_selffunding.py)"),
    Mechanism(
        "elected_accountant",
        {f"{INSTITUTION_PREFIX}station_fund.accountant_deterrence": 0.0},
        "accountant_deterrence = 0: the station's fund is diverted with misuse_prob as "
        "if its accountant were not elected"),
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
    ("owners' committee fund upkeep (yi yuan yang yuan)",
     "fund_upkeep = 0 stops upkeep from the fund, but the fund's money then stays idle; "
     "listed as a candidate, not a clean switch"),
)
"""Mechanisms named in the issue or the code that have no clean off switch among the
existing parameters (what would be needed, for the institutions' owners)."""

BY_NAME: dict[str, Mechanism] = {m.name: m for m in MECHANISMS}

OFF_VALUES: dict[str, tuple[Any, ...]] = {}
"""Each switched path → its off values (a path may be in more than one switch).

A scenario that holds a path at one of these is a design without that mechanism there: the
path's prior is not drawn for it (:func:`sim.priors.held`)."""
for _m in MECHANISMS:
    for _path, _off in _m.switch.items():
        OFF_VALUES[_path] = (*OFF_VALUES.get(_path, ()), _off)


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
    """``scenario`` with ``mech`` switched off (:func:`sim.scenario_paths.set_present`).

    Values of institutions ``scenario`` lacks are skipped (as for priors; a design's own values
    are switched off too, unlike a prior's, which leaves them); when none
    applies, ``scenario`` itself is returned.
    """
    return set_present(scenario, mech.switch)


def applies(scenario: Scenario, mech: Mechanism) -> bool:
    """True if the mechanism can act in ``scenario`` and some value of its switch applies.

    It cannot act without one of its :attr:`Mechanism.sources` (when it has any).
    """
    if mech.sources and not set(mech.sources) & set(scenario.design.institutions):
        return False
    return switch_off(scenario, mech) is not scenario
