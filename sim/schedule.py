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

This module imports nothing of the package: everything may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


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


SETUP = Step("setup", "第一个月之前一次：所有机构建成后各自执行（成立组织、设定规则）",
             "once before the first month, after every institution is built (bodies, rules)",
             phase=True)
"""The phase before the first month."""

MONTH: tuple[Step, ...] = (
    Step("new_month", "账目结清上月收支；按现有组织更新协调效率",
         "the ledger closes last month; coordination efficiency from the bodies present"),
    Step("matters_arrive", "新事项出现（状况差、违规多处更多）",
         "new matters arrive (more where condition is poor or rules are broken)"),
    Step("before_decisions", "机构在居民决策前行动（动员、入户、公示）",
         "institutions act before households decide (mobilisation, visits, visibility)",
         phase=True),
    Step("decide", "每户决定是否缴费、守规、志愿、参与议事、上访",
         "every household decides to pay, comply, volunteer, take part, petition"),
    Step("collect_and_serve", "收取费用；物业支付开支、小事项和维护",
         "fees are collected; firms pay overhead, small matters and upkeep"),
    Step("after_decisions", "机构在决策后行动（议事、办事、出钱、整治、引入物业）",
         "institutions act after decisions (deciding, executing, paying, campaigns, firms)",
         phase=True),
    Step("fix_private_matters", "居民自行解决私事", "households fix private matters"),
    Step("condition", "志愿劳动计入维护；小区状况衰减并恢复",
         "volunteering counts as upkeep; condition decays and is restored"),
    Step("beliefs", "更新不满、满意度、信任、依赖、声誉、动员",
         "grievance, satisfaction, trust, dependence, reputation, mobilisation"),
    Step("firm_exits", "长期收不抵支的物业退出（弃管）",
         "firms with sustained low collection exit"),
    Step("month_end", "机构在月末行动（公示、监督、立规、考核、成立组织）",
         "institutions act at month end (publishing, detection, rules, assessment, formation)",
         phase=True),
    Step("close", "核对账目；计算并记录本月指标",
         "the ledger is checked; the month's outputs are computed and collected"),
)
"""The steps of one month, in order."""

PHASE_ORDER: dict[str, tuple[str, ...]] = {
    "setup": ("six_party_linkage", "dual_report", "one_shoulder", "party_branch",
              "stairwell_leaders", "public_rolls", "online_tools", "social_organisation",
              "cobuilding_council", "deliberation_council", "reward_instead_of_subsidy",
              "owners_committee", "supervisory_committee", "cobuilding_units",
              "three_affairs_triage", "renovation_campaign", "red_property_firm"),
    "before_decisions": ("six_party_linkage", "party_branch", "stairwell_leaders",
                         "social_organisation", "owners_committee", "supervisory_committee",
                         "three_affairs_triage"),
    "after_decisions": ("cobuilding_council", "deliberation_council", "owners_committee",
                        "cobuilding_units", "government_service", "renovation_campaign",
                        "firm_introduction"),
    "month_end": ("cobuilding_council", "deliberation_council", "owners_committee",
                  "supervisory_committee", "covenant", "renovation_campaign",
                  "dynamic_assessment", "red_property_firm"),
}
"""Per phase, the institutions that act in it, in the order they act."""

PHASE_LABELS = {step.key: (step.label_zh, step.label_en)
                for step in (SETUP, *MONTH) if step.phase}
"""Per phase, what happens in it (zh, en)."""
