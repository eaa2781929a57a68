"""The month as data: the model's own steps, and per phase the institutions in order.

:data:`MONTH` lists the steps of one month (one Mesa step) in order; four of them are the
institution phases of :mod:`sim.institutions.base`. :data:`PHASE_ORDER` says, for each phase,
which institutions act and in what order. This table is the only place the order is written:
a design file's order does not matter, so that the council decides before the owners'
committee executes and the supervisory committee checks after it, whatever the YAML says.
The order reproduces the ``priority`` numbers the institutions carried before issue 10
(ties, equal priorities, kept the order of the designs that used them: ``public_rolls``
before ``online_tools``).

Where to put a new institution: in each phase it acts in, after the institutions whose
writes it reads this month and before those that read its writes (``sim schedule DESIGN``
prints every institution's reads and writes per phase). ``tests/test_institution_contract.py``
checks that the table and the institutions' hooks agree and that :meth:`CompoundModel.step` runs the
steps of :data:`MONTH` in this order.

This module imports nothing of the package but :mod:`sim.text` (which imports nothing):
everything may read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.text import section


@dataclass(frozen=True)
class Step:
    """One step of the month.

    Attributes:
        key: The step's name; for an institution phase, the phase (``before_decisions``).
        label_zh: What happens, in Chinese.
        label_en: What happens, in English.
        phase: Whether institutions act here (in the order of :data:`PHASE_ORDER`).
    """

    key: str
    label_zh: str
    label_en: str
    phase: bool = False


STEP_TEXT: dict[str, dict[str, str]] = section("schedule_steps")
"""What happens in each step by language, from the catalogue (``sim/catalogue.yaml``)."""


def _step(key: str, phase: bool = False) -> Step:
    """Define a step, its text taken from :data:`STEP_TEXT` by ``key``."""
    return Step(key, STEP_TEXT["zh"][key], STEP_TEXT["en"][key], phase)


SETUP = _step("setup", phase=True)
"""The phase before the first month."""

MONTH: tuple[Step, ...] = (
    _step("new_month"),
    _step("matters_arrive"),
    _step("before_decisions", phase=True),
    _step("decide"),
    _step("collect_and_serve"),
    _step("after_decisions", phase=True),
    _step("fix_private_matters"),
    _step("condition"),
    _step("beliefs"),
    _step("firm_exits"),
    _step("month_end", phase=True),
    _step("close"),
)
"""The steps of one month, in order."""

PHASE_ORDER: dict[str, tuple[str, ...]] = {
    "setup": ("six_party_linkage", "dual_report", "one_shoulder", "party_branch",
              "stairwell_leaders", "public_rolls", "online_tools", "social_organisation",
              "cobuilding_council", "deliberation_council", "reward_instead_of_subsidy",
              "owners_committee", "supervisory_committee", "cobuilding_units",
              "three_affairs_triage", "renovation_campaign", "red_property_firm"),
    "before_decisions": ("six_party_linkage", "dual_report", "party_branch", "stairwell_leaders",
                         "reminders",
                         "social_organisation", "owners_committee", "supervisory_committee",
                         "three_affairs_triage"),
    "after_decisions": ("cobuilding_council", "deliberation_council", "shared_assets",
                        "owners_committee", "community_foundation", "station_fund",
                        "cobuilding_units", "hotline", "government_service",
                        "renovation_campaign",
                        "firm_introduction"),
    "month_end": ("cobuilding_council", "deliberation_council", "owners_committee",
                  "supervisory_committee", "covenant", "renovation_campaign",
                  "dynamic_assessment", "red_property_firm"),
}
"""Per phase, the institutions that act in it, in the order they act."""

CALLED_BY: dict[str, str] = {"codesign": "renovation_campaign"}
"""Institutions that act in no phase of their own, each with the institution that calls it
(the renovation campaign puts its plan to the vote before funding and fades the stake at
month end). ``sim schedule`` lists one under its caller in each phase where the caller's
declared reads or writes name the called institution's attributes (``codesign.passed``)."""

PHASE_LABELS = {step.key: (step.label_zh, step.label_en)
                for step in (SETUP, *MONTH) if step.phase}
"""Per phase, what happens in it (zh, en)."""
