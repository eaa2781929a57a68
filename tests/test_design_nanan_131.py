"""The nanan_131 design on the 移民小区 (seed 001), compared with the baseline.

Seed 001: the 移民小区 had half its street lights broken for years; "在小区党支部的组织下,
移民小区召开多次议事会讨论,最后决定每家每户'打平伙'解决路灯维修问题" and a resident
electrician did the work for free. Here the broken lights are opened at month 0
(``open_matters``) and the tests check behaviour only: who fixes them, how soon, and who
pays, under nanan_131 and under the administrative baseline, over 20 seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

import sim
from sim.institutions import REGISTRY

SEEDS = range(20)
MONTHS = 30
LIGHTS_ID = 0  # the first matter opened: the broken lights of month 0


def scenario(design: str) -> sim.Scenario:
    scn = sim.load_config({"community": "yimin_compound", "design": design})
    return scn.override({"community.groups.0.open_matters": ["lights"]})


@dataclass
class Outcome:
    """What happened to the broken lights in one run."""

    model: sim.CompoundModel
    handler: str | None
    month: int | None
    paid: float | None


def outcome(design: str, seed: int) -> Outcome:
    model = sim.CompoundModel(scenario(design), rng=seed).run(MONTHS)
    log = model.matters.log_frame()
    row = log[log["id"] == LIGHTS_ID]
    if row.empty:
        return Outcome(model, None, None, None)
    return Outcome(model, str(row["handler"].iloc[0]), int(row["resolved"].iloc[0]),
                   float(row["paid"].iloc[0]))


@pytest.fixture(scope="module")
def nanan() -> list[Outcome]:
    return [outcome("nanan_131", seed) for seed in SEEDS]


@pytest.fixture(scope="module")
def baseline() -> list[Outcome]:
    return [outcome("baseline", seed) for seed in SEEDS]


# ----------------------------------------------------------------------------- the design


def test_the_design_is_131_with_triage():
    scn = scenario("nanan_131")
    names = set(scn.design.institutions)
    assert {"party_branch", "deliberation_council", "owners_committee",
            "supervisory_committee", "covenant", "three_affairs_triage"} <= names
    assert names <= set(REGISTRY)
    assert scn.design.institutions["party_branch"]["grid_branch"] is True


def test_the_lights_are_open_at_month_zero():
    model = sim.CompoundModel(scenario("nanan_131"), rng=0)
    book = model.matters
    assert book.n_open == 1 and int(book.ids[0]) == LIGHTS_ID
    assert book.type_names[int(book.kind[0])] == "lights" and book.opened[0] == 0


def test_one_organisation_three_bodies_one_mechanism():
    model = sim.CompoundModel(scenario("nanan_131"), rng=0).run(1)
    sg = model.selfgov
    for body in ("branch", "council", "committee", "supervisory"):
        assert sg.bodies[body].all(), body
    assert sg.government_handles_small is False and sg.big_speedup > 1.0


# ----------------------------------------------------------------------------- the lights


def test_residents_fix_the_lights_within_a_year_under_nanan_131(nanan):
    by_residents = [o for o in nanan if o.handler == "residents" and o.month <= 12]
    assert len(by_residents) >= 16


def test_under_baseline_government_or_a_campaign_fixes_them_later(nanan, baseline):
    handlers = {o.handler for o in baseline}
    assert "residents" not in handlers
    assert handlers <= {"government", "campaign", None}
    # Government or a campaign fixes some within 30 months; others are still broken then
    # (a campaign reaches a one-compound community in a quarter of campaigns).
    fixed = sum(o.handler is not None for o in baseline)
    assert 0 < fixed < len(baseline)
    months_131 = [o.month if o.month is not None else MONTHS + 1 for o in nanan]
    months_base = [o.month if o.month is not None else MONTHS + 1 for o in baseline]
    assert np.median(months_base) > np.median(months_131) + 3
    later = sum(b > n for b, n in zip(months_base, months_131, strict=True))
    assert later >= 14


def test_residents_pay_for_the_lights_themselves(nanan):
    """Pooled money (打平伙) pays the compared price, cheaper still with a volunteer.

    Since issue 12 the community foundation of seed 001 (``community_foundation``) may pay
    part of a residents' project (a grant lowers every household's share), so the pooled
    money and the grant together cover the price; neither is the government's.
    """
    cost = 5000.0
    for o in nanan:
        if o.handler != "residents":
            continue
        ledger = o.model.ledger
        own = ledger.total_in[0, ledger.source_index("pooled")]
        grant = ledger.total_in[0, ledger.source_index("foundation")]
        assert own + grant >= o.paid - 1e-6
        assert own > 0
        assert o.paid <= 0.9 * cost + 1e-6  # price comparison saves 10 %
    with_volunteer = [o for o in nanan if o.handler == "residents" and o.paid < 0.9 * cost - 1]
    assert with_volunteer  # a resident electrician turned up in some runs
    for o in with_volunteer:
        assert o.paid == pytest.approx(0.9 * cost * (1 - 0.4))


def test_fixing_the_lights_becomes_a_covenant_rule(nanan):
    lights = nanan[0].model.matters.type_index("lights")
    for o in nanan:
        log = o.model.matters.log_frame()
        settled = ((log["type"] == "lights") & (log["handler"] == "residents")).any()
        assert o.model.selfgov.rules[lights, 0] == settled
        if o.handler == "residents":
            assert o.model.selfgov.rules[lights, 0]


def test_under_nanan_131_government_never_takes_up_small_matters(nanan, baseline):
    def small_by_government(outcomes: list[Outcome]) -> int:
        total = 0
        for o in outcomes:
            log = o.model.matters.log_frame()
            category = {t.name: t.category for t in o.model.config.matters.types}
            small = log["type"].map(category) == "small"
            total += int((small & (log["handler"] == "government")).sum())
        return total

    assert small_by_government(nanan) == 0
    assert small_by_government(baseline) > 0


def test_ledger_balances_in_every_run(nanan, baseline):
    for o in [*nanan, *baseline]:
        o.model.ledger.check()
